"""The jpeglite command and the benchmark with the REAL codec (encode, decode, analyze).

Not collected until the codec is merged: tests/conftest.py lists this file in
``collect_ignore``; the lead deletes that line after merging the encoder,
decoder and analyze. No stand-ins here.
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import jpeglite
from jpeglite import bench, cli
from jpeglite.images import sample_image
from jpeglite.report import STAGE_NAMES, Report, psnr

from conftest import JPEGS, kodak



def run(capsys, *argv):
    rc = cli.main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return rc, out, err


def test_public_names():
    assert jpeglite.Report is Report
    assert jpeglite.Stage is jpeglite.report.Stage


def test_analyze_sample_table(capsys):
    rc, out, err = run(capsys, "analyze")
    assert rc == 0, err
    rows = [line.split()[0] for line in out.splitlines()[2:] if line.split()]
    assert [r for r in rows if r in STAGE_NAMES][:8] == list(STAGE_NAMES)
    assert "L(P)" in out and "L(D|P)" in out and "PSNR" in out


@pytest.mark.parametrize("opts", [
    [],
    ["-q", "90", "--subsampling", "4:4:4", "--optimize"],
    ["-q", "30", "--restart-interval", "5"],
])
def test_analyze_json_matches_encode(capsys, tmp_path, opts):
    img = kodak(2)
    Image.fromarray(img).save(tmp_path / "k.png")
    rc, out, err = run(capsys, "analyze", tmp_path / "k.png", "--json", *opts)
    assert rc == 0, err
    d = json.loads(out)
    assert [s["name"] for s in d["stages"]] == list(STAGE_NAMES)
    assert d["model_bits"] + d["header_bits"] + d["data_bits"] == d["file_bits"]
    args = cli.build_parser().parse_args(["encode", "x", "y", *opts])
    data = jpeglite.encode(img, **cli._encode_options(args))
    assert d["size_bytes"] == len(data)
    assert d["psnr"] == pytest.approx(psnr(img, jpeglite.decode(data)))


def test_encode_decode_png_roundtrip(capsys, tmp_path):
    img = kodak(0)
    Image.fromarray(img).save(tmp_path / "in.png")
    rc, out, err = run(capsys, "encode", tmp_path / "in.png", tmp_path / "out.jpg", "-q", "85",
                       "--subsampling", "4:2:2", "--optimize", "--restart-interval", "7")
    assert rc == 0, err
    data = (tmp_path / "out.jpg").read_bytes()
    assert data == jpeglite.encode(img, 85, subsampling="4:2:2", optimize=True, restart_interval=7)
    with Image.open(tmp_path / "out.jpg") as im:  # another decoder reads it
        assert psnr(img, np.asarray(im)) > 30
    rc, out, err = run(capsys, "decode", tmp_path / "out.jpg", tmp_path / "back.png")
    assert rc == 0, err
    with Image.open(tmp_path / "back.png") as im:
        assert np.array_equal(np.asarray(im), jpeglite.decode(data))


def test_encode_arithmetic(capsys, tmp_path):
    img = kodak(0)
    Image.fromarray(img).save(tmp_path / "in.png")
    rc, out, err = run(capsys, "encode", tmp_path / "in.png", tmp_path / "out.jpg",
                       "--arithmetic", "--restart-interval", "3")
    assert rc == 0, err
    data = (tmp_path / "out.jpg").read_bytes()
    assert data == jpeglite.encode(img, 75, arithmetic=True, restart_interval=3)
    assert b"\xff\xc9" in data


def test_decode_foreign_jpeg(capsys, tmp_path):
    src = next((p for p in JPEGS if p.name == "pillow_hopper.jpg"), None)
    if src is None:   # no corpus: a file libjpeg-turbo (through Pillow) wrote
        src = tmp_path / "foreign.jpg"
        Image.fromarray(kodak(0)[:96, :128]).save(src, quality=80, subsampling=1)
    rc, out, err = run(capsys, "decode", src, tmp_path / "h.npy")
    assert rc == 0, err
    assert np.array_equal(np.load(tmp_path / "h.npy"), jpeglite.read(str(src)))


def test_truncated_jpeg_is_one_line(capsys, tmp_path):
    data = jpeglite.encode(kodak(1))
    (tmp_path / "cut.jpg").write_bytes(data[:200])
    rc, out, err = run(capsys, "decode", tmp_path / "cut.jpg", tmp_path / "o.png")
    assert rc == 1
    assert err.count("\n") == 1 and err.startswith("jpeglite: error: ") and "Traceback" not in err


def test_bench_quick_with_the_real_codec(capsys, tmp_path):
    np.save(tmp_path / "a.npy", kodak(3)[:128, :192])
    rc, out, err = run(capsys, "bench", tmp_path / "a.npy", "--quick")
    assert rc == 0, err
    names = [c.name for c in bench.jpeglite_codecs()]
    for n in names:
        assert n in out
    assert "BD-rate against Pillow" in out


def test_python_m_jpeglite_analyze_json():
    # the jpeglite this test imported (installed, or built in place under src/)
    env = {"PYTHONPATH": str(Path(jpeglite.__file__).resolve().parents[1]), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "jpeglite", "analyze", "--json", "-q", "50"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [s["name"] for s in json.loads(proc.stdout)["stages"]] == list(STAGE_NAMES)


# ---- analyze of a JPEG file: the file as it is, or --reencode -------------------------

@pytest.fixture
def pillow_q75(tmp_path):
    path = tmp_path / "photo.jpeg"
    Image.fromarray(sample_image()[:200, :300]).save(path, quality=75)
    return path


def test_analyze_a_jpeg_file_reports_the_file_as_it_is(capsys, pillow_q75):
    rc, out, err = run(capsys, "analyze", pillow_q75)
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{pillow_q75}: the JPEG file as it is (report of its own bytes, not re-encoded)"
    size = pillow_q75.stat().st_size
    assert f"{size:,} bytes" in lines[1]
    assert f"{8 * size:,}" in out and "APP0 JFIF" in out and "lossless headroom" in out
    rc, out, err = run(capsys, "analyze", pillow_q75, "--json")
    assert rc == 0, err
    d = json.loads(out)
    assert d["kind"] == "file" and d["size_bytes"] == size
    assert d["model_bits"] + d["header_bits"] + d["data_bits"] + d["metadata_bits"] == 8 * size


def test_analyze_reencode_gives_the_encode_report_and_says_so(capsys, pillow_q75):
    rc, out, err = run(capsys, "analyze", pillow_q75, "--reencode", "-q", "75")
    assert rc == 0, err
    first = out.splitlines()[0]
    assert "encoded by jpeglite" in first and "not the file as it is" in first
    rc, out, err = run(capsys, "analyze", pillow_q75, "--reencode", "--json", "-q", "60")
    d = json.loads(out)
    assert d["kind"] == "encode" and d["options"]["quality"] == 60
    assert d["size_bytes"] == len(jpeglite.encode(jpeglite.read(str(pillow_q75)), 60))


def test_analyze_a_jpeg_file_with_encode_options_asks_for_reencode(capsys, pillow_q75):
    rc, out, err = run(capsys, "analyze", pillow_q75, "-q", "75")
    assert rc == 2 and out == ""
    assert err.startswith("jpeglite: error: --quality would re-encode") and "--reencode" in err
    assert len(err.strip().splitlines()) == 1


def test_analyze_a_corrupt_jpeg_is_a_one_line_error(capsys, tmp_path):
    path = tmp_path / "bad.jpg"
    path.write_bytes(b"\xff\xd8\xff\xdb\x00")
    rc, out, err = run(capsys, "analyze", path)
    assert rc == 1 and err.startswith("jpeglite: error: truncated") and "offset" in err
