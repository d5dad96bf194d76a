"""decode(data, scale=1/2 | 1/4 | 1/8): libjpeg's scaled decoding, pixel for pixel
what Pillow's draft() (libjpeg-turbo's scale_denom) gives on the same bytes."""
import io
from fractions import Fraction

import numpy as np
import pytest
from PIL import Image

import jpeglite
from jpeglite.coefficients import Coefficients, Component
from conftest import JPEGS, corpus_params

SCALES = (2, 4, 8)


def pillow_draft(data, denom):
    with Image.open(io.BytesIO(data)) as im:
        w, h = im.size
        im.draft(im.mode, (max(w // denom, 1), max(h // denom, 1)))
        assert im.size == (-(-w // denom), -(-h // denom))
        return np.asarray(im)


def assert_like_pillow(data):
    for denom in SCALES:
        ours = jpeglite.decode(data, scale=1 / denom)
        np.testing.assert_array_equal(ours, pillow_draft(data, denom), err_msg=f"1/{denom}")


def pillow_jpeg(image, **options):
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", **options)
    return buf.getvalue()


@pytest.mark.parametrize("subsampling", [0, 1, 2])
@pytest.mark.parametrize("progressive", [False, True])
@pytest.mark.parametrize("size", [(301, 437), (9, 17), (64, 64)])
def test_colour_files_like_pillow(photo, subsampling, progressive, size):
    image = photo[:size[0], :size[1]]
    assert_like_pillow(pillow_jpeg(image, quality=85, subsampling=subsampling,
                                   progressive=progressive))


def test_grey_cmyk_restarts_and_jpeglite_files(photo):
    assert_like_pillow(pillow_jpeg(photo[:77, :99, 1]))
    cmyk = io.BytesIO()
    Image.fromarray(photo[:77, :99]).convert("CMYK").save(cmyk, "JPEG")
    assert_like_pillow(cmyk.getvalue())
    assert_like_pillow(jpeglite.encode(photo, 60, subsampling="4:2:2", restart_interval=3))
    assert_like_pillow(jpeglite.encode(photo, 90, progressive=True))


def test_extreme_coefficients_follow_libjpeg_turbo(photo):
    # large dequantized values: the 16-bit wrap and saturation of libjpeg-turbo's
    # SIMD reduced IDCTs and the 1x1 IDCT's range-limit table
    rng = np.random.default_rng(5)
    blocks = rng.integers(-1023, 1024, (4, 6, 8, 8)).astype(np.int16)
    blocks[0, 0] = 0
    blocks[0, 0, 0, 0] = 1023                      # a flat block far out of range
    blocks[0, 1, 1:, :] = 0
    blocks[0, 1, 0, 0] = -1023
    table = np.full(64, 60, np.uint16)
    c = Coefficients(48, 32, [Component(1, 1, 1, 0, blocks)], {0: table}, "gray", [])
    assert_like_pillow(jpeglite.encode_coefficients(c))


@pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO")
@pytest.mark.parametrize("path", corpus_params(JPEGS))
def test_corpus_files_like_pillow(path):
    data = path.read_bytes()
    try:
        full = jpeglite.decode(data)
    except jpeglite.JPEGError:
        return                                      # files decode refuses, scale refuses too
    if full.dtype != np.uint8:
        return                                      # 12-bit: Pillow opens none, scale refuses
    if min(full.shape[:2]) < 8:
        return                                      # draft() needs a size to aim at
    with Image.open(io.BytesIO(data)) as im:
        if len(im.tile) != 1:
            return                                  # draft() declines multi-tile images
    assert_like_pillow(data)


def test_scale_argument(photo):
    data = jpeglite.encode(photo)
    half = jpeglite.decode(data, scale=0.5)
    assert half.shape == (256, 384, 3)
    np.testing.assert_array_equal(jpeglite.decode(data, scale=Fraction(1, 2)), half)
    np.testing.assert_array_equal(jpeglite.read(io.BytesIO(data), scale=0.5), half)
    np.testing.assert_array_equal(jpeglite.decode(data, scale=1), jpeglite.decode(data))
    assert jpeglite.decode(data, scale=1 / 8, mode="RGB").shape == (64, 96, 3)
    for bad in (0.3, 2, 0, True, "1/2", None):
        with pytest.raises(ValueError, match="scale"):
            jpeglite.decode(data, scale=bad)
