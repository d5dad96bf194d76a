"""Colour conversion: RGB <-> YCbCr (JFIF, full range) in libjpeg's fixed-point arithmetic."""

# ==== encode: RGB -> YCbCr ====
import numpy as np
from libc.stdint cimport uint8_t


def rgb_to_ycbcr(image):
    """Staged colour stage: an (H, W, 3) uint8 RGB image -> (3, H, W) uint8 Y, Cb, Cr planes.

    JFIF full-range conversion in libjpeg's 16-bit fixed point (the same kernel
    the fused encoder runs row by row), so the planes equal libjpeg-turbo's.
    """
    cdef const uint8_t[:, :, ::1] src = np.ascontiguousarray(image, dtype=np.uint8)
    if src.shape[2] != 3:
        raise ValueError("image must have 3 channels (RGB)")
    cdef Py_ssize_t h = src.shape[0], w = src.shape[1], row
    out = np.empty((3, h, w), dtype=np.uint8)
    cdef uint8_t[:, :, ::1] o = out
    if h and w:
        with nogil:
            for row in range(h):
                rgb_to_ycc_row(&src[row, 0, 0], &o[0, row, 0], &o[1, row, 0], &o[2, row, 0], w)
    return out
# ==== end encode: RGB -> YCbCr ====


# ==== decode: YCbCr -> RGB (and CMYK/YCCK) ====

# ==== end decode: YCbCr -> RGB (and CMYK/YCCK) ====
