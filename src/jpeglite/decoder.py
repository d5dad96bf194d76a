"""The decoder's master: the marker loop, scan planning and the work budget.

``decode`` reads a file's segments through ``jfif`` (the only code that knows
marker syntax), plans each scan (its kind, components, Huffman tables and MCU
grid) and hands its entropy-coded data to the ``_decoder`` kernels: the fused
single-scan path straight to pixels, or whole-image coefficients for
progressive and multi-scan files, reconstructed at the end.
``read_coefficients`` stops at the coefficients: a ``Coefficients``.
Arguments arrive checked (``api`` checks them once).
"""
from collections import OrderedDict as _OrderedDict
from dataclasses import dataclass
from types import SimpleNamespace as _SimpleNamespace

import numpy as _np

from . import _decoder as K
from . import jfif as _jfif
from . import parallel as _parallel
from . import smoothing as _smoothing
from ._arith import decode_scan as arith_scan
from ._decoder import (CC_GRAY_, CC_YCC_RGB_, CC_RGB_, CC_CMYK_, CC_YCCK_, ComponentOutput,
                       decode_scan as _decode_scan, decode_single_scan,
                       find_marker, reconstruct)
from ._huffman import build_decode_table as _build_decode_table
from ._markers import ordinary_header as _ordinary_header
from ._quant import decoder_quant_table as _decoder_quant_table
from ._subsample import upsample_method as _upsample_method
from .coefficients import Coefficients, Component, component_size, scan_mcus
from .errors import JPEGError as _JPEGError

__all__ = ["DEFAULT_MAX_PIXELS", "decode", "read_coefficients", "read_header", "cmyk_to_rgb",
           "info", "Info", "decode_scaled", "SCALES"]

DEFAULT_MAX_PIXELS = 178956970   # Pillow's decompression-bomb limit (about 179 MP)


@dataclass
class Decoded:
    """What the marker loop produced: the parser state, and either the image
    (fused single-scan path) or every component's coefficients with the
    dequantization multipliers latched at its first scan."""
    state: object
    image: object
    coefs: list
    quant: list
    tables_used: list = None
    scan: object = None     # with header_only: the first scan's parsed SOS
    progress: object = None     # a progressive frame's smoothing.Progress
    damage: list = None         # (message, byte offset) per recovery (see _run_markers)


def _huffman_table(st, slot, cache, is_dc, scan_offset):
    """The built decode table for DHT slot (0-3 DC, 4-7 AC), built and checked
    on first use as libjpeg does."""
    entry = st.dht[slot]
    if entry is None:
        kind = "DC" if is_dc else "AC"
        raise _JPEGError(f"scan uses {kind} Huffman table {slot % 4}, which is not defined",
                         scan_offset)
    key = (slot, id(entry))       # the cache keeps entry alive, so its id stays unique
    if key not in cache:
        counts, symbols, offset = entry
        # built tables are bytes (immutable): shared across calls by content
        built_key = (is_dc, counts, symbols)
        built = _DECODE_TABLES.get(built_key)
        if built is None:
            try:
                built = _build_decode_table(counts, symbols, is_dc)
            except ValueError as e:
                raise _JPEGError(str(e), offset if offset is not None else scan_offset) from None
            if len(_DECODE_TABLES) >= 64:
                _DECODE_TABLES.clear()
            _DECODE_TABLES[built_key] = built
        cache[key] = (built, entry)
    return cache[key][0]


# (is_dc, counts, symbols) -> build_decode_table's bytes: files from one
# encoder share their tables, so a small image's call need not rebuild them
_DECODE_TABLES = {}


def _color_conversion(st):
    """Which colour conversion libjpeg-turbo (as Pillow drives it) applies."""
    comps = st.frame.components
    if len(comps) == 1:
        return CC_GRAY_
    if st.frame.lossless:
        # libjpeg-turbo 3 converts no colour in lossless mode (highbit)
        return CC_RGB_ if len(comps) == 3 else CC_CMYK_
    if len(comps) == 3:
        if st.jfif:
            return CC_YCC_RGB_
        if st.adobe_transform is not None:
            return CC_RGB_ if st.adobe_transform == 0 else CC_YCC_RGB_
        ids = tuple(c.ident for c in comps)
        return CC_RGB_ if ids == (82, 71, 66) else CC_YCC_RGB_     # 'R', 'G', 'B'
    if st.adobe_transform is not None and st.adobe_transform != 0:
        return CC_YCCK_
    return CC_CMYK_


def _color_name(st):
    """The colour transform a decoder applies, by name: "gray", "ycbcr",
    "rgb", "cmyk" or "ycck" (the names ``Coefficients.color`` uses)."""
    return {CC_GRAY_: "gray", CC_YCC_RGB_: "ycbcr", CC_RGB_: "rgb", CC_CMYK_: "cmyk",
            CC_YCCK_: "ycck"}[_color_conversion(st)]


def _damage(found, strict, message, offset):
    """Note a recovery from damaged data (``Decoded.damage``), or with
    ``strict`` refuse the data there."""
    if strict:
        raise _JPEGError(f"corrupt data (strict): {message}", offset)
    found.append((message, offset))


def _scan_damage(found, strict, scan, arithmetic, bad, bad_restarts):
    if bad:
        _damage(found, strict,
                f"{bad} restart interval(s) of the scan at byte {scan.offset} hold an "
                f"invalid arithmetic code (decoded as zeros from there)" if arithmetic else
                f"{bad} data segment(s) of the scan at byte {scan.offset} ran into a marker "
                f"before their end (decoded as zeros from there)", scan.data_start)
    if bad_restarts:
        _damage(found, strict, f"{bad_restarts} restart marker(s) of the scan at byte "
                f"{scan.offset} missing or out of order (resynchronised)", scan.data_start)


def _run_markers(data, max_pixels, threads, fused, observer=None, tables=None,
                 tables_only=False, header_only=False, strict=False):
    """Read every segment of ``data`` and decode its scans: a ``Decoded``.

    ``header_only``: stop at the first SOS, once it is parsed (``Decoded``
    then holds only the parser state: frame, tables, metadata so far).

    ``fused``: decode a single-scan file straight to pixels (``Decoded.image``);
    otherwise every scan's coefficients are gathered (``Decoded.coefs``).
    ``observer`` (the file report's hook; with ``fused`` False):
    ``observer.segment(st, code, ff, end, scan)`` is told every marker the
    loop reads, EOI and RSTn included, after parsing it (the parser state,
    the marker code, the offset of its 0xFF, the offset after its segment,
    the parsed ``Scan`` for SOS, else None), and
    ``observer.scan`` walks each scan's entropy-coded data in place of
    ``_decoder.decode_scan`` (same arguments, same result), and
    ``observer.arith_scan`` an arithmetic-coded scan's in place of
    ``_arith.decode_scan``.
    ``tables``: a ``jfif.TableSet`` defined before the first marker (the
    tables-only stream of an abbreviated image stream); the stream's own
    DQT/DHT replace them slot by slot, as in libjpeg.
    ``tables_only``: ``data`` is a tables-only stream (T.81 B.5): a frame or
    scan in it is an error, and the ``Decoded`` holds only the state.
    ``strict``: refuse damaged data that libjpeg recovers from (a JPEGError
    where it would warn); otherwise each recovery is noted in
    ``Decoded.damage`` as (message, byte offset).
    """
    walk_scan = _decode_scan if observer is None else observer.scan

    st = _jfif.new_decoder_state(data, max_pixels)
    if tables is not None:
        tables.preset(st)
    pos = _jfif.check_soi(data)
    n = len(data)
    coefs = None            # per frame component, (block rows, blocks per row, 64) int16
    quant = None            # per frame component, latched at its first scan
    raw_quant = None        # the same tables as the DQT gave them (natural order)
    image = None            # the output, when the fused single-scan path made it
    complete = False        # the one scan of a single-scan file has been read
    tables = {}
    single_scan = False
    work = 0                # coefficient visits of the scans so far (see _scan_work)
    damage = []             # recoveries from damaged data (see _damage)
    progress = None         # a progressive frame's smoothing.Progress
    lossless = None         # a lossless frame's samples (highbit.LosslessFrame)
    while True:
        try:
            ff = find_marker(data, pos)
            if ff < 0:
                raise _JPEGError("truncated: the data ends before the EOI marker", n)
            if ff > pos and data[pos] != 0xFF:
                # libjpeg: "N extraneous bytes before marker" (fill 0xFF is fine)
                _damage(damage, strict, f"{ff - pos} extraneous bytes before marker "
                        f"0x{data[ff + 1]:02X}", pos)
            code, cpos = _jfif.marker_code(data, ff)
            if code == _jfif.EOI:
                if observer is not None:
                    observer.segment(st, code, ff, cpos + 1, None)
                break
            if code == _jfif.SOI:
                raise _JPEGError("a second SOI marker", ff)
            if _jfif.RST0 <= code <= _jfif.RST7 or code == _jfif.TEM:
                pos = cpos + 1          # parameterless markers outside a scan: ignored
                if observer is not None:
                    observer.segment(st, code, ff, pos, None)
                continue
            if code in _jfif.UNSUPPORTED_SOF:
                raise _JPEGError(f"unsupported JPEG process: {_jfif.UNSUPPORTED_SOF[code]}", ff)
            # what libjpeg refuses on the marker alone, before reading its length
            if code not in _jfif.KNOWN_SEGMENTS:
                raise _JPEGError(f"unknown marker 0xFF{code:02X}", ff)
            if tables_only and (code in _jfif.DCT_SOF or code == _jfif.SOS):
                raise _JPEGError("a frame in a tables-only stream", ff)
            if code in _jfif.DCT_SOF and st.frame is not None:
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
            elif code in _jfif.DCT_SOF:
                _jfif.parse_sof(st, code, start, end)
            elif code == _jfif.DAC:
                _jfif.parse_dac(st, start, end)
            elif code == _jfif.DNL:
                pass
            elif code == _jfif.SOS:
                scan = _jfif.parse_sos(st, start, end)
                if header_only:
                    return Decoded(st, None, None, None, scan=scan)
                if observer is not None:
                    observer.segment(st, code, ff, end, scan)
                f = st.frame
                # ---- hibit: a lossless frame's scans (T.81 Annex H) ----
                if f.lossless:
                    if observer is None and not fused:
                        raise _JPEGError("a lossless (SOF3) file has no DCT coefficients: "
                                         "read_coefficients and scaled decoding do not "
                                         "apply to it", ff)
                    if lossless is None:
                        from .highbit import LosslessFrame
                        lossless = LosslessFrame(f)
                    pos = lossless.scan(st, scan, data, observer)
                    complete = lossless.complete and pos < n
                    continue
                if single_scan:
                    # libjpeg reads a sequential file whose first scan holds every
                    # component as single-scan and stops at a second SOS (Pillow
                    # reports a broken data stream)
                    raise _JPEGError("a second scan in a single-scan sequential file", ff)
                # libjpeg settles single- or multi-scan mode at the first scan
                # (jdinput: has_multiple_scans): a complete scan after a
                # partial one goes into the whole-image coefficients, over
                # what the earlier scans left there
                single_scan = (coefs is None and not f.progressive
                               and len(scan.components) == len(f.components))
                if quant is None:
                    quant = [None] * len(f.components)
                    raw_quant = [None] * len(f.components)
                kind, inputs, mcus_x, mcus_y = _plan_scan(st, scan, quant, raw_quant, tables)
                if f.progressive:
                    # ---- what block smoothing needs to know (smoothing.py) ----
                    if progress is None:
                        progress = _smoothing.Progress(len(f.components))
                    progress.scan([c.index for c, _td, _ta in scan.components],
                                  scan.Ss, scan.Se, scan.Al)
                work += _scan_work(f, scan, mcus_x, mcus_y)
                if work > _work_budget(f):
                    raise _JPEGError(
                        f"the scans ask for more work than {_PASSES} full passes over "
                        f"every coefficient of the frame (a valid progression needs at "
                        f"most that): a decompression bomb", ff)
                fast_path_stops = (() if f.arithmetic or f.progressive or st.restart_interval
                                   or f.precision != 8
                                   else _fast_path_stops(data, scan.data_start))
                # (data that may end without a marker takes the whole-image path,
                # where endofdata can replay libjpeg's reading of it)
                if (fused and single_scan and _fused_frame(f)
                        and not fast_path_stops and data[-2:] == b"\xff\xd9"):
                    # the fused path: MCU row by MCU row, no whole-image coefficients
                    max_hv = (f.max_h, f.max_v)
                    image, pos, bad, bad_rst = decode_single_scan(
                        data, scan.data_start, inputs,
                        [_component_output(f, c, None, quant[c.index], max_hv)
                         for c in f.components],
                        f.width, f.height, max_hv[1], mcus_x, mcus_y, st.restart_interval,
                        _color_conversion(st),
                        _parallel.resolve_threads(threads, f.width * f.height, decode=True))
                    _scan_damage(damage, strict, scan, False, bad, bad_rst)
                    continue
                if coefs is None:
                    mx, my = scan_mcus(f.width, f.height, f.max_h, f.max_v)
                    coefs = [_np.zeros((my * c.v, mx * c.h, 64), dtype=_np.int16)
                             for c in f.components]
                for sc in inputs:
                    sc.coefs = coefs[sc.index]
                if f.arithmetic:
                    pos, bad, bad_rst, good = (arith_scan if observer is None
                                                     else observer.arith_scan)(
                        data, scan.data_start, inputs, mcus_x, mcus_y, st.restart_interval,
                        kind, scan.Ss, scan.Se, scan.Ah, scan.Al, st.conditioning)
                    # it reads no byte it does not need (as libjpeg's) and
                    # refuses data that ends before the scan does: complete
                    complete = single_scan
                else:
                    pos, bad, bad_rst, good = walk_scan(
                        data, scan.data_start, inputs, mcus_x, mcus_y, st.restart_interval,
                        kind, scan.Ss, scan.Se, scan.Ah, scan.Al)
                    if fast_path_stops and observer is None:
                        _fast_path_overlay(data, st, scan, inputs, mcus_x, mcus_y,
                                           [p for p in fast_path_stops if p < pos])
                    # as on the fused path, complete when a marker ended the data;
                    # data that runs into the end of the input is complete if
                    # libjpeg finishes the scan before asking for a byte past it
                    complete = single_scan and (pos < n or _finishes_at_end(
                        data, st, scan, mcus_x * mcus_y))
                _scan_damage(damage, strict, scan, f.arithmetic, bad, bad_rst)
                if progress is not None:
                    # the iMCU row of the last MCU decoded with data
                    progress.last_good = (good if len(inputs) > 1 else
                                          good // f.components[inputs[0].index].v)
            else:
                raise _JPEGError(f"unknown marker 0xFF{code:02X}", ff)
            if observer is not None and code != _jfif.SOS:
                observer.segment(st, code, ff, end, None)
        except _JPEGError as e:
            # After the one scan of a single-scan file the image is complete;
            # libjpeg (Pillow) then only looks for EOI and ignores running out
            # of data there (a corrupt segment length, a cut-off tail), unless
            # the scan itself ran into the end of the data. (The same whichever
            # path read the scan: fused, whole-image coefficients, or walked.)
            if (image is not None or complete) and e.reason.startswith("truncated"):
                _damage(damage, strict, f"the data after the image is cut off ({e.reason})",
                        e.offset)
                break
            raise

    if tables_only:
        return Decoded(st, None, None, None)
    if lossless is not None:
        return Decoded(st, lossless.image(), None, None, damage=damage)
    if image is not None:
        return Decoded(st, image, None, None, damage=damage)
    if st.frame is None or coefs is None:
        raise _JPEGError("no image: EOI before any frame or scan", ff)
    return Decoded(st, None, coefs, quant, raw_quant, progress=progress, damage=damage)


@dataclass
class FusedPlan:
    """What the marker loop decides for the one scan of an ordinary
    single-scan file, made once per distinct header (``_decode_ordinary``):
    the ``decode_single_scan`` arguments that depend only on the header
    (its ``ScanInput`` and ``ComponentOutput`` objects are only read), and
    what parse_sof checks against each call's data and ``max_pixels``."""
    inputs: list            # _decoder.ScanInput per scan component
    outputs: list           # _decoder.ComponentOutput per frame component (coefs None)
    width: int
    height: int
    max_v: int
    mcus_x: int
    mcus_y: int
    restart_interval: int
    color: int              # CC_*
    pixels: int             # width x height
    blocks: int             # jfif.frame_blocks: the fewest bits the data must hold


# ordinary_header's key (the bytes of the segments that decide the decode)
# -> FusedPlan, least recently used first: thumbnails from one source share
# a header, and parsing it is most of a small image's decode
_PLANS = _OrderedDict()
_PLANS_SIZE = 64


def _fused_frame(f):
    """Whether a single-scan (sequential, every component in its one scan)
    frame decodes on the fused path: Huffman-coded 8-bit samples, and a
    grey frame only with 1x1 sampling."""
    c0 = f.components[0]
    return (not f.arithmetic and f.precision == 8
            and (len(f.components) > 1 or c0.h == c0.v == 1))


def _fused_plan(data, max_pixels):
    """The FusedPlan of ``data``'s header, read by the marker loop (stopped
    at the first SOS), or None when the file does not take the fused path
    or its header is refused (the full marker loop then raises the error)."""
    try:
        dec = _run_markers(data, max_pixels, 1, fused=True, header_only=True)
        st, scan = dec.state, dec.scan
        f = st.frame
        # the marker loop's rule for its fused path, at a first scan
        if (scan is None or f.lossless or f.progressive
                or len(scan.components) != len(f.components) or not _fused_frame(f)):
            return None
        quant, raw_quant = [None] * len(f.components), [None] * len(f.components)
        # (one complete sequential scan is always within _work_budget)
        _kind, inputs, mcus_x, mcus_y = _plan_scan(st, scan, quant, raw_quant, {})
    except _JPEGError:
        return None
    max_hv = (f.max_h, f.max_v)
    outputs = [_component_output(f, c, None, quant[c.index], max_hv) for c in f.components]
    return FusedPlan(inputs, outputs, f.width, f.height, f.max_v, mcus_x, mcus_y,
                     st.restart_interval, _color_conversion(st), f.width * f.height,
                     _jfif.frame_blocks(f))


def _decode_ordinary(data, max_pixels, threads, strict=False, damage=None):
    """``decode`` of an ordinary single-scan file (``_markers.ordinary_header``)
    whose scan ends at an EOI (after stray RSTn/TEM markers, if any) or at
    the end of the data, from the plan its
    header's bytes key (made on first sight by the marker loop); None for any
    other file, and for a header the marker loop refuses, so that ``decode``
    reads it with the marker loop and gives the same image or error."""
    head = _ordinary_header(data) if type(data) is bytes else None
    if head is None:
        return None
    plan = _PLANS.get(head.key)
    if plan is None:
        plan = _fused_plan(data, max_pixels)
        if plan is None:
            return None
        if len(_PLANS) >= _PLANS_SIZE:
            _PLANS.popitem(last=False)
        _PLANS[head.key] = plan
    else:
        try:
            _PLANS.move_to_end(head.key)
        except KeyError:        # another thread's call evicted it meanwhile
            pass
    # parse_sof's checks that depend on this call, and the marker loop's
    # conditions for its fused path (data ending at an EOI; no 0xFF 0xFF 0x00
    # run, which libjpeg's fast routine reads as a marker)
    if (plan.pixels > max_pixels or 8 * (len(data) - head.sof_end) < plan.blocks
            or data[-2:] != b"\xff\xd9"
            or (not plan.restart_interval and _fast_path_stops(data, head.data_start))):
        return None
    image, pos, bad, bad_rst = decode_single_scan(
        data, head.data_start, plan.inputs, plan.outputs, plan.width, plan.height,
        plan.max_v, plan.mcus_x, plan.mcus_y, plan.restart_interval, plan.color,
        _parallel.resolve_threads(threads, plan.pixels, decode=True))
    # the recoveries the marker loop would report (kept only when this path
    # gives the image, so that a fallback to the loop reports them once)
    found = []
    if bad or bad_rst:
        # the scan as the loop names it: the offset of SOS's marker code
        # (before a length field of 6 + 2 bytes per component), its data start
        sos = _SimpleNamespace(offset=head.data_start - 7 - 2 * len(plan.inputs),
                               data_start=head.data_start)
        _scan_damage(found, strict, sos, False, bad, bad_rst)
    # what the marker loop does after the scan: it skips RSTn and TEM, stops
    # at an EOI and (the image being complete) at the end of the data; any
    # other marker it reads on (a segment, or an error): then it runs here
    ff = find_marker(data, pos)
    while ff >= 0:
        code = data[ff + 1]
        if ff > pos and data[pos] != 0xFF:
            _damage(found, strict, f"{ff - pos} extraneous bytes before marker "
                    f"0x{code:02X}", pos)
        if code == _jfif.EOI:
            break
        if not (_jfif.RST0 <= code <= _jfif.RST7 or code == _jfif.TEM):
            return None
        pos = ff + 2
        ff = find_marker(data, pos)
    if damage is not None:
        damage.extend(found)
    return image


def read_tables(data):
    """The tables of a tables-only stream (checked bytes; T.81 B.5): a
    ``jfif.TableSet`` of the slots it defines (JPEGError when it defines
    none, or holds a frame)."""
    found = _jfif.TableSet.from_state(_run_markers(data, 1, 1, fused=False,
                                                    tables_only=True).state)
    if not found.qtables and not found.huffman:
        raise _JPEGError("a tables-only stream that defines no table", 0)
    return found


def decode(data, max_pixels, threads, tables=None, strict=False, damage=None,
           block_smoothing=True):
    """The pixels of a JPEG file (checked bytes): see ``jpeglite.decode``.

    Single-scan files take the fused path (entropy decoding of MCU-row chunks
    overlapped with their IDCT and colour conversion, no whole-image
    coefficients); multi-scan and progressive files gather every scan's
    coefficients, then ``reconstruct`` them in parallel parts.
    ``strict``: refuse damaged data libjpeg recovers from; ``damage``: a
    list the recoveries are appended to, as (message, byte offset);
    ``block_smoothing``: smooth an incomplete progressive file as libjpeg does.
    """

    if tables is None:
        image = _decode_ordinary(data, max_pixels, threads, strict, damage)
        if image is not None:
            return image
    dec = _run_markers(data, max_pixels, threads, fused=True, tables=tables, strict=strict)
    if damage is not None:
        damage.extend(dec.damage or ())
    if dec.image is not None:
        return dec.image
    st, f = dec.state, dec.state.frame
    coefs = (_smoothing.smooth(f, dec.coefs, dec.tables_used, dec.progress)
             if block_smoothing else dec.coefs)
    if f.precision != 8:
        from .highbit import reconstruct12
        return reconstruct12(f, coefs, dec.quant, _color_conversion(st),
                             _parallel.resolve_threads(threads, f.width * f.height, decode=True))
    comps = []
    for c in f.components:
        q = dec.quant[c.index]
        if q is None:           # never in a scan: all-zero coefficients decode to 128
            q = _np.zeros(64, dtype=_np.int16)
        comps.append(_component_output(f, c, coefs[c.index], q))
    return reconstruct(comps, f.width, f.height, f.max_v, _color_conversion(st),
                       _parallel.resolve_threads(threads, f.width * f.height, decode=True))


#: ``decode``'s ``scale`` values: 1 and libjpeg's reduced sizes (scale_denom 2, 4, 8).
SCALES = (1, 1 / 2, 1 / 4, 1 / 8)


def decode_scaled(data, max_pixels, threads, denom, tables=None, strict=False, damage=None,
                  block_smoothing=True):
    """The pixels of a JPEG file at 1/denom of its size (denom 2, 4 or 8), as
    libjpeg-turbo decodes with scale_denom = denom (Pillow's ``draft()``):
    ceil(W / denom) x ceil(H / denom) pixels.

    Each component's blocks go through an inverse DCT of ``ssize`` x ``ssize``
    outputs, libjpeg's choice (jdmaster.c): 8 / denom, doubled while the
    component is subsampled enough that a larger transform spares its
    upsampling (4:2:0 chroma at 1/2 takes the full 8x8 IDCT and needs no
    upsampling). What upsampling is left uses libjpeg-turbo's filters,
    the triangular ones except at 1/8 (one sample per block), then the colour
    conversion of ``decode``. The coefficients come from the marker loop's
    whole-image path, so the entropy decoding costs what a full decode's does;
    the inverse DCT, upsampling and colour work shrink with the output.
    ``tables``, ``strict``, ``damage``, ``block_smoothing``: as for ``decode``.
    """
    from . import _color
    from ._dct import idct_scaled_plane
    from ._subsample import upsample_plane

    dec = _run_markers(data, max_pixels, threads, fused=False, tables=tables, strict=strict)
    if damage is not None:
        damage.extend(dec.damage or ())
    st, f = dec.state, dec.state.frame
    if f is None or dec.coefs is None:
        raise _JPEGError("no image: EOI before any frame or scan", len(data))
    if f.precision != 8:
        raise _JPEGError("scaled decoding of 12-bit samples is not supported (decode at "
                         "scale=1)", f.offset)
    min_size = 8 // denom
    out_w, out_h = -(-f.width // denom), -(-f.height // denom)
    coefs = (_smoothing.smooth(f, dec.coefs, dec.tables_used, dec.progress)
             if block_smoothing else dec.coefs)

    def component(c):
        # the component's IDCT and upsampling (the kernels release the GIL)
        size = min_size
        while (size < 8 and (f.max_h * min_size) % (c.h * size * 2) == 0
               and (f.max_v * min_size) % (c.v * size * 2) == 0):
            size *= 2
        comp_w = -(-f.width * c.h * size // (f.max_h * 8))
        comp_h = -(-f.height * c.v * size // (f.max_v * 8))
        if (f.max_h * min_size) % (c.h * size) or (f.max_v * min_size) % (c.v * size):
            raise _JPEGError(f"sampling {c.h}x{c.v} of {f.max_h}x{f.max_v} has no integral "
                             f"upsampling at 1/{denom} scale", f.offset)
        hr, vr = f.max_h * min_size // (c.h * size), f.max_v * min_size // (c.v * size)
        q = dec.quant[c.index]
        if q is None:           # never in a scan: all-zero coefficients decode to 128
            q = _np.zeros(64, dtype=_np.int16)
        plane = idct_scaled_plane(coefs[c.index], q, size, comp_h, comp_w)
        if hr > 1 or vr > 1:
            plane = upsample_plane(plane, hr, vr, out_w, out_h, fancy=min_size > 1)
        return plane

    planes = _parallel.run(component, f.components,
                           _parallel.resolve_threads(threads, f.width * f.height, decode=True))
    color = _color_name(st)
    if color == "gray":
        return planes[0]
    if color in ("ycbcr", "ycck"):
        return _color.ycc_planes_to_rgb(*planes)
    stacked = _np.stack(planes, axis=-1)
    if color == "cmyk":
        _np.subtract(255, stacked, out=stacked)  # Pillow's CMYK: Adobe's stored values inverted
    return stacked


def cmyk_to_rgb(cmyk):
    """(H, W, 4) uint8 CMYK as ``decode`` gives it (Pillow's CMYK) to (H, W, 3)
    RGB with Pillow's ``Image.convert("RGB")`` arithmetic (Convert.c
    ``cmyk2rgb``): each channel is 255 - K less C (M, Y) times 255 - K over
    255, that product divided by 255 with Pillow's rounding
    ((t + (t >> 8)) >> 8 with t = x * y + 128). No colour management: an ICC
    profile in the file is not applied (Pillow does not apply it either)."""
    nk = 255 - cmyk[..., 3:4].astype(_np.uint16)
    t = cmyk[..., :3] * nk + 128        # at most 255 * 255 + 128: fits 16 bits, as does t + t >> 8
    return (nk - ((t + (t >> 8)) >> 8)).astype(_np.uint8)


@dataclass
class Header:
    """What a file's segments up to its first scan say (see ``jpeglite.info``)."""
    frame: object           # the jfif.Frame
    color: str              # one of coefficients.COLOR_TRANSFORMS
    qtables: dict           # slot -> uint16 (64,) natural order, the tables the frame uses
    metadata: list          # (marker, payload bytes) of the APPn/COM segments before the first scan


def read_header(data, max_pixels):
    """The frame, colour transform, quantization tables and metadata of a
    JPEG file (checked bytes), read by the decoder's marker loop up to the
    first SOS, without decoding a scan: a ``Header``."""
    st = _run_markers(data, max_pixels, 1, fused=False, header_only=True).state
    if st.frame is None:
        raise _JPEGError("no image: no frame header before the first scan", 0)
    # (a table id past 3 is legal in a component no scan reads, and in a lossless frame)
    qtables = {c.tq: st.qt[c.tq] for c in st.frame.components
               if c.tq <= 3 and st.qt[c.tq] is not None}
    return Header(st.frame, _color_name(st), qtables, _jfif.metadata_segments(st))


# chroma sampling names by (luma h, v) when both chroma components are 1x1
_SUBSAMPLING_NAMES = {(1, 1): "4:4:4", (2, 1): "4:2:2", (2, 2): "4:2:0", (1, 2): "4:4:0",
                      (4, 1): "4:1:1", (4, 2): "4:1:0"}
_PROCESS_NAMES = {_jfif.SOF0: "baseline", _jfif.SOF1: "extended", _jfif.SOF2: "progressive",
                  _jfif.SOF3: "lossless",
                  _jfif.SOF9: "extended, arithmetic", _jfif.SOF10: "progressive, arithmetic"}


@dataclass(repr=False)
class Info:
    """A JPEG file's header facts, read without decoding pixels (``jpeglite.info``).

    - ``width``, ``height``: pixels; ``components``: 1, 3 or 4.
    - ``sampling``: each component's (h, v) sampling factors, frame order;
      ``subsampling``: "4:4:4", "4:2:2", "4:2:0", "4:4:0", "4:1:1", "4:1:0"
      for three components with 1x1 chroma, else None.
    - ``process``: "baseline" (SOF0), "extended" (SOF1), "progressive"
      (SOF2), "extended, arithmetic" (SOF9) or "progressive, arithmetic"
      (SOF10); ``progressive``: whether it is progressive.
    - ``color``: the colour transform a decoder applies ("gray", "ycbcr",
      "rgb", "cmyk", "ycck"); ``mode``: what ``decode`` returns by default,
      "L" (H, W), "RGB" (H, W, 3) or "CMYK" (H, W, 4).
    - ``quality``: the IJG quality whose scaled Annex K tables best match the
      file's (``tables.estimate_quality``), None without tables;
      ``quality_exact``: the tables are exactly libjpeg's for it.
    - ``icc_profile_bytes``, ``exif_bytes``: sizes in bytes of the ICC
      profile (reassembled from its chunks) and of the Exif APP1 payload,
      None when absent; ``comment_bytes``: the size of each COM segment.
    - ``segments``: every APPn and COM segment before the first scan, as
      (name, payload bytes), e.g. ("APP1 Exif", 4,632).
    """
    width: int
    height: int
    components: int
    sampling: list
    subsampling: str
    process: str
    progressive: bool
    color: str
    mode: str
    quality: int
    quality_exact: bool
    icc_profile_bytes: int
    exif_bytes: int
    comment_bytes: list
    segments: list

    def __repr__(self):
        q = "none" if self.quality is None else (
            f"{self.quality}" + ("" if self.quality_exact else " (nearest)"))
        meta = []
        if self.icc_profile_bytes is not None:
            meta.append(f"ICC {self.icc_profile_bytes:,} B")
        if self.exif_bytes is not None:
            meta.append(f"Exif {self.exif_bytes:,} B")
        if self.comment_bytes:
            meta.append(f"{len(self.comment_bytes)} COM")
        other = sum(1 for name, _ in self.segments
                    if not name.startswith(("APP2 ICC", "APP1 Exif", "COM")))
        if other:
            meta.append(f"{other} other APPn")
        return (f"<jpeglite.Info {self.width}x{self.height} {self.mode} ({self.color}"
                f"{', ' + self.subsampling if self.subsampling else ''}) {self.process}, "
                f"quality {q}; {', '.join(meta) if meta else 'no metadata'}>")


def info(data, max_pixels):
    """The header facts of a JPEG file (checked bytes): see ``jpeglite.info``."""
    from .tables import CHROMA_QUANT_K2, LUMA_QUANT_K1, estimate_quality, scale_quant_table

    h = read_header(data, max_pixels)
    f = h.frame
    sampling = [(c.h, c.v) for c in f.components]
    subsampling = None
    if len(sampling) == 3 and sampling[1] == sampling[2] == (1, 1):
        subsampling = _SUBSAMPLING_NAMES.get(sampling[0])
    # luma first: component 0's table, then the next distinct one
    slots = list(dict.fromkeys(c.tq for c in f.components if c.tq in h.qtables))[:2]
    quality, exact = None, False
    if slots:
        found = [_np.asarray(h.qtables[s], _np.int64) for s in slots]
        quality = estimate_quality(*found)
        exact = all(_np.array_equal(scale_quant_table(base, quality), t)
                    for base, t in zip((LUMA_QUANT_K1, CHROMA_QUANT_K2), found))
    icc = _jfif.icc_profile(h.metadata)
    exif = _jfif.exif(h.metadata)
    mode = {"gray": "L", "cmyk": "CMYK", "ycck": "CMYK"}.get(h.color, "RGB")
    return Info(f.width, f.height, len(f.components), sampling, subsampling,
                _PROCESS_NAMES[f.marker], f.progressive, h.color, mode, quality, exact,
                None if icc is None else len(icc), None if exif is None else len(exif),
                [len(p) for p in _jfif.comments(h.metadata)],
                [(_jfif.segment_name(code, payload), len(payload)) for code, payload in h.metadata])


def read_coefficients(data, max_pixels):
    """The quantized DCT coefficients of a JPEG file (checked bytes), every
    scan merged: a ``Coefficients``. See ``jpeglite.read_coefficients``."""
    dec = _run_markers(data, max_pixels, 1, fused=False)
    st, f = dec.state, dec.state.frame
    comps = []
    qtables = {}
    for c in f.components:
        w, h = component_size(f.width, f.height, c.h, c.v, f.max_h, f.max_v)
        blocks = dec.coefs[c.index][:-(-h // 8), :-(-w // 8)].reshape(-(-h // 8), -(-w // 8), 8, 8)
        comps.append(Component(c.ident, c.h, c.v, c.tq, _np.ascontiguousarray(blocks)))
        # the table the component was decoded with (latched at its first scan,
        # as libjpeg does), or the slot's final table if no scan used it
        latched = dec.tables_used[c.index]
        table = latched if latched is not None else st.qt[c.tq] if c.tq <= 3 else None
        if table is None:
            raise _JPEGError(f"component {c.ident} has no quantization table", f.offset)
        if c.tq in qtables and not _np.array_equal(qtables[c.tq], table):
            # two components name one slot, redefined between their scans:
            # give the later one a free slot so each keeps its own table
            free = [s for s in range(4) if s not in qtables and all(
                o.tq != s for o in f.components)]
            if not free:
                raise _JPEGError("more distinct quantization tables than slots", f.offset)
            comps[-1].quant_slot = free[0]
            qtables[free[0]] = _np.asarray(table, _np.uint16).copy()
        else:
            qtables[c.tq] = _np.asarray(table, _np.uint16).copy()
    color = _color_name(st)
    return Coefficients(f.width, f.height, comps, qtables, color, _jfif.metadata_segments(st),
                        f.precision)


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
    mx, my = scan_mcus(f.width, f.height, f.max_h, f.max_v)
    blocks = sum(mx * c.h * my * c.v for c in f.components)
    return blocks * _PASSES * (64 + 2 * _BLOCK_COST)


def _component_output(f, c, coefs, quant, max_hv=None):
    """The ``_decoder.ComponentOutput`` of frame component c: its size in
    samples, its upsampling factors and libjpeg-turbo's upsampler for it.
    max_hv: the frame's (max_h, max_v) when the caller has them."""
    max_h, max_v = max_hv or (f.max_h, f.max_v)
    comp_w, comp_h = component_size(f.width, f.height, c.h, c.v, max_h, max_v)
    hr, vr = max_h // c.h, max_v // c.v
    return ComponentOutput(coefs, quant, comp_w, comp_h, c.h, c.v, hr, vr,
                           _upsample_method(hr, vr, comp_w))


# ---- libjpeg-turbo's fast Huffman path and 0xFF 0xFF 0x00 -------------------
# libjpeg-turbo decodes a sequential MCU first with a fast routine (when no
# restart interval is set and 512 bytes per block of the MCU are left in its
# buffer) that takes 0xFF followed by 0xFF as a marker and feeds zero bits from
# there; on meeting a marker it decodes the MCU again with the exact routine,
# which reads 0xFF 0xFF ... 0x00 as one 0xFF byte, into the same blocks without
# clearing them: coefficients the exact decode leaves zero keep what the fast
# one wrote. Only damaged data holds that byte pattern.

def _fast_path_stops(data, start):
    """Offsets of the 0xFF 0xFF+ 0x00 runs after ``start`` (scan data)."""
    out = []
    i = data.find(b"\xff\xff", start)
    while i >= 0:
        j = i + 1
        while j < len(data) and data[j] == 0xFF:
            j += 1
        if j < len(data) and data[j] == 0:
            out.append(i)
        if j < len(data) and data[j] != 0 and not 0xD0 <= data[j] <= 0xD7:
            break                  # a marker: the scan's data ends here
        i = data.find(b"\xff\xff", j)
    return out


def _fast_path_overlay(data, st, scan, inputs, mcus_x, mcus_y, stops):
    """Put the fast routine's coefficients where the exact decode left zeros,
    for each MCU the fast routine decoded over one of ``stops`` (its bytes not
    yet read by the exact routine: ``endofdata`` replays the reading)."""
    from .endofdata import fast_routine_stops

    met = fast_routine_stops(data, scan.data_start, _scan_blocks(st, scan), mcus_x * mcus_y)
    for p in stops:
        if met is not None and p not in met:
            continue
        # the fast routine's view: the data ends at p (zero bits after it)
        cut = bytes(data[:p]) + b"\xff\xd9"
        fast = [K.ScanInput(sc.index, sc.h, sc.v, sc.dc, sc.ac,
                            _np.zeros_like(sc.coefs)) for sc in inputs]
        _decode_scan(cut, scan.data_start, fast, mcus_x, mcus_y, 0, K.SCAN_SEQUENTIAL_,
                     scan.Ss, scan.Se, scan.Ah, scan.Al)
        for sc, fc in zip(inputs, fast):
            exact, guess = sc.coefs[..., 1:], fc.coefs[..., 1:]
            take = (exact == 0) & (guess != 0)
            exact[take] = guess[take]


def _scan_blocks(st, scan):
    """Per block of a sequential Huffman scan's MCU, its (DC, AC) DHT tables
    as (counts, symbols): what ``endofdata`` replays the scan with."""
    one = len(scan.components) == 1
    blocks = []
    for c, td, ta in scan.components:
        dc, ac = st.dht[td], st.dht[4 + ta]
        blocks += [(dc[:2], ac[:2])] * (1 if one else c.h * c.v)
    return blocks


def _finishes_at_end(data, st, scan, mcus):
    """Whether libjpeg reads the whole sequential Huffman scan ``scan``, whose
    data runs to the end of the input without a marker (``endofdata``)."""
    from .endofdata import finishes

    return finishes(data, scan.data_start, _scan_blocks(st, scan), mcus, st.restart_interval)


def _plan_scan(st, scan, quant, raw_quant, tables):
    """The scan kind (a ``_decoder.SCAN_*``), a ``_decoder.ScanInput`` per scan
    component, and the MCU grid of the scan; latches each component's
    quantization table at its first scan, as libjpeg does."""
    f = st.frame
    if f.progressive:
        if scan.Ss == 0:
            kind = K.SCAN_DC_FIRST_ if scan.Ah == 0 else K.SCAN_DC_REFINE_
        else:
            kind = K.SCAN_AC_FIRST_ if scan.Ah == 0 else K.SCAN_AC_REFINE_
    else:
        kind = K.SCAN_SEQUENTIAL_
    needs_dc = kind in (K.SCAN_SEQUENTIAL_, K.SCAN_DC_FIRST_)
    needs_ac = kind in (K.SCAN_SEQUENTIAL_, K.SCAN_AC_FIRST_, K.SCAN_AC_REFINE_)
    inputs = []
    for c, td, ta in scan.components:
        if quant[c.index] is None:
            if c.tq > 3:
                raise _JPEGError(f"component {c.ident} has bad quantization table id {c.tq} "
                                 "(0..3)", f.offset + 11 + 3 * c.index)
            if st.qt[c.tq] is None:
                raise _JPEGError(f"component {c.ident} uses quantization table {c.tq}, "
                                 "which is not defined", scan.offset)
            quant[c.index] = _decoder_quant_table(st.qt[c.tq])
            raw_quant[c.index] = st.qt[c.tq]
        if f.arithmetic:
            # conditioning slots 0..15, statistics the kernel keeps per slot
            dc, ac = td, ta
        else:
            for needed, tid in ((needs_dc, td), (needs_ac, ta)):
                if needed and tid > 3:
                    raise _JPEGError(f"bad Huffman table id {tid} (0..3)", scan.offset)
            dc = _huffman_table(st, td, tables, True, scan.offset) if needs_dc else None
            ac = _huffman_table(st, 4 + ta, tables, False, scan.offset) if needs_ac else None
        if len(scan.components) == 1:    # non-interleaved: one block per MCU
            inputs.append(K.ScanInput(c.index, 1, 1, dc, ac))
        else:
            inputs.append(K.ScanInput(c.index, c.h, c.v, dc, ac))
    c = scan.components[0][0]
    mcus_x, mcus_y = scan_mcus(f.width, f.height, f.max_h, f.max_v, c.h, c.v,
                               interleaved=len(scan.components) > 1)
    return kind, inputs, mcus_x, mcus_y
