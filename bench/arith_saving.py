"""Sizes of jpeglite's arithmetic-coded files against Huffman ones on the Kodak
photos (the README's arithmetic rows): sequential (SOF9) against optimize=True and
the Annex K tables, progressive (SOF10) against progressive Huffman (tables
optimized per scan), all at the same quality and subsampling, so the same pixels.

    nice -n 19 python bench/arith_saving.py [--quality 75] [--subsampling 4:2:0]
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import jpeglite  # noqa: E402
from corpus import KODAK, load_rgb  # noqa: E402

VARIANTS = {
    "Annex K tables": {},
    "optimize=True": {"optimize": True},
    "arithmetic": {"arithmetic": True},
    "progressive": {"progressive": True},
    "progressive arithmetic": {"progressive": True, "arithmetic": True},
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quality", type=int, default=75)
    ap.add_argument("--subsampling", default="4:2:0")
    args = ap.parse_args()
    totals = dict.fromkeys(VARIANTS, 0)
    images = [load_rgb(p) for p in KODAK]
    for img in images:
        for name, opts in VARIANTS.items():
            totals[name] += len(jpeglite.encode(img, args.quality, subsampling=args.subsampling,
                                                threads=1, **opts))
    print(f"{len(images)} Kodak photos, quality {args.quality}, {args.subsampling}: total bytes")
    for name, size in totals.items():
        print(f"  {name:<24} {size:>10,}")
    for a, b in (("arithmetic", "optimize=True"), ("arithmetic", "Annex K tables"),
                 ("progressive arithmetic", "progressive"),
                 ("progressive arithmetic", "optimize=True"),
                 ("progressive arithmetic", "arithmetic")):
        print(f"  {a} vs {b}: {100 * (totals[a] / totals[b] - 1):+.1f}%")


if __name__ == "__main__":
    main()
