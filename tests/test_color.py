"""Tests for the color stage."""

# ==== encode ====

# ==== end encode ====


# ==== decode ====
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from jpeglite._color import ycbcr_to_rgb


def libjpeg_ycc_reference(ycc):
    """jdcolor.c's fixed-point YCbCr -> RGB, from its constants, in numpy."""
    fix = lambda x: int(x * 65536 + 0.5)
    y, cb, cr = (ycc[..., i].astype(np.int64) for i in range(3))
    cb, cr = cb - 128, cr - 128
    r = y + ((fix(1.40200) * cr + 32768) >> 16)
    g = y + ((-fix(0.34414) * cb - fix(0.71414) * cr + 32768) >> 16)
    b = y + ((fix(1.77200) * cb + 32768) >> 16)
    return np.clip(np.stack([r, g, b], -1), 0, 255).astype(np.uint8)


@settings(max_examples=100, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 6), st.integers(1, 70), st.just(3))))
def test_ycc_to_rgb_is_libjpeg(ycc):
    np.testing.assert_array_equal(ycbcr_to_rgb(ycc), libjpeg_ycc_reference(ycc))


def test_ycc_to_rgb_close_to_float_formula():
    ycc = np.stack(np.meshgrid(np.arange(0, 256, 5), np.arange(0, 256, 3), np.arange(0, 256, 7),
                               indexing="ij"), -1).reshape(-1, 1, 3).astype(np.uint8)
    y, cb, cr = (ycc[..., i].astype(float) for i in range(3))
    ref = np.stack([y + 1.402 * (cr - 128), y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128),
                    y + 1.772 * (cb - 128)], -1)
    ref = np.clip(np.round(ref), 0, 255)
    assert np.abs(ycbcr_to_rgb(ycc).astype(float) - ref).max() <= 1


def test_neutral_chroma_is_gray():
    ycc = np.stack([np.arange(256), np.full(256, 128), np.full(256, 128)], -1)
    out = ycbcr_to_rgb(ycc.reshape(1, 256, 3).astype(np.uint8))
    assert (out[0] == np.arange(256)[:, None]).all()

# ==== end decode ====
