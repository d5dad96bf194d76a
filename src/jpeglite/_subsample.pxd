# Per-row sampling kernels, cdef inline so the fused drivers inline them.

# ==== encode: downsampling ====
from libc.stdint cimport uint8_t
from libc.string cimport memcpy, memset


# One SSE2 switch for the whole package (honours -DJL_NO_SIMD): _simd.h.
cdef extern from "_simd.h":
    pass

cdef extern from *:
    """
    #if JL_SSE2
    #include <emmintrin.h>
    #endif
    /* The first n - n % 16 outputs of 2:1 horizontal (vexp 1) or 2x2 (vexp 2)
       averaging with libjpeg's alternating bias, 16 at a time with SSE2:
       masking and shifting split each 16 input bytes into even and odd
       samples as 16-bit lanes, so pair sums need no shuffles. Returns how
       many outputs it wrote (0 without SSE2). */
    static inline Py_ssize_t jl_enc_down2_simd(const unsigned char *in0, const unsigned char *in1,
                                               unsigned char *out, Py_ssize_t n, int vexp) {
    #if JL_SSE2
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
from libc.stdint cimport uint8_t, int32_t
from libc.string cimport memcpy

cdef enum:
    # how a component reaches full resolution (libjpeg's jinit_upsampler choice)
    UP_FULL = 0         # same size
    UP_H2V1_FANCY = 1   # 2x wide: triangular filter across
    UP_H1V2_FANCY = 2   # 2x tall: triangular filter down
    UP_H2V2_FANCY = 3   # 2x both ways: triangular filter both ways
    UP_REPLICATE = 4    # any integer factors: sample replication


cdef extern from "_subsample_sse2.h":
    # the middle columns of the two kernels below, 8 inputs at a time where
    # SSE2 exists (all x86-64); they return the first column left undone
    int jl_h2v1_fancy_mid(const uint8_t* inp, int w, uint8_t* out) noexcept nogil
    int jl_h2v2_fancy_mid(const uint8_t* near, const uint8_t* far, int w,
                          uint8_t* out) noexcept nogil


cdef inline void upsample_h2v1_fancy(const uint8_t* inp, int w, uint8_t* out) noexcept nogil:
    """Double a row of w > 2 samples: each output sample is 3/4 of its
    nearest input plus 1/4 of the next nearest, with libjpeg's alternating
    rounding (+1, +2) so that the errors do not drift one way."""
    cdef int x
    cdef int32_t v
    out[0] = inp[0]
    out[1] = <uint8_t>((inp[0] * 3 + inp[1] + 2) >> 2)
    for x in range(jl_h2v1_fancy_mid(inp, w, out), w - 1):
        v = inp[x] * 3
        out[2 * x] = <uint8_t>((v + inp[x - 1] + 1) >> 2)
        out[2 * x + 1] = <uint8_t>((v + inp[x + 1] + 2) >> 2)
    v = inp[w - 1] * 3
    out[2 * w - 2] = <uint8_t>((v + inp[w - 2] + 1) >> 2)
    out[2 * w - 1] = inp[w - 1]


cdef inline void upsample_h2v2_fancy(const uint8_t* near, const uint8_t* far, int w,
                                     uint8_t* out) noexcept nogil:
    """One output row of the 2x2 triangular filter: weights 9/16, 3/16, 3/16,
    1/16 from the nearest input row (near) and the next nearest (far),
    rounded +8/+7 alternately as libjpeg does; w > 2 input samples."""
    cdef int x
    cdef int32_t this, first, last
    first = near[0] * 3 + far[0]
    out[0] = <uint8_t>((first * 4 + 8) >> 4)
    out[1] = <uint8_t>((first * 3 + near[1] * 3 + far[1] + 7) >> 4)
    for x in range(jl_h2v2_fancy_mid(near, far, w, out), w - 1):
        this = (near[x] * 3 + far[x]) * 3
        out[2 * x] = <uint8_t>((this + near[x - 1] * 3 + far[x - 1] + 8) >> 4)
        out[2 * x + 1] = <uint8_t>((this + near[x + 1] * 3 + far[x + 1] + 7) >> 4)
    last = near[w - 1] * 3 + far[w - 1]
    out[2 * w - 2] = <uint8_t>((last * 3 + near[w - 2] * 3 + far[w - 2] + 8) >> 4)
    out[2 * w - 1] = <uint8_t>((last * 4 + 7) >> 4)


cdef inline void upsample_h1v2_fancy(const uint8_t* near, const uint8_t* far, int w,
                                     int bias, uint8_t* out) noexcept nogil:
    """One output row of the vertical triangular filter (3/4 nearest row,
    1/4 next nearest); bias is 1 for the upper and 2 for the lower row."""
    cdef int x
    for x in range(w):
        out[x] = <uint8_t>((near[x] * 3 + far[x] + bias) >> 2)


cdef inline void upsample_replicate(const uint8_t* inp, int hr, int out_w,
                                    uint8_t* out) noexcept nogil:
    """Repeat each input sample hr times across (vertical repetition is the
    caller's choice of input row)."""
    cdef int x, j, n
    if hr == 1:
        memcpy(out, inp, out_w)
        return
    x = 0
    n = 0
    while n < out_w:
        for j in range(hr):
            out[n + j] = inp[x]
        n += hr
        x += 1


cdef inline const uint8_t* upsample_row(int method, const uint8_t* plane, Py_ssize_t stride,
                                        int comp_w, int comp_h, int hr, int vr, int y,
                                        int out_w, uint8_t* buf) noexcept nogil:
    """Full-resolution row y of a component whose decoded samples are the
    comp_w x comp_h top-left of plane.  Rows above the top and below the
    bottom repeat the edge rows, as libjpeg's context rows do.  Returns
    either a pointer into plane (no upsampling needed) or buf, which must
    hold max(out_w, 2 * comp_w) + hr bytes."""
    cdef int yi, yf
    if method == UP_FULL:
        return plane + y * stride
    if method == UP_H2V1_FANCY:
        upsample_h2v1_fancy(plane + y * stride, comp_w, buf)
        return buf
    if method == UP_REPLICATE:
        upsample_replicate(plane + (y // vr) * stride, hr, out_w, buf)
        return buf
    yi = y >> 1
    if y & 1:
        yf = yi + 1 if yi + 1 < comp_h else yi
    else:
        yf = yi - 1 if yi > 0 else 0
    if method == UP_H1V2_FANCY:
        upsample_h1v2_fancy(plane + yi * stride, plane + yf * stride, comp_w,
                            2 if (y & 1) else 1, buf)
    else:
        upsample_h2v2_fancy(plane + yi * stride, plane + yf * stride, comp_w, buf)
    return buf

# ==== end decode: upsampling ====
