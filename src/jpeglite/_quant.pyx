"""Quantization and zigzag reordering (and their inverses)."""

# ==== encode: quantize ====
import numpy as np
from libc.stdint cimport int16_t, int32_t, uint32_t, uint64_t


cdef int fill_divisors(qtable, QuantDivisors* q) except -1:
    """Fill a QuantDivisors from a 64-entry quantization table in natural order."""
    t = np.asarray(qtable).reshape(-1)
    if t.shape[0] != 64:
        raise ValueError("a quantization table has 64 entries")
    cdef int i, L
    vals = [int(x) for x in t]
    if not all(1 <= d <= 2047 for d in vals):
        raise ValueError("quantization table entries must be 1..2047")
    L = (8 * max(vals) - 1).bit_length()
    q.shift = 20 + L
    for i in range(64):
        q.half[i] = 4 * vals[i]
        q.mul[i] = <uint32_t>((<uint64_t>1 << (20 + L)) // <uint64_t>(8 * vals[i]) + 1)
    return 0


def quantize_blocks(coefs, qtable):
    """Staged quantization stage: (..., 64) int32 FDCT output -> int16 of the same shape.

    ``qtable`` is the 64-entry table in natural order (as ``tables`` gives it);
    each coefficient c becomes sign(c) * floor((|c| + 4Q) / 8Q), libjpeg's
    rounding (the FDCT output carries a factor 8). Natural order in and out.
    """
    c = np.ascontiguousarray(coefs, dtype=np.int32)
    if c.ndim < 1 or c.shape[c.ndim - 1] != 64:
        raise ValueError("coefficients must have a last axis of 64")
    if c.size and (int(c.min()) <= -(1 << 16) or int(c.max()) >= (1 << 16)):
        raise ValueError("coefficients out of range for 8-bit samples")
    cdef QuantDivisors q
    fill_divisors(qtable, &q)
    out = np.empty(c.shape, dtype=np.int16)
    cdef const int32_t[:, ::1] src = c.reshape(-1, 64)
    cdef int16_t[:, ::1] dst = out.reshape(-1, 64)
    cdef Py_ssize_t n = src.shape[0], k
    with nogil:
        for k in range(n):
            quantize_block(&src[k, 0], &q, &dst[k, 0])
    return out


def zigzag_blocks(blocks):
    """Staged zigzag stage: reorder the last axis (64, natural order) into zigzag order.

    ``out[..., k] == blocks[..., ZIGZAG[k]]`` (T.81 Figure A.6); the entropy
    coder reads natural-order blocks through the same permutation.
    """
    from .tables import ZIGZAG
    b = np.asarray(blocks)
    if b.ndim < 1 or b.shape[b.ndim - 1] != 64:
        raise ValueError("blocks must have a last axis of 64")
    return np.ascontiguousarray(b[..., ZIGZAG])
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
