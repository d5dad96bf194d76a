"""Huffman codes: table construction, bit writer, bit reader, table decode."""

# ==== encode: code construction and bit writer ====

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
    # AC fast path: short codes of nonzero coefficients with few amplitude bits
    cdef int e, l2, sym, run, size, total, extra
    if not is_dc:
        for lookbits in range(HUFF_LOOKUP_SIZE):
            e = t.lookup[lookbits]
            l2 = e >> 8
            if l2 == 0:
                continue
            sym = e & 0xFF
            run = sym >> 4
            size = sym & 15
            total = l2 + size
            if size == 0 or total > HUFF_LOOKAHEAD:
                continue
            extra = (lookbits >> (HUFF_LOOKAHEAD - total)) & ((1 << size) - 1)
            t.fast_ac[lookbits] = (huff_extend(extra, size) * 256) + (run << 4) + total
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
