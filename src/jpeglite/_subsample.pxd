# Per-row sampling kernels, cdef inline so the fused drivers inline them.

# ==== encode: downsampling ====
from libc.stdint cimport uint8_t
from libc.string cimport memcpy, memset


cdef extern from *:
    """
    #if (defined(__SSE2__) || defined(_M_X64)) && !defined(JL_NO_SIMD)
    #include <emmintrin.h>
    #endif
    /* The first n - n % 16 outputs of 2:1 horizontal (vexp 1) or 2x2 (vexp 2)
       averaging with libjpeg's alternating bias, 16 at a time with SSE2:
       masking and shifting split each 16 input bytes into even and odd
       samples as 16-bit lanes, so pair sums need no shuffles. Returns how
       many outputs it wrote (0 without SSE2). */
    static inline Py_ssize_t jl_enc_down2_simd(const unsigned char *in0, const unsigned char *in1,
                                               unsigned char *out, Py_ssize_t n, int vexp) {
    #if (defined(__SSE2__) || defined(_M_X64)) && !defined(JL_NO_SIMD)
        const __m128i lo = _mm_set1_epi16(0x00FF);
        const __m128i bias = vexp == 2 ? _mm_setr_epi16(1, 2, 1, 2, 1, 2, 1, 2)
                                       : _mm_setr_epi16(0, 1, 0, 1, 0, 1, 0, 1);
        const int sh = vexp == 2 ? 2 : 1;
        Py_ssize_t x;
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
    #else
        (void)in0; (void)in1; (void)out; (void)n; (void)vexp;
        return 0;
    #endif
    }
    """
    Py_ssize_t jl_enc_down2_simd(const uint8_t* in0, const uint8_t* in1, uint8_t* out,
                                 Py_ssize_t n, int vexp) noexcept nogil


cdef inline void downsample_row(const uint8_t* in0, const uint8_t* in1, Py_ssize_t width,
                                uint8_t* out, Py_ssize_t out_cols, int hexp,
                                int vexp) noexcept nogil:
    """One output row of a component from one (vexp=1) or two (vexp=2) input rows.

    The input rows hold `width` samples and are read as if their last sample
    were replicated to the right without end (libjpeg's expand_right_edge).
    hexp=2 averages column pairs with libjpeg's alternating bias (0,1,0,1 for
    h2v1; 1,2,1,2 for h2v2), so the result equals jcsample.c's.
    """
    cdef Py_ssize_t x, a, b, n, done
    cdef int bias
    if hexp == 1:
        n = width if width < out_cols else out_cols
        memcpy(out, in0, n)
        if out_cols > n:
            memset(out + n, in0[width - 1], out_cols - n)
        return
    n = width // 2 if width // 2 < out_cols else out_cols   # pairs inside the row
    done = jl_enc_down2_simd(in0, in1, out, n, vexp)
    if vexp == 1:
        for x in range(done, n):
            out[x] = <uint8_t>((in0[2 * x] + in0[2 * x + 1] + (x & 1)) >> 1)
        for x in range(n, out_cols):
            a = 2 * x if 2 * x < width else width - 1
            b = 2 * x + 1 if 2 * x + 1 < width else width - 1
            out[x] = <uint8_t>((in0[a] + in0[b] + (x & 1)) >> 1)
    else:
        for x in range(done, n):
            out[x] = <uint8_t>((in0[2 * x] + in0[2 * x + 1] + in1[2 * x] + in1[2 * x + 1]
                                + 1 + (x & 1)) >> 2)
        for x in range(n, out_cols):
            a = 2 * x if 2 * x < width else width - 1
            b = 2 * x + 1 if 2 * x + 1 < width else width - 1
            out[x] = <uint8_t>((in0[a] + in0[b] + in1[a] + in1[b] + 1 + (x & 1)) >> 2)


cdef inline void downsample_rows(const uint8_t* src, Py_ssize_t src_stride,
                                 Py_ssize_t src_row0, Py_ssize_t height, Py_ssize_t width,
                                 uint8_t* dst, Py_ssize_t dst_stride,
                                 Py_ssize_t dr0, Py_ssize_t dr1, Py_ssize_t out_cols,
                                 int hexp, int vexp) noexcept nogil:
    """Output rows dr0..dr1-1 of a component plane, edge-padded the way libjpeg pads.

    `src` points at full-resolution row `src_row0` of a plane of `height` rows
    (the rows the caller needs are present). libjpeg replicates the last image
    row to fill the last row group, downsamples, then replicates the last
    *downsampled* row down to whole blocks; for vexp=2 and an even height the
    padding rows are therefore the average of the last two image rows, not
    the last row alone.
    """
    cdef Py_ssize_t dr, rr, y0, y1
    cdef Py_ssize_t rows_real = (height + vexp - 1) // vexp
    for dr in range(dr0, dr1):
        rr = dr if dr < rows_real else rows_real - 1
        y0 = rr * vexp
        y1 = y0 + vexp - 1
        if y0 > height - 1:
            y0 = height - 1
        if y1 > height - 1:
            y1 = height - 1
        downsample_row(src + (y0 - src_row0) * src_stride, src + (y1 - src_row0) * src_stride,
                       width, dst + (dr - dr0) * dst_stride, out_cols, hexp, vexp)
# ==== end encode: downsampling ====


# ==== decode: upsampling ====

# ==== end decode: upsampling ====
