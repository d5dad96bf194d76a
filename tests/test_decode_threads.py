"""Threaded decoding gives the same pixels as one thread (and as Pillow) for
every thread count, every chunking of the image into bands, and every kind of
restart interval; the `threads` argument is validated."""
import io
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import jpeglite
from jpeglite import _decoder, parallel

from conftest import JPEGS, corpus_params, kodak

Image = pytest.importorskip("PIL.Image")

THREADS = (1, 2, 3, 4, 8)


def pillow_jpeg(arr, **options):
    buf = io.BytesIO()
    Image.fromarray(arr, "L" if arr.ndim == 2 else "RGB").save(buf, "JPEG", **options)
    return buf.getvalue()


def pillow_pixels(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(io.BytesIO(data)) as im:
            return np.asarray(im)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of one MCU row, so even small images take the threaded paths
    with many chunks (odd counts, a last chunk shorter than the others), and
    sample slabs of one band (carried over at every band) and reconstruct
    parts of one band."""
    monkeypatch.setattr(_decoder, "CHUNK_PIXELS", 1)
    monkeypatch.setattr(parallel, "DECODE_MIN_PIXELS", 1)
    monkeypatch.setattr(_decoder, "SLAB_BANDS", 1)
    monkeypatch.setattr(_decoder, "RECON_BANDS", 1)


def assert_all_threads_equal(data, ref=None):
    if ref is None:
        ref = pillow_pixels(data)
    for t in THREADS:
        out = jpeglite.decode(data, threads=t)
        assert out.shape == ref.shape, t
        np.testing.assert_array_equal(out, ref, err_msg=f"threads={t}")


def photo(h, w, gray=False):
    arr = kodak(2)
    arr = np.ascontiguousarray(np.tile(arr, (-(-h // arr.shape[0]), -(-w // arr.shape[1]), 1))[:h, :w])
    return np.ascontiguousarray(arr[..., 1]) if gray else arr


SHAPES = [(1, 1), (5, 7), (8, 8), (16, 16), (16, 40), (17, 9), (33, 65), (47, 31), (130, 77)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("options", [
    dict(subsampling=2), dict(subsampling=1), dict(subsampling=0), dict(gray=True),
    dict(subsampling=2, progressive=True), dict(gray=True, progressive=True),
    dict(subsampling=0, progressive=True)], ids=str)
def test_shapes_and_layouts(small_chunks, shape, options):
    options = dict(options)
    arr = photo(*shape, gray=options.pop("gray", False))
    assert_all_threads_equal(pillow_jpeg(arr, quality=80, **options))


@pytest.mark.parametrize("ri", [1, 2, 3, 5, 7, 13, 64, 10000])
@pytest.mark.parametrize("subsampling", ["4:2:0", "4:4:4"])
@pytest.mark.parametrize("shape", [(8, 8), (40, 56), (123, 77)])
def test_restart_intervals(small_chunks, ri, subsampling, shape):
    data = jpeglite.encode(photo(*shape), 85, subsampling=subsampling, restart_interval=ri)
    assert_all_threads_equal(data)


@pytest.mark.parametrize("options", [dict(restart_marker_rows=1), dict(restart_marker_rows=3),
                                     dict(restart_marker_blocks=5)], ids=str)
def test_pillow_restart_files(options):
    """Default chunking on a photo big enough for several chunks."""
    data = pillow_jpeg(photo(700, 900), quality=75, **options)
    assert_all_threads_equal(data)


def test_default_chunking_large_image():
    arr = photo(1100, 1000)
    for opts in (dict(subsampling=2), dict(subsampling=0), dict(progressive=True)):
        assert_all_threads_equal(pillow_jpeg(arr, quality=75, **opts))


def test_damaged_restart_markers(small_chunks):
    """A restart marker out of order or missing: the threaded paths fall back
    to the sequential resynchronisation and give Pillow's pixels."""
    data = bytearray(jpeglite.encode(photo(64, 64), 85, restart_interval=2))
    rst = [i for i in range(len(data) - 1) if data[i] == 0xFF and 0xD0 <= data[i + 1] <= 0xD7]
    assert len(rst) > 4
    swapped = bytearray(data)
    swapped[rst[2] + 1] = 0xD0 + ((data[rst[2] + 1] - 0xD0 + 4) & 7)
    dropped = data[:rst[3]] + data[rst[3] + 2:]
    for bad in (bytes(swapped), bytes(dropped)):
        ref = pillow_pixels(bad)
        for t in THREADS:
            np.testing.assert_array_equal(jpeglite.decode(bad, threads=t), ref)


@pytest.mark.parametrize("path", corpus_params(JPEGS), ids=lambda p: p.name)
def test_corpus_files(small_chunks, path):
    data = path.read_bytes()
    try:
        ref = jpeglite.decode(data, threads=1)
    except jpeglite.JPEGError as e:
        for t in THREADS[1:]:
            with pytest.raises(jpeglite.JPEGError) as info:
                jpeglite.decode(data, threads=t)
            assert (info.value.reason, info.value.offset) == (e.reason, e.offset)
        return
    assert_all_threads_equal(data, ref)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(h=st.integers(1, 120), w=st.integers(1, 90), gray=st.booleans(),
       subsampling=st.sampled_from([0, 1, 2]), progressive=st.booleans(),
       ri=st.sampled_from([0, 0, 1, 2, 3, 11, 500]), threads=st.integers(2, 8),
       chunk=st.sampled_from([1, 300, 5000, 1 << 18]), slab=st.sampled_from([1, 2, 3, 16]),
       part=st.sampled_from([1, 2, 5, 32]))
def test_property_any_shape(monkeypatch, h, w, gray, subsampling, progressive, ri, threads,
                            chunk, slab, part):
    """Any chunking, slab size and part size: the same pixels as one thread
    with the defaults."""
    monkeypatch.setattr(_decoder, "CHUNK_PIXELS", chunk)
    monkeypatch.setattr(parallel, "DECODE_MIN_PIXELS", 2 * chunk)
    arr = photo(h, w, gray)
    if ri or not progressive:
        data = jpeglite.encode(arr, 70, subsampling=["4:4:4", "4:2:2", "4:2:0"][subsampling],
                               restart_interval=ri)
    else:
        data = pillow_jpeg(arr, quality=70, subsampling=subsampling, progressive=True)
    ref = jpeglite.decode(data, threads=1)
    monkeypatch.setattr(_decoder, "SLAB_BANDS", slab)
    monkeypatch.setattr(_decoder, "RECON_BANDS", part)
    np.testing.assert_array_equal(jpeglite.decode(data, threads=threads), ref)
    np.testing.assert_array_equal(jpeglite.decode(data, threads=1), ref)


@pytest.mark.parametrize("bad", [True, False, 1.0, 2.5, "2", [2]])
def test_threads_type(tmp_path, bad):
    data = pillow_jpeg(photo(8, 8))
    with pytest.raises(TypeError):
        jpeglite.decode(data, threads=bad)
    p = tmp_path / "a.jpg"
    p.write_bytes(data)
    with pytest.raises(TypeError):
        jpeglite.read(p, threads=bad)


@pytest.mark.parametrize("bad", [0, -1, -8])
def test_threads_value(tmp_path, bad):
    data = pillow_jpeg(photo(8, 8))
    with pytest.raises(ValueError):
        jpeglite.decode(data, threads=bad)
    with pytest.raises(ValueError):
        jpeglite.read(tmp_path / "missing.jpg", threads=bad)


def test_threads_none_and_read(tmp_path):
    data = pillow_jpeg(photo(40, 40))
    p = tmp_path / "a.jpg"
    p.write_bytes(data)
    ref = pillow_pixels(data)
    np.testing.assert_array_equal(jpeglite.decode(data, threads=None), ref)
    np.testing.assert_array_equal(jpeglite.read(p, threads=3), ref)
    np.testing.assert_array_equal(jpeglite.read(p), ref)
