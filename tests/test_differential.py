"""Differential properties of the encoder and the lossless tools, on generated cases.

Hostile-input tests (test_hostile.py) catch crashes; these catch wrong bytes, which
is how a bug in an entropy coder, a progressive pass or the coefficient I/O shows.
For a random small image (grey or RGB, odd sizes) and a random option set (quality,
subsampling, optimize, progressive, arithmetic, restart interval, qtables, tune="psnr"):

- Pillow (libjpeg-turbo) decodes jpeglite's file to exactly ``jpeglite.decode``'s pixels;
- the file's bytes are the same for 1, 2 and 3 threads;
- ``optimize(x)`` decodes to ``decode(x)`` and is never larger than x;
- ``encode_coefficients(read_coefficients(x))`` decodes to ``decode(x)``;
- ``analyze(x)``'s parts add up to ``8 * len(x)`` bits (arithmetic files too).

Hypothesis runs derandomized (CI is repeatable) and without a database;
JPEGLITE_HYPOTHESIS_SCALE scales the number of examples (long runs: e.g. 100).
"""
import io
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import jpeglite
from jpeglite import parallel

SCALE = float(os.environ.get("JPEGLITE_HYPOTHESIS_SCALE", "1"))
# libjpeg-turbo as Pillow builds it reads arithmetic files only up to 64 KB
# (its input buffer); the arithmetic cases are kept far below that.
PILLOW_ARITH_LIMIT = 64 * 1024


def examples(n):
    return max(10, int(n * SCALE))


def pillow_pixels(data):
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return np.asarray(im)


@st.composite
def images(draw, max_side=40):
    h = draw(st.integers(1, max_side))
    w = draw(st.integers(1, max_side))
    shape = (h, w) if draw(st.booleans()) else (h, w, 3)
    kind = draw(st.sampled_from(["noise", "flat", "gradient", "blocks"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "noise":
        return rng.integers(0, 256, shape, dtype=np.uint8)
    if kind == "flat":
        return np.full(shape, draw(st.integers(0, 255)), np.uint8)
    if kind == "gradient":
        g = (np.add.outer(np.arange(h) * 7, np.arange(w) * 5) % 256).astype(np.uint8)
        return g if len(shape) == 2 else np.stack([g, 255 - g, g // 2], axis=2)
    # big blocks of extreme values: large DC differences, long zero runs
    img = rng.choice(np.array([0, 255], np.uint8), shape)
    return np.repeat(np.repeat(img[::8, ::8], 8, 0), 8, 1)[:h, :w].copy()


@st.composite
def options(draw):
    opts = {"subsampling": draw(st.sampled_from(["4:4:4", "4:2:2", "4:2:0"])),
            "restart_interval": draw(st.sampled_from([0, 0, 1, 2, 5]))}
    mode = draw(st.sampled_from(["baseline", "optimize", "progressive", "arithmetic"]))
    if mode == "optimize":
        opts["optimize"] = True
    elif mode == "progressive":
        opts["progressive"] = True
    elif mode == "arithmetic":
        opts["arithmetic"] = True
    if mode != "arithmetic" and draw(st.integers(0, 3)) == 0:
        opts["tune"] = "psnr"                  # trellis quantization, searched scan script
    if draw(st.integers(0, 4)) == 0:
        n = draw(st.integers(1, 2))
        opts["qtables"] = [draw(st.lists(st.integers(1, 255), min_size=64, max_size=64))
                           for _ in range(n)]
        if draw(st.booleans()):
            opts["quality"] = draw(st.integers(1, 100))
    else:
        opts["quality"] = draw(st.sampled_from([1, 5, 25, 50, 75, 90, 95, 100]))
    return opts


def check_file(data):
    """The properties every JPEG jpeglite can read must have."""
    pixels = jpeglite.decode(data)

    smaller = jpeglite.optimize(data)
    assert len(smaller) <= len(data)
    np.testing.assert_array_equal(jpeglite.decode(smaller), pixels)

    c = jpeglite.read_coefficients(data)
    np.testing.assert_array_equal(jpeglite.decode(jpeglite.encode_coefficients(c)), pixels)

    r = jpeglite.analyze(data)
    assert r.model_bits + r.header_bits + r.data_bits + r.metadata_bits == 8 * len(data)
    return pixels


@settings(max_examples=examples(500), deadline=None, derandomize=True, database=None)
@given(image=images(), opts=options())
def test_encoder_differential(image, opts):
    data = jpeglite.encode(image, threads=1, **opts)
    for threads in (2, 3):
        assert jpeglite.encode(image, threads=threads, **opts) == data, threads
    pixels = check_file(data)
    for threads in (2, 3):
        np.testing.assert_array_equal(jpeglite.decode(data, threads=threads), pixels)
    if not opts.get("arithmetic") or len(data) < PILLOW_ARITH_LIMIT:
        np.testing.assert_array_equal(pillow_pixels(data), pixels)


@settings(max_examples=examples(120), deadline=None, derandomize=True, database=None)
@given(image=images(), quality=st.integers(1, 100),
       subsampling=st.sampled_from([0, 1, 2]), progressive=st.booleans())
def test_pillow_files_differential(image, quality, subsampling, progressive):
    """The lossless tools on files another encoder wrote."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=quality, subsampling=subsampling,
                                progressive=progressive)
    data = buf.getvalue()
    np.testing.assert_array_equal(check_file(data), pillow_pixels(data))


@settings(max_examples=examples(120), deadline=None, derandomize=True, database=None)
@given(image=images(), quality=st.integers(1, 100), restart_interval=st.sampled_from([0, 1, 3]),
       target=st.sampled_from(["baseline", "progressive", "arithmetic", "annexk"]))
def test_coefficient_rewrites_differential(image, quality, restart_interval, target):
    """encode_coefficients with each of its writers keeps the pixels; Pillow agrees."""
    data = jpeglite.encode(image, quality)
    c = jpeglite.read_coefficients(data)
    kw = {"restart_interval": restart_interval}
    if target == "progressive":
        kw["progressive"] = True
    elif target == "arithmetic":
        kw["arithmetic"] = True
    elif target == "annexk":
        kw["optimize"] = False
    out = jpeglite.encode_coefficients(c, threads=1, **kw)
    assert jpeglite.encode_coefficients(c, threads=3, **kw) == out
    pixels = jpeglite.decode(data)
    np.testing.assert_array_equal(jpeglite.decode(out), pixels)
    if target != "arithmetic" or len(out) < PILLOW_ARITH_LIMIT:
        np.testing.assert_array_equal(pillow_pixels(out), pixels)


@settings(max_examples=examples(24), deadline=None, derandomize=True, database=None)
@given(image=images(max_side=24), opts=options(), h=st.integers(720, 800), w=st.integers(730, 780))
def test_threaded_decode_differential(image, opts, h, w):
    """Images big enough that decode really splits its work (parallel.DECODE_MIN_PIXELS):
    every thread count decodes to the same pixels as Pillow, and encodes the same bytes."""
    reps = (-(-h // image.shape[0]), -(-w // image.shape[1])) + (1,) * (image.ndim - 2)
    big = np.tile(image, reps)[:h, :w].copy()
    assert big.shape[0] * big.shape[1] >= parallel.DECODE_MIN_PIXELS
    opts.pop("arithmetic", None)               # Pillow reads arithmetic files up to 64 KB only
    data = jpeglite.encode(big, threads=1, **opts)
    assert jpeglite.encode(big, threads=3, **opts) == data
    pixels = pillow_pixels(data)
    for threads in (1, 2, 3):
        np.testing.assert_array_equal(jpeglite.decode(data, threads=threads), pixels)
