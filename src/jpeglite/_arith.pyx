"""Arithmetic entropy coding: T.81's QM-coder (Annex D) and the binary
decisions of arithmetic-coded DCT scans (F.1.4.4 sequential, G.1.3.2
progressive), decoded into the same whole-image coefficient arrays as the
Huffman decoder (`_entropy`) fills; and the encoder of sequential scans
(`encode_scan`, SOF9), the decoder's decisions inverted.

The decoder follows libjpeg's conventions where T.81 leaves room: statistics
belong to a conditioning table slot (components sharing a slot share them);
a marker met inside the data is followed by zero bytes, which is how an
arithmetic coder ends a segment (its encoder drops trailing zeros); a code
that overflows a magnitude or runs past the band gives up on the rest of
the restart interval (libjpeg warns and does the same).
"""
from libc.stdint cimport uint8_t, int16_t, int32_t, uint32_t
from libc.string cimport memset

from jpeglite._huffman cimport BitReader, br_init
from jpeglite._entropy cimport (read_restart_marker, natural_order, SCAN_OK,
                                SCAN_TRUNCATED, SCAN_SEQUENTIAL, SCAN_DC_FIRST,
                                SCAN_DC_REFINE, SCAN_AC_FIRST, SCAN_AC_REFINE)
from jpeglite.errors import JPEGError
from jpeglite.tables import QE_TABLE_D2, QE_FIXED

# Table D.2 packed one state a word: Qe << 16 | Next_Index_MPS << 8 |
# Switch_MPS << 7 | Next_Index_LPS.  State FIXED is the estimate that never
# adapts (Qe of one half, both successors itself), for sign and refinement bits.
cdef enum:
    FIXED = 113
cdef uint32_t QE[FIXED + 1]
for _i, (_qe, _nlps, _nmps, _switch) in enumerate(QE_TABLE_D2):
    QE[_i] = (_qe << 16) | (_nmps << 8) | (_switch << 7) | _nlps
QE[FIXED] = (QE_FIXED << 16) | (FIXED << 8) | FIXED

cdef const int32_t* NATURAL = natural_order()


cdef inline uint32_t next_byte(BitReader* br) noexcept nogil:
    """The next byte of entropy-coded data (a stuffed 0xFF 0x00 is 0xFF), or
    0 from a marker on (left unread in br.marker) and past the end of the
    input (br.at_end): T.81 D.2.6 with libjpeg's zero fill."""
    cdef uint32_t b
    cdef Py_ssize_t p
    if br.marker != 0 or br.at_end:
        return 0
    if br.pos >= br.end:
        br.at_end = True
        br.marker_pos = br.end
        return 0
    b = br.data[br.pos]
    if b != 0xFF:
        br.pos += 1
        return b
    p = br.pos + 1
    while p < br.end and br.data[p] == 0xFF:
        p += 1
    if p >= br.end:
        br.at_end = True
        br.marker_pos = br.pos
        br.pos = br.end
        return 0
    if br.data[p] == 0:
        br.pos = p + 1
        return 0xFF
    br.marker = br.data[p]
    br.marker_pos = br.pos
    return 0


cdef inline long long coded_bits(ArithScan* s) noexcept nogil:
    """The code-stream bits the decisions so far have used: the coder's
    renormalization shifts (each is one bit its encoder emitted), those the
    current interval still owes counted now, so that a decision's bits go to
    the block that made it (the analysis's attribution; T.81 D.1.5)."""
    cdef long long n = s.base + 8 * s.fed - s.ct
    cdef uint32_t a = s.a
    if a != 0:
        while a < 0x8000:
            a <<= 1
            n += 1
    return n


cdef inline void qm_start(ArithScan* s) noexcept nogil:
    """INITDEC (T.81 D.2.7): the first two bytes into Cx, a full interval."""
    s.base = coded_bits(s) - 8 * s.fed        # coded_bits() goes on where it was
    s.c = next_byte(&s.br) << 24
    s.c |= next_byte(&s.br) << 16
    s.ct = 0
    s.a = 0x10000
    s.broken = False


cdef inline int qm_decode(ArithScan* s, uint8_t* st) noexcept nogil:
    """One binary decision with the adaptive estimate in *st (T.81 D.2.2-D.2.5):
    the interval is renormalized first (D.2.6: a byte in every 8 shifts), then
    split into the MPS part (below) and the LPS part of size Qe, with the
    conditional exchange when the MPS part has become the smaller."""
    cdef uint32_t sv = st[0]
    cdef uint32_t e = QE[sv & 0x7F]
    cdef uint32_t qe = e >> 16
    cdef int mps = sv >> 7
    while s.a < 0x8000:
        if s.ct == 0:
            s.c |= next_byte(&s.br) << 8
            s.ct = 8
            s.fed += 1
        s.a <<= 1
        s.c <<= 1
        s.ct -= 1
    s.a -= qe
    if (s.c >> 16) >= s.a:
        # the upper, Qe-sized part
        s.c -= s.a << 16
        if s.a < qe:
            s.a = qe
            st[0] = <uint8_t>((sv & 0x80) | ((e >> 8) & 0xFF))       # it is the MPS's
            return mps
        s.a = qe
        st[0] = <uint8_t>((sv & 0x80) ^ (e & 0xFF))      # LPS: next state, MPS maybe switched
        return mps ^ 1
    if s.a < 0x8000:
        if s.a < qe:
            st[0] = <uint8_t>((sv & 0x80) ^ (e & 0xFF))  # the lower part is the LPS's
            return mps ^ 1
        st[0] = <uint8_t>((sv & 0x80) | ((e >> 8) & 0xFF))
    return mps


cdef inline bint decode_dc_diff(ArithScan* s, ArithComponent* c) noexcept nogil:
    """The next DC difference of component c into its predictor (T.81 F.1.4.4.1,
    Figures F.19, F.21-F.24, statistics per Table F.4).  False on a magnitude
    category past 15 (a bad code)."""
    cdef uint8_t* stats = s.dc_stats[c.dc_tbl]
    cdef uint8_t* st = stats + c.dc_context
    cdef int sign, m, v
    if qm_decode(s, st) == 0:
        c.dc_context = 0
        return True
    sign = qm_decode(s, st + 1)
    st += 2 + sign
    m = qm_decode(s, st)
    if m:
        st = stats + 20                 # X1
        while qm_decode(s, st):
            m <<= 1
            if m == 0x8000:
                return False
            st += 1
    # conditioning category of the next difference (F.1.4.4.1.2)
    if m < (1 << s.dc_l[c.dc_tbl]) >> 1:
        c.dc_context = 0
    elif m > (1 << s.dc_u[c.dc_tbl]) >> 1:
        c.dc_context = 12 + 4 * sign
    else:
        c.dc_context = 4 + 4 * sign
    v = m
    st += 14                            # the magnitude bits' bins (M) sit 14 after X
    m >>= 1
    while m:
        if qm_decode(s, st):
            v |= m
        m >>= 1
    v += 1
    if sign:
        v = -v
    c.last_dc = (c.last_dc + v) & 0xFFFF
    return True


cdef inline bint decode_ac_band(ArithScan* s, int16_t* blk, int tbl, int ss, int se,
                                int al) noexcept nogil:
    """AC coefficients Ss..Se of one block, scaled by 2**Al (T.81 F.1.4.4.2,
    Figure F.20; statistics per Table F.5).  False on a run past Se or a
    magnitude category past 15 (a bad code)."""
    cdef uint8_t* stats = s.ac_stats[tbl]
    cdef uint8_t* st
    cdef uint8_t fixed = FIXED
    cdef int k = ss, sign, m, v
    while k <= se:
        st = stats + 3 * (k - 1)
        if qm_decode(s, st):            # end of block
            break
        while qm_decode(s, st + 1) == 0:
            st += 3
            k += 1
            if k > se:
                return False
        sign = qm_decode(s, &fixed)
        st += 2
        m = qm_decode(s, st)
        if m and qm_decode(s, st):
            m = 2
            st = stats + (189 if k <= s.ac_k[tbl] else 217)   # X2, below or above Kx
            while qm_decode(s, st):
                m <<= 1
                if m == 0x8000:
                    return False
                st += 1
        v = m
        st += 14
        m >>= 1
        while m:
            if qm_decode(s, st):
                v |= m
            m >>= 1
        v += 1
        if sign:
            v = -v
        blk[NATURAL[k]] = <int16_t>(<uint32_t>v << al)
        k += 1
    return True


cdef inline bint refine_ac_band(ArithScan* s, int16_t* blk, int tbl, int ss, int se,
                                int al) noexcept nogil:
    """One successive-approximation bit of AC coefficients Ss..Se of one block
    (T.81 G.1.3.2, Figure G.10): a correction bit for each coefficient already
    nonzero, new coefficients of magnitude 2**Al, an end-of-block decision only
    past the last coefficient earlier scans made nonzero.  False on a run past Se."""
    cdef uint8_t* stats = s.ac_stats[tbl]
    cdef uint8_t* st
    cdef uint8_t fixed = FIXED
    cdef int16_t* coef
    cdef int p1 = 1 << al, m1 = -(1 << al), k, kex = se
    while kex > 0 and blk[NATURAL[kex]] == 0:
        kex -= 1
    k = ss
    while k <= se:
        st = stats + 3 * (k - 1)
        if k > kex and qm_decode(s, st):
            break
        while True:
            coef = blk + NATURAL[k]
            if coef[0] != 0:
                if qm_decode(s, st + 2):
                    coef[0] = <int16_t>(coef[0] + (m1 if coef[0] < 0 else p1))
                break
            if qm_decode(s, st + 1):
                coef[0] = <int16_t>(m1 if qm_decode(s, &fixed) else p1)
                break
            st += 3
            k += 1
            if k > se:
                return False
        k += 1
    return True


cdef inline void reset_statistics(ArithScan* s) noexcept nogil:
    """Fresh estimates (state 0, MPS 0) in the slots this scan uses, and the
    DC predictors and contexts at zero: at the scan's start and each restart."""
    cdef int ci
    cdef ArithComponent* c
    for ci in range(s.ncomps):
        c = &s.comps[ci]
        if s.kind == SCAN_SEQUENTIAL or s.kind == SCAN_DC_FIRST:
            memset(s.dc_stats[c.dc_tbl], 0, DC_BINS)
            c.last_dc = 0
            c.dc_context = 0
        if s.kind == SCAN_SEQUENTIAL or s.kind == SCAN_AC_FIRST or s.kind == SCAN_AC_REFINE:
            memset(s.ac_stats[c.ac_tbl], 0, AC_BINS)


cdef inline bint decode_block(ArithScan* s, ArithComponent* c, int16_t* blk) noexcept nogil:
    cdef uint8_t fixed = FIXED
    cdef long long t
    if s.kind == SCAN_SEQUENTIAL:
        if c.bits != NULL:
            t = coded_bits(s)
        if not decode_dc_diff(s, c):
            return False
        if c.bits != NULL:
            c.dc_bits += coded_bits(s) - t
        blk[0] = <int16_t>c.last_dc
        return decode_ac_band(s, blk, c.ac_tbl, 1, 63, 0)
    if s.kind == SCAN_DC_FIRST:
        if not decode_dc_diff(s, c):
            return False
        blk[0] = <int16_t>(c.last_dc << s.Al)
        return True
    if s.kind == SCAN_DC_REFINE:
        if qm_decode(s, &fixed):
            blk[0] = <int16_t>(blk[0] | (1 << s.Al))
        return True
    if s.kind == SCAN_AC_FIRST:
        return decode_ac_band(s, blk, c.ac_tbl, s.Ss, s.Se, s.Al)
    return refine_ac_band(s, blk, c.ac_tbl, s.Ss, s.Se, s.Al)


cdef int arith_decode_scan(ArithScan* s) noexcept nogil:
    """Decode every MCU of one scan into the components' coefficients.

    Restart markers are found and resynchronised on as libjpeg does
    (`_entropy.read_restart_marker`), each resetting the statistics, the DC
    predictors and the coder.  Returns SCAN_TRUNCATED if the coder had to read
    past the end of the input (the file ends inside the scan)."""
    cdef int mx, my, ci, bx, by, rc
    cdef ArithComponent* c
    cdef int16_t* blk
    cdef long long t, d
    cdef bint ok
    s.togo = s.restart_interval
    s.next_rst = 0
    reset_statistics(s)
    qm_start(s)
    for my in range(s.mcus_y):
        for mx in range(s.mcus_x):
            if s.restart_interval:
                if s.togo == 0:
                    rc = read_restart_marker(&s.br, s.next_rst, &s.bad_restarts, &s.error_pos)
                    if rc != SCAN_OK:
                        return rc
                    s.next_rst = (s.next_rst + 1) & 7
                    reset_statistics(s)
                    qm_start(s)
                    s.togo = s.restart_interval
                s.togo -= 1
            if s.broken:
                continue
            for ci in range(s.ncomps):
                c = &s.comps[ci]
                for by in range(c.v):
                    blk = c.coefs + ((my * c.v + by) * c.blocks_w + mx * c.h) * 64
                    for bx in range(c.h):
                        if c.bits == NULL:
                            ok = decode_block(s, c, blk)
                        else:
                            t = coded_bits(s)
                            ok = decode_block(s, c, blk)
                            d = coded_bits(s) - t
                            c.bits[(blk - c.coefs) // 64] += <int32_t>d
                            c.total_bits += d
                            if s.kind == SCAN_DC_FIRST or s.kind == SCAN_DC_REFINE:
                                c.dc_bits += d
                        if not ok:
                            s.broken = True
                            s.bad_codes += 1
                            break
                        blk += 64
                    if s.broken:
                        break
                if s.broken:
                    break
    if s.br.at_end:
        s.error_pos = s.br.end
        return SCAN_TRUNCATED
    return SCAN_OK


cdef ArithScan* _scan_state(bytearray state, const uint8_t[::1] data, Py_ssize_t pos,
                            list comps, int mcus_x, int mcus_y, int restart_interval,
                            int kind, int Ss, int Se, int Ah, int Al, conditioning,
                            list keep) except NULL:
    """Check one scan's arguments and fill the decoder state (in ``state``,
    sizeof(ArithScan) bytes) for it; the arrays it points into go to ``keep``."""
    cdef ArithScan* s
    cdef Py_ssize_t n = data.shape[0]
    cdef int i
    cdef int16_t[:, :, ::1] arr
    cdef uint8_t[::1] mem = state
    if pos >= n:
        raise JPEGError("truncated: no entropy-coded data after SOS", n)
    if not 1 <= len(comps) <= 4:
        raise JPEGError("a scan has 1 to 4 components", pos)
    # a sequential scan ignores Ss, Se, Ah and Al (libjpeg warns about other
    # values than 0, 63, 0, 0); a progressive one was checked by jfif.parse_sos
    if kind != SCAN_SEQUENTIAL and not (
            kind in (SCAN_DC_FIRST, SCAN_DC_REFINE, SCAN_AC_FIRST, SCAN_AC_REFINE)
            and 0 <= Ss <= Se <= 63 and 0 <= Al <= 13
            and (Ss >= 1) == (kind in (SCAN_AC_FIRST, SCAN_AC_REFINE))):
        raise ValueError("bad progressive scan parameters")
    s = <ArithScan*>&mem[0]
    memset(s, 0, sizeof(ArithScan))
    for i in range(ARITH_TABLES):
        s.dc_l[i] = conditioning.dc_l[i]
        s.dc_u[i] = conditioning.dc_u[i]
        s.ac_k[i] = conditioning.ac_k[i]
    s.ncomps = len(comps)
    for i, sc in enumerate(comps):
        arr = sc.coefs
        if ((mcus_y * sc.v > arr.shape[0]) or (mcus_x * sc.h > arr.shape[1])
                or arr.shape[2] != 64):
            raise ValueError("scan geometry outside the coefficient array")
        if not (0 <= sc.dc < ARITH_TABLES and 0 <= sc.ac < ARITH_TABLES):
            raise ValueError("conditioning table slots are 0..15")
        s.comps[i].coefs = &arr[0, 0, 0]
        s.comps[i].blocks_w = arr.shape[1]
        s.comps[i].h = sc.h
        s.comps[i].v = sc.v
        s.comps[i].dc_tbl = sc.dc
        s.comps[i].ac_tbl = sc.ac
        keep.append(arr)
    s.mcus_x = mcus_x
    s.mcus_y = mcus_y
    s.restart_interval = restart_interval
    s.kind = kind
    s.Ss, s.Se, s.Ah, s.Al = Ss, Se, Ah, Al
    br_init(&s.br, &data[0], pos, n)
    return s


cdef Py_ssize_t _run_scan(ArithScan* s) except -1:
    """Decode the prepared scan; the offset to look for the next marker from."""
    cdef int rc
    with nogil:
        rc = arith_decode_scan(s)
    if rc == SCAN_TRUNCATED:
        raise JPEGError("truncated: the data ends inside a scan's arithmetic-coded data",
                        s.error_pos)
    return s.br.marker_pos if s.br.marker else s.br.pos


def decode_scan(const uint8_t[::1] data, Py_ssize_t pos, list comps, int mcus_x, int mcus_y,
                int restart_interval, int kind, int Ss, int Se, int Ah, int Al, conditioning):
    """Decode the arithmetic-coded data of one scan that starts at byte pos:
    `_decoder.decode_scan` for SOF9/SOF10 frames.

    comps: one `_decoder.ScanInput` per scan component, its coefs the
    component's C-contiguous int16 (block rows, blocks per row, 64) array, its
    dc and ac the conditioning table slots (0..15) the SOS names.
    conditioning: the DAC state, a `jfif.ArithConditioning`.  kind: one of
    the _decoder.SCAN_* kinds.  The caller has validated the geometry.

    Returns (resume, bad_codes, bad_restarts, last_good_row): the offset to
    look for the next marker from, the restart intervals given up on a bad
    code (libjpeg's "Corrupt JPEG data: invalid arithmetic code" warning),
    the restart markers that were missing or out of order, and the last MCU
    row (always the last: libjpeg's arithmetic decoder never marks data as
    insufficient, as the Huffman decoders' last_good_row can).  Raises JPEGError for data
    that ends inside the scan.
    """
    state = bytearray(sizeof(ArithScan))      # about 5 KB of statistics: not on the stack
    keep = []
    cdef ArithScan* s = _scan_state(state, data, pos, comps, mcus_x, mcus_y, restart_interval,
                                    kind, Ss, Se, Ah, Al, conditioning, keep)
    resume = _run_scan(s)
    return resume, s.bad_codes, s.bad_restarts, mcus_y - 1


class ArithScanBits:
    """What ``scan_bits`` measured of one arithmetic-coded scan.

    ``start``, ``end``: the offsets of its entropy-coded data (``end``: where
    the next marker is looked for); ``ecs_bytes``: end - start.
    ``code_bits[i]``, ``dc_bits[i]``: per scan component, the code-stream
    bits its decisions used, all and those of DC decisions (bits: the
    coder's renormalization shifts, one per bit its encoder emitted).
    ``bad_codes``, ``bad_restarts``: as ``decode_scan`` counts them."""

    def __init__(self, start, end, code_bits, dc_bits, bad_codes, bad_restarts):
        self.start = start
        self.end = end
        self.ecs_bytes = end - start
        self.code_bits = code_bits
        self.dc_bits = dc_bits
        self.bad_codes = bad_codes
        self.bad_restarts = bad_restarts


def scan_bits(const uint8_t[::1] data, Py_ssize_t pos, list comps, int mcus_x, int mcus_y,
              int restart_interval, int kind, int Ss, int Se, int Ah, int Al, conditioning,
              list block_bits):
    """``decode_scan`` (same arguments, the same coefficients) measuring where
    the code bits go: an ``ArithScanBits``.  ``block_bits[i]``: an int32
    (block rows, blocks per row) array shaped like scan component i's
    coefficients, to which each block's code bits (as ``ArithScanBits``
    counts them) are added."""
    cdef int32_t[:, ::1] bits
    cdef int i
    state = bytearray(sizeof(ArithScan))
    keep = []
    cdef ArithScan* s = _scan_state(state, data, pos, comps, mcus_x, mcus_y, restart_interval,
                                    kind, Ss, Se, Ah, Al, conditioning, keep)
    if len(block_bits) != s.ncomps:
        raise ValueError("one block_bits array per scan component")
    for i in range(s.ncomps):
        bits = block_bits[i]
        if (bits.shape[0] != keep[i].shape[0] or bits.shape[1] != keep[i].shape[1]):
            raise ValueError("block_bits[i] must be shaped like component i's blocks")
        s.comps[i].bits = &bits[0, 0]
        keep.append(bits)
    resume = _run_scan(s)
    return ArithScanBits(pos, resume, [s.comps[i].total_bits for i in range(s.ncomps)],
                         [s.comps[i].dc_bits for i in range(s.ncomps)], s.bad_codes,
                         s.bad_restarts)


# ==== encode: the QM-coder's encoder and the sequential models ====
from libc.stdlib cimport malloc, realloc, free


ctypedef struct ArithEncoder:
    uint32_t c              # code register: carry bit 27, output byte bits 19..26, spacer 16..18
    uint32_t a              # interval size
    int ct                  # shifts left before the next byte leaves c
    int buffer              # the last byte out, held back for a carry (-1: none yet)
    Py_ssize_t stacked      # 0xFF bytes held back after it (a carry turns them to 0x00)
    uint8_t* out            # the entropy-coded bytes, stuffed
    Py_ssize_t n, cap
    bint failed             # out of memory
    uint8_t dc_stats[16][64]
    uint8_t ac_stats[16][256]


cdef inline void put(ArithEncoder* e, uint32_t b) noexcept nogil:
    """One byte out, 0xFF stuffed with 0x00 (T.81 D.1.6)."""
    cdef uint8_t* grown
    if e.n + 2 > e.cap:
        grown = <uint8_t*>realloc(e.out, e.cap * 2 + 64)
        if grown == NULL:
            e.failed = True
            return
        e.out = grown
        e.cap = e.cap * 2 + 64
    e.out[e.n] = <uint8_t>b
    e.n += 1
    if b == 0xFF:
        e.out[e.n] = 0
        e.n += 1


cdef inline void put_marker(ArithEncoder* e, uint8_t code) noexcept nogil:
    """A marker (0xFF, code: not stuffed)."""
    put(e, 0)                   # room for the two bytes
    put(e, 0)
    if not e.failed:
        e.out[e.n - 2] = 0xFF
        e.out[e.n - 1] = code


cdef inline void qm_enc_start(ArithEncoder* e) noexcept nogil:
    """INITENC (T.81 D.1.7)."""
    e.a = 0x10000
    e.c = 0
    e.ct = 11
    e.buffer = -1
    e.stacked = 0


cdef inline void byte_out(ArithEncoder* e) noexcept nogil:
    """Move the byte in bits 19..26 of c out (T.81 D.1.6), resolving a carry
    into the held-back byte and the 0xFF bytes stacked after it."""
    cdef uint32_t t = e.c >> 19
    if t > 0xFF:
        if e.buffer >= 0:
            put(e, e.buffer + 1)
        while e.stacked:
            put(e, 0)
            e.stacked -= 1
        e.buffer = t & 0xFF
    elif t == 0xFF:
        e.stacked += 1
    else:
        if e.buffer >= 0:
            put(e, e.buffer)
        while e.stacked:
            put(e, 0xFF)
            e.stacked -= 1
        e.buffer = t
    e.c &= 0x7FFFF


cdef inline void qm_encode(ArithEncoder* e, uint8_t* st, int bit) noexcept nogil:
    """Code one binary decision with the adaptive estimate in *st (T.81 D.1.2-
    D.1.5): the MPS takes the lower part of the interval and the LPS the upper,
    Qe-sized part, exchanged when the MPS part has become the smaller; the
    estimate moves as the decoder (qm_decode) moves it."""
    cdef uint32_t sv = st[0]
    cdef uint32_t e_ = QE[sv & 0x7F]
    cdef uint32_t qe = e_ >> 16
    cdef bint mps = <int>(sv >> 7) == bit
    e.a -= qe
    if mps:
        if e.a >= 0x8000:
            return
        if e.a < qe:            # exchanged: the MPS has the upper part
            e.c += e.a
            e.a = qe
        st[0] = <uint8_t>((sv & 0x80) | ((e_ >> 8) & 0xFF))
    else:
        if e.a >= qe:
            e.c += e.a
            e.a = qe
        st[0] = <uint8_t>((sv & 0x80) ^ (e_ & 0xFF))
    while e.a < 0x8000:         # renormalize (D.1.5)
        e.a <<= 1
        e.c <<= 1
        e.ct -= 1
        if e.ct == 0:
            byte_out(e)
            e.ct = 8


cdef inline void qm_enc_flush(ArithEncoder* e) noexcept nogil:
    """FLUSH (T.81 D.1.8): the value in the final interval with the most
    trailing zero bits, then the bytes still in c; trailing zero bytes are
    left out (the decoder feeds zeros after a segment's end)."""
    cdef uint32_t t = (e.c + e.a - 1) & <uint32_t>0xFFFF0000U
    cdef Py_ssize_t keep
    if t < e.c:
        t += 0x8000
    e.c = t << e.ct
    byte_out(e)
    e.c <<= 8
    byte_out(e)
    if e.buffer >= 0:
        put(e, e.buffer)
    while e.stacked:
        put(e, 0xFF)
        e.stacked -= 1
    e.buffer = -1
    # drop trailing zero bytes, but never the 0x00 of a stuffed 0xFF
    keep = e.n
    while keep > 0 and e.out[keep - 1] == 0 and not (keep >= 2 and e.out[keep - 2] == 0xFF):
        keep -= 1
    e.n = keep


cdef inline void encode_dc_diff(ArithEncoder* e, uint8_t* stats, int* context, int v,
                                int dc_l, int dc_u) noexcept nogil:
    """A DC difference (the inverse of decode_dc_diff)."""
    cdef uint8_t* st = stats + context[0]
    cdef int sign, u, m
    if v == 0:
        qm_encode(e, st, 0)
        context[0] = 0
        return
    qm_encode(e, st, 1)
    sign = v < 0
    u = (-v if sign else v) - 1
    qm_encode(e, st + 1, sign)
    st += 2 + sign
    m = 0
    if u:
        qm_encode(e, st, 1)
        m = 1
        st = stats + 20
        while (m << 1) <= u:
            qm_encode(e, st, 1)
            m <<= 1
            st += 1
    qm_encode(e, st, 0)
    if m < (1 << dc_l) >> 1:
        context[0] = 0
    elif m > (1 << dc_u) >> 1:
        context[0] = 12 + 4 * sign
    else:
        context[0] = 4 + 4 * sign
    st += 14
    m >>= 1
    while m:
        qm_encode(e, st, (u & m) != 0)
        m >>= 1


cdef inline int shifted(int v, int al) noexcept nogil:
    """|v| >> al: the magnitude an AC scan with point transform al codes (T.81 G.1.2.3)."""
    return (-v if v < 0 else v) >> al


cdef inline void encode_ac_band(ArithEncoder* e, uint8_t* stats, const int16_t* blk,
                                int ss, int se, int al, int kx) noexcept nogil:
    """AC coefficients ss..se of one natural-order block, their magnitudes
    shifted right by al (the inverse of decode_ac_band; a sequential block is
    1..63 with al 0)."""
    cdef uint8_t* st
    cdef uint8_t fixed = FIXED
    cdef int k, eob = se, v, sign, u, m
    while eob >= ss and shifted(blk[NATURAL[eob]], al) == 0:
        eob -= 1
    k = ss
    while k <= eob:
        st = stats + 3 * (k - 1)
        qm_encode(e, st, 0)                 # not the end of the block
        while shifted(blk[NATURAL[k]], al) == 0:
            qm_encode(e, st + 1, 0)
            st += 3
            k += 1
        qm_encode(e, st + 1, 1)
        v = blk[NATURAL[k]]
        sign = v < 0
        u = shifted(v, al) - 1
        qm_encode(e, &fixed, sign)
        st += 2
        m = 0
        if u == 0:
            qm_encode(e, st, 0)
        else:
            qm_encode(e, st, 1)
            m = 1
            if u == 1:
                qm_encode(e, st, 0)
            else:
                qm_encode(e, st, 1)
                m = 2
                st = stats + (189 if k <= kx else 217)
                while (m << 1) <= u:
                    qm_encode(e, st, 1)
                    m <<= 1
                    st += 1
                qm_encode(e, st, 0)
        st += 14
        m >>= 1
        while m:
            qm_encode(e, st, (u & m) != 0)
            m >>= 1
        k += 1
    if eob < se:
        qm_encode(e, stats + 3 * eob, 1)    # end of block (eob + 1 <= se)


cdef inline void refine_ac_band_out(ArithEncoder* e, uint8_t* stats, const int16_t* blk,
                                    int ss, int se, int al) noexcept nogil:
    """One successive-approximation bit of AC coefficients ss..se (the inverse
    of refine_ac_band: the earlier scans sent the magnitudes shifted by al + 1)."""
    cdef uint8_t* st
    cdef uint8_t fixed = FIXED
    cdef int k, eob = se, eobx, v
    while eob >= ss and shifted(blk[NATURAL[eob]], al) == 0:
        eob -= 1
    eobx = eob                      # the last coefficient the earlier scans made nonzero
    while eobx >= ss and shifted(blk[NATURAL[eobx]], al + 1) == 0:
        eobx -= 1
    k = ss
    while k <= eob:
        st = stats + 3 * (k - 1)
        if k > eobx:
            qm_encode(e, st, 0)             # not the end of the block
        v = shifted(blk[NATURAL[k]], al)
        while v == 0:
            qm_encode(e, st + 1, 0)
            st += 3
            k += 1
            v = shifted(blk[NATURAL[k]], al)
        if v > 1:                           # nonzero before: its correction bit
            qm_encode(e, st + 2, v & 1)
        else:                               # newly nonzero: magnitude 1, its sign
            qm_encode(e, st + 1, 1)
            qm_encode(e, &fixed, blk[NATURAL[k]] < 0)
        k += 1
    if k <= se:
        qm_encode(e, stats + 3 * (k - 1), 1)     # end of block


def encode_scan(blocks, h, v, Py_ssize_t mcus_x, Py_ssize_t mcus_y, dc_slots, ac_slots,
                int restart_interval=0, int kind=SCAN_SEQUENTIAL, int Ss=0, int Se=63,
                int Ah=0, int Al=0):
    """Arithmetic-code a scan with the default conditioning (L = 0, U = 1,
    Kx = 5: no DAC segment needed); returns the entropy-coded bytes, restart
    markers included.  ``kind``: one of the _decoder.SCAN_* kinds: a
    sequential scan (SOF9), or a progressive one (SOF10; T.81 G.1.3.2) of
    band ``Ss``..``Se`` and successive approximation ``Ah``, ``Al``, the
    inverse of what ``decode_scan`` reads (a first scan codes the
    coefficients' DC shifted right by Al, AC magnitudes shifted right by Al;
    a refinement the bit Al of each).

    ``blocks[c]``: component c's quantized blocks, a (rows, cols, 64) int16
    array in natural order covering its samples; ``h[c]``, ``v[c]``: its
    blocks per MCU (1, 1 in a one-component scan); ``dc_slots[c]``,
    ``ac_slots[c]``: the conditioning slots its SOS entry names (components
    sharing a slot share its statistics, as the decoder does).  Blocks an MCU
    has past the data are libjpeg's dummy blocks (the DC of the block before,
    no AC), as ``_entropy.encode_scan`` codes them.
    """
    from jpeglite._entropy import _check_scan

    arrays = _check_scan(blocks, h, v, mcus_x, mcus_y, restart_interval)
    cdef int ncomp = len(arrays)
    if len(dc_slots) != ncomp or len(ac_slots) != ncomp:
        raise ValueError("one DC and one AC slot per component")
    if kind != SCAN_SEQUENTIAL and not (
            kind in (SCAN_DC_FIRST, SCAN_DC_REFINE, SCAN_AC_FIRST, SCAN_AC_REFINE)
            and 0 <= Ss <= Se <= 63 and 0 <= Al <= 13
            and (Ss >= 1) == (kind in (SCAN_AC_FIRST, SCAN_AC_REFINE))
            and (ncomp == 1 or Ss == 0)):
        raise ValueError("bad progressive scan parameters")
    cdef uint8_t fixed = FIXED
    cdef const int16_t* base[4]
    cdef int hb[4]
    cdef int wb[4]
    cdef int ch[4]
    cdef int cv[4]
    cdef int dcs[4]
    cdef int acs[4]
    cdef int last[4]          # DC predictors
    cdef int ctx[4]           # DC conditioning contexts
    cdef const int16_t[:, :, ::1] b
    cdef int c, mx, my, i, j, bx, by, nrst = 0
    cdef Py_ssize_t m = 0
    cdef int16_t dummy[64]
    cdef const int16_t* blk
    for c in range(ncomp):
        b = arrays[c]
        base[c] = &b[0, 0, 0]
        hb[c], wb[c] = b.shape[0], b.shape[1]
        ch[c], cv[c] = h[c], v[c]
        if not (0 <= dc_slots[c] < ARITH_TABLES and 0 <= ac_slots[c] < ARITH_TABLES):
            raise ValueError("conditioning slots are 0..15")
        dcs[c], acs[c] = dc_slots[c], ac_slots[c]
    state = bytearray(sizeof(ArithEncoder))     # statistics: not on the stack
    cdef uint8_t[::1] mem = state
    cdef ArithEncoder* e = <ArithEncoder*>&mem[0]
    memset(e, 0, sizeof(ArithEncoder))
    memset(dummy, 0, sizeof(dummy))
    e.cap = 4096
    e.out = <uint8_t*>malloc(e.cap)
    if e.out == NULL:
        raise MemoryError()
    with nogil:
        for c in range(ncomp):
            last[c] = 0
            ctx[c] = 0
        qm_enc_start(e)
        for my in range(mcus_y):
            for mx in range(mcus_x):
                if restart_interval and m and m % restart_interval == 0:
                    qm_enc_flush(e)
                    put_marker(e, 0xD0 + (nrst & 7))
                    nrst += 1
                    memset(e.dc_stats, 0, sizeof(e.dc_stats))
                    memset(e.ac_stats, 0, sizeof(e.ac_stats))
                    for c in range(ncomp):
                        last[c] = 0
                        ctx[c] = 0
                    qm_enc_start(e)
                m += 1
                for c in range(ncomp):
                    for j in range(cv[c]):
                        for i in range(ch[c]):
                            by = my * cv[c] + j
                            bx = mx * ch[c] + i
                            if by < hb[c] and bx < wb[c]:
                                blk = base[c] + (<Py_ssize_t>by * wb[c] + bx) * 64
                            else:
                                # libjpeg's dummy block: the DC of the block coded
                                # before it in the MCU (bits Al and up are enough)
                                dummy[0] = <int16_t>(last[c] << Al)
                                blk = dummy
                            if kind == SCAN_SEQUENTIAL or kind == SCAN_DC_FIRST:
                                # the predictor of the DC shifted right by Al (floor)
                                encode_dc_diff(e, e.dc_stats[dcs[c]], &ctx[c],
                                               (blk[0] >> Al) - last[c], 0, 1)
                                last[c] = blk[0] >> Al
                                if kind == SCAN_SEQUENTIAL:
                                    encode_ac_band(e, e.ac_stats[acs[c]], blk, 1, 63, 0, 5)
                            elif kind == SCAN_DC_REFINE:
                                qm_encode(e, &fixed, (blk[0] >> Al) & 1)
                                last[c] = blk[0] >> Al
                            elif kind == SCAN_AC_FIRST:
                                encode_ac_band(e, e.ac_stats[acs[c]], blk, Ss, Se, Al, 5)
                            else:
                                refine_ac_band_out(e, e.ac_stats[acs[c]], blk, Ss, Se, Al)
        qm_enc_flush(e)
    try:
        if e.failed:
            raise MemoryError("out of memory writing the scan")
        return bytes(e.out[:e.n])
    finally:
        free(e.out)
# ==== end encode ====
