"""Lossless re-optimization: a JPEG file -> its Coefficients -> the smallest file of them.

Nothing here touches a pixel: the coefficients are read, and written again
with better Huffman coding, so the decoded image is the input's exactly.
The candidates are a progressive file with a script searched for this image
(``scans.search``) and a baseline file with optimal tables
(``encoder.encode_coefficients``); the smallest wins, and the input itself
when neither is smaller.
"""
from __future__ import annotations

from . import jfif, scans as _scans
from .coefficients import check_coefficients
from .progressive import write_progressive

__all__ = ["optimize"]


def _jfif_app0(data):
    """The payload of the file's JFIF APP0 segment (its density and
    thumbnail), or None; looked for only among the segments before the first
    SOF or SOS, and None when those are malformed (the decoder, which read
    the file, is lenient where this walk is not)."""
    from .errors import JPEGError

    try:
        pos = jfif.check_soi(data)
        while pos + 4 <= len(data) and data[pos] == 0xFF:
            code, code_pos = jfif.marker_code(data, pos)
            if code in (jfif.SOS, jfif.SOF0, jfif.SOF1, jfif.SOF2, jfif.EOI):
                return None
            start, end = jfif.segment_bounds(data, code_pos, f"0x{code:02X}", lenient=True)
            if code == jfif.APP0 and data[start:start + 5] == b"JFIF\0":
                return bytes(data[start:end])
            pos = end
    except JPEGError:
        pass
    return None


def optimize(data, progressive=True, keep_metadata=True, threads=1, max_pixels=None):
    """The smallest re-coding of a JPEG file's coefficients (checked arguments;
    see ``jpeglite.optimize``)."""
    from . import decoder
    from .parallel import resolve_threads

    from .encoder import encode_coefficients

    c = decoder.read_coefficients(data, max_pixels or decoder.DEFAULT_MAX_PIXELS)
    try:
        c = check_coefficients(c)
    except ValueError:
        # coefficients beyond 8-bit JPEG's limits can be read but not written again
        return data
    if not keep_metadata:
        c.metadata = []
    arrays = [k.blocks for k in c.components]
    app0 = _jfif_app0(data) if keep_metadata and c.color in ("gray", "ycbcr") else None
    threads = resolve_threads(threads, c.width * c.height)
    best = data
    # (12-bit coefficients: the progressive coder stops at 8-bit categories)
    if progressive and c.precision == 8:
        script, costs = _scans.search_costs(c, arrays, threads)
        out = write_progressive(c, script, arrays, threads=threads, keep_metadata=keep_metadata,
                                counted=costs.counted, app0=app0)
        if len(out) < len(best):
            best = out
    # a baseline file pays for one set of tables and one scan header: on small
    # images it can beat every progressive script; its exact size before
    # stuffing decides whether it is worth coding
    out = encode_coefficients(c, True, 0, app0=app0, limit=len(best))
    if out is not None and len(out) < len(best):
        best = out
    return best
