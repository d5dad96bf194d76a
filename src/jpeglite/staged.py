"""The encoder one stage at a time, over the whole image, keeping every intermediate.

``encode`` runs the fused driver (one MCU row at a time through all stages);
``encode_stages`` runs the same kernels stage by stage over the whole image and
returns every intermediate array, the symbol statistics, the bytes and the
wall time of each stage. Its ``data`` equals ``encode``'s output byte for byte
(a test says so), so the accounting built on it (``analyze``) describes the
file ``encode`` writes.

The stage functions it calls, each usable alone:

- ``_color.rgb_to_ycbcr(image) -> (3, H, W) uint8``
- ``_subsample.downsample(plane, hexp, vexp, out_rows, out_cols) -> uint8 plane``
- ``_dct.fdct_blocks(plane) -> (BY, BX, 64) int32`` (natural order, scaled by 8)
- ``_quant.quantize_blocks(coefs, qtable) -> (BY, BX, 64) int16`` (natural order)
- ``_quant.zigzag_blocks(blocks) -> same shape, zigzag order``
- ``_entropy.count_symbols(blocks, h, v, mcus_x, mcus_y, restart_interval)
  -> (components, 2, 256) int64``
- ``_entropy.encode_scan(blocks, h, v, mcus_x, mcus_y, dc_tables, ac_tables,
  restart_interval) -> bytes``
"""
import time
from dataclasses import dataclass, field

import numpy as np

from . import _color, _dct, _encoder, _entropy, _quant, _subsample
from . import jfif as _jfif
from .api import EncodePlan, _plan

__all__ = ["EncodeStages", "encode_stages"]


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
        zigzag: per component, the quantized blocks in zigzag order.
        counts: (C, 2, 256) int64 symbol counts per component: [c, 0] DC
            categories, [c, 1] AC run/size symbols (dummy edge blocks included).
        tables: {(class, id): (bits, values)}: the Huffman tables written
            (class 0 = DC, 1 = AC), standard or optimized.
        codes: {(class, id): (codes, sizes)} of those tables.
        header: the bytes before the entropy-coded data (SOI .. SOS).
        scan: the entropy-coded data (stuffed, padded, with RSTn markers).
        data: the whole file: header + scan + EOI.
        seconds: wall time per stage in seconds: color, subsample, dct,
            quantize, zigzag, count, huffman, container.
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

        Names are SOI, APP0, DQT, SOF0, DHT, DRI, SOS; the byte counts include
        the 2-byte marker. model bits (L(P)) = 8 x the DQT and DHT bytes; the
        rest of the header plus the 2-byte EOI is header overhead.
        """
        names = {0xD8: "SOI", 0xE0: "APP0", 0xDB: "DQT", 0xC0: "SOF0", 0xC4: "DHT",
                 0xDD: "DRI", 0xDA: "SOS"}
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
        ff = np.flatnonzero(np.frombuffer(s, np.uint8)[:-1] == 0xFF) if len(s) > 1 else []
        stuffed = sum(1 for i in ff if s[i + 1] == 0)
        rst = sum(1 for i in ff if 0xD0 <= s[i + 1] <= 0xD7)
        symbol_bits = sum(sum(r.values()) for r in self.huffman_bits())
        padding = 8 * len(s) - symbol_bits - 8 * stuffed - 16 * rst
        return {"scan_bytes": len(s), "symbol_bits": symbol_bits, "stuffed_bytes": stuffed,
                "restart_markers": rst, "padding_bits": padding}


def encode_stages(image, quality=75, *, subsampling="4:2:0", optimize=False, restart_interval=0):
    """Encode like ``jpeglite.encode`` (same arguments, same bytes), stage by stage.

    Returns an ``EncodeStages`` with every intermediate array, the symbol
    counts, the tables and the wall seconds of each stage.
    """
    image, plan = _plan(image, quality, subsampling, optimize, restart_interval)
    g = _encoder.geometry(plan.height, plan.width, plan.h, plan.v)
    ncomp = len(plan.components)
    sec = {}

    t = time.perf_counter()
    ycc = _color.rgb_to_ycbcr(image) if ncomp == 3 else image[None].copy()
    sec["color"] = time.perf_counter() - t

    t = time.perf_counter()
    planes = [_subsample.downsample(ycc[c], g["hexp"][c], g["vexp"][c], 8 * g["hb"][c],
                                    8 * g["wb"][c]) for c in range(ncomp)]
    sec["subsample"] = time.perf_counter() - t

    t = time.perf_counter()
    coefficients = [_dct.fdct_blocks(p) for p in planes]
    sec["dct"] = time.perf_counter() - t

    t = time.perf_counter()
    quantized = [_quant.quantize_blocks(c, q)
                 for c, q in zip(coefficients, plan.component_qtables())]
    sec["quantize"] = time.perf_counter() - t

    t = time.perf_counter()
    zigzag = [_quant.zigzag_blocks(q) for q in quantized]
    sec["zigzag"] = time.perf_counter() - t

    sh, sv = (plan.h, plan.v) if ncomp > 1 else ([1], [1])
    t = time.perf_counter()
    counts = _entropy.count_symbols(quantized, sh, sv, g["mcus_x"], g["mcus_y"],
                                    plan.restart_interval)
    sec["count"] = time.perf_counter() - t

    t = time.perf_counter()
    tables = plan.huffman_tables(counts if plan.optimize else None)
    dc, ac = plan.component_codes(tables)
    scan = _entropy.encode_scan(quantized, sh, sv, g["mcus_x"], g["mcus_y"], dc, ac,
                                plan.restart_interval)
    sec["huffman"] = time.perf_counter() - t

    t = time.perf_counter()
    header = plan.header(tables)
    data = header + scan + _jfif.eoi()
    sec["container"] = time.perf_counter() - t

    from ._huffman import make_codes
    codes = {key: make_codes(*tab) for key, tab in tables.items()}
    return EncodeStages(plan, g, ycc, planes, coefficients, quantized, zigzag, counts, tables,
                        codes, header, scan, data, sec)
