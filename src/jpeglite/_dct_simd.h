/* The 8x8 islow DCTs, each as scalar reference, SSE2 and AVX2 variants side by
 * side (the convention: _simd.h).
 *
 *   jl_fdct_islow  encode: forward DCT of a level-shifted block, in place
 *   jl_fdct_islow_u8
 *                  the same from 8x8 samples in a plane, level shift included
 *                  (what the encoder runs; the AVX2 variant shifts in its loads)
 *   jl_idct_islow  decode: dequantize + inverse DCT of a block to samples
 *   jl_idct_scaled decode at 1/2, 1/4, 1/8: the 4x4, 2x2, 1x1 reduced IDCTs
 *                  (scalar only: see "reduced-size inverse DCTs" below)
 *
 * Both are libjpeg's accurate integer algorithm (jfdctint.c / jidctint.c:
 * Loeffler-Ligtenberg-Moschytz, 13-bit constants from _islow.h, PASS1_BITS
 * extra bits between the passes). The FDCT output is T.81 A.3.3's scaled up by
 * 8 (quantization divides by 8 x Q); for 8-bit samples (-128..127 in) every
 * output fits 16 bits. The IDCT is in the exact arithmetic of libjpeg-turbo's
 * x86 SIMD version, which Pillow runs: dequantized values and the pass-1
 * results are 16-bit (wrapping and saturating where it does), sums it forms
 * in 16 bits (i0 +- i4, i7 + i3, i5 + i1) wrap, the output saturates to
 * 0..255. For any coefficients a real encoder writes this equals the C
 * reference; only corrupt, out-of-range coefficients tell the two apart. */
#ifndef JPEGLITE_DCT_SIMD_H
#define JPEGLITE_DCT_SIMD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "_islow.h"
#include "_simd.h"

/* short names for the islow constants */
#define JL_F0298 ISLOW_FIX_0_298631336
#define JL_F0390 ISLOW_FIX_0_390180644
#define JL_F0541 ISLOW_FIX_0_541196100
#define JL_F0765 ISLOW_FIX_0_765366865
#define JL_F0899 ISLOW_FIX_0_899976223
#define JL_F1175 ISLOW_FIX_1_175875602
#define JL_F1501 ISLOW_FIX_1_501321110
#define JL_F1847 ISLOW_FIX_1_847759065
#define JL_F1961 ISLOW_FIX_1_961570560
#define JL_F2053 ISLOW_FIX_2_053119869
#define JL_F2562 ISLOW_FIX_2_562915447
#define JL_F3072 ISLOW_FIX_3_072711026

/* ==== encode: forward DCT ==== */

/* The rows of the output each 128-bit half of x holds after
 * jl_fdct_avx2_core: x[i]'s low half row JL_FDCT_AVX2_ROWS[2 i], its high
 * half row JL_FDCT_AVX2_ROWS[2 i + 1] (defined in every build: the tables
 * for that order are built whether or not the kernel is compiled). */
#define JL_FDCT_AVX2_ROWS {0, 4, 2, 6, 7, 5, 1, 3}

/* One 1-D pass down the 8 columns of d at once (column i: d[i], d[8+i], ..).
 * Even outputs 0 and 4 are (sum + r_even) >> sh_even when sh_even > 0 and
 * sum * 2**-sh_even otherwise; the others are (product sum + r_odd) >> sh_odd.
 * Every column takes the same operations, so compilers run the 8 columns in
 * SIMD lanes (no branch depends on the data). */
static inline void jl_fdct_pass_scalar(int32_t *d, int32_t r_even, int sh_even, int32_t r_odd,
                                       int sh_odd)
{
    int i;
    for (i = 0; i < 8; i++) {
        int32_t *p = d + i;
        int32_t tmp0 = p[0] + p[56], tmp7 = p[0] - p[56];
        int32_t tmp1 = p[8] + p[48], tmp6 = p[8] - p[48];
        int32_t tmp2 = p[16] + p[40], tmp5 = p[16] - p[40];
        int32_t tmp3 = p[24] + p[32], tmp4 = p[24] - p[32];
        int32_t tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3;
        int32_t tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
        int32_t z1, z2, z3, z4, z5;
        if (sh_even > 0) {
            p[0] = (tmp10 + tmp11 + r_even) >> sh_even;
            p[32] = (tmp10 - tmp11 + r_even) >> sh_even;
        } else {
            p[0] = (tmp10 + tmp11) * (1 << -sh_even);
            p[32] = (tmp10 - tmp11) * (1 << -sh_even);
        }
        z1 = (tmp12 + tmp13) * JL_F0541;
        p[16] = (z1 + tmp13 * JL_F0765 + r_odd) >> sh_odd;
        p[48] = (z1 - tmp12 * JL_F1847 + r_odd) >> sh_odd;
        z1 = tmp4 + tmp7;
        z2 = tmp5 + tmp6;
        z3 = tmp4 + tmp6;
        z4 = tmp5 + tmp7;
        z5 = (z3 + z4) * JL_F1175;
        tmp4 = tmp4 * JL_F0298;
        tmp5 = tmp5 * JL_F2053;
        tmp6 = tmp6 * JL_F3072;
        tmp7 = tmp7 * JL_F1501;
        z1 = -z1 * JL_F0899;
        z2 = -z2 * JL_F2562;
        z3 = -z3 * JL_F1961 + z5;
        z4 = -z4 * JL_F0390 + z5;
        p[56] = (tmp4 + z1 + z3 + r_odd) >> sh_odd;
        p[40] = (tmp5 + z2 + z4 + r_odd) >> sh_odd;
        p[24] = (tmp6 + z2 + z3 + r_odd) >> sh_odd;
        p[8] = (tmp7 + z1 + z4 + r_odd) >> sh_odd;
    }
}

/* out = transpose of the 8x8 int32 matrix in (row-major); in != out. */
static inline void jl_transpose8_i32(const int32_t *in, int32_t *out)
{
    int i, j;
    for (i = 0; i < 8; i++)
        for (j = 0; j < 8; j++)
            out[8 * j + i] = in[8 * i + j];
}

/* Both passes in 32 bits down columns, 8 at once: the row pass works on the
 * transposed block, which is transposed back before the column pass. */
static inline void jl_fdct_scalar(int16_t *d)
{
    int32_t t[64], u[64];
    int i;
    for (i = 0; i < 64; i++)
        u[i] = d[i];
    jl_transpose8_i32(u, t);
    /* pass 1: rows (columns of t); results scaled up by 2**PASS1_BITS */
    jl_fdct_pass_scalar(t, 0, -ISLOW_PASS1_BITS, 1 << (ISLOW_CONST_BITS - ISLOW_PASS1_BITS - 1),
                        ISLOW_CONST_BITS - ISLOW_PASS1_BITS);
    jl_transpose8_i32(t, u);
    /* pass 2: columns; removes PASS1_BITS and leaves the overall factor 8 */
    jl_fdct_pass_scalar(u, 1 << (ISLOW_PASS1_BITS - 1), ISLOW_PASS1_BITS,
                        1 << (ISLOW_CONST_BITS + ISLOW_PASS1_BITS - 1),
                        ISLOW_CONST_BITS + ISLOW_PASS1_BITS);
    for (i = 0; i < 64; i++)
        d[i] = (int16_t)u[i];
}

#if JL_SSE2
/* Word pair (a, b) as pmaddwd's second operand: x * a + y * b per 32-bit lane. */
#define JL_K2(a, b) _mm_set1_epi32((int)(((unsigned)(b) << 16) | ((unsigned)(a) & 0xFFFFu)))

/* (x * k.a + y * k.b + add + round) >> shift for 8 lanes, packed back to 16 bits. */
static inline __m128i jl_fdct_madd_desc(__m128i x, __m128i y, __m128i k, __m128i add_lo,
                                        __m128i add_hi, __m128i round, int shift)
{
    __m128i lo = _mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(x, y), k), add_lo);
    __m128i hi = _mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(x, y), k), add_hi);
    lo = _mm_srai_epi32(_mm_add_epi32(lo, round), shift);
    hi = _mm_srai_epi32(_mm_add_epi32(hi, round), shift);
    return _mm_packs_epi32(lo, hi);
}

/* One islow pass down 8 lanes at once (v[k]: the k-th input of every lane).
 * The product sums are regrouped by distributivity so each is a pmaddwd of
 * two 16-bit inputs by two 16-bit constants (e.g. out7 = tmp4 (c298 - c899)
 * - tmp7 c899 + z3 (c1175 - c1961) + z4 c1175): the same integers as the
 * 32-bit code. For 8-bit samples every 16-bit intermediate stays in range:
 * pass-1 outputs are within [-4096, 4064], so pass-2 sums of eight of them
 * are within [-32768, 32640]. */
static inline void jl_fdct_pass_sse2(__m128i *v, int pass2)
{
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
    v[2] = jl_fdct_madd_desc(tmp12, tmp13, JL_K2(JL_F0541, JL_F0541 + JL_F0765), z, z, rnd, sh);
    v[6] = jl_fdct_madd_desc(tmp12, tmp13, JL_K2(JL_F0541 - JL_F1847, JL_F0541), z, z, rnd, sh);
    /* A = z3 (c1175 - c1961) + z4 c1175, B = z3 c1175 + z4 (c1175 - c390) */
    a_lo = _mm_madd_epi16(_mm_unpacklo_epi16(z3, z4), JL_K2(JL_F1175 - JL_F1961, JL_F1175));
    a_hi = _mm_madd_epi16(_mm_unpackhi_epi16(z3, z4), JL_K2(JL_F1175 - JL_F1961, JL_F1175));
    b_lo = _mm_madd_epi16(_mm_unpacklo_epi16(z3, z4), JL_K2(JL_F1175, JL_F1175 - JL_F0390));
    b_hi = _mm_madd_epi16(_mm_unpackhi_epi16(z3, z4), JL_K2(JL_F1175, JL_F1175 - JL_F0390));
    v[7] = jl_fdct_madd_desc(tmp4, tmp7, JL_K2(JL_F0298 - JL_F0899, -JL_F0899), a_lo, a_hi, rnd, sh);
    v[1] = jl_fdct_madd_desc(tmp4, tmp7, JL_K2(-JL_F0899, JL_F1501 - JL_F0899), b_lo, b_hi, rnd, sh);
    v[5] = jl_fdct_madd_desc(tmp5, tmp6, JL_K2(JL_F2053 - JL_F2562, -JL_F2562), b_lo, b_hi, rnd, sh);
    v[3] = jl_fdct_madd_desc(tmp5, tmp6, JL_K2(-JL_F2562, JL_F3072 - JL_F2562), a_lo, a_hi, rnd, sh);
}

/* In 16-bit lanes with pmaddwd: a pass, a transpose, a pass, a transpose. */
static inline void jl_fdct_sse2(int16_t *d)
{
    __m128i v[8];
    int i;
    for (i = 0; i < 8; i++)
        v[i] = _mm_loadu_si128((const __m128i *)(d + 8 * i));
    jl_transpose8x16(v);        /* v[j]: column j, lane i = row i */
    jl_fdct_pass_sse2(v, 0);    /* v[u]: row i's coefficient u in lane i */
    jl_transpose8x16(v);        /* v[i]: row i, lane u */
    jl_fdct_pass_sse2(v, 1);    /* v[k]: coefficient (k, u) in lane u */
    for (i = 0; i < 8; i++)
        _mm_storeu_si128((__m128i *)(d + 8 * i), v[i]);
}
#endif

#if JL_AVX2
/* ==== AVX2: a block as four 256-bit registers, two 8-lane vectors each ====
 *
 * The islow passes pair their butterflies' operands in the two 128-bit
 * halves of a register (the layout of libjpeg-turbo's AVX2 DCTs): one
 * 256-bit add forms two of the SSE2 pass's sums, and one pmaddwd forms
 * two of its product sums with a different constant pair per half. Every
 * lane computes the integer the SSE2 pass computes, in the same width and
 * with the same wrapping, so the results are the SSE2 (and scalar) ones. */

/* Word pairs (a0, b0) for the low half, (a1, b1) for the high one, as
 * pmaddwd's second operand: x * a + y * b per 32-bit lane. */
#define JL_W2(a, b) ((int)(((unsigned)(b) << 16) | ((unsigned)(a) & 0xFFFFu)))
#define JL_K2X(a0, b0, a1, b1) _mm256_setr_epi32(JL_W2(a0, b0), JL_W2(a0, b0), JL_W2(a0, b0), \
    JL_W2(a0, b0), JL_W2(a1, b1), JL_W2(a1, b1), JL_W2(a1, b1), JL_W2(a1, b1))

/* (lo | hi) -> (hi | lo) */
#define JL_SWAP128(x) _mm256_permute4x64_epi64((x), 0x4E)

/* The register of two 8-lane vectors lo and hi (two 16-byte loads). */
#define JL_LOAD2(lo, hi) _mm256_inserti128_si256( \
    _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(lo))), \
    _mm_loadu_si128((const __m128i *)(hi)), 1)

/* The first steps of an 8x8 int16 transpose. In: x[k] = (row k | row k+4).
 * Out: x[j] holds columns 2j and 2j + 1, each as rows 0-3 in the low half's
 * low 64 bits and rows 4-7 in the high half's low 64 bits (and their high
 * 64 bits the same for the second column); the callers finish by
 * rearranging 64-bit words, each into the pairing its next step wants. */
JL_TARGET_AVX2 static inline void jl_transpose8x16_avx2(__m256i *x)
{
    __m256i a0 = _mm256_unpacklo_epi16(x[0], x[1]), a1 = _mm256_unpackhi_epi16(x[0], x[1]);
    __m256i a2 = _mm256_unpacklo_epi16(x[2], x[3]), a3 = _mm256_unpackhi_epi16(x[2], x[3]);
    x[0] = _mm256_unpacklo_epi32(a0, a2);
    x[1] = _mm256_unpackhi_epi32(a0, a2);
    x[2] = _mm256_unpacklo_epi32(a1, a3);
    x[3] = _mm256_unpackhi_epi32(a1, a3);
}

/* (x * k + add + round) >> shift per half, as jl_fdct_madd_desc. */
JL_TARGET_AVX2 static inline __m256i jl_fdct_madd_desc_avx2(__m256i x, __m256i y, __m256i k,
                                                            __m256i add_lo, __m256i add_hi,
                                                            __m256i round, int shift)
{
    __m256i lo = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(x, y), k), add_lo);
    __m256i hi = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(x, y), k), add_hi);
    lo = _mm256_srai_epi32(_mm256_add_epi32(lo, round), shift);
    hi = _mm256_srai_epi32(_mm256_add_epi32(hi, round), shift);
    return _mm256_packs_epi32(lo, hi);
}

/* jl_fdct_pass_sse2 on p = (v0|v1), (v3|v2), (v4|v5), (v7|v6); leaves
 * p = (out0|out4), (out2|out6), (out7|out5), (out1|out3). */
JL_TARGET_AVX2 static inline void jl_fdct_pass_avx2(__m256i *p, int pass2)
{
    const __m256i z = _mm256_setzero_si256();
    const int sh = pass2 ? 15 : 11;
    const __m256i rnd = _mm256_set1_epi32(1 << (sh - 1));
    __m256i t01 = _mm256_add_epi16(p[0], p[3]), t76 = _mm256_sub_epi16(p[0], p[3]);
    __m256i t32 = _mm256_add_epi16(p[1], p[2]), t45 = _mm256_sub_epi16(p[1], p[2]);
    __m256i t1011 = _mm256_add_epi16(t01, t32), t1312 = _mm256_sub_epi16(t01, t32);
    __m256i z34 = _mm256_add_epi16(t45, JL_SWAP128(t76));        /* (z3 | z4) */
    __m256i s = JL_SWAP128(t1011), z43 = JL_SWAP128(z34), zl, zh, ab_lo, ab_hi, ba_lo, ba_hi;
    /* (tmp10 + tmp11 | tmp10 - tmp11) */
    __m256i o04 = _mm256_permute2x128_si256(_mm256_add_epi16(t1011, s),
                                            _mm256_sub_epi16(t1011, s), 0x20);
    if (pass2)
        o04 = _mm256_srai_epi16(_mm256_add_epi16(o04, _mm256_set1_epi16(2)), 2);
    else
        o04 = _mm256_slli_epi16(o04, 2);
    /* pairs (tmp12, tmp13) low, (tmp13, tmp12) high */
    p[1] = jl_fdct_madd_desc_avx2(JL_SWAP128(t1312), t1312,
                                  JL_K2X(JL_F0541, JL_F0541 + JL_F0765, JL_F0541, JL_F0541 - JL_F1847),
                                  z, z, rnd, sh);
    /* pairs (z3, z4) low, (z4, z3) high: (A | B) and (B | A) of the SSE2 pass */
    zl = _mm256_unpacklo_epi16(z34, z43);
    zh = _mm256_unpackhi_epi16(z34, z43);
    {
        const __m256i kab = JL_K2X(JL_F1175 - JL_F1961, JL_F1175, JL_F1175 - JL_F0390, JL_F1175);
        const __m256i kba = JL_K2X(JL_F1175, JL_F1175 - JL_F0390, JL_F1175, JL_F1175 - JL_F1961);
        ab_lo = _mm256_madd_epi16(zl, kab);
        ab_hi = _mm256_madd_epi16(zh, kab);
        ba_lo = _mm256_madd_epi16(zl, kba);
        ba_hi = _mm256_madd_epi16(zh, kba);
    }
    /* pairs (tmp4, tmp7) low, (tmp5, tmp6) high */
    p[2] = jl_fdct_madd_desc_avx2(t45, t76,
                                  JL_K2X(JL_F0298 - JL_F0899, -JL_F0899, JL_F2053 - JL_F2562, -JL_F2562),
                                  ab_lo, ab_hi, rnd, sh);
    p[3] = jl_fdct_madd_desc_avx2(t45, t76,
                                  JL_K2X(-JL_F0899, JL_F1501 - JL_F0899, -JL_F2562, JL_F3072 - JL_F2562),
                                  ba_lo, ba_hi, rnd, sh);
    p[0] = o04;
}

/* The transpose, finished into the pairing jl_fdct_pass_avx2 reads:
 * x = (c0|c1), (c3|c2), (c4|c5), (c7|c6). */
JL_TARGET_AVX2 static inline void jl_fdct_transpose_avx2(__m256i *x)
{
    jl_transpose8x16_avx2(x);
    x[0] = _mm256_permute4x64_epi64(x[0], 0xD8);
    x[1] = _mm256_permute4x64_epi64(x[1], 0x8D);
    x[2] = _mm256_permute4x64_epi64(x[2], 0xD8);
    x[3] = _mm256_permute4x64_epi64(x[3], 0x8D);
}

/* The SSE2 sequence (transpose, pass, transpose, pass) on paired vectors,
 * x = (row i | row i+4) in, the output rows (JL_FDCT_AVX2_ROWS) out. */
JL_TARGET_AVX2 static inline void jl_fdct_avx2_core(__m256i *x)
{
    __m256i o26, o75, o13;
    jl_fdct_transpose_avx2(x);
    jl_fdct_pass_avx2(x, 0);
    /* back to (k | k+4) pairs for the transpose */
    o26 = x[1];
    o75 = x[2];
    o13 = x[3];
    x[1] = _mm256_permute2x128_si256(o13, o75, 0x30);   /* (out1 | out5) */
    x[2] = o26;
    x[3] = _mm256_permute2x128_si256(o13, o75, 0x21);   /* (out3 | out7) */
    jl_fdct_transpose_avx2(x);
    jl_fdct_pass_avx2(x, 1);
}

/* x (JL_FDCT_AVX2_ROWS order) to its 64 natural-order places at d. */
JL_TARGET_AVX2 static inline void jl_fdct_avx2_store(const __m256i *x, int16_t *d)
{
    _mm_storeu_si128((__m128i *)(d + 0), _mm256_castsi256_si128(x[0]));
    _mm_storeu_si128((__m128i *)(d + 32), _mm256_extracti128_si256(x[0], 1));
    _mm_storeu_si128((__m128i *)(d + 16), _mm256_castsi256_si128(x[1]));
    _mm_storeu_si128((__m128i *)(d + 48), _mm256_extracti128_si256(x[1], 1));
    _mm_storeu_si128((__m128i *)(d + 56), _mm256_castsi256_si128(x[2]));
    _mm_storeu_si128((__m128i *)(d + 40), _mm256_extracti128_si256(x[2], 1));
    _mm_storeu_si128((__m128i *)(d + 8), _mm256_castsi256_si128(x[3]));
    _mm_storeu_si128((__m128i *)(d + 24), _mm256_extracti128_si256(x[3], 1));
}

JL_TARGET_AVX2 static inline void jl_fdct_avx2_regs(__m256i *x, int16_t *d)
{
    jl_fdct_avx2_core(x);
    jl_fdct_avx2_store(x, d);
}

JL_TARGET_AVX2 static void jl_fdct_avx2(int16_t *d)
{
    __m256i x[4];
    int i;
    for (i = 0; i < 4; i++)
        x[i] = JL_LOAD2(d + 8 * i, d + 8 * (i + 4));    /* (row i | row i+4) */
    jl_fdct_avx2_regs(x, d);
}
#endif

#if JL_AVX2
/* jl_fdct_avx2 reading 8x8 samples straight from the plane: the level shift
 * (T.81 A.3.1) is done on the rows as they are widened to 16 bits, so the
 * shifted block never goes through memory. */
JL_TARGET_AVX2 static inline void jl_fdct_load_u8_avx2(const uint8_t *src, ptrdiff_t stride,
                                                      __m256i *x)
{
    const __m256i shift = _mm256_set1_epi16(128);
    int i;
    for (i = 0; i < 4; i++) {    /* (row i | row i+4), as jl_fdct_avx2 loads them */
        __m128i r = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(src + i * stride)),
                                       _mm_loadl_epi64((const __m128i *)(src + (i + 4) * stride)));
        x[i] = _mm256_sub_epi16(_mm256_cvtepu8_epi16(r), shift);
    }
}

JL_TARGET_AVX2 static void jl_fdct_u8_avx2(const uint8_t *src, ptrdiff_t stride, int16_t *d)
{
    __m256i x[4];
    jl_fdct_load_u8_avx2(src, stride, x);
    jl_fdct_avx2_regs(x, d);
}
#endif

/* An 8x8 block of samples (rows `stride` bytes apart), level-shifted by
 * -128 into d (T.81 A.3.1): the FDCT's input. */
static inline void jl_load_block_scalar(const uint8_t *src, ptrdiff_t stride, int16_t *d)
{
    int i, j;
    for (i = 0; i < 8; i++)
        for (j = 0; j < 8; j++)
            d[8 * i + j] = (int16_t)((int)src[i * stride + j] - 128);
}

/* The islow FDCT of a level-shifted block (int16, natural order), in place. */
static inline void jl_fdct_islow(int16_t *d, int level)
{
#if JL_AVX2
    if (level >= JL_SIMD_AVX2) {
        jl_fdct_avx2(d);
        return;
    }
#endif
#if JL_SSE2
    if (level >= JL_SIMD_SSE2) {
        jl_fdct_sse2(d);
        return;
    }
#endif
    (void)level;
    jl_fdct_scalar(d);
}

/* The FDCT of the 8x8 samples at src (level shift included) into d. */
static inline void jl_fdct_islow_u8(const uint8_t *src, ptrdiff_t stride, int16_t *d, int level)
{
#if JL_AVX2
    if (level >= JL_SIMD_AVX2) {
        jl_fdct_u8_avx2(src, stride, d);
        return;
    }
#endif
    jl_load_block_scalar(src, stride, d);
    jl_fdct_islow(d, level);
}

/* ==== decode: inverse DCT ==== */

static inline int32_t jl_wrap16(int32_t x)
{
    return (int16_t)x;
}

static inline int32_t jl_sat16(int32_t x)
{
    return x < -32768 ? -32768 : x > 32767 ? 32767 : x;
}

/* v + 128 limited to 0..255 */
static inline uint8_t jl_sat_sample(int32_t v)
{
    return v < -128 ? 0 : v > 127 ? 255 : (uint8_t)(v + 128);
}

/* A block whose AC coefficients are all zero: every sample is the same. */
static inline void jl_idct_fill_dc(int16_t c0, int16_t q0, uint8_t *out, ptrdiff_t stride)
{
    uint8_t v = jl_sat_sample((jl_wrap16(jl_wrap16((int32_t)c0 * q0) * (1 << ISLOW_PASS1_BITS))
                               + 16) >> 5);
    int r, c;
    for (r = 0; r < 8; r++)
        for (c = 0; c < 8; c++)
            out[r * stride + c] = v;
}

/* One 8-point IDCT, undescaled: o[0..7] carry 2**CONST_BITS extra. The
 * products are grouped as libjpeg-turbo's SIMD code groups them (z1, z2
 * folded into the constants); the sums it forms in 16 bits wrap here too. */
static inline void jl_idct_1d(int32_t i0, int32_t i1, int32_t i2, int32_t i3, int32_t i4,
                              int32_t i5, int32_t i6, int32_t i7, int32_t *o)
{
    int32_t tmp0, tmp1, tmp2, tmp3, tmp10, tmp11, tmp12, tmp13, z3, z4, t0, t1, t2, t3;
    tmp3 = i2 * (JL_F0541 + JL_F0765) + i6 * JL_F0541;
    tmp2 = i2 * JL_F0541 + i6 * (JL_F0541 - JL_F1847);
    tmp0 = jl_wrap16(i0 + i4) * (1 << ISLOW_CONST_BITS);
    tmp1 = jl_wrap16(i0 - i4) * (1 << ISLOW_CONST_BITS);
    tmp10 = tmp0 + tmp3;
    tmp13 = tmp0 - tmp3;
    tmp11 = tmp1 + tmp2;
    tmp12 = tmp1 - tmp2;
    z3 = jl_wrap16(i7 + i3);
    z4 = jl_wrap16(i5 + i1);
    tmp0 = z3 * (JL_F1175 - JL_F1961) + z4 * JL_F1175;
    tmp1 = z3 * JL_F1175 + z4 * (JL_F1175 - JL_F0390);
    t0 = i7 * (JL_F0298 - JL_F0899) - i1 * JL_F0899 + tmp0;
    t1 = i5 * (JL_F2053 - JL_F2562) - i3 * JL_F2562 + tmp1;
    t2 = i3 * (JL_F3072 - JL_F2562) - i5 * JL_F2562 + tmp0;
    t3 = i1 * (JL_F1501 - JL_F0899) - i7 * JL_F0899 + tmp1;
    o[0] = tmp10 + t3;
    o[7] = tmp10 - t3;
    o[1] = tmp11 + t2;
    o[6] = tmp11 - t2;
    o[2] = tmp12 + t1;
    o[5] = tmp12 - t1;
    o[3] = tmp13 + t0;
    o[4] = tmp13 - t0;
}

/* Dequantize and inverse-transform one 8x8 block (natural order) into 8 rows
 * of 8 samples at out, out + stride, ... Flat blocks, columns and rows take
 * shortcuts that give the values the full computation gives. */
static inline void jl_idct_scalar(const int16_t *coef, const int16_t *quant, uint8_t *out,
                                  ptrdiff_t stride)
{
    int32_t ws[64], d[8], o[8], dc;
    int c, r, k;
    int16_t acc = 0;
    uint8_t *op;
    for (k = 8; k < 64; k++)
        acc |= coef[k];
    if (acc == 0) {
        if ((coef[1] | coef[2] | coef[3] | coef[4] | coef[5] | coef[6] | coef[7]) == 0) {
            jl_idct_fill_dc(coef[0], quant[0], out, stride);
            return;
        }
        /* only row 0 nonzero: every column is flat (SIMD computes this in 16 bits) */
        for (c = 0; c < 8; c++) {
            dc = jl_wrap16(jl_wrap16((int32_t)coef[c] * quant[c]) * (1 << ISLOW_PASS1_BITS));
            for (r = 0; r < 8; r++)
                ws[r * 8 + c] = dc;
        }
    } else {
        for (c = 0; c < 8; c++) {
            for (r = 0; r < 8; r++)
                d[r] = jl_wrap16((int32_t)coef[r * 8 + c] * quant[r * 8 + c]);
            if ((d[1] | d[2] | d[3] | d[4] | d[5] | d[6] | d[7]) == 0) {
                /* what the full computation gives for a flat column */
                dc = jl_sat16(d[0] * (1 << ISLOW_PASS1_BITS));
                for (r = 0; r < 8; r++)
                    ws[r * 8 + c] = dc;
                continue;
            }
            jl_idct_1d(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], o);
            for (r = 0; r < 8; r++)
                ws[r * 8 + c] = jl_sat16((o[r] + 1024) >> 11);
        }
    }
    for (r = 0; r < 8; r++) {
        const int32_t *w = ws + r * 8;
        op = out + r * stride;
        if ((w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) == 0) {
            /* what the full computation gives for a flat row */
            memset(op, jl_sat_sample((w[0] + 16) >> 5), 8);
            continue;
        }
        jl_idct_1d(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], o);
        for (c = 0; c < 8; c++)
            op[c] = jl_sat_sample((o[c] + 131072) >> 18);
    }
}

#if JL_SSE2
#define JL_PAIR(a, b) _mm_setr_epi16((a), (b), (a), (b), (a), (b), (a), (b))

/* multiply-add of interleaved (x, y) pairs by constant pair c: x*c0 + y*c1 */
#define JL_MADD2(lo, hi, x, y, c) do { \
    lo = _mm_madd_epi16(_mm_unpacklo_epi16((x), (y)), (c)); \
    hi = _mm_madd_epi16(_mm_unpackhi_epi16((x), (y)), (c)); } while (0)

/* 16-bit lanes to 32-bit lanes shifted left by 13 (sign-correct) */
#define JL_WIDEN_SHL13(lo, hi, v) do { \
    lo = _mm_srai_epi32(_mm_unpacklo_epi16(_mm_setzero_si128(), (v)), 16 - 13); \
    hi = _mm_srai_epi32(_mm_unpackhi_epi16(_mm_setzero_si128(), (v)), 16 - 13); } while (0)

/* One 8-point pass over 8 lanes: v[0..7] in, v[0..7] out as 16-bit,
 * descaled by `shift` with rounding and saturated. */
static inline void jl_idct_pass_sse2(__m128i *v, int shift)
{
    __m128i t2l, t2h, t3l, t3h, t0l, t0h, t1l, t1h;
    __m128i e10l, e10h, e11l, e11h, e12l, e12h, e13l, e13h;
    __m128i z3l, z3h, z4l, z4h, o0l, o0h, o1l, o1h, o2l, o2h, o3l, o3h;
    __m128i z3, z4, rnd = _mm_set1_epi32(1 << (shift - 1));
    __m128i sh = _mm_cvtsi32_si128(shift);

    /* even part */
    JL_MADD2(t3l, t3h, v[2], v[6], JL_PAIR(JL_F0541 + JL_F0765, JL_F0541));
    JL_MADD2(t2l, t2h, v[2], v[6], JL_PAIR(JL_F0541, JL_F0541 - JL_F1847));
    JL_WIDEN_SHL13(t0l, t0h, _mm_add_epi16(v[0], v[4]));
    JL_WIDEN_SHL13(t1l, t1h, _mm_sub_epi16(v[0], v[4]));
    t0l = _mm_add_epi32(t0l, rnd); t0h = _mm_add_epi32(t0h, rnd);
    t1l = _mm_add_epi32(t1l, rnd); t1h = _mm_add_epi32(t1h, rnd);
    e10l = _mm_add_epi32(t0l, t3l); e10h = _mm_add_epi32(t0h, t3h);
    e13l = _mm_sub_epi32(t0l, t3l); e13h = _mm_sub_epi32(t0h, t3h);
    e11l = _mm_add_epi32(t1l, t2l); e11h = _mm_add_epi32(t1h, t2h);
    e12l = _mm_sub_epi32(t1l, t2l); e12h = _mm_sub_epi32(t1h, t2h);

    /* odd part: inputs 7, 5, 3, 1 */
    z3 = _mm_add_epi16(v[7], v[3]);
    z4 = _mm_add_epi16(v[5], v[1]);
    JL_MADD2(z3l, z3h, z3, z4, JL_PAIR(JL_F1175 - JL_F1961, JL_F1175));
    JL_MADD2(z4l, z4h, z3, z4, JL_PAIR(JL_F1175, JL_F1175 - JL_F0390));
    JL_MADD2(o0l, o0h, v[7], v[1], JL_PAIR(JL_F0298 - JL_F0899, -JL_F0899));
    JL_MADD2(o3l, o3h, v[7], v[1], JL_PAIR(-JL_F0899, JL_F1501 - JL_F0899));
    JL_MADD2(o1l, o1h, v[5], v[3], JL_PAIR(JL_F2053 - JL_F2562, -JL_F2562));
    JL_MADD2(o2l, o2h, v[5], v[3], JL_PAIR(-JL_F2562, JL_F3072 - JL_F2562));
    o0l = _mm_add_epi32(o0l, z3l); o0h = _mm_add_epi32(o0h, z3h);
    o1l = _mm_add_epi32(o1l, z4l); o1h = _mm_add_epi32(o1h, z4h);
    o2l = _mm_add_epi32(o2l, z3l); o2h = _mm_add_epi32(o2h, z3h);
    o3l = _mm_add_epi32(o3l, z4l); o3h = _mm_add_epi32(o3h, z4h);

#define JL_OUT(k, a, b, op) v[k] = _mm_packs_epi32( \
        _mm_sra_epi32(op(a##l, b##l), sh), _mm_sra_epi32(op(a##h, b##h), sh))
    JL_OUT(0, e10, o3, _mm_add_epi32);
    JL_OUT(7, e10, o3, _mm_sub_epi32);
    JL_OUT(1, e11, o2, _mm_add_epi32);
    JL_OUT(6, e11, o2, _mm_sub_epi32);
    JL_OUT(2, e12, o1, _mm_add_epi32);
    JL_OUT(5, e12, o1, _mm_sub_epi32);
    JL_OUT(3, e13, o0, _mm_add_epi32);
    JL_OUT(4, e13, o0, _mm_sub_epi32);
#undef JL_OUT
}

/* The columns on 8 lanes, a transpose, the rows on 8 lanes, a transpose;
 * DC-only blocks (most of a photo's chroma) are filled directly. */
static inline void jl_idct_sse2(const int16_t *coef, const int16_t *quant, uint8_t *out,
                                ptrdiff_t stride)
{
    const __m128i zero = _mm_setzero_si128();
    const __m128i not_dc = _mm_setr_epi16(0, -1, -1, -1, -1, -1, -1, -1);
    __m128i c[8], v[8], rows = zero, b;
    int r;
    for (r = 0; r < 8; r++) {
        c[r] = _mm_loadu_si128((const __m128i *)(coef + 8 * r));
        if (r)
            rows = _mm_or_si128(rows, c[r]);
    }
    if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_or_si128(rows, _mm_and_si128(c[0], not_dc)),
                                          zero)) == 0xFFFF) {
        jl_idct_fill_dc(coef[0], quant[0], out, stride);
        return;
    }
    for (r = 0; r < 8; r++)
        v[r] = _mm_mullo_epi16(c[r], _mm_loadu_si128((const __m128i *)(quant + 8 * r)));
    if (_mm_movemask_epi8(_mm_cmpeq_epi16(rows, zero)) == 0xFFFF) {
        /* rows 1..7 zero: every column is flat, in 16-bit arithmetic */
        __m128i dc = _mm_slli_epi16(v[0], 2);
        for (r = 0; r < 8; r++)
            v[r] = dc;
    } else {
        jl_idct_pass_sse2(v, 13 - 2);
    }
    jl_transpose8x16(v);
    jl_idct_pass_sse2(v, 13 + 2 + 3);
    jl_transpose8x16(v);
    for (r = 0; r < 8; r += 2) {
        b = _mm_add_epi8(_mm_packs_epi16(v[r], v[r + 1]), _mm_set1_epi8((char)0x80));
        _mm_storel_epi64((__m128i *)(out + r * stride), b);
        _mm_storel_epi64((__m128i *)(out + (r + 1) * stride), _mm_unpackhi_epi64(b, b));
    }
}
#endif

#if JL_AVX2
/* (a op b) >> shift per 32-bit lane, both halves of a pass output packed
 * back to 16 bits with saturation (packs stays within each half). */
#define JL_OUT2(op, a, b, shift) _mm256_packs_epi32( \
    _mm256_srai_epi32(op(a##_lo, b##_lo), shift), _mm256_srai_epi32(op(a##_hi, b##_hi), shift))

/* jl_idct_pass_sse2 on v = (v4|v0), (v2|v6), (v3|v7), (v5|v1); leaves
 * v = (out1|out0), (out6|out7), (out2|out3), (out5|out4). The even sums
 * come as (e11|e10) and (e12|e13), the odd ones as (o2|o3) and (o1|o0)
 * so that one 256-bit add or subtract forms two outputs. */
JL_TARGET_AVX2 static inline void jl_idct_pass_avx2(__m256i *v, int shift)
{
    const __m256i zero = _mm256_setzero_si256(), rnd = _mm256_set1_epi32(1 << (shift - 1));
    __m256i sw = JL_SWAP128(v[0]);                                  /* (v0|v4) */
    /* (v0 - v4 | v0 + v4), wrapping in 16 bits as the SSE2 pass does */
    __m256i s = _mm256_blend_epi32(_mm256_sub_epi16(sw, v[0]), _mm256_add_epi16(sw, v[0]), 0xF0);
    __m256i a26 = _mm256_permute4x64_epi64(v[1], 0x44), b26 = _mm256_permute4x64_epi64(v[1], 0xEE);
    __m256i z3 = _mm256_add_epi16(v[2], JL_SWAP128(v[2]));         /* (z3|z3) */
    __m256i z4 = _mm256_add_epi16(v[3], JL_SWAP128(v[3]));         /* (z4|z4) */
    __m256i p_lo = _mm256_unpacklo_epi16(v[2], v[3]), p_hi = _mm256_unpackhi_epi16(v[2], v[3]);
    __m256i q_lo, q_hi, t_lo, t_hi, e_lo, e_hi, f_lo, f_hi, za_lo, za_hi, zb_lo, zb_hi;
    __m256i oa_lo, oa_hi, ob_lo, ob_hi;
    /* (t1 | t0) << 13 plus rounding, 32-bit */
    t_lo = _mm256_add_epi32(_mm256_srai_epi32(_mm256_unpacklo_epi16(zero, s), 16 - 13), rnd);
    t_hi = _mm256_add_epi32(_mm256_srai_epi32(_mm256_unpackhi_epi16(zero, s), 16 - 13), rnd);
    /* (t2 | t3) from pairs (v2, v6) in both halves */
    {
        const __m256i k = JL_K2X(JL_F0541, JL_F0541 - JL_F1847, JL_F0541 + JL_F0765, JL_F0541);
        q_lo = _mm256_madd_epi16(_mm256_unpacklo_epi16(a26, b26), k);
        q_hi = _mm256_madd_epi16(_mm256_unpackhi_epi16(a26, b26), k);
    }
    e_lo = _mm256_add_epi32(t_lo, q_lo); e_hi = _mm256_add_epi32(t_hi, q_hi);   /* (e11|e10) */
    f_lo = _mm256_sub_epi32(t_lo, q_lo); f_hi = _mm256_sub_epi32(t_hi, q_hi);   /* (e12|e13) */
    /* pairs (z3, z4) in both halves: (z3x | z4x) and (z4x | z3x) of the SSE2 pass */
    {
        const __m256i ka = JL_K2X(JL_F1175 - JL_F1961, JL_F1175, JL_F1175, JL_F1175 - JL_F0390);
        const __m256i kb = JL_K2X(JL_F1175, JL_F1175 - JL_F0390, JL_F1175 - JL_F1961, JL_F1175);
        __m256i zl = _mm256_unpacklo_epi16(z3, z4), zh = _mm256_unpackhi_epi16(z3, z4);
        za_lo = _mm256_madd_epi16(zl, ka); za_hi = _mm256_madd_epi16(zh, ka);
        zb_lo = _mm256_madd_epi16(zl, kb); zb_hi = _mm256_madd_epi16(zh, kb);
    }
    /* pairs (v3, v5) low, (v7, v1) high: (o2 | o3) and (o1 | o0) */
    {
        const __m256i ka = JL_K2X(JL_F3072 - JL_F2562, -JL_F2562, -JL_F0899, JL_F1501 - JL_F0899);
        const __m256i kb = JL_K2X(-JL_F2562, JL_F2053 - JL_F2562, JL_F0298 - JL_F0899, -JL_F0899);
        oa_lo = _mm256_add_epi32(_mm256_madd_epi16(p_lo, ka), za_lo);
        oa_hi = _mm256_add_epi32(_mm256_madd_epi16(p_hi, ka), za_hi);
        ob_lo = _mm256_add_epi32(_mm256_madd_epi16(p_lo, kb), zb_lo);
        ob_hi = _mm256_add_epi32(_mm256_madd_epi16(p_hi, kb), zb_hi);
    }
    v[0] = JL_OUT2(_mm256_add_epi32, e, oa, shift);     /* (out1 | out0) */
    v[1] = JL_OUT2(_mm256_sub_epi32, e, oa, shift);     /* (out6 | out7) */
    v[2] = JL_OUT2(_mm256_add_epi32, f, ob, shift);     /* (out2 | out3) */
    v[3] = JL_OUT2(_mm256_sub_epi32, f, ob, shift);     /* (out5 | out4) */
}

/* Pass outputs to the transpose's (k | k+4) pairs. */
JL_TARGET_AVX2 static inline void jl_idct_regroup_avx2(__m256i *v)
{
    __m256i o10 = v[0], o67 = v[1], o23 = v[2], o54 = v[3];
    v[0] = _mm256_permute2x128_si256(o10, o54, 0x31);   /* (out0 | out4) */
    v[1] = _mm256_permute2x128_si256(o10, o54, 0x20);   /* (out1 | out5) */
    v[2] = _mm256_permute2x128_si256(o23, o67, 0x20);   /* (out2 | out6) */
    v[3] = _mm256_permute2x128_si256(o23, o67, 0x31);   /* (out3 | out7) */
}

/* jl_idct_sse2 on paired vectors: the same shortcuts, the columns, a
 * transpose, the rows, a transpose. */
JL_TARGET_AVX2 static inline __attribute__((always_inline)) void
jl_idct_avx2_body(const int16_t *coef, const int16_t *quant, uint8_t *out, ptrdiff_t stride)
{
    const __m128i zero = _mm_setzero_si128();
    const __m128i not_dc = _mm_setr_epi16(0, -1, -1, -1, -1, -1, -1, -1);
    /* rows in the pairing the pass reads: (4|0), (2|6), (3|7), (5|1) */
    static const int pair[4][2] = {{4, 0}, {2, 6}, {3, 7}, {5, 1}};
    __m128i c[8], rows = zero;
    __m256i v[4], m, n;
    int r;
    for (r = 0; r < 8; r++) {
        c[r] = _mm_loadu_si128((const __m128i *)(coef + 8 * r));
        if (r)
            rows = _mm_or_si128(rows, c[r]);
    }
    if (_mm_testz_si128(_mm_or_si128(rows, _mm_and_si128(c[0], not_dc)),
                        _mm_set1_epi8(-1))) {
        jl_idct_fill_dc(coef[0], quant[0], out, stride);
        return;
    }
    if (_mm_testz_si128(rows, rows)) {
        /* rows 1..7 zero: every column is flat, in 16-bit arithmetic */
        __m128i dc = _mm_slli_epi16(_mm_mullo_epi16(c[0], _mm_loadu_si128((const __m128i *)quant)), 2);
        v[0] = v[1] = v[2] = v[3] = _mm256_broadcastsi128_si256(dc);
    } else {
        for (r = 0; r < 4; r++)
            v[r] = _mm256_mullo_epi16(
                _mm256_inserti128_si256(_mm256_castsi128_si256(c[pair[r][0]]), c[pair[r][1]], 1),
                JL_LOAD2(quant + 8 * pair[r][0], quant + 8 * pair[r][1]));
        jl_idct_pass_avx2(v, 13 - 2);
        jl_idct_regroup_avx2(v);
    }
    /* transpose into (4|0), (2|6), (3|7), (5|1) of the columns */
    jl_transpose8x16_avx2(v);
    m = _mm256_permute2x128_si256(v[2], v[0], 0x20);
    n = _mm256_permute2x128_si256(v[2], v[0], 0x31);
    v[0] = _mm256_unpacklo_epi64(m, n);                  /* (c4 | c0) */
    m = _mm256_unpackhi_epi64(m, n);                     /* (c5 | c1) */
    n = v[3];
    {
        __m256i m2 = _mm256_permute2x128_si256(v[1], n, 0x20);
        __m256i n2 = _mm256_permute2x128_si256(v[1], n, 0x31);
        v[1] = _mm256_unpacklo_epi64(m2, n2);             /* (c2 | c6) */
        v[2] = _mm256_unpackhi_epi64(m2, n2);             /* (c3 | c7) */
    }
    v[3] = m;
    jl_idct_pass_avx2(v, 13 + 2 + 3);
    jl_idct_regroup_avx2(v);
    /* v[k] = (output column k | k+4), lanes = rows; after the transpose
     * v[j] holds rows 2j, 2j+1 as 64-bit words (row 2j cols 0-3, row 2j+1
     * cols 0-3 | row 2j cols 4-7, row 2j+1 cols 4-7) */
    jl_transpose8x16_avx2(v);
    {
        const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
        const __m256i bias = _mm256_set1_epi8((char)0x80);
        for (r = 0; r < 8; r += 4) {
            __m256i b = _mm256_permutevar8x32_epi32(
                _mm256_add_epi8(_mm256_packs_epi16(v[r / 2], v[r / 2 + 1]), bias), order);
            __m128i lo = _mm256_castsi256_si128(b), hi = _mm256_extracti128_si256(b, 1);
            _mm_storel_epi64((__m128i *)(out + r * stride), lo);
            _mm_storel_epi64((__m128i *)(out + (r + 1) * stride), _mm_unpackhi_epi64(lo, lo));
            _mm_storel_epi64((__m128i *)(out + (r + 2) * stride), hi);
            _mm_storel_epi64((__m128i *)(out + (r + 3) * stride), _mm_unpackhi_epi64(hi, hi));
        }
    }
}
#undef JL_OUT2
#endif

/* Clear a block of 64 coefficients with stores: GCC turned the fixed
 * 128-byte memset into `rep stosq`, whose start-up costs more than the
 * stores (and callgrind counted 16 instructions a block for it). */
static inline void jl_clear_block(int16_t *b)
{
#if JL_SSE2
    const __m128i z = _mm_setzero_si128();
    int i;
    for (i = 0; i < 64; i += 8)
        _mm_storeu_si128((__m128i *)(b + i), z);
#else
    memset(b, 0, 64 * sizeof(int16_t));
#endif
}

#if JL_AVX2
/* One block (jl_idct_islow's AVX2 entry). */
JL_TARGET_AVX2 static void jl_idct_avx2(const int16_t *coef, const int16_t *quant, uint8_t *out,
                                       ptrdiff_t stride)
{
    jl_idct_avx2_body(coef, quant, out, stride);
}

/* jl_idct_islow_row's AVX2 loop: the block kernel inlined, no call a block */
JL_TARGET_AVX2 static void jl_idct_row_avx2(int16_t *coef, const int16_t *quant, uint8_t *out,
                                           ptrdiff_t stride, int n, int clear)
{
    const __m256i zero = _mm256_setzero_si256();
    int i;
    for (i = 0; i < n; i++, coef += 64, out += 8) {
        jl_idct_avx2_body(coef, quant, out, stride);
        if (clear) {
            _mm256_storeu_si256((__m256i *)coef, zero);
            _mm256_storeu_si256((__m256i *)(coef + 16), zero);
            _mm256_storeu_si256((__m256i *)(coef + 32), zero);
            _mm256_storeu_si256((__m256i *)(coef + 48), zero);
        }
    }
}
#endif

/* The islow IDCT of one block. Every variant gives the same samples. */
static inline void jl_idct_islow(const int16_t *coef, const int16_t *quant, uint8_t *out,
                                 ptrdiff_t stride, int level)
{
#if JL_AVX2
    if (level >= JL_SIMD_AVX2) {
        jl_idct_avx2(coef, quant, out, stride);
        return;
    }
#endif
#if JL_SSE2
    if (level >= JL_SIMD_SSE2) {
        jl_idct_sse2(coef, quant, out, stride);
        return;
    }
#endif
    (void)level;
    jl_idct_scalar(coef, quant, out, stride);
}

/* jl_idct_islow on n blocks side by side (coef: n blocks of 64, out: their
 * 8 x 8 samples 8 bytes apart), each block's coefficients zeroed after its
 * IDCT when clear is set (a decoder's buffer, ready for the next MCUs while
 * the block is in L1). The decoder's row loop: one dispatch a row, and at
 * AVX2 no call a block. */
static inline void jl_idct_islow_row(int16_t *coef, const int16_t *quant, uint8_t *out,
                                     ptrdiff_t stride, int n, int clear, int level)
{
    int i;
#if JL_AVX2
    if (level >= JL_SIMD_AVX2) {
        jl_idct_row_avx2(coef, quant, out, stride, n, clear);
        return;
    }
#endif
    for (i = 0; i < n; i++, coef += 64, out += 8) {
        jl_idct_islow(coef, quant, out, stride, level);
        if (clear)
            jl_clear_block(coef);
    }
}

/* ==== decode: reduced-size inverse DCTs (scaled decoding) ==== */
/*
 * libjpeg's scaled decoding (scale_num/scale_denom; Pillow's draft()) takes
 * a 4x4, 2x2 or 1x1 output from an 8x8 block of coefficients, using only the
 * low frequencies (jidctred.c). libjpeg-turbo runs the 4x4 and 2x2 ones as
 * SSE2 code whose arithmetic differs from the C in three ways, which these
 * scalar kernels follow so that the samples are Pillow's: dequantized
 * coefficients wrap to 16 bits, the pass-1 results saturate to 16 bits (2x2:
 * except column 0, kept in 32 bits), and the outputs saturate to 0..255 in
 * place of the C code's wrapping range-limit table. The 1x1 one has no SIMD
 * version: it keeps the C code's 32-bit product and its table.
 * Scalar only so far (these run on a few coefficients per block).
 */
#define JL_RF0211 1730
#define JL_RF0509 4176
#define JL_RF0601 4926
#define JL_RF0720 5906
#define JL_RF0765 6270
#define JL_RF0850 6967
#define JL_RF0899 7373
#define JL_RF1061 8697
#define JL_RF1272 10426
#define JL_RF1451 11893
#define JL_RF1847 15137
#define JL_RF2172 17799
#define JL_RF2562 20995
#define JL_RF3624 29692

/* (x + 2**(n-1)) >> n in 32-bit lanes, as paddd/psrad compute it */
static inline int32_t jl_descale32(int64_t x, int n)
{
    return (int32_t)(uint32_t)((uint64_t)x + ((uint64_t)1 << (n - 1))) >> n;
}

/* One 4-point pass (the even part from inputs 0, 2, 6, the odd from 1, 3,
 * 5, 7; input 4 unused), results descaled by n: o[0..3]. */
static inline void jl_idct4_1d(int32_t i0, int32_t i1, int32_t i2, int32_t i3, int32_t i5,
                               int32_t i6, int32_t i7, int n, int32_t *o)
{
    int64_t tmp0 = (int64_t)i0 * (1 << (ISLOW_CONST_BITS + 1));
    int64_t tmp2 = (int64_t)i2 * JL_RF1847 - (int64_t)i6 * JL_RF0765;
    int64_t tmp10 = tmp0 + tmp2, tmp12 = tmp0 - tmp2;
    int64_t odd0 = ((int64_t)i1 * JL_RF1061 - (int64_t)i3 * JL_RF2172)
                 + ((int64_t)i5 * JL_RF1451 - (int64_t)i7 * JL_RF0211);
    int64_t odd2 = ((int64_t)i1 * JL_RF2562 + (int64_t)i3 * JL_RF0899)
                 - ((int64_t)i5 * JL_RF0601 + (int64_t)i7 * JL_RF0509);
    o[0] = jl_descale32(tmp10 + odd2, n);
    o[3] = jl_descale32(tmp10 - odd2, n);
    o[1] = jl_descale32(tmp12 + odd0, n);
    o[2] = jl_descale32(tmp12 - odd0, n);
}

/* 8x8 coefficients (natural order) and multipliers -> 4x4 samples at out. */
static inline void jl_idct_4x4_scalar(const int16_t *coef, const int16_t *quant, uint8_t *out,
                                      ptrdiff_t stride)
{
    int32_t ws[4 * 8], d[8], o[4];
    int r, c, k, flat = 1;
    for (k = 8; k < 64 && flat; k++)
        if (k < 32 || k >= 40)          /* row 4 is not looked at */
            flat = coef[k] == 0;
    for (c = 0; c < 8; c++) {
        for (r = 0; r < 8; r++)
            d[r] = jl_wrap16((int32_t)coef[r * 8 + c] * quant[r * 8 + c]);
        if (flat) {                    /* the SIMD shortcut: a 16-bit shift */
            for (r = 0; r < 4; r++)
                ws[r * 8 + c] = jl_wrap16(d[0] * (1 << ISLOW_PASS1_BITS));
            continue;
        }
        jl_idct4_1d(d[0], d[1], d[2], d[3], d[5], d[6], d[7],
                    ISLOW_CONST_BITS - ISLOW_PASS1_BITS + 1, o);
        for (r = 0; r < 4; r++)
            ws[r * 8 + c] = jl_sat16(o[r]);
    }
    for (r = 0; r < 4; r++) {
        const int32_t *w = ws + r * 8;
        jl_idct4_1d(w[0], w[1], w[2], w[3], w[5], w[6], w[7],
                    ISLOW_CONST_BITS + ISLOW_PASS1_BITS + 3 + 1, o);
        for (c = 0; c < 4; c++)
            out[r * stride + c] = jl_sat_sample(o[c]);   /* (16-bit saturation first changes nothing) */
    }
}

/* The 2-point odd part from inputs 1, 3, 5, 7. */
static inline int64_t jl_idct2_odd(int32_t i1, int32_t i3, int32_t i5, int32_t i7)
{
    return ((int64_t)i1 * JL_RF3624 - (int64_t)i3 * JL_RF1272)
         + ((int64_t)i5 * JL_RF0850 - (int64_t)i7 * JL_RF0720);
}

/* 8x8 coefficients (natural order) and multipliers -> 2x2 samples at out. */
static inline void jl_idct_2x2_scalar(const int16_t *coef, const int16_t *quant, uint8_t *out,
                                      ptrdiff_t stride)
{
    static const int cols[5] = {0, 1, 3, 5, 7};
    int32_t ws[2][8], d[8];
    int64_t even, odd;
    int r, k, c;
    for (k = 0; k < 5; k++) {
        c = cols[k];
        for (r = 0; r < 8; r++)
            d[r] = jl_wrap16((int32_t)coef[r * 8 + c] * quant[r * 8 + c]);
        even = (int64_t)d[0] * (1 << (ISLOW_CONST_BITS + 2));
        odd = jl_idct2_odd(d[1], d[3], d[5], d[7]);
        ws[0][c] = jl_descale32(even + odd, ISLOW_CONST_BITS - ISLOW_PASS1_BITS + 2);
        ws[1][c] = jl_descale32(even - odd, ISLOW_CONST_BITS - ISLOW_PASS1_BITS + 2);
        if (c != 0) {                  /* column 0 stays in 32 bits in the SIMD code */
            ws[0][c] = jl_sat16(ws[0][c]);
            ws[1][c] = jl_sat16(ws[1][c]);
        }
    }
    for (r = 0; r < 2; r++) {
        even = (int64_t)(int32_t)((uint32_t)ws[r][0] << (ISLOW_CONST_BITS + 2));
        odd = jl_idct2_odd(ws[r][1], ws[r][3], ws[r][5], ws[r][7]);
        out[r * stride] = jl_sat_sample(
            jl_descale32(even + odd, ISLOW_CONST_BITS + ISLOW_PASS1_BITS + 3 + 2));
        out[r * stride + 1] = jl_sat_sample(
            jl_descale32(even - odd, ISLOW_CONST_BITS + ISLOW_PASS1_BITS + 3 + 2));
    }
}

/* 8x8 coefficients -> the 1x1 sample: the DC term, descaled by 8, through
 * libjpeg's post-IDCT range-limit table (which wraps modulo 1024). */
static inline void jl_idct_1x1_scalar(const int16_t *coef, const int16_t *quant, uint8_t *out)
{
    int32_t v = ((int32_t)coef[0] * quant[0] + 4) >> 3;
    int32_t i = v & 1023;
    out[0] = i < 128 ? (uint8_t)(i + 128) : i < 512 ? 255 : i < 896 ? 0 : (uint8_t)(i - 896);
}

/* The reduced IDCT of `size` (1, 2 or 4) x `size` samples, or the islow
 * 8x8 for size 8. */
static inline void jl_idct_scaled(const int16_t *coef, const int16_t *quant, uint8_t *out,
                                  ptrdiff_t stride, int size, int level)
{
    if (size == 8)
        jl_idct_islow(coef, quant, out, stride, level);
    else if (size == 4)
        jl_idct_4x4_scalar(coef, quant, out, stride);
    else if (size == 2)
        jl_idct_2x2_scalar(coef, quant, out, stride);
    else
        jl_idct_1x1_scalar(coef, quant, out);
}

#endif
