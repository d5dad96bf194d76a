"""jpeglite decodes what jpeglite's encoder writes, across its option matrix,
to exactly the pixels Pillow gives for the same bytes."""
import io

import numpy as np
import pytest

import jpeglite

from conftest import kodak

Image = pytest.importorskip("PIL.Image")


@pytest.fixture(scope="module")
def photo():
    # odd-sized crop: partial MCUs at the right and bottom edges
    return np.ascontiguousarray(kodak(4)[101:101 + 93, 7:7 + 141])


def pillow_pixels(data):
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im)


@pytest.mark.parametrize("restart_interval", [0, 1, 5])
@pytest.mark.parametrize("optimize", [False, True])
@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:2", "4:2:0"])
@pytest.mark.parametrize("quality", [5, 50, 75, 95, 100])
def test_encoder_matrix_decodes_like_pillow(photo, quality, subsampling, optimize,
                                            restart_interval):
    data = jpeglite.encode(photo, quality, subsampling=subsampling, optimize=optimize,
                           restart_interval=restart_interval)
    out = jpeglite.decode(data)
    np.testing.assert_array_equal(out, pillow_pixels(data))


@pytest.mark.parametrize("optimize", [False, True])
@pytest.mark.parametrize("quality", [10, 75, 100])
def test_encoder_grayscale_decodes_like_pillow(photo, quality, optimize):
    gray = np.ascontiguousarray(photo[..., 0])
    data = jpeglite.encode(gray, quality, optimize=optimize, restart_interval=3)
    out = jpeglite.decode(data)
    assert out.shape == gray.shape
    np.testing.assert_array_equal(out, pillow_pixels(data))


@pytest.mark.parametrize("size", [(1, 1), (1, 17), (17, 1), (15, 9), (33, 65)])
def test_encoder_tiny_and_odd_sizes(size):
    rng = np.random.default_rng(size[0] * 100 + size[1])
    img = rng.integers(0, 256, size + (3,), dtype=np.uint8)
    for subsampling in ("4:4:4", "4:2:2", "4:2:0"):
        data = jpeglite.encode(img, 90, subsampling=subsampling)
        np.testing.assert_array_equal(jpeglite.decode(data), pillow_pixels(data))
