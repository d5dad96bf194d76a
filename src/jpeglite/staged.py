"""The encoder one stage at a time, over the whole image, keeping every intermediate.

``encode`` runs the fused driver (one MCU row at a time through all stages);
``encode_stages`` runs the same kernels stage by stage over the whole image and
returns every intermediate array, the symbol statistics, the bytes and the
wall time of each stage. Its ``data`` equals ``encode``'s output byte for byte
(a test says so), so the accounting built on it (``analyze``) describes the
file ``encode`` writes.

The stage functions it calls, each usable alone:

- ``_color.rgb_to_ycbcr(image, out=None) -> (3, H, W) uint8``
- ``_subsample.downsample(plane, hexp, vexp, out_rows, out_cols) -> uint8 plane``
- ``_dct.fdct_blocks(plane, out=None) -> (BY, BX, 64) int32`` (natural order, scaled by 8)
- ``_quant.quantize_blocks(coefs, qtable, out=None) -> (BY, BX, 64) int16`` (natural order)
- ``_quant.zigzag_blocks(blocks) -> same shape, zigzag order``
- ``_entropy.count_symbols(blocks, h, v, mcus_x, mcus_y, restart_interval)
  -> (components, 2, 256) int64``
- ``_entropy.encode_scan(blocks, h, v, mcus_x, mcus_y, dc_tables, ac_tables,
  restart_interval) -> bytes``

(``out``: a band of a preallocated whole-image array to fill, so that row
bands of one stage can run on the thread pool; every kernel releases the GIL.)
"""
import time
from dataclasses import dataclass, field

import numpy as np

from . import _color, _dct, _encoder, _entropy, _quant, _subsample
from . import jfif as _jfif
from . import parallel as _parallel
from .options import EncodePlan, plan_encode

__all__ = ["EncodeStages", "encode_stages", "run_stages"]


@dataclass
class EncodeStages:
    """Every intermediate of one encode, in pipeline order.

    Attributes:
        plan: the EncodePlan (components, quantization tables, restart interval).
        geometry: frame geometry (``_encoder.geometry``): mcus_x, mcus_y and,
            per component, wb/hb (blocks across/down holding data), hexp/vexp.
        ycc: (C, H, W) uint8 colour planes (Y, Cb, Cr; grayscale: Y only).
        planes: per component, the subsampled plane padded to whole blocks,
            (8 hb, 8 wb) uint8.
        coefficients: per component, FDCT output (hb, wb, 64) int32, natural
            order, scaled by 8 as libjpeg leaves it (true DCT = value / 8).
        quantized: per component, (hb, wb, 64) int16, natural order.
        zigzag: per component, the quantized blocks in zigzag order (None when
            ``encode_stages`` ran with ``keep_zigzag=False``).
        counts: (C, 2, 256) int64 symbol counts per component: [c, 0] DC
            categories, [c, 1] AC run/size symbols (dummy edge blocks included).
        tables: {(class, id): (bits, values)}: the Huffman tables written
            (class 0 = DC, 1 = AC), standard or optimized.
        codes: {(class, id): (codes, sizes)} of those tables.
        header: the bytes before the entropy-coded data (SOI .. SOS).
        scan: the entropy-coded data (stuffed, padded, with RSTn markers).
        data: the whole file: header + scan + EOI.
        seconds: wall time per stage in seconds: color, subsample, dct,
            quantize, zigzag (unless skipped), count, huffman, container.
    """

    plan: EncodePlan
    geometry: dict
    ycc: np.ndarray
    planes: list
    coefficients: list
    quantized: list
    zigzag: list
    counts: np.ndarray
    tables: dict
    codes: dict
    header: bytes
    scan: bytes
    data: bytes
    seconds: dict = field(default_factory=dict)

    def table_counts(self):
        """{(class, id): int64[256]}: symbol histogram of each Huffman table (its components summed)."""
        out = {}
        for ci, comp in enumerate(self.plan.components):
            for cls, tid in ((0, comp[4]), (1, comp[5])):
                out.setdefault((cls, tid), np.zeros(256, np.int64))
                out[(cls, tid)] += self.counts[ci, cls]
        return out

    def huffman_bits(self):
        """Per component, bits spent in the scan: a list of dicts.

        Keys ``dc_code``, ``dc_amplitude``, ``ac_code``, ``ac_amplitude``: the
        Huffman code bits of its DC/AC symbols and the extra (amplitude) bits
        that follow them. Exact: their sum over components is the scan's bit
        count before padding, stuffing and restart markers.
        """
        sizes = np.arange(256) & 15       # a symbol's low nibble is its amplitude size
        out = []
        for ci, comp in enumerate(self.plan.components):
            row = {}
            for cls, tid, name in ((0, comp[4], "dc"), (1, comp[5], "ac")):
                lengths = self.codes[(cls, tid)][1].astype(np.int64)
                row[name + "_code"] = int(self.counts[ci, cls] @ lengths)
                row[name + "_amplitude"] = int(self.counts[ci, cls] @ sizes)
            out.append(row)
        return out

    def header_segments(self):
        """The marker segments before the scan: a list of (name, bytes) in file order.

        Names are SOI, APP0, APP1 (Exif), APP2 (ICC chunks), COM, DQT, SOF0
        (SOF1 with 16-bit tables), DHT, DRI, SOS; the byte counts include
        the 2-byte marker. model bits (L(P)) = 8 x the DQT and DHT bytes; the
        rest of the header plus the 2-byte EOI is header overhead.
        """
        names = {0xD8: "SOI", 0xE0: "APP0", 0xE1: "APP1", 0xE2: "APP2", 0xFE: "COM",
                 0xDB: "DQT", 0xC0: "SOF0", 0xC1: "SOF1", 0xC4: "DHT", 0xDD: "DRI", 0xDA: "SOS"}
        h, pos, out = self.header, 2, [("SOI", 2)]
        while pos < len(h):
            length = 2 + int.from_bytes(h[pos + 2:pos + 4], "big")
            out.append((names.get(h[pos + 1], f"FF{h[pos + 1]:02X}"), length))
            pos += length
        return out

    def scan_layout(self):
        """Where the scan's bytes go: a dict of ints.

        ``scan_bytes`` (len(scan)), ``symbol_bits`` (Huffman code + amplitude
        bits, all components), ``stuffed_bytes`` (0x00 after each 0xFF data
        byte), ``restart_markers`` (RSTn count, 2 bytes each) and
        ``padding_bits`` (1-bits filling the last byte of each interval);
        8 * scan_bytes == symbol_bits + padding_bits + 8 * stuffed_bytes
        + 16 * restart_markers.
        """
        s = self.scan
        b = np.frombuffer(s, np.uint8)
        after_ff = b[1:][b[:-1] == 0xFF]        # the byte after each 0xFF but the last byte
        stuffed = int(np.count_nonzero(after_ff == 0))
        rst = int(np.count_nonzero((after_ff >= 0xD0) & (after_ff <= 0xD7)))
        symbol_bits = sum(sum(r.values()) for r in self.huffman_bits())
        padding = 8 * len(s) - symbol_bits - 8 * stuffed - 16 * rst
        return {"scan_bytes": len(s), "symbol_bits": symbol_bits, "stuffed_bytes": stuffed,
                "restart_markers": rst, "padding_bits": padding}


def _count_symbols(quantized, sh, sv, mcus_x, mcus_y, restart_interval, threads):
    """``_entropy.count_symbols`` of the whole scan, MCU-row bands counted in parallel.

    Each band is counted as a scan of its own, so its first DC of each
    component is predicted from 0; that one symbol is moved to the category
    of its difference from the last DC of the band before (the block coded
    last before it). With restart markers the bands are only split at MCU
    rows that start an interval, where the prediction is 0 anyway.
    """
    bands = _parallel.split(mcus_y, threads)
    if restart_interval and any((a * mcus_x) % restart_interval for a, _ in bands):
        bands = [(0, mcus_y)]
    if len(bands) == 1:
        return _entropy.count_symbols(quantized, sh, sv, mcus_x, mcus_y, restart_interval)

    def count(band):
        my0, my1 = band
        return _entropy.count_symbols([q[my0 * sv[c]:my1 * sv[c]] for c, q in enumerate(quantized)],
                                      sh, sv, mcus_x, my1 - my0, restart_interval)

    per_band = _parallel.run(count, bands, threads)
    counts = sum(per_band)
    if not restart_interval:
        for my0, _ in bands[1:]:
            for c, q in enumerate(quantized):
                first = int(q[my0 * sv[c], 0, 0])
                prev = int(q[my0 * sv[c] - 1, -1, 0])
                counts[c, 0, abs(first).bit_length()] -= 1
                counts[c, 0, abs(first - prev).bit_length()] += 1
    return counts


def encode_stages(image, quality=None, *, subsampling=None, optimize=False,
                  restart_interval=0, keep_zigzag=True, threads=None, on_quantized=None,
                  qtables=None, icc_profile=None, exif=None, comment=None, tune=None):
    """Encode like ``jpeglite.encode`` (same arguments, same bytes), stage by stage.

    Returns an ``EncodeStages`` with every intermediate array, the symbol
    counts, the tables and the wall seconds of each stage.
    ``keep_zigzag=False`` skips the zigzag arrays (``zigzag`` is None, no
    "zigzag" seconds): the symbol counter and the scan coder read natural order
    through the zigzag map themselves, so only a caller that wants to look at
    the zigzag arrays needs them (``analyze`` does not; they cost a whole-image
    gather).
    ``threads``: threads working on each stage, the calling one included, as
    ``encode``'s (None: all cores, fewer for small images). Each stage's work
    is split into row bands or components shared by the pool; the stages still
    run one after another, so ``seconds`` is still the wall time of each. Every
    array and byte is the same for every thread count. The scan coding runs on
    one thread.
    ``on_quantized``: called with (coefficients, quantized), the lists of
    arrays, once the quantize stage is timed and before the symbols are
    counted, so that a caller (``analyze``) can start measuring them on
    another thread while the remaining stages run on this one.
    """
    _parallel.check_threads(threads)          # argument errors before image errors
    image, plan = plan_encode(image, quality, subsampling, optimize, restart_interval, qtables,
                              icc_profile, exif, comment, tune=tune)
    threads = _parallel.resolve_threads(threads, plan.height * plan.width)
    return run_stages(image, plan, threads, keep_zigzag=keep_zigzag, on_quantized=on_quantized)


def run_stages(image, plan, threads, *, keep_zigzag=True, on_quantized=None):
    """``encode_stages`` of a checked image (C-contiguous uint8) under an
    ``EncodePlan`` on ``threads`` threads (an int >= 1)."""
    g = _encoder.geometry(plan.height, plan.width, plan.h, plan.v)
    ncomp = len(plan.components)
    height, width = plan.height, plan.width
    run = _parallel.run
    sec = {}

    t = time.perf_counter()
    if ncomp == 3:
        ycc = np.empty((3, height, width), np.uint8)
        run(lambda b: _color.rgb_to_ycbcr(image[b[0]:b[1]], ycc[:, b[0]:b[1]]),
            _parallel.split(height, threads), threads)
    else:
        ycc = image[None].copy()
    sec["color"] = time.perf_counter() - t

    t = time.perf_counter()
    planes = run(lambda c: _subsample.downsample(ycc[c], g["hexp"][c], g["vexp"][c],
                                                 8 * g["hb"][c], 8 * g["wb"][c]),
                 range(ncomp), threads)
    sec["subsample"] = time.perf_counter() - t

    # block-row bands of every component, in one list so the threads share them all
    jobs = [(c, a, b) for c in range(ncomp) for a, b in _parallel.split(g["hb"][c], threads)]

    t = time.perf_counter()
    coefficients = [np.empty((g["hb"][c], g["wb"][c], 64), np.int32) for c in range(ncomp)]
    run(lambda j: _dct.fdct_blocks(planes[j[0]][8 * j[1]:8 * j[2]], coefficients[j[0]][j[1]:j[2]]),
        jobs, threads)
    sec["dct"] = time.perf_counter() - t

    t = time.perf_counter()
    qtables = plan.component_qtables()
    quantized = [np.empty(c.shape, np.int16) for c in coefficients]
    run(lambda j: _quant.quantize_blocks(coefficients[j[0]][j[1]:j[2]], qtables[j[0]],
                                         quantized[j[0]][j[1]:j[2]]),
        jobs, threads)
    if plan.tune is not None:
        # the rounded blocks are the first estimate of the symbol statistics
        from . import tune
        # DC chains in the order the (interleaved) scan codes them; restart
        # markers break the chains, so they keep rounded DCs
        order = None if plan.restart_interval else tune.coding_order(
            [q.shape[:2] for q in quantized], plan.h, plan.v, g["mcus_x"], g["mcus_y"])
        quantized = tune.rd_quantize(coefficients, qtables, tune.component_weights(plan.h, plan.v),
                                     [c[5] for c in plan.components], plan.lam, threads,
                                     quantized, [c[4] for c in plan.components], order)
    sec["quantize"] = time.perf_counter() - t
    if on_quantized is not None:
        on_quantized(coefficients, quantized)

    zigzag = None
    if keep_zigzag:
        t = time.perf_counter()
        zigzag = [_quant.zigzag_blocks(q) for q in quantized]
        sec["zigzag"] = time.perf_counter() - t

    sh, sv = (plan.h, plan.v) if ncomp > 1 else ([1], [1])
    t = time.perf_counter()
    counts = _count_symbols(quantized, sh, sv, g["mcus_x"], g["mcus_y"], plan.restart_interval,
                            threads)
    sec["count"] = time.perf_counter() - t

    t = time.perf_counter()
    tables = plan.huffman_tables(counts if plan.optimize else None)
    dc, ac = plan.component_codes(tables)
    scan = _entropy.encode_scan(quantized, sh, sv, g["mcus_x"], g["mcus_y"], dc, ac,
                                plan.restart_interval)
    sec["huffman"] = time.perf_counter() - t

    t = time.perf_counter()
    header = plan.header(tables)
    data = b"".join((header, scan, _jfif.eoi()))    # one copy of the scan
    sec["container"] = time.perf_counter() - t

    from ._huffman import make_codes
    codes = {key: make_codes(*tab) for key, tab in tables.items()}
    return EncodeStages(plan, g, ycc, planes, coefficients, quantized, zigzag, counts, tables,
                        codes, header, scan, data, sec)
