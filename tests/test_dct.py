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


def fdct_islow_reference(blocks):
    """jfdctint.c's integer arithmetic in numpy (int64), for (N, 8, 8) uint8 blocks."""
    fix = {k: v for k, v in zip(
        ("298", "390", "541", "765", "899", "1175", "1501", "1847", "1961", "2053", "2562", "3072"),
        (2446, 3196, 4433, 6270, 7373, 9633, 12299, 15137, 16069, 16819, 20995, 25172))}

    def one_pass(d, first):
        # d[..., k]: the k-th input of every 1-D transform
        sh = 11 if first else 15
        r = 1 << (sh - 1)
        t0, t7 = d[..., 0] + d[..., 7], d[..., 0] - d[..., 7]
        t1, t6 = d[..., 1] + d[..., 6], d[..., 1] - d[..., 6]
        t2, t5 = d[..., 2] + d[..., 5], d[..., 2] - d[..., 5]
        t3, t4 = d[..., 3] + d[..., 4], d[..., 3] - d[..., 4]
        t10, t13, t11, t12 = t0 + t3, t0 - t3, t1 + t2, t1 - t2
        out = np.empty_like(d)
        if first:
            out[..., 0], out[..., 4] = (t10 + t11) << 2, (t10 - t11) << 2
        else:
            out[..., 0], out[..., 4] = (t10 + t11 + 2) >> 2, (t10 - t11 + 2) >> 2
        z1 = (t12 + t13) * fix["541"]
        out[..., 2] = (z1 + t13 * fix["765"] + r) >> sh
        out[..., 6] = (z1 - t12 * fix["1847"] + r) >> sh
        z1, z2, z3, z4 = t4 + t7, t5 + t6, t4 + t6, t5 + t7
        z5 = (z3 + z4) * fix["1175"]
        t4, t5, t6, t7 = t4 * fix["298"], t5 * fix["2053"], t6 * fix["3072"], t7 * fix["1501"]
        z1, z2 = -z1 * fix["899"], -z2 * fix["2562"]
        z3, z4 = -z3 * fix["1961"] + z5, -z4 * fix["390"] + z5
        out[..., 7] = (t4 + z1 + z3 + r) >> sh
        out[..., 5] = (t5 + z2 + z4 + r) >> sh
        out[..., 3] = (t6 + z2 + z3 + r) >> sh
        out[..., 1] = (t7 + z1 + z4 + r) >> sh
        return out

    d = np.asarray(blocks, np.int64) - 128
    d = one_pass(d, True)                                   # rows
    d = one_pass(d.swapaxes(-1, -2), False).swapaxes(-1, -2)  # columns
    return d.reshape(len(d), 64)


def test_islow_is_exact_on_extreme_blocks():
    """Bit-exact with jfdctint.c where the 16-bit SIMD intermediates are largest: each
    basis function's sign pattern at full swing (and its negative), flat 0 and 255."""
    m = dct_matrix()
    blocks = []
    for u in range(8):
        for v in range(8):
            pos = np.outer(m[u], m[v]) > 0
            blocks += [pos * 255, (~pos) * 255]
            # row-wise and column-wise extremes of one pass only
            blocks += [np.outer(np.ones(8), m[v] > 0) * 255, np.outer(m[u] > 0, np.ones(8)) * 255]
    blocks += [np.zeros((8, 8)), np.full((8, 8), 255)]
    blocks = np.array(blocks, np.uint8)
    plane = np.concatenate(list(blocks), axis=1)            # 8 x (8 N)
    got = _dct.fdct_blocks(plane)[0]
    assert np.array_equal(got, fdct_islow_reference(blocks))


@settings(max_examples=50, deadline=None)
@given(arrays(np.uint8, (8, 64)))
def test_islow_is_exact_on_random_blocks(plane):
    blocks = plane.reshape(8, 8, 8).swapaxes(0, 1)
    assert np.array_equal(_dct.fdct_blocks(plane)[0], fdct_islow_reference(blocks))


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
