"""jpeglite's files against Pillow (libjpeg-turbo): they open, they are as good, they are the same."""
import io
import struct

import numpy as np
import pytest
from PIL import Image

import jpeglite
from conftest import PHOTO_INDEXES, kodak, kodak_name

PIL_SUBSAMPLING = {"4:4:4": 0, "4:2:2": 1, "4:2:0": 2}
SHAPES = [(1, 1), (1, 17), (8, 8), (15, 9), (16, 16), (33, 65)]
QUALITIES = [1, 10, 50, 75, 90, 100]


def pillow_jpeg(image, quality, subsampling, optimize=False, restart_interval=0):
    """Pillow's JPEG of the same image and settings."""
    kw = {"quality": quality, "optimize": optimize, "restart_marker_blocks": restart_interval}
    if image.ndim == 3:   # for "L" Pillow would apply the sampling to the one component
        kw["subsampling"] = PIL_SUBSAMPLING[subsampling]
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", **kw)
    return buf.getvalue()


def pillow_decode(data):
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG"
        return np.asarray(im)


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def coded_segments(data):
    """The segments a decoder needs, in order: everything but APPn and COM, as raw bytes.

    The entropy-coded data after SOS, with its RSTn markers and the EOI, is the last item.
    """
    assert data[:2] == b"\xff\xd8"
    out, pos = [], 2
    while True:
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        seg = data[pos:pos + 2 + length]
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE):
            out.append(seg)
        pos += 2 + length
        if marker == 0xDA:
            out.append(data[pos:])
            return out


def crop(photo, shape, gray):
    """A piece of a real photo of the given shape (grayscale: its green channel)."""
    h, w = shape
    piece = photo[200:200 + h, 300:300 + w]
    return np.ascontiguousarray(piece[..., 1] if gray else piece)


@pytest.fixture(scope="module")
def photo():
    return kodak(22)   # kodim23, also the bundled sample


@pytest.mark.parametrize("quality", QUALITIES)
@pytest.mark.parametrize("mode", ["gray", "4:4:4", "4:2:2", "4:2:0"])
def test_pillow_opens_every_file_and_quality_matches_pillow(photo, mode, quality):
    gray = mode == "gray"
    ss = "4:2:0" if gray else mode
    images = [crop(photo, s, gray) for s in SHAPES]
    images.append(np.ascontiguousarray(photo[..., 1]) if gray else photo)
    for image in images:
        for optimize in (False, True):
            for restart in (0, 3):
                data = jpeglite.encode(image, quality, subsampling=ss, optimize=optimize,
                                       restart_interval=restart)
                decoded = pillow_decode(data)
                assert decoded.shape == image.shape
                theirs = pillow_decode(pillow_jpeg(image, quality, ss, optimize, restart))
                assert psnr(image, decoded) >= psnr(image, theirs) - 1e-9


@pytest.mark.parametrize("index", PHOTO_INDEXES, ids=kodak_name)
def test_tables_headers_and_scan_identical_to_libjpeg(index):
    rgb = kodak(index)
    gray = np.ascontiguousarray(rgb[..., 1])
    quality = [75, 50, 90, 10, 100, 30, 95, 60][index % 8]
    restart = [0, 0, 5, 0][index % 4]
    cases = [(rgb, "4:4:4"), (rgb, "4:2:0"), (rgb, "4:2:2"), (gray, "4:2:0")]
    for image, ss in cases:
        ours = jpeglite.encode(image, quality, subsampling=ss, restart_interval=restart)
        theirs = pillow_jpeg(image, quality, ss, restart_interval=restart)
        assert coded_segments(ours) == coded_segments(theirs), (ss, quality, restart)


@pytest.mark.parametrize("index", PHOTO_INDEXES, ids=kodak_name)
def test_optimized_size_within_half_a_percent_of_libjpeg(index):
    rgb = kodak(index)
    quality = [75, 90, 50][index % 3]
    for image, ss in ((rgb, "4:2:0"), (rgb, "4:4:4"), (np.ascontiguousarray(rgb[..., 0]), "4:2:0")):
        ours = jpeglite.encode(image, quality, subsampling=ss, optimize=True)
        theirs = pillow_jpeg(image, quality, ss, optimize=True)
        plain = jpeglite.encode(image, quality, subsampling=ss)
        assert abs(len(ours) - len(theirs)) <= 0.005 * len(theirs)
        assert len(ours) < len(plain)


def test_optimized_tables_are_libjpegs(photo):
    # jpeg_gen_optimal_table's tie-breaking is reproduced, so the optimized
    # tables (and hence the scan) are libjpeg's too
    for ss in ("4:2:0", "4:4:4"):
        ours = jpeglite.encode(photo, 80, subsampling=ss, optimize=True, restart_interval=4)
        theirs = pillow_jpeg(photo, 80, ss, optimize=True, restart_interval=4)
        assert coded_segments(ours) == coded_segments(theirs)


def test_odd_sizes_identical_to_libjpeg(photo):
    # partial MCUs at the right and bottom edges, in every subsampling
    for shape in SHAPES + [(17, 18), (31, 33), (40, 7), (9, 100)]:
        for gray in (False, True):
            image = crop(photo, shape, gray)
            for ss in ("4:4:4", "4:2:2", "4:2:0"):
                for restart in (0, 1):
                    ours = jpeglite.encode(image, 85, subsampling=ss, restart_interval=restart)
                    theirs = pillow_jpeg(image, 85, ss, restart_interval=restart)
                    assert coded_segments(ours) == coded_segments(theirs), (shape, gray, ss)
