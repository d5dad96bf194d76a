"""analyze(bytes): the report of an existing JPEG file, as it is, exact to the bit.

For every corpus file jpeglite decodes: the parts add up to the file, the segments tile
it, the data bits split into symbols, padding, stuffing and markers, the tables' costs
sit between their entropy bound and what they are, the coefficient statistics are those
of read_coefficients. The lossless headroom of a Pillow file equals, to the bit, what
libjpeg-turbo's own optimize=True saves on the same image. Bit counts are cross-checked
against the pure-Python walk (jpeg_walker.py) in test_scan_stats.py.
"""
import io
import json

import numpy as np
import pytest

import jpeglite
from jpeglite.report import FILE_STAGE_NAMES

import jpeg_walker
from conftest import JPEGS, NO_CORPUS, corpus_params, kodak


def decodable(paths):
    out = []
    for p in paths:
        data = p.read_bytes()
        try:
            jpeglite.decode(data)
        except jpeglite.JPEGError:
            continue
        if "arithmetic" in jpeglite.analyze(data).options["process"]:
            continue        # reported otherwise: test_analyze_arith.py
        out.append(p)
    return out


CORPUS_FILES = decodable(JPEGS)


@pytest.fixture(scope="module", params=corpus_params(CORPUS_FILES),
                ids=[p.name for p in CORPUS_FILES] or None)
def report(request):
    data = request.param.read_bytes()
    return data, jpeglite.analyze(data)


def test_the_corpus_is_there():
    if not JPEGS:
        pytest.skip(NO_CORPUS)
    assert len(CORPUS_FILES) >= 40


def test_parts_add_up_to_the_file_exactly(report):
    data, r = report
    assert r.kind == "file"
    assert tuple(s.name for s in r.stages) == FILE_STAGE_NAMES
    assert r.model_bits + r.header_bits + r.data_bits + r.metadata_bits == 8 * len(data)
    assert r.stage("file").bits == 8 * len(data)
    assert r.data == data and r.mse is None and r.psnr is None


def test_segments_tile_the_file_in_order(report):
    data, r = report
    segs = r.stage("file").details["segments"]
    pos = 0
    for sg in segs:
        assert sg["offset"] == pos and sg["bytes"] > 0
        pos += sg["bytes"]
    assert pos == len(data)
    for part in ("model", "header", "data", "metadata"):
        assert 8 * sum(sg["bytes"] for sg in segs if sg["part"] == part) == getattr(
            r, f"{part}_bits")
    # each marker segment starts with its marker
    for sg in segs:
        if sg["part"] in ("model", "header") or sg["name"].startswith(("APP", "COM")):
            assert data[sg["offset"]] == 0xFF


def test_model_and_metadata_segments_against_an_independent_parse(report):
    data, r = report
    segs = jpeg_walker.segments(data)
    scan_end = r.stage("file").details["segments"]
    # DQT and DHT segments: the model, found by a parser that shares nothing with jfif.py
    model = [(m, off, n) for m, off, n in segs if m in (0xDB, 0xC4)]
    last_sos = max(sg["offset"] for sg in scan_end if sg["name"] == "SOS")
    if all(off < last_sos for _, off, _ in model):   # the simple parser stops at EOI
        assert 8 * sum(n for _, _, n in model) == r.model_bits
    names = {sg["offset"]: sg for sg in scan_end}
    for m, off, n in segs:
        if off in names and (0xE1 <= m <= 0xEF and m != 0xEE or m == 0xFE):
            assert names[off]["part"] == "metadata" and names[off]["bytes"] == n


def test_data_bits_split_into_symbols_padding_stuffing_and_markers(report):
    _, r = report
    f = r.stage("file").details
    assert r.data_bits == (f["symbol_bits"] - f["missing_bits"] + f["padding_bits"]
                           + 8 * (f["stuffed_bytes"] + f["fill_bytes"] + 2 * f["restart_markers"]
                                  + 2 * f["restart_markers_outside_scans"]))
    h = r.stage("huffman").details
    assert f["symbol_bits"] == r.stage("huffman").bits
    assert h["code_bits"] + h["amplitude_bits"] + h["eobrun_bits"] + h["correction_bits"] \
        == r.stage("huffman").bits
    per_scan = sum(sc["symbol_bits"] for sc in h["scans"])
    assert per_scan == r.stage("huffman").bits
    assert sum(sc["data_bytes"] for sc in h["scans"]) * 8 + 16 * f[
        "restart_markers_outside_scans"] == r.data_bits


def test_per_component_totals_are_the_sums_of_the_scans(report):
    _, r = report
    h = r.stage("huffman").details
    for name, tot in h["components"].items():
        for field, value in tot.items():
            assert value == sum(sc["components"][name][field]
                                for sc in h["scans"] if name in sc["components"])


def test_tables_cost_between_their_entropy_bound_and_what_they_are(report):
    _, r = report
    h = r.stage("huffman").details
    for name, t in h["tables"].items():
        # no prefix code beats the entropy of its symbols (Kraft), neither the file's
        # table nor T.81 K.2's; K.2's is within a bit per symbol of it. (K.2 is not
        # always the best table: it reserves the all-ones code and folds lengths
        # over 16 greedily, and one corpus file's table beats it by a bit.)
        assert t["entropy_bits"] <= t["code_bits"] + 1e-6
        assert t["entropy_bits"] <= t["optimal_code_bits"] + 1e-6
        assert t["optimal_code_bits"] <= t["entropy_bits"] + t["symbols"]
        assert t["longest_code"] <= 16
    assert sum(t["code_bits"] for t in h["tables"].values()) == h["code_bits"]
    rle = r.stage("rle")
    assert rle.bits <= r.stage("huffman").bits + 1e-6


def test_coefficient_statistics_are_those_of_read_coefficients(report):
    data, r = report
    coefs = jpeglite.read_coefficients(data)
    q = r.stage("quantize").details["components"]
    assert len(q) == len(coefs.components)
    for stats, comp in zip(q.values(), coefs.components):
        b = comp.blocks.reshape(-1, 64)
        assert stats["blocks"] == b.shape[0]
        assert stats["nonzero"] == int(np.count_nonzero(b))
        assert stats["nonzero_dc"] == int(np.count_nonzero(b[:, 0]))
        assert (stats["min"], stats["max"]) == (int(b.min()), int(b.max()))
    assert r.stage("quantize").bits == pytest.approx(sum(s["bits"] for s in q.values()))


def test_renderings(report):
    data, r = report
    text = str(r)
    assert text.startswith("JPEG file as it is (not re-encoded)")
    assert f"{len(data):,} bytes" in text
    d = r.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["kind"] == "file" and d["metadata_bits"] == r.metadata_bits


def test_headroom_is_exactly_what_libjpeg_turbos_optimize_saves():
    """Pillow writes the same coefficients with optimize=True, only with optimal tables
    (libjpeg-turbo's jpeg_gen_optimal_table): the saving the file report predicts for the
    plain file is the difference between the two files, to the bit."""
    from PIL import Image

    img = kodak(22)[:301, :437]
    for opts in (dict(quality=75), dict(quality=90, subsampling=0),
                 dict(quality=50, restart_marker_blocks=7),
                 dict(quality=60, subsampling=1)):
        plain, best = io.BytesIO(), io.BytesIO()
        Image.fromarray(img).save(plain, "JPEG", **opts)
        Image.fromarray(img).save(best, "JPEG", optimize=True, **opts)
        plain, best = plain.getvalue(), best.getvalue()
        hr = jpeglite.analyze(plain).stage("file").details["lossless_headroom"]
        assert hr["exact"]
        assert hr["bits"] == 8 * (len(plain) - len(best)), opts
        assert jpeglite.analyze(best).stage("file").details["lossless_headroom"]["bits"] == 0


def test_kodak_q75_report_has_what_a_reader_needs():
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(kodak(22)).save(buf, "JPEG", quality=75)
    data = buf.getvalue()
    r = jpeglite.analyze(data)
    names = [sg["name"] for sg in r.stage("file").details["segments"]]
    assert names[:2] == ["SOI", "APP0 JFIF"] and names[-1] == "EOI"
    assert names.count("DHT") == 4 and names.count("DQT") == 2 and "scan 1 data" in names
    h = r.stage("huffman").details
    assert set(h["tables"]) == {"DC0", "DC1", "AC0", "AC1"}
    assert h["tables"]["AC1"]["components"] == ["Cb", "Cr"]
    assert r.options["process"] == "baseline (SOF0)" and r.options["color"] == "ycbcr"
    assert r.options["sampling_factors"] == {"Y": [2, 2], "Cb": [1, 1], "Cr": [1, 1]}


def test_progressive_scans_name_their_band_and_approximation():
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(kodak(3)[:128, :160]).save(buf, "JPEG", progressive=True)
    r = jpeglite.analyze(buf.getvalue())
    scans = r.stage("huffman").details["scans"]
    assert [s["kind"] for s in scans][:2] == ["DC first", "AC first"]
    assert {s["kind"] for s in scans} == {"DC first", "DC refine", "AC first", "AC refine"}
    for s in scans:
        if s["kind"].startswith("AC"):
            assert 1 <= s["Ss"] <= s["Se"] <= 63 and len(s["components"]) == 1
        if s["kind"].endswith("refine"):
            assert s["Ah"] == s["Al"] + 1
            assert sum(c["correction_bits"] for c in s["components"].values()) > 0
    assert sum(c["eobrun"] for c in r.stage("huffman").details["components"].values()) > 0
    assert r.stage("file").details["lossless_headroom"]["exact"] is False


def test_metadata_is_named_and_kept_apart():
    from PIL import Image

    img = np.zeros((16, 16, 3), np.uint8)
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "a test"
    Image.fromarray(img).save(buf, "JPEG", exif=exif.tobytes(), icc_profile=b"\0" * 70000,
                              comment=b"hello")
    data = buf.getvalue() + b"trailing bytes"
    r = jpeglite.analyze(data)
    segs = r.stage("file").details["segments"]
    meta = [sg["name"] for sg in segs if sg["part"] == "metadata"]
    assert "APP1 Exif" in meta and "COM" in meta and meta[-1] == "bytes after EOI"
    assert "APP2 ICC_PROFILE 1/2" in meta and "APP2 ICC_PROFILE 2/2" in meta
    assert r.metadata_bits > 8 * 70000
    assert [sg["part"] for sg in segs if sg["name"] == "APP0 JFIF"] == ["header"]


def without_seconds(obj):
    if isinstance(obj, dict):
        return {k: without_seconds(v) for k, v in obj.items() if "seconds" not in k}
    if isinstance(obj, list):
        return [without_seconds(v) for v in obj]
    return obj


def test_arguments():
    data = jpeglite.encode(np.zeros((24, 19, 3), np.uint8), 75)
    base = without_seconds(jpeglite.analyze(data).to_dict())
    for form in (bytearray(data), memoryview(data)):
        assert without_seconds(jpeglite.analyze(form).to_dict()) == base
    with pytest.raises(TypeError, match="quality"):
        jpeglite.analyze(data, 90)
    with pytest.raises(TypeError, match="subsampling"):
        jpeglite.analyze(data, subsampling="4:4:4")
    with pytest.raises(jpeglite.JPEGError, match="max_pixels") as info:
        jpeglite.analyze(data, max_pixels=24 * 19 - 1)
    assert info.value.offset is not None
    with pytest.raises(ValueError):
        jpeglite.analyze(data, threads=0)
    assert jpeglite.analyze(np.zeros((24, 19, 3), np.uint8)).kind == "encode"
    with pytest.raises(jpeglite.JPEGError, match="SOI"):
        jpeglite.analyze(b"not a jpeg")


def test_readme_file_report_is_current(tmp_path):
    """The file report pasted in the README is what `jpeglite analyze kodim23.jpg` prints
    today for Pillow's quality-75 file of the bundled sample (bits, not seconds)."""
    from pathlib import Path

    from PIL import Image
    from jpeglite.images import sample_image

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    pasted = readme.split("$ jpeglite analyze kodim23.jpg\n", 1)[1].split("```", 1)[0]
    Image.fromarray(sample_image()).save(tmp_path / "kodim23.jpg", quality=75)
    r = jpeglite.analyze((tmp_path / "kodim23.jpg").read_bytes())
    text = str(r)
    # every line but the command's own title line (which names the path)
    assert pasted.splitlines()[1:] == text.splitlines()
    assert "949 bytes" in pasted
    progressive = readme.split("$ jpeglite analyze kodim23p.jpg", 1)[1].split("```", 1)[0]
    Image.fromarray(sample_image()).save(tmp_path / "p.jpg", quality=75, progressive=True)
    text = str(jpeglite.analyze((tmp_path / "p.jpg").read_bytes()))
    for line in progressive.splitlines()[1:]:
        assert line in text.splitlines()


def test_headroom_includes_what_optimize_saves_once_optimize_exists():
    if not hasattr(jpeglite, "optimize"):
        pytest.skip("this build has no jpeglite.optimize yet (issue 9 item 6)")
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(kodak(22)[:200, :300]).save(buf, "JPEG", quality=75)
    data = buf.getvalue()
    hr = jpeglite.analyze(data).stage("file").details["lossless_headroom"]
    assert hr["optimize_bits"] == 8 * (len(data) - len(jpeglite.optimize(data)))
    assert hr["optimize_bits"] >= 0


def test_a_tail_cut_off_after_a_single_scan_is_reported_as_decode_reads_it():
    """decode ignores a cut-off segment after the one scan of a sequential file (as
    libjpeg does); so do read_coefficients and analyze, which count the tail apart."""
    data = jpeglite.encode(kodak(22)[:64, :80], 75)
    cut = data[:-2] + b"\xff\xc4\x01\x00"          # a DHT whose length runs past the end
    jpeglite.decode(cut)
    jpeglite.read_coefficients(cut)
    r = jpeglite.analyze(cut)
    last = r.stage("file").details["segments"][-1]
    assert last["name"].startswith("bytes after the scan, no EOI") and last["bytes"] == 4
    assert r.data_bits == jpeglite.analyze(data).data_bits
