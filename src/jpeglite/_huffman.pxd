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
        return 32 - __builtin_clz(x);
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
    """
    int jl_enc_bitlen(unsigned int x) noexcept nogil
    int jl_enc_bitlen_nz(unsigned int x) noexcept nogil
    int jl_enc_ctz64(unsigned long long x) noexcept nogil


# One Huffman table as the encoder uses it: code[s] (right-aligned) and its
# length size[s] in bits for every symbol s; size 0 means "not in the table".
ctypedef struct HuffCodes:
    uint32_t code[256]
    uint8_t size[256]
    uint32_t packed[256]      # code << 8 | size: one load per symbol in the coder


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


cdef inline void bw_byte(BitWriter* w, uint8_t b) noexcept nogil:
    # T.81 B.1.1.5: a 0xFF data byte is followed by a stuffed 0x00.
    w.buf[w.pos] = b
    w.pos += 1
    if b == 0xFF:
        w.buf[w.pos] = 0
        w.pos += 1


cdef inline void bw_flush_word(BitWriter* w) noexcept nogil:
    cdef uint64_t a = w.acc
    cdef uint8_t* p
    cdef int s
    # (~a - 0x01..01) & a & 0x80..80 is non-zero iff some byte of ~a is zero,
    # i.e. iff some byte of a is 0xFF.
    if ((~a) - <uint64_t>0x0101010101010101ULL) & a & <uint64_t>0x8080808080808080ULL:
        s = 56
        while s >= 0:
            bw_byte(w, <uint8_t>(a >> s))
            s -= 8
    else:
        p = w.buf + w.pos
        p[0] = <uint8_t>(a >> 56)
        p[1] = <uint8_t>(a >> 48)
        p[2] = <uint8_t>(a >> 40)
        p[3] = <uint8_t>(a >> 32)
        p[4] = <uint8_t>(a >> 24)
        p[5] = <uint8_t>(a >> 16)
        p[6] = <uint8_t>(a >> 8)
        p[7] = <uint8_t>a
        w.pos += 8


cdef inline void bw_put(BitWriter* w, uint32_t bits, int n) noexcept nogil:
    """Append the n (1..32) low bits of `bits`, most significant first.

    `bits` must have no bit set above bit n-1. The caller reserves space.
    """
    if n < w.free:
        w.acc = (w.acc << n) | bits
        w.free -= n
    else:
        n -= w.free
        w.acc = (w.acc << w.free) | (<uint64_t>bits >> n)
        bw_flush_word(w)
        # The bits already written stay above the valid ones and are shifted
        # out before the next flush.
        w.acc = bits
        w.free = 64 - n


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


cdef inline void bw_restart(BitWriter* w, int k) noexcept nogil:
    """Finish the current interval and write the marker RST(k mod 8)."""
    bw_finish(w)
    w.buf[w.pos] = 0xFF
    w.buf[w.pos + 1] = <uint8_t>(0xD0 + (k & 7))
    w.pos += 2
# ==== end encode: code construction and bit writer ====


# ==== decode: lookahead tables and bit reader ====

# ==== end decode: lookahead tables and bit reader ====
