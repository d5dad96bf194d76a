/* The encoder's block kernel, fused: FDCT (level shift included),
 * quantization and the zigzag non-zero mask of the quantized block, from 8x8
 * samples to what the Huffman coder reads (the convention: _simd.h).
 *
 *   jl_forward_block   samples -> quantized block (natural order) and the
 *                      mask of its non-zero AC coefficients in zigzag order
 *                      (bit k for zigzag position k, bit 0 clear: what
 *                      zigzag_nonzero in _entropy.pxd gives)
 *
 * The reference is the three stage kernels one after the other
 * (jl_fdct_islow_u8, jl_quantize_block, the mask by its definition). The
 * AVX2 variant is one call that keeps the block in registers from the
 * samples' load to the mask: the FDCT's output rows are quantized where the
 * transform leaves them (divisors rearranged to that row order once per
 * table, jl_forward_divisors), stored, and packed to bytes for the mask's
 * shuffles (tables for that packing, jl_forward_shuffles), instead of three
 * calls that store the block and load it back. */
#ifndef JPEGLITE_FORWARD_SIMD_H
#define JPEGLITE_FORWARD_SIMD_H

#include <stddef.h>
#include <stdint.h>

#include "_dct_simd.h"
#include "_entropy_simd.h"
#include "_quant_simd.h"
#include "_simd.h"

/* The mask by its definition: bit k when zigzag coefficient k >= 1 of b is
 * non-zero (zz[k]: natural index of zigzag position k). */
static inline uint64_t jl_zigzag_mask_scalar(const int16_t *b, const int *zz)
{
    uint64_t m = 0;
    int k;
    for (k = 1; k < 64; k++)
        m |= (uint64_t)(b[zz[k] & 63] != 0) << k;
    return m;
}

/* q's divisors in the row order of the AVX2 FDCT's output registers
 * (JL_FDCT_AVX2_ROWS): entry 16 i + 8 L + j divides coefficient j of the row
 * in half L of register i. */
static inline void jl_forward_divisors(const jl_quant_divisors *q, jl_quant_divisors *paired)
{
    static const int rows[8] = JL_FDCT_AVX2_ROWS;
    int h, j;
    for (h = 0; h < 8; h++)
        for (j = 0; j < 8; j++) {
            paired->half[8 * h + j] = q->half[8 * rows[h] + j];
            paired->mlo[8 * h + j] = q->mlo[8 * rows[h] + j];
            paired->scale[8 * h + j] = q->scale[8 * rows[h] + j];
        }
}

/* The shuffle tables (jl_zigzag_shuffles_at) of the AVX2 kernel's packing:
 * registers 0 and 3 packed into byte register 0, 1 and 2 into byte
 * register 1, so half L of register i lands at byte 32 p + 16 L + 8 (i is
 * the second of its pair). */
static inline void jl_forward_shuffles(const int *zz, uint8_t *shuf)
{
    static const int rows[8] = JL_FDCT_AVX2_ROWS;
    int h, j, pos[64];
    for (h = 0; h < 8; h++) {
        int i = h >> 1, lane = h & 1;
        int p = (i == 1 || i == 2), second = (i == 2 || i == 3);
        for (j = 0; j < 8; j++)
            pos[8 * rows[h] + j] = 32 * p + 16 * lane + 8 * second + j;
    }
    jl_zigzag_shuffles_at(zz, pos, shuf);
}

#if JL_AVX2
/* paired: jl_forward_divisors of the table; shuf: jl_forward_shuffles. */
JL_TARGET_AVX2 static uint64_t jl_forward_block_avx2(const uint8_t *src, ptrdiff_t stride,
                                                     const jl_quant_divisors *paired,
                                                     int16_t *out, const uint8_t *shuf)
{
    __m256i x[4];
    int i;
    jl_fdct_load_u8_avx2(src, stride, x);
    jl_fdct_avx2_core(x);
    for (i = 0; i < 4; i++)
        x[i] = jl_quantize16_avx2(x[i], paired->half + 16 * i, paired->mlo + 16 * i,
                                  paired->scale + 16 * i);
    jl_fdct_avx2_store(x, out);
    return jl_zigzag_mask_packed_avx2(_mm256_packs_epi16(x[0], x[3]),
                                      _mm256_packs_epi16(x[1], x[2]), shuf)
           & ~(uint64_t)1;
}
#define JL_FORWARD_AVX2(level) ((level) >= JL_SIMD_AVX2)
#else
/* never called: JL_FORWARD_AVX2 is a constant 0 and the call dead code */
static inline uint64_t jl_forward_block_avx2(const uint8_t *src, ptrdiff_t stride,
                                             const jl_quant_divisors *paired, int16_t *out,
                                             const uint8_t *shuf)
{
    (void)src;
    (void)stride;
    (void)paired;
    (void)out;
    (void)shuf;
    return 0;
}
#define JL_FORWARD_AVX2(level) 0
#endif

/* The variant of `level`: q the table's divisors, paired and shuf as
 * jl_forward_block_avx2 wants them, zz the zigzag order. */
static inline uint64_t jl_forward_block(const uint8_t *src, ptrdiff_t stride,
                                        const jl_quant_divisors *q,
                                        const jl_quant_divisors *paired, int16_t *out,
                                        const int *zz, const uint8_t *shuf, int level)
{
    int16_t coef[64];
    if (JL_FORWARD_AVX2(level))
        return jl_forward_block_avx2(src, stride, paired, out, shuf);
    jl_fdct_islow_u8(src, stride, coef, level);
    jl_quantize_block(coef, q, out, level);
    return jl_zigzag_mask_scalar(out, zz);
}

#endif
