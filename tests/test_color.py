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


# ==== analyze ====
import pytest
from hypothesis import given as _given, settings as _settings, strategies as _st
from hypothesis.extra.numpy import arrays as _arrays

from jpeglite import _color as _color_mod


@_settings(max_examples=60, deadline=None)
@_given(_st.integers(0, 3).flatmap(lambda nd: _st.tuples(
    _arrays(np.uint8, _st.tuples(*[_st.integers(1, 9)] * nd) if nd else (70001,)),
    _st.integers(0, 2 ** 32 - 1))))
def test_squared_error_is_the_exact_integer_sum(arg):
    a, seed = arg
    b = np.random.default_rng(seed).integers(0, 256, a.shape, dtype=np.uint8)
    want = int(((a.astype(np.int64) - b) ** 2).sum())
    assert _color_mod.squared_error(a, b) == want
    assert _color_mod.squared_error(a, a) == 0


def test_squared_error_of_extremes_and_strides():
    a = np.zeros((300, 301, 3), np.uint8)
    b = np.full_like(a, 255)               # every partial sum at its largest
    assert _color_mod.squared_error(a, b) == a.size * 255 ** 2
    assert _color_mod.squared_error(b[::2, ::-1], a[::2, ::-1]) == a[::2].size * 255 ** 2
    with pytest.raises(ValueError):
        _color_mod.squared_error(a, b[:-1])
    with pytest.raises(TypeError):
        _color_mod.squared_error(a, b.astype(np.int16))
# ==== end analyze ====
