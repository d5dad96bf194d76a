"""Pillow-style conveniences of the Python API (issue 12): decode(mode="RGB") for
CMYK/YCCK as Pillow converts, PIL Images and __array_interface__ objects in
encode with the one alpha / 16-bit rule, file objects in read/write, info()."""
import io
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image

import jpeglite
from jpeglite import ConversionWarning, Info
from jpeglite.coefficients import Coefficients
from jpeglite.images import load_image
from conftest import CORPUS, NO_CORPUS


def cmyk_jpeg(seed=1, shape=(37, 53), quality=90):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:shape[0], 0:shape[1]]
    smooth = np.stack([x * 4, y * 6, (x + y) * 3, 255 - x * 2], axis=-1) % 256
    noisy = smooth + rng.integers(-20, 21, smooth.shape)
    buf = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), mode="CMYK").save(
        buf, "JPEG", quality=quality)
    return buf.getvalue()


def ycck_jpeg(seed=2):
    """A YCCK file: a CMYK file's coefficients relabelled (a valid YCCK image of other pixels)."""
    c = jpeglite.read_coefficients(cmyk_jpeg(seed))
    return jpeglite.encode_coefficients(Coefficients(c.width, c.height, c.components,
                                                     c.qtables, "ycck", c.metadata))


def pillow_rgb(data):
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))


# ---- CMYK and YCCK: decode(mode="RGB") is Pillow's convert("RGB") ----------------

@pytest.mark.parametrize("make", [cmyk_jpeg, ycck_jpeg], ids=["cmyk", "ycck"])
def test_cmyk_and_ycck_to_rgb_equal_pillow(make):
    data = make()
    with Image.open(io.BytesIO(data)) as im:
        assert im.mode == "CMYK"
    default = jpeglite.decode(data)
    assert default.shape[2] == 4                       # the default is unchanged
    rgb = jpeglite.decode(data, mode="RGB")
    assert rgb.shape == default.shape[:2] + (3,) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb, pillow_rgb(data))
    assert jpeglite.info(data).color == make.__name__[:4]


def test_cmyk_arithmetic_over_every_value():
    # Pillow's convert of every (C, K) pair, one channel at a time
    c, k = np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8))
    cmyk = np.stack([c, np.zeros_like(c), 255 - c, k], axis=-1)
    want = np.asarray(Image.fromarray(cmyk, mode="CMYK").convert("RGB"))
    from jpeglite.decoder import cmyk_to_rgb
    np.testing.assert_array_equal(cmyk_to_rgb(cmyk), want)


@pytest.mark.skipif(CORPUS is None, reason=NO_CORPUS)
def test_pillow_sample_cmyk_file():
    data = (CORPUS / "jpeg" / "pillow_pil_sample_cmyk.jpg").read_bytes()
    np.testing.assert_array_equal(jpeglite.decode(data, mode="RGB"), pillow_rgb(data))
    assert jpeglite.info(data).mode == "CMYK"


def test_mode_rgb_of_grey_and_colour(photo):
    grey = photo[..., 1].copy()
    data = jpeglite.encode(grey)
    out = jpeglite.decode(data, mode="RGB")
    assert out.shape == grey.shape + (3,)
    np.testing.assert_array_equal(out, pillow_rgb(data))
    data = jpeglite.encode(photo)
    np.testing.assert_array_equal(jpeglite.decode(data, mode="RGB"), jpeglite.decode(data))
    with pytest.raises(ValueError, match="mode"):
        jpeglite.decode(data, mode="CMYK")
    with pytest.raises(ValueError, match="mode"):
        jpeglite.read(io.BytesIO(data), mode="L")


# ---- PIL Images and __array_interface__ in encode -----------------------------------

def test_encode_takes_pil_images_as_pillow_converts_them(photo):
    for mode in ("RGB", "L"):
        im = Image.fromarray(photo).convert(mode)
        assert jpeglite.encode(im) == jpeglite.encode(np.asarray(im))
    im = Image.fromarray(photo).convert("P")
    assert jpeglite.encode(im) == jpeglite.encode(np.asarray(im.convert("RGB")))

    class Wrapped:
        def __init__(self, a):
            self.__array_interface__ = a.__array_interface__
            self._a = a
    assert jpeglite.encode(Wrapped(photo)) == jpeglite.encode(photo)
    report = jpeglite.analyze(Image.fromarray(photo))
    assert report.data == jpeglite.encode(photo)


def test_alpha_is_dropped_with_a_warning_only_when_not_opaque(photo):
    rgba = np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # opaque: nothing is lost, no warning
        assert jpeglite.encode(Image.fromarray(rgba)) == jpeglite.encode(photo)
    rgba[0, 0, 3] = 0
    with pytest.warns(ConversionWarning, match="alpha channel dropped"):
        assert jpeglite.encode(Image.fromarray(rgba)) == jpeglite.encode(photo)
    la = Image.fromarray(rgba).convert("LA")
    with pytest.warns(ConversionWarning, match="alpha"):
        assert jpeglite.encode(la) == jpeglite.encode(np.asarray(la)[..., 0].copy())
    # a numpy array is samples, taken as they are: four channels are an error
    with pytest.raises(ValueError, match="shape"):
        jpeglite.encode(rgba)


def png16(arr):
    """A 16-bit PNG of ``arr`` (uint16, grey or RGB): Pillow cannot write 16-bit RGB."""
    h, w = arr.shape[:2]
    colour_type = 0 if arr.ndim == 2 else 2
    raw = b"".join(b"\0" + arr[y].astype(">u2").tobytes() for y in range(h))

    def chunk(tag, body):
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, colour_type,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("channels", [1, 3])
def test_16bit_grey_and_rgb_png_both_keep_the_high_byte_with_a_warning(tmp_path, channels):
    rng = np.random.default_rng(channels)
    a = rng.integers(0, 65536, (9, 11) if channels == 1 else (9, 11, 3)).astype(np.uint16)
    path = tmp_path / "deep.png"
    path.write_bytes(png16(a))
    with pytest.warns(ConversionWarning, match="16-bit"):
        got = load_image(path)
    np.testing.assert_array_equal(got, (a >> 8).astype(np.uint8))
    with Image.open(path) as im, pytest.warns(ConversionWarning, match="16-bit"):
        assert jpeglite.encode(im) == jpeglite.encode(got)


def test_pil_modes_without_an_8bit_reading_are_refused():
    with pytest.raises(ValueError, match="floating-point"):
        jpeglite.encode(Image.new("F", (4, 4)))
    with pytest.raises(ValueError, match="0..65535"):
        jpeglite.encode(Image.fromarray(np.full((4, 4), 70000, np.int32), mode="I"))
    with pytest.raises(TypeError, match="PIL Image"):
        jpeglite.encode([[1, 2], [3, 4]])


# ---- read and write with file objects ----------------------------------------------

def test_read_and_write_file_objects(tmp_path, photo):
    buf = io.BytesIO()
    n = jpeglite.write(buf, photo, 80)
    assert buf.getvalue() == jpeglite.encode(photo, 80) and n == len(buf.getvalue())
    buf.seek(0)
    np.testing.assert_array_equal(jpeglite.read(buf), jpeglite.decode(buf.getvalue()))
    path = tmp_path / "a.jpg"
    with open(path, "wb") as f:
        jpeglite.write(f, photo)
    with open(path, "rb") as f:
        np.testing.assert_array_equal(jpeglite.read(f), jpeglite.read(path))
    with open(path, "r", encoding="latin-1") as f, pytest.raises(TypeError, match="binary"):
        jpeglite.read(f)
    with pytest.raises(TypeError, match="path"):
        jpeglite.read(3)


def test_write_to_a_png_name_warns(tmp_path, photo):
    with pytest.warns(ConversionWarning, match=r"JPEG data written under a \.png name"):
        jpeglite.write(tmp_path / "x.png", photo)
    assert (tmp_path / "x.png").read_bytes()[:2] == b"\xff\xd8"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jpeglite.write(tmp_path / "x.jpeg", photo)
        jpeglite.write(tmp_path / "noext", photo)


# ---- info ----------------------------------------------------------------------------

@pytest.mark.parametrize("quality", [5, 50, 75, 90, 100])
@pytest.mark.parametrize("subsampling, progressive", [(0, False), (2, True), (1, False)])
def test_info_of_pillow_files(photo, quality, subsampling, progressive):
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, "JPEG", quality=quality, subsampling=subsampling,
                                progressive=progressive, comment=b"hello", exif=b"Exif\0\0MM\0*"
                                + bytes(10), icc_profile=bytes(70000))
    data = buf.getvalue()
    i = jpeglite.info(data)
    assert isinstance(i, Info)
    assert (i.width, i.height, i.components) == (photo.shape[1], photo.shape[0], 3)
    assert i.subsampling == {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}[subsampling]
    assert i.sampling[1:] == [(1, 1), (1, 1)]
    assert i.progressive is progressive and i.process == ("progressive" if progressive
                                                          else "baseline")
    assert (i.quality, i.quality_exact) == (quality, True)
    assert (i.icc_profile_bytes, i.exif_bytes, i.comment_bytes) == (70000, 20, [5])
    assert (i.color, i.mode) == ("ycbcr", "RGB")
    assert len(repr(i)) < 200


def test_info_reads_headers_only_and_estimates_custom_tables(photo):
    data = jpeglite.encode(photo[..., 0].copy(), qtables=[[3] * 64])
    i = jpeglite.info(data)
    assert (i.mode, i.color, i.components, i.subsampling) == ("L", "gray", 1, None)
    assert i.quality_exact is False and 90 <= i.quality <= 100
    # the scan is not read: cut it short and info still answers
    sos = data.index(b"\xff\xda")
    assert jpeglite.info(data[:len(data) - 200]).width == photo.shape[1]
    assert jpeglite.info(data + b"junk") == i
    with pytest.raises(jpeglite.JPEGError):
        jpeglite.info(data[:sos - 3])
    with pytest.raises(jpeglite.JPEGError, match="max_pixels"):
        jpeglite.info(data, max_pixels=10)
    with pytest.raises(TypeError, match="data must be bytes"):
        jpeglite.info("x.jpg")


# ---- short reprs ---------------------------------------------------------------------

def test_report_and_stage_reprs_are_short(photo):
    for report in (jpeglite.analyze(photo), jpeglite.analyze(jpeglite.encode(photo))):
        r = repr(report)
        assert len(r) < 200 and r.startswith("<jpeglite.Report") and "\\x" not in r
        assert f"{len(report.data):,}" in r
        for stage in report.stages:
            s = repr(stage)
            assert len(s) < 200 and stage.name in s


def test_info_and_scaled_decode_of_arithmetic_files(photo):
    data = jpeglite.encode(photo, 80, arithmetic=True)
    i = jpeglite.info(data)
    assert (i.process, i.progressive) == ("extended, arithmetic", False)
    assert (i.quality, i.quality_exact) == (80, True)
    small = jpeglite.decode(data, scale=1 / 4)
    assert small.shape == (128, 192, 3)
    # the same coefficients Huffman-coded decode to the same reduced pixels
    np.testing.assert_array_equal(
        small, jpeglite.decode(jpeglite.encode(photo, 80), scale=1 / 4))
