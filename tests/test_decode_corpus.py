"""Every 8-bit JPEG (Huffman or arithmetic) in the corpus that Pillow decodes, jpeglite decodes
to exactly Pillow's pixels; the others raise JPEGError naming the problem."""
import csv
import io
import warnings

import numpy as np
import pytest

import jpeglite
from jpeglite import JPEGError

from conftest import CORPUS, JPEGS, NO_CORPUS

Image = pytest.importorskip("PIL.Image")
if CORPUS is None:   # every test here is about the corpus's files
    pytest.skip(NO_CORPUS, allow_module_level=True)


def _manifest():
    with open(CORPUS / "jpeg" / "MANIFEST.tsv", newline="") as fh:
        return {row["filename"]: row for row in csv.DictReader(fh, delimiter="\t")}


MANIFEST = _manifest()


def _pillow(path):
    """Pillow's pixels for a file, or None if Pillow cannot decode it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(path) as im:
                return np.asarray(im)
        except Exception:
            return None


EXPECTED_REFUSAL = {
    "pillow_truncated_jpeg.jpg": "truncated",
    "pillow_ultrahdr.jpg": "truncated",
}

DECODABLE = [p for p in JPEGS if MANIFEST[p.name]["pillow_decodes"] == "yes"
             and MANIFEST[p.name]["precision"] == "8"]
# 12-bit files: Pillow cannot read them; tests/test_12bit.py compares them with libjpeg-turbo 3
TWELVE_BIT = [p for p in JPEGS if MANIFEST[p.name]["precision"] == "12"]
REFUSED = [p for p in JPEGS if p not in DECODABLE and p not in TWELVE_BIT]


def test_corpus_partition_is_what_the_manifest_says():
    # 46 files to match (one arithmetic-coded), two 12-bit, 2 to refuse: a
    # corpus change must show up here
    assert len(DECODABLE) + len(TWELVE_BIT) + len(REFUSED) == len(JPEGS) == 50
    assert len(TWELVE_BIT) == 2
    assert {p.name for p in REFUSED} == set(EXPECTED_REFUSAL)


@pytest.mark.parametrize("path", DECODABLE, ids=lambda p: p.name)
def test_pixel_identical_to_pillow(path):
    ref = _pillow(path)
    assert ref is not None
    out = jpeglite.read(path)
    assert out.dtype == np.uint8
    assert out.shape == ref.shape
    np.testing.assert_array_equal(out, ref)


@pytest.mark.parametrize("path", DECODABLE[:3], ids=lambda p: p.name)
def test_decode_accepts_bytes_bytearray_memoryview(path):
    data = path.read_bytes()
    a = jpeglite.decode(data)
    np.testing.assert_array_equal(a, jpeglite.decode(bytearray(data)))
    np.testing.assert_array_equal(a, jpeglite.decode(memoryview(data)))


@pytest.mark.parametrize("path", REFUSED, ids=lambda p: p.name)
def test_unsupported_and_truncated_raise_jpegerror(path):
    with pytest.raises(JPEGError) as info:
        jpeglite.read(path)
    assert EXPECTED_REFUSAL.get(path.name, "") in str(info.value)
    assert info.value.offset is not None and 0 <= info.value.offset <= path.stat().st_size
    assert "byte offset" in str(info.value)
