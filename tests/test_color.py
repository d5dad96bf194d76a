"""Tests for the color stage."""

# ==== encode ====
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from jpeglite import _color


def ycc_reference(rgb):
    """libjpeg's jccolor.c arithmetic in numpy: FIX(x) = round(x * 2**16), >> 16."""
    fix = lambda x: int(x * 65536 + 0.5)  # noqa: E731
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    half = 1 << 15
    y = (fix(0.299) * r + fix(0.587) * g + fix(0.114) * b + half) >> 16
    cb = (-fix(0.16874) * r - fix(0.33126) * g + fix(0.5) * b + (128 << 16) + half - 1) >> 16
    cr = (fix(0.5) * r - fix(0.41869) * g - fix(0.08131) * b + (128 << 16) + half - 1) >> 16
    return np.stack([y, cb, cr]).astype(np.uint8)


@settings(max_examples=60, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 9), st.integers(1, 140), st.just(3))))
def test_rgb_to_ycbcr_is_libjpeg_fixed_point(rgb):
    assert np.array_equal(_color.rgb_to_ycbcr(rgb), ycc_reference(rgb))


def test_every_colour_component_value_against_float_jfif():
    # all 2**24 colours would be slow; a 64-level lattice covers the corners and the middle
    levels = np.r_[np.arange(0, 256, 4), 255].astype(np.uint8)
    r, g, b = np.meshgrid(levels, levels, levels, indexing="ij")
    rgb = np.stack([r, g, b], -1).reshape(1, -1, 3)
    out = _color.rgb_to_ycbcr(rgb).reshape(3, -1).astype(float)
    f = rgb.reshape(-1, 3).astype(float)
    y = 0.299 * f[:, 0] + 0.587 * f[:, 1] + 0.114 * f[:, 2]
    cb = 128 - 0.168736 * f[:, 0] - 0.331264 * f[:, 1] + 0.5 * f[:, 2]
    cr = 128 + 0.5 * f[:, 0] - 0.418688 * f[:, 1] - 0.081312 * f[:, 2]
    for got, want in zip(out, (y, cb, cr)):
        assert np.abs(got - want).max() <= 0.51
    assert out.max() <= 255 and out.min() >= 0


def test_simd_path_on_every_red_green_pair():
    """Every (R, G) pair with 30 blue levels, in rows of 1021 pixels: the 16-pixel SIMD
    chunks, their lane order and the scalar tail all meet libjpeg's integer sums."""
    levels = np.r_[np.arange(0, 256, 9), 255]
    r, g, b = np.meshgrid(np.arange(256), np.arange(256), levels, indexing="ij")
    rgb = np.stack([r, g, b], -1).reshape(-1, 3).astype(np.uint8)
    rgb = rgb[: len(rgb) // 1021 * 1021].reshape(-1, 1021, 3)
    assert np.array_equal(_color.rgb_to_ycbcr(rgb), ycc_reference(rgb))


def test_greys_stay_grey():
    v = np.arange(256, dtype=np.uint8)
    out = _color.rgb_to_ycbcr(np.stack([v, v, v], -1)[None])
    assert np.array_equal(out[0, 0], v)
    assert (out[1:] == 128).all()
# ==== end encode ====


# ==== decode ====

# ==== end decode ====
