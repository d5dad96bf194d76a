"""Colour conversion: RGB <-> YCbCr (JFIF, full range) in libjpeg's fixed-point arithmetic."""

# ==== encode: RGB -> YCbCr ====

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
