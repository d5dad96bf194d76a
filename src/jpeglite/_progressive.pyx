"""Progressive Huffman scan coding (T.81 G.1.2): DC first/refine, AC first/refine.

One ``ScanCoder`` per scan of a script. It counts the symbols the scan
writes (for its optimal Huffman tables, and for the scan search's exact bit
costs) and codes the scan; both passes run without the GIL, so the scans of
a script can be counted and coded on several threads at once.

The coding decisions are libjpeg's (jcphuff.c), so that with libjpeg's
tables the bytes equal libjpeg's: EOB runs up to 0x7FFF, correction bits
buffered with the EOB run and flushed when more than 937 are pending, ZRL
only where it cannot fold into the EOB run, EOBRUN flushed and DC prediction
reset at every restart.
"""
import numpy as np
from libc.stdint cimport int16_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free

from jpeglite._huffman cimport (HuffCodes, BitWriter, bw_init, bw_put, bw_reserve, bw_restart,
                                bw_finish, jl_enc_bitlen, jl_enc_bitlen_nz, jl_enc_ctz64)
from jpeglite._entropy cimport (ZigzagMap, zigzag_map_init, zigzag_nonzero, fill_huffcodes,
                                BLOCK_MAX_BYTES)
from .tables import ZIGZAG as _ZIGZAG

cdef int _zz[64]
for _k in range(64):
    _zz[_k] = _ZIGZAG[_k]
cdef ZigzagMap ZZ
zigzag_map_init(&ZZ, _zz)

cdef enum:
    # libjpeg's MAX_CORR_BITS: correction bits an EOB run may hold back
    MAX_CORR_BITS = 1000
    # the longest EOB run one symbol codes (EOB14 plus 14 bits)
    MAX_EOBRUN = 0x7FFF
    # a block's largest amplitude category: 11 bits for DC differences, 10 for AC (8-bit samples)
    MAX_DC_BITS = 11
    MAX_AC_BITS = 10

# What a scan codes, from its Ss and Ah (T.81 G.1.2).
cpdef enum ScanKind:
    DC_FIRST = 1
    DC_REFINE = 2
    AC_FIRST = 3
    AC_REFINE = 4


ctypedef struct PComp:
    const int16_t* blocks     # the component's blocks, 64 natural-order coefficients each
    Py_ssize_t wb, hb         # blocks across and down that hold data
    int h, v                  # blocks per MCU (1, 1 in a one-component scan)
    int last_dc               # DC prediction (point-transformed), T.81 F.1.2.1
    int prev_dc               # DC of the block coded before, as stored (a dummy block copies it)
    const HuffCodes* codes    # the DC table (DC first) or the AC table (AC scans)
    int64_t* counts           # counting pass: 256 symbol counts


ctypedef struct PScan:
    int kind
    int ncomp
    PComp comps[4]
    Py_ssize_t mcus_x, mcus_y
    int Ss, Se, Ah, Al
    int restart_interval
    int eobrun                # blocks in the pending EOB run
    int be                    # correction bits pending with that run
    uint8_t corr[MAX_CORR_BITS + 64]
    int64_t raw_bits          # bits written outside Huffman codes (counting pass)
    int max_dc_bits           # the largest size categories the frame's precision
    int max_ac_bits           #   codes: MAX_DC_BITS/MAX_AC_BITS for 8 bits, 15/14 for 12
    int error                 # 1: a value too large to code (error_* say where)
    int error_comp
    Py_ssize_t error_block
    int error_k


cdef inline void emit_symbol(PScan* s, BitWriter* w, const PComp* c, int sym) noexcept nogil:
    if w != NULL:
        bw_put(w, c.codes.code[sym], c.codes.size[sym])
    else:
        c.counts[sym] += 1


cdef inline void emit_bits(PScan* s, BitWriter* w, uint32_t bits, int n) noexcept nogil:
    if n:
        if w != NULL:
            bw_put(w, bits & ((<uint32_t>1 << n) - 1), n)
        else:
            s.raw_bits += n


cdef inline void emit_corr(PScan* s, BitWriter* w, const uint8_t* bits, int n) noexcept nogil:
    """Write n buffered correction bits (one per byte), up to 24 in one bw_put."""
    cdef int i, j, k
    cdef uint32_t word
    if w != NULL:
        i = 0
        while i < n:
            k = n - i if n - i < 24 else 24
            word = 0
            for j in range(k):
                word = (word << 1) | bits[i + j]
            bw_put(w, word, k)
            i += k
    else:
        s.raw_bits += n


cdef inline void emit_eobrun(PScan* s, BitWriter* w) noexcept nogil:
    """Code the pending EOB run (EOBn symbol and n bits), then its correction bits."""
    cdef int nbits
    if s.eobrun > 0:
        nbits = jl_enc_bitlen_nz(<unsigned int>s.eobrun) - 1
        emit_symbol(s, w, &s.comps[0], nbits << 4)
        emit_bits(s, w, <uint32_t>s.eobrun, nbits)
        s.eobrun = 0
        emit_corr(s, w, s.corr, s.be)
        s.be = 0


cdef inline int dc_first(PScan* s, BitWriter* w, PComp* c, const int16_t* blk) noexcept nogil:
    cdef int t = blk[0] >> s.Al        # arithmetic shift: the point transform of G.1.2.1
    cdef int diff = t - c.last_dc
    cdef int a, nbits
    c.last_dc = t
    c.prev_dc = blk[0]
    a = -diff if diff < 0 else diff
    nbits = jl_enc_bitlen(<unsigned int>a)
    if nbits > s.max_dc_bits:
        return -1
    emit_symbol(s, w, c, nbits)
    if diff < 0:
        diff -= 1
    emit_bits(s, w, <uint32_t>diff, nbits)
    return 0


cdef inline int ac_first(PScan* s, BitWriter* w, const int16_t* blk) noexcept nogil:
    """One block of an AC first scan (G.1.2.2); returns the offending zigzag index or 0."""
    cdef PComp* c = &s.comps[0]
    cdef uint64_t nz = zigzag_nonzero(blk, &ZZ)
    cdef int k, r, prev = s.Ss - 1, t, v, nbits, sym
    # only the band Ss..Se
    nz &= (~<uint64_t>0) << s.Ss
    if s.Se < 63:
        nz &= ((<uint64_t>1) << (s.Se + 1)) - 1
    while nz:
        k = jl_enc_ctz64(nz)
        nz &= nz - 1
        v = blk[ZZ.zz[k]]
        t = (-v if v < 0 else v) >> s.Al
        if t == 0:
            continue
        emit_eobrun(s, w)
        r = k - prev - 1
        while r > 15:
            emit_symbol(s, w, c, 0xF0)
            r -= 16
        nbits = jl_enc_bitlen_nz(<unsigned int>t)
        if nbits > s.max_ac_bits:
            return k
        # the symbol's code and the amplitude (negative values as the one's
        # complement of the magnitude) in one put
        if w != NULL:
            sym = (r << 4) | nbits
            bw_put(w, (c.codes.code[sym] << nbits)
                   | (<uint32_t>(~t if v < 0 else t) & ((<uint32_t>1 << nbits) - 1)),
                   c.codes.size[sym] + nbits)
        else:
            c.counts[(r << 4) | nbits] += 1
            s.raw_bits += nbits
        prev = k
    if prev < s.Se:
        s.eobrun += 1
        if s.eobrun == MAX_EOBRUN:
            emit_eobrun(s, w)
    return 0


cdef inline void ac_refine(PScan* s, BitWriter* w, const int16_t* blk) noexcept nogil:
    """One block of an AC refinement scan (G.1.2.3)."""
    cdef PComp* c = &s.comps[0]
    cdef uint64_t band = zigzag_nonzero(blk, &ZZ)
    cdef uint64_t nz
    cdef int k, r, pos, t, v, eob = 0, br = 0
    cdef uint8_t* brbuf = s.corr + s.be
    band &= (~<uint64_t>0) << s.Ss
    if s.Se < 63:
        band &= ((<uint64_t>1) << (s.Se + 1)) - 1
    # EOB: the last coefficient that becomes non-zero in this scan (|v| >> Al == 1)
    nz = band
    while nz:
        k = jl_enc_ctz64(nz)
        nz &= nz - 1
        v = blk[ZZ.zz[k]]
        if ((-v if v < 0 else v) >> s.Al) == 1:
            eob = k
    r = 0
    pos = s.Ss - 1          # the last position visited
    nz = band
    while nz:
        k = jl_enc_ctz64(nz)
        nz &= nz - 1
        v = blk[ZZ.zz[k]]
        t = (-v if v < 0 else v) >> s.Al
        # the run counts only coefficients with a zero history (G.1.2.3)
        r += k - pos - 1
        pos = k
        if t == 0:
            r += 1
            continue
        # ZRLs, except where they fold into the EOB run (no new coefficient follows)
        while r > 15 and k <= eob:
            emit_eobrun(s, w)
            emit_symbol(s, w, c, 0xF0)
            r -= 16
            emit_corr(s, w, brbuf, br)
            brbuf = s.corr
            br = 0
        if t > 1:
            # non-zero before this scan: one correction bit, sent later
            brbuf[br] = t & 1
            br += 1
            continue
        emit_eobrun(s, w)
        emit_symbol(s, w, c, (r << 4) | 1)
        emit_bits(s, w, 0 if v < 0 else 1, 1)
        emit_corr(s, w, brbuf, br)
        brbuf = s.corr
        br = 0
        r = 0
    r += s.Se - pos
    # zeros or correction bits after the last new coefficient: the block joins the EOB run
    if r > 0 or br > 0:
        s.eobrun += 1
        s.be += br
        if s.eobrun == MAX_EOBRUN or s.be > MAX_CORR_BITS - 64 + 1:
            emit_eobrun(s, w)


cdef int code_scan(PScan* s, BitWriter* w) noexcept nogil:
    """Count (w == NULL) or code every MCU of the scan. 0, -1 (no memory) or -2 (s.error set)."""
    cdef Py_ssize_t mx, my, m, nblocks = 0, bx, by
    cdef int ci, i, j, k
    cdef PComp* c
    cdef const int16_t* blk
    for ci in range(s.ncomp):
        s.comps[ci].last_dc = 0
        s.comps[ci].prev_dc = 0
        nblocks += s.comps[ci].h * s.comps[ci].v
    s.eobrun = 0
    s.be = 0
    s.raw_bits = 0
    s.error = 0
    for my in range(s.mcus_y):
        if w != NULL and not bw_reserve(w, s.mcus_x * (nblocks * BLOCK_MAX_BYTES + 8) + 2 * MAX_CORR_BITS // 8 + 64):
            return -1
        for mx in range(s.mcus_x):
            m = my * s.mcus_x + mx
            if s.restart_interval and m and m % s.restart_interval == 0:
                emit_eobrun(s, w)
                if w != NULL:
                    bw_restart(w, <int>(m // s.restart_interval - 1))
                for ci in range(s.ncomp):
                    s.comps[ci].last_dc = 0
            for ci in range(s.ncomp):
                c = &s.comps[ci]
                for j in range(c.v):
                    by = my * c.v + j
                    for i in range(c.h):
                        bx = mx * c.h + i
                        if by >= c.hb or bx >= c.wb:
                            # libjpeg's dummy block at the edge of an interleaved scan:
                            # zero AC and the DC of the block before it in the MCU
                            if s.kind == DC_FIRST:
                                emit_symbol(s, w, c, 0)
                            else:
                                emit_bits(s, w, <uint32_t>(c.prev_dc >> s.Al), 1)
                            continue
                        blk = c.blocks + 64 * (by * c.wb + bx)
                        if s.kind == DC_FIRST:
                            if dc_first(s, w, c, blk) < 0:
                                s.error_k = 0
                                s.error = 1
                        elif s.kind == DC_REFINE:
                            c.prev_dc = blk[0]
                            emit_bits(s, w, <uint32_t>(blk[0] >> s.Al), 1)
                        elif s.kind == AC_FIRST:
                            k = ac_first(s, w, blk)
                            if k:
                                s.error_k = k
                                s.error = 1
                        else:
                            ac_refine(s, w, blk)
                        if s.error:
                            s.error_comp = ci
                            s.error_block = by * c.wb + bx
                            return -2
    emit_eobrun(s, w)
    return 0


cdef class ScanCoder:
    """One progressive scan over whole-image coefficient blocks.

    ``blocks``: per scan component, its (block rows, block columns, 8, 8)
    int16 array (natural order); ``sampling``: per scan component (h, v), its
    blocks per MCU when the scan interleaves (ignored for one component,
    whose MCU is one block); ``mcus``: (MCUs across, MCUs down) of an
    interleaved scan (ignored for one component); ``band``: (Ss, Se, Ah, Al);
    ``restart_interval``: MCUs per restart interval (0: none).
    ``precision``: the frame's bits per sample, 8 or 12 (whose values reach
    size categories 15 for DC differences and 14 for AC).
    """
    cdef PScan s
    cdef list arrays
    cdef readonly int restart_interval
    cdef readonly Py_ssize_t mcus_x, mcus_y

    def __init__(self, list blocks, list sampling, tuple mcus, tuple band, int restart_interval=0,
                 int precision=8):
        cdef int ci, n = len(blocks)
        cdef const int16_t[:, :, :, ::1] view
        cdef PComp* c
        Ss, Se, Ah, Al = band
        if not 1 <= n <= 4 or len(sampling) != n:
            raise ValueError("a scan has 1..4 components, each with its sampling")
        if not (0 <= Ss <= Se <= 63 and 0 <= Al <= 13 and 0 <= Ah <= 13) or (Ss == 0) != (Se == 0):
            raise ValueError(f"bad spectral band/approximation {band}")
        if Ss and n != 1:
            raise ValueError("an AC scan has one component")
        if not 0 <= restart_interval <= 65535:
            raise ValueError("restart_interval must be in 0..65535")
        if precision not in (8, 12):
            raise ValueError("precision must be 8 or 12")
        self.s.max_dc_bits = MAX_DC_BITS if precision == 8 else 15
        self.s.max_ac_bits = MAX_AC_BITS if precision == 8 else 14
        self.arrays = []
        self.s.ncomp = n
        self.s.Ss, self.s.Se, self.s.Ah, self.s.Al = Ss, Se, Ah, Al
        self.s.kind = (DC_REFINE if Ah else DC_FIRST) if Ss == 0 else (AC_REFINE if Ah else AC_FIRST)
        for ci in range(n):
            a = np.ascontiguousarray(blocks[ci], dtype=np.int16)
            if a.ndim != 4 or a.shape[2:] != (8, 8) or a.shape[0] < 1 or a.shape[1] < 1:
                raise ValueError("blocks must be non-empty (block rows, block columns, 8, 8) arrays")
            self.arrays.append(a)
            view = a
            self.s.comps[ci].blocks = &view[0, 0, 0, 0]
            self.s.comps[ci].hb = a.shape[0]
            self.s.comps[ci].wb = a.shape[1]
            self.s.comps[ci].counts = NULL
            self.s.comps[ci].codes = NULL
            if n == 1:
                self.s.comps[ci].h = self.s.comps[ci].v = 1
            else:
                self.s.comps[ci].h, self.s.comps[ci].v = sampling[ci]
        if n == 1:
            self.mcus_x, self.mcus_y = self.s.comps[0].wb, self.s.comps[0].hb
        else:
            self.mcus_x, self.mcus_y = mcus
            for ci in range(n):
                c = &self.s.comps[ci]
                if not (1 <= c.h <= 4 and 1 <= c.v <= 4
                        and (self.mcus_x - 1) * c.h < c.wb <= self.mcus_x * c.h
                        and (self.mcus_y - 1) * c.v < c.hb <= self.mcus_y * c.v):
                    raise ValueError(f"scan component {ci}: {c.hb}x{c.wb} blocks do not fit "
                                     f"{self.mcus_y}x{self.mcus_x} MCUs of {c.v}x{c.h} blocks")
        self.s.mcus_x, self.s.mcus_y = self.mcus_x, self.mcus_y
        self.restart_interval = restart_interval
        self.s.restart_interval = restart_interval

    @property
    def kind(self):
        """What the scan codes: a ScanKind (DC_FIRST, DC_REFINE, AC_FIRST, AC_REFINE)."""
        return ScanKind(self.s.kind)

    cdef _raise(self):
        k = self.s.error_k
        what = "DC difference" if self.s.kind == DC_FIRST else f"AC coefficient (zigzag {k})"
        limit = self.s.max_dc_bits if self.s.kind == DC_FIRST else self.s.max_ac_bits
        raise ValueError(f"scan component {self.s.error_comp}, block {self.s.error_block}: "
                         f"{what} needs more than {limit} bits")

    def count(self):
        """The symbols this scan writes, as (counts, raw_bits).

        ``counts``: int64 array (scan components, 256): per component, how
        often each Huffman symbol is coded (all zero in a DC refinement scan,
        which codes none). ``raw_bits``: the bits written outside Huffman codes
        (amplitudes, EOB run lengths, correction and refinement bits).
        Raises ValueError naming the component and block for a value whose
        size category exceeds 11 (DC difference) or 10 (AC) bits.
        """
        counts = np.zeros((self.s.ncomp, 256), dtype=np.int64)
        cdef int64_t[:, ::1] cv = counts
        cdef int ci, rc
        for ci in range(self.s.ncomp):
            self.s.comps[ci].counts = &cv[ci, 0]
        with nogil:
            rc = code_scan(&self.s, NULL)
        for ci in range(self.s.ncomp):
            self.s.comps[ci].counts = NULL
        if rc == -2:
            self._raise()
        return counts, int(self.s.raw_bits)

    def encode(self, list codes):
        """The scan's entropy-coded data (stuffed, padded, with its RSTn markers).

        ``codes``: per scan component, its Huffman table as (codes, sizes)
        from ``_huffman.make_codes`` (the DC table in a DC first scan, the AC
        table in AC scans, None in a DC refinement scan). Every symbol the
        scan writes must have a code: build the tables from ``count``.
        """
        cdef HuffCodes tabs[4]
        cdef BitWriter w
        cdef int ci, rc
        if len(codes) != self.s.ncomp:
            raise ValueError("one table per scan component")
        for ci in range(self.s.ncomp):
            if self.s.kind == DC_REFINE:
                self.s.comps[ci].codes = NULL
            else:
                fill_huffcodes(codes[ci][0], codes[ci][1], &tabs[ci])
                self.s.comps[ci].codes = &tabs[ci]
        bw_init(&w)
        try:
            with nogil:
                rc = code_scan(&self.s, &w)
                if rc == 0:
                    rc = 0 if bw_reserve(&w, 32) else -1
                    if rc == 0:
                        bw_finish(&w)
            if rc == -1:
                raise MemoryError("out of memory writing the scan")
            if rc == -2:
                self._raise()
            return (<char*>w.buf)[:w.pos] if w.pos else b""
        finally:
            free(w.buf)
            for ci in range(self.s.ncomp):
                self.s.comps[ci].codes = NULL


cdef inline void band_flush(int64_t* counts, int64_t* raw, int* eobrun) noexcept nogil:
    cdef int n
    if eobrun[0] > 0:
        n = jl_enc_bitlen_nz(<unsigned int>eobrun[0]) - 1
        counts[n << 4] += 1
        raw[0] += n
        eobrun[0] = 0


cdef inline void band_block(int64_t* counts, int64_t* raw, int* eobrun, bint emits,
                            bint ends_in_zeros) noexcept nogil:
    """The EOB-run bookkeeping of one band in one block of an AC first scan."""
    if emits:
        band_flush(counts, raw, eobrun)
    if ends_in_zeros:
        eobrun[0] += 1
        if eobrun[0] == MAX_EOBRUN:
            band_flush(counts, raw, eobrun)


cdef inline void run_symbol(int64_t* counts, int r, int nb, int sign) noexcept nogil:
    """Count (sign 1) or uncount (sign -1) a run of r zeros and a coefficient of nb bits."""
    counts[0xF0] += sign * (r >> 4)
    counts[((r & 15) << 4) | nb] += sign


cdef int count_bands(const int16_t* blocks, Py_ssize_t nblocks, int al, const int* splits,
                     int nsplits, int64_t* region, int64_t* region_raw, int64_t* counts,
                     int64_t* raw, Py_ssize_t* bad_block) noexcept nogil:
    """Symbol counts of AC first scans at point transform al over every band
    1..63, 1..s and s+1..63 (s in splits, increasing) in one pass.

    Bands: 0 is 1..63, 1 + 2j is 1..splits[j], 2 + 2j is splits[j]+1..63.
    The symbols of each coefficient are counted once, into its region
    between split points (region, region_raw: (nsplits + 1) x 256 and
    nsplits + 1); a band adds up its regions, and counts gets only what
    differs from that sum: the run of a band's first coefficient measured
    from the band start, and each band's EOB runs. Returns 0, or -2 with
    bad_block set when a magnitude needs more than 10 bits.
    """
    cdef int pos[64]
    cdef int nb[64]
    cdef int region_of[64]
    cdef int eobrun[1 + 2 * 8]
    cdef Py_ssize_t b
    cdef uint64_t nz
    cdef const int16_t* blk
    cdef int k, m, i, j, v, t, prev, s, first_high, last
    cdef int nbands = 1 + 2 * nsplits
    j = 0
    for k in range(64):
        while j < nsplits and k > splits[j]:
            j += 1
        region_of[k] = j
    for i in range(nbands):
        eobrun[i] = 0
    for b in range(nblocks):
        blk = blocks + 64 * b
        nz = zigzag_nonzero(blk, &ZZ)
        m = 0
        prev = 0
        while nz:
            k = jl_enc_ctz64(nz)
            nz &= nz - 1
            v = blk[ZZ.zz[k]]
            t = (-v if v < 0 else v) >> al
            if t == 0:
                continue
            pos[m] = k
            nb[m] = jl_enc_bitlen_nz(<unsigned int>t)
            if nb[m] > MAX_AC_BITS:
                bad_block[0] = b
                return -2
            run_symbol(region + 256 * region_of[k], k - prev - 1, nb[m], 1)
            region_raw[region_of[k]] += nb[m]
            prev = k
            m += 1
        last = pos[m - 1] if m else 0
        band_block(counts, raw, &eobrun[0], m > 0, last < 63)
        first_high = 0              # index of the first coefficient past the split
        for j in range(nsplits):
            s = splits[j]
            while first_high < m and pos[first_high] <= s:
                first_high += 1
            # low band 1..s: its coefficients are pos[0 .. first_high-1]
            band_block(counts + 256 * (1 + 2 * j), raw + 1 + 2 * j, &eobrun[1 + 2 * j],
                       first_high > 0, first_high == 0 or pos[first_high - 1] < s)
            # high band s+1..63: its first run starts at s+1, not after the previous coefficient
            if first_high < m:
                k = pos[first_high]
                prev = pos[first_high - 1] if first_high else 0
                run_symbol(counts + 256 * (2 + 2 * j), k - prev - 1, nb[first_high], -1)
                run_symbol(counts + 256 * (2 + 2 * j), k - s - 1, nb[first_high], 1)
            band_block(counts + 256 * (2 + 2 * j), raw + 2 + 2 * j, &eobrun[2 + 2 * j],
                       first_high < m, last < 63)
    for i in range(nbands):
        band_flush(counts + 256 * i, raw + i, &eobrun[i])
    return 0


def count_first_bands(blocks, int al, splits):
    """Symbol counts of the AC first scans of one component at point transform
    ``al``: of the band 1..63 and, for each s in ``splits`` (increasing, 1..62,
    at most 8), of the bands 1..s and s+1..63, all in one pass over the blocks.

    ``blocks``: the component's (block rows, block columns, 8, 8) int16 array.
    Returns (counts, raw_bits): int64 arrays (1 + 2 * len(splits), 256) and
    (1 + 2 * len(splits),), band 0 being 1..63, band 1 + 2j 1..splits[j],
    band 2 + 2j splits[j]+1..63; each row equals what ``ScanCoder.count``
    gives for that scan (without restarts). ValueError for a magnitude of more
    than 10 bits after the point transform.
    """
    a = np.ascontiguousarray(blocks, dtype=np.int16)
    cdef int nsplits = len(splits), j, rc
    cdef int sp[8]
    if nsplits > 8 or not 0 <= al <= 13 or a.ndim != 4 or a.shape[2:] != (8, 8):
        raise ValueError("blocks (rows, columns, 8, 8), al 0..13, at most 8 splits")
    for j in range(nsplits):
        sp[j] = splits[j]
        if not 1 <= sp[j] <= 62 or (j and sp[j] <= sp[j - 1]):
            raise ValueError("splits must increase within 1..62")
    cdef const int16_t[:, :, :, ::1] view = a
    cdef Py_ssize_t nblocks = a.shape[0] * a.shape[1], bad = 0
    region = np.zeros((nsplits + 1, 256), dtype=np.int64)
    region_raw = np.zeros(nsplits + 1, dtype=np.int64)
    counts = np.zeros((1 + 2 * nsplits, 256), dtype=np.int64)
    raw = np.zeros(1 + 2 * nsplits, dtype=np.int64)
    cdef int64_t[:, ::1] rv = region, cv = counts
    cdef int64_t[::1] rrv = region_raw, raw_v = raw
    if nblocks == 0:
        return counts, raw
    with nogil:
        rc = count_bands(&view[0, 0, 0, 0], nblocks, al, sp, nsplits, &rv[0, 0], &rrv[0],
                         &cv[0, 0], &raw_v[0], &bad)
    if rc == -2:
        raise ValueError(f"block {bad}: AC coefficient needs more than {MAX_AC_BITS} bits")
    # each band adds up the regions it covers: 1..s the first j + 1, s+1..63 the rest
    below = np.cumsum(region, axis=0)
    below_raw = np.cumsum(region_raw)
    counts[0] += below[nsplits]
    raw[0] += below_raw[nsplits]
    counts[1::2] += below[:nsplits]
    raw[1::2] += below_raw[:nsplits]
    counts[2::2] += below[nsplits] - below[:nsplits]
    raw[2::2] += below_raw[nsplits] - below_raw[:nsplits]
    return counts, raw
