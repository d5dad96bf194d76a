"""Benchmark inputs: the image corpus ($JPEGLITE_CORPUS, else ../shared/corpus).

Found by the package's rule (``jpeglite.bench.find_corpus``); without it, every
benchmark module that imports this one is skipped with the reason.
"""
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from jpeglite.bench import find_corpus, no_corpus_message

ROOT = Path(__file__).resolve().parents[1]
CORPUS = find_corpus(ROOT)
if CORPUS is None:
    pytest.skip(no_corpus_message(ROOT), allow_module_level=True)
KODAK = sorted((CORPUS / "kodak").glob("kodim*.png"))
LARGE = sorted((CORPUS / "large").glob("*.png"))


@lru_cache(maxsize=None)
def load_rgb(path):
    """A corpus PNG as a read-only (H, W, 3) uint8 array."""
    from PIL import Image

    with Image.open(path) as im:
        arr = np.asarray(im.convert("RGB"))
    arr.setflags(write=False)
    return arr


def largest_photo():
    """The RGB photo of ../shared/corpus/large with the most pixels."""
    from PIL import Image

    def pixels(p):
        with Image.open(p) as im:
            return im.size[0] * im.size[1] if im.mode == "RGB" else 0
    return max(LARGE, key=pixels)
