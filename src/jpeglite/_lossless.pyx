# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""Lossless JPEG (T.81 Annex H, SOF3 with Huffman coding): the predictive
coder's kernels, decode and encode.

A lossless scan codes, per sample, the difference between the sample (after
the point transform, ``x >> Pt``) and a prediction from its left (Ra), upper
(Rb) and upper-left (Rc) neighbours (Table H.1, predictors 1..7), modulo
2**16, with a DC-style Huffman code of categories 0..16 (H.1.2.2; category
16 is the one difference 32768 and has no extra bits). The first row of a
scan and of every restart interval is predicted from the left (the first
sample from 2**(P - Pt - 1)), the first column from above (H.1.2.1).

Where a choice is libjpeg-turbo 3's rather than the standard's (the
decoder's work for corrupt data, the reset of the predictor per "iMCU row"
of a non-interleaved scan), it is libjpeg-turbo's, so that a decode equals
``imagecodecs.jpeg8_decode``: see ``undifference``.

Every kernel runs without the GIL; the geometry is checked before the
kernels run, and entropy-coded data is read through the decoder's bounded
bit reader (``_huffman.BitReader``), so untrusted data cannot lead a kernel
outside its arrays.
"""
import numpy as np

from libc.stdint cimport uint8_t, uint16_t, int32_t, uint32_t, int64_t, uint64_t
from libc.stdlib cimport free
from libc.string cimport memset

from jpeglite._huffman cimport (HuffDecodeTable, BitReader, br_init, br_fill, huff_lookup,
                                huff_extend, HuffCodes, BitWriter, bw_init, bw_put,
                                bw_reserve, bw_restart, bw_finish, bw_take_bytes,
                                jl_enc_bitlen)
from jpeglite._entropy cimport (read_restart_marker, fill_huffcodes, SCAN_OK,
                                SCAN_TRUNCATED)
from jpeglite.errors import JPEGError

__all__ = ["decode_differences", "undifference", "difference", "count_differences",
           "encode_differences", "upscale"]


cdef enum:
    MAX_COMPS = 4


ctypedef struct DiffComp:
    int32_t* diff           # the component's differences, row-major
    Py_ssize_t stride       # samples per row of diff
    int h, v                # samples of this component per MCU (1, 1 if non-interleaved)
    const HuffDecodeTable* table
    const HuffCodes* codes


cdef int _setup(list planes, list hv, DiffComp* comps, int mcus_x, int mcus_y) except -1:
    cdef int32_t[:, ::1] a
    cdef int i
    if not 1 <= len(planes) <= MAX_COMPS or len(hv) != len(planes):
        raise ValueError("1..4 components, each with (h, v)")
    for i in range(len(planes)):
        a = planes[i]
        h, v = hv[i]
        if not (1 <= h <= 4 and 1 <= v <= 4):
            raise ValueError("sampling factors must be 1..4")
        if mcus_y * v > a.shape[0] or mcus_x * h > a.shape[1]:
            raise ValueError("scan geometry outside the difference plane")
        comps[i].diff = &a[0, 0]
        comps[i].stride = a.shape[1]
        comps[i].h = h
        comps[i].v = v
    return 0


def decode_differences(const uint8_t[::1] data, Py_ssize_t pos, list planes, list hv,
                       list tables, int mcus_x, int mcus_y, int restart_interval,
                       uint8_t[::1] resets):
    """Decode one lossless scan's differences (H.2.2) starting at byte ``pos``.

    ``planes``: per scan component a C-contiguous int32 array of at least
    (mcus_y * v, mcus_x * h) samples, filled with the differences, MCU by
    MCU (an interleaved MCU holds h x v samples of each component, a
    non-interleaved one 1 sample); ``hv``: per component (h, v) as the scan
    lays it out; ``tables``: per component a decode table
    (``_huffman.build_decode_table``, symbols 0..16).
    ``restart_interval``: MCUs per interval, a whole number of MCU rows (the
    caller checks it, as libjpeg does).
    ``resets`` (mcus_y bytes): set to 1 for each MCU row before which the
    predictors restart (the first, each restart interval's, and each row
    decoded after the data ran out, libjpeg's recovery: zero differences
    from a restarted predictor).

    Returns (resume, corrupt_segments, bad_restarts) as
    ``_decoder.decode_scan``; raises JPEGError when the data ends inside the
    scan.
    """
    cdef DiffComp comps[MAX_COMPS]
    cdef int ncomps = len(planes)
    cdef BitReader br
    cdef Py_ssize_t n = data.shape[0]
    cdef int i, mx, my, x, y, s, rc = SCAN_OK, next_rst = 0, rows_per_interval = 0
    cdef int rows_togo = 0, bad_restarts = 0, corrupt = 0
    cdef bint insufficient = False
    cdef Py_ssize_t error_pos = 0
    cdef DiffComp* c
    cdef int32_t* row
    if pos >= n:
        raise JPEGError("truncated: no entropy-coded data after SOS", n)
    if resets.shape[0] < mcus_y or mcus_x < 1 or mcus_y < 1:
        raise ValueError("one reset flag per MCU row, at least one MCU")
    _setup(planes, hv, comps, mcus_x, mcus_y)
    if len(tables) != ncomps:
        raise ValueError("one decode table per component")
    for i in range(ncomps):
        if len(tables[i]) != sizeof(HuffDecodeTable):
            raise ValueError("not a decode table")
        comps[i].table = <const HuffDecodeTable*><const char*>tables[i]
    if restart_interval:
        if restart_interval % mcus_x:
            raise ValueError("the restart interval must be whole MCU rows")
        rows_per_interval = restart_interval // mcus_x
        rows_togo = rows_per_interval
    br_init(&br, &data[0], pos, n)
    with nogil:
        for my in range(mcus_y):
            resets[my] = my == 0
            if rows_per_interval:
                if rows_togo == 0:
                    br.buf = 0
                    br.nbits = 0
                    br.pad = 0
                    rc = read_restart_marker(&br, next_rst, &bad_restarts, &error_pos)
                    if rc != SCAN_OK:
                        break
                    next_rst = (next_rst + 1) & 7
                    rows_togo = rows_per_interval
                    resets[my] = 1
                    if br.marker == 0:
                        insufficient = False
                rows_togo -= 1
            if insufficient:
                # libjpeg zero-fills the row's differences and restarts the
                # predictors (the samples become 2**(P - Pt - 1))
                resets[my] = 1
                for i in range(ncomps):
                    c = &comps[i]
                    for y in range(c.v):
                        row = c.diff + (my * c.v + y) * c.stride
                        memset(row, 0, mcus_x * c.h * sizeof(int32_t))
                continue
            for mx in range(mcus_x):
                for i in range(ncomps):
                    c = &comps[i]
                    for y in range(c.v):
                        row = c.diff + (my * c.v + y) * c.stride + mx * c.h
                        for x in range(c.h):
                            # one refill per sample: a code (<= 16 bits,
                            # 17 for a bad one) and its extra bits (<= 15)
                            if br.nbits < 32:
                                br_fill(&br)
                            s = huff_lookup(br.buf, &br.nbits, c.table)
                            if s == 16:
                                row[x] = 32768
                            elif s:
                                br.nbits -= s
                                row[x] = huff_extend(<uint32_t>((br.buf >> br.nbits)
                                                                & ((<uint64_t>1 << s) - 1)), s)
                            else:
                                row[x] = 0
            if br.nbits < br.pad:
                if br.marker == 0:
                    rc = SCAN_TRUNCATED
                    error_pos = n
                    break
                insufficient = True
                corrupt += 1
    if rc == SCAN_TRUNCATED:
        raise JPEGError("truncated: the data ends inside a scan's entropy-coded data",
                        error_pos)
    resume = br.marker_pos if br.marker else br.pos
    return resume, corrupt, bad_restarts


cdef inline int32_t _predict(int psv, int32_t ra, int32_t rb, int32_t rc) noexcept nogil:
    # Table H.1; the halvings are arithmetic shifts of the (possibly
    # negative) sums, as libjpeg's RIGHT_SHIFT
    if psv == 1:
        return ra
    if psv == 2:
        return rb
    if psv == 3:
        return rc
    if psv == 4:
        return ra + rb - rc
    if psv == 5:
        return ra + ((rb - rc) >> 1)
    if psv == 6:
        return rb + ((ra - rc) >> 1)
    return (ra + rb) >> 1


cdef inline void _row(int psv, const int32_t* d, const int32_t* p, int32_t* q,
                      Py_ssize_t cols) noexcept nogil:
    # a row below the first: column 0 from above (Rb), then Table H.1
    cdef int32_t ra, rb, rc
    cdef Py_ssize_t x
    rb = p[0]
    ra = (d[0] + rb) & 0xFFFF
    q[0] = ra
    for x in range(1, cols):
        rc = rb
        rb = p[x]
        ra = (d[x] + _predict(psv, ra, rb, rc)) & 0xFFFF
        q[x] = ra


def undifference(const int32_t[:, ::1] diff, uint16_t[:, ::1] out, int group,
                 const uint8_t[::1] resets, int rows_per_reset_row, int psv, int pt,
                 int precision):
    """Reconstruct one component's samples from its differences (H.2.1):
    ``out[y, x] = (value << pt) & mask`` for the out.shape samples, mask 0xFF
    for ``precision`` <= 8 (libjpeg's 8-bit samples) else 0xFFFF.

    The running values are kept modulo 2**16 as libjpeg keeps them.
    Rows are taken in groups of ``group`` (the component's v: libjpeg
    undifferences an "iMCU row" at a time); the first row of group g is a
    first row (predicted from the left, the first sample from
    2**(precision - pt - 1)) when any of the MCU rows decoded for that group
    restarted the predictors: ``resets[k]`` for k in g * rows_per_reset_row
    .. + rows_per_reset_row - 1 (rows_per_reset_row: v for a non-interleaved
    scan, whose MCU rows are sample rows; 1 for an interleaved one).
    """
    cdef Py_ssize_t rows = out.shape[0], cols = out.shape[1], y, x, k, first_k, last_k
    cdef int32_t ra, rb, rc, initial
    cdef uint32_t mask = 0xFF if precision <= 8 else 0xFFFF
    cdef bint first
    if diff.shape[0] < rows or diff.shape[1] < cols or group < 1 or rows_per_reset_row < 1:
        raise ValueError("the difference plane is smaller than the output")
    if not 1 <= psv <= 7 or not 0 <= pt < precision or not 2 <= precision <= 16:
        raise ValueError("predictor 1..7, point transform below the precision")
    if cols == 0:
        return
    initial = 1 << (precision - pt - 1)
    cdef int32_t[::1] prev = np.zeros(cols, np.int32)
    cdef int32_t[::1] cur = np.zeros(cols, np.int32)
    cdef int32_t* p = &prev[0]
    cdef int32_t* q = &cur[0]
    cdef int32_t* t
    cdef Py_ssize_t nresets = resets.shape[0]
    with nogil:
        for y in range(rows):
            first = False
            if y % group == 0:
                first_k = (y // group) * rows_per_reset_row
                last_k = first_k + rows_per_reset_row
                if last_k > nresets:
                    last_k = nresets
                for k in range(first_k, last_k):
                    if resets[k]:
                        first = True
            if first:
                ra = (diff[y, 0] + initial) & 0xFFFF
                q[0] = ra
                for x in range(1, cols):
                    ra = (diff[y, x] + ra) & 0xFFFF
                    q[x] = ra
            # a constant predictor per call, so that the compiler drops the
            # switch from the inner loop
            elif psv == 1:
                _row(1, &diff[y, 0], p, q, cols)
            elif psv == 2:
                _row(2, &diff[y, 0], p, q, cols)
            elif psv == 3:
                _row(3, &diff[y, 0], p, q, cols)
            elif psv == 4:
                _row(4, &diff[y, 0], p, q, cols)
            elif psv == 5:
                _row(5, &diff[y, 0], p, q, cols)
            elif psv == 6:
                _row(6, &diff[y, 0], p, q, cols)
            else:
                _row(7, &diff[y, 0], p, q, cols)
            for x in range(cols):
                out[y, x] = <uint16_t>((<uint32_t>q[x] << pt) & mask)
            t = p
            p = q
            q = t


# ==== encode ====

def difference(const uint16_t[:, ::1] samples, int32_t[:, ::1] diff, int psv, int pt,
               int precision, int rows_per_interval):
    """The differences of one component (H.1.2): ``samples`` (rows, cols),
    each ``x >> pt`` predicted by ``psv`` (the first row of the image and of
    each restart interval of ``rows_per_interval`` rows, 0 = none, from the
    left), reduced modulo 2**16 to -32767..32768, into ``diff`` (at least
    the samples' shape; columns and rows past them, MCU padding, are set
    to 0)."""
    cdef Py_ssize_t rows = samples.shape[0], cols = samples.shape[1], y, x
    cdef int32_t ra, rb, rc, d, initial
    if diff.shape[0] < rows or diff.shape[1] < cols:
        raise ValueError("the difference plane is smaller than the samples")
    if not 1 <= psv <= 7 or not 0 <= pt < precision or not 2 <= precision <= 16:
        raise ValueError("predictor 1..7, point transform below the precision")
    initial = 1 << (precision - pt - 1)
    with nogil:
        for y in range(diff.shape[0]):
            for x in range(diff.shape[1]):
                diff[y, x] = 0
        for y in range(rows):
            for x in range(cols):
                if x == 0:
                    if y == 0 or (rows_per_interval and y % rows_per_interval == 0):
                        d = (samples[y, 0] >> pt) - initial
                    else:
                        d = (samples[y, 0] >> pt) - (samples[y - 1, 0] >> pt)
                elif y == 0 or (rows_per_interval and y % rows_per_interval == 0):
                    d = (samples[y, x] >> pt) - (samples[y, x - 1] >> pt)
                else:
                    ra = samples[y, x - 1] >> pt
                    rb = samples[y - 1, x] >> pt
                    rc = samples[y - 1, x - 1] >> pt
                    d = (samples[y, x] >> pt) - _predict(psv, ra, rb, rc)
                d &= 0xFFFF
                if d > 32768:
                    d -= 65536
                diff[y, x] = d


cdef inline int _category(int32_t d) noexcept nogil:
    if d < 0:
        d = -d
    return jl_enc_bitlen(<unsigned int>d)


def count_differences(list planes, list hv, int mcus_x, int mcus_y, int64_t[:, ::1] counts):
    """Add each scan component's category counts (0..16) to ``counts[i]``
    (rows of 256: a Huffman table's symbol counts): planes and hv as for
    ``encode_differences``."""
    cdef DiffComp comps[MAX_COMPS]
    cdef int ncomps = len(planes), i, mx, my, x, y
    cdef DiffComp* c
    _setup(planes, hv, comps, mcus_x, mcus_y)
    if counts.shape[0] < ncomps or counts.shape[1] != 256:
        raise ValueError("a row of 256 counts per component")
    with nogil:
        for my in range(mcus_y):
            for mx in range(mcus_x):
                for i in range(ncomps):
                    c = &comps[i]
                    for y in range(c.v):
                        for x in range(c.h):
                            counts[i, _category(c.diff[(my * c.v + y) * c.stride
                                                       + mx * c.h + x])] += 1


def encode_differences(list planes, list hv, list tables, int mcus_x, int mcus_y,
                       int restart_interval):
    """Huffman-code a lossless scan (H.1.2.2): per MCU, per component, its
    h x v differences from ``planes`` (int32, at least (mcus_y * v,
    mcus_x * h), values -32767..32768) with the component's table ``(codes,
    sizes)`` from ``_huffman.make_codes``; a restart marker every
    ``restart_interval`` MCUs (a whole number of MCU rows). Returns the
    entropy-coded bytes, stuffed and padded."""
    cdef DiffComp comps[MAX_COMPS]
    cdef HuffCodes tabs[MAX_COMPS]
    cdef int ncomps = len(planes), i, mx, my, x, y, s, k = 0, togo
    cdef int32_t d
    cdef DiffComp* c
    cdef BitWriter w
    cdef bint failed = False
    _setup(planes, hv, comps, mcus_x, mcus_y)
    if len(tables) != ncomps:
        raise ValueError("one Huffman table per component")
    for i in range(ncomps):
        fill_huffcodes(tables[i][0], tables[i][1], &tabs[i])
        comps[i].codes = &tabs[i]
    togo = restart_interval
    bw_init(&w)
    try:
        with nogil:
            for my in range(mcus_y):
                for mx in range(mcus_x):
                    if restart_interval:
                        if togo == 0:
                            if not bw_reserve(&w, 16):
                                failed = True
                                break
                            bw_restart(&w, k)
                            k += 1
                            togo = restart_interval
                        togo -= 1
                    # an MCU: at most 4 x 16 samples of 16 + 15 bits, stuffed
                    if not bw_reserve(&w, 64 * 8 + 16):
                        failed = True
                        break
                    for i in range(ncomps):
                        c = &comps[i]
                        for y in range(c.v):
                            for x in range(c.h):
                                d = c.diff[(my * c.v + y) * c.stride + mx * c.h + x]
                                s = _category(d)
                                bw_put(&w, c.codes.code[s], c.codes.size[s])
                                if 0 < s < 16:
                                    if d < 0:
                                        d -= 1
                                    bw_put(&w, <uint32_t>d & ((<uint32_t>1 << s) - 1), s)
                if failed:
                    break
            if not failed:
                if bw_reserve(&w, 16):
                    bw_finish(&w)
                else:
                    failed = True
        if failed:
            raise MemoryError("out of memory writing the scan")
    except BaseException:
        free(w.buf)
        raise
    return bw_take_bytes(&w)


def upscale(const uint16_t[:, ::1] plane, int hr, int vr, uint16_t[:, ::1] out):
    """Box upsampling of one component by integer factors (libjpeg's
    int_upsample, the only upsampling of lossless frames): out[y, x] =
    plane[y // vr, x // hr] over out's shape."""
    cdef Py_ssize_t y, x
    if hr < 1 or vr < 1 or (out.shape[0] + vr - 1) // vr > plane.shape[0] or \
            (out.shape[1] + hr - 1) // hr > plane.shape[1]:
        raise ValueError("the output is larger than the upsampled plane")
    with nogil:
        for y in range(out.shape[0]):
            for x in range(out.shape[1]):
                out[y, x] = plane[y // vr, x // hr]
