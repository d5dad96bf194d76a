# Per-block DCT kernels, cdef inline so the fused drivers inline them.

# ==== encode: forward DCT ====
from libc.stdint cimport uint8_t, int16_t, int32_t

# The islow constants (jfdctint.c / jidctint.c), shared by the forward and
# inverse transforms and their SSE2 versions: one definition, in _islow.h.
# One SSE2 switch for the whole package (honours -DJL_NO_SIMD): _simd.h.
cdef extern from "_simd.h":
    pass

cdef extern from "_islow.h":
    enum:
        ISLOW_CONST_BITS
        ISLOW_PASS1_BITS
        FIX_0_298631336 "ISLOW_FIX_0_298631336"
        FIX_0_390180644 "ISLOW_FIX_0_390180644"
        FIX_0_541196100 "ISLOW_FIX_0_541196100"
        FIX_0_765366865 "ISLOW_FIX_0_765366865"
        FIX_0_899976223 "ISLOW_FIX_0_899976223"
        FIX_1_175875602 "ISLOW_FIX_1_175875602"
        FIX_1_501321110 "ISLOW_FIX_1_501321110"
        FIX_1_847759065 "ISLOW_FIX_1_847759065"
        FIX_1_961570560 "ISLOW_FIX_1_961570560"
        FIX_2_053119869 "ISLOW_FIX_2_053119869"
        FIX_2_562915447 "ISLOW_FIX_2_562915447"
        FIX_3_072711026 "ISLOW_FIX_3_072711026"


cdef inline void load_block(const uint8_t* src, Py_ssize_t stride, int16_t* data) noexcept nogil:
    """Copy an 8x8 block of samples, level-shifted by -128 (T.81 A.3.1)."""
    cdef int i, j
    for i in range(8):
        for j in range(8):
            data[8 * i + j] = <int16_t>(<int>src[i * stride + j] - 128)


cdef extern from *:
    """
    #include "_islow.h"
    #if JL_SSE2
    #include <emmintrin.h>
    #endif
    /* out = transpose of the 8x8 int32 matrix in (row-major); in != out. SSE2
       (part of every x86-64 CPU) does it as four 4x4 transposes of registers. */
    static inline void jl_enc_transpose8_i32(const int *in, int *out) {
    #if JL_SSE2
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


cdef extern from *:
    """
    #if JL_SSE2
    #include <emmintrin.h>
    /* Word pair (a, b) as pmaddwd's second operand: x * a + y * b per 32-bit lane. */
    #define JL_K2(a, b) _mm_set1_epi32((int)(((unsigned)(b) << 16) | ((unsigned)(a) & 0xFFFFu)))
    /* (x * k.a + y * k.b + round) >> shift for 8 lanes, packed back to 16 bits. */
    static inline __m128i jl_enc_madd_desc(__m128i x, __m128i y, __m128i k, __m128i add_lo,
                                           __m128i add_hi, __m128i round, int shift) {
        __m128i lo = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(x, y), k), add_lo);
        __m128i hi = _mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(x, y), k), add_hi);
        lo = _mm_srai_epi32(_mm_add_epi32(lo, round), shift);
        hi = _mm_srai_epi32(_mm_add_epi32(hi, round), shift);
        return _mm_packs_epi32(lo, hi);
    }
    /* One islow pass down 8 lanes at once (v[k]: the k-th input of every
       lane). The product sums are regrouped by distributivity so each is a
       pmaddwd of two 16-bit inputs by two 16-bit constants (as in
       jfdctint.c's constants; e.g. out7 = tmp4 (c298 - c899) - tmp7 c899
       + z3 (c1175 - c1961) + z4 c1175): the same integers as the 32-bit
       code. For 8-bit samples every 16-bit intermediate stays in range:
       pass-1 outputs are within [-4096, 4064], so pass-2 sums of eight of
       them are within [-32768, 32640]. */
    static inline void jl_enc_fdct_pass16(__m128i *v, int pass2) {
        const __m128i z = _mm_setzero_si128();
        const int sh = pass2 ? 15 : 11;
        const __m128i rnd = _mm_set1_epi32(1 << (sh - 1));
        __m128i tmp0 = _mm_add_epi16(v[0], v[7]), tmp7 = _mm_sub_epi16(v[0], v[7]);
        __m128i tmp1 = _mm_add_epi16(v[1], v[6]), tmp6 = _mm_sub_epi16(v[1], v[6]);
        __m128i tmp2 = _mm_add_epi16(v[2], v[5]), tmp5 = _mm_sub_epi16(v[2], v[5]);
        __m128i tmp3 = _mm_add_epi16(v[3], v[4]), tmp4 = _mm_sub_epi16(v[3], v[4]);
        __m128i tmp10 = _mm_add_epi16(tmp0, tmp3), tmp13 = _mm_sub_epi16(tmp0, tmp3);
        __m128i tmp11 = _mm_add_epi16(tmp1, tmp2), tmp12 = _mm_sub_epi16(tmp1, tmp2);
        __m128i z3 = _mm_add_epi16(tmp4, tmp6), z4 = _mm_add_epi16(tmp5, tmp7);
        __m128i a_lo, a_hi, b_lo, b_hi;
        if (pass2) {
            const __m128i two = _mm_set1_epi16(2);
            v[0] = _mm_srai_epi16(_mm_add_epi16(_mm_add_epi16(tmp10, tmp11), two), 2);
            v[4] = _mm_srai_epi16(_mm_add_epi16(_mm_sub_epi16(tmp10, tmp11), two), 2);
        } else {
            v[0] = _mm_slli_epi16(_mm_add_epi16(tmp10, tmp11), 2);
            v[4] = _mm_slli_epi16(_mm_sub_epi16(tmp10, tmp11), 2);
        }
        v[2] = jl_enc_madd_desc(tmp12, tmp13, JL_K2(ISLOW_FIX_0_541196100, ISLOW_FIX_0_541196100 + ISLOW_FIX_0_765366865), z, z, rnd, sh);
        v[6] = jl_enc_madd_desc(tmp12, tmp13, JL_K2(ISLOW_FIX_0_541196100 - ISLOW_FIX_1_847759065, ISLOW_FIX_0_541196100), z, z, rnd, sh);
        /* A = z3 (c1175 - c1961) + z4 c1175, B = z3 c1175 + z4 (c1175 - c390) */
        a_lo = _mm_madd_epi16(_mm_unpacklo_epi16(z3, z4), JL_K2(ISLOW_FIX_1_175875602 - ISLOW_FIX_1_961570560, ISLOW_FIX_1_175875602));
        a_hi = _mm_madd_epi16(_mm_unpackhi_epi16(z3, z4), JL_K2(ISLOW_FIX_1_175875602 - ISLOW_FIX_1_961570560, ISLOW_FIX_1_175875602));
        b_lo = _mm_madd_epi16(_mm_unpacklo_epi16(z3, z4), JL_K2(ISLOW_FIX_1_175875602, ISLOW_FIX_1_175875602 - ISLOW_FIX_0_390180644));
        b_hi = _mm_madd_epi16(_mm_unpackhi_epi16(z3, z4), JL_K2(ISLOW_FIX_1_175875602, ISLOW_FIX_1_175875602 - ISLOW_FIX_0_390180644));
        v[7] = jl_enc_madd_desc(tmp4, tmp7, JL_K2(ISLOW_FIX_0_298631336 - ISLOW_FIX_0_899976223, -ISLOW_FIX_0_899976223), a_lo, a_hi, rnd, sh);
        v[1] = jl_enc_madd_desc(tmp4, tmp7, JL_K2(-ISLOW_FIX_0_899976223, ISLOW_FIX_1_501321110 - ISLOW_FIX_0_899976223), b_lo, b_hi, rnd, sh);
        v[5] = jl_enc_madd_desc(tmp5, tmp6, JL_K2(ISLOW_FIX_2_053119869 - ISLOW_FIX_2_562915447, -ISLOW_FIX_2_562915447), b_lo, b_hi, rnd, sh);
        v[3] = jl_enc_madd_desc(tmp5, tmp6, JL_K2(-ISLOW_FIX_2_562915447, ISLOW_FIX_3_072711026 - ISLOW_FIX_2_562915447), a_lo, a_hi, rnd, sh);
    }
    #endif
    /* The islow FDCT of a level-shifted block (int16, natural order, values
       -128..127) in place, in 16-bit SSE2 lanes; 0 when SSE2 is missing. */
    static inline int jl_enc_fdct_simd(short *d) {
    #if JL_SSE2
        __m128i v[8];
        int i;
        for (i = 0; i < 8; i++)
            v[i] = _mm_loadu_si128((const __m128i *)(d + 8 * i));
        jl_transpose8x16(v);          /* v[j]: column j, lane i = row i */
        jl_enc_fdct_pass16(v, 0);   /* v[u]: row i's coefficient u in lane i */
        jl_transpose8x16(v);          /* v[i]: row i, lane u */
        jl_enc_fdct_pass16(v, 1);   /* v[k]: coefficient (k, u) in lane u */
        for (i = 0; i < 8; i++)
            _mm_storeu_si128((__m128i *)(d + 8 * i), v[i]);
        return 1;
    #else
        (void)d;
        return 0;
    #endif
    }
    """
    int jl_enc_fdct_simd(int16_t* d) noexcept nogil


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
        z1 = (tmp12 + tmp13) * FIX_0_541196100
        p[16] = (z1 + tmp13 * FIX_0_765366865 + r_odd) >> sh_odd
        p[48] = (z1 - tmp12 * FIX_1_847759065 + r_odd) >> sh_odd
        z1 = tmp4 + tmp7
        z2 = tmp5 + tmp6
        z3 = tmp4 + tmp6
        z4 = tmp5 + tmp7
        z5 = (z3 + z4) * FIX_1_175875602
        tmp4 = tmp4 * FIX_0_298631336
        tmp5 = tmp5 * FIX_2_053119869
        tmp6 = tmp6 * FIX_3_072711026
        tmp7 = tmp7 * FIX_1_501321110
        z1 = -z1 * FIX_0_899976223
        z2 = -z2 * FIX_2_562915447
        z3 = -z3 * FIX_1_961570560 + z5
        z4 = -z4 * FIX_0_390180644 + z5
        p[56] = (tmp4 + z1 + z3 + r_odd) >> sh_odd
        p[40] = (tmp5 + z2 + z4 + r_odd) >> sh_odd
        p[24] = (tmp6 + z2 + z3 + r_odd) >> sh_odd
        p[8] = (tmp7 + z1 + z4 + r_odd) >> sh_odd


cdef inline void fdct_islow(int16_t* d) noexcept nogil:
    """Forward 8x8 DCT in place, libjpeg's accurate integer algorithm.

    Output is the T.81 A.3.3 FDCT scaled up by 8 (quantization divides by
    8 x Q), bit-exact with jfdctint.c (Loeffler-Ligtenberg-Moschytz); for
    8-bit samples (input -128..127, as load_block leaves them) every output
    fits 16 bits. With SSE2 (every x86-64 CPU) jl_enc_fdct_simd runs it in
    16-bit lanes with pmaddwd. The portable path runs both passes in 32 bits
    down columns, 8 at once: the row pass works on the transposed block,
    which is transposed back before the column pass.
    """
    cdef int32_t t[64]
    cdef int32_t u[64]
    cdef int i
    if jl_enc_fdct_simd(d):
        return
    for i in range(64):
        u[i] = d[i]
    jl_enc_transpose8_i32(u, t)
    # Pass 1: rows (columns of t); results scaled up by 2**PASS1_BITS.
    fdct_pass(t, 0, -ISLOW_PASS1_BITS, 1 << (ISLOW_CONST_BITS - ISLOW_PASS1_BITS - 1),
              ISLOW_CONST_BITS - ISLOW_PASS1_BITS)
    jl_enc_transpose8_i32(t, u)
    # Pass 2: columns; removes PASS1_BITS and leaves the overall factor 8.
    fdct_pass(u, 1 << (ISLOW_PASS1_BITS - 1), ISLOW_PASS1_BITS,
              1 << (ISLOW_CONST_BITS + ISLOW_PASS1_BITS - 1), ISLOW_CONST_BITS + ISLOW_PASS1_BITS)
    for i in range(64):
        d[i] = <int16_t>u[i]


# ==== end encode: forward DCT ====


# ==== decode: inverse DCT ====
from libc.stdint cimport uint8_t, int16_t, int32_t

# (the islow constants are declared once, in the encode section above)


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
    tmp0 = wrap16(i0 + i4) * (1 << ISLOW_CONST_BITS)
    tmp1 = wrap16(i0 - i4) * (1 << ISLOW_CONST_BITS)
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
            dc = wrap16(wrap16(<int32_t>coef[0] * quant[0]) * (1 << ISLOW_PASS1_BITS))
            v = sat_sample((dc + 16) >> 5)
            for r in range(8):
                op = out + r * stride
                for c in range(8):
                    op[c] = v
            return
        # only row 0 nonzero: every column is flat (SIMD computes this in 16 bits)
        for c in range(8):
            dc = wrap16(wrap16(<int32_t>coef[c] * quant[c]) * (1 << ISLOW_PASS1_BITS))
            for r in range(8):
                ws[r * 8 + c] = dc
    else:
        for c in range(8):
            for r in range(8):
                d[r] = wrap16(<int32_t>coef[r * 8 + c] * quant[r * 8 + c])
            if (d[1] | d[2] | d[3] | d[4] | d[5] | d[6] | d[7]) == 0:
                # what the full computation gives for a flat column
                dc = sat16(d[0] * (1 << ISLOW_PASS1_BITS))
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
        v = sat_sample((wrap16(wrap16(<int32_t>coef[0] * quant[0]) * (1 << ISLOW_PASS1_BITS))
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
