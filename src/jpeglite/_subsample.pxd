# Per-row sampling kernels, cdef inline so the fused drivers inline them.

# ==== encode: downsampling ====
from libc.stdint cimport uint8_t

from jpeglite._simd cimport jl_simd_level

# The kernels, scalar, SSE2 and AVX2 side by side, are C: _subsample_simd.h.
cdef extern from "_subsample_simd.h":
    void downsample_row "jl_downsample_row"(const uint8_t* in0, const uint8_t* in1,
                                            Py_ssize_t width, uint8_t* out, Py_ssize_t out_cols,
                                            int hexp, int vexp, int level) noexcept nogil


cdef inline void downsample_rows_at(const uint8_t* src, Py_ssize_t src_stride,
                                    Py_ssize_t src_row0, Py_ssize_t height, Py_ssize_t width,
                                    uint8_t* dst, Py_ssize_t dst_stride,
                                    Py_ssize_t dr0, Py_ssize_t dr1, Py_ssize_t out_cols,
                                    int hexp, int vexp, int level) noexcept nogil:
    """Output rows dr0..dr1-1 of a component plane, edge-padded the way libjpeg pads.

    `src` points at full-resolution row `src_row0` of a plane of `height` rows
    (the rows the caller needs are present). libjpeg replicates the last image
    row to fill the last row group, downsamples, then replicates the last
    *downsampled* row down to whole blocks; for vexp=2 and an even height the
    padding rows are therefore the average of the last two image rows, not
    the last row alone. `level`: the SIMD variant of the row kernel (_simd.h).
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
                       width, dst + (dr - dr0) * dst_stride, out_cols, hexp, vexp, level)


cdef inline void downsample_rows(const uint8_t* src, Py_ssize_t src_stride,
                                 Py_ssize_t src_row0, Py_ssize_t height, Py_ssize_t width,
                                 uint8_t* dst, Py_ssize_t dst_stride,
                                 Py_ssize_t dr0, Py_ssize_t dr1, Py_ssize_t out_cols,
                                 int hexp, int vexp) noexcept nogil:
    """downsample_rows_at with the variant this process selected."""
    downsample_rows_at(src, src_stride, src_row0, height, width, dst, dst_stride, dr0, dr1,
                       out_cols, hexp, vexp, jl_simd_level)
# ==== end encode: downsampling ====


# ==== decode: upsampling ====
from libc.stdint cimport uint8_t, uint16_t, int32_t
from libc.string cimport memcpy

cdef enum:
    # how a component reaches full resolution (libjpeg's jinit_upsampler choice)
    UP_FULL = 0         # same size
    UP_H2V1_FANCY = 1   # 2x wide: triangular filter across
    UP_H1V2_FANCY = 2   # 2x tall: triangular filter down
    UP_H2V2_FANCY = 3   # 2x both ways: triangular filter both ways
    UP_REPLICATE = 4    # any integer factors: sample replication


cdef extern from "_subsample_simd.h":
    # libjpeg's triangular ("fancy") filters, w > 2 input samples
    void jl_h2v1_fancy_row(const uint8_t* inp, int w, uint8_t* out, int level) noexcept nogil
    void jl_h2v2_fancy_row(const uint8_t* near, const uint8_t* far, int w, uint8_t* out,
                           int level) noexcept nogil


# 8-bit samples, and 12-bit ones in uint16 (_sample12): the filters below
# are the same arithmetic for both
ctypedef fused sample_t:
    uint8_t
    uint16_t


cdef inline void upsample_h1v2_fancy(const sample_t* near, const sample_t* far, int w,
                                     int bias, sample_t* out) noexcept nogil:
    """One output row of the vertical triangular filter (3/4 nearest row,
    1/4 next nearest); bias is 1 for the upper and 2 for the lower row."""
    cdef int x
    for x in range(w):
        out[x] = <sample_t>((near[x] * 3 + far[x] + bias) >> 2)


cdef inline void upsample_replicate(const sample_t* inp, int hr, int out_w,
                                    sample_t* out) noexcept nogil:
    """Repeat each input sample hr times across (vertical repetition is the
    caller's choice of input row)."""
    cdef int x, j, n
    if hr == 1:
        memcpy(out, inp, out_w * sizeof(sample_t))
        return
    x = 0
    n = 0
    while n < out_w:
        for j in range(hr):
            out[n + j] = inp[x]
        n += hr
        x += 1


cdef inline const uint8_t* upsample_row_at(int method, const uint8_t* plane,
                                           Py_ssize_t stride, int comp_w, int comp_h, int hr,
                                           int vr, int y, int out_w, uint8_t* buf,
                                           int level) noexcept nogil:
    """Full-resolution row y of a component whose decoded samples are the
    comp_w x comp_h top-left of plane.  Rows above the top and below the
    bottom repeat the edge rows, as libjpeg's context rows do.  Returns
    either a pointer into plane (no upsampling needed) or buf, which must
    hold max(out_w, 2 * comp_w) + hr bytes.  `level`: the SIMD variant of the
    row kernels (_simd.h)."""
    cdef int yi, yf
    if method == UP_FULL:
        return plane + y * stride
    if method == UP_H2V1_FANCY:
        jl_h2v1_fancy_row(plane + y * stride, comp_w, buf, level)
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
        jl_h2v2_fancy_row(plane + yi * stride, plane + yf * stride, comp_w, buf, level)
    return buf


cdef inline const uint8_t* upsample_row(int method, const uint8_t* plane, Py_ssize_t stride,
                                        int comp_w, int comp_h, int hr, int vr, int y,
                                        int out_w, uint8_t* buf) noexcept nogil:
    """upsample_row_at with the variant this process selected."""
    return upsample_row_at(method, plane, stride, comp_w, comp_h, hr, vr, y, out_w, buf,
                           jl_simd_level)

# ==== end decode: upsampling ====
