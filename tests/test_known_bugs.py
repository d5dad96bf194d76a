"""Open bugs found by fuzzing, each pinned by its input: strict xfails, so the
suite reports them every run and fails the day one is fixed without this
file being updated."""
import warnings
from pathlib import Path

import numpy as np
import pytest

import jpeglite

KNOWN = Path(__file__).parent / "known"


@pytest.mark.xfail(strict=True, reason="found by CI's fuzz step (optimize target): on this "
                   "damaged CMYK file (stray RSTn without DRI) read_coefficients' "
                   "coefficients are not the ones decode reconstructs, so optimize(x) and "
                   "encode_coefficients(read_coefficients(x)) decode otherwise than x")
def test_coefficients_of_a_damaged_cmyk_file_are_the_decoders():
    data = (KNOWN / "cmyk_stray_restarts_coefficients_differ.jpg").read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = jpeglite.decode(data)
        got = jpeglite.decode(jpeglite.encode_coefficients(jpeglite.read_coefficients(data)))
    assert np.array_equal(got, want)
