"""Bit accounting of one scan's entropy-coded data, as the file has it.

`scan_stats` walks a scan exactly as the decoder reads it (sequential,
progressive DC first/refine, AC first/refine with EOB runs, restart
markers) with the decoder's own bit reader and Huffman lookup
(`_huffman.pxd`), and tallies where every bit goes: per scan component the
Huffman code bits and amplitude bits of DC and AC symbols, the symbol
histograms, EOB / ZRL / EOBRUN counts, the EOBRUN extra bits and the
correction bits of refinement scans; per scan the padding bits of each
restart interval, stuffed bytes, fill bytes, RSTn markers and the
entropy-coded bytes in total.  The walk also leaves the coefficients in the
caller's arrays, as the decoder would, so a refinement scan sees what the
scans before it coded.

The block walkers below are copies of the decoder's block loops in
`_entropy.pyx` with counters added (and the decoder's fast AC path left out,
because it merges code and amplitude bits); the decoder's own loops are
untouched.  A bit pattern that is no code and a run past the end of the band
are walked as the decoder reads them (libjpeg's recovery) and counted
(``bad_codes``, ``overruns``).  Data that runs into a marker before its restart
interval's MCUs are done is walked as the decoder reads it (zero bits, then
the rest of the interval skipped); the bits it lacked are ``missing_bits``.
The walk is stricter than decoding where the bits stop adding up: a missing
or out-of-order RSTn and data that ends without a marker are a JPEGError
here (with the byte offset), where the decoder resynchronises.

Accounting identity (every figure exact):

    sum over components of (dc_code_bits + dc_amplitude_bits + ac_code_bits
      + ac_amplitude_bits + eobrun_bits + correction_bits)
    - missing_bits + padding_bits
    + 8 * (stuffed_bytes + fill_bytes + 2 * restart_markers) == 8 * ecs_bytes

where the padding of each interval is measured from the reader's position
when the walk ends the interval (the bits the reader holds but did not use,
plus the bytes it has not read before the marker), not from the tallies, so
the identity checks the tallies against the bit reader.
"""
import numpy as np

from libc.stdint cimport uint8_t, int16_t, int32_t, uint32_t, int64_t, uint64_t
from libc.string cimport memset

from jpeglite._huffman cimport (HuffDecodeTable, BitReader, br_init, br_fill, br_bits,
                                huff_lookup, huff_extend)
from jpeglite._entropy cimport (ScanComponent, find_marker, natural_order, SCAN_SEQUENTIAL,
                                SCAN_DC_FIRST, SCAN_DC_REFINE, SCAN_AC_FIRST, SCAN_AC_REFINE)
from jpeglite.errors import JPEGError

# zigzag position -> natural index: the decoder's table, whose 16 spare entries
# send a run past coefficient 63 to coefficient 63 (libjpeg's recovery)
cdef const int32_t* NAT = natural_order()

# (the scan kinds it takes are the decoder's, exported as _decoder.SCAN_*_)


cdef enum:
    WALK_OK = 0
    WALK_TRUNCATED = 4       # no marker after the data
    WALK_BAD_RESTART = 5     # the marker after an interval is not the RSTn expected


ctypedef struct CompTally:
    int64_t dc_hist[256]
    int64_t ac_hist[256]
    int64_t dc_code_bits
    int64_t dc_amplitude_bits
    int64_t ac_code_bits
    int64_t ac_amplitude_bits
    int64_t eob              # EOB (symbol 0x00; in a sequential scan any r/0 symbol but ZRL)
    int64_t eobrun           # EOBn symbols, n = 1..14 (progressive AC)
    int64_t eobrun_bits      # the n extra bits after each EOBn
    int64_t zrl              # ZRL (0xF0)
    int64_t correction_bits  # refinement bits of coefficients already non-zero (DC refine: every block)
    int64_t blocks           # blocks visited (dummy edge blocks of interleaved scans included)
    int64_t bad_codes        # bit patterns that are no code (decoded as symbol 0 from 17 bits, as libjpeg does)
    int64_t overruns         # coefficients a run put past the band (stored as the decoder does)


ctypedef struct Walk:
    BitReader br
    int ncomps
    ScanComponent comps[4]
    CompTally* tally        # ncomps of them
    int mcus_x, mcus_y, restart_interval, kind, Ss, Se, Al
    int eobrun
    int next_rst
    Py_ssize_t seg_start    # first byte of the current interval's data
    Py_ssize_t end_pos      # the first 0xFF of the marker after the scan
    int64_t* interval_padding
    int64_t nintervals
    int64_t max_intervals   # entries of interval_padding
    int64_t stuffed, fill, restart_markers, bad_padding, short_intervals
    int marker              # the marker code found where an RSTn was expected
    Py_ssize_t error_pos


cdef inline int sym(BitReader* br, const HuffDecodeTable* t, int* length) noexcept nogil:
    """huff_decode with the code's length: 17 means the bits are no code."""
    cdef int n0, s
    if br.nbits < 17:
        br_fill(br)
    n0 = br.nbits
    s = huff_lookup(br.buf, &br.nbits, t)
    length[0] = n0 - br.nbits
    return s


cdef inline int walk_sequential(Walk* w, int16_t* blk, ScanComponent* c,
                                CompTally* t) noexcept nogil:
    # _entropy.block_sequential with counters (and without its fast AC path)
    cdef BitReader* br = &w.br
    cdef int s, r, k, rs, length
    s = sym(br, c.dc, &length)
    t.bad_codes += length > 16
    t.dc_hist[s] += 1
    t.dc_code_bits += length
    r = 0
    if s:
        r = huff_extend(br_bits(br, s), s)
        t.dc_amplitude_bits += s
    c.last_dc = <int32_t>(<uint32_t>c.last_dc + <uint32_t>r)
    blk[0] = <int16_t>c.last_dc
    k = 1
    while k < 64:
        rs = sym(br, c.ac, &length)
        t.bad_codes += length > 16
        t.ac_hist[rs] += 1
        t.ac_code_bits += length
        r = rs >> 4
        s = rs & 15
        if s:
            k += r
            t.overruns += k > 63
            blk[NAT[k]] = <int16_t>huff_extend(br_bits(br, s), s)
            t.ac_amplitude_bits += s
        elif r != 15:
            t.eob += 1
            break
        else:
            t.zrl += 1
            k += 15
        k += 1
    return WALK_OK


cdef inline int walk_dc_first(Walk* w, int16_t* blk, ScanComponent* c,
                              CompTally* t) noexcept nogil:
    # _entropy.block_dc_first with counters
    cdef BitReader* br = &w.br
    cdef int s, length, diff = 0
    s = sym(br, c.dc, &length)
    t.bad_codes += length > 16
    t.dc_hist[s] += 1
    t.dc_code_bits += length
    if s:
        diff = huff_extend(br_bits(br, s), s)
        t.dc_amplitude_bits += s
    c.last_dc = <int32_t>(<uint32_t>c.last_dc + <uint32_t>diff)
    blk[0] = <int16_t>(<uint32_t>c.last_dc << w.Al)
    return WALK_OK


cdef inline void eob_run(Walk* w, CompTally* t, int r) noexcept nogil:
    # EOBr: this block and the next 2**r - 1 + (r more bits) blocks end here
    w.eobrun = 1 << r
    if r:
        w.eobrun += <int>br_bits(&w.br, r)
        t.eobrun += 1
        t.eobrun_bits += r
    else:
        t.eob += 1


cdef inline int walk_ac_first(Walk* w, int16_t* blk, ScanComponent* c,
                              CompTally* t) noexcept nogil:
    # _entropy.block_ac_first with counters (and without its fast path)
    cdef BitReader* br = &w.br
    cdef int s, r, k, rs, length, se = w.Se
    if w.eobrun > 0:
        w.eobrun -= 1
        return WALK_OK
    k = w.Ss
    while k <= se:
        rs = sym(br, c.ac, &length)
        t.bad_codes += length > 16
        t.ac_hist[rs] += 1
        t.ac_code_bits += length
        r = rs >> 4
        s = rs & 15
        if s:
            k += r
            t.overruns += k > se
            blk[NAT[k]] = <int16_t>(<uint32_t>huff_extend(br_bits(br, s), s) << w.Al)
            t.ac_amplitude_bits += s
        elif r == 15:
            t.zrl += 1
            k += 15
        else:
            eob_run(w, t, r)
            w.eobrun -= 1
            break
        k += 1
    return WALK_OK


cdef inline void correct(Walk* w, int16_t* coef, int p1, CompTally* t) noexcept nogil:
    # one correction bit: 1 if the magnitude of this non-zero coefficient grows by 2**Al
    t.correction_bits += 1
    if br_bits(&w.br, 1) and (coef[0] & p1) == 0:
        if coef[0] >= 0:
            coef[0] = <int16_t>(coef[0] + p1)
        else:
            coef[0] = <int16_t>(coef[0] - p1)


cdef inline int walk_ac_refine(Walk* w, int16_t* blk, ScanComponent* c,
                               CompTally* t) noexcept nogil:
    # _entropy.block_ac_refine (libjpeg's decode_mcu_AC_refine) with counters
    cdef BitReader* br = &w.br
    cdef int p1 = 1 << w.Al
    cdef int s, r, k, rs, length, se = w.Se
    cdef int16_t* coef
    k = w.Ss
    if w.eobrun == 0:
        while k <= se:
            rs = sym(br, c.ac, &length)
            t.bad_codes += length > 16
            t.ac_hist[rs] += 1
            t.ac_code_bits += length
            r = rs >> 4
            s = rs & 15
            if s:
                # a new coefficient of magnitude 2**Al: one sign bit
                s = p1 if br_bits(br, 1) else -p1
                t.ac_amplitude_bits += 1
            elif r != 15:
                eob_run(w, t, r)
                break
            else:
                t.zrl += 1
            while True:
                coef = blk + NAT[k]
                if coef[0] != 0:
                    correct(w, coef, p1, t)
                else:
                    r -= 1
                    if r < 0:
                        break
                k += 1
                if k > se:
                    break
            if s:
                t.overruns += k > se
                blk[NAT[k]] = <int16_t>s
            k += 1
    if w.eobrun > 0:
        while k <= se:
            coef = blk + NAT[k]
            if coef[0] != 0:
                correct(w, coef, p1, t)
            k += 1
        w.eobrun -= 1
    return WALK_OK


cdef inline void count_bytes(const uint8_t* d, Py_ssize_t a, Py_ssize_t b, int64_t* data,
                             int64_t* stuffed, int64_t* fill) noexcept nogil:
    """Split the bytes a .. b - 1 of entropy-coded data, where d[b] is the
    0xFF that starts a marker (so d[i + 1] is readable for every i < b):
    0xFF 0x00 is one data byte and one stuffed byte, a 0xFF before another
    0xFF is fill, anything else a data byte."""
    cdef Py_ssize_t i = a
    while i < b:
        if d[i] == 0xFF:
            if d[i + 1] == 0:
                data[0] += 1
                stuffed[0] += 1
                i += 2
                continue
            fill[0] += 1
        else:
            data[0] += 1
        i += 1


cdef int end_interval(Walk* w, bint restart) noexcept nogil:
    """Close the current interval: measure its padding from the reader's
    position, count its stuffed and fill bytes, then check and step over the
    RSTn that must follow (restart) or record where the scan ends."""
    cdef BitReader* br = &w.br
    cdef Py_ssize_t mpos, p, ff
    cdef int64_t tail = 0, dummy = 0, pad
    cdef uint64_t low
    cdef int i, unused
    if br.marker:
        mpos = br.marker_pos
    else:
        mpos = find_marker(br.data, br.pos, br.end)
        if mpos < 0:
            w.error_pos = br.end
            return WALK_TRUNCATED
    # the marker's code byte; the 0xFF bytes before its last 0xFF are fill
    p = mpos
    while br.data[p] == 0xFF:
        p += 1
    ff = p - 1
    unused = br.nbits - br.pad
    count_bytes(br.data, br.pos, ff, &tail, &dummy, &dummy)
    pad = unused + 8 * tail
    if w.nintervals < w.max_intervals:
        w.interval_padding[w.nintervals] = pad
    w.nintervals += 1
    # T.81 F.1.2.3: padding is fewer than 8 one-bits (negative: bits the data lacked)
    if tail or unused > 7 or unused < 0:
        w.bad_padding += 1
    elif unused:
        low = (br.buf >> br.pad) & ((<uint64_t>1 << unused) - 1)
        if low != (<uint64_t>1 << unused) - 1:
            w.bad_padding += 1
    count_bytes(br.data, w.seg_start, ff, &dummy, &w.stuffed, &w.fill)
    if not restart:
        w.end_pos = ff
        return WALK_OK
    if br.data[p] != 0xD0 + w.next_rst:
        w.marker = br.data[p]
        w.error_pos = ff
        return WALK_BAD_RESTART
    w.restart_markers += 1
    w.next_rst = (w.next_rst + 1) & 7
    w.seg_start = p + 1
    br_init(br, br.data, p + 1, br.end)
    for i in range(w.ncomps):
        w.comps[i].last_dc = 0
    w.eobrun = 0
    return WALK_OK


cdef int walk_scan(Walk* w) noexcept nogil:
    cdef BitReader* br = &w.br
    cdef int mx, my, ci, bx, by, rc, togo = w.restart_interval
    cdef bint insufficient = False
    cdef ScanComponent* c
    cdef CompTally* t
    cdef int16_t* blk
    for my in range(w.mcus_y):
        for mx in range(w.mcus_x):
            if w.restart_interval:
                if togo == 0:
                    rc = end_interval(w, True)
                    if rc != WALK_OK:
                        return rc
                    togo = w.restart_interval
                    insufficient = False
                togo -= 1
            if insufficient:
                continue
            for ci in range(w.ncomps):
                c = &w.comps[ci]
                t = &w.tally[ci]
                for by in range(c.v):
                    blk = c.coefs + ((my * c.v + by) * c.blocks_w + mx * c.h) * 64
                    for bx in range(c.h):
                        t.blocks += 1
                        if w.kind == SCAN_SEQUENTIAL:
                            rc = walk_sequential(w, blk, c, t)
                        elif w.kind == SCAN_DC_FIRST:
                            rc = walk_dc_first(w, blk, c, t)
                        elif w.kind == SCAN_DC_REFINE:
                            t.correction_bits += 1
                            if br_bits(br, 1):
                                blk[0] = <int16_t>(blk[0] | (1 << w.Al))
                            rc = WALK_OK
                        elif w.kind == SCAN_AC_FIRST:
                            rc = walk_ac_first(w, blk, c, t)
                        else:
                            rc = walk_ac_refine(w, blk, c, t)
                        if rc != WALK_OK:
                            return rc
                        blk += 64
            if br.nbits < br.pad:
                # This MCU needed bits the data does not have.  At a marker the
                # decoder has read zero bits and skips the rest of the interval
                # (libjpeg's recovery), and so does the walk: the interval's
                # padding comes out negative, minus the bits that were made up.
                if br.marker == 0:
                    w.error_pos = br.end
                    return WALK_TRUNCATED
                insufficient = True
                w.short_intervals += 1
    return end_interval(w, False)


cdef class ScanStats:
    """Where the bits of one scan's entropy-coded data go (see the module docstring).

    Per scan component (arrays indexed by the component's position in the
    scan): ``dc_hist``, ``ac_hist`` (int64 (n, 256) symbol counts),
    ``dc_code_bits``, ``dc_amplitude_bits``, ``ac_code_bits``,
    ``ac_amplitude_bits`` (bits), ``eob`` (EOB symbols), ``eobrun`` (EOBn
    symbols, n >= 1), ``eobrun_bits`` (their extra bits), ``zrl``,
    ``correction_bits`` (refinement bits of already non-zero coefficients;
    every bit of a DC refinement scan), ``blocks`` (blocks visited),
    ``bad_codes`` (bit patterns that are no code, walked as the decoder
    reads them: 17 bits, symbol 0), ``overruns`` (coefficients a run put
    past the band, stored where the decoder stores them).
    Per scan: ``start`` and ``end`` (byte offsets of the first data byte and
    of the 0xFF of the marker after the data), ``ecs_bytes`` (end - start),
    ``interval_padding`` (int64 padding bits of each restart interval;
    negative for an interval whose data ran into the marker early: minus the
    zero bits the decoder made up), ``padding_bits`` (the sum of the
    positive ones), ``missing_bits`` (minus the sum of the negative ones),
    ``short_intervals`` (intervals that ran short; the decoder, and the walk,
    skip their remaining MCUs), ``bad_padding`` (intervals whose padding is
    not 0..7 one-bits), ``stuffed_bytes`` (0x00 after a 0xFF data byte),
    ``fill_bytes`` (0xFF before a marker), ``restart_markers`` (RSTn, 2
    bytes each).
    """
    cdef readonly object dc_hist, ac_hist
    cdef readonly object dc_code_bits, dc_amplitude_bits, ac_code_bits, ac_amplitude_bits
    cdef readonly object eob, eobrun, eobrun_bits, zrl, correction_bits, blocks
    cdef readonly object bad_codes, overruns
    cdef readonly object interval_padding
    cdef readonly Py_ssize_t start, end, ecs_bytes
    cdef readonly int64_t padding_bits, bad_padding, stuffed_bytes, fill_bytes, restart_markers
    cdef readonly int64_t missing_bits, short_intervals

    @property
    def symbol_bits(self):
        """Every bit the scan's symbols take (codes, amplitudes, EOBRUN and correction bits)."""
        return int(sum(a.sum() for a in (self.dc_code_bits, self.dc_amplitude_bits,
                                           self.ac_code_bits, self.ac_amplitude_bits,
                                           self.eobrun_bits, self.correction_bits)))


_MESSAGES = {
    WALK_TRUNCATED: "truncated: no marker after the scan's entropy-coded data",
}


def scan_stats(const uint8_t[::1] data, Py_ssize_t pos, list comps, int mcus_x, int mcus_y,
               int restart_interval, int kind, int Ss, int Se, int Ah, int Al):
    """Walk the entropy-coded data of the scan whose data starts at byte ``pos``
    and return its `ScanStats`.

    Arguments as for ``_decoder.decode_scan`` (comps: a ``_decoder.ScanInput``
    per scan component, its coefs the component's int16 (block rows, blocks
    per row, 64) array, which the walk fills as the decoder would; kind one
    of the KIND_* values).  Raises JPEGError (with the byte offset) for data
    the walk cannot account for.
    """
    cdef Walk w
    cdef Py_ssize_t n = data.shape[0]
    cdef int i, rc
    cdef int16_t[:, :, ::1] arr
    cdef int64_t[:, ::1] tv
    cdef int64_t[::1] padv
    memset(&w, 0, sizeof(w))
    if pos >= n:
        raise JPEGError("truncated: no entropy-coded data after SOS", n)
    if not 1 <= len(comps) <= 4:
        raise ValueError("a scan has 1 to 4 components")
    # (a sequential scan's Ah/Al are not used: the decoder ignores what they say)
    if not (SCAN_SEQUENTIAL <= kind <= SCAN_AC_REFINE and (0 <= Al <= 13 or kind == SCAN_SEQUENTIAL)
            and mcus_x >= 1 and mcus_y >= 1 and restart_interval >= 0):
        raise ValueError("bad scan parameters")
    if kind in (SCAN_AC_FIRST, SCAN_AC_REFINE) and not (1 <= Ss <= Se <= 63 and len(comps) == 1):
        raise ValueError("an AC scan has one component and a band 1 <= Ss <= Se <= 63")
    keep = []
    w.ncomps = len(comps)
    for i, sc in enumerate(comps):
        arr = sc.coefs
        h, v, dc, ac = sc.h, sc.v, sc.dc, sc.ac
        if (mcus_y * v > arr.shape[0] or mcus_x * h > arr.shape[1] or arr.shape[2] != 64
                or h < 1 or v < 1):
            raise ValueError("scan geometry outside the coefficient array")
        for tab in (dc, ac):
            if tab is not None and len(tab) != sizeof(HuffDecodeTable):
                raise ValueError("not a decode table")
        if (kind in (SCAN_SEQUENTIAL, SCAN_DC_FIRST) and dc is None) or (
                kind in (SCAN_SEQUENTIAL, SCAN_AC_FIRST, SCAN_AC_REFINE) and ac is None):
            raise ValueError("scan needs a Huffman table it was not given")
        w.comps[i].coefs = &arr[0, 0, 0]
        w.comps[i].blocks_w = arr.shape[1]
        w.comps[i].h = h
        w.comps[i].v = v
        w.comps[i].dc = <const HuffDecodeTable*><const char*>dc if dc is not None else NULL
        w.comps[i].ac = <const HuffDecodeTable*><const char*>ac if ac is not None else NULL
        keep.append((arr, dc, ac))
    tally = np.zeros((w.ncomps, sizeof(CompTally) // sizeof(int64_t)), dtype=np.int64)
    tv = tally
    w.tally = <CompTally*>&tv[0, 0]
    mcus = <int64_t>mcus_x * mcus_y
    intervals = -(-mcus // restart_interval) if restart_interval else 1
    padding = np.zeros(intervals, dtype=np.int64)
    padv = padding
    w.interval_padding = &padv[0]
    w.max_intervals = intervals
    w.mcus_x = mcus_x
    w.mcus_y = mcus_y
    w.restart_interval = restart_interval
    w.kind = kind
    w.Ss = Ss
    w.Se = Se
    w.Al = Al
    w.seg_start = pos
    br_init(&w.br, &data[0], pos, n)
    with nogil:
        rc = walk_scan(&w)
    if rc == WALK_BAD_RESTART:
        raise JPEGError(f"expected the marker RST{w.next_rst} after restart interval "
                        f"{w.nintervals}, found 0xFF{w.marker:02X}", w.error_pos)
    if rc != WALK_OK:
        raise JPEGError(_MESSAGES[rc], w.error_pos)
    if w.nintervals != intervals:
        raise AssertionError("restart intervals miscounted")
    out = ScanStats()
    hist = tally[:, :512]
    out.dc_hist = hist[:, :256]
    out.ac_hist = hist[:, 256:]
    (out.dc_code_bits, out.dc_amplitude_bits, out.ac_code_bits, out.ac_amplitude_bits,
     out.eob, out.eobrun, out.eobrun_bits, out.zrl, out.correction_bits,
     out.blocks, out.bad_codes, out.overruns) = [tally[:, 512 + j] for j in range(12)]
    out.interval_padding = padding
    out.start = pos
    out.end = w.end_pos
    out.ecs_bytes = w.end_pos - pos
    out.padding_bits = int(padding[padding > 0].sum())
    out.missing_bits = int(-padding[padding < 0].sum())
    out.short_intervals = w.short_intervals
    out.bad_padding = w.bad_padding
    out.stuffed_bytes = w.stuffed
    out.fill_bytes = w.fill
    out.restart_markers = w.restart_markers
    return out
