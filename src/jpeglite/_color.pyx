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
from libc.stdint cimport uint8_t, int32_t

cdef YccTables _TABLES
build_ycc_tables(&_TABLES)



def ycbcr_to_rgb(const uint8_t[:, :, ::1] ycc):
    """Convert an (H, W, 3) YCbCr image to RGB with libjpeg's fixed-point
    arithmetic (staged path, tests)."""
    import numpy as np
    cdef Py_ssize_t h = ycc.shape[0], w = ycc.shape[1], i, x
    if ycc.shape[2] != 3:
        raise ValueError("need (H, W, 3) YCbCr samples")
    planes = np.ascontiguousarray(np.moveaxis(np.asarray(ycc), 2, 0))
    cdef const uint8_t[:, :, ::1] p = planes
    out = np.empty((h, w, 3), dtype=np.uint8)
    cdef uint8_t[:, :, ::1] o = out
    if w == 0:
        return out
    with nogil:
        for i in range(h):
            ycc_rgb_row(&p[0, i, 0], &p[1, i, 0], &p[2, i, 0], &o[i, 0, 0], <int>w, &_TABLES)
    return out

# ==== end decode: YCbCr -> RGB (and CMYK/YCCK) ====
