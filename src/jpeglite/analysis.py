"""Reports: the staged encode of an array measured stage by stage, or a JPEG
file as it is.

``analyze_image`` runs the staged driver (``staged.encode_stages``), measures
each stage's intermediate (coefficient entropies, symbol statistics, the
scan's layout, the distortion of jpeglite's own decode of the file) and
builds the ``Report`` (``report.py`` holds its classes and forms).

``analyze_file`` reads an existing file with the decoder's own marker loop
(``decoder._run_markers`` with an observer: every segment with its offsets,
and each scan walked by the ``_scan_stats`` kernel instead of decoded) and
builds a ``Report`` of kind "file": the parts of the file (model, header,
data, metadata) exactly, per scan and per table where the entropy-coded bits
go, the coefficients' statistics and the lossless headroom of optimal tables.
Arithmetic-coded scans are decoded by ``_arith.scan_bits``, which counts the
code bits each block's decisions take.
"""
import re as _re

import numpy as _np

from . import jfif as _jfif

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

    from . import _color
    from .decoder import DEFAULT_MAX_PIXELS, decode

    t = time.perf_counter()
    decoded = decode(data, DEFAULT_MAX_PIXELS, threads)
    return _color.squared_error(image, decoded) / image.size, time.perf_counter() - t


def analyze_image(image, plan, threads, helper=True):
    """The ``Report`` of encoding ``image`` (checked, C-contiguous) under
    ``plan`` on ``threads`` threads: see ``jpeglite.analyze``. ``helper``
    False with one thread: the decode too runs on the calling thread, not
    beside the measurements on a second (a batch worker is one process per
    core: a second thread there only competes with the other workers)."""
    from concurrent.futures import ThreadPoolExecutor

    if threads == 1 and not helper:
        return _analyze(image, plan, threads, None)
    with ThreadPoolExecutor(1) as pool:
        # The second thread overlaps measuring with encoding or decoding (the
        # kernels release the GIL): see _analyze.
        return _analyze(image, plan, threads, pool)


def _analyze(image, plan, threads, pool):
    import time
    from concurrent.futures import Future

    from . import report as _report
    from .staged import run_stages

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

    st = run_stages(image, plan, threads, keep_zigzag=False,
                       on_quantized=on_quantized if threads > 1 else None)
    if threads > 1:
        # this thread decodes (with the pool) while the second one ends its measurements
        distortion = Future()
        distortion.set_result(_distortion(image, st.data, threads))
    elif pool is None:
        # one thread (analyze_image's helper=False): the decode, then the measurements
        distortion = Future()
        distortion.set_result(_distortion(image, st.data, 1))
    else:
        # the decode runs on the second thread while this one measures
        distortion = pool.submit(_distortion, image, st.data, 1)
    if threads == 1:
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

    sh, sv = ([c[1] for c in plan.components], [c[2] for c in plan.components]) \
        if ncomp > 1 else ([1], [1])
    block_bits = _entropy_block_bits(
        st.quantized, sh, sv, g["mcus_x"], g["mcus_y"],
        [st.codes[(0, c[4])] for c in plan.components],
        [st.codes[(1, c[5])] for c in plan.components], plan.restart_interval)
    huffman_stage = next(s_ for s_ in stages if s_.name == "huffman")
    huffman_stage.details["block_bits"] = ("exact: the Huffman code and amplitude bits of "
                                           "each block in the scan")

    options = {"quality": plan.quality,
               "subsampling": plan.subsampling or "none (grayscale)",
               "optimize": plan.optimize, "restart_interval": plan.restart_interval}
    if plan.tune is not None:
        options["tune"] = plan.tune
    if plan.custom_qtables:
        options["qtables"] = "custom, " + ("as given" if plan.quality is None
                                           else f"scaled for quality {plan.quality}")
    return _report.Report(stages, model, header, data_bits, st.data, width, height, ncomp,
                          err, _report.psnr_from_mse(err), options,
                          block_bits=dict(zip(names, block_bits)))


def _entropy_block_bits(blocks, h, v, mcus_x, mcus_y, dc, ac, restart_interval):
    from . import _entropy

    return _entropy.block_bits(blocks, h, v, mcus_x, mcus_y, dc, ac, restart_interval)


# ==== the report of a file as it is ====
# analyze_file drives the decoder's marker loop (decoder._run_markers) with an
# observer: every segment is recorded with its offsets, and each scan's
# entropy-coded data is walked by the _scan_stats kernel (which also leaves the
# coefficients, as the decoder would) instead of decoded.

_SCAN_KINDS = {0: "sequential", 1: "DC first", 2: "DC refine", 3: "AC first", 4: "AC refine"}
_COMPONENT_NAMES = {"gray": ["Y"], "ycbcr": ["Y", "Cb", "Cr"], "rgb": ["R", "G", "B"],
                    "cmyk": ["C", "M", "Y", "K"], "ycck": ["Y", "Cb", "Cr", "K"]}
# The parts of a file (report.Report): L(P) tables, headers the decoder
# reads, entropy-coded data, and what decoding does not need.
_MODEL_SEGMENTS = ("DQT", "DHT", "DAC")     # DAC: an arithmetic coder's conditioning


class _ScanRecord:
    """One scan as the walk saw it: its header, kind, MCU grid, the DHT
    entries its components used and the kernel's ScanStats (arithmetic
    scans: the conditioning slots (DC, AC) of each component and the
    ``_arith.ArithScanBits``)."""

    def __init__(self, scan, sos_offset, kind, mcus_x, mcus_y, restart_interval, tables, stats):
        self.scan = scan
        self.sos_offset = sos_offset
        self.kind = kind
        self.mcus_x = mcus_x
        self.mcus_y = mcus_y
        self.restart_interval = restart_interval
        self.tables = tables          # per scan component: (DC table key or None, AC key or None)
        self.stats = stats


class _FileObserver:
    """decoder._run_markers' observer: the segments in file order as
    (marker code, offset of its 0xFF, offset after the segment), and the
    scans walked by _scan_stats."""

    def __init__(self):
        self.segments = []
        self.scans = []
        self.dht_entries = {}     # table key -> (counts, symbols) as the DHT gave them
        self.arith_block_bits = {}    # frame component index -> code bits per block (int32)
        self._sos = None

    def segment(self, st, code, ff, end, scan):
        self.segments.append((code, ff, end))
        if scan is not None:
            keys = []
            for _c, td, ta in scan.components:
                pair = []
                for cls, tid in ((0, td), (1, ta)):
                    slot = 4 * cls + tid
                    # a table id 4+ names no table (an error only if the scan reads it)
                    entry = st.dht[slot] if tid <= 3 else None
                    key = None
                    if entry is not None:
                        key = (slot // 4, slot % 4, entry[2])   # class, slot, DHT offset
                        self.dht_entries[key] = entry[:2]
                    pair.append(key)
                keys.append(tuple(pair))
            self._sos = (scan, ff, keys, st.restart_interval)

    def scan(self, data, pos, comps, mcus_x, mcus_y, restart_interval, kind, Ss, Se, Ah, Al):
        from ._scan_stats import scan_stats

        stats = scan_stats(data, pos, comps, mcus_x, mcus_y, restart_interval, kind,
                           Ss, Se, Ah, Al)
        scan, ff, keys, _ri = self._sos
        # a DC refinement reads no table, an AC scan no DC table, a DC scan no AC table
        keys = [(dc if kind in (0, 1) else None, ac if kind in (0, 3, 4) else None)
                for dc, ac in keys]
        self.scans.append(_ScanRecord(scan, ff, kind, mcus_x, mcus_y, restart_interval,
                                      keys, stats))
        return stats.end, stats.short_intervals, 0, mcus_y - 1

    def arith_scan(self, data, pos, comps, mcus_x, mcus_y, restart_interval, kind, Ss, Se,
                   Ah, Al, conditioning):
        """``_arith.decode_scan`` measuring each block's code bits (``_arith.scan_bits``)."""
        from ._arith import scan_bits

        for sc in comps:
            if sc.index not in self.arith_block_bits:
                self.arith_block_bits[sc.index] = _np.zeros(sc.coefs.shape[:2], _np.int32)
        stats = scan_bits(data, pos, comps, mcus_x, mcus_y, restart_interval, kind, Ss, Se,
                          Ah, Al, conditioning,
                          [self.arith_block_bits[sc.index] for sc in comps])
        scan, ff, keys, _ri = self._sos
        slots = [(td, ta) for _c, td, ta in scan.components]
        self.scans.append(_ScanRecord(scan, ff, kind, mcus_x, mcus_y, restart_interval,
                                      slots, stats))
        return stats.end, stats.bad_codes, stats.bad_restarts, mcus_y - 1


    def lossless_scan(self, diffs, hv, mcus_x, mcus_y, restart_interval, start, end):
        """A lossless scan's differences as ``highbit.LosslessFrame.scan``
        decoded them: their category counts (the Huffman symbols) and the
        zeroth-order entropy of the differences, per scan component."""
        from ._lossless import count_differences

        counts = _np.zeros((len(diffs), 256), _np.int64)
        count_differences(diffs, hv, mcus_x, mcus_y, counts)
        entropy = []
        for d, (h, v) in zip(diffs, hv):
            _vals, n = _np.unique(d[:mcus_y * v, :mcus_x * h], return_counts=True)
            entropy.append(float(-(n * _np.log2(n / n.sum())).sum()))
        scan, ff, keys, _ri = self._sos
        self.scans.append(_ScanRecord(scan, ff, "lossless", mcus_x, mcus_y, restart_interval,
                                      [(dc, None) for dc, _ac in keys],
                                      _LosslessScanStats(start, end, counts, entropy)))


class _LosslessScanStats:
    """A lossless scan's walk (the fields ``_file_segments`` reads, as the
    ``_scan_stats`` kernel's ScanStats), its category counts (per scan
    component, 256 int64) and the entropy of its differences (bits)."""

    def __init__(self, start, end, counts, entropy):
        self.start, self.end, self.ecs_bytes = start, end, end - start
        self.counts, self.entropy = counts, entropy


def _table_name(key, redefined):
    cls, slot, offset = key
    name = f"{_TABLE_NAMES[cls]}{slot}"
    if offset is None:
        return name + " (Annex K default, no DHT)"
    return f"{name}@{offset}" if redefined else name


def tune_levers(image, plan, threads):
    """Where a tuned encode's saving comes from: (rows, the tuned file).

    Encodes ``image`` (checked) once per lever, each adding one to the row
    before: libjpeg's choices at the plan's quality and subsampling (tune
    off); + optimized Huffman tables; + the tune's quantization tables
    (plain rounding); + trellis quantization (AC and DC); + the progressive
    scan script searched for the coefficients (when it is smaller; not with
    restart markers; the plan's progressive script when it has one). Each row: ``lever``, ``bits`` (the file's), ``mse``
    and ``psnr`` (dB) of jpeglite's decode against ``image``, ``bits_change`` (a fraction
    of the row before's bits) and ``psnr_change`` (dB). The last row's file
    is what ``jpeglite.encode`` writes with the same arguments.
    """
    import copy

    from . import encoder, lossless
    from .decoder import DEFAULT_MAX_PIXELS, decode
    from .options import EncodePlan
    from .report import mse, psnr_from_mse

    quality = 75 if plan.quality is None and not plan.custom_qtables else plan.quality
    metadata, ri, sub = plan.metadata, plan.restart_interval, plan.subsampling or "4:2:0"
    tables = [plan.qtables[c[3]] for c in plan.components]
    steps = [("tune off", EncodePlan(image, quality, sub, False, ri, None, metadata)),
             ("+ optimized Huffman", EncodePlan(image, quality, sub, True, ri, None, metadata)),
             ("+ tuned tables", EncodePlan(image, None, sub, True, ri, tables, metadata)),
             ("+ trellis (AC, DC)", copy.copy(plan))]
    steps[-1][1].progressive = False
    files = [(name, encoder.encode(image, p, threads)) for name, p in steps]
    if plan.progressive:
        files.append(("+ progressive scans", encoder.encode(image, plan, threads)))
    elif not ri:
        files.append(("+ progressive scans",
                      lossless.optimize(files[-1][1], True, True, threads)))
    rows = []
    for name, data in files:
        err = mse(image, decode(data, DEFAULT_MAX_PIXELS, threads))
        row = {"lever": name, "bits": 8 * len(data), "mse": err, "psnr": psnr_from_mse(err)}
        prev = rows[-1] if rows else row
        row["bits_change"] = (row["bits"] - prev["bits"]) / prev["bits"]
        row["psnr_change"] = row["psnr"] - prev["psnr"]
        rows.append(row)
    return rows, files[-1][1]


def _file_segments(data, obs, st):
    """Every byte of ``data`` in one segment, in file order (dicts: offset,
    bytes, name, part), and the bits of each part (model, header, data,
    metadata), from the marker loop's observer ``obs`` and parser state ``st``."""
    n = len(data)
    # APPn and COM segments the parser kept as metadata (all but JFIF APP0 and
    # Adobe APP14, which the decoder reads), by (code, end offset)
    metadata = {(code, end) for code, _start, end in st.extra_segments}
    segments = [{"offset": 0, "bytes": 2, "name": "SOI", "part": "header"}]
    pos = 2
    scans = iter(obs.scans)
    scan_no = 0
    for code, ff, end in obs.segments:
        if ff > pos:
            segments.append({"offset": pos, "bytes": ff - pos, "name": "bytes between segments",
                             "part": "metadata"})
        payload = data[ff + 4:min(end, ff + 44)] if end - ff > 4 else b""
        name = _jfif.segment_name(code, payload)
        if name in _MODEL_SEGMENTS:
            part = "model"
        elif _jfif.RST0 <= code <= _jfif.RST7:
            part = "data"        # a restart marker outside a scan
        elif (code, end) in metadata:
            part = "metadata"
        else:
            part = "header"
        segments.append({"offset": ff, "bytes": end - ff, "name": name, "part": part})
        pos = end
        if code == _jfif.SOS:
            rec = next(scans, None)
            if rec is None:
                # the decoder stopped at this scan (an error after the image
                # was complete, which libjpeg ignores): the rest is a tail
                break
            scan_no += 1
            s = rec.stats
            segments.append({"offset": s.start, "bytes": s.ecs_bytes,
                             "name": f"scan {scan_no} data",
                             "part": "data"})
            pos = s.end
    if pos < n:
        ended = obs.segments and obs.segments[-1][0] == _jfif.EOI
        segments.append({"offset": pos, "bytes": n - pos,
                         "name": "bytes after EOI" if ended else
                         "bytes after the scan, no EOI (a cut-off tail the decoder ignores)",
                         "part": "metadata"})
    parts = {p: 8 * sum(sg["bytes"] for sg in segments if sg["part"] == p)
             for p in ("model", "header", "data", "metadata")}
    if sum(parts.values()) != 8 * n:
        raise AssertionError("segments do not cover the file")
    return segments, parts


def file_parts(data, max_pixels):
    """The bits of each part of a JPEG file (checked bytes) and its frame:
    ({"model", "header", "data", "metadata"}, ``jfif.Frame``), as
    ``analyze_file`` splits them, for the cost of the marker loop and a walk
    of the scans (no measurements, no re-coding): what a batch row of a file
    jpeglite just wrote needs."""
    from .decoder import _run_markers

    obs = _FileObserver()
    dec = _run_markers(data, max_pixels, 1, fused=False, observer=obs)
    return _file_segments(data, obs, dec.state)[1], dec.state.frame


def analyze_file(data, max_pixels):
    """The ``Report`` of a JPEG file as it is (checked bytes): see ``jpeglite.analyze``."""
    import time

    from . import _huffman
    from . import report as _report
    from .coefficients import component_size
    from .decoder import _color_conversion, _run_markers
    from ._decoder import CC_GRAY_, CC_YCC_RGB_, CC_RGB_, CC_CMYK_, CC_YCCK_

    t0 = time.perf_counter()
    obs = _FileObserver()
    dec = _run_markers(data, max_pixels, 1, fused=False, observer=obs)
    walk_seconds = time.perf_counter() - t0
    st, f = dec.state, dec.state.frame
    n = len(data)
    color = {CC_GRAY_: "gray", CC_YCC_RGB_: "ycbcr", CC_RGB_: "rgb", CC_CMYK_: "cmyk",
             CC_YCCK_: "ycck"}[_color_conversion(st)]
    names = _COMPONENT_NAMES[color]
    # ---- segments, in file order, each in one part of the file ----------
    t = time.perf_counter()
    segments, parts = _file_segments(data, obs, st)
    segment_seconds = time.perf_counter() - t

    if f.lossless:
        return _lossless_report(data, dec, obs, names, color, segments, parts, segment_seconds,
                                walk_seconds)

    # ---- coefficients, as the array report's quantize stage -------------
    t = time.perf_counter()
    blocks = []
    for c in f.components:
        w, h = component_size(f.width, f.height, c.h, c.v, f.max_h, f.max_v)
        blocks.append(dec.coefs[c.index][:-(-h // 8), :-(-w // 8)])
    q_bits, q_comps = _entropy_details(blocks, False)
    quantize = _report.Stage("quantize", q_bits, 0.0, {
        "model": "zeroth-order entropy per component and frequency of the file's "
                 "quantized coefficients",
        "quant_tables": {tq: [int(x) for x in st.qt[tq]] for tq in range(4)
                         if st.qt[tq] is not None},
        "components": dict(zip(names, q_comps)),
        "measure_seconds": time.perf_counter() - t})

    if f.arithmetic:
        rle, coder, data_detail, headroom, block_bits, method = _arith_stages(
            data, obs, st, names, segments, walk_seconds)
        return _file_report(data, dec, obs, names, color, segments, parts, segment_seconds,
                            quantize, rle, coder, data_detail, headroom, block_bits, method)

    # ---- scans: where the entropy-coded bits go ---------------------------
    t = time.perf_counter()
    comp_totals = {nm: dict.fromkeys(_COMP_FIELDS, 0) for nm in names}
    scan_rows = []
    hists = {}            # table key -> symbol histogram over every scan using it
    code_bits = {}        # table key -> the file's code bits for those symbols
    users = {}            # table key -> component names
    for i, rec in enumerate(obs.scans):
        s, sc = rec.stats, rec.scan
        comps = {}
        for j, (c, _td, _ta) in enumerate(sc.components):
            nm = names[c.index]
            row = {fld: int(getattr(s, fld)[j]) for fld in _COMP_FIELDS}
            comps[nm] = row
            for fld in _COMP_FIELDS:
                comp_totals[nm][fld] += row[fld]
            for key, hist, bits in ((rec.tables[j][0], s.dc_hist[j], s.dc_code_bits[j]),
                                    (rec.tables[j][1], s.ac_hist[j], s.ac_code_bits[j])):
                if key is None:
                    continue
                hists[key] = hists.get(key, 0) + hist
                code_bits[key] = code_bits.get(key, 0) + int(bits)
                users.setdefault(key, set()).add(nm)
        scan_rows.append({
            "index": i + 1, "offset": rec.sos_offset, "kind": _SCAN_KINDS[rec.kind],
            "components": comps, "Ss": sc.Ss, "Se": sc.Se, "Ah": sc.Ah, "Al": sc.Al,
            "mcus": rec.mcus_x * rec.mcus_y, "restart_interval": rec.restart_interval,
            "data_bytes": s.ecs_bytes, "symbol_bits": s.symbol_bits,
            "padding_bits": s.padding_bits, "missing_bits": s.missing_bits,
            "stuffed_bytes": s.stuffed_bytes, "fill_bytes": s.fill_bytes,
            "restart_markers": s.restart_markers, "bad_padding": s.bad_padding,
            "short_intervals": s.short_intervals})
    # one name per table; a slot redefined between scans is named with its DHT offset
    slots = {}
    for key in hists:
        slots.setdefault(key[:2], []).append(key)
    tnames = {key: _table_name(key, len(slots[key[:2]]) > 1) for key in hists}
    tables = {}
    for key in sorted(hists, key=lambda k: (k[0], k[1], -1 if k[2] is None else k[2])):
        hist = _np.asarray(hists[key], dtype=_np.int64)
        counts, symbols = obs.dht_entries[key]
        # code lengths as DHT lists them (not make_codes: the decoder, as libjpeg,
        # accepts a table that lists a symbol twice; its first code is the short one)
        sizes = _np.zeros(256, _np.int64)
        for length, sym in zip(_np.repeat(_np.arange(1, 17), counts), symbols):
            if not sizes[sym]:
                sizes[sym] = length
        opt_counts, opt_symbols = _huffman.optimal_table(hist)
        opt_sizes = _huffman.make_codes(opt_counts, opt_symbols)[1].astype(_np.int64)
        tables[tnames[key]] = {
            "class": _TABLE_NAMES[key[0]], "slot": key[1], "dht_offset": key[2],
            "components": sorted(users[key], key=names.index),
            "symbols": int(hist.sum()), "distinct_symbols": int((hist > 0).sum()),
            "defined_symbols": len(symbols),
            "code_bits": code_bits[key],
            "entropy_bits": _report.histogram_code_length(hist),
            "optimal_code_bits": int(hist @ opt_sizes),
            "longest_code": int(sizes[hist > 0].max()) if hist.any() else 0,
            "dht_bytes": 17 + len(symbols),
            "optimal_dht_bytes": 17 + len(opt_symbols),
            "_optimal": (opt_counts, opt_symbols), "_key": key}
    totals = {fld: sum(ct[fld] for ct in comp_totals.values()) for fld in _COMP_FIELDS}
    raw_bits = totals["dc_amplitude_bits"] + totals["ac_amplitude_bits"] + \
        totals["eobrun_bits"] + totals["correction_bits"]
    entropy = sum(tb["entropy_bits"] for tb in tables.values())
    actual_codes = totals["dc_code_bits"] + totals["ac_code_bits"]
    rle = _report.Stage("rle", entropy + raw_bits, 0.0, {
        "model": "ideal code length of each Huffman table's symbols under their own counts, "
                 "plus the amplitude, EOB-run and correction bits",
        "tables": {k: {"symbols": v["symbols"], "distinct_symbols": v["distinct_symbols"],
                       "code_bits": v["entropy_bits"], "components": v["components"]}
                   for k, v in tables.items()},
        "amplitude_bits": totals["dc_amplitude_bits"] + totals["ac_amplitude_bits"],
        "eobrun_bits": totals["eobrun_bits"], "correction_bits": totals["correction_bits"],
        "eob": totals["eob"], "eobrun": totals["eobrun"], "zrl": totals["zrl"]})
    huffman = _report.Stage("huffman", actual_codes + raw_bits, walk_seconds, {
        "components": comp_totals,
        "tables": {k: {kk: vv for kk, vv in v.items() if not kk.startswith("_")}
                   for k, v in tables.items()},
        "code_bits": actual_codes,
        "amplitude_bits": totals["dc_amplitude_bits"] + totals["ac_amplitude_bits"],
        "eobrun_bits": totals["eobrun_bits"], "correction_bits": totals["correction_bits"],
        "dc_bits": totals["dc_code_bits"] + totals["dc_amplitude_bits"],
        "ac_bits": totals["ac_code_bits"] + totals["ac_amplitude_bits"] + totals["eobrun_bits"],
        "scans": scan_rows,
        "measure_seconds": time.perf_counter() - t})

    data_detail = {
        "symbol_bits": sum(r["symbol_bits"] for r in scan_rows),
        "padding_bits": sum(r["padding_bits"] for r in scan_rows),
        "missing_bits": sum(r["missing_bits"] for r in scan_rows),
        "stuffed_bytes": sum(r["stuffed_bytes"] for r in scan_rows),
        "fill_bytes": sum(r["fill_bytes"] for r in scan_rows),
        "restart_markers": sum(r["restart_markers"] for r in scan_rows),
        "restart_markers_outside_scans": sum(
            1 for sg in segments if sg["name"].startswith("RST")),
    }
    headroom = _headroom(obs, dec, tables, segments)
    headroom["optimize_bits"] = _optimize_saving(data, max_pixels)
    block_bits, method = _file_block_bits(obs, dec, blocks, tables)
    return _file_report(data, dec, obs, names, color, segments, parts, segment_seconds,
                        quantize, rle, huffman, data_detail, headroom, block_bits, method)


def _file_report(data, dec, obs, names, color, segments, parts, segment_seconds, quantize, rle,
                 coder, data_detail, headroom, block_bits, method):
    """The file Report from its stages: the raw and file stages and the options
    added to what ``analyze_file`` measured."""
    import time

    from . import report as _report

    t = time.perf_counter()
    st, f, n = dec.state, dec.state.frame, len(data)
    kind = ("progressive" if f.progressive else
            {0xC0: "baseline", 0xC1: "extended sequential"}.get(f.marker, "sequential"))
    if f.arithmetic:
        kind += ", arithmetic"
    if f.lossless:
        kind = f"lossless, predictor {obs.scans[0].scan.Ss}" if obs.scans else "lossless"
    file_stage = _report.Stage("file", 8 * n, segment_seconds, {
        "bytes": n, **{f"{p}_bits": b for p, b in parts.items()},
        "segments": segments, **data_detail,
        "lossless_headroom": headroom,
        "measure_seconds": time.perf_counter() - t})
    samples = f.width * f.height * len(f.components)
    raw = _report.Stage("raw", f.precision * samples, 0.0, {
        "samples": samples, "components": len(f.components),
        "bits_per_sample": f.precision})
    sampling = {nm: [c.h, c.v] for nm, c in zip(names, f.components)}
    options = {"process": f"{kind} (SOF{f.marker - 0xC0})", "scans": len(obs.scans),
               "color": color, "sampling_factors": sampling,
               "restart_interval": st.restart_interval}
    coder.details["block_bits"] = method
    return _report.Report([raw, quantize, rle, coder, file_stage], parts["model"],
                          parts["header"], parts["data"], bytes(data), f.width, f.height,
                          len(f.components), None, None, options, kind="file",
                          metadata_bits=parts["metadata"],
                          block_bits=dict(zip(names, block_bits)))


# An arithmetic-coded scan's bytes besides its decisions' code bits: a 0xFF
# stuffed with 0x00, and RSTn markers with any 0xFF fill before them.
_ARITH_MARKUP = _re.compile(rb"\xff(\xff*)([\x00\xd0-\xd7])")


def _arith_markup(seg):
    """(stuffed bytes, fill bytes, restart markers) of entropy-coded bytes."""
    stuffed = fill = rst = 0
    for m in _ARITH_MARKUP.finditer(seg):
        fill += len(m.group(1))
        if m.group(2) == b"\x00":
            stuffed += 1
        else:
            rst += 1
    return stuffed, fill, rst


def _arith_stages(data, obs, st, names, segments, walk_seconds):
    """The coder stages of an arithmetic-coded file's report (T.81 Annex D):
    (rle, coder, file details, headroom, block bits, how they were counted).

    A QM-coder spends one code-stream bit per renormalization shift; each
    decision's shifts go to the block (and its DC or AC part) that made it,
    so a scan's component bits add up to its coded bits exactly.  What else
    the scan's bytes hold is stuffing, RSTn markers with their fill, and the
    coder's flush at the end of each interval (the bytes that pin the code
    value, less the zero bytes its encoder may drop), ``flush_bits``."""
    import time

    from . import report as _report
    from .coefficients import component_size

    t = time.perf_counter()
    comp_totals = {nm: {"blocks": 0, "dc_bits": 0, "ac_bits": 0, "code_bits": 0}
                   for nm in names}
    scan_rows = []
    used = set()
    for i, rec in enumerate(obs.scans):
        s, sc = rec.stats, rec.scan
        one = len(sc.components) == 1
        comps = {}
        for j, (c, td, ta) in enumerate(sc.components):
            nm = names[c.index]
            dc = int(s.dc_bits[j])
            row = {"blocks": rec.mcus_x * rec.mcus_y * (1 if one else c.h * c.v),
                   "dc_bits": dc, "ac_bits": int(s.code_bits[j]) - dc,
                   "code_bits": int(s.code_bits[j])}
            comps[nm] = row
            for fld, v in row.items():
                comp_totals[nm][fld] += v
            if rec.kind in (0, 1):
                used.add(("DC", td))
            if rec.kind in (0, 3, 4):
                used.add(("AC", ta))
        stuffed, fill, rst = _arith_markup(data[s.start:s.end])
        coded = sum(r["code_bits"] for r in comps.values())
        scan_rows.append({
            "index": i + 1, "offset": rec.sos_offset, "kind": _SCAN_KINDS[rec.kind],
            "components": comps, "Ss": sc.Ss, "Se": sc.Se, "Ah": sc.Ah, "Al": sc.Al,
            "mcus": rec.mcus_x * rec.mcus_y, "restart_interval": rec.restart_interval,
            "data_bytes": s.ecs_bytes, "code_bits": coded,
            "flush_bits": 8 * (s.ecs_bytes - stuffed - fill - 2 * rst) - coded,
            "stuffed_bytes": stuffed, "fill_bytes": fill, "restart_markers": rst,
            "bad_codes": s.bad_codes, "bad_restarts": s.bad_restarts})
    cond = st.conditioning
    conditioning = {f"{cls}{slot}": ({"L": cond.dc_l[slot], "U": cond.dc_u[slot]}
                                     if cls == "DC" else {"Kx": cond.ac_k[slot]})
                    for cls, slot in sorted(used)}
    coded = sum(r["code_bits"] for r in scan_rows)
    dc_bits = sum(ct["dc_bits"] for ct in comp_totals.values())
    rle = _report.Stage("rle", coded, 0.0, {
        "model": "arithmetic coding codes binary decisions with adaptive estimates, not "
                 "symbols from a table: no separate entropy bound (the coder's bits)"})
    coder = _report.Stage("huffman", coded, walk_seconds, {
        "coder": "arithmetic",
        "components": comp_totals, "code_bits": coded, "dc_bits": dc_bits,
        "ac_bits": coded - dc_bits, "tables": {}, "conditioning": conditioning,
        "scans": scan_rows, "measure_seconds": time.perf_counter() - t})
    data_detail = {
        "code_bits": coded,
        "flush_bits": sum(r["flush_bits"] for r in scan_rows),
        "stuffed_bytes": sum(r["stuffed_bytes"] for r in scan_rows),
        "fill_bytes": sum(r["fill_bytes"] for r in scan_rows),
        "restart_markers": sum(r["restart_markers"] for r in scan_rows),
        "restart_markers_outside_scans": sum(
            1 for sg in segments if sg["name"].startswith("RST")),
    }
    headroom = {"method": "none: an arithmetic-coded file has no Huffman tables to optimize",
                "tables": {}, "code_bits": 0, "dht_bits": 0, "bits": 0, "exact": True,
                "optimize_bits": None}
    block_bits = []
    for c in st.frame.components:
        bits = obs.arith_block_bits.get(c.index)
        w, h = component_size(st.frame.width, st.frame.height, c.h, c.v, st.frame.max_h,
                              st.frame.max_v)
        rows, cols = -(-h // 8), -(-w // 8)
        block_bits.append(_np.zeros((rows, cols), _np.int32) if bits is None
                          else _np.ascontiguousarray(bits[:rows, :cols]))
    return rle, coder, data_detail, headroom, block_bits, (
        "exact: the code-stream bits of each block's decisions (the QM-coder's "
        "renormalization shifts), summed over the scans")


_COMP_FIELDS = ("blocks", "dc_code_bits", "dc_amplitude_bits", "ac_code_bits",
                "ac_amplitude_bits", "eob", "eobrun", "eobrun_bits", "zrl", "correction_bits",
                "bad_codes", "overruns")


def _table_sizes(counts, symbols):
    """(codes, sizes) of a DHT table for block_bits: the code lengths as DHT
    lists them (a symbol listed twice keeps its first, shorter code, as the
    decoder does); the codes themselves are not needed to count bits."""
    sizes = _np.zeros(256, _np.uint8)
    for length, sym in zip(_np.repeat(_np.arange(1, 17), counts), symbols):
        if not sizes[sym]:
            sizes[sym] = length
    return _np.zeros(256, _np.uint32), sizes


def _file_block_bits(obs, dec, blocks, tables):
    """Per component, the bits each 8x8 block costs in the file: (list of int32
    arrays shaped like ``blocks``, a sentence saying how they were counted).

    Sequential files: each scan's blocks costed with the file's own tables, in
    scan order. Progressive files spread a block over many scans (and EOB runs
    share bits between blocks), so there the map is an estimate: each component
    costed as one baseline scan with optimal tables for its coefficients."""
    from . import _huffman

    out = [_np.zeros(b.shape[:2], _np.int32) for b in blocks]
    if obs.scans and all(rec.kind == 0 and None not in pair for rec in obs.scans
                         for pair in rec.tables):
        for rec in obs.scans:
            one = len(rec.scan.components) == 1
            arrays, hs, vs, idx = [], [], [], []
            for c, _td, _ta in rec.scan.components:
                arr = dec.coefs[c.index]
                arrays.append(arr[:rec.mcus_y, :rec.mcus_x] if one else arr)
                hs.append(1 if one else c.h)
                vs.append(1 if one else c.v)
                idx.append(c.index)
            dc = [_table_sizes(*obs.dht_entries[k]) for k, _ in rec.tables]
            ac = [_table_sizes(*obs.dht_entries[k]) for _, k in rec.tables]
            bits = _entropy_block_bits(arrays, hs, vs, rec.mcus_x, rec.mcus_y, dc, ac,
                                       rec.restart_interval)
            for ci, b in zip(idx, bits):
                rows, cols = out[ci].shape
                out[ci] += b[:rows, :cols]
        return out, ("exact: the Huffman code and amplitude bits of each block, with the "
                     "file's own tables")
    from . import _entropy

    for ci, b in enumerate(blocks):
        rows, cols = b.shape[:2]
        arr = _np.ascontiguousarray(b.reshape(rows, cols, 64))
        counts = _entropy.count_symbols([arr], [1], [1], cols, rows)
        dc = _huffman.make_codes(*_huffman.optimal_table(counts[0, 0]))
        ac = _huffman.make_codes(*_huffman.optimal_table(counts[0, 1]))
        out[ci] = _entropy_block_bits([arr], [1], [1], cols, rows, [dc], [ac], 0)[0]
    return out, ("estimate: the file is progressive, so each block is costed as in a "
                 "baseline scan with optimal Huffman tables for the file's coefficients")


def _headroom(obs, dec, tables, segments):
    """Lossless headroom: the bits optimized Huffman tables (T.81 K.2, one per
    table the scans use, each in its own DHT segment as libjpeg writes them)
    would save, keeping the coefficients, the scans and everything else.

    Sequential files: exact, every scan re-coded with the optimal tables
    (stuffing, padding and RSTn included) after checking that re-coding
    gives the file's own symbols.  Progressive files: the code bits and DHT
    bytes saved (stuffing and padding would move by a few bytes)."""
    from . import _entropy, _huffman

    old = [sg["bytes"] for sg in segments if sg["name"] == "DHT"]
    # the new tables grouped into as many DHT segments as the file has (libjpeg
    # writes one per table, others one for all), each 4 bytes of marker and length
    new_dht = 8 * (sum(tb["optimal_dht_bytes"] for tb in tables.values())
                   + 4 * max(1, min(len(old), len(tables))))
    old_dht = 8 * sum(old)
    by_table = {name: tb["code_bits"] - tb["optimal_code_bits"] for name, tb in tables.items()}
    out = {"method": "optimal Huffman tables for the file's own symbols",
           "tables": by_table, "code_bits": sum(by_table.values()),
           "dht_bits": old_dht - new_dht}
    out["bits"] = out["code_bits"] + out["dht_bits"]
    out["exact"] = False
    if not obs.scans or any(rec.kind != 0 for rec in obs.scans):
        return out
    codes = {tb["_key"]: _huffman.make_codes(*tb["_optimal"]) for tb in tables.values()}
    old = new = 0
    for rec in obs.scans:
        one = len(rec.scan.components) == 1
        arrays, hs, vs = [], [], []
        for c, _td, _ta in rec.scan.components:
            arr = dec.coefs[c.index]
            arrays.append(arr[:rec.mcus_y, :rec.mcus_x] if one else arr)
            hs.append(1 if one else c.h)
            vs.append(1 if one else c.v)
        counts = _entropy.count_symbols(arrays, hs, vs, rec.mcus_x, rec.mcus_y,
                                        rec.restart_interval)
        s = rec.stats
        if not (_np.array_equal(counts[:, 0], s.dc_hist)
                and _np.array_equal(counts[:, 1], s.ac_hist)):
            return out      # the file's encoder chose other symbols than T.81 F.1.2 does
        ecs = _entropy.encode_scan(arrays, hs, vs, rec.mcus_x, rec.mcus_y,
                                   [codes[dc] for dc, _ac in rec.tables],
                                   [codes[ac] for _dc, ac in rec.tables], rec.restart_interval)
        old += s.ecs_bytes
        new += len(ecs)
    out["data_bits"] = 8 * (old - new)
    out["bits"] = out["data_bits"] + out["dht_bits"]
    out["exact"] = True
    return out


def _optimize_saving(data, max_pixels):
    """What lossless re-optimization (``jpeglite.optimize``: optimal tables and a
    progressive scan script chosen per image) saves on the file, in bits; None
    in a build without it (its module, ``lossless``, is being written beside
    this one)."""
    try:
        from .lossless import optimize
    except ImportError:
        return None
    return 8 * (len(data) - len(optimize(data, max_pixels=max_pixels)))


# ==== hibit: the report of a lossless (SOF3) file ====
# No blocks and no coefficients: each scan codes per sample a prediction
# difference as a Huffman-coded category (T.81 H.1.2.2) and that many
# additional bits (none for category 16).

def _lossless_report(data, dec, obs, names, color, segments, parts, segment_seconds,
                     walk_seconds):
    """The file Report of a lossless file: stages as for DCT files, with the
    quantize stage the entropy of the prediction differences (nothing is
    quantized), rle the entropy bound of the categories plus the additional
    bits, huffman the file's codes plus the additional bits."""
    import time

    from . import _huffman
    from . import report as _report

    t = time.perf_counter()
    extra = _np.array([s if s < 16 else 0 for s in range(17)] + [0] * 239, _np.int64)
    comp_totals = {nm: {"samples": 0, "code_bits": 0, "amplitude_bits": 0,
                        "difference_entropy_bits": 0.0} for nm in names}
    hists, users, scan_rows = {}, {}, []
    for i, rec in enumerate(obs.scans):
        s, sc = rec.stats, rec.scan
        comps = {}
        for j, (c, _td, _ta) in enumerate(sc.components):
            nm, key, cnt = names[c.index], rec.tables[j][0], s.counts[j]
            sizes = _table_sizes(*obs.dht_entries[key])[1].astype(_np.int64)
            row = {"samples": int(cnt.sum()), "code_bits": int(cnt @ sizes),
                   "amplitude_bits": int(cnt @ extra),
                   "difference_entropy_bits": s.entropy[j]}
            comps[nm] = row
            for fld, v in row.items():
                comp_totals[nm][fld] += v
            hists[key] = hists.get(key, 0) + cnt
            users.setdefault(key, set()).add(nm)
        stuffed, fill, rst = _arith_markup(data[s.start:s.end])
        symbol_bits = sum(r["code_bits"] + r["amplitude_bits"] for r in comps.values())
        scan_rows.append({
            "index": i + 1, "offset": rec.sos_offset, "kind": "lossless",
            "components": comps, "predictor": sc.Ss, "point_transform": sc.Al,
            "Ss": sc.Ss, "Se": sc.Se, "Ah": sc.Ah, "Al": sc.Al,     # the SOS fields
            "mcus": rec.mcus_x * rec.mcus_y, "restart_interval": rec.restart_interval,
            "data_bytes": s.ecs_bytes, "symbol_bits": symbol_bits,
            "padding_bits": 8 * (s.ecs_bytes - stuffed - fill - 2 * rst) - symbol_bits,
            "stuffed_bytes": stuffed, "fill_bytes": fill, "restart_markers": rst})
    counted = {}
    for key in obs.dht_entries:
        if key in hists:
            counted[key] = hists[key]
    redefined = len({(k[0], k[1]) for k in counted}) < len(counted)
    tables = {}
    for key, hist in counted.items():
        sizes = _table_sizes(*obs.dht_entries[key])[1].astype(_np.int64)
        optimal = _table_sizes(*_huffman.optimal_table(hist))[1].astype(_np.int64)
        used = hist[hist > 0]
        tables[_table_name(key, redefined)] = {
            "components": sorted(users[key]), "symbols": int(hist.sum()),
            "code_bits": int(hist @ sizes),
            "entropy_bits": float(-(used * _np.log2(used / used.sum())).sum()),
            "optimal_code_bits": int(hist @ optimal)}
    code = sum(tb["code_bits"] for tb in tables.values())
    amp = sum(ct["amplitude_bits"] for ct in comp_totals.values())
    bound = sum(tb["entropy_bits"] for tb in tables.values())
    diff_entropy = sum(ct["difference_entropy_bits"] for ct in comp_totals.values())
    quantize = _report.Stage("quantize", diff_entropy, 0.0, {
        "model": "lossless: nothing is quantized; zeroth-order entropy per component of "
                 "the prediction differences the scans code",
        "quant_tables": {}, "components": {nm: {"bits": ct["difference_entropy_bits"]}
                                           for nm, ct in comp_totals.items()}})
    rle = _report.Stage("rle", bound + amp, 0.0, {
        "model": "entropy bound of the difference categories per table + their "
                 "additional bits", "tables": tables, "amplitude_bits": amp})
    coder = _report.Stage("huffman", code + amp, walk_seconds, {
        "coder": "lossless", "components": comp_totals, "tables": tables,
        "code_bits": code, "amplitude_bits": amp, "scans": scan_rows,
        "measure_seconds": time.perf_counter() - t})
    data_detail = {
        "symbol_bits": code + amp,
        "padding_bits": sum(r["padding_bits"] for r in scan_rows),
        "stuffed_bytes": sum(r["stuffed_bytes"] for r in scan_rows),
        "fill_bytes": sum(r["fill_bytes"] for r in scan_rows),
        "restart_markers": sum(r["restart_markers"] for r in scan_rows),
        "restart_markers_outside_scans": sum(
            1 for sg in segments if sg["name"].startswith("RST"))}
    by_table = {nm: tb["code_bits"] - tb["optimal_code_bits"] for nm, tb in tables.items()}
    headroom = {"method": "optimal Huffman tables for the file's difference categories "
                          "(code bits; DHT bytes, stuffing and padding not counted)",
                "tables": by_table, "code_bits": sum(by_table.values()), "dht_bits": 0,
                "bits": sum(by_table.values()), "exact": False, "optimize_bits": None}
    report = _file_report(data, dec, obs, names, color, segments, parts, segment_seconds,
                          quantize, rle, coder, data_detail, headroom, [],
                          "none: a lossless file has no 8x8 blocks")
    report.block_bits = {}
    return report
