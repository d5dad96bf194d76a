# Huffman kernels shared by the drivers.

# ==== encode: code construction and bit writer ====
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int64_t
from libc.stdlib cimport realloc

cdef extern from *:
    """
    /* Bit length of x (0 for 0): the JPEG magnitude category of |value|. */
    static inline int jl_enc_bitlen(unsigned int x) {
    #if defined(__GNUC__) || defined(__clang__)
        return x ? 32 - __builtin_clz(x) : 0;
    #else
        int n = 0;
        while (x) { n++; x >>= 1; }
        return n;
    #endif
    }
    /* Bit length of a non-zero x (no test for 0: AC coefficients being coded are non-zero). */
    static inline int jl_enc_bitlen_nz(unsigned int x) {
    #if defined(__GNUC__) || defined(__clang__)
        return (__builtin_clz(x) ^ 31) + 1;   /* bsr + 1 */
    #else
        int n = 0;
        while (x) { n++; x >>= 1; }
        return n;
    #endif
    }
    /* Index of the lowest set bit of a non-zero x. */
    static inline int jl_enc_ctz64(unsigned long long x) {
    #if defined(__GNUC__) || defined(__clang__)
        return __builtin_ctzll(x);
    #else
        int n = 0;
        while (!(x & 1)) { n++; x >>= 1; }
        return n;
    #endif
    }
    /* The 8 bytes of v at p, most significant first (one store when the
     * compiler knows the byte order). */
    static inline void jl_store_be64(unsigned char *p, unsigned long long v) {
    #if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) \
        && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        v = __builtin_bswap64(v);
        __builtin_memcpy(p, &v, 8);
    #else
        int i;
        for (i = 0; i < 8; i++)
            p[i] = (unsigned char)(v >> (56 - 8 * i));
    #endif
    }
    /* The 8 bytes at p as a big-endian number. */
    static inline unsigned long long jl_load_be64(const unsigned char *p) {
    #if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) \
        && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        unsigned long long v;
        __builtin_memcpy(&v, p, 8);
        return __builtin_bswap64(v);
    #else
        unsigned long long v = 0;
        int i;
        for (i = 0; i < 8; i++)
            v = (v << 8) | p[i];
        return v;
    #endif
    }
    """
    void jl_store_be64(unsigned char* p, unsigned long long v) noexcept nogil
    unsigned long long jl_load_be64(const unsigned char* p) noexcept nogil
    int jl_enc_bitlen(unsigned int x) noexcept nogil
    int jl_enc_bitlen_nz(unsigned int x) noexcept nogil
    int jl_enc_ctz64(unsigned long long x) noexcept nogil


# One Huffman table as the encoder uses it: code[s] (right-aligned) and its
# length size[s] in bits for every symbol s; size 0 means "not in the table".
ctypedef struct HuffCodes:
    uint32_t code[256]
    uint8_t size[256]
    # (code << amp) << 8 | (size + amp), amp = s & 15 the amplitude bits symbol s
    # carries (DC and AC alike): the code already shifted to make room for
    # them and the length of both, one load per symbol in the block coder
    uint64_t packed[256]


# Entropy-coded segment writer. Bits gather in a 64-bit accumulator and leave
# it 8 bytes at a time; only a word that holds an 0xFF byte takes the slow,
# byte-stuffing path. `free` counts the unused low bits of `acc` (64 = empty).
ctypedef struct BitWriter:
    uint8_t* buf
    Py_ssize_t pos
    Py_ssize_t cap
    uint64_t acc
    int free
    int error          # 1 after a failed allocation; the writer then stops


cdef inline void bw_init(BitWriter* w) noexcept nogil:
    """An empty writer: no buffer yet (bw_reserve allocates), 64 free bits."""
    w.buf = NULL
    w.pos = 0
    w.cap = 0
    w.acc = 0
    w.free = 64
    w.error = 0


cdef inline bint bw_reserve(BitWriter* w, Py_ssize_t extra) noexcept nogil:
    """Make room for `extra` more bytes; False (and w.error) when out of memory."""
    cdef Py_ssize_t cap
    cdef uint8_t* p
    if w.error:
        return False
    if w.pos + extra <= w.cap:
        return True
    cap = 2 * w.cap
    if cap < w.pos + extra:
        cap = w.pos + extra
    p = <uint8_t*>realloc(w.buf, cap)
    if p == NULL:
        w.error = 1
        return False
    w.buf = p
    w.cap = cap
    return True


cdef inline uint8_t* bits_byte(uint8_t* p, uint8_t b) noexcept nogil:
    """Write data byte b at p; returns where the next byte goes."""
    # T.81 B.1.1.5: a 0xFF data byte is followed by a stuffed 0x00.
    p[0] = b
    if b == 0xFF:
        p[1] = 0
        return p + 2
    return p + 1


cdef inline void bw_byte(BitWriter* w, uint8_t b) noexcept nogil:
    w.pos = bits_byte(w.buf + w.pos, b) - w.buf


cdef inline uint8_t* bits_flush(uint8_t* p, uint64_t a) noexcept nogil:
    """Write the 64 bits of `a` at p, most significant byte first, stuffed; returns the end."""
    cdef int s
    # only a word with a 0xFF byte goes byte by byte
    if bits_has_ff(a):
        s = 56
        while s >= 0:
            p = bits_byte(p, <uint8_t>(a >> s))
            s -= 8
        return p
    jl_store_be64(p, a)
    return p + 8


cdef inline void bits_put(uint64_t* acc, int* free, uint8_t** out, uint32_t bits, int n) noexcept nogil:
    """Append the n (1..32) low bits of `bits` to the accumulator, most significant first.

    The one bit-output step of every Huffman coder. `acc`, `free` and `out`
    (where the next byte goes) are the writer's state; the block coder passes
    its own locals so that they stay in registers across a block (a byte
    store through the buffer could alias a field of the BitWriter and would
    force them back to memory after every flush). `bits` must have no bit set
    above bit n-1; the caller reserves space.
    """
    cdef int f = free[0]
    if n < f:
        acc[0] = (acc[0] << n) | bits
        free[0] = f - n
    else:
        n -= f
        # f <= n <= 32 here, so the shift is < 64
        out[0] = bits_flush(out[0], (acc[0] << f) | (<uint64_t>bits >> n))
        # the bits already written stay above the valid ones and are shifted
        # out before the next flush
        acc[0] = bits
        free[0] = 64 - n


cdef inline void bw_put(BitWriter* w, uint32_t bits, int n) noexcept nogil:
    """Append the n (1..32) low bits of `bits`, most significant first.

    `bits` must have no bit set above bit n-1. The caller reserves space.
    """
    cdef uint8_t* p = w.buf + w.pos
    bits_put(&w.acc, &w.free, &p, bits, n)
    w.pos = p - w.buf


cdef inline bint bits_has_ff(uint64_t a) noexcept nogil:
    """Whether some byte of a is 0xFF."""
    # (~a - 0x01..01) & a & 0x80..80 is non-zero iff some byte of ~a is zero
    return (((~a) - <uint64_t>0x0101010101010101ULL) & a & <uint64_t>0x8080808080808080ULL) != 0


cdef inline void bits_append(uint64_t* acc, int* free, uint8_t** out, const uint8_t* src,
                             Py_ssize_t n) noexcept nogil:
    """Append the data bits of n bytes of entropy-coded data (stuffed: every 0xFF
    followed by a 0x00, as bits_flush writes them) at any bit position.

    The join of separately coded pieces of one scan: a piece's bits shift by
    the bit position the piece starts at, which changes every byte, so they
    are unstuffed here and stuffed again by bits_put where the shifted bytes
    are 0xFF. Eight bytes a step while they hold no 0xFF. The caller reserves
    2 * n + 16 bytes (shifted bits can make more 0xFF bytes than they had).
    """
    cdef Py_ssize_t i = 0
    cdef uint64_t v
    cdef uint8_t b
    while i < n:
        if i + 8 <= n:
            v = jl_load_be64(src + i)
            if not bits_has_ff(v):
                bits_put(acc, free, out, <uint32_t>(v >> 32), 32)
                bits_put(acc, free, out, <uint32_t>v, 32)
                i += 8
                continue
        b = src[i]
        bits_put(acc, free, out, b, 8)
        i += 2 if b == 0xFF else 1     # the stuffed 0x00 carries no data


cdef inline void bw_append(BitWriter* w, const uint8_t* src, Py_ssize_t n, uint32_t tail,
                           int tail_bits) noexcept nogil:
    """Append a piece of a scan: n stuffed bytes (see bits_append) and then the
    tail_bits (0..7) low bits of tail. The caller reserves 2 * n + 16 bytes."""
    cdef uint8_t* p = w.buf + w.pos
    bits_append(&w.acc, &w.free, &p, src, n)
    if tail_bits:
        bits_put(&w.acc, &w.free, &p, tail, tail_bits)
    w.pos = p - w.buf


cdef inline uint32_t bw_split_tail(BitWriter* w, int* tail_bits) noexcept nogil:
    """Write out the whole bytes of the accumulator (stuffed) and return the
    bits left over (0..7 of them, right-aligned; their count in tail_bits):
    a piece of a scan whose last byte the next piece completes. The caller
    reserves 16 bytes."""
    cdef int nvalid = 64 - w.free
    cdef uint32_t tail
    while nvalid >= 8:
        nvalid -= 8
        bw_byte(w, <uint8_t>(w.acc >> nvalid))
    tail = <uint32_t>(w.acc & ((<uint64_t>1 << nvalid) - 1))
    w.acc = 0
    w.free = 64
    tail_bits[0] = nvalid
    return tail


cdef inline void bw_finish(BitWriter* w) noexcept nogil:
    """Pad the last byte with 1-bits (T.81 F.1.2.3) and write out the accumulator."""
    cdef int nvalid = 64 - w.free
    cdef int pad = (-nvalid) & 7
    if pad:
        bw_put(w, <uint32_t>((1 << pad) - 1), pad)
    nvalid = 64 - w.free
    while nvalid > 0:
        nvalid -= 8
        bw_byte(w, <uint8_t>(w.acc >> nvalid))
    w.acc = 0
    w.free = 64


cdef bytes bw_take_bytes(BitWriter* w)


cdef inline void bw_restart(BitWriter* w, int k) noexcept nogil:
    """Finish the current interval and write the marker RST(k mod 8)."""
    bw_finish(w)
    w.buf[w.pos] = 0xFF
    w.buf[w.pos + 1] = <uint8_t>(0xD0 + (k & 7))
    w.pos += 2
# ==== end encode: code construction and bit writer ====


# ==== decode: lookahead tables and bit reader ====
from libc.stdint cimport uint8_t, uint16_t, int32_t, uint32_t, uint64_t, int64_t

cdef enum:
    # Codes up to HUFF_LOOKAHEAD bits decode with one table lookup; longer
    # ones walk maxcode[] bit by bit (T.81 F.2.2.3).  10 bits cover nearly
    # every symbol of photographic data, and with `fast` most coefficients'
    # amplitude bits too (6 KiB a table; 9 bits took 5% more instructions).
    HUFF_LOOKAHEAD = 10
    HUFF_LOOKUP_SIZE = 1024
    # the skip of HuffDecodeTable.fast entries for a size-0 symbol other than
    # ZRL: past any block's last position, so that the one test of the
    # position after each symbol also finds the end of block
    FAST_EOB = 128

ctypedef struct HuffDecodeTable:
    # lookup[next HUFF_LOOKAHEAD bits] = (code length << 8) | symbol; length 0
    # means the code is longer (or no code has this prefix).
    uint16_t lookup[HUFF_LOOKUP_SIZE]
    # maxcode[l]: largest code of length l, -1 if none; maxcode[17] is a
    # sentinel so that the slow walk always stops (libjpeg's convention).
    int32_t maxcode[18]
    # valoffset[l]: index into huffval of a length-l code, minus the code.
    int32_t valoffset[18]
    uint8_t huffval[256]
    # fast[next HUFF_LOOKAHEAD bits]: the whole symbol in one lookup when its
    # code and its amplitude bits both fit the lookahead, else 0:
    # (value << 16) | (skip << 6) | bits used (1..10), value already
    # sign-extended (F.2.2.1 EXTEND), skip 8 bits.  (The length alone in the
    # low 6 bits: x86 masks a 64-bit shift's count to 6 bits, so consuming
    # the code needs no mask on the lookup-to-lookup chain; the bit count
    # takes `& 15`, a mask of its own, for the same reason.)  DC tables: the DC
    # difference (skip 0).  AC tables: how far the zigzag position moves
    # from the last coefficient: a coefficient (run/size, size >= 1) skip
    # run + 1; ZRL skip 16, value 0; the other size-0 symbols skip FAST_EOB
    # (they end a sequential block; a progressive scan reads them as EOBRUN,
    # on its slow path).
    # (An entry for a code that fits without its amplitude bits, saving the
    # second lookup, cost 0.5% more instructions than it saved.)
    int32_t fast[HUFF_LOOKUP_SIZE]

ctypedef struct BitReader:
    const uint8_t* data
    Py_ssize_t pos          # next byte of entropy-coded data to read
    Py_ssize_t end          # one past the last byte of the input
    uint64_t buf            # the low `nbits` bits are unread data, MSB first
    int nbits
    int pad                 # how many of the low bits are zeros fed past the data
    int marker              # code of the marker that stopped reading, 0 if none
    Py_ssize_t marker_pos   # offset of that marker's first 0xFF
    bint at_end             # reading stopped at the end of the input
    Py_ssize_t skipped      # bytes read that fed no bits (stuffed 0x00s and fill 0xFFs)


cdef inline void br_init(BitReader* br, const uint8_t* data, Py_ssize_t pos,
                         Py_ssize_t end) noexcept nogil:
    br.data = data
    br.pos = pos
    br.end = end
    br.buf = 0
    br.nbits = 0
    br.pad = 0
    br.marker = 0
    br.marker_pos = end
    br.at_end = False
    br.skipped = 0


cdef inline void br_fill_bytes(BitReader* br) noexcept nogil:
    # one byte at a time, handling stuffing, fill bytes, markers and the end
    cdef uint8_t c
    cdef Py_ssize_t p
    while br.nbits <= 56:
        if br.marker == 0 and br.pos < br.end:
            c = br.data[br.pos]
            if c != 0xFF:
                br.pos += 1
            else:
                # 0xFF 0x00 is a stuffed 0xFF data byte; runs of 0xFF are fill
                p = br.pos + 1
                while p < br.end and br.data[p] == 0xFF:
                    p += 1
                if p >= br.end:
                    br.at_end = True
                    br.marker_pos = br.pos
                    br.pos = br.end
                    continue
                if br.data[p] != 0:
                    br.marker = br.data[p]
                    br.marker_pos = br.pos
                    continue
                br.skipped += p - br.pos
                br.pos = p + 1
            br.buf = (br.buf << 8) | c
            br.nbits += 8
        else:
            if br.pos >= br.end and br.marker == 0:
                br.at_end = True
            br.buf <<= 8
            br.nbits += 8
            br.pad += 8


cdef inline void br_fill(BitReader* br) noexcept nogil:
    """Top the buffer up to at least 56 bits.

    Reading stops at a marker (0xFF followed by neither 0x00 nor 0xFF) or at
    the end of the input and never goes past either; from then on zero bits
    are fed, as libjpeg does, and counted in `pad` so that a caller can tell
    whether real data ran out (nbits < pad after consuming).  When the next
    8 bytes hold no 0xFF they are taken in one go.
    """
    cdef uint64_t v, t
    cdef int n
    if br.nbits > 56:
        return
    if br.marker == 0 and br.pos + 8 <= br.end:
        # one load (GCC left the byte loop a loop: 11 instructions a refill)
        v = jl_load_be64(br.data + br.pos)
        t = ~v
        if ((t - <uint64_t>0x0101010101010101) & ~t & <uint64_t>0x8080808080808080) == 0:
            n = (64 - br.nbits) >> 3
            if n > 7:
                n = 7
            br.buf = (br.buf << (8 * n)) | (v >> (64 - 8 * n))
            br.nbits += 8 * n
            br.pos += n
            return
    br_fill_bytes(br)


cdef inline int64_t br_bit_position(const BitReader* br, Py_ssize_t start) noexcept nogil:
    """Bits of entropy-coded data (stuffing removed) before the next unread
    bit, counted from byte `start` (where reading began, with `skipped`
    counting from there too).  Exact while at_end is false: two readers of
    the same data agree on it whatever their buffering."""
    return 8 * <int64_t>(br.pos - start - br.skipped) - br.nbits + br.pad


cdef inline uint32_t br_peek(const BitReader* br, int n) noexcept nogil:
    """The next n (0..32) bits; the caller has made sure nbits >= n."""
    return <uint32_t>((br.buf >> (br.nbits - n)) & ((<uint64_t>1 << n) - 1))


cdef inline uint32_t br_bits(BitReader* br, int n) noexcept nogil:
    """Consume and return n (0..16) bits, refilling first if needed."""
    cdef uint32_t v
    if br.nbits < n:
        br_fill(br)
    v = br_peek(br, n)
    br.nbits -= n
    return v


cdef inline int huff_extend(uint32_t v, int s) noexcept nogil:
    """T.81 F.2.2.1 EXTEND: the s-bit amplitude v (s = 1..16) as a signed
    value: v if its top bit is set, else v - 2**s + 1.  Branch-free, because
    the sign of a coefficient is a coin toss a branch predictor loses."""
    cdef int32_t x = <int32_t>v
    return x + (((x - (1 << (s - 1))) >> 31) & (1 - (1 << s)))


cdef inline int huff_lookup(uint64_t buf, int* nbits, const HuffDecodeTable* t) noexcept nogil:
    """Decode one symbol from the low nbits[0] (>= 17) bits of buf, MSB
    first, and take its code's bits off nbits[0].  Scan decoders keep buf
    and nbits in locals (registers) across a block and call this.  A bit
    pattern that is no code of the table takes 17 bits and decodes as
    symbol 0, libjpeg's recovery."""
    cdef uint32_t code
    cdef int e, l
    cdef int n = nbits[0]
    e = t.lookup[(buf >> (n - HUFF_LOOKAHEAD)) & (HUFF_LOOKUP_SIZE - 1)]
    if e >> 8:
        nbits[0] = n - (e >> 8)
        return e & 0xFF
    l = HUFF_LOOKAHEAD + 1
    code = <uint32_t>((buf >> (n - l)) & ((<uint64_t>1 << l) - 1))
    while l <= 16 and <int32_t>code > t.maxcode[l]:
        l += 1
        code = <uint32_t>((buf >> (n - l)) & ((<uint64_t>1 << l) - 1))
    if l > 16:
        nbits[0] = n - 17
        return 0
    nbits[0] = n - l
    return t.huffval[(<int32_t>code + t.valoffset[l]) & 0xFF]


cdef inline int huff_decode(BitReader* br, const HuffDecodeTable* t) noexcept nogil:
    """Decode one symbol from the reader (refilling it first if needed)."""
    if br.nbits < 17:
        br_fill(br)
    return huff_lookup(br.buf, &br.nbits, t)

# ==== end decode: lookahead tables and bit reader ====
