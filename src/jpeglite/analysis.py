"""Reports: the staged encode of an array measured stage by stage.

``analyze_image`` runs the staged driver (``staged.encode_stages``), measures
each stage's intermediate (coefficient entropies, symbol statistics, the
scan's layout, the distortion of jpeglite's own decode of the file) and
builds the ``Report`` (``report.py`` holds its classes and forms).
"""
import numpy as _np

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


def analyze_image(image, plan, threads):
    """The ``Report`` of encoding ``image`` (checked, C-contiguous) under
    ``plan`` on ``threads`` threads: see ``jpeglite.analyze``."""
    from concurrent.futures import ThreadPoolExecutor

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
