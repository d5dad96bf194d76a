"""The comparison logic of jpeglite.bench: BD-rate, timing and RD tables (with Pillow stand-ins)."""
import io
import math
import sys
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import codec_standins
from conftest import needs_corpus
from jpeglite import bench
from jpeglite.images import MissingDependency
from jpeglite.report import mse, psnr_from_mse

# A plausible RD curve: PSNR rising with log rate, not exactly a cubic.
PSNR = np.array([27.1, 29.4, 31.0, 32.3, 33.5, 34.6, 35.9, 37.6, 40.2, 42.9])
BPP = np.array([0.28, 0.45, 0.61, 0.76, 0.91, 1.08, 1.30, 1.70, 2.55, 3.60])


# ---- BD-rate --------------------------------------------------------------------

def test_bd_rate_of_a_curve_against_itself_is_zero():
    assert bench.bd_rate(BPP, PSNR, BPP, PSNR) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("scale", [0.9, 1.25, 0.5])
def test_bd_rate_of_scaled_rates(scale):
    # Every rate times `scale` at the same PSNR: the average rate change is exactly that.
    assert bench.bd_rate(BPP, PSNR, BPP * scale, PSNR) == pytest.approx((scale - 1) * 100, abs=0.1)


def test_bd_rate_is_minus_ten_percent_for_rates_times_0_9():
    assert abs(bench.bd_rate(BPP, PSNR, 0.9 * BPP, PSNR) - (-10.0)) < 0.1


def test_bd_rate_sign_follows_psnr_shift():
    # Higher PSNR at the same rates: fewer bits at equal quality, so negative; and vice versa.
    better = bench.bd_rate(BPP, PSNR, BPP, PSNR + 0.5)
    worse = bench.bd_rate(BPP, PSNR, BPP, PSNR - 0.5)
    assert better < -1.0 and worse > 1.0
    # Swapping reference and test inverts the rate factor: (1 + a)(1 + b) = 1 over the same range.
    swapped = bench.bd_rate(BPP, PSNR + 0.5, BPP, PSNR)
    assert (1 + better / 100) * (1 + swapped / 100) == pytest.approx(1.0, abs=1e-9)


def test_bd_rate_ignores_rate_units_and_point_order():
    a = bench.bd_rate(BPP, PSNR, BPP * 0.93, PSNR + 0.1)
    # Bytes instead of bits per pixel: only ratios count.
    assert bench.bd_rate(BPP * 1000, PSNR, BPP * 930, PSNR + 0.1) == pytest.approx(a)
    order = np.arange(len(BPP))[::-1]
    assert bench.bd_rate(BPP[order], PSNR[order], BPP * 0.93, PSNR + 0.1) == pytest.approx(a)


def test_bd_rate_exact_for_a_cubic_curve():
    # When log10(rate) is exactly a cubic in PSNR, the fit is exact and the integral can be
    # done by hand: test = ref + 0.05 (log10) everywhere -> 10**0.05 - 1.
    p = np.linspace(28, 40, 8)
    log_rate = 0.001 * (p - 30) ** 3 - 0.01 * (p - 30) ** 2 + 0.1 * p - 3
    assert bench.bd_rate(10 ** log_rate, p, 10 ** (log_rate + 0.05), p) == pytest.approx(
        (10 ** 0.05 - 1) * 100, abs=1e-6)


def test_bd_rate_over_the_overlap_only():
    # Test curve = reference on [30, 34] and 20 % cheaper above 34; the overlap with a test curve
    # measured only up to 34 must see no difference.
    keep = PSNR <= 34.0
    assert bench.bd_rate(BPP, PSNR, BPP[keep], PSNR[keep]) == pytest.approx(0.0, abs=0.5)


def test_bd_rate_bad_input():
    assert math.isnan(bench.bd_rate([1, 2, 3, 4], [20, 21, 22, 23], [1, 2, 3, 4], [30, 31, 32, 33]))
    with pytest.raises(ValueError):
        bench.bd_rate([1], [30], [1, 2], [30, 31])
    with pytest.raises(ValueError):
        bench.bd_rate([1, 2], [30, 31], [1, 2, 3], [30, 31])
    with pytest.raises(ValueError):
        bench.bd_rate([0, 2], [30, 31], [1, 2], [30, 31])


@given(st.floats(0.3, 3.0), st.floats(-2.0, 2.0))
@settings(max_examples=40, deadline=None)
def test_bd_rate_monotone_in_rate_scale(scale, shift):
    # More bits for the same PSNR can never look better.
    base = bench.bd_rate(BPP, PSNR, BPP, PSNR + shift)
    scaled = bench.bd_rate(BPP, PSNR, BPP * scale, PSNR + shift)
    if math.isnan(base):
        return
    assert (1 + scaled / 100) == pytest.approx((1 + base / 100) * scale, rel=1e-9)


# ---- codecs and timing --------------------------------------------------------

def tiny(seed=0, shape=(24, 40, 3)):
    rng = np.random.default_rng(seed)
    # Smooth gradient plus noise: compresses like a photo, unlike pure noise.
    y, x = np.mgrid[0:shape[0], 0:shape[1]]
    base = (x * 5 + y * 3)[..., None] + np.array([0, 40, 80])[: shape[2] if len(shape) > 2 else 1]
    img = base + rng.integers(-12, 12, size=base.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    return img if len(shape) == 3 else img[..., 0]


def standin(name="jpeglite", log=None):
    def enc(image, **kw):
        if log is not None:
            log.append(("enc", name))
        return codec_standins.encode(image, **kw)

    def dec(data):
        if log is not None:
            log.append(("dec", name, data))
        return codec_standins.decode(data)

    return bench.Codec(name, enc, dec)


def test_measure_speed_interleaves_and_decodes_the_same_bytes():
    log = []
    codecs = [standin("jpeglite", log), standin("Pillow", log)]
    img = tiny()
    rows = bench.measure_speed("tiny", img, codecs, repeat=2, quality=80)
    kinds = [(e[0], e[1]) for e in log]
    # Warm-up (encode both, decode both), then each round: encode both, decode both, in turn.
    round_ = [("enc", "jpeglite"), ("enc", "Pillow"), ("dec", "jpeglite"), ("dec", "Pillow")]
    assert kinds == round_ * 3
    # Every decoder reads the reference (Pillow) file.
    ref_file = codec_standins.encode(img, quality=80)
    assert all(e[2] == ref_file for e in log if e[0] == "dec")
    assert [r.codec for r in rows] == ["jpeglite", "Pillow"]
    for r in rows:
        assert r.megapixels == pytest.approx(24 * 40 / 1e6)
        assert r.size_bytes == len(ref_file)
        assert r.encode_seconds > 0 and r.decode_seconds > 0
        assert r.encode_mps == pytest.approx(r.megapixels / r.encode_seconds)
    assert rows[1].encode_ratio == 1.0 and rows[1].decode_ratio == 1.0
    assert rows[0].encode_ratio == pytest.approx(rows[0].encode_seconds / rows[1].encode_seconds)
    text = bench.format_speed(rows)
    assert "jpeglite" in text and "Pillow" in text and "enc MP/s" in text
    with pytest.raises(ValueError):
        bench.measure_speed("tiny", img, codecs, repeat=0)


def test_measure_speed_without_reference_has_no_ratio():
    rows = bench.measure_speed("tiny", tiny(), [standin("jpeglite")], repeat=1)
    assert math.isnan(rows[0].encode_ratio)
    assert " - " in bench.format_speed(rows) or bench.format_speed(rows).rstrip().endswith("-")


def test_jpeglite_codecs_detect_threads(monkeypatch):
    seen = []

    def enc_t(image, quality=75, *, subsampling="4:2:0", optimize=False, restart_interval=0,
              threads=None):
        seen.append(("encode", threads))
        return codec_standins.encode(image, quality, subsampling=subsampling, optimize=optimize)

    def dec_t(data, *, max_pixels=None, threads=None):
        seen.append(("decode", threads))
        return codec_standins.decode(data)

    codec_standins.install(monkeypatch, encode=enc_t, decode=dec_t)
    codecs = bench.jpeglite_codecs()
    assert [c.name for c in codecs] == ["jpeglite threads=1", "jpeglite threads=default"]
    img = tiny()
    for c in codecs:
        c.decode(c.encode(img, quality=50, subsampling="4:4:4", optimize=True))
    assert seen == [("encode", 1), ("decode", 1), ("encode", None), ("decode", None)]

    codec_standins.install(monkeypatch)  # no threads keyword: one entry, called without it
    codecs = bench.jpeglite_codecs()
    assert [c.name for c in codecs] == ["jpeglite"]
    assert codecs[0].decode(codecs[0].encode(img, quality=50)).shape == img.shape


def test_pillow_codec_roundtrip():
    p = bench.pillow_codec()
    for img in (tiny(), tiny(shape=(17, 9))):
        data = p.encode(img, quality=90, subsampling="4:4:4", optimize=True)
        out = p.decode(data)
        assert out.shape == img.shape and psnr_from_mse(mse(img, out)) > 30
    assert "Pillow" in bench.pillow_description()


# ---- rate-distortion -----------------------------------------------------------

def test_rd_curves_match_direct_measurement():
    images = [("a", tiny(1)), ("b", tiny(2, (16, 24, 3)))]
    qualities = (20, 50, 80, 95)
    configs = [("jpeglite", standin(), False), ("jpeglite optimize", standin(), True)]
    curves = bench.rd_curves(images, configs, qualities)
    assert list(curves) == ["jpeglite", "jpeglite optimize"]
    std, opt = curves["jpeglite"], curves["jpeglite optimize"]
    # Recompute one point by hand.
    bpp, db = [], []
    for _, img in images:
        data = codec_standins.encode(img, quality=50)
        bpp.append(8 * len(data) / (img.shape[0] * img.shape[1]))
        db.append(psnr_from_mse(mse(img, codec_standins.decode(data))))
    assert std.bpp[1] == pytest.approx(np.mean(bpp))
    assert std.psnr[1] == pytest.approx(np.mean(db))
    # Higher quality: more bits and less distortion.
    assert all(np.diff(std.bpp) > 0) and all(np.diff(std.psnr) > 0)
    # Optimized Huffman tables: same pixels, fewer bits.
    assert opt.psnr == pytest.approx(std.psnr)
    assert all(o < s for o, s in zip(opt.bpp, std.bpp))
    text = bench.format_rd({**curves, "Pillow": curves["jpeglite"]})
    assert "BD-rate against Pillow" in text
    bd = {line[:27].strip(): line.split()[-1] for line in text.splitlines()[-3:]}
    assert bd["jpeglite"] == "+0.00%" and bd["Pillow"] == "+0.00%"
    assert float(bd["jpeglite optimize"].rstrip("%")) < 0  # optimized tables save bits
    assert "quality" in text and "PSNR" in text


# ---- the whole run -------------------------------------------------------------

def test_run_with_standins_prints_both_tables():
    out = io.StringIO()
    images = [("a", tiny(3)), ("b", tiny(4, (32, 16)))]
    rc = bench.run(images, quick=True, out=out, codecs=[standin("jpeglite threads=1"),
                                                        standin("jpeglite threads=default")])
    text = out.getvalue()
    assert rc == 0
    assert text.count("jpeglite threads=1") == 2  # once per image in the speed table
    assert "Pillow" in text and "BD-rate against Pillow" in text
    assert "median of 1" in text
    for q in bench.QUICK_QUALITIES:
        assert any(line.split()[:1] == [str(q)] for line in text.splitlines())


def zlib_codec(name="jpeglite"):
    """A lossy codec without Pillow: quantize the samples, then zlib. Enough to run the tables."""
    def enc(image, quality=75, subsampling="4:2:0", optimize=False):
        step = max(1, (100 - quality) // 4)
        q = (image // step) * step + step // 2
        head = np.array(image.shape + (0,) * (3 - image.ndim), np.uint32).tobytes()
        return head + zlib.compress(np.clip(q, 0, 255).astype(np.uint8).tobytes(), 9 if optimize else 1)

    def dec(data):
        shape = tuple(int(v) for v in np.frombuffer(data[:12], np.uint32) if v)
        return np.frombuffer(zlib.decompress(data[12:]), np.uint8).reshape(shape)

    return bench.Codec(name, enc, dec)


def test_run_without_pillow_measures_jpeglite_alone(monkeypatch):
    ours = zlib_codec()
    monkeypatch.setitem(sys.modules, "PIL", None)
    out = io.StringIO()
    rc = bench.run([("a", tiny(5))], quick=True, out=out, codecs=[ours])
    text = out.getvalue()
    assert rc == 0
    assert "Pillow is not installed" in text
    assert "BD-rate" not in text  # nothing to compare against
    assert "jpeglite optimize" in text


def test_run_with_plot_fails_first_without_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    calls = []

    def boom(*a, **k):
        calls.append(1)
        raise AssertionError("measured before checking for matplotlib")

    with pytest.raises(MissingDependency, match=r'pip install "\.\[plot\]"'):
        bench.run([("a", tiny())], quick=True, plot=tmp_path / "rd.png",
                  codecs=[bench.Codec("x", boom, boom)], out=io.StringIO())
    assert calls == []


def test_default_images_fall_back_to_the_sample(monkeypatch):
    monkeypatch.setattr(bench, "find_corpus", lambda: None)
    for images in (bench.default_speed_images(), bench.default_rd_images(quick=True)):
        (name, img), = images
        assert "kodim23" in name and img.shape == (512, 768, 3) and img.dtype == np.uint8


def test_find_corpus_takes_jpeglite_corpus_alone(monkeypatch, tmp_path):
    root = tmp_path / "repo"
    (tmp_path / "shared" / "corpus").mkdir(parents=True)
    monkeypatch.delenv("JPEGLITE_CORPUS", raising=False)
    assert bench.find_corpus(root) == tmp_path / "shared" / "corpus"
    mine = tmp_path / "mine"
    mine.mkdir()
    monkeypatch.setenv("JPEGLITE_CORPUS", str(mine))
    assert bench.find_corpus(root) == mine
    # a wrong path is reported, not replaced by the default beside the repository
    monkeypatch.setenv("JPEGLITE_CORPUS", str(tmp_path / "missing"))
    assert bench.find_corpus(root) is None
    message = bench.no_corpus_message(root)
    assert str(tmp_path / "missing") in message and "JPEGLITE_CORPUS" in message


@needs_corpus
def test_default_images_from_the_corpus():
    corpus = bench.find_corpus()
    assert corpus is not None and (corpus / "kodak").is_dir()
    rd = bench.default_rd_images(quick=True)
    assert [n for n, _ in rd] == ["kodim01", "kodim02"]
    assert all(img.shape in ((512, 768, 3), (768, 512, 3)) for _, img in rd)


def test_measure_speed_passes_the_encode_settings():
    codec_standins.CALLS.clear()
    c = bench.Codec("jpeglite", codec_standins.encode, codec_standins.decode)
    bench.measure_speed("t", tiny(), [c], repeat=2, quality=33, subsampling="4:2:2", optimize=True)
    encodes = [kw for name, kw in codec_standins.CALLS if name == "encode"]
    assert len(encodes) == 3  # warm-up + 2 rounds
    assert all(kw == {"quality": 33, "subsampling": "4:2:2", "optimize": True, "restart_interval": 0}
               for kw in encodes)


# ---- the codecs beside Pillow, medians, the size series ---------------------------

def test_measure_speed_loops_calls_and_takes_medians():
    log = []
    codecs = [standin("jpeglite", log), standin("Pillow", log)]
    rows = bench.measure_speed("tiny", tiny(), codecs, repeat=3, calls=4)
    # warm-up (one encode and decode each), then 3 rounds of 4 calls per codec and direction
    assert len(log) == 4 + 3 * 4 * 4
    assert all(r.encode_seconds > 0 for r in rows)


def test_measure_speed_leaves_out_a_codec_without_the_settings():
    def no_optimize(image, optimize=False, **kw):
        if optimize:
            raise NotImplementedError("standard tables only")
        return codec_standins.encode(image, **kw)

    other = bench.Codec("other", no_optimize, codec_standins.decode)
    rows = bench.measure_speed("t", tiny(), [standin("Pillow"), other], repeat=1, optimize=True)
    assert [r.codec for r in rows] == ["Pillow"]
    rows = bench.measure_speed("t", tiny(), [standin("Pillow"), other], repeat=1)
    assert [r.codec for r in rows] == ["Pillow", "other"]


def test_measure_decode_times_one_file():
    data = codec_standins.encode(tiny(), quality=70)
    rows = bench.measure_decode("p", data, [standin("jpeglite"), standin("Pillow")], repeat=2,
                                calls=2)
    assert [r.codec for r in rows] == ["jpeglite", "Pillow"]
    assert all(math.isnan(r.encode_seconds) and r.decode_seconds > 0 for r in rows)
    assert rows[1].decode_ratio == 1.0 and rows[0].size_bytes == len(data)
    assert rows[0].megapixels == pytest.approx(24 * 40 / 1e6)
    assert "p " in bench.format_speed(rows) and " - " in bench.format_speed(rows)


def test_size_series_cuts_crops_and_a_mosaic():
    photo = tiny(shape=(1200, 1100, 3))
    series = dict(bench.size_series(photo))
    assert list(series) == ["64x64", "256x256", "12MP (1100x1200)", "48MP (2200x2400)"]
    assert series["64x64"].shape == (64, 64, 3)
    assert np.array_equal(series["64x64"], photo[1000:1064, 1000:1064])
    # a photo smaller than the crop's corner: the crop ends at its edge
    assert np.array_equal(series["256x256"], photo[944:1200, 844:1100])
    mosaic = series["48MP (2200x2400)"]
    assert np.array_equal(mosaic[1200:, 1100:], photo) and mosaic.flags.c_contiguous


def test_format_series_ratios_against_simplejpeg_and_pillow():
    rows = [bench.SpeedRow("64x64", name, 0.004, 100, enc, dec)
            for name, enc, dec in (("jpeglite", 30e-6, 20e-6), ("Pillow", 60e-6, 40e-6),
                                   (bench.SIMPLEJPEG, 15e-6, 10e-6))]
    text = bench.format_series(rows)
    line = next(x for x in text.splitlines() if x.startswith("64x64") and "jpeglite" in x)
    assert line.split()[2:] == ["30.0", "20.0", "133.3", "200.0", "2.00", "2.00", "0.50", "0.50"]
    alone = bench.format_series(rows[:1])
    assert alone.splitlines()[-1].split()[-4:] == ["-"] * 4


def test_other_codecs_and_load_note():
    codecs, notes = bench.other_codecs()
    names = [c.name for c in codecs]
    assert "Pillow (Image)" in names
    for name in ("simplejpeg", "PyTurboJPEG"):
        assert name in names or any(name in n for n in notes)
    note = bench.load_note()
    assert note.startswith("load average")


@pytest.mark.parametrize("name", ["simplejpeg", "PyTurboJPEG", "Pillow (Image)"])
def test_other_codecs_round_trip(name):
    c = {c.name: c for c in bench.other_codecs()[0]}.get(name)
    if c is None:
        pytest.skip(f"{name} does not load here")
    img = tiny(shape=(40, 56, 3))
    for sub in ("4:4:4", "4:2:0"):
        data = c.encode(img, quality=90, subsampling=sub)
        out = np.asarray(c.decode(data))
        assert out.shape == img.shape and psnr_from_mse(mse(img, out)) > 30
    if name != "Pillow (Image)":
        with pytest.raises(NotImplementedError):
            c.encode(img, optimize=True)
