"""Progressive encoding from Coefficients: the bytes of libjpeg-turbo (Pillow's progressive=True)."""
import io

import numpy as np
import pytest
from PIL import Image

import jpeglite
import jpeglite.images
from conftest import KODAK, kodak, load_png, needs_corpus
from jpeglite.coefficients import Coefficients, Component
from jpeglite.progressive import coefficients_from_image, encode_progressive

PIL_SUBSAMPLING = {"4:4:4": 0, "4:2:2": 1, "4:2:0": 2}
LAYOUTS = ["gray", "4:4:4", "4:2:2", "4:2:0"]
# (jpeglite keyword, Pillow keyword) pairs: none, every N MCUs, every N MCU rows
RESTARTS = [({}, {}), ({"restart_interval": 7}, {"restart_marker_blocks": 7}),
            ({"restart_rows": 1}, {"restart_marker_rows": 1})]


def pillow_progressive(image, quality, layout, **kw):
    """Pillow's progressive JPEG of the same image and settings."""
    if layout != "gray":
        kw["subsampling"] = PIL_SUBSAMPLING[layout]
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=quality, progressive=True, **kw)
    return buf.getvalue()


def as_layout(rgb, layout):
    return np.ascontiguousarray(rgb[..., 1]) if layout == "gray" else rgb


def mine(image, quality, layout, **kw):
    c = coefficients_from_image(image, quality, "4:2:0" if layout == "gray" else layout)
    return encode_progressive(c, **kw)


def first_difference(a, b):
    n = min(len(a), len(b))
    diff = np.nonzero(np.frombuffer(a[:n], np.uint8) != np.frombuffer(b[:n], np.uint8))[0]
    return int(diff[0]) if len(diff) else n


def assert_same(a, b):
    assert a == b, f"{len(a)} vs {len(b)} bytes, first difference at byte {first_difference(a, b)}"


@pytest.mark.parametrize("restart", RESTARTS, ids=["norst", "blocks7", "rows1"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("index", [0, 14, 22])
def test_kodak_equals_pillow(index, layout, restart):
    image = as_layout(kodak(index), layout)
    ours, theirs = restart
    assert_same(mine(image, 75, layout, **ours), pillow_progressive(image, 75, layout, **theirs))


@pytest.mark.parametrize("quality", [1, 50, 95, 100])
@pytest.mark.parametrize("shape", [(1, 1), (9, 17), (65, 33), (16, 16), (31, 8)])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_odd_sizes_equal_pillow(shape, layout, quality):
    h, w = shape
    image = as_layout(np.ascontiguousarray(kodak(3)[100:100 + h, 200:200 + w]), layout)
    assert_same(mine(image, quality, layout), pillow_progressive(image, quality, layout))
    assert_same(mine(image, quality, layout, restart_interval=1),
                pillow_progressive(image, quality, layout, restart_marker_blocks=1))


@needs_corpus
def test_every_kodak_420_q75():
    for path in KODAK:
        image = load_png(path)
        assert_same(mine(image, 75, "4:2:0"), pillow_progressive(image, 75, "4:2:0")), path.name


def test_threads_same_bytes():
    c = coefficients_from_image(kodak(1), 80, "4:2:2")
    one = encode_progressive(c, threads=1)
    assert encode_progressive(c, threads=2) == one
    assert encode_progressive(c, threads=4, restart_rows=2) == encode_progressive(c, restart_rows=2)


def test_decodes_to_baseline_pixels():
    """The progressive file and jpeglite's baseline file hold the same coefficients."""
    image = kodak(5)[:200, :300]
    c = coefficients_from_image(image, 90, "4:2:0")
    prog = encode_progressive(c)
    base = jpeglite.encode(image, 90, subsampling="4:2:0")
    np.testing.assert_array_equal(jpeglite.decode(prog), jpeglite.decode(base))
    with Image.open(io.BytesIO(prog)) as im:
        assert im.info.get("progressive") or im.info.get("progression")
        np.testing.assert_array_equal(np.asarray(im), jpeglite.decode(base))


def test_coefficients_from_image_match_baseline():
    image = kodak(2)[:64, :80]
    c = coefficients_from_image(image, 75, "4:2:0")
    assert [comp.blocks.shape for comp in c.components] == [(8, 10, 8, 8), (4, 5, 8, 8),
                                                            (4, 5, 8, 8)]
    assert c.color == "ycbcr" and set(c.qtables) == {0, 1}
    g = coefficients_from_image(np.ascontiguousarray(image[..., 0]), 75)
    assert g.color == "gray" and len(g.components) == 1


def small():
    return coefficients_from_image(kodak(0)[:16, :24], 75, "4:4:4")


def test_bad_arguments():
    c = small()
    with pytest.raises(TypeError, match="Coefficients"):
        encode_progressive(b"not coefficients")
    with pytest.raises(TypeError, match="restart_interval"):
        encode_progressive(c, restart_interval=1.5)
    with pytest.raises(ValueError, match="restart_interval"):
        encode_progressive(c, restart_interval=70000)
    with pytest.raises(ValueError, match="not both"):
        encode_progressive(c, restart_interval=1, restart_rows=1)
    with pytest.raises(ValueError, match="threads"):
        encode_progressive(c, threads=0)
    with pytest.raises(ValueError, match="scan 0"):
        encode_progressive(c, scans=[((0, 1, 2), 0, 63, 0, 0)])


def test_bad_coefficients():
    c = small()
    expect = encode_progressive(c)
    c.components[1].blocks = c.components[1].blocks.astype(np.int32)
    assert encode_progressive(c) == expect          # any integer dtype, as int16
    c.components[1].blocks = c.components[1].blocks.astype(np.float32)
    with pytest.raises(TypeError, match="component 1: blocks must have an integer dtype"):
        encode_progressive(c)
    c = small()
    c.components[2].blocks = c.components[2].blocks[:, :2]
    with pytest.raises(ValueError, match=r"component 2: blocks must have shape \(2, 3, 8, 8\)"):
        encode_progressive(c)
    c = small()
    c.components[0].blocks[1, 2, 3, 4] = -1024
    with pytest.raises(ValueError, match=r"component 0 \(id 1\), block \(1, 2\), frequency "
                                         r"\(3, 4\): AC value -1024"):
        encode_progressive(c)
    c = small()
    c.components[0].blocks[0, 1, 0, 0] = 2048
    with pytest.raises(ValueError, match=r"component 0 \(id 1\), block \(0, 1\), frequency "
                                         r"\(0, 0\): DC value 2048"):
        encode_progressive(c)
    c = small()
    del c.qtables[1]
    with pytest.raises(ValueError, match="component 1: quantization slot 1 is not in"):
        encode_progressive(c)


def test_dc_difference_too_large():
    """Two DC values each in range whose difference needs 12 bits: refused
    before coding, and by the kernel itself."""
    from jpeglite._progressive import ScanCoder

    c = small()
    c.components[0].blocks[0, 0, 0, 0] = 2000
    c.components[0].blocks[0, 1, 0, 0] = -2000
    with pytest.raises(ValueError, match="DC values span -2000..2000"):
        encode_progressive(c)
    coder = ScanCoder([c.components[0].blocks], [(1, 1)], (1, 1), (0, 0, 0, 0))
    with pytest.raises(ValueError, match=r"scan component 0, block 1: DC difference needs more "
                                         "than 11 bits"):
        coder.count()


def test_hand_made_coefficients():
    """Coefficients built by hand (not by the encoder) code and decode back."""
    rng = np.random.default_rng(3)
    blocks = np.zeros((3, 5, 8, 8), np.int16)
    blocks[..., 0, 0] = rng.integers(-60, 60, (3, 5))
    blocks[..., :3, :3] += rng.integers(-20, 20, (3, 5, 3, 3)).astype(np.int16)
    q = np.full(64, 4, np.uint16)
    c = Coefficients(40, 20, [Component(1, 1, 1, 0, blocks)], {0: q}, "gray")
    data = encode_progressive(c)
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (40, 20)
        np.testing.assert_array_equal(np.asarray(im), jpeglite.decode(data))


def test_correction_bits_and_eob_runs_overflow():
    """Refinement scans whose EOB runs hold more than 937 correction bits
    (libjpeg then flushes the run) and runs longer than 0x7FFF blocks: the
    file decodes to the coefficients' pixels (Pillow and jpeglite)."""
    blocks = np.zeros((40, 30, 8, 8), np.int16)
    blocks[:20, :, :, :] = 4                # 63 correction bits per block, nothing new
    blocks[:20, ::7, 7, 7] = -5             # now and then a new coefficient
    blocks[..., 0, 0] = np.arange(1200).reshape(40, 30) % 50 - 25
    q = np.ones(64, np.uint16)
    q[0] = 8
    c = Coefficients(240, 320, [Component(1, 1, 1, 0, blocks)], {0: q}, "gray")
    base = jpeglite.encode_coefficients(c)
    for scans in (None, [((0,), 0, 0, 0, 0), ((0,), 1, 63, 0, 2), ((0,), 1, 63, 2, 1),
                         ((0,), 1, 63, 1, 0)]):
        data = encode_progressive(c, scans=scans)
        np.testing.assert_array_equal(jpeglite.decode(data), jpeglite.decode(base))
        with Image.open(io.BytesIO(data)) as im:
            np.testing.assert_array_equal(np.asarray(im), jpeglite.decode(base))
    flat = np.zeros((200, 200, 8, 8), np.int16)          # 40,000 blocks, no AC at all
    c = Coefficients(1600, 1600, [Component(1, 1, 1, 0, flat)], {0: q}, "gray")
    data = encode_progressive(c)
    with Image.open(io.BytesIO(data)) as im:
        np.testing.assert_array_equal(np.asarray(im), jpeglite.decode(jpeglite.encode_coefficients(c)))


def test_extremes_equal_pillow(monkeypatch):
    """A flat photo of 42,600 blocks (EOB runs reach 0x7FFF) and noise at
    q100 (long runs of correction bits): still Pillow's bytes."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "MAXBLOCK", 1 << 26)    # Pillow's buffer for noise at q100
    flat = np.full((1600, 1700), 97, np.uint8)
    assert_same(mine(flat, 75, "gray"), pillow_progressive(flat, 75, "gray"))
    noise = np.random.default_rng(0).integers(0, 256, (96, 128, 3), dtype=np.uint8)
    for layout in ("4:4:4", "4:2:0"):
        assert_same(mine(noise, 100, layout), pillow_progressive(noise, 100, layout))


# ---- through the public API: encode(progressive=True), encode_coefficients, the CLI ----

def pillow_decode(data):
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))

def _pillow_progressive(img, q, subsampling=None, **kw):
    import io as _io

    from PIL import Image

    buf = _io.BytesIO()
    opts = {"quality": q, "progressive": True, **kw}
    if subsampling is not None:
        opts["subsampling"] = subsampling
    Image.fromarray(img).save(buf, "JPEG", **opts)
    return buf.getvalue()


@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:2", "4:2:0", None])
@pytest.mark.parametrize("restart", [0, 4])
@pytest.mark.parametrize("threads", [1, 2])
def test_encode_progressive_equals_pillow(photo, subsampling, restart, threads):
    photo = np.ascontiguousarray(photo[:200, :304])
    img = photo if subsampling is not None else np.ascontiguousarray(photo[..., 1])
    kw = {"subsampling": subsampling} if subsampling else {}
    data = jpeglite.encode(img, 80, progressive=True, restart_interval=restart,
                           threads=threads, **kw)
    ref = _pillow_progressive(img, 80, subsampling,
                              **({"restart_marker_blocks": restart} if restart else {}))
    assert data == ref


def test_encode_progressive_with_a_script_and_metadata():
    img = jpeglite.images.sample_image()[:120, :200]
    script = [((0, 1, 2), 0, 0, 0, 1), ((0,), 1, 63, 0, 0), ((1,), 1, 63, 0, 0),
              ((2,), 1, 63, 0, 0), ((0, 1, 2), 0, 0, 1, 0)]
    data = jpeglite.encode(img, 85, progressive=True, scans=script, comment="hi")
    assert data.count(b"\xff\xda") == 5
    np.testing.assert_array_equal(jpeglite.decode(data), pillow_decode(data))
    assert jpeglite.read_coefficients(data).comments == [b"hi"]
    # the same coefficients as the baseline file of the same image and quality
    base = jpeglite.read_coefficients(jpeglite.encode(img, 85))
    for a, b in zip(jpeglite.read_coefficients(data).components, base.components):
        np.testing.assert_array_equal(a.blocks, b.blocks)


def test_encode_progressive_arguments():
    img = jpeglite.images.sample_image()[:16, :16]
    with pytest.raises(ValueError, match="progressive=True"):
        jpeglite.encode(img, scans=[((0, 1, 2), 0, 0, 0, 0)])
    with pytest.raises(TypeError, match="progressive"):
        jpeglite.encode(img, progressive="yes")
    with pytest.raises(ValueError, match="scan 0"):
        jpeglite.encode(img, progressive=True, scans=[((0,), 1, 63, 0, 0)])
    c = jpeglite.read_coefficients(jpeglite.encode(img))
    with pytest.raises(ValueError, match="progressive=True"):
        jpeglite.encode_coefficients(c, scans=[((0, 1, 2), 0, 0, 0, 0)])
    data = jpeglite.encode_coefficients(c, progressive=True)
    assert data[:2] == b"\xff\xd8" and b"\xff\xc2" in data
    np.testing.assert_array_equal(jpeglite.decode(data), jpeglite.decode(jpeglite.encode(img)))


def test_cli_encode_progressive(tmp_path):
    import subprocess
    import sys

    img = jpeglite.images.sample_image()[:64, :96]
    src = tmp_path / "in.npy"
    np.save(src, img)
    out = tmp_path / "out.jpg"
    r = subprocess.run([sys.executable, "-m", "jpeglite", "encode", str(src), str(out),
                        "-q", "70", "--progressive"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == jpeglite.encode(img, 70, progressive=True)
