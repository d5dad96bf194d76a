"""atheris harness for jpeglite.decode and jpeglite.analyze of a file's bytes.

Every input must decode to a uint8 array or raise jpeglite.JPEGError, and its file
report (analyze) must add up to the input's bits or raise JPEGError; anything else
(another exception, a crash, a sanitizer report, a hang caught by -timeout) is a finding.

    python fuzz/make_seeds.py                 # writes fuzz/seeds/ (once)
    python fuzz/fuzz_decode.py fuzz/corpus fuzz/seeds -runs=1000000 -timeout=10 -rss_limit_mb=2048

The Python parser (jfif.py, decoder.py) is coverage-instrumented; the Cython kernels are
exercised but not instrumented (gcc cannot build libFuzzer instrumentation).
"""
import sys

import atheris
import numpy as np

with atheris.instrument_imports(include=["jpeglite"]):
    import jpeglite

MAX_PIXELS = 1 << 22


def check_error(exc, data):
    """Every JPEGError carries a message and an offset inside the input."""
    if not str(exc) or exc.offset is None or not 0 <= exc.offset <= len(data):
        raise AssertionError(f"JPEGError without a message or an offset in the input: {exc!r}")


def check_analyze(data):
    try:
        r = jpeglite.analyze(data, max_pixels=MAX_PIXELS)
    except jpeglite.JPEGError as exc:
        check_error(exc, data)
        return
    if r.model_bits + r.header_bits + r.data_bits + r.metadata_bits != 8 * len(data):
        raise AssertionError("the file report's parts do not add up to the file")


def check_coefficients(data):
    """read_coefficients: a Coefficients or a JPEGError with an offset; what it
    returns writes back (or is refused as values no 8-bit JPEG can code)."""
    try:
        c = jpeglite.read_coefficients(data, max_pixels=MAX_PIXELS)
    except jpeglite.JPEGError as exc:
        check_error(exc, data)
        return
    try:
        jpeglite.encode_coefficients(c)
    except ValueError as exc:
        if not any(w in str(exc) for w in ("category", "span", "values must be")):
            raise


def test_one_input(data):
    check_analyze(data)
    check_coefficients(data)
    try:
        out = jpeglite.decode(data, max_pixels=MAX_PIXELS)
    except jpeglite.JPEGError as exc:
        check_error(exc, data)
        return
    if not (isinstance(out, np.ndarray) and out.dtype == np.uint8 and out.ndim in (2, 3)
            and out.shape[0] * out.shape[1] <= MAX_PIXELS):
        raise AssertionError(f"bad decode result {type(out)} {getattr(out, 'shape', None)}")


def main():
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
