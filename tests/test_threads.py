"""Threaded encoding writes the bytes of the one-thread encoder (and of libjpeg-turbo) for every thread count."""
import io
import os
import signal
import time

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image

import jpeglite
from jpeglite import parallel
from jpeglite import encoder
from jpeglite import parallel as _pool

THREADS = [1, 2, 3, 4, 8]
PIL_SUBSAMPLING = {"4:4:4": 0, "4:2:2": 1, "4:2:0": 2}


def _image(h, w, gray, seed):
    """A smooth gradient plus noise: realistic symbol statistics, every DC category in use."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    base = (yy * 7 + xx * 3) % 256
    shape = (h, w) if gray else (h, w, 3)
    noise = rng.integers(-40, 41, shape)
    img = (base[..., None] if not gray else base) + noise
    return np.clip(img, 0, 255).astype(np.uint8)


def _pillow(img, quality, subsampling):
    buf = io.BytesIO()
    # for "L" Pillow would apply the sampling factors to the one component
    kw = {"subsampling": PIL_SUBSAMPLING[subsampling]} if img.ndim == 3 else {}
    Image.fromarray(img).save(buf, "JPEG", quality=quality, **kw)
    return buf.getvalue()


# (height, width): smaller than an MCU, exactly one MCU row, odd sizes, many MCU rows
SHAPES = [(1, 1), (7, 5), (8, 8), (16, 16), (17, 33), (16, 200), (33, 17), (95, 61), (130, 24)]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:2", "4:2:0", "gray"])
def test_threads_match_pillow(shape, subsampling):
    gray = subsampling == "gray"
    img = _image(*shape, gray, seed=shape[0] * 1000 + shape[1])
    ss = "4:2:0" if gray else subsampling
    want = _pillow(img, 75, ss)
    for t in THREADS:
        assert jpeglite.encode(img, 75, subsampling=ss, threads=t) == want, t


@pytest.mark.parametrize("restart_interval", [0, 1, 2, 7, 1000])
@pytest.mark.parametrize("optimize", [False, True])
@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:0", "gray"])
def test_threads_with_restarts_and_optimize(restart_interval, optimize, subsampling):
    gray = subsampling == "gray"
    img = _image(70, 45, gray, seed=restart_interval)
    kw = dict(subsampling="4:2:0" if gray else subsampling, optimize=optimize,
              restart_interval=restart_interval)
    want = jpeglite.encode(img, 80, threads=1, **kw)
    for t in THREADS:
        assert jpeglite.encode(img, 80, threads=t, **kw) == want, t


@pytest.mark.parametrize("band_samples", [1, 3000, 20000])
@pytest.mark.parametrize("optimize", [False, True])
@pytest.mark.parametrize("restart_interval", [0, 3, 48])
def test_multi_row_bands_on_a_photo(photo, monkeypatch, band_samples, optimize, restart_interval):
    """Bands of several MCU rows (recycled buffers, restart segments grouped), a real photo."""
    monkeypatch.setattr(encoder, "_BAND_SAMPLES", band_samples)
    img = photo[:203, :301]
    kw = dict(optimize=optimize, restart_interval=restart_interval)
    want = jpeglite.encode(img, 75, threads=1, **kw)
    for t in (2, 3, 5):
        assert jpeglite.encode(img, 75, threads=t, **kw) == want, t


def test_default_threads_on_a_photo(photo):
    for ss in ("4:2:0", "4:4:4"):
        assert jpeglite.encode(photo, 90, subsampling=ss) == _pillow(photo, 90, ss)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 80), st.integers(1, 80), st.booleans(),
       st.sampled_from(["4:4:4", "4:2:2", "4:2:0"]), st.booleans(),
       st.sampled_from([0, 1, 2, 3, 5, 7, 64, 70000 // 7]), st.integers(2, 8),
       st.integers(1, 1 << 14), st.integers(0, 2**32 - 1))
def test_threaded_bytes_equal_one_thread(h, w, gray, ss, optimize, ri, threads, band, seed):
    img = _image(h, w, gray, seed)
    kw = dict(subsampling=ss, optimize=optimize, restart_interval=ri)
    saved = encoder._BAND_SAMPLES
    encoder._BAND_SAMPLES = band
    try:
        got = jpeglite.encode(img, 60, threads=threads, **kw)
    finally:
        encoder._BAND_SAMPLES = saved
    assert got == jpeglite.encode(img, 60, threads=1, **kw)


def test_merge_pieces_stuffs_a_boundary_byte_that_becomes_ff():
    # piece 1 ends with 4 bits 1111; piece 2 starts 4 bits into that byte with 1111
    pieces = [(b"\x12", 0b11110000, 4), (bytes([0b00001111, 0x34]), 0b10000000, 1)]
    assert encoder._merge_pieces(pieces) == bytes([0x12, 0xFF, 0x00, 0x34, 0xFF, 0x00])
    # a piece too short for a whole byte adds its bits to the tail
    pieces = [(b"", 0b10000000, 1), (b"", 0b01000000, 2), (bytes([0b00110000]), 0, 0)]
    assert encoder._merge_pieces(pieces) == bytes([0b11110000])


@pytest.mark.parametrize("shape, band_samples", [((300, 17), 1), ((64, 700), 5000), ((9, 2000), 1)])
def test_optimized_pieces_on_noise(shape, band_samples, monkeypatch):
    """Many band boundaries at every bit phase (noise makes long, varied pieces)."""
    monkeypatch.setattr(encoder, "_BAND_SAMPLES", band_samples)
    rng = np.random.default_rng(shape[0])
    img = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    for ss in ("4:2:0", "4:4:4"):
        want = jpeglite.encode(img, 95, subsampling=ss, optimize=True, threads=1)
        assert jpeglite.encode(img, 95, subsampling=ss, optimize=True, threads=3) == want


@pytest.mark.parametrize("threads, exc", [(0, ValueError), (-2, ValueError), (True, TypeError),
                                          (2.0, TypeError), ("2", TypeError)])
def test_threads_argument_is_validated(threads, exc):
    img = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(exc, match="threads"):
        jpeglite.encode(img, threads=threads)
    with pytest.raises(exc, match="threads"):
        jpeglite.write("never-written.jpg", img, threads=threads)


def test_threads_accepts_numpy_ints_and_none(tmp_path):
    img = _image(20, 30, False, 1)
    want = jpeglite.encode(img, threads=1)
    assert jpeglite.encode(img, threads=np.int64(3)) == want
    assert jpeglite.encode(img, threads=None) == want
    assert jpeglite.write(tmp_path / "a.jpg", img, threads=2) == len(want)
    assert (tmp_path / "a.jpg").read_bytes() == want


def test_default_threads_scale_with_the_image(monkeypatch):
    monkeypatch.setattr(_pool, "CPUS", 8)
    assert parallel.resolve_threads(None) == 8
    assert parallel.resolve_threads(None, 100) == 1
    assert parallel.resolve_threads(None, 3 * parallel._DEFAULT_MIN_PIXELS) == 3
    assert parallel.resolve_threads(None, 100 * parallel._DEFAULT_MIN_PIXELS) == 8
    assert parallel.resolve_threads(5, 100) == 5          # an explicit count is kept


def test_concurrent_encodes_share_the_pool():
    """Several encodes at once from different threads (the API is thread-safe)."""
    from concurrent.futures import ThreadPoolExecutor

    imgs = [_image(40 + k, 50, k % 2 == 0, k) for k in range(6)]
    want = [jpeglite.encode(im, threads=1, restart_interval=k % 3) for k, im in enumerate(imgs)]
    with ThreadPoolExecutor(3) as ex:
        got = list(ex.map(lambda k: jpeglite.encode(imgs[k], threads=2, restart_interval=k % 3),
                          range(6)))
    assert got == want


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_threads_work_in_a_forked_child():
    """A child forked after the pool started has none of its threads: it must not wait for them."""
    img = _image(60, 70, False, 5)
    want = jpeglite.encode(img, threads=2)          # the pool exists now
    pid = os.fork()
    if pid == 0:                                    # child
        ok = jpeglite.encode(img, threads=2) == want and \
            jpeglite.encode(img, threads=2, optimize=True) == jpeglite.encode(img, optimize=True,
                                                                               threads=1)
        os._exit(0 if ok else 1)
    deadline = time.monotonic() + 60
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung")
        time.sleep(0.01)
    assert os.waitstatus_to_exitcode(status) == 0


def test_queued_helpers_are_not_waited_for(monkeypatch):
    """With every pool thread busy, an encode finishes on the calling thread alone."""
    import threading

    release = threading.Event()
    pool = _pool.pool(4)
    blockers = [pool.submit(release.wait) for _ in range(_pool._size)]
    try:
        img = _image(90, 90, False, 9)
        for kw in ({}, {"optimize": True}, {"restart_interval": 2}):
            assert jpeglite.encode(img, threads=4, **kw) == jpeglite.encode(img, threads=1, **kw)
    finally:
        release.set()
        for b in blockers:
            b.result()


def test_band_coder_rejects_bad_rows():
    from jpeglite import _encoder
    from jpeglite.tables import LUMA_QUANT_K1

    coder = _encoder.BandCoder(np.zeros((20, 20), np.uint8), [1], [1], [LUMA_QUANT_K1], 2)
    blocks = coder.band_arrays(0, 3)
    with pytest.raises(ValueError):
        coder.forward(blocks, 2, 4)
    with pytest.raises(ValueError):
        coder.forward(blocks, 1, 3, 2)
    with pytest.raises(ValueError):
        coder.forward([blocks[0][:1]], 0, 3)
    with pytest.raises(ValueError):
        coder.code(blocks, 0, 3)              # no tables yet
    with pytest.raises(ValueError):
        coder.encode_segment(0, 1)


@pytest.mark.parametrize("threads", [2**31 - 1, 2**31, 2**63, 10**30, np.uint64(2**63)])
def test_any_int_thread_count_works(threads):
    """Any int >= 1 is a valid request; parallel.resolve_threads caps it at
    MAX_THREADS, so a count past a C int is no OverflowError anywhere."""
    assert parallel.resolve_threads(threads) == parallel.MAX_THREADS
    assert parallel.resolve_threads(threads, 1 << 20, decode=True) == parallel.MAX_THREADS
    img = _image(600, 900, False, 2)          # above DECODE_MIN_PIXELS: the threaded paths
    data = jpeglite.encode(img, restart_interval=4, threads=threads)
    assert data == jpeglite.encode(img, restart_interval=4, threads=1)
    want = jpeglite.decode(data, threads=1)
    np.testing.assert_array_equal(jpeglite.decode(data, threads=threads), want)
    prog = Image.fromarray(img)
    buf = io.BytesIO()
    prog.save(buf, "JPEG", progressive=True)
    np.testing.assert_array_equal(jpeglite.decode(buf.getvalue(), threads=threads),
                                  jpeglite.decode(buf.getvalue(), threads=1))
    jpeglite.analyze(data, threads=threads)
    jpeglite.analyze(img, threads=threads)
