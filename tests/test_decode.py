"""jpeglite.decode against Pillow on files Pillow writes, and its refusals."""
import io
import struct
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import jpeglite
from jpeglite import JPEGError

from conftest import kodak, needs_corpus

Image = pytest.importorskip("PIL.Image")


def pillow_jpeg(arr, **options):
    """Bytes of arr saved by Pillow (libjpeg-turbo) with the given save options."""
    buf = io.BytesIO()
    mode = {2: "L", 3: "RGB"}[arr.ndim if arr.ndim == 2 else 3]
    Image.fromarray(arr, mode).save(buf, "JPEG", **options)
    return buf.getvalue()


def pillow_pixels(data):
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im)


def assert_same_as_pillow(data):
    out = jpeglite.decode(data)
    ref = pillow_pixels(data)
    assert out.shape == ref.shape
    np.testing.assert_array_equal(out, ref)
    return out


@pytest.fixture(scope="module")
def photo():
    """A 160 x 120 crop of a Kodak photo at an odd offset: real detail, and
    sizes that are not multiples of 16."""
    return np.ascontiguousarray(kodak(0)[37:37 + 121, 50:50 + 163])


# ---- the Pillow option matrix -------------------------------------------------------

@pytest.mark.parametrize("subsampling", [0, 1, 2])
@pytest.mark.parametrize("quality", [1, 10, 50, 75, 90, 95, 100])
def test_baseline_qualities_and_subsamplings(photo, quality, subsampling):
    assert_same_as_pillow(pillow_jpeg(photo, quality=quality, subsampling=subsampling))


@pytest.mark.parametrize("subsampling", [0, 1, 2])
@pytest.mark.parametrize("quality", [30, 75, 97])
def test_progressive(photo, quality, subsampling):
    data = pillow_jpeg(photo, quality=quality, subsampling=subsampling, progressive=True)
    assert data.count(b"\xff\xda") > 1
    assert_same_as_pillow(data)


@pytest.mark.parametrize("optimize", [False, True])
@pytest.mark.parametrize("progressive", [False, True])
def test_optimized_huffman_tables(photo, optimize, progressive):
    assert_same_as_pillow(pillow_jpeg(photo, quality=80, optimize=optimize,
                                      progressive=progressive))


@pytest.mark.parametrize("option", [dict(restart_marker_blocks=1), dict(restart_marker_blocks=7),
                                    dict(restart_marker_rows=1), dict(restart_marker_rows=3)])
@pytest.mark.parametrize("subsampling", [0, 2])
@pytest.mark.parametrize("progressive", [False, True])
def test_restart_markers(photo, option, subsampling, progressive):
    data = pillow_jpeg(photo, quality=85, subsampling=subsampling, progressive=progressive,
                       **option)
    assert b"\xff\xdd" in data and b"\xff\xd0" in data
    assert_same_as_pillow(data)


@pytest.mark.parametrize("progressive", [False, True])
@pytest.mark.parametrize("quality", [20, 75, 100])
def test_grayscale(photo, quality, progressive):
    gray = np.ascontiguousarray(photo[..., 1])
    out = assert_same_as_pillow(pillow_jpeg(gray, quality=quality, progressive=progressive))
    assert out.ndim == 2


def test_cmyk_written_by_pillow(photo):
    buf = io.BytesIO()
    Image.fromarray(photo).convert("CMYK").save(buf, "JPEG", quality=90)
    out = assert_same_as_pillow(buf.getvalue())
    assert out.shape == photo.shape[:2] + (4,)


def test_rgb_kept_as_rgb(photo):
    # keep_rgb writes an Adobe APP14 marker with transform 0 and no JFIF
    data = pillow_jpeg(photo, quality=90, keep_rgb=True)
    assert b"Adobe" in data and b"JFIF" not in data
    assert_same_as_pillow(data)


def test_16_bit_quantization_tables(photo):
    # entries above 255 force 16-bit DQT tables (and SOF1)
    table = list(range(200, 264)) * 1
    data = pillow_jpeg(photo, qtables=[table, table], subsampling=2)
    assert_same_as_pillow(data)


SIZES = [(1, 1), (1, 17), (17, 1), (2, 2), (3, 5), (15, 9), (16, 16), (17, 17), (33, 65),
         (65, 33), (8, 200), (200, 8), (31, 2)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("subsampling", [0, 1, 2])
def test_odd_sizes(size, subsampling):
    h, w = size
    rng = np.random.default_rng(h * 1000 + w)
    # smooth gradient plus noise: both flat and busy blocks
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([(xx * 7 + yy * 3) % 256, (yy * 11) % 256, (xx * 5 + 60) % 256], -1)
    arr = np.clip(base + rng.integers(-40, 40, base.shape), 0, 255).astype(np.uint8)
    for progressive in (False, True):
        data = pillow_jpeg(arr, quality=90, subsampling=subsampling, progressive=progressive)
        out = assert_same_as_pillow(data)
        assert out.shape == (h, w, 3)


def test_read_a_file(tmp_path, photo):
    p = tmp_path / "x.jpg"
    p.write_bytes(pillow_jpeg(photo))
    np.testing.assert_array_equal(jpeglite.read(p), jpeglite.read(str(p)))
    np.testing.assert_array_equal(jpeglite.read(p), pillow_pixels(p.read_bytes()))


# ---- arguments -----------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["a string", None, 3, [0xFF, 0xD8], np.zeros(10, np.uint8)])
def test_decode_refuses_non_bytes(bad):
    with pytest.raises(TypeError):
        jpeglite.decode(bad)


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "10"])
def test_decode_refuses_bad_max_pixels(photo, bad):
    with pytest.raises(ValueError):
        jpeglite.decode(pillow_jpeg(photo), max_pixels=bad)


# ---- malformed data ------------------------------------------------------------------

@pytest.fixture(scope="module")
def small():
    """A small 4:2:0 file with restart markers, and its segment offsets."""
    rng = np.random.default_rng(5)
    arr = rng.integers(0, 256, (24, 40, 3), dtype=np.uint8)
    return pillow_jpeg(arr, quality=80, subsampling=2, restart_marker_blocks=2)


def segments(data):
    """(marker code, offset of its 0xFF, payload start, end) for the header segments."""
    out = []
    p = 2
    while True:
        assert data[p] == 0xFF
        code = data[p + 1]
        length = struct.unpack(">H", data[p + 2:p + 4])[0]
        out.append((code, p, p + 4, p + 2 + length))
        if code == 0xDA:
            return out
        p += 2 + length


def test_truncation_at_every_segment_boundary_and_inside(small):
    cuts = set()
    for code, ff, start, end in segments(small):
        cuts.update({ff, ff + 1, ff + 2, ff + 3, start, (start + end) // 2, end - 1})
    cuts.update(range(len(small) - 40, len(small)))     # inside the entropy-coded data
    cuts.discard(len(small))
    for n in sorted(cuts):
        with pytest.raises(JPEGError) as info:
            jpeglite.decode(small[:n])
        assert info.value.offset is not None and 0 <= info.value.offset <= n, n


def test_truncated_messages_say_truncated(small):
    for n in (len(small) - 2, len(small) - 30, segments(small)[2][2] + 5):
        with pytest.raises(JPEGError, match="truncated"):
            jpeglite.decode(small[:n])


def test_not_a_jpeg():
    with pytest.raises(JPEGError, match="SOI"):
        jpeglite.decode(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(JPEGError):
        jpeglite.decode(b"")


def _sof(data):
    for code, ff, start, end in segments(data):
        if code in (0xC0, 0xC1, 0xC2):
            return ff, start


def _patch(data, offset, new):
    return data[:offset] + bytes(new) + data[offset + len(new):]


def test_zero_dimensions(small):
    ff, start = _sof(small)
    for field in (start + 1, start + 3):    # height, width
        with pytest.raises(JPEGError, match="empty image") as info:
            jpeglite.decode(_patch(small, field, b"\x00\x00"))
        assert info.value.offset == start + 1


def test_max_pixels_checked_before_allocating(small):
    ff, start = _sof(small)
    huge = _patch(small, start + 1, b"\xff\xff\xff\xff")     # 65535 x 65535
    with pytest.raises(JPEGError, match="max_pixels"):
        jpeglite.decode(huge)
    with pytest.raises(JPEGError, match="max_pixels"):
        jpeglite.decode(small, max_pixels=24 * 40 - 1)
    assert jpeglite.decode(small, max_pixels=24 * 40).shape == (24, 40, 3)


def test_dct_precision_other_than_8_or_12_refused(small):
    # 12-bit frames decode (tests/test_12bit.py); libjpeg reads no other DCT precision
    ff, start = _sof(small)
    with pytest.raises(JPEGError, match="8 or 12") as info:
        jpeglite.decode(_patch(small, start, b"\x0a"))
    assert info.value.offset == start
    assert jpeglite.decode(_patch(small, start, b"\x0c")).dtype == np.uint16


@pytest.mark.parametrize("code,name", [(0xC5, "hierarchical"),
                                       (0xCB, "arithmetic"), (0xCF, "arithmetic")])
def test_unsupported_processes_named(small, code, name):
    ff, start = _sof(small)
    with pytest.raises(JPEGError, match=name) as info:
        jpeglite.decode(_patch(small, ff + 1, [code]))
    assert info.value.offset == ff


def test_bad_sampling_factors(small):
    ff, start = _sof(small)
    with pytest.raises(JPEGError, match="more than 10 blocks"):
        jpeglite.decode(_patch(small, start + 7, [0x33]))     # 9 + 1 + 1 blocks
    for hv in (0x00, 0x50, 0x05, 0x10):
        with pytest.raises(JPEGError, match="sampling"):
            jpeglite.decode(_patch(small, start + 7, [hv]))
    # 3x3 next to 2x2 is not an integer ratio
    bad = _patch(_patch(small, start + 7, [0x33]), start + 10, [0x22])
    with pytest.raises(JPEGError, match="fractional"):
        jpeglite.decode(bad)


def test_bad_table_ids(small):
    ff, start = _sof(small)
    with pytest.raises(JPEGError, match="quantization table id"):
        jpeglite.decode(_patch(small, start + 8, [4]))
    for code, sff, s, e in segments(small):
        if code == 0xDB:
            with pytest.raises(JPEGError, match="DQT table id"):
                jpeglite.decode(_patch(small, s, [0x05]))
        if code == 0xC4:
            with pytest.raises(JPEGError, match="DHT"):
                jpeglite.decode(_patch(small, s, [0x24]))
        if code == 0xDA:
            with pytest.raises(JPEGError, match="Huffman table id 4"):
                jpeglite.decode(_patch(small, s + 2, [0x44]))
            with pytest.raises(JPEGError, match="component id"):
                jpeglite.decode(_patch(small, s + 1, [0x77]))


def test_undefined_tables(small):
    ff, start = _sof(small)
    # quantization slot 3 was never defined
    with pytest.raises(JPEGError, match="quantization table 3"):
        jpeglite.decode(_patch(small, start + 8, [3]))
    for code, sff, s, e in segments(small):
        if code == 0xDA:
            with pytest.raises(JPEGError, match="Huffman table 2"):
                jpeglite.decode(_patch(small, s + 2, [0x22]))


def test_bad_lengths(small):
    for code, ff, s, e in segments(small):
        if code in (0xDB, 0xC4, 0xC0, 0xDA, 0xDD):
            length = e - s + 2
            with pytest.raises(JPEGError):
                jpeglite.decode(_patch(small, ff + 2, struct.pack(">H", length - 1)))


def test_sos_before_sof(small):
    segs = segments(small)
    sof = [s for s in segs if s[0] == 0xC0][0]
    without = small[:sof[1]] + small[sof[3]:]
    with pytest.raises(JPEGError, match="SOS before any SOF"):
        jpeglite.decode(without)


def test_junk_and_fill_between_markers_tolerated(small):
    segs = segments(small)
    sof = [s for s in segs if s[0] == 0xC0][0]
    junk = small[:sof[1]] + b"junk\x00\x12\xff\xff\xff" + small[sof[1]:]
    np.testing.assert_array_equal(jpeglite.decode(junk), pillow_pixels(junk))


def test_bad_progression_refused(photo):
    data = pillow_jpeg(photo, quality=75, progressive=True)
    sos = data.index(b"\xff\xda")
    ns = data[sos + 4]
    p = sos + 5 + 2 * ns          # Ss, Se, AhAl of the first (DC) scan
    with pytest.raises(JPEGError, match="progression"):
        jpeglite.decode(_patch(data, p + 1, [5]))        # DC scan with Se = 5
    with pytest.raises(JPEGError, match="progression"):
        jpeglite.decode(_patch(data, p + 2, [0x0E]))     # Al = 14


def test_restart_markers_out_of_order_resync_like_pillow(small):
    # swap RST1 for RST5: libjpeg resynchronises; decode must not fail and must
    # give Pillow's pixels
    i = small.index(b"\xff\xd1")
    bad = _patch(small, i + 1, [0xD5])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(jpeglite.decode(bad), pillow_pixels(bad))


def test_premature_eoi_inside_scan_gives_pillow_pixels(small):
    # corrupt data that runs into a marker is zero-filled, as libjpeg does
    cut = small[:len(small) - 30] + b"\xff\xd9"
    np.testing.assert_array_equal(jpeglite.decode(cut), pillow_pixels(cut))


def test_too_many_scans_refused(photo):
    data = pillow_jpeg(photo, quality=75, progressive=True)
    last = data.rindex(b"\xff\xda")
    # append the last (refinement) scan over and over: 1001 scans in all
    scan = data[last:-2]
    nscans = data.count(b"\xff\xda")
    many = data[:-2] + scan * (1001 - nscans) + b"\xff\xd9"
    with pytest.raises(JPEGError, match="scans"):
        jpeglite.decode(many)


# ---- random damage -------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds(photo):
    crop = np.ascontiguousarray(photo[:20, :28])
    return [pillow_jpeg(crop, quality=70, subsampling=2),
            pillow_jpeg(crop, quality=90, subsampling=0, progressive=True),
            pillow_jpeg(crop[..., 0].copy(), quality=60, restart_marker_blocks=1)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 2), edits=st.lists(
    st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=6),
    cut=st.one_of(st.none(), st.floats(0, 1)))
def test_random_damage_gives_array_or_jpegerror(seeds, which, edits, cut):
    data = bytearray(seeds[which])
    for where, value in edits:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[:int(cut * len(data))]
    try:
        out = jpeglite.decode(bytes(data))
    except JPEGError as e:
        assert e.offset is None or 0 <= e.offset <= len(data)
        return
    assert out.dtype == np.uint8 and out.ndim in (2, 3)


# ---- colour space decisions (libjpeg's rules, checked against Pillow) ------------------

def _drop_segment(data, code):
    for c, ff, start, end in segments(data):
        if c == code:
            return data[:ff] + data[end:]
    raise AssertionError(f"no 0xFF{code:02X} segment")


def test_rgb_guessed_from_component_ids(photo):
    # no JFIF, no Adobe marker: component ids 'R', 'G', 'B' mean RGB
    data = _drop_segment(pillow_jpeg(photo, quality=90, keep_rgb=True), 0xEE)
    assert b"Adobe" not in data and b"JFIF" not in data
    np.testing.assert_array_equal(jpeglite.decode(data), pillow_pixels(data))


def test_ycbcr_assumed_without_markers(photo):
    data = _drop_segment(pillow_jpeg(photo, quality=90), 0xE0)
    assert b"JFIF" not in data
    np.testing.assert_array_equal(jpeglite.decode(data), pillow_pixels(data))


@pytest.mark.parametrize("transform", [0, 1, 2, 7])
def test_adobe_transform_flag_on_three_components(photo, transform):
    data = pillow_jpeg(photo, quality=90, keep_rgb=True)
    i = data.index(b"Adobe")
    data = _patch(data, i + 11, [transform])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(jpeglite.decode(data), pillow_pixels(data))


def _after_first_scan(data, segment):
    """data with segment inserted before the marker that ends its first scan."""
    from jpeglite._decoder import find_marker
    sos = data.index(b"\xff\xda")
    end = find_marker(data, sos + 2 + struct.unpack(">H", data[sos + 2:sos + 4])[0])
    return data[:end] + segment + data[end:]


@pytest.mark.parametrize("progressive", [False, True])
@pytest.mark.parametrize("kind", ["cmyk", "rgb"])
def test_colour_markers_after_the_first_scan_change_nothing(photo, kind, progressive):
    # libjpeg settles the colour space at the first SOS (jpeg_read_header): a
    # JFIF or Adobe marker between scans or before EOI changes no colour. Found
    # by fuzzing: read_coefficients took a late Adobe flag, decode did not.
    if kind == "cmyk":
        buf = io.BytesIO()
        Image.fromarray(photo).convert("CMYK").save(buf, "JPEG", quality=90,
                                                   progressive=progressive)
        data = buf.getvalue()
        late = b"\xff\xee\x00\x0eAdobe\x00\x64\x00\x00\x00\x00\x02"  # YCCK
    else:
        data = pillow_jpeg(photo, quality=90, keep_rgb=True, progressive=progressive)
        late = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    data = _after_first_scan(data, late)
    want = pillow_pixels(data)
    np.testing.assert_array_equal(jpeglite.decode(data), want)
    coefficients = jpeglite.read_coefficients(data)
    assert coefficients.color == kind
    np.testing.assert_array_equal(
        jpeglite.decode(jpeglite.encode_coefficients(coefficients)), want)
    assert jpeglite.info(data).color == kind


def test_second_scan_in_single_scan_file_refused_like_pillow(small):
    # Pillow (libjpeg) stops with "broken data stream" here
    sos = small.index(b"\xff\xda")
    doubled = small[:-2] + small[sos:-2] + b"\xff\xd9"
    with pytest.raises(Exception):
        pillow_pixels(doubled)
    with pytest.raises(JPEGError, match="second scan"):
        jpeglite.decode(doubled)


@needs_corpus
def test_multi_scan_sequential_files_decode_like_pillow(photo):
    # one scan per component (non-interleaved): libjpeg buffers the coefficients
    from conftest import CORPUS
    data = (CORPUS / "jpeg" / "libjxl-testdata_flower_small.q85_420_non_interleaved.jpg").read_bytes()
    assert data.count(b"\xff\xda") == 3
    np.testing.assert_array_equal(jpeglite.decode(data), pillow_pixels(data))


def test_concurrent_decodes_match_sequential(photo, small):
    # the kernels run without the GIL; shared state is read-only
    from concurrent.futures import ThreadPoolExecutor
    inputs = [pillow_jpeg(photo, quality=q, subsampling=s, progressive=p)
              for q in (30, 90) for s in (0, 2) for p in (False, True)] + [small]
    expected = [jpeglite.decode(d) for d in inputs]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            got = list(pool.map(jpeglite.decode, inputs))
            for a, b in zip(got, expected):
                np.testing.assert_array_equal(a, b)


# ---- every sampling layout libjpeg accepts ---------------------------------------------

SAMPLINGS = [(0x41, 0x11, 0x11), (0x14, 0x11, 0x11), (0x31, 0x11, 0x11), (0x13, 0x11, 0x11),
             (0x42, 0x11, 0x11), (0x24, 0x11, 0x11), (0x22, 0x21, 0x12), (0x21, 0x12, 0x11),
             (0x12, 0x11, 0x12), (0x41, 0x21, 0x11), (0x22, 0x22, 0x11), (0x11, 0x22, 0x11),
             (0x44, 0x22, 0x22)]


@pytest.mark.parametrize("factors", SAMPLINGS, ids=lambda f: "-".join(f"{x:02x}" for x in f))
@pytest.mark.parametrize("progressive", [False, True])
def test_sampling_layouts_match_pillow(photo, factors, progressive):
    # Rewriting the SOF's sampling factors of a 4:4:4 file makes the same
    # entropy-coded bytes describe another layout (3x1, 1x3, 4x2, ...): the
    # pixels are nonsense but fully determined, so both decoders must agree
    # (upsampling by replication, the triangular filters, the MCU geometry)
    data = pillow_jpeg(photo[:77, :141].copy(), quality=95, subsampling=0,
                       progressive=progressive)
    ff, start = _sof(data)
    for i, hv in enumerate(factors):
        data = _patch(data, start + 7 + 3 * i, [hv])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ref = pillow_pixels(data)
        except Exception:                       # more than 10 blocks per MCU
            with pytest.raises(JPEGError):
                jpeglite.decode(data)
            return
    np.testing.assert_array_equal(jpeglite.decode(data), ref)


def test_bad_segment_after_the_single_scan_ignored_like_pillow(small):
    # a corrupt byte turns entropy-coded data into an APP9 marker with a length
    # past the end: the scan decodes as zeros from there and the image is
    # complete, so libjpeg (Pillow) returns it without reading that segment
    i = len(small) - 60
    bad = small[:i] + b"\xff\xe9\xee\xee" + small[i + 4:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(jpeglite.decode(bad), pillow_pixels(bad))


def test_missing_eoi_is_truncation_like_pillow(small):
    with pytest.raises(Exception):
        pillow_pixels(small[:-2])
    with pytest.raises(JPEGError, match="truncated"):
        jpeglite.decode(small[:-2])


@pytest.fixture(scope="module")
def baseline_seeds(photo):
    crop = np.ascontiguousarray(photo[:40, :56])
    return [pillow_jpeg(crop, quality=80, subsampling=2, restart_marker_blocks=2),
            pillow_jpeg(crop, quality=80, subsampling=0),
            pillow_jpeg(crop, quality=60, subsampling=1, restart_marker_rows=1)]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 2), edits=st.lists(
    st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=3))
def test_damaged_baseline_files_decode_like_pillow(baseline_seeds, which, edits):
    # corrupt data: invalid codes, markers appearing inside the entropy-coded
    # data, broken restart sequences, damaged tables.  Where Pillow still
    # returns an image, it must be ours pixel for pixel.  (Progressive files
    # are left out: libjpeg block-smooths some damaged ones.)
    data = bytearray(baseline_seeds[which])
    for where, value in edits:
        data[2 + int(where * (len(data) - 2))] = value
    data = bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ref = pillow_pixels(data)
        except Exception:
            return
    try:
        out = jpeglite.decode(data)
    except JPEGError as e:
        # the known divergences: the data ends without a marker, and our
        # read-ahead (longer than libjpeg's) reaches that end; a damaged
        # SOF claims more blocks than the data has bits (refused as a bomb)
        assert ("without a marker" in str(e) or "before the EOI" in str(e)
                or "too short for its frame" in str(e))
        return
    np.testing.assert_array_equal(out, ref)


def test_complete_scan_after_a_partial_one_is_multi_scan_as_in_libjpeg():
    """A sequential file whose first scan holds only Y and whose second holds
    every component (damaged here): libjpeg settles multi-scan mode at the
    first scan, so the second decodes over what the first left in the
    coefficients. The fused single-scan path must not take it (it did: 377
    samples differed from Pillow)."""
    from pathlib import Path

    data = (Path(__file__).parent / "hostile" / "partial_scan_then_complete_scan.jpg").read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pillow_pixels(data)
    for threads in (1, 2):
        np.testing.assert_array_equal(jpeglite.decode(data, threads=threads), ref)
