"""8x8 DCT: the accurate integer ("islow") forward and inverse transforms."""

# ==== encode: forward DCT ====
import numpy as np
from libc.stdint cimport uint8_t, int16_t, int32_t
from jpeglite._simd cimport variant_level


def fdct_blocks(plane, out=None, variant=None):
    """Staged DCT stage: a (8*BY, 8*BX) uint8 plane -> (BY, BX, 64) int32 coefficients.

    Each 8x8 block is level-shifted and transformed with the islow FDCT (the
    kernel the fused encoder uses); coefficients are in natural (row-major)
    order and scaled by 8 relative to T.81's FDCT, as libjpeg leaves them.
    ``out``: a C-contiguous (BY, BX, 64) int32 array to write into instead of
    a new one (a block-row band of a bigger one); it is returned.
    ``variant``: the SIMD variant to run (one of ``_simd.available_variants()``;
    None: the one the encoder runs).
    """
    cdef int level = variant_level(variant)
    cdef const uint8_t[:, ::1] src = np.ascontiguousarray(plane, dtype=np.uint8)
    cdef Py_ssize_t rows = src.shape[0], cols = src.shape[1], by, bx
    if rows % 8 or cols % 8:
        raise ValueError("plane dimensions must be multiples of 8")
    if out is None:
        out = np.empty((rows // 8, cols // 8, 64), dtype=np.int32)
    cdef int32_t[:, :, ::1] o = out
    if o.shape[0] != rows // 8 or o.shape[1] != cols // 8 or o.shape[2] != 64:
        raise ValueError("out must be a (BY, BX, 64) int32 array")
    cdef int16_t blk[64]
    cdef int k
    with nogil:
        for by in range(rows // 8):
            for bx in range(cols // 8):
                jl_fdct_islow_u8(&src[8 * by, 8 * bx], cols, blk, level)
                for k in range(64):
                    o[by, bx, k] = blk[k]
    return out
# ==== end encode: forward DCT ====


# ==== decode: inverse DCT ====
from libc.stdint cimport uint8_t, int16_t, int32_t


def idct_blocks(const int16_t[:, ::1] coefs, const int16_t[::1] quant, variant=None):
    """Inverse-DCT ``n`` blocks of 64 natural-order coefficients (shape (n, 64))
    with one table of 64 int16 multipliers; returns uint8 samples, shape (n, 8, 8).

    The per-stage entry point of the islow kernel (tests, staged timing);
    ``variant``: the SIMD variant to run (one of ``_simd.available_variants()``;
    None: the one the decoder runs).
    """
    import numpy as np
    cdef int level = variant_level(variant)
    cdef Py_ssize_t n = coefs.shape[0], i
    if coefs.shape[1] != 64 or quant.shape[0] != 64:
        raise ValueError("need (n, 64) coefficients and a 64-entry table")
    out = np.empty((n, 8, 8), dtype=np.uint8)
    cdef uint8_t[:, :, ::1] o = out
    with nogil:
        for i in range(n):
            jl_idct_islow(&coefs[i, 0], &quant[0], &o[i, 0, 0], 8, level)
    return out



def idct_scaled_plane(const int16_t[:, :, ::1] coefs, const int16_t[::1] quant, int size,
                      int rows, int cols):
    """A component's samples at a reduced scale: every block of ``coefs``
    (block rows, block columns, 64 natural-order coefficients) inverse-
    transformed to ``size`` x ``size`` samples (8: the islow IDCT; 4, 2, 1:
    libjpeg's reduced IDCTs as libjpeg-turbo computes them, ``_dct_simd.h``),
    the first ``rows`` x ``cols`` of them returned as a uint8 plane.
    """
    if size not in (1, 2, 4, 8) or quant.shape[0] != 64 or coefs.shape[2] != 64:
        raise ValueError("size must be 1, 2, 4 or 8, with 64 coefficients and multipliers")
    cdef Py_ssize_t by_n = coefs.shape[0], bx_n = coefs.shape[1], by, bx
    if rows < 0 or cols < 0 or rows > by_n * size or cols > bx_n * size:
        raise ValueError("the plane is larger than its blocks")
    full = np.empty((by_n * size, bx_n * size), dtype=np.uint8)
    cdef uint8_t[:, ::1] o = full
    cdef int level = variant_level(None)
    if by_n and bx_n:
        with nogil:
            for by in range(by_n):
                for bx in range(bx_n):
                    jl_idct_scaled(&coefs[by, bx, 0], &quant[0], &o[by * size, bx * size],
                                   o.strides[0], size, level)
    return np.ascontiguousarray(full[:rows, :cols])

# ==== end decode: inverse DCT ====
