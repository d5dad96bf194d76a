"""Tests for the quant stage."""

# ==== encode ====

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
