"""Shared fixtures: where the image corpus is, and small loaders for it.

The corpus is optional. It is found by the package's own rule
(``jpeglite.bench.find_corpus``): ``$JPEGLITE_CORPUS`` when set, else
``../shared/corpus`` beside this repository. Without it, tests that need a
corpus file skip with :data:`NO_CORPUS` as the reason, and tests that only need
"a photo" run on the bundled sample (Kodak kodim23, shipped in the package).
``JPEGLITE_REQUIRE_CORPUS=1`` (for CI, which has the corpus) makes its absence an error.
"""
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from jpeglite.bench import find_corpus, no_corpus_message
from jpeglite.images import SAMPLE_NAME, sample_image

ROOT = Path(__file__).resolve().parents[1]
CORPUS = find_corpus(ROOT)   # None when absent
KODAK = sorted((CORPUS / "kodak").glob("kodim*.png")) if CORPUS else []
LARGE = sorted((CORPUS / "large").glob("*.png")) if CORPUS else []
JPEGS = (sorted((CORPUS / "jpeg").glob("*.jp*g")) + sorted((CORPUS / "jpeg").glob("*.mpo"))
         if CORPUS else [])
NO_CORPUS = no_corpus_message(ROOT)
# Indexes of the Kodak photos for parametrizing; without the corpus, the bundled
# sample's own index (kodim23: 22), which kodak() serves from the package
PHOTO_INDEXES = list(range(len(KODAK))) or [int(SAMPLE_NAME[len("kodim"):]) - 1]

needs_corpus = pytest.mark.skipif(CORPUS is None, reason=NO_CORPUS)


def pytest_configure(config):
    # CI has the corpus: there, a missing one is an error, not a run of skips
    if CORPUS is None and os.environ.get("JPEGLITE_REQUIRE_CORPUS"):
        raise pytest.UsageError(NO_CORPUS + " (JPEGLITE_REQUIRE_CORPUS is set)")


def corpus_params(paths):
    """``paths`` for ``pytest.mark.parametrize``; when the corpus is absent, one
    skipped parameter carrying the reason (an empty list would collect nothing, silently)."""
    if paths:
        return paths
    return [pytest.param(None, id="no-corpus", marks=pytest.mark.skip(reason=NO_CORPUS))]


@lru_cache(maxsize=None)
def load_png(path):
    """Read a PNG from the corpus as a read-only uint8 array (Pillow is a test dependency)."""
    from PIL import Image

    with Image.open(path) as im:
        arr = np.asarray(im.convert("L" if im.mode in ("L", "I;16") else "RGB"))
    arr.setflags(write=False)
    return arr


@lru_cache(maxsize=None)
def _sample():
    arr = sample_image()
    arr.setflags(write=False)
    return arr


def kodak_name(index):
    """The name of the photo :func:`kodak` returns for ``index``."""
    return KODAK[index].stem if KODAK else SAMPLE_NAME


def kodak(index):
    """Kodak photo ``index`` (0-based: 0 is kodim01) as a read-only array, or,
    without the corpus, the bundled sample kodim23: for tests that need a real
    photo, not a particular one."""
    if KODAK:
        return load_png(KODAK[index])
    return _sample()


@pytest.fixture(scope="session")
def photo():
    """A real 768x512 RGB photo: kodim01, or the bundled kodim23 without the corpus."""
    return kodak(0)


@pytest.fixture(scope="session")
def kodim01():
    if not KODAK:
        pytest.skip(NO_CORPUS)
    return load_png(KODAK[0])


def damaged_copies_decode_as_libjpeg_turbo(base, start, step, xor):
    """Flip ``xor`` into every ``step``-th byte of ``base`` from ``start`` (its
    entropy-coded data), one byte a copy: every copy libjpeg-turbo 3
    (imagecodecs) decodes, jpeglite decodes to the same samples. Returns how
    many copies were compared (skips without imagecodecs)."""
    import jpeglite

    ic = pytest.importorskip("imagecodecs")
    same = 0
    for k in range(start, len(base) - 2, step):
        data = bytearray(base)
        data[k] ^= xor
        try:
            ref = ic.jpeg8_decode(bytes(data))
        except Exception:
            continue
        np.testing.assert_array_equal(jpeglite.decode(bytes(data)), ref)
        same += 1
    return same
