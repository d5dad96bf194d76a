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
    for i in range(64):
        d = 8 * vals[i]
        L = (d - 1).bit_length()             # 2**(L-1) < d <= 2**L
        q.half[i] = d // 2
        q.mlo[i] = (1 << (16 + L)) // d + 1 - (1 << 16)
        q.scale[i] = 1 << (17 - L)
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
    if c.size and (int(c.min()) < -(1 << 15) or int(c.max()) >= (1 << 15)):
        raise ValueError("coefficients out of range for 8-bit samples")
    cdef QuantDivisors q
    fill_divisors(qtable, &q)
    out = np.empty(c.shape, dtype=np.int16)
    cdef const int16_t[:, ::1] src = c.astype(np.int16).reshape(-1, 64)
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

# ==== end decode: dequantize ====
