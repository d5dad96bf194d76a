"""Custom quantization tables (``qtables=``, issue 9 item 4): Pillow's rule, Pillow's bytes."""
import io
import struct

import numpy as np
import pytest
from PIL import Image

import jpeglite
from jpeglite import tables as T

PIL_SUBSAMPLING = {"4:4:4": 0, "4:2:2": 1, "4:2:0": 2}
RNG = np.random.default_rng(9)
RGB = RNG.integers(0, 256, (37, 53, 3), dtype=np.uint8)
GREY = RGB[..., 1].copy()
T8A = RNG.integers(1, 256, 64).tolist()
T8B = RNG.integers(1, 256, 64).tolist()
T16 = RNG.integers(1, 8192, 64).tolist()          # 16-bit, within libjpeg-turbo's exact range
T16[0] = 300                                        # and certainly above 255


def pillow_jpeg(image, subsampling="4:2:0", **kw):
    """Pillow's JPEG of ``image`` with Pillow's own keywords (quality only when given)."""
    if image.ndim == 3:
        kw["subsampling"] = PIL_SUBSAMPLING[subsampling]
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", **kw)
    return buf.getvalue()


def segments(data):
    """(marker, payload) of every segment up to and including SOS."""
    out, p = [], 2
    while True:
        marker = data[p + 1]
        (length,) = struct.unpack(">H", data[p + 2:p + 4])
        out.append((marker, data[p + 4:p + 2 + length]))
        if marker == 0xDA:
            return out
        p += 2 + length


def quality_kw(quality):
    return {} if quality is None else {"quality": quality}


TABLE_SETS = {
    "one": [T8A],
    "two": [T8A, T8B],
    "three": [T8A, T8B, T8A[::-1]],
    "four": [T8A, T8B, T8B[::-1], T8A[::-1]],
    "16-bit luma": [T16, T8B],
    "16-bit chroma": [T8A, T16],
    "one 16-bit": [T16],
    "ones": [[1] * 64],
}


@pytest.mark.parametrize("quality", [None, 1, 10, 50, 75, 90, 100])
@pytest.mark.parametrize("name", TABLE_SETS)
@pytest.mark.parametrize("image", [RGB, GREY], ids=["rgb", "grey"])
def test_bytes_equal_pillows(image, name, quality):
    tabs = TABLE_SETS[name]
    ours = jpeglite.encode(image, quality, qtables=tabs)
    assert ours == pillow_jpeg(image, qtables=tabs, **quality_kw(quality))


@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:2", "4:2:0"])
@pytest.mark.parametrize("optimize", [False, True])
@pytest.mark.parametrize("restart", [0, 3])
def test_bytes_equal_pillows_with_every_option(subsampling, optimize, restart):
    tabs = [T16, T8B] if optimize else [T8A, T8B]
    for quality in (None, 75):
        ours = jpeglite.encode(RGB, quality, qtables=tabs, subsampling=subsampling,
                               optimize=optimize, restart_interval=restart)
        theirs = pillow_jpeg(RGB, subsampling, qtables=tabs, optimize=optimize,
                             restart_marker_blocks=restart, **quality_kw(quality))
        assert ours == theirs


def test_a_photo_equals_pillow_with_16_bit_and_scaled_tables(photo):
    image = photo
    luma = np.clip(T.LUMA_QUANT_K1.astype(int) * 3, 1, 65535)
    tabs = [luma, T.CHROMA_QUANT_K2]
    for quality in (None, 30, 75):
        assert jpeglite.encode(image, quality, qtables=tabs) == pillow_jpeg(
            image, qtables=[t.tolist() for t in tabs], **quality_kw(quality))


def test_quality_scales_the_tables_as_libjpeg():
    """No quality: as given; quality 50: as given (8-bit); 75: halved, rounded
    half up, at least 1; a quality clamps to 255 (force_baseline)."""
    t = np.arange(1, 65) * 5
    def dqt(data):
        payload = dict(segments(data))[0xDB]
        precision = payload[0] >> 4
        zz = np.frombuffer(payload[1:], ">u2" if precision else np.uint8)
        nat = np.empty(64, int)
        nat[T.ZIGZAG] = zz
        return precision, nat
    assert dqt(jpeglite.encode(GREY, qtables=[t]))[1].tolist() == t.tolist()
    precision, got = dqt(jpeglite.encode(GREY, 50, qtables=[t]))
    assert precision == 0 and got.tolist() == np.minimum(t, 255).tolist()
    assert dqt(jpeglite.encode(GREY, 75, qtables=[t]))[1].tolist() == ((t * 50 + 50) // 100).tolist()
    assert dqt(jpeglite.encode(GREY, 100, qtables=[t]))[1].tolist() == [1] * 64


def test_16_bit_tables_write_16_bit_dqt_and_sof1():
    data = jpeglite.encode(RGB, qtables=[T16, T8B])
    segs = segments(data)
    markers = [m for m, _ in segs]
    assert 0xC1 in markers and 0xC0 not in markers
    precisions = [p[0] >> 4 for m, p in segs if m == 0xDB]
    assert precisions == [1, 0]
    with Image.open(io.BytesIO(data)) as im:
        assert list(im.quantization[0]) == T16 and list(im.quantization[1]) == T8B
        assert np.array_equal(np.asarray(im), jpeglite.decode(data))
    # a quality makes the same tables 8-bit again: baseline
    markers = [m for m, _ in segments(jpeglite.encode(RGB, 50, qtables=[T16, T8B]))]
    assert 0xC0 in markers and 0xC1 not in markers


def test_component_table_slots_follow_pillow():
    """One table: every component uses slot 0 and only it is written; two or
    more: Y 0, Cb 1, Cr min(2, n-1); tables no component uses are not written."""
    def slots(data):
        segs = dict(segments(data))
        sof = segs.get(0xC0) or segs[0xC1]
        n = sof[5]
        return [sof[6 + 3 * i + 2] for i in range(n)], sum(m == 0xDB for m, _ in segments(data))
    assert slots(jpeglite.encode(RGB, qtables=[T8A])) == ([0, 0, 0], 1)
    assert slots(jpeglite.encode(RGB, qtables=[T8A, T8B])) == ([0, 1, 1], 2)
    assert slots(jpeglite.encode(RGB, qtables=[T8A, T8B, T8A])) == ([0, 1, 2], 3)
    assert slots(jpeglite.encode(RGB, qtables=[T8A, T8B, T8A, T8B])) == ([0, 1, 2], 3)
    assert slots(jpeglite.encode(GREY, qtables=[T8A, T8B, T8A])) == ([0], 1)


def test_every_form_of_the_same_tables_writes_the_same_bytes():
    ref = jpeglite.encode(RGB, qtables=[T8A, T8B])
    a = np.array([T8A, T8B])
    text = "# luma\n" + " ".join(map(str, T8A)) + "\n# chroma\n" + "\n".join(map(str, T8B))
    for form in ((T8A, T8B), {0: T8A, 1: T8B}, {1: T8B, 0: T8A}, a, a.reshape(2, 8, 8),
                 a.astype(np.uint16), [np.array(T8A).reshape(8, 8), tuple(T8B)], text):
        assert jpeglite.encode(RGB, qtables=form) == ref
    # Pillow takes the text form too
    assert pillow_jpeg(RGB, qtables=text) == ref


def test_values_above_32767_clamp_as_libjpeg():
    tabs = [[40000] * 32 + [65535] * 32]
    data = jpeglite.encode(GREY, qtables=tabs)
    assert data == jpeglite.encode(GREY, qtables=[[32767] * 64]) == pillow_jpeg(GREY, qtables=tabs)


def test_quantizers_libjpeg_turbo_wraps_quantize_to_zero_here():
    """libjpeg-turbo divides by 8Q modulo 2**16, so Pillow's data for Q in
    8192..32766 does not follow its DQT; jpeglite quantizes by Q itself:
    every coefficient of 8-bit samples is 0, the decode flat grey."""
    data = jpeglite.encode(RGB, qtables=[[10000] * 64])
    coefs = jpeglite.read_coefficients(data)
    assert all(not c.blocks.any() for c in coefs.components)
    assert int(coefs.qtables[0][0]) == 10000
    with Image.open(io.BytesIO(data)) as im:
        assert (np.asarray(im) == 128).all()


def test_read_coefficients_gives_back_the_tables():
    data = jpeglite.encode(RGB, qtables=[T16, T8B, T8A])
    coefs = jpeglite.read_coefficients(data)
    assert [c.quant_slot for c in coefs.components] == [0, 1, 2]
    for slot, t in enumerate([T16, T8B, T8A]):
        assert coefs.qtables[slot].tolist() == t


def test_analyze_reports_the_file_encode_writes():
    report = jpeglite.analyze(RGB, qtables=[T16, T8B], threads=1)
    assert report.data == jpeglite.encode(RGB, qtables=[T16, T8B])
    assert report.options["quality"] is None and "as given" in report.options["qtables"]
    file_stage = report.stage("file")
    assert ["SOF1", 19] in file_stage.details["segments"]
    report = jpeglite.analyze(GREY, 60, qtables=[T8A], threads=1)
    assert report.data == jpeglite.encode(GREY, 60, qtables=[T8A])
    assert report.stage("quantize").details["quant_tables"][0] == \
        T.scale_quant_table(T8A, 60).tolist()


@pytest.mark.parametrize("qtables, exc, match", [
    ([[0] * 64], ValueError, r"qtables\[0\] values must be in 1\.\.65535"),
    ([T8A, [65536] * 64], ValueError, r"qtables\[1\] values"),
    ([[-1] * 64], ValueError, r"qtables\[0\] values"),
    ([], ValueError, "1..4 tables"),
    ([T8A] * 5, ValueError, "1..4 tables"),
    ([T8A[:63]], ValueError, r"qtables\[0\] must have 64 values"),
    ([T8A + [1]], ValueError, r"qtables\[0\] must have 64 values"),
    (T8A, TypeError, r"qtables\[0\] must be a table of 64 values, not int"),
    (np.array(T8A), ValueError, "for one table"),
    ([np.full(64, 16.0)], TypeError, r"qtables\[0\] must hold integers"),
    ([[16.5] * 64], TypeError, r"qtables\[0\] must hold integers"),
    ([["16"] * 64], TypeError, r"qtables\[0\] must hold integers"),
    ([[True] * 64], TypeError, r"qtables\[0\] must hold integers"),
    ([[1] * 32 + [[1, 2]] * 32], ValueError, r"qtables\[0\]"),
    ({0: T8A, 2: T8B}, ValueError, "slots 0..n-1"),
    ({"0": T8A}, ValueError, "slots 0..n-1"),
    (42, TypeError, "qtables must be"),
    ("1 2 3", ValueError, "64 integers per table"),
    ("16 x " * 32, ValueError, "integers only"),
    ([None], TypeError, r"qtables\[0\] must hold integers"),
])
def test_bad_tables_are_refused_before_anything_is_written(tmp_path, qtables, exc, match):
    with pytest.raises(exc, match=match):
        jpeglite.encode(RGB, qtables=qtables)
    with pytest.raises(exc, match=match):
        jpeglite.analyze(GREY, qtables=qtables)
    out = tmp_path / "x.jpg"
    with pytest.raises(exc, match=match):
        jpeglite.write(out, RGB, qtables=qtables)
    assert not out.exists()


def test_quality_stays_checked_with_tables():
    with pytest.raises(ValueError, match="quality"):
        jpeglite.encode(RGB, 0, qtables=[T8A])
    with pytest.raises(TypeError, match="quality"):
        jpeglite.encode(RGB, 75.0, qtables=[T8A])


def test_cli_qtables_file(tmp_path):
    from jpeglite.cli import main

    Image.fromarray(RGB).save(tmp_path / "in.png")
    (tmp_path / "t.txt").write_text("# two tables\n" + " ".join(map(str, T8A + T8B)) + "\n")
    assert main(["encode", str(tmp_path / "in.png"), str(tmp_path / "a.jpg"),
                 "--qtables", str(tmp_path / "t.txt")]) == 0
    assert (tmp_path / "a.jpg").read_bytes() == pillow_jpeg(RGB, qtables=[T8A, T8B])
    assert main(["encode", str(tmp_path / "in.png"), str(tmp_path / "b.jpg"), "-q", "80",
                 "--qtables", str(tmp_path / "t.txt")]) == 0
    assert (tmp_path / "b.jpg").read_bytes() == pillow_jpeg(RGB, qtables=[T8A, T8B], quality=80)
    (tmp_path / "bad.txt").write_text("0 " * 64)
    assert main(["encode", str(tmp_path / "in.png"), str(tmp_path / "c.jpg"),
                 "--qtables", str(tmp_path / "bad.txt")]) == 1
    assert not (tmp_path / "c.jpg").exists()
