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

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Component", "Coefficients", "COLOR_TRANSFORMS", "component_size"]

#: How the decoder turns the components into pixels: "gray" (one component),
#: "ycbcr" (three, converted to RGB), "rgb" (three, stored as RGB), "cmyk"
#: and "ycck" (four, Adobe).
COLOR_TRANSFORMS = ("gray", "ycbcr", "rgb", "cmyk", "ycck")


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

    @property
    def icc_profile(self):
        """The ICC profile (bytes) its APP2 chunks carry, or None: none, or a
        broken chunk set (see ``jfif.icc_chunks`` for what is checked)."""
        from .jfif import icc_profile

        return icc_profile(self.metadata)

    @property
    def exif(self):
        """The first Exif APP1 payload (bytes, its ``Exif\\0\\0`` header
        included, as ``encode(exif=)`` takes it), or None."""
        from .jfif import exif

        return exif(self.metadata)

    @property
    def comments(self):
        """The COM segments' payloads (a list of bytes, file order)."""
        from .jfif import comments

        return comments(self.metadata)

    def component_quant(self, index):
        """The quantization table (64 values, natural order) of component ``index``."""
        return self.qtables[self.components[index].quant_slot]
