"""Image file I/O for the command line and the benchmark (not part of the codec API).

- ``.npy`` / ``.npz``: numpy, always available (an ``.npz`` holds the image
  under the key ``"image"``, or as its only array).
- ``.jpg`` / ``.jpeg``: jpeglite itself (``jpeglite.read`` / ``jpeglite.write``).
- anything else (PNG, TIFF, BMP, ...): Pillow, the optional extra
  ``image`` (``pip install ".[image]"`` in the checkout); without it a
  :class:`MissingDependency` says what to install.
- ``-`` is standard input or output (see ``load_image``, ``save_image``).

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
           "pillow", "open_input", "image_from_bytes", "has_cmyk", "JPEG_SUFFIXES", "FORMATS", "STDIO"]

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
            'pip install ".[image]" (from the jpeglite checkout)') from None
    return Image


def sample_image() -> np.ndarray:
    """The sample photo shipped with the package (Kodak kodim23, 768x512 RGB uint8)."""
    ref = resources.files("jpeglite").joinpath("data", SAMPLE_NAME + ".npz")
    with ref.open("rb") as f, np.load(io.BytesIO(f.read()), allow_pickle=False) as npz:
        return npz["image"]


def _from_npz(source, name):
    with np.load(source, allow_pickle=False) as npz:
        if "image" in npz.files:
            return npz["image"]
        if len(npz.files) == 1:
            return npz[npz.files[0]]
        raise ValueError(f"{name}: an .npz must hold the image under the key 'image' "
                         f"(found keys {', '.join(npz.files)})")


#: The name standing for standard input / output on the command line.
STDIO = "-"
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = b"PK\x03\x04"


def _kind_of(name, head):
    """"npy", "npz", "jpeg" or "pillow": by the file suffix, or for standard
    input (no name to go by) by the first bytes."""
    if name == STDIO:
        if head.startswith(_NPY_MAGIC):
            return "npy"
        if head.startswith(_ZIP_MAGIC):
            return "npz"
        return "jpeg" if head.startswith(b"\xff\xd8") else "pillow"
    suffix = Path(name).suffix.lower()
    if suffix in (".npy", ".npz"):
        return suffix[1:]
    return "jpeg" if suffix in JPEG_SUFFIXES else "pillow"


def open_input(path):
    """A binary file object for ``path``, or standard input's for ``-``.

    A missing path or a directory raises the OSError that ``open`` raises
    for it (``PATH: No such file or directory``), so every command words
    these errors the same way.
    """
    import sys

    if str(path) == STDIO:
        return sys.stdin.buffer
    return open(path, "rb")


def load_image(path) -> np.ndarray:
    """Read an image file (``-``: standard input) as a numpy array.

    ``.npy``/``.npz`` arrays are returned as stored (the codec validates them);
    JPEG goes through ``jpeglite.read`` with ``mode="RGB"`` for four-component
    (CMYK/YCCK) files, so that what is loaded can be encoded; other formats
    through Pillow, made 8-bit grey or RGB by the rule of ``jpeglite.inputs``
    (alpha dropped, 16-bit samples reduced to their high byte, each with a
    ``ConversionWarning`` when information is lost). Standard input is
    recognised by its first bytes (numpy, zip, JPEG SOI, else Pillow).
    """
    with open_input(path) as fh:
        return image_from_bytes(fh.read(), path)


def image_from_bytes(data, path) -> np.ndarray:
    """``load_image`` of the bytes ``data`` already read from ``path``
    (whose suffix, or for ``-`` the first bytes, says the format)."""
    name = str(path)
    kind = _kind_of(name, data[:8])
    if kind == "npy":
        return np.load(io.BytesIO(data), allow_pickle=False)
    if kind == "npz":
        return _from_npz(io.BytesIO(data), name)
    if kind == "jpeg":
        image = codec("decode")(data)
        return codec("decode")(data, mode="RGB") if image.ndim == 3 and image.shape[2] == 4 \
            else image
    Image = pillow()
    from .inputs import from_pil
    try:
        with Image.open(io.BytesIO(data)) as im:
            return from_pil(im, name)
    except (OSError, SyntaxError) as e:  # Pillow's "cannot identify image file" and kin
        raise ValueError(f"{name}: not a readable image ({e})") from None


#: Formats ``save_image`` writes, by the name ``--format`` takes.
FORMATS = ("png", "npy", "npz", "jpeg", "tiff", "bmp", "webp", "ppm")


def has_cmyk(path, fmt=None) -> bool:
    """Whether a file written by ``save_image(path, ..., fmt)`` keeps four
    CMYK channels as they are: only the numpy formats do (PNG and most
    others have no CMYK, and writing four channels there would make RGBA)."""
    return (fmt or Path(str(path)).suffix.lower().lstrip(".")) in ("npy", "npz")


def save_image(path, image, fmt=None, **jpeg_options) -> None:
    """Write ``image`` to ``path`` (``-``: standard output).

    The format is ``fmt`` (one of :data:`FORMATS`) or else the suffix (see
    the module docstring); standard output without ``fmt`` gets PNG.
    ``jpeg_options`` (quality, subsampling, ...) apply when writing JPEG.
    """
    import sys

    name = str(path)
    if fmt is None:
        fmt = "png" if name == STDIO else Path(name).suffix.lower().lstrip(".")
        if not fmt:
            raise ValueError(f"{name}: no file suffix to choose a format from "
                             "(use .png, .npy, .jpg, ... or --format)")
    fmt = "jpeg" if "." + fmt in JPEG_SUFFIXES else fmt
    buf = io.BytesIO()
    if fmt == "npy":
        np.save(buf, image)
    elif fmt == "npz":
        np.savez_compressed(buf, image=image)
    elif fmt == "jpeg":
        codec("write")(buf, image, **jpeg_options)
    else:
        Image = pillow()
        try:
            Image.fromarray(np.ascontiguousarray(image)).save(buf, format=fmt)
        except (KeyError, ValueError):
            raise ValueError(f"{name}: unknown image format {fmt!r}") from None
    if name == STDIO:
        sys.stdout.buffer.write(buf.getvalue())
        sys.stdout.buffer.flush()
    else:
        Path(name).write_bytes(buf.getvalue())
