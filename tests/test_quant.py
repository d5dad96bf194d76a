"""Tests for the quant stage."""

# ==== encode ====
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from jpeglite import _quant
from jpeglite.tables import UNZIGZAG, ZIGZAG


def quantize_reference(coefs, table):
    """libjpeg's jcdctmgr.c: sign(c) * floor((|c| + 4Q) / 8Q) in exact integers."""
    d = 8 * np.asarray(table, np.int64)
    c = np.asarray(coefs, np.int64)
    return (np.sign(c) * ((np.abs(c) + d // 2) // d)).astype(np.int16)


@settings(max_examples=150, deadline=None)
@given(arrays(np.int32, (5, 64), elements=st.integers(-(1 << 15), (1 << 15) - 1)),
       arrays(np.uint16, 64, elements=st.integers(1, 255)))
def test_quantize_matches_integer_division(coefs, table):
    assert np.array_equal(_quant.quantize_blocks(coefs, table), quantize_reference(coefs, table))


def test_quantize_ties_round_away_from_zero_for_every_table_value():
    for qq in range(1, 256):
        table = np.full(64, qq, np.uint16)
        for k in (1, 2, 3, 7):
            for sign in (1, -1):
                half = sign * 4 * qq * (2 * k - 1)       # exactly (k - 1/2) * 8Q
                blocks = np.array([[half] * 64, [half - sign] * 64], np.int32)
                got = _quant.quantize_blocks(blocks, table)
                assert (got[0] == sign * k).all() and (got[1] == sign * (k - 1)).all()


@pytest.mark.parametrize("table", [np.arange(1, 65), np.arange(65, 2048, 31)[:64],
                                   2 ** (np.arange(64) % 11)], ids=["1-64", "65-2047", "powers"])
def test_quantize_is_exact_for_every_16_bit_coefficient(table):
    """The 16-bit multiply scheme against true division: every int16 coefficient, 64 divisors."""
    c = np.arange(-(1 << 15), 1 << 15, dtype=np.int32)
    coefs = np.repeat(c[:, None], 64, axis=1)
    table = np.asarray(table, np.uint16)
    assert np.array_equal(_quant.quantize_blocks(coefs, table), quantize_reference(coefs, table))


def test_quantize_rejects_coefficients_beyond_16_bits():
    with pytest.raises(ValueError, match="out of range"):
        _quant.quantize_blocks(np.full((1, 64), 1 << 15, np.int32), np.ones(64, np.uint16))


def test_quantize_rejects_bad_tables():
    with pytest.raises(ValueError):
        _quant.quantize_blocks(np.zeros((1, 64), np.int32), np.zeros(64, np.uint16))
    with pytest.raises(ValueError):
        _quant.quantize_blocks(np.zeros((1, 64), np.int32), np.ones(63, np.uint16))
    with pytest.raises(ValueError):
        _quant.quantize_blocks(np.zeros((1, 63), np.int32), np.ones(64, np.uint16))


def test_zigzag_is_a_permutation_and_reads_figure_a6():
    blocks = np.arange(2 * 64, dtype=np.int16).reshape(2, 64)
    zz = _quant.zigzag_blocks(blocks)
    assert sorted(zz[0]) == list(range(64))
    assert list(zz[0, :6]) == [0, 1, 8, 16, 9, 2]
    assert np.array_equal(zz[..., UNZIGZAG], blocks)
    assert np.array_equal(zz, blocks[..., ZIGZAG])
# ==== end encode ====


# ==== decode ====

# ==== end decode ====
