"""16-bit PNG in and out (images.png16, images.read_png16) and the command
line's uint16 paths: ``jpeglite decode`` of 12-bit and lossless files to
16-bit PNG (grey and RGB; Pillow writes no 16-bit colour PNG), and
``jpeglite encode --lossless / --precision`` of 16-bit PNGs, kept whole."""
import io
import struct
import zlib

import imagecodecs
import numpy as np
import pytest
from PIL import Image

import jpeglite
from jpeglite import cli
from jpeglite.images import png16, read_png16

RNG = np.random.default_rng(16)
RAMP = np.add.outer(np.arange(23) * 700, np.arange(31) * 300)
RGB = (RAMP[..., None] + np.array([0, 2000, 5000]) + RNG.integers(0, 90, (23, 31, 3))) \
    .astype(np.uint16)
GREY = np.ascontiguousarray(RGB[..., 1])


@pytest.mark.parametrize("image", [GREY, RGB, RNG.integers(0, 65536, (5, 7, 3)).astype(
    np.uint16), np.full((1, 1), 65535, np.uint16)], ids=["grey", "rgb", "noise", "1x1"])
def test_png16_reads_back_the_same_samples(image):
    data = png16(image)
    assert np.array_equal(imagecodecs.png_decode(data), image)
    assert np.array_equal(read_png16(data), image)
    if image.ndim == 2:      # Pillow reads 16-bit grey whole ("I;16"/"I")
        with Image.open(io.BytesIO(data)) as im:
            assert np.array_equal(np.asarray(im), image)


def test_png16_refuses_what_it_cannot_write():
    with pytest.raises(TypeError, match="uint16"):
        png16(GREY.astype(np.uint8))
    with pytest.raises(ValueError, match="shape"):
        png16(np.zeros((4, 4, 4), np.uint16))


def _filtered_png(image, filters):
    """A 16-bit PNG whose rows use the given filter types (PNG spec 9.2)."""
    h, w = image.shape[:2]
    bpp = 2 * (1 if image.ndim == 2 else 3)
    raw = image.astype(">u2").reshape(h, -1).view(np.uint8).astype(np.int32)
    out = bytearray()
    for y in range(h):
        line = raw[y]
        up = raw[y - 1] if y else np.zeros_like(line)
        left = np.concatenate([np.zeros(bpp, np.int32), line[:-bpp]])
        upleft = np.concatenate([np.zeros(bpp, np.int32), up[:-bpp]])
        f = filters[y % len(filters)]
        p = left + up - upleft
        paeth = np.where((abs(p - left) <= abs(p - up)) & (abs(p - left) <= abs(p - upleft)),
                         left, np.where(abs(p - up) <= abs(p - upleft), up, upleft))
        pred = [0, left, up, (left + up) >> 1, paeth][f]
        out += bytes([f]) + ((line - pred) & 255).astype(np.uint8).tobytes()
    ihdr = struct.pack(">IIBBBBB", w, h, 16, 0 if image.ndim == 2 else 2, 0, 0, 0)

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(
            ">I", zlib.crc32(kind + payload))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"tEXt", b"a\0b")
            + chunk(b"IDAT", zlib.compress(bytes(out))) + chunk(b"IEND", b""))


@pytest.mark.parametrize("image", [GREY, RGB], ids=["grey", "rgb"])
def test_read_png16_undoes_every_filter_type(image):
    data = _filtered_png(image, [0, 1, 2, 3, 4, 4, 3, 1])
    assert np.array_equal(imagecodecs.png_decode(data), image)      # the test file is right
    assert np.array_equal(read_png16(data), image)
    assert np.array_equal(read_png16(imagecodecs.png_encode(image)), image)


def run(capsys, *argv):
    rc = cli.main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("image", [GREY, RGB], ids=["grey", "rgb"])
def test_decode_writes_16bit_png(tmp_path, capsys, image):
    src = tmp_path / "in.jpg"
    src.write_bytes(jpeglite.encode(image, lossless=True))
    rc, _, err = run(capsys, "decode", src, tmp_path / "out.png")
    assert rc == 0, err
    data = (tmp_path / "out.png").read_bytes()
    assert np.array_equal(imagecodecs.png_decode(data), image)
    twelve = tmp_path / "d12.jpg"
    twelve.write_bytes(jpeglite.encode(image >> 4, 90, precision=12))
    rc, _, err = run(capsys, "decode", twelve, tmp_path / "d12.png")
    assert rc == 0, err
    assert np.array_equal(imagecodecs.png_decode((tmp_path / "d12.png").read_bytes()),
                          jpeglite.decode(twelve.read_bytes()))


@pytest.mark.parametrize("image", [GREY, RGB], ids=["grey", "rgb"])
def test_encode_lossless_of_a_16bit_png_is_exact(tmp_path, capsys, image):
    (tmp_path / "in.png").write_bytes(imagecodecs.png_encode(image))
    rc, _, err = run(capsys, "encode", tmp_path / "in.png", tmp_path / "l.jpg", "--lossless",
                     "--predictor", 7)
    assert rc == 0, err
    data = (tmp_path / "l.jpg").read_bytes()
    assert np.array_equal(jpeglite.decode(data), image)
    assert np.array_equal(imagecodecs.jpeg8_decode(data), image)
    assert data[data.index(b"\xff\xc3") + 4] == 16
    assert jpeglite.analyze(data).stage("huffman").details["scans"][0]["predictor"] == 7


def test_encode_precision_12_of_a_16bit_png(tmp_path, capsys):
    image = RGB >> 4
    (tmp_path / "in.png").write_bytes(png16(image))
    rc, _, err = run(capsys, "encode", tmp_path / "in.png", tmp_path / "d.jpg",
                     "--precision", 12, "-q", 90)
    assert rc == 0, err
    data = (tmp_path / "d.jpg").read_bytes()
    assert data == jpeglite.encode(image, 90, precision=12, subsampling="4:2:0")
    rc, _, err = run(capsys, "encode", tmp_path / "in.png", tmp_path / "l.jpg",
                     "--lossless", "--precision", 12)
    assert rc == 0, err
    assert np.array_equal(jpeglite.decode((tmp_path / "l.jpg").read_bytes()), image)


@pytest.mark.parametrize("argv, fragment", [
    (["--lossless", "-q", "50"], "--quality does not apply to --lossless"),
    (["--lossless", "--subsampling", "4:4:4"], "--subsampling does not apply"),
    (["--predictor", "3"], "--predictor applies to --lossless only"),
    (["--precision", "12", "--tune", "psnr"], "--tune is not available with --precision"),
    (["--precision", "12"], "above the 4095 of precision=12"),
    (["--lossless", "--predictor", "8"], "predictor must be an integer from 1 to 7"),
])
def test_encode_highbit_option_errors(tmp_path, capsys, argv, fragment):
    (tmp_path / "in.png").write_bytes(png16(RGB | 0x8000))
    rc, _, err = run(capsys, "encode", tmp_path / "in.png", tmp_path / "o.jpg", *argv)
    assert rc != 0 and fragment in err and len(err.strip().splitlines()) == 1, err


def test_encode_highbit_options_are_one_file_only(tmp_path, capsys):
    (tmp_path / "a.png").write_bytes(png16(GREY))
    (tmp_path / "b.png").write_bytes(png16(GREY))
    rc, _, err = run(capsys, "encode", tmp_path / "a.png", tmp_path / "b.png", "-o",
                     tmp_path / "out", "--lossless")
    assert rc == 2 and "encode one file" in err
