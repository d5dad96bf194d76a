"""Datasets: analyze, encode and decode many images on every core or a Dask
cluster, and one shared model (tables) for a corpus.

Batches
    ``analyze(paths)``, ``encode(paths, out_dir)``, ``decode(paths, out_dir)``,
    ``optimize(paths, out_dir)`` take files, folders (``recursive=True`` for their subfolders), glob patterns
    and list files (``"@list.txt"``: one path a line), and give one row per
    input: a pandas DataFrame (a list of dicts without pandas). The inputs are
    streamed: at most a window of files is in flight (a few per worker), so
    memory does not grow with the dataset. A file that fails is a row with its
    ``error`` (``"JPEGError: ... at byte N"``), never the end of the batch;
    outputs are written under a temporary name and renamed, so an output that
    exists is complete (``resume=True`` skips those). ``iter_analyze`` etc.
    give the rows one by one, and ``write_table`` streams them to CSV, JSON
    lines or Parquet.

    Work runs in a process pool (``jobs``: None = every core). The codec
    releases the GIL, but a small image spends most of its time in Python
    (argument checks, the marker loop, the report), which threads would
    serialize: measured on 64x64 tiles, processes scale and threads do not.
    Each worker codes one file on one thread.

Dask
    ``analyze(paths, client=distributed.Client(...))``, or a ``dask.bag`` of
    paths or JPEG bytes, gives a Dask DataFrame with the same columns and rows
    (the optional extra ``dataset``, ``pip install ".[dataset]"`` in the checkout,
    brings dask, pandas and pyarrow).

A shared model
    ``fit_tables(images, quality=75, subsampling="4:2:0")`` counts the
    Huffman symbols of every image (quantized as ``encode`` would) and returns
    a ``SharedTables`` whose Huffman tables are optimal for the corpus;
    ``shared.to_bytes()`` is its tables-only stream (T.81 B.5: SOI, APP0, DQT,
    DHT, EOI). ``jpeglite.encode(image, tables=shared)`` then writes
    abbreviated image streams (no DQT, no DHT), ``jpeglite.decode(data,
    tables=shared)`` reads them, and ``expand(shared, data)`` makes an ordinary
    file of one (each also takes the stream's bytes). ``description_length``
    compares the corpus coded both ways: L(P) per file + L(D|P) per file
    against L(P) once + sum of L(D|P). ``groups="auto"`` looks between the two
    for the number of table sets k with the shortest description (the images
    clustered by their symbol statistics; ``shared.curve``).
"""
from __future__ import annotations

import atexit
import csv
import functools
import glob
import heapq
import io
import json
import math
import os
import pickle
import statistics
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import api
from .images import JPEG_SUFFIXES
from .report import psnr

__all__ = ["analyze", "encode", "decode", "optimize", "iter_analyze", "iter_encode",
           "iter_decode", "iter_optimize",
           "iter_inputs", "iter_rows", "Input", "write_table", "Summary", "COLUMNS",
           "fit_tables", "SharedTables", "GroupCost", "MAX_GROUPS", "expand",
           "description_length", "shutdown", "keep_freed_memory", "DASK_CONFIG",
           "IMAGE_SUFFIXES", "CHUNK_SECONDS", "MAX_CHUNK",
           "LOOKAHEAD"]

#: File suffixes a folder or glob yields (others in a folder are not images).
IMAGE_SUFFIXES = JPEG_SUFFIXES + (".png", ".npy", ".npz", ".bmp", ".gif", ".tif", ".tiff",
                                  ".webp", ".ppm", ".pgm", ".pnm")

#: Stages of a report, in pipeline order; each is a ``<stage>_bits`` column.
STAGES = ("raw", "color", "subsample", "dct", "quantize", "rle", "huffman", "file")

#: Columns of a batch table and their types ("str", "int", "float", "bool").
#: bytes: the JPEG the bits describe (the input for a JPEG, else jpeglite's
#: encode of it); input_bytes: the input file; bits are bits, seconds seconds;
#: group: the table set of a ``SharedTables`` an encode used; warning: what
#: reading the input lost (a ``ConversionWarning``: 16-bit samples reduced to
#: their high byte, an alpha channel dropped), as ``jpeglite.encode`` and the
#: single-file command warn of it.
COLUMNS = {
    "path": "str", "error": "str", "warning": "str", "output": "str", "skipped": "bool",
    "input_bytes": "int", "bytes": "int", "width": "int", "height": "int",
    "components": "int", "sampling": "str", "progressive": "bool", "quality": "int",
    "bpp": "float", "model_bits": "int", "header_bits": "int", "data_bits": "int",
    "metadata_bits": "int", **{f"{s}_bits": "float" for s in STAGES},
    "psnr": "float", "seconds": "float", "group": "int",
}

_SUBSAMPLING_NAMES = {((2, 2), (1, 1), (1, 1)): "4:2:0", ((2, 1), (1, 1), (1, 1)): "4:2:2",
                      ((1, 1), (1, 1), (1, 1)): "4:4:4"}


# ---------------------------------------------------------------- inputs

@dataclass(frozen=True)
class Input:
    """One input of a batch: ``path`` as found, ``rel`` its path below the
    folder, glob root or list file it came from (what an output mirrors)."""
    path: str
    rel: str


def _is_image(name):
    return name.lower().endswith(IMAGE_SUFFIXES)


def _walk(root, recursive):
    if not recursive:
        for entry in sorted(os.scandir(root), key=lambda e: e.name):
            if entry.is_file() and _is_image(entry.name):
                yield Input(entry.path, entry.name)
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if _is_image(name):
                full = os.path.join(dirpath, name)
                yield Input(full, os.path.relpath(full, root))


def _glob_root(pattern):
    parts = Path(pattern).parts
    root = []
    for p in parts:
        if glob.has_magic(p):
            break
        root.append(p)
    return str(Path(*root)) if root else "."


def iter_inputs(inputs, recursive=False):
    """The files of ``inputs`` one by one (``Input``), never listing more than one
    folder at a time.

    ``inputs``: a path or a list of them (or of ``Input``s, taken as they
    are), each a file (taken whatever its
    suffix), a folder (its image files, by suffix: ``IMAGE_SUFFIXES``; with
    ``recursive`` its subfolders too), a glob pattern (``**`` with
    ``recursive``) or ``@FILE``, a list file of paths, one a line (blank lines
    and ``#`` comments skipped; relative paths are relative to the list file).
    A path that does not exist is yielded as it is: its row gets the error.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    for item in inputs:
        if isinstance(item, Input):
            yield item              # listed already
            continue
        item = os.fspath(item)
        if item.startswith("@"):
            listfile = item[1:]
            base = os.path.dirname(listfile)
            with open(listfile, encoding="utf-8") as fh:
                for line in fh:
                    line = line.strip()
                    if not line or line.startswith("#"):
                        continue
                    path = line if os.path.isabs(line) else os.path.join(base, line)
                    rel = os.path.relpath(path, base or ".")
                    yield Input(path, rel if not rel.startswith("..") else os.path.basename(path))
        elif os.path.isdir(item):
            yield from _walk(item, recursive)
        elif glob.has_magic(item) and not os.path.exists(item):
            root = _glob_root(item)
            for path in sorted(glob.iglob(item, recursive=recursive)):
                if os.path.isfile(path):
                    yield Input(path, os.path.relpath(path, root))
        else:
            yield Input(item, os.path.basename(item))


# ---------------------------------------------------------------- rows

def _empty_row(path):
    row = dict.fromkeys(COLUMNS)
    row["path"] = path
    return row


def _error_text(e):
    return " ".join(f"{type(e).__name__}: {e}".split())


def _failed(row, e):
    """``row`` with the error of ``e`` and nothing measured (what was measured
    before the failure is dropped: a row is either complete or an error)."""
    keep = {k: row[k] for k in ("path", "output", "input_bytes")}
    row.update(dict.fromkeys(COLUMNS), **keep)
    row["error"] = _error_text(e)
    return row


def _sampling(factors):
    f = tuple(tuple(v) for v in factors)
    if len(f) == 1:
        return "gray"
    return _SUBSAMPLING_NAMES.get(f, ",".join(f"{h}x{v}" for h, v in f))


def report_row(report, row=None):
    """The table row of a ``Report`` (``report.to_dict()``): a dict of ``COLUMNS``."""
    from .tables import estimate_quality

    d = report.to_dict()
    row = _empty_row(None) if row is None else row
    for k in ("width", "height", "components", "model_bits", "header_bits", "data_bits",
              "metadata_bits", "bpp", "psnr"):
        row[k] = d.get(k)
    row["bytes"] = d["size_bytes"]
    row["seconds"] = d["seconds"]
    for stage in d["stages"]:
        row[f"{stage['name']}_bits"] = float(stage["bits"])
    opts = d["options"]
    if d["kind"] == "file":
        row["sampling"] = _sampling(opts["sampling_factors"].values())
        row["progressive"] = opts["process"].startswith("progressive")
        qt = next(s for s in d["stages"] if s["name"] == "quantize")["details"]["quant_tables"]
        tables = list(qt.values())
        if tables:
            row["quality"] = estimate_quality(tables[0], tables[1] if len(tables) > 1 else None)
    else:
        sub = opts["subsampling"]
        row["sampling"] = sub if sub in ("4:4:4", "4:2:2", "4:2:0") else "gray"
        row["progressive"] = False
        row["quality"] = opts.get("quality")
    return row


def _is_jpeg_bytes(data):
    return data[:2] == b"\xff\xd8"


def _read_input(path):
    with open(path, "rb") as fh:
        return fh.read()


def _load_pixels(path, data):
    """The pixels of an input file already read as ``data``."""
    if _is_jpeg_bytes(data):
        return api.decode(data, threads=1)
    suffix = Path(path).suffix.lower() if path else ""
    if suffix == ".npy":
        return np.load(io.BytesIO(data), allow_pickle=False)
    if suffix == ".npz":
        from .images import _from_npz

        return _from_npz(io.BytesIO(data))
    from .images import pillow
    from .inputs import from_pil

    Image = pillow()
    try:
        im = Image.open(io.BytesIO(data))
    except Image.UnidentifiedImageError:
        # (Pillow's message names a BytesIO object, not the file)
        raise ValueError("neither a JPEG nor an image format Pillow reads") from None
    with im:
        # the one rule of jpeglite.inputs, as the single-file encode reads a
        # file: 16-bit samples keep their high byte, alpha is dropped, each
        # with a ConversionWarning (the row's warning)
        return from_pil(im, os.path.basename(path) if path else "image")


def _pixels_of(row, path, data):
    """``_load_pixels``, the warnings it gives kept in ``row["warning"]``
    (a worker's warnings would otherwise go to its stderr, once a place)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image = _load_pixels(path, data)
    if caught:
        # (the row names the file: its name does not start the text here)
        name = f"{os.path.basename(path)}: " if path else "image: "
        row["warning"] = "; ".join(str(w.message).removeprefix(name) for w in caught)
    return image


def _analyze_one(item, opts):
    """The analysis row of one input: a path, an ``Input`` or a JPEG's bytes."""
    if isinstance(item, (bytes, bytearray, memoryview)):
        path, data = None, bytes(item)
    else:
        path = item.path if isinstance(item, Input) else os.fspath(item)
        data = None
    row = _empty_row(path)
    try:
        if data is None:
            data = _read_input(path)
        row["input_bytes"] = len(data)
        if _is_jpeg_bytes(data) and not opts.get("reencode"):
            report = api.analyze(data)
        else:
            report = _analyze_pixels(_pixels_of(row, path, data), opts)
        report_row(report, row)
    except Exception as e:          # a row with its error, never the end of the batch
        _failed(row, e)
    return row


def _analyze_pixels(image, opts):
    """``jpeglite.analyze(image, threads=1, ...)`` on the calling thread only:
    a worker is one of a process per core, and analyze's second thread (the
    decode beside the measurements) only competed with the other workers and
    made ``jobs=1`` use more than one core."""
    from .analysis import analyze_image
    from .inputs import as_array
    from .options import plan_encode

    image, plan = plan_encode(as_array(image), opts["quality"], opts["subsampling"],
                              opts["optimize"], 0)
    return analyze_image(image, plan, 1, helper=False)


def _out_path(out_dir, item, suffix):
    return os.path.join(out_dir, os.path.splitext(item.rel)[0] + suffix)


def _write_atomic(path, write):
    """``write(tmp_path)``, then rename: the output exists only when complete.
    (Three system calls on the way that works: the folder is made only when
    the first write into it fails, and the temporary name looked for only
    when something failed.)"""
    head, tail = os.path.split(path)
    tmp = os.path.join(head, f".{tail}.{os.getpid()}.tmp")
    try:
        try:
            write(tmp)
        except FileNotFoundError:
            os.makedirs(head or ".", exist_ok=True)
            write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _already_done(row, out, resume):
    """With ``resume``, an output that exists is complete (outputs appear only
    by rename): mark the row skipped with its size; True when so."""
    if not (resume and os.path.exists(out)):
        return False
    row["skipped"] = True
    row["bytes"] = os.path.getsize(out)
    return True


def _encode_one(item, opts):
    out_dir, resume, enc = opts["out_dir"], opts["resume"], opts["encode"]
    row = _empty_row(item.path)
    out = row["output"] = _out_path(out_dir, item, ".jpg")
    try:
        if _already_done(row, out, resume):
            return row
        t = time.perf_counter()
        data = _read_input(item.path)
        row["input_bytes"] = len(data)
        image = _pixels_of(row, item.path, data)
        tables = enc.get("tables")
        if isinstance(tables, SharedTables):
            # the group whose tables code it shortest; the reader needs it too
            row["group"] = tables.group_of(image)
            tables = tables.table_set(row["group"])
            enc = {**enc, "tables": tables}
        jpeg = api.encode(image, threads=1, **enc)
        row["seconds"] = time.perf_counter() - t
        _output_row(row, jpeg, tables)
        row["quality"] = enc.get("quality")
        if opts.get("psnr"):
            row["psnr"] = psnr(image, api.decode(jpeg, threads=1))
        _write_atomic(out, lambda p: Path(p).write_bytes(jpeg))
    except Exception as e:
        _failed(row, e)
    return row


def _output_row(row, jpeg, tables=None):
    """Fill ``row`` with the parts of a file jpeglite wrote (``jpeg``): bytes,
    frame, model/header/data/metadata bits, without the measurements of a
    full report. An abbreviated stream is split with its ``tables`` in front,
    then the tables, which the corpus pays once, taken out (model_bits 0)."""
    from .analysis import file_parts
    from .decoder import DEFAULT_MAX_PIXELS

    parts, frame = file_parts(jpeg if tables is None else expand(tables, jpeg), DEFAULT_MAX_PIXELS)
    if tables is not None:
        parts["model"] = 0
        parts["header"] = 8 * len(jpeg) - parts["data"] - parts["metadata"]
    for k, v in parts.items():
        row[f"{k}_bits"] = v
    row["bytes"] = len(jpeg)
    row["file_bits"] = 8.0 * len(jpeg)
    row["width"], row["height"] = frame.width, frame.height
    row["components"] = len(frame.components)
    row["progressive"] = bool(frame.progressive)
    row["sampling"] = _sampling((c.h, c.v) for c in frame.components)
    row["bpp"] = 8 * len(jpeg) / (frame.width * frame.height)
    return row


def _optimize_one(item, opts):
    out_dir, resume = opts["out_dir"], opts["resume"]
    row = _empty_row(item.path)
    out = row["output"] = _out_path(out_dir, item, os.path.splitext(item.rel)[1] or ".jpg")
    try:
        if _already_done(row, out, resume):
            return row
        t = time.perf_counter()
        data = _read_input(item.path)
        row["input_bytes"] = len(data)
        jpeg = api.optimize(data, threads=1, **opts["optimize"])
        row["seconds"] = time.perf_counter() - t
        _output_row(row, jpeg)
        _write_atomic(out, lambda p: Path(p).write_bytes(jpeg))
    except Exception as e:
        _failed(row, e)
    return row


def _decode_one(item, opts):
    from .images import has_cmyk, save_image

    out_dir, resume = opts["out_dir"], opts["resume"]
    row = _empty_row(item.path)
    out = row["output"] = _out_path(out_dir, item, opts["suffix"])
    try:
        if resume and os.path.exists(out):
            row["skipped"] = True
            return row
        t = time.perf_counter()
        data = _read_input(item.path)
        row["input_bytes"] = row["bytes"] = len(data)
        image = api.decode(data, threads=1)
        if image.ndim == 3 and image.shape[2] == 4 and not has_cmyk(out):
            # no CMYK in PNG and the like: RGB as Pillow converts it, not RGBA
            image = api.decode(data, mode="RGB", threads=1)
        row["seconds"] = time.perf_counter() - t
        row["height"], row["width"] = image.shape[:2]
        row["components"] = 1 if image.ndim == 2 else image.shape[2]
        row["bpp"] = 8 * len(data) / (image.shape[0] * image.shape[1])
        # save_image picks the format by suffix: give the temporary name the same one
        _write_atomic(out, lambda p: _save_as(save_image, p, out, image))
    except Exception as e:
        _failed(row, e)
    return row


def _save_as(save_image, tmp, final, image):
    suffix = Path(final).suffix
    save_image(tmp + suffix, image)
    os.replace(tmp + suffix, tmp)


# The options of the batch a worker last ran, unpickled once per batch rather
# than once per chunk (a SharedTables keeps what it computed for group_of).
_WORKER_OPTS = (None, None)


def _run_chunk(func, items, blob):
    """``func(item, opts)`` for each of ``items`` in a worker: (results, CPU
    seconds they took), the CPU time sizing the chunks that follow."""
    global _WORKER_OPTS
    cpu = time.process_time()
    if _WORKER_OPTS[0] != blob:
        _WORKER_OPTS = (blob, pickle.loads(blob))
    opts = _WORKER_OPTS[1]
    return [func(item, opts) for item in items], time.process_time() - cpu


def resolve_jobs(jobs):
    """Worker processes for ``jobs`` (None: every core; an int >= 1)."""
    if jobs is None:
        return os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int):
        raise TypeError(f"jobs must be an int, not {type(jobs).__name__}")
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    return jobs


#: CPU seconds of work a chunk of inputs aims at: long enough that the
#: parent's share per chunk (a submit, a result, two thread switches) and a
#: worker's wait for its next chunk are small beside it, short enough that
#: the last chunks of a batch end close together.
CHUNK_SECONDS = 0.05

#: The most inputs in one chunk (the window of rows in flight is 4 chunks per
#: worker: this bounds its memory).
MAX_CHUNK = 256

#: Inputs listed ahead of the chunks (names only, not images): how far the
#: batch looks for its end, so that chunks can be large until the end is in
#: sight and shrink only there.
LOOKAHEAD = 4096


class _Chunker:
    """The inputs of a batch cut into chunks whose size follows the CPU time
    per input measured so far: one input at first (so that a few large
    images spread over every worker), then growing (at most doubling each
    chunk) towards ``CHUNK_SECONDS`` of work, up to ``MAX_CHUNK`` inputs.
    The inputs are listed up to ``LOOKAHEAD`` ahead, so the chunker knows
    when the end of the batch is near: from there a chunk is at most a
    ``4 * jobs``-th of what is left (guided self-scheduling), so the last
    chunks shrink to one input and the cores end the batch together, while
    a batch of thousands of tiles needs tens of chunks, not hundreds.
    ``fixed``: that many inputs a chunk instead.

    An error raised while listing (an unreadable list file) is raised when
    the chunks reach it, after every input listed before it."""

    def __init__(self, items, jobs, fixed=None):
        self.items = iter(items)
        self.ahead = deque()
        self.error = None
        self.exhausted = False
        self.jobs = jobs
        self.size = fixed or 1
        self.fixed = fixed
        self.done = 0               # inputs measured
        self.cpu = 0.0              # their CPU seconds

    def measured(self, n, cpu_seconds):
        """A chunk of ``n`` inputs took ``cpu_seconds`` of a worker's CPU."""
        self.done += n
        self.cpu += cpu_seconds

    def _fill(self):
        while not self.exhausted and len(self.ahead) < LOOKAHEAD:
            try:
                self.ahead.append(next(self.items))
            except StopIteration:
                self.exhausted = True
            except Exception as e:      # raised in its turn, see next()
                self.error, self.exhausted = e, True

    def next(self):
        """The next chunk (a list), or None when the inputs are exhausted."""
        self._fill()
        if not self.ahead:
            if self.error is not None:
                error, self.error = self.error, None
                raise error
            return None
        if self.done and not self.fixed:
            per_item = max(self.cpu, 1e-6) / self.done
            target = max(1, min(MAX_CHUNK, int(CHUNK_SECONDS / per_item)))
            self.size = min(target, 2 * self.size)
        size = self.size
        if self.exhausted and not self.fixed:
            size = min(size, max(1, -(-len(self.ahead) // (4 * self.jobs))))
        return [self.ahead.popleft() for _ in range(min(size, len(self.ahead)))]


_HEAP_KEPT = False


def keep_freed_memory():
    """Make glibc's malloc keep the memory an image frees for the next image
    of a batch, in this process: blocks up to 8 MB come from the heap (not
    mmap), and up to 64 MB freed at its top are kept rather than given back
    to the kernel. Without it, every 64x64 tile grows the heap and shrinks
    it again, and faults its pages in anew: about 300 page faults and 0.45
    ms of kernel time a tile in ``analyze`` (of 3 ms), and the page
    allocator is shared by the workers. Batch workers (the pool's and the
    Dask tasks' processes) and the CLI's batch commands call it; a program
    running ``jobs=1`` batches may call it for its own process. Does nothing
    where malloc is not glibc's (or has no ``mallopt``)."""
    global _HEAP_KEPT
    if _HEAP_KEPT or not sys.platform.startswith("linux"):
        return
    _HEAP_KEPT = True
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(-3, 8 << 20)            # M_MMAP_THRESHOLD (fixed: no longer adapts)
    mallopt(-1, 64 << 20)           # M_TRIM_THRESHOLD


# The worker processes, kept from one batch to the next: starting them (a
# process each, importing numpy and jpeglite) costs about half a second, as
# much as coding a thousand 64x64 tiles. (jobs, ProcessPoolExecutor) or None.
_POOL = None


def _mp_context():
    import multiprocessing

    if sys.platform == "win32":
        return multiprocessing.get_context("spawn")
    # forkserver: workers never inherit the parent's threads (a progress bar,
    # a codec thread pool) in a half-held lock, as fork could; the server
    # imports jpeglite once and each worker forks from it ready to work
    ctx = multiprocessing.get_context("forkserver")
    # (Pillow reads the PNG inputs; a module that is not installed is skipped)
    ctx.set_forkserver_preload([__name__, "PIL.Image", "PIL.PngImagePlugin",
                                "PIL.JpegImagePlugin"])
    return ctx


def _get_pool(jobs):
    global _POOL
    from concurrent.futures import ProcessPoolExecutor

    if _POOL is not None and _POOL[0] == jobs:
        return _POOL[1]
    shutdown()
    _POOL = (jobs, ProcessPoolExecutor(jobs, mp_context=_mp_context(),
                                       initializer=keep_freed_memory))
    return _POOL[1]


def _new_pool(jobs):
    """A fresh pool in place of one that broke (a worker died)."""
    global _POOL
    if _POOL is not None:
        _POOL[1].shutdown(wait=False, cancel_futures=True)
        _POOL = None
    return _get_pool(jobs)


def shutdown():
    """Stop the worker processes that batches keep between calls (they also
    stop when the interpreter exits)."""
    global _POOL
    if _POOL is not None:
        pool, _POOL = _POOL[1], None
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def _run(func, items, opts, jobs, chunk=None):
    """``func(item, opts)`` for every item, in input order, on ``jobs`` processes.

    Items go to the workers in chunks sized by the CPU time an item takes
    (``_Chunker``: one at first, then up to ``CHUNK_SECONDS`` of work each;
    a 64x64 tile is about a millisecond, so a round trip per file would cost
    as much as the file; ``chunk``: a fixed size instead), with ``opts`` pickled once for the batch; each
    worker writes its own outputs and returns only rows. At most 4 chunks
    per worker are in flight: memory is bounded by the window, not the
    dataset. The workers stay up for the next batch (``shutdown`` stops
    them). A worker that dies (a crash, the OOM killer) turns its chunk into
    error rows and the pool is started again.
    """
    jobs = resolve_jobs(jobs)
    if jobs == 1:
        for item in items:
            yield func(item, opts)
        return
    from concurrent.futures.process import BrokenProcessPool

    blob = pickle.dumps(opts, protocol=pickle.HIGHEST_PROTOCOL)
    pool = _get_pool(jobs)
    chunker = _Chunker(items, jobs, chunk)
    window = deque()
    try:
        while True:
            part = chunker.next()
            if part is None:
                break
            window.append((part, pool.submit(_run_chunk, func, part, blob)))
            while len(window) >= 4 * jobs:
                pool = yield from _drain_one(window, func, opts, blob, pool, jobs,
                                             BrokenProcessPool, chunker)
        while window:
            pool = yield from _drain_one(window, func, opts, blob, pool, jobs,
                                         BrokenProcessPool, chunker)
    finally:
        # a batch left early (an exception, a generator closed): its queued
        # chunks are dropped, the ones running finish (their outputs are
        # complete files) and the workers stay for the next batch
        for _, fut in window:
            fut.cancel()


def _drain_one(window, func, opts, blob, pool, jobs, broken, chunker):
    part, fut = window.popleft()
    try:
        rows, cpu = fut.result()
        chunker.measured(len(part), cpu)
    except broken:
        # any chunk in flight may have killed the pool: run this one's items
        # each in a process of its own to find the culprit, and the other
        # chunks again on a new pool
        pool = _new_pool(jobs)
        rows = [_isolated(func, item, opts, broken) for item in part]
        try:
            for i, (p, _) in enumerate(window):
                window[i] = (p, pool.submit(_run_chunk, func, p, blob))
        except broken as e:
            raise RuntimeError(f"the worker processes cannot run ({e})") from None
    yield from rows
    return pool


def _isolated(func, item, opts, broken):
    """``func(item, opts)`` in a process of its own; an error row if it dies."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=_mp_context()) as pool:
        try:
            return pool.submit(func, item, opts).result()
        except broken as e:
            row = _empty_row(item.path if isinstance(item, Input) else None)
            row["error"] = _error_text(RuntimeError(f"the worker process died ({e})"))
            return row


# ---------------------------------------------------------------- progress

class _Progress:
    """A tqdm bar on stderr (files/s, MB/s of input); nothing without tqdm or when off."""

    def __init__(self, enabled, desc):
        self.bar = None
        self.bytes = 0
        self.start = time.perf_counter()
        self.shown = 0.0
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                return
            self.bar = tqdm(desc=desc, unit="file", file=sys.stderr, dynamic_ncols=True)

    def update(self, row):
        if self.bar is None:
            return
        self.bytes += row.get("input_bytes") or 0
        self.bar.update(1)
        now = time.perf_counter()
        if now - self.shown > 0.5:
            self.shown = now
            self.bar.set_postfix_str(f"{self.bytes / 1e6 / (now - self.start):.1f} MB/s",
                                     refresh=False)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _rows(func, inputs, opts, jobs, recursive, progress, desc):
    bar = _Progress(progress, desc)
    try:
        for row in _run(func, iter_inputs(inputs, recursive), opts, jobs):
            bar.update(row)
            yield row
    finally:
        bar.close()


# ---------------------------------------------------------------- public batch API

def _encode_kwargs(quality, subsampling, optimize, tables=None, progressive=False, tune=None):
    out = {"quality": quality, "subsampling": subsampling, "optimize": optimize}
    if progressive:
        out["progressive"] = True
    if tune is not None:
        out["tune"] = tune
    if tables is not None:
        out = {"subsampling": subsampling, "tables": tables}
    return out


def iter_analyze(paths, jobs=None, *, recursive=False, quality=75, subsampling="4:2:0",
                 optimize=False, reencode=False, progress=False):
    """The rows of ``analyze`` one by one, in input order (see ``analyze``)."""
    opts = {**_encode_kwargs(quality, subsampling, optimize), "reencode": reencode}
    return _rows(_analyze_one, paths, opts, jobs, recursive, progress, "analyze")


def analyze(paths, jobs=None, *, client=None, recursive=False, quality=75,
            subsampling="4:2:0", optimize=False, reencode=False, progress=False):
    """Where the bits go, image by image: one row per input (``COLUMNS``).

    ``paths``: files, folders, globs and ``@list`` files (see ``iter_inputs``),
    or a ``dask.bag.Bag`` of paths or JPEG bytes. A JPEG file is reported as it
    is (``jpeglite.analyze(data)``: ``quality`` is the IJG quality nearest to its
    tables, ``psnr`` empty); any other image (or a JPEG with ``reencode``) is
    encoded stage by stage with ``quality``, ``subsampling`` and ``optimize``
    (``psnr`` in dB against its pixels). ``bytes`` is the size of the JPEG the
    row describes; ``model_bits`` (DQT, DHT: L(P)) + ``header_bits`` +
    ``data_bits`` (L(D|P)) + ``metadata_bits`` = 8 x ``bytes``; ``<stage>_bits``
    the bits at each stage (empty where a stage does not apply).
    ``error``: None, or the failure (the other columns then empty).

    ``jobs``: worker processes (None: every core). ``client``: a
    ``distributed.Client`` to run on instead; the result is then a Dask
    DataFrame (as for a bag). ``progress``: a tqdm bar on stderr.
    Returns a pandas DataFrame, or a list of dicts when pandas is not installed.
    """
    opts = {**_encode_kwargs(quality, subsampling, optimize), "reencode": reencode}
    if client is not None or _is_bag(paths):
        return _dask_frame(_analyze_one, paths, opts, client, recursive)
    return _frame(iter_analyze(paths, jobs, recursive=recursive, quality=quality,
                               subsampling=subsampling, optimize=optimize,
                               reencode=reencode, progress=progress))


def iter_encode(paths, out_dir, jobs=None, *, recursive=False, quality=75,
                subsampling="4:2:0", optimize=False, progressive=False, tables=None,
                resume=False, psnr=False, progress=False, tune=None):
    """The rows of ``encode`` one by one, in input order (see ``encode``)."""
    _check_out_dir(out_dir)
    opts = {"out_dir": os.fspath(out_dir), "resume": resume, "psnr": psnr,
            "encode": _encode_kwargs(quality, subsampling, optimize, tables, progressive, tune)}
    return _rows(_encode_one, paths, opts, jobs, recursive, progress, "encode")


def encode(paths, out_dir, jobs=None, *, recursive=False, quality=75, subsampling="4:2:0",
           optimize=False, progressive=False, tables=None, resume=False, psnr=False,
           progress=False, tune=None):
    """Encode every input image as ``out_dir/<its path below its folder>.jpg``.

    Inputs as ``analyze``; a JPEG input is decoded and re-encoded; options as
    ``jpeglite.encode``'s. ``tables``: a tables-only stream or the
    ``SharedTables`` of ``fit_tables`` whose tables every file uses, written
    as abbreviated streams (``quality``/``optimize`` then unused;
    ``model_bits`` 0, the tables being paid once); with several groups each
    image is coded with the group that codes it shortest, its ``group``
    column saying which (``tables.to_bytes(group)`` reads it). ``resume``: an output that exists is complete (outputs are
    renamed into place), so it is skipped (``skipped`` True). ``psnr``: decode
    each file and fill ``psnr`` (dB). Rows: path, output, error, input_bytes,
    bytes, the frame, model/header/data/metadata bits, file_bits, seconds (of
    reading and encoding). ``tune``: as ``jpeglite.encode``'s ("psnr").
    """
    return _frame(iter_encode(paths, out_dir, jobs, recursive=recursive, quality=quality,
                              subsampling=subsampling, optimize=optimize,
                              progressive=progressive, tables=tables, resume=resume, psnr=psnr,
                              progress=progress, tune=tune))


def iter_optimize(paths, out_dir, jobs=None, *, recursive=False, progressive=True,
                  keep_metadata=True, resume=False, progress=False):
    """The rows of ``optimize`` one by one, in input order (see ``optimize``)."""
    _check_out_dir(out_dir)
    opts = {"out_dir": os.fspath(out_dir), "resume": resume,
            "optimize": {"progressive": progressive, "keep_metadata": keep_metadata}}
    return _rows(_optimize_one, paths, opts, jobs, recursive, progress, "optimize")


def optimize(paths, out_dir, jobs=None, *, recursive=False, progressive=True,
             keep_metadata=True, resume=False, progress=False):
    """Losslessly re-optimize every input JPEG (``jpeglite.optimize``: the same
    pixels, never more bytes) into ``out_dir/<its path below its folder>``.
    Rows as ``encode``'s: ``input_bytes`` before, ``bytes`` after."""
    return _frame(iter_optimize(paths, out_dir, jobs, recursive=recursive,
                                progressive=progressive, keep_metadata=keep_metadata,
                                resume=resume, progress=progress))


def iter_decode(paths, out_dir, jobs=None, *, recursive=False, suffix=".png", resume=False,
                progress=False):
    """The rows of ``decode`` one by one, in input order (see ``decode``)."""
    _check_out_dir(out_dir)
    if not isinstance(suffix, str) or not suffix.startswith("."):
        raise ValueError(f"suffix must be a file suffix such as '.png', got {suffix!r}")
    opts = {"out_dir": os.fspath(out_dir), "resume": resume, "suffix": suffix}
    return _rows(_decode_one, paths, opts, jobs, recursive, progress, "decode")


def decode(paths, out_dir, jobs=None, *, recursive=False, suffix=".png", resume=False,
           progress=False):
    """Decode every input JPEG to ``out_dir/<its path below its folder><suffix>``
    (``.png`` and other Pillow formats, ``.npy``, ``.npz``); rows with path,
    output, error, bytes, width, height, components, bpp, seconds."""
    return _frame(iter_decode(paths, out_dir, jobs, recursive=recursive, suffix=suffix,
                              resume=resume, progress=progress))


def _check_out_dir(out_dir):
    if not isinstance(out_dir, (str, os.PathLike)):
        raise TypeError(f"out_dir must be a str or os.PathLike, not {type(out_dir).__name__}")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise ValueError(f"out_dir {os.fspath(out_dir)!r} is not a folder")


# ---------------------------------------------------------------- tables

_PANDAS_TYPES = {"str": "string", "int": "Int64", "float": "Float64", "bool": "boolean"}


def _pandas():
    try:
        import pandas
    except ImportError:
        return None
    return pandas


def _frame(rows):
    """A pandas DataFrame of ``rows`` with ``COLUMNS``' types (a list without pandas)."""
    rows = list(rows)
    pd = _pandas()
    if pd is None:
        return rows
    return _typed(pd.DataFrame.from_records(rows, columns=list(COLUMNS)))


def _typed(df):
    return df.astype({k: _PANDAS_TYPES[t] for k, t in COLUMNS.items()})


def _cell(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_table(rows, path, on_row=None):
    """Stream ``rows`` (dicts of ``COLUMNS``) to ``path``: ``.csv``, ``.jsonl``
    (one JSON object a line) or ``.parquet`` (needs pyarrow; written in row
    groups of 4,096). ``on_row(row)`` sees each row after it is written.
    Returns the number of rows."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".jsonl", ".parquet"):
        raise ValueError(f"table {os.fspath(path)!r}: the suffix must be .csv, .jsonl or .parquet")
    n = 0
    if suffix == ".parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            from .images import MissingDependency

            raise MissingDependency("a .parquet table needs pyarrow: pip install "
                                    "\".[dataset]\" (from the jpeglite checkout)") from None
        types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(),
                 "bool": pa.bool_()}
        schema = pa.schema([(k, types[t]) for k, t in COLUMNS.items()])

        def flush(batch, writer):
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))

        def as_float(row):
            # inf PSNR stays a float in Parquet
            return {k: (float(v) if COLUMNS[k] == "float" and v is not None else v)
                    for k, v in row.items()}

        with pq.ParquetWriter(os.fspath(path), schema) as writer:
            batch = []
            for row in rows:
                batch.append(as_float(row))
                n += 1
                if on_row:
                    on_row(row)
                if len(batch) == 4096:
                    flush(batch, writer)
                    batch = []
            if batch or n == 0:
                flush(batch, writer)
        return n
    with open(path, "w", newline="", encoding="utf-8") as fh:
        if suffix == ".csv":
            writer = csv.DictWriter(fh, fieldnames=list(COLUMNS))
            writer.writeheader()
            put = lambda row: writer.writerow({k: _cell(row.get(k)) for k in COLUMNS})  # noqa: E731
        else:
            put = lambda row: fh.write(json.dumps(  # noqa: E731
                {k: _cell(row.get(k)) for k in COLUMNS}, allow_nan=False) + "\n")
        for row in rows:
            put(row)
            n += 1
            if on_row:
                on_row(row)
    return n


class Summary:
    """Totals of a batch, kept as its rows go by (memory: a few numbers per
    row for the medians and a heap of the biggest files)."""

    BIGGEST = 5

    def __init__(self):
        self.rows = self.failed = self.skipped = self.warned = 0
        self.errors = []            # the first few (path, error)
        self.warnings = []          # the first few (path, warning)
        self.sizes, self.bpps, self.psnrs = [], [], []
        self.biggest = []           # (bytes, path) min-heap of the BIGGEST
        self.parts = dict.fromkeys(("model_bits", "header_bits", "data_bits",
                                    "metadata_bits"), 0)
        self.stages = dict.fromkeys(STAGES, 0.0)
        self.input_bytes = 0
        self.start = time.perf_counter()

    def add(self, row):
        """Count one row."""
        self.rows += 1
        if row.get("warning"):
            self.warned += 1
            if len(self.warnings) < 5:
                self.warnings.append((row["path"], row["warning"]))
        if row.get("error"):
            self.failed += 1
            if len(self.errors) < 10:
                self.errors.append((row["path"], row["error"]))
            return
        if row.get("skipped"):
            self.skipped += 1
            return
        self.input_bytes += row.get("input_bytes") or 0
        size = row.get("bytes")
        if size is not None:
            self.sizes.append(size)
            item = (size, row.get("path") or "")
            if len(self.biggest) < self.BIGGEST:
                heapq.heappush(self.biggest, item)
            else:
                heapq.heappushpop(self.biggest, item)
        if row.get("bpp") is not None:
            self.bpps.append(row["bpp"])
        if row.get("psnr") is not None and math.isfinite(row["psnr"]):
            self.psnrs.append(row["psnr"])
        for k in self.parts:
            self.parts[k] += row.get(k) or 0
        for s in STAGES:
            self.stages[s] += row.get(f"{s}_bits") or 0.0

    def __str__(self):
        seconds = time.perf_counter() - self.start
        done = self.rows - self.failed - self.skipped
        lines = [f"{self.rows:,} files: {done:,} done, {self.failed:,} failed, "
                 f"{self.skipped:,} skipped, in {seconds:.1f} s "
                 f"({self.rows / seconds if seconds else 0:.1f} files/s, "
                 f"{self.input_bytes / 1e6 / seconds if seconds else 0:.1f} MB/s read)"]
        if self.sizes:
            total = sum(self.sizes)
            lines.append(f"JPEG bytes: total {total:,}, median {statistics.median(self.sizes):,.0f}"
                         + (f"; median {statistics.median(self.bpps):.3f} bits/pixel"
                            if self.bpps else "")
                         + (f"; median PSNR {statistics.median(self.psnrs):.2f} dB"
                            if self.psnrs else ""))
            bits = sum(self.parts.values())
            if bits:
                lines.append("where the bits go (all files): " + ", ".join(
                    f"{k[:-5]} {v:,} bits ({100 * v / bits:.1f}%)"
                    for k, v in self.parts.items()))
            staged = [(s, b) for s, b in self.stages.items() if b]
            if staged:
                lines.append("bits by stage (sum over the files that have it): " + ", ".join(
                    f"{s} {b:,.0f}" for s, b in staged))
            lines.append("biggest files: " + ", ".join(
                f"{p} ({b:,} bytes)" for b, p in sorted(self.biggest, reverse=True)))
        for path, warning in self.warnings:
            lines.append(f"warning: {path}: {warning}")
        if self.warned > len(self.warnings):
            lines.append(f"... and {self.warned - len(self.warnings):,} more files with warnings")
        for path, error in self.errors:
            lines.append(f"failed: {path}: {error}")
        if self.failed > len(self.errors):
            lines.append(f"... and {self.failed - len(self.errors):,} more failures")
        return "\n".join(lines)


# ---------------------------------------------------------------- Dask

#: Dask settings for clusters that run jpeglite's tasks (``dask.config.set(DASK_CONFIG)``
#: before the cluster starts, or the same keys in the workers' Dask config):
#: Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``: glibc
#: then gives memory back to the kernel whenever 64 KB lie free at the top of
#: the heap (and no longer adapts its mmap threshold), so the codec's buffers
#: are returned and faulted in again for every image: measured on 64x64
#: tiles, 5.1 ms of CPU a tile (1.9 ms of it in the kernel) against 2.7 ms
#: with the defaults.
DASK_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def _is_bag(obj):
    mod = type(obj).__module__ or ""
    return mod.startswith("dask.bag")


def _dask_meta():
    import pandas as pd

    return _typed(pd.DataFrame({k: [] for k in COLUMNS}))


def _dask_frame(func, paths, opts, client, recursive):
    """A Dask DataFrame of ``func`` over a bag of ``paths`` (or a bag given)."""
    try:
        import dask.bag as db
    except ImportError:
        from .images import MissingDependency

        raise MissingDependency("the Dask engine needs dask: pip install \".[dataset]\" "
                                "(from the jpeglite checkout)") \
            from None
    if _is_bag(paths):
        bag = paths
    else:
        # the paths (not the images) are listed here; workers read the files
        items = list(iter_inputs(paths, recursive))
        parts = max(1, min(len(items), 8 * _cluster_cores(client)))
        bag = db.from_sequence(items, npartitions=parts)
    df = bag.map(_in_dask_worker, func, opts).to_dataframe(meta=_dask_meta())
    if client is not None:
        df = client.persist(df)
    return df


def _in_dask_worker(item, func, opts):
    keep_freed_memory()             # once per worker process, as the pool's workers
    return func(item, opts)


def iter_rows(df):
    """The rows (dicts, None for a missing value) of a batch's DataFrame: a
    pandas one, or a Dask one computed a partition at a time (so that only
    one partition is in memory here)."""
    parts = df.partitions if hasattr(df, "partitions") else [df]
    for part in parts:
        pdf = part.compute() if hasattr(part, "compute") else part
        for record in pdf.to_dict("records"):
            yield {k: (None if _missing(v) else (v.item() if isinstance(v, np.generic) else v))
                   for k, v in record.items()}


def _missing(v):
    try:
        import pandas as pd

        return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
    except ImportError:
        return v is None


def _cluster_cores(client):
    if client is None:
        return os.cpu_count() or 1
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:
        return os.cpu_count() or 1


# ---------------------------------------------------------------- a shared model

def _image_of(item):
    """Pixels of a shared-model input: an array, a file's bytes or a path."""
    if isinstance(item, np.ndarray):
        return item
    if isinstance(item, (bytes, bytearray, memoryview)):
        return _load_pixels(None, bytes(item))
    path = item.path if isinstance(item, Input) else os.fspath(item)
    return _load_pixels(path, _read_input(path))


def _counts_one(item, opts):
    """The symbol counts of one image's sequential encode (``_ImageCounts``),
    quantized at ``opts["quality"]`` or with the tables ``opts["tables"]``."""
    try:
        image = _image_of(item)
        return _image_counts(image, opts.get("quality"), opts["subsampling"], opts.get("tables"))
    except Exception as e:
        if not opts["skip_errors"]:
            raise
        return _ImageCounts(None, None, 0, (_item_name(item), _error_text(e)))


@dataclass(frozen=True)
class _ImageCounts:
    """What a shared model needs of one image: ``counts`` {(class, id): int64
    (256,)} of its sequential encode, its ``qtables`` {slot: table}, its
    number of ``components``; or the ``error`` (path, text) it failed with."""
    counts: dict
    qtables: dict
    components: int
    error: tuple = None


def _image_counts(image, quality, subsampling, tables=None):
    from . import _encoder
    from .encoder import symbol_counts
    from .options import plan_encode

    image, plan = plan_encode(image, quality, subsampling, False, 0, tables=tables,
                              abbreviated=False)
    blocks = _encoder.forward(image, plan.h, plan.v, plan.component_qtables())
    return _ImageCounts(symbol_counts(plan.coefficients(blocks)), plan.qtables,
                        1 if image.ndim == 2 else 3)


def _item_name(item):
    if isinstance(item, Input):
        return item.path
    if isinstance(item, (str, os.PathLike)):
        return os.fspath(item)
    return f"<{type(item).__name__}>"


def _every_symbol(cls):
    """The symbols a baseline scan can code with a table of class ``cls``:
    DC categories 0..11; AC EOB, ZRL and run/size 0..15 x 1..10."""
    if cls == 0:
        return list(range(12))
    return [0x00, 0xF0] + [(r << 4) | s for r in range(16) for s in range(1, 11)]


def _corpus_items(images, recursive):
    if isinstance(images, (str, os.PathLike)):
        return iter_inputs([images], recursive)
    if isinstance(images, np.ndarray) and images.dtype != object and images.ndim in (2, 3) \
            and images.dtype == np.uint8 and (images.ndim == 2 or images.shape[-1] == 3):
        return [images]            # one image, not a stack
    items = list(images) if not hasattr(images, "__next__") else images

    def expand_paths():
        for item in items:
            if isinstance(item, (str, os.PathLike)):
                yield from iter_inputs([item], recursive)
            else:
                yield item
    return expand_paths()


# The symbol counts of an image as one row of a corpus's count matrix: the
# 256 symbols of each Huffman table a sequential encode uses, tables in this
# order ((class 0 DC / 1 AC, id 0 luma / 1 chroma)).
_KEYS = ((0, 0), (1, 0), (0, 1), (1, 1))
_COLUMNS = 256 * len(_KEYS)
# the code length (bits) of a symbol a table has no code for: an image that
# needs it never goes to that table set
_NO_CODE = 1 << 24
# amplitude bits that follow each symbol (T.81 F.1.2): its size, the low 4 bits
_AMPLITUDE_BITS = np.tile(np.arange(256) & 15, len(_KEYS))
#: The largest k the group search clusters for (powers of two up to it, then
#: one table set per image, which needs no clustering).
MAX_GROUPS = 1024


def _count_row(counts):
    row = np.zeros(_COLUMNS, np.int64)
    for i, key in enumerate(_KEYS):
        if key in counts:
            row[256 * i:256 * (i + 1)] = counts[key]
    return row


def _stream_header_bytes(components):
    """Bytes of an abbreviated image stream besides its entropy-coded data:
    SOI 2, SOF0 10 + 3 a component, SOS 8 + 2 a component, EOI 2."""
    return 22 + 5 * components


@dataclass(frozen=True)
class GroupCost:
    """One point of a corpus's description-length curve (``fit_tables``): the
    corpus coded with ``k`` table sets, in bits.

    ``model_bits``: L(P), the k tables-only streams; ``data_bits``: sum of
    L(D_i|P_g(i)), each image's abbreviated stream with its group's tables
    (headers, Huffman codes and amplitude bits, from its symbol counts: the
    padding to a byte and 0xFF byte stuffing, a few bytes an image, are left
    out); ``index_bits``: which group codes each image, ceil(log2 k) bits an
    image; ``total_bits`` their sum."""
    k: int
    model_bits: int
    data_bits: int
    index_bits: int

    @property
    def total_bits(self):
        """model + data + index bits."""
        return self.model_bits + self.data_bits + self.index_bits


@dataclass(frozen=True, eq=False)
class SharedTables:
    """A shared model for a corpus, as ``fit_tables`` fits it: ``k`` table sets
    (``table_sets``, ``jfif.TableSet``), each image coded with one of them.

    ``assignment``: the group (0..k-1) of each image fitted, in input order
    (images that failed left out); ``curve``: a ``GroupCost`` per k tried, the
    description length the choice of ``k`` was made on (``cost``: the chosen
    point); ``subsampling`` as fitted. With one group, pass it as ``tables=``
    to ``jpeglite.encode``/``decode`` and ``expand`` as its bytes are passed;
    with several, pass ``table_set(group_of(image))`` (the reader needs the
    group: keep it beside the stream, as ``dataset.encode`` does in its
    ``group`` column).
    """
    table_sets: tuple
    assignment: tuple
    curve: tuple
    subsampling: str

    @property
    def k(self):
        """The number of table sets (groups)."""
        return len(self.table_sets)

    @property
    def cost(self):
        """The ``GroupCost`` of this model (``k`` table sets)."""
        return next(p for p in self.curve if p.k == self.k)

    def table_set(self, group=None):
        """The ``jfif.TableSet`` of ``group`` (0..k-1; None with one group)."""
        if group is None:
            if self.k != 1:
                raise ValueError(f"tables holds {self.k} table sets (groups): pass "
                                 f"table_set(group), e.g. table_set(group_of(image))")
            group = 0
        if isinstance(group, bool) or not isinstance(group, (int, np.integer)):
            raise TypeError(f"group must be an int, not {type(group).__name__}")
        if not 0 <= group < self.k:
            raise ValueError(f"group must be 0..{self.k - 1}, got {group}")
        return self.table_sets[group]

    def to_bytes(self, group=None):
        """The tables-only stream of ``group`` (T.81 B.5: SOI, APP0, DQT, DHT,
        EOI): bytes; ``group`` None with one group."""
        return self.table_set(group).to_bytes()

    def __bytes__(self):
        return self.to_bytes()

    def group_of(self, image):
        """The group (int) whose tables code ``image`` (as ``jpeglite.encode``
        takes it) in the fewest bits: the one to encode it with."""
        if self.k == 1:
            return 0
        counts = _image_counts(image, None, self.subsampling, self.table_sets[0])
        return int(np.argmin(self._lengths @ _count_row(counts.counts)))

    @functools.cached_property
    def _lengths(self):
        return np.stack([_code_lengths(t.huffman) for t in self.table_sets])

    @classmethod
    def from_streams(cls, streams, subsampling="4:2:0"):
        """A ``SharedTables`` of tables-only streams (bytes each, as
        ``to_bytes`` wrote them), group i being ``streams[i]``; no curve beyond
        its own point's k, no assignment."""
        sets = tuple(api._tables_arg(api._as_bytes(s)) for s in streams)
        if not sets:
            raise ValueError("streams holds no tables-only stream")
        return cls(sets, (), (GroupCost(len(sets), 8 * sum(len(s) for s in streams), 0, 0),),
                   subsampling)


def _code_lengths(huffman):
    """The code length (bits) of each column of a count row under the tables
    ``huffman`` ({(class, id): (bits, values)}); _NO_CODE where none."""
    out = np.full(_COLUMNS, _NO_CODE, np.int64)
    for i, key in enumerate(_KEYS):
        if key in huffman:
            bits, values = huffman[key]
            out[256 * i + np.asarray(values, np.int64)] = np.repeat(np.arange(1, 17), bits)
    return out


def _fit_huffman(row, keys, complete):
    """Optimal tables {(class, id): (bits, values)} for the counts ``row``
    (summed over a group), one for each table in ``keys`` (those the corpus
    uses); with ``complete`` every symbol gets a code."""
    from ._huffman import optimal_table

    out = {}
    for i, key in enumerate(_KEYS):
        if key not in keys:
            continue
        c = np.array(row[256 * i:256 * (i + 1)], np.int64)
        if complete:
            every = _every_symbol(key[0])
            c[every] = np.maximum(c[every], 1)
        elif not c.any():
            continue
        out[key] = tuple(map(tuple, optimal_table(c)))
    return out


class _Corpus:
    """The symbol counts of a corpus, one row an image (what clustering needs),
    and the costs that do not depend on the tables."""

    def __init__(self, rows, components, qtables, complete):
        from .jfif import tables_stream

        self.rows = np.asarray(rows, np.int64).reshape(-1, _COLUMNS)
        self.n = len(self.rows)
        self.keys = {key for i, key in enumerate(_KEYS)
                     if self.rows[:, 256 * i:256 * (i + 1)].any()}
        self.qtables = qtables
        self.complete = complete
        # the columns some image uses: the only ones a cost needs
        self.used = np.flatnonzero(self.rows.any(axis=0))
        # blocks per image: one DC symbol each
        self.blocks = self.rows[:, 0:256].sum(axis=1) + self.rows[:, 512:768].sum(axis=1)
        self.dense = self.rows[:, self.used].astype(np.float64)
        self.fixed_bits = (8 * sum(_stream_header_bytes(c) for c in components)
                           + int((self.rows @ _AMPLITUDE_BITS).sum()))
        # the tables-only stream without its DHTs (SOI, APP0, DQT, EOI)
        self.stream_bytes = len(tables_stream(qtables, {}))

    def fit(self, assign, k):
        """Tables fitted to each of the k groups of ``assign``."""
        sums = np.zeros((k, _COLUMNS), np.int64)
        np.add.at(sums, assign, self.rows)
        return [_fit_huffman(s, self.keys, self.complete) for s in sums]

    def costs(self, huffmans):
        """(images, k) Huffman code bits of each image under each table set."""
        lengths = np.stack([_code_lengths(h)[self.used] for h in huffmans])
        return self.dense @ lengths.T.astype(np.float64)

    def point(self, k, code_bits, model_bytes):
        index = self.n * math.ceil(math.log2(k)) if k > 1 else 0
        return GroupCost(k, 8 * model_bytes, self.fixed_bits + int(round(code_bits)), index)

    def model_bytes(self, huffmans):
        return sum(self.stream_bytes + sum(21 + len(v) for _, v in h.values())
                   for h in huffmans)

    def own_bits(self, complete):
        """Per image: (Huffman bits with tables of its own, bytes of their DHTs)."""
        from ._huffman import optimal_costs

        bits = np.zeros(self.n, np.int64)
        dht = np.zeros(self.n, np.int64)
        for i, key in enumerate(_KEYS):
            if key not in self.keys:
                continue
            c = np.ascontiguousarray(self.rows[:, 256 * i:256 * (i + 1)])
            if complete:
                every = _every_symbol(key[0])
                c[:, every] = np.maximum(c[:, every], 1)
            b, nsym = optimal_costs(c)
            bits += b
            dht += np.where(c.any(axis=1), 21 + nsym, 0)
        return bits, dht


def _lloyd(corpus, assign, k, own, iterations=20):
    """Lloyd iterations on actual code lengths: fit a table set to each group,
    move each image to the set that codes it in the fewest bits, until no
    image moves. A group left empty takes the image its set fits worst
    (most bits above its own tables'). Returns (assign, huffmans, costs)."""
    for _ in range(iterations):
        huffmans = corpus.fit(assign, k)
        costs = corpus.costs(huffmans)
        new = costs.argmin(axis=1)
        sizes = np.bincount(new, minlength=k)
        for g in np.flatnonzero(sizes == 0):
            excess = costs[np.arange(corpus.n), new] - own
            excess[sizes[new] < 2] = -np.inf
            i = int(np.argmax(excess))
            sizes[new[i]] -= 1
            new[i], sizes[g] = g, 1
        if np.array_equal(new, assign):
            return assign, huffmans, costs
        assign = new
    huffmans = corpus.fit(assign, k)
    return assign, huffmans, corpus.costs(huffmans)


def _split(corpus, assign, costs, k, target):
    """``assign`` with up to ``target - k`` more groups: the groups that cost
    the most bits each split in two at their median bits per block (busy
    images from smooth ones, the direction their symbol statistics differ
    most along), the halves seeding the Lloyd iterations. Returns (assign, k)."""
    assign = assign.copy()
    per_block = costs[np.arange(corpus.n), assign] / np.maximum(corpus.blocks, 1)
    totals = np.bincount(assign, weights=costs[np.arange(corpus.n), assign], minlength=k)
    new = k
    for g in np.argsort(-totals, kind="stable"):
        if new == target:
            break
        members = np.flatnonzero(assign == g)
        if len(members) < 2:
            continue
        order = members[np.argsort(per_block[members], kind="stable")]
        assign[order[len(order) // 2:]] = new
        new += 1
    return assign, new


def _group_ks(groups, n):
    """The k to try: 1, 2, 4, ... up to ``groups`` (for "auto": up to
    MAX_GROUPS, then one set per image), never more than the ``n`` images."""
    top = min(n, MAX_GROUPS) if groups == "auto" else min(groups, n)
    ks = [1]
    while ks[-1] * 2 < top:
        ks.append(ks[-1] * 2)
    if top not in ks:
        ks.append(top)
    if groups == "auto" and n not in ks:
        ks.append(n)
    return ks


def _search_groups(corpus, groups):
    """The curve of description lengths over k and the model chosen on it:
    (curve, k, assign, huffmans)."""
    own, own_dht = corpus.own_bits(False)
    ks = _group_ks(groups, corpus.n)
    assign = np.zeros(corpus.n, np.int64)
    huffmans = corpus.fit(assign, 1)
    costs = corpus.costs(huffmans)
    curve, models = [], {}
    k = 1
    for target in ks:
        if target == corpus.n and target > 1:
            # one set per image: each image's own tables, nothing to cluster
            bits, dht = corpus.own_bits(corpus.complete)
            curve.append(corpus.point(target, bits.sum(),
                                      int(dht.sum()) + corpus.n * corpus.stream_bytes))
            models[target] = None
            continue
        if target > k:
            assign, k = _split(corpus, assign, costs, k, target)
            assign, huffmans, costs = _lloyd(corpus, assign, k, own)
        code_bits = costs[np.arange(corpus.n), assign].sum()
        curve.append(corpus.point(k, code_bits, corpus.model_bytes(huffmans)))
        models[k] = (assign, huffmans)
    if groups == "auto":
        best = min(curve, key=lambda p: (p.total_bits, p.k))
    else:
        best = curve[-1]
    if models[best.k] is None:
        assign = np.arange(corpus.n)
        huffmans = [_fit_huffman(r, corpus.keys, corpus.complete) for r in corpus.rows]
    else:
        assign, huffmans = models[best.k]
    return tuple(curve), best.k, assign, huffmans


def _check_groups(groups):
    if groups == "auto":
        return groups
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"groups must be \"auto\" or an int, not {type(groups).__name__}")
    if groups < 1:
        raise ValueError(f"groups must be \"auto\" or at least 1, got {groups}")
    return int(groups)


def fit_tables(images, quality=75, *, subsampling="4:2:0", groups=1, jobs=1, recursive=False,
               complete=True, skip_errors=False, failed=None):
    """A shared model for a corpus (``SharedTables``): Huffman tables optimal
    for the symbols of the images coded at ``quality`` (IJG 1..100) and
    ``subsampling``, in one table set or in ``groups`` of them.

    ``images``: numpy arrays (as ``jpeglite.encode`` takes), image files'
    bytes, or paths, folders, globs and ``@list`` files (``iter_inputs``);
    streamed, one image in memory per worker. ``jobs``: worker processes (1:
    this one; None: every core). ``complete``: give every symbol a baseline
    scan can code at least one count, so that the tables code any image, not
    only the corpus's (each costs a code length in the DHT, once; the corpus's
    own codes barely change). ``result.to_bytes()`` is the tables-only stream
    (T.81 B.5: SOI, the JFIF APP0, DQT, DHT, EOI); pass the result (or those
    bytes) as ``tables=`` to ``jpeglite.encode`` (abbreviated streams) and
    ``jpeglite.decode``.

    ``groups``: 1 (the default) fits one table set, with memory bounded
    whatever the corpus; an int k clusters the images into k groups, a table
    set each; "auto" finds the k of the shortest description, L(P) + sum
    L(D|P) + ceil(log2 k) bits an image for its group, over k = 1, 2, 4, ...
    up to ``MAX_GROUPS`` and one set per image (``result.curve``). Grouping
    keeps each image's symbol counts (a few KB an image). The clusters are
    grown by splitting (the group that costs most gives its worst-fitting
    image a new group) and Lloyd iterations on actual code lengths: each
    image goes to the table set under which it codes in the fewest bits,
    each set is refitted to its images, until no image moves.

    An image that cannot be read raises its error, or with ``skip_errors``
    is left out and appended to the list ``failed`` as (path, error).
    """
    from .jfif import TableSet
    from .options import check_int

    quality = check_int("quality", quality, 1, 100)
    if subsampling not in ("4:4:4", "4:2:2", "4:2:0"):
        raise ValueError(f"subsampling must be one of 4:4:4, 4:2:2, 4:2:0, got {subsampling!r}")
    groups = _check_groups(groups)
    opts = {"quality": quality, "subsampling": subsampling, "skip_errors": skip_errors}
    total = np.zeros(_COLUMNS, np.int64)
    rows, components, qtables = [], [], {}
    for got in _run(_counts_one, _corpus_items(images, recursive), opts, jobs):
        if got.error is not None:
            if failed is not None:
                failed.append(got.error)
            continue
        row = _count_row(got.counts)
        qtables.update(got.qtables)
        components.append(got.components)
        if groups == 1:
            total += row
            rows = [total]          # one row: the sum (memory bounded)
        else:
            rows.append(row)
    if not components:
        raise ValueError("images holds no image to fit tables to")
    corpus = _Corpus(rows, components, qtables, complete)
    if groups == 1:
        corpus.n = len(components)
        huffmans = corpus.fit(np.zeros(1, np.int64), 1)
        point = corpus.point(1, corpus.costs(huffmans).sum(), corpus.model_bytes(huffmans))
        curve, k, assign = (point,), 1, np.zeros(corpus.n, np.int64)
    else:
        curve, k, assign, huffmans = _search_groups(corpus, groups)
    return SharedTables(tuple(TableSet(dict(qtables), h) for h in huffmans),
                        tuple(int(g) for g in assign), curve, subsampling)


def expand(tables, data):
    """An ordinary JPEG file (bytes) of an abbreviated image stream ``data`` and
    the tables-only stream ``tables`` it was coded with: the tables stream
    without its EOI, then the image stream without its SOI (T.81 B.4), which
    every reader opens. ``tables``: its bytes, a ``SharedTables`` of one
    group or a ``jfif.TableSet``."""
    from .jfif import TableSet

    if isinstance(tables, (bytes, bytearray, memoryview)):
        tables = api._as_bytes(tables)
        api._tables_arg(tables)      # a ValueError when it is not a tables-only stream
    else:
        table_set = api._tables_arg(tables)
        if not isinstance(table_set, TableSet):
            raise TypeError(f"tables must be bytes (a tables-only stream), a SharedTables "
                            f"or a TableSet, not {type(tables).__name__}")
        tables = table_set.to_bytes()
    data = api._as_bytes(data)
    if data[:2] != b"\xff\xd8":
        raise ValueError("data is not a JPEG stream (no SOI)")
    return tables[:-2] + data[2:]


def _model_bits(data):
    r = api.analyze(data)
    return r.model_bits


def description_length(images, quality=75, *, subsampling="4:2:0", jobs=1, recursive=False,
                       save=None, skip_errors=False):
    """The corpus's description length (bits) both ways, as minimum description
    length splits it into model and data:

    - ``per_file``: every file with its own optimal tables (``optimize=True``):
      ``model_bits`` = sum of L(P_i) (each file's DQT + DHT), ``data_bits`` =
      sum of L(D_i|P_i) (everything else of each file);
    - ``shared``: one tables-only stream (``fit_tables``) paid once,
      ``model_bits`` = L(P) = 8 x its length, and ``data_bits`` = sum of the
      abbreviated image streams (headers and entropy-coded data);
    - ``images`` and each way's ``total_bits``.

    ``images`` as ``fit_tables`` (read twice: once to fit, once to code).
    ``save``: a path to write the tables-only stream to (renamed into place).
    ``skip_errors``: leave out images that cannot be read, listed in
    ``failed`` as (path, error); otherwise their error is raised.
    """
    items = list(_corpus_items(images, recursive))
    failed = []
    tables = fit_tables(items, quality, subsampling=subsampling, jobs=jobs,
                        skip_errors=skip_errors, failed=failed).to_bytes()
    bad = {path for path, _ in failed}
    items = [i for i in items if _item_name(i) not in bad]
    if save is not None:
        _write_atomic(os.fspath(save), lambda p: Path(p).write_bytes(tables))
    opts = {"quality": quality, "subsampling": subsampling, "tables": tables}
    per = {"model_bits": 0, "data_bits": 0}
    shared = {"model_bits": 8 * len(tables), "data_bits": 0}
    n = 0
    for own_model, own_total, abbreviated in _run(_lengths_one, items, opts, jobs):
        n += 1
        per["model_bits"] += own_model
        per["data_bits"] += own_total - own_model
        shared["data_bits"] += abbreviated
    for d in (per, shared):
        d["total_bits"] = d["model_bits"] + d["data_bits"]
    return {"images": n, "per_file": per, "shared": shared, "tables_bytes": len(tables),
            "failed": failed}


def _lengths_one(item, opts):
    image = _image_of(item)
    own = api.encode(image, opts["quality"], subsampling=opts["subsampling"], optimize=True,
                     threads=1)
    abbreviated = api.encode(image, subsampling=opts["subsampling"], tables=opts["tables"],
                             threads=1)
    return _model_bits(own), 8 * len(own), 8 * len(abbreviated)
