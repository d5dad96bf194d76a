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
           "png16", "read_png16",
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


def load_image(path, sixteen=False) -> np.ndarray:
    """Read an image file (``-``: standard input) as a numpy array.

    ``.npy``/``.npz`` arrays are returned as stored (the codec validates them);
    JPEG goes through ``jpeglite.read`` with ``mode="RGB"`` for four-component
    (CMYK/YCCK) files, so that what is loaded can be encoded; other formats
    through Pillow, made 8-bit grey or RGB by the rule of ``jpeglite.inputs``
    (alpha dropped, 16-bit samples reduced to their high byte, each with a
    ``ConversionWarning`` when information is lost). Standard input is
    recognised by its first bytes (numpy, zip, JPEG SOI, else Pillow).
    ``sixteen``: 16-bit samples are kept whole, as uint16 (16-bit grey and
    RGB PNGs by ``read_png16``, other 16-bit grey images through Pillow),
    for the encodes that take them (``lossless``, ``precision=12``).
    """
    with open_input(path) as fh:
        return image_from_bytes(fh.read(), path, sixteen)


def image_from_bytes(data, path, sixteen=False) -> np.ndarray:
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
    if sixteen and _png16_header(data) is not None:
        return read_png16(data)
    Image = pillow()
    from .inputs import from_pil
    try:
        with Image.open(io.BytesIO(data)) as im:
            if sixteen:
                from .highbit import as_array
                return as_array(im)
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
    elif fmt == "png" and image.dtype == np.uint16:
        # Pillow writes no 16-bit colour PNG
        buf.write(png16(image))
    else:
        Image = pillow()
        try:
            Image.fromarray(np.ascontiguousarray(image)).save(buf, format=fmt)
        except (KeyError, ValueError):
            raise ValueError(f"{name}: unknown image format {fmt!r}") from None
        except TypeError:      # Pillow has no mode for the array (16-bit colour)
            raise ValueError(f"{name}: {fmt} cannot hold {image.dtype} samples of shape "
                             f"{image.shape} here (use png, npy or npz)") from None
    if name == STDIO:
        sys.stdout.buffer.write(buf.getvalue())
        sys.stdout.buffer.flush()
    else:
        Path(name).write_bytes(buf.getvalue())


# ==== 16-bit PNG (hibit): written and read here, with zlib ====
# Pillow writes no 16-bit colour PNG and reads one as 8 bits; the format is
# the PNG specification's (ISO/IEC 15948): signature, IHDR, IDAT, IEND, each
# chunk length, type, data, CRC-32 of type and data.

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_COLOR_TYPES = {1: 0, 3: 2}       # channels -> colour type (grey, truecolour)


def _chunk(kind, payload):
    import struct
    import zlib

    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def png16(image, level=6) -> bytes:
    """A 16-bit PNG file (bytes) of a uint16 (H, W) grey or (H, W, 3) RGB array:
    every row with filter type 0 (none), compressed with zlib at ``level``."""
    import struct
    import zlib

    a = np.asarray(image)
    if a.dtype != np.uint16:
        raise TypeError(f"image must have dtype uint16, not {a.dtype}")
    channels = 1 if a.ndim == 2 else (a.shape[2] if a.ndim == 3 else 0)
    if channels not in _PNG_COLOR_TYPES or 0 in a.shape[:2]:
        raise ValueError(f"image must have shape (H, W) or (H, W, 3), got {a.shape}")
    h, w = a.shape[:2]
    rows = np.empty((h, 1 + 2 * w * channels), np.uint8)
    rows[:, 0] = 0
    rows[:, 1:] = a.astype(">u2").reshape(h, -1).view(np.uint8)
    ihdr = struct.pack(">IIBBBBB", w, h, 16, _PNG_COLOR_TYPES[channels], 0, 0, 0)
    return (_PNG_SIGNATURE + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), level)) + _chunk(b"IEND", b""))


def _png16_header(data):
    """(width, height, channels) of a non-interlaced 16-bit grey or RGB PNG, else None."""
    import struct

    if len(data) < 33 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    w, h, depth, ctype, _comp, _filt, interlace = struct.unpack(">IIBBBBB", data[16:29])
    if depth != 16 or interlace or ctype not in (0, 2):
        return None
    return w, h, 1 if ctype == 0 else 3


def read_png16(data, name="image") -> np.ndarray:
    """The uint16 samples of a non-interlaced 16-bit grey or RGB PNG (bytes):
    (H, W) or (H, W, 3), every filter type undone (ancillary chunks ignored)."""
    import struct
    import zlib

    head = _png16_header(data)
    if head is None:
        raise ValueError(f"{name}: not a 16-bit grey or RGB PNG (non-interlaced)")
    w, h, channels = head
    pos, idat = 8, []
    while pos + 8 <= len(data):
        (n,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        if kind == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + n])
        elif kind == b"IEND":
            break
        pos += 12 + n
    bpp, stride = 2 * channels, 2 * channels * w
    try:
        raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8)
    except zlib.error as e:
        raise ValueError(f"{name}: damaged PNG data ({e})") from None
    if raw.size < h * (stride + 1):
        raise ValueError(f"{name}: PNG data too short for {w}x{h}")
    rows = raw[:h * (stride + 1)].reshape(h, stride + 1)
    out = np.zeros((h + 1, stride), np.int32)       # row 0: the zero row above the image
    for y in range(h):
        f, line, up = rows[y, 0], rows[y, 1:].astype(np.int32), out[y]
        if f == 0:
            cur = line
        elif f == 2:
            cur = (line + up) & 255
        elif f == 1:
            cur = np.cumsum(line.reshape(w, bpp), axis=0).reshape(-1) & 255
        elif f in (3, 4):
            cur = line.copy()
            left = np.zeros(bpp, np.int32)
            upleft = np.zeros(bpp, np.int32)
            for x in range(0, stride, bpp):
                b = up[x:x + bpp]
                if f == 3:
                    pred = (left + b) >> 1
                else:
                    p = left + b - upleft
                    pa, pb, pc = abs(p - left), abs(p - b), abs(p - upleft)
                    pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, b, upleft))
                left = (cur[x:x + bpp] + pred) & 255
                cur[x:x + bpp] = left
                upleft = b
        else:
            raise ValueError(f"{name}: bad PNG filter type {f} in row {y}")
        out[y + 1] = cur
    samples = out[1:].astype(np.uint8).reshape(h, w * channels, 2)
    image = (samples[..., 0].astype(np.uint16) << 8) | samples[..., 1]
    return image.reshape(h, w) if channels == 1 else image.reshape(h, w, 3)
