"""Tests for the huffman stage."""

# ==== encode ====

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
