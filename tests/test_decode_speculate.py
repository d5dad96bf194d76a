"""Self-synchronising parallel entropy decoding of a scan without restart
markers (_decoder: _SingleScan.spec_setup / try_sync): a pool thread decodes
from the middle of the data while the calling thread decodes from the start,
and its MCUs are kept only where both decoders stood at the same bit at an
MCU start.  Whatever happens (kept, kept in part, never in step, dropped),
the pixels are the ones the serial decode gives."""
import io
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import jpeglite
from jpeglite import _decoder, parallel

from conftest import JPEGS, corpus_params, kodak

Image = pytest.importorskip("PIL.Image")


def pillow_jpeg(arr, **options):
    buf = io.BytesIO()
    Image.fromarray(arr, "L" if arr.ndim == 2 else "RGB").save(buf, "JPEG", **options)
    return buf.getvalue()


def photo(h, w, gray=False):
    arr = kodak(2)
    arr = np.ascontiguousarray(np.tile(arr, (-(-h // arr.shape[0]), -(-w // arr.shape[1]), 1))[:h, :w])
    return np.ascontiguousarray(arr[..., 1]) if gray else arr


def _pipelined(monkeypatch, spec_min_threads):
    """Chunks of one MCU row on every image (small images take the pipelined
    path), speculation from ``spec_min_threads`` threads on; returns a setter
    for where it starts and how much its store holds."""
    monkeypatch.setattr(_decoder, "CHUNK_PIXELS", 1)
    monkeypatch.setattr(parallel, "DECODE_MIN_PIXELS", 1)
    monkeypatch.setattr(_decoder, "SPEC_MIN_THREADS", spec_min_threads)

    def setter(at=0.5, budget=8.0):
        monkeypatch.setattr(_decoder, "SPEC_AT", at)
        monkeypatch.setattr(_decoder, "SPEC_BUDGET", budget)
    setter()
    return setter


@pytest.fixture
def speculate(monkeypatch):
    """Chunks of one MCU row on every image, so small images take the
    pipelined path and speculate; returns a setter for where it starts and
    how much its store holds."""
    return _pipelined(monkeypatch, spec_min_threads=2)


def decode_both(data, threads=(2, 3, 4)):
    """Serial pixels (or error) and the threaded ones, which must be the same;
    returns [dropped, kept] speculations during the threaded decodes."""
    before = list(_decoder.spec_counts)
    try:
        ref = jpeglite.decode(data, threads=1)
    except jpeglite.JPEGError as e:
        for t in threads:
            with pytest.raises(jpeglite.JPEGError) as info:
                jpeglite.decode(data, threads=t)
            assert str(info.value) == str(e)
        return [a - b for a, b in zip(_decoder.spec_counts, before)]
    for t in threads:
        np.testing.assert_array_equal(jpeglite.decode(data, threads=t), ref, err_msg=f"threads={t}")
    return [a - b for a, b in zip(_decoder.spec_counts, before)]


@pytest.mark.parametrize("at", [0.02, 0.3, 0.5, 0.8])
@pytest.mark.parametrize("options", [dict(subsampling=2), dict(subsampling=1),
                                     dict(subsampling=0), dict(gray=True)], ids=str)
def test_kept_and_exact(speculate, at, options):
    """A photo without restart markers: the speculative MCUs are kept (every
    thread count) and the pixels are the serial decode's and Pillow's."""
    options = dict(options)
    speculate(at=at)
    data = pillow_jpeg(photo(200, 264, gray=options.pop("gray", False)), quality=85, **options)
    dropped, kept = decode_both(data)
    assert kept == 3 and dropped == 0
    with Image.open(io.BytesIO(data)) as im:
        np.testing.assert_array_equal(jpeglite.decode(data, threads=2), np.asarray(im))


@pytest.mark.parametrize("budget", [0.24, 0.3, 0.35, 0.5])
def test_store_covers_part(speculate, budget):
    """A store of a few MCUs (the chunk buffers take 0.22 of this budget, so
    at 0.3 the store holds about 8 MCUs, under a row of 12): they are kept,
    and decoding goes on from the speculative decoder's state after them,
    mid-row; a store too small to get in step (0.24) is dropped."""
    speculate(at=0.4, budget=budget)
    for sub in ("4:2:0", "4:4:4"):
        data = jpeglite.encode(photo(150, 190), 80, subsampling=sub)
        dropped, kept = decode_both(data)
        assert (kept, dropped) == ((0, 3) if budget < 0.25 else (3, 0))


def test_speculation_past_the_end_is_dropped(speculate):
    """Data after the last MCU that decodes as more MCUs: the speculative
    decoder went past the scan's end, so its MCUs are dropped (and the
    serial decode, which stops at the last MCU, decides the pixels)."""
    speculate(at=0.5)
    data = jpeglite.encode(photo(64, 96), 80, subsampling="4:2:0")
    eoi = data.rindex(b"\xff\xd9")
    junk = bytes(np.random.default_rng(1).integers(0, 255, 3000, dtype=np.uint8))
    dropped, kept = decode_both(data[:eoi] + junk + data[eoi:])
    assert dropped == 3 and kept == 0


@pytest.mark.parametrize("at", [0.97, 0.999])
def test_never_in_step(speculate, at):
    """Starting in the last bytes, the speculative decoder has no MCU start
    in common with the serial one (or none before the end): dropped, exact."""
    speculate(at=at)
    data = pillow_jpeg(photo(96, 128), quality=90)
    dropped, kept = decode_both(data)
    assert dropped + kept == 3


def damaged(seed):
    """A 120x160 file with four bytes of its scan changed (odd seeds) or cut
    inside its scan (even seeds)."""
    rng = np.random.default_rng(seed)
    data = bytearray(pillow_jpeg(photo(120, 160), quality=80, subsampling=2))
    sos = data.index(b"\xff\xda")
    if seed % 2:
        for _ in range(4):
            data[int(rng.integers(sos + 20, len(data) - 2))] = int(rng.integers(0, 256))
    else:
        data = data[:int(rng.integers(sos + 20, len(data) - 2))]
    return data


@pytest.mark.parametrize("seed", range(6))
def test_damaged_and_cut_data(speculate, seed):
    """Bytes changed or the data cut in either half: the same pixels, or the
    same error, as the serial decode."""
    data = damaged(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        decode_both(bytes(data))


def test_markers_inside_the_scan(speculate):
    """Stray markers inside the data of a scan without restart interval
    (libjpeg: corrupt data): speculation runs in the data before the first
    one only, and the pixels are the serial decode's."""
    data = bytearray(jpeglite.encode(photo(64, 64), 85, restart_interval=2))
    start = data.index(b"\xff\xdd")
    # the DRI segment dropped: the RST markers are now strays in the data
    data = data[:start] + data[start + 6:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dropped, kept = decode_both(bytes(data))
    assert dropped + kept == 3


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(h=st.integers(9, 90), w=st.integers(9, 90), gray=st.booleans(),
       subsampling=st.sampled_from(["4:4:4", "4:2:2", "4:2:0"]), noise=st.booleans(),
       at=st.floats(0.01, 0.99), budget=st.sampled_from([0.001, 0.05, 8.0]),
       threads=st.integers(2, 4), seed=st.integers(0, 2 ** 16))
def test_property_random_images(speculate, h, w, gray, subsampling, noise, at, budget, threads,
                                seed):
    """Random images (noise or photo crops), any start and store: the serial pixels."""
    speculate(at=at, budget=budget)
    if noise:
        arr = np.random.default_rng(seed).integers(0, 256, (h, w) if gray else (h, w, 3),
                                                   dtype=np.uint8)
    else:
        arr = photo(h, w, gray)
    data = jpeglite.encode(arr, 90, subsampling=subsampling)
    decode_both(data, threads=(threads,))


@pytest.mark.parametrize("path", corpus_params(JPEGS[:12]), ids=lambda p: getattr(p, "name", p))
def test_corpus_files(speculate, path):
    speculate(at=0.5)
    decode_both(path.read_bytes(), threads=(2, 4))


def test_two_threads_speculate_cooperatively(monkeypatch):
    # the pipeline keeps two threads busy: on two, a speculative decoder of
    # its own would only take their time (SPEC_MIN_THREADS); the pool thread
    # speculates when it would wait instead (_SingleScan.spec_idle)
    monkeypatch.setattr(_decoder, "CHUNK_PIXELS", 1)
    monkeypatch.setattr(parallel, "DECODE_MIN_PIXELS", 1)
    data = jpeglite.encode(photo(96, 96), 90)
    serial = jpeglite.decode(data, threads=1)
    ran = []
    for threads in (2, 3):
        before = sum(_decoder.spec_counts)
        assert np.array_equal(jpeglite.decode(data, threads=threads), serial)
        ran.append(sum(_decoder.spec_counts) - before)
    assert ran == [1, 1]


@pytest.fixture
def cooperative(monkeypatch):
    """As `speculate`, with the cooperative speculation of two threads
    (whether its MCUs are kept depends on the threads' timing: only the
    pixels are asserted)."""
    return _pipelined(monkeypatch, spec_min_threads=3)


@pytest.mark.parametrize("at", [0.02, 0.3, 0.5, 0.8, 0.999])
@pytest.mark.parametrize("budget", [0.24, 0.3, 8.0])
@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:0"])
def test_cooperative_exact(cooperative, at, budget, subsampling):
    """Cooperative speculation from anywhere, with any store: each decode
    sets it up once and gives the serial pixels, kept or not."""
    cooperative(at=at, budget=budget)
    data = jpeglite.encode(photo(150, 190), 80, subsampling=subsampling)
    for _ in range(3):
        dropped, kept = decode_both(data, threads=(2,))
        assert dropped + kept == 1


@pytest.mark.parametrize("seed", range(6))
def test_cooperative_damaged_and_cut_data(cooperative, seed):
    """Damaged or cut data with cooperative speculation: the serial pixels or error."""
    data = damaged(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(3):
            decode_both(bytes(data), threads=(2,))


def test_cooperative_past_the_end(cooperative):
    """Junk after the last MCU that decodes as more MCUs: the serial pixels."""
    data = jpeglite.encode(photo(64, 96), 80, subsampling="4:2:0")
    eoi = data.rindex(b"\xff\xd9")
    junk = bytes(np.random.default_rng(1).integers(0, 255, 3000, dtype=np.uint8))
    for _ in range(3):
        decode_both(data[:eoi] + junk + data[eoi:], threads=(2,))


@pytest.mark.parametrize("path", corpus_params(JPEGS[:12]), ids=lambda p: getattr(p, "name", p))
def test_cooperative_corpus_files(cooperative, path):
    decode_both(path.read_bytes(), threads=(2,))
