/* Colour conversion rows, each kernel as scalar reference, SSE2 and AVX2 variants
 * side by side (the convention: _simd.h).
 *
 *   jl_rgb_ycc_row  encode: interleaved RGB -> Y, Cb, Cr planes (jccolor.c)
 *   jl_ycc_rgb_row  decode: Y, Cb, Cr planes -> RGB, 3 or 4 bytes a pixel
 *                   (jdcolor.c; the 4th byte is the caller's)
 *
 * Both are exactly libjpeg's fixed-point arithmetic, FIX(x) = round(x * 2**16).
 * Encode: Y rounds half up; Cb and Cr add ONE_HALF - 1 so 255 cannot round to
 * 256. Decode, with Cb' = Cb - 128, Cr' = Cr - 128:
 *   R = Y + ((91881 Cr' + 32768) >> 16)
 *   G = Y + ((32768 - 22554 Cb' - 46802 Cr') >> 16)
 *   B = Y + ((116130 Cb' + 32768) >> 16)
 * limited to 0..255. tests/test_color.py checks the scalar kernels against
 * numpy references and tests/test_simd.py every variant against the scalar. */
#ifndef JPEGLITE_COLOR_SIMD_H
#define JPEGLITE_COLOR_SIMD_H

#include <stddef.h>
#include <stdint.h>

#include "_simd.h"

/* ==== encode: RGB -> YCbCr ==== */

#define JL_CC_SCALEBITS 16
#define JL_CC_ONE_HALF (1u << 15)
#define JL_CC_CBCR_OFFSET (128u << 16)
#define JL_CC_FIX_0_29900 19595u
#define JL_CC_FIX_0_58700 38470u
#define JL_CC_FIX_0_11400 7471u
#define JL_CC_FIX_0_16874 11059u
#define JL_CC_FIX_0_33126 21709u
#define JL_CC_FIX_0_50000 32768u
#define JL_CC_FIX_0_41869 27439u
#define JL_CC_FIX_0_08131 5329u

/* Pixels x0..n-1. They go through in chunks: de-interleaving into 16-bit
 * arrays first leaves a loop of 16 x 16 -> 32-bit unsigned multiplies over
 * contiguous arrays, which compilers vectorize with plain SSE2/NEON. Every sum
 * is non-negative and below 2**32, so unsigned arithmetic gives libjpeg's. */
static inline void jl_rgb_ycc_scalar(const uint8_t *rgb, uint8_t *JL_RESTRICT y,
                                     uint8_t *JL_RESTRICT cb, uint8_t *JL_RESTRICT cr,
                                     ptrdiff_t x0, ptrdiff_t n)
{
    uint16_t r[64], g[64], b[64];
    ptrdiff_t base, i, m;
    for (base = x0; base < n; base += m) {
        m = n - base < 64 ? n - base : 64;
        for (i = 0; i < m; i++) {
            r[i] = rgb[3 * (base + i)];
            g[i] = rgb[3 * (base + i) + 1];
            b[i] = rgb[3 * (base + i) + 2];
        }
        for (i = 0; i < m; i++) {
            uint32_t R = r[i], G = g[i], B = b[i];
            y[base + i] = (uint8_t)((R * JL_CC_FIX_0_29900 + G * JL_CC_FIX_0_58700
                                     + B * JL_CC_FIX_0_11400 + JL_CC_ONE_HALF) >> JL_CC_SCALEBITS);
            cb[base + i] = (uint8_t)((B * JL_CC_FIX_0_50000 + JL_CC_CBCR_OFFSET + JL_CC_ONE_HALF - 1
                                      - R * JL_CC_FIX_0_16874 - G * JL_CC_FIX_0_33126)
                                     >> JL_CC_SCALEBITS);
            cr[base + i] = (uint8_t)((R * JL_CC_FIX_0_50000 + JL_CC_CBCR_OFFSET + JL_CC_ONE_HALF - 1
                                      - G * JL_CC_FIX_0_41869 - B * JL_CC_FIX_0_08131)
                                     >> JL_CC_SCALEBITS);
        }
    }
}

#if JL_SSE2
/* Bytes p of each 64-bit half, taken from byte 3p mod 8: undoes the lane
 * order the de-interleaving below leaves (lane l holds pixel 3l mod 8). */
static inline __m128i jl_rgb_ycc_unperm8(__m128i x)
{
    const __m128i m0 = _mm_set1_epi64x(0x000000FF000000FFLL);
    const __m128i m1 = _mm_slli_epi64(m0, 8), m2 = _mm_slli_epi64(m0, 16);
    const __m128i m3 = _mm_slli_epi64(m0, 24);
    __m128i r2 = _mm_or_si128(_mm_srli_epi64(x, 16), _mm_slli_epi64(x, 48));
    __m128i r4 = _mm_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1));
    __m128i r6 = _mm_or_si128(_mm_srli_epi64(x, 48), _mm_slli_epi64(x, 16));
    return _mm_or_si128(_mm_or_si128(_mm_and_si128(x, m0), _mm_and_si128(r2, m1)),
                        _mm_or_si128(_mm_and_si128(r4, m2), _mm_and_si128(r6, m3)));
}

/* Y, Cb, Cr (32-bit lanes, pixels in lane order) of 8 pixels given as
 * 16-bit R, G, B lanes. pmaddwd forms libjpeg's sums exactly: 0.587 G is
 * split as (0.587 - 0.25) G + 0.25 G so every factor fits a signed 16-bit
 * word, and 0.5 R, 0.5 B are shifts. */
static inline void jl_rgb_ycc8(__m128i r, __m128i g, __m128i b,
                               __m128i *y, __m128i *cb, __m128i *cr)
{
    const __m128i z = _mm_setzero_si128();
    const __m128i k_y_rg = _mm_set1_epi32((22086 << 16) | 19595);
    const __m128i k_y_bg = _mm_set1_epi32((16384 << 16) | 7471);
    const __m128i k_cb_rg = _mm_set1_epi32((int)(((unsigned)(-21709) << 16) | (unsigned)(-11059 & 0xFFFF)));
    const __m128i k_cr_bg = _mm_set1_epi32((int)(((unsigned)(-27439) << 16) | (unsigned)(-5329 & 0xFFFF)));
    const __m128i half = _mm_set1_epi32(32768);
    const __m128i off = _mm_set1_epi32((128 << 16) + 32767);
    __m128i rg0 = _mm_unpacklo_epi16(r, g), rg1 = _mm_unpackhi_epi16(r, g);
    __m128i bg0 = _mm_unpacklo_epi16(b, g), bg1 = _mm_unpackhi_epi16(b, g);
    __m128i y0 = _mm_add_epi32(_mm_add_epi32(_mm_madd_epi16(rg0, k_y_rg), _mm_madd_epi16(bg0, k_y_bg)), half);
    __m128i y1 = _mm_add_epi32(_mm_add_epi32(_mm_madd_epi16(rg1, k_y_rg), _mm_madd_epi16(bg1, k_y_bg)), half);
    __m128i b0 = _mm_slli_epi32(_mm_unpacklo_epi16(b, z), 15), b1 = _mm_slli_epi32(_mm_unpackhi_epi16(b, z), 15);
    __m128i r0 = _mm_slli_epi32(_mm_unpacklo_epi16(r, z), 15), r1 = _mm_slli_epi32(_mm_unpackhi_epi16(r, z), 15);
    __m128i cb0 = _mm_add_epi32(_mm_add_epi32(_mm_madd_epi16(rg0, k_cb_rg), b0), off);
    __m128i cb1 = _mm_add_epi32(_mm_add_epi32(_mm_madd_epi16(rg1, k_cb_rg), b1), off);
    __m128i cr0 = _mm_add_epi32(_mm_add_epi32(_mm_madd_epi16(bg0, k_cr_bg), r0), off);
    __m128i cr1 = _mm_add_epi32(_mm_add_epi32(_mm_madd_epi16(bg1, k_cr_bg), r1), off);
    /* every sum is in [0, 2**24): the shifted values are 0..255 */
    *y = _mm_packs_epi32(_mm_srli_epi32(y0, 16), _mm_srli_epi32(y1, 16));
    *cb = _mm_packs_epi32(_mm_srli_epi32(cb0, 16), _mm_srli_epi32(cb1, 16));
    *cr = _mm_packs_epi32(_mm_srli_epi32(cr0, 16), _mm_srli_epi32(cr1, 16));
}

/* R, G, B of 8 interleaved pixels held as 24 16-bit lanes in w0, w1, w2.
 * Masking picks each channel's lanes; lane l then holds pixel 3l mod 8
 * for R, and G, B line up with R after rotating by one and two lanes. */
static inline void jl_rgb_split8(__m128i w0, __m128i w1, __m128i w2,
                                 __m128i *r, __m128i *g, __m128i *b)
{
    const __m128i m0 = _mm_setr_epi16(-1, 0, 0, -1, 0, 0, -1, 0);
    const __m128i m1 = _mm_setr_epi16(0, -1, 0, 0, -1, 0, 0, -1);
    const __m128i m2 = _mm_setr_epi16(0, 0, -1, 0, 0, -1, 0, 0);
    __m128i gg, bb;
    *r = _mm_or_si128(_mm_or_si128(_mm_and_si128(w0, m0), _mm_and_si128(w1, m1)),
                      _mm_and_si128(w2, m2));
    gg = _mm_or_si128(_mm_or_si128(_mm_and_si128(w0, m1), _mm_and_si128(w1, m2)),
                      _mm_and_si128(w2, m0));
    *g = _mm_or_si128(_mm_srli_si128(gg, 2), _mm_slli_si128(gg, 14));
    bb = _mm_or_si128(_mm_or_si128(_mm_and_si128(w0, m2), _mm_and_si128(w1, m0)),
                      _mm_and_si128(w2, m1));
    *b = _mm_shuffle_epi32(bb, _MM_SHUFFLE(0, 3, 2, 1));
}

/* The first n - n % 16 pixels; returns how many it converted. */
static inline ptrdiff_t jl_rgb_ycc_sse2(const uint8_t *rgb, uint8_t *y, uint8_t *cb,
                                        uint8_t *cr, ptrdiff_t n)
{
    const __m128i z = _mm_setzero_si128();
    ptrdiff_t i;
    for (i = 0; i + 16 <= n; i += 16) {
        const uint8_t *p = rgb + 3 * i;
        __m128i a = _mm_loadu_si128((const __m128i *)p);
        __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(p + 32));
        __m128i r0, g0, b0, r1, g1, b1, y0, cb0, cr0, y1, cb1, cr1;
        jl_rgb_split8(_mm_unpacklo_epi8(a, z), _mm_unpackhi_epi8(a, z),
                      _mm_unpacklo_epi8(b, z), &r0, &g0, &b0);
        jl_rgb_split8(_mm_unpackhi_epi8(b, z), _mm_unpacklo_epi8(c, z),
                      _mm_unpackhi_epi8(c, z), &r1, &g1, &b1);
        jl_rgb_ycc8(r0, g0, b0, &y0, &cb0, &cr0);
        jl_rgb_ycc8(r1, g1, b1, &y1, &cb1, &cr1);
        _mm_storeu_si128((__m128i *)(y + i), jl_rgb_ycc_unperm8(_mm_packus_epi16(y0, y1)));
        _mm_storeu_si128((__m128i *)(cb + i), jl_rgb_ycc_unperm8(_mm_packus_epi16(cb0, cb1)));
        _mm_storeu_si128((__m128i *)(cr + i), jl_rgb_ycc_unperm8(_mm_packus_epi16(cr0, cr1)));
    }
    return i;
}
#endif

#if JL_AVX2
/* jl_rgb_ycc8 on 16 pixels (16-bit lanes, pixels in lane order; every
 * 128-bit half computes on its own, so the order stays). */
JL_TARGET_AVX2 static inline void jl_rgb_ycc16_avx2(__m256i r, __m256i g, __m256i b,
                                                     __m256i *y, __m256i *cb, __m256i *cr)
{
    const __m256i z = _mm256_setzero_si256();
    const __m256i k_y_rg = _mm256_set1_epi32((22086 << 16) | 19595);
    const __m256i k_y_bg = _mm256_set1_epi32((16384 << 16) | 7471);
    const __m256i k_cb_rg = _mm256_set1_epi32((int)(((unsigned)(-21709) << 16) | (unsigned)(-11059 & 0xFFFF)));
    const __m256i k_cr_bg = _mm256_set1_epi32((int)(((unsigned)(-27439) << 16) | (unsigned)(-5329 & 0xFFFF)));
    const __m256i half = _mm256_set1_epi32(32768);
    const __m256i off = _mm256_set1_epi32((128 << 16) + 32767);
    __m256i rg0 = _mm256_unpacklo_epi16(r, g), rg1 = _mm256_unpackhi_epi16(r, g);
    __m256i bg0 = _mm256_unpacklo_epi16(b, g), bg1 = _mm256_unpackhi_epi16(b, g);
    __m256i y0 = _mm256_add_epi32(_mm256_add_epi32(_mm256_madd_epi16(rg0, k_y_rg), _mm256_madd_epi16(bg0, k_y_bg)), half);
    __m256i y1 = _mm256_add_epi32(_mm256_add_epi32(_mm256_madd_epi16(rg1, k_y_rg), _mm256_madd_epi16(bg1, k_y_bg)), half);
    __m256i b0 = _mm256_slli_epi32(_mm256_unpacklo_epi16(b, z), 15), b1 = _mm256_slli_epi32(_mm256_unpackhi_epi16(b, z), 15);
    __m256i r0 = _mm256_slli_epi32(_mm256_unpacklo_epi16(r, z), 15), r1 = _mm256_slli_epi32(_mm256_unpackhi_epi16(r, z), 15);
    __m256i cb0 = _mm256_add_epi32(_mm256_add_epi32(_mm256_madd_epi16(rg0, k_cb_rg), b0), off);
    __m256i cb1 = _mm256_add_epi32(_mm256_add_epi32(_mm256_madd_epi16(rg1, k_cb_rg), b1), off);
    __m256i cr0 = _mm256_add_epi32(_mm256_add_epi32(_mm256_madd_epi16(bg0, k_cr_bg), r0), off);
    __m256i cr1 = _mm256_add_epi32(_mm256_add_epi32(_mm256_madd_epi16(bg1, k_cr_bg), r1), off);
    *y = _mm256_packs_epi32(_mm256_srli_epi32(y0, 16), _mm256_srli_epi32(y1, 16));
    *cb = _mm256_packs_epi32(_mm256_srli_epi32(cb0, 16), _mm256_srli_epi32(cb1, 16));
    *cr = _mm256_packs_epi32(_mm256_srli_epi32(cr0, 16), _mm256_srli_epi32(cr1, 16));
}

/* R, G, B of the 16 pixels at p (48 bytes) as 16-bit lanes in pixel order:
 * each 128-bit half takes 8 pixels (24 bytes) from two overlapping 16-byte
 * loads, bytes 0..15 and 8..23, and one byte shuffle per load and channel
 * picks the channel's bytes, zero-extended (index -1 writes 0). */
JL_TARGET_AVX2 static inline void jl_rgb_split16_avx2(const uint8_t *p, __m256i *r, __m256i *g,
                                                      __m256i *b)
{
    const __m256i a = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)p)),
        _mm_loadu_si128((const __m128i *)(p + 24)), 1);
    const __m256i c = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(p + 8))),
        _mm_loadu_si128((const __m128i *)(p + 32)), 1);
#define JL_PICK(i0, i1, i2, i3, i4, i5, i6, i7) _mm256_setr_epi8( \
        i0, -1, i1, -1, i2, -1, i3, -1, i4, -1, i5, -1, i6, -1, i7, -1, \
        i0, -1, i1, -1, i2, -1, i3, -1, i4, -1, i5, -1, i6, -1, i7, -1)
    /* channel k of pixel j is byte 3j + k: in a for 3j + k < 16, else byte
     * 3j + k - 8 of c */
    *r = _mm256_or_si256(_mm256_shuffle_epi8(a, JL_PICK(0, 3, 6, 9, 12, 15, -1, -1)),
                         _mm256_shuffle_epi8(c, JL_PICK(-1, -1, -1, -1, -1, -1, 10, 13)));
    *g = _mm256_or_si256(_mm256_shuffle_epi8(a, JL_PICK(1, 4, 7, 10, 13, -1, -1, -1)),
                         _mm256_shuffle_epi8(c, JL_PICK(-1, -1, -1, -1, -1, 8, 11, 14)));
    *b = _mm256_or_si256(_mm256_shuffle_epi8(a, JL_PICK(2, 5, 8, 11, 14, -1, -1, -1)),
                         _mm256_shuffle_epi8(c, JL_PICK(-1, -1, -1, -1, -1, 9, 12, 15)));
#undef JL_PICK
}

/* The first n - n % 32 pixels; returns how many it converted. */
JL_TARGET_AVX2 static ptrdiff_t jl_rgb_ycc_avx2(const uint8_t *rgb, uint8_t *y, uint8_t *cb,
                                               uint8_t *cr, ptrdiff_t n)
{
    ptrdiff_t i;
    for (i = 0; i + 32 <= n; i += 32) {
        __m256i r0, g0, b0, r1, g1, b1, y0, cb0, cr0, y1, cb1, cr1;
        jl_rgb_split16_avx2(rgb + 3 * i, &r0, &g0, &b0);
        jl_rgb_split16_avx2(rgb + 3 * i + 48, &r1, &g1, &b1);
        jl_rgb_ycc16_avx2(r0, g0, b0, &y0, &cb0, &cr0);
        jl_rgb_ycc16_avx2(r1, g1, b1, &y1, &cb1, &cr1);
        /* packus interleaves the halves (0-7, 16-23 | 8-15, 24-31): qwords 0, 2, 1, 3 */
        _mm256_storeu_si256((__m256i *)(y + i), _mm256_permute4x64_epi64(_mm256_packus_epi16(y0, y1), 0xD8));
        _mm256_storeu_si256((__m256i *)(cb + i), _mm256_permute4x64_epi64(_mm256_packus_epi16(cb0, cb1), 0xD8));
        _mm256_storeu_si256((__m256i *)(cr + i), _mm256_permute4x64_epi64(_mm256_packus_epi16(cr0, cr1), 0xD8));
    }
    return i;
}
#endif

/* n interleaved RGB pixels to Y, Cb, Cr (the output rows never overlap the input). */
static inline void jl_rgb_ycc_row(const uint8_t *rgb, uint8_t *JL_RESTRICT y,
                                  uint8_t *JL_RESTRICT cb, uint8_t *JL_RESTRICT cr,
                                  ptrdiff_t n, int level)
{
    ptrdiff_t done = 0;
#if JL_AVX2
    if (level >= JL_SIMD_AVX2)
        done = jl_rgb_ycc_avx2(rgb, y, cb, cr, n);
#endif
#if JL_SSE2
    if (level >= JL_SIMD_SSE2)
        done += jl_rgb_ycc_sse2(rgb + 3 * done, y + done, cb + done, cr + done, n - done);
#endif
    (void)level;
    jl_rgb_ycc_scalar(rgb, y, cb, cr, done, n);
}

/* ==== decode: YCbCr -> RGB ==== */

#define JL_YCC_SCALEBITS 16
#define JL_YCC_HALF 32768
#define JL_FIX_1_40200 91881
#define JL_FIX_1_77200 116130
#define JL_FIX_0_71414 46802
#define JL_FIX_0_34414 22554

/* libjpeg's jdcolor.c tables: per Cr the R term and per Cb the B term
 * (rounded), per Cr and Cb the G terms (+ 1/2 folded into Cb's, summed before
 * the shift); and a range limit, clamp[v + 384] = v limited to 0..255. */
typedef struct {
    int32_t cr_r[256];
    int32_t cb_b[256];
    int32_t cr_g[256];
    int32_t cb_g[256];
    uint8_t clamp[1024];
} jl_ycc_tables;

static inline void jl_build_ycc_tables(jl_ycc_tables *t)
{
    int i, x;
    for (i = 0; i < 256; i++) {
        x = i - 128;
        t->cr_r[i] = (JL_FIX_1_40200 * x + JL_YCC_HALF) >> JL_YCC_SCALEBITS;
        t->cb_b[i] = (JL_FIX_1_77200 * x + JL_YCC_HALF) >> JL_YCC_SCALEBITS;
        t->cr_g[i] = -JL_FIX_0_71414 * x;
        t->cb_g[i] = -JL_FIX_0_34414 * x + JL_YCC_HALF;
    }
    for (i = 0; i < 1024; i++)
        t->clamp[i] = (uint8_t)(i < 384 ? 0 : i > 384 + 255 ? 255 : i - 384);
}

/* Pixels x0..w-1, each as R, G, B in the first 3 of its `step` bytes: R and B
 * round their term, G rounds the sum of its two terms once. */
static inline void jl_ycc_rgb_scalar(const uint8_t *y, const uint8_t *cb, const uint8_t *cr,
                                     uint8_t *out, int x0, int w, int step,
                                     const jl_ycc_tables *t)
{
    const uint8_t *lim = t->clamp + 384;
    int x;
    for (x = x0; x < w; x++) {
        int32_t yy = y[x], b = cb[x], r = cr[x];
        uint8_t *o = out + step * x;
        o[0] = lim[yy + t->cr_r[r]];
        o[1] = lim[yy + ((t->cb_g[b] + t->cr_g[r]) >> JL_YCC_SCALEBITS)];
        o[2] = lim[yy + t->cb_b[b]];
    }
}

#if JL_SSE2
/* 8 pixels: y, cb', cr' as 16-bit lanes -> r, g, b as 16-bit lanes. The
 * constants too large for a 16-bit multiplier are split exactly (91881 =
 * 3 x 30627, 116130 = 5 x 23226, 46802 = 2 x 23401) so that pmaddwd forms
 * every product in 32 bits without rounding. */
static inline void jl_ycc_rgb8(__m128i y, __m128i cb, __m128i cr,
                               __m128i *r, __m128i *g, __m128i *b)
{
    const __m128i half = _mm_set1_epi32(32768);
    const __m128i kr = _mm_setr_epi16(30627, 0, 30627, 0, 30627, 0, 30627, 0);
    const __m128i kb = _mm_setr_epi16(23226, 0, 23226, 0, 23226, 0, 23226, 0);
    const __m128i kg = _mm_setr_epi16(-22554, -23401, -22554, -23401,
                                      -22554, -23401, -22554, -23401);
    const __m128i zero = _mm_setzero_si128();
    __m128i cr3 = _mm_add_epi16(_mm_add_epi16(cr, cr), cr);
    __m128i cb5 = _mm_add_epi16(_mm_slli_epi16(cb, 2), cb);
    __m128i cr2 = _mm_add_epi16(cr, cr);
    __m128i lo, hi;
    lo = _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(cr3, zero), kr), half), 16);
    hi = _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(cr3, zero), kr), half), 16);
    *r = _mm_add_epi16(y, _mm_packs_epi32(lo, hi));
    lo = _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(cb5, zero), kb), half), 16);
    hi = _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(cb5, zero), kb), half), 16);
    *b = _mm_add_epi16(y, _mm_packs_epi32(lo, hi));
    lo = _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpacklo_epi16(cb, cr2), kg), half), 16);
    hi = _mm_srai_epi32(_mm_add_epi32(_mm_madd_epi16(_mm_unpackhi_epi16(cb, cr2), kg), half), 16);
    *g = _mm_add_epi16(y, _mm_packs_epi32(lo, hi));
}

/* 4 pixels as r g b 0 (32 bits each) -> their 12 bytes r g b ... in the low
 * 12 bytes of the result */
static inline __m128i jl_rgb0_to_rgb(__m128i p)
{
    const __m128i m_px0 = _mm_set_epi32(0, 0x00FFFFFF, 0, 0x00FFFFFF);
    const __m128i m_px1 = _mm_set_epi32(0x0000FFFF, (int)0xFF000000, 0x0000FFFF, (int)0xFF000000);
    const __m128i m_lane0 = _mm_set_epi32(0, 0, 0x0000FFFF, -1);
    __m128i c = _mm_or_si128(_mm_and_si128(p, m_px0),
                             _mm_and_si128(_mm_srli_epi64(p, 8), m_px1));
    return _mm_or_si128(_mm_and_si128(c, m_lane0), _mm_slli_si128(_mm_srli_si128(c, 8), 6));
}

/* A prefix of a row, 16 pixels at a time; returns how many pixels it did.
 * step 3 writes packed RGB (each 16-byte store runs 4 bytes into pixels that
 * a later store or the scalar tail writes, hence the 2-pixel margin), step 4
 * writes r g b 0 per pixel (byte 3 is the caller's, written after). */
static inline int jl_ycc_rgb_sse2(const uint8_t *y, const uint8_t *cb, const uint8_t *cr,
                                  uint8_t *out, int w, int step)
{
    const __m128i zero = _mm_setzero_si128();
    const __m128i c128 = _mm_set1_epi16(128);
    int x, i;
    for (x = 0; x + 18 <= w; x += 16) {
        __m128i vy = _mm_loadu_si128((const __m128i *)(y + x));
        __m128i vb = _mm_loadu_si128((const __m128i *)(cb + x));
        __m128i vr = _mm_loadu_si128((const __m128i *)(cr + x));
        __m128i r0, g0, b0, r1, g1, b1, r, g, b, rgl, rgh, bzl, bzh, px[4];
        jl_ycc_rgb8(_mm_unpacklo_epi8(vy, zero), _mm_sub_epi16(_mm_unpacklo_epi8(vb, zero), c128),
                    _mm_sub_epi16(_mm_unpacklo_epi8(vr, zero), c128), &r0, &g0, &b0);
        jl_ycc_rgb8(_mm_unpackhi_epi8(vy, zero), _mm_sub_epi16(_mm_unpackhi_epi8(vb, zero), c128),
                    _mm_sub_epi16(_mm_unpackhi_epi8(vr, zero), c128), &r1, &g1, &b1);
        /* packus limits to 0..255, as libjpeg's range-limit table does */
        r = _mm_packus_epi16(r0, r1);
        g = _mm_packus_epi16(g0, g1);
        b = _mm_packus_epi16(b0, b1);
        rgl = _mm_unpacklo_epi8(r, g);
        rgh = _mm_unpackhi_epi8(r, g);
        bzl = _mm_unpacklo_epi8(b, zero);
        bzh = _mm_unpackhi_epi8(b, zero);
        px[0] = _mm_unpacklo_epi16(rgl, bzl);
        px[1] = _mm_unpackhi_epi16(rgl, bzl);
        px[2] = _mm_unpacklo_epi16(rgh, bzh);
        px[3] = _mm_unpackhi_epi16(rgh, bzh);
        if (step == 3) {
            for (i = 0; i < 4; i++)
                _mm_storeu_si128((__m128i *)(out + 3 * x + 12 * i), jl_rgb0_to_rgb(px[i]));
        } else {
            for (i = 0; i < 4; i++)
                _mm_storeu_si128((__m128i *)(out + step * x + 16 * i), px[i]);
        }
    }
    return x;
}
#endif

#if JL_AVX2
/* jl_ycc_rgb8 on 16 pixels (each 128-bit half on its own). */
JL_TARGET_AVX2 static inline void jl_ycc_rgb16_avx2(__m256i y, __m256i cb, __m256i cr,
                                                     __m256i *r, __m256i *g, __m256i *b)
{
    const __m256i half = _mm256_set1_epi32(32768);
    const __m256i kr = _mm256_set1_epi32(30627);
    const __m256i kb = _mm256_set1_epi32(23226);
    const __m256i kg = _mm256_set1_epi32((int)(((unsigned)(-23401) << 16) | (unsigned)(-22554 & 0xFFFF)));
    const __m256i zero = _mm256_setzero_si256();
    __m256i cr3 = _mm256_add_epi16(_mm256_add_epi16(cr, cr), cr);
    __m256i cb5 = _mm256_add_epi16(_mm256_slli_epi16(cb, 2), cb);
    __m256i cr2 = _mm256_add_epi16(cr, cr);
    __m256i lo, hi;
    lo = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(cr3, zero), kr), half), 16);
    hi = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(cr3, zero), kr), half), 16);
    *r = _mm256_add_epi16(y, _mm256_packs_epi32(lo, hi));
    lo = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(cb5, zero), kb), half), 16);
    hi = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(cb5, zero), kb), half), 16);
    *b = _mm256_add_epi16(y, _mm256_packs_epi32(lo, hi));
    lo = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(cb, cr2), kg), half), 16);
    hi = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(cb, cr2), kg), half), 16);
    *g = _mm256_add_epi16(y, _mm256_packs_epi32(lo, hi));
}

/* A prefix of a row, 32 pixels at a time; returns how many pixels it did.
 * Writes stay inside those pixels (step 3: the last 24 bytes of each 96 go
 * out as 16 + 8). */
JL_TARGET_AVX2 static int jl_ycc_rgb_avx2(const uint8_t *y, const uint8_t *cb, const uint8_t *cr,
                                         uint8_t *out, int w, int step)
{
    const __m256i zero = _mm256_setzero_si256();
    const __m256i c128 = _mm256_set1_epi16(128);
    /* r g b 0 x 4 -> the 12 bytes r g b x 4 at the bottom of each half */
    const __m256i pack3 = _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1,
                                           0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    const __m256i join3 = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
    int x, i;
    for (x = 0; x + 32 <= w; x += 32) {
        __m256i vy = _mm256_loadu_si256((const __m256i *)(y + x));
        __m256i vb = _mm256_loadu_si256((const __m256i *)(cb + x));
        __m256i vr = _mm256_loadu_si256((const __m256i *)(cr + x));
        __m256i r0, g0, b0, r1, g1, b1, r, g, b, rgl, rgh, bzl, bzh, px[4], o[4];
        /* lo: pixels 0-7 | 16-23, hi: 8-15 | 24-31; packus puts them back in order */
        jl_ycc_rgb16_avx2(_mm256_unpacklo_epi8(vy, zero),
                          _mm256_sub_epi16(_mm256_unpacklo_epi8(vb, zero), c128),
                          _mm256_sub_epi16(_mm256_unpacklo_epi8(vr, zero), c128), &r0, &g0, &b0);
        jl_ycc_rgb16_avx2(_mm256_unpackhi_epi8(vy, zero),
                          _mm256_sub_epi16(_mm256_unpackhi_epi8(vb, zero), c128),
                          _mm256_sub_epi16(_mm256_unpackhi_epi8(vr, zero), c128), &r1, &g1, &b1);
        r = _mm256_packus_epi16(r0, r1);
        g = _mm256_packus_epi16(g0, g1);
        b = _mm256_packus_epi16(b0, b1);
        rgl = _mm256_unpacklo_epi8(r, g);          /* pixels 0-7 | 16-23 */
        rgh = _mm256_unpackhi_epi8(r, g);          /* 8-15 | 24-31 */
        bzl = _mm256_unpacklo_epi8(b, zero);
        bzh = _mm256_unpackhi_epi8(b, zero);
        px[0] = _mm256_unpacklo_epi16(rgl, bzl);   /* 0-3 | 16-19 */
        px[1] = _mm256_unpackhi_epi16(rgl, bzl);   /* 4-7 | 20-23 */
        px[2] = _mm256_unpacklo_epi16(rgh, bzh);   /* 8-11 | 24-27 */
        px[3] = _mm256_unpackhi_epi16(rgh, bzh);   /* 12-15 | 28-31 */
        o[0] = _mm256_permute2x128_si256(px[0], px[1], 0x20);   /* 0-7 */
        o[1] = _mm256_permute2x128_si256(px[2], px[3], 0x20);   /* 8-15 */
        o[2] = _mm256_permute2x128_si256(px[0], px[1], 0x31);   /* 16-23 */
        o[3] = _mm256_permute2x128_si256(px[2], px[3], 0x31);   /* 24-31 */
        if (step == 3) {
            for (i = 0; i < 4; i++)
                o[i] = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(o[i], pack3), join3);
            for (i = 0; i < 3; i++)    /* the 8 bytes past each are the next one's */
                _mm256_storeu_si256((__m256i *)(out + 3 * x + 24 * i), o[i]);
            _mm_storeu_si128((__m128i *)(out + 3 * x + 72), _mm256_castsi256_si128(o[3]));
            _mm_storel_epi64((__m128i *)(out + 3 * x + 88), _mm256_extracti128_si256(o[3], 1));
        } else {
            for (i = 0; i < 4; i++)
                _mm256_storeu_si256((__m256i *)(out + step * x + 32 * i), o[i]);
        }
    }
    return x;
}
#endif

/* A row of w pixels to R, G, B in the first 3 of each `step` (3 or 4) bytes;
 * with step 4 the 4th byte of each pixel is left for the caller to write. */
static inline void jl_ycc_rgb_row(const uint8_t *y, const uint8_t *cb, const uint8_t *cr,
                                  uint8_t *out, int w, int step, const jl_ycc_tables *t,
                                  int level)
{
    int done = 0;
#if JL_AVX2
    if (level >= JL_SIMD_AVX2)
        done = jl_ycc_rgb_avx2(y, cb, cr, out, w, step);
#endif
#if JL_SSE2
    if (level >= JL_SIMD_SSE2)
        done += jl_ycc_rgb_sse2(y + done, cb + done, cr + done, out + step * done, w - done, step);
#endif
    (void)level;
    jl_ycc_rgb_scalar(y, cb, cr, out, done, w, step, t);
}

#endif
