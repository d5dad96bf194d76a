"""Per-call cost on small images: microseconds per encode and decode call.

    python bench/percall.py [--rounds N] [--calls N] [--sizes 64,256]

Crops (top-left corner at 1000, 1000) of the 12 MP corpus photo
(``../shared/corpus/large``; a gradient when the corpus is absent),
q75 4:2:0, numpy in and out: jpeglite with ``threads=1`` and default
threads, and the codecs ``jpeglite bench`` compares (Pillow with numpy and
alone, simplejpeg and PyTurboJPEG when they load). Rounds are interleaved
across codecs and the median round is reported, with the machine's load
(the machine is shared). Wall-clock times are the secondary figure; the
primary one is instructions per call (load-independent), measured by running
the loop of this script's ``--one`` mode under
``valgrind --tool=callgrind`` with ``PYTHONHASHSEED=0`` (the real python
binary, not a pyenv shim) for N calls and for 0 calls and dividing the
difference by N.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

try:
    import jpeglite
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import jpeglite

_PHOTO = "unsplash_james-yarema-P2X7NDx_GP0.png"


def _image(size):
    from PIL import Image

    from jpeglite.bench import find_corpus

    corpus = find_corpus()
    path = corpus / "large" / _PHOTO if corpus is not None else None
    if path is None or not path.exists():       # a gradient stands in for the photo
        return np.ascontiguousarray(np.resize(np.arange(size * size * 3, dtype=np.uint8),
                                              (size, size, 3)))
    im = Image.open(path).convert("RGB")
    return np.ascontiguousarray(np.asarray(im.crop((1000, 1000, 1000 + size, 1000 + size))))


def _codecs(a):
    """name -> (encode(), decode()) closures over the crop ``a``: jpeglite
    (threads=1 and default) and the codecs of ``jpeglite bench`` that load
    (Pillow with numpy, Pillow's codec alone, simplejpeg, PyTurboJPEG)."""
    from jpeglite import bench

    data = jpeglite.encode(a, quality=75)
    out = {
        "jpeglite threads=1": (lambda: jpeglite.encode(a, quality=75, threads=1),
                               lambda: jpeglite.decode(data, threads=1)),
        "jpeglite default": (lambda: jpeglite.encode(a, quality=75),
                             lambda: jpeglite.decode(data)),
    }
    others = [bench.pillow_codec()] + bench.other_codecs()[0]
    for c in others:
        if c is not None:
            out[c.name] = ((lambda c=c: c.encode(a, quality=75, subsampling="4:2:0")),
                           (lambda c=c: c.decode(data)))
    return out


def main(argv=None):
    """Print a markdown table of microseconds per call (best round)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calls", type=int, default=300, help="calls per round")
    ap.add_argument("--sizes", default="64,256")
    ap.add_argument("--cpu", action="store_true",
                    help="time with the process's CPU time (time.process_time) instead of the "
                         "wall clock: on a shared machine a call's time without the waits for a "
                         "core (right for one-thread calls, which every small image makes)")
    ap.add_argument("--one", nargs=3, metavar=("OP", "SIZE", "N"),
                    help="run N jpeglite threads=1 calls of OP (enc/dec) and exit (for callgrind)")
    args = ap.parse_args(argv)
    if args.one:
        op, size, n = args.one[0], int(args.one[1]), int(args.one[2])
        enc, dec = _codecs(_image(size))["jpeglite threads=1"]
        enc(), dec()                        # first calls fill the caches, as in the loop run
        f = enc if op == "enc" else dec
        for _ in range(n):
            f()
        return 0
    from jpeglite.bench import load_note

    clock = time.process_time if args.cpu else time.perf_counter
    print(f"{load_note()}; median of {args.rounds} interleaved rounds of {args.calls} calls; "
          f"{'CPU' if args.cpu else 'wall'} time\n")
    print("| size | codec | encode µs/call | decode µs/call |\n|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        codecs = _codecs(_image(size))
        times = {(name, k): [] for name in codecs for k in (0, 1)}
        for _ in range(args.rounds):
            for name, fs in codecs.items():
                for k, f in enumerate(fs):
                    t = clock()
                    for _ in range(args.calls):
                        f()
                    times[(name, k)].append((clock() - t) / args.calls)
        for name in codecs:
            print(f"| {size}x{size} | {name} | {statistics.median(times[(name, 0)]) * 1e6:.1f} | "
                  f"{statistics.median(times[(name, 1)]) * 1e6:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
