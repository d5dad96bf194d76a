"""The encode plan: every encode option checked once, and what it decides.

quality -> quantization tables, subsampling -> sampling factors, optimize ->
which Huffman tables, restart_interval -> DRI; ``EncodePlan`` holds the result
and writes the headers the plan implies. The drivers (``encoder``, ``staged``)
take a plan and never look at the raw arguments.
"""
import numbers as _numbers
import numpy as _np

from . import jfif as _jfif
from . import tables as _tables

#: Sampling factors (h, v) of Y, Cb, Cr for each chroma subsampling, as libjpeg sets them.
SUBSAMPLINGS = {
    "4:4:4": ((1, 1), (1, 1), (1, 1)),
    "4:2:2": ((2, 1), (1, 1), (1, 1)),
    "4:2:0": ((2, 2), (1, 1), (1, 1)),
}

_STANDARD_HUFFMAN = {  # (class, table id) -> (bits, values): libjpeg's std_huff_tables
    (0, 0): _tables.DC_LUMA_K3, (1, 0): _tables.AC_LUMA_K5,
    (0, 1): _tables.DC_CHROMA_K4, (1, 1): _tables.AC_CHROMA_K6,
}


def check_int(name, value, lo, hi):
    """``value`` as an int in lo..hi; TypeError for a bool or non-integer, ValueError out of range."""
    if isinstance(value, (bool, _np.bool_)) or not isinstance(value, _numbers.Integral):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in {lo}..{hi}, got {value}")
    return int(value)


def check_image(image):
    """The image as a C-contiguous uint8 array (copied only when its strides need it)."""
    if not isinstance(image, _np.ndarray):
        raise TypeError(f"image must be a numpy.ndarray, not {type(image).__name__}")
    if image.dtype != _np.uint8:
        raise TypeError(f"image must have dtype uint8, not {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ValueError(f"image must have shape (H, W) or (H, W, 3), got {image.shape}")
    h, w = image.shape[:2]
    if not (1 <= h <= 65535 and 1 <= w <= 65535):
        raise ValueError(f"image height and width must be in 1..65535, got {h}x{w}")
    return _np.ascontiguousarray(image)


class EncodePlan:
    """What the headers say about an encode: components, tables, restart interval.

    Attributes: ``height``, ``width`` (pixels); ``components``: list of
    ``(id, h, v, quant table id, DC table id, AC table id)`` in frame order;
    ``qtables``: {table id: 64 values in natural order}; ``restart_interval``
    (MCUs, 0 = none); ``optimize`` (bool).
    """

    def __init__(self, image, quality, subsampling, optimize, restart_interval):
        self.height, self.width = image.shape[:2]
        self.quality = quality
        self.optimize = optimize
        self.restart_interval = restart_interval
        if image.ndim == 2:
            self.subsampling = None
            self.components = [(1, 1, 1, 0, 0, 0)]
        else:
            self.subsampling = subsampling
            sf = SUBSAMPLINGS[subsampling]
            self.components = [(1, *sf[0], 0, 0, 0), (2, *sf[1], 1, 1, 1), (3, *sf[2], 1, 1, 1)]
        bases = {0: _tables.LUMA_QUANT_K1, 1: _tables.CHROMA_QUANT_K2}
        self.qtables = {c[3]: _tables.scale_quant_table(bases[c[3]], quality)
                        for c in self.components}

    @property
    def h(self):
        """Horizontal sampling factor per component."""
        return [c[1] for c in self.components]

    @property
    def v(self):
        """Vertical sampling factor per component."""
        return [c[2] for c in self.components]

    def component_qtables(self):
        """The quantization table (natural order) of each component."""
        return [self.qtables[c[3]] for c in self.components]

    def huffman_tables(self, counts=None):
        """{(class, id): (bits, values)}: the standard tables, or optimal ones for ``counts``.

        ``counts``: (components, 2, 256) symbol counts from the counting pass;
        components sharing a table add their counts (libjpeg's jpeg_gen_optimal_table).
        """
        from ._huffman import optimal_table

        out = {}
        for ci, comp in enumerate(self.components):
            for cls, tid in ((0, comp[4]), (1, comp[5])):
                if counts is None:
                    out[(cls, tid)] = _STANDARD_HUFFMAN[(cls, tid)]
                else:
                    users = [k for k, c in enumerate(self.components) if c[4 + cls] == tid]
                    out[(cls, tid)] = optimal_table(counts[users, cls].sum(axis=0))
        return out

    def component_codes(self, tables):
        """Per component, its (DC, AC) tables as (codes, sizes) pairs from make_codes."""
        from ._huffman import make_codes

        codes = {key: make_codes(*tab) for key, tab in tables.items()}
        return ([codes[(0, c[4])] for c in self.components],
                [codes[(1, c[5])] for c in self.components])

    def header(self, tables):
        """Every byte before the entropy-coded data, in libjpeg's order.

        SOI, APP0 JFIF, DQT per table, SOF0, DHT (DC then AC per component,
        each table once), DRI when restarting, SOS.
        """
        parts = [_jfif.soi(), _jfif.app0_jfif()]
        sent = set()
        for c in self.components:
            if c[3] not in sent:
                sent.add(c[3])
                parts.append(_jfif.dqt(c[3], self.qtables[c[3]]))
        parts.append(_jfif.sof0(self.height, self.width, [c[:4] for c in self.components]))
        sent = set()
        for c in self.components:
            for key in ((0, c[4]), (1, c[5])):
                if key not in sent:
                    sent.add(key)
                    parts.append(_jfif.dht(key[0], key[1], *tables[key]))
        if self.restart_interval:
            parts.append(_jfif.dri(self.restart_interval))
        parts.append(_jfif.sos([(c[0], c[4], c[5]) for c in self.components]))
        return b"".join(parts)


def plan_encode(image, quality, subsampling, optimize, restart_interval):
    """Validate every argument of encode; returns (contiguous image, EncodePlan)."""
    image = check_image(image)
    quality = check_int("quality", quality, 1, 100)
    if not isinstance(subsampling, str):
        raise TypeError(f"subsampling must be a str, not {type(subsampling).__name__}")
    if subsampling not in SUBSAMPLINGS:
        raise ValueError(f"subsampling must be one of {', '.join(SUBSAMPLINGS)}, "
                         f"got {subsampling!r}")
    if not isinstance(optimize, (bool, _np.bool_)):
        raise TypeError(f"optimize must be a bool, not {type(optimize).__name__}")
    restart_interval = check_int("restart_interval", restart_interval, 0, 65535)
    return image, EncodePlan(image, quality, subsampling, bool(optimize), restart_interval)
