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


cdef extern from *:
    """
    #if defined(__SSE2__) || defined(_M_X64)
    #include <emmintrin.h>
    #endif
    /* out = transpose of the 8x8 int32 matrix in (row-major); in != out. SSE2
       (part of every x86-64 CPU) does it as four 4x4 transposes of registers. */
    static inline void jl_enc_transpose8_i32(const int *in, int *out) {
    #if defined(__SSE2__) || defined(_M_X64)
        int bi, bj, k;
        for (bi = 0; bi < 2; bi++) {
            for (bj = 0; bj < 2; bj++) {
                const int *p = in + 32 * bi + 4 * bj;
                __m128i r0 = _mm_loadu_si128((const __m128i *)(p));
                __m128i r1 = _mm_loadu_si128((const __m128i *)(p + 8));
                __m128i r2 = _mm_loadu_si128((const __m128i *)(p + 16));
                __m128i r3 = _mm_loadu_si128((const __m128i *)(p + 24));
                __m128i t0 = _mm_unpacklo_epi32(r0, r1), t1 = _mm_unpackhi_epi32(r0, r1);
                __m128i t2 = _mm_unpacklo_epi32(r2, r3), t3 = _mm_unpackhi_epi32(r2, r3);
                int *q = out + 32 * bj + 4 * bi;
                _mm_storeu_si128((__m128i *)(q), _mm_unpacklo_epi64(t0, t2));
                _mm_storeu_si128((__m128i *)(q + 8), _mm_unpackhi_epi64(t0, t2));
                _mm_storeu_si128((__m128i *)(q + 16), _mm_unpacklo_epi64(t1, t3));
                _mm_storeu_si128((__m128i *)(q + 24), _mm_unpackhi_epi64(t1, t3));
            }
        }
        (void)k;
    #else
        int i, j;
        for (i = 0; i < 8; i++)
            for (j = 0; j < 8; j++)
                out[8 * j + i] = in[8 * i + j];
    #endif
    }
    """
    void jl_enc_transpose8_i32(const int32_t* inp, int32_t* out) noexcept nogil


cdef inline void fdct_pass(int32_t* d, int32_t r_even, int sh_even, int32_t r_odd,
                           int sh_odd) noexcept nogil:
    """One 1-D islow pass down the 8 columns of d at once (column i: d[i], d[8+i], ..).

    Even outputs 0 and 4 are (sum + r_even) >> sh_even when sh_even > 0 and
    sum << -sh_even otherwise; the others are (product sum + r_odd) >> sh_odd.
    Every column takes the same operations, so the compiler runs the 8
    columns in SIMD lanes (no branch depends on the data).
    """
    cdef int32_t tmp0, tmp1, tmp2, tmp3, tmp4, tmp5, tmp6, tmp7
    cdef int32_t tmp10, tmp11, tmp12, tmp13, z1, z2, z3, z4, z5
    cdef int32_t* p
    cdef int i
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
        if sh_even > 0:
            p[0] = (tmp10 + tmp11 + r_even) >> sh_even
            p[32] = (tmp10 - tmp11 + r_even) >> sh_even
        else:
            p[0] = (tmp10 + tmp11) << -sh_even
            p[32] = (tmp10 - tmp11) << -sh_even
        z1 = (tmp12 + tmp13) * FD_FIX_0_541196100
        p[16] = (z1 + tmp13 * FD_FIX_0_765366865 + r_odd) >> sh_odd
        p[48] = (z1 - tmp12 * FD_FIX_1_847759065 + r_odd) >> sh_odd
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
        p[56] = (tmp4 + z1 + z3 + r_odd) >> sh_odd
        p[40] = (tmp5 + z2 + z4 + r_odd) >> sh_odd
        p[24] = (tmp6 + z2 + z3 + r_odd) >> sh_odd
        p[8] = (tmp7 + z1 + z4 + r_odd) >> sh_odd


cdef inline void fdct_islow(int32_t* d) noexcept nogil:
    """Forward 8x8 DCT in place, libjpeg's accurate integer algorithm.

    Output is the T.81 A.3.3 FDCT scaled up by 8 (quantization divides by
    8 x Q), bit-exact with jfdctint.c (Loeffler-Ligtenberg-Moschytz). Both
    passes run down columns, 8 at once: the row pass works on the transposed
    block, which is transposed back before the column pass.
    """
    cdef int32_t t[64]
    jl_enc_transpose8_i32(d, t)
    # Pass 1: rows (columns of t); results scaled up by 2**PASS1_BITS.
    fdct_pass(t, 0, -FD_PASS1_BITS, 1 << (FD_CONST_BITS - FD_PASS1_BITS - 1),
              FD_CONST_BITS - FD_PASS1_BITS)
    jl_enc_transpose8_i32(t, d)
    # Pass 2: columns; removes PASS1_BITS and leaves the overall factor 8.
    fdct_pass(d, 1 << (FD_PASS1_BITS - 1), FD_PASS1_BITS,
              1 << (FD_CONST_BITS + FD_PASS1_BITS - 1), FD_CONST_BITS + FD_PASS1_BITS)


# ==== end encode: forward DCT ====


# ==== decode: inverse DCT ====

# ==== end decode: inverse DCT ====
