"""Colour conversion: RGB <-> YCbCr (JFIF, full range) in libjpeg's fixed-point arithmetic."""

# ==== encode: RGB -> YCbCr ====
import numpy as np
from libc.stdint cimport uint8_t
from jpeglite._simd cimport variant_level


def rgb_to_ycbcr(image, out=None, variant=None):
    """Staged colour stage: an (H, W, 3) uint8 RGB image -> (3, H, W) uint8 Y, Cb, Cr planes.

    JFIF full-range conversion in libjpeg's 16-bit fixed point (the same kernel
    the fused encoder runs row by row), so the planes equal libjpeg-turbo's.
    ``out``: an (3, H, W) uint8 array (rows contiguous, e.g. a row band of a
    bigger one) to write into instead of a new array; it is returned.
    ``variant``: the SIMD variant to run ("scalar", "sse2", ...: one of
    ``_simd.available_variants()``); None runs the one the encoder runs.
    """
    cdef int level = variant_level(variant)
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
                jl_rgb_ycc_row(&src[row, 0, 0], &o[0, row, 0], &o[1, row, 0], &o[2, row, 0], w,
                               level)
    return out
# ==== end encode: RGB -> YCbCr ====


# ==== decode: YCbCr -> RGB (and CMYK/YCCK) ====

cdef YccTables _TABLES
build_ycc_tables(&_TABLES)


cdef const YccTables* ycc_tables() noexcept nogil:
    """libjpeg's YCbCr -> RGB lookup tables, built once for every decoder."""
    return &_TABLES


def ycbcr_to_rgb(const uint8_t[:, :, ::1] ycc, variant=None):
    """Convert an (H, W, 3) YCbCr image to RGB with libjpeg's fixed-point
    arithmetic (staged path, tests). ``variant``: the SIMD variant to run
    (one of ``_simd.available_variants()``; None: the one the decoder runs)."""
    if ycc.shape[2] != 3:
        raise ValueError("need (H, W, 3) YCbCr samples")
    return _from_ycc(ycc, variant_level(variant))


def ycck_to_cmyk(const uint8_t[:, :, ::1] ycck, variant=None):
    """Convert an (H, W, 4) Adobe YCCK image to the (H, W, 4) CMYK Pillow
    reads (staged path, tests); ``variant`` as for ``ycbcr_to_rgb``."""
    if ycck.shape[2] != 4:
        raise ValueError("need (H, W, 4) YCCK samples")
    return _from_ycc(ycck, variant_level(variant))


def ycc_planes_to_rgb(y, cb, cr, k=None, variant=None):
    """Three equal-sized YCbCr planes to (H, W, 3) RGB, or with a fourth
    plane ``k`` YCCK to Pillow's (H, W, 4) CMYK (as ``ycbcr_to_rgb`` and
    ``ycck_to_cmyk`` of the interleaved samples; for the scaled decoder,
    whose components are planes). ``variant`` as for ``ycbcr_to_rgb``."""
    return _planes_from_ycc(y, cb, cr, y if k is None else k, k is not None,
                            variant_level(variant))


cdef _planes_from_ycc(const uint8_t[:, ::1] y, const uint8_t[:, ::1] cb,
                      const uint8_t[:, ::1] cr, const uint8_t[:, ::1] k, bint ycck, int level):
    # YCbCr or YCCK planes -> RGB or CMYK, row by row as the decoder does
    import numpy as np
    cdef Py_ssize_t h = y.shape[0], w = y.shape[1], i
    if (cb.shape[0] != h or cb.shape[1] != w or cr.shape[0] != h or cr.shape[1] != w
            or k.shape[0] != h or k.shape[1] != w):
        raise ValueError("the planes must have one size")
    out = np.empty((h, w, 4 if ycck else 3), dtype=np.uint8)
    cdef uint8_t[:, :, ::1] o = out
    if w == 0 or h == 0:
        return out
    with nogil:
        for i in range(h):
            if ycck:
                ycck_cmyk_row_at(&y[i, 0], &cb[i, 0], &cr[i, 0], &k[i, 0], &o[i, 0, 0],
                                 <int>w, &_TABLES, level)
            else:
                jl_ycc_rgb_row(&y[i, 0], &cb[i, 0], &cr[i, 0], &o[i, 0, 0], <int>w, 3,
                               &_TABLES, level)
    return out


cdef _from_ycc(const uint8_t[:, :, ::1] img, int level):
    # interleaved YCbCr (3 channels) or YCCK (4): as planes
    import numpy as np
    p = np.ascontiguousarray(np.moveaxis(np.asarray(img), 2, 0))
    return _planes_from_ycc(p[0], p[1], p[2], p[3] if p.shape[0] == 4 else p[0],
                            p.shape[0] == 4, level)

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
