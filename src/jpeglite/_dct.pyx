"""8x8 DCT: the accurate integer ("islow") forward and inverse transforms."""

# ==== encode: forward DCT ====

# ==== end encode: forward DCT ====


# ==== decode: inverse DCT ====
from libc.stdint cimport uint8_t, int16_t, int32_t


def idct_blocks(const int16_t[:, ::1] coefs, const int16_t[::1] quant, bint scalar=False):
    """Inverse-DCT ``n`` blocks of 64 natural-order coefficients (shape (n, 64))
    with one table of 64 int16 multipliers; returns uint8 samples, shape (n, 8, 8).

    The per-stage entry point of the islow kernel (tests, staged timing);
    ``scalar`` forces the portable kernel instead of the SIMD one.
    """
    import numpy as np
    cdef Py_ssize_t n = coefs.shape[0], i
    if coefs.shape[1] != 64 or quant.shape[0] != 64:
        raise ValueError("need (n, 64) coefficients and a 64-entry table")
    out = np.empty((n, 8, 8), dtype=np.uint8)
    cdef uint8_t[:, :, ::1] o = out
    with nogil:
        for i in range(n):
            if scalar:
                idct_islow_scalar(&coefs[i, 0], &quant[0], &o[i, 0, 0], 8)
            else:
                idct_islow(&coefs[i, 0], &quant[0], &o[i, 0, 0], 8)
    return out


HAVE_SIMD = bool(JL_HAVE_SSE2)

# ==== end decode: inverse DCT ====
