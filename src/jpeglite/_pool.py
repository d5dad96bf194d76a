"""The one thread pool behind every threaded encode and decode, and the ``threads`` argument.

Kernels release the GIL, so threads (not processes) give the parallelism. The
pool is created on first use and reused for the life of the process (grown if
a caller asks for more threads than it has); a forked child forgets it, since
the child has the pool object but none of its threads.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["CPUS", "pool", "resolve_threads"]

# os.cpu_count() reads /sys on every call (about 9 us here, a tenth of a small
# decode), so it is read once
CPUS = os.cpu_count() or 1

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


def resolve_threads(threads, pixels=None, min_pixels=1):
    """The number of threads (>= 1) a ``threads`` argument asks for.

    None means every core (CPUS), but when ``pixels`` is given no more threads
    than the image has ``min_pixels`` pixels for: handing out work costs more
    than it saves on small images. An explicit count is kept as given.
    Raises TypeError for a bool or a non-integer, ValueError below 1.
    """
    if threads is None:
        if pixels is None:
            return CPUS
        return min(CPUS, max(1, pixels // min_pixels))
    if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)):
        raise TypeError(f"threads must be an int or None, not {type(threads).__name__}")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    return int(threads)
