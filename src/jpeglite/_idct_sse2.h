/* The islow inverse DCT on 8 columns (then 8 rows) at once with SSE2.
 *
 * SSE2 is part of every x86-64 CPU, so this needs no special compiler flag;
 * elsewhere JL_HAVE_SSE2 is 0 and the Cython scalar kernel in _dct.pxd runs.
 * The arithmetic is the one _dct.pxd documents and tests: libjpeg's jidctint
 * constants and descaling with 16-bit dequantized inputs, 16-bit sums where
 * libjpeg-turbo's SIMD forms them (i0 +- i4, i7 + i3, i5 + i1), products
 * summed in 32 bits by pmaddwd, pass-1 results saturated to 16 bits and the
 * output saturated to 0..255.  tests/test_dct.py checks it against the scalar
 * kernel on random and extreme coefficients.
 */
#ifndef JPEGLITE_IDCT_SSE2_H
#define JPEGLITE_IDCT_SSE2_H

#include <stddef.h>
#include <stdint.h>

#include "_islow.h"

#include "_simd.h"
#if JL_SSE2
#include <emmintrin.h>
#define JL_HAVE_SSE2 1

/* short names for the islow constants of _islow.h */
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
static inline void jl_idct_pass(__m128i *v, int shift)
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

static inline void jl_idct_islow_sse2(const int16_t *coef, const int16_t *quant,
                                      uint8_t *out, ptrdiff_t stride)
{
    __m128i v[8], any = _mm_setzero_si128(), b;
    int r;
    for (r = 0; r < 8; r++) {
        __m128i c = _mm_loadu_si128((const __m128i *)(coef + 8 * r));
        if (r)
            any = _mm_or_si128(any, c);
        v[r] = _mm_mullo_epi16(c, _mm_loadu_si128((const __m128i *)(quant + 8 * r)));
    }
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(any, _mm_setzero_si128())) == 0xFFFF) {
        /* rows 1..7 zero: every column is flat, in 16-bit arithmetic */
        __m128i dc = _mm_slli_epi16(v[0], 2);
        for (r = 0; r < 8; r++)
            v[r] = dc;
    } else {
        jl_idct_pass(v, 13 - 2);
    }
    jl_transpose8x16(v);
    jl_idct_pass(v, 13 + 2 + 3);
    jl_transpose8x16(v);
    for (r = 0; r < 8; r += 2) {
        b = _mm_add_epi8(_mm_packs_epi16(v[r], v[r + 1]), _mm_set1_epi8((char)0x80));
        _mm_storel_epi64((__m128i *)(out + r * stride), b);
        _mm_storel_epi64((__m128i *)(out + (r + 1) * stride), _mm_unpackhi_epi64(b, b));
    }
}

#else
#define JL_HAVE_SSE2 0
static inline void jl_idct_islow_sse2(const int16_t *coef, const int16_t *quant,
                                      uint8_t *out, ptrdiff_t stride)
{
    (void)coef; (void)quant; (void)out; (void)stride;   /* never called */
}
#endif

#endif
