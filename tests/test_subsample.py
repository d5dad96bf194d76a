"""Tests for the subsample stage."""

# ==== encode ====

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
