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

from . import jfif, scans as _scans
from .coefficients import check_coefficients, scan_mcus

__all__ = ["encode_progressive", "write_progressive", "write_progressive_arithmetic",
           "frame_header", "coefficients_from_image", "ScanPlan", "plan_scans"]


class ScanPlan:
    """One scan of a file being written: its spec, coder, table slots, restart interval
    and, when already counted, its symbol counts.

    ``spec``: the ScanSpec; ``coder``: its ``_progressive.ScanCoder``;
    ``slots``: per scan component, the Huffman table slot it uses (DC in a
    DC scan, AC in an AC scan); ``restart_interval``: MCUs per restart
    interval in this scan (0: none); ``counts``: the coder's ``count()``
    symbol counts, or None.
    """

    def __init__(self, spec, coder, slots, restart_interval, counts=None):
        self.counts = counts
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


def plan_scans(coefficients, script, arrays, restart_interval=0, restart_rows=0, counted=None):
    """A ScanPlan per scan of a checked script over checked block arrays.

    ``restart_rows`` (libjpeg's restart_in_rows) sets each scan's interval to
    that many MCU rows of the scan (at most 65535 MCUs), which differs
    between interleaved and one-component scans. Scans in ``counted`` (see
    ``write_progressive``) keep their counts (``ScanPlan.counts``) when they
    have no restart interval.
    """
    from ._progressive import ScanCoder

    c = coefficients
    slots = _scans.TABLE_SLOTS[c.color]
    mcus = scan_mcus(c.width, c.height, c.max_h, c.max_v)
    plans = []
    for spec in script:
        coder_blocks = [arrays[i] for i in spec.components]
        sampling = [(c.components[i].h, c.components[i].v) for i in spec.components]
        interval = restart_interval
        if restart_rows:
            across = mcus[0] if len(spec.components) > 1 else coder_blocks[0].shape[1]
            interval = min(restart_rows * across, 65535)
        slot_list = [slots[i] for i in spec.components]
        coder = ScanCoder(coder_blocks, sampling, mcus, (spec.Ss, spec.Se, spec.Ah, spec.Al),
                          interval, c.precision)
        plans.append(ScanPlan(spec, coder, slot_list, interval,
                              (counted or {}).get(spec) if interval == 0 else None))
    return plans


def frame_header(coefficients, keep_metadata=True, app0=None):
    """Every byte before the first scan of a progressive file: SOI, APP0 JFIF
    (APP14 Adobe for RGB/CMYK/YCCK), the metadata, DQT per table, SOF2.
    ``app0``: see ``jfif.frame_header``."""
    c = coefficients
    return jfif.frame_header(c.height, c.width,
                             [(k.id, k.h, k.v, k.quant_slot) for k in c.components], c.qtables,
                             {}, 0, c.color, c.metadata if keep_metadata else (), sof_code=0xC2,
                             app0=app0, precision=c.precision)


def _check_restart(restart_interval, restart_rows):
    from .options import check_int

    restart_interval = check_int("restart_interval", restart_interval, 0, 65535)
    restart_rows = check_int("restart_rows", restart_rows, 0, 65535)
    if restart_interval and restart_rows:
        raise ValueError("give restart_interval or restart_rows, not both")
    return restart_interval, restart_rows


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
    from .parallel import check_threads, resolve_threads

    check_threads(threads)
    restart_interval, restart_rows = _check_restart(restart_interval, restart_rows)
    c = check_coefficients(coefficients)
    arrays = [k.blocks for k in c.components]
    script = _scans.script_for(scans, [(k.h, k.v) for k in c.components],
                               ycbcr=c.color == "ycbcr")
    threads = resolve_threads(threads, c.width * c.height)
    return write_progressive(c, script, arrays, restart_interval, restart_rows, threads,
                             keep_metadata)


def write_progressive(coefficients, script, arrays, restart_interval=0, restart_rows=0,
                      threads=1, keep_metadata=True, counted=None, app0=None):
    """The file ``encode_progressive`` writes, from checked arguments:
    coefficients from ``check_coefficients``, a checked ``script``, the
    components' block ``arrays`` and a resolved thread count. ``counted``: {ScanSpec: symbol counts (scan
    components x 256)} of scans already counted without restarts
    (``scans.ScanCosts.counted``),
    which are then coded without counting again. ``app0``: see ``frame_header``."""
    from ._huffman import make_codes
    from .parallel import run

    c = coefficients
    plans = plan_scans(c, script, arrays, restart_interval, restart_rows, counted)
    ids = [comp.id for comp in c.components]
    dri_before = []
    last = 0
    for p in plans:
        dri_before.append(p.restart_interval != last)
        last = p.restart_interval

    def one(i):
        p = plans[i]
        counts = p.counts if p.counts is not None else p.coder.count()[0]
        tables = p.tables(counts)
        codes = [make_codes(*tables[s]) if s in tables else None for s in p.slots]
        return p.header(tables, ids, dri_before[i]) + p.coder.encode(codes)

    body = run(one, range(len(plans)), threads)
    return frame_header(c, keep_metadata, app0) + b"".join(body) + jfif.eoi()


def write_progressive_arithmetic(coefficients, script, restart_interval=0, keep_metadata=True,
                                 app0=None, threads=1):
    """An arithmetic-coded progressive file (SOF10, T.81 G.1.3.2) of checked
    ``coefficients`` with a checked ``script``: the frame header of
    ``frame_header`` with SOF10, then per scan (DRI once, when
    ``restart_interval``) SOS and its data coded by ``_arith.encode_scan``
    with the default conditioning (no DAC segment), the conditioning slots
    those the Huffman writer gives its tables (``scans.TABLE_SLOTS``); EOI.
    The scans are independent once the coefficients are known: coded on
    ``threads`` threads (the bytes are the same for every count)."""
    from ._arith import encode_scan
    from ._decoder import SCAN_AC_FIRST_, SCAN_AC_REFINE_, SCAN_DC_FIRST_, SCAN_DC_REFINE_
    from .parallel import run

    c = coefficients
    slots = _scans.TABLE_SLOTS[c.color]
    out = [jfif.frame_header(c.height, c.width,
                             [(k.id, k.h, k.v, k.quant_slot) for k in c.components], c.qtables,
                             {}, restart_interval, c.color,
                             c.metadata if keep_metadata else (), sof_code=jfif.SOF10,
                             app0=app0, precision=c.precision)]

    def one(spec):
        members = spec.components
        comps = [c.components[i] for i in members]
        one_comp = len(members) == 1
        mcus_x, mcus_y = scan_mcus(c.width, c.height, c.max_h, c.max_v, comps[0].h,
                                   comps[0].v, interleaved=not one_comp)
        kind = ((SCAN_DC_REFINE_ if spec.is_refinement else SCAN_DC_FIRST_) if spec.is_dc
                else (SCAN_AC_REFINE_ if spec.is_refinement else SCAN_AC_FIRST_))
        refine_dc = spec.is_dc and spec.is_refinement
        # as the Huffman writer's SOS: 0 for the slot a scan does not use
        header = jfif.sos([(k.id, 0 if refine_dc or not spec.is_dc else slots[i],
                            slots[i] if not spec.is_dc else 0)
                           for i, k in zip(members, comps)],
                          spec.Ss, spec.Se, spec.Ah, spec.Al)
        return header + encode_scan(
            [k.blocks.reshape(k.blocks_down, k.blocks_across, 64) for k in comps],
            [1 if one_comp else k.h for k in comps], [1 if one_comp else k.v for k in comps],
            mcus_x, mcus_y, [slots[i] for i in members], [slots[i] for i in members],
            restart_interval, kind, spec.Ss, spec.Se, spec.Ah, spec.Al)

    out += run(one, script, threads)
    out.append(jfif.eoi())
    return b"".join(out)


def coefficients_from_image(image, quality=None, subsampling="4:2:0"):
    """The Coefficients jpeglite's encoder makes of ``image`` (pixels -> colour
    -> subsample -> FDCT -> quantize), with the tables ``encode`` uses at this
    ``quality`` and ``subsampling`` (arguments as for ``jpeglite.encode``)."""
    from . import _encoder
    from .options import plan_encode

    image, plan = plan_encode(image, quality, subsampling, False, 0)
    return plan.coefficients(_encoder.forward(image, plan.h, plan.v, plan.component_qtables()))
