# Per-block DCT kernels, cdef inline so the fused drivers inline them.

# ==== encode: forward DCT ====
from libc.stdint cimport uint8_t, int32_t

# jfdctint.c ("islow"): 13-bit fixed-point constants FIX(x) = round(x * 2**13);
# pass 1 keeps PASS1_BITS extra bits of precision for pass 2.
cdef enum:
    FD_CONST_BITS = 13
    FD_PASS1_BITS = 2
    FD_FIX_0_298631336 = 2446
    FD_FIX_0_390180644 = 3196
    FD_FIX_0_541196100 = 4433
    FD_FIX_0_765366865 = 6270
    FD_FIX_0_899976223 = 7373
    FD_FIX_1_175875602 = 9633
    FD_FIX_1_501321110 = 12299
    FD_FIX_1_847759065 = 15137
    FD_FIX_1_961570560 = 16069
    FD_FIX_2_053119869 = 16819
    FD_FIX_2_562915447 = 20995
    FD_FIX_3_072711026 = 25172


cdef inline void load_block(const uint8_t* src, Py_ssize_t stride, int32_t* data) noexcept nogil:
    """Copy an 8x8 block of samples, level-shifted by -128 (T.81 A.3.1)."""
    cdef int i, j
    for i in range(8):
        for j in range(8):
            data[8 * i + j] = <int32_t>src[i * stride + j] - 128


cdef inline void fdct_islow(int32_t* d) noexcept nogil:
    """Forward 8x8 DCT in place, libjpeg's accurate integer algorithm.

    Output is the T.81 A.3.3 FDCT scaled up by 8 (quantization divides by
    8 x Q), bit-exact with jfdctint.c (Loeffler-Ligtenberg-Moschytz).
    """
    cdef int32_t tmp0, tmp1, tmp2, tmp3, tmp4, tmp5, tmp6, tmp7
    cdef int32_t tmp10, tmp11, tmp12, tmp13, z1, z2, z3, z4, z5
    cdef int32_t* p
    cdef int i
    cdef int32_t r1 = 1 << (FD_CONST_BITS - FD_PASS1_BITS - 1)
    cdef int32_t r2 = 1 << (FD_CONST_BITS + FD_PASS1_BITS - 1)
    cdef int32_t r0 = 1 << (FD_PASS1_BITS - 1)
    # Pass 1: rows; results scaled up by 2**PASS1_BITS.
    for i in range(8):
        p = d + 8 * i
        tmp0 = p[0] + p[7]
        tmp7 = p[0] - p[7]
        tmp1 = p[1] + p[6]
        tmp6 = p[1] - p[6]
        tmp2 = p[2] + p[5]
        tmp5 = p[2] - p[5]
        tmp3 = p[3] + p[4]
        tmp4 = p[3] - p[4]
        tmp10 = tmp0 + tmp3
        tmp13 = tmp0 - tmp3
        tmp11 = tmp1 + tmp2
        tmp12 = tmp1 - tmp2
        p[0] = (tmp10 + tmp11) << FD_PASS1_BITS
        p[4] = (tmp10 - tmp11) << FD_PASS1_BITS
        z1 = (tmp12 + tmp13) * FD_FIX_0_541196100
        p[2] = (z1 + tmp13 * FD_FIX_0_765366865 + r1) >> (FD_CONST_BITS - FD_PASS1_BITS)
        p[6] = (z1 - tmp12 * FD_FIX_1_847759065 + r1) >> (FD_CONST_BITS - FD_PASS1_BITS)
        z1 = tmp4 + tmp7
        z2 = tmp5 + tmp6
        z3 = tmp4 + tmp6
        z4 = tmp5 + tmp7
        z5 = (z3 + z4) * FD_FIX_1_175875602
        tmp4 = tmp4 * FD_FIX_0_298631336
        tmp5 = tmp5 * FD_FIX_2_053119869
        tmp6 = tmp6 * FD_FIX_3_072711026
        tmp7 = tmp7 * FD_FIX_1_501321110
        z1 = -z1 * FD_FIX_0_899976223
        z2 = -z2 * FD_FIX_2_562915447
        z3 = -z3 * FD_FIX_1_961570560 + z5
        z4 = -z4 * FD_FIX_0_390180644 + z5
        p[7] = (tmp4 + z1 + z3 + r1) >> (FD_CONST_BITS - FD_PASS1_BITS)
        p[5] = (tmp5 + z2 + z4 + r1) >> (FD_CONST_BITS - FD_PASS1_BITS)
        p[3] = (tmp6 + z2 + z3 + r1) >> (FD_CONST_BITS - FD_PASS1_BITS)
        p[1] = (tmp7 + z1 + z4 + r1) >> (FD_CONST_BITS - FD_PASS1_BITS)
    # Pass 2: columns; removes PASS1_BITS and leaves the overall factor 8.
    for i in range(8):
        p = d + i
        tmp0 = p[0] + p[56]
        tmp7 = p[0] - p[56]
        tmp1 = p[8] + p[48]
        tmp6 = p[8] - p[48]
        tmp2 = p[16] + p[40]
        tmp5 = p[16] - p[40]
        tmp3 = p[24] + p[32]
        tmp4 = p[24] - p[32]
        tmp10 = tmp0 + tmp3
        tmp13 = tmp0 - tmp3
        tmp11 = tmp1 + tmp2
        tmp12 = tmp1 - tmp2
        p[0] = (tmp10 + tmp11 + r0) >> FD_PASS1_BITS
        p[32] = (tmp10 - tmp11 + r0) >> FD_PASS1_BITS
        z1 = (tmp12 + tmp13) * FD_FIX_0_541196100
        p[16] = (z1 + tmp13 * FD_FIX_0_765366865 + r2) >> (FD_CONST_BITS + FD_PASS1_BITS)
        p[48] = (z1 - tmp12 * FD_FIX_1_847759065 + r2) >> (FD_CONST_BITS + FD_PASS1_BITS)
        z1 = tmp4 + tmp7
        z2 = tmp5 + tmp6
        z3 = tmp4 + tmp6
        z4 = tmp5 + tmp7
        z5 = (z3 + z4) * FD_FIX_1_175875602
        tmp4 = tmp4 * FD_FIX_0_298631336
        tmp5 = tmp5 * FD_FIX_2_053119869
        tmp6 = tmp6 * FD_FIX_3_072711026
        tmp7 = tmp7 * FD_FIX_1_501321110
        z1 = -z1 * FD_FIX_0_899976223
        z2 = -z2 * FD_FIX_2_562915447
        z3 = -z3 * FD_FIX_1_961570560 + z5
        z4 = -z4 * FD_FIX_0_390180644 + z5
        p[56] = (tmp4 + z1 + z3 + r2) >> (FD_CONST_BITS + FD_PASS1_BITS)
        p[40] = (tmp5 + z2 + z4 + r2) >> (FD_CONST_BITS + FD_PASS1_BITS)
        p[24] = (tmp6 + z2 + z3 + r2) >> (FD_CONST_BITS + FD_PASS1_BITS)
        p[8] = (tmp7 + z1 + z4 + r2) >> (FD_CONST_BITS + FD_PASS1_BITS)
# ==== end encode: forward DCT ====


# ==== decode: inverse DCT ====
from libc.stdint cimport uint8_t, int16_t, int32_t

# libjpeg's jidctint.c fixed-point constants: FIX(x) = round(x * 2**13).
cdef enum:
    IDCT_CONST_BITS = 13
    IDCT_PASS1_BITS = 2
    FIX_0_298631336 = 2446
    FIX_0_390180644 = 3196
    FIX_0_541196100 = 4433
    FIX_0_765366865 = 6270
    FIX_0_899976223 = 7373
    FIX_1_175875602 = 9633
    FIX_1_501321110 = 12299
    FIX_1_847759065 = 15137
    FIX_1_961570560 = 16069
    FIX_2_053119869 = 16819
    FIX_2_562915447 = 20995
    FIX_3_072711026 = 25172


cdef extern from "_idct_sse2.h":
    # the same kernel on 8 lanes at once where SSE2 exists (all x86-64)
    const bint JL_HAVE_SSE2
    void jl_idct_islow_sse2(const int16_t* coef, const int16_t* quant, uint8_t* out,
                            Py_ssize_t stride) noexcept nogil


cdef inline int32_t wrap16(int32_t x) noexcept nogil:
    return <int16_t>x


cdef inline int32_t sat16(int32_t x) noexcept nogil:
    if x < -32768:
        return -32768
    if x > 32767:
        return 32767
    return x


cdef inline uint8_t sat_sample(int32_t v) noexcept nogil:
    # v + 128 limited to 0..255
    if v < -128:
        return 0
    if v > 127:
        return 255
    return <uint8_t>(v + 128)


cdef inline void idct_1d(int32_t i0, int32_t i1, int32_t i2, int32_t i3, int32_t i4,
                         int32_t i5, int32_t i6, int32_t i7, int32_t* o) noexcept nogil:
    """One 8-point islow IDCT (T.81 A.3.3 via Loeffler-Ligtenberg-Moschytz),
    undescaled: o[0..7] carry 2**CONST_BITS extra.  The products are grouped
    as libjpeg-turbo's SIMD code groups them (z1, z2 folded into the
    constants); the sums it forms in 16 bits (i0 +- i4, i7 + i3, i5 + i1)
    wrap to 16 bits here too, so corrupt coefficients give its results."""
    cdef int32_t tmp0, tmp1, tmp2, tmp3, tmp10, tmp11, tmp12, tmp13
    cdef int32_t z3, z4, t0, t1, t2, t3
    tmp3 = i2 * (FIX_0_541196100 + FIX_0_765366865) + i6 * FIX_0_541196100
    tmp2 = i2 * FIX_0_541196100 + i6 * (FIX_0_541196100 - FIX_1_847759065)
    tmp0 = wrap16(i0 + i4) * (1 << IDCT_CONST_BITS)
    tmp1 = wrap16(i0 - i4) * (1 << IDCT_CONST_BITS)
    tmp10 = tmp0 + tmp3
    tmp13 = tmp0 - tmp3
    tmp11 = tmp1 + tmp2
    tmp12 = tmp1 - tmp2
    z3 = wrap16(i7 + i3)
    z4 = wrap16(i5 + i1)
    tmp0 = z3 * (FIX_1_175875602 - FIX_1_961570560) + z4 * FIX_1_175875602
    tmp1 = z3 * FIX_1_175875602 + z4 * (FIX_1_175875602 - FIX_0_390180644)
    t0 = i7 * (FIX_0_298631336 - FIX_0_899976223) - i1 * FIX_0_899976223 + tmp0
    t1 = i5 * (FIX_2_053119869 - FIX_2_562915447) - i3 * FIX_2_562915447 + tmp1
    t2 = i3 * (FIX_3_072711026 - FIX_2_562915447) - i5 * FIX_2_562915447 + tmp0
    t3 = i1 * (FIX_1_501321110 - FIX_0_899976223) - i7 * FIX_0_899976223 + tmp1
    o[0] = tmp10 + t3
    o[7] = tmp10 - t3
    o[1] = tmp11 + t2
    o[6] = tmp11 - t2
    o[2] = tmp12 + t1
    o[5] = tmp12 - t1
    o[3] = tmp13 + t0
    o[4] = tmp13 - t0


cdef inline void idct_islow_scalar(const int16_t* coef, const int16_t* quant,
                                   uint8_t* out, Py_ssize_t stride) noexcept nogil:
    """Dequantize and inverse-transform one 8x8 block (natural order) into
    8 rows of 8 samples at out, out + stride, ...

    libjpeg's accurate integer IDCT (jpeg_idct_islow: 13-bit constants, 2
    extra bits kept between the passes, rounding shifts) in the exact
    arithmetic of libjpeg-turbo's x86 SIMD version, which Pillow runs here:
    dequantized values and the pass-1 results are 16-bit (wrapping and
    saturating where it does), the output saturates to 0..255.  For any
    coefficients a real encoder writes this equals the C reference; only
    corrupt, out-of-range coefficients tell the two apart.  Flat blocks,
    columns and rows take shortcuts that give the same values.
    """
    cdef int32_t ws[64]
    cdef int32_t d[8]
    cdef int32_t o[8]
    cdef int c, r, k
    cdef int32_t dc
    cdef int16_t acc = 0, acc0
    cdef uint8_t* op
    cdef uint8_t v
    for k in range(8, 64):
        acc |= coef[k]
    if acc == 0:
        acc0 = coef[1] | coef[2] | coef[3] | coef[4] | coef[5] | coef[6] | coef[7]
        if acc0 == 0:
            # DC only: every sample is the same
            dc = wrap16(wrap16(<int32_t>coef[0] * quant[0]) * (1 << IDCT_PASS1_BITS))
            v = sat_sample((dc + 16) >> 5)
            for r in range(8):
                op = out + r * stride
                for c in range(8):
                    op[c] = v
            return
        # only row 0 nonzero: every column is flat (SIMD computes this in 16 bits)
        for c in range(8):
            dc = wrap16(wrap16(<int32_t>coef[c] * quant[c]) * (1 << IDCT_PASS1_BITS))
            for r in range(8):
                ws[r * 8 + c] = dc
    else:
        for c in range(8):
            for r in range(8):
                d[r] = wrap16(<int32_t>coef[r * 8 + c] * quant[r * 8 + c])
            if (d[1] | d[2] | d[3] | d[4] | d[5] | d[6] | d[7]) == 0:
                # what the full computation gives for a flat column
                dc = sat16(d[0] * (1 << IDCT_PASS1_BITS))
                for r in range(8):
                    ws[r * 8 + c] = dc
                continue
            idct_1d(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], o)
            for r in range(8):
                ws[r * 8 + c] = sat16((o[r] + 1024) >> 11)
    for r in range(8):
        k = r * 8
        op = out + r * stride
        if (ws[k + 1] | ws[k + 2] | ws[k + 3] | ws[k + 4] | ws[k + 5] | ws[k + 6] |
                ws[k + 7]) == 0:
            # what the full computation gives for a flat row
            v = sat_sample((ws[k] + 16) >> 5)
            for c in range(8):
                op[c] = v
            continue
        idct_1d(ws[k], ws[k + 1], ws[k + 2], ws[k + 3], ws[k + 4], ws[k + 5], ws[k + 6],
                ws[k + 7], o)
        for c in range(8):
            op[c] = sat_sample((o[c] + 131072) >> 18)

cdef inline void idct_islow(const int16_t* coef, const int16_t* quant,
                            uint8_t* out, Py_ssize_t stride) noexcept nogil:
    """The islow IDCT of one block (see idct_islow_scalar for the arithmetic):
    DC-only blocks are filled directly, others go to the SSE2 kernel where
    the CPU has it and to the scalar one elsewhere; all give the same samples."""
    cdef int k, r, c
    cdef int16_t acc = 0
    cdef uint8_t v
    cdef uint8_t* op
    for k in range(1, 64):
        acc |= coef[k]
    if acc == 0:
        v = sat_sample((wrap16(wrap16(<int32_t>coef[0] * quant[0]) * (1 << IDCT_PASS1_BITS))
                        + 16) >> 5)
        for r in range(8):
            op = out + r * stride
            for c in range(8):
                op[c] = v
        return
    if JL_HAVE_SSE2:
        jl_idct_islow_sse2(coef, quant, out, stride)
    else:
        idct_islow_scalar(coef, quant, out, stride)

# ==== end decode: inverse DCT ====
