"""jpeglite against Pillow: speed (MP/s) and rate-distortion with BD-rates, in one run.

    python bench/compare.py [IMAGES...] [--repeat N] [--quick] [--plot FILE.png]

The same as ``jpeglite bench``; the logic lives in jpeglite.bench so an
installed package has it too. From a source checkout without installing,
this script puts ../src on the path.
"""
import sys
from pathlib import Path

try:
    import jpeglite  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from jpeglite.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["bench", *sys.argv[1:]]))
