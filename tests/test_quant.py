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
                                   2 ** (np.arange(64) % 11), np.arange(2048, 8192, 95)[:64],
                                   2 ** (np.arange(64) % 13), np.arange(8128, 8192)],
                         ids=["1-64", "65-2047", "powers", "2048-8191 (16-bit DQT)",
                              "powers to 4096", "8128-8191"])
def test_quantize_is_exact_for_every_16_bit_coefficient(table):
    """The 16-bit multiply scheme against true division: every int16 coefficient, 64 divisors."""
    c = np.arange(-(1 << 15), 1 << 15, dtype=np.int32)
    coefs = np.repeat(c[:, None], 64, axis=1)
    table = np.asarray(table, np.uint16)
    assert np.array_equal(_quant.quantize_blocks(coefs, table), quantize_reference(coefs, table))


def test_quantizers_above_8191_quantize_8_bit_fdct_output_exactly():
    """Q in 8192..32767 (16-bit DQT, libjpeg's clamp) divides as 8191: exact
    (all zero) for every coefficient the FDCT of 8-bit samples gives."""
    c = np.arange(-8192 * 2, 8192 * 2 + 1, dtype=np.int32)
    coefs = np.repeat(c[:, None], 64, axis=1)
    table = np.linspace(8192, 32767, 64).astype(np.uint16)
    got = _quant.quantize_blocks(coefs, table)
    assert np.array_equal(got, quantize_reference(coefs, table)) and not got.any()


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


# ==== analyze ====
from jpeglite.report import frequency_entropy_bits as _numpy_frequency_bits


def _histogram_reference(blocks, round8):
    b = np.asarray(blocks, np.int64).reshape(-1, 64)
    if round8:
        b = np.sign(b) * ((np.abs(b) + 4) // 8)
    return [dict(zip(*np.unique(b[:, k], return_counts=True))) for k in range(64)]


def _as_dicts(counts, lo):
    return [{lo + i: n for i, n in enumerate(row) if n} for row in counts]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([np.int16, np.int32]), st.integers(1, 40), st.integers(0, 2 ** 32 - 1),
       st.sampled_from([3, 300, 3000, 30000]), st.booleans())
def test_frequency_histogram_counts_every_value(dtype, n, seed, spread, round8):
    rng = np.random.default_rng(seed)
    blocks = (rng.laplace(0, spread, (n, 64)).clip(-32768, 32767)).astype(dtype)
    counts, lo = _quant.frequency_histogram(blocks.reshape(n, 1, 64), round8)
    assert counts.shape[0] == 64 and counts.dtype == np.int64
    assert (counts[:, 0] > 0).any() and (counts[:, -1] > 0).any()   # trimmed to the values seen
    assert _as_dicts(counts, lo) == _histogram_reference(blocks, round8)


@pytest.mark.parametrize("dtype", [np.int16, np.int32])
@pytest.mark.parametrize("value", [-30000, -5, 0, 7, 5000, 30000])
def test_frequency_histogram_of_one_value_anywhere(dtype, value):
    blocks = np.full((3, 2, 64), value, dtype)
    blocks[0, 0, 5] = value // 2
    counts, lo = _quant.frequency_histogram(blocks)
    assert _as_dicts(counts, lo) == _histogram_reference(blocks, False)


def test_frequency_histogram_round8_is_quantizing_by_ones():
    rng = np.random.default_rng(5)
    coefs = rng.integers(-8200, 8200, (50, 64)).astype(np.int32)
    coefs[0, :8] = [4, -4, 12, -12, 3, -3, 11, -13]               # ties and near-ties
    q = _quant.quantize_blocks(coefs, np.ones(64, np.uint16))
    assert np.array_equal(*[_quant.frequency_histogram(x, r)[0] for x, r in ((coefs, True),
                                                                             (q, False))])


def test_frequency_histogram_entropy_matches_the_numpy_measure():
    from jpeglite.report import _code_length_rows
    rng = np.random.default_rng(9)
    q = rng.laplace(0, 4, (500, 64)).astype(np.int16)
    counts, _ = _quant.frequency_histogram(q)
    assert np.allclose(_code_length_rows(counts), _numpy_frequency_bits(q))


def test_frequency_histogram_rejects_bad_input():
    with pytest.raises(ValueError):
        _quant.frequency_histogram(np.zeros((3, 63), np.int16))
    with pytest.raises(TypeError):
        _quant.frequency_histogram(np.zeros((3, 64), np.float32))
    counts, lo = _quant.frequency_histogram(np.zeros((0, 64), np.int16))
    assert counts.sum() == 0
# ==== end analyze ====
