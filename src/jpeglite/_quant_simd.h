/* Quantization of a block, as scalar reference, SSE2 and AVX2 variants side
 * by side (the convention: _simd.h).
 *
 *   jl_quantize_block  encode: FDCT output (natural order) -> quantized
 *
 * out = sign(c) * floor((|c| + d/2) / d), d = 8 * Q: libjpeg's rounding (half
 * away from zero), with the division done as 16-bit multiplies. x = |c| + d/2
 * < 2**16 (|c| <= 2**15 for 8-bit samples, d/2 <= 8188). With L = ceil(log2 d)
 * and m = floor(2**(16+L) / d) + 1, floor(x / d) == (x * m) >> (16 + L) for
 * all x < 2**16 (Granlund & Montgomery 1994, Theorem 4.2: 2**(16+L) < m*d <=
 * 2**(16+L) + 2**L). m lies in (2**16, 2**17), so it is applied as
 * m = 2**16 + mlo: hi = (x * mlo) >> 16, then (x + hi) >> L ==
 * (hi + ((x - hi) >> 1)) >> (L - 1) without leaving 16 bits, and the shift by
 * L - 1 (>= 2) is a high-half multiply by 2**(17 - L). Every step is a 16-bit
 * high or low multiply, add or shift: exactly libjpeg's integer division. */
#ifndef JPEGLITE_QUANT_SIMD_H
#define JPEGLITE_QUANT_SIMD_H

#include <stdint.h>

#include "_simd.h"

/* The divisors of one table, per coefficient (natural order). */
typedef struct {
    uint16_t half[64];      /* d / 2, the rounding term */
    uint16_t mlo[64];       /* m - 2**16 */
    uint16_t scale[64];     /* 2**(17 - L) */
} jl_quant_divisors;

static inline void jl_quantize_scalar(const int16_t *coef, const jl_quant_divisors *q,
                                      int16_t *out)
{
    int i;
    for (i = 0; i < 64; i++) {
        int16_t c = coef[i], s = (int16_t)(c >> 15);     /* s: 0 or -1 */
        uint16_t x = (uint16_t)((uint16_t)((c ^ s) - s) + q->half[i]);
        uint16_t hi = (uint16_t)(((uint32_t)x * q->mlo[i]) >> 16);
        uint16_t t = (uint16_t)(hi + ((uint16_t)(x - hi) >> 1));
        uint16_t r = (uint16_t)(((uint32_t)t * q->scale[i]) >> 16);
        out[i] = (int16_t)((r ^ s) - s);
    }
}

#if JL_SSE2
/* Eight coefficients a step, pmulhuw for the high-half multiplies. */
static inline void jl_quantize_sse2(const int16_t *coef, const jl_quant_divisors *q,
                                    int16_t *out)
{
    int i;
    for (i = 0; i < 64; i += 8) {
        __m128i c = _mm_loadu_si128((const __m128i *)(coef + i));
        __m128i s = _mm_srai_epi16(c, 15);
        __m128i x = _mm_add_epi16(_mm_sub_epi16(_mm_xor_si128(c, s), s),
                                  _mm_loadu_si128((const __m128i *)(q->half + i)));
        __m128i hi = _mm_mulhi_epu16(x, _mm_loadu_si128((const __m128i *)(q->mlo + i)));
        __m128i t = _mm_add_epi16(hi, _mm_srli_epi16(_mm_sub_epi16(x, hi), 1));
        __m128i r = _mm_mulhi_epu16(t, _mm_loadu_si128((const __m128i *)(q->scale + i)));
        _mm_storeu_si128((__m128i *)(out + i), _mm_sub_epi16(_mm_xor_si128(r, s), s));
    }
}
#endif

#if JL_AVX2
/* The SSE2 steps on 16 coefficients c, with their divisors' half, mlo and
 * scale entries. */
JL_TARGET_AVX2 static inline __m256i jl_quantize16_avx2(__m256i c, const uint16_t *half,
                                                      const uint16_t *mlo, const uint16_t *scale)
{
    __m256i s = _mm256_srai_epi16(c, 15);
    __m256i x = _mm256_add_epi16(_mm256_abs_epi16(c), _mm256_loadu_si256((const __m256i *)half));
    __m256i hi = _mm256_mulhi_epu16(x, _mm256_loadu_si256((const __m256i *)mlo));
    __m256i t = _mm256_add_epi16(hi, _mm256_srli_epi16(_mm256_sub_epi16(x, hi), 1));
    __m256i r = _mm256_mulhi_epu16(t, _mm256_loadu_si256((const __m256i *)scale));
    return _mm256_sub_epi16(_mm256_xor_si256(r, s), s);
}

JL_TARGET_AVX2 static void jl_quantize_avx2(const int16_t *coef, const jl_quant_divisors *q,
                                           int16_t *out)
{
    int i;
    for (i = 0; i < 64; i += 16)
        _mm256_storeu_si256((__m256i *)(out + i),
                            jl_quantize16_avx2(_mm256_loadu_si256((const __m256i *)(coef + i)),
                                               q->half + i, q->mlo + i, q->scale + i));
}
#endif

/* Quantize one block of FDCT output (natural order) like libjpeg. */
static inline void jl_quantize_block(const int16_t *coef, const jl_quant_divisors *q,
                                     int16_t *out, int level)
{
#if JL_AVX2
    if (level >= JL_SIMD_AVX2) {
        jl_quantize_avx2(coef, q, out);
        return;
    }
#endif
#if JL_SSE2
    if (level >= JL_SIMD_SSE2) {
        jl_quantize_sse2(coef, q, out);
        return;
    }
#endif
    (void)level;
    jl_quantize_scalar(coef, q, out);
}

#endif
