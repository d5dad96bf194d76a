# Per-block entropy kernels shared by the drivers.

# ==== encode: run-length symbols and baseline scan coding ====
from libc.stdint cimport int16_t, int64_t, uint8_t, uint32_t, uint64_t
from jpeglite._huffman cimport (HuffCodes, BitWriter, bw_init, bw_put, bits_put, bw_reserve, bw_restart, bw_finish,
                                bw_take_bytes,
                                jl_enc_bitlen, jl_enc_bitlen_nz, jl_enc_ctz64)

from jpeglite._simd cimport jl_simd_level

# The kernels, scalar and SIMD side by side, are C: _entropy_simd.h.
cdef extern from "_entropy_simd.h":
    uint64_t jl_nonzero_mask(const int16_t* b, int level) noexcept nogil
    void jl_zigzag_shuffles(const int* zz, uint8_t* shuf) noexcept nogil
    uint64_t jl_zigzag_mask_avx2(const int16_t* b, const uint8_t* shuf) noexcept nogil
    bint JL_ZIGZAG_AVX2(int level) noexcept nogil

cdef extern from "_forward_simd.h":
    void jl_forward_shuffles(const int* zz, uint8_t* shuf) noexcept nogil


# The zigzag order (T.81 Figure A.6) in the two forms the coder uses: zz[k] is
# the natural index of zigzag position k, and rowbits[j][byte] maps the
# non-zero bits of natural row j to their zigzag positions, so a block's
# zigzag non-zero mask costs 8 lookups instead of 63 gathered loads; shuf
# holds the byte shuffles of the AVX2 kernel, which needs no lookups, and
# shuf_fdct those of the encoder's fused block kernel (_forward_simd.h). `amp`
# (the baseline coder's map only, else NULL) points at the middle of a table
# of every int16 value v: amp[v] = (bits << 5) | n, n = the magnitude
# category of v (T.81 F.1.2.2.1: the bit length of |v|) and bits its n low
# bits in one's complement form, so an AC coefficient costs one load instead
# of a sign, an absolute value, a bit scan and a mask.
ctypedef struct ZigzagMap:
    int zz[64]
    uint64_t rowbits[8][256]
    uint8_t shuf[256]
    uint8_t shuf_fdct[256]
    const uint32_t* amp


cdef inline void zigzag_map_init(ZigzagMap* m, const int* zz) noexcept nogil:
    cdef int k, j, b, i
    cdef int pos[64]
    for k in range(64):
        m.zz[k] = zz[k]
        pos[zz[k]] = k
    for j in range(8):
        for b in range(256):
            m.rowbits[j][b] = 0
            for i in range(8):
                if b >> i & 1:
                    m.rowbits[j][b] |= (<uint64_t>1) << pos[8 * j + i]
    jl_zigzag_shuffles(zz, m.shuf)
    jl_forward_shuffles(zz, m.shuf_fdct)
    m.amp = NULL


cdef inline void amplitude_table_init(uint32_t* table) noexcept nogil:
    """Fill the 65536 entries of ZigzagMap.amp's table (int16 value v at v + 32768)."""
    cdef int v, t, n, sgn
    for v in range(-32768, 32768):
        sgn = v >> 31
        t = (v ^ sgn) - sgn
        n = jl_enc_bitlen(<unsigned int>t)
        table[v + 32768] = ((<uint32_t>(v + sgn) & ((<uint32_t>1 << n) - 1)) << 5) | <uint32_t>n


cdef inline uint64_t zigzag_nonzero_at(const int16_t* blk, const ZigzagMap* m, int level) noexcept nogil:
    """zigzag_nonzero with the kernels of the given SIMD level (tests pick it)."""
    if JL_ZIGZAG_AVX2(level):
        return jl_zigzag_mask_avx2(blk, m.shuf) & ~(<uint64_t>1)
    cdef uint64_t nat = jl_nonzero_mask(blk, level) & ~(<uint64_t>1)
    cdef uint64_t out = 0
    cdef int j
    for j in range(8):
        out |= m.rowbits[j][(nat >> (8 * j)) & 0xFF]
    return out


cdef inline uint64_t zigzag_nonzero(const int16_t* blk, const ZigzagMap* m) noexcept nogil:
    """Bit k set when AC coefficient k (zigzag order, k >= 1) of blk is non-zero."""
    return zigzag_nonzero_at(blk, m, jl_simd_level)


# One component of a scan, as seen while coding one MCU row.
ctypedef struct ScanComp:
    const int16_t* blocks     # quantized blocks of this MCU row, natural order, 64 each
    Py_ssize_t row_stride     # int16 elements from one block row to the next
    int h, v                  # blocks per MCU across and down (1, 1 in a 1-component scan)
    int wb                    # blocks across that hold image data (width_in_blocks)
    int rows                  # block rows of this MCU row that hold image data (1..v)
    int last_dc               # DC prediction (T.81 F.1.2.1)
    const uint64_t* masks     # the blocks' zigzag_nonzero masks, one per block at
                              # j * row_stride / 64 + bx (the fused encoder), or NULL
    const HuffCodes* dc
    const HuffCodes* ac
    int64_t* counts           # counting pass: 256 DC then 256 AC symbol counts


# Worst case of one block in bytes: 64 codes of at most 16 + 15 bits (the
# amplitude sizes of 12-bit samples, highbit's files; 8-bit ones stop at 11),
# every byte stuffed, plus the accumulator.
cdef enum:
    BLOCK_MAX_BYTES = 64 * 31 * 2 // 8 + 16


cdef inline void encode_block(BitWriter* w, const int16_t* blk, uint64_t nz, int* last_dc,
                              const HuffCodes* dc, const HuffCodes* ac,
                              const ZigzagMap* zm) noexcept nogil:
    """Huffman-code one quantized block (natural order) as T.81 F.1.2 says;
    nz is its zigzag_nonzero mask.

    DC: the category of the difference to the previous DC, then the
    difference's low bits (one's complement when negative). AC in zigzag
    order: run/size symbols, ZRL (0xF0) for 16 zeros, EOB (0x00) when the
    block ends in zeros. Only the non-zero coefficients are visited: the
    zigzag mask's lowest set bit (count trailing zeros) is the next one, the
    distance from the one before is the zero run. Each symbol goes out with
    its amplitude bits in one bits_put, on the writer's state held in locals.
    `zm` must be the baseline coder's map (zigzag_map(): its `amp` table).
    """
    cdef uint64_t e
    cdef uint32_t a
    cdef uint64_t acc = w.acc
    cdef int free = w.free
    cdef uint8_t* out = w.buf + w.pos
    cdef int k, r, t, t2, nbits, sgn, prev
    cdef bint eob
    # locals: a store through `out` could alias the map as far as the
    # compiler knows, which would reload them for every coefficient
    cdef const uint32_t* amp = zm.amp
    cdef const int* zz = zm.zz
    t2 = blk[0] - last_dc[0]
    last_dc[0] = blk[0]
    if <unsigned int>(t2 + 32768) < 65536:
        a = amp[t2]
        e = dc.packed[a & 31]
        bits_put(&acc, &free, &out, <uint32_t>(e >> 8) | (a >> 5), <int>(e & 0xFF))
    else:
        # a difference outside int16 (12-bit samples): branch-free |t| and
        # the one's complement form of negative values, as the table holds them
        sgn = t2 >> 31
        t = (t2 ^ sgn) - sgn
        t2 += sgn
        nbits = jl_enc_bitlen(<unsigned int>t)
        e = dc.packed[nbits]
        bits_put(&acc, &free, &out,
                 <uint32_t>(e >> 8) | (<uint32_t>t2 & ((<uint32_t>1 << nbits) - 1)), <int>(e & 0xFF))
    eob = (nz >> 63) == 0
    # the lowest bit of nz is the next coefficient (count trailing zeros),
    # the distance from the one before the zero run; clearing that bit is
    # the only step one coefficient waits for from the one before (apart
    # from the bit writer), where shifting nz down by the run made a chain
    # of count, shift and shift
    prev = 0
    while nz:
        k = jl_enc_ctz64(nz)
        nz &= nz - 1
        r = k - prev - 1
        prev = k
        while r > 15:
            bits_put(&acc, &free, &out, ac.code[0xF0], ac.size[0xF0])
            r -= 16
        a = amp[blk[zz[k]]]
        e = ac.packed[(r << 4) | (a & 31)]
        bits_put(&acc, &free, &out, <uint32_t>(e >> 8) | (a >> 5), <int>(e & 0xFF))
    if eob:
        bits_put(&acc, &free, &out, ac.code[0], ac.size[0])
    w.acc = acc
    w.free = free
    w.pos = out - w.buf


cdef inline void count_block(const int16_t* blk, int* last_dc, int64_t* counts,
                             const ZigzagMap* zm) noexcept nogil:
    """The symbols encode_block would write, counted into counts[0:256] (DC) and counts[256:512] (AC)."""
    cdef uint64_t nz
    cdef int k, r, t, prev
    t = blk[0] - last_dc[0]
    last_dc[0] = blk[0]
    if t < 0:
        t = -t
    counts[jl_enc_bitlen(<unsigned int>t)] += 1
    nz = zigzag_nonzero(blk, zm)
    prev = 0
    while nz:
        k = jl_enc_ctz64(nz)
        nz &= nz - 1
        r = k - prev - 1
        while r > 15:
            counts[256 + 0xF0] += 1
            r -= 16
        t = blk[zm.zz[k]]
        if t < 0:
            t = -t
        counts[256 + ((r << 4) | jl_enc_bitlen_nz(<unsigned int>t))] += 1
        prev = k
    if prev != 63:
        counts[256] += 1


cdef inline int block_cost(const int16_t* blk, int* last_dc, const HuffCodes* dc,
                            const HuffCodes* ac, const ZigzagMap* zm) noexcept nogil:
    """Bits encode_block writes for blk (code lengths + amplitude bits): what
    one block costs in the scan, for the per-block map of analyze."""
    cdef uint64_t nz
    cdef int k, r, t, prev, nbits, bits
    t = blk[0] - last_dc[0]
    last_dc[0] = blk[0]
    if t < 0:
        t = -t
    nbits = jl_enc_bitlen(<unsigned int>t)
    bits = dc.size[nbits] + nbits
    nz = zigzag_nonzero(blk, zm)
    prev = 0
    while nz:
        k = jl_enc_ctz64(nz)
        nz &= nz - 1
        r = k - prev - 1
        while r > 15:
            bits += ac.size[0xF0]
            r -= 16
        t = blk[zm.zz[k]]
        if t < 0:
            t = -t
        nbits = jl_enc_bitlen_nz(<unsigned int>t)
        bits += ac.size[(r << 4) | nbits] + nbits
        prev = k
    if prev != 63:
        bits += ac.size[0]
    return bits


cdef inline Py_ssize_t mcus_max_bytes(const ScanComp* comps, int ncomp, Py_ssize_t mcus) noexcept nogil:
    """Bytes code_mcu_row may write for `mcus` MCUs at most (an RSTn each included)."""
    cdef int c, nblocks = 0
    for c in range(ncomp):
        nblocks += comps[c].h * comps[c].v
    return mcus * (nblocks * BLOCK_MAX_BYTES + 4) + 16


cdef inline bint reserve_scan(BitWriter* w, const ScanComp* comps, int ncomp, Py_ssize_t mcus_x,
                              Py_ssize_t mcus_y, Py_ssize_t expected) noexcept nogil:
    """Room for a scan of mcus_y rows of mcus_x MCUs, `expected` bytes likely:
    `expected` plus one row's worst case (code_mcu_row asks for that much free
    before each row) plus bw_finish's 32 bytes, or the whole scan's worst case
    when that is less; the writer then grows only if the scan outgrows
    `expected`. False: no memory."""
    cdef Py_ssize_t row = mcus_max_bytes(comps, ncomp, mcus_x)
    cdef Py_ssize_t n = mcus_y * row + 32
    if n > expected + row + 32:
        n = expected + row + 32
    return bw_reserve(w, n)


cdef inline int code_mcu_row(BitWriter* w, ScanComp* comps, int ncomp, int mx0, int mcus_x,
                             Py_ssize_t mcu0, int restart_interval,
                             const ZigzagMap* zz) noexcept nogil:
    """Code (w != NULL) or count (w == NULL) MCUs mx0..mcus_x-1 of one row, interleaved (T.81 A.2.3).

    mcu0 is the scan index of the row's first MCU: restart markers go before
    every MCU whose index is a non-zero multiple of restart_interval, so a
    band of MCU rows can be coded on its own. Blocks of an MCU that fall
    outside the component's data (right or bottom edge) are libjpeg's dummy
    blocks: zero AC and the DC of the block before, i.e. a DC difference of 0
    and an EOB. Returns -1 if the writer ran out of memory.
    """
    cdef int mx, c, j, i, bx
    cdef Py_ssize_t m
    cdef ScanComp* sc
    cdef const int16_t* row
    cdef uint64_t nz
    if w != NULL and not bw_reserve(w, mcus_max_bytes(comps, ncomp, mcus_x - mx0)):
        return -1
    for mx in range(mx0, mcus_x):
        m = mcu0 + mx
        if restart_interval and m and m % restart_interval == 0:
            if w != NULL:
                bw_restart(w, <int>(m // restart_interval - 1))
            for c in range(ncomp):
                comps[c].last_dc = 0
        for c in range(ncomp):
            sc = &comps[c]
            for j in range(sc.v):
                row = sc.blocks + j * sc.row_stride
                for i in range(sc.h):
                    bx = mx * sc.h + i
                    if j < sc.rows and bx < sc.wb:
                        if w != NULL:
                            if sc.masks != NULL:
                                nz = sc.masks[j * (sc.row_stride >> 6) + bx]
                            else:
                                nz = zigzag_nonzero(row + 64 * bx, zz)
                            encode_block(w, row + 64 * bx, nz, &sc.last_dc, sc.dc, sc.ac, zz)
                        else:
                            count_block(row + 64 * bx, &sc.last_dc, sc.counts, zz)
                    elif w != NULL:
                        bw_put(w, sc.dc.code[0], sc.dc.size[0])
                        bw_put(w, sc.ac.code[0], sc.ac.size[0])
                    else:
                        sc.counts[0] += 1
                        sc.counts[256] += 1
    return 0


cdef int fill_huffcodes(codes, sizes, HuffCodes* out) except -1
cdef const ZigzagMap* zigzag_map() noexcept nogil
# ==== end encode: run-length symbols and baseline scan coding ====


# ==== decode: baseline and progressive scan decoding ====
from libc.stdint cimport uint8_t, int16_t, int32_t, uint32_t, int64_t
from jpeglite._huffman cimport HuffDecodeTable, BitReader

cdef enum:
    # what a scan codes (T.81 G.1.2): sequential, or one progressive pass
    SCAN_SEQUENTIAL = 0
    SCAN_DC_FIRST = 1
    SCAN_DC_REFINE = 2
    SCAN_AC_FIRST = 3
    SCAN_AC_REFINE = 4

cdef enum:
    # scan decoder results
    SCAN_OK = 0
    SCAN_TRUNCATED = 1      # the input ended inside the entropy-coded data

ctypedef struct ScanComponent:
    int16_t* coefs          # blocks of 64 natural-order coefficients, row-major
    Py_ssize_t blocks_w     # blocks per row in coefs
    int h, v                # blocks of this component per MCU (1, 1 if non-interleaved)
    const HuffDecodeTable* dc
    const HuffDecodeTable* ac
    int32_t last_dc         # DC predictor

ctypedef struct ScanState:
    BitReader br
    int ncomps
    ScanComponent comps[4]
    int mcus_x, mcus_y      # MCUs per row and MCU rows in this scan
    int restart_interval    # MCUs per restart interval, 0 = none
    int kind                # SCAN_*
    int Ss, Se, Ah, Al
    int eobrun
    int togo                # MCUs left in this restart interval
    int next_rst            # the RSTn expected next, 0..7
    bint insufficient       # the data segment ran out: skip MCUs until the next restart
    int row_base            # MCU row stored at block row 0 of the coefs
    int mx_first            # scan_rows starts its first row at this MCU (then 0)
    int error_pos_valid
    Py_ssize_t error_pos    # byte offset where decoding failed
    int corrupt_segments    # data segments that ran into a marker early (libjpeg warns)
    int last_good_row       # the last MCU row an MCU of was decoded with data (not skipped)
    int bad_restarts        # restart markers missing or out of order (resynchronised)

# Where a speculative decoder (see speculate) started an MCU: the position of
# its first bit (br_bit_position from the scan's first byte) and the DC
# predictors it had then.
ctypedef struct SyncRecord:
    int64_t bitpos
    int32_t dc[4]

cdef void scan_begin(ScanState* st) noexcept nogil
cdef int64_t speculate(ScanState* st, Py_ssize_t scan_start, int16_t* store, SyncRecord* rec,
                       int64_t j0, int64_t cap, const int* cancel, int* ended) noexcept nogil
cdef int scan_rows(ScanState* st, int my0, int my1) noexcept nogil
cdef int decode_scan(ScanState* st) noexcept nogil
cdef Py_ssize_t find_marker(const uint8_t* data, Py_ssize_t pos, Py_ssize_t end) noexcept nogil
cdef int read_restart_marker(BitReader* br, int want, int* bad_restarts,
                             Py_ssize_t* error_pos) noexcept nogil
cdef const int32_t* natural_order() noexcept nogil

# ==== end decode: baseline and progressive scan decoding ====
