"""Long runs of tests/test_differential.py's properties: a seeded loop that counts cases.

    nice -n 19 python fuzz/differential.py [--seed S] [--seconds T] [--cases N] [--log FILE]
    python fuzz/differential.py --replay SEED      # one case again, its traceback shown

Case i is drawn from random.Random(S + i) by test_differential.random_case (the same
image and option generators the hypothesis tests use: any encoder option set, Pillow's own
files, every encode_coefficients writer), so a failing case is named by its seed alone.
Every failure is written to fuzz/crashes/differential-SEED.txt (the options and the
traceback) and the run goes on; a progress line (cases, rate, failures per kind) is
printed every --every cases, and a last one at the end (also on SIGTERM or Ctrl-C). Exit status 1 if anything failed.
"""
import argparse
import os
import random
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import test_differential as td  # noqa: E402


def describe(kind, args):
    image, rest = args[0], args[1:]
    return f"{kind} image {image.shape} {rest!r}"


def run_case(seed):
    kind, check, args = td.random_case(random.Random(seed))
    check(*args)
    return kind


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0, help="the first case's seed")
    ap.add_argument("--seconds", type=float, default=float("inf"), help="stop after (s)")
    ap.add_argument("--cases", type=int, default=None, help="stop after this many cases")
    ap.add_argument("--every", type=int, default=1000, help="progress line every N cases")
    ap.add_argument("--replay", type=int, default=None, help="run the case of this seed")
    ap.add_argument("--crashes", default=os.path.join(HERE, "crashes"))
    a = ap.parse_args()

    if a.replay is not None:
        kind, check, args = td.random_case(random.Random(a.replay))
        print(describe(kind, args))
        check(*args)
        print("passes")
        return 0

    os.makedirs(a.crashes, exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupt)
    start = time.monotonic()
    counts, failures = {}, {}
    n = 0

    def progress():
        dt = time.monotonic() - start
        print(f"cases {n} in {dt:.0f} s ({n / max(dt, 1e-9):.1f}/s) seeds {a.seed}..{a.seed + n - 1} "
              f"kinds {counts} failures {failures or 0}", flush=True)

    try:
        while (a.cases is None or n < a.cases) and time.monotonic() - start < a.seconds:
            seed = a.seed + n
            try:
                kind = run_case(seed)
            except Exception:  # every failure is recorded; the run goes on
                kind, _, args = td.random_case(random.Random(seed))
                failures[kind] = failures.get(kind, 0) + 1
                with open(os.path.join(a.crashes, f"differential-{seed}.txt"), "w") as f:
                    f.write(f"seed {seed}: {describe(kind, args)}\n\n{traceback.format_exc()}")
                print(f"FAILED seed {seed}: {describe(kind, args)[:300]}", flush=True)
            counts[kind] = counts.get(kind, 0) + 1
            n += 1
            if n % a.every == 0:
                progress()
    except KeyboardInterrupt:          # Ctrl-C or SIGTERM: the count so far
        pass
    progress()
    return 1 if failures else 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
