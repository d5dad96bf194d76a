"""Lossless JPEG (SOF3, T.81 Annex H): decode against libjpeg-turbo 3
(imagecodecs.jpeg8_decode) and exact round trips through encode(lossless=True).

Files are made by libjpeg-turbo 3 (imagecodecs.jpeg8_encode with lossless=True)
and by jpeglite; the fixtures in tests/data/hibit let a clone without
imagecodecs check the decoder too.
"""
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpeglite
from jpeglite import JPEGError

from conftest import damaged_copies_decode_as_libjpeg_turbo

DATA = Path(__file__).parent / "data" / "hibit"


def _ic():
    return pytest.importorskip("imagecodecs")


def _samples(shape, bits, seed):
    """Smooth-ish samples (what predictors are for) with noise, 0..2**bits - 1."""
    rng = np.random.default_rng(seed)
    a = rng.integers(-3, 4, shape).cumsum(axis=0).cumsum(axis=1) + rng.integers(0, 2**bits, shape)
    return (a % 2**bits).astype(np.uint16 if bits > 8 else np.uint8)


def _sof(data):
    return data.index(b"\xff\xc3")


def _sos(data):
    return data.index(b"\xff\xda")


# ---- decode: files libjpeg-turbo wrote ----

@pytest.mark.parametrize("bits", [2, 6, 8, 9, 12, 13, 16])
@pytest.mark.parametrize("predictor", range(1, 8))
def test_decode_equals_libjpeg_turbo_grey(bits, predictor):
    ic = _ic()
    a = _samples((13, 17), bits, bits * 10 + predictor)
    data = ic.jpeg8_encode(a, lossless=True, bitspersample=bits, predictor=predictor)
    got = jpeglite.decode(data)
    ref = ic.jpeg8_decode(data)
    assert got.dtype == ref.dtype == (np.uint8 if bits <= 8 else np.uint16)
    np.testing.assert_array_equal(got, ref)
    np.testing.assert_array_equal(got, a)


@pytest.mark.parametrize("bits", [8, 12, 16])
@pytest.mark.parametrize("subsampling", ["444", "422", "420", "440", "411"])
@pytest.mark.parametrize("shape", [(1, 1, 3), (7, 5, 3), (16, 33, 3)])
def test_decode_equals_libjpeg_turbo_rgb_and_sampling(bits, subsampling, shape):
    # libjpeg-turbo writes subsampled lossless frames (its downsampling of the
    # input is lossy; the decode is box upsampling, no colour conversion)
    ic = _ic()
    a = _samples(shape, bits, bits + len(subsampling))
    data = ic.jpeg8_encode(a, lossless=True, bitspersample=bits, predictor=5,
                           subsampling=subsampling)
    got = jpeglite.decode(data)
    np.testing.assert_array_equal(got, ic.jpeg8_decode(data))
    if subsampling == "444":
        np.testing.assert_array_equal(got, a)


@pytest.mark.parametrize("name", ["lossless12_rgb420.jpg", "lossless16_grey_p7.jpg",
                                  "lossless8_rgb_p4.jpg"])
def test_fixtures_decode_to_libjpeg_turbo_pixels(name):
    # made by imagecodecs.jpeg8_encode (libjpeg-turbo 3.1); the .npy is its decode
    data = (DATA / name).read_bytes()
    want = np.load(DATA / (name[:-4] + ".npy"))
    got = jpeglite.decode(data)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_info_names_the_process_and_no_colour_transform():
    data = jpeglite.encode(_samples((5, 6, 3), 12, 1), lossless=True, precision=12)
    info = jpeglite.info(data)
    assert info.process == "lossless" and (info.width, info.height, info.components) == (6, 5, 3)
    assert info.color == "rgb"
    ic = pytest.importorskip("imagecodecs")
    # libjpeg-turbo's own file: JFIF APP0 and component ids 1, 2, 3 would say
    # YCbCr in a DCT file; a lossless one is decoded as stored
    a = _samples((5, 6, 3), 12, 2)
    theirs = ic.jpeg8_encode(a, lossless=True, bitspersample=12)
    theirs = theirs.replace(b"\x03\x52\x11\x00\x47\x11\x00\x42\x11\x00",
                            b"\x03\x01\x11\x00\x02\x11\x00\x03\x11\x00")
    p = _sos(theirs)
    theirs = theirs[:p + 5] + b"\x01" + theirs[p + 6:p + 7] + b"\x02" + theirs[p + 8:p + 9] + \
        b"\x03" + theirs[p + 10:]
    assert jpeglite.info(theirs).color == "rgb"
    np.testing.assert_array_equal(jpeglite.decode(theirs), a)
    np.testing.assert_array_equal(ic.jpeg8_decode(theirs), a)


# ---- encode: exact round trips ----

@pytest.mark.parametrize("bits", [2, 7, 8, 10, 12, 15, 16])
@pytest.mark.parametrize("predictor", range(1, 8))
@pytest.mark.parametrize("shape", [(1, 1), (13, 17), (9, 7, 3), (5, 6, 4)])
def test_round_trip_exact(bits, predictor, shape):
    a = _samples(shape, bits, bits * predictor + len(shape))
    data = jpeglite.encode(a, lossless=True, precision=bits, predictor=predictor)
    got = jpeglite.decode(data)
    assert got.dtype == (np.uint8 if bits <= 8 else np.uint16)
    np.testing.assert_array_equal(got, a)


@pytest.mark.parametrize("bits,pt", [(8, 1), (12, 4), (16, 15), (2, 1)])
def test_point_transform_clears_the_low_bits(bits, pt):
    a = _samples((11, 19, 3), bits, pt)
    data = jpeglite.encode(a, lossless=True, precision=bits, predictor=6, point_transform=pt)
    np.testing.assert_array_equal(jpeglite.decode(data), (a >> pt) << pt)


@pytest.mark.parametrize("shape,rows", [((13, 17), 1), ((13, 17, 3), 2), ((4, 3), 4),
                                        ((9, 5, 4), 3)])
def test_restart_intervals_round_trip(shape, rows):
    a = _samples(shape, 16, rows)
    data = jpeglite.encode(a, lossless=True, predictor=4, restart_interval=rows * shape[1])
    assert b"\xff\xdd" in data and (shape[0] <= rows or b"\xff\xd0" in data)
    np.testing.assert_array_equal(jpeglite.decode(data), a)


@pytest.mark.parametrize("bits", [2, 8, 12, 16])
@pytest.mark.parametrize("predictor", [1, 4, 7])
@pytest.mark.parametrize("pt", [0, 1])
def test_libjpeg_turbo_reads_what_jpeglite_writes(bits, predictor, pt):
    ic = _ic()
    a = _samples((12, 15, 3), bits, bits + predictor)
    data = jpeglite.encode(a, lossless=True, precision=bits, predictor=predictor,
                           point_transform=pt, restart_interval=30)
    ref = ic.jpeg8_decode(data)
    np.testing.assert_array_equal(ref, (a >> pt) << pt)
    np.testing.assert_array_equal(jpeglite.decode(data), ref)


def test_uint8_input_defaults_to_8_bits_and_uint16_to_16():
    a8 = _samples((4, 5), 8, 0)
    assert jpeglite.encode(a8, lossless=True)[_sof(jpeglite.encode(a8, lossless=True)) + 4] == 8
    a16 = _samples((4, 5), 16, 0)
    d = jpeglite.encode(a16, lossless=True)
    assert d[_sof(d) + 4] == 16
    np.testing.assert_array_equal(jpeglite.decode(d), a16)


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(bits=st.integers(2, 16), predictor=st.integers(1, 7),
       h=st.integers(1, 12), w=st.integers(1, 12), c=st.sampled_from([0, 1, 3, 4]),
       seed=st.integers(0, 2**32 - 1), rows=st.integers(0, 3))
def test_lossless_round_trips_exactly_for_any_uint16_array_and_bit_depth(bits, predictor, h, w,
                                                                        c, seed, rows):
    shape = (h, w) if c == 0 else (h, w, c)
    a = np.random.default_rng(seed).integers(0, 2**bits, shape).astype(np.uint16)
    data = jpeglite.encode(a, lossless=True, precision=bits, predictor=predictor,
                           restart_interval=rows * w)
    got = jpeglite.decode(data)
    assert got.shape == (a.shape[:2] if c == 1 else a.shape)   # (H, W, 1) is grey
    np.testing.assert_array_equal(got, a.reshape(got.shape))


# ---- a file of one scan per component (non-interleaved), built from the kernels ----

def _non_interleaved(a, bits, predictor):
    from jpeglite import jfif
    from jpeglite._huffman import make_codes, optimal_table
    from jpeglite._lossless import count_differences, difference, encode_differences

    h, w, n = a.shape
    parts = [jfif.soi(), jfif.app14_adobe(0),
             jfif.sof(jfif.SOF3, h, w, [(i + 1, 1, 1, 0) for i in range(n)], bits)]
    for i in range(n):
        d = np.empty((h, w), np.int32)
        difference(np.ascontiguousarray(a[..., i], dtype=np.uint16), d, predictor, 0, bits, 0)
        counts = np.zeros((1, 256), np.int64)
        count_differences([d], [(1, 1)], w, h, counts)
        table = optimal_table(counts[0])
        parts += [jfif.dht(0, 0, *table), jfif.sos([(i + 1, 0, 0)], ss=predictor, se=0),
                  encode_differences([d], [(1, 1)], [make_codes(*table)], w, h, 0)]
    return b"".join(parts + [jfif.eoi()])


def test_one_scan_per_component():
    a = _samples((9, 14, 3), 12, 7)
    data = _non_interleaved(a, 12, 3)
    np.testing.assert_array_equal(jpeglite.decode(data), a)
    ic = pytest.importorskip("imagecodecs")
    np.testing.assert_array_equal(ic.jpeg8_decode(data), a)


# ---- malformed input: JPEGError with the offset ----

def _file(bits=12, predictor=1, shape=(6, 7)):
    return jpeglite.encode(_samples(shape, bits, 3), lossless=True, precision=bits,
                           predictor=predictor)


@pytest.mark.parametrize("ss,se,ahal", [(0, 0, 0), (8, 0, 0), (1, 1, 0), (1, 0, 0x10),
                                        (1, 0, 12)])
def test_bad_scan_parameters(ss, se, ahal):
    data = bytearray(_file())
    p = _sos(data) + 2 + 2 + 1 + 2          # after length, Ns and one component
    data[p:p + 3] = bytes((ss, se, ahal))
    with pytest.raises(JPEGError, match="bad lossless scan") as info:
        jpeglite.decode(bytes(data))
    assert info.value.offset == p


@pytest.mark.parametrize("precision", [0, 1, 17, 255])
def test_bad_precision(precision):
    data = bytearray(_file())
    p = _sof(data) + 4
    data[p] = precision
    with pytest.raises(JPEGError, match="precision") as info:
        jpeglite.decode(bytes(data))
    assert info.value.offset == p


def test_category_above_16_refused():
    data = bytearray(_file(16))
    p = data.index(b"\xff\xc4")
    n = sum(data[p + 5:p + 21])
    data[p + 21 + n - 1] = 17              # the last symbol of the table
    with pytest.raises(JPEGError, match="above 16") as info:
        jpeglite.decode(bytes(data))
    assert info.value.offset == p + 4


def test_restart_interval_must_be_whole_rows():
    data = jpeglite.encode(_samples((6, 7), 8, 1), lossless=True, restart_interval=7)
    bad = data.replace(b"\xff\xdd\x00\x04\x00\x07", b"\xff\xdd\x00\x04\x00\x05")
    with pytest.raises(JPEGError, match="whole number of MCU rows") as info:
        jpeglite.decode(bad)
    assert info.value.offset == _sos(bad) + 1       # the scan's marker code


def test_truncated_scan():
    data = _file(16, shape=(20, 20))
    with pytest.raises(JPEGError, match="truncated") as info:
        jpeglite.decode(data[:len(data) // 2])
    assert 0 < info.value.offset <= len(data) // 2


def test_too_short_for_its_frame():
    data = bytearray(_file())
    p = _sof(data) + 5
    data[p:p + 2] = b"\x7f\xff"                 # 32767 rows of samples
    with pytest.raises(JPEGError, match="too short for its frame") as info:
        jpeglite.decode(bytes(data))
    assert info.value.offset == p


def test_coefficients_and_scaling_do_not_apply():
    data = _file()
    # analyze of a lossless file: tests/test_analyze_lossless.py
    for call in (lambda: jpeglite.read_coefficients(data),
                 lambda: jpeglite.decode(data, scale=0.5)):
        with pytest.raises(JPEGError, match="lossless") as info:
            call()
        assert info.value.offset == _sos(data)


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(which=st.integers(0, 2), edits=st.lists(st.tuples(st.integers(2, 10**6),
                                                         st.integers(0, 255)),
                                               min_size=1, max_size=4))
def test_mutants_decode_or_raise_jpegerror(which, edits):
    seed = [_file(8, 4, (9, 11)), _file(16, 7, (5, 13, 3)),
            jpeglite.encode(_samples((8, 6, 3), 12, 2), lossless=True, precision=12,
                            restart_interval=12)][which]
    data = bytearray(seed)
    for pos, value in edits:
        data[pos % len(data)] = value
    try:
        out = jpeglite.decode(bytes(data))
    except JPEGError as e:
        assert 0 <= e.offset <= len(data)
    else:
        assert out.dtype in (np.uint8, np.uint16)


def test_corrupt_data_decodes_as_libjpeg_turbo():
    # a bad byte in the entropy-coded data: both decoders go on (libjpeg's
    # recovery: zero differences from restarted predictors after a marker)
    base = jpeglite.encode(_samples((16, 16, 3), 12, 9), lossless=True, precision=12,
                           restart_interval=64)
    assert damaged_copies_decode_as_libjpeg_turbo(base, _sos(base) + 14, 7, 0x5A) > 10


# ---- encode arguments ----

def test_encode_argument_errors():
    a = _samples((4, 5), 12, 0).astype(np.uint16)
    with pytest.raises(ValueError, match="quality"):
        jpeglite.encode(a, 90, lossless=True)
    with pytest.raises(ValueError, match="subsampling"):
        jpeglite.encode(a, lossless=True, subsampling="4:2:0")
    with pytest.raises(ValueError, match="progressive"):
        jpeglite.encode(a, lossless=True, progressive=True)
    with pytest.raises(ValueError, match="arithmetic"):
        jpeglite.encode(a, lossless=True, arithmetic=True)
    with pytest.raises(ValueError, match="optimize"):
        jpeglite.encode(a, lossless=True, optimize=True)
    with pytest.raises(ValueError, match="predictor"):
        jpeglite.encode(a, lossless=True, predictor=8)
    with pytest.raises(TypeError, match="predictor"):
        jpeglite.encode(a, lossless=True, predictor=1.5)
    with pytest.raises(ValueError, match="point_transform"):
        jpeglite.encode(a, lossless=True, precision=12, point_transform=12)
    with pytest.raises(ValueError, match="precision"):
        jpeglite.encode(a, lossless=True, precision=17)
    with pytest.raises(ValueError, match="image has a sample value"):
        jpeglite.encode(a | 0x1000, lossless=True, precision=12)
    with pytest.raises(ValueError, match="restart_interval"):
        jpeglite.encode(a, lossless=True, restart_interval=3)
    with pytest.raises(TypeError, match="lossless"):
        jpeglite.encode(a, lossless=1)
    with pytest.raises(TypeError, match="dtype"):
        jpeglite.encode(a.astype(np.float32), lossless=True)
    with pytest.raises(ValueError, match="predictor and point_transform"):
        jpeglite.encode(a.astype(np.uint8), predictor=2)
    # without precision or lossless, uint16 arrays are refused as before
    with pytest.raises(TypeError, match="uint8"):
        jpeglite.encode(a)


def test_metadata_and_write(tmp_path):
    a = _samples((4, 5, 3), 16, 0)
    data = jpeglite.encode(a, lossless=True, comment="hi", icc_profile=b"x" * 100)
    np.testing.assert_array_equal(jpeglite.decode(data), a)
    assert b"hi" in data and b"ICC_PROFILE" in data
    path = tmp_path / "x.jpg"
    assert jpeglite.write(path, a, lossless=True, predictor=2) == path.stat().st_size
    np.testing.assert_array_equal(jpeglite.read(path), a)


def test_pil_16_bit_images_keep_their_samples():
    Image = pytest.importorskip("PIL.Image")
    a = _samples((6, 9), 16, 4)
    im = Image.fromarray(a)
    assert im.mode.startswith("I;16")
    np.testing.assert_array_equal(jpeglite.decode(jpeglite.encode(im, lossless=True)), a)


@pytest.mark.parametrize("shape", [(20, 30), (9, 13, 3)])
@pytest.mark.parametrize("predictor", [1, 5, 7])
@pytest.mark.parametrize("pt", [0, 2])
def test_pillow_reads_8_bit_lossless_files_as_jpeglite(shape, predictor, pt):
    # Pillow 13's libjpeg-turbo 3 reads 8-bit lossless JPEG (not 9..16 bits)
    import io

    Image = pytest.importorskip("PIL.Image")
    a = _samples(shape, 8, predictor)
    data = jpeglite.encode(a, lossless=True, predictor=predictor, point_transform=pt,
                           restart_interval=2 * shape[1])
    try:
        with Image.open(io.BytesIO(data)) as im:
            ref = np.asarray(im)
    except OSError:
        pytest.skip("this Pillow's libjpeg does not read lossless JPEG")
    np.testing.assert_array_equal(jpeglite.decode(data), ref)
    np.testing.assert_array_equal(ref, (a >> pt) << pt)
