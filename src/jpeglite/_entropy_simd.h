/* The entropy coder's one vector kernel, as scalar reference and SSE2 variant
 * side by side (the convention: _simd.h).
 *
 *   jl_nonzero_mask  bit i set when coefficient i of a 64-coefficient block
 *                    is non-zero (the coder then walks the set bits) */
#ifndef JPEGLITE_ENTROPY_SIMD_H
#define JPEGLITE_ENTROPY_SIMD_H

#include <stdint.h>

#include "_simd.h"

static inline uint64_t jl_nonzero_mask_scalar(const int16_t *b)
{
    uint64_t m = 0;
    int i;
    for (i = 0; i < 64; i++)
        m |= (uint64_t)(b[i] != 0) << i;
    return m;
}

#if JL_SSE2
/* 16 coefficients a step: compare with zero, pack to bytes, movemask. */
static inline uint64_t jl_nonzero_mask_sse2(const int16_t *b)
{
    const __m128i z = _mm_setzero_si128();
    uint64_t zero = 0;
    int i;
    for (i = 0; i < 4; i++) {
        __m128i a = _mm_loadu_si128((const __m128i *)(b + 16 * i));
        __m128i c = _mm_loadu_si128((const __m128i *)(b + 16 * i + 8));
        __m128i p = _mm_packs_epi16(_mm_cmpeq_epi16(a, z), _mm_cmpeq_epi16(c, z));
        zero |= (uint64_t)(unsigned)_mm_movemask_epi8(p) << (16 * i);
    }
    return ~zero;
}
#endif

static inline uint64_t jl_nonzero_mask(const int16_t *b, int level)
{
#if JL_SSE2
    if (level >= JL_SIMD_SSE2)
        return jl_nonzero_mask_sse2(b);
#endif
    (void)level;
    return jl_nonzero_mask_scalar(b);
}

#endif
