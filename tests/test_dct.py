"""Tests for the dct stage."""

# ==== encode ====
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from jpeglite import _dct


def dct_matrix():
    """Orthonormal 8-point DCT-II basis: row u is C(u)/2 cos((2x+1) u pi / 16)."""
    k = np.arange(8)
    c = np.cos((2 * k[None, :] + 1) * k[:, None] * np.pi / 16) / 2
    c[0] *= np.sqrt(0.5)
    return c


def fdct_reference(block):
    """T.81 A.3.3 FDCT in floating point, times 8 (the scale libjpeg's FDCT leaves)."""
    m = dct_matrix()
    return 8 * m @ (block.astype(float) - 128) @ m.T


@settings(max_examples=100, deadline=None)
@given(arrays(np.uint8, (8, 8)))
def test_islow_is_the_dct_within_rounding(block):
    got = _dct.fdct_blocks(block)[0, 0].reshape(8, 8)
    # integer rounding of the two passes stays below a quarter of a DCT unit
    assert np.abs(got - fdct_reference(block)).max() <= 2.0


def test_extreme_and_structured_blocks():
    y, x = np.mgrid[0:8, 0:8]
    blocks = [np.zeros((8, 8)), np.full((8, 8), 255), (x + y) % 2 * 255, x * 36, y * 36,
              ((x // 4 + y // 4) % 2) * 255]
    for b in blocks:
        b = b.astype(np.uint8)
        got = _dct.fdct_blocks(b)[0, 0].reshape(8, 8)
        assert np.abs(got - fdct_reference(b)).max() <= 2.0


def test_flat_block_is_exactly_dc():
    for v in (0, 1, 127, 128, 200, 255):
        got = _dct.fdct_blocks(np.full((8, 8), v, np.uint8))[0, 0]
        assert got[0] == 64 * (v - 128) and not got[1:].any()


def test_blocks_are_cut_row_major():
    rng = np.random.default_rng(7)
    plane = rng.integers(0, 256, (16, 24), dtype=np.uint8)
    out = _dct.fdct_blocks(plane)
    assert out.shape == (2, 3, 64) and out.dtype == np.int32
    for by in range(2):
        for bx in range(3):
            one = _dct.fdct_blocks(plane[8 * by:8 * by + 8, 8 * bx:8 * bx + 8])
            assert np.array_equal(out[by, bx], one[0, 0])
# ==== end encode ====


# ==== decode ====

# ==== end decode ====
