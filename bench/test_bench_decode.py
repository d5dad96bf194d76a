"""Decode speed, jpeglite against libjpeg-turbo's callers on the same bytes.

Run with:  PYTHONPATH=src python -m pytest bench/test_bench_decode.py --benchmark-enable
Each group holds one input (a Pillow-written file: 4:2:0 q75, 4:4:4 q90, a
progressive and a restart-marker file of the 12 MP photo, and a Kodak photo)
decoded by jpeglite (one thread, and the default, one per core), Pillow to a
numpy array and Pillow's codec alone (``Image.load``), simplejpeg and
PyTurboJPEG (skipped with the reason when absent); extra_info carries the
image size in megapixels, the measured megapixels per second and the
1-minute load average.  Nothing here asserts a time; the pixels are asserted
equal once per input.
"""
import io

import numpy as np
import pytest
from PIL import Image

import jpeglite
from codecs_bench import OTHERS, codec
from corpus import KODAK as KODAK_ALL, largest_photo

PHOTO_12MP = largest_photo()                        # 4000 x 3000
KODAK = [p for p in KODAK_ALL if p.name == "kodim23.png"][0]   # 768 x 512

CASES = {
    "12MP-q75-420": (PHOTO_12MP, dict(quality=75, subsampling=2)),
    "12MP-q90-444": (PHOTO_12MP, dict(quality=90, subsampling=0)),
    "12MP-q75-420-progressive": (PHOTO_12MP, dict(quality=75, subsampling=2, progressive=True)),
    "12MP-q75-420-restart": (PHOTO_12MP, dict(quality=75, subsampling=2, restart_marker_rows=1)),
    "kodim23-q75-420": (KODAK, dict(quality=75, subsampling=2)),
}

_cache = {}


def jpeg_bytes(case):
    """The case's photo encoded once by Pillow with the case's options."""
    if case not in _cache:
        path, options = CASES[case]
        with Image.open(path) as im:
            buf = io.BytesIO()
            im.convert("RGB").save(buf, "JPEG", **options)
        data = buf.getvalue()
        with Image.open(io.BytesIO(data)) as im:
            np.testing.assert_array_equal(jpeglite.decode(data), np.asarray(im))
        _cache[case] = data
    return _cache[case]


def _record(benchmark, data):
    with Image.open(io.BytesIO(data)) as im:
        mp = im.width * im.height / 1e6
    benchmark.extra_info["megapixels"] = round(mp, 3)
    benchmark.extra_info["bytes"] = len(data)
    return mp


def _rate(benchmark, mp):
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        benchmark.extra_info["MP/s"] = round(mp / stats.stats.min, 1)


@pytest.mark.parametrize("threads", [1, None], ids=["threads=1", "threads=default"])
@pytest.mark.parametrize("case", list(CASES))
def test_decode_jpeglite(benchmark, case, threads):
    data = jpeg_bytes(case)
    benchmark.group = f"decode {case}"
    benchmark.extra_info["threads"] = threads or "default"
    mp = _record(benchmark, data)
    benchmark.pedantic(jpeglite.decode, args=(data,), kwargs={"threads": threads}, rounds=5,
                       iterations=1, warmup_rounds=1)
    _rate(benchmark, mp)


@pytest.mark.parametrize("name", OTHERS)
@pytest.mark.parametrize("case", list(CASES))
def test_decode_others(benchmark, case, name):
    data = jpeg_bytes(case)
    c = codec(name)
    benchmark.group = f"decode {case}"
    mp = _record(benchmark, data)
    benchmark.pedantic(c.decode, args=(data,), rounds=5, iterations=1, warmup_rounds=1)
    _rate(benchmark, mp)
