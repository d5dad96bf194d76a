# Per-block DCT kernels, cdef inline so the fused drivers inline them.

# ==== encode: forward DCT ====

# ==== end encode: forward DCT ====


# ==== decode: inverse DCT ====
from libc.stdint cimport uint8_t, int16_t, int32_t, int64_t

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


cdef inline uint8_t idct_clamp(int64_t v) noexcept nogil:
    # libjpeg's post-IDCT range limit: v + 128 clamped to 0..255 for
    # |v| < 512 and, beyond that (reached only by corrupt coefficients),
    # wrapping modulo 1024 through its range_limit[v & 1023] table
    v &= 1023
    if v < 128:
        return <uint8_t>(v + 128)
    if v < 512:
        return 255
    if v < 896:
        return 0
    return <uint8_t>(v - 896)


cdef inline void idct_islow(const int16_t* coef, const int32_t* quant,
                            uint8_t* out, Py_ssize_t stride) noexcept nogil:
    """Dequantize and inverse-transform one 8x8 block (natural order) into
    8 rows of 8 samples at out, out + stride, ...

    The arithmetic is libjpeg's accurate integer IDCT (jpeg_idct_islow,
    Loeffler-Ligtenberg-Moschytz with 13-bit constants, 2 extra bits kept
    between the passes), so the samples are the ones libjpeg-turbo returns.
    Columns and rows with no AC energy take libjpeg's shortcut, which gives
    the same values as the full computation.
    """
    cdef int32_t ws[64]
    cdef int64_t tmp0, tmp1, tmp2, tmp3, tmp10, tmp11, tmp12, tmp13
    cdef int64_t z1, z2, z3, z4, z5
    cdef int c, r
    cdef int32_t dc
    cdef const int16_t* ip
    cdef const int32_t* qp
    cdef int32_t* wp
    cdef uint8_t* op
    cdef uint8_t o
    # Pass 1: columns, results scaled up by 2**PASS1_BITS
    for c in range(8):
        ip = coef + c
        qp = quant + c
        wp = ws + c
        if (ip[8] == 0 and ip[16] == 0 and ip[24] == 0 and ip[32] == 0 and
                ip[40] == 0 and ip[48] == 0 and ip[56] == 0):
            dc = <int32_t>(<int64_t>ip[0] * qp[0] * (1 << IDCT_PASS1_BITS))
            wp[0] = dc; wp[8] = dc; wp[16] = dc; wp[24] = dc
            wp[32] = dc; wp[40] = dc; wp[48] = dc; wp[56] = dc
            continue
        z2 = <int64_t>ip[16] * qp[16]
        z3 = <int64_t>ip[48] * qp[48]
        z1 = (z2 + z3) * FIX_0_541196100
        tmp2 = z1 - z3 * FIX_1_847759065
        tmp3 = z1 + z2 * FIX_0_765366865
        z2 = <int64_t>ip[0] * qp[0]
        z3 = <int64_t>ip[32] * qp[32]
        tmp0 = (z2 + z3) * (1 << IDCT_CONST_BITS)
        tmp1 = (z2 - z3) * (1 << IDCT_CONST_BITS)
        tmp10 = tmp0 + tmp3
        tmp13 = tmp0 - tmp3
        tmp11 = tmp1 + tmp2
        tmp12 = tmp1 - tmp2
        tmp0 = <int64_t>ip[56] * qp[56]
        tmp1 = <int64_t>ip[40] * qp[40]
        tmp2 = <int64_t>ip[24] * qp[24]
        tmp3 = <int64_t>ip[8] * qp[8]
        z1 = tmp0 + tmp3
        z2 = tmp1 + tmp2
        z3 = tmp0 + tmp2
        z4 = tmp1 + tmp3
        z5 = (z3 + z4) * FIX_1_175875602
        tmp0 = tmp0 * FIX_0_298631336
        tmp1 = tmp1 * FIX_2_053119869
        tmp2 = tmp2 * FIX_3_072711026
        tmp3 = tmp3 * FIX_1_501321110
        z1 = z1 * -FIX_0_899976223
        z2 = z2 * -FIX_2_562915447
        z3 = z3 * -FIX_1_961570560 + z5
        z4 = z4 * -FIX_0_390180644 + z5
        tmp0 += z1 + z3
        tmp1 += z2 + z4
        tmp2 += z2 + z3
        tmp3 += z1 + z4
        # DESCALE(x, 11): round and drop CONST_BITS - PASS1_BITS bits
        wp[0] = <int32_t>((tmp10 + tmp3 + 1024) >> 11)
        wp[56] = <int32_t>((tmp10 - tmp3 + 1024) >> 11)
        wp[8] = <int32_t>((tmp11 + tmp2 + 1024) >> 11)
        wp[48] = <int32_t>((tmp11 - tmp2 + 1024) >> 11)
        wp[16] = <int32_t>((tmp12 + tmp1 + 1024) >> 11)
        wp[40] = <int32_t>((tmp12 - tmp1 + 1024) >> 11)
        wp[24] = <int32_t>((tmp13 + tmp0 + 1024) >> 11)
        wp[32] = <int32_t>((tmp13 - tmp0 + 1024) >> 11)
    # Pass 2: rows, descaling by 2**(CONST_BITS + PASS1_BITS + 3)
    for r in range(8):
        wp = ws + 8 * r
        op = out + r * stride
        if (wp[1] == 0 and wp[2] == 0 and wp[3] == 0 and wp[4] == 0 and
                wp[5] == 0 and wp[6] == 0 and wp[7] == 0):
            o = idct_clamp((<int64_t>wp[0] + 16) >> 5)
            op[0] = o; op[1] = o; op[2] = o; op[3] = o
            op[4] = o; op[5] = o; op[6] = o; op[7] = o
            continue
        z2 = wp[2]
        z3 = wp[6]
        z1 = (z2 + z3) * FIX_0_541196100
        tmp2 = z1 - z3 * FIX_1_847759065
        tmp3 = z1 + z2 * FIX_0_765366865
        tmp0 = (<int64_t>wp[0] + wp[4]) * (1 << IDCT_CONST_BITS)
        tmp1 = (<int64_t>wp[0] - wp[4]) * (1 << IDCT_CONST_BITS)
        tmp10 = tmp0 + tmp3
        tmp13 = tmp0 - tmp3
        tmp11 = tmp1 + tmp2
        tmp12 = tmp1 - tmp2
        tmp0 = wp[7]
        tmp1 = wp[5]
        tmp2 = wp[3]
        tmp3 = wp[1]
        z1 = tmp0 + tmp3
        z2 = tmp1 + tmp2
        z3 = tmp0 + tmp2
        z4 = tmp1 + tmp3
        z5 = (z3 + z4) * FIX_1_175875602
        tmp0 = tmp0 * FIX_0_298631336
        tmp1 = tmp1 * FIX_2_053119869
        tmp2 = tmp2 * FIX_3_072711026
        tmp3 = tmp3 * FIX_1_501321110
        z1 = z1 * -FIX_0_899976223
        z2 = z2 * -FIX_2_562915447
        z3 = z3 * -FIX_1_961570560 + z5
        z4 = z4 * -FIX_0_390180644 + z5
        tmp0 += z1 + z3
        tmp1 += z2 + z4
        tmp2 += z2 + z3
        tmp3 += z1 + z4
        op[0] = idct_clamp((tmp10 + tmp3 + 131072) >> 18)
        op[7] = idct_clamp((tmp10 - tmp3 + 131072) >> 18)
        op[1] = idct_clamp((tmp11 + tmp2 + 131072) >> 18)
        op[6] = idct_clamp((tmp11 - tmp2 + 131072) >> 18)
        op[2] = idct_clamp((tmp12 + tmp1 + 131072) >> 18)
        op[5] = idct_clamp((tmp12 - tmp1 + 131072) >> 18)
        op[3] = idct_clamp((tmp13 + tmp0 + 131072) >> 18)
        op[4] = idct_clamp((tmp13 - tmp0 + 131072) >> 18)

# ==== end decode: inverse DCT ====
