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


def _check_qtables(qtables):
    """Pillow's ``qtables``: 1..4 tables of 64 ints (natural order; any shape of
    64 values) as a list/tuple, an array of shape (n, 64) or (n, 8, 8), or a
    dict {slot: table} with slots 0..n-1. Returns a list of int64 arrays (64,)."""
    if isinstance(qtables, dict):
        if set(qtables) != set(range(len(qtables))):
            raise ValueError("qtables as a dict needs the slots 0..n-1 as keys, "
                             f"got {sorted(qtables, key=repr)}")
        qtables = [qtables[k] for k in range(len(qtables))]
    elif isinstance(qtables, _np.ndarray):
        if qtables.ndim not in (2, 3):
            raise ValueError("qtables as an array must have shape (n, 64) or (n, 8, 8), "
                             f"got {qtables.shape} (for one table, pass [table])")
        qtables = list(qtables)
    elif isinstance(qtables, (list, tuple)):
        qtables = list(qtables)
    else:
        raise TypeError("qtables must be a list or tuple of tables, an array or a dict "
                        f"{{slot: table}}, not {type(qtables).__name__}")
    if not 1 <= len(qtables) <= 4:
        raise ValueError(f"qtables must hold 1..4 tables, got {len(qtables)}")
    out = []
    for i, t in enumerate(qtables):
        if isinstance(t, (_numbers.Number, str, bytes)):
            raise TypeError(f"qtables[{i}] must be a table of 64 values, not "
                            f"{type(t).__name__} (for one table, pass [table])")
        try:
            a = _np.asarray(t)
        except (ValueError, OverflowError) as e:
            raise ValueError(f"qtables[{i}] is not a table of 64 integers ({e})") from None
        if a.dtype.kind not in "iu":
            raise TypeError(f"qtables[{i}] must hold integers, not {a.dtype}")
        if a.size != 64:
            raise ValueError(f"qtables[{i}] must have 64 values, got {a.size} (shape {a.shape})")
        a = a.reshape(64).astype(_np.int64)
        if a.min() < 1 or a.max() > 65535:
            raise ValueError(f"qtables[{i}] values must be in 1..65535, got "
                             f"{int(a.min())}..{int(a.max())}")
        out.append(a)
    return out


class EncodePlan:
    """What the headers say about an encode: components, tables, restart interval.

    Attributes: ``height``, ``width`` (pixels); ``components``: list of
    ``(id, h, v, quant table id, DC table id, AC table id)`` in frame order;
    ``qtables``: {table id: 64 values in natural order}; ``restart_interval``
    (MCUs, 0 = none); ``optimize`` (bool); ``quality`` (1..100, or None when
    the caller's tables are used as given); ``metadata``: the APPn/COM bytes
    written after the JFIF APP0.

    Tables as libjpeg (driven by Pillow) sets them: without ``qtables`` the
    Annex K tables scaled for ``quality`` (None: 75), 8-bit; with ``qtables``
    (checked lists of 64 ints) each table is scaled by ``quality``'s IJG
    percentage and kept 8-bit when a quality is given, used as given (up to
    16 bits, clamped to 32767) when not; component i uses table
    min(i, len(qtables) - 1), and tables no component uses are not written.
    """

    def __init__(self, image, quality, subsampling, optimize, restart_interval,
                 qtables=None, metadata=b""):
        self.height, self.width = image.shape[:2]
        self.optimize = optimize
        self.restart_interval = restart_interval
        self.metadata = metadata
        self.custom_qtables = qtables is not None
        ncomp = 1 if image.ndim == 2 else 3
        if qtables is None:
            quality = 75 if quality is None else quality
            bases = [_tables.LUMA_QUANT_K1, _tables.CHROMA_QUANT_K2]
            slots = [0, 1, 1][:ncomp]
        else:
            bases = qtables
            slots = [min(i, len(qtables) - 1) for i in range(ncomp)]
        self.quality = quality
        if image.ndim == 2:
            self.subsampling = None
            self.components = [(1, 1, 1, 0, 0, 0)]
        else:
            self.subsampling = subsampling
            sf = SUBSAMPLINGS[subsampling]
            self.components = [(1, *sf[0], slots[0], 0, 0), (2, *sf[1], slots[1], 1, 1),
                               (3, *sf[2], slots[2], 1, 1)]
        self.qtables = {c[3]: _tables.scale_quant_table(
                            bases[c[3]], quality, force_baseline=qtables is None or quality is not None)
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

        SOI, APP0 JFIF, the metadata (Exif APP1, ICC APP2, COM), DQT per
        table, SOF0 (SOF1 with a 16-bit table), DHT (DC then AC per
        component, each table once), DRI when restarting, SOS.
        """
        parts = [_jfif.soi(), _jfif.app0_jfif(), self.metadata]
        sent = set()
        for c in self.components:
            if c[3] not in sent:
                sent.add(c[3])
                parts.append(_jfif.dqt(c[3], self.qtables[c[3]]))
        # libjpeg: a 16-bit table makes the frame extended sequential (SOF1)
        sof = _jfif.sof1 if max(int(t.max()) for t in self.qtables.values()) > 255 else _jfif.sof0
        parts.append(sof(self.height, self.width, [c[:4] for c in self.components]))
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


def _plan(image, quality, subsampling, optimize, restart_interval, qtables=None,
          icc_profile=None, exif=None, comment=None):
    """Validate every argument of encode; returns (contiguous image, EncodePlan)."""
    image = _check_image(image)
    if quality is not None:
        quality = _check_int("quality", quality, 1, 100)
    if qtables is not None:
        qtables = _check_qtables(qtables)
    metadata = _jfif.metadata_segments(icc_profile, exif, comment)
    if not isinstance(subsampling, str):
        raise TypeError(f"subsampling must be a str, not {type(subsampling).__name__}")
    if subsampling not in SUBSAMPLINGS:
        raise ValueError(f"subsampling must be one of {', '.join(SUBSAMPLINGS)}, "
                         f"got {subsampling!r}")
    if not isinstance(optimize, (bool, _np.bool_)):
        raise TypeError(f"optimize must be a bool, not {type(optimize).__name__}")
    restart_interval = _check_int("restart_interval", restart_interval, 0, 65535)
    return image, EncodePlan(image, quality, subsampling, bool(optimize), restart_interval,
                             qtables, metadata)


def encode(image, quality=None, *, subsampling="4:2:0", optimize=False, restart_interval=0,
           threads=None, qtables=None, icc_profile=None, exif=None, comment=None):
    """Encode an image as a baseline JFIF JPEG; returns the file's bytes.

    image: numpy uint8 array, (H, W) grayscale or (H, W, 3) RGB, any strides,
        1 <= H, W <= 65535 pixels.
    quality: 1..100, IJG scaling of the Annex K tables (as in libjpeg/Pillow);
        None (not given): 75, or with ``qtables`` the tables as given.
    qtables: custom quantization tables, as Pillow's ``qtables``: 1..4 tables
        of 64 ints 1..65535 in natural (row-major) order (lists, arrays of
        shape (64,) or (8, 8)), as a list, tuple, (n, 64) array or a dict
        {slot: table} with slots 0..n-1. Component i (Y, Cb, Cr) uses table
        min(i, n - 1). With ``quality`` given each table is scaled by its IJG
        percentage (quality 50: as is; 75: halved) with libjpeg's rounding
        and clamped to 1..255; without, it is written as given (clamped to
        32767, libjpeg's limit) and a table above 255 is written with 16-bit
        precision in an SOF1 (extended sequential) file. The bytes equal
        Pillow's with the same ``qtables`` and ``quality``, except that
        libjpeg-turbo's quantizer divides by 8Q modulo 2**16, so that Pillow's
        data for quantizers 8192..32766 does not follow its own tables
        (jpeglite's does: every coefficient quantizes to 0 there).
    icc_profile: bytes of an ICC profile, written in APP2 chunks of at most
        65,519 bytes (ICC.1 B.4; at most 255 chunks).
    exif: the Exif APP1 payload as Pillow gives it (``Image.Exif.tobytes()``,
        ``info["exif"]``): ``b"Exif\\0\\0"`` and a TIFF stream (a bare TIFF stream
        gets that header), at most 65,533 bytes.
    comment: str (UTF-8) or bytes for a COM segment, at most 65,533 bytes.
        The metadata follows the JFIF APP0 as Pillow writes it (Exif, ICC,
        COM); None or empty leaves a segment out.
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
    image, plan = _plan(image, quality, subsampling, optimize, restart_interval, qtables,
                        icc_profile, exif, comment)
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


def write(path, image, quality=None, *, subsampling="4:2:0", optimize=False,
          restart_interval=0, threads=None, qtables=None, icc_profile=None, exif=None,
          comment=None):
    """Encode ``image`` (see ``encode``) and write the JPEG file to ``path``.

    path: str, bytes or os.PathLike. Returns the number of bytes written.
    Arguments are checked (and the image encoded) before the file is opened,
    so a bad argument leaves no file behind; a path that cannot be written (a
    directory, a missing directory, no permission) raises the OSError of
    ``open``, whose message names the path.
    """
    if not isinstance(path, (str, bytes, _os.PathLike)):
        raise TypeError(f"path must be a str, bytes or os.PathLike, not {type(path).__name__}")
    data = encode(image, quality, subsampling=subsampling, optimize=optimize,
                  restart_interval=restart_interval, threads=threads, qtables=qtables,
                  icc_profile=icc_profile, exif=exif, comment=comment)
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


def _check_max_pixels(max_pixels):
    # a ValueError for a wrong type too (an int is what is meant; numpy
    # integers are ints), so that every bad max_pixels is one kind of error
    import numbers
    if (isinstance(max_pixels, (bool, _np.bool_)) or not isinstance(max_pixels, numbers.Integral)
            or max_pixels < 1):
        raise ValueError(f"max_pixels must be a positive int, not {max_pixels!r}")
    return int(max_pixels)


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

    Two refusals bound the memory and work of a decode by the size of its
    input, where libjpeg (Pillow) would decode a mostly grey image:
    a frame with more 8x8 blocks than there are bits after its SOF
    segment (each block costs at least one bit, its DC code, so such data
    is truncated or a decompression bomb) is refused before anything is
    allocated ("too short for its frame"); and scans that together would
    visit more than 14 passes' worth of every coefficient of the frame
    (the most a valid progression needs, counting 8 visits per block per
    scan for a scan's fixed cost; also at most 1000 scans) are refused.
    """
    from ._decoder import decode_scan, decode_single_scan, find_marker, reconstruct
    from ._pool import resolve_threads

    data = _as_bytes(data)
    max_pixels = _check_max_pixels(max_pixels)
    threads = resolve_threads(threads)
    st = _jfif.new_decoder_state(data, max_pixels)
    pos = _jfif.check_soi(data)
    n = len(data)
    coefs = None            # per frame component, (block rows, blocks per row, 64) int16
    quant = None            # per frame component, latched at its first scan
    image = None            # the output, when the fused single-scan path made it
    tables = {}
    single_scan = False
    work = 0                # coefficient visits of the scans so far (see _scan_work)
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
                work += _scan_work(f, scan, mcus_x, mcus_y)
                if work > _work_budget(f):
                    raise _JPEGError(
                        f"the scans ask for more work than {_PASSES} full passes over "
                        f"every coefficient of the frame (a valid progression needs at "
                        f"most that): a decompression bomb", ff)
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


# Each coefficient of a valid progression is coded by one first pass with
# Al <= 13 and then at most 13 refinements (Al down by one each): 14 visits.
_PASSES = 14
# A block costs a scan about as much as this many coefficient visits before
# any coefficient is touched (the MCU loop, an EOB-run count-down), measured.
_BLOCK_COST = 8


def _scan_work(f, scan, mcus_x, mcus_y):
    """The work of one scan in coefficient visits: each block it codes costs
    its spectral band (Ss..Se; 64 for a sequential scan) plus _BLOCK_COST."""
    band = scan.Se - scan.Ss + 1 if f.progressive else 64
    blocks_per_mcu = 1 if len(scan.components) == 1 else sum(
        c.h * c.v for c, _, _ in scan.components)
    return mcus_x * mcus_y * blocks_per_mcu * (max(band, 1) + _BLOCK_COST)


def _work_budget(f):
    """The most work decode spends on a frame's scans: _PASSES passes over
    every coefficient of every (MCU-padded) block, DC and AC in separate scans.
    With the one-bit-per-block bound of parse_sof this keeps the work of a
    decode proportional to the size of its input."""
    mx = -(-f.width // (8 * f.max_h))
    my = -(-f.height // (8 * f.max_v))
    blocks = sum(mx * c.h * my * c.v for c in f.components)
    return blocks * _PASSES * (64 + 2 * _BLOCK_COST)


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
    """Read and decode the JPEG file at ``path`` (str, bytes or os.PathLike);
    see ``decode`` for the result, ``threads`` and errors.  A file that cannot be
    opened raises the OSError of ``open`` (FileNotFoundError, IsADirectoryError,
    PermissionError), whose message names the path."""
    from ._pool import resolve_threads

    if not isinstance(path, (str, bytes, _os.PathLike)):
        # (an int would open a file descriptor)
        raise TypeError(f"path must be a str, bytes or os.PathLike, not {type(path).__name__}")
    # refuse bad arguments before opening the file
    max_pixels = _check_max_pixels(max_pixels)
    resolve_threads(threads)
    with open(path, "rb") as fh:
        return decode(fh.read(), max_pixels=max_pixels, threads=threads)

# ==== end decode ====


# ==== analyze ====
_TABLE_NAMES = {0: "DC", 1: "AC"}


def _entropy_details(blocks_per_comp, round8):
    """Per-component, per-frequency ideal code lengths (bits) of coefficient blocks.

    Returns (total bits, details dict). Each component's 64 frequencies are 64
    memoryless sources, each with its own empirical histogram (_quant's Cython
    counter); frequency 0 is DC, the other 63 AC.
    """
    from . import _quant
    from .report import _code_length_rows

    comps = []
    for blocks in blocks_per_comp:
        counts, lo = _quant.frequency_histogram(blocks, round8)
        bits = _code_length_rows(counts)              # 64 entries, natural order
        zero = counts[:, -lo] if lo <= 0 < lo + counts.shape[1] else _np.zeros(64, _np.int64)
        n = int(counts[0].sum())
        comps.append({
            "bits": float(bits.sum()),
            "dc_bits": float(bits[0]),
            "ac_bits": float(bits[1:].sum()),
            "blocks": n,
            "coefficients": 64 * n,
            "nonzero": int(64 * n - zero.sum()),
            "nonzero_dc": int(n - zero[0]),
            "nonzero_ac": int(63 * n - zero[1:].sum()),
            "min": int(lo),
            "max": int(lo + counts.shape[1] - 1),
            "frequency_bits": [float(b) for b in bits],
        })
    return float(sum(c["bits"] for c in comps)), comps


def _distortion(image, data, threads):
    """(mse, decode seconds) of jpeglite's own decode (on ``threads`` threads) of ``data`` against ``image``."""
    import time

    from . import _color, decode

    t = time.perf_counter()
    decoded = decode(data, threads=threads)
    return _color.squared_error(image, decoded) / image.size, time.perf_counter() - t


def analyze(image, quality=None, *, subsampling="4:2:0", optimize=False, restart_interval=0,
            threads=None, qtables=None, icc_profile=None, exif=None, comment=None):
    """Encode ``image`` stage by stage and account for every bit: a ``Report``.

    Arguments and validation are ``encode``'s; ``report.data`` is exactly the
    file ``encode`` writes with the same arguments. The report's stages, in
    order (bits; seconds = the encoder's wall time for that step):

    - raw: 8 x H x W x C, the pixels as they are.
    - color: the same count in YCbCr (a transform, not yet a saving).
    - subsample: 8 x the samples left after chroma subsampling (the image's
      samples per component; block padding is reported in the details).
    - dct: zeroth-order empirical entropy of the DCT coefficients rounded to
      integers (FDCT output / 8 with libjpeg's rounding: quantizing by ones),
      one memoryless model per component and frequency, summed.
    - quantize: the same entropy over the quantized coefficients; distortion
      enters here.
    - rle: ideal code length of the run-length symbols under their own
      empirical distribution, one per Huffman table (the model the coder uses;
      Cb and Cr share tables), plus the amplitude bits.
    - huffman: the actual Huffman code bits plus amplitude bits, split by
      component and DC/AC.
    - file: 8 x len(data).

    ``model_bits`` are the DQT and DHT segments (L(P)), ``header_bits`` the
    other markers (SOI, APP0, SOF0, DRI, SOS, EOI), ``data_bits`` the
    entropy-coded segment with stuffing, padding and RSTn markers (L(D|P)).
    ``mse``/``psnr`` compare ``jpeglite.decode(report.data)`` with ``image``.
    Each stage's ``details`` hold its counts and splits, and
    ``measure_seconds``: the time spent measuring it (not in ``seconds``):
    subsample: samples and padded_samples per component; dct, quantize: per
    component bits, dc_bits, ac_bits, nonzero (dc/ac) counts, value range and
    frequency_bits (64 entries, natural row-major order); rle: per Huffman
    table symbols, ideal code_bits, amplitude_bits, and per component EOB, ZRL,
    dummy blocks; huffman: per component dc/ac code and amplitude bits, per
    table code bits; file: the marker segments, model/header/data bits, and the
    scan's symbol bits, padding bits, stuffed bytes and restart markers.

    ``threads``: threads working on each stage, the calling one included, as
    ``encode``'s (None: all cores, fewer for small images; 1: the stages on
    one thread, the decode beside the measurements on a second). With more
    than one, a second thread measures the dct and quantize entropies while
    the symbols are counted and the scan coded, and the decode then uses
    ``threads`` threads. Every figure except the seconds is the same for
    every thread count.
    """
    from concurrent.futures import ThreadPoolExecutor

    from .parallel import resolve_threads

    resolve_threads(threads)          # argument errors before image errors
    image = _check_image(image)
    with ThreadPoolExecutor(1) as pool:
        # The second thread overlaps measuring with encoding or decoding (the
        # kernels release the GIL): see _analyze.
        return _analyze(image, quality, subsampling, optimize, restart_interval, threads, pool,
                        dict(qtables=qtables, icc_profile=icc_profile, exif=exif,
                             comment=comment))


def _analyze(image, quality, subsampling, optimize, restart_interval, threads, pool, extras):
    import time
    from concurrent.futures import Future

    from . import report as _report
    from .parallel import resolve_threads
    from .staged import encode_stages

    threads = resolve_threads(threads, image.shape[0] * image.shape[1])
    measured = {}

    def measure(blocks, round8):
        t = time.perf_counter()
        return _entropy_details(blocks, round8), time.perf_counter() - t

    def on_quantized(coefficients, quantized):
        # The coefficient entropies need only these arrays: the second thread
        # measures them while this one counts symbols and codes the scan
        # (one thread's work), instead of after the stages.
        measured["dct"] = pool.submit(measure, coefficients, True)
        measured["quantize"] = pool.submit(measure, quantized, False)

    st = encode_stages(image, quality, subsampling=subsampling, optimize=optimize,
                       restart_interval=restart_interval, keep_zigzag=False, threads=threads,
                       on_quantized=on_quantized if threads > 1 else None, **extras)
    if threads > 1:
        # this thread decodes (with the pool) while the second one ends its measurements
        distortion = Future()
        distortion.set_result(_distortion(image, st.data, threads))
    else:
        # the decode runs on the second thread while this one measures
        distortion = pool.submit(_distortion, image, st.data, 1)
        for name, blocks, round8 in (("dct", st.coefficients, True),
                                     ("quantize", st.quantized, False)):
            measured[name] = Future()
            measured[name].set_result(measure(blocks, round8))
    plan, g, sec = st.plan, st.geometry, st.seconds
    height, width = plan.height, plan.width
    ncomp = len(plan.components)
    names = ["Y", "Cb", "Cr"][:ncomp]
    stages = []

    samples = height * width * ncomp
    stages.append(_report.Stage("raw", 8 * samples, 0.0, {
        "samples": samples, "components": ncomp, "bits_per_sample": 8}))
    stages.append(_report.Stage("color", 8 * samples, sec["color"], {
        "samples": samples,
        "space": "YCbCr" if ncomp == 3 else "Y (grayscale, no transform)"}))

    # libjpeg keeps ceil(W * h / max h) x ceil(H * v / max v) samples of each component.
    kept = [-(-width * c[1] // g["maxh"]) * -(-height * c[2] // g["maxv"])
            for c in plan.components]
    padded = [64 * g["wb"][c] * g["hb"][c] for c in range(ncomp)]
    stages.append(_report.Stage("subsample", 8 * sum(kept), sec["subsample"], {
        "counts": "the image's samples per component (block padding excluded)",
        "subsampling": plan.subsampling or "none (grayscale)",
        "sampling_factors": {n: [c[1], c[2]] for n, c in zip(names, plan.components)},
        "samples": dict(zip(names, kept)),
        "padded_samples": dict(zip(names, padded)),
    }))

    (dct_bits, dct_comps), dct_seconds = measured["dct"].result()
    stages.append(_report.Stage("dct", dct_bits, sec["dct"], {
        "model": "zeroth-order entropy per component and frequency of round(FDCT / 8)",
        "components": dict(zip(names, dct_comps)),
        "measure_seconds": dct_seconds}))

    (q_bits, q_comps), q_seconds = measured["quantize"].result()
    stages.append(_report.Stage("quantize", q_bits, sec["quantize"], {
        "model": "zeroth-order entropy per component and frequency of the quantized coefficients",
        "quality": plan.quality,
        "quant_tables": {tid: [int(x) for x in q] for tid, q in plan.qtables.items()},
        "components": dict(zip(names, q_comps)),
        "measure_seconds": q_seconds}))

    t = time.perf_counter()
    amp_sizes = _np.arange(256) & 15
    per_table = {}
    for (cls, tid), hist in sorted(st.table_counts().items()):
        per_table[f"{_TABLE_NAMES[cls]}{tid}"] = {
            "components": [n for n, c in zip(names, plan.components) if c[4 + cls] == tid],
            "symbols": int(hist.sum()),
            "distinct_symbols": int((hist > 0).sum()),
            "code_bits": _report.histogram_code_length(hist),
            "amplitude_bits": _report.amplitude_bits(hist)}
    blocks_coded = [g["mcus_x"] * g["mcus_y"] * (c[1] * c[2] if ncomp > 1 else 1)
                    for c in plan.components]
    rle_comps = {}
    for ci, n in enumerate(names):
        dc, ac = st.counts[ci, 0], st.counts[ci, 1]
        rle_comps[n] = {
            "blocks": blocks_coded[ci],
            "dummy_blocks": blocks_coded[ci] - g["wb"][ci] * g["hb"][ci],
            "dc_symbols": int(dc.sum()),
            "ac_symbols": int(ac.sum()),
            "eob": int(ac[0x00]),
            "zrl": int(ac[0xF0]),
            "dc_amplitude_bits": int(dc @ amp_sizes),
            "ac_amplitude_bits": int(ac @ amp_sizes)}
    rle_bits = sum(t_["code_bits"] + t_["amplitude_bits"] for t_ in per_table.values())
    stages.append(_report.Stage("rle", rle_bits, sec.get("zigzag", 0.0) + sec["count"], {
        "model": "ideal code length per Huffman table under its own symbol counts, "
                 "plus amplitude bits",
        "tables": per_table,
        "components": rle_comps,
        "symbols": int(st.counts.sum()),
        "eob": int(st.counts[:, 1, 0x00].sum()),
        "zrl": int(st.counts[:, 1, 0xF0].sum()),
        "measure_seconds": time.perf_counter() - t}))

    t = time.perf_counter()
    hb = st.huffman_bits()
    huff_comps = {}
    for n, row in zip(names, hb):
        huff_comps[n] = dict(row, dc_bits=row["dc_code"] + row["dc_amplitude"],
                             ac_bits=row["ac_code"] + row["ac_amplitude"],
                             bits=sum(row.values()))
    huff_tables = {}
    for (cls, tid), hist in sorted(st.table_counts().items()):
        lengths = st.codes[(cls, tid)][1].astype(_np.int64)
        huff_tables[f"{_TABLE_NAMES[cls]}{tid}"] = {
            "code_bits": int(hist @ lengths),
            "longest_code": int(lengths[hist > 0].max()) if hist.any() else 0}
    huff_bits = sum(c["bits"] for c in huff_comps.values())
    stages.append(_report.Stage("huffman", huff_bits, sec["huffman"], {
        "tables_kind": "optimized" if plan.optimize else "standard (Annex K)",
        "components": huff_comps,
        "tables": huff_tables,
        "code_bits": sum(r["dc_code"] + r["ac_code"] for r in hb),
        "amplitude_bits": sum(r["dc_amplitude"] + r["ac_amplitude"] for r in hb),
        "dc_bits": sum(c["dc_bits"] for c in huff_comps.values()),
        "ac_bits": sum(c["ac_bits"] for c in huff_comps.values()),
        "measure_seconds": time.perf_counter() - t}))

    t = time.perf_counter()
    segments = st.header_segments() + [("EOI", 2)]
    model = 8 * sum(n for name, n in segments if name in ("DQT", "DHT"))
    header = 8 * sum(n for name, n in segments if name not in ("DQT", "DHT"))
    layout = st.scan_layout()
    data_bits = 8 * layout["scan_bytes"]
    err, decode_seconds = distortion.result()
    stages.append(_report.Stage("file", 8 * len(st.data), sec["container"], {
        "bytes": len(st.data),
        "model_bits": model,
        "header_bits": header,
        "data_bits": data_bits,
        "segments": [[name, n] for name, n in segments],
        "symbol_bits": layout["symbol_bits"],
        "padding_bits": layout["padding_bits"],
        "stuffed_bytes": layout["stuffed_bytes"],
        "restart_markers": layout["restart_markers"],
        "decode_seconds": decode_seconds,   # overlapped with measurements (see _analyze)
        "measure_seconds": time.perf_counter() - t}))

    options = {"quality": plan.quality,
               "subsampling": plan.subsampling or "none (grayscale)",
               "optimize": plan.optimize, "restart_interval": plan.restart_interval}
    if plan.custom_qtables:
        options["qtables"] = "custom, " + ("as given" if plan.quality is None
                                           else f"scaled for quality {plan.quality}")
    return _report.Report(stages, model, header, data_bits, st.data, width, height, ncomp,
                          err, _report.psnr_from_mse(err), options)
# ==== end analyze ====
