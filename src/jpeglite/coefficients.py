"""Coefficients: the quantized DCT coefficients of an image, the seam between pixels and scans.

Everything jpeglite does is a path into or out of this object (libjpeg's
``jpeg_read_coefficients`` / ``jpeg_write_coefficients``): encoding is pixels
-> Coefficients -> scans, decoding is scans -> Coefficients -> pixels, and
lossless re-optimization is scans -> Coefficients -> better scans.

Each component's blocks cover exactly its own samples, rounded up to whole
8x8 blocks (libjpeg's ``width_in_blocks`` x ``height_in_blocks``): the dummy
blocks an interleaved scan adds at the right and bottom edges of the last
MCUs are not stored (they never reach a pixel).
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Component", "Coefficients", "COLOR_TRANSFORMS", "component_size", "check_coefficients"]

#: How the decoder turns the components into pixels: "gray" (one component),
#: "ycbcr" (three, converted to RGB), "rgb" (three, stored as RGB), "cmyk"
#: and "ycck" (four, Adobe).
COLOR_TRANSFORMS = ("gray", "ycbcr", "rgb", "cmyk", "ycck")
# components of each colour transform
_COMPONENTS = {"gray": 1, "ycbcr": 3, "rgb": 3, "cmyk": 4, "ycck": 4}


def component_size(width, height, h, v, max_h, max_v):
    """(samples across, samples down) of a component with sampling factors
    h x v in a frame of width x height pixels whose largest factors are
    max_h x max_v (T.81 A.1.1: the ceiling of the scaled size)."""
    return -(-width * h // max_h), -(-height * v // max_v)


@dataclass
class Component:
    """One image component: its identifier and sampling as the frame header
    (SOF) gives them, the slot of its quantization table, and its blocks.

    ``blocks``: int16 array (block rows, block columns, 8, 8) of quantized
    coefficients in natural (row-major) order within each block; [.., 0, 0]
    is the DC coefficient. Multiply by the quantization table to dequantize.
    """

    id: int
    h: int
    v: int
    quant_slot: int
    blocks: np.ndarray

    @property
    def blocks_down(self) -> int:
        """Block rows (the component's samples down, in blocks, rounded up)."""
        return int(self.blocks.shape[0])

    @property
    def blocks_across(self) -> int:
        """Block columns (the component's samples across, in blocks, rounded up)."""
        return int(self.blocks.shape[1])


@dataclass
class Coefficients:
    """The quantized DCT coefficients of one image, with what a decoder needs
    to turn them into pixels.

    Attributes:
        width, height: the image size in pixels.
        components: a list of ``Component`` in frame order.
        qtables: {slot: uint16 array of 64 quantizers in natural order} for
            every slot a component uses.
        color: one of ``COLOR_TRANSFORMS``.
        metadata: the file's APPn and COM segments as (marker, payload bytes)
            in file order (marker 0xE0..0xEF or 0xFE), the JFIF APP0 and
            Adobe APP14 segments excluded (``color`` stands for them).
    """

    width: int
    height: int
    components: list
    qtables: dict
    color: str
    metadata: list = field(default_factory=list)

    @property
    def max_h(self) -> int:
        """The largest horizontal sampling factor."""
        return max(c.h for c in self.components)

    @property
    def max_v(self) -> int:
        """The largest vertical sampling factor."""
        return max(c.v for c in self.components)

    def component_quant(self, index):
        """The quantization table (64 values, natural order) of component ``index``."""
        return self.qtables[self.components[index].quant_slot]


_AC_LIMIT = 1023    # 10-bit AC magnitudes (T.81 F.1.2.2, 8-bit samples)
_DC_LIMIT = 2047    # 11-bit DC values


def check_coefficients(coefficients):
    """Check a Coefficients object before anything is written; returns the
    list of its block arrays as C-contiguous int16 (block rows, block
    columns, 8, 8).

    TypeError for a wrong type or dtype; ValueError for a wrong shape, a
    missing or bad quantization table, or a coefficient too large for 8-bit
    JPEG (AC beyond +-1023, DC beyond +-2047), naming the component, block
    (row, column) and frequency.
    """
    if not isinstance(coefficients, Coefficients):
        raise TypeError(f"coefficients must be a jpeglite Coefficients, "
                        f"not {type(coefficients).__name__}")
    c = coefficients
    if c.color not in COLOR_TRANSFORMS:
        raise ValueError(f"coefficients.color must be one of {COLOR_TRANSFORMS}, got {c.color!r}")
    comps = c.components
    if len(comps) != _COMPONENTS[c.color]:
        raise ValueError(f"{c.color} coefficients need {_COMPONENTS[c.color]} components, "
                         f"got {len(comps)}")
    for name in ("width", "height"):
        v = getattr(c, name)
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or not 1 <= v <= 65535:
            raise ValueError(f"coefficients.{name} must be in 1..65535, got {v!r}")
    arrays = []
    for i, comp in enumerate(comps):
        if not isinstance(comp, Component):
            raise TypeError(f"component {i} must be a Component, not {type(comp).__name__}")
        if not (1 <= comp.h <= 4 and 1 <= comp.v <= 4):
            raise ValueError(f"component {i}: sampling factors {comp.h}x{comp.v} (1..4)")
    max_h, max_v = c.max_h, c.max_v
    for i, comp in enumerate(comps):
        if max_h % comp.h or max_v % comp.v:
            raise ValueError(f"component {i}: sampling {comp.h}x{comp.v} does not divide "
                             f"{max_h}x{max_v}")
        b = comp.blocks
        if not isinstance(b, np.ndarray):
            raise TypeError(f"component {i}: blocks must be a numpy array, "
                            f"not {type(b).__name__}")
        if b.dtype != np.int16:
            raise TypeError(f"component {i}: blocks must have dtype int16, not {b.dtype}")
        w, h = component_size(c.width, c.height, comp.h, comp.v, max_h, max_v)
        shape = (-(-h // 8), -(-w // 8), 8, 8)
        if b.shape != shape:
            raise ValueError(f"component {i}: blocks must have shape {shape}, got {b.shape}")
        if not 0 <= comp.quant_slot <= 3 or comp.quant_slot not in c.qtables:
            raise ValueError(f"component {i}: no quantization table in slot {comp.quant_slot}")
        q = np.asarray(c.qtables[comp.quant_slot])
        if q.shape != (64,) or q.min() < 1 or q.max() > 65535:
            raise ValueError(f"quantization table {comp.quant_slot}: 64 values in 1..65535")
        flat = b.reshape(-1, 64)
        for lo, hi, limit, what in ((1, 64, _AC_LIMIT, "AC"), (0, 1, _DC_LIMIT, "DC")):
            part = flat[:, lo:hi]
            if part.max() > limit or part.min() < -limit:
                n, k = np.argwhere(np.abs(part.astype(np.int32)) > limit)[0]
                raise ValueError(f"component {i}, block ({n // shape[1]}, {n % shape[1]}), "
                                 f"frequency {k + lo} (natural order): {what} coefficient "
                                 f"{int(part[n, k])} is beyond +-{limit}, more than "
                                 f"{11 if what == 'DC' else 10} bits")
        arrays.append(np.ascontiguousarray(b))
    return arrays
