"""The encoder's fused driver: pixels -> quantized blocks -> scan -> file, an MCU row at a time.

``encode(image, plan, threads)`` runs every stage on one band of MCU rows
before the next (the kernels of ``_encoder``), so no whole-image intermediate
exists unless the plan needs one (optimized tables keep the quantized blocks
for the counting pass, as libjpeg does). ``staged`` runs the same kernels
stage by stage; both write the same bytes.

With threads the work splits three ways, each keeping the output
byte-identical:

- Restart-aligned segments (``restart_interval`` > 0 and MCU rows starting a
  restart interval): each segment is colour-converted, transformed and
  entropy-coded by one thread into its own buffer (its bytes start with the
  RSTn marker and end padded), and the buffers are concatenated.
- No restart markers: every band is colour-converted, transformed and
  entropy-coded by one thread into its own buffer (``BandPiece``), all but
  its first MCU, whose DC differences need the last DCs of the band before;
  the calling thread then codes each first MCU and appends the band's bits
  in order, shifted to the bit position the band starts at (not byte
  aligned) and stuffed again (``BandCoder.append_piece``).
- Restart markers but no MCU row starting an interval: bands are
  transformed by the pool while the calling thread entropy-codes finished
  bands in order with one bit writer;
  it transforms bands itself while the next one to code is not ready. A
  window of band buffers bounds the memory.
- ``optimize=True``: bands are transformed into whole-image block arrays and
  their symbols counted in parallel (each band predicts its first DC from 0;
  the counts are corrected with the DC of the band before). The counts give
  every band's length in bits under the optimal tables, hence the bit
  position it starts at, so the bands are then entropy-coded in parallel too,
  each as a piece of the scan, and the pieces joined at their boundary bytes
  (restart segments instead when the file has them).
"""
import threading

import numpy as np

from . import _encoder, _entropy
from . import jfif as _jfif
from . import parallel as _parallel

__all__ = ["encode", "encode_scan_threaded"]

# Samples (all components) per band: big enough that per-band Python overhead
# (tens of microseconds) is noise, small enough for many bands per thread.
_BAND_SAMPLES = 1 << 19


def encode(image, plan, threads):
    """The JPEG file (bytes) of ``image`` (C-contiguous uint8, checked) under
    ``plan`` (an ``options.EncodePlan``) on ``threads`` threads (an int >= 1)."""
    if plan.tune is not None:
        # tuning chooses coefficients knowing the whole image: the staged
        # driver keeps the unrounded transform it needs
        from .staged import run_stages
        st = run_stages(image, plan, threads, keep_zigzag=False)
        if plan.arithmetic:
            # the tuned coefficients, arithmetic-coded (the trellis costed
            # them in Huffman bits, a close model of the adaptive coder's)
            return _arithmetic_file(plan, plan.coefficients(st.quantized), threads)
        if not plan.progressive:
            return st.data
        from .progressive import write_progressive
        from .scans import search

        coefs = plan.coefficients(st.quantized)
        arrays = [c.blocks for c in coefs.components]
        script = plan.scans if plan.scans is not None else search(coefs, threads)
        return write_progressive(coefs, script, arrays, plan.restart_interval, 0, threads)
    qt = plan.component_qtables()
    if plan.arithmetic:
        return _arithmetic_file(plan, plan.coefficients(
            _encoder.forward(image, plan.h, plan.v, qt)), threads)
    if plan.progressive:
        # every scan needs every block: through the coefficient seam, tables
        # optimized per scan as libjpeg does in progressive mode
        from .progressive import write_progressive

        coefs = plan.coefficients(_encoder.forward(image, plan.h, plan.v, qt))
        return write_progressive(coefs, plan.scans, [c.blocks for c in coefs.components],
                                 plan.restart_interval, 0, threads)
    if threads > 1:
        coder = _encoder.BandCoder(image, plan.h, plan.v, qt, plan.restart_interval)
        tables, scan = encode_scan_threaded(coder, threads, plan)
    elif not plan.optimize:
        tables = plan.huffman_tables()
        dc, ac = plan.component_codes(tables)
        # the whole file from the scan's buffer: one copy of its megabytes
        return _encoder.encode_scan(image, plan.h, plan.v, qt, dc, ac, plan.restart_interval,
                                    head=plan.header(tables), tail=_jfif.eoi())
    else:
        # optimized tables need every symbol counted before the first is
        # coded: through the coefficient seam, as a user's encode_coefficients
        coefs = plan.coefficients(_encoder.forward(image, plan.h, plan.v, qt))
        parts = sequential_parts(coefs, True, plan.restart_interval)
        del coefs       # 2 bytes per sample: free them before the file is assembled
        return b"".join(parts)
    # one copy of the scan (``a + b + c`` would make two, each on fresh pages)
    return b"".join((plan.header(tables), scan, _jfif.eoi()))


def _bands(coder, threads):
    """MCU-row bands (my0, my1): about _BAND_SAMPLES samples, and 4 per thread when possible."""
    mcus_y = coder.mcus_y
    per_row = max(1, coder.samples_per_mcu_row)
    rows = max(1, min(_BAND_SAMPLES // per_row, -(-mcus_y // (4 * threads))))
    return [(my, min(my + rows, mcus_y)) for my in range(0, mcus_y, rows)]


def _segments(coder, threads):
    """Bands that each start a restart interval, or None when there are too few to share."""
    ri, mcus_x, mcus_y = coder.restart_interval, coder.mcus_x, coder.mcus_y
    if ri == 0:
        return None
    starts = [my for my in range(mcus_y) if (my * mcus_x) % ri == 0]
    if len(starts) < 2:
        return None
    # group consecutive starts into bands of about the usual size
    want = _bands(coder, threads)[0]
    rows = want[1] - want[0]
    bands, my0 = [], 0
    for s in starts[1:]:
        if s - my0 >= rows:
            bands.append((my0, s))
            my0 = s
    bands.append((my0, mcus_y))
    return bands if len(bands) > 1 else None


def _pipeline(coder, bands, threads, transform):
    """Code bands in order on this thread while the pool transforms the ones after them.

    ``transform(band) -> blocks`` fills a band's block arrays (from the buffer
    window when it has to compute them); the caller's thread transforms bands
    itself while the next one to code is not ready.
    """
    n = len(bands)
    window = 2 * threads + 1          # bands transformed but not yet coded, at most
    cond = threading.Condition()
    state = {"next": 0, "coded": 0}
    done = [None] * n
    errors = []

    def take():
        # under cond: the next band a thread may transform, or None
        k = state["next"]
        if k < n and k < state["coded"] + window and not errors:
            state["next"] = k + 1
            return k
        return None

    def run(k):
        try:
            blocks = transform(bands[k])
        except BaseException as exc:      # handed to the coding thread
            with cond:
                errors.append(exc)
                cond.notify_all()
            return
        with cond:
            done[k] = blocks
            cond.notify_all()

    def worker():
        while True:
            with cond:
                while True:
                    if state["next"] >= n or errors:
                        return
                    k = take()
                    if k is not None:
                        break
                    cond.wait()
            run(k)

    helpers = min(threads, n) - 1
    futures = [_parallel.pool(helpers).submit(worker) for _ in range(helpers)] if helpers > 0 else []
    try:
        for k in range(n):
            while True:
                with cond:
                    if errors:
                        raise errors[0]
                    if done[k] is not None:
                        blocks = done[k]
                        done[k] = None
                        break
                    j = take()
                    if j is None:
                        cond.wait()
                        continue
                run(j)
            coder.code(blocks, *bands[k], bands[k][0])
            with cond:
                state["coded"] = k + 1
                cond.notify_all()
    finally:
        with cond:
            if state["coded"] < n and not errors:
                errors.append(RuntimeError("encode interrupted"))
            cond.notify_all()
        _parallel.join(futures)
    return coder.finish()


def _dc_category(x):
    return int(abs(int(x))).bit_length()


def encode_scan_threaded(coder, threads, plan):
    """The entropy-coded data of the frame in ``coder`` (a ``_encoder.BandCoder``) on ``threads`` threads.

    ``plan``: the ``EncodePlan``; with ``plan.optimize`` the symbols are
    counted first and coded with the optimal tables for those counts.
    Returns (tables, scan bytes).
    """
    if plan.optimize:
        return _encode_optimized(coder, threads, plan)
    tables = plan.huffman_tables()
    coder.set_tables(*plan.component_codes(tables))
    segments = _segments(coder, threads)
    if segments is not None:
        parts = _parallel.run(lambda b: coder.encode_segment(*b), segments, threads)
        return tables, b"".join(parts)
    if not coder.restart_interval:
        # every band transformed and coded by one thread; only the first MCU
        # of each waits for the band before (its DC predictions)
        pieces = _parallel.run(lambda b: coder.encode_piece(*b), _bands(coder, threads), threads)
        for piece in pieces:
            coder.append_piece(piece)
        return tables, coder.finish()
    bands = _bands(coder, threads)
    free = []           # band buffers already coded, for reuse (same band height)
    lock = threading.Lock()

    def transform(band):
        my0, my1 = band
        with lock:
            blocks = free.pop() if free else None
        if blocks is None:
            blocks = coder.band_arrays(my0, my1)
        coder.forward(blocks, my0, my1, my0)
        return blocks

    class Recycling:
        # hands each coded band's arrays back to the transformers
        def code(self, blocks, my0, my1, base_my):
            coder.code(blocks, my0, my1, base_my)
            if (my0, my1) != bands[-1]:     # the last band may hold fewer block rows
                with lock:
                    free.append(blocks)

        def finish(self):
            return coder.finish()

    return tables, _pipeline(Recycling(), bands, threads, transform)


def _piece_bits(counts, codes):
    """Bits a band's symbols take: Huffman code lengths plus the amplitude bits each symbol carries."""
    dc, ac = codes
    bits = 0
    for c in range(counts.shape[0]):
        dc_size, ac_size = np.asarray(dc[c][1], np.int64), np.asarray(ac[c][1], np.int64)
        s = np.arange(256)
        bits += int(counts[c, 0] @ (dc_size + s)) + int(counts[c, 1] @ (ac_size + (s & 15)))
    return bits


def _merge_pieces(pieces):
    """One scan from consecutive pieces of ``code_piece``: boundary bytes OR-ed, stuffed, last one padded."""
    out = []
    tail, tail_bits = 0, 0
    for body, t, n in pieces:
        if body:
            if tail_bits:
                b0 = body[0] | tail         # body[0] left tail_bits zero bits for the tail
                out.append(bytes([b0, 0]) if b0 == 0xFF else bytes([b0]))
                out.append(memoryview(body)[1:])
            else:
                out.append(body)
            tail, tail_bits = t, n
        else:
            tail, tail_bits = tail | t, n
    if tail_bits:       # T.81 F.1.2.3: pad with 1-bits
        b = tail | ((1 << (8 - tail_bits)) - 1)
        out.append(bytes([b, 0]) if b == 0xFF else bytes([b]))
    return b"".join(out)


def _encode_optimized(coder, threads, plan):
    """Transform and count bands in parallel into whole-image blocks, then code them in parallel.

    Counting gives each band's exact length in bits under the optimal
    tables, so every band knows the bit position it starts at and can be
    coded by its own thread as a piece of the scan (``code_piece``); the
    pieces join at their boundary bytes. With restart markers the bands are
    coded as restart segments instead (or serially when no MCU row starts
    an interval).
    """
    ncomp, mcus_x, ri = coder.ncomp, coder.mcus_x, coder.restart_interval
    blocks = coder.band_arrays(0, coder.mcus_y)
    bands = _bands(coder, threads)
    v = coder.v_factors

    def forward_count(band):
        coder.forward(blocks, band[0], band[1], 0)
        return coder.count(blocks, band[0], band[1], 0)

    per_band = _parallel.run(forward_count, bands, threads)
    # DC prediction entering each band: the DC of the block coded last before it
    entering = [[0] * ncomp] + [[int(blocks[c][my0 * v[c] - 1, -1, 0]) for c in range(ncomp)]
                                for my0, _ in bands[1:]]
    for k in range(1, len(bands)):
        my0 = bands[k][0]
        if ri and (my0 * mcus_x) % ri == 0:
            entering[k] = [0] * ncomp
            continue            # the band starts an interval: its first DC is coded against 0
        for c in range(ncomp):
            first, prev = int(blocks[c][my0 * v[c], 0, 0]), entering[k][c]
            per_band[k][c, 0, _dc_category(first)] -= 1
            per_band[k][c, 0, _dc_category(first - prev)] += 1
    tables = plan.huffman_tables(sum(per_band))
    codes = plan.component_codes(tables)
    coder.set_tables(*codes)
    segments = _segments(coder, threads)
    if segments is not None:
        parts = _parallel.run(lambda b: coder.code_segment(blocks, b[0], b[1], 0), segments, threads)
        return tables, b"".join(parts)
    if ri:
        coder.code(blocks, 0, coder.mcus_y, 0)
        return tables, coder.finish()
    phases, start = [], 0
    for counts in per_band:
        phases.append(start & 7)
        start += _piece_bits(counts, codes)

    def piece(k):
        return coder.code_piece(blocks, bands[k][0], bands[k][1], 0, entering[k], phases[k])

    pieces = _parallel.run(piece, range(len(bands)), threads)
    del blocks
    return tables, _merge_pieces(pieces)


# The most blocks one interleaved MCU may hold (T.81 B.2.3)
_MAX_BLOCKS_IN_MCU = 10


def sequential_scans(coefs):
    """The components of each scan of a sequential file: one interleaved scan
    when its MCU holds at most 10 blocks (or the image has one component),
    else one scan per component."""
    n = len(coefs.components)
    if n == 1 or sum(c.h * c.v for c in coefs.components) <= _MAX_BLOCKS_IN_MCU:
        return [list(range(n))]
    return [[i] for i in range(n)]


def _scan_plans(coefs):
    """Per scan of ``sequential_scans``: (members, their blocks as (rows,
    columns, 64) views, sampling factors in the scan, MCUs across, MCUs down)."""
    from .coefficients import scan_mcus

    comps = coefs.components
    plans = []
    for members in sequential_scans(coefs):
        blocks = [comps[i].blocks.reshape(comps[i].blocks_down, comps[i].blocks_across, 64)
                  for i in members]
        c = comps[members[0]]
        mcus_x, mcus_y = scan_mcus(coefs.width, coefs.height, coefs.max_h, coefs.max_v, c.h, c.v,
                                   interleaved=len(members) > 1)
        if len(members) == 1:
            sh, sv = [1], [1]
        else:
            sh, sv = [comps[i].h for i in members], [comps[i].v for i in members]
        plans.append((members, blocks, sh, sv, mcus_x, mcus_y))
    return plans


def _table_of(coefs):
    # component 0 codes with Huffman tables 0, the others share tables 1 (as libjpeg)
    return [0] + [1] * (len(coefs.components) - 1)


def symbol_counts(coefs, restart_interval=0, plans=None):
    """How often each Huffman symbol occurs in the sequential file of ``coefs``:
    {(class 0 DC / 1 AC, table id): int64 (256,) counts}, components sharing a
    table adding up (what optimal tables are built from)."""
    plans = _scan_plans(coefs) if plans is None else plans
    table_of = _table_of(coefs)
    counts = {(cls, table_of[i]): np.zeros(256, np.int64)
              for members, *_ in plans for i in members for cls in (0, 1)}
    for members, blocks, sh, sv, mcus_x, mcus_y in plans:
        n = _entropy.count_symbols(blocks, sh, sv, mcus_x, mcus_y, restart_interval)
        for k, i in enumerate(members):
            for cls in (0, 1):
                counts[(cls, table_of[i])] += n[k, cls]
    return counts


def _arithmetic_file(plan, coefs, threads):
    """The arithmetic-coded file of ``plan`` (``plan.arithmetic``) from its
    coefficients: sequential (SOF9), or progressive (SOF10) with the plan's
    script, libjpeg's default when it has none (its scans coded on
    ``threads`` threads)."""
    if plan.progressive:
        from .progressive import write_progressive_arithmetic
        from .scans import script_for

        script = plan.scans if plan.scans is not None else script_for(
            None, [(c.h, c.v) for c in coefs.components], ycbcr=coefs.color == "ycbcr")
        return write_progressive_arithmetic(coefs, script, plan.restart_interval,
                                            threads=threads)
    parts = arithmetic_parts(coefs, plan.restart_interval)
    del coefs
    return b"".join(parts)


def arithmetic_parts(coefs, restart_interval, app0=None):
    """The pieces (bytes) of an arithmetic-coded sequential file (SOF9, T.81
    Annex D) of ``coefs``, in order as ``sequential_parts`` gives them.
    Conditioning slots as the Huffman tables' (``_table_of``), with the
    default conditioning (no DAC segment)."""
    from ._arith import encode_scan

    comps = coefs.components
    slot_of = _table_of(coefs)
    out = [_jfif.frame_header(coefs.height, coefs.width,
                              [(c.id, c.h, c.v, c.quant_slot) for c in comps], coefs.qtables,
                              {}, restart_interval, coefs.color, coefs.metadata,
                              sof_code=_jfif.SOF9, app0=app0, precision=coefs.precision)]
    for members, blocks, sh, sv, mcus_x, mcus_y in _scan_plans(coefs):
        slots = [slot_of[i] for i in members]
        out.append(_jfif.sos([(comps[i].id, t, t) for i, t in zip(members, slots)]))
        out.append(encode_scan(blocks, sh, sv, mcus_x, mcus_y, slots, slots, restart_interval))
    out.append(_jfif.eoi())
    return out



def encode_coefficients(coefs, optimize, restart_interval, app0=None, limit=None):
    """A sequential (baseline, or extended with 16-bit tables) file of ``coefs``
    (checked by ``coefficients.check_coefficients``): bytes, or None (see
    ``limit``). See ``sequential_parts``."""
    parts = sequential_parts(coefs, optimize, restart_interval, app0, limit)
    return None if parts is None else b"".join(parts)


def sequential_parts(coefs, optimize, restart_interval, app0=None, limit=None):
    """The pieces (bytes) of a sequential file of ``coefs``, in order: headers,
    then each scan's SOS and data, then EOI (joined by the caller, who may
    free the coefficients first).

    Component 0 codes with Huffman tables 0, the others share tables 1 (as
    libjpeg assigns them); ``optimize`` builds those tables from the symbol
    counts (libjpeg's jpeg_gen_optimal_table), else the Annex K tables.
    ``app0``: see ``jfif.frame_header``. Coefficients of 12-bit samples
    (``coefs.precision``) make an SOF1 frame of precision 12 (``optimize``
    needed: the Annex K tables stop at 8-bit categories). ``limit`` (with ``optimize``): a size
    in bytes; when the file's exact size before 0xFF stuffing, known from the
    counts, is not below it, None is returned instead, without coding the scans.
    """
    from ._huffman import make_codes, optimal_table
    from .options import standard_huffman_table

    comps = coefs.components
    plans = _scan_plans(coefs)
    table_of = _table_of(coefs)
    if optimize:
        counts = symbol_counts(coefs, restart_interval, plans)
        tables = {key: optimal_table(n) for key, n in sorted(counts.items())}
    else:
        tables = {key: standard_huffman_table(*key)
                  for key in sorted({(cls, table_of[i]) for members, *_ in plans
                                     for i in members for cls in (0, 1)})}
    codes = {key: make_codes(*tab) for key, tab in tables.items()}
    out = [_jfif.frame_header(coefs.height, coefs.width,
                              [(c.id, c.h, c.v, c.quant_slot) for c in comps], coefs.qtables,
                              tables, restart_interval, coefs.color, coefs.metadata, app0=app0,
                              sof_code=_jfif.SOF1 if coefs.precision != 8 else None,
                              precision=coefs.precision)]
    if optimize and limit is not None:
        from ._huffman import optimal_costs

        keys = list(tables)
        rows = np.array([counts[key] for key in keys])
        code_bits, _ = optimal_costs(rows)
        # every symbol's low 4 bits are its amplitude bits, DC and AC alike
        amplitude = int((rows * (np.arange(256) & 15)).sum())
        sos = sum(8 + 2 * len(members) for members, *_ in plans)
        if len(out[0]) + sos + (int(code_bits.sum()) + amplitude + 7) // 8 + 2 >= limit:
            return None
    for members, blocks, sh, sv, mcus_x, mcus_y in plans:
        out.append(_jfif.sos([(comps[i].id, table_of[i], table_of[i]) for i in members]))
        out.append(_entropy.encode_scan(blocks, sh, sv, mcus_x, mcus_y,
                                        [codes[(0, table_of[i])] for i in members],
                                        [codes[(1, table_of[i])] for i in members],
                                        restart_interval))
    out.append(_jfif.eoi())
    return out
