"""atheris harness for every way a file's bytes are read: decode, read_coefficients
(and writing them back) and analyze, in one target, with libFuzzer's byte mutator.

Every input must decode to a uint8 array or raise jpeglite.JPEGError with a message and
an offset in the input; its coefficients must write back to a file that decodes to the
same pixels (or be refused as values no 8-bit JPEG can code); its file report (analyze)
must add up to the input's bits. Anything else (another exception, a crash, a sanitizer
report, a hang caught by -timeout) is a finding.

    python fuzz/make_seeds.py                 # writes fuzz/seeds/ (once)
    python fuzz/fuzz_decode.py fuzz/corpus fuzz/seeds -runs=1000000 -timeout=10 -rss_limit_mb=2048

The checks are fuzz_kernels.py's targets (one definition each); that script runs them
one at a time with a structure-aware mutator, and on the clang build of fuzz/README.md
with the Cython kernels' edges steering the search. With the gcc build only the Python
side (jfif.py, decoder.py, analysis.py) is coverage-instrumented.
"""
import sys

import atheris

from fuzz_kernels import target_analyze, target_coefficients, target_decode


def test_one_input(data):
    target_analyze(data)
    target_coefficients(data)
    target_decode(data)


def main():
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
