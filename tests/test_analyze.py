"""The accounting suite: analyze() explains every bit of the file encode() writes.

Every figure of the report is checked against a second computation kept here:
the file's own bytes (markers parsed from scratch), a numpy run-length symbol
counter, Huffman code lengths read from the DHT segments of the file, numpy
per-frequency entropies, and the PSNR of jpeglite's decode of the bytes.
"""
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jpeglite
from jpeglite.report import STAGE_NAMES, Report, Stage, psnr
from jpeglite.staged import encode_stages
from jpeglite.tables import ZIGZAG

import jpeg_walker
from conftest import kodak, kodak_name

SAMPLING = {"4:4:4": [(1, 1)] * 3, "4:2:2": [(2, 1), (1, 1), (1, 1)],
            "4:2:0": [(2, 2), (1, 1), (1, 1)]}

# (photo index, quality, options): standard and optimized tables, every subsampling,
# grayscale, restart intervals, low and high quality.
CASES = [
    (22, 75, {}),
    (0, 90, {"subsampling": "4:4:4", "optimize": True}),
    (2, 30, {"subsampling": "4:2:2", "restart_interval": 5}),
    (6, 60, {"optimize": True, "restart_interval": 17}),
    (14, 85, {"gray": True}),
    (19, 50, {"gray": True, "optimize": True, "restart_interval": 3}),
    # odd sizes: partial MCUs, dummy blocks at the right and bottom edges
    (11, 70, {"crop": (301, 437), "restart_interval": 7}),
    (16, 95, {"crop": (203, 121), "subsampling": "4:2:2", "optimize": True}),
    (4, 40, {"crop": (77, 93), "gray": True, "restart_interval": 2}),
]


def photo(index, gray=False, crop=None):
    img = kodak(index)
    if crop:
        img = img[:crop[0], :crop[1]]
    if gray:   # a luma-like plane; any uint8 (H, W) array is a valid grayscale image
        img = np.ascontiguousarray(img[..., 1])
    return img


def case_id(case):
    idx, q, kw = case
    return f"{kodak_name(idx)}-q{q}-" + "-".join(f"{k}={v}" for k, v in kw.items())


@pytest.fixture(scope="module", params=CASES, ids=case_id)
def analyzed(request):
    idx, q, kw = request.param
    kw = dict(kw)
    img = photo(idx, kw.pop("gray", False), kw.pop("crop", None))
    return img, q, kw, jpeglite.analyze(img, q, **kw)


# ---- second implementations ------------------------------------------------

def parse_segments(data):
    """[(marker byte, offset, total bytes incl. marker)] up to SOS, then the scan, then EOI.

    Written from T.81 B.1 independently of jfif.py: every segment before the
    scan has a 2-byte length; the scan runs until the first marker that is not
    a stuffed 0xFF00 or an RSTn.
    """
    assert data[:2] == b"\xff\xd8"
    segs, pos = [(0xD8, 0, 2)], 2
    while True:
        assert data[pos] == 0xFF
        m = data[pos + 1]
        n = 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        segs.append((m, pos, n))
        pos += n
        if m == 0xDA:
            break
    end = pos
    while not (data[end] == 0xFF and data[end + 1] not in (0x00, *range(0xD0, 0xD8))):
        end += 1
    segs.append(("scan", pos, end - pos))
    assert data[end:] == b"\xff\xd9"
    segs.append((0xD9, end, 2))
    return segs


def code_lengths(data):
    """{(class, id): int[256] code length per symbol} from the file's DHT segments (T.81 C)."""
    out = {}
    for m, pos, n in parse_segments(data):
        if m != 0xC4:
            continue
        p, end = pos + 4, pos + n
        while p < end:
            tc, th = data[p] >> 4, data[p] & 15
            bits = list(data[p + 1:p + 17])
            lengths = np.zeros(256, np.int64)
            vals = data[p + 17:p + 17 + sum(bits)]
            k = 0
            for length, count in enumerate(bits, 1):
                for _ in range(count):
                    lengths[vals[k]] = length
                    k += 1
            out[(tc, th)] = lengths
            p += 17 + sum(bits)
    return out


def scan_selectors(data):
    """Per scan component, its (DC table, AC table) from the SOS segment."""
    m, pos, n = [s for s in parse_segments(data) if s[0] == 0xDA][0]
    ns = data[pos + 4]
    return [(data[pos + 6 + 2 * i] >> 4, data[pos + 6 + 2 * i] & 15) for i in range(ns)]


def bit_length(x):
    x = np.abs(np.asarray(x, np.int64))
    return np.where(x == 0, 0, np.frexp(x.astype(np.float64))[1]).astype(np.int64)


def reference_counts(quantized, sampling, width, height, restart_interval):
    """(components, 2, 256) run-length symbol counts of a baseline scan, in numpy.

    Blocks go in MCU order; blocks beyond the data (dummy blocks of partial
    MCUs) repeat the previous DC and have no AC, as libjpeg codes them; the
    DC prediction restarts at every restart interval.
    """
    ncomp = len(quantized)
    if ncomp == 1:
        sampling = [(1, 1)]
    maxh = max(h for h, v in sampling)
    maxv = max(v for h, v in sampling)
    if ncomp == 1:
        mx_n, my_n = quantized[0].shape[1], quantized[0].shape[0]
    else:
        mx_n, my_n = -(-width // (8 * maxh)), -(-height // (8 * maxv))
    out = np.zeros((ncomp, 2, 256), np.int64)
    for c, (q, (h, v)) in enumerate(zip(quantized, sampling)):
        hb, wb = q.shape[:2]
        my, mx, y, x = np.meshgrid(np.arange(my_n), np.arange(mx_n), np.arange(v), np.arange(h),
                                   indexing="ij")
        by, bx = (my * v + y).ravel(), (mx * h + x).ravel()
        mcu = (my * mx_n + mx).ravel()
        real = (by < hb) & (bx < wb)
        dc = np.where(real, q[np.minimum(by, hb - 1), np.minimum(bx, wb - 1), 0], 0)
        # dummy blocks: forward-fill the previous block's DC
        last_real = np.maximum.accumulate(np.where(real, np.arange(real.size), -1))
        dc = dc[last_real]
        start = np.zeros(real.size, bool)
        start[0] = True
        if restart_interval:
            first_block = np.r_[True, mcu[1:] != mcu[:-1]]
            start |= first_block & (mcu % restart_interval == 0)
        pred = np.where(start, 0, np.r_[0, dc[:-1]])
        out[c, 0] += np.bincount(bit_length(dc - pred), minlength=256)
        # AC of the real blocks (dummy blocks are all EOB)
        ac = q.reshape(-1, 64)[:, ZIGZAG][:, 1:].astype(np.int64)
        blk, pos = np.nonzero(ac)
        prev = np.r_[-1, pos[:-1]]
        prev[np.r_[True, blk[1:] != blk[:-1]]] = -1
        run = pos - prev - 1
        sym = (run % 16) << 4 | bit_length(ac[blk, pos])
        out[c, 1] += np.bincount(sym, minlength=256)
        out[c, 1, 0xF0] += int((run // 16).sum())
        out[c, 1, 0x00] += int((ac[:, 62] == 0).sum()) + int((~real).sum())
    return out


def entropy_reference(blocks):
    """sum over frequencies of sum(-n log2(n/N)) with np.unique, per component."""
    b = np.asarray(blocks, np.int64).reshape(-1, 64)
    total = 0.0
    for k in range(64):
        _, n = np.unique(b[:, k], return_counts=True)
        total += float((n * np.log2(n.sum() / n)).sum())
    return total


def read_scan_symbols(data):
    """Walk the scan bit by bit (T.81 F.2.2) and total what it spends, per component.

    Returns ({component index: {"dc_code", "dc_amplitude", "ac_code",
    "ac_amplitude"}}, padding bits, padding all ones?), from the pure-Python
    walker in jpeg_walker.py, which shares nothing with the encoder or decoder.
    """
    (scan,) = jpeg_walker.walk(data)
    out = {c: {"dc_code": t["dc_code_bits"], "dc_amplitude": t["dc_amplitude_bits"],
               "ac_code": t["ac_code_bits"], "ac_amplitude": t["ac_amplitude_bits"]}
           for c, t in scan["tally"].items()}
    assert max(scan["padding"]) < 8
    return out, sum(scan["padding"]), scan["padding_ones"]


# ---- the report against the file ------------------------------------------

def test_stage_names_in_order(analyzed):
    *_, r = analyzed
    assert isinstance(r, Report) and all(isinstance(s, Stage) for s in r.stages)
    assert tuple(s.name for s in r.stages) == STAGE_NAMES


def test_bytes_are_encodes(analyzed):
    img, q, kw, r = analyzed
    assert r.data == jpeglite.encode(img, q, **kw)
    assert r.stage("file").bits == 8 * len(r.data) == r.file_bits


def test_parts_add_up_to_the_file_exactly(analyzed):
    *_, r = analyzed
    assert r.model_bits + r.header_bits + r.data_bits == 8 * len(r.data)
    # and each part is what the file's own markers say
    segs = parse_segments(r.data)
    model = sum(n for m, _, n in segs if m in (0xDB, 0xC4))
    scan = sum(n for m, _, n in segs if m == "scan")
    assert r.model_bits == 8 * model
    assert r.data_bits == 8 * scan
    assert r.header_bits == 8 * (len(r.data) - model - scan)
    names = {0xD8: "SOI", 0xE0: "APP0", 0xDB: "DQT", 0xC0: "SOF0", 0xC4: "DHT", 0xDD: "DRI",
             0xDA: "SOS", 0xD9: "EOI"}
    assert r.stage("file").details["segments"] == [[names[m], n] for m, _, n in segs
                                                   if m != "scan"]


def test_data_bits_split_into_symbols_padding_stuffing_markers(analyzed):
    img, q, kw, r = analyzed
    d = r.stage("file").details
    m, pos, n = [s for s in parse_segments(r.data) if s[0] == "scan"][0]
    scan = np.frombuffer(r.data[pos:pos + n], np.uint8)
    ff = np.flatnonzero(scan[:-1] == 0xFF)
    stuffed = int((scan[ff + 1] == 0).sum())
    rst = int(((scan[ff + 1] >= 0xD0) & (scan[ff + 1] <= 0xD7)).sum())
    assert d["stuffed_bytes"] == stuffed and d["restart_markers"] == rst
    ri = kw.get("restart_interval", 0)
    H, W = img.shape[:2]
    if img.ndim == 2:
        mcus = -(-H // 8) * -(-W // 8)
    else:
        mh, mv = SAMPLING[kw.get("subsampling", "4:2:0")][0]
        mcus = -(-H // (8 * mv)) * -(-W // (8 * mh))
    assert rst == ((mcus - 1) // ri if ri else 0)
    assert d["symbol_bits"] == r.stage("huffman").bits
    assert (d["symbol_bits"] + d["padding_bits"] + 8 * stuffed + 16 * rst == r.data_bits)
    assert 0 <= d["padding_bits"] <= 7 * (rst + 1)


def test_bits_descend_through_the_pipeline(analyzed):
    *_, r = analyzed
    b = {s.name: s.bits for s in r.stages}
    assert b["raw"] == b["color"] == 8 * r.width * r.height * r.components
    assert b["raw"] >= b["subsample"] >= b["dct"] >= b["quantize"]
    # a prefix code cannot beat the empirical entropy of its own symbols
    assert b["rle"] <= b["huffman"] + 1e-6
    assert b["huffman"] <= r.data_bits <= b["file"]


def test_subsample_counts_the_image_samples(analyzed):
    img, q, kw, r = analyzed
    H, W = img.shape[:2]
    if img.ndim == 2:
        expect = H * W
    else:
        sf = SAMPLING[kw.get("subsampling", "4:2:0")]
        mh, mv = max(h for h, v in sf), max(v for h, v in sf)
        expect = sum(-(-W * h // mh) * -(-H * v // mv) for h, v in sf)
    assert r.stage("subsample").bits == 8 * expect


def test_dct_and_quantize_are_the_per_frequency_entropies(analyzed):
    img, q, kw, r = analyzed
    st_ = encode_stages(img, q, **kw)
    names = ["Y", "Cb", "Cr"][:r.components]
    for stage, blocks_of in (("dct", lambda c: np.sign(c) * ((np.abs(c) + 4) // 8)),
                             ("quantize", lambda c: c)):
        arrays = st_.coefficients if stage == "dct" else st_.quantized
        det = r.stage(stage).details["components"]
        total = 0.0
        for name, a in zip(names, arrays):
            ref = entropy_reference(blocks_of(a.astype(np.int64)))
            assert det[name]["bits"] == pytest.approx(ref, rel=1e-9, abs=1e-6)
            nz = blocks_of(a.astype(np.int64)).reshape(-1, 64) != 0
            assert det[name]["nonzero"] == int(nz.sum())
            assert det[name]["nonzero_dc"] == int(nz[:, 0].sum())
            assert det[name]["blocks"] == nz.shape[0]
            total += ref
        assert r.stage(stage).bits == pytest.approx(total, rel=1e-9)


def test_rle_and_huffman_against_a_numpy_recount_and_the_files_tables(analyzed):
    img, q, kw, r = analyzed
    st_ = encode_stages(img, q, **kw)
    H, W = img.shape[:2]
    counts = reference_counts(st_.quantized, SAMPLING[kw.get("subsampling", "4:2:0")], W, H,
                              kw.get("restart_interval", 0))
    lengths = code_lengths(r.data)
    sel = scan_selectors(r.data)
    names = ["Y", "Cb", "Cr"][:r.components]
    amp = np.arange(256) & 15
    huff = r.stage("huffman").details["components"]
    rle = r.stage("rle").details["components"]
    total = 0
    for c, name in enumerate(names):
        dc, ac = counts[c]
        dc_code, ac_code = int(dc @ lengths[(0, sel[c][0])]), int(ac @ lengths[(1, sel[c][1])])
        assert (dc > 0).sum() and (lengths[(0, sel[c][0])][dc > 0] > 0).all()  # all codable
        assert huff[name]["dc_code"] == dc_code and huff[name]["ac_code"] == ac_code
        assert huff[name]["dc_amplitude"] == int(dc @ amp)
        assert huff[name]["ac_amplitude"] == int(ac @ amp)
        assert rle[name]["eob"] == ac[0] and rle[name]["zrl"] == ac[0xF0]
        assert rle[name]["dc_symbols"] == dc.sum() == rle[name]["blocks"]
        total += dc_code + ac_code + int(dc @ amp) + int(ac @ amp)
    assert r.stage("huffman").bits == total
    # rle: ideal code length per Huffman table (components sharing a table pool their counts)
    ideal = 0.0
    for key in lengths:
        users = [c for c in range(len(names)) if sel[c][key[0]] == key[1]]
        n = counts[users, key[0]].sum(axis=0)
        n = n[n > 0].astype(np.float64)
        ideal += float((n * np.log2(n.sum() / n)).sum())
    ideal += int((counts * amp).sum())
    assert r.stage("rle").bits == pytest.approx(ideal, rel=1e-9)


@pytest.mark.parametrize("size, q, kw", [
    ((29, 43), 75, {}),
    ((40, 56), 95, {"subsampling": "4:2:2", "optimize": True, "restart_interval": 2}),
    ((17, 70), 50, {"subsampling": "4:4:4", "restart_interval": 5}),
    ((33, 27), 80, {"gray": True, "optimize": True, "restart_interval": 3}),
])
def test_huffman_and_padding_bits_by_walking_the_scan(size, q, kw):
    kw = dict(kw)
    img = photo(8, kw.pop("gray", False), size)
    r = jpeglite.analyze(img, q, **kw)
    walked, padding, ones = read_scan_symbols(r.data)
    names = ["Y", "Cb", "Cr"][:r.components]
    det = r.stage("huffman").details["components"]
    for c, name in enumerate(names):
        assert {k: det[name][k] for k in walked[c]} == walked[c]
    assert r.stage("file").details["padding_bits"] == padding and ones


def test_psnr_is_the_decoded_files(analyzed):
    img, q, kw, r = analyzed
    decoded = jpeglite.decode(r.data)
    assert r.psnr == pytest.approx(psnr(img, decoded), rel=1e-12)
    assert r.mse == pytest.approx(np.mean((img.astype(float) - decoded) ** 2), rel=1e-12)
    assert 20 < r.psnr < 60


def test_seconds_and_renderings(analyzed):
    img, q, kw, r = analyzed
    assert all(s.seconds >= 0 for s in r.stages)
    assert all(s.details.get("measure_seconds", 0) >= 0 for s in r.stages)
    text = str(r)
    for name in STAGE_NAMES:
        assert name in text
    d = json.loads(json.dumps(r.to_dict()))
    assert [s["name"] for s in d["stages"]] == list(STAGE_NAMES)
    assert d["size_bytes"] == len(r.data) and d["options"]["quality"] == q


# ---- laws over many inputs -------------------------------------------------

def test_optimize_never_costs_data_bits_and_moves_nothing_before_rle():
    img = photo(3)
    std, opt = jpeglite.analyze(img, 80), jpeglite.analyze(img, 80, optimize=True)
    for name in ("raw", "color", "subsample", "dct", "quantize", "rle"):
        assert std.stage(name).bits == opt.stage(name).bits
    assert opt.stage("rle").bits <= opt.stage("huffman").bits < std.stage("huffman").bits
    assert opt.psnr == std.psnr


def test_quality_100_quantizes_by_one():
    # Every table entry is 1 at quality 100, and rounding FDCT output by 8 is exactly
    # quantization by 1: the two entropy stages measure the same coefficients.
    r = jpeglite.analyze(photo(7)[:96, :160], 100, subsampling="4:4:4")
    assert r.stage("dct").bits == r.stage("quantize").bits
    assert r.stage("dct").details["components"] == r.stage("quantize").details["components"]


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 48), st.integers(1, 48), st.booleans(), st.sampled_from(list(SAMPLING)),
       st.integers(1, 100), st.booleans(), st.integers(0, 4), st.integers(0, 2 ** 32 - 1))
def test_accounting_laws_hold_for_any_image(h, w, gray, ss, q, opt, ri, seed):
    img = np.random.default_rng(seed).integers(0, 256, (h, w) if gray else (h, w, 3),
                                               dtype=np.uint8)
    kw = dict(subsampling=ss, optimize=opt, restart_interval=ri)
    r = jpeglite.analyze(img, q, **kw)
    assert r.data == jpeglite.encode(img, q, **kw)
    assert r.model_bits + r.header_bits + r.data_bits == 8 * len(r.data)
    assert r.stage("rle").bits <= r.stage("huffman").bits + 1e-6
    assert r.stage("huffman").bits <= r.data_bits
    assert r.stage("subsample").bits <= r.stage("raw").bits
    assert r.psnr == psnr(img, jpeglite.decode(r.data))


def test_staged_driver_without_the_zigzag_arrays_writes_the_same_file():
    img = photo(12, crop=(120, 200))
    full, lean = encode_stages(img, 65), encode_stages(img, 65, keep_zigzag=False)
    assert lean.zigzag is None and "zigzag" not in lean.seconds
    assert lean.data == full.data and np.array_equal(lean.counts, full.counts)


def test_non_contiguous_input_and_validation():
    img = photo(10)
    view = img[::2, ::-3]
    r = jpeglite.analyze(view, 70)
    assert r.data == jpeglite.encode(np.ascontiguousarray(view), 70)
    assert (r.height, r.width) == view.shape[:2]
    with pytest.raises(ValueError, match="quality"):
        jpeglite.analyze(img, 0)
    with pytest.raises(ValueError, match="subsampling"):
        jpeglite.analyze(img, subsampling="4:1:1")
    with pytest.raises(TypeError, match="optimize"):
        jpeglite.analyze(img, optimize=1)
    with pytest.raises(TypeError):
        jpeglite.analyze(img.astype(np.float32))
    with pytest.raises(ValueError, match="restart_interval"):
        jpeglite.analyze(img, restart_interval=-1)


# ---- the README -------------------------------------------------------------

README = (__import__("pathlib").Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_python_example_runs_as_written(capsys):
    block = README.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "L(D|P)" in out and all(name in out for name in STAGE_NAMES)


@pytest.mark.parametrize("args", [[], ["--optimize"]], ids=["standard", "optimize"])
def test_readme_analyze_tables_are_current(args):
    # The bits (not the seconds) of the tables pasted in the README are what
    # `jpeglite analyze` prints today.
    from jpeglite.images import sample_image
    head = "$ jpeglite analyze" + "".join(" " + a for a in args) + "\n"
    pasted = README.split(head, 1)[1].split("```", 1)[0]
    r = jpeglite.analyze(sample_image(), optimize=bool(args))
    for s in r.stages:
        row = next(line for line in pasted.splitlines() if line.split()[:1] == [s.name])
        assert row.split()[1] == f"{s.bits:,.0f}"
    assert f"{r.model_bits:,} bits" in pasted and f"{r.data_bits:,} bits" in pasted
    assert f"PSNR {r.psnr:.2f} dB" in pasted


# ---- threads -----------------------------------------------------------------

def without_seconds(obj):
    """A report's to_dict() with every wall-time entry (keys ending in "seconds") removed."""
    if isinstance(obj, dict):
        return {k: without_seconds(v) for k, v in obj.items() if not k.endswith("seconds")}
    if isinstance(obj, list):
        return [without_seconds(v) for v in obj]
    return obj


@pytest.mark.parametrize("idx, q, kw", [
    (3, 75, {}),
    (8, 88, {"crop": (411, 509), "optimize": True}),           # dummy blocks, banded counts
    (13, 55, {"subsampling": "4:2:2", "optimize": True, "restart_interval": 6}),
    (17, 35, {"crop": (333, 250), "subsampling": "4:4:4", "restart_interval": 13}),
    (20, 80, {"gray": True, "optimize": True}),
], ids=lambda v: str(v))
def test_reports_are_the_same_on_any_number_of_threads(idx, q, kw):
    kw = dict(kw)
    img = photo(idx, kw.pop("gray", False), kw.pop("crop", None))
    one = jpeglite.analyze(img, q, threads=1, **kw)
    assert one.data == jpeglite.encode(img, q, **kw)
    for threads in (2, 3):
        r = jpeglite.analyze(img, q, threads=threads, **kw)
        assert r.data == one.data
        assert without_seconds(r.to_dict()) == without_seconds(one.to_dict())
        assert [s.bits for s in r.stages] == [s.bits for s in one.stages]


def test_staged_arrays_and_counts_are_the_same_on_any_number_of_threads():
    img = photo(5, crop=(389, 517))
    for kw in ({"optimize": True}, {"subsampling": "4:2:2", "restart_interval": 9},
               {"subsampling": "4:4:4", "restart_interval": 4}):
        one = encode_stages(img, 70, threads=1, **kw)
        for threads in (2, 3, 7):
            st_ = encode_stages(img, 70, threads=threads, **kw)
            assert st_.data == one.data and np.array_equal(st_.counts, one.counts)
            assert np.array_equal(st_.ycc, one.ycc)
            for name in ("planes", "coefficients", "quantized", "zigzag"):
                for a, b in zip(getattr(st_, name), getattr(one, name)):
                    assert np.array_equal(a, b), name


def test_threads_argument_is_validated():
    img = photo(1, crop=(40, 40))
    with pytest.raises(ValueError, match="threads"):
        jpeglite.analyze(img, threads=0)
    with pytest.raises(TypeError, match="threads"):
        jpeglite.analyze(img, threads=1.5)
    with pytest.raises(TypeError, match="threads"):
        encode_stages(img, threads=True)


def test_staged_kernels_fill_a_band_of_a_preallocated_array():
    from jpeglite import _color, _dct, _quant
    img = photo(7, crop=(48, 40))
    whole = _color.rgb_to_ycbcr(img)
    ycc = np.zeros_like(whole)
    assert _color.rgb_to_ycbcr(img[16:32], ycc[:, 16:32]) is not None
    assert np.array_equal(ycc[:, 16:32], whole[:, 16:32]) and not ycc[:, :16].any()
    coefs = _dct.fdct_blocks(whole[0])
    out = np.zeros_like(coefs)
    _dct.fdct_blocks(whole[0][8:24], out[1:3])
    assert np.array_equal(out[1:3], coefs[1:3]) and not out[0].any() and not out[3:].any()
    q = np.arange(1, 65)
    qz = np.zeros(coefs.shape, np.int16)
    _quant.quantize_blocks(coefs[2:5], q, qz[2:5])
    assert np.array_equal(qz[2:5], _quant.quantize_blocks(coefs, q)[2:5]) and not qz[:2].any()
    with pytest.raises(ValueError, match="out"):
        _quant.quantize_blocks(coefs, q, np.zeros(coefs.shape, np.int32))
    with pytest.raises(ValueError, match="out"):
        _dct.fdct_blocks(whole[0], out[1:])
    with pytest.raises(ValueError, match="out"):
        _color.rgb_to_ycbcr(img, ycc[:2])
