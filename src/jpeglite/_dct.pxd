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

# ==== end decode: inverse DCT ====
