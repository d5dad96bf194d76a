"""encode, decode, analyze: validate arguments, run the pipeline, build results."""

# ==== encode ====
import numbers as _numbers
import os as _os

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


def _check_int(name, value, lo, hi):
    if isinstance(value, (bool, _np.bool_)) or not isinstance(value, _numbers.Integral):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in {lo}..{hi}, got {value}")
    return int(value)


def _check_image(image):
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


def _plan(image, quality, subsampling, optimize, restart_interval):
    """Validate every argument of encode; returns (contiguous image, EncodePlan)."""
    image = _check_image(image)
    quality = _check_int("quality", quality, 1, 100)
    if not isinstance(subsampling, str):
        raise TypeError(f"subsampling must be a str, not {type(subsampling).__name__}")
    if subsampling not in SUBSAMPLINGS:
        raise ValueError(f"subsampling must be one of {', '.join(SUBSAMPLINGS)}, "
                         f"got {subsampling!r}")
    if not isinstance(optimize, (bool, _np.bool_)):
        raise TypeError(f"optimize must be a bool, not {type(optimize).__name__}")
    restart_interval = _check_int("restart_interval", restart_interval, 0, 65535)
    return image, EncodePlan(image, quality, subsampling, bool(optimize), restart_interval)


def encode(image, quality=75, *, subsampling="4:2:0", optimize=False, restart_interval=0,
           threads=None):
    """Encode an image as a baseline JFIF JPEG; returns the file's bytes.

    image: numpy uint8 array, (H, W) grayscale or (H, W, 3) RGB, any strides,
        1 <= H, W <= 65535 pixels.
    quality: 1..100, IJG scaling of the Annex K tables (as in libjpeg/Pillow).
    subsampling: chroma sampling "4:4:4", "4:2:2" or "4:2:0" (ignored for
        grayscale).
    optimize: False uses the Annex K Huffman tables; True counts the symbols
        first and builds optimal tables (two passes, smaller file).
    restart_interval: a restart marker every this many MCUs, 0..65535 (0: none).
    threads: threads doing the work, the calling one included (None: all
        cores, os.cpu_count(), but one thread per 2**17 pixels at most, since
        small images are faster on one; 1: no thread pool). The bytes are the
        same for every thread count.

    With optimize off the tables, headers and entropy-coded data equal
    libjpeg-turbo's (Pillow's) at the same quality and subsampling.
    Dimensions above 65500 are valid JPEG, but libjpeg (hence Pillow)
    refuses to read them (its JPEG_MAX_DIMENSION).
    Raises TypeError for an argument of the wrong type and ValueError for a
    value out of range, each naming the argument.
    """
    from . import _encoder, _entropy, parallel

    parallel.resolve_threads(threads)          # argument errors before image errors
    image, plan = _plan(image, quality, subsampling, optimize, restart_interval)
    threads = parallel.resolve_threads(threads, plan.height * plan.width)
    qt = plan.component_qtables()
    if threads > 1:
        coder = _encoder.BandCoder(image, plan.h, plan.v, qt, plan.restart_interval)
        tables, scan = parallel.encode_scan_threaded(coder, threads, plan.optimize,
                                                     plan.huffman_tables, plan.component_codes)
    elif not plan.optimize:
        tables = plan.huffman_tables()
        dc, ac = plan.component_codes(tables)
        scan = _encoder.encode_scan(image, plan.h, plan.v, qt, dc, ac, plan.restart_interval)
    else:
        blocks = _encoder.forward(image, plan.h, plan.v, qt)
        g = _encoder.geometry(plan.height, plan.width, plan.h, plan.v)
        sh, sv = (plan.h, plan.v) if len(blocks) > 1 else ([1], [1])
        counts = _entropy.count_symbols(blocks, sh, sv, g["mcus_x"], g["mcus_y"],
                                        plan.restart_interval)
        tables = plan.huffman_tables(counts)
        dc, ac = plan.component_codes(tables)
        scan = _entropy.encode_scan(blocks, sh, sv, g["mcus_x"], g["mcus_y"], dc, ac,
                                    plan.restart_interval)
        del blocks      # 2 bytes per sample: free them before the file is assembled
    return plan.header(tables) + scan + _jfif.eoi()


def write(path, image, quality=75, *, subsampling="4:2:0", optimize=False, restart_interval=0,
          threads=None):
    """Encode ``image`` (see ``encode``) and write the JPEG file to ``path``.

    path: str, bytes or os.PathLike. Returns the number of bytes written.
    """
    if not isinstance(path, (str, bytes, _os.PathLike)):
        raise TypeError(f"path must be a str, bytes or os.PathLike, not {type(path).__name__}")
    data = encode(image, quality, subsampling=subsampling, optimize=optimize,
                  restart_interval=restart_interval, threads=threads)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)
# ==== end encode ====


# ==== decode ====

# ==== end decode ====
