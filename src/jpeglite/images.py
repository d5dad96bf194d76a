"""Image file I/O for the command line and the benchmark (not part of the codec API).

- ``.npy`` / ``.npz``: numpy, always available (an ``.npz`` holds the image
  under the key ``"image"``, or as its only array).
- ``.jpg`` / ``.jpeg``: jpeglite itself (``jpeglite.read`` / ``jpeglite.write``).
- anything else (PNG, TIFF, BMP, ...): Pillow, the optional extra
  ``jpeglite[image]``; without it a :class:`MissingDependency` says what to install.

The jpeglite codec functions are looked up at call time, so this module works
with whatever build of the package is imported.
"""
from __future__ import annotations

import importlib
import io
from importlib import resources
from pathlib import Path

import numpy as np

__all__ = ["MissingDependency", "codec", "load_image", "save_image", "sample_image",
           "pillow", "JPEG_SUFFIXES"]

JPEG_SUFFIXES = (".jpg", ".jpeg", ".jpe", ".jfif")
SAMPLE_NAME = "kodim23"


class MissingDependency(ImportError):
    """An optional dependency (Pillow, matplotlib) is needed and not installed.

    The message is one line that names the pip command to fix it.
    """


def codec(name):
    """The jpeglite function ``name`` (``encode``, ``decode``, ``analyze``, ...), looked up now.

    Raises ``RuntimeError`` (one-line message) when this build of jpeglite
    does not provide it.
    """
    pkg = importlib.import_module("jpeglite")
    fn = getattr(pkg, name, None)
    if fn is None:
        raise RuntimeError(f"this build of jpeglite has no {name}()")
    return fn


def pillow():
    """The ``PIL.Image`` module, or :class:`MissingDependency` naming the extra to install."""
    try:
        from PIL import Image
    except ImportError:
        raise MissingDependency(
            'reading and writing PNG and other non-JPEG images needs Pillow: '
            'pip install "jpeglite[image]"') from None
    return Image


def sample_image() -> np.ndarray:
    """The sample photo shipped with the package (Kodak kodim23, 768x512 RGB uint8)."""
    ref = resources.files("jpeglite").joinpath("data", SAMPLE_NAME + ".npz")
    with ref.open("rb") as f, np.load(io.BytesIO(f.read()), allow_pickle=False) as npz:
        return npz["image"]


def _from_npz(path):
    with np.load(path, allow_pickle=False) as npz:
        if "image" in npz.files:
            return npz["image"]
        if len(npz.files) == 1:
            return npz[npz.files[0]]
        raise ValueError(f"{path}: an .npz must hold the image under the key 'image' "
                         f"(found keys {', '.join(npz.files)})")


def load_image(path) -> np.ndarray:
    """Read an image file as a numpy array ((H, W) or (H, W, 3) uint8 for image formats).

    ``.npy``/``.npz`` arrays are returned as stored (the codec validates them);
    JPEG goes through ``jpeglite.read``; other formats through Pillow, converted
    to grayscale ("L") when they have one channel and to RGB otherwise (alpha dropped).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        if path.exists():
            raise IsADirectoryError(f"{path} is not a file")
        raise FileNotFoundError(f"{path}: no such file")
    if suffix == ".npy":
        return np.load(path, allow_pickle=False)
    if suffix == ".npz":
        return _from_npz(path)
    if suffix in JPEG_SUFFIXES:
        return codec("read")(str(path))
    Image = pillow()
    try:
        with Image.open(path) as im:
            mode = "L" if im.mode in ("1", "L", "I", "I;16", "F", "LA", "La") else "RGB"
            if im.mode in ("I", "I;16", "F"):
                raise ValueError(f"{path}: {im.mode} images (more than 8 bits per sample) "
                                 "are not supported")
            return np.asarray(im.convert(mode))
    except (OSError, SyntaxError) as e:  # Pillow's "cannot identify image file" and kin
        raise ValueError(f"{path}: not a readable image ({e})") from None


def save_image(path, image, **jpeg_options) -> None:
    """Write ``image`` to ``path``; the format follows the suffix (see the module docstring).

    ``jpeg_options`` (quality, subsampling, ...) apply when writing JPEG.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        np.save(path, image)
    elif suffix == ".npz":
        np.savez_compressed(path, image=image)
    elif suffix in JPEG_SUFFIXES:
        codec("write")(str(path), image, **jpeg_options)
    else:
        Image = pillow()
        if not suffix:
            raise ValueError(f"{path}: no file suffix to choose a format from "
                             "(use .png, .npy, .jpg, ...)")
        try:
            Image.fromarray(np.ascontiguousarray(image)).save(path)
        except KeyError:
            raise ValueError(f"{path}: unknown image format {suffix!r}") from None
