"""The one thread pool behind every threaded kernel call.

Kernels release the GIL, so threads (not processes) give the parallelism.
The pool is created on first use and reused for the life of the process;
it has os.cpu_count() workers so `threads=None` can use every core.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

_lock = threading.Lock()
_pool = None
# os.cpu_count() reads /sys on every call (about 9 us here, a tenth of a
# small decode), so it is read once
CPUS = os.cpu_count() or 1


def pool():
    """The shared ThreadPoolExecutor (os.cpu_count() workers), created lazily."""
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=CPUS,
                                           thread_name_prefix="jpeglite")
    return _pool


def resolve_threads(threads):
    """The thread count a `threads` argument asks for: None means every core.

    Raises TypeError for a bool or non-int, ValueError below 1.
    """
    if threads is None:
        return CPUS
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError(f"threads must be an int or None, not {type(threads).__name__}")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, not {threads}")
    return threads
