"""encode(..., arithmetic=True) and encode_coefficients(..., arithmetic=True):
arithmetic-coded sequential (SOF9) and progressive (SOF10) files with the
pixels of the Huffman file, read by Pillow (libjpeg-turbo; djpeg past 64 KB)
to the same pixels and by jpeglite back to the same coefficients; the
progressive scans' data is libjpeg-turbo's own (jpegtran -arithmetic)."""
import io
import pathlib
import shutil
import subprocess
import warnings

import numpy as np
import pytest

import jpeglite
from jpeglite.images import sample_image

Image = pytest.importorskip("PIL.Image")

DATA = pathlib.Path(__file__).parent / "data" / "arith"


def _pillow(data):
    # Pillow (13) reads arithmetic files only whole: keep them under its 64 KB read block
    assert len(data) < 65536
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(io.BytesIO(data)) as im:
            return np.asarray(im)


def _image(h, w, gray, seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    base = ((yy * 5 + xx * 3) % 256).astype(np.int16)
    shape = (h, w) if gray else (h, w, 3)
    noise = rng.integers(-30, 31, shape)
    img = (base if gray else base[..., None]) + noise
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("gray,subsampling", [(True, "4:2:0"), (False, "4:2:0"),
                                              (False, "4:2:2"), (False, "4:4:4")])
@pytest.mark.parametrize("restart_interval", [0, 1, 7])
@pytest.mark.parametrize("shape", [(1, 1), (37, 53), (64, 96)])
def test_pillow_reads_the_pixels_of_the_huffman_file(gray, subsampling, restart_interval, shape):
    img = _image(*shape, gray, sum(shape) + restart_interval)
    data = jpeglite.encode(img, 80, subsampling=subsampling, restart_interval=restart_interval,
                           arithmetic=True)
    assert data[data.index(b"\xff\xc9") + 1] == 0xC9
    want = jpeglite.decode(jpeglite.encode(img, 80, subsampling=subsampling))
    np.testing.assert_array_equal(jpeglite.decode(data), want)
    np.testing.assert_array_equal(_pillow(data), want)


def test_coefficients_round_trip_exactly():
    for name in ("small_huff.jpg", "small_prog444.jpg", "small_grey.jpg"):
        src = jpeglite.read_coefficients((DATA / name).read_bytes())
        for ri in (0, 2):
            data = jpeglite.encode_coefficients(src, arithmetic=True, restart_interval=ri)
            back = jpeglite.read_coefficients(data)
            for a, b in zip(back.components, src.components):
                np.testing.assert_array_equal(a.blocks, b.blocks)
            np.testing.assert_array_equal(_pillow(data), jpeglite.decode((DATA / name).read_bytes()))


def test_extreme_coefficients_round_trip():
    """The largest magnitudes 8-bit JPEG codes (DC differences of 2047 and
    back, AC of +-1023, every category), on every coefficient."""
    rng = np.random.default_rng(5)
    src = jpeglite.read_coefficients(jpeglite.encode(_image(48, 40, True, 1), 90))
    blocks = src.components[0].blocks
    blocks[...] = rng.integers(-1023, 1024, blocks.shape)
    blocks[..., 0, 0] = np.where(rng.random(blocks.shape[:2]) < 0.5, -1024, 1023)
    blocks[0, 1] = 0                               # an all-zero block among them
    data = jpeglite.encode_coefficients(src, arithmetic=True)
    np.testing.assert_array_equal(jpeglite.read_coefficients(data).components[0].blocks, blocks)
    np.testing.assert_array_equal(_pillow(data), jpeglite.decode(data))


def test_smaller_than_optimized_huffman_on_the_sample_photo():
    img = sample_image()
    arith = jpeglite.encode(img, 75, arithmetic=True)
    optimized = jpeglite.encode(img, 75, optimize=True)
    assert len(arith) < 0.95 * len(optimized)
    np.testing.assert_array_equal(jpeglite.decode(arith), jpeglite.decode(optimized))


def test_arguments():
    img = _image(8, 8, False, 0)
    with pytest.raises(TypeError, match="arithmetic"):
        jpeglite.encode(img, arithmetic="yes")
    with pytest.raises(ValueError, match="scan 0"):
        jpeglite.encode(img, arithmetic=True, progressive=True, scans=[((0, 1, 2), 1, 5, 0, 0)])
    coefs = jpeglite.read_coefficients(jpeglite.encode(img))
    with pytest.raises(TypeError, match="arithmetic"):
        jpeglite.encode_coefficients(coefs, arithmetic=1)


def test_write_passes_arithmetic(tmp_path):
    img = _image(16, 24, False, 3)
    path = tmp_path / "a.jpg"
    n = jpeglite.write(path, img, arithmetic=True)
    assert path.read_bytes() == jpeglite.encode(img, arithmetic=True) and n == path.stat().st_size


def _sof(data):
    i = 2
    while data[i + 1] not in (0xC0, 0xC1, 0xC2, 0xC9, 0xCA):
        i += 2 + int.from_bytes(data[i + 2:i + 4], "big")
    return data[i + 1]


@pytest.mark.parametrize("gray,subsampling", [(True, "4:2:0"), (False, "4:2:0"),
                                              (False, "4:2:2"), (False, "4:4:4")])
@pytest.mark.parametrize("restart_interval", [0, 3])
@pytest.mark.parametrize("shape", [(1, 1), (37, 53), (64, 96)])
def test_progressive_files_pillow_reads_to_the_pixels(gray, subsampling, restart_interval,
                                                        shape):
    img = _image(*shape, gray, sum(shape) + restart_interval)
    data = jpeglite.encode(img, 80, subsampling=subsampling, restart_interval=restart_interval,
                           arithmetic=True, progressive=True)
    assert _sof(data) == 0xCA
    want = jpeglite.decode(jpeglite.encode(img, 80, subsampling=subsampling))
    np.testing.assert_array_equal(jpeglite.decode(data), want)
    np.testing.assert_array_equal(_pillow(data), want)


def test_progressive_custom_scripts_round_trip_the_coefficients():
    """Successive approximation to several depths, split bands, and a DC
    refinement over an interleaved 4:2:0 MCU with dummy blocks."""
    src = jpeglite.read_coefficients(jpeglite.encode(_image(41, 67, False, 9), 95))
    scripts = [
        [((0, 1, 2), 0, 0, 0, 2), ((0,), 1, 9, 0, 3), ((1,), 1, 63, 0, 1), ((2,), 1, 63, 0, 1),
         ((0,), 10, 63, 0, 3), ((0,), 1, 63, 3, 2), ((0, 1, 2), 0, 0, 2, 1),
         ((0,), 1, 63, 2, 1), ((1,), 1, 63, 1, 0), ((2,), 1, 63, 1, 0),
         ((0, 1, 2), 0, 0, 1, 0), ((0,), 1, 63, 1, 0)],
        [((0,), 0, 0, 0, 0), ((1,), 0, 0, 0, 0), ((2,), 0, 0, 0, 0), ((2,), 1, 63, 0, 0),
         ((1,), 1, 63, 0, 0), ((0,), 1, 1, 0, 0), ((0,), 2, 63, 0, 0)],
    ]
    for script in scripts:
        for ri in (0, 1):
            data = jpeglite.encode_coefficients(src, progressive=True, arithmetic=True,
                                                scans=script, restart_interval=ri)
            back = jpeglite.read_coefficients(data)
            for a, b in zip(back.components, src.components):
                np.testing.assert_array_equal(a.blocks, b.blocks)
            np.testing.assert_array_equal(_pillow(data), jpeglite.decode(data))


def test_extreme_coefficients_round_trip_progressively():
    rng = np.random.default_rng(6)
    src = jpeglite.read_coefficients(jpeglite.encode(_image(48, 40, True, 1), 90))
    blocks = src.components[0].blocks
    blocks[...] = rng.integers(-1023, 1024, blocks.shape)
    blocks[..., 0, 0] = np.where(rng.random(blocks.shape[:2]) < 0.5, -1024, 1023)
    data = jpeglite.encode_coefficients(src, arithmetic=True, progressive=True)
    np.testing.assert_array_equal(jpeglite.read_coefficients(data).components[0].blocks, blocks)
    np.testing.assert_array_equal(_pillow(data), jpeglite.decode(data))


def _scan_data(x):
    out, p = [], 2
    while x[p + 1] != 0xD9:
        length = int.from_bytes(x[p + 2:p + 4], "big")
        if x[p + 1] != 0xDA:
            p += 2 + length
            continue
        s = e = p + 2 + length
        while not (x[e] == 0xFF and x[e + 1] != 0 and not 0xD0 <= x[e + 1] <= 0xD7):
            e += 1
        out.append(x[s:e])
        p = e
    return out


@pytest.mark.skipif(shutil.which("jpegtran") is None, reason="libjpeg-turbo's jpegtran absent")
@pytest.mark.parametrize("shape,subsampling,ri", [((157, 203), "4:2:0", 0),
                                                  ((33, 17), "4:2:2", 2),
                                                  ((40, 56), "4:4:4", 0)])
def test_progressive_scan_data_is_libjpeg_turbos(shape, subsampling, ri):
    """jpegtran -arithmetic -progressive re-codes a Huffman file's
    coefficients with libjpeg's default script: its scans' data equals
    jpeglite's byte for byte (dummy blocks of the MCUs past the image
    included; it adds DAC segments of the default conditioning)."""
    src = jpeglite.encode(_image(*shape, False, 4), 75, subsampling=subsampling)
    ours = jpeglite.encode_coefficients(jpeglite.read_coefficients(src), progressive=True,
                                        arithmetic=True, restart_interval=ri)
    args = ["jpegtran", "-arithmetic", "-progressive"] + (["-restart", f"{ri}B"] if ri else [])
    theirs = subprocess.run(args, input=src, capture_output=True, check=True).stdout
    assert _scan_data(ours) == _scan_data(theirs)


@pytest.mark.skipif(shutil.which("djpeg") is None, reason="libjpeg-turbo's djpeg absent")
def test_a_file_past_64_kb_decodes_in_djpeg_to_the_pixels(tmp_path):
    """Pillow reads arithmetic files only up to 64 KB; djpeg reads any."""
    img = _image(256, 384, False, 11)
    data = jpeglite.encode(img, 95, subsampling="4:4:4", arithmetic=True, progressive=True)
    assert len(data) > 65536
    path = tmp_path / "a.jpg"
    path.write_bytes(data)
    ppm = subprocess.run(["djpeg", str(path)], capture_output=True,
                         check=True).stdout
    with Image.open(io.BytesIO(ppm)) as im:
        got = np.asarray(im)
    np.testing.assert_array_equal(got, jpeglite.decode(data))
    np.testing.assert_array_equal(got, jpeglite.decode(jpeglite.encode(img, 95,
                                                                       subsampling="4:4:4")))


def test_progressive_is_smaller_than_sequential_arithmetic_on_the_sample_photo():
    img = sample_image()
    seq = jpeglite.encode(img, 75, arithmetic=True)
    prog = jpeglite.encode(img, 75, arithmetic=True, progressive=True)
    assert len(prog) < len(seq)
    np.testing.assert_array_equal(jpeglite.decode(prog), jpeglite.decode(seq))


def test_progressive_bytes_are_the_same_for_every_thread_count():
    img = sample_image()
    one = jpeglite.encode(img, 80, arithmetic=True, progressive=True, threads=1)
    for threads in (2, 3):
        assert jpeglite.encode(img, 80, arithmetic=True, progressive=True,
                               threads=threads) == one
    coefs = jpeglite.read_coefficients(one)
    assert jpeglite.encode_coefficients(coefs, arithmetic=True, progressive=True,
                                        threads=3) == one


def test_12_bit_progressive_arithmetic_files_decode_in_libjpeg_turbo_3():
    imagecodecs = pytest.importorskip("imagecodecs")
    img = np.random.default_rng(1).integers(0, 4096, (40, 56, 3)).astype(np.uint16)
    data = jpeglite.encode(img, precision=12, arithmetic=True, progressive=True)
    assert b"\xff\xca" in data
    want = jpeglite.decode(jpeglite.encode(img, precision=12))
    np.testing.assert_array_equal(jpeglite.decode(data), want)
    np.testing.assert_array_equal(imagecodecs.jpeg8_decode(data), want)
