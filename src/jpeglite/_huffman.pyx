"""Huffman codes: table construction, bit writer, bit reader, table decode."""

# ==== encode: code construction and bit writer ====
import numpy as np
from libc.stdint cimport uint8_t, uint32_t, int64_t
from libc.stdlib cimport malloc, free


def make_codes(bits, values):
    """Canonical Huffman codes of a table given as DHT stores it (T.81 Annex C).

    ``bits[i]`` is the number of codes of length ``i + 1`` (16 entries),
    ``values`` the symbols in order of increasing code length. Returns
    ``(codes, sizes)``: uint32 and uint8 arrays of 256 entries, the code of
    symbol ``s`` being the ``sizes[s]`` low bits of ``codes[s]``; symbols not in
    the table have size 0. Raises ValueError for a table that is not a valid
    JPEG Huffman table (too many codes, a repeated symbol, or a code of all
    1-bits, which T.81 reserves).
    """
    bits = [int(b) for b in bits]
    values = [int(v) for v in values]
    if len(bits) != 16 or any(b < 0 for b in bits):
        raise ValueError("bits must hold 16 non-negative counts")
    if sum(bits) != len(values) or len(values) > 256:
        raise ValueError("bits must count the values, at most 256")
    if any(not 0 <= v <= 255 for v in values) or len(set(values)) != len(values):
        raise ValueError("values must be distinct symbols 0..255")
    codes = np.zeros(256, dtype=np.uint32)
    sizes = np.zeros(256, dtype=np.uint8)
    cdef uint32_t[::1] cv = codes
    cdef uint8_t[::1] sv = sizes
    cdef uint32_t code = 0
    cdef int k = 0, length, n, nb
    cdef int vals[256]
    for k in range(len(values)):
        vals[k] = values[k]
    k = 0
    for length in range(1, 17):
        nb = bits[length - 1]
        for n in range(nb):
            cv[vals[k]] = code
            sv[vals[k]] = length
            code += 1
            k += 1
        # the all-ones code of each length is reserved (T.81 C.2, K.2)
        if code >= (1u << length) and nb:
            raise ValueError(f"Huffman table overflows at code length {length}")
        code <<= 1
    return codes, sizes


cdef inline bint _pops_first(const int64_t* freq, int a, int b) noexcept nogil:
    # libjpeg takes the smallest frequency, and of equal ones the largest index
    return freq[a] < freq[b] or (freq[a] == freq[b] and a > b)


cdef inline void _sift_down(int* heap, int n, int k, const int64_t* freq) noexcept nogil:
    cdef int child, x = heap[k]
    while 2 * k + 1 < n:
        child = 2 * k + 1
        if child + 1 < n and _pops_first(freq, heap[child + 1], heap[child]):
            child += 1
        if not _pops_first(freq, heap[child], x):
            break
        heap[k] = heap[child]
        k = child
    heap[k] = x


cdef int _optimal_lengths(int64_t* freq, int* codesize) noexcept nogil:
    """Huffman code lengths for 257 symbols (T.81 K.2, Figure K.1).

    freq[256] is the reserved extra symbol that keeps the all-ones code unused.
    Ties pick the larger symbol index first, as libjpeg does, so the lengths
    equal libjpeg's; a heap makes the two picks of each merge O(log n)
    instead of libjpeg's scans of every symbol. Returns 0, or -1 if a
    length would exceed 32.
    """
    cdef int others[257]
    cdef int heap[257]
    cdef int i, k, c1, c2, n = 0
    for i in range(257):
        others[i] = -1
        codesize[i] = 0
        if freq[i]:
            heap[n] = i
            n += 1
    for k in range(n // 2 - 1, -1, -1):
        _sift_down(heap, n, k, freq)
    while n > 1:
        c1 = heap[0]
        n -= 1
        heap[0] = heap[n]
        _sift_down(heap, n, 0, freq)
        c2 = heap[0]
        # c1 absorbs c2 and, with its larger frequency, goes back where c2 was
        freq[c1] += freq[c2]
        freq[c2] = 0
        heap[0] = c1
        _sift_down(heap, n, 0, freq)
        codesize[c1] += 1
        while others[c1] >= 0:
            c1 = others[c1]
            codesize[c1] += 1
        others[c1] = c2
        codesize[c2] += 1
        while others[c2] >= 0:
            c2 = others[c2]
            codesize[c2] += 1
    for i in range(257):
        if codesize[i] > 32:
            return -1
    return 0


cdef int _jpeg_table(const int64_t* counts, int* lbits, uint8_t* vals) noexcept nogil:
    """libjpeg's jpeg_gen_optimal_table for 256 counts: lbits[1..16] codes of
    each length and vals the symbols in code order. Returns how many symbols,
    or -1 if a length would exceed 32."""
    cdef int64_t freq[257]
    cdef int codesize[257]
    cdef int i, j, nvals = 0
    cdef bint any_count = False
    for i in range(256):
        freq[i] = counts[i]
        any_count |= counts[i] != 0
    freq[256] = 1
    if not any_count:
        freq[0] = 1
    if _optimal_lengths(freq, codesize) < 0:
        return -1
    for i in range(33):
        lbits[i] = 0
    for i in range(257):
        if codesize[i]:
            lbits[codesize[i]] += 1
    # Figure K.3: move pairs of symbols up from lengths above 16.
    i = 32
    while i > 16:
        while lbits[i] > 0:
            j = i - 2
            while lbits[j] == 0:
                j -= 1
            lbits[i] -= 2
            lbits[i - 1] += 1
            lbits[j + 1] += 2
            lbits[j] -= 1
        i -= 1
    while lbits[i] == 0:
        i -= 1
    lbits[i] -= 1                      # the reserved symbol takes the longest code
    # symbols by code length, then by value (libjpeg's order): a counting sort
    cdef int start[34]
    for i in range(34):
        start[i] = 0
    for j in range(256):
        if codesize[j]:
            start[codesize[j] + 1] += 1
    for i in range(1, 34):
        start[i] += start[i - 1]
    for j in range(256):
        if codesize[j]:
            vals[start[codesize[j]]] = j
            start[codesize[j]] += 1
            nvals += 1
    return nvals


cdef const int64_t[:, ::1] _counts_rows(counts):
    c = np.ascontiguousarray(counts, dtype=np.int64)
    if c.ndim != 2 or c.shape[1] != 256 or (c.size and c.min() < 0):
        raise ValueError("counts must be 256 non-negative integers")
    return c


def optimal_table(counts):
    """An optimal length-limited Huffman table for symbol ``counts`` (T.81 K.2).

    ``counts``: 256 non-negative symbol counts. Returns ``(bits, values)`` in
    DHT form (see ``make_codes``): code lengths from Huffman's procedure with
    one reserved code point (so no code is all 1-bits), then lengths above 16
    folded back as in Figure K.3. Symbols with count 0 get no code; with all
    counts 0 the table holds a single symbol 0, which keeps it legal.
    """
    if np.shape(counts) != (256,):
        raise ValueError("counts must be 256 non-negative integers")
    cdef const int64_t[:, ::1] cv = _counts_rows(np.reshape(counts, (1, 256)))
    cdef int lbits[33]
    cdef uint8_t vals[256]
    cdef int nvals = _jpeg_table(&cv[0, 0], lbits, vals)
    if nvals < 0:
        raise ValueError("Huffman code length overflow")
    return tuple([lbits[i] for i in range(1, 17)]), tuple((<char*>vals)[:nvals])


def optimal_costs(counts):
    """Code bits and symbols of the ``optimal_table`` of each row of ``counts``.

    ``counts``: (rows, 256) non-negative symbol counts. Returns two int64
    arrays of one entry per row: the bits the symbols take with that table
    (sum of count x code length), and how many symbols the table holds (its
    DHT segment carries one byte each).
    """
    cdef const int64_t[:, ::1] cv = _counts_rows(counts)
    cdef Py_ssize_t r, n = cv.shape[0]
    bits = np.zeros(n, dtype=np.int64)
    nsym = np.zeros(n, dtype=np.int64)
    cdef int64_t[::1] bv = bits, sv = nsym
    cdef int lbits[33]
    cdef uint8_t vals[256]
    cdef int nvals, length, k, i
    cdef int64_t total
    with nogil:
        for r in range(n):
            nvals = _jpeg_table(&cv[r, 0], lbits, vals)
            if nvals < 0:
                break
            total = 0
            k = 0
            for length in range(1, 17):
                for i in range(lbits[length]):
                    total += cv[r, vals[k]] * length
                    k += 1
            bv[r] = total
            sv[r] = nvals
    if nvals < 0:
        raise ValueError("Huffman code length overflow")
    return bits, nsym


def pack_bits(codes, sizes, restart_after=()):
    """Write codes with the scan bit writer; returns the bytes it produces.

    ``codes[i]`` is written in ``sizes[i]`` bits (1..32); before item ``i`` in
    ``restart_after`` the writer pads, and writes an RSTn marker (numbered from
    0). The end is padded with 1-bits. For tests of stuffing and padding.
    """
    codes = [int(x) for x in codes]
    sizes = [int(x) for x in sizes]
    if len(codes) != len(sizes) or any(not 1 <= s <= 32 for s in sizes):
        raise ValueError("codes and sizes must pair up, sizes 1..32")
    restarts = set(int(x) for x in restart_after)
    cdef BitWriter w
    bw_init(&w)
    cdef int k = 0, i
    try:
        for i in range(len(codes)):
            if not bw_reserve(&w, 32):
                raise MemoryError
            if i in restarts:
                bw_restart(&w, k)
                k += 1
            bw_put(&w, <uint32_t>(codes[i] & ((1 << sizes[i]) - 1)), sizes[i])
    except BaseException:
        free(w.buf)
        raise
    return bw_take_bytes(&w)


def join_pieces(pieces):
    """One entropy-coded segment from consecutive pieces of a scan coded apart.

    ``pieces``: ``(body, tail, tail_bits)`` triples, ``body`` a piece's whole
    bytes, stuffed (0xFF followed by 0x00), ``tail`` its last ``tail_bits``
    (0..7) bits right-aligned in an int. The pieces' bits are concatenated at
    whatever bit position each starts (not byte-aligned), stuffed again and
    padded with 1-bits: the bytes one writer coding all pieces in order would
    have written. Raises ValueError for a bad tail.
    """
    cdef BitWriter w
    cdef const uint8_t[::1] view
    cdef const uint8_t* src
    cdef Py_ssize_t n
    cdef uint32_t tail
    cdef int bits
    bw_init(&w)
    try:
        for body, t, b in pieces:
            if not 0 <= b <= 7 or not 0 <= t < (1 << b):
                raise ValueError("tail_bits must be 0..7 and tail fit in them")
            tail, bits = t, b
            n = len(body)
            view = body if n else b"\0"
            src = &view[0]
            if not bw_reserve(&w, 2 * n + 16):
                raise MemoryError("out of memory joining the scan")
            with nogil:
                bw_append(&w, src, n, tail, bits)
    except BaseException:
        free(w.buf)
        raise
    return bw_take_bytes(&w)


cdef bytes bw_take_bytes(BitWriter* w):
    """Pad and flush w; its bytes (the writer is left empty, its buffer freed).
    The one way every scan coder turns its bit writer into bytes."""
    cdef bint ok
    try:
        with nogil:
            ok = bw_reserve(w, 32)
            if ok:
                bw_finish(w)
        if not ok:
            raise MemoryError("out of memory writing the scan")
        return (<char*>w.buf)[:w.pos] if w.pos else b""
    finally:
        free(w.buf)
        bw_init(w)


# ==== end encode: code construction and bit writer ====


# ==== decode: lookahead tables and bit reader ====
from libc.stdint cimport uint8_t, uint16_t, int32_t, uint32_t, uint64_t
from libc.string cimport memset


def build_decode_table(counts, symbols, bint is_dc):
    """Build the decoder's table for one DHT table, as a bytes object.

    ``counts[i]`` is the number of codes of length ``i + 1`` (16 entries),
    ``symbols`` the symbol values in code order (as a DHT segment stores
    them).  The result holds a ``HuffDecodeTable`` struct (lookahead table,
    maxcode, valoffset, symbols) that the scan decoders read directly.

    Raises ValueError for the tables libjpeg rejects: more than 256 codes, a
    code set that overflows its length (the all-ones code of a length is
    reserved), or a DC symbol above 15.  Incomplete tables are accepted.
    """
    cdef int counts_c[17]
    cdef int huffsize[257]
    cdef int32_t huffcode[257]
    cdef HuffDecodeTable t
    cdef int i, l, p, n, si, nsym, lookbits, ctr
    cdef int32_t code
    if len(counts) != 16:
        raise ValueError("a Huffman table needs 16 code-length counts")
    nsym = 0
    for i in range(16):
        counts_c[i + 1] = int(counts[i])
        if counts_c[i + 1] < 0 or counts_c[i + 1] > 256:
            raise ValueError("bad Huffman code-length count")
        nsym += counts_c[i + 1]
    if nsym > 256 or nsym != len(symbols):
        raise ValueError(f"bad Huffman table: {nsym} codes for {len(symbols)} symbols")
    memset(&t, 0, sizeof(t))
    for i in range(nsym):
        t.huffval[i] = <uint8_t>int(symbols[i])
        if is_dc and t.huffval[i] > 15:
            raise ValueError(f"bad Huffman table: DC symbol {t.huffval[i]} > 15")
    # Annex C: code lengths, then canonical codes
    p = 0
    for l in range(1, 17):
        for i in range(counts_c[l]):
            huffsize[p] = l
            p += 1
    huffsize[p] = 0
    code = 0
    si = huffsize[0]
    p = 0
    while huffsize[p]:
        while huffsize[p] == si:
            huffcode[p] = code
            p += 1
            code += 1
        if code >= (<int32_t>1 << si):
            raise ValueError("bad Huffman table: code lengths overflow (over-subscribed)")
        code <<= 1
        si += 1
    # F.2.2.3 decoding tables
    p = 0
    for l in range(1, 17):
        if counts_c[l]:
            t.valoffset[l] = p - huffcode[p]
            p += counts_c[l]
            t.maxcode[l] = huffcode[p - 1]
        else:
            t.maxcode[l] = -1
    t.valoffset[17] = 0
    t.maxcode[17] = 0xFFFFF
    # lookahead: every bit pattern that starts with a short code
    p = 0
    for l in range(1, HUFF_LOOKAHEAD + 1):
        for i in range(counts_c[l]):
            lookbits = huffcode[p] << (HUFF_LOOKAHEAD - l)
            for ctr in range(1 << (HUFF_LOOKAHEAD - l)):
                t.lookup[lookbits + ctr] = <uint16_t>((l << 8) | t.huffval[p])
            p += 1
    # one-lookup symbols: a short code whose amplitude bits fit the lookahead too
    cdef int e, l2, sym, run, size, total, extra, value, skip
    for lookbits in range(HUFF_LOOKUP_SIZE):
        e = t.lookup[lookbits]
        l2 = e >> 8
        if l2 == 0:
            continue
        sym = e & 0xFF
        run = 0 if is_dc else sym >> 4
        size = sym if is_dc else sym & 15
        total = l2 + size
        if total > HUFF_LOOKAHEAD:
            continue
        value = 0
        skip = 0 if is_dc else run + 1
        if size:
            extra = (lookbits >> (HUFF_LOOKAHEAD - total)) & ((1 << size) - 1)
            value = huff_extend(extra, size)
        elif not is_dc and run != 15:
            skip = FAST_EOB
        t.fast[lookbits] = value * 65536 + (skip << 6) + total
    return (<char*>&t)[:sizeof(HuffDecodeTable)]


def decode_symbols(const uint8_t[::1] data, bytes table, int count):
    """Decode ``count`` Huffman symbols from entropy-coded ``data`` (test helper).

    Returns ``(symbols, bits_consumed, ran_past_data)``: the symbols, how
    many bits they took (exact for data without 0xFF bytes), and whether decoding needed bits beyond the data
    (a marker or the end), which the reader fed as zeros.
    """
    cdef BitReader br
    cdef const HuffDecodeTable* t
    cdef int i
    cdef Py_ssize_t n = data.shape[0]
    cdef uint8_t dummy = 0
    if len(table) != sizeof(HuffDecodeTable):
        raise ValueError("not a decode table")
    t = <const HuffDecodeTable*><const char*>table
    br_init(&br, &data[0] if n else &dummy, 0, n)
    out = []
    for i in range(count):
        out.append(huff_decode(&br, t))
    br_fill(&br)
    # (data without 0xFF bytes: every byte read is one byte fed)
    consumed = 8 * (br.marker_pos if br.marker else br.pos) + br.pad - br.nbits
    return out, consumed, br.nbits < br.pad

# ==== end decode: lookahead tables and bit reader ====
