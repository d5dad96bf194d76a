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


def encode(image, quality=75, *, subsampling="4:2:0", optimize=False, restart_interval=0):
    """Encode an image as a baseline JFIF JPEG; returns the file's bytes.

    image: numpy uint8 array, (H, W) grayscale or (H, W, 3) RGB, any strides,
        1 <= H, W <= 65535 pixels.
    quality: 1..100, IJG scaling of the Annex K tables (as in libjpeg/Pillow).
    subsampling: chroma sampling "4:4:4", "4:2:2" or "4:2:0" (ignored for
        grayscale).
    optimize: False uses the Annex K Huffman tables; True counts the symbols
        first and builds optimal tables (two passes, smaller file).
    restart_interval: a restart marker every this many MCUs, 0..65535 (0: none).

    With optimize off the tables, headers and entropy-coded data equal
    libjpeg-turbo's (Pillow's) at the same quality and subsampling.
    Dimensions above 65500 are valid JPEG, but libjpeg (hence Pillow)
    refuses to read them (its JPEG_MAX_DIMENSION).
    Raises TypeError for an argument of the wrong type and ValueError for a
    value out of range, each naming the argument.
    """
    from . import _encoder, _entropy

    image, plan = _plan(image, quality, subsampling, optimize, restart_interval)
    qt = plan.component_qtables()
    if not plan.optimize:
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
    return plan.header(tables) + scan + _jfif.eoi()


def write(path, image, quality=75, *, subsampling="4:2:0", optimize=False, restart_interval=0):
    """Encode ``image`` (see ``encode``) and write the JPEG file to ``path``.

    path: str, bytes or os.PathLike. Returns the number of bytes written.
    """
    if not isinstance(path, (str, bytes, _os.PathLike)):
        raise TypeError(f"path must be a str, bytes or os.PathLike, not {type(path).__name__}")
    data = encode(image, quality, subsampling=subsampling, optimize=optimize,
                  restart_interval=restart_interval)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)
# ==== end encode ====


# ==== decode ====
import os as _os

import numpy as _np

from . import jfif as _jfif
from .errors import JPEGError as _JPEGError

DEFAULT_MAX_PIXELS = 178956970   # Pillow's decompression-bomb limit (about 179 MP)


def _huffman_table(st, slot, cache, is_dc, scan_offset):
    """The built decode table for DHT slot (0-3 DC, 4-7 AC), built and checked
    on first use as libjpeg does."""
    entry = st.dht[slot]
    if entry is None:
        kind = "DC" if is_dc else "AC"
        raise _JPEGError(f"scan uses {kind} Huffman table {slot % 4}, which is not defined",
                         scan_offset)
    from ._huffman import build_decode_table

    key = (slot, id(entry))       # the cache keeps entry alive, so its id stays unique
    if key not in cache:
        counts, symbols, offset = entry
        try:
            cache[key] = (build_decode_table(counts, symbols, is_dc), entry)
        except ValueError as e:
            raise _JPEGError(str(e), offset if offset is not None else scan_offset) from None
    return cache[key][0]


def _color_conversion(st):
    """Which colour conversion libjpeg-turbo (as Pillow drives it) applies."""
    from ._decoder import (CC_GRAY_ as CC_GRAY, CC_YCC_RGB_ as CC_YCC_RGB, CC_RGB_ as CC_RGB,
                           CC_CMYK_ as CC_CMYK, CC_YCCK_ as CC_YCCK)
    comps = st.frame.components
    if len(comps) == 1:
        return CC_GRAY
    if len(comps) == 3:
        if st.jfif:
            return CC_YCC_RGB
        if st.adobe_transform is not None:
            return CC_RGB if st.adobe_transform == 0 else CC_YCC_RGB
        ids = tuple(c.ident for c in comps)
        return CC_RGB if ids == (82, 71, 66) else CC_YCC_RGB     # 'R', 'G', 'B'
    if st.adobe_transform is not None and st.adobe_transform != 0:
        return CC_YCCK
    return CC_CMYK


def _as_bytes(data):
    if isinstance(data, (bytes, bytearray)):
        return bytes(data) if isinstance(data, bytearray) else data
    if isinstance(data, memoryview):
        return data.tobytes()
    raise TypeError(f"decode() needs bytes, bytearray or memoryview, not {type(data).__name__}")


def decode(data, *, max_pixels=DEFAULT_MAX_PIXELS, threads=None):
    """Decode a baseline or progressive Huffman JPEG to a numpy array.

    ``data``: the file's bytes (bytes, bytearray or memoryview).
    ``max_pixels``: refuse frames of more pixels than this (width x height),
    checked before anything is allocated; the default is Pillow's limit.
    ``threads``: how many threads may work on this image (None: one per
    core, 1: only the calling thread).  Entropy decoding overlaps the
    inverse DCT and colour conversion; progressive files reconstruct in
    parallel bands.  The pixels are the same for every thread count.

    Returns uint8 ``(H, W)`` for one component, ``(H, W, 3)`` RGB for three
    (YCbCr converted, or RGB as stored when an Adobe marker says so) and
    ``(H, W, 4)`` CMYK for four, with the values Pillow gives for the same
    bytes (its CMYK is inverted Adobe CMYK; YCCK is converted).

    Raises ``JPEGError`` (with the byte offset) for malformed, truncated or
    unsupported data, ``TypeError`` for a non-bytes argument or a non-int ``threads``,
    ``ValueError`` for ``threads`` below 1.  Corrupt data
    that Pillow recovers from decodes as Pillow does it (zero bits after an
    early marker, restart resynchronisation, runs past coefficient 63
    landing on coefficient 63).  One difference: a progressive file that ends
    (with an EOI) before its low-frequency coefficients are complete gets no
    block smoothing here, where libjpeg smooths it.
    """
    from ._decoder import decode_scan, decode_single_scan, find_marker, reconstruct
    from ._pool import resolve_threads

    data = _as_bytes(data)
    threads = resolve_threads(threads)
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise ValueError(f"max_pixels must be a positive int, not {max_pixels!r}")
    st = _jfif.new_decoder_state(data, max_pixels)
    pos = _jfif.check_soi(data)
    n = len(data)
    coefs = None            # per frame component, (block rows, blocks per row, 64) int16
    quant = None            # per frame component, latched at its first scan
    image = None            # the output, when the fused single-scan path made it
    tables = {}
    single_scan = False
    while True:
        try:
            ff = find_marker(data, pos)
            if ff < 0:
                raise _JPEGError("truncated: the data ends before the EOI marker", n)
            code, cpos = _jfif.marker_code(data, ff)
            if code == _jfif.EOI:
                break
            if code == _jfif.SOI:
                raise _JPEGError("a second SOI marker", ff)
            if _jfif.RST0 <= code <= _jfif.RST7 or code == _jfif.TEM:
                pos = cpos + 1          # parameterless markers outside a scan: ignored
                continue
            if code in _jfif.UNSUPPORTED_SOF:
                raise _JPEGError(f"unsupported JPEG process: {_jfif.UNSUPPORTED_SOF[code]}", ff)
            # what libjpeg refuses on the marker alone, before reading its length
            if code not in _jfif.KNOWN_SEGMENTS:
                raise _JPEGError(f"unknown marker 0xFF{code:02X}", ff)
            if code in (_jfif.SOF0, _jfif.SOF1, _jfif.SOF2) and st.frame is not None:
                raise _JPEGError("a second SOF marker", ff)
            # libjpeg skips APPn and COM by their length and tolerates one below 2
            start, end = _jfif.segment_bounds(
                data, cpos, f"0x{code:02X}",
                lenient=_jfif.APP0 <= code <= _jfif.APP15 or code == _jfif.COM)
            pos = end
            if _jfif.APP0 <= code <= _jfif.APP15:
                _jfif.parse_app(st, code, start, end)
            elif code == _jfif.COM:
                _jfif.parse_com(st, start, end)
            elif code == _jfif.DQT:
                _jfif.parse_dqt(st, start, end)
            elif code == _jfif.DHT:
                _jfif.parse_dht(st, start, end)
            elif code == _jfif.DRI:
                _jfif.parse_dri(st, start, end)
            elif code in (_jfif.SOF0, _jfif.SOF1, _jfif.SOF2):
                _jfif.parse_sof(st, code, start, end)
            elif code in (_jfif.DNL, _jfif.DAC):
                pass
            elif code == _jfif.SOS:
                scan = _jfif.parse_sos(st, start, end)
                f = st.frame
                if single_scan:
                    # libjpeg reads a sequential file whose first scan holds every
                    # component as single-scan and stops at a second SOS (Pillow
                    # reports a broken data stream)
                    raise _JPEGError("a second scan in a single-scan sequential file", ff)
                single_scan = not f.progressive and len(scan.components) == len(f.components)
                if quant is None:
                    quant = [None] * len(f.components)
                kind, args, mcus_x, mcus_y = _plan_scan(st, scan, quant, tables)
                c0 = f.components[0]
                if single_scan and (len(f.components) > 1 or c0.h == c0.v == 1):
                    # the fused path: MCU row by MCU row, no whole-image coefficients
                    max_hv = (f.max_h, f.max_v)
                    image, pos = decode_single_scan(
                        data, scan.data_start,
                        [(c.index, h, v, dc, ac) for c, h, v, dc, ac in args],
                        [(quant[c.index], w, h, c.h, c.v, hr, vr, m)
                         for c, (w, h, hr, vr, m) in ((c, _component_geometry(f, c, max_hv))
                                                      for c in f.components)],
                        f.width, f.height, max_hv[1], mcus_x, mcus_y, st.restart_interval,
                        _color_conversion(st), threads)
                    continue
                if coefs is None:
                    mx = -(-f.width // (8 * f.max_h))
                    my = -(-f.height // (8 * f.max_v))
                    coefs = [_np.zeros((my * c.v, mx * c.h, 64), dtype=_np.int16)
                             for c in f.components]
                pos, _corrupt, _bad_rst = decode_scan(
                    data, scan.data_start,
                    [(coefs[c.index], h, v, dc, ac) for c, h, v, dc, ac in args],
                    mcus_x, mcus_y, st.restart_interval, kind, scan.Ss, scan.Se, scan.Ah, scan.Al)
            else:
                raise _JPEGError(f"unknown marker 0xFF{code:02X}", ff)
        except _JPEGError as e:
            # After the one scan of a single-scan file the image is complete;
            # libjpeg (Pillow) then only looks for EOI and ignores running out
            # of data there (a corrupt segment length, a cut-off tail), unless
            # the scan itself ran into the end of the data.
            if image is not None and e.reason.startswith("truncated"):
                break
            raise

    if image is not None:
        return image
    if st.frame is None or coefs is None:
        raise _JPEGError("no image: EOI before any frame or scan", ff)
    f = st.frame
    comps = []
    for c in f.components:
        q = quant[c.index]
        if q is None:           # never in a scan: all-zero coefficients decode to 128
            q = _np.zeros(64, dtype=_np.int16)
        w, h, hr, vr, method = _component_geometry(f, c)
        comps.append((coefs[c.index], q, w, h, c.v, hr, vr, method))
    return reconstruct(comps, f.width, f.height, f.max_v, _color_conversion(st), threads)


def _component_geometry(f, c, max_hv=None):
    """(comp_w, comp_h, hr, vr, upsampler) of frame component c: its size in
    samples, its upsampling factors and libjpeg-turbo's upsampler for it.
    max_hv: the frame's (max_h, max_v) when the caller has them."""
    from ._subsample import upsample_method

    max_h, max_v = max_hv or (f.max_h, f.max_v)
    comp_w = -(-f.width * c.h // max_h)
    comp_h = -(-f.height * c.v // max_v)
    hr, vr = max_h // c.h, max_v // c.v
    return comp_w, comp_h, hr, vr, upsample_method(hr, vr, comp_w)


def _plan_scan(st, scan, quant, tables):
    """The scan kind, per scan component (component, blocks across and down
    per MCU, DC table, AC table), and the MCU grid of the scan; latches each
    component's quantization table at its first scan, as libjpeg does."""
    from ._quant import decoder_quant_table

    f = st.frame
    if f.progressive:
        if scan.Ss == 0:
            kind = 1 if scan.Ah == 0 else 2
        else:
            kind = 3 if scan.Ah == 0 else 4
    else:
        kind = 0
    args = []
    for c, td, ta in scan.components:
        if quant[c.index] is None:
            if st.qt[c.tq] is None:
                raise _JPEGError(f"component {c.ident} uses quantization table {c.tq}, "
                                 "which is not defined", scan.offset)
            quant[c.index] = decoder_quant_table(st.qt[c.tq])
        dc = _huffman_table(st, td, tables, True, scan.offset) if kind in (0, 1) else None
        ac = _huffman_table(st, 4 + ta, tables, False, scan.offset) if kind in (0, 3, 4) else None
        if len(scan.components) == 1:
            args.append((c, 1, 1, dc, ac))       # non-interleaved: one block per MCU
        else:
            args.append((c, c.h, c.v, dc, ac))
    max_h, max_v = f.max_h, f.max_v
    if len(scan.components) == 1:
        c = scan.components[0][0]
        mcus_x = -(-(-(-f.width * c.h // max_h)) // 8)
        mcus_y = -(-(-(-f.height * c.v // max_v)) // 8)
    else:
        mcus_x = -(-f.width // (8 * max_h))
        mcus_y = -(-f.height // (8 * max_v))
    return kind, args, mcus_x, mcus_y


def read(path, *, max_pixels=DEFAULT_MAX_PIXELS, threads=None):
    """Read and decode a JPEG file; see ``decode`` for the result, ``threads`` and errors."""
    from ._pool import resolve_threads

    resolve_threads(threads)        # refuse a bad argument before opening the file
    with open(_os.fspath(path), "rb") as fh:
        return decode(fh.read(), max_pixels=max_pixels, threads=threads)

# ==== end decode ====
