"""Tests for tables.py: the Annex K data and the IJG quality scaling."""
import numpy as np
import pytest

from jpeglite import tables as T


def zigzag_walk():
    """The zigzag path of Figure A.6, walked anti-diagonal by anti-diagonal."""
    order = []
    for s in range(15):
        diag = [(i, s - i) for i in range(8) if 0 <= s - i < 8]
        if s % 2 == 0:
            diag.reverse()
        order += [r * 8 + c for r, c in diag]
    return order


def test_zigzag_is_the_figure_a6_walk_and_a_permutation():
    assert list(T.ZIGZAG) == zigzag_walk()
    assert sorted(T.ZIGZAG) == list(range(64))
    assert np.array_equal(T.ZIGZAG[T.UNZIGZAG], np.arange(64))


@pytest.mark.parametrize("table", [T.DC_LUMA_K3, T.DC_CHROMA_K4, T.AC_LUMA_K5, T.AC_CHROMA_K6])
def test_huffman_tables_are_consistent(table):
    bits, values = table
    assert len(bits) == 16
    assert sum(bits) == len(values) == len(set(values))
    # Kraft: a complete-minus-one prefix code (the all-ones code is reserved)
    assert sum(n * 2.0 ** -(i + 1) for i, n in enumerate(bits)) < 1


def test_quality_50_is_the_annex_k_table():
    assert np.array_equal(T.scale_quant_table(T.LUMA_QUANT_K1, 50), T.LUMA_QUANT_K1)


@pytest.mark.parametrize("quality", [1, 10, 25, 50, 75, 90, 100])
def test_scaled_tables_stay_baseline(quality):
    for base in (T.LUMA_QUANT_K1, T.CHROMA_QUANT_K2):
        q = T.scale_quant_table(base, quality)
        assert q.min() >= 1 and q.max() <= 255


def test_quality_100_is_all_ones_and_scaling_is_monotone():
    assert (T.scale_quant_table(T.LUMA_QUANT_K1, 100) == 1).all()
    sums = [int(T.scale_quant_table(T.LUMA_QUANT_K1, q).sum()) for q in range(1, 101)]
    assert all(a >= b for a, b in zip(sums, sums[1:]))


def test_tables_are_read_only():
    with pytest.raises(ValueError):
        T.LUMA_QUANT_K1[0] = 1
