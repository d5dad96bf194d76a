"""Run-length symbols and scan coding (baseline; progressive on the decode side)."""

# ==== encode: run-length symbols and baseline scan coding ====
import numpy as np
from libc.stdint cimport int16_t, int64_t, uint8_t, uint32_t
from libc.stdlib cimport free

from .tables import ZIGZAG as _ZIGZAG

cdef int _zz[64]
for _k in range(64):
    _zz[_k] = _ZIGZAG[_k]
cdef ZigzagMap ZZ
zigzag_map_init(&ZZ, _zz)


cdef int fill_huffcodes(codes, sizes, HuffCodes* out) except -1:
    """Copy a (codes, sizes) pair from _huffman.make_codes into a HuffCodes."""
    cdef const uint32_t[::1] c = np.ascontiguousarray(codes, dtype=np.uint32)
    cdef const uint8_t[::1] s = np.ascontiguousarray(sizes, dtype=np.uint8)
    if c.shape[0] != 256 or s.shape[0] != 256:
        raise ValueError("a Huffman table has 256 codes and sizes")
    cdef int i
    for i in range(256):
        if s[i] > 16 or c[i] >> s[i]:
            raise ValueError("Huffman code longer than its size")
        out.code[i] = c[i]
        out.size[i] = s[i]
        out.packed[i] = (c[i] << 8) | s[i]
    return 0


def _check_scan(blocks, h, v, Py_ssize_t mcus_x, Py_ssize_t mcus_y, int restart_interval):
    if mcus_x < 1 or mcus_y < 1 or not 0 <= restart_interval <= 65535:
        raise ValueError("need at least one MCU and a restart interval in 0..65535")
    n = len(blocks)
    if not 1 <= n <= 4 or len(h) != n or len(v) != n:
        raise ValueError("1..4 components, each with blocks, h and v")
    arrays = []
    for c in range(n):
        b = np.ascontiguousarray(blocks[c], dtype=np.int16)
        if b.ndim != 3 or b.shape[2] != 64:
            raise ValueError("blocks must be (block rows, block columns, 64) arrays")
        if n == 1 and (h[c], v[c]) != (1, 1):
            raise ValueError("a single-component scan has 1x1 MCUs")
        if not (1 <= h[c] <= 4 and 1 <= v[c] <= 4):
            raise ValueError("sampling factors must be 1..4")
        if not ((mcus_y - 1) * v[c] < b.shape[0] <= mcus_y * v[c]
                and (mcus_x - 1) * h[c] < b.shape[1] <= mcus_x * h[c]):
            raise ValueError(f"component {c}: {b.shape[:2]} blocks do not fit "
                             f"{mcus_y}x{mcus_x} MCUs of {v[c]}x{h[c]} blocks")
        arrays.append(b)
    return arrays


cdef int _code_scan(BitWriter* w, ScanComp* comps, int ncomp, list arrays,
                    Py_ssize_t mcus_x, Py_ssize_t mcus_y, int restart_interval) except -2:
    """Code (w != NULL) or count (w == NULL) every MCU row of whole-image block arrays."""
    cdef const int16_t* base[4]
    cdef int hb[4]
    cdef int c, rc = 0
    cdef Py_ssize_t my
    cdef const int16_t[:, :, ::1] b
    for c in range(ncomp):
        b = arrays[c]
        base[c] = &b[0, 0, 0]
        hb[c] = b.shape[0]
    with nogil:
        for my in range(mcus_y):
            for c in range(ncomp):
                comps[c].rows = min(comps[c].v, hb[c] - <int>my * comps[c].v)
                comps[c].blocks = base[c] + my * comps[c].v * comps[c].row_stride
            rc = code_mcu_row(w, comps, ncomp, <int>mcus_x, my * mcus_x, restart_interval, &ZZ)
            if rc < 0:
                break
    return rc


def count_symbols(blocks, h, v, Py_ssize_t mcus_x, Py_ssize_t mcus_y, int restart_interval=0):
    """Symbol statistics of a baseline scan: int64 array (components, 2, 256).

    ``blocks[c]`` holds component c's quantized blocks, (rows, cols, 64) int16
    in natural order; ``h[c]``, ``v[c]`` its blocks per MCU (1, 1 for a
    one-component scan); the scan has ``mcus_y`` x ``mcus_x`` MCUs and a restart
    marker every ``restart_interval`` MCUs (0: none). ``[c, 0, s]`` counts DC
    symbol (category) s of component c, ``[c, 1, s]`` AC run/size symbol s,
    dummy edge blocks included: exactly the symbols ``encode_scan`` writes.
    """
    arrays = _check_scan(blocks, h, v, mcus_x, mcus_y, restart_interval)
    cdef int ncomp = len(arrays), c
    counts = np.zeros((ncomp, 2, 256), dtype=np.int64)
    cdef int64_t[:, :, ::1] cv = counts
    cdef ScanComp comps[4]
    for c in range(ncomp):
        comps[c].h = h[c]
        comps[c].v = v[c]
        comps[c].wb = arrays[c].shape[1]
        comps[c].row_stride = arrays[c].shape[1] * 64
        comps[c].last_dc = 0
        comps[c].counts = &cv[c, 0, 0]
    _code_scan(NULL, comps, ncomp, arrays, mcus_x, mcus_y, restart_interval)
    return counts


def encode_scan(blocks, h, v, Py_ssize_t mcus_x, Py_ssize_t mcus_y, dc_tables, ac_tables,
                int restart_interval=0):
    """Entropy-code a baseline scan; returns the entropy-coded segment(s) as bytes.

    Arguments as for ``count_symbols``, plus ``dc_tables[c]`` and
    ``ac_tables[c]``: component c's Huffman tables as ``(codes, sizes)`` from
    ``_huffman.make_codes``. The bytes include 0xFF00 stuffing, the 1-bit
    padding before each RSTn and at the end, and the RSTn markers; they go
    between the SOS segment and EOI.
    """
    arrays = _check_scan(blocks, h, v, mcus_x, mcus_y, restart_interval)
    cdef int ncomp = len(arrays), c
    if len(dc_tables) != ncomp or len(ac_tables) != ncomp:
        raise ValueError("one DC and one AC table per component")
    cdef HuffCodes tabs[8]
    cdef ScanComp comps[4]
    for c in range(ncomp):
        fill_huffcodes(dc_tables[c][0], dc_tables[c][1], &tabs[2 * c])
        fill_huffcodes(ac_tables[c][0], ac_tables[c][1], &tabs[2 * c + 1])
        comps[c].h = h[c]
        comps[c].v = v[c]
        comps[c].wb = arrays[c].shape[1]
        comps[c].row_stride = arrays[c].shape[1] * 64
        comps[c].last_dc = 0
        comps[c].dc = &tabs[2 * c]
        comps[c].ac = &tabs[2 * c + 1]
    cdef BitWriter w
    w.buf = NULL
    w.pos = 0
    w.cap = 0
    w.acc = 0
    w.free = 64
    w.error = 0
    try:
        if _code_scan(&w, comps, ncomp, arrays, mcus_x, mcus_y, restart_interval) < 0:
            raise MemoryError("out of memory writing the scan")
        if not bw_reserve(&w, 32):
            raise MemoryError("out of memory writing the scan")
        bw_finish(&w)
        return (<char*>w.buf)[:w.pos] if w.pos else b""
    finally:
        free(w.buf)
# ==== end encode: run-length symbols and baseline scan coding ====


# ==== decode: baseline and progressive scan decoding ====

# ==== end decode: baseline and progressive scan decoding ====
