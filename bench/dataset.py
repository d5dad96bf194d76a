"""Datasets benchmark (issue 13): run ``PYTHONPATH=src python bench/dataset.py``.

Makes the 64x64 tiles of the 24 Kodak photos (2,304 PNGs, in a temporary
folder) and measures, printing Markdown tables for the README:

1. bytes at quality 75, 4:2:0, identical pixels: Pillow default per file,
   Pillow ``optimize=True`` per file, jpeglite with shared tables as ordinary
   files, jpeglite abbreviated streams with the tables stream counted once;
   the description length split as model L(P) and data L(D|P); the curve
   over k table sets (``fit_tables(groups="auto")``) for the tiles and the 24
   photos, and the abbreviated streams as written at the chosen k and at k = 1;
2. throughput (files/s) of ``jpeglite.dataset.analyze``, ``encode`` and ``optimize`` with
   ``jobs=1`` and every core on the tiles and on the 24 Kodak photos, a plain
   Pillow loop (open, encode, save) and Dask on a LocalCluster of a worker per
   core, in interleaved rounds (medians), with the CPU time per file (this
   process and the workers) and the time the workers sat blocked, from
   /proc schedstat: the "core time" per file, whose ratio is the speed-up on
   idle cores whatever the machine's load while measuring.

Options: ``--quick`` (a quarter of the tiles), ``--no-speed``, ``--no-dask``,
``--speed-only``, ``--rounds N``, ``--tmp DIR`` (where the tiles and outputs go).
Never a test: times depend on the machine and its load.
"""
import argparse
import io
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
# the pool's forkserver is a new interpreter that imports jpeglite before it
# reads the parent's sys.path: without this its workers would run an
# installed jpeglite, not this checkout's
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT / "src")] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])

import jpeglite  # noqa: E402
from jpeglite import dataset  # noqa: E402
from jpeglite.bench import find_corpus  # noqa: E402


def make_tiles(folder, size=64, quick=False):
    corpus = find_corpus(ROOT)
    if corpus is None:
        sys.exit("no corpus: set JPEGLITE_CORPUS")
    paths, arrays = [], []
    for photo in sorted((corpus / "kodak").glob("kodim*.png")):
        im = np.asarray(Image.open(photo).convert("RGB"))
        for y in range(0, im.shape[0] - size + 1, size):
            for x in range(0, im.shape[1] - size + 1, size):
                tile = np.ascontiguousarray(im[y:y + size, x:x + size])
                path = folder / f"{photo.stem}_{y:03d}_{x:03d}.png"
                Image.fromarray(tile).save(path, compress_level=1)
                paths.append(path)
                arrays.append(tile)
    if quick:
        paths, arrays = paths[::4], arrays[::4]
    return paths, arrays


def pillow_bytes(tile, **options):
    buf = io.BytesIO()
    Image.fromarray(tile).save(buf, "JPEG", quality=75, **options)
    return buf.getvalue()


def sizes(arrays):
    shared = dataset.fit_tables(arrays, 75, jobs=None)
    rows = {"Pillow default, per file": 0, "Pillow optimize=True, per file": 0,
            "jpeglite, shared tables in every file": 0,
            "jpeglite, abbreviated streams + tables once": len(shared.to_bytes())}
    same = True
    for tile in arrays:
        default = pillow_bytes(tile)
        rows["Pillow default, per file"] += len(default)
        rows["Pillow optimize=True, per file"] += len(pillow_bytes(tile, optimize=True))
        rows["jpeglite, shared tables in every file"] += len(
            jpeglite.encode(tile, tables=shared, abbreviated=False))
        abbr = jpeglite.encode(tile, tables=shared)
        rows["jpeglite, abbreviated streams + tables once"] += len(abbr)
        theirs = np.asarray(Image.open(io.BytesIO(default)))
        same &= np.array_equal(jpeglite.decode(abbr, tables=shared), theirs)
    n = len(arrays)
    base_default = rows["Pillow default, per file"]
    base_opt = rows["Pillow optimize=True, per file"]
    print(f"\n{n:,} tiles of 64x64, quality 75, 4:2:0; pixels identical to Pillow's "
          f"default files: {same}; tables stream {len(shared.to_bytes())} bytes\n")
    print("| files | bytes | bytes per tile | vs Pillow default | vs Pillow optimize |")
    print("|---|---:|---:|---:|---:|")
    for name, total in rows.items():
        print(f"| {name} | {total:,} | {total / n:,.0f} | {100 * (total / base_default - 1):+.1f}% "
              f"| {100 * (total / base_opt - 1):+.1f}% |")
    return shared


def description_lengths(arrays, label):
    dl = dataset.description_length(arrays, 75, jobs=None)
    per, sh = dl["per_file"], dl["shared"]
    print(f"\n{label}: description length at quality 75, 4:2:0 (bytes)\n")
    print("| model | L(P) | sum L(D given P) | total |")
    print("|---|---:|---:|---:|")
    for name, d in (("a model per file (optimized tables)", per),
                    ("one shared model (tables stream once)", sh)):
        print(f"| {name} | {d['model_bits'] / 8:,.0f} | {d['data_bits'] / 8:,.0f} "
              f"| {d['total_bits'] / 8:,.0f} |")


def group_curve(arrays, label):
    """fit_tables(groups="auto"): the description-length curve over k, and the
    abbreviated streams actually written at the chosen k against k = 1."""
    t = time.perf_counter()
    auto = dataset.fit_tables(arrays, 75, groups="auto", jobs=None)
    seconds = time.perf_counter() - t
    one = dataset.fit_tables(arrays, 75, jobs=None)
    n = len(arrays)
    print(f"\n{label}: description length over k table sets, quality 75, 4:2:0 (bytes; "
          f"data from the symbol counts; fitted in {seconds:.1f} s)\n")
    print("| k | model L(P) | sum L(D given P) | group index | total |")
    print("|---:|---:|---:|---:|---:|")
    for p in auto.curve:
        b = "**" if p.k == auto.k else ""
        print(f"| {b}{p.k:,}{b} | {p.model_bits / 8:,.0f} | {p.data_bits / 8:,.0f} "
              f"| {p.index_bits / 8:,.0f} | {b}{p.total_bits / 8:,.0f}{b} |")

    def written(shared):
        data = 0
        for image, g in zip(arrays, shared.assignment):
            stream = jpeglite.encode(image, tables=shared.table_set(g))
            assert np.array_equal(jpeglite.decode(stream, tables=shared.to_bytes(g)),
                                  jpeglite.decode(jpeglite.encode(image)))
            data += len(stream)
        model = sum(len(shared.to_bytes(g)) for g in range(shared.k))
        index = n * math.ceil(math.log2(shared.k)) / 8 if shared.k > 1 else 0
        return model, data, index

    print(f"\n{label}: abbreviated streams as written (bytes; every stream decodes to the "
          f"pixels of an ordinary encode)\n")
    print("| k | tables streams | image streams | group index | total |")
    print("|---:|---:|---:|---:|---:|")
    for shared in (one, auto):
        model, data, index = written(shared)
        print(f"| {shared.k:,} | {model:,} | {data:,} | {index:,.0f} | {model + data + index:,.0f} |")


def _pillow_one(path, out_dir):
    with Image.open(path) as im:
        im.save(out_dir / (path.stem + ".jpg"), "JPEG", quality=75)


def _sched(pids):
    """[on-CPU seconds, run-queue seconds] of every thread of the processes
    ``pids`` so far (Linux /proc/PID/task/TID/schedstat, in nanoseconds: far
    finer than the clock ticks of /proc/PID/stat)."""
    on = wait = 0
    for pid in pids:
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/schedstat") as fh:
                    fields = fh.read().split()
                on += int(fields[0])
                wait += int(fields[1])
        except OSError:
            pass                        # a thread that ended meanwhile
    return [on / 1e9, wait / 1e9]


def _pool_workers():
    pool = dataset._POOL
    return [p.pid for p in pool[1]._processes.values()] if pool else []


class _Run:
    """One batch to time: ``fn(out_dir)``, on ``jobs`` processes, whose
    workers are ``workers()`` (pids; none when the batch runs here)."""

    def __init__(self, fn, jobs, workers=_pool_workers):
        self.fn, self.jobs, self.workers = fn, jobs, workers


def _round(runs, out, r):
    """One run of each of ``runs`` {name: _Run}: {name: (wall seconds, CPU of
    this process, CPU of the workers, run-queue wait of this process, of the
    workers)}."""
    got = {}
    me = [os.getpid()]
    for name, run in runs.items():
        d = out / f"{name.replace(' ', '_').replace('=', '').replace(',', '')}{r}"
        pids = run.workers() if run.jobs > 1 else []
        p0, w0 = _sched(me), _sched(pids)
        t = time.perf_counter()
        run.fn(d)
        dt = time.perf_counter() - t
        p1, w1 = _sched(me), _sched(pids)
        got[name] = (dt, p1[0] - p0[0], w1[0] - w0[0], p1[1] - p0[1], w1[1] - w0[1])
        shutil.rmtree(d, ignore_errors=True)
    return got


def _rounds(runs, out, rounds):
    """{name: [(the figures of _round..., load average after the round)]} of
    ``rounds`` interleaved rounds of ``runs``."""
    results = {name: [] for name in runs}
    for r in range(rounds):
        got = _round(runs, out, r)
        load = os.getloadavg()[0]
        for name, values in got.items():
            results[name].append((*values, load))
        print(f"(round {r + 1}: load average {load:.1f})", flush=True)
    return results


def _loads(results):
    loads = [got[-1] for runs in results.values() for got in runs]
    return f"{min(loads):.1f}-{max(loads):.1f}"


def _table(results, runs, n):
    """Print the Markdown table of ``results``; {name: (median files/s, core
    ms per file)}. Core time = the CPU of this process and of the workers,
    plus the time the workers (for a batch run here: this process) were
    blocked, neither running nor waiting to run. On idle cores a batch takes
    its core time divided by the cores, whatever the load was when measured;
    the time spent waiting for a core (other sessions' work) is left out."""
    print("| run | files/s | CPU ms per file: this process | workers | workers blocked "
          "| core ms per file |")
    print("|---|---:|---:|---:|---:|---:|")
    out = {}
    for name, got in results.items():
        jobs = runs[name].jobs
        dt, here, workers, here_queued, workers_queued = (
            statistics.median(g[i] for g in got) for i in range(5))
        if jobs > 1:
            blocked = max(0.0, jobs * dt - workers - workers_queued)
        else:
            blocked = max(0.0, dt - here - here_queued)
        core = here + workers + blocked
        out[name] = (n / dt, 1e3 * core / n)
        print(f"| {name} | {n / dt:,.0f} | {1e3 * here / n:.3f} | {1e3 * workers / n:.3f} "
              f"| {1e3 * blocked / n:.3f} | {1e3 * core / n:.3f} |")
    return out


def _speedups(med, pairs, cores):
    for what, one, many in pairs:
        wall = med[many][0] / med[one][0]
        core = cores * med[one][1] / med[many][1]
        print(f"{what}: speed-up {wall:.2f}x in wall time (under this load), "
              f"{core:.2f}x from core time (on {cores} idle cores)")


def speed(paths, kodak, out, dask=True, rounds=3):
    """files/s of each batch with jobs=1 and every core, interleaved rounds,
    medians, with the CPU time per file of this process and of the workers
    and the time the workers sat blocked (/proc schedstat), which give the
    speed-up on idle cores whatever the load (with autogroup scheduling a
    session's share of busy cores is fixed, so jobs=2 shows no wall-clock
    speed-up while other sessions keep both cores busy). The pool is
    started before timing (workers stay between batches); its cold start is
    timed apart. This process keeps its freed memory as the CLI's batches
    and the workers do (``dataset.keep_freed_memory``)."""
    n = len(paths)
    cores = os.cpu_count()
    strs = [str(p) for p in paths]
    dataset.shutdown()
    dataset.keep_freed_memory()
    t = time.perf_counter()
    dataset.analyze(strs[:2 * cores], jobs=None)
    cold = time.perf_counter() - t
    dataset.encode(strs, out / "jpegs", jobs=None)
    jpgs = str(out / "jpegs")
    (out / "pil").mkdir()
    runs = {
        "analyze, jobs=1": _Run(lambda d: dataset.analyze(strs, jobs=1), 1),
        f"analyze, jobs={cores}": _Run(lambda d: dataset.analyze(strs, jobs=None), cores),
        "encode, jobs=1": _Run(lambda d: dataset.encode(strs, d, jobs=1), 1),
        f"encode, jobs={cores}": _Run(lambda d: dataset.encode(strs, d, jobs=None), cores),
        "optimize, jobs=1": _Run(lambda d: dataset.optimize(jpgs, d, jobs=1), 1),
        f"optimize, jobs={cores}": _Run(lambda d: dataset.optimize(jpgs, d, jobs=None), cores),
        "Pillow loop (open, save q75)": _Run(
            lambda d: [_pillow_one(p, out / "pil") for p in paths], 1),
    }
    results = _rounds(runs, out, rounds)
    print(f"\nthroughput, {n:,} tiles of 64x64, {cores} cores, medians of {rounds} interleaved "
          f"rounds (load average {_loads(results)}); pool cold start {cold:.2f} s\n")
    med = _table(results, runs, n)
    _speedups(med, [(w, f"{w}, jobs=1", f"{w}, jobs={cores}")
                    for w in ("analyze", "encode", "optimize")], cores)
    if kodak:
        dataset.encode([str(p) for p in kodak], out / "kodak", jobs=None)
        photos = [str(p) for p in kodak]
        kjpgs = str(out / "kodak")
        runs = {
            "analyze, jobs=1": _Run(lambda d: dataset.analyze(photos, jobs=1), 1),
            f"analyze, jobs={cores}": _Run(lambda d: dataset.analyze(photos, jobs=None), cores),
            "optimize, jobs=1": _Run(lambda d: dataset.optimize(kjpgs, d, jobs=1), 1),
            f"optimize, jobs={cores}": _Run(lambda d: dataset.optimize(kjpgs, d, jobs=None),
                                            cores),
        }
        results = _rounds(runs, out, 2 * rounds)
        print(f"\nthe {len(kodak)} Kodak photos (PNG for analyze, jpeglite's q75 JPEGs for "
              f"optimize), medians of {2 * rounds} interleaved rounds (load average "
              f"{_loads(results)})\n")
        med = _table(results, runs, len(kodak))
        _speedups(med, [(w, f"{w}, jobs=1", f"{w}, jobs={cores}")
                        for w in ("analyze", "optimize")], cores)
    if dask:
        _dask_rounds(strs, out, rounds, cores)
    dataset.shutdown()


def _dask_rounds(strs, out, rounds, cores):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("(dask not installed: no Dask row)")
        return
    import dask

    n = len(strs)
    # the cluster lives only for these rounds (its processes take CPU too);
    # its workers keep glibc's malloc defaults (dataset.DASK_CONFIG)
    with dask.config.set(dataset.DASK_CONFIG), \
            LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                         dashboard_address=None) as cluster, Client(cluster) as client:
        dataset.analyze(strs[:16], client=client).compute()   # workers import jpeglite
        dask_pids = list(client.run(os.getpid).values())
        runs = {
            f"analyze, jobs={cores}": _Run(lambda d: dataset.analyze(strs, jobs=None), cores),
            "analyze, Dask LocalCluster": _Run(
                lambda d: dataset.analyze(strs, client=client).compute(), cores,
                lambda: dask_pids),
        }
        results = _rounds(runs, out, 2 * rounds)
    print(f"\nDask against the local pool, {2 * rounds} interleaved rounds (load average "
          f"{_loads(results)}; Dask's workers: the worker processes, not their nannies "
          f"or the scheduler, whose CPU is in neither column)\n")
    med = _table(results, runs, n)
    local, remote = med[f"analyze, jobs={cores}"], med["analyze, Dask LocalCluster"]
    print(f"Dask overhead over the local pool: {100 * (local[0] / remote[0] - 1):+.0f}% in "
          f"wall time (under this load), {100 * (remote[1] / local[1] - 1):+.0f}% in core "
          f"time per file")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--speed-only", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the speed runs")
    ap.add_argument("--tmp", metavar="DIR", default=None,
                    help="the folder the tiles and the outputs go under (default: the "
                         "system's; e.g. /dev/shm to leave the disk's file creation out)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        tmp = Path(tmp)
        (tmp / "tiles").mkdir()
        paths, arrays = make_tiles(tmp / "tiles", quick=args.quick)
        if not args.speed_only:
            sizes(arrays)
            description_lengths(arrays, f"{len(arrays):,} Kodak tiles (64x64)")
            corpus = find_corpus(ROOT)
            kodak = [np.asarray(Image.open(p).convert("RGB"))
                     for p in sorted((corpus / "kodak").glob("kodim*.png"))]
            description_lengths(kodak, "the 24 Kodak photos")
            group_curve(arrays, f"{len(arrays):,} Kodak tiles (64x64)")
            group_curve(kodak, "the 24 Kodak photos")
        if not args.no_speed:
            corpus = find_corpus(ROOT)
            kodak = sorted((corpus / "kodak").glob("kodim*.png"))
            speed(paths, kodak, tmp, dask=not args.no_dask, rounds=args.rounds)


if __name__ == "__main__":
    main()
