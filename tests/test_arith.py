"""Arithmetic-coded files (SOF9 sequential, SOF10 progressive; T.81 Annex D):
jpeglite decodes them to Pillow's (libjpeg-turbo's) pixels, reads their
coefficients, honours DAC conditioning, and treats their bytes as hostile.

The files in tests/data/arith were written by libjpeg-turbo 2.1.5's
`cjpeg -arithmetic` (from a crop of Kodak 23, and small random images) and
`jpegtran -arithmetic` (small_tran*: small_huff.jpg re-coded without
touching its coefficients); small_*scans* are sequential files of several
scans (`cjpeg -scans`); damaged_* are fuzzer finds that Pillow decodes."""
import io
import pathlib
import struct
import warnings

import numpy as np
import pytest

import jpeglite
from jpeglite import JPEGError

Image = pytest.importorskip("PIL.Image")

DATA = pathlib.Path(__file__).parent / "data" / "arith"
FILES = sorted(p for p in DATA.glob("*.jpg") if p.name != "small_huff.jpg")


def _pillow(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(io.BytesIO(data)) as im:
            return np.asarray(im)


def _segments(data):
    """(marker, offset of its 0xFF, payload start, payload end) up to the first SOS."""
    out, p = [], 2
    while p + 4 <= len(data) and data[p] == 0xFF:
        code = data[p + 1]
        length = struct.unpack(">H", data[p + 2:p + 4])[0]
        out.append((code, p, p + 4, p + 2 + length))
        if code == 0xDA:
            break
        p += 2 + length
    return out


def test_the_files_are_arithmetic_coded():
    assert len(FILES) >= 14
    for p in FILES:
        codes = [c for c, *_ in _segments(p.read_bytes())]
        assert 0xC9 in codes or 0xCA in codes, p.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_pixel_identical_to_pillow(path):
    data = path.read_bytes()
    out = jpeglite.decode(data)
    ref = _pillow(data)
    assert out.shape == ref.shape
    np.testing.assert_array_equal(out, ref)


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_threads_do_not_change_pixels(threads):
    data = (DATA / "small_progrst.jpg").read_bytes()
    np.testing.assert_array_equal(jpeglite.decode(data, threads=threads), _pillow(data))


@pytest.mark.parametrize("name", ["small_tran.jpg", "small_tranprog.jpg"])
def test_coefficients_survive_jpegtran_recoding(name):
    """jpegtran -arithmetic changes the entropy coding only: the coefficients
    read from the arithmetic file are those of the Huffman original."""
    ref = jpeglite.read_coefficients((DATA / "small_huff.jpg").read_bytes())
    got = jpeglite.read_coefficients((DATA / name).read_bytes())
    assert [c.blocks.shape for c in got.components] == [c.blocks.shape for c in ref.components]
    for a, b in zip(got.components, ref.components):
        np.testing.assert_array_equal(a.blocks, b.blocks)
    assert got.qtables.keys() == ref.qtables.keys()


def test_read_coefficients_reconstruct_to_the_pixels():
    data = (DATA / "small_prog420.jpg").read_bytes()
    coefs = jpeglite.read_coefficients(data)
    assert coefs.width == 203 and coefs.height == 157
    np.testing.assert_array_equal(jpeglite.decode(jpeglite.encode_coefficients(coefs)),
                                  jpeglite.decode(data))


def test_a_128_byte_file_is_a_2000x1500_frame():
    """An arithmetic coder writes a run of most-probable decisions as no bytes
    at all: a flat frame of 47,000 blocks takes 128 bytes, so the one-bit-per-
    block bomb guard of Huffman frames cannot apply (max_pixels still does)."""
    data = (DATA / "flat_2000x1500_grey.jpg").read_bytes()
    assert len(data) == 128
    out = jpeglite.decode(data)
    np.testing.assert_array_equal(out, _pillow(data))
    with pytest.raises(JPEGError, match="max_pixels"):
        jpeglite.decode(data, max_pixels=2000 * 1500 - 1)


def _dac(data):
    (seg,) = [s for s in _segments(data) if s[0] == 0xCC]
    return seg


@pytest.mark.parametrize("entry,value", [(0, 0x52), (0, 0xF0), (1, 1), (1, 63), (1, 0)])
def test_dac_conditioning_is_used_as_libjpeg_uses_it(entry, value):
    """Changing a DAC value changes how the data decodes; jpeglite follows
    libjpeg's reading of the same bytes whatever they become."""
    data = bytearray((DATA / "small_grey.jpg").read_bytes())
    _code, _ff, start, end = _dac(data)
    data[start + 2 * entry + 1] = value
    data = bytes(data)
    try:
        ref = _pillow(data)
    except Exception:
        ref = None
    if ref is None:
        with pytest.raises(JPEGError):
            jpeglite.decode(data)
    else:
        np.testing.assert_array_equal(jpeglite.decode(data), ref)


def test_bad_dac_is_a_jpegerror_at_its_offset():
    data = (DATA / "small_grey.jpg").read_bytes()
    _code, _ff, start, end = _dac(data)
    good = data[:start + 1] + b"\x21" + data[start + 2:]            # U = 2, L = 1
    assert jpeglite.decode(good).shape == (157, 203)
    bad_lu = data[:start + 1] + b"\x12" + data[start + 2:]          # L = 2 > U = 1
    with pytest.raises(JPEGError, match="L=2 > U=1") as info:
        jpeglite.decode(bad_lu)
    assert info.value.offset == start + 1
    bad_index = data[:start] + b"\x20" + data[start + 1:]           # class 2
    with pytest.raises(JPEGError, match="DAC") as info:
        jpeglite.decode(bad_index)
    assert info.value.offset == start


def test_conditioning_slots_above_3_are_valid():
    """Arithmetic scans name conditioning slots 0..15 (DAC can set each)."""
    data = bytearray((DATA / "tiny_grey.jpg").read_bytes())
    _code, sos, start, end = [s for s in _segments(data) if s[0] == 0xDA][0]
    data[start + 2] = 0x9C                        # DC slot 9, AC slot 12: defaults
    data = bytes(data)
    np.testing.assert_array_equal(jpeglite.decode(data), _pillow(data))


def test_truncated_scan_is_a_jpegerror():
    data = (DATA / "small_420.jpg").read_bytes()
    for cut in (len(data) - 2, len(data) // 2, len(data) - 600):
        with pytest.raises(JPEGError, match="truncated"):
            jpeglite.decode(data[:cut])


def test_corrupt_data_decodes_as_libjpeg_does():
    """Flipped bits in the arithmetic-coded data: libjpeg's reading (bad codes
    give up on the rest of the restart interval) gives Pillow's pixels."""
    data = (DATA / "small_rst.jpg").read_bytes()
    sos = [s for s in _segments(data) if s[0] == 0xDA][0]
    rng = np.random.default_rng(3)
    same = 0
    for _ in range(40):
        buf = bytearray(data)
        i = int(rng.integers(sos[3], len(data) - 2))
        buf[i] ^= 1 << int(rng.integers(0, 8))
        buf = bytes(buf)
        try:
            ref = _pillow(buf)
        except Exception:
            continue
        np.testing.assert_array_equal(jpeglite.decode(buf), ref)
        same += 1
    assert same >= 20


def test_every_cut_of_a_small_file_is_read_as_pillow_reads_it():
    """The arithmetic decoder reads no byte it does not need (as libjpeg):
    data that ends right after the last interval's bytes, without EOI,
    still decodes (as in Pillow); a cut inside the data is a JPEGError."""
    src = (DATA / "tiny_420_rst.jpg").read_bytes()
    decoded = 0
    for cut in range(len(src) - 200, len(src) + 1):
        data = src[:cut]
        try:
            ref = _pillow(data)
        except Exception:
            with pytest.raises(JPEGError):
                jpeglite.decode(data)
            continue
        np.testing.assert_array_equal(jpeglite.decode(data), ref)
        decoded += 1
    assert decoded >= 1


def test_data_that_ends_where_the_scan_ends_needs_no_eoi():
    """A damaged file (from the fuzzer) whose last restart interval's data
    runs to the end of the input, no EOI: the scan needs no byte past it, so
    libjpeg, and jpeglite, give the image."""
    data = (DATA / "damaged_no_eoi_ends_with_the_scan.jpg").read_bytes()
    assert not data.endswith(b"\xff\xd9")
    np.testing.assert_array_equal(jpeglite.decode(data), _pillow(data))


def test_dac_in_a_tables_only_stream_does_not_reach_the_image():
    """A tables-only stream may hold a DAC segment, but the image's SOI resets
    the conditioning to T.81's defaults (libjpeg's get_soi), so an abbreviated
    arithmetic image decodes as if the DAC were absent; its DQT do apply."""
    data = (DATA / "small_444.jpg").read_bytes()
    segs = _segments(data)
    dqt = b"".join(data[ff:end] for code, ff, _s, end in segs if code == 0xDB)
    stripped = bytearray(data)
    for code, ff, _s, end in reversed(segs):
        if code in (0xDB, 0xCC):          # DQT and DAC go to the tables stream
            del stripped[ff:end]
    dac = b"\xff\xcc\x00\x04\x00\x32"      # DC slot 0: L=2, U=3
    tables = b"\xff\xd8" + dqt + dac + b"\xff\xd9"
    got = jpeglite.decode(bytes(stripped), tables=tables)
    np.testing.assert_array_equal(got, _pillow(data))
    # the same DAC inside the image does change the decode
    inside = bytes(stripped[:2]) + dqt + dac + bytes(stripped[2:])
    try:
        changed = jpeglite.decode(inside)
    except JPEGError:
        changed = None
    assert changed is None or not np.array_equal(changed, got)
