"""Progressive JPEG files from Coefficients: the scans of a script, each with its own optimal tables.

libjpeg always optimizes the Huffman tables of a progressive file (its
default tables were made for sequential data), building them per scan:
each scan is counted, then its tables are built from its own counts
(components sharing a table slot add their counts) and sent in DHT
segments just before its SOS. jpeglite does the same, so with libjpeg's
script (``scans.default_script``) the file equals libjpeg-turbo's (Pillow's
``progressive=True``) byte for byte.

Once the coefficients are known the scans are independent: they are
counted and coded on the shared thread pool.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import jfif, scans as _scans
from .coefficients import Coefficients, Component, COLOR_TRANSFORMS, component_size

__all__ = ["encode_progressive", "coefficients_from_image", "check_coefficients",
           "table_slots", "ScanPlan", "plan_scans"]

# Huffman table slot (DC and AC alike) of each component, as libjpeg's
# jpeg_set_colorspace assigns them: luma 0, chroma 1; other components 0.
_TABLE_SLOTS = {"gray": (0,), "ycbcr": (0, 1, 1), "rgb": (0, 0, 0), "cmyk": (0, 0, 0, 0),
                "ycck": (0, 1, 1, 0)}

# Adobe APP14 transform flag of the colour transforms a JFIF APP0 cannot name.
_ADOBE_TRANSFORM = {"rgb": 0, "cmyk": 0, "ycck": 2}

_AC_LIMIT = 1023    # 10-bit AC magnitudes (T.81 F.1.2.2, 8-bit samples)
_DC_LIMIT = 2047    # 11-bit DC values


def table_slots(coefficients):
    """The Huffman table slot (0 or 1) of each component, libjpeg's assignment."""
    return _TABLE_SLOTS[coefficients.color]


def check_coefficients(coefficients):
    """Check a Coefficients object before anything is written; returns the
    list of its block arrays as C-contiguous int16 (block rows, block
    columns, 8, 8).

    TypeError for a wrong type or dtype; ValueError for a wrong shape, a
    missing or bad quantization table, or a coefficient too large for 8-bit
    JPEG (AC beyond +-1023, DC beyond +-2047), naming the component, block
    (row, column) and frequency.
    """
    if not isinstance(coefficients, Coefficients):
        raise TypeError(f"coefficients must be a jpeglite Coefficients, "
                        f"not {type(coefficients).__name__}")
    c = coefficients
    if c.color not in COLOR_TRANSFORMS:
        raise ValueError(f"coefficients.color must be one of {COLOR_TRANSFORMS}, got {c.color!r}")
    comps = c.components
    if len(comps) != len(_TABLE_SLOTS[c.color]):
        raise ValueError(f"{c.color} coefficients need {len(_TABLE_SLOTS[c.color])} components, "
                         f"got {len(comps)}")
    for name in ("width", "height"):
        v = getattr(c, name)
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or not 1 <= v <= 65535:
            raise ValueError(f"coefficients.{name} must be in 1..65535, got {v!r}")
    arrays = []
    for i, comp in enumerate(comps):
        if not isinstance(comp, Component):
            raise TypeError(f"component {i} must be a Component, not {type(comp).__name__}")
        if not (1 <= comp.h <= 4 and 1 <= comp.v <= 4):
            raise ValueError(f"component {i}: sampling factors {comp.h}x{comp.v} (1..4)")
    max_h, max_v = c.max_h, c.max_v
    for i, comp in enumerate(comps):
        if max_h % comp.h or max_v % comp.v:
            raise ValueError(f"component {i}: sampling {comp.h}x{comp.v} does not divide "
                             f"{max_h}x{max_v}")
        b = comp.blocks
        if not isinstance(b, np.ndarray):
            raise TypeError(f"component {i}: blocks must be a numpy array, "
                            f"not {type(b).__name__}")
        if b.dtype != np.int16:
            raise TypeError(f"component {i}: blocks must have dtype int16, not {b.dtype}")
        w, h = component_size(c.width, c.height, comp.h, comp.v, max_h, max_v)
        shape = (-(-h // 8), -(-w // 8), 8, 8)
        if b.shape != shape:
            raise ValueError(f"component {i}: blocks must have shape {shape}, got {b.shape}")
        if comp.quant_slot not in c.qtables:
            raise ValueError(f"component {i}: no quantization table in slot {comp.quant_slot}")
        q = np.asarray(c.qtables[comp.quant_slot])
        if q.shape != (64,) or q.min() < 1 or q.max() > 65535:
            raise ValueError(f"quantization table {comp.quant_slot}: 64 values in 1..65535")
        flat = b.reshape(-1, 64)
        for lo, hi, limit, what in ((1, 64, _AC_LIMIT, "AC"), (0, 1, _DC_LIMIT, "DC")):
            part = flat[:, lo:hi]
            if part.max() > limit or part.min() < -limit:
                n, k = np.argwhere(np.abs(part.astype(np.int32)) > limit)[0]
                raise ValueError(f"component {i}, block ({n // shape[1]}, {n % shape[1]}), "
                                 f"frequency {k + lo} (natural order): {what} coefficient "
                                 f"{int(part[n, k])} is beyond +-{limit}, more than "
                                 f"{11 if what == 'DC' else 10} bits")
        arrays.append(np.ascontiguousarray(b))
    return arrays


class ScanPlan:
    """One scan of a file being written: its spec, coder, table slots and restart interval.

    ``spec``: the ScanSpec; ``coder``: its ``_progressive.ScanCoder``;
    ``slots``: per scan component, the Huffman table slot it uses (DC in a
    DC scan, AC in an AC scan); ``restart_interval``: MCUs per restart
    interval in this scan (0: none).
    """

    def __init__(self, spec, coder, slots, restart_interval):
        self.spec = spec
        self.coder = coder
        self.slots = slots
        self.restart_interval = restart_interval

    def tables(self, counts):
        """{slot: (bits, values)}: the optimal table of every slot the scan codes
        with, from this scan's ``counts`` (scan components sharing a slot add
        their counts, as libjpeg's jpeg_gen_optimal_table is given them)."""
        from ._huffman import optimal_table

        if self.spec.is_dc and self.spec.is_refinement:
            return {}
        out = {}
        for slot in dict.fromkeys(self.slots):
            users = [j for j, s in enumerate(self.slots) if s == slot]
            out[slot] = optimal_table(counts[users].sum(axis=0))
        return out

    def header(self, tables, component_ids, dri):
        """DHT per table (in scan-component order), DRI when ``dri``, and SOS."""
        spec = self.spec
        cls = 0 if spec.is_dc else 1
        parts = [jfif.dht(cls, slot, *tab) for slot, tab in tables.items()]
        if dri:
            parts.append(jfif.dri(self.restart_interval))
        # libjpeg writes 0 for the table a progressive scan does not use
        refine_dc = spec.is_dc and spec.is_refinement
        sos = [(component_ids[c], 0 if refine_dc or not spec.is_dc else s,
                s if not spec.is_dc else 0) for c, s in zip(spec.components, self.slots)]
        parts.append(jfif.sos(sos, spec.Ss, spec.Se, spec.Ah, spec.Al))
        return b"".join(parts)


def plan_scans(coefficients, script, arrays, restart_interval=0, restart_rows=0):
    """A ScanPlan per scan of a checked script over checked block arrays.

    ``restart_rows`` (libjpeg's restart_in_rows) sets each scan's interval to
    that many MCU rows of the scan (at most 65535 MCUs), which differs
    between interleaved and one-component scans.
    """
    from ._progressive import ScanCoder

    c = coefficients
    slots = table_slots(c)
    mcus = (-(-c.width // (8 * c.max_h)), -(-c.height // (8 * c.max_v)))
    plans = []
    for spec in script:
        coder_blocks = [arrays[i] for i in spec.components]
        sampling = [(c.components[i].h, c.components[i].v) for i in spec.components]
        interval = restart_interval
        if restart_rows:
            across = mcus[0] if len(spec.components) > 1 else coder_blocks[0].shape[1]
            interval = min(restart_rows * across, 65535)
        coder = ScanCoder(coder_blocks, sampling, mcus, (spec.Ss, spec.Se, spec.Ah, spec.Al),
                          interval)
        plans.append(ScanPlan(spec, coder, [slots[i] for i in spec.components], interval))
    return plans


def _frame_header(coefficients, marker=0xC2, keep_metadata=True):
    """SOI, APP0 JFIF (or APP14 Adobe), the metadata segments, DQT per table, SOF."""
    c = coefficients
    parts = [jfif.soi()]
    if c.color in _ADOBE_TRANSFORM:
        parts.append(jfif.app14_adobe(_ADOBE_TRANSFORM[c.color]))
    else:
        parts.append(jfif.app0_jfif())
    if keep_metadata:
        parts.extend(jfif.app_segment(m, p) for m, p in c.metadata)
    for slot in dict.fromkeys(comp.quant_slot for comp in c.components):
        parts.append(jfif.dqt(slot, c.qtables[slot]))
    parts.append(jfif.sof(marker, c.height, c.width,
                          [(comp.id, comp.h, comp.v, comp.quant_slot) for comp in c.components]))
    return b"".join(parts)


def _check_restart(restart_interval, restart_rows):
    for name, v in (("restart_interval", restart_interval), ("restart_rows", restart_rows)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must be an int, not {type(v).__name__}")
        if not 0 <= v <= 65535:
            raise ValueError(f"{name} must be in 0..65535, got {v}")
    if restart_interval and restart_rows:
        raise ValueError("give restart_interval or restart_rows, not both")
    return int(restart_interval), int(restart_rows)


def encode_progressive(coefficients, scans=None, restart_interval=0, *, restart_rows=0,
                       threads=1, keep_metadata=True):
    """A progressive JPEG file (SOF2, Huffman) of ``coefficients``; returns its bytes.

    scans: the script, a sequence of ``scans.ScanSpec`` (or (components, Ss,
        Se, Ah, Al) tuples, or dicts), checked by ``scans.check_script``;
        None: libjpeg's ``jpeg_simple_progression`` (``scans.default_script``).
    restart_interval: a restart marker every this many MCUs of each scan
        (0..65535, 0: none), as libjpeg's restart_interval (Pillow's
        ``restart_marker_blocks``).
    restart_rows: instead, a restart marker every this many MCU rows of each
        scan, as libjpeg's restart_in_rows (Pillow's ``restart_marker_rows``).
    threads: threads counting and coding scans (the scans are independent;
        None: every core); the bytes are the same for every count.
    keep_metadata: write ``coefficients.metadata`` (APPn, COM) after the
        JFIF/Adobe segment.

    The file: SOI, APP0 JFIF (APP14 Adobe for RGB/CMYK/YCCK), metadata, DQT,
    SOF2, then per scan the DHT segments of the tables it uses (optimal for
    that scan, as libjpeg builds them), DRI when the interval changes, SOS
    and its data; EOI. With the default script its bytes equal
    libjpeg-turbo's progressive output for the same coefficients.
    Raises TypeError/ValueError for bad arguments, before anything is coded.
    """
    from ._huffman import make_codes
    from .parallel import check_threads, resolve_threads, run

    check_threads(threads)
    restart_interval, restart_rows = _check_restart(restart_interval, restart_rows)
    arrays = check_coefficients(coefficients)
    c = coefficients
    n = len(c.components)
    if scans is None:
        script = _scans.default_script(n, ycbcr=c.color == "ycbcr")
    else:
        script = _scans.check_script(scans, n, [(k.h, k.v) for k in c.components])
    plans = plan_scans(c, script, arrays, restart_interval, restart_rows)
    threads = resolve_threads(threads, c.width * c.height)
    ids = [comp.id for comp in c.components]
    dri_before = []
    last = 0
    for p in plans:
        dri_before.append(p.restart_interval != last)
        last = p.restart_interval

    def one(i):
        p = plans[i]
        counts, _ = p.coder.count()
        tables = p.tables(counts)
        codes = [make_codes(*tables[s]) if s in tables else None for s in p.slots]
        return p.header(tables, ids, dri_before[i]) + p.coder.encode(codes)

    body = run(one, range(len(plans)), threads)
    return _frame_header(c, 0xC2, keep_metadata) + b"".join(body) + jfif.eoi()


def coefficients_from_image(image, quality=75, subsampling="4:2:0"):
    """The Coefficients jpeglite's encoder makes of ``image`` (pixels -> colour
    -> subsample -> FDCT -> quantize), with the tables ``encode`` uses at this
    ``quality`` and ``subsampling`` (arguments as for ``jpeglite.encode``)."""
    from . import _encoder
    from .options import plan_encode

    image, plan = plan_encode(image, quality, subsampling, False, 0)
    blocks = _encoder.forward(image, plan.h, plan.v, plan.component_qtables())
    comps = [Component(cid, h, v, tq, b.reshape(b.shape[0], b.shape[1], 8, 8))
             for (cid, h, v, tq, _, _), b in zip(plan.components, blocks)]
    return Coefficients(plan.width, plan.height, comps,
                        {k: np.asarray(t, dtype=np.uint16) for k, t in plan.qtables.items()},
                        "gray" if len(comps) == 1 else "ycbcr")
