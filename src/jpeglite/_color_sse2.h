/* YCbCr -> RGB for 16 pixels at a time with SSE2 (every x86-64 CPU; no
 * compiler flag needed).  Elsewhere JL_HAVE_SSE2_COLOR is 0 and the Cython
 * row kernel in _color.pxd does all the pixels.
 *
 * The arithmetic is exactly libjpeg's (and _color.pxd's): with Cb' = Cb - 128,
 * Cr' = Cr - 128 and 16-bit fixed-point constants,
 *   R = Y + ((91881 Cr' + 32768) >> 16)
 *   G = Y + ((32768 - 22554 Cb' - 46802 Cr') >> 16)
 *   B = Y + ((116130 Cb' + 32768) >> 16)
 * limited to 0..255.  The constants too large for a 16-bit multiplier are
 * split exactly (91881 = 3 x 30627, 116130 = 5 x 23226, 46802 = 2 x 23401)
 * so that pmaddwd forms every product in 32 bits without rounding.
 * tests/test_color.py checks the result against a numpy reference.
 */
#ifndef JPEGLITE_COLOR_SSE2_H
#define JPEGLITE_COLOR_SSE2_H

#include <stdint.h>

#include "_simd.h"
#if JL_SSE2
#include <emmintrin.h>
#define JL_HAVE_SSE2_COLOR 1

/* 8 pixels: y, cb', cr' as 16-bit lanes -> r, g, b as 16-bit lanes */
static inline void jl_ycc8(__m128i y, __m128i cb, __m128i cr,
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

/* Convert a prefix of a row, 16 pixels at a time; returns how many pixels
 * it did.  step 3 writes packed RGB (each 16-byte store runs 4 bytes into
 * pixels that a later store or the caller's loop writes, hence the margin),
 * step 4 writes the first 3 bytes of each 4-byte pixel. */
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
        jl_ycc8(_mm_unpacklo_epi8(vy, zero), _mm_sub_epi16(_mm_unpacklo_epi8(vb, zero), c128),
                _mm_sub_epi16(_mm_unpacklo_epi8(vr, zero), c128), &r0, &g0, &b0);
        jl_ycc8(_mm_unpackhi_epi8(vy, zero), _mm_sub_epi16(_mm_unpackhi_epi8(vb, zero), c128),
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
            /* r g b 0 per pixel; byte 3 is K, which the caller writes after */
            for (i = 0; i < 4; i++)
                _mm_storeu_si128((__m128i *)(out + step * x + 16 * i), px[i]);
        }
    }
    return x;
}

#else
#define JL_HAVE_SSE2_COLOR 0
static inline int jl_ycc_rgb_sse2(const uint8_t *y, const uint8_t *cb, const uint8_t *cr,
                                  uint8_t *out, int w, int step)
{
    (void)y; (void)cb; (void)cr; (void)out; (void)w; (void)step;
    return 0;
}
#endif

#endif
