/* Whether the SSE2 kernels are compiled: one switch for every module.
 *
 * SSE2 is part of every x86-64 CPU (and of 32-bit x86 built for it), so the
 * kernels need no special compiler flag. Building with -DJL_NO_SIMD
 * (CFLAGS=-DJL_NO_SIMD) compiles the portable scalar paths instead, which is
 * how they are tested on x86-64. */
#ifndef JPEGLITE_SIMD_H
#define JPEGLITE_SIMD_H

#if (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)) \
    && !defined(JL_NO_SIMD)
#define JL_SSE2 1
#include <emmintrin.h>

/* Transpose the 8x8 int16 matrix whose rows are r[0..7], in place (the
 * FDCT and IDCT run their column pass as a row pass between two of these). */
static inline void jl_transpose8x16(__m128i *r)
{
    __m128i a0 = _mm_unpacklo_epi16(r[0], r[1]), a1 = _mm_unpackhi_epi16(r[0], r[1]);
    __m128i a2 = _mm_unpacklo_epi16(r[2], r[3]), a3 = _mm_unpackhi_epi16(r[2], r[3]);
    __m128i a4 = _mm_unpacklo_epi16(r[4], r[5]), a5 = _mm_unpackhi_epi16(r[4], r[5]);
    __m128i a6 = _mm_unpacklo_epi16(r[6], r[7]), a7 = _mm_unpackhi_epi16(r[6], r[7]);
    __m128i b0 = _mm_unpacklo_epi32(a0, a2), b1 = _mm_unpackhi_epi32(a0, a2);
    __m128i b2 = _mm_unpacklo_epi32(a1, a3), b3 = _mm_unpackhi_epi32(a1, a3);
    __m128i b4 = _mm_unpacklo_epi32(a4, a6), b5 = _mm_unpackhi_epi32(a4, a6);
    __m128i b6 = _mm_unpacklo_epi32(a5, a7), b7 = _mm_unpackhi_epi32(a5, a7);
    r[0] = _mm_unpacklo_epi64(b0, b4); r[1] = _mm_unpackhi_epi64(b0, b4);
    r[2] = _mm_unpacklo_epi64(b1, b5); r[3] = _mm_unpackhi_epi64(b1, b5);
    r[4] = _mm_unpacklo_epi64(b2, b6); r[5] = _mm_unpackhi_epi64(b2, b6);
    r[6] = _mm_unpacklo_epi64(b3, b7); r[7] = _mm_unpackhi_epi64(b3, b7);
}
#else
#define JL_SSE2 0
#endif

#endif
