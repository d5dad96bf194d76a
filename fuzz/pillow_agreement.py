"""How often jpeglite decodes what Pillow (libjpeg-turbo) decodes, to the same pixels,
on structure-aware mutants of JPEG files (issue 14's "Done when" criterion).

    nice -n 19 python fuzz/pillow_agreement.py -n 20000 --start 0 --out /tmp/agree-0.json \\
        fuzz/seeds tests/data/arith

Each mutant is a seed file (chosen at random) with 1 to 3 mutations of
``fuzz_kernels.structure_mutate`` (marker fields, entropy-coded bytes, whole
segments; its plain byte mutations done here by flipping, inserting or
deleting bytes, since libFuzzer's mutator only runs inside a fuzzing run).
Mutant i of a run depends only on ``--start + i``, so chunks run one after another
(or on other machines) add up to one run.  For every mutant Pillow decodes
(``Image.open(...).load()`` with its default settings: truncated files refused),
jpeglite's ``decode`` (non-strict) either gives Pillow's exact pixels, other
pixels, or refuses; refusals are told apart into the documented ones (the
decompression-bomb guards: fewer data bits than blocks, the work budget,
``max_pixels``) and the rest.  Differences and refusals are counted by kind
(the mutated field or damage, the frame's process, the size of the difference;
the refusal's message without its numbers) and the first few inputs of each
kind are kept (``--keep DIR``) for study.

The JSON written (``--out``) holds the counts; ``--merge A.json B.json ...``
adds chunks and prints the summary.
"""
import argparse
import io
import json
import os
import random
import re
import sys
import warnings
from collections import Counter
from pathlib import Path

os.environ.setdefault("JPEGLITE_FUZZ_PYTHON", "0")      # no coverage instrumentation here
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import jpeglite  # noqa: E402
from fuzz_kernels import SOF_CODES, segments, structure_mutate  # noqa: E402

MAX_PIXELS = 1 << 22
# Pillow warns past MAX_IMAGE_PIXELS and refuses past twice that: refuse where jpeglite does
Image.MAX_IMAGE_PIXELS = MAX_PIXELS // 2
# jpeglite's refusals that bound memory and work by the input's size (api.decode's docstring)
DOCUMENTED = ("too short for its frame", "decompression bomb", "max_pixels")
SOF_NAMES = {0xC0: "baseline", 0xC1: "extended", 0xC2: "progressive", 0xC9: "arith-seq",
             0xCA: "arith-prog"}


def byte_mutate(data, max_size, rng):
    """A plain byte mutation (what libFuzzer's Mutate does, roughly)."""
    buf = bytearray(data)
    if not buf:
        return bytes(rng.randrange(256) for _ in range(4))
    i = rng.randrange(len(buf))
    what = rng.randrange(4)
    if what == 0:
        buf[i] ^= 1 << rng.randrange(8)
    elif what == 1:
        buf[i] = rng.randrange(256)
    elif what == 2:
        buf[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
    else:
        del buf[i:i + rng.randint(1, 8)]
    return bytes(buf[:max_size])


def mutant(seeds, index):
    """(bytes, what was mutated) of mutant ``index``."""
    rng = random.Random(index)
    name, data = seeds[rng.randrange(len(seeds))]
    kinds = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        seed = rng.randrange(1 << 30)
        before = data
        pieces = segments(data)
        data = structure_mutate(data, len(data) + 64, seed,
                                lambda d, m: byte_mutate(d, m, random.Random(seed)))
        kinds.append(_what_changed(before, data, pieces))
    return data, name, "+".join(kinds)


def _what_changed(before, after, pieces):
    """The piece (marker segment name or "scan data") where two versions first differ."""
    n = min(len(before), len(after))
    i = next((k for k in range(n) if before[k] != after[k]), n)
    if len(before) != len(after) and i == n:
        return "tail"
    for start, end, code in pieces:
        if start <= i < end:
            if code is None:
                return "scan data" + ("" if len(before) == len(after) else " (length)")
            return f"{_marker_name(code)}" + ("" if len(before) == len(after) else " (length)")
    return "other"


def _marker_name(code):
    if code == 0xDA:
        return "SOS"
    if code in SOF_NAMES or 0xC0 <= code <= 0xCF and code not in (0xC4, 0xC8, 0xCC):
        return "SOF"
    return {0xC4: "DHT", 0xDB: "DQT", 0xDD: "DRI", 0xCC: "DAC", 0xD8: "SOI", 0xD9: "EOI",
            0xFE: "COM"}.get(code, f"APP{code - 0xE0}" if 0xE0 <= code <= 0xEF
                             else f"0x{code:02X}")


def process(data):
    """The frame's process, from the first SOF segment (as fuzz_kernels parses them)."""
    for _start, _end, code in segments(data):
        if code in SOF_CODES:
            return SOF_NAMES.get(code, f"SOF{code - 0xC0}")
    return "none"


def pillow(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(io.BytesIO(data)) as im:
                im.load()
                return np.asarray(im)
        except Exception:
            return None


def _message_kind(msg):
    return re.sub(r"\d+", "N", msg.split(" (at byte offset")[0])[:90]


def run(seeds, start, n, keep):
    counts = Counter()
    kinds = Counter()
    kept = Counter()
    for index in range(start, start + n):
        data, seed_name, what = mutant(seeds, index)
        ref = pillow(data)
        counts["mutants"] += 1
        if ref is None:
            continue
        counts["pillow_decodes"] += 1
        proc = process(data)
        counts[f"pillow_decodes {proc}"] += 1
        try:
            out = jpeglite.decode(data, max_pixels=MAX_PIXELS)
        except jpeglite.JPEGError as e:
            msg = str(e)
            if any(d in msg for d in DOCUMENTED):
                counts["documented_refusals"] += 1
                key = f"refused (documented): {_message_kind(msg)}"
            else:
                counts["refused"] += 1
                key = f"refused: {_message_kind(msg)} [{proc}; {what}]"
        except Exception as e:                          # a finding: not a JPEGError
            counts["foreign_exceptions"] += 1
            key = f"EXCEPTION {type(e).__name__}: {e} [{proc}]"
        else:
            counts["jpeglite_decodes"] += 1
            if out.shape == ref.shape and np.array_equal(out, ref):
                counts["exact"] += 1
                counts[f"exact {proc}"] += 1
                continue
            if out.shape != ref.shape:
                size = f"shape {out.shape} vs {ref.shape}"
            else:
                d = int(np.abs(out.astype(np.int16) - ref.astype(np.int16)).max())
                share = float(np.mean(out != ref))
                size = (f"max {'1' if d == 1 else '2' if d == 2 else '<=16' if d <= 16 else '>16'}"
                        f", {'<1%' if share < 0.01 else '<10%' if share < 0.1 else '>=10%'}")
            counts["differ"] += 1
            key = f"differs: {proc}; {what}; {size}"
        kinds[key] += 1
        if keep is not None and kept[key] < 3:
            kept[key] += 1
            keep.mkdir(parents=True, exist_ok=True)
            safe = re.sub(r"[^A-Za-z0-9]+", "_", key)[:80]
            (keep / f"{safe}_{index}.jpg").write_bytes(data)
    return {"start": start, "n": n, "counts": dict(counts), "kinds": dict(kinds)}


def merge(paths):
    counts, kinds = Counter(), Counter()
    for p in paths:
        r = json.loads(Path(p).read_text())
        counts.update(r["counts"])
        kinds.update(r["kinds"])
    return counts, kinds


def summary(counts, kinds):
    c = counts
    pd = c["pillow_decodes"]
    lines = [f"mutants {c['mutants']:,}; Pillow decodes {pd:,}",
             f"jpeglite decodes {c['jpeglite_decodes']:,} ({100 * c['jpeglite_decodes'] / max(pd, 1):.3f}%),"
             f" exact {c['exact']:,} ({100 * c['exact'] / max(pd, 1):.3f}% of Pillow's),"
             f" differ {c['differ']:,}; refused {c['refused']:,},"
             f" documented refusals {c['documented_refusals']:,},"
             f" foreign exceptions {c['foreign_exceptions']:,}",
             "by frame: " + ", ".join(
                 f"{k.split(' ', 1)[1]} {c[k]:,} ({c.get('exact ' + k.split(' ', 1)[1], 0):,} exact)"
                 for k in sorted(c) if k.startswith("pillow_decodes ")), ""]
    for key, k in kinds.most_common():
        lines.append(f"{k:>7,}  {key}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("seeds", nargs="*", help="folders of seed JPEG files")
    ap.add_argument("-n", type=int, default=10000, help="mutants in this chunk")
    ap.add_argument("--start", type=int, default=0, help="index of the chunk's first mutant")
    ap.add_argument("--out", help="write this chunk's counts (JSON) here")
    ap.add_argument("--keep", help="keep the first inputs of each kind of difference here")
    ap.add_argument("--merge", nargs="+", metavar="JSON", help="add up chunks and print")
    args = ap.parse_args()
    warnings.simplefilter("ignore", jpeglite.CorruptDataWarning)    # said on every damaged input
    if args.merge:
        print(summary(*merge(args.merge)))
        return
    seeds = []
    for folder in args.seeds:
        for p in sorted(Path(folder).glob("*.jp*g")):
            data = p.read_bytes()
            if len(data) <= 64 * 1024:        # Pillow reads arithmetic files only to 64 KB
                seeds.append((p.name, data))
    if not seeds:
        sys.exit("no seed files")
    result = run(seeds, args.start, args.n, Path(args.keep) if args.keep else None)
    result["seeds"] = len(seeds)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1))
    print(summary(Counter(result["counts"]), Counter(result["kinds"])))


if __name__ == "__main__":
    main()
