"""libjpeg's tolerance: files with these oddities decode as libjpeg-turbo
(Pillow) decodes them, and the ones libjpeg refuses stay refused.

Each case is made from a small Pillow-written file and compared with
Pillow on the same bytes."""
import io
import struct
import warnings

import numpy as np
import pytest

import jpeglite
from jpeglite import JPEGError

Image = pytest.importorskip("PIL.Image")

_RNG = np.random.default_rng(1)
IMG = _RNG.integers(0, 256, (40, 56, 3), dtype=np.uint8)


def _pil_jpeg(**opts):
    buf = io.BytesIO()
    Image.fromarray(IMG).save(buf, "JPEG", **opts)
    return buf.getvalue()


BASE = _pil_jpeg(quality=80)
PROG = _pil_jpeg(quality=80, progressive=True)


def _pillow(data):
    """Pillow's pixels, or None if Pillow refuses the bytes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(io.BytesIO(data)) as im:
                return np.asarray(im)
        except Exception:
            return None


def _same_as_pillow(data):
    ref = _pillow(data)
    if ref is None:
        with pytest.raises(JPEGError) as info:
            jpeglite.decode(data)
        assert 0 <= info.value.offset <= len(data)
        return False
    np.testing.assert_array_equal(jpeglite.decode(data), ref)
    return True


def _markers(data):
    """(code, offset of the 0xFF, segment length) of every segment up to the first SOS."""
    out, p = [], 2
    while p + 4 <= len(data) and data[p] == 0xFF:
        code = data[p + 1]
        length = struct.unpack(">H", data[p + 2:p + 4])[0]
        out.append((code, p, length))
        if code == 0xDA:
            break
        p += 2 + length
    return out


def _scans(data):
    """Offsets of every SOS marker."""
    out, i = [], 0
    while (i := data.find(b"\xff\xda", i)) >= 0:
        out.append(i)
        i += 2
    return out


def test_huffman_table_id_4_plus_of_a_class_the_scan_never_reads():
    data = bytearray(PROG)
    changed = 0
    for s in _scans(PROG):
        ns = PROG[s + 4]
        ss, ahal = PROG[s + 5 + 2 * ns], PROG[s + 7 + 2 * ns]
        if ss != 0 or ahal >> 4:            # AC scans and DC refinements read no DC table
            data[s + 6] = 0x70 | (data[s + 6] & 15)
            changed += 1
    assert changed and _same_as_pillow(bytes(data))


def test_huffman_table_id_4_plus_that_a_scan_reads_is_an_error():
    sos = _scans(BASE)[0]
    data = BASE[:sos + 6] + b"\x44" + BASE[sos + 7:]
    with pytest.raises(JPEGError, match="Huffman table id 4"):
        jpeglite.decode(data)
    assert _pillow(data) is None


def test_quantization_table_id_255_on_a_component_no_scan_reads():
    # a progressive grey file whose frame gains two components (ids 8 and 7,
    # table slots 255 and 0) that no scan names: they decode as zeros
    buf = io.BytesIO()
    Image.fromarray(IMG[:, :, 0]).save(buf, "JPEG", quality=80, progressive=True)
    grey = buf.getvalue()
    code, ff, length = [m for m in _markers(grey) if m[0] == 0xC2][0]
    payload = bytearray(grey[ff + 4:ff + 2 + length])
    payload[5] = 3
    payload += bytes((8, 0x11, 255, 7, 0x11, 0))    # two components no scan reads
    new = grey[:ff + 2] + struct.pack(">H", len(payload) + 2) + bytes(payload)
    new += grey[ff + 2 + length:]
    assert _same_as_pillow(new)


def test_quantization_table_id_255_on_a_component_a_scan_reads_is_an_error():
    code, ff, length = [m for m in _markers(BASE) if m[0] == 0xC0][0]
    data = bytearray(BASE)
    data[ff + 10 + 3 * 2 + 2] = 255                 # component 3's table slot
    with pytest.raises(JPEGError, match="quantization table id 255") as info:
        jpeglite.decode(bytes(data))
    assert info.value.offset == ff + 12 + 3 * 2
    assert _pillow(bytes(data)) is None


def test_dqt_precision_above_1_reads_as_16_bit():
    table = np.full(64, 300, np.uint16)
    table[0] = 2
    data = jpeglite.encode(IMG, qtables=[table, table])
    code, ff, length = [m for m in _markers(data) if m[0] == 0xDB][0]
    assert data[ff + 4] >> 4 == 1
    for pq in (2, 15):
        mutated = bytearray(data)
        mutated[ff + 4] = (pq << 4) | (data[ff + 4] & 15)
        assert _same_as_pillow(bytes(mutated))


@pytest.mark.parametrize("tail", [
    b"\xff\xc8\x00\x04ab",                          # JPG (SOF8) after the image
    b"\xff\x4f\x00\x04ab",                          # a reserved marker after the image
    b"\xff\xc0\x00\x11" + bytes(15),                # a second SOF after the image
])
@pytest.mark.parametrize("source", ["sequential", "progressive"])
def test_markers_after_a_complete_image(tail, source):
    """libjpeg reads on to EOI after the last scan (jpeg_finish_decompress):
    a marker it refuses there is refused here too."""
    data = (BASE if source == "sequential" else PROG)[:-2] + tail + b"\xff\xd9"
    _same_as_pillow(data)


def test_a_second_scan_after_a_single_scan_image():
    sos = _scans(BASE)[0]
    _same_as_pillow(BASE[:-2] + BASE[sos:-2] + b"\xff\xd9")


@pytest.mark.parametrize("source", ["sequential", "progressive"])
def test_app1_whose_length_runs_past_the_end(source):
    data = (BASE if source == "sequential" else PROG)[:-2] + b"\xff\xe1\x40\x00Exif"
    decoded = _same_as_pillow(data)
    assert decoded == (source == "sequential")


@pytest.mark.parametrize("source", ["sequential", "progressive"])
def test_data_ending_without_a_marker_after_the_scan(source):
    _same_as_pillow((BASE if source == "sequential" else PROG)[:-2])


def _damaged_scan(data):
    """``data`` with its last scan's data cut short (EOI after half of it),
    or with its second restart marker dropped."""
    i = data.find(b"\xff\xd1")
    if i >= 0:
        return data[:i] + data[i + 2:]
    sos = _scans(data)[-1]
    start = sos + 2 + struct.unpack(">H", data[sos + 2:sos + 4])[0]
    return data[:(start + len(data)) // 2] + b"\xff\xd9"


@pytest.mark.parametrize("source", ["sequential", "progressive", "restarts", "arithmetic"])
def test_recovered_damage_is_said_by_a_warning_and_refused_with_strict(source):
    data = {"sequential": BASE, "progressive": PROG,
            "restarts": _pil_jpeg(quality=80, restart_marker_blocks=4),
            "arithmetic": jpeglite.encode(IMG, 80, arithmetic=True, restart_interval=2)}[source]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jpeglite.decode(data)                      # an intact file: no warning
    damaged = bytearray(data)
    if source == "arithmetic":                     # a restart marker of the wrong number
        i = bytes(damaged).index(b"\xff\xd1")
        damaged[i + 1] = 0xD5
    else:
        damaged = _damaged_scan(data)
    damaged = bytes(damaged)
    with pytest.warns(jpeglite.CorruptDataWarning, match="byte offset"):
        got = jpeglite.decode(damaged)
    ref = _pillow(damaged)
    if ref is not None:
        np.testing.assert_array_equal(got, ref)
    with pytest.raises(JPEGError, match="strict") as info:
        jpeglite.decode(damaged, strict=True)
    assert 0 <= info.value.offset <= len(damaged)


def test_a_cut_off_tail_after_the_image_warns():
    data = BASE[:-2] + b"\xff\xe1\x40\x00abc"      # an APP1 whose length runs past the end
    with pytest.warns(jpeglite.CorruptDataWarning, match="cut off"):
        jpeglite.decode(data)
    with pytest.raises(JPEGError, match="strict"):
        jpeglite.decode(data, strict=True)


def test_strict_is_a_bool():
    with pytest.raises(TypeError, match="strict"):
        jpeglite.decode(BASE, strict="yes")
    with pytest.raises(TypeError, match="strict"):
        jpeglite.read(io.BytesIO(BASE), strict=1)
    assert jpeglite.read(io.BytesIO(BASE), strict=True).shape == (40, 56, 3)


FASTPATH = sorted((__import__("pathlib").Path(__file__).parent / "data" / "fastpath").glob("*.jpg"))


@pytest.mark.parametrize("path", FASTPATH, ids=lambda p: p.name)
def test_ff_ff_00_in_scan_data_decodes_as_libjpeg_turbos_fast_path_leaves_it(path):
    """Mutants (fuzz/pillow_agreement.py) with 0xFF 0xFF 0x00 inside a
    baseline scan: libjpeg-turbo's fast Huffman routine stops there (a
    marker, to it) and its coefficients stay where the exact routine's
    redo of the MCU leaves zeros; jpeglite gives the same pixels, on the
    fused path's behalf too."""
    data = path.read_bytes()
    assert b"\xff\xff\x00" in data
    np.testing.assert_array_equal(jpeglite.decode(data), _pillow(data))
    np.testing.assert_array_equal(jpeglite.decode(data, threads=3), _pillow(data))


def test_data_cut_off_near_its_end_decodes_where_libjpeg_finishes_the_scan():
    """libjpeg (as Pillow feeds it) finishes a scan whose data runs to the end
    of the input if it never asks for a byte past it, which depends on where
    its bit-buffer refills fall (jpeglite.endofdata replays them): every cut
    of the last bytes is decoded, or refused, as Pillow decodes or refuses it."""
    noise = np.random.default_rng(1).integers(0, 256, (23, 31, 3), dtype=np.uint8)
    files = [BASE, jpeglite.encode(noise, 60, subsampling="4:2:2", restart_interval=1),
             jpeglite.encode(noise, 60, subsampling="4:2:2"),
             jpeglite.encode(noise[..., 0], 60, restart_interval=2)]
    decoded = 0
    for data in files:
        for cut in range(2, 60):
            decoded += _same_as_pillow(data[:-cut])
    assert decoded >= 1
