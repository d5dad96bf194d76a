"""Quantization and zigzag reordering (and their inverses)."""

# ==== encode: quantize ====
import numpy as np
from libc.stdint cimport int16_t, uint16_t, int32_t, int64_t, uint32_t, uint64_t
from jpeglite._simd cimport variant_level

cdef extern from *:
    int __builtin_clzll(unsigned long long x) nogil


cdef int fill_divisors(qtable, QuantDivisors* q) except -1:
    """Fill a QuantDivisors from a 64-entry quantization table in natural order."""
    cdef const int64_t[::1] t = np.ascontiguousarray(np.asarray(qtable).reshape(-1),
                                                     dtype=np.int64)
    if t.shape[0] != 64:
        raise ValueError("a quantization table has 64 entries")
    cdef int i, L
    cdef int64_t d
    for i in range(64):
        if not 1 <= t[i] <= 32767:
            raise ValueError("quantization table entries must be 1..32767")
    for i in range(64):
        # d = 8Q stays below 2**16 up to Q = 8191, which keeps |c| + d/2 in
        # 16 bits for every int16 c, so the scheme is exact there.  A larger Q
        # (a 16-bit DQT allows up to 32767 in libjpeg) divides as 8191: both
        # give 0 for every |c| < 32764, and the FDCT of 8-bit samples stays
        # within |c| <= 8192.
        d = 8 * (t[i] if t[i] < 8191 else 8191)
        L = 64 - __builtin_clzll(<unsigned long long>(d - 1))   # 2**(L-1) < d <= 2**L
        q.half[i] = <uint16_t>(d // 2)
        q.mlo[i] = <uint16_t>(((<int64_t>1 << (16 + L)) // d + 1 - (1 << 16)))
        q.scale[i] = <uint16_t>(1 << (17 - L))
    return 0


def quantize_blocks(coefs, qtable, out=None, variant=None):
    """Staged quantization stage: (..., 64) int32 FDCT output -> int16 of the same shape.

    ``qtable`` is the 64-entry table in natural order (as ``tables`` gives it);
    each coefficient c becomes sign(c) * floor((|c| + 4Q) / 8Q), libjpeg's
    rounding (the FDCT output carries a factor 8). Natural order in and out.
    ``out``: a C-contiguous int16 array of the same shape to write into
    instead of a new one (a band of a bigger one); it is returned.
    ``variant``: the SIMD variant to run (one of ``_simd.available_variants()``;
    None: the one the encoder runs).
    """
    cdef int level = variant_level(variant)
    c = np.ascontiguousarray(coefs, dtype=np.int32)
    if c.ndim < 1 or c.shape[c.ndim - 1] != 64:
        raise ValueError("coefficients must have a last axis of 64")
    cdef QuantDivisors q
    fill_divisors(qtable, &q)
    if out is None:
        out = np.empty(c.shape, dtype=np.int16)
    elif (not isinstance(out, np.ndarray) or out.dtype != np.int16 or out.shape != c.shape
          or not out.flags.c_contiguous):
        raise ValueError("out must be a C-contiguous int16 array shaped like coefs")
    cdef const int32_t[:, ::1] src = c.reshape(-1, 64)
    cdef int16_t[:, ::1] dst = out.reshape(-1, 64)
    cdef Py_ssize_t n = src.shape[0], k
    cdef int16_t blk[64]
    cdef int i, bad = 0
    cdef int32_t x
    # narrowing and range check in the same pass as the quantization (a
    # separate min, max and int16 copy cost three more passes over the input)
    with nogil:
        for k in range(n):
            for i in range(64):
                x = src[k, i]
                bad |= (x < -(1 << 15)) | (x >= (1 << 15))
                blk[i] = <int16_t>x
            jl_quantize_block(blk, &q, &dst[k, 0], level)
    if bad:
        raise ValueError("coefficients out of range for 8-bit samples")
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


# ==== analyze: per-frequency coefficient histograms ====
from libc.stdint cimport uint32_t as _u32

ctypedef fused _coef_t:
    int16_t
    int32_t

# Every value a baseline encoder produces from 8-bit samples (rounded DCT or
# quantized, |v| <= ~1100) falls in this window, so one pass usually suffices;
# anything outside it triggers a second pass over the exact range.
cdef enum:
    _WINDOW_LO = -2048
    _WINDOW_SPAN = 4096


cdef int _count(const _coef_t* src, Py_ssize_t nblocks, bint round8, int lo, int span,
                _u32* hist) noexcept nogil:
    """hist[(v - lo) * 64 + k] += 1 for coefficient k of each block; 1 if a value fell outside."""
    cdef Py_ssize_t b
    cdef int k, outside = 0
    cdef int32_t c, s
    cdef _u32 rel[64]
    cdef _u32 bad
    for b in range(nblocks):
        # Round and offset the block in one branch-free loop the compiler can
        # vectorize, then scatter the 64 increments.
        bad = 0
        for k in range(64):
            c = src[64 * b + k]
            if round8:
                s = c >> 31
                c = ((((c ^ s) - s) + 4) >> 3 ^ s) - s
            rel[k] = <_u32>(c - lo)
            bad |= <_u32>(rel[k] >= <_u32>span)
        if bad:
            outside = 1
            for k in range(64):
                if rel[k] < <_u32>span:
                    hist[rel[k] * 64 + k] += 1
        else:
            for k in range(64):
                hist[rel[k] * 64 + k] += 1
    return outside


cdef void _minmax(const _coef_t* src, Py_ssize_t n, bint round8, int* lo, int* hi) noexcept nogil:
    cdef Py_ssize_t i
    cdef int32_t c, s, mn = src[0], mx = src[0]
    for i in range(n):
        c = src[i]
        mn = c if c < mn else mn
        mx = c if c > mx else mx
    if round8:  # rounding is monotonic, so the bounds round like the values
        s = mn >> 31
        mn = ((((mn ^ s) - s) + 4) >> 3 ^ s) - s
        s = mx >> 31
        mx = ((((mx ^ s) - s) + 4) >> 3 ^ s) - s
    lo[0] = mn
    hi[0] = mx


def _histogram(_coef_t[:, ::1] src, bint round8):
    cdef Py_ssize_t n = src.shape[0]
    cdef int lo = _WINDOW_LO, hi = 0, span = _WINDOW_SPAN, outside
    hist = np.zeros((span, 64), dtype=np.uint32)
    cdef _u32[:, ::1] h = hist
    if n == 0:
        return np.zeros((64, 1), dtype=np.int64), 0
    with nogil:
        outside = _count(&src[0, 0], n, round8, lo, span, &h[0, 0])
    if outside:
        with nogil:
            _minmax(&src[0, 0], 64 * n, round8, &lo, &hi)
        span = hi - lo + 1
        hist = np.zeros((span, 64), dtype=np.uint32)
        h = hist
        with nogil:
            _count(&src[0, 0], n, round8, lo, span, &h[0, 0])
    used = np.flatnonzero(hist.any(axis=1))
    first, last = int(used[0]), int(used[len(used) - 1])
    return np.ascontiguousarray(hist[first:last + 1].T, dtype=np.int64), lo + first


def frequency_histogram(blocks, bint round8=False):
    """Per-frequency value histograms of coefficient blocks: (counts, lo).

    ``blocks``: (..., 64) int16 (quantized) or int32 (FDCT output) coefficients,
    any leading shape; every leading index is one block, the last axis is the
    frequency in whatever order the caller keeps. ``round8``: divide by 8 first
    with libjpeg's rounding, sign(c) * floor((|c| + 4) / 8), i.e. quantize by a
    table of ones: this turns FDCT output (scaled by 8) into rounded true DCT
    coefficients. Returns ``counts`` (64, span) int64 and the int ``lo`` with
    ``counts[k, v - lo]`` = how many blocks have value v at frequency k; the
    value range is trimmed to the values that occur. Runs without the GIL.
    """
    b = np.asarray(blocks)
    if b.ndim < 1 or b.shape[b.ndim - 1] != 64:
        raise ValueError("blocks must have a last axis of 64")
    if b.dtype == np.int16:
        return _histogram(np.ascontiguousarray(b).reshape(-1, 64), round8)
    if b.dtype == np.int32:
        return _histogram(np.ascontiguousarray(b).reshape(-1, 64), round8)
    raise TypeError(f"blocks must be int16 or int32, not {b.dtype}")
# ==== end analyze: per-frequency coefficient histograms ====
