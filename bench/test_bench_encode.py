"""Encode speed, jpeglite next to libjpeg-turbo's callers, on the same images and settings.

Run with: PYTHONPATH=src python -m pytest bench --benchmark-enable
Each benchmark group holds one image and setting, with jpeglite on one thread
(threads=1) and on every core (the default, threads=None), Pillow with a
numpy array in (``Image.fromarray`` timed) and Pillow's codec alone (a PIL
Image in), simplejpeg and PyTurboJPEG (skipped with the reason when they are
absent, and for optimized tables, which they do not write); all of them
encode on one thread. extra_info gives the file size in bytes, the speed in
megapixels per second and the 1-minute load average.
"""
import pytest

import jpeglite
from codecs_bench import OTHERS, encoder
from corpus import KODAK, largest_photo, load_rgb

IMAGES = {"large": largest_photo(), "kodim01": KODAK[0]}
SETTINGS = [(75, "4:2:0"), (90, "4:4:4")]

# jpeglite thread counts (None: every core), then the other codecs
CODECS = {"jpeglite-1thread": 1, "jpeglite-default": None, **{name: None for name in OTHERS}}


def _encoder(codec, rgb, quality, subsampling, optimize):
    if codec.startswith("jpeglite"):
        threads = CODECS[codec]
        return lambda: jpeglite.encode(rgb, quality, subsampling=subsampling, optimize=optimize,
                                       threads=threads)
    return encoder(codec, rgb, quality, subsampling, optimize)


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
