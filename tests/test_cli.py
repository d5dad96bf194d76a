"""The jpeglite command: options, image I/O and error paths (codec functions are Pillow stand-ins).

The tests that need the real encoder, decoder and analyze are in test_cli_codec.py.
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import codec_standins
import jpeglite
from jpeglite import cli
from jpeglite.report import STAGE_NAMES, psnr

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    rc = cli.main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return rc, out, err


def assert_one_line_error(rc, err, *fragments, code=None):
    assert rc != 0
    if code is not None:
        assert rc == code
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("jpeglite: error: "), err
    assert "Traceback" not in err
    for f in fragments:
        assert f in lines[0], (f, err)


@pytest.fixture
def photo():
    y, x = np.mgrid[0:40, 0:56]
    img = np.stack([x * 4, y * 5, (x + y) * 2], axis=-1) % 256
    return img.astype(np.uint8)


@pytest.fixture
def standins(monkeypatch):
    codec_standins.install(monkeypatch)
    return codec_standins.CALLS


# ---- the command line itself --------------------------------------------------

def test_python_m_jpeglite_help():
    env = {"PYTHONPATH": str(Path(jpeglite.__file__).resolve().parents[1]), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "jpeglite", "--help"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for cmd in ("analyze", "encode", "decode", "bench"):
        assert cmd in proc.stdout
    assert proc.stderr == ""


def test_help_and_version(capsys):
    rc, out, _ = run(capsys, "encode", "--help")
    assert rc == 0 and "--quality" in out and "--restart-interval" in out
    rc, out, _ = run(capsys, "--version")
    assert rc == 0 and out.startswith("jpeglite ")


@pytest.mark.parametrize("argv, fragment", [
    (["frobnicate"], "invalid choice"),
    (["encode", "a.png"], "required"),
    (["encode", "a.png", "b.jpg", "-q", "0"], "quality must be an integer from 1 to 100"),
    (["encode", "a.png", "b.jpg", "-q", "101"], "'101'"),
    (["encode", "a.png", "b.jpg", "-q", "high"], "'high'"),
    (["analyze", "-q", "7.5"], "quality"),
    (["analyze", "--subsampling", "4:1:1"], "subsampling must be one of"),
    (["encode", "a.png", "b.jpg", "--subsampling", "420"], "4:2:0"),
    (["encode", "a.png", "b.jpg", "--restart-interval", "-1"], "restart interval"),
    (["encode", "a.png", "b.jpg", "--restart-interval", "65536"], "restart interval"),
    (["bench", "--repeat", "0"], "repeat"),
    (["decode", "a.jpg", "b.png", "--bogus"], "unrecognized arguments"),
])
def test_bad_command_lines_exit_2_with_one_line(capsys, standins, argv, fragment):
    rc, out, err = run(capsys, *argv)
    assert_one_line_error(rc, err, fragment, code=2)
    assert standins == []  # nothing ran


def test_missing_input_file(capsys, standins, tmp_path):
    for argv in (["encode", tmp_path / "missing.png", tmp_path / "o.jpg"],
                 ["decode", tmp_path / "missing.jpg", tmp_path / "o.png"],
                 ["analyze", tmp_path / "missing.npy"],
                 ["bench", tmp_path / "missing.png", "--quick"]):
        rc, out, err = run(capsys, *argv)
        assert_one_line_error(rc, err, "missing.", code=1)
    rc, out, err = run(capsys, "encode", tmp_path, tmp_path / "o.jpg")
    assert_one_line_error(rc, err, "Is a directory", code=1)


# ---- encode / decode --------------------------------------------------------------

def test_encode_decode_roundtrip_npy_png(capsys, standins, tmp_path, photo):
    src = tmp_path / "in.npy"
    np.save(src, photo)
    jpg = tmp_path / "out.jpg"
    rc, out, err = run(capsys, "encode", src, jpg, "-q", "92", "--subsampling", "4:4:4",
                       "--optimize", "--restart-interval", "3")
    assert rc == 0, err
    assert standins[-1] == ("encode", {"quality": 92, "subsampling": "4:4:4", "optimize": True,
                                       "restart_interval": 3})
    data = jpg.read_bytes()
    assert data[:2] == b"\xff\xd8"
    assert f"{len(data):,} bytes" in err and "56x40" in err and out == ""  # info: stderr

    for name in ("back.png", "back.npy", "back.npz"):
        rc, out, err = run(capsys, "decode", jpg, tmp_path / name)
        assert rc == 0, err
    from PIL import Image

    with Image.open(tmp_path / "back.png") as im:
        png = np.asarray(im)
    npy = np.load(tmp_path / "back.npy")
    with np.load(tmp_path / "back.npz") as z:
        npz = z["image"]
    assert np.array_equal(png, npy) and np.array_equal(npy, npz)
    assert png.shape == photo.shape and psnr(photo, png) > 30


def test_encode_reads_png_npz_and_grayscale(capsys, standins, tmp_path, photo):
    from PIL import Image

    Image.fromarray(photo).save(tmp_path / "rgb.png")
    Image.fromarray(photo[..., 0]).save(tmp_path / "gray.png")
    Image.fromarray(np.dstack([photo, np.full(photo.shape[:2], 7, np.uint8)])).save(tmp_path / "rgba.png")
    np.savez(tmp_path / "keyed.npz", image=photo, other=np.zeros(3))
    np.savez(tmp_path / "single.npz", photo[..., 1])
    shapes = {}
    for name in ("rgb.png", "gray.png", "rgba.png", "keyed.npz", "single.npz"):
        rc, out, err = run(capsys, "encode", tmp_path / name, tmp_path / (name + ".jpg"))
        assert rc == 0, (name, err)
        shapes[name] = codec_standins.decode((tmp_path / (name + ".jpg")).read_bytes()).shape
    assert shapes == {"rgb.png": (40, 56, 3), "gray.png": (40, 56), "rgba.png": (40, 56, 3),
                      "keyed.npz": (40, 56, 3), "single.npz": (40, 56)}
    # A JPEG input goes through jpeglite.read.
    rc, out, err = run(capsys, "encode", tmp_path / "rgb.png.jpg", tmp_path / "again.jpg", "-q", "50")
    assert rc == 0, err


def test_ambiguous_npz(capsys, standins, tmp_path, photo):
    np.savez(tmp_path / "two.npz", a=photo, b=photo)
    rc, out, err = run(capsys, "encode", tmp_path / "two.npz", tmp_path / "o.jpg")
    assert_one_line_error(rc, err, "'image'", code=1)


def test_unreadable_image(capsys, standins, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"this is not a PNG\n" * 5)
    rc, out, err = run(capsys, "encode", bad, tmp_path / "o.jpg")
    assert_one_line_error(rc, err, "bad.png", code=1)
    npy = tmp_path / "bad.npy"
    npy.write_bytes(b"\x93NUMPY garbage")
    rc, out, err = run(capsys, "encode", npy, tmp_path / "o.jpg")
    assert_one_line_error(rc, err, code=1)


def test_jpeg_errors_are_one_line_with_the_offset(capsys, standins, tmp_path):
    notjpeg = tmp_path / "x.jpg"
    notjpeg.write_bytes(b"GIF89a....")
    rc, out, err = run(capsys, "decode", notjpeg, tmp_path / "o.png")
    assert_one_line_error(rc, err, "no SOI marker", "offset 0", code=1)


def test_library_type_and_value_errors(capsys, standins, tmp_path):
    np.save(tmp_path / "f.npy", np.zeros((8, 8, 3), np.float32))
    rc, out, err = run(capsys, "encode", tmp_path / "f.npy", tmp_path / "o.jpg")
    assert_one_line_error(rc, err, "uint8", code=1)
    np.save(tmp_path / "four.npy", np.zeros((8, 8, 4), np.uint8))
    rc, out, err = run(capsys, "encode", tmp_path / "four.npy", tmp_path / "o.jpg")
    assert_one_line_error(rc, err, "shape", code=1)


def test_multiline_messages_become_one_line(capsys, monkeypatch, tmp_path, photo):
    def encode(*a, **k):
        raise ValueError("first line\nsecond line")

    codec_standins.install(monkeypatch, encode=encode)
    np.save(tmp_path / "p.npy", photo)
    rc, out, err = run(capsys, "encode", tmp_path / "p.npy", tmp_path / "o.jpg")
    assert_one_line_error(rc, err, "first line second line", code=1)


def test_unexpected_errors_are_one_line_too(capsys, monkeypatch, tmp_path, photo):
    def encode(*a, **k):
        raise KeyError("oops")

    codec_standins.install(monkeypatch, encode=encode)
    np.save(tmp_path / "p.npy", photo)
    rc, out, err = run(capsys, "encode", tmp_path / "p.npy", tmp_path / "o.jpg")
    assert_one_line_error(rc, err, "internal error", "KeyError", code=1)
    monkeypatch.setenv("JPEGLITE_TRACEBACK", "1")
    with pytest.raises(KeyError):
        cli.main(["encode", str(tmp_path / "p.npy"), str(tmp_path / "o.jpg")])


def test_unwritable_and_unknown_outputs(capsys, standins, tmp_path, photo):
    np.save(tmp_path / "p.npy", photo)
    rc, out, err = run(capsys, "encode", tmp_path / "p.npy", tmp_path / "nodir" / "o.jpg")
    assert_one_line_error(rc, err, "nodir", code=1)
    rc, _, _ = run(capsys, "encode", tmp_path / "p.npy", tmp_path / "o.jpg")
    assert rc == 0
    rc, out, err = run(capsys, "decode", tmp_path / "o.jpg", tmp_path / "o.unknownext")
    assert_one_line_error(rc, err, code=1)
    rc, out, err = run(capsys, "decode", tmp_path / "o.jpg", tmp_path / "nosuffix")
    assert_one_line_error(rc, err, "suffix", code=1)


def test_without_pillow_png_names_the_extra(capsys, standins, monkeypatch, tmp_path, photo):
    from PIL import Image

    Image.fromarray(photo).save(tmp_path / "p.png")
    np.save(tmp_path / "p.npy", photo)
    monkeypatch.setitem(sys.modules, "PIL", None)
    rc, out, err = run(capsys, "encode", tmp_path / "p.png", tmp_path / "o.jpg")
    assert_one_line_error(rc, err, 'pip install ".[image]"', code=2)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    rc, out, err = run(capsys, "analyze", tmp_path / "p.png")
    assert_one_line_error(rc, err, 'pip install ".[image]"', code=2)


# ---- analyze ---------------------------------------------------------------------

def test_analyze_sample_prints_the_table(capsys, standins):
    rc, out, err = run(capsys, "analyze")
    assert rc == 0, err
    assert "kodim23" in out
    for name in STAGE_NAMES:
        assert any(line.startswith(name + " ") for line in out.splitlines())
    assert standins[0] == ("analyze", {"quality": 75, "subsampling": "4:2:0", "optimize": False,
                                       "restart_interval": 0})


def test_analyze_json(capsys, standins, tmp_path, photo):
    np.save(tmp_path / "p.npy", photo)
    rc, out, err = run(capsys, "analyze", tmp_path / "p.npy", "--json", "-q", "60",
                       "--subsampling", "4:4:4", "--optimize", "--restart-interval", "2")
    assert rc == 0, err
    d = json.loads(out)
    assert [s["name"] for s in d["stages"]] == list(STAGE_NAMES)
    assert d["width"] == 56 and d["height"] == 40
    assert d["options"] == {"quality": 60, "subsampling": "4:4:4", "optimize": True,
                            "restart_interval": 2}


def test_analyze_without_analyze_in_the_build(capsys, monkeypatch, standins):
    import jpeglite

    monkeypatch.delattr(jpeglite, "analyze", raising=False)
    rc, out, err = run(capsys, "analyze")
    assert_one_line_error(rc, err, "no analyze()", code=1)


def test_analyze_plot_without_matplotlib_fails_first(capsys, monkeypatch, standins, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    rc, out, err = run(capsys, "analyze", "--plot", tmp_path / "bits.png")
    assert_one_line_error(rc, err, 'pip install ".[plot]"', code=2)
    assert standins == []  # analyze never ran
    rc, out, err = run(capsys, "bench", "--quick", "--plot", tmp_path / "rd.png")
    assert_one_line_error(rc, err, 'pip install ".[plot]"', code=2)
    assert standins == []


# ---- bench ----------------------------------------------------------------------

def test_bench_command_on_given_images(capsys, standins, tmp_path, photo):
    np.save(tmp_path / "a.npy", photo)
    np.save(tmp_path / "b.npy", photo[::-1, :, ::-1])
    rc, out, err = run(capsys, "bench", tmp_path / "a.npy", tmp_path / "b.npy", "--quick")
    assert rc == 0, err
    assert "enc MP/s" in out and "BD-rate against Pillow" in out
    assert "2 images (a, b)" in out
    from jpeglite.bench import other_codecs

    # jpeglite, Pillow, and simplejpeg, PyTurboJPEG, Pillow (Image) where they load
    rows = 2 + len(other_codecs()[0])
    assert sum(1 for line in out.splitlines() if line.startswith("a ")) == rows


def test_compare_script_runs(capsys, standins, tmp_path, photo, monkeypatch):
    # bench/compare.py is a thin wrapper over `jpeglite bench`.
    import runpy

    np.save(tmp_path / "a.npy", photo)
    monkeypatch.setattr(sys, "argv", ["compare.py", str(tmp_path / "a.npy"), "--quick"])
    with pytest.raises(SystemExit) as exc:
        runpy.run_path(str(ROOT / "bench" / "compare.py"), run_name="__main__")
    assert exc.value.code == 0
    assert "BD-rate against Pillow" in capsys.readouterr().out


def test_bench_sizes_option(capsys, standins, tmp_path, photo):
    rc, out, err = run(capsys, "bench", "--quick", "--sizes", "64x64,huge")
    assert_one_line_error(rc, err, "unknown size 'huge'", code=2)
    np.save(tmp_path / "a.npy", photo)
    rc, out, err = run(capsys, "bench", tmp_path / "a.npy", "--quick", "--sizes", "64x64")
    assert rc == 0, err
    assert "Size series of a" in out and "x sj" in out
    assert "load average" in out


def test_bench_sizes_match_the_benchmarks():
    # the command names them without importing jpeglite.bench (start-up time)
    from jpeglite import bench, cli

    assert cli._BENCH_SIZES == bench.SIZES
