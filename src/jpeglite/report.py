"""Stage and Report: the bit and time accounting of one encode, and the measurements behind it.

A JPEG file is a model plus data coded under that model: L(P) (the quantization
and Huffman tables the decoder is told, plus the other headers) and L(D|P) (the
entropy-coded segments). ``analyze`` fills a :class:`Report` with one
:class:`Stage` per step of the pipeline, in :data:`STAGE_NAMES` order, so the
descent from raw pixels to file bits can be read stage by stage.

The pure-numpy helpers below are the measurements the stages use:

- :func:`histogram_code_length`: ideal code length (bits) of a symbol histogram
  under its own empirical distribution, ``sum(-n_i * log2(n_i / N))``.
- :func:`frequency_entropy_bits` / :func:`coefficient_entropy_bits`: zeroth-order
  empirical entropy (bits) of DCT coefficients under a memoryless model per
  frequency: each of the 64 frequencies is its own histogram.
- :func:`amplitude_bits`: the extra (amplitude) bits that follow each
  run-length/size symbol.
- :func:`mse`, :func:`psnr`, :func:`psnr_from_mse`: distortion between uint8 images.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "STAGE_NAMES", "FILE_STAGE_NAMES", "Stage", "Report",
    "histogram_code_length", "frequency_entropy_bits", "coefficient_entropy_bits",
    "amplitude_bits", "mse", "psnr", "psnr_from_mse",
]

#: The stages of a Report, in pipeline order (DESIGN.md, "Bit accounting").
STAGE_NAMES = ("raw", "color", "subsample", "dct", "quantize", "rle", "huffman", "file")

#: The stages of the Report of an existing file (``kind == "file"``): what can
#: be measured from its bytes without decoding pixels or re-encoding.
FILE_STAGE_NAMES = ("raw", "quantize", "rle", "huffman", "file")


@dataclass
class Stage:
    """One step of the pipeline: what it would cost in bits and what it took in time.

    - ``name``: one of :data:`STAGE_NAMES`.
    - ``bits``: the size of the data at this stage, in bits (an int for counted
      stages, a float for entropy estimates).
    - ``seconds``: wall-clock time spent in this stage, in seconds.
    - ``details``: stage-specific counts and splits (sample counts, nonzero
      coefficients, EOB/ZRL counts, per-component and DC/AC bits, ...).
    """

    name: str
    bits: float
    seconds: float = 0.0
    details: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        # short: the details can hold thousands of numbers (see .details)
        return (f"<jpeglite.Stage {self.name}: {self.bits:,.0f} bits, {self.seconds:.4f} s, "
                f"{len(self.details)} details>")


@dataclass
class Report:
    """Where the bits of one JPEG go, stage by stage, and what they cost in time.

    ``kind`` says which JPEG: ``"encode"``, an image jpeglite encoded stage by
    stage (``jpeglite.analyze(array)``), or ``"file"``, an existing file
    as it is, walked without re-encoding (``jpeglite.analyze(bytes)``).

    Fields (filled by ``jpeglite.analyze``):

    - ``stages``: list of :class:`Stage`, names exactly :data:`STAGE_NAMES`
      in order (:data:`FILE_STAGE_NAMES` for a file).
    - ``model_bits``: bits of the DQT and DHT segments (markers included): L(P),
      the model the decoder is told.
    - ``header_bits``: bits of every other marker segment the decoder reads
      (SOI, SOF, SOS, DRI, EOI, and the JFIF APP0 and Adobe APP14 segments,
      which choose the colour conversion).
    - ``data_bits``: bits of the entropy-coded segments, with byte stuffing,
      padding and restart markers: L(D|P).
    - ``data``: the file, as bytes.
    - ``width``, ``height`` (pixels), ``components`` (1 or 3).
    - ``mse``: mean squared error of the decoded file against the input, over
      every sample (squared 8-bit levels); ``psnr`` in dB (``inf`` when
      identical); both None for a file (there is no original to compare with).
    - ``options``: the encode options used (quality, subsampling, ...), or
      for a file what its headers say (process, scans, sampling), for display.
    - ``kind``: ``"encode"`` or ``"file"`` (above).
    - ``metadata_bits``: bits of what decoding does not need: APPn segments
      other than JFIF APP0 and Adobe APP14 (Exif, ICC profiles, XMP, ...),
      COM segments, bytes between segments and after EOI. 0 for an encode.
    - ``levers``: for ``analyze(image, tune="psnr")``, where the saving came
      from: one dict per lever, each encode adding one to the row before
      (``lever``, file ``bits``, ``mse``, ``psnr`` in dB, ``bits_change`` and
      ``psnr_change`` against the row before); empty otherwise.
    - ``block_bits``: where the entropy-coded bits go in the picture: per
      component name (``"Y"``, ``"Cb"``, ...) an int32 array shaped (block
      rows, block columns) of the bits each 8x8 block costs (Huffman codes
      plus amplitude bits; how they were counted is in
      ``stage("huffman").details["block_bits"]``). Not in ``to_dict``.

    The accounting is exact: ``model_bits + header_bits + data_bits +
    metadata_bits == 8 * len(data)``; the constructor checks this and the
    stage order and raises ``ValueError`` otherwise.
    """

    stages: list
    model_bits: int
    header_bits: int
    data_bits: int
    data: bytes
    width: int
    height: int
    components: int
    mse: float
    psnr: float
    options: dict = field(default_factory=dict)
    kind: str = "encode"
    metadata_bits: int = 0
    levers: list = field(default_factory=list)
    block_bits: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        if self.kind not in ("encode", "file"):
            raise ValueError(f"Report kind must be 'encode' or 'file', got {self.kind!r}")
        expected = STAGE_NAMES if self.kind == "encode" else FILE_STAGE_NAMES
        names = tuple(s.name for s in self.stages)
        if names != expected:
            raise ValueError(f"Report stages must be {expected}, got {names}")
        total = self.model_bits + self.header_bits + self.data_bits + self.metadata_bits
        if total != 8 * len(self.data):
            raise ValueError(
                f"model_bits + header_bits + data_bits + metadata_bits = {total} bits, "
                f"but the file has {8 * len(self.data)} bits")

    # ---- derived figures ------------------------------------------------

    @property
    def pixels(self) -> int:
        """Number of pixels, width x height."""
        return self.width * self.height

    @property
    def file_bits(self) -> int:
        """Size of the file in bits (8 x its length in bytes)."""
        return 8 * len(self.data)

    @property
    def bpp(self) -> float:
        """Bits per pixel of the file."""
        return self.file_bits / self.pixels

    @property
    def compression_ratio(self) -> float:
        """Raw size over file size (8 x H x W x C bits over the file's bits)."""
        return 8 * self.pixels * self.components / self.file_bits

    @property
    def seconds(self) -> float:
        """Total wall-clock time over all stages, in seconds."""
        return float(sum(s.seconds for s in self.stages))

    def stage(self, name: str) -> Stage:
        """The stage called ``name`` (KeyError if there is none)."""
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(name)

    # ---- renderings -----------------------------------------------------

    def __repr__(self) -> str:
        # short, and never the file's bytes (print(report) gives the table)
        return (f"<jpeglite.Report {self.kind} {self.width}x{self.height}x{self.components}: "
                f"{len(self.data):,} bytes, {self.bpp:.3f} bits/px, "
                f"{len(self.stages)} stages>")

    def __str__(self) -> str:
        if self.kind == "file":
            return _file_text(self) + _levers_text(self.levers)
        raw_bits = self.stage("raw").bits or 1
        total_s = self.seconds
        kind = {1: "grayscale", 3: "RGB"}.get(self.components, f"{self.components} components")
        opts = ", ".join(f"{k}={v}" for k, v in self.options.items())
        lines = [f"{self.width}x{self.height} {kind}, {self.pixels / 1e6:.2f} MP"
                 + (f"; {opts}" if opts else "")]
        head = (f"{'stage':<10} {'bits':>14} {'bits/px':>9} {'% of raw':>9}"
                f" {'seconds':>9} {'% of time':>10}")
        lines += [head, "-" * len(head)]
        for s in self.stages:
            share = 100.0 * s.seconds / total_s if total_s > 0 else 0.0
            lines.append(
                f"{s.name:<10} {s.bits:>14,.0f} {s.bits / self.pixels:>9.3f}"
                f" {100.0 * s.bits / raw_bits:>8.2f}% {s.seconds:>9.4f} {share:>9.1f}%")
        lines.append("-" * len(head))
        lines.append(f"{'total':<10} {'':>14} {'':>9} {'':>9} {total_s:>9.4f} {'':>10}")
        fb = self.file_bits

        def part(label, bits):
            return (f"{label:<36} {bits:>12,} bits {bits / self.pixels:>8.3f} bits/px"
                    f" {100.0 * bits / fb:>6.2f}% of file")

        lines += [
            "",
            part("L(P)   model: DQT + DHT tables", self.model_bits),
            part("       headers: other markers", self.header_bits),
            part("L(D|P) data: entropy-coded segments", self.data_bits),
            part("file", fb),
        ]
        rle, huff = self.stage("rle").bits, self.stage("huffman").bits
        if rle > 0:
            lines.append(f"Huffman codes over the entropy bound (rle stage): "
                         f"{100.0 * (huff - rle) / rle:+.2f}%")
        psnr_txt = "inf (lossless)" if math.isinf(self.psnr) else f"{self.psnr:.2f}"
        lines.append(f"distortion: MSE {self.mse:.4f}, PSNR {psnr_txt} dB; "
                     f"{self.bpp:.3f} bits/px, compression ratio {self.compression_ratio:.2f}:1")
        return "\n".join(lines)

    def to_html(self, title: str | None = None) -> str:
        """One self-contained HTML page (a str; nothing fetched from the network):
        the stage table and chart, the L(P)/L(D|P) split, bits per frequency,
        bits per 8x8 block over the picture, and a file's segments and scans
        (``report_html.report_html``)."""
        from .report_html import report_html

        return report_html(self, title)

    def to_dict(self) -> dict:
        """Plain JSON-ready data: only dict, list, str, int, float, bool and None.

        The file itself is not included (``size_bytes`` gives its length);
        a PSNR of infinity (identical images) becomes ``None``, since JSON has
        no infinity.
        """
        return _plain({
            "kind": self.kind,
            "width": self.width,
            "height": self.height,
            "components": self.components,
            "pixels": self.pixels,
            "options": self.options,
            "size_bytes": len(self.data),
            "file_bits": self.file_bits,
            "model_bits": self.model_bits,
            "header_bits": self.header_bits,
            "data_bits": self.data_bits,
            "metadata_bits": self.metadata_bits,
            "levers": self.levers,
            "bpp": self.bpp,
            "compression_ratio": self.compression_ratio,
            "mse": self.mse,
            "psnr": self.psnr,
            "seconds": self.seconds,
            "stages": [
                {"name": s.name, "bits": s.bits, "bits_per_pixel": s.bits / self.pixels,
                 "seconds": s.seconds, "details": s.details}
                for s in self.stages
            ],
        })


def _coefficients_line(r) -> str:
    q = r.stage("quantize").details["components"]
    return "coefficients: " + "; ".join(
        f"{nm} {c['blocks']:,} blocks, {c['nonzero']:,} non-zero ({c['nonzero_ac']:,} AC), "
        f"{c['bits']:,.0f} bits entropy" for nm, c in q.items())


def _scan_rows(h, cells, end_key, end_name, damage) -> list:
    """The rows of a report's scan table: per scan, a line per component
    (``cells(component)`` after the scan's columns), then the scan's data
    line (bytes, its final bits ``end_key`` called ``end_name``, stuffing,
    RSTn, fill bytes and ``damage(scan)``)."""
    lines = []
    for sc in h["scans"]:
        band = f"{sc['Ss']}..{sc['Se']}" if sc["kind"] != "sequential" else "0..63"
        for k, (nm, c) in enumerate(sc["components"].items()):
            lead = (f"{sc['index']:<5} {sc['kind']:<11} {band:<7} {sc['Ah']}/{sc['Al']:<4}"
                    if k == 0 else " " * 32)
            lines.append(f"{lead} {nm:<4} {cells(c)}")
        extra = (f"{'':<5} data {sc['data_bytes']:,} bytes: {end_name} {sc[end_key]} bits, "
                 f"{sc['stuffed_bytes']:,} stuffed bytes, {sc['restart_markers']:,} RSTn")
        if sc["fill_bytes"]:
            extra += f", {sc['fill_bytes']} fill bytes"
        lines.append(extra + damage(sc))
    return lines


def _arith_scans_text(r, h) -> list:
    """The scan table of an arithmetic-coded file's report."""
    lines = ["scans (code bits of the components' decisions, DC and AC)",
             f"{'scan':<5} {'kind':<11} {'band':<7} {'Ah/Al':<6} {'comp':<4} {'blocks':>9}"
             f" {'DC bits':>11} {'AC bits':>11}"]
    lines += _scan_rows(
        h, lambda c: f"{c['blocks']:>9,} {c['dc_bits']:>11,} {c['ac_bits']:>11,}",
        "flush_bits", "flush",
        lambda sc: (f", {sc['bad_codes']} intervals cut short by a bad code (corrupt data)"
                    if sc["bad_codes"] else ""))
    cond = ", ".join(f"{k} " + " ".join(f"{kk}={vv}" for kk, vv in v.items())
                     for k, v in h["conditioning"].items())
    lines += ["", f"conditioning (DAC or the defaults): {cond}",
              "lossless headroom: no Huffman tables to optimize (arithmetic coding adapts "
              "its estimates as it goes)", _coefficients_line(r)]
    return lines


def _lossless_scans_text(h) -> list:
    """The scan and table lines of a lossless (SOF3) file's report (hibit)."""
    lines = ["scans (bits: the Huffman codes of the difference categories, their "
             "additional bits)",
             f"{'scan':<5} {'predictor':<10} {'Pt':<3} {'comp':<4} {'samples':>11}"
             f" {'code':>11} {'additional':>11}"]
    for sc in h["scans"]:
        for k, (nm, c) in enumerate(sc["components"].items()):
            lead = (f"{sc['index']:<5} {sc['predictor']:<10} {sc['point_transform']:<3}"
                    if k == 0 else " " * 19)
            lines.append(f"{lead} {nm:<4} {c['samples']:>11,} {c['code_bits']:>11,}"
                         f" {c['amplitude_bits']:>11,}")
        lines.append(f"{'':<5} data {sc['data_bytes']:,} bytes: padding {sc['padding_bits']} "
                     f"bits, {sc['stuffed_bytes']:,} stuffed bytes, "
                     f"{sc['restart_markers']:,} RSTn")
    lines += ["", "Huffman tables: the file's code bits against the entropy bound of the "
              "categories and an optimal table's"]
    for name, tb in h["tables"].items():
        lines.append(f"{name:<10} {','.join(tb['components']):<10} {tb['symbols']:>10,}"
                     f" {tb['code_bits']:>12,} {tb['entropy_bits']:>12,.0f}"
                     f" {tb['optimal_code_bits']:>12,}")
    return lines


def _file_text(r) -> str:
    """The readable form of a file Report: the file as it is, part by part,
    segment by segment, scan by scan, table by table."""
    fb = r.file_bits
    px = r.pixels
    o = r.options
    sampling = " ".join(f"{k} {h}x{v}" for k, (h, v) in o["sampling_factors"].items())
    lines = [
        f"JPEG file as it is (not re-encoded): {len(r.data):,} bytes, "
        f"{r.width}x{r.height}, {o['color']} ({sampling}), {o['process']}, "
        f"{o['scans']} scan{'s' if o['scans'] != 1 else ''}"
        + (f", restart interval {o['restart_interval']}" if o["restart_interval"] else ""),
        f"{r.bpp:.3f} bits/px, compression ratio {r.compression_ratio:.2f}:1",
        ""]
    head = f"{'stage':<10} {'bits':>14} {'bits/px':>9} {'% of raw':>9}  what it counts"
    what = {"raw": f"{r.stage('raw').details['bits_per_sample']} bits per sample, "
                   "uncompressed",
            "quantize": "entropy of the coefficients, per component and frequency",
            "rle": "entropy bound of the Huffman symbols + amplitude/EOB-run/correction bits",
            "huffman": "the file's Huffman codes + amplitude/EOB-run/correction bits",
            "file": "8 x file bytes"}
    h = r.stage("huffman").details
    arithmetic = h.get("coder") == "arithmetic"
    if h.get("coder") == "lossless":
        what.update(quantize="entropy of the prediction differences (nothing quantized)",
                    rle="entropy bound of the difference categories + additional bits",
                    huffman="the file's Huffman codes + additional bits")
    if arithmetic:
        what.update(rle="no symbols to bound: the coder's bits (as huffman)",
                    huffman="the file's arithmetic-coded bits (QM-coder decisions)")
    raw_bits = r.stage("raw").bits or 1
    lines += [head, "-" * len(head)]
    for st in r.stages:
        lines.append(f"{st.name:<10} {st.bits:>14,.0f} {st.bits / px:>9.3f}"
                     f" {100.0 * st.bits / raw_bits:>8.2f}%  {what[st.name]}")
    lines.append("")

    def part(label, bits):
        return (f"{label:<40} {bits:>12,} bits {bits / px:>8.3f} bits/px"
                f" {100.0 * bits / fb:>6.2f}% of file")

    lines += [part("L(P)   model: DQT + " + ("DAC" if arithmetic else "DHT") + " tables",
                   r.model_bits),
              part("       headers: SOI SOF SOS DRI EOI JFIF", r.header_bits),
              part("L(D|P) data: entropy-coded segments", r.data_bits),
              part("       metadata: APPn, COM, other bytes", r.metadata_bits),
              part("file", fb), ""]
    f = r.stage("file").details
    lines.append(f"{'offset':>10} {'bytes':>10}  {'part':<9} segment")
    for sg in f["segments"]:
        lines.append(f"{sg['offset']:>10,} {sg['bytes']:>10,}  {sg['part']:<9} {sg['name']}")
    lines.append("")
    if arithmetic:
        return "\n".join(lines + _arith_scans_text(r, h))
    if h.get("coder") == "lossless":
        return "\n".join(lines + _lossless_scans_text(h))
    lines.append("scans (bits; amp = amplitude, corr = correction bits of refinement scans)")
    lines.append(f"{'scan':<5} {'kind':<11} {'band':<7} {'Ah/Al':<6} {'comp':<4} {'code':>11}"
                 f" {'amp':>11} {'eobrun':>8} {'corr':>9} {'EOB':>8} {'EOBn':>6} {'ZRL':>7}")
    lines += _scan_rows(
        h, lambda c: (f"{c['dc_code_bits'] + c['ac_code_bits']:>11,}"
                      f" {c['dc_amplitude_bits'] + c['ac_amplitude_bits']:>11,}"
                      f" {c['eobrun_bits']:>8,} {c['correction_bits']:>9,} {c['eob']:>8,}"
                      f" {c['eobrun']:>6,} {c['zrl']:>7,}"),
        "padding_bits", "padding",
        lambda sc: (f", {sc['missing_bits']} bits missing (corrupt data, read as zeros)"
                    if sc["missing_bits"] else ""))
    lines.append("")
    lines.append("Huffman tables: the file's code bits against the entropy bound of their symbols"
                 " and an optimal table's")
    lines.append(f"{'table':<10} {'users':<10} {'symbols':>10} {'code bits':>12} {'bound':>12}"
                 f" {'over':>7} {'optimal':>12}")
    for name, tb in h["tables"].items():
        over = (100.0 * (tb["code_bits"] - tb["entropy_bits"]) / tb["entropy_bits"]
                if tb["entropy_bits"] else 0.0)
        lines.append(f"{name:<10} {','.join(tb['components']):<10} {tb['symbols']:>10,}"
                     f" {tb['code_bits']:>12,} {tb['entropy_bits']:>12,.0f} {over:>+6.2f}%"
                     f" {tb['optimal_code_bits']:>12,}")
    hr = f["lossless_headroom"]
    how = ("exact: every scan re-coded" if hr["exact"] else
           "code bits and DHT bytes; stuffing and padding not counted")
    lines.append("")
    if hr["bits"] > 0:
        lines.append(f"lossless headroom: optimized Huffman tables would save {hr['bits']:,} bits "
                     f"({hr['bits'] / 8:,.0f} bytes, {100.0 * hr['bits'] / fb:.2f}% of the file;"
                     f" {how})")
    elif hr["bits"] == 0:
        lines.append(f"lossless headroom: none from Huffman tables: the file's are optimal for "
                     f"its symbols ({how})")
    else:
        lines.append(f"lossless headroom: none from Huffman tables: optimal ones would add "
                     f"{-hr['bits']:,} bits ({how})")
    if hr.get("optimize_bits") is not None:
        lines.append(f"jpeglite.optimize (tables and a progressive scan script) saves "
                     f"{hr['optimize_bits']:,} bits ({hr['optimize_bits'] / 8:,.0f} bytes, "
                     f"{100.0 * hr['optimize_bits'] / fb:.2f}% of the file)")
    lines.append(_coefficients_line(r))
    return "\n".join(lines)


def _plain(obj):
    """Recursively turn numpy scalars/arrays, tuples and odd keys into JSON-ready values."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (bytes, bytearray)):
        return len(obj)
    return str(obj)


# ---- measurements -------------------------------------------------------


def _code_length_rows(counts):
    """Ideal code length in bits of each row of a 2-D histogram array, as float64."""
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.sum(axis=-1)
    # N log2 N - sum n_i log2 n_i  ==  sum -n_i log2(n_i / N); 0 log 0 = 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        nlogn = np.where(counts > 0, counts * np.log2(np.where(counts > 0, counts, 1)), 0.0)
        total = np.where(n > 0, n * np.log2(np.where(n > 0, n, 1)), 0.0)
    return np.maximum(total - nlogn.sum(axis=-1), 0.0)


def histogram_code_length(counts) -> float:
    """Ideal code length in bits of a symbol histogram under its own distribution.

    ``counts[i]`` is how often symbol i occurs (any shape; all entries form one
    histogram). Returns ``sum(-n_i * log2(n_i / N))`` with ``N = sum(n_i)``:
    the fewest bits any prefix code built for exactly these counts could reach
    (the zeroth-order empirical entropy times N). An empty or single-symbol
    histogram costs 0 bits.
    """
    counts = np.asarray(counts)
    if counts.size and counts.min() < 0:
        raise ValueError("histogram counts must be non-negative")
    return float(_code_length_rows(counts.reshape(1, -1))[0])


def _as_blocks(coefs):
    """View coefficient data as (nblocks, 64): last axis 64 or last two axes 8x8."""
    coefs = np.asarray(coefs)
    if not np.issubdtype(coefs.dtype, np.integer):
        raise TypeError(f"coefficients must be an integer array, got {coefs.dtype}")
    if coefs.ndim >= 2 and coefs.shape[-2:] == (8, 8):
        return coefs.reshape(-1, 64)
    if coefs.ndim >= 1 and coefs.shape[-1] == 64:
        return coefs.reshape(-1, 64)
    raise ValueError(
        f"coefficients must have shape (..., 64) or (..., 8, 8), got {coefs.shape}")


# Bound the temporary index array of the histogram to a few MB per chunk.
_CHUNK_BLOCKS = 1 << 15


def frequency_entropy_bits(coefs) -> np.ndarray:
    """Per-frequency ideal code length (bits) of one component's DCT coefficients.

    ``coefs``: integer array of shape ``(..., 64)`` or ``(..., 8, 8)``; every
    leading index is one block. Returns a float64 array of 64 entries, in the
    order of the input's frequency axis: entry k is ``count * H_k`` where
    ``H_k`` is the zeroth-order empirical entropy (bits per value) of
    frequency k over all blocks. The sum is the ideal code length of the
    coefficients under a memoryless model per frequency.
    """
    blocks = _as_blocks(coefs)
    if blocks.shape[0] == 0:
        return np.zeros(64)
    lo, hi = int(blocks.min()), int(blocks.max())
    span = hi - lo + 1
    if 64 * span > (1 << 26):
        # Values too spread for one joint histogram: count each frequency on its own.
        counts = [np.unique(blocks[:, k], return_counts=True)[1] for k in range(64)]
        return np.array([histogram_code_length(c) for c in counts])
    # One bincount over (frequency, value) pairs: frequency k owns bins [k*span, (k+1)*span).
    offsets = np.arange(64, dtype=np.int64) * span - lo
    hist = np.zeros(64 * span, dtype=np.int64)
    for start in range(0, blocks.shape[0], _CHUNK_BLOCKS):
        chunk = blocks[start:start + _CHUNK_BLOCKS].astype(np.int64) + offsets
        hist += np.bincount(chunk.ravel(), minlength=64 * span)
    return _code_length_rows(hist.reshape(64, span))


def coefficient_entropy_bits(coefs) -> float:
    """Zeroth-order empirical entropy in bits of one component's DCT coefficients.

    The sum over the 64 frequencies of :func:`frequency_entropy_bits`: what an
    ideal coder with one memoryless model per frequency would pay. Sum it over
    the components for a whole image.
    """
    return float(frequency_entropy_bits(coefs).sum())


def amplitude_bits(symbol_counts) -> int:
    """Amplitude bits that follow a histogram of JPEG Huffman symbols, in bits.

    ``symbol_counts``: 256 counts indexed by symbol. For DC symbols (the size
    category 0..11) and AC symbols (RRRRSSSS) alike, each occurrence of symbol
    s is followed by ``s & 15`` extra bits, so this is ``sum(n_s * (s & 15))``.
    """
    counts = np.asarray(symbol_counts, dtype=np.int64).ravel()
    if counts.size > 256:
        raise ValueError(f"a JPEG symbol histogram has at most 256 entries, got {counts.size}")
    sizes = np.arange(counts.size, dtype=np.int64) & 15
    return int((counts * sizes).sum())


def _check_pair(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"images differ in shape: {a.shape} vs {b.shape}")
    if a.size == 0:
        raise ValueError("images are empty")
    return a, b


def mse(a, b) -> float:
    """Mean squared error between two same-shape uint8 images, over every sample.

    In squared 8-bit levels; computed exactly in integers, in one pass
    without temporaries (``_color.squared_error``, the kernel ``analyze``
    measures its decodes with).
    """
    from ._color import squared_error

    a, b = _check_pair(a, b)
    return squared_error(a, b) / a.size


def psnr_from_mse(err: float, peak: float = 255.0) -> float:
    """PSNR in dB for a mean squared error: ``10 log10(peak^2 / mse)``; ``inf`` when mse is 0."""
    if err < 0:
        raise ValueError("mean squared error cannot be negative")
    if err == 0:
        return math.inf
    return 10.0 * math.log10(peak * peak / err)


def psnr(a, b) -> float:
    """Peak signal-to-noise ratio in dB between two uint8 images (peak 255).

    Identical images have PSNR ``inf`` (a lossless result, not an error).
    """
    return psnr_from_mse(mse(a, b))


def _levers_text(levers):
    """The lever table of a tuned encode ('' without one)."""
    if not levers:
        return ""
    lines = ["", "", f"{'lever':<28} {'bits':>12} {'PSNR dB':>9} {'bits change':>12} {'dB change':>10}"]
    for row in levers:
        lines.append(f"{row['lever']:<28} {row['bits']:>12,} {row['psnr']:>9.3f}"
                     f" {100.0 * row['bits_change']:>+11.2f}% {row['psnr_change']:>+10.3f}")
    return "\n".join(lines)
