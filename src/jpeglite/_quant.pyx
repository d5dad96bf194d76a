"""Quantization and zigzag reordering (and their inverses)."""

# ==== encode: quantize ====
import numpy as np
from libc.stdint cimport int16_t, uint16_t, int32_t, int64_t, uint32_t, uint64_t
from jpeglite._simd cimport variant_level

cdef extern from *:
    int __builtin_clzll(unsigned long long x) nogil


cdef int fill_divisors(qtable, QuantDivisors* q) except -1:
    """Fill a QuantDivisors from a 64-entry quantization table in natural order
    (a copy of the one ``prepare_divisors`` made, for a table it was given)."""
    if _PREPARED_DIVISORS and _prepared_divisors(qtable, q):
        return 0
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


# ==== encode: trellis (rate-distortion optimized) quantization ====
from libc.math cimport fabs
from libc.stdint cimport int8_t, int16_t, int32_t, int64_t

# Candidates per coefficient: the rounded magnitude and the largest magnitude
# of each smaller size category (1, 3, 7, ...): at most 10.
cdef enum:
    _MAX_CANDIDATES = 12
    _AC_MAX = 1023          # the largest AC magnitude a baseline AC symbol codes (size 10)


cdef inline int _size_of(int m) noexcept nogil:
    cdef int s = 0
    while m:
        s += 1
        m >>= 1
    return s


cdef void _trellis_block(const int32_t* x, const double* step, const int32_t* zz,
                         const double* sym_cost, double zrl_cost, double eob_cost,
                         int16_t* out) noexcept nogil:
    """Choose the AC values of one block minimizing SSE + rate (both in one unit).

    ``x``: FDCT output (natural order, scaled by 8); ``step``: the 64
    quantizer steps (natural order); ``zz``: zigzag -> natural index;
    ``sym_cost[s]``: the cost of AC symbol s (run << 4 | size) including its
    size amplitude bits, already multiplied by lambda; ``zrl_cost``,
    ``eob_cost``: those of ZRL and EOB. Viterbi over the position of the last
    nonzero coefficient, which is all later symbol costs depend on, so the
    result is the exact minimum over the candidate sets. The DC is rounded
    as libjpeg rounds it. ``out``: natural order.
    """
    cdef double absx[64]
    cdef double zcum[64]        # zcum[i]: squared error of zeroing positions 1..i
    cdef double best[64]
    cdef int prev[64]
    cdef int choice[64]
    cdef int elig[64]
    cdef int sign[64]
    cdef double cand_d[_MAX_CANDIDATES]
    cdef int cand_m[_MAX_CANDIDATES]
    cdef int cand_s[_MAX_CANDIDATES]
    cdef int n_elig = 0, i, j, k, p, run, nc, m, s, r, c, bp, bm
    cdef double v, q, cost, base, bc, d
    cdef int32_t xd = x[0], qd = <int32_t>(step[0] * 8.0 + 0.5), sd
    # DC: libjpeg's rounding, sign(c) * floor((|c| + 4Q) / 8Q)
    sd = -1 if xd < 0 else 1
    out[0] = <int16_t>(sd * (((xd if xd >= 0 else -xd) + qd // 2) // qd))
    zcum[0] = 0.0
    for i in range(1, 64):
        k = zz[i]
        v = x[k] * 0.125
        absx[i] = fabs(v)
        sign[i] = -1 if x[k] < 0 else 1
        zcum[i] = zcum[i - 1] + v * v
        out[k] = 0
        # the rounded magnitude, libjpeg's rule
        r = <int>(absx[i] / step[k] + 0.5)
        choice[i] = r if r <= _AC_MAX else _AC_MAX
        if r > 0:
            elig[n_elig] = i
            n_elig += 1
    best[0] = 0.0
    for j in range(n_elig):
        i = elig[j]
        q = step[zz[i]]
        r = choice[i]
        # candidate magnitudes: the rounded one and the largest of each
        # smaller size category (a value between two of those costs the bits
        # of the larger and is farther from x than it)
        nc = 0
        s = _size_of(r)
        m = r
        while m > 0:
            d = absx[i] - m * q
            cand_m[nc] = m
            cand_s[nc] = s
            cand_d[nc] = d * d
            nc += 1
            s -= 1
            m = (1 << s) - 1
        bc = 1e300
        bp = 0
        bm = 0
        # predecessor 0 is the block start; then each earlier eligible position
        for p in range(-1, j):
            k = 0 if p < 0 else elig[p]
            run = i - 1 - k
            base = best[k] + zcum[i - 1] - zcum[k] + (run >> 4) * zrl_cost
            run = (run & 15) << 4
            for c in range(nc):
                cost = base + cand_d[c] + sym_cost[run | cand_s[c]]
                if cost < bc:
                    bc = cost
                    bp = k
                    bm = cand_m[c]
        best[i] = bc
        prev[i] = bp
        choice[i] = bm
    # the end: the last nonzero position e (0: none), then EOB unless e = 63
    bc = zcum[63] + eob_cost
    bp = 0
    for j in range(n_elig):
        i = elig[j]
        cost = best[i] + zcum[63] - zcum[i] + (eob_cost if i < 63 else 0.0)
        if cost < bc:
            bc = cost
            bp = i
    while bp > 0:
        out[zz[bp]] = <int16_t>(sign[bp] * choice[bp])
        bp = prev[bp]


def trellis_quantize(coefs, qtable, ac_lengths, double lam, out=None):
    """Rate-distortion optimized quantization: (..., 64) int32 FDCT output -> int16.

    ``coefs``: FDCT output scaled by 8 (as ``_dct.fdct_blocks`` leaves it),
    natural order; ``qtable``: the 64 steps (natural order); ``ac_lengths``:
    256 Huffman code lengths in bits of the AC table the blocks will be coded
    with (0 for a symbol the table lacks: it is never chosen); ``lam``: the
    Lagrange multiplier, squared error (in pixel units, T.81's orthonormal
    DCT) per bit. Each block's AC values minimize squared error + lam x
    bits (Huffman code plus amplitude bits, ZRL and EOB included) over
    candidate magnitudes per coefficient (never above the rounded one); the DC
    is rounded as ``quantize_blocks`` rounds it. Runs without the GIL; each
    block independently, so any split of the blocks gives the same result.
    ``out``: a C-contiguous int16 array shaped like ``coefs`` to fill.
    """
    from .tables import ZIGZAG
    c = np.ascontiguousarray(coefs, dtype=np.int32)
    if c.ndim < 1 or c.shape[c.ndim - 1] != 64:
        raise ValueError("coefficients must have a last axis of 64")
    t = np.asarray(qtable, dtype=np.float64).reshape(-1)
    if t.shape[0] != 64 or t.min() < 1:
        raise ValueError("qtable must hold 64 steps >= 1")
    lengths = np.asarray(ac_lengths, dtype=np.int64).reshape(-1)
    if lengths.shape[0] != 256:
        raise ValueError("ac_lengths must hold 256 code lengths")
    if not lam >= 0:
        raise ValueError("lam must be >= 0")
    if out is None:
        out = np.empty(c.shape, dtype=np.int16)
    elif (not isinstance(out, np.ndarray) or out.dtype != np.int16 or out.shape != c.shape
          or not out.flags.c_contiguous):
        raise ValueError("out must be a C-contiguous int16 array shaped like coefs")
    # an absent symbol costs more than any block can gain by it
    big = 1e30
    sizes = np.arange(256) & 15
    cost = np.where(lengths > 0, lam * (lengths + sizes), big).astype(np.float64)
    cdef double zrl = lam * lengths[0xF0] if lengths[0xF0] > 0 else big
    cdef double eob = lam * lengths[0] if lengths[0] > 0 else big
    cdef const double[::1] sc = cost
    cdef const double[::1] st = np.ascontiguousarray(t)
    cdef const int32_t[::1] zz = np.ascontiguousarray(ZIGZAG, dtype=np.int32)
    cdef const int32_t[:, ::1] src = c.reshape(-1, 64)
    cdef int16_t[:, ::1] dst = out.reshape(-1, 64)
    cdef Py_ssize_t n = src.shape[0], b
    with nogil:
        for b in range(n):
            _trellis_block(&src[b, 0], &st[0], &zz[0], &sc[0], zrl, eob, &dst[b, 0])
    return out


# DC candidates per block: the rounded value and this many on each side.
cdef enum:
    _DC_SPREAD = 2
    _DC_CANDIDATES = 2 * _DC_SPREAD + 1


def dc_trellis(dc, double step, dc_lengths, double lam, out=None):
    """Rate-distortion optimized DC values of a chain of blocks in coding order.

    ``dc``: (n,) int32 FDCT DC outputs (scaled by 8) in the order the scan
    codes them, the first predicted from 0; ``step``: the DC quantizer step;
    ``dc_lengths``: the DC Huffman code lengths (bits) of categories 0..11
    (0: absent, never chosen); ``lam``: squared error per bit. Viterbi over
    the rounded value and its neighbours (+-2) per block, the cost of a link
    being its difference's code and amplitude bits, so the chain's choice is
    the exact minimum of squared error + lam x bits over those candidates.
    Returns (or fills ``out`` with) the (n,) int16 values.
    """
    x = np.ascontiguousarray(dc, dtype=np.int32).reshape(-1)
    lengths = np.asarray(dc_lengths, dtype=np.int64).reshape(-1)
    if lengths.shape[0] < 12:
        raise ValueError("dc_lengths must hold the 12 category code lengths")
    if not step >= 1 or not lam >= 0:
        raise ValueError("step must be >= 1 and lam >= 0")
    cdef Py_ssize_t n = x.shape[0], j
    if out is None:
        out = np.empty(n, dtype=np.int16)
    elif not isinstance(out, np.ndarray) or out.dtype != np.int16 or out.shape != (n,):
        raise ValueError("out must be an (n,) int16 array")
    big = 1e30
    cost_np = np.array([lam * (lengths[k] + k) if lengths[k] > 0 else big for k in range(12)]
                       + [big] * 5, dtype=np.float64)
    cdef const double[::1] link = cost_np
    cdef const int32_t[::1] src = x
    cdef int16_t[::1] dst = out
    back_np = np.zeros((max(n, 1), _DC_CANDIDATES), dtype=np.int8)
    cdef int8_t[:, ::1] back = back_np
    cdef double prev_cost[_DC_CANDIDATES]
    cdef double cur_cost[_DC_CANDIDATES]
    cdef int prev_val[_DC_CANDIDATES]
    cdef int cur_val[_DC_CANDIDATES]
    cdef int k, kp, r, m, d, nprev, bk
    cdef double v, e, c, bc
    if n == 0:
        return out
    with nogil:
        # the chain starts from a predictor of 0, one state
        prev_val[0] = 0
        prev_cost[0] = 0.0
        nprev = 1
        for j in range(n):
            v = src[j] * 0.125
            r = <int>(fabs(v) / step + 0.5)
            if v < 0:
                r = -r
            for k in range(_DC_CANDIDATES):
                m = r + k - _DC_SPREAD
                m = -2047 if m < -2047 else (2047 if m > 2047 else m)
                cur_val[k] = m
                e = v - m * step
                bc = 1e300
                bk = 0
                for kp in range(nprev):
                    d = m - prev_val[kp]
                    c = prev_cost[kp] + link[_size_of(d if d >= 0 else -d)]
                    if c < bc:
                        bc = c
                        bk = kp
                cur_cost[k] = bc + e * e
                back[j, k] = <int8_t>bk
            for k in range(_DC_CANDIDATES):
                prev_cost[k] = cur_cost[k]
                prev_val[k] = cur_val[k]
            nprev = _DC_CANDIDATES
        bk = 0
        for k in range(_DC_CANDIDATES):
            if prev_cost[k] < prev_cost[bk]:
                bk = k
        # walk back: the value of state k at block j is its candidate there
        j = n - 1
        while j >= 0:
            v = src[j] * 0.125
            r = <int>(fabs(v) / step + 0.5)
            if v < 0:
                r = -r
            m = r + bk - _DC_SPREAD
            m = -2047 if m < -2047 else (2047 if m > 2047 else m)
            dst[j] = <int16_t>m
            bk = back[j, bk]
            j -= 1
    return out
# ==== end encode: trellis (rate-distortion optimized) quantization ====


# ==== encode: prepared divisors (the per-call cost of small images) ====
from libc.string cimport memcpy as _memcpy


cdef class _PreparedDivisors:
    cdef object table       # kept so that its id stays its own while registered
    cdef int owners         # prepare_divisors calls not yet matched by forget_divisors
    cdef QuantDivisors divisors


# id(table) -> _PreparedDivisors, while the table's owner lives (the owner,
# an encode template, calls forget_divisors when it goes: options._FixedParts)
_PREPARED_DIVISORS = {}


def prepare_divisors(qtable):
    """Fill the QuantDivisors of a read-only quantization table (an ndarray of
    64 values, natural order) once: every later encode given this same array
    object copies them instead of converting the table and dividing (the
    encode plans of common options hold such tables). ValueError for a
    writable array."""
    if qtable.flags.writeable:
        raise ValueError("a prepared quantization table must be a read-only array")
    cdef _PreparedDivisors p = _PREPARED_DIVISORS.get(id(qtable))
    if p is not None and p.table is qtable:
        p.owners += 1
        return
    p = _PreparedDivisors.__new__(_PreparedDivisors)
    fill_divisors(qtable, &p.divisors)
    p.table = qtable
    p.owners = 1
    _PREPARED_DIVISORS[id(qtable)] = p


def forget_divisors(qtable):
    """Undo one ``prepare_divisors`` of this table: its divisors are dropped
    with the last."""
    cdef _PreparedDivisors p = _PREPARED_DIVISORS.get(id(qtable))
    if p is not None and p.table is qtable:
        p.owners -= 1
        if p.owners <= 0:
            del _PREPARED_DIVISORS[id(qtable)]


cdef bint _prepared_divisors(qtable, QuantDivisors* q) except -1:
    """Copy the prepared divisors of this table to q; False when there are none."""
    p = _PREPARED_DIVISORS.get(id(qtable))
    if p is None:
        return False
    cdef _PreparedDivisors pd = <_PreparedDivisors>p
    if pd.table is not qtable:
        return False
    _memcpy(q, &pd.divisors, sizeof(QuantDivisors))
    return True
# ==== end encode: prepared divisors ====
