"""Tests for the huffman stage."""

# ==== encode ====
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from jpeglite import _huffman
from jpeglite import tables as T

STANDARD = [T.DC_LUMA_K3, T.DC_CHROMA_K4, T.AC_LUMA_K5, T.AC_CHROMA_K6]


def code_strings(bits, values):
    codes, sizes = _huffman.make_codes(bits, values)
    return {v: format(int(codes[v]), f"0{int(sizes[v])}b") for v in values}


@pytest.mark.parametrize("table", STANDARD)
def test_standard_codes_are_canonical_and_prefix_free(table):
    bits, values = table
    strings = code_strings(bits, values)
    ordered = [strings[v] for v in values]
    # canonical: lengths never decrease and each code is the previous one plus one
    # (shifted left when the length grows), starting from all zeros
    assert ordered[0] == "0" * len(ordered[0])
    for a, b in zip(ordered, ordered[1:]):
        assert len(b) >= len(a)
        assert int(b, 2) == (int(a, 2) + 1) << (len(b) - len(a))
    # prefix-free and never all ones
    for a in ordered:
        assert set(a) != {"1"}
        assert not any(b != a and b.startswith(a) for b in ordered)
    assert [len(strings[v]) for v in values] == sorted(len(s) for s in ordered)


def test_standard_luma_dc_codes_read_as_table_k3():
    # Table K.3 prints these code words
    strings = code_strings(*T.DC_LUMA_K3)
    assert [strings[i] for i in range(12)] == [
        "00", "010", "011", "100", "101", "110", "1110", "11110", "111110",
        "1111110", "11111110", "111111110"]


def test_make_codes_rejects_bad_tables():
    with pytest.raises(ValueError):
        _huffman.make_codes([2] + [0] * 15, [0, 1])        # 2 one-bit codes: "1" is all ones
    with pytest.raises(ValueError):
        _huffman.make_codes([0, 1] + [0] * 14, [0, 1])     # counts do not match values
    with pytest.raises(ValueError):
        _huffman.make_codes([0, 2] + [0] * 14, [3, 3])     # repeated symbol
    with pytest.raises(ValueError):
        _huffman.make_codes([0] * 15, [])                  # 15 lengths


def cost(counts, table):
    codes, sizes = _huffman.make_codes(*table)
    assert all(sizes[s] for s in np.flatnonzero(counts)), "a counted symbol has no code"
    return int(np.dot(counts, sizes.astype(np.int64)))


counts_strategy = st.lists(st.integers(0, 10 ** 6), min_size=256, max_size=256)


@settings(max_examples=80, deadline=None)
@given(counts_strategy, st.sampled_from(STANDARD))
def test_optimal_tables_are_legal_and_never_worse_than_standard(counts, std):
    counts = np.array(counts, np.int64)
    mask = np.zeros(256, bool)
    mask[list(std[1])] = True
    counts[~mask] = 0                                  # only symbols the standard table has
    if not counts.any():
        counts[std[1][0]] = 1
    table = _huffman.optimal_table(counts)
    bits, values = table
    assert len(bits) == 16 and sum(bits) == len(values)
    assert set(values) == set(np.flatnonzero(counts))
    # Kraft sum below 1: a code point stays free, so no code is all ones
    assert sum(n * 2.0 ** -(i + 1) for i, n in enumerate(bits)) < 1
    _huffman.make_codes(bits, values)                   # raises if illegal
    assert cost(counts, table) <= cost(counts, std)


def test_skewed_counts_are_limited_to_16_bits():
    # Fibonacci counts make an unlimited Huffman code 40+ bits deep
    fib = [1, 1]
    while len(fib) < 40:
        fib.append(fib[-1] + fib[-2])
    counts = np.zeros(256, np.int64)
    counts[:40] = fib
    bits, values = _huffman.optimal_table(counts)
    assert len(values) == 40 and sum(bits) == 40
    codes, sizes = _huffman.make_codes(bits, values)
    assert sizes.max() <= 16
    # the most frequent symbols keep the shortest codes
    assert sizes[39] == sizes[:40].min()


def test_optimal_for_two_symbols():
    counts = np.zeros(256, np.int64)
    counts[[0, 5]] = [10, 3]
    bits, values = _huffman.optimal_table(counts)
    # with the reserved code point: lengths 1 and 2
    assert bits[:2] == (1, 1) and values == (0, 5)


def pack_reference(codes, sizes, restart_after=()):
    """Bit-string model of T.81 F.1.2.3 / B.1.1.5: concatenate, pad with 1s, stuff 0xFF."""
    out = bytearray()
    bits = ""
    k = 0

    def flush():
        nonlocal bits
        bits += "1" * (-len(bits) % 8)
        for i in range(0, len(bits), 8):
            b = int(bits[i:i + 8], 2)
            out.append(b)
            if b == 0xFF:
                out.append(0)
        bits = ""

    for i, (c, s) in enumerate(zip(codes, sizes)):
        if i in restart_after:
            flush()
            out.extend((0xFF, 0xD0 + k % 8))
            k += 1
        bits += format(c & ((1 << s) - 1), f"0{s}b")
    flush()
    return bytes(out)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2 ** 32 - 1), st.integers(1, 32)), max_size=80),
       st.sets(st.integers(1, 79), max_size=12), st.booleans())
def test_bit_writer_stuffs_and_pads(items, restarts, ones):
    if ones:   # mostly 1-bits: many 0xFF bytes to stuff
        items = [((1 << s) - 1 if c % 4 else c, s) for c, s in items]
    codes = [c for c, _ in items]
    sizes = [s for _, s in items]
    restarts = {r for r in restarts if r < len(items)}
    assert _huffman.pack_bits(codes, sizes, restarts) == pack_reference(codes, sizes, restarts)


def test_bit_writer_examples():
    assert _huffman.pack_bits([0b101], [3]) == bytes([0b10111111])       # padded with 1s
    assert _huffman.pack_bits([0xFF], [8]) == b"\xff\x00"                  # stuffed
    assert _huffman.pack_bits([0x7F], [7]) == b"\xff\x00"                  # padding makes 0xFF
    assert _huffman.pack_bits([0, 0], [3, 3], [1]) == bytes([0b00011111, 0xFF, 0xD0, 0b00011111])
    assert _huffman.pack_bits([], []) == b""
# ==== end encode ====


# ==== decode ====
import pytest

from jpeglite._huffman import build_decode_table, decode_symbols
from jpeglite.tables import AC_CHROMA_K6, AC_LUMA_K5, DC_CHROMA_K4, DC_LUMA_K3


def canonical_codes(counts, symbols):
    """{symbol: (code, length)} by T.81 Annex C, written out independently."""
    codes, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(counts[length - 1]):
            codes[symbols[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


def pack(bits):
    """A bit string ('0101...') as bytes, padded with 1s, with 0xFF stuffed."""
    bits += "1" * (-len(bits) % 8)
    out = bytearray()
    for i in range(0, len(bits), 8):
        out.append(int(bits[i:i + 8], 2))
        if out[-1] == 0xFF:
            out.append(0)
    return bytes(out)


@pytest.mark.parametrize("table,is_dc", [(DC_LUMA_K3, True), (DC_CHROMA_K4, True),
                                         (AC_LUMA_K5, False), (AC_CHROMA_K6, False)])
def test_hand_built_streams_decode(table, is_dc):
    counts, symbols = table
    t = build_decode_table(counts, symbols, is_dc)
    codes = canonical_codes(counts, symbols)
    seq = list(symbols) * 3 + list(reversed(symbols))        # short and long codes
    bits = "".join(format(codes[s][0], f"0{codes[s][1]}b") for s in seq)
    out, consumed, past = decode_symbols(pack(bits), t, len(seq))
    assert out == seq
    assert not past
    if b"\xff" not in pack(bits):
        assert consumed == len(bits)


def test_longest_codes_take_the_slow_path():
    counts, symbols = AC_LUMA_K5
    codes = canonical_codes(counts, symbols)
    long_ones = [s for s in symbols if codes[s][1] > 9]
    assert long_ones
    bits = "".join(format(codes[s][0], f"0{codes[s][1]}b") for s in long_ones)
    out, _, past = decode_symbols(pack(bits), build_decode_table(counts, symbols, False),
                                  len(long_ones))
    assert out == long_ones and not past


def test_invalid_code_gives_symbol_zero_after_17_bits():
    # one code, '0' -> 5: the pattern 1... is no code (an incomplete table)
    t = build_decode_table([1] + [0] * 15, [5], False)
    out, consumed, past = decode_symbols(bytes([0x7F, 0xFF, 0xFF - 1, 0x00]), t, 2)
    assert out == [5, 0]
    assert consumed == 1 + 17


def test_stuffed_ff_is_one_data_byte():
    # codes '0' -> 1, '10' -> 2, ..., '111111110' -> 9 (lengths 1..9)
    t = build_decode_table([1] * 9 + [0] * 7, list(range(1, 10)), False)
    # FF 00 is the single data byte 11111111: '111111110' needs one padding bit
    out, _, past = decode_symbols(b"\xff\x00", t, 1)
    assert out == [9] and past
    out, _, past = decode_symbols(b"\xff\x00\x00", t, 8)
    assert out == [9] + [1] * 7 and not past


def test_reader_stops_at_a_marker_and_feeds_zeros():
    t = build_decode_table([1] * 9 + [0] * 7, list(range(1, 10)), False)
    out, consumed, past = decode_symbols(b"\x00\xff\xd9\x00\x00", t, 8)
    assert out == [1] * 8 and consumed == 8 and not past
    out, consumed, past = decode_symbols(b"\x00\xff\xd9\x00\x00", t, 9)
    assert out == [1] * 9 and past


def test_end_of_data_feeds_zeros_and_says_so():
    t = build_decode_table([1] * 9 + [0] * 7, list(range(1, 10)), False)
    assert decode_symbols(b"", t, 3) == ([1, 1, 1], 3, True)


@pytest.mark.parametrize("counts,symbols,is_dc,match", [
    ([2] + [0] * 15, [0, 1], False, "overflow"),             # all-ones code used
    ([0, 5] + [0] * 14, list(range(5)), False, "overflow"),   # 5 codes of 2 bits
    ([1] + [0] * 15, [16], True, "DC symbol"),
    ([1] + [0] * 15, [], False, "symbols"),
    ([0] * 15 + [255], list(range(255)) + [1], False, "symbols"),
    ([17] * 16, list(range(256)) * 2, False, "codes"),
])
def test_bad_tables_rejected(counts, symbols, is_dc, match):
    with pytest.raises(ValueError, match=match):
        build_decode_table(counts, symbols, is_dc)

# ==== end decode ====
