"""Datasets benchmark (issue 13): run ``PYTHONPATH=src python bench/dataset.py``.

Makes the 64x64 tiles of the 24 Kodak photos (2,304 PNGs, in a temporary
folder) and measures, printing Markdown tables for the README:

1. bytes at quality 75, 4:2:0, identical pixels: Pillow default per file,
   Pillow ``optimize=True`` per file, jpeglite with shared tables as ordinary
   files, jpeglite abbreviated streams with the tables stream counted once;
   the description length split as model L(P) and data L(D|P);
2. throughput (files/s) of ``jpeglite.dataset.analyze``, ``encode`` and ``optimize`` with
   ``jobs=1`` and every core, threads against processes, a plain Pillow loop
   (open, encode, save) and Dask on a 2-worker LocalCluster.

Options: ``--quick`` (a quarter of the tiles), ``--no-speed``, ``--no-dask``,
``--speed-only``.
Never a test: times depend on the machine and its load.
"""
import argparse
import io
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

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
            "jpeglite, abbreviated streams + tables once": len(shared)}
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
          f"default files: {same}; tables stream {len(shared)} bytes\n")
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


def _pillow_one(path, out_dir):
    with Image.open(path) as im:
        im.save(out_dir / (path.stem + ".jpg"), "JPEG", quality=75)


def _timed(label, n, fn):
    t = time.perf_counter()
    fn()
    dt = time.perf_counter() - t
    print(f"| {label} | {n / dt:,.0f} |")
    return n / dt


def speed(paths, out, dask=True):
    n = len(paths)
    cores = os.cpu_count()
    print(f"\nthroughput, {n:,} tiles of 64x64, {cores} cores (files/s)\n")
    print("| run | files/s |")
    print("|---|---:|")
    strs = [str(p) for p in paths]
    a1 = _timed("analyze, jobs=1", n, lambda: dataset.analyze(strs, jobs=1))
    an = _timed(f"analyze, jobs={cores} (processes)", n, lambda: dataset.analyze(strs, jobs=None))

    def threaded():
        with ThreadPoolExecutor(cores) as pool:
            list(pool.map(lambda p: dataset._analyze_one(p, {"quality": 75,
                                                              "subsampling": "4:2:0",
                                                              "optimize": False}), strs))
    _timed(f"analyze, {cores} threads (for the choice of processes)", n, threaded)
    e1 = _timed("encode, jobs=1", n, lambda: dataset.encode(strs, out / "e1", jobs=1))
    en = _timed(f"encode, jobs={cores}", n, lambda: dataset.encode(strs, out / "en", jobs=None))
    jpgs = str(out / "e1")
    o1 = _timed("optimize (lossless), jobs=1", n, lambda: dataset.optimize(jpgs, out / "o1", jobs=1))
    on = _timed(f"optimize (lossless), jobs={cores}", n,
                lambda: dataset.optimize(jpgs, out / "on", jobs=None))
    (out / "pil").mkdir()
    _timed("Pillow loop (open, encode q75, save), one process", n,
           lambda: [_pillow_one(p, out / "pil") for p in paths])
    print(f"\nspeed-up on {cores} cores: analyze {an / a1:.2f}x, encode {en / e1:.2f}x, "
          f"optimize {on / o1:.2f}x (load average {os.getloadavg()[0]:.1f})")
    if dask:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            print("(dask not installed: no Dask row)")
            return
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            dataset.analyze(strs[:16], client=client).compute()      # warm the workers
            t = time.perf_counter()
            dataset.analyze(strs, client=client).compute()
            dt = time.perf_counter() - t
        print(f"Dask, 2-worker LocalCluster (processes): {n / dt:,.0f} files/s, "
              f"overhead over the local pool {100 * (an / (n / dt) - 1):+.0f}%")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--speed-only", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
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
        if not args.no_speed:
            speed(paths, tmp, dask=not args.no_dask)


if __name__ == "__main__":
    main()
