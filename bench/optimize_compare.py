"""Lossless re-optimization side by side: jpeglite.optimize, mozjpeg-lossless-optimization, jpegtran.

    python bench/optimize_compare.py [--corpus] [--repeat N] [--quality Q]

Inputs: Pillow's quality-Q (default 75) 4:2:0 JPEGs of the 24 Kodak photos;
with --corpus also every file of the shared JPEG corpus that jpeglite
decodes. For each file every tool runs in turn (so machine load falls on all
alike) ``--repeat`` times (default 3) and keeps its fastest time. Prints, per
tool, the mean saving (1 - output bytes / input bytes, an output larger
than the input counting as the input) and the mean and median milliseconds
per file, and checks that jpeglite's output decodes to the input's pixels.

The anchors are optional: ``pip install mozjpeg-lossless-optimization``
(mozjpeg's jpegtran path with optimize_scans, in process; run with its
default, which drops every APPn/COM segment, and with ``copy=ALL``, which
keeps them as jpeglite does by default) and Debian's
``libjpeg-turbo-progs`` (``jpegtran -optimize -progressive -copy all``, a
subprocess: its time includes starting the process). A tool that is not
installed is left out.
"""
import argparse
import io
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

try:
    import jpeglite
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import jpeglite

from jpeglite.bench import find_corpus, no_corpus_message

ROOT = Path(__file__).resolve().parents[1]
CORPUS = find_corpus(ROOT)       # $JPEGLITE_CORPUS, or ../shared/corpus
_EXITS = set()      # inputs on which mozjpeg-lossless-optimization exits the process


def kodak_inputs(quality):
    from PIL import Image

    out = []
    for path in sorted((CORPUS / "kodak").glob("kodim*.png")):
        buf = io.BytesIO()
        with Image.open(path) as im:
            im.convert("RGB").save(buf, "JPEG", quality=quality, subsampling=2)
        out.append((f"{path.stem} q{quality}", buf.getvalue()))
    return out


def corpus_inputs():
    out = []
    for path in sorted((CORPUS / "jpeg").glob("*.jp*g")):
        data = path.read_bytes()
        try:
            jpeglite.decode(data)
        except jpeglite.JPEGError:
            continue
        try:
            import mozjpeg_lossless_optimization  # noqa: F401
            if exits_process(data):
                _EXITS.add(data)
        except ImportError:
            pass
        out.append((path.name, data))
    return out


def exits_process(data):
    """True when mozjpeg-lossless-optimization would end the process on this
    file (libjpeg's error_exit on coefficients out of range), tried in a child."""
    probe = ("import sys, mozjpeg_lossless_optimization as m\n"
             "try:\n    m.optimize(sys.stdin.buffer.read())\nexcept Exception:\n    pass\n")
    return subprocess.run([sys.executable, "-c", probe], input=data,
                          capture_output=True).returncode != 0


def tools():
    """{name: function bytes -> bytes}: each tool with metadata kept, and without."""
    found = {"jpeglite (1 thread)": lambda d: jpeglite.optimize(d, threads=1),
             "jpeglite (all cores)": lambda d: jpeglite.optimize(d),
             "jpeglite, no metadata (1 thread)":
                 lambda d: jpeglite.optimize(d, threads=1, keep_metadata=False)}
    try:
        import mozjpeg_lossless_optimization as moz

        def mozjpeg(copy):
            def run(d):
                if d in _EXITS:
                    raise RuntimeError("it would end the process")
                return moz.optimize(d, copy)
            return run
        found["mozjpeg-lossless-opt. (copy ALL)"] = mozjpeg(moz.COPY_MARKERS.ALL)
        found["mozjpeg-lossless-opt. (default: no metadata)"] = mozjpeg(moz.COPY_MARKERS.NONE)
    except ImportError:
        print("(mozjpeg-lossless-optimization not installed: left out)")
    exe = shutil.which("jpegtran")
    if exe:
        found["jpegtran -optimize -progressive -copy all"] = lambda d: subprocess.run(
            [exe, "-optimize", "-progressive", "-copy", "all"], input=d, capture_output=True,
            check=True).stdout
    else:
        print("(jpegtran not found: left out)")
    return found


def measure(inputs, found, repeat):
    rows = {name: [] for name in found}
    failed = set()
    for label, data in inputs:
        for name, fn in found.items():
            best = float("inf")
            for _ in range(repeat):
                t = time.perf_counter()
                try:
                    out = fn(data)
                except Exception as e:       # a tool that refuses a file saves nothing on it
                    failed.add((name, label, type(e).__name__))
                    out = data
                best = min(best, time.perf_counter() - t)
            if name.startswith("jpeglite"):
                assert np.array_equal(jpeglite.decode(out), jpeglite.decode(data)), label
            rows[name].append((1 - min(len(out), len(data)) / len(data), best, len(out)))
    for name, label, error in sorted(failed):
        print(f"({name} refused {label}: {error}; counted as no saving)")
    return rows


def report(title, inputs, rows):
    print(f"\n{title}: {len(inputs)} files, {sum(len(d) for _, d in inputs):,} bytes")
    print(f"{'tool':46s} {'mean saving':>11s} {'total bytes':>12s} {'mean ms':>8s} "
          f"{'median ms':>9s}")
    for name, r in rows.items():
        savings = [x[0] for x in r]
        times = [1e3 * x[1] for x in r]
        total = sum(min(x[2], len(d)) for x, (_, d) in zip(r, inputs))
        print(f"{name:46s} {100 * statistics.mean(savings):10.2f}% {total:12,d} "
              f"{statistics.mean(times):8.1f} {statistics.median(times):9.1f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", action="store_true", help="also the shared JPEG corpus")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quality", type=int, default=75)
    args = ap.parse_args(argv)
    if CORPUS is None:
        print(no_corpus_message(ROOT))
        return 1
    found = tools()
    sets = [(f"Kodak, Pillow q{args.quality} 4:2:0", kodak_inputs(args.quality))]
    if args.corpus:
        sets.append(("shared JPEG corpus", corpus_inputs()))
    for title, inputs in sets:
        if inputs:
            report(title, inputs, measure(inputs, found, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
