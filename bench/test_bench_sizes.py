"""Speed by image size: 64x64 and 256x256 crops of the 12 MP photo, the photo,
and a 48 MP mosaic of it (``jpeglite.bench.SIZES``), q75 4:2:0, encode and
decode, one group per size and direction.

Run with: PYTHONPATH=src python -m pytest bench/test_bench_sizes.py --benchmark-enable
jpeglite (one thread, default threads) beside Pillow (numpy in and out),
Pillow's codec alone, simplejpeg and PyTurboJPEG, so the per-call cost of
thumbnails and the per-pixel speed of large images read side by side. The
decoders read Pillow's file of each image. extra_info: megapixels, MP/s
(from the median), bytes and the 1-minute load average. Small images run
pytest-benchmark's calibrated loops; 12 and 48 MP three rounds each.
"""
import io
from functools import lru_cache

import pytest
from PIL import Image

import jpeglite
from codecs_bench import OTHERS, codec, encoder
from corpus import largest_photo, load_rgb
from jpeglite.bench import SIZES, size_series

CODECS = ["jpeglite-1thread", "jpeglite-default", *OTHERS]
QUALITY, SUBSAMPLING = 75, "4:2:0"


@lru_cache(maxsize=1)
def _images():
    return dict(zip(SIZES, (img for _, img in size_series(load_rgb(largest_photo())))))


@lru_cache(maxsize=None)
def _file(size):
    buf = io.BytesIO()
    Image.fromarray(_images()[size]).save(buf, "JPEG", quality=QUALITY, subsampling=2)
    return buf.getvalue()


def _run(benchmark, size, fn):
    if size.endswith("MP"):
        benchmark.pedantic(fn, rounds=3, iterations=1, warmup_rounds=1)
    else:
        benchmark(fn)
    img = _images()[size]
    mp = img.shape[0] * img.shape[1] / 1e6
    benchmark.extra_info["megapixels"] = round(mp, 3)
    if benchmark.stats is not None:
        benchmark.extra_info["MP_per_s"] = round(mp / benchmark.stats.stats.median, 1)


@pytest.mark.parametrize("name", CODECS)
@pytest.mark.parametrize("size", SIZES)
def test_encode_size(benchmark, size, name):
    img = _images()[size]
    benchmark.group = f"size {size} encode"
    if name.startswith("jpeglite"):
        threads = 1 if name == "jpeglite-1thread" else None

        def fn():
            return jpeglite.encode(img, QUALITY, subsampling=SUBSAMPLING, threads=threads)
    else:
        fn = encoder(name, img, QUALITY, SUBSAMPLING)
    benchmark.extra_info["bytes"] = len(fn())
    _run(benchmark, size, fn)


@pytest.mark.parametrize("name", CODECS)
@pytest.mark.parametrize("size", SIZES)
def test_decode_size(benchmark, size, name):
    data = _file(size)
    benchmark.group = f"size {size} decode"
    benchmark.extra_info["bytes"] = len(data)
    if name.startswith("jpeglite"):
        threads = 1 if name == "jpeglite-1thread" else None

        def fn():
            return jpeglite.decode(data, threads=threads)
    else:
        c = codec(name)

        def fn():
            return c.decode(data)
    _run(benchmark, size, fn)
