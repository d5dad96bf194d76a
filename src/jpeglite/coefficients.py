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

__all__ = ["Component", "Coefficients", "COLOR_TRANSFORMS", "check_coefficients", "component_size",
           "scan_mcus"]

#: How the decoder turns the components into pixels: "gray" (one component),
#: "ycbcr" (three, converted to RGB), "rgb" (three, stored as RGB), "cmyk"
#: and "ycck" (four, Adobe).
COLOR_TRANSFORMS = ("gray", "ycbcr", "rgb", "cmyk", "ycck")


def component_size(width, height, h, v, max_h, max_v):
    """(samples across, samples down) of a component with sampling factors
    h x v in a frame of width x height pixels whose largest factors are
    max_h x max_v (T.81 A.1.1: the ceiling of the scaled size)."""
    return -(-width * h // max_h), -(-height * v // max_v)


def scan_mcus(width, height, max_h, max_v, h=1, v=1, interleaved=True):
    """(MCUs across, MCUs down) of a scan (T.81 A.2): an interleaved scan's
    MCU covers 8 max_h x 8 max_v pixels; a one-component scan's MCU is one
    block of that component (sampling h x v)."""
    if interleaved:
        return -(-width // (8 * max_h)), -(-height // (8 * max_v))
    w, h = component_size(width, height, h, v, max_h, max_v)
    return -(-w // 8), -(-h // 8)


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
        precision: bits per sample of the frame, 8 or 12 (a 12-bit file's
            coefficients reach size categories 15 for DC and 14 for AC, and
            are written as a 12-bit SOF1 file).
    """

    width: int
    height: int
    components: list
    qtables: dict
    color: str
    metadata: list = field(default_factory=list)
    precision: int = 8

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


def _category_limit_error(comp_index, comp, blocks, limit, dc, precision=8):
    """ValueError naming the first block and frequency whose value is out of range."""
    mask = np.zeros(blocks.shape, bool)
    if dc:
        mask[..., 0, 0] = np.abs(blocks[..., 0, 0].astype(np.int32)) > limit
    else:
        ac = np.abs(blocks.astype(np.int32)) > limit
        ac[..., 0, 0] = False
        mask = ac
    by, bx, u, v = (int(i[0]) for i in np.nonzero(mask))
    value = int(blocks[by, bx, u, v])
    kind = "DC" if dc else "AC"
    cat = abs(value).bit_length()
    return ValueError(
        f"component {comp_index} (id {comp.id}), block ({by}, {bx}), frequency ({u}, {v}): "
        f"{kind} value {value} needs Huffman size category {cat}, more than the "
        f"{limit.bit_length()} a {precision}-bit JPEG allows")


def check_coefficients(coefficients):
    """Validate a ``Coefficients`` before anything is written; returns it with
    every component's blocks as C-contiguous int16 (copied only if needed).

    Raises TypeError for a wrong type or dtype and ValueError for shapes that
    do not match the image size and sampling, bad tables, an unknown colour
    transform, or values no 8-bit JPEG can code (a DC value of size category
    above 11 or spanning more than 2047 within a component, whose prediction
    differences could not be coded; an AC value of category above 10).
    """
    import numbers

    c = coefficients
    if not isinstance(c, Coefficients):
        raise TypeError(f"coefficients must be a jpeglite Coefficients, not {type(c).__name__}")
    for name in ("width", "height"):
        value = getattr(c, name)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
                or not 1 <= value <= 65535:
            raise ValueError(f"coefficients.{name} must be an int in 1..65535, got {value!r}")
    if not isinstance(c.components, (list, tuple)) or not 1 <= len(c.components) <= 4 \
            or len(c.components) == 2:
        raise ValueError("coefficients.components must hold 1, 3 or 4 components")
    if c.color not in COLOR_TRANSFORMS:
        raise ValueError(f"coefficients.color must be one of {', '.join(COLOR_TRANSFORMS)}, "
                         f"got {c.color!r}")
    if c.precision not in (8, 12):
        raise ValueError(f"coefficients.precision must be 8 or 12, got {c.precision!r}")
    # the largest DC value (and DC difference) and AC value a file of this
    # precision codes: size categories 11 and 10 for 8 bits, 15 and 14 for 12
    dc_limit, ac_limit = (2047, 1023) if c.precision == 8 else (32767, 16383)
    want = {"gray": 1, "ycbcr": 3, "rgb": 3, "cmyk": 4, "ycck": 4}[c.color]
    if len(c.components) != want:
        raise ValueError(f"colour {c.color!r} needs {want} components, "
                         f"got {len(c.components)}")
    for k, item in enumerate(c.metadata):
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], int)
                and (0xE0 <= item[0] <= 0xEF or item[0] == 0xFE)
                and isinstance(item[1], (bytes, bytearray))):
            raise ValueError(f"coefficients.metadata[{k}] must be (marker 0xE0..0xEF or 0xFE, "
                             "bytes)")
        if len(item[1]) > 65533:
            raise ValueError(f"coefficients.metadata[{k}]: a segment holds at most 65533 bytes, "
                             f"got {len(item[1])}")
    if not isinstance(c.qtables, dict):
        raise TypeError(f"coefficients.qtables must be a dict, not {type(c.qtables).__name__}")
    ids = set()
    for i, comp in enumerate(c.components):
        if not isinstance(comp, Component):
            raise TypeError(f"component {i} must be a Component, not {type(comp).__name__}")
        if not (0 <= comp.id <= 255) or comp.id in ids:
            raise ValueError(f"component {i}: id {comp.id!r} must be 0..255 and unique")
        ids.add(comp.id)
        if not (1 <= comp.h <= 4 and 1 <= comp.v <= 4):
            raise ValueError(f"component {i}: sampling factors {comp.h}x{comp.v} must be 1..4")
        if comp.quant_slot not in c.qtables or not 0 <= comp.quant_slot <= 3:
            raise ValueError(f"component {i}: quantization slot {comp.quant_slot!r} is not "
                             "in coefficients.qtables (slots 0..3)")
    for slot, table in c.qtables.items():
        t = np.asarray(table)
        if t.shape not in ((64,), (8, 8)) or t.dtype.kind not in "iu":
            raise ValueError(f"quantization table {slot}: need 64 integers, got shape {t.shape} "
                             f"dtype {t.dtype}")
        if t.min() < 1 or t.max() > 65535:
            raise ValueError(f"quantization table {slot}: values must be 1..65535")
    max_h, max_v = c.max_h, c.max_v
    out = []
    for i, comp in enumerate(c.components):
        if max_h % comp.h or max_v % comp.v:
            raise ValueError(f"component {i}: sampling {comp.h}x{comp.v} does not divide "
                             f"{max_h}x{max_v}")
        b = comp.blocks
        if not isinstance(b, np.ndarray):
            raise TypeError(f"component {i}: blocks must be a numpy array, not "
                            f"{type(b).__name__}")
        if b.dtype.kind not in "iu":
            raise TypeError(f"component {i}: blocks must have an integer dtype, not {b.dtype}")
        w, h = component_size(c.width, c.height, comp.h, comp.v, max_h, max_v)
        shape = (-(-h // 8), -(-w // 8), 8, 8)
        if b.shape != shape:
            raise ValueError(f"component {i}: blocks must have shape {shape} for a "
                             f"{c.width}x{c.height} image sampled {comp.h}x{comp.v}, "
                             f"got {b.shape}")
        # every value within +-1023 (the common case, two passes over the
        # blocks as they are) passes both the AC and the DC limit
        if not -ac_limit <= int(b.min()) <= int(b.max()) <= ac_limit:
            wide = b.astype(np.int64, copy=False)
            if np.abs(wide[..., 0, 0]).max() > dc_limit:
                raise _category_limit_error(i, comp, wide, dc_limit, True, c.precision)
            ac = wide.reshape(-1, 64)[:, 1:]
            if ac.size and np.abs(ac).max() > ac_limit:
                raise _category_limit_error(i, comp, wide, ac_limit, False, c.precision)
        dc = b[..., 0, 0]
        if int(dc.max()) - int(dc.min()) > dc_limit:
            raise ValueError(f"component {i} (id {comp.id}): DC values span "
                             f"{int(dc.min())}..{int(dc.max())}, so a prediction difference "
                             f"could need size category {dc_limit.bit_length() + 1}; a "
                             f"{c.precision}-bit JPEG allows {dc_limit.bit_length()}")
        out.append(Component(int(comp.id), int(comp.h), int(comp.v), int(comp.quant_slot),
                             np.ascontiguousarray(b, dtype=np.int16)))
    qt = {int(s): np.asarray(t, np.uint16).reshape(64).copy() for s, t in c.qtables.items()}
    return Coefficients(int(c.width), int(c.height), out, qt, c.color, list(c.metadata),
                        int(c.precision))
