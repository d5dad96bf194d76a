"""Chroma subsampling: box-average downsampling (encode) and upsampling (decode)."""

# ==== encode: downsampling ====
import numpy as np
from libc.stdint cimport uint8_t
from jpeglite._simd cimport variant_level


def downsample(plane, int hexp, int vexp, Py_ssize_t out_rows, Py_ssize_t out_cols,
               variant=None):
    """Staged subsampling stage: one (H, W) uint8 plane -> (out_rows, out_cols) uint8.

    ``hexp``/``vexp`` (1 or 2) are how many input samples across/down make one
    output sample (2, 2 for the chroma of 4:2:0). The output is padded to
    ``out_rows`` x ``out_cols`` (whole blocks: 8 x the component's blocks) the
    way libjpeg pads, with the same kernel the fused encoder runs.
    ``variant``: the SIMD variant to run (one of ``_simd.available_variants()``;
    None: the one the encoder runs).
    """
    cdef int level = variant_level(variant)
    if hexp not in (1, 2) or vexp not in (1, 2) or (hexp, vexp) == (1, 2):
        raise ValueError("hexp, vexp must be (1, 1), (2, 1) or (2, 2)")
    cdef const uint8_t[:, ::1] src = np.ascontiguousarray(plane, dtype=np.uint8)
    cdef Py_ssize_t h = src.shape[0], w = src.shape[1]
    if h < 1 or w < 1 or out_rows < 0 or out_cols < 0:
        raise ValueError("plane must be non-empty and the output size non-negative")
    out = np.empty((out_rows, out_cols), dtype=np.uint8)
    cdef uint8_t[:, ::1] o = out
    if out_rows and out_cols:
        with nogil:
            downsample_rows_at(&src[0, 0], w, 0, h, w, &o[0, 0], out_cols, 0, out_rows,
                               out_cols, hexp, vexp, level)
    return out
# ==== end encode: downsampling ====


# ==== decode: upsampling ====
from libc.stdint cimport uint8_t


def upsample_method(int hr, int vr, int comp_w, bint fancy=True):
    """The upsampler libjpeg-turbo (fancy upsampling on) uses for a component
    hr x vr times smaller than the image and comp_w samples wide: one of
    UP_FULL, UP_H2V1_FANCY, UP_H1V2_FANCY, UP_H2V2_FANCY, UP_REPLICATE
    (the triangular filters need more than 2 samples across). ``fancy``
    False: replication only (libjpeg-turbo's choice at 1/8 scale, where a
    block is one sample)."""
    if hr == 1 and vr == 1:
        return UP_FULL
    if not fancy:
        return UP_REPLICATE
    if hr == 2 and vr == 1:
        return UP_H2V1_FANCY if comp_w > 2 else UP_REPLICATE
    if hr == 1 and vr == 2:
        return UP_H1V2_FANCY
    if hr == 2 and vr == 2:
        return UP_H2V2_FANCY if comp_w > 2 else UP_REPLICATE
    return UP_REPLICATE


def upsample_plane(const uint8_t[:, ::1] plane, int hr, int vr, int out_w, int out_h,
                   variant=None, bint fancy=True):
    """Upsample a whole component plane (its shape is the decoded size) to
    out_h x out_w with the method libjpeg-turbo picks (staged path, scaled
    decoding, tests). ``variant``: the SIMD variant to run (one of
    ``_simd.available_variants()``; None: the one the decoder runs);
    ``fancy``: as for ``upsample_method``."""
    import numpy as np
    cdef int level = variant_level(variant)
    cdef int comp_h = plane.shape[0], comp_w = plane.shape[1], y, x
    cdef int method = upsample_method(hr, vr, comp_w, fancy)
    if comp_w < 1 or comp_h < 1 or out_w > comp_w * hr or out_h > comp_h * vr:
        raise ValueError("output larger than the upsampled plane")
    out = np.empty((out_h, out_w), dtype=np.uint8)
    buf = np.empty(max(out_w, 2 * comp_w) + hr, dtype=np.uint8)
    cdef uint8_t[:, ::1] o = out
    cdef uint8_t[::1] b = buf
    cdef const uint8_t* row
    with nogil:
        for y in range(out_h):
            row = upsample_row_at(method, &plane[0, 0], plane.strides[0], comp_w, comp_h,
                                  hr, vr, y, out_w, &b[0], level)
            for x in range(out_w):
                o[y, x] = row[x]
    return out

# ==== end decode: upsampling ====
