"""tune="psnr": rate-distortion optimized encoding that stays standard JPEG.

Interop (Pillow decodes every tuned file to jpeglite's pixels), the trellis
against a brute-force search of its own cost model, rate-distortion against
the default encoder (assertions that fail if the tuning stops paying), a
monotone quality knob, tune=None unchanged, and argument errors.
"""
import io
import itertools

import numpy as np
import pytest

import jpeglite
from jpeglite import _quant, tune
from jpeglite.tables import ZIGZAG

from conftest import kodak

PIL = pytest.importorskip("PIL.Image")


def pillow_decode(data):
    with PIL.open(io.BytesIO(data)) as im:
        return np.asarray(im)


def psnr(a, b):
    err = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255.0 ** 2 / err)


def test_tune_none_is_the_default_encoder(photo):
    img = np.ascontiguousarray(photo[:200, :296])
    for kw in ({}, {"optimize": True}, {"subsampling": "4:4:4"}):
        assert jpeglite.encode(img, 75, tune=None, **kw) == jpeglite.encode(img, 75, **kw)
    # and that is still Pillow's file, byte for byte
    buf = io.BytesIO()
    PIL.fromarray(img).save(buf, "JPEG", quality=75)
    assert jpeglite.encode(img, 75, tune=None) == buf.getvalue()


@pytest.mark.parametrize("subsampling", ["4:2:0", "4:2:2", "4:4:4"])
@pytest.mark.parametrize("quality", [5, 40, 75, 95, 100])
def test_pillow_decodes_tuned_files_to_jpeglites_pixels(photo, subsampling, quality):
    for h, w in ((200, 296), (37, 61), (1, 9)):
        img = np.ascontiguousarray(photo[100:100 + h, 50:50 + w])
        data = jpeglite.encode(img, quality, subsampling=subsampling, tune="psnr")
        assert np.array_equal(pillow_decode(data), jpeglite.decode(data))


def test_grayscale_and_restart_markers(photo):
    gray = np.ascontiguousarray(photo[:123, :77, 1])
    data = jpeglite.encode(gray, 60, tune="psnr")
    assert np.array_equal(pillow_decode(data), jpeglite.decode(data))
    data = jpeglite.encode(photo[:99, :131], 60, tune="psnr", restart_interval=3)
    assert np.array_equal(pillow_decode(data), jpeglite.decode(data))


def test_same_bytes_for_every_thread_count(photo):
    ref = jpeglite.encode(photo, 70, tune="psnr", threads=1)
    for threads in (2, 3):
        assert jpeglite.encode(photo, 70, tune="psnr", threads=threads) == ref


def test_analyze_reports_the_tuned_file(photo):
    img = np.ascontiguousarray(photo[:160, :240])
    report = jpeglite.analyze(img, 70, tune="psnr")
    data = jpeglite.encode(img, 70, tune="psnr")
    assert report.data == data
    assert report.options["tune"] == "psnr" and report.options["quality"] == 70
    assert report.psnr == pytest.approx(psnr(img, jpeglite.decode(data)))
    assert report.stages[-1].bits == 8 * len(data)
    levers = report.levers
    assert [r["lever"] for r in levers] == ["tune off", "+ optimized Huffman", "+ tuned tables",
                                            "+ trellis (AC, DC)", "+ progressive scans"]
    assert levers[0]["bits"] == 8 * len(jpeglite.encode(img, 70))
    assert levers[1]["bits"] < levers[0]["bits"] and levers[1]["psnr"] == levers[0]["psnr"]
    assert levers[-1]["bits"] == 8 * len(data) and levers[-1]["psnr"] == report.psnr
    assert levers[3]["bits"] < levers[2]["bits"]         # the trellis spends fewer bits
    assert levers[4]["psnr"] == levers[3]["psnr"]        # scans are lossless
    for a, b in zip(levers, levers[1:]):
        assert b["bits_change"] == pytest.approx((b["bits"] - a["bits"]) / a["bits"])
    text = str(report)
    assert "+ trellis (AC, DC)" in text and "tune off" in text
    assert report.to_dict()["levers"] == levers


def test_the_smaller_of_progressive_and_baseline(photo):
    from jpeglite.staged import encode_stages
    baseline = encode_stages(photo, 60, tune="psnr").data
    data = jpeglite.encode(photo, 60, tune="psnr")
    assert len(data) <= len(baseline)
    assert np.array_equal(jpeglite.decode(data), jpeglite.decode(baseline))
    # restart markers keep the baseline file
    restarted = jpeglite.encode(photo, 60, tune="psnr", restart_interval=4)
    assert b"\xff\xc0" in restarted and b"\xff\xdd" in restarted and b"\xff\xc2" not in restarted


def _largest_quality_within(img, nbytes):
    """The tuned file of the highest quality whose size is at most nbytes (bisection: size rises with quality)."""
    lo, hi, best = 1, 100, None
    while lo <= hi:
        q = (lo + hi) // 2
        data = jpeglite.encode(img, q, tune="psnr")
        if len(data) <= nbytes:
            best, lo = data, q + 1
        else:
            hi = q - 1
    return best


@pytest.mark.parametrize("index", [0, 6, 12, 18])
def test_higher_psnr_at_equal_or_fewer_bits(index):
    img = kodak(index)
    for quality in (40, 75, 90):
        plain = jpeglite.encode(img, quality)
        tuned = _largest_quality_within(img, len(plain))
        assert tuned is not None and len(tuned) <= len(plain)
        gain = psnr(img, pillow_decode(tuned)) - psnr(img, pillow_decode(plain))
        # the tuning is worth ~1.5-3 dB at equal rate on photos; 0.8 dB leaves room, not slack
        assert gain > 0.8, (quality, gain)


def test_quality_is_monotone(photo):
    sizes, quality_db = [], []
    for q in (5, 20, 40, 60, 75, 90, 97, 100):
        data = jpeglite.encode(photo, q, tune="psnr")
        sizes.append(len(data))
        quality_db.append(psnr(photo, jpeglite.decode(data)))
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)
    assert all(b > a for a, b in zip(quality_db, quality_db[1:])), quality_db


def test_tables_follow_quality_and_error_weights():
    h, v = [2, 1, 1], [2, 1, 1]
    t75 = tune.psnr_qtables(75, h, v)
    assert set(t75) == {0, 1, 2}
    assert all(len(set(t[1:].tolist())) == 1 for t in t75.values())      # flat AC
    assert int(t75[0][1]) == 12 and t75[0][0] < t75[0][1]
    assert t75[1][1] < t75[2][1] < t75[0][1]        # Cb weighs most in RGB error, then Cr
    steps = [int(tune.psnr_qtables(q, h, v)[0][1]) for q in range(1, 101)]
    assert all(b <= a for a, b in zip(steps, steps[1:])) and steps[-1] == 1
    assert all(1 <= s <= 255 for s in steps)


@pytest.mark.parametrize("bad", ["PSNR", "ssim", "", 1, True, ("psnr",)])
def test_bad_tune_is_a_value_error_naming_the_choices(photo, bad):
    for fn in (jpeglite.encode, jpeglite.analyze):
        with pytest.raises(ValueError, match="tune must be one of None, 'psnr'"):
            fn(photo[:16, :16], 75, tune=bad)


def test_analyze_of_bytes_refuses_tune(photo):
    data = jpeglite.encode(photo[:16, :16], 75)
    with pytest.raises(TypeError, match="tune"):
        jpeglite.analyze(data, tune="psnr")


# ---- the trellis kernel against brute force --------------------------------

def _ac_cost(values, step, x, lengths, lam):
    """Squared error + lam x bits of one block's AC values (zigzag positions 1..63)."""
    d = 0.0
    bits = 0
    run = 0
    for i in range(1, 64):
        k = ZIGZAG[i]
        m = int(values[k])
        d += (x[k] / 8.0 - m * step[k]) ** 2
        if m == 0:
            run += 1
            continue
        size = abs(m).bit_length()
        bits += (run // 16) * lengths[0xF0]
        bits += lengths[((run % 16) << 4) | size] + size
        run = 0
    if run:
        bits += lengths[0x00]
    return d + lam * bits


def _candidates(x, q):
    """Magnitudes the trellis may pick: 0, the rounded one, the largest of each smaller size."""
    r = int(abs(x) / 8.0 / q + 0.5)
    out = {0}
    if r:
        out.add(r)
        out.update((1 << s) - 1 for s in range(1, r.bit_length()))
    return sorted(out)


def test_trellis_is_the_exact_minimum_of_its_cost_model():
    rng = np.random.default_rng(7)
    step = np.full(64, 6.0)
    step[::5] = 9.0
    for trial in range(40):
        lengths = rng.integers(2, 13, 256)
        lam = float(rng.choice([0.5, 5.0, 30.0, 200.0]))
        x = np.zeros(64, np.int32)
        # few eligible positions (brute force is exponential), some far apart for ZRL runs
        positions = rng.choice(np.arange(1, 64), size=rng.integers(1, 5), replace=False)
        for i in positions:
            x[ZIGZAG[i]] = int(rng.normal(0, 8 * step[ZIGZAG[i]] * 4))
        x[0] = int(rng.integers(-800, 800))
        out = _quant.trellis_quantize(x[None], step, lengths, lam)[0]
        got = _ac_cost(out, step, x, lengths, lam)
        best = np.inf
        ks = [ZIGZAG[i] for i in range(1, 64) if x[ZIGZAG[i]]]
        for mags in itertools.product(*[_candidates(x[k], step[k]) for k in ks]):
            v = np.zeros(64, np.int64)
            for k, m in zip(ks, mags):
                v[k] = m if x[k] > 0 else -m
            best = min(best, _ac_cost(v, step, x, lengths, lam))
        assert got == pytest.approx(best, rel=1e-9, abs=1e-9), trial
        # the DC is rounded as the plain quantizer rounds it
        plain = _quant.quantize_blocks(x[None], step.astype(np.int64))[0]
        assert out[0] == plain[0] or step[0] != int(step[0])


def test_trellis_without_lambda_is_plain_rounding():
    rng = np.random.default_rng(3)
    x = rng.integers(-3000, 3000, (50, 64)).astype(np.int32)
    steps = rng.integers(1, 40, 64)
    # (off the exact halves, where zero and one cost the same error and either is right)
    x[np.abs(x) % (8 * steps) == 4 * steps] += 1
    lengths = np.full(256, 8)
    out = _quant.trellis_quantize(x, steps, lengths, 0.0)
    assert np.array_equal(out, _quant.quantize_blocks(x, steps))


def test_subsampling_when_not_given(photo):
    img = np.ascontiguousarray(photo[:64, :96])
    # no tune: libjpeg's 4:2:0 at every quality
    for q in (50, 95):
        assert jpeglite.encode(img, q) == jpeglite.encode(img, q, subsampling="4:2:0")
    # tune="psnr": 4:2:0 below FULL_CHROMA_QUALITY, 4:4:4 from it
    hi, lo = tune.FULL_CHROMA_QUALITY, tune.FULL_CHROMA_QUALITY - 1
    assert jpeglite.encode(img, lo, tune="psnr") == jpeglite.encode(
        img, lo, tune="psnr", subsampling="4:2:0")
    assert jpeglite.encode(img, hi, tune="psnr") == jpeglite.encode(
        img, hi, tune="psnr", subsampling="4:4:4")
    # a caller's choice stands
    assert jpeglite.encode(img, 95, tune="psnr", subsampling="4:2:0") != jpeglite.encode(
        img, 95, tune="psnr")


def test_cli_tune(tmp_path, photo):
    from jpeglite import cli
    src = tmp_path / "in.npy"
    np.save(src, np.ascontiguousarray(photo[:48, :80]))
    out = tmp_path / "out.jpg"
    assert cli.main(["encode", str(src), str(out), "-q", "60", "--tune", "psnr"]) == 0
    assert out.read_bytes() == jpeglite.encode(np.load(src), 60, tune="psnr")
    assert cli.main(["encode", str(src), str(out), "--tune", "ssim"]) == 2


def _dc_chain_cost(values, x, step, lengths, lam):
    d = float(np.sum((x / 8.0 - np.asarray(values, np.float64) * step) ** 2))
    bits, prev = 0, 0
    for m in values:
        cat = abs(int(m) - prev).bit_length()
        bits += lengths[cat] + cat
        prev = int(m)
    return d + lam * bits


def test_dc_trellis_is_the_exact_minimum_of_its_cost_model():
    rng = np.random.default_rng(11)
    for trial in range(30):
        step = float(rng.integers(1, 30))
        x = rng.integers(-8000, 8000, int(rng.integers(1, 5))).astype(np.int32)
        lengths = rng.integers(2, 10, 12)
        lam = float(rng.choice([0.0, 1.0, 20.0, 500.0]))
        got = _quant.dc_trellis(x, step, lengths, lam)
        rounded = [int(np.sign(v) * np.floor(abs(v) / 8.0 / step + 0.5)) for v in x]
        best = min(_dc_chain_cost(c, x, step, lengths, lam)
                   for c in itertools.product(*[range(r - 2, r + 3) for r in rounded]))
        assert _dc_chain_cost(got, x, step, lengths, lam) == pytest.approx(best, abs=1e-9), trial


def test_coding_order_is_the_interleaved_scan_order():
    # 4:2:0, 3 x 2 MCUs; luma 6 x 4 blocks but only 5 x 3 hold data
    order = tune.coding_order([(3, 5), (2, 3), (2, 3)], [2, 1, 1], [2, 1, 1], 3, 2)
    assert order[0][:6].tolist() == [0, 1, 5, 6, 2, 3]
    assert sorted(order[0].tolist()) == list(range(15))
    assert order[1].tolist() == list(range(6))


def test_tune_with_progressive(photo):
    img = np.ascontiguousarray(photo[:120, :200])
    baseline = jpeglite.decode(jpeglite.encode(img, 60, tune="psnr", restart_interval=0))
    searched = jpeglite.encode(img, 60, tune="psnr", progressive=True)
    assert b"\xff\xc2" in searched
    assert np.array_equal(jpeglite.decode(searched), baseline)
    assert np.array_equal(pillow_decode(searched), baseline)
    from jpeglite.scans import default_script
    given = jpeglite.encode(img, 60, tune="psnr", progressive=True, scans=default_script(3))
    assert np.array_equal(jpeglite.decode(given), baseline) and given != searched
    report = jpeglite.analyze(img, 60, tune="psnr")
    assert report.data == jpeglite.encode(img, 60, tune="psnr")


def test_tune_keeps_metadata_and_takes_custom_tables(photo):
    img = np.ascontiguousarray(photo[:80, :120])
    data = jpeglite.encode(img, 50, tune="psnr", icc_profile=b"\0" * 300, comment="tuned")
    with PIL.open(io.BytesIO(data)) as im:
        assert im.info.get("icc_profile") == b"\0" * 300
        assert im.info.get("comment") == b"tuned"
    for kw in ({"qtables": [[3] * 64, [5] * 64]}, {"qtables": [[300] * 64], "quality": None}):
        q = kw.pop("quality", 50)
        data = jpeglite.encode(img, q, tune="psnr", **kw)
        assert np.array_equal(pillow_decode(data), jpeglite.decode(data))
        tables = jpeglite.read_coefficients(data).qtables
        # (quality 50 scales a caller's tables by 100%; None writes them as given)
        assert {int(t[5]) for t in tables.values()} == ({300} if q is None else {3, 5})


def test_batch_encode_with_tune(tmp_path, photo):
    from jpeglite import dataset
    img = np.ascontiguousarray(photo[:64, :96])
    PIL.fromarray(img).save(tmp_path / "a.png")
    dataset.encode([str(tmp_path / "a.png")], tmp_path / "out", jobs=1, quality=60, tune="psnr",
                   subsampling=None)
    assert (tmp_path / "out" / "a.jpg").read_bytes() == jpeglite.encode(img, 60, tune="psnr")


def test_tune_refuses_shared_tables(photo):
    from jpeglite import dataset
    img = np.ascontiguousarray(photo[:32, :32])
    shared = dataset.fit_tables([img])
    with pytest.raises(ValueError, match="tune cannot be given with tables"):
        jpeglite.encode(img, tables=shared, tune="psnr")


def test_tune_with_arithmetic_coding(photo):
    img = np.ascontiguousarray(photo[:96, :128])
    data = jpeglite.encode(img, 60, tune="psnr", arithmetic=True)
    assert b"\xff\xc9" in data          # SOF9
    assert np.array_equal(jpeglite.decode(data), jpeglite.decode(jpeglite.encode(img, 60, tune="psnr")))
    assert np.array_equal(pillow_decode(data), jpeglite.decode(data))
