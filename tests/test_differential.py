"""Differential properties of the encoder and the lossless tools, on generated cases.

Hostile-input tests (test_hostile.py) catch crashes; these catch wrong bytes, which
is how a bug in an entropy coder, a progressive pass or the coefficient I/O shows.
For a random small image (grey or RGB, odd sizes) and a random option set (quality,
subsampling, optimize, progressive, arithmetic, restart interval, qtables, tune="psnr",
metadata: ICC profile, Exif, comment), each drawn independently:

- Pillow (libjpeg-turbo) decodes jpeglite's file to exactly ``jpeglite.decode``'s pixels
  (djpeg for arithmetic files above Pillow's 64 KB limit), and reads back the metadata;
- the file's bytes are the same for 1, 2 and 3 threads, and so are the decodes;
- ``optimize(x)`` decodes to ``decode(x)``, is never larger than x and keeps the metadata;
- ``encode_coefficients(read_coefficients(x))`` decodes to ``decode(x)``;
- ``analyze(x)``'s parts add up to ``8 * len(x)`` bits (arithmetic files too).

The cases are drawn through ``Chooser`` so that the same definitions serve hypothesis
here (derandomized, no database: CI is repeatable; JPEGLITE_HYPOTHESIS_SCALE scales the
number of examples) and the long-run driver ``fuzz/differential.py`` (a seeded loop).
"""
import io
import os
import random
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import jpeglite
from jpeglite import parallel
from jpeglite.tune import TUNES

SCALE = float(os.environ.get("JPEGLITE_HYPOTHESIS_SCALE", "1"))
# libjpeg-turbo as Pillow builds it reads arithmetic files only up to 64 KB
# (its input buffer); larger ones are checked with djpeg when it is installed.
PILLOW_ARITH_LIMIT = 64 * 1024
DJPEG = shutil.which("djpeg")


def examples(n):
    return max(10, int(n * SCALE))


class Chooser:
    """Where a case's choices come from: hypothesis's ``draw`` (``Chooser(draw=draw)``)
    or a seeded ``random.Random`` (``Chooser(rng=...)``, the long-run driver)."""

    def __init__(self, draw=None, rng=None):
        self._draw, self._rng = draw, rng

    def integer(self, lo, hi):
        """An int in lo..hi, both included."""
        if self._draw is not None:
            return self._draw(st.integers(lo, hi))
        return self._rng.randint(lo, hi)

    def pick(self, seq):
        """One element of seq."""
        if self._draw is not None:
            return self._draw(st.sampled_from(seq))
        return seq[self._rng.randrange(len(seq))]

    def boolean(self, one_in=2):
        """True one time in ``one_in``."""
        return self.integer(1, one_in) == 1


def make_image(ch, max_side=40):
    """Grey or RGB, 1..max_side pixels a side: noise, flat, a gradient or 8x8 blocks of 0/255."""
    h = ch.integer(1, max_side)
    w = ch.integer(1, max_side)
    shape = (h, w) if ch.boolean() else (h, w, 3)
    kind = ch.pick(["noise", "flat", "gradient", "blocks"])
    rng = np.random.default_rng(ch.integer(0, 2**32 - 1))
    if kind == "noise":
        return rng.integers(0, 256, shape, dtype=np.uint8)
    if kind == "flat":
        return np.full(shape, ch.integer(0, 255), np.uint8)
    if kind == "gradient":
        g = (np.add.outer(np.arange(h) * 7, np.arange(w) * 5) % 256).astype(np.uint8)
        return g if len(shape) == 2 else np.stack([g, 255 - g, g // 2], axis=2)
    # big blocks of extreme values: large DC differences, long zero runs
    img = rng.choice(np.array([0, 255], np.uint8), shape)
    return np.repeat(np.repeat(img[::8, ::8], 8, 0), 8, 1)[:h, :w].copy()


def make_metadata(ch):
    """icc_profile, exif and comment options, each present one time in three; the ICC
    profile sometimes spans several APP2 chunks (and the file Pillow's 64 KB limit)."""
    opts = {}
    rng = np.random.default_rng(ch.integer(0, 2**32 - 1))
    if ch.boolean(3):
        n = ch.pick([1, 100, 65519, 65520, 140000])
        opts["icc_profile"] = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
    if ch.boolean(3):
        # a TIFF header and an empty IFD (what Pillow parses without a warning), then bytes
        tiff = b"MM\x00*\x00\x00\x00\x08" + bytes(6) + rng.integers(
            0, 256, ch.integer(0, 300), dtype=np.uint8).tobytes()
        opts["exif"] = tiff if ch.boolean() else b"Exif\x00\x00" + tiff
    if ch.boolean(3):
        text = rng.integers(0x20, 0x7F, ch.pick([1, 17, 1000]), dtype=np.uint8).tobytes()
        opts["comment"] = text.decode() + "é" if ch.boolean() else text
    return opts


def arithmetic_progressive():
    """Whether this jpeglite writes progressive arithmetic files (SOF10)."""
    try:
        jpeglite.encode(np.zeros((8, 8), np.uint8), arithmetic=True, progressive=True)
    except ValueError:
        return False
    return True


ARITH_PROGRESSIVE = arithmetic_progressive()


def make_options(ch):
    """An encode option set: every option drawn on its own (what does not combine is dropped)."""
    opts = {"subsampling": ch.pick([None, "4:4:4", "4:2:2", "4:2:0"]),
            "restart_interval": ch.pick([0, 0, 0, 1, 2, 5, 65535])}
    if ch.boolean():
        opts["optimize"] = True
    if ch.boolean(3):
        opts["progressive"] = True
    if ch.boolean(4):
        opts["arithmetic"] = True
        if opts.get("progressive") and not ARITH_PROGRESSIVE:
            del opts["progressive"]
    tune = ch.pick(TUNES)                      # "psnr": trellis quantization, searched scans
    if tune is not None:
        opts["tune"] = tune
    if ch.boolean(5):
        opts["qtables"] = [np.random.default_rng(ch.integer(0, 2**32 - 1)).integers(
            1, ch.pick([2, 16, 256, 1024, 65536]), 64).tolist()    # above 255: 16-bit DQT, SOF1
            for _ in range(ch.integer(1, 2))]
        if ch.boolean():
            opts["quality"] = ch.integer(1, 100)
    else:
        opts["quality"] = ch.pick([1, 5, 25, 50, 75, 90, 95, 100, ch.integer(1, 100)])
    if ch.boolean(4):
        opts.update(make_metadata(ch))
    return opts


def pillow_pixels(data):
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return np.asarray(im)


def djpeg_pixels(data):
    """libjpeg-turbo's djpeg (PPM or PGM out), for arithmetic files Pillow cannot read."""
    out = subprocess.run([DJPEG], input=data, capture_output=True, check=True).stdout
    with Image.open(io.BytesIO(out)) as im:
        im.load()
        return np.asarray(im)


def arithmetic(data):
    """Whether data's frame is arithmetic-coded (SOF9, SOF10; as its header says)."""
    return "arithmetic" in jpeglite.info(data).process


def pillow_reads(data):
    """Whether Pillow's libjpeg-turbo reads data (arithmetic files only below 64 KB)."""
    return len(data) < PILLOW_ARITH_LIMIT or not arithmetic(data)


def reference_pixels(data):
    """libjpeg-turbo's decode of data, or None where none can read it here."""
    if not pillow_reads(data):
        return djpeg_pixels(data) if DJPEG else None
    return pillow_pixels(data)


def pillow_metadata(data):
    with Image.open(io.BytesIO(data)) as im:
        return {k: im.info.get(k) for k in ("icc_profile", "exif", "comment")}


def expected_metadata(opts):
    """What Pillow's ``info`` holds for a file written with opts."""
    comment = opts.get("comment")
    exif = opts.get("exif")
    return {"icc_profile": opts.get("icc_profile") or None,
            "exif": None if exif is None else
            (exif if exif.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + exif),
            "comment": comment.encode() if isinstance(comment, str) else comment}


def check_file(data, metadata=None):
    """The properties every JPEG jpeglite can read must have; returns decode(data).
    metadata: what Pillow must read from data and from optimize(data)."""
    pixels = jpeglite.decode(data)

    smaller = jpeglite.optimize(data)
    assert len(smaller) <= len(data)
    np.testing.assert_array_equal(jpeglite.decode(smaller), pixels)
    if metadata is not None and pillow_reads(smaller):
        assert pillow_metadata(smaller) == metadata

    c = jpeglite.read_coefficients(data)
    np.testing.assert_array_equal(jpeglite.decode(jpeglite.encode_coefficients(c)), pixels)

    r = jpeglite.analyze(data)
    assert r.model_bits + r.header_bits + r.data_bits + r.metadata_bits == 8 * len(data)
    return pixels


def check_encode(image, opts):
    """Every property of one encode: thread counts, check_file, libjpeg-turbo's pixels
    and metadata. Returns the file."""
    data = jpeglite.encode(image, threads=1, **opts)
    for threads in (2, 3):
        assert jpeglite.encode(image, threads=threads, **opts) == data, threads
    metadata = expected_metadata(opts)
    pixels = check_file(data, metadata)
    for threads in (2, 3):
        np.testing.assert_array_equal(jpeglite.decode(data, threads=threads), pixels)
    ref = reference_pixels(data)
    if ref is not None:
        np.testing.assert_array_equal(ref, pixels)
    if pillow_reads(data):
        assert pillow_metadata(data) == metadata
    return data


def check_pillow_file(image, quality, subsampling, progressive):
    """The lossless tools on a file another encoder (Pillow) wrote."""
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=quality, subsampling=subsampling,
                                progressive=progressive)
    data = buf.getvalue()
    np.testing.assert_array_equal(check_file(data), pillow_pixels(data))


REWRITE_TARGETS = ["baseline", "progressive", "arithmetic", "annexk"]


def check_rewrite(image, quality, restart_interval, target):
    """encode_coefficients with one of its writers keeps the pixels; libjpeg-turbo agrees."""
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
    ref = reference_pixels(out)
    if ref is not None:
        np.testing.assert_array_equal(ref, pixels)


def random_case(rng):
    """One case of any kind, drawn from rng (random.Random): (kind, check, args)."""
    ch = Chooser(rng=rng)
    r = rng.random()
    if r < 0.8:
        return "encode", check_encode, (make_image(ch), make_options(ch))
    if r < 0.9:
        return "pillow", check_pillow_file, (make_image(ch), ch.integer(1, 100),
                                             ch.integer(0, 2), ch.boolean())
    return "rewrite", check_rewrite, (make_image(ch), ch.integer(1, 100),
                                      ch.pick([0, 1, 3]), ch.pick(REWRITE_TARGETS))


@st.composite
def images(draw, max_side=40):
    return make_image(Chooser(draw=draw), max_side)


@st.composite
def options(draw):
    return make_options(Chooser(draw=draw))


@settings(max_examples=examples(500), deadline=None, derandomize=True, database=None)
@given(image=images(), opts=options())
def test_encoder_differential(image, opts):
    check_encode(image, opts)


@settings(max_examples=examples(120), deadline=None, derandomize=True, database=None)
@given(image=images(), quality=st.integers(1, 100),
       subsampling=st.sampled_from([0, 1, 2]), progressive=st.booleans())
def test_pillow_files_differential(image, quality, subsampling, progressive):
    check_pillow_file(image, quality, subsampling, progressive)


@settings(max_examples=examples(120), deadline=None, derandomize=True, database=None)
@given(image=images(), quality=st.integers(1, 100), restart_interval=st.sampled_from([0, 1, 3]),
       target=st.sampled_from(REWRITE_TARGETS))
def test_coefficient_rewrites_differential(image, quality, restart_interval, target):
    check_rewrite(image, quality, restart_interval, target)


@settings(max_examples=examples(24), deadline=None, derandomize=True, database=None)
@given(image=images(max_side=24), opts=options(), h=st.integers(720, 800), w=st.integers(730, 780))
def test_threaded_decode_differential(image, opts, h, w):
    """Images big enough that decode really splits its work (parallel.DECODE_MIN_PIXELS):
    every thread count decodes to the same pixels as libjpeg-turbo, and encodes the same
    bytes."""
    reps = (-(-h // image.shape[0]), -(-w // image.shape[1])) + (1,) * (image.ndim - 2)
    big = np.tile(image, reps)[:h, :w].copy()
    assert big.shape[0] * big.shape[1] >= parallel.DECODE_MIN_PIXELS
    data = jpeglite.encode(big, threads=1, **opts)
    assert jpeglite.encode(big, threads=3, **opts) == data
    ref = reference_pixels(data)
    for threads in (1, 2, 3):
        pixels = jpeglite.decode(data, threads=threads)
        if ref is not None:
            np.testing.assert_array_equal(pixels, ref)


@pytest.mark.skipif(DJPEG is None, reason="djpeg (libjpeg-turbo-progs) is not installed")
def test_djpeg_agrees_with_pillow():
    """djpeg stands in for Pillow on big arithmetic files: it decodes as Pillow does."""
    image = make_image(Chooser(rng=random.Random(5)), 40)
    for opts in ({}, {"subsampling": "4:2:2"}, {"progressive": True}):
        data = jpeglite.encode(np.dstack([image] * 3) if image.ndim == 2 else image, **opts)
        np.testing.assert_array_equal(djpeg_pixels(data), pillow_pixels(data))
