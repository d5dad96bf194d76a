"""What ``encode`` takes as an image besides a uint8 array: the one rule for
alpha channels, 16-bit samples and other image modes.

A numpy array is taken as samples, as it is: ``options.check_image`` then
wants uint8, (H, W) or (H, W, 3). An object with an image *mode* (a PIL
Image, or an image file read by ``images.load_image``) is a picture, and is
brought to 8-bit grey ("L") or RGB by this rule:

- "1", "L": grey; "RGB": RGB; "RGBX": RGB (the pad byte is not data).
- an alpha channel ("LA", "RGBA", "PA", a "P" image with a transparent
  colour, ...) is dropped (no compositing: the colour samples are kept as
  they are, as Pillow's ``convert("RGB")`` keeps them), with a
  :class:`ConversionWarning` when any pixel is not fully opaque, since then
  the transparency is lost.
- 16 bits per sample ("I;16" grey; 16-bit RGB/RGBA PNGs, which Pillow opens
  as 8-bit "RGB"/"RGBA"; "I" holding 0..65535) keeps the high byte
  (``value >> 8``, what Pillow does to 16-bit RGB) with a
  :class:`ConversionWarning` (the low byte is lost), grey and colour alike.
  "I" values outside 0..65535 and "F" (floating point) have no 8-bit
  reading and raise ValueError.
- every other mode ("P", "CMYK", "YCbCr", "LAB", "HSV") is converted with
  Pillow's ``convert("RGB")``.

Anything else with ``__array_interface__`` is read with ``numpy.asarray``
and then checked as an array.
"""
from __future__ import annotations

import warnings as _warnings

import numpy as _np

from .errors import ConversionWarning

__all__ = ["as_array", "from_pil", "is_pil_image"]

_GREY = ("1", "L")
_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N", "I")
_ALPHA_GREY = ("LA", "La")
_ALPHA_RGB = ("RGBA", "RGBa", "PA")


def is_pil_image(obj) -> bool:
    """Whether ``obj`` is a PIL Image (checked without importing Pillow)."""
    return any(c.__module__.startswith("PIL.") and c.__name__ == "Image"
               for c in type(obj).__mro__)


def _sixteen_bit_file(im) -> bool:
    # Pillow decodes 16-bit colour PNGs to 8 bits on load; only the raw mode of
    # the not yet loaded tile shows what the file holds.
    for tile in getattr(im, "tile", None) or ():
        rawmode = tile[3] if isinstance(tile[3], str) else (tile[3] or ("",))[0]
        if isinstance(rawmode, str) and ";16" in rawmode:
            return True
    return False


def _drop_alpha(rgba, name):
    alpha = rgba[..., -1]
    if alpha.size and int(alpha.min()) < 255:
        _warnings.warn(f"{name}: alpha channel dropped (some pixels are not opaque; their "
                       "colour is kept as it is, not composited)", ConversionWarning,
                       stacklevel=4)
    return rgba[..., :-1] if rgba.shape[-1] > 2 else rgba[..., 0]


def _warn_16bit(name, mode):
    _warnings.warn(f"{name}: 16-bit samples ({mode}) reduced to 8 bits (the high byte)",
                   ConversionWarning, stacklevel=4)


def from_pil(im, name="image") -> _np.ndarray:
    """A PIL Image as a uint8 (H, W) or (H, W, 3) array, by the module's rule.

    ``name`` (the argument or file name) starts warning and error messages.
    """
    mode = im.mode
    sixteen = _sixteen_bit_file(im)
    if mode == "F":
        raise ValueError(f"{name}: floating-point images (mode F) have no 8-bit reading; "
                         "scale to uint8 first")
    if mode in _SIXTEEN_BIT:
        a = _np.asarray(im)
        if mode == "I" and a.size and (int(a.min()) < 0 or int(a.max()) > 65535):
            raise ValueError(f"{name}: mode I values {int(a.min())}..{int(a.max())} are "
                             "outside 0..65535 (16 bits)")
        _warn_16bit(name, mode)
        return (a.astype(_np.uint32) >> 8).astype(_np.uint8)
    if sixteen:
        _warn_16bit(name, f"16-bit {mode}")
    if mode in _GREY:
        return _np.asarray(im.convert("L") if mode != "L" else im)
    if mode == "RGB":
        return _np.asarray(im)
    if mode in _ALPHA_GREY:
        return _drop_alpha(_np.asarray(im.convert("LA")), name)
    if mode in _ALPHA_RGB or (mode == "P" and "transparency" in im.info):
        return _drop_alpha(_np.asarray(im.convert("RGBA")), name)
    return _np.asarray(im.convert("RGB"))


def as_array(image, name="image"):
    """``image`` as encode's checks take it: arrays unchanged, PIL Images by
    ``from_pil``, other ``__array_interface__`` objects through
    ``numpy.asarray``; anything else unchanged (the checks reject it)."""
    if isinstance(image, _np.ndarray):
        return image
    if is_pil_image(image):
        return from_pil(image, name)
    if hasattr(image, "__array_interface__"):
        return _np.asarray(image)
    return image
