"""Colour conversion: RGB <-> YCbCr (JFIF, full range) in libjpeg's fixed-point arithmetic."""

# ==== encode: RGB -> YCbCr ====
import numpy as np
from libc.stdint cimport uint8_t


def rgb_to_ycbcr(image, out=None):
    """Staged colour stage: an (H, W, 3) uint8 RGB image -> (3, H, W) uint8 Y, Cb, Cr planes.

    JFIF full-range conversion in libjpeg's 16-bit fixed point (the same kernel
    the fused encoder runs row by row), so the planes equal libjpeg-turbo's.
    ``out``: an (3, H, W) uint8 array (rows contiguous, e.g. a row band of a
    bigger one) to write into instead of a new array; it is returned.
    """
    cdef const uint8_t[:, :, ::1] src = np.ascontiguousarray(image, dtype=np.uint8)
    if src.shape[2] != 3:
        raise ValueError("image must have 3 channels (RGB)")
    cdef Py_ssize_t h = src.shape[0], w = src.shape[1], row
    if out is None:
        out = np.empty((3, h, w), dtype=np.uint8)
    cdef uint8_t[:, :, :] o = out
    if o.shape[0] != 3 or o.shape[1] != h or o.shape[2] != w or (w > 1 and o.strides[2] != 1):
        raise ValueError("out must be a (3, H, W) uint8 array with contiguous rows")
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


cdef const YccTables* ycc_tables() noexcept nogil:
    """libjpeg's YCbCr -> RGB lookup tables, built once for every decoder."""
    return &_TABLES



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


# ==== analyze: pixel error ====
from libc.stdint cimport int32_t as _i32, uint64_t as _u64


def squared_error(a, b):
    """Sum of squared differences between two same-shape uint8 images, as an exact int.

    The pixel-domain distortion of a round trip (``mse = squared_error / size``,
    in squared 8-bit levels): one pass without the GIL and no temporaries, so
    measuring the decoded image costs little next to decoding it.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != np.uint8 or b.dtype != np.uint8:
        raise TypeError("images must be uint8")
    if a.shape != b.shape:
        raise ValueError(f"images differ in shape: {a.shape} vs {b.shape}")
    cdef const uint8_t[::1] x = np.ascontiguousarray(a).reshape(-1)
    cdef const uint8_t[::1] y = np.ascontiguousarray(b).reshape(-1)
    cdef Py_ssize_t n = x.shape[0], i, j, end
    cdef _u64 total = 0
    cdef _u64 part
    cdef _i32 d
    with nogil:
        # 32-bit partial sums (up to 65536 squares of at most 255^2 each) vectorize.
        i = 0
        while i < n:
            end = min(n, i + 65536)
            part = 0
            for j in range(i, end):
                d = <_i32>x[j] - <_i32>y[j]
                part += <unsigned int>(d * d)
            total += part
            i = end
    return int(total)
# ==== end analyze: pixel error ====
