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

# ==== end decode ====
