/* The encoder's block kernel, fused: FDCT (level shift included),
 * quantization and the zigzag non-zero mask of the quantized block, from 8x8
 * samples to what the Huffman coder reads (the convention: _simd.h).
 *
 *   jl_forward_block   samples -> quantized block (natural order) and the
 *                      mask of its non-zero AC coefficients in zigzag order
 *                      (bit k for zigzag position k, bit 0 clear: what
 *                      zigzag_nonzero in _entropy.pxd gives)
 *
 *   jl_rgb_ycc_h2v2_row
 *                      two RGB rows -> their Y rows and one 4:2:0 Cb and Cr
 *                      row (jl_rgb_ycc_row, then jl_downsample_row 2x2)
 *
 * The references are the stage kernels one after the other
 * (jl_fdct_islow_u8, jl_quantize_block, the mask by its definition). The
 * AVX2 variant is one call that keeps the block in registers from the
 * samples' load to the mask: the FDCT's output rows are quantized where the
 * transform leaves them (divisors rearranged to that row order once per
 * table, jl_forward_divisors), stored, and packed to bytes for the mask's
 * shuffles (tables for that packing, jl_forward_shuffles), instead of three
 * calls that store the block and load it back. The AVX2 colour row keeps
 * Cb and Cr of a pair of rows in registers and averages them 2x2 there,
 * instead of storing the full-resolution chroma rows for a second pass. */
#ifndef JPEGLITE_FORWARD_SIMD_H
#define JPEGLITE_FORWARD_SIMD_H

#include <stddef.h>
#include <stdint.h>

#include "_color_simd.h"
#include "_dct_simd.h"
#include "_entropy_simd.h"
#include "_quant_simd.h"
#include "_simd.h"
#include "_subsample_simd.h"

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

#if JL_AVX2
/* 2x2 box averages (jl_down2_scalar's, bias 1, 2, 1, 2, ...) of 16 pixels
 * of two rows given as 16-bit lanes in pixel order: 8 outputs, 32-bit. */
JL_TARGET_AVX2 static inline __m256i jl_box2x2_avx2(__m256i a, __m256i b)
{
    const __m256i ones = _mm256_set1_epi16(1), bias = _mm256_setr_epi32(1, 2, 1, 2, 1, 2, 1, 2);
    return _mm256_srli_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_add_epi16(a, b), ones),
                                              bias), 2);
}

/* Pixels 0..n-1 of the rows (n a multiple of 32; 16 chroma outputs a step). */
JL_TARGET_AVX2 static void jl_rgb_ycc_h2v2_avx2(const uint8_t *rgb0, const uint8_t *rgb1,
                                                uint8_t *y0, uint8_t *y1, uint8_t *cb,
                                                uint8_t *cr, ptrdiff_t n)
{
    ptrdiff_t i;
    for (i = 0; i < n; i += 32) {
        __m256i r, g, b, ya[2], yb[2], cba[2], cra[2], cbb[2], crb[2];
        int h;
        for (h = 0; h < 2; h++) {
            jl_rgb_split16_avx2(rgb0 + 3 * (i + 16 * h), &r, &g, &b);
            jl_rgb_ycc16_avx2(r, g, b, &ya[h], &cba[h], &cra[h]);
            jl_rgb_split16_avx2(rgb1 + 3 * (i + 16 * h), &r, &g, &b);
            jl_rgb_ycc16_avx2(r, g, b, &yb[h], &cbb[h], &crb[h]);
        }
        /* packus interleaves the halves (0-7, 16-23 | 8-15, 24-31): qwords 0, 2, 1, 3 */
        _mm256_storeu_si256((__m256i *)(y0 + i),
                            _mm256_permute4x64_epi64(_mm256_packus_epi16(ya[0], ya[1]), 0xD8));
        _mm256_storeu_si256((__m256i *)(y1 + i),
                            _mm256_permute4x64_epi64(_mm256_packus_epi16(yb[0], yb[1]), 0xD8));
        {
            /* outputs (0-3 | 4-7) and (8-11 | 12-15) as 32-bit; packs gives
             * (0-3, 8-11 | 4-7, 12-15), qwords 0, 2, 1, 3 put them in order */
            __m256i c = _mm256_permute4x64_epi64(
                _mm256_packs_epi32(jl_box2x2_avx2(cba[0], cbb[0]), jl_box2x2_avx2(cba[1], cbb[1])),
                0xD8);
            __m256i d = _mm256_permute4x64_epi64(
                _mm256_packs_epi32(jl_box2x2_avx2(cra[0], crb[0]), jl_box2x2_avx2(cra[1], crb[1])),
                0xD8);
            /* packus: (cb 0-7, cr 0-7 | cb 8-15, cr 8-15); qwords 0, 2, 1, 3:
             * Cb in the low half, Cr in the high one */
            __m256i e = _mm256_permute4x64_epi64(_mm256_packus_epi16(c, d), 0xD8);
            _mm_storeu_si128((__m128i *)(cb + i / 2), _mm256_castsi256_si128(e));
            _mm_storeu_si128((__m128i *)(cr + i / 2), _mm256_extracti128_si256(e, 1));
        }
    }
}
#endif

/* Rows rgb0, rgb1 of `width` RGB pixels to Y rows y0, y1 (width samples
 * each) and one Cb and one Cr row of out_cols (>= (width + 1) / 2) 2x2
 * averages, the right edge replicated as jl_downsample_row does. tmp: 4 x
 * width bytes of scratch (the chroma rows at full resolution, for what the
 * AVX2 steps leave). */
static inline void jl_rgb_ycc_h2v2_row(const uint8_t *rgb0, const uint8_t *rgb1, uint8_t *y0,
                                       uint8_t *y1, uint8_t *cb, uint8_t *cr, ptrdiff_t width,
                                       ptrdiff_t out_cols, uint8_t *tmp, int level)
{
    ptrdiff_t done = 0, rest;
#if JL_AVX2
    /* 32 pixels a step, and at least one pixel left for the edge below (the
     * bias pattern of the rest starts at 0 again: done / 2 is even) */
    if (level >= JL_SIMD_AVX2) {
        done = (width - 1) / 32 * 32;
        jl_rgb_ycc_h2v2_avx2(rgb0, rgb1, y0, y1, cb, cr, done);
    }
#endif
    rest = width - done;
    jl_rgb_ycc_row(rgb0 + 3 * done, y0 + done, tmp, tmp + rest, rest, level);
    jl_rgb_ycc_row(rgb1 + 3 * done, y1 + done, tmp + 2 * rest, tmp + 3 * rest, rest, level);
    jl_downsample_row(tmp, tmp + 2 * rest, rest, cb + done / 2, out_cols - done / 2, 2, 2, level);
    jl_downsample_row(tmp + rest, tmp + 3 * rest, rest, cr + done / 2, out_cols - done / 2, 2, 2,
                      level);
}

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
