"""The public encode/write API: argument checking, strides, and staged == fused."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jpeglite
from jpeglite.staged import encode_stages

RGB = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)


@pytest.mark.parametrize("image, message", [
    ([[1, 2], [3, 4]], "numpy.ndarray"),
    (b"\x00" * 16, "numpy.ndarray"),
    (np.zeros((8, 8), np.float32), "float32"),
    (np.zeros((8, 8), np.uint16), "uint16"),
    (np.zeros((8, 8), bool), "bool"),
])
def test_wrong_image_types(image, message):
    with pytest.raises(TypeError, match=message):
        jpeglite.encode(image)


@pytest.mark.parametrize("shape", [(8,), (8, 8, 4), (8, 8, 1), (8, 8, 3, 1), (0, 8), (8, 0),
                                   (0, 0, 3), (65536, 1)])
def test_bad_image_shapes(shape):
    if np.prod(shape) > 10 ** 6:
        image = np.broadcast_to(np.uint8(0), shape)     # no memory for a huge zero image
    else:
        image = np.zeros(shape, np.uint8)
    with pytest.raises(ValueError, match="image"):
        jpeglite.encode(image)


@pytest.mark.parametrize("kwargs, exc, message", [
    ({"quality": 75.0}, TypeError, "quality"),
    ({"quality": "75"}, TypeError, "quality"),
    ({"quality": True}, TypeError, "quality"),
    ({"quality": 0}, ValueError, "quality"),
    ({"quality": 101}, ValueError, "quality"),
    ({"quality": -5}, ValueError, "quality"),
    ({"subsampling": 420}, TypeError, "subsampling"),
    ({"subsampling": "4:1:1"}, ValueError, "subsampling"),
    ({"subsampling": "420"}, ValueError, "subsampling"),
    ({"optimize": 1}, TypeError, "optimize"),
    ({"optimize": "yes"}, TypeError, "optimize"),
    ({"restart_interval": -1}, ValueError, "restart_interval"),
    ({"restart_interval": 65536}, ValueError, "restart_interval"),
    ({"restart_interval": 2.0}, TypeError, "restart_interval"),
    ({"restart_interval": False}, TypeError, "restart_interval"),
])
def test_bad_arguments_are_named(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        jpeglite.encode(RGB, **kwargs)


def test_quality_not_given_is_75_without_qtables():
    # issue 9: quality's default is "not given" (None), which means 75 for the
    # Annex K tables and "as given" for a caller's qtables
    assert jpeglite.encode(RGB) == jpeglite.encode(RGB, None) == jpeglite.encode(RGB, 75)


def test_positional_options_are_keyword_only():
    with pytest.raises(TypeError):
        jpeglite.encode(RGB, 75, "4:4:4")


def test_numpy_integers_are_accepted():
    a = jpeglite.encode(RGB, np.int64(80), restart_interval=np.uint16(2), optimize=np.bool_(True))
    assert a == jpeglite.encode(RGB, 80, restart_interval=2, optimize=True)


@pytest.mark.parametrize("view", [
    lambda a: a[::2, ::3],
    lambda a: a[::-1],
    lambda a: a[:, ::-1, ::-1],
    lambda a: np.asfortranarray(a),
    lambda a: a.transpose(1, 0, 2),
    lambda a: a[3:17, 5:23],
    lambda a: a[..., 1],
    lambda a: a[::3, ::2, 0],
])
def test_any_strides_give_the_bytes_of_the_contiguous_copy(view):
    big = np.random.default_rng(1).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    v = view(big)
    assert not v.flags.c_contiguous or v.base is not None
    for kw in ({}, {"subsampling": "4:4:4", "optimize": True, "restart_interval": 2}):
        assert jpeglite.encode(v, 70, **kw) == jpeglite.encode(np.ascontiguousarray(v), 70, **kw)


def test_grayscale_ignores_subsampling():
    g = RGB[..., 0].copy()
    assert jpeglite.encode(g, subsampling="4:4:4") == jpeglite.encode(g, subsampling="4:2:0")


def test_write(tmp_path):
    path = tmp_path / "out.jpg"
    n = jpeglite.write(path, RGB, 60, subsampling="4:2:2")
    assert path.read_bytes() == jpeglite.encode(RGB, 60, subsampling="4:2:2") and n == len(
        path.read_bytes())
    jpeglite.write(str(tmp_path / "g.jpg"), RGB[..., 1], quality=10)
    with pytest.raises(TypeError, match="path"):
        jpeglite.write(3, RGB)
    with pytest.raises(ValueError, match="quality"):
        jpeglite.write(path, RGB, quality=0)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.booleans(),
       st.sampled_from(["4:4:4", "4:2:2", "4:2:0"]), st.integers(1, 100), st.booleans(),
       st.integers(0, 5), st.integers(0, 2 ** 32 - 1))
def test_staged_pipeline_writes_the_fused_bytes(h, w, gray, ss, q, opt, ri, seed):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (h, w) if gray else (h, w, 3), dtype=np.uint8)
    # smooth some of it so blocks are not all noise
    img = ((img.astype(np.int32) + np.roll(img, 1, 0) + np.roll(img, 1, 1)) // 3).astype(np.uint8)
    kw = dict(subsampling=ss, optimize=opt, restart_interval=ri)
    st_ = encode_stages(img, q, **kw)
    assert st_.data == jpeglite.encode(img, q, **kw)
    layout = st_.scan_layout()
    assert 0 <= layout["padding_bits"] <= 7 * (layout["restart_markers"] + 1)


def test_staged_on_a_photo(photo):
    for kw in ({}, {"subsampling": "4:4:4", "optimize": True, "restart_interval": 7}):
        s = encode_stages(photo, 85, **kw)
        assert s.data == jpeglite.encode(photo, 85, **kw)
        # the accounting adds up: symbols + padding + stuffing + markers = the scan
        lay = s.scan_layout()
        assert 0 <= lay["padding_bits"] <= 7 * (lay["restart_markers"] + 1)
        assert lay["restart_markers"] == (
            (s.geometry["mcus_x"] * s.geometry["mcus_y"] - 1) // kw.get("restart_interval", 1)
            if kw else 0)
        # one DC symbol per coded block, dummy edge blocks included
        g = s.geometry
        blocks = sum(c[1] * c[2] for c in s.plan.components) * g["mcus_x"] * g["mcus_y"]
        hist = s.table_counts()
        assert sum(h.sum() for (cls, _), h in hist.items() if cls == 0) == blocks
        assert np.array_equal(hist[(1, 1)], s.counts[1, 1] + s.counts[2, 1])
        assert len(s.header) + len(s.scan) + 2 == len(s.data)
        segs = s.header_segments()
        assert [n for n, _ in segs] == (["SOI", "APP0", "DQT", "DQT", "SOF0"] + ["DHT"] * 4
                                        + (["DRI"] if kw else []) + ["SOS"])
        assert sum(n for _, n in segs) == len(s.header)
        assert dict(segs)["SOF0"] == 2 + 2 + 6 + 3 * 3


def test_extreme_dimensions():
    import io
    import struct

    from PIL import Image

    rng = np.random.default_rng(5)
    for shape in [(65500, 3), (3, 65500, 3), (1, 65500), (65500, 1, 3)]:
        img = rng.integers(0, 256, shape, dtype=np.uint8)
        for opt in (False, True):
            data = jpeglite.encode(img, 75, optimize=opt, restart_interval=1)
            with Image.open(io.BytesIO(data)) as im:
                assert np.asarray(im).shape == img.shape
    # 65535 is the largest size a frame header can hold; libjpeg stops at 65500
    data = jpeglite.encode(np.zeros((65535, 1), np.uint8))
    sof = data.index(b"\xff\xc0")
    assert struct.unpack(">HH", data[sof + 5:sof + 9]) == (65535, 1)
