"""encode(..., arithmetic=True) and encode_coefficients(..., arithmetic=True):
arithmetic-coded sequential files (SOF9) with the pixels of the Huffman file,
read by Pillow (libjpeg-turbo) to the same pixels and by jpeglite back to
the same coefficients."""
import io
import pathlib
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
    with pytest.raises(ValueError, match="arithmetic"):
        jpeglite.encode(img, arithmetic=True, progressive=True)
    coefs = jpeglite.read_coefficients(jpeglite.encode(img))
    with pytest.raises(TypeError, match="arithmetic"):
        jpeglite.encode_coefficients(coefs, arithmetic=1)
    with pytest.raises(ValueError, match="arithmetic"):
        jpeglite.encode_coefficients(coefs, arithmetic=True, progressive=True)


def test_write_passes_arithmetic(tmp_path):
    img = _image(16, 24, False, 3)
    path = tmp_path / "a.jpg"
    n = jpeglite.write(path, img, arithmetic=True)
    assert path.read_bytes() == jpeglite.encode(img, arithmetic=True) and n == path.stat().st_size
