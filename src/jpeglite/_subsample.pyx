"""Chroma subsampling: box-average downsampling (encode) and upsampling (decode)."""

# ==== encode: downsampling ====
import numpy as np
from libc.stdint cimport uint8_t


def downsample(plane, int hexp, int vexp, Py_ssize_t out_rows, Py_ssize_t out_cols):
    """Staged subsampling stage: one (H, W) uint8 plane -> (out_rows, out_cols) uint8.

    ``hexp``/``vexp`` (1 or 2) are how many input samples across/down make one
    output sample (2, 2 for the chroma of 4:2:0). The output is padded to
    ``out_rows`` x ``out_cols`` (whole blocks: 8 x the component's blocks) the
    way libjpeg pads, with the same kernel the fused encoder runs.
    """
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
            downsample_rows(&src[0, 0], w, 0, h, w, &o[0, 0], out_cols, 0, out_rows,
                            out_cols, hexp, vexp)
    return out
# ==== end encode: downsampling ====


# ==== decode: upsampling ====

# ==== end decode: upsampling ====
