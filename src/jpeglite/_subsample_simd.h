/* Chroma sampling rows, each kernel as scalar reference, SSE2 and AVX2
 * variants side by side (the convention: _simd.h).
 *
 *   jl_downsample_row   encode: one output row from one or two input rows
 *                       (jcsample.c's h2v1/h2v2 box filter, edge replicated)
 *   jl_h2v1_fancy_row   decode: a row doubled across (triangular filter)
 *   jl_h2v2_fancy_row   decode: one output row of the 2x2 triangular filter
 *
 * The fancy rows are libjpeg's integer formulas (jdsample.c), with
 * c[x] = 3 near[x] + far[x] for h2v2:
 *   h2v1: out[2x] = (3 in[x] + in[x-1] + 1) >> 2, out[2x+1] = (3 in[x] + in[x+1] + 2) >> 2
 *   h2v2: out[2x] = (3 c[x] + c[x-1] + 8) >> 4,   out[2x+1] = (3 c[x] + c[x+1] + 7) >> 4
 * columns 0 and w-1 replicating the edge. */
#ifndef JPEGLITE_SUBSAMPLE_SIMD_H
#define JPEGLITE_SUBSAMPLE_SIMD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "_simd.h"

/* ==== encode: downsampling ==== */

/* Outputs x0..n-1 of 2:1 horizontal (vexp 1) or 2x2 (vexp 2) averaging, all
 * of whose input pairs lie inside the row, with libjpeg's alternating bias
 * (0,1,0,1 for h2v1; 1,2,1,2 for h2v2) so the errors do not drift one way. */
static inline void jl_down2_scalar(const uint8_t *in0, const uint8_t *in1, uint8_t *out,
                                   ptrdiff_t x0, ptrdiff_t n, int vexp)
{
    ptrdiff_t x;
    if (vexp == 1) {
        for (x = x0; x < n; x++)
            out[x] = (uint8_t)((in0[2 * x] + in0[2 * x + 1] + (int)(x & 1)) >> 1);
    } else {
        for (x = x0; x < n; x++)
            out[x] = (uint8_t)((in0[2 * x] + in0[2 * x + 1] + in1[2 * x] + in1[2 * x + 1]
                                + 1 + (int)(x & 1)) >> 2);
    }
}

#if JL_SSE2
/* The first n - n % 16 outputs of jl_down2_scalar, 16 at a time: masking and
 * shifting split each 16 input bytes into even and odd samples as 16-bit
 * lanes, so pair sums need no shuffles. Returns how many outputs it wrote. */
static inline ptrdiff_t jl_down2_sse2(const uint8_t *in0, const uint8_t *in1, uint8_t *out,
                                      ptrdiff_t n, int vexp)
{
    const __m128i lo = _mm_set1_epi16(0x00FF);
    const __m128i bias = vexp == 2 ? _mm_setr_epi16(1, 2, 1, 2, 1, 2, 1, 2)
                                   : _mm_setr_epi16(0, 1, 0, 1, 0, 1, 0, 1);
    const int sh = vexp == 2 ? 2 : 1;
    ptrdiff_t x;
    for (x = 0; x + 16 <= n; x += 16) {
        __m128i a0 = _mm_loadu_si128((const __m128i *)(in0 + 2 * x));
        __m128i a1 = _mm_loadu_si128((const __m128i *)(in0 + 2 * x + 16));
        __m128i s0 = _mm_add_epi16(_mm_and_si128(a0, lo), _mm_srli_epi16(a0, 8));
        __m128i s1 = _mm_add_epi16(_mm_and_si128(a1, lo), _mm_srli_epi16(a1, 8));
        if (vexp == 2) {
            __m128i b0 = _mm_loadu_si128((const __m128i *)(in1 + 2 * x));
            __m128i b1 = _mm_loadu_si128((const __m128i *)(in1 + 2 * x + 16));
            s0 = _mm_add_epi16(s0, _mm_add_epi16(_mm_and_si128(b0, lo), _mm_srli_epi16(b0, 8)));
            s1 = _mm_add_epi16(s1, _mm_add_epi16(_mm_and_si128(b1, lo), _mm_srli_epi16(b1, 8)));
        }
        s0 = _mm_srli_epi16(_mm_add_epi16(s0, bias), sh);
        s1 = _mm_srli_epi16(_mm_add_epi16(s1, bias), sh);
        _mm_storeu_si128((__m128i *)(out + x), _mm_packus_epi16(s0, s1));
    }
    return x;
}
#endif

#if JL_AVX2
/* jl_down2_sse2 on 32 outputs a step; returns how many outputs it wrote. */
JL_TARGET_AVX2 static ptrdiff_t jl_down2_avx2(const uint8_t *in0, const uint8_t *in1,
                                             uint8_t *out, ptrdiff_t n, int vexp)
{
    const __m256i lo = _mm256_set1_epi16(0x00FF);
    const __m256i bias = _mm256_set1_epi32(vexp == 2 ? 0x00020001 : 0x00010000);
    ptrdiff_t x;
    for (x = 0; x + 32 <= n; x += 32) {
        __m256i a0 = _mm256_loadu_si256((const __m256i *)(in0 + 2 * x));
        __m256i a1 = _mm256_loadu_si256((const __m256i *)(in0 + 2 * x + 32));
        __m256i s0 = _mm256_add_epi16(_mm256_and_si256(a0, lo), _mm256_srli_epi16(a0, 8));
        __m256i s1 = _mm256_add_epi16(_mm256_and_si256(a1, lo), _mm256_srli_epi16(a1, 8));
        if (vexp == 2) {
            __m256i b0 = _mm256_loadu_si256((const __m256i *)(in1 + 2 * x));
            __m256i b1 = _mm256_loadu_si256((const __m256i *)(in1 + 2 * x + 32));
            s0 = _mm256_add_epi16(s0, _mm256_add_epi16(_mm256_and_si256(b0, lo), _mm256_srli_epi16(b0, 8)));
            s1 = _mm256_add_epi16(s1, _mm256_add_epi16(_mm256_and_si256(b1, lo), _mm256_srli_epi16(b1, 8)));
            s0 = _mm256_srli_epi16(_mm256_add_epi16(s0, bias), 2);
            s1 = _mm256_srli_epi16(_mm256_add_epi16(s1, bias), 2);
        } else {
            s0 = _mm256_srli_epi16(_mm256_add_epi16(s0, bias), 1);
            s1 = _mm256_srli_epi16(_mm256_add_epi16(s1, bias), 1);
        }
        /* packus interleaves the halves: qwords 0, 2, 1, 3 restore the order */
        _mm256_storeu_si256((__m256i *)(out + x),
                            _mm256_permute4x64_epi64(_mm256_packus_epi16(s0, s1), 0xD8));
    }
    return x;
}
#endif

/* One output row of a component from one (vexp 1) or two (vexp 2) input rows.
 * The input rows hold `width` samples and are read as if their last sample
 * were replicated to the right without end (libjpeg's expand_right_edge);
 * hexp 2 averages column pairs (jl_down2_scalar), so the result equals
 * jcsample.c's. */
static inline void jl_downsample_row(const uint8_t *in0, const uint8_t *in1, ptrdiff_t width,
                                     uint8_t *out, ptrdiff_t out_cols, int hexp, int vexp,
                                     int level)
{
    ptrdiff_t x, a, b, n, done = 0;
    if (hexp == 1) {
        n = width < out_cols ? width : out_cols;
        memcpy(out, in0, (size_t)n);
        if (out_cols > n)
            memset(out + n, in0[width - 1], (size_t)(out_cols - n));
        return;
    }
    n = width / 2 < out_cols ? width / 2 : out_cols;   /* pairs inside the row */
#if JL_AVX2
    if (level >= JL_SIMD_AVX2)
        done = jl_down2_avx2(in0, in1, out, n, vexp);
#endif
#if JL_SSE2
    /* (done is even: the bias pattern of the rest starts at 0 again) */
    if (level >= JL_SIMD_SSE2)
        done += jl_down2_sse2(in0 + 2 * done, in1 ? in1 + 2 * done : in1, out + done,
                              n - done, vexp);
#endif
    (void)level;
    jl_down2_scalar(in0, in1, out, done, n, vexp);
    for (x = n; x < out_cols; x++) {
        a = 2 * x < width ? 2 * x : width - 1;
        b = 2 * x + 1 < width ? 2 * x + 1 : width - 1;
        if (vexp == 1)
            out[x] = (uint8_t)((in0[a] + in0[b] + (int)(x & 1)) >> 1);
        else
            out[x] = (uint8_t)((in0[a] + in0[b] + in1[a] + in1[b] + 1 + (int)(x & 1)) >> 2);
    }
}

/* ==== decode: fancy upsampling ==== */

/* Columns x0..w-2 (x0 >= 1) of the h2v1 filter. */
static inline void jl_h2v1_fancy_scalar(const uint8_t *in, int x0, int w, uint8_t *out)
{
    int x, v;
    for (x = x0; x < w - 1; x++) {
        v = in[x] * 3;
        out[2 * x] = (uint8_t)((v + in[x - 1] + 1) >> 2);
        out[2 * x + 1] = (uint8_t)((v + in[x + 1] + 2) >> 2);
    }
}

/* Columns x0..w-2 (x0 >= 1) of the h2v2 filter. */
static inline void jl_h2v2_fancy_scalar(const uint8_t *near, const uint8_t *far, int x0, int w,
                                        uint8_t *out)
{
    int x, c;
    for (x = x0; x < w - 1; x++) {
        c = (near[x] * 3 + far[x]) * 3;
        out[2 * x] = (uint8_t)((c + near[x - 1] * 3 + far[x - 1] + 8) >> 4);
        out[2 * x + 1] = (uint8_t)((c + near[x + 1] * 3 + far[x + 1] + 7) >> 4);
    }
}

#if JL_SSE2
static inline __m128i jl_load8(const uint8_t *p)
{
    return _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)p), _mm_setzero_si128());
}

static inline __m128i jl_times3(__m128i v)
{
    return _mm_add_epi16(_mm_add_epi16(v, v), v);
}

/* Columns `from`.. (from >= 1) of the h2v1 filter, 8 inputs at a time (every
 * load stays inside the row); returns the first column it did not do. */
static inline int jl_h2v1_fancy_sse2(const uint8_t *in, int from, int w, uint8_t *out)
{
    int x;
    const __m128i one = _mm_set1_epi16(1), two = _mm_set1_epi16(2);
    for (x = from; x + 8 < w; x += 8) {
        __m128i c = jl_times3(jl_load8(in + x));
        __m128i e = _mm_srli_epi16(_mm_add_epi16(_mm_add_epi16(c, jl_load8(in + x - 1)), one), 2);
        __m128i o = _mm_srli_epi16(_mm_add_epi16(_mm_add_epi16(c, jl_load8(in + x + 1)), two), 2);
        _mm_storeu_si128((__m128i *)(out + 2 * x),
                         _mm_packus_epi16(_mm_unpacklo_epi16(e, o), _mm_unpackhi_epi16(e, o)));
    }
    return x;
}

/* Columns `from`.. of the h2v2 filter, as jl_h2v1_fancy_sse2. */
static inline int jl_h2v2_fancy_sse2(const uint8_t *near, const uint8_t *far, int from, int w,
                                     uint8_t *out)
{
    int x;
    const __m128i eight = _mm_set1_epi16(8), seven = _mm_set1_epi16(7);
    for (x = from; x + 8 < w; x += 8) {
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
#endif

#if JL_AVX2
JL_TARGET_AVX2 static inline __m256i jl_load16_avx2(const uint8_t *p)
{
    return _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)p));
}

JL_TARGET_AVX2 static inline __m256i jl_times3_avx2(__m256i v)
{
    return _mm256_add_epi16(_mm256_add_epi16(v, v), v);
}

/* Even and odd outputs (16-bit, 16 each) to 32 bytes in order: the in-lane
 * unpacks and pack leave outputs 0-15 in the low half, 16-31 in the high. */
JL_TARGET_AVX2 static inline void jl_store_eo_avx2(uint8_t *out, __m256i e, __m256i o)
{
    _mm256_storeu_si256((__m256i *)out, _mm256_packus_epi16(_mm256_unpacklo_epi16(e, o),
                                                            _mm256_unpackhi_epi16(e, o)));
}

/* Columns `from`.. of the h2v1 filter, 16 inputs at a time (every load stays
 * inside the row); returns the first column it did not do. */
JL_TARGET_AVX2 static int jl_h2v1_fancy_avx2(const uint8_t *in, int from, int w, uint8_t *out)
{
    const __m256i one = _mm256_set1_epi16(1), two = _mm256_set1_epi16(2);
    int x;
    for (x = from; x + 16 < w; x += 16) {
        __m256i c = jl_times3_avx2(jl_load16_avx2(in + x));
        __m256i e = _mm256_srli_epi16(_mm256_add_epi16(_mm256_add_epi16(c, jl_load16_avx2(in + x - 1)), one), 2);
        __m256i o = _mm256_srli_epi16(_mm256_add_epi16(_mm256_add_epi16(c, jl_load16_avx2(in + x + 1)), two), 2);
        jl_store_eo_avx2(out + 2 * x, e, o);
    }
    return x;
}

/* Columns `from`.. of the h2v2 filter, as jl_h2v1_fancy_avx2. */
JL_TARGET_AVX2 static int jl_h2v2_fancy_avx2(const uint8_t *near, const uint8_t *far, int from,
                                            int w, uint8_t *out)
{
    const __m256i eight = _mm256_set1_epi16(8), seven = _mm256_set1_epi16(7);
    int x;
    for (x = from; x + 16 < w; x += 16) {
        __m256i cl = _mm256_add_epi16(jl_times3_avx2(jl_load16_avx2(near + x - 1)), jl_load16_avx2(far + x - 1));
        __m256i cc = _mm256_add_epi16(jl_times3_avx2(jl_load16_avx2(near + x)), jl_load16_avx2(far + x));
        __m256i cr = _mm256_add_epi16(jl_times3_avx2(jl_load16_avx2(near + x + 1)), jl_load16_avx2(far + x + 1));
        __m256i c3 = jl_times3_avx2(cc);
        __m256i e = _mm256_srli_epi16(_mm256_add_epi16(_mm256_add_epi16(c3, cl), eight), 4);
        __m256i o = _mm256_srli_epi16(_mm256_add_epi16(_mm256_add_epi16(c3, cr), seven), 4);
        jl_store_eo_avx2(out + 2 * x, e, o);
    }
    return x;
}
#endif

/* Double a row of w > 2 samples: each output sample is 3/4 of its nearest
 * input plus 1/4 of the next nearest, rounded +1, +2 alternately. */
static inline void jl_h2v1_fancy_row(const uint8_t *in, int w, uint8_t *out, int level)
{
    int done = 1;
    out[0] = in[0];
    out[1] = (uint8_t)((in[0] * 3 + in[1] + 2) >> 2);
#if JL_AVX2
    if (level >= JL_SIMD_AVX2)
        done = jl_h2v1_fancy_avx2(in, done, w, out);
#endif
#if JL_SSE2
    if (level >= JL_SIMD_SSE2)
        done = jl_h2v1_fancy_sse2(in, done, w, out);
#endif
    (void)level;
    jl_h2v1_fancy_scalar(in, done, w, out);
    out[2 * w - 2] = (uint8_t)((in[w - 1] * 3 + in[w - 2] + 1) >> 2);
    out[2 * w - 1] = in[w - 1];
}

/* One output row of the 2x2 triangular filter: weights 9/16, 3/16, 3/16, 1/16
 * from the nearest input row (near) and the next nearest (far), rounded
 * +8, +7 alternately; w > 2 input samples. */
static inline void jl_h2v2_fancy_row(const uint8_t *near, const uint8_t *far, int w,
                                     uint8_t *out, int level)
{
    int done = 1, first = near[0] * 3 + far[0], last = near[w - 1] * 3 + far[w - 1];
    out[0] = (uint8_t)((first * 4 + 8) >> 4);
    out[1] = (uint8_t)((first * 3 + near[1] * 3 + far[1] + 7) >> 4);
#if JL_AVX2
    if (level >= JL_SIMD_AVX2)
        done = jl_h2v2_fancy_avx2(near, far, done, w, out);
#endif
#if JL_SSE2
    if (level >= JL_SIMD_SSE2)
        done = jl_h2v2_fancy_sse2(near, far, done, w, out);
#endif
    (void)level;
    jl_h2v2_fancy_scalar(near, far, done, w, out);
    out[2 * w - 2] = (uint8_t)((last * 3 + near[w - 2] * 3 + far[w - 2] + 8) >> 4);
    out[2 * w - 1] = (uint8_t)((last * 4 + 7) >> 4);
}

#endif
