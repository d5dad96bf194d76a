"""Quantization and zigzag reordering (and their inverses)."""

# ==== encode: quantize ====

# ==== end encode: quantize ====


# ==== decode: dequantize ====
from libc.stdint cimport int16_t, int32_t, uint16_t


def decoder_quant_table(table):
    """A DQT table (64 entries, natural order, 0..65535) as the int16
    multipliers the IDCT uses (entries above 32767 wrap as libjpeg's do)."""
    import numpy as np
    src = np.asarray(table, dtype=np.uint16).reshape(64)
    out = np.empty(64, dtype=np.int16)
    cdef const uint16_t[::1] s_ = src
    cdef int16_t[::1] o = out
    cdef int k
    for k in range(64):
        o[k] = <int16_t>quant_multiplier(s_[k])
    return out


def dequantize(const int16_t[:, ::1] coefs, const int32_t[::1] quant):
    """Dequantize blocks of natural-order coefficients, shape (n, 64) -> int32 (n, 64)."""
    import numpy as np
    cdef Py_ssize_t n = coefs.shape[0], i
    if coefs.shape[1] != 64 or quant.shape[0] != 64:
        raise ValueError("need (n, 64) coefficients and a 64-entry table")
    out = np.empty((n, 64), dtype=np.int32)
    cdef int32_t[:, ::1] o = out
    with nogil:
        for i in range(n):
            dequantize_block(&coefs[i, 0], &quant[0], &o[i, 0])
    return out


def unzigzag(zz):
    """Reorder coefficients from zigzag to natural order along the last axis (64)."""
    import numpy as np
    from .tables import UNZIGZAG
    zz = np.asarray(zz)
    # (no negative indexing here: the module is compiled with wraparound off)
    if zz.ndim == 0 or zz.shape[zz.ndim - 1] != 64:
        raise ValueError("the last axis must hold 64 coefficients")
    return np.take(zz, UNZIGZAG, axis=zz.ndim - 1)

# ==== end decode: dequantize ====
