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
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from jpeglite._dct import idct_blocks
from jpeglite.tables import LUMA_QUANT_K1


def float_idct(coefs):
    """T.81 A.3.3 inverse DCT in floating point, + 128, rounded and clamped."""
    n = np.arange(8)
    c = np.where(n == 0, np.sqrt(0.5), 1.0)
    basis = c[:, None] * np.cos((2 * n[None, :] + 1) * n[:, None] * np.pi / 16) / 2
    out = basis.T @ coefs.reshape(-1, 8, 8).astype(np.float64) @ basis
    return np.clip(np.round(out + 128), 0, 255)


FIX = {k: int(v * 8192 + 0.5) for k, v in dict(
    c0298=0.298631336, c0390=0.390180644, c0541=0.541196100, c0765=0.765366865,
    c0899=0.899976223, c1175=1.175875602, c1501=1.501321110, c1847=1.847759065,
    c1961=1.961570560, c2053=2.053119869, c2562=2.562915447, c3072=3.072711026).items()}


def islow_reference(coefs, quant):
    """libjpeg's jidctint.c pass structure in plain numpy int64 (the C
    reference, written from the paper's flow graph and libjpeg's constants):
    columns, descale by 11, rows, descale by 18, + 128, clamp."""
    x = coefs.reshape(-1, 8, 8).astype(np.int64) * quant.reshape(8, 8).astype(np.int64)

    def one_d(v, shift):
        # v[..., k] is input k along the transformed axis
        z2, z3 = v[..., 2], v[..., 6]
        z1 = (z2 + z3) * FIX["c0541"]
        tmp2 = z1 - z3 * FIX["c1847"]
        tmp3 = z1 + z2 * FIX["c0765"]
        tmp0 = (v[..., 0] + v[..., 4]) << 13
        tmp1 = (v[..., 0] - v[..., 4]) << 13
        t10, t13, t11, t12 = tmp0 + tmp3, tmp0 - tmp3, tmp1 + tmp2, tmp1 - tmp2
        a0, a1, a2, a3 = v[..., 7], v[..., 5], v[..., 3], v[..., 1]
        z1, z2, z3, z4 = a0 + a3, a1 + a2, a0 + a2, a1 + a3
        z5 = (z3 + z4) * FIX["c1175"]
        a0, a1, a2, a3 = a0 * FIX["c0298"], a1 * FIX["c2053"], a2 * FIX["c3072"], a3 * FIX["c1501"]
        z1, z2 = -z1 * FIX["c0899"], -z2 * FIX["c2562"]
        z3, z4 = -z3 * FIX["c1961"] + z5, -z4 * FIX["c0390"] + z5
        a0, a1, a2, a3 = a0 + z1 + z3, a1 + z2 + z4, a2 + z2 + z3, a3 + z1 + z4
        outs = [t10 + a3, t11 + a2, t12 + a1, t13 + a0, t13 - a0, t12 - a1, t11 - a2, t10 - a3]
        return np.stack([(o + (1 << (shift - 1))) >> shift for o in outs], -1)

    cols = one_d(np.swapaxes(x, 1, 2), 11)          # [block, col, row]
    rows = one_d(np.swapaxes(cols, 1, 2), 18)       # [block, row, col]
    return np.clip(rows + 128, 0, 255).astype(np.uint8)


def realistic_blocks(rng, n):
    """Quantized coefficients of random smooth-ish pixel blocks."""
    pix = rng.integers(0, 256, (n, 8, 8)).astype(np.float64)
    pix = (pix + np.roll(pix, 1, 1) + np.roll(pix, 1, 2)) / 3
    k = np.arange(8)
    c = np.where(k == 0, np.sqrt(0.5), 1.0)
    basis = c[:, None] * np.cos((2 * k[None, :] + 1) * k[:, None] * np.pi / 16) / 2
    dct = basis @ (pix - 128) @ basis.T
    q = LUMA_QUANT_K1.reshape(8, 8).astype(np.float64)
    return np.round(dct / q).astype(np.int16).reshape(n, 64), LUMA_QUANT_K1.astype(np.int16)


def test_idct_matches_float_reference_within_one():
    rng = np.random.default_rng(1)
    coefs, q = realistic_blocks(rng, 2000)
    ours = idct_blocks(coefs, q).astype(int)
    ref = float_idct(coefs.astype(np.int64) * q)
    assert np.abs(ours - ref).max() <= 1
    # and nearly always exact
    assert (ours == ref).mean() > 0.97


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 255), min_size=64, max_size=64),
       st.lists(st.integers(1, 40), min_size=64, max_size=64))
def test_idct_is_libjpeg_islow_for_coefficients_of_real_blocks(pixels, quant):
    # coefficients an encoder can produce from 8-bit samples: there the
    # SIMD-faithful kernel (16-bit intermediates) equals the C reference
    k = np.arange(8)
    c = np.where(k == 0, np.sqrt(0.5), 1.0)
    basis = c[:, None] * np.cos((2 * k[None, :] + 1) * k[:, None] * np.pi / 16) / 2
    pix = np.array(pixels, np.float64).reshape(8, 8) - 128
    q = np.array(quant, dtype=np.int16)
    coefs = np.round((basis @ pix @ basis.T).reshape(64) / q).astype(np.int16).reshape(1, 64)
    np.testing.assert_array_equal(idct_blocks(coefs, q), islow_reference(coefs, q))


def test_dc_only_block_is_flat():
    for dc in (-1024, -300, -1, 0, 1, 17, 300, 1023):
        c = np.zeros((1, 64), np.int16)
        c[0, 0] = dc
        out = idct_blocks(c, np.ones(64, np.int16))
        assert (out == out[0, 0, 0]).all()
        assert out[0, 0, 0] == np.clip(np.floor(dc / 8 + 128 + 0.5), 0, 255)


def test_idct_output_saturates_for_corrupt_coefficients():
    c = np.full((1, 64), 32767, np.int16)
    out = idct_blocks(c, np.full(64, 255, np.int16))     # wraps/saturates, never crashes
    assert out.shape == (1, 8, 8)

# ==== end decode ====
