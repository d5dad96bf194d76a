"""Lossless re-optimization: a JPEG file -> its Coefficients -> the smallest file of them.

Nothing here touches a pixel: the coefficients are read, and written again
with better Huffman coding, so the decoded image is the input's exactly.
The candidates are a progressive file with a script searched for this image
(``scans.search``) and a baseline file with optimal tables; the smallest
wins, and the input itself when neither is smaller.
"""
from __future__ import annotations

from . import jfif, scans as _scans
from .coefficients import check_coefficients
from .progressive import frame_header, write_progressive

__all__ = ["optimize", "write_sequential"]


def write_sequential(coefficients, arrays, keep_metadata=True, app0=None, limit=None):
    """A baseline (SOF0; SOF1 when a quantization table needs 16 bits) file of
    checked coefficients, one interleaved scan with optimal Huffman tables
    (libjpeg's optimize_coding), no restart markers.

    ``limit``: a size in bytes; when the file's exact size before stuffing
    (known from the symbol counts) is not below it, None is returned
    without coding the scan.
    """
    import numpy as np
    from . import _entropy
    from ._huffman import make_codes, optimal_table

    c = coefficients
    slots = _scans.TABLE_SLOTS[c.color]
    blocks = [a.reshape(a.shape[0], a.shape[1], 64) for a in arrays]
    if len(blocks) == 1:
        h = v = [1]
        mcus = (blocks[0].shape[1], blocks[0].shape[0])
    else:
        h = [k.h for k in c.components]
        v = [k.v for k in c.components]
        mcus = (-(-c.width // (8 * c.max_h)), -(-c.height // (8 * c.max_v)))
    counts = _entropy.count_symbols(blocks, h, v, mcus[0], mcus[1], 0)
    tables = {}
    for slot in dict.fromkeys(slots):
        users = [i for i, s in enumerate(slots) if s == slot]
        tables[(0, slot)] = optimal_table(counts[users, 0].sum(axis=0))
        tables[(1, slot)] = optimal_table(counts[users, 1].sum(axis=0))
    wide = any(int(c.qtables[k.quant_slot].max()) > 255 for k in c.components)
    parts = [frame_header(c, 0xC1 if wide else 0xC0, keep_metadata, app0)]
    for key in dict.fromkeys(k for s in slots for k in ((0, s), (1, s))):
        parts.append(jfif.dht(key[0], key[1], *tables[key]))
    parts.append(jfif.sos([(k.id, s, s) for k, s in zip(c.components, slots)]))
    header = b"".join(parts)
    if limit is not None:
        # every symbol's code bits plus its amplitude bits (the low 4 bits of
        # DC and AC symbols alike)
        bits = 0
        sizes = np.arange(256) & 15
        for cls, slot in tables:
            users = [i for i, s in enumerate(slots) if s == slot]
            total = counts[users, cls].sum(axis=0)
            bits += _scans.huffman_bits(total)[0] + int((total * sizes).sum())
        if len(header) + (bits + 7) // 8 + 2 >= limit:
            return None
    codes = {key: make_codes(*t) for key, t in tables.items()}
    data = _entropy.encode_scan(blocks, h, v, mcus[0], mcus[1], [codes[(0, s)] for s in slots],
                                [codes[(1, s)] for s in slots], 0)
    return header + data + jfif.eoi()


def _jfif_app0(data):
    """The payload of the file's JFIF APP0 segment (its density and
    thumbnail), or None; read only up to the first SOF or SOS."""
    pos = jfif.check_soi(data)
    n = len(data)
    while pos + 4 <= n and data[pos] == 0xFF:
        code, code_pos = jfif.marker_code(data, pos)
        if code in (jfif.SOS, jfif.SOF0, jfif.SOF1, jfif.SOF2) or code == jfif.EOI:
            return None
        start, end = jfif.segment_bounds(data, code_pos, f"0x{code:02X}", lenient=True)
        if code == jfif.APP0 and data[start:start + 5] == b"JFIF\0":
            return bytes(data[start:end])
        pos = end
    return None


def optimize(data, progressive=True, keep_metadata=True, threads=1, max_pixels=None):
    """The smallest re-coding of a JPEG file's coefficients (checked arguments;
    see ``jpeglite.optimize``)."""
    from . import decoder
    from .parallel import resolve_threads

    c = decoder.read_coefficients(data, max_pixels or decoder.DEFAULT_MAX_PIXELS)
    try:
        arrays = check_coefficients(c)
    except ValueError:
        # coefficients beyond 8-bit JPEG's limits can be read but not written again
        return data
    if not keep_metadata:
        c.metadata = []
    app0 = _jfif_app0(data) if keep_metadata and c.color in ("gray", "ycbcr") else None
    threads = resolve_threads(threads, c.width * c.height)
    best = data
    if progressive:
        script, costs = _scans.search_costs(c, arrays, threads)
        out = write_progressive(c, script, arrays, threads=threads, keep_metadata=keep_metadata,
                                counted=costs.counted, app0=app0)
        if len(out) < len(best):
            best = out
    # a baseline file pays for one set of tables and one scan header: on small
    # images it can beat every progressive script; its exact size before
    # stuffing decides whether it is worth coding
    out = write_sequential(c, arrays, keep_metadata, app0, limit=len(best))
    if out is not None and len(out) < len(best):
        best = out
    return best
