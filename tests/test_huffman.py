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

# ==== end decode ====
