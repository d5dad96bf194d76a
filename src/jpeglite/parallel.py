"""The one thread pool, and the one rule for how many threads a call uses.

Kernels release the GIL, so threads (not processes) give the parallelism. The
pool is created on first use and reused for the life of the process (grown if
a caller asks for more threads than it has); a forked child forgets it, since
the child has the pool object but none of its threads.

``threads`` counts the threads doing work, the calling thread included.
Every public function takes it; ``resolve_threads`` is the only code that
reads it, and the only place that decides when an image is too small to share.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["CPUS", "MAX_THREADS", "pool", "resolve_threads", "run", "join", "split"]

# os.cpu_count() reads /sys on every call (about 9 us here, a tenth of a small
# decode), so it is read once
CPUS = os.cpu_count() or 1

# Pixels per thread below which the default (threads=None) uses fewer threads
# for an encode or an analysis: handing out bands costs a few hundred
# microseconds per encode, what the one-thread encoder needs for about this
# many pixels.
_DEFAULT_MIN_PIXELS = 1 << 17

# Pixels below which a decode runs on the calling thread whatever ``threads``
# says: two of the decoder's chunks (_decoder.CHUNK_PIXELS each); below that
# a second thread gained nothing (kodim23, 0.4 MP: 1.23-1.26 ms against
# 1.21-1.22 ms on one thread) and lost 8% when the other core was busy.
DECODE_MIN_PIXELS = 1 << 19

# The most threads one call uses: an explicit count above it is capped here
# (any int >= 1 is a valid request; the kernels keep counts in C ints, and
# past a few threads per core a call only queues more tasks).
MAX_THREADS = max(64, 4 * CPUS)

_lock = threading.Lock()
_pool = None
_size = 0


def _forget():
    global _pool, _size, _lock
    _pool, _size, _lock = None, 0, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)


def pool(workers=0):
    """The shared ThreadPoolExecutor, with at least ``max(workers, CPUS)`` threads."""
    global _pool, _size
    current = _pool
    if current is not None and _size >= workers:
        return current
    with _lock:
        if _pool is None or _size < workers:
            old = _pool
            _size = max(workers, CPUS)
            _pool = ThreadPoolExecutor(max_workers=_size, thread_name_prefix="jpeglite")
            if old is not None:
                old.shutdown(wait=False)
        return _pool


def check_threads(threads):
    """Validate a ``threads`` argument without resolving it: None or an int >= 1.
    Raises TypeError for a bool or a non-integer, ValueError below 1."""
    if threads is None:
        return None
    if type(threads) is int and threads >= 1:
        return threads          # (the common case, without the ABC check below)
    if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)):
        raise TypeError(f"threads must be an int or None, not {type(threads).__name__}")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    return int(threads)


def resolve_threads(threads, pixels=None, *, decode=False):
    """The number of threads (>= 1) a ``threads`` argument asks for.

    None means every core (CPUS), but when ``pixels`` is given no more threads
    than the image has ``_DEFAULT_MIN_PIXELS`` pixels for (small images are
    faster on one thread). An explicit count is kept as given up to
    ``MAX_THREADS`` (larger ones are capped to it), except that a decode
    (``decode=True``) of fewer than ``DECODE_MIN_PIXELS`` pixels runs on one
    thread. Raises TypeError for a bool or a non-integer, ValueError below 1.
    """
    threads = check_threads(threads)
    if decode and pixels is not None and pixels < DECODE_MIN_PIXELS:
        return 1
    if threads is None:
        if pixels is None:
            return CPUS
        return min(CPUS, max(1, pixels // _DEFAULT_MIN_PIXELS))
    return min(threads, MAX_THREADS)


def join(futures):
    """Wait for helper tasks that started; cancel the ones still queued (the caller did their work)."""
    for fut in futures:
        if not fut.cancel():
            fut.result()


def run(fn, items, threads):
    """fn(item) for every item on ``threads`` threads (the caller is one); results in order."""
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
    futures = [pool(helpers).submit(worker) for _ in range(helpers)] if helpers > 0 else []
    try:
        worker()
    finally:
        join(futures)
    return results


def split(n, threads):
    """Consecutive bands [(a, b), ...] covering range(n): one per thread when threads <= 1,
    else about four per thread (so a thread slowed by another process does not hold the rest)."""
    parts = 1 if threads <= 1 else max(1, min(n, 4 * threads))
    cuts = [n * k // parts for k in range(parts + 1)]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a] or [(0, n)]
