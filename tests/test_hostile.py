"""Hostile input: whatever bytes decode() is given, it returns an image or raises JPEGError.

Valid files (written by Pillow and by jpeglite, and small files from other encoders in the
corpus) are mutated the ways real damage and real attacks look: bit flips, overwritten
bytes, truncation, insertions and deletions, segments spliced from another file, corrupted
segment lengths and frame dimensions. The law checked for every mutant: ``decode`` returns
a uint8 array of a sane shape, or raises ``jpeglite.JPEGError`` with a message and an
offset inside the input — never another exception, never a crash, never a hang.

Hypothesis runs derandomized so CI is repeatable; the atheris harness in fuzz/ explores
further (see fuzz/README.md).
"""
import io
import os
import pathlib
import struct
import threading
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpeglite
from conftest import CORPUS

HOSTILE = sorted((__import__("pathlib").Path(__file__).parent / "hostile").glob("*.jpg"))
# CI's sanitizer step runs fewer examples (JPEGLITE_HYPOTHESIS_SCALE scales them down)
SCALE = float(os.environ.get("JPEGLITE_HYPOTHESIS_SCALE", "1"))


def examples(n):
    return max(10, int(n * SCALE))

# Small files only: each mutant is decoded, and there are thousands of them.
CORPUS_SEEDS = [
    "libjpeg-turbo_testorig.jpg",      # baseline 4:2:0
    "libjpeg-turbo_testimgp.jpg",      # progressive 4:2:0
    "libjpeg-turbo_testimggray.jpg",   # grayscale
    "pillow_hopper_16bit_qtables.jpg",  # SOF1, 16-bit tables
    "pillow_app13.jpg",                # 4x4 with APP13
    "pillow_pil_sample_cmyk.jpg",      # Adobe CMYK
    "libjpeg-turbo_testimgari.jpg",    # arithmetic sequential 4:2:0 (SOF9)
]
MAX_PIXELS = 1 << 22  # keeps every mutant's work small


def _pillow_jpeg(arr, **opts):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", **opts)
    return buf.getvalue()


def _make_seeds():
    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 256, (24, 19, 3), dtype=np.uint8)
    gray = rng.integers(0, 256, (9, 13), dtype=np.uint8)
    seeds = [
        _pillow_jpeg(rgb, quality=75),
        _pillow_jpeg(rgb, quality=90, progressive=True),
        _pillow_jpeg(rgb, quality=50, subsampling=0, progressive=True, optimize=True),
        _pillow_jpeg(rgb, quality=80, subsampling=1, restart_marker_blocks=1),
        _pillow_jpeg(gray, quality=60),
        jpeglite.encode(rgb, 75),
        jpeglite.encode(rgb, 90, subsampling="4:4:4", optimize=True, restart_interval=2),
        jpeglite.encode(gray, 40, restart_interval=1),
    ]
    # arithmetic-coded (cjpeg -arithmetic): restarts, progressive (SOF10), grey
    arith = pathlib.Path(__file__).parent / "data" / "arith"
    seeds += [(arith / name).read_bytes()
              for name in ("tiny_420_rst.jpg", "tiny_prog444.jpg", "tiny_grey.jpg")]
    for name in CORPUS_SEEDS if CORPUS else ():   # without the corpus: the seeds made above
        path = CORPUS / "jpeg" / name
        if path.exists():
            seeds.append(path.read_bytes())
    return seeds


SEEDS = _make_seeds()


def segments(data):
    """(offset, marker, length) of each length-carrying segment before the first SOS's data."""
    out, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        out.append((i, marker, length))
        if marker == 0xDA:
            break
        i += 2 + length
    return out


def assert_reported(exc, data):
    """A JPEGError carries a message and an offset inside the input."""
    assert str(exc)
    assert exc.offset is not None and 0 <= exc.offset <= len(data)


def assert_decodes_or_refuses(data):
    try:
        out = jpeglite.decode(data, max_pixels=MAX_PIXELS)
    except jpeglite.JPEGError as exc:
        assert_reported(exc, data)
        return None
    # decode's dtype rule: uint8 for 8-bit samples, uint16 for 12-bit and lossless
    assert isinstance(out, np.ndarray) and out.dtype in (np.uint8, np.uint16)
    assert out.ndim in (2, 3) and out.shape[0] >= 1 and out.shape[1] >= 1
    assert out.shape[0] * out.shape[1] <= MAX_PIXELS
    return out


def assert_analyzes_or_refuses(data):
    """analyze(bytes) has decode's guarantees: a Report whose parts add up to the
    file, or a JPEGError with an offset inside the input."""
    try:
        r = jpeglite.analyze(data, max_pixels=MAX_PIXELS)
    except jpeglite.JPEGError as exc:
        assert_reported(exc, data)
        return None
    assert r.kind == "file"
    assert r.model_bits + r.header_bits + r.data_bits + r.metadata_bits == 8 * len(data)
    assert r.width * r.height <= MAX_PIXELS
    return r


def test_every_seed_is_valid_or_refused():
    decoded = [assert_decodes_or_refuses(s) for s in SEEDS]
    # every seed decodes: the mutants start from working files
    assert all(d is not None for d in decoded)


fraction = st.floats(min_value=0, max_value=1, exclude_max=True)
mutation = st.one_of(
    st.tuples(st.just("flip"), fraction, st.integers(0, 7)),
    st.tuples(st.just("set"), fraction, st.integers(0, 255)),
    st.tuples(st.just("truncate"), fraction),
    st.tuples(st.just("insert"), fraction, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), fraction, st.integers(1, 64)),
    st.tuples(st.just("splice"), fraction, st.integers(0, len(SEEDS) - 1), fraction, st.integers(1, 512)),
    st.tuples(st.just("length"), st.integers(0, 15), st.integers(0, 0xFFFF)),
    st.tuples(st.just("dims"), st.integers(0, 0xFFFF), st.integers(0, 0xFFFF)),
    st.tuples(st.just("marker"), fraction, st.sampled_from(
        [0xD8, 0xD9, 0xDA, 0xDB, 0xC4, 0xC0, 0xC2, 0xC9, 0xCA, 0xCC, 0xDD, 0xD0, 0xD5,
         0xFF, 0x00])),
)


def mutate(data, ops):
    buf = bytearray(data)
    for op in ops:
        if not buf:
            break
        kind = op[0]
        if kind == "flip":
            buf[int(op[1] * len(buf))] ^= 1 << op[2]
        elif kind == "set":
            buf[int(op[1] * len(buf))] = op[2]
        elif kind == "truncate":
            del buf[int(op[1] * len(buf)):]
        elif kind == "insert":
            i = int(op[1] * len(buf))
            buf[i:i] = op[2]
        elif kind == "delete":
            i = int(op[1] * len(buf))
            del buf[i:i + op[2]]
        elif kind == "splice":
            donor = SEEDS[op[2]]
            j = int(op[3] * len(donor))
            i = int(op[1] * len(buf))
            buf[i:i] = donor[j:j + op[4]]
        elif kind == "length":
            segs = segments(bytes(buf))
            if segs:
                off = segs[op[1] % len(segs)][0]
                buf[off + 2:off + 4] = struct.pack(">H", op[2])
        elif kind == "dims":
            for off, marker, _ in segments(bytes(buf)):
                if marker in (0xC0, 0xC1, 0xC2, 0xC9, 0xCA) and off + 9 <= len(buf):
                    buf[off + 5:off + 9] = struct.pack(">HH", op[1], op[2])
        elif kind == "marker":
            i = int(op[1] * len(buf))
            buf[i:i] = bytes((0xFF, op[2]))
    return bytes(buf)


@settings(max_examples=examples(1500), deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, len(SEEDS) - 1), ops=st.lists(mutation, min_size=1, max_size=4))
def test_mutants_decode_or_raise_jpegerror(seed, ops):
    assert_decodes_or_refuses(mutate(SEEDS[seed], ops))


@settings(max_examples=examples(300), deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, len(SEEDS) - 1), ops=st.lists(mutation, min_size=1, max_size=4),
       denom=st.sampled_from([2, 4, 8]))
def test_mutants_scaled_decode_and_info_agree_with_decode(seed, ops, denom):
    """decode(scale=) refuses what decode refuses and gives its size divided
    (rounded up); info, which stops at the first scan, never fails where
    decode succeeds and gives the same size and mode."""
    data = mutate(SEEDS[seed], ops)
    full = assert_decodes_or_refuses(data)
    try:
        small = jpeglite.decode(data, scale=1 / denom, max_pixels=MAX_PIXELS)
    except jpeglite.JPEGError as exc:
        assert_reported(exc, data)
        small = None
    assert (small is None) == (full is None)
    if full is None:
        return
    assert small.shape == (-(-full.shape[0] // denom), -(-full.shape[1] // denom)) + full.shape[2:]
    i = jpeglite.info(data, max_pixels=MAX_PIXELS)
    assert (i.height, i.width) == full.shape[:2]
    assert {"L": 2, "RGB": 3, "CMYK": 4}[i.mode] == (full.shape[2] if full.ndim == 3 else 2)


@settings(max_examples=examples(400), deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, len(SEEDS) - 1), ops=st.lists(mutation, min_size=1, max_size=4))
def test_mutants_read_coefficients_or_raise_jpegerror(seed, ops):
    """read_coefficients has decode's guarantees, and what it returns writes
    back to a file that decodes to decode's pixels (or is refused as values
    no 8-bit JPEG can code)."""
    data = mutate(SEEDS[seed], ops)
    try:
        c = jpeglite.read_coefficients(data, max_pixels=MAX_PIXELS)
    except jpeglite.JPEGError as exc:
        assert_reported(exc, data)
        with pytest.raises(jpeglite.JPEGError):
            jpeglite.decode(data, max_pixels=MAX_PIXELS)
        return
    pixels = assert_decodes_or_refuses(data)
    assert pixels is not None
    try:
        again = jpeglite.encode_coefficients(c)
    except ValueError as exc:
        # values no 8-bit JPEG can code, or a table T.81 forbids (a zero
        # quantizer, which libjpeg decodes anyway), are refused, not written
        assert "category" in str(exc) or "span" in str(exc) or "values must be" in str(exc)
        return
    # (an incomplete progressive file's decode is block-smoothed; the written
    # file is complete: it decodes to the coefficients as they are)
    np.testing.assert_array_equal(jpeglite.decode(again, max_pixels=MAX_PIXELS),
                                  jpeglite.decode(data, max_pixels=MAX_PIXELS,
                                                  block_smoothing=False))


@settings(max_examples=examples(600), deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, len(SEEDS) - 1), ops=st.lists(mutation, min_size=1, max_size=4))
def test_mutants_analyze_or_raise_jpegerror(seed, ops):
    data = mutate(SEEDS[seed], ops)
    if assert_analyzes_or_refuses(data) is not None:
        # what analyze walks, decode reads (analyze is the stricter of the two)
        assert assert_decodes_or_refuses(data) is not None


@settings(max_examples=examples(300), deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=256))
def test_random_bytes_decode_or_raise_jpegerror(data):
    assert_decodes_or_refuses(data)
    assert_analyzes_or_refuses(data)


@settings(max_examples=examples(300), deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, len(SEEDS) - 1), body=st.binary(max_size=512))
def test_headers_with_garbage_scan_data(seed, body):
    """Valid tables and frame, hostile entropy-coded data."""
    data = SEEDS[seed]
    segs = [s for s in segments(data) if s[1] == 0xDA]
    if not segs:
        return
    off, _, length = segs[0]
    assert_decodes_or_refuses(data[:off + 2 + length] + body + b"\xff\xd9")
    assert_analyzes_or_refuses(data[:off + 2 + length] + body + b"\xff\xd9")


@pytest.mark.parametrize("cut", range(0, 600, 7))
def test_every_truncation_of_a_small_file_raises(cut):
    data = SEEDS[0]
    with pytest.raises(jpeglite.JPEGError):
        jpeglite.decode(data[:min(cut, len(data) - 2)])
    with pytest.raises(jpeglite.JPEGError):
        jpeglite.analyze(data[:min(cut, len(data) - 2)])


def test_frame_bomb_is_refused_before_allocating():
    """A 300-byte file that claims 60000 x 60000 pixels: refused, with no big allocation."""
    data = mutate(SEEDS[0], [("dims", 60000, 60000)])
    tracemalloc.start()
    try:
        with pytest.raises(jpeglite.JPEGError, match="(?i)pixels|max_pixels|large"):
            jpeglite.decode(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_frame_larger_than_its_data_allocates_little():
    """Under max_pixels but far more pixels than the bytes could code: refused cheaply."""
    data = mutate(SEEDS[0], [("dims", 12000, 12000)])
    tracemalloc.start()
    try:
        with pytest.raises(jpeglite.JPEGError):
            jpeglite.decode(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20


def test_max_pixels_is_honoured():
    data = SEEDS[0]  # 24 x 19
    assert jpeglite.decode(data, max_pixels=24 * 19).shape[:2] == (24, 19)
    with pytest.raises(jpeglite.JPEGError, match="(?i)pixels"):
        jpeglite.decode(data, max_pixels=24 * 19 - 1)


def test_concurrent_encode_and_decode_match_sequential():
    rng = np.random.default_rng(11)
    images = [rng.integers(0, 256, (40 + 9 * i, 33 + 5 * i, 3), dtype=np.uint8) for i in range(8)]
    opts = [dict(quality=30 + 8 * i, subsampling=("4:2:0", "4:4:4", "4:2:2")[i % 3],
                 optimize=bool(i % 2), restart_interval=i % 3) for i in range(8)]
    expected_files = [jpeglite.encode(im, **o) for im, o in zip(images, opts)]
    expected_pixels = [jpeglite.decode(f) for f in expected_files]
    files, pixels, errors = [None] * 8, [None] * 8, []

    def work(i):
        try:
            for _ in range(5):
                files[i] = jpeglite.encode(images[i], **opts[i])
                pixels[i] = jpeglite.decode(expected_files[i])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert files == expected_files
    for got, want in zip(pixels, expected_pixels):
        np.testing.assert_array_equal(got, want)


# ---- regressions: every file in tests/hostile/ ------------------------------------------

@pytest.mark.parametrize("path", HOSTILE, ids=[p.name for p in HOSTILE])
def test_stored_hostile_inputs_decode_or_raise_jpegerror(path):
    assert_decodes_or_refuses(path.read_bytes())
    assert_analyzes_or_refuses(path.read_bytes())


def _segment(marker, payload):
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def progressive_bomb(side_blocks, nscans, ss=1, se=63, refine=True):
    """A gray progressive frame of side_blocks**2 blocks whose DC scan codes each
    block in one bit, then nscans AC scans over ss..se (refinements, or first
    passes) that are nothing but EOB runs of 32767 blocks: the most decode work
    per byte a progressive file can ask for."""
    side = 8 * side_blocks
    blocks = side_blocks * side_blocks
    out = b"\xff\xd8" + _segment(0xDB, b"\x00" + bytes([1] * 64))
    out += _segment(0xC2, struct.pack(">BHHB", 8, side, side, 1) + bytes((1, 0x11, 0)))
    out += _segment(0xC4, bytes([0x00, 1] + [0] * 15 + [0x00]))   # DC: '0' -> 0
    out += _segment(0xC4, bytes([0x10, 1] + [0] * 15 + [0xE0]))   # AC: '0' -> EOB14
    out += _segment(0xDA, bytes((1, 1, 0x00, 0, 0, 0x01 if refine else 0x00)))
    out += bytes(-(-blocks // 8))
    runs = -(-blocks // 32767)
    bits = ("0" + "1" * 14) * runs                 # EOB14 with run bits 2**14 - 1
    bits += "1" * (-len(bits) % 8)
    run_data = int(bits, 2).to_bytes(len(bits) // 8, "big").replace(b"\xff", b"\xff\x00")
    for _ in range(nscans):
        out += _segment(0xDA, bytes((1, 1, 0x00, ss, se, 0x10 if refine else 0x00))) + run_data
    return out + b"\xff\xd9"


def test_bomb_regressions_are_what_they_say():
    """The stored bombs are the generator's output, so they can be remade."""
    stored = {p.name: p.read_bytes() for p in HOSTILE}
    assert stored["progressive_300_refinement_scans.jpg"] == progressive_bomb(40, 300)
    assert stored["progressive_1000_single_coefficient_scans.jpg"] == progressive_bomb(
        40, 1000, ss=1, se=1, refine=False)
    assert stored["progressive_13_refinements_valid.jpg"] == progressive_bomb(40, 13)
    assert stored["sof_12000x12000_on_24x19_data.jpg"] == mutate(SEEDS[0], [("dims", 12000, 12000)])


def test_frame_too_short_for_its_data_names_the_sof():
    data = (HOSTILE[0].parent / "sof_12000x12000_on_24x19_data.jpg").read_bytes()
    sof = data.index(b"\xff\xc0")
    for walk in (jpeglite.decode, jpeglite.analyze):
        with pytest.raises(jpeglite.JPEGError, match="too short for its frame.*bomb") as info:
            walk(data)
        assert info.value.offset == sof + 5     # its height field, as for max_pixels


def test_one_bit_per_block_is_exactly_enough():
    """The bound is tight: a frame whose data holds exactly one bit per block decodes."""
    data = progressive_bomb(40, 0)           # 1600 blocks, 200 bytes of DC bits + EOI
    assert jpeglite.decode(data).shape == (320, 320)
    sof = data.index(b"\xff\xc2")
    # one block more than the data has bits: 40 x 41 blocks
    bigger = data[:sof + 5] + struct.pack(">HH", 320, 320 + 8 * 38) + data[sof + 9:]
    with pytest.raises(jpeglite.JPEGError, match="too short"):
        jpeglite.decode(bigger)


def test_valid_progression_depth_decodes():
    """A DC pass and 13 refinements of every AC coefficient: within the work budget."""
    out = jpeglite.decode((HOSTILE[0].parent / "progressive_13_refinements_valid.jpg").read_bytes())
    assert out.shape == (320, 320) and (out == 128).all()


@pytest.mark.parametrize("name", ["progressive_300_refinement_scans.jpg",
                                  "progressive_1000_single_coefficient_scans.jpg"])
def test_scans_beyond_the_work_budget_are_refused(name):
    """Hundreds of cheap scans over the whole frame: refused once their work passes what
    a valid progression needs, long before the scan limit (the work stays proportional
    to the input)."""
    data = (HOSTILE[0].parent / name).read_bytes()
    for walk in (jpeglite.decode, jpeglite.analyze):
        with pytest.raises(jpeglite.JPEGError, match="more work than 14 full passes") as info:
            walk(data)
        # refused at a scan well before the last one
        assert info.value.offset < len(data) // 2
