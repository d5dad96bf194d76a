"""encode, decode, analyze: validate arguments, run the pipeline, build results."""

# ==== encode ====

# ==== end encode ====


# ==== decode ====
import os as _os

import numpy as _np

from . import jfif as _jfif
from .errors import JPEGError as _JPEGError

DEFAULT_MAX_PIXELS = 178956970   # Pillow's decompression-bomb limit (about 179 MP)


def _decode_tables():
    from ._huffman import build_decode_table
    return build_decode_table


def _huffman_table(st, slot, cache, is_dc, scan_offset):
    """The built decode table for DHT slot (0-3 DC, 4-7 AC), built and checked
    on first use as libjpeg does."""
    entry = st.dht[slot]
    if entry is None:
        kind = "DC" if is_dc else "AC"
        raise _JPEGError(f"scan uses {kind} Huffman table {slot % 4}, which is not defined",
                         scan_offset)
    key = (slot, id(entry))
    if key not in cache:
        counts, symbols, offset = entry
        try:
            cache[key] = (_decode_tables()(counts, symbols, is_dc), entry)
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


def decode(data, *, max_pixels=DEFAULT_MAX_PIXELS):
    """Decode a baseline or progressive Huffman JPEG to a numpy array.

    ``data``: the file's bytes (bytes, bytearray or memoryview).
    ``max_pixels``: refuse frames of more pixels than this (width x height),
    checked before anything is allocated; the default is Pillow's limit.

    Returns uint8 ``(H, W)`` for one component, ``(H, W, 3)`` RGB for three
    (YCbCr converted, or RGB as stored when an Adobe marker says so) and
    ``(H, W, 4)`` CMYK for four, with the values Pillow gives for the same
    bytes (its CMYK is inverted Adobe CMYK; YCCK is converted).

    Raises ``JPEGError`` (with the byte offset) for malformed, truncated or
    unsupported data, ``TypeError`` for a non-bytes argument.
    """
    from ._decoder import decode_scan, find_marker, reconstruct
    from ._quant import decoder_quant_table
    from ._subsample import upsample_method

    data = _as_bytes(data)
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise ValueError(f"max_pixels must be a positive int, not {max_pixels!r}")
    st = _jfif.new_decoder_state(data, max_pixels)
    pos = _jfif.check_soi(data)
    n = len(data)
    coefs = None            # per frame component, (block rows, blocks per row, 64) int16
    quant = None            # per frame component, latched at its first scan
    tables = {}
    while True:
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
        start, end = _jfif.segment_bounds(data, cpos, f"0x{code:02X}")
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
            if coefs is None:
                mx = -(-f.width // (8 * f.max_h))
                my = -(-f.height // (8 * f.max_v))
                coefs = [_np.zeros((my * c.v, mx * c.h, 64), dtype=_np.int16)
                         for c in f.components]
                quant = [None] * len(f.components)
            pos = _decode_one_scan(st, scan, coefs, quant, tables, decode_scan,
                                   decoder_quant_table)
        else:
            raise _JPEGError(f"unknown marker 0xFF{code:02X}", ff)
    if st.frame is None or coefs is None:
        raise _JPEGError("no image: EOI before any frame or scan", ff)
    f = st.frame
    comps = []
    for c in f.components:
        comp_w = -(-f.width * c.h // f.max_h)
        comp_h = -(-f.height * c.v // f.max_v)
        hr, vr = f.max_h // c.h, f.max_v // c.v
        q = quant[c.index]
        if q is None:           # never in a scan: all-zero coefficients decode to 128
            q = _np.zeros(64, dtype=_np.int16)
        comps.append((coefs[c.index], q, comp_w, comp_h, c.v, hr, vr,
                      upsample_method(hr, vr, comp_w)))
    return reconstruct(comps, f.width, f.height, f.max_v, _color_conversion(st))


def _decode_one_scan(st, scan, coefs, quant, tables, decode_scan, decoder_quant_table):
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
            args.append((coefs[c.index], 1, 1, dc, ac))
        else:
            args.append((coefs[c.index], c.h, c.v, dc, ac))
    if len(scan.components) == 1:
        c = scan.components[0][0]
        mcus_x = -(-(-(-f.width * c.h // f.max_h)) // 8)
        mcus_y = -(-(-(-f.height * c.v // f.max_v)) // 8)
    else:
        mcus_x = -(-f.width // (8 * f.max_h))
        mcus_y = -(-f.height // (8 * f.max_v))
    resume, _corrupt, _bad_rst = decode_scan(
        st.data, scan.data_start, args, mcus_x, mcus_y, st.restart_interval, kind,
        scan.Ss, scan.Se, scan.Ah, scan.Al)
    return resume


def read(path, *, max_pixels=DEFAULT_MAX_PIXELS):
    """Read and decode a JPEG file; see ``decode`` for the result and errors."""
    with open(_os.fspath(path), "rb") as fh:
        return decode(fh.read(), max_pixels=max_pixels)

# ==== end decode ====
