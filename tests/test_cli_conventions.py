"""Command-line conventions (issue 12), each through a real ``python -m jpeglite``
process: ``-`` for stdin/stdout, usage without arguments, a quiet exit on a
closed pipe, --version, --quiet, information on stderr only, one wording per
error, CMYK to RGB for formats without CMYK, a warning for JPEG under a .png name."""
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import jpeglite
from jpeglite.images import sample_image

ENV = {**os.environ, "PYTHONPATH": str(Path(jpeglite.__file__).resolve().parents[1])}


def jl(*argv, stdin=b"", stdout=subprocess.PIPE, cwd=None):
    """Run the command; (exit status, stdout bytes, stderr text)."""
    proc = subprocess.run([sys.executable, "-m", "jpeglite", *map(str, argv)], input=stdin,
                          stdout=stdout, stderr=subprocess.PIPE, env=ENV, cwd=cwd, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr.decode()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    photo = sample_image()[:96, :128]
    Image.fromarray(photo).save(d / "in.png")
    rgba = np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    rgba[:4, :4, 3] = 0
    Image.fromarray(rgba).save(d / "rgba.png")
    Image.fromarray(photo).convert("CMYK").save(d / "cmyk.jpg", quality=90)
    np.save(d / "in.npy", photo)
    return d, photo


def test_no_arguments_prints_the_usage_and_exits_2():
    rc, out, err = jl()
    assert rc == 2 and out == b""
    assert err.startswith("usage: jpeglite") and "--help" in err and "Traceback" not in err


def test_version():
    rc, out, err = jl("--version")
    assert rc == 0 and out.decode().strip() == f"jpeglite {jpeglite.__version__}" and err == ""


def test_dash_is_stdin_and_stdout_for_encode_decode_info_analyze(files):
    d, photo = files
    png = (d / "in.png").read_bytes()
    rc, jpg, err = jl("encode", "-", "-", "-q", "80", stdin=png)
    assert rc == 0 and jpg == jpeglite.encode(photo, 80), err
    assert "<stdout>" in err                                # what was written: on stderr
    rc, out, err = jl("encode", "-", d / "from_npy.jpg", stdin=(d / "in.npy").read_bytes())
    assert rc == 0 and out == b"" and (d / "from_npy.jpg").read_bytes() == jpeglite.encode(photo)
    assert not (d / "-").exists()
    rc, out, err = jl("decode", "-", "-", stdin=jpg)
    assert rc == 0 and out.startswith(b"\x89PNG")
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(out))), jpeglite.decode(jpg))
    rc, out, err = jl("decode", "-", "-", "--format", "npy", stdin=jpg)
    np.testing.assert_array_equal(np.load(io.BytesIO(out)), jpeglite.decode(jpg))
    rc, out, err = jl("info", "-", stdin=jpg)
    assert rc == 0 and b"128x96" in out and b"quality 80" in out
    rc, out, err = jl("analyze", "-", stdin=jpg)
    assert rc == 0 and b"the JPEG file as it is" in out and err == ""
    rc, out, err = jl("analyze", "-", "-q", "60", stdin=png)
    assert rc == 0 and b"quality=60" in out
    rc, out, err = jl("analyze", "-", "--qtables", "-", stdin=png)
    assert rc == 2 and "only one input can be -" in err


def test_closed_pipe_exits_quietly():
    read_end, write_end = os.pipe()
    os.close(read_end)                                  # as `| head` does once it has enough
    try:
        rc, _, err = jl("analyze", "--json", stdout=write_end)
    finally:
        os.close(write_end)
    assert rc == 141 and err == ""


def test_info_on_stderr_results_on_stdout_and_quiet(files, tmp_path):
    d, photo = files
    rc, out, err = jl("encode", d / "rgba.png", tmp_path / "a.jpg")
    assert rc == 0 and out == b""
    lines = err.splitlines()
    assert lines[0].startswith("jpeglite: warning: ") and "alpha channel dropped" in lines[0]
    assert "a.jpg: 128x96" in lines[1]
    for argv in (["--quiet", "encode", d / "rgba.png", tmp_path / "b.jpg"],
                 ["encode", d / "rgba.png", tmp_path / "b.png", "--quiet"]):
        rc, out, err = jl(*argv)
        assert rc == 0 and out == b"" and err == ""
    rc, out, err = jl("decode", tmp_path / "a.jpg", tmp_path / "a.npy", "--quiet")
    assert rc == 0 and out == b"" and err == ""


def test_jpeg_under_a_png_name_warns(files, tmp_path):
    d, photo = files
    rc, out, err = jl("encode", d / "in.png", tmp_path / "x.png")
    assert rc == 0
    assert "jpeglite: warning: " in err and "JPEG data written under a .png name" in err
    assert (tmp_path / "x.png").read_bytes()[:2] == b"\xff\xd8"


def test_the_same_error_in_the_same_words(tmp_path):
    missing = tmp_path / "missing.png"
    runs = [["encode", missing, tmp_path / "o.jpg"], ["decode", missing, tmp_path / "o.png"],
            ["analyze", missing], ["info", missing], ["bench", missing, "--quick"],
            ["analyze", "--qtables", missing]]
    want = f"jpeglite: error: {missing}: No such file or directory\n"
    for argv in runs:
        rc, out, err = jl(*argv)
        assert (rc, out, err) == (1, b"", want), argv
    rc, out, err = jl("decode", tmp_path, tmp_path / "o.png")
    assert (rc, err) == (1, f"jpeglite: error: {tmp_path}: Is a directory\n")


def test_decode_cmyk_to_png_is_rgb_as_pillow_converts(files, tmp_path):
    d, photo = files
    rc, out, err = jl("decode", d / "cmyk.jpg", tmp_path / "c.png")
    assert rc == 0 and "CMYK converted to RGB" in err
    with Image.open(tmp_path / "c.png") as im, Image.open(d / "cmyk.jpg") as ref:
        assert im.mode == "RGB"
        np.testing.assert_array_equal(np.asarray(im), np.asarray(ref.convert("RGB")))
    rc, out, err = jl("decode", d / "cmyk.jpg", tmp_path / "c.npy")
    assert np.load(tmp_path / "c.npy").shape == photo.shape[:2] + (4,)     # numpy keeps CMYK


def test_analyze_says_what_its_seconds_are():
    rc, out, err = jl("analyze")
    assert rc == 0 and b"seconds: the wall time of one run" in out
    rc, out, err = jl("analyze", "--repeat", "3")
    assert rc == 0 and b"seconds: the best of 3 runs per stage" in out


def test_optimize_reads_stdin_and_writes_stdout(files):
    d, photo = files
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, "JPEG", quality=80)
    rc, out, err = jl("optimize", "-", "-", "--baseline", stdin=buf.getvalue())
    assert rc == 0 and out[:2] == b"\xff\xd8" and len(out) < len(buf.getvalue())
    assert "<stdout>" in err
    np.testing.assert_array_equal(jpeglite.decode(out), jpeglite.decode(buf.getvalue()))


def test_decode_at_a_reduced_scale(files, tmp_path):
    d, photo = files
    jpg = jpeglite.encode(photo)
    rc, out, err = jl("decode", "-", "-", "--scale", "1/4", "--format", "npy", stdin=jpg)
    assert rc == 0
    np.testing.assert_array_equal(np.load(io.BytesIO(out)), jpeglite.decode(jpg, scale=1 / 4))
    assert "32x24" in err
    rc, out, err = jl("decode", "-", "-", "--scale", "1/3", stdin=jpg)
    assert rc == 2 and "invalid choice" in err


def test_batch_decode_converts_cmyk_for_png_too(files, tmp_path):
    d, photo = files
    rc, out, err = jl("decode", d / "cmyk.jpg", "-o", tmp_path / "out", "--jobs", "1",
                      "--no-progress")
    assert rc == 0, err
    with Image.open(tmp_path / "out" / "cmyk.png") as im, Image.open(d / "cmyk.jpg") as ref:
        assert im.mode == "RGB"
        np.testing.assert_array_equal(np.asarray(im), np.asarray(ref.convert("RGB")))
