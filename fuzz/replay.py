"""Replay a fuzzing corpus, then mutate it at random, without libFuzzer.

For the sanitizer build: gcc's AddressSanitizer runtime cannot be combined with
atheris's libFuzzer coverage (atheris then finds no coverage at all), so under
ASan/UBSan the corpus that a coverage-guided atheris run grew is replayed, and
random mutants of it (bit flips, byte overwrites, truncation, insertion,
deletion, copies of a chunk, interesting 16-bit values) are decoded.

    python fuzz/replay.py fuzz/corpus fuzz/seeds -n 200000 [-seed 1]

Every input must decode to a uint8 array or raise jpeglite.JPEGError; anything
else is printed, saved as fuzz/crashes/replay-<n>.jpg and makes the exit status 1
(a sanitizer report aborts the process by itself).
"""
import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

import jpeglite

MAX_PIXELS = 1 << 22
INTERESTING16 = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0xFFFE, 0xFFD9,
                 0xFFDA, 0xFFC4, 0xFFDB, 0xFFD0]


def mutate(rng, data, donors):
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not buf:
            buf = bytearray(rng.choice(donors)[:16])
        i = rng.randrange(len(buf))
        op = rng.randrange(8)
        if op == 0:
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[i] = rng.randrange(256)
        elif op == 2:
            del buf[i:]
        elif op == 3:
            buf[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 4:
            del buf[i:i + rng.randint(1, 64)]
        elif op == 5:
            donor = rng.choice(donors)
            j = rng.randrange(len(donor))
            buf[i:i] = donor[j:j + rng.randint(1, 256)]
        elif op == 6:
            buf[i:i + 2] = rng.choice(INTERESTING16).to_bytes(2, "big")
        else:
            buf[i:i] = bytes((0xFF, rng.choice([0xD8, 0xD9, 0xDA, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD,
                                                 0xD0 + rng.randrange(8), 0x00, 0xFF])))
    return bytes(buf)


def check(data):
    try:
        out = jpeglite.decode(data, max_pixels=MAX_PIXELS)
    except jpeglite.JPEGError:
        return
    if not (isinstance(out, np.ndarray) and out.dtype == np.uint8 and out.ndim in (2, 3)):
        raise AssertionError(f"bad decode result {type(out)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("-n", type=int, default=100000, help="mutants to decode after the replay")
    ap.add_argument("-seed", type=int, default=1)
    args = ap.parse_args()
    files = [p.read_bytes() for d in args.dirs for p in sorted(d.iterdir()) if p.is_file()]
    if not files:
        sys.exit("no corpus files")
    rng = random.Random(args.seed)
    crashes = Path(__file__).resolve().parent / "crashes"
    bad = 0
    t0 = time.perf_counter()
    inputs = files + [None] * args.n
    for k, data in enumerate(inputs):
        if data is None:
            data = mutate(rng, rng.choice(files), files)
        try:
            check(data)
        except Exception as exc:            # a foreign exception: a finding
            bad += 1
            crashes.mkdir(exist_ok=True)
            (crashes / f"replay-{k}.jpg").write_bytes(data)
            print(f"input {k}: {type(exc).__name__}: {exc}", flush=True)
        if k and k % 20000 == 0:
            print(f"{k} inputs, {k / (time.perf_counter() - t0):.0f}/s", flush=True)
    dt = time.perf_counter() - t0
    print(f"done: {len(inputs)} inputs ({len(files)} replayed) in {dt:.0f} s, "
          f"{len(inputs) / dt:.0f}/s, {bad} findings")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
