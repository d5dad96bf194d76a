"""Benchmark inputs: the corpus next to the repository (../shared/corpus)."""
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
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
