"""Threaded encoding: MCU-row bands shared by a thread pool, bytes identical to one thread.

The kernels release the GIL, so plain threads run them in parallel. The
work splits three ways, each keeping the output byte-identical:

- Restart-aligned segments (``restart_interval`` > 0 and MCU rows starting a
  restart interval): each segment is colour-converted, transformed and
  entropy-coded by one thread into its own buffer (its bytes start with the
  RSTn marker and end padded), and the buffers are concatenated.
- No usable restart boundaries: bands are transformed by the pool while the
  calling thread entropy-codes finished bands in order with one bit writer;
  it transforms bands itself while the next one to code is not ready. A
  window of band buffers bounds the memory.
- ``optimize=True``: a first pass transforms bands and counts their symbols
  in parallel, keeping no blocks (each band predicts its first DC from 0; the
  sum is corrected with the DC of the band before); the coding pass then runs
  as above with the optimal tables, transforming the bands again. Shared by
  two or more threads, the second transform costs about what coding the
  stored blocks on one thread would, and memory stays at a few bands.

``threads`` counts the threads doing work, the calling thread included.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["resolve_threads", "encode_scan_threaded"]

_pool = None
_pool_lock = threading.Lock()

# Samples (all components) per band: big enough that per-band Python overhead
# (tens of microseconds) is noise, small enough for many bands per thread.
_BAND_SAMPLES = 1 << 19


def resolve_threads(threads):
    """Validate the ``threads`` argument; None means os.cpu_count(). Returns an int >= 1."""
    if threads is None:
        return os.cpu_count() or 1
    if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)):
        raise TypeError(f"threads must be an int or None, not {type(threads).__name__}")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    return int(threads)


def _executor(workers):
    """The module's thread pool, grown to at least ``workers`` threads (created on first use)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers < workers:
            old = _pool
            _pool = ThreadPoolExecutor(max_workers=max(workers, os.cpu_count() or 1),
                                       thread_name_prefix="jpeglite")
            if old is not None:
                old.shutdown(wait=False)
        return _pool


def _run(fn, items, threads):
    """fn(item) for every item on `threads` threads (the caller is one); results in order."""
    items = list(items)
    results = [None] * len(items)
    nxt = iter(range(len(items)))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                k = next(nxt, None)
            if k is None:
                return
            results[k] = fn(items[k])

    helpers = min(threads, len(items)) - 1
    futures = [_executor(helpers).submit(worker) for _ in range(helpers)] if helpers > 0 else []
    try:
        worker()
    finally:
        for fut in futures:
            fut.result()
    return results


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
    futures = [_executor(helpers).submit(worker) for _ in range(helpers)] if helpers > 0 else []
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
        for fut in futures:
            fut.result()
    return coder.finish()


def _dc_category(x):
    return int(abs(int(x))).bit_length()


def encode_scan_threaded(coder, threads, optimize, tables_for, code_tables):
    """The entropy-coded data of the frame in ``coder`` (a ``_encoder.BandCoder``) on ``threads`` threads.

    ``tables_for(counts)``: the Huffman tables {(class, id): (bits, values)}
    for symbol counts (components, 2, 256), or the standard ones for None;
    ``code_tables(tables)``: per component (DC, AC) lists of (codes, sizes).
    ``optimize``: count the symbols first (a transform-and-count pass over
    bands, keeping no blocks) and code with ``tables_for(counts)``; the
    coding pass transforms the bands again, which costs less than keeping
    2 bytes per sample for the whole image when the work is shared.
    Returns (tables, scan bytes).
    """
    tables = tables_for(_count_symbols(coder, threads) if optimize else None)
    coder.set_tables(*code_tables(tables))
    segments = _segments(coder, threads)
    if segments is not None:
        parts = _run(lambda b: coder.encode_segment(*b), segments, threads)
        return tables, b"".join(parts)
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


def _count_symbols(coder, threads):
    """Symbol counts (components, 2, 256) of the whole scan, bands transformed and counted in parallel.

    Each band is counted with its first DC predicted from 0; the sum is then
    corrected with the DC of the last block of the band before (unless the
    band starts a restart interval, where the prediction is 0 anyway).
    """
    ncomp, mcus_x, ri = coder.ncomp, coder.mcus_x, coder.restart_interval
    bands = _bands(coder, threads)
    free = []
    lock = threading.Lock()

    def forward_count(band):
        my0, my1 = band
        with lock:
            blocks = free.pop() if free and band != bands[-1] else None
        if blocks is None:
            blocks = coder.band_arrays(my0, my1)
        coder.forward(blocks, my0, my1, my0)
        counts = coder.count(blocks, my0, my1, my0)
        rows = [coder.rows_of(c, my0, my1) for c in range(ncomp)]
        first = [int(blocks[c][0, 0, 0]) for c in range(ncomp)]
        last = [int(blocks[c][rows[c] - 1, -1, 0]) for c in range(ncomp)]
        if band != bands[-1]:
            with lock:
                free.append(blocks)
        return counts, first, last

    results = _run(forward_count, bands, threads)
    counts = sum(r[0] for r in results)
    for k in range(1, len(bands)):
        my0 = bands[k][0]
        if ri and (my0 * mcus_x) % ri == 0:
            continue            # the band starts an interval: its first DC is coded against 0
        for c in range(ncomp):
            first, prev = results[k][1][c], results[k - 1][2][c]
            counts[c, 0, _dc_category(first)] -= 1
            counts[c, 0, _dc_category(first - prev)] += 1
    return counts
