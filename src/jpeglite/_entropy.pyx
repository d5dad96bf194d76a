"""Run-length symbols and scan coding (baseline; progressive on the decode side)."""

# ==== encode: run-length symbols and baseline scan coding ====
import numpy as np
from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdlib cimport free
from libc.string cimport memchr

from jpeglite._simd cimport variant_level
from .tables import ZIGZAG as _ZIGZAG

cdef int _zz[64]
for _k in range(64):
    _zz[_k] = _ZIGZAG[_k]
cdef ZigzagMap ZZ
zigzag_map_init(&ZZ, _zz)
cdef uint32_t _AMP[65536]
amplitude_table_init(_AMP)
ZZ.amp = &_AMP[32768]


cdef const ZigzagMap* zigzag_map() noexcept nogil:
    """The zigzag map of every scan coder (built once, here)."""
    return &ZZ


cdef int fill_huffcodes(codes, sizes, HuffCodes* out) except -1:
    """Copy a (codes, sizes) pair from _huffman.make_codes into a HuffCodes
    (a copy of the one ``prepare_codes`` made, for arrays it was given)."""
    if _PREPARED_CODES and _prepared_codes(codes, sizes, out):
        return 0
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
        out.packed[i] = ((<uint64_t>c[i] << (i & 15)) << 8) | (s[i] + (i & 15))
    return 0


def nonzero_masks(blocks, variant=None):
    """Per block of an (n, 64) int16 array, the 64-bit mask whose bit i is set
    when coefficient i is non-zero, as an (n,) uint64 array: the kernel the
    coder runs on every block (tests). ``variant``: the SIMD variant to run
    (one of ``_simd.available_variants()``; None: the one the coder runs)."""
    cdef int level = variant_level(variant)
    cdef const int16_t[:, ::1] b = np.ascontiguousarray(blocks, dtype=np.int16)
    if b.shape[1] != 64:
        raise ValueError("blocks must be an (n, 64) array")
    out = np.empty(b.shape[0], dtype=np.uint64)
    cdef uint64_t[::1] o = out
    cdef Py_ssize_t i
    with nogil:
        for i in range(b.shape[0]):
            o[i] = jl_nonzero_mask(&b[i, 0], level)
    return out


def zigzag_masks(blocks, variant=None):
    """Per block of an (n, 64) int16 array (natural order), the 64-bit mask
    whose bit k is set when AC coefficient k in zigzag order (k >= 1) is
    non-zero, as an (n,) uint64 array: what the coder walks (tests).
    ``variant``: the SIMD variant to run, as for ``nonzero_masks``."""
    cdef int level = variant_level(variant)
    cdef const int16_t[:, ::1] b = np.ascontiguousarray(blocks, dtype=np.int16)
    if b.shape[1] != 64:
        raise ValueError("blocks must be an (n, 64) array")
    out = np.empty(b.shape[0], dtype=np.uint64)
    cdef uint64_t[::1] o = out
    cdef Py_ssize_t i
    with nogil:
        for i in range(b.shape[0]):
            o[i] = zigzag_nonzero_at(&b[i, 0], &ZZ, level)
    return out


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
            rc = code_mcu_row(w, comps, ncomp, 0, <int>mcus_x, my * mcus_x, restart_interval, &ZZ)
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
        comps[c].masks = NULL
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
        comps[c].masks = NULL
        comps[c].dc = &tabs[2 * c]
        comps[c].ac = &tabs[2 * c + 1]
    cdef BitWriter w
    cdef Py_ssize_t nblocks = sum(a.shape[0] * a.shape[1] for a in arrays)
    bw_init(&w)
    try:
        # expected: 2 bits a pixel, 16 bytes a block (the writer grows past it)
        if not reserve_scan(&w, comps, ncomp, mcus_x, mcus_y, 16 * nblocks) \
                or _code_scan(&w, comps, ncomp, arrays, mcus_x, mcus_y, restart_interval) < 0:
            raise MemoryError("out of memory writing the scan")
    except BaseException:
        free(w.buf)
        raise
    return bw_take_bytes(&w)


def block_bits(blocks, h, v, Py_ssize_t mcus_x, Py_ssize_t mcus_y, dc_tables, ac_tables,
               int restart_interval=0):
    """Bits each block costs in a baseline scan: per component an int32 array
    (block rows, block columns) of its Huffman code and amplitude bits.

    Arguments as for ``encode_scan``. DC differences are taken in scan order
    (MCU interleave, restart markers reset the prediction), so the sum of the
    arrays is the scan's bits before padding, stuffing and restart markers,
    less what libjpeg's dummy edge blocks cost (they hold no image data and
    have no entry here).
    """
    arrays = _check_scan(blocks, h, v, mcus_x, mcus_y, restart_interval)
    cdef int ncomp = len(arrays), c
    if len(dc_tables) != ncomp or len(ac_tables) != ncomp:
        raise ValueError("one DC and one AC table per component")
    cdef HuffCodes tabs[8]
    cdef const int16_t* base[4]
    cdef int32_t* outp[4]
    cdef int hs[4]
    cdef int vs[4]
    cdef int rows[4]
    cdef int cols[4]
    cdef int last_dc[4]
    cdef const int16_t[:, :, ::1] b
    cdef int32_t[:, ::1] o
    out = []
    for c in range(ncomp):
        fill_huffcodes(dc_tables[c][0], dc_tables[c][1], &tabs[2 * c])
        fill_huffcodes(ac_tables[c][0], ac_tables[c][1], &tabs[2 * c + 1])
        b = arrays[c]
        rows[c] = b.shape[0]
        cols[c] = b.shape[1]
        hs[c] = h[c]
        vs[c] = v[c]
        last_dc[c] = 0
        base[c] = &b[0, 0, 0]
        arr = np.zeros((rows[c], cols[c]), dtype=np.int32)
        o = arr
        outp[c] = &o[0, 0]
        out.append(arr)
    cdef Py_ssize_t m, mx, my
    cdef int i, j, bx, by
    with nogil:
        for my in range(mcus_y):
            for mx in range(mcus_x):
                m = my * mcus_x + mx
                if restart_interval and m and m % restart_interval == 0:
                    for c in range(ncomp):
                        last_dc[c] = 0
                for c in range(ncomp):
                    for j in range(vs[c]):
                        by = <int>my * vs[c] + j
                        for i in range(hs[c]):
                            bx = <int>mx * hs[c] + i
                            # a dummy edge block repeats the last DC: no map entry, no change
                            if by < rows[c] and bx < cols[c]:
                                outp[c][<Py_ssize_t>by * cols[c] + bx] = block_cost(
                                    base[c] + (<Py_ssize_t>by * cols[c] + bx) * 64,
                                    &last_dc[c], &tabs[2 * c], &tabs[2 * c + 1], &ZZ)
    return out
# ==== end encode: run-length symbols and baseline scan coding ====


# ==== decode: baseline and progressive scan decoding ====
from libc.stdint cimport uint8_t, int16_t, int32_t, uint32_t
from libc.stdint cimport uint64_t
from jpeglite._huffman cimport (HuffDecodeTable, BitReader, br_init, br_fill, FAST_EOB,
                                br_bit_position,
                                br_peek, br_bits, huff_extend, huff_decode, huff_lookup,
                                HUFF_LOOKAHEAD, HUFF_LOOKUP_SIZE, jl_enc_ctz64)
from jpeglite.tables import ZIGZAG as _ZIGZAG

# zigzag position -> natural index.  A corrupt run of zeros can carry the
# position past 63 (by at most 15, the longest run in one symbol); the 16
# spare entries point such writes at coefficient 63, which is libjpeg's
# recovery (its jpeg_natural_order has the same padding), so files that Pillow
# decodes despite such runs decode here to the same pixels.
cdef int32_t NATURAL[80]
for _k in range(80):
    NATURAL[_k] = int(_ZIGZAG[_k]) if _k < 64 else 63


cdef const int32_t* natural_order() noexcept nogil:
    """The decoder's zigzag -> natural table (80 entries, see NATURAL), for the
    scan walkers outside this module (_scan_stats)."""
    return NATURAL


cdef Py_ssize_t find_marker(const uint8_t* data, Py_ssize_t pos, Py_ssize_t end) noexcept nogil:
    """Offset of the 0xFF that starts the next marker at or after pos, or -1.

    Like libjpeg's next_marker: bytes that are not 0xFF are skipped, runs of
    0xFF are fill, and 0xFF 0x00 (a stuffed data byte) is not a marker.
    The one marker scanner of the decoder (the marker loop, restart
    resynchronisation and the restart-chunk finder); memchr skips to each
    0xFF, which matters when it walks a whole scan.
    """
    cdef const uint8_t* q
    cdef Py_ssize_t p
    while pos < end:
        q = <const uint8_t*>memchr(data + pos, 0xFF, end - pos)
        if q == NULL:
            return -1
        p = (q - data) + 1
        while p < end and data[p] == 0xFF:
            p += 1
        if p >= end:
            return -1
        if data[p] != 0:
            return p - 1
        pos = p + 1
    return -1


cdef int read_restart_marker(BitReader* br, int want, int* bad_restarts,
                             Py_ssize_t* error_pos) noexcept nogil:
    """Find and consume the RSTn marker (n = want) that ends a restart
    interval, as libjpeg's read_restart_marker with jpeg_resync_to_restart
    does: a missing or out-of-order marker counts in bad_restarts and is
    skipped over or left in place (br.marker stays set: the interval then
    decodes as if empty).  Shared by the Huffman and arithmetic decoders.
    Returns SCAN_TRUNCATED (error_pos set) if the data ends first."""
    cdef Py_ssize_t p
    cdef int m, action
    if br.marker == 0:
        p = find_marker(br.data, br.pos, br.end)
        if p < 0:
            error_pos[0] = br.end
            return SCAN_TRUNCATED
        br.marker = br.data[p + 1]
        br.marker_pos = p
    while True:
        m = br.marker
        if m == 0xD0 + want:
            action = 1
        else:
            bad_restarts[0] += 1
            if m < 0xC0:
                action = 2
            elif m < 0xD0 or m > 0xD7:
                action = 3
            elif m == 0xD0 + ((want + 1) & 7) or m == 0xD0 + ((want + 2) & 7):
                action = 3
            elif m == 0xD0 + ((want - 1) & 7) or m == 0xD0 + ((want - 2) & 7):
                action = 2
            else:
                action = 1
        if action == 1:
            # accept: read on after the marker
            p = br.marker_pos + 1
            while br.data[p] == 0xFF:
                p += 1
            br.pos = p + 1
            br.marker = 0
            return SCAN_OK
        if action == 3:
            # leave the marker; the interval decodes as if empty
            return SCAN_OK
        p = br.marker_pos + 1
        while br.data[p] == 0xFF:
            p += 1
        p = find_marker(br.data, p + 1, br.end)
        if p < 0:
            error_pos[0] = br.end
            return SCAN_TRUNCATED
        br.marker = br.data[p + 1]
        br.marker_pos = p


cdef inline int restart(ScanState* st, int* next_rst) noexcept nogil:
    """Consume the RSTn marker that ends a restart interval and reset the
    predictors (T.81 F.2.1.3.1)."""
    cdef BitReader* br = &st.br
    cdef int i, rc
    br.buf = 0
    br.nbits = 0
    br.pad = 0
    rc = read_restart_marker(br, next_rst[0], &st.bad_restarts, &st.error_pos)
    if rc != SCAN_OK:
        return rc
    next_rst[0] = (next_rst[0] + 1) & 7
    for i in range(st.ncomps):
        st.comps[i].last_dc = 0
    st.eobrun = 0
    return SCAN_OK


cdef inline void refill(BitReader* br, uint64_t* buf, int* nbits) noexcept nogil:
    # the block decoders keep the bit buffer in locals; top it up through br
    br.buf = buf[0]
    br.nbits = nbits[0]
    br_fill(br)
    buf[0] = br.buf
    nbits[0] = br.nbits


cdef inline uint64_t left_aligned(uint64_t buf, int nbits) noexcept nogil:
    # the unread bits of a BitReader buffer at the top of a word (garbage when
    # nbits is 0: callers refill before they look)
    return buf << ((64 - nbits) & 63)


cdef inline void block_sequential(BitReader* br, uint64_t* pbuf, int* pnbits, uint64_t* ptop,
                                  int16_t* blk, ScanComponent* c) noexcept nogil:
    """One block of a sequential scan: DC difference, then run/size AC
    symbols to the end of block (T.81 F.2.2).  The bit buffer is the
    caller's locals (seq_mcus keeps them in registers across its blocks;
    Python builds compile without strict aliasing, so through br every
    coefficient store would reload it), twice: `buf`/`nbits` as the reader
    holds them (unread bits at the bottom, for refills and the long codes)
    and `top`, the same bits shifted to the top of the word, which the
    one-lookup path indexes with one shift and consumes with one shift: the
    chain from one symbol's lookup to the next is shift, load, shift.
    Inlined once, into seq_mcus."""
    cdef int s, r, k, rs, fast, v
    cdef uint64_t buf = pbuf[0]
    cdef uint64_t top = ptop[0]
    cdef int nbits = pnbits[0]
    cdef const HuffDecodeTable* act = c.ac
    # refills: before a lookup when fewer bits than the lookahead are left
    # (a one-lookup symbol takes at most that many), and before a long code
    # when fewer than its 16 + 15 bits are (rare): a refill then adds ~50
    # bits instead of the ~30 a refill below 32 bits added
    if nbits < HUFF_LOOKAHEAD:
        refill(br, &buf, &nbits)
        top = left_aligned(buf, nbits)
    fast = c.dc.fast[top >> (64 - HUFF_LOOKAHEAD)]
    if fast:
        nbits -= fast & 15
        top <<= fast & 63
        r = fast >> 16
    else:
        if nbits < 32:
            refill(br, &buf, &nbits)
        # DC symbols are 0..15 (checked when the table is built)
        s = huff_lookup(buf, &nbits, c.dc)
        r = 0
        if s:
            r = huff_extend(<uint32_t>((buf >> (nbits - s)) & ((<uint64_t>1 << s) - 1)), s)
            nbits -= s
        top = left_aligned(buf, nbits)
    # wraps like libjpeg's unsigned arithmetic on runaway predictors
    c.last_dc = <int32_t>(<uint32_t>c.last_dc + <uint32_t>r)
    blk[0] = <int16_t>c.last_dc
    # k: the zigzag position of the last coefficient decoded
    k = 0
    while True:
        if nbits < HUFF_LOOKAHEAD:
            refill(br, &buf, &nbits)
            top = left_aligned(buf, nbits)
        fast = act.fast[top >> (64 - HUFF_LOOKAHEAD)]
        if fast:
            # code and amplitude in one lookup; the end of block too (its
            # skip, FAST_EOB, ends any block).  (A ZRL writes a zero 16
            # places on: the block was all zeros there.)
            nbits -= fast & 15
            top <<= fast & 63
            k += (fast >> 6) & 0xFF
            v = fast >> 16
        else:
            if nbits < 32:
                refill(br, &buf, &nbits)
            rs = huff_lookup(buf, &nbits, act)
            r = rs >> 4
            s = rs & 15
            if s:
                v = huff_extend(<uint32_t>((buf >> (nbits - s)) & ((<uint64_t>1 << s) - 1)), s)
                nbits -= s
            elif r == 15:
                # (no zero written, as libjpeg writes none)
                k += 16
                top = left_aligned(buf, nbits)
                if k >= 63:
                    break
                continue
            else:
                break
            k += r + 1
            top = left_aligned(buf, nbits)
        if k >= 63:
            # the last position, or past it: a run past 63 (corrupt data)
            # writes coefficient 63, as libjpeg does (NATURAL's padding);
            # an end of block writes nothing
            if k < FAST_EOB:
                blk[NATURAL[k]] = <int16_t>v
            break
        blk[NATURAL[k]] = <int16_t>v
    pbuf[0] = buf
    ptop[0] = top
    pnbits[0] = nbits


cdef int seq_mcus(ScanState* st, int my, int mx0, int mx1) noexcept nogil:
    """Decode MCUs mx0 .. mx1 - 1 of MCU row my of a sequential scan (no
    restart marker among them; see scan_rows for where row my goes),
    stopping after the first that needed bits the data does not have (for
    mcu_ran_short to judge).  Returns the MCU after the last one decoded.
    The bit buffer stays in locals from the first block to the last."""
    cdef BitReader* br = &st.br
    cdef uint64_t buf = br.buf
    cdef int nbits = br.nbits
    cdef uint64_t top = left_aligned(buf, nbits)
    cdef int mx = mx0, ci, by, bx, b, nb = 0
    cdef ScanComponent* c
    # the MCU's blocks as one list (at most 4 components of 4 x 4; the
    # drivers check the sampling factors): where each goes in MCU mx, its
    # component, how far its next MCU's block is
    cdef int16_t* bp[64]
    cdef ScanComponent* bc[64]
    cdef Py_ssize_t bstep[64]
    for ci in range(st.ncomps):
        c = &st.comps[ci]
        for by in range(c.v):
            for bx in range(c.h):
                if nb < 64:
                    bp[nb] = c.coefs + ((<Py_ssize_t>(my - st.row_base) * c.v + by) * c.blocks_w
                                        + <Py_ssize_t>mx * c.h + bx) * 64
                    bc[nb] = c
                    bstep[nb] = c.h * 64
                    nb += 1
    while mx < mx1:
        for b in range(nb):
            block_sequential(br, &buf, &nbits, &top, bp[b], bc[b])
            bp[b] += bstep[b]
        mx += 1
        if nbits < br.pad:
            break
    br.buf = buf
    br.nbits = nbits
    return mx


cdef inline void block_dc_first(BitReader* br, int16_t* blk, ScanComponent* c, int al) noexcept nogil:
    cdef int s = huff_decode(br, c.dc)
    cdef int diff = 0
    if s:
        diff = huff_extend(br_bits(br, s), s)
    c.last_dc = <int32_t>(<uint32_t>c.last_dc + <uint32_t>diff)
    blk[0] = <int16_t>(<uint32_t>c.last_dc << al)


cdef inline int block_ac_first(ScanState* st, int16_t* blk, ScanComponent* c) noexcept nogil:
    """T.81 G.1.2.2: the first pass over a band Ss..Se of one block, values
    scaled by 2**Al; an EOBr symbol ends this block and the next
    2**r - 1 + (r more bits) blocks of the band."""
    cdef BitReader* br = &st.br
    cdef int s, r, k, rs, fast, se = st.Se, al = st.Al
    cdef uint64_t buf
    cdef int nbits
    if st.eobrun > 0:
        st.eobrun -= 1
        return SCAN_OK
    buf = br.buf
    nbits = br.nbits
    k = st.Ss
    while k <= se:
        if nbits < 32:
            refill(br, &buf, &nbits)
        fast = c.ac.fast[(buf >> (nbits - HUFF_LOOKAHEAD)) & (HUFF_LOOKUP_SIZE - 1)]
        if fast >> 16:
            # a whole coefficient (size-0 symbols, EOBRUN and ZRL, take the path
            # below: a ZRL here must not write over an earlier scan's band)
            k += ((fast >> 6) & 0xFF) - 1
            blk[NATURAL[k]] = <int16_t>(<uint32_t>(fast >> 16) << al)
            nbits -= fast & 15
            k += 1
            continue
        rs = huff_lookup(buf, &nbits, c.ac)
        r = rs >> 4
        s = rs & 15
        if s:
            k += r
            blk[NATURAL[k]] = <int16_t>(<uint32_t>huff_extend(
                <uint32_t>((buf >> (nbits - s)) & ((<uint64_t>1 << s) - 1)), s) << al)
            nbits -= s
        elif r == 15:
            k += 15
        else:
            st.eobrun = 1 << r
            if r:
                st.eobrun += <int>((buf >> (nbits - r)) & ((<uint64_t>1 << r) - 1))
                nbits -= r
            st.eobrun -= 1
            break
        k += 1
    br.buf = buf
    br.nbits = nbits
    return SCAN_OK


cdef inline void correct(int16_t* coef, uint64_t buf, int nbits, int p1, int m1) noexcept nogil:
    # correction bit (the one at nbits - 1): 1 if the magnitude grows by 2**Al
    if (buf >> (nbits - 1)) & 1:
        if (coef[0] & p1) == 0:
            if coef[0] >= 0:
                coef[0] = <int16_t>(coef[0] + p1)
            else:
                coef[0] = <int16_t>(coef[0] + m1)


cdef inline int block_ac_refine(ScanState* st, int16_t* blk, ScanComponent* c) noexcept nogil:
    """T.81 G.1.2.3: new coefficients of magnitude 2**Al, with correction bits
    for the ones already nonzero that the run passes over (libjpeg's
    decode_mcu_AC_refine, step for step)."""
    cdef BitReader* br = &st.br
    cdef int p1 = 1 << st.Al
    cdef int m1 = -p1
    cdef int s, r, k, rs, se = st.Se
    cdef int16_t* coef
    cdef uint64_t nz
    cdef uint64_t buf = br.buf
    cdef int nbits = br.nbits
    k = st.Ss
    if st.eobrun == 0:
        while k <= se:
            if nbits < 32:
                refill(br, &buf, &nbits)
            rs = huff_lookup(buf, &nbits, c.ac)
            r = rs >> 4
            s = rs & 15
            if s:
                # size of a new coefficient is always 1 (libjpeg warns otherwise)
                s = p1 if (buf >> (nbits - 1)) & 1 else m1
                nbits -= 1
            elif r != 15:
                st.eobrun = 1 << r
                if r:
                    st.eobrun += <int>((buf >> (nbits - r)) & ((<uint64_t>1 << r) - 1))
                    nbits -= r
                break
            while True:
                coef = blk + NATURAL[k]
                if coef[0] != 0:
                    if nbits < 1:
                        refill(br, &buf, &nbits)
                    correct(coef, buf, nbits, p1, m1)
                    nbits -= 1
                else:
                    r -= 1
                    if r < 0:
                        break
                k += 1
                if k > se:
                    break
            if s:
                blk[NATURAL[k]] = <int16_t>s
            k += 1
    if st.eobrun > 0:
        # most blocks of a refinement scan are in an EOB run: a correction
        # bit for each coefficient already non-zero in k..se, found from the
        # block's zigzag non-zero mask instead of a walk over the band
        # (correct() keeps non-zero coefficients non-zero, and bits go in
        # zigzag order as the walk read them)
        if k <= se:
            nz = (zigzag_nonzero(blk, &ZZ) & (((<uint64_t>2) << se) - 1)
                  & ~(((<uint64_t>1) << k) - 1))
            while nz:
                if nbits < 1:
                    refill(br, &buf, &nbits)
                correct(blk + ZZ.zz[jl_enc_ctz64(nz)], buf, nbits, p1, m1)
                nbits -= 1
                nz &= nz - 1
        st.eobrun -= 1
    br.buf = buf
    br.nbits = nbits
    return SCAN_OK


cdef void scan_begin(ScanState* st) noexcept nogil:
    """Reset the per-scan state (predictors, EOB run, restart counting)."""
    cdef int ci
    for ci in range(st.ncomps):
        st.comps[ci].last_dc = 0
    st.eobrun = 0
    st.togo = st.restart_interval
    st.next_rst = 0
    st.insufficient = False


cdef inline int mcu_ran_short(ScanState* st) noexcept nogil:
    """After an MCU: whether it needed bits the data does not have.  At the
    end of the input, SCAN_TRUNCATED (error_pos set); at a marker, the data
    segment is corrupt and the rest of it decodes as zeros (libjpeg's
    recovery: `insufficient` set, counted) and the result is SCAN_OK, as it
    is when the MCU had its bits."""
    cdef BitReader* br = &st.br
    if br.nbits >= br.pad:
        return SCAN_OK
    if br.marker == 0:
        st.error_pos = br.end
        return SCAN_TRUNCATED
    st.insufficient = True
    st.corrupt_segments += 1
    return SCAN_OK


cdef int ac_rows(ScanState* st, int my0, int my1, bint refine) noexcept nogil:
    """scan_rows for the bulk of a progressive file: an AC scan of one
    component (one block per MCU) without restart markers.  The same steps
    per block without the general loop's per-MCU dispatch, and the blocks of
    a first-pass EOB run, which read no bits, skipped at once.  Without
    restart markers nothing clears `insufficient`, so a row is skipped
    whole once it is set."""
    cdef BitReader* br = &st.br
    cdef ScanComponent* c = &st.comps[0]
    cdef int mx, mx0, my, n, rc
    cdef int16_t* blk
    for my in range(my0, my1):
        mx0 = st.mx_first
        st.mx_first = 0
        if st.insufficient or mx0 >= st.mcus_x:
            continue
        st.last_good_row = my       # (block smoothing's last_good_iMCU_row)
        blk = c.coefs + (<Py_ssize_t>(my - st.row_base) * c.blocks_w + mx0) * 64
        mx = mx0
        while mx < st.mcus_x:
            if not refine and st.eobrun > 0:
                # no bits read: the truncation check after the block before holds
                n = st.mcus_x - mx
                if n > st.eobrun:
                    n = st.eobrun
                st.eobrun -= n
                mx += n
                blk += <Py_ssize_t>n * 64
                continue
            if refine:
                rc = block_ac_refine(st, blk, c)
            else:
                rc = block_ac_first(st, blk, c)
            if rc != SCAN_OK:
                st.error_pos = br.pos
                return rc
            blk += 64
            mx += 1
            if mcu_ran_short(st) != SCAN_OK:
                return SCAN_TRUNCATED
            if st.insufficient:
                break
    return SCAN_OK


cdef inline int mcu_rows(ScanState* st, int my0, int my1, int kind) noexcept nogil:
    # scan_rows's loop, inlined twice: with kind the constant SCAN_SEQUENTIAL
    # (the compiler drops the per-block dispatch) and with the scan's kind
    cdef BitReader* br = &st.br
    cdef int mx, my, ci, bx, by, n, e, rc = SCAN_OK
    cdef bint good
    cdef ScanComponent* c
    cdef int16_t* blk
    cdef int16_t* mcu
    cdef int16_t* rowbase[4]
    for my in range(my0, my1):
        mx = st.mx_first
        st.mx_first = 0
        for ci in range(st.ncomps):
            c = &st.comps[ci]
            rowbase[ci] = c.coefs + <Py_ssize_t>(my - st.row_base) * c.v * c.blocks_w * 64
        while mx < st.mcus_x:
            if (kind == SCAN_SEQUENTIAL and not st.insufficient
                    and (st.restart_interval == 0 or st.togo > 0)):
                # the MCUs up to the row's end or the next restart marker in
                # one call (what the loop below does MCU by MCU, the same)
                n = st.mcus_x - mx
                if st.restart_interval and n > st.togo:
                    n = st.togo
                st.last_good_row = my
                e = seq_mcus(st, my, mx, mx + n)
                if st.restart_interval:
                    st.togo -= e - mx
                mx = e
                if mcu_ran_short(st) != SCAN_OK:
                    return SCAN_TRUNCATED
                continue
            # libjpeg notes the row before a restart can clear "insufficient"
            good = not st.insufficient
            if st.restart_interval:
                if st.togo == 0:
                    rc = restart(st, &st.next_rst)
                    if rc != SCAN_OK:
                        return rc
                    st.togo = st.restart_interval
                    if br.marker == 0:
                        st.insufficient = False
                st.togo -= 1
            if st.insufficient:
                mx += 1
                continue
            if good:
                st.last_good_row = my       # (block smoothing's last_good_iMCU_row)
            if kind == SCAN_SEQUENTIAL:
                seq_mcus(st, my, mx, mx + 1)
            for ci in range(st.ncomps):
                if kind == SCAN_SEQUENTIAL:
                    break
                c = &st.comps[ci]
                mcu = rowbase[ci] + <Py_ssize_t>mx * c.h * 64
                for by in range(c.v):
                    blk = mcu + <Py_ssize_t>by * c.blocks_w * 64
                    for bx in range(c.h):
                        if kind == SCAN_DC_FIRST:
                            block_dc_first(br, blk, c, st.Al)
                        elif kind == SCAN_DC_REFINE:
                            if br_bits(br, 1):
                                blk[0] = <int16_t>(blk[0] | (1 << st.Al))
                        elif kind == SCAN_AC_FIRST:
                            rc = block_ac_first(st, blk, c)
                        else:
                            rc = block_ac_refine(st, blk, c)
                        if rc != SCAN_OK:
                            st.error_pos = br.pos
                            return rc
                        blk += 64
            mx += 1
            if mcu_ran_short(st) != SCAN_OK:
                return SCAN_TRUNCATED
    return SCAN_OK


cdef int scan_rows(ScanState* st, int my0, int my1) noexcept nogil:
    """Decode MCU rows my0 .. my1 - 1 of a scan (after scan_begin, in order).

    MCU row my goes to block rows (my - row_base) * v .. of each component's
    coefs, so a caller can decode a band into a small buffer.  The reader
    stops at the marker after the data.  Data that runs into a marker early
    (corrupt data) is padded with zero bits and the rest of its restart
    interval is left as it is, as libjpeg does; data that runs into the end
    of the input is an error (truncation).
    """
    if (st.ncomps == 1 and st.restart_interval == 0 and st.comps[0].h == 1
            and st.comps[0].v == 1
            and (st.kind == SCAN_AC_FIRST or st.kind == SCAN_AC_REFINE)):
        return ac_rows(st, my0, my1, st.kind == SCAN_AC_REFINE)
    if st.kind == SCAN_SEQUENTIAL:
        return mcu_rows(st, my0, my1, SCAN_SEQUENTIAL)
    return mcu_rows(st, my0, my1, st.kind)


cdef extern from *:
    """
    /* a flag another thread sets: read from memory every time */
    #define JL_READ_ONCE(x) (*(volatile const int*)&(x))
    """
    int JL_READ_ONCE(int x) noexcept nogil


cdef int64_t speculate(ScanState* st, Py_ssize_t scan_start, int16_t* store, SyncRecord* rec,
                       int64_t j0, int64_t cap, const int* cancel, int* ended) noexcept nogil:
    """Decode MCUs of a sequential scan from wherever st.br stands, as if an
    MCU started there (it need not: Huffman codes resynchronise within a few
    blocks, and then so do block and MCU boundaries), into store (zeros, one
    MCU's blocks after another in scan order), as MCUs j0 .. cap - 1 (j0 > 0:
    going on after an earlier call that returned j0), recording in rec[j]
    where MCU j started and the DC predictors it started with; rec[count]
    holds the state after the last one.  Stops before an MCU that needs bits
    past the data (a marker or the end of the input; ended[0] set to 1), at
    cap, or when cancel[0] becomes non-zero.  Returns the MCUs decoded in
    all (j0 and on); st.br is left after them.  For scans without restart
    markers (no MCU counting)."""
    cdef BitReader snap
    cdef int64_t j = j0
    cdef int i, nb, mb = 0
    cdef int16_t* coefs[4]
    cdef Py_ssize_t blocks_w[4]
    cdef int row_base = st.row_base
    cdef ScanComponent* c
    # one MCU at a time through seq_mcus, as MCU 0 of a row one MCU wide
    # whose components' blocks lie one after another in the store
    for i in range(st.ncomps):
        c = &st.comps[i]
        coefs[i] = c.coefs
        blocks_w[i] = c.blocks_w
        c.blocks_w = c.h
        mb += c.h * c.v
    st.row_base = 0
    while j < cap:
        if ((j - j0) & 63) == 0 and JL_READ_ONCE(cancel[0]):
            break
        rec[j].bitpos = br_bit_position(&st.br, scan_start)
        nb = 0
        for i in range(st.ncomps):
            rec[j].dc[i] = st.comps[i].last_dc
            st.comps[i].coefs = store + (j * mb + nb) * 64
            nb += st.comps[i].h * st.comps[i].v
        snap = st.br
        seq_mcus(st, 0, 0, 1)
        if st.br.nbits < st.br.pad or st.br.at_end:
            st.br = snap
            for i in range(st.ncomps):
                st.comps[i].last_dc = rec[j].dc[i]
            ended[0] = 1
            break
        j += 1
    rec[j].bitpos = br_bit_position(&st.br, scan_start)
    for i in range(st.ncomps):
        rec[j].dc[i] = st.comps[i].last_dc
        st.comps[i].coefs = coefs[i]
        st.comps[i].blocks_w = blocks_w[i]
    st.row_base = row_base
    return j


cdef int decode_scan(ScanState* st) noexcept nogil:
    """Decode one whole scan's entropy-coded data into the components'
    coefficients (see scan_rows)."""
    scan_begin(st)
    st.row_base = 0
    return scan_rows(st, 0, st.mcus_y)

# ==== end decode: baseline and progressive scan decoding ====


# ==== encode: prepared code tables (the per-call cost of small images) ====
from libc.string cimport memcpy as _memcpy


cdef class _PreparedCodes:
    # the arrays are kept so that their ids stay theirs while registered
    cdef object codes, sizes
    cdef int owners         # prepare_codes calls not yet matched by forget_codes
    cdef HuffCodes table


# (id(codes), id(sizes)) -> _PreparedCodes, while the arrays' owners live (an
# owner, an encode template, calls forget_codes when it goes: options._FixedParts;
# templates share the standard code arrays, hence the count)
_PREPARED_CODES = {}


def prepare_codes(codes, sizes):
    """Fill the HuffCodes of a read-only (codes, sizes) pair of
    ``_huffman.make_codes`` once: every later scan coder given these same
    array objects copies it instead of checking and converting 256 entries
    (the encode plans of common options hold such pairs). ValueError for
    writable arrays (whose contents could change under the copy)."""
    if codes.flags.writeable or sizes.flags.writeable:
        raise ValueError("prepared code tables must be read-only arrays")
    key = (id(codes), id(sizes))
    cdef _PreparedCodes p = _PREPARED_CODES.get(key)
    if p is not None and p.codes is codes and p.sizes is sizes:
        p.owners += 1
        return
    p = _PreparedCodes.__new__(_PreparedCodes)
    fill_huffcodes(codes, sizes, &p.table)
    p.codes, p.sizes = codes, sizes
    p.owners = 1
    _PREPARED_CODES[key] = p


def forget_codes(codes, sizes):
    """Undo one ``prepare_codes`` of these arrays: the table is dropped with
    the last."""
    key = (id(codes), id(sizes))
    cdef _PreparedCodes p = _PREPARED_CODES.get(key)
    if p is not None and p.codes is codes and p.sizes is sizes:
        p.owners -= 1
        if p.owners <= 0:
            del _PREPARED_CODES[key]


cdef bint _prepared_codes(codes, sizes, HuffCodes* out) except -1:
    """Copy the prepared HuffCodes of these arrays to out; False when there is none."""
    p = _PREPARED_CODES.get((id(codes), id(sizes)))
    if p is None:
        return False
    cdef _PreparedCodes pc = <_PreparedCodes>p
    if pc.codes is not codes or pc.sizes is not sizes:
        return False
    _memcpy(out, &pc.table, sizeof(HuffCodes))
    return True
# ==== end encode: prepared code tables ====
