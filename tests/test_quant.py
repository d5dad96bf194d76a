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
import numpy as np

from jpeglite._quant import decoder_quant_table, dequantize, unzigzag
from jpeglite.tables import ZIGZAG


def test_unzigzag_puts_each_coefficient_at_its_natural_index():
    zz = np.arange(64) * 10                 # value 10k at zigzag position k
    nat = unzigzag(zz)
    for k in range(64):
        assert nat[ZIGZAG[k]] == 10 * k
    # rows: the first row in natural order is zigzag 0, 1, 5, 6, 14, 15, 27, 28
    assert (nat[:8] // 10).tolist() == [0, 1, 5, 6, 14, 15, 27, 28]


def test_dequantize_multiplies():
    rng = np.random.default_rng(0)
    c = rng.integers(-2000, 2000, (5, 64)).astype(np.int16)
    q = rng.integers(1, 255, 64).astype(np.int32)
    np.testing.assert_array_equal(dequantize(c, q), c.astype(np.int32) * q)


def test_decoder_quant_table_wraps_like_libjpeg():
    t = np.array([1, 255, 32767, 32768, 65535] + [1] * 59, np.uint16)
    m = decoder_quant_table(t)
    assert m.dtype == np.int16
    assert m[:5].tolist() == [1, 255, 32767, -32768, -1]

# ==== end decode ====
