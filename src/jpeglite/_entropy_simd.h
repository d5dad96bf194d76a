/* The entropy coder's vector kernels, scalar reference and variants side by
 * side (the convention: _simd.h).
 *
 *   jl_nonzero_mask  bit i set when coefficient i of a 64-coefficient block
 *                    is non-zero (natural order; the coder maps it to zigzag
 *                    order by 8 table lookups: ZigzagMap in _entropy.pxd)
 *   jl_zigzag_mask_avx2
 *                    bit k set when zigzag coefficient k is non-zero, in one
 *                    step: the non-zero bytes are put in zigzag order by
 *                    byte shuffles (tables from jl_zigzag_shuffles) before
 *                    the movemask, so no lookups follow */
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

/* The shuffle tables of jl_zigzag_mask_packed_avx2 for the zigzag order zz
 * (zz[k]: natural index of zigzag position k): 8 tables of 32 bytes,
 * shuf[32 * (4 * r + s) + 16 * L + i] the byte of source s that goes to
 * zigzag position 32 r + 16 L + i, 0x80 (a zero byte) where s does not hold
 * it. The sources: two registers p = 0, 1 of the coefficients packed to
 * bytes, pos[n] the byte coefficient n (natural order) is in, 32 p + 16 lane
 * + offset; s = 2 p as packed and s = 2 p + 1 with its lanes swapped, since
 * a byte shuffle stays in its lane. */
static inline void jl_zigzag_shuffles_at(const int *zz, const int *pos, uint8_t *shuf)
{
    int k;
    memset(shuf, 0x80, 256);
    for (k = 0; k < 64; k++) {
        int b = pos[zz[k] & 63], r = k >> 5, lane_out = (k >> 4) & 1, i = k & 15;
        int p = b >> 5, lane_in = (b >> 4) & 1;
        int s = 2 * p + (lane_in != lane_out);
        shuf[32 * (4 * r + s) + 16 * lane_out + i] = (uint8_t)(b & 15);
    }
}

/* The tables of jl_zigzag_mask_avx2, whose packs take the block in natural
 * order, two registers at a time (coefficients 32 p + 0..31: lane 0 holds
 * 0-7 then 16-23, lane 1 8-15 then 24-31). */
static inline void jl_zigzag_shuffles(const int *zz, uint8_t *shuf)
{
    int n, pos[64];
    for (n = 0; n < 64; n++) {
        int w = n & 31;
        pos[n] = 32 * (n >> 5) + 16 * ((w >> 3) & 1) + ((w & 7) | ((w >> 4) << 3));
    }
    jl_zigzag_shuffles_at(zz, pos, shuf);
}

#if JL_AVX2
/* The zigzag mask of a block packed to bytes in p0, p1 (shuf from
 * jl_zigzag_shuffles_at for that packing). Signed saturation keeps a
 * non-zero int16 non-zero as a byte, so the packs lose nothing the mask
 * needs; the compare with zero comes after the shuffles, on two registers
 * instead of four. */
JL_TARGET_AVX2 static inline uint64_t jl_zigzag_mask_packed_avx2(__m256i p0, __m256i p1,
                                                                const uint8_t *shuf)
{
    const __m256i *t = (const __m256i *)shuf;
    __m256i q0 = _mm256_permute4x64_epi64(p0, 0x4E), q1 = _mm256_permute4x64_epi64(p1, 0x4E);
    __m256i z0 = _mm256_or_si256(
        _mm256_or_si256(_mm256_shuffle_epi8(p0, _mm256_loadu_si256(t)),
                        _mm256_shuffle_epi8(q0, _mm256_loadu_si256(t + 1))),
        _mm256_or_si256(_mm256_shuffle_epi8(p1, _mm256_loadu_si256(t + 2)),
                        _mm256_shuffle_epi8(q1, _mm256_loadu_si256(t + 3))));
    __m256i z1 = _mm256_or_si256(
        _mm256_or_si256(_mm256_shuffle_epi8(p0, _mm256_loadu_si256(t + 4)),
                        _mm256_shuffle_epi8(q0, _mm256_loadu_si256(t + 5))),
        _mm256_or_si256(_mm256_shuffle_epi8(p1, _mm256_loadu_si256(t + 6)),
                        _mm256_shuffle_epi8(q1, _mm256_loadu_si256(t + 7))));
    const __m256i zero = _mm256_setzero_si256();
    uint64_t lo = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(z0, zero));
    uint64_t hi = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(z1, zero));
    return ~(lo | hi << 32);
}

/* The mask of a block in memory (natural order). A call (its own target). */
JL_TARGET_AVX2 static uint64_t jl_zigzag_mask_avx2(const int16_t *b, const uint8_t *shuf)
{
    const __m256i *v = (const __m256i *)b;
    return jl_zigzag_mask_packed_avx2(
        _mm256_packs_epi16(_mm256_loadu_si256(v), _mm256_loadu_si256(v + 1)),
        _mm256_packs_epi16(_mm256_loadu_si256(v + 2), _mm256_loadu_si256(v + 3)), shuf);
}
#define JL_ZIGZAG_AVX2(level) ((level) >= JL_SIMD_AVX2)
#else
/* never called: JL_ZIGZAG_AVX2 is a constant 0 and the call dead code */
static inline uint64_t jl_zigzag_mask_avx2(const int16_t *b, const uint8_t *shuf)
{
    (void)b;
    (void)shuf;
    return 0;
}
#define JL_ZIGZAG_AVX2(level) 0
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
