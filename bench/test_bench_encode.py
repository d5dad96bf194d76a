"""Encode speed, jpeglite next to Pillow (libjpeg-turbo), on the same images and settings.

Run with: PYTHONPATH=src python -m pytest bench --benchmark-enable
Each benchmark group holds one image and setting, with jpeglite on one thread
(threads=1), jpeglite on every core (the default, threads=None) and Pillow,
which encodes on one thread; extra_info gives the file size in bytes and the
speed in megapixels per second.
"""
import io

import pytest
from PIL import Image

import jpeglite
from corpus import KODAK, largest_photo, load_rgb

IMAGES = {"large": largest_photo(), "kodim01": KODAK[0]}
SETTINGS = [(75, "4:2:0"), (90, "4:4:4")]
PIL_SUBSAMPLING = {"4:4:4": 0, "4:2:2": 1, "4:2:0": 2}


# jpeglite thread counts (None: every core); Pillow (libjpeg-turbo) always uses one thread
CODECS = {"jpeglite-1thread": 1, "jpeglite-default": None, "pillow": None}


def _encoder(codec, rgb, quality, subsampling, optimize):
    if codec.startswith("jpeglite"):
        threads = CODECS[codec]
        return lambda: jpeglite.encode(rgb, quality, subsampling=subsampling, optimize=optimize,
                                       threads=threads)
    pil = Image.fromarray(rgb)       # conversion to a PIL image is not part of the timing

    def save():
        buf = io.BytesIO()
        pil.save(buf, "JPEG", quality=quality, subsampling=PIL_SUBSAMPLING[subsampling],
                 optimize=optimize)
        return buf.getvalue()
    return save


@pytest.mark.parametrize("codec", list(CODECS))
@pytest.mark.parametrize("optimize", [False, True], ids=["std", "opt"])
@pytest.mark.parametrize("quality, subsampling", SETTINGS, ids=lambda x: str(x))
@pytest.mark.parametrize("image", list(IMAGES))
def test_encode(benchmark, image, quality, subsampling, optimize, codec):
    rgb = load_rgb(IMAGES[image])
    megapixels = rgb.shape[0] * rgb.shape[1] / 1e6
    benchmark.group = (f"encode {image} {rgb.shape[1]}x{rgb.shape[0]} q{quality} {subsampling}"
                       f"{' optimize' if optimize else ''}")
    data = benchmark(_encoder(codec, rgb, quality, subsampling, optimize))
    benchmark.extra_info["bytes"] = len(data)
    benchmark.extra_info["megapixels"] = round(megapixels, 3)
    if benchmark.stats is not None:
        benchmark.extra_info["MP_per_s"] = round(megapixels / benchmark.stats.stats.min, 1)
