"""Tests for the subsample stage."""

# ==== encode ====
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from jpeglite import _subsample


def downsample_reference(plane, hexp, vexp, out_rows, out_cols):
    """libjpeg (jcprepct.c + jcsample.c) in numpy: pad, box-average with bias, pad again."""
    h, w = plane.shape
    p = plane.astype(np.int64)
    # expand_right_edge: full rows padded to out_cols * hexp samples
    p = np.concatenate([p, np.repeat(p[:, -1:], max(0, out_cols * hexp - w), axis=1)], axis=1)
    p = p[:, :out_cols * hexp]
    # the last row group is filled with copies of the last image row
    rows_real = -(-h // vexp)
    p = np.concatenate([p, np.repeat(p[-1:], rows_real * vexp - h, axis=0)], axis=0)
    s = p.reshape(rows_real, vexp, out_cols, hexp).sum(axis=(1, 3))
    n = hexp * vexp
    if n == 1:
        d = s
    else:
        bias = np.tile([0, 1] if n == 2 else [1, 2], out_cols)[:out_cols]
        d = (s + bias) >> (1 if n == 2 else 2)
    # pad the output by repeating the last downsampled row
    d = np.concatenate([d, np.repeat(d[-1:], max(0, out_rows - rows_real), axis=0)], axis=0)
    return d[:out_rows].astype(np.uint8)


@settings(max_examples=80, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40))),
       st.sampled_from([(1, 1), (2, 1), (2, 2)]))
def test_downsample_matches_libjpeg_reference(plane, exp):
    hexp, vexp = exp
    h, w = plane.shape
    # whole blocks, as the encoder asks: ceil(samples / 8) * 8, at least what the image covers
    out_rows = -(-(-(-h // vexp)) // 8) * 8
    out_cols = -(-(-(-w // hexp)) // 8) * 8
    got = _subsample.downsample(plane, hexp, vexp, out_rows, out_cols)
    assert np.array_equal(got, downsample_reference(plane, hexp, vexp, out_rows, out_cols))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(1, 300), st.sampled_from([(2, 1), (2, 2)]),
       st.integers(0, 2**32 - 1), st.booleans())
def test_wide_rows_through_the_16_sample_simd_chunks(h, w, exp, seed, extreme):
    """Rows long enough for the SSE2 chunks, with the chunk/tail boundary anywhere."""
    rng = np.random.default_rng(seed)
    plane = (rng.integers(0, 2, (h, w)) * 255 if extreme else rng.integers(0, 256, (h, w)))
    plane = plane.astype(np.uint8)
    hexp, vexp = exp
    out_rows = -(-(-(-h // vexp)) // 8) * 8
    out_cols = -(-(-(-w // hexp)) // 8) * 8
    got = _subsample.downsample(plane, hexp, vexp, out_rows, out_cols)
    assert np.array_equal(got, downsample_reference(plane, hexp, vexp, out_rows, out_cols))


def test_even_height_pads_with_the_last_downsampled_row():
    # libjpeg repeats the last *output* row: with an even height that row mixes the
    # last two image rows, which naive replication of the last image row would not
    plane = np.zeros((2, 2), np.uint8)
    plane[1] = 200
    out = _subsample.downsample(plane, 2, 2, 8, 8)
    assert (out[:, 0] == (0 + 0 + 200 + 200 + 1) >> 2).all()


def test_alternating_bias():
    row = np.array([[0, 1] * 8], np.uint8)          # every pair sums to 1
    assert list(_subsample.downsample(row, 2, 1, 1, 8)[0]) == [0, 1] * 4
    two = np.array([[1, 1] * 8, [0, 0] * 8], np.uint8)   # every 2x2 sum is 2
    assert list(_subsample.downsample(two, 2, 2, 1, 8)[0]) == [0, 1] * 4   # (2+1)>>2, (2+2)>>2

def test_bad_arguments():
    with pytest.raises(ValueError):
        _subsample.downsample(np.zeros((4, 4), np.uint8), 1, 2, 8, 8)
    with pytest.raises(ValueError):
        _subsample.downsample(np.zeros((0, 4), np.uint8), 1, 1, 8, 8)
# ==== end encode ====


# ==== decode ====
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from jpeglite._subsample import upsample_method, upsample_plane


def fancy_h2v2_reference(p):
    """libjpeg's triangular 2x2 upsampling in numpy: 3/4-1/4 weights down,
    then across, edges replicated, rounding +8 / +7 on even / odd columns."""
    e = np.pad(p.astype(np.int64), 1, mode="edge")
    up = 3 * e[1:-1, :] + e[:-2, :]      # output rows 2y (neighbour above)
    dn = 3 * e[1:-1, :] + e[2:, :]       # output rows 2y+1 (neighbour below)
    out = np.empty((2 * p.shape[0], 2 * p.shape[1]), np.int64)
    for rows, r0 in ((up, 0), (dn, 1)):
        this, left, right = rows[:, 1:-1], rows[:, :-2], rows[:, 2:]
        out[r0::2, 0::2] = (3 * this + left + 8) >> 4
        out[r0::2, 1::2] = (3 * this + right + 7) >> 4
    return out.astype(np.uint8)


def test_h2v1_known_answer():
    row = np.array([[10, 20, 30]], np.uint8)
    out = upsample_plane(row, 2, 1, 6, 1)
    # 10, (30+20+2)/4, (60+10+1)/4, (60+30+2)/4, (90+20+1)/4, 30
    assert out.tolist() == [[10, 13, 17, 23, 27, 30]]


def test_h1v2_known_answer():
    col = np.array([[0], [100], [40]], np.uint8)
    out = upsample_plane(col, 1, 2, 1, 6)
    # rows: (0*3+0+1)/4, (0*3+100+2)/4, (300+0+1)/4, (300+40+2)/4, (120+100+1)/4, (120+40+2)/4
    assert out[:, 0].tolist() == [0, 25, 75, 85, 55, 40]


def test_replication_known_answer():
    p = np.array([[1, 2], [3, 4]], np.uint8)
    assert upsample_plane(p, 3, 2, 6, 4).tolist() == [
        [1, 1, 1, 2, 2, 2], [1, 1, 1, 2, 2, 2], [3, 3, 3, 4, 4, 4], [3, 3, 3, 4, 4, 4]]
    # narrow planes (2 samples) replicate even for 2x: libjpeg's fancy filters need 3
    assert upsample_plane(p, 2, 2, 4, 4).tolist() == [
        [1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]


def fancy_h2v1_reference(p):
    """libjpeg's triangular 2x horizontal upsampling in numpy."""
    e = np.pad(p.astype(np.int64), ((0, 0), (1, 1)), mode="edge")
    this, left, right = 3 * e[:, 1:-1], e[:, :-2], e[:, 2:]
    out = np.empty((p.shape[0], 2 * p.shape[1]), np.int64)
    out[:, 0::2] = (this + left + 1) >> 2
    out[:, 1::2] = (this + right + 2) >> 2
    return out.astype(np.uint8)


@settings(max_examples=100, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 4), st.integers(3, 70))))
def test_h2v1_matches_reference(p):
    # widths past 9 exercise the 8-at-a-time middle, short ones the edges only
    h, w = p.shape
    np.testing.assert_array_equal(upsample_plane(p, 2, 1, 2 * w, h), fancy_h2v1_reference(p))


@settings(max_examples=100, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 9), st.integers(3, 70))))
def test_h2v2_matches_reference(p):
    h, w = p.shape
    np.testing.assert_array_equal(upsample_plane(p, 2, 2, 2 * w, 2 * h), fancy_h2v2_reference(p))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 255), st.integers(1, 4), st.integers(1, 4), st.integers(1, 7),
       st.integers(1, 7))
def test_constant_planes_stay_constant(value, hr, vr, w, h):
    p = np.full((h, w), value, np.uint8)
    out = upsample_plane(p, hr, vr, w * hr, h * vr)
    assert (out == value).all()


def test_methods_follow_libjpeg():
    assert [upsample_method(*a) for a in [(1, 1, 9), (2, 1, 9), (2, 1, 2), (1, 2, 2),
                                          (2, 2, 9), (2, 2, 2), (4, 2, 9), (1, 4, 9)]] == \
        [0, 1, 4, 2, 3, 4, 4, 4]

# ==== end decode ====
