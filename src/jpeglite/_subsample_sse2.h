/* The middle of libjpeg's "fancy" (triangular) 2x upsampling rows, 8 input
 * samples at a time with SSE2 (every x86-64 CPU; no compiler flag needed).
 * Elsewhere the functions do nothing and return 1, and the Cython kernels in
 * _subsample.pxd do all the samples.  Same integer formulas as those kernels:
 *   h2v1: out[2x] = (3 in[x] + in[x-1] + 1) >> 2, out[2x+1] = (3 in[x] + in[x+1] + 2) >> 2
 *   h2v2: with c[x] = 3 near[x] + far[x],
 *         out[2x] = (3 c[x] + c[x-1] + 8) >> 4, out[2x+1] = (3 c[x] + c[x+1] + 7) >> 4
 * Both return the first x (>= 1) they did not do; columns 0 and w-1 are
 * always left to the caller (they replicate the edge).
 */
#ifndef JPEGLITE_SUBSAMPLE_SSE2_H
#define JPEGLITE_SUBSAMPLE_SSE2_H

#include <stdint.h>

#include "_simd.h"
#if JL_SSE2
#include <emmintrin.h>

static inline __m128i jl_load8(const uint8_t *p)
{
    return _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)p), _mm_setzero_si128());
}

static inline __m128i jl_times3(__m128i v)
{
    return _mm_add_epi16(_mm_add_epi16(v, v), v);
}

static inline int jl_h2v1_fancy_mid(const uint8_t *in, int w, uint8_t *out)
{
    int x;
    const __m128i one = _mm_set1_epi16(1), two = _mm_set1_epi16(2);
    for (x = 1; x + 8 < w; x += 8) {
        __m128i c = jl_times3(jl_load8(in + x));
        __m128i e = _mm_srli_epi16(_mm_add_epi16(_mm_add_epi16(c, jl_load8(in + x - 1)), one), 2);
        __m128i o = _mm_srli_epi16(_mm_add_epi16(_mm_add_epi16(c, jl_load8(in + x + 1)), two), 2);
        _mm_storeu_si128((__m128i *)(out + 2 * x),
                         _mm_packus_epi16(_mm_unpacklo_epi16(e, o), _mm_unpackhi_epi16(e, o)));
    }
    return x;
}

static inline int jl_h2v2_fancy_mid(const uint8_t *near, const uint8_t *far, int w,
                                    uint8_t *out)
{
    int x;
    const __m128i eight = _mm_set1_epi16(8), seven = _mm_set1_epi16(7);
    for (x = 1; x + 8 < w; x += 8) {
        __m128i cl = _mm_add_epi16(jl_times3(jl_load8(near + x - 1)), jl_load8(far + x - 1));
        __m128i cc = _mm_add_epi16(jl_times3(jl_load8(near + x)), jl_load8(far + x));
        __m128i cr = _mm_add_epi16(jl_times3(jl_load8(near + x + 1)), jl_load8(far + x + 1));
        __m128i c3 = jl_times3(cc);
        __m128i e = _mm_srli_epi16(_mm_add_epi16(_mm_add_epi16(c3, cl), eight), 4);
        __m128i o = _mm_srli_epi16(_mm_add_epi16(_mm_add_epi16(c3, cr), seven), 4);
        _mm_storeu_si128((__m128i *)(out + 2 * x),
                         _mm_packus_epi16(_mm_unpacklo_epi16(e, o), _mm_unpackhi_epi16(e, o)));
    }
    return x;
}

#else
static inline int jl_h2v1_fancy_mid(const uint8_t *in, int w, uint8_t *out)
{
    (void)in; (void)w; (void)out;
    return 1;
}

static inline int jl_h2v2_fancy_mid(const uint8_t *near, const uint8_t *far, int w,
                                    uint8_t *out)
{
    (void)near; (void)far; (void)w; (void)out;
    return 1;
}
#endif

#endif
