"""12-bit DCT JPEG (T.81 with P = 12): decode against libjpeg-turbo 3
(imagecodecs.jpeg8_decode: its 12-bit IDCT, upsampling and colour
conversion), and encode(precision=12) against its encoder's bytes.

Progressive and arithmetic-coded 12-bit files, which no installed tool
writes, are jpeglite's (encode(precision=12, progressive=True /
arithmetic=True)), checked against libjpeg-turbo's decode and against the
sequential file of the same coefficients.
"""
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpeglite
from jpeglite import JPEGError

from conftest import corpus_params, damaged_copies_decode_as_libjpeg_turbo

DATA = Path(__file__).parent / "data" / "hibit"


def _ic():
    return pytest.importorskip("imagecodecs")


def _smooth(shape, seed):
    """A smooth 12-bit image (a random walk in both directions)."""
    a = np.random.default_rng(seed).normal(0, 1, shape).cumsum(0).cumsum(1)
    return ((a - a.min()) / (np.ptp(a) + 1e-9) * 4095).astype(np.uint16)


# ---- decode: files libjpeg-turbo wrote ----

@pytest.mark.parametrize("shape", [(1, 1), (13, 17), (16, 16), (40, 9)])
@pytest.mark.parametrize("quality", [30, 90, 100])
def test_decode_equals_libjpeg_turbo_grey(shape, quality):
    ic = _ic()
    data = ic.jpeg8_encode(_smooth(shape, quality), level=quality, bitspersample=12)
    got = jpeglite.decode(data)
    assert got.dtype == np.uint16
    np.testing.assert_array_equal(got, ic.jpeg8_decode(data))


@pytest.mark.parametrize("shape", [(1, 1, 3), (8, 9, 3), (33, 47, 3), (3, 50, 3)])
@pytest.mark.parametrize("subsampling", ["444", "422", "420", "440", "411"])
@pytest.mark.parametrize("quality", [50, 95])
def test_decode_equals_libjpeg_turbo_rgb(shape, subsampling, quality):
    ic = _ic()
    data = ic.jpeg8_encode(_smooth(shape, quality), level=quality, bitspersample=12,
                           subsampling=subsampling)
    got = jpeglite.decode(data)
    assert got.dtype == np.uint16 and got.shape == shape
    np.testing.assert_array_equal(got, ic.jpeg8_decode(data))


def _corpus_twelve():
    from conftest import CORPUS, JPEGS

    if not JPEGS:
        return []
    import csv
    with open(CORPUS / "jpeg" / "MANIFEST.tsv", newline="") as fh:
        rows = {r["filename"]: r for r in csv.DictReader(fh, delimiter="\t")}
    return [p for p in JPEGS if rows[p.name]["precision"] == "12"]


@pytest.mark.parametrize("path", corpus_params(_corpus_twelve()), ids=lambda p: p.name)
def test_corpus_files_equal_libjpeg_turbo(path):
    ic = _ic()
    data = path.read_bytes()
    got = jpeglite.decode(data)
    assert got.dtype == np.uint16
    np.testing.assert_array_equal(got, ic.jpeg8_decode(data))


@pytest.mark.parametrize("name", ["dct12_rgb420_q85.jpg", "dct12_grey_q60.jpg"])
def test_fixtures_decode_to_libjpeg_turbo_pixels(name):
    # made by imagecodecs.jpeg8_encode (libjpeg-turbo 3.1); the .npy is its decode
    data = (DATA / name).read_bytes()
    np.testing.assert_array_equal(jpeglite.decode(data), np.load(DATA / (name[:-4] + ".npy")))


def _coarse(shape=(40, 50, 3), sub="4:2:0", seed=0):
    """A 12-bit file at quality 10 and its coefficients (small enough for an
    8-bit file too: see the colour test)."""
    data = jpeglite.encode(_smooth(shape, seed), 10, precision=12, subsampling=sub)
    return data, jpeglite.read_coefficients(data)


@pytest.mark.parametrize("shape", [(40, 50, 3), (17, 9), (1, 1, 3)])
@pytest.mark.parametrize("sub", ["4:2:0", "4:4:4"])
@pytest.mark.parametrize("quality,restart", [(50, 0), (100, 3)])
def test_progressive_and_arithmetic_decode_equal_libjpeg_turbo(shape, sub, quality, restart):
    a = _smooth(shape, quality + restart)
    seq = jpeglite.encode(a, quality, precision=12, subsampling=sub, restart_interval=restart)
    want = jpeglite.decode(seq)
    ic = pytest.importorskip("imagecodecs")
    for kw, sof in ((dict(progressive=True), 0xC2), (dict(arithmetic=True), 0xC9)):
        data = jpeglite.encode(a, quality, precision=12, subsampling=sub,
                               restart_interval=restart, **kw)
        assert data[data.index(bytes((0xFF, sof))) + 4] == 12
        got = jpeglite.decode(data)
        np.testing.assert_array_equal(got, want)            # the same coefficients
        np.testing.assert_array_equal(got, ic.jpeg8_decode(data))


def test_coefficients_written_again_at_12_bits():
    data, c = _coarse(sub="4:2:2", seed=3)
    assert c.precision == 12
    want = jpeglite.decode(data)
    for kw in ({}, {"progressive": True}, {"arithmetic": True}):
        again = jpeglite.encode_coefficients(c, **kw)
        np.testing.assert_array_equal(jpeglite.decode(again), want)
    with pytest.raises(ValueError, match="optimize"):
        jpeglite.encode_coefficients(c, optimize=False)


@pytest.mark.parametrize("color", ["cmyk", "ycck", "rgb"])
def test_four_and_rgb_components_as_libjpeg_turbo(color):
    # 12-bit CMYK comes back as stored (libjpeg's), YCCK converted to it
    from jpeglite.coefficients import Coefficients, Component

    data, c = _coarse(sub="4:4:4", seed=7)
    comps = list(c.components) + ([c.components[0]] if color != "rgb" else [])
    comps = [Component(i + 1, k.h, k.v, k.quant_slot, k.blocks) for i, k in enumerate(comps)]
    coefs = Coefficients(c.width, c.height, comps, c.qtables, color, [], precision=12)
    wide = jpeglite.encode_coefficients(coefs)
    got = jpeglite.decode(wide)
    assert got.shape == (c.height, c.width, len(comps)) and got.dtype == np.uint16
    ic = pytest.importorskip("imagecodecs")
    np.testing.assert_array_equal(got, ic.jpeg8_decode(wide))


def test_read_coefficients_and_analyze():
    data, c = _coarse()
    assert [k.blocks.shape for k in c.components] == [(5, 7, 8, 8), (3, 4, 8, 8), (3, 4, 8, 8)]
    report = jpeglite.analyze(data)
    assert report.kind == "file" and report.file_bits == 8 * len(data)


def test_info_and_scaled_decoding():
    data, _ = _coarse()
    assert jpeglite.info(data).process == "extended"
    with pytest.raises(JPEGError, match="12-bit") as info:
        jpeglite.decode(data, scale=0.5)
    assert info.value.offset == data.index(b"\xff\xc1") + 1     # the frame's marker code


# ---- encode ----

@pytest.mark.parametrize("shape", [(40, 50, 3), (17, 9, 3), (8, 8, 3), (1, 1, 3)])
@pytest.mark.parametrize("sub,ic_sub", [("4:2:0", "420"), ("4:2:2", "422"), ("4:4:4", "444")])
@pytest.mark.parametrize("quality", [20, 90])
def test_encode_equals_libjpeg_turbo_bytes(shape, sub, ic_sub, quality):
    ic = _ic()
    a = _smooth(shape, quality)
    ours = jpeglite.encode(a, quality, precision=12, subsampling=sub)
    assert ours == ic.jpeg8_encode(a, level=quality, bitspersample=12, subsampling=ic_sub,
                                   optimize=True)
    np.testing.assert_array_equal(jpeglite.decode(ours), ic.jpeg8_decode(ours))


@pytest.mark.parametrize("shape", [(21, 30), (1, 7)])
def test_encode_grey_equals_libjpeg_turbo_bytes(shape):
    ic = _ic()
    a = _smooth(shape, 3)
    assert jpeglite.encode(a, 75, precision=12) == ic.jpeg8_encode(
        a, level=75, bitspersample=12, optimize=True)


def test_encode_quality_100_is_close_and_restarts_decode():
    a = _smooth((33, 41, 3), 1)
    data = jpeglite.encode(a, 100, precision=12, subsampling="4:4:4", restart_interval=3)
    assert b"\xff\xdd" in data and b"\xff\xd0" in data
    got = jpeglite.decode(data)
    assert np.abs(got.astype(int) - a).max() <= 8       # of 4095
    ic = pytest.importorskip("imagecodecs")
    np.testing.assert_array_equal(got, ic.jpeg8_decode(data))


def test_encode_argument_errors():
    a = _smooth((8, 8), 0)
    with pytest.raises(ValueError, match="precision"):
        jpeglite.encode(a, precision=10)
    with pytest.raises(TypeError, match="precision"):
        jpeglite.encode(a, precision="12")
    with pytest.raises(ValueError, match="image has a sample value 4096"):
        jpeglite.encode(np.full((8, 8), 4096, np.uint16), precision=12)
    for name, value in (("optimize", True), ("tune", "psnr"), ("qtables", [[1] * 64]),
                        ("scans", [((0,), 0, 0, 0, 0)])):
        with pytest.raises(ValueError, match=name):
            jpeglite.encode(a, precision=12, **{name: value})
    with pytest.raises(ValueError, match="predictor"):
        jpeglite.encode(a, precision=12, predictor=2)
    with pytest.raises(ValueError, match="subsampling"):
        jpeglite.encode(np.dstack([a] * 3), precision=12, subsampling="4:1:1")
    with pytest.raises(ValueError, match="shape"):
        jpeglite.encode(np.dstack([a] * 4), precision=12)


def test_precision_8_is_the_ordinary_encode():
    a = (_smooth((16, 16, 3), 6) >> 4).astype(np.uint8)
    assert jpeglite.encode(a, 80, precision=8) == jpeglite.encode(a, 80)
    with pytest.raises(TypeError, match="uint8"):
        jpeglite.encode(a.astype(np.uint16), precision=8)


def test_uint8_input_at_precision_12():
    a = _smooth((16, 16), 2) >> 4
    data = jpeglite.encode(a.astype(np.uint8), 90, precision=12)
    assert jpeglite.decode(data).dtype == np.uint16


def test_mode_rgb_of_grey_repeats():
    data, _ = _coarse(shape=(8, 8))
    out = jpeglite.decode(data, mode="RGB")
    assert out.shape == (8, 8, 3) and out.dtype == np.uint16


# ---- malformed input ----

@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(which=st.integers(0, 1), edits=st.lists(st.tuples(st.integers(2, 10**6),
                                                         st.integers(0, 255)),
                                               min_size=1, max_size=4))
def test_mutants_decode_or_raise_jpegerror(which, edits):
    seed = [jpeglite.encode(_smooth((17, 19, 3), 4), 80, precision=12, restart_interval=2),
            jpeglite.encode(_smooth((9, 30), 5), 40, precision=12)][which]
    data = bytearray(seed)
    for pos, value in edits:
        data[pos % len(data)] = value
    try:
        out = jpeglite.decode(bytes(data))
    except JPEGError as e:
        assert 0 <= e.offset <= len(data)
    else:
        assert out.dtype in (np.uint8, np.uint16) and int(out.max(initial=0)) <= 4095


def test_corrupt_data_decodes_as_libjpeg_turbo():
    base = jpeglite.encode(_smooth((32, 32, 3), 8), 90, precision=12, restart_interval=4)
    start = base.index(b"\xff\xda") + 14
    assert damaged_copies_decode_as_libjpeg_turbo(base, start, 11, 0x21) > 10
