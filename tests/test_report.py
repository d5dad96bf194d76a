"""Report/Stage and the measurement helpers, against answers computed by hand."""
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jpeglite.report import (
    STAGE_NAMES, Report, Stage, amplitude_bits, coefficient_entropy_bits,
    frequency_entropy_bits, histogram_code_length, mse, psnr, psnr_from_mse,
)


# ---- histogram_code_length ------------------------------------------------

def test_code_length_uniform_two_symbols():
    # 4 + 4 occurrences of two symbols: one bit each.
    assert histogram_code_length([4, 4]) == pytest.approx(8.0)


def test_code_length_skewed():
    # counts 2, 1, 1: N = 4; 2 * log2(2) + 1 * log2(4) + 1 * log2(4) = 2 + 2 + 2 = 6 bits.
    assert histogram_code_length([2, 1, 1, 0]) == pytest.approx(6.0)


def test_code_length_degenerate():
    assert histogram_code_length([7]) == 0.0
    assert histogram_code_length([0, 0]) == 0.0
    assert histogram_code_length([]) == 0.0
    with pytest.raises(ValueError):
        histogram_code_length([3, -1])


@given(st.lists(st.integers(0, 1000), min_size=1, max_size=40))
@settings(max_examples=60, deadline=None)
def test_code_length_matches_definition(counts):
    n = sum(counts)
    expected = sum(-c * math.log2(c / n) for c in counts if c)
    assert histogram_code_length(counts) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    # An ideal code can never need more than log2(#symbols) bits per symbol.
    used = sum(1 for c in counts if c)
    assert histogram_code_length(counts) <= n * math.log2(max(used, 1)) + 1e-6


# ---- coefficient entropy ----------------------------------------------------

def test_constant_coefficients_cost_nothing():
    assert coefficient_entropy_bits(np.full((10, 64), -3, np.int16)) == 0.0


def test_entropy_per_frequency_by_hand():
    # 4 blocks. Frequency 0 takes values 0,1,0,1 (1 bit each: 4 bits); frequency 5 takes
    # 0,1,2,3 (2 bits each: 8 bits); frequency 63 takes 5,5,5,-7 (counts 3 and 1:
    # 3 log2(4/3) + 1 log2(4) = 3.2451 bits); everything else is constant.
    c = np.zeros((4, 64), np.int32)
    c[:, 0] = [0, 1, 0, 1]
    c[:, 5] = [0, 1, 2, 3]
    c[:, 63] = [5, 5, 5, -7]
    per = frequency_entropy_bits(c)
    expect63 = 3 * math.log2(4 / 3) + 2
    assert per[0] == pytest.approx(4.0)
    assert per[5] == pytest.approx(8.0)
    assert per[63] == pytest.approx(expect63)
    assert np.count_nonzero(per) == 3
    assert coefficient_entropy_bits(c) == pytest.approx(12.0 + expect63)


def test_entropy_is_per_frequency_not_pooled():
    # Each frequency is constant within itself, but frequencies differ from one another:
    # a per-frequency model pays nothing, a pooled histogram would pay 6 bits per value.
    c = np.tile(np.arange(64, dtype=np.int16), (50, 1))
    assert coefficient_entropy_bits(c) == 0.0


def test_entropy_accepts_8x8_blocks_and_grids():
    rng = np.random.default_rng(1)
    flat = rng.integers(-20, 20, size=(6, 64)).astype(np.int16)
    grid = flat.reshape(2, 3, 8, 8)
    assert coefficient_entropy_bits(grid) == pytest.approx(coefficient_entropy_bits(flat))
    assert coefficient_entropy_bits(flat.reshape(2, 3, 64)) == pytest.approx(
        coefficient_entropy_bits(flat))
    with pytest.raises(ValueError):
        coefficient_entropy_bits(np.zeros((4, 63), np.int16))
    with pytest.raises(TypeError):
        coefficient_entropy_bits(np.zeros((4, 64), np.float32))


def test_wide_range_fallback_agrees():
    # Values spread over more than 2**20 force the per-frequency fallback path.
    rng = np.random.default_rng(2)
    c = rng.integers(-4, 4, size=(300, 64)).astype(np.int64)
    c[0, 0] = 1 << 22  # one outlier: frequency 0 gains one singleton value
    wide = frequency_entropy_bits(c)
    per_k = [histogram_code_length(np.unique(c[:, k], return_counts=True)[1]) for k in range(64)]
    assert wide == pytest.approx(per_k)


@given(st.integers(1, 40), st.integers(0, 2**31 - 1))
@settings(max_examples=30, deadline=None)
def test_entropy_matches_numpy_reference(nblocks, seed):
    rng = np.random.default_rng(seed)
    c = rng.integers(-6, 6, size=(nblocks, 64)) * rng.integers(0, 2, size=(nblocks, 64))
    ref = 0.0
    for k in range(64):
        _, counts = np.unique(c[:, k], return_counts=True)
        p = counts / nblocks
        ref += float(-(counts * np.log2(p)).sum())
    assert coefficient_entropy_bits(c.astype(np.int16)) == pytest.approx(ref, abs=1e-7)


def test_entropy_chunking(monkeypatch):
    import jpeglite.report as rep

    rng = np.random.default_rng(3)
    c = rng.integers(-3, 4, size=(101, 64)).astype(np.int16)
    whole = coefficient_entropy_bits(c)
    monkeypatch.setattr(rep, "_CHUNK_BLOCKS", 7)
    assert coefficient_entropy_bits(c) == pytest.approx(whole)


# ---- amplitude bits ---------------------------------------------------------

def test_amplitude_bits():
    h = np.zeros(256, np.int64)
    h[0x00] = 9      # EOB: no amplitude bits
    h[0xF0] = 2      # ZRL: no amplitude bits
    h[0x13] = 4      # run 1, size 3: 3 bits each
    h[0x0A] = 1      # size 10
    assert amplitude_bits(h) == 12 + 10
    assert amplitude_bits([0, 5, 1]) == 5 * 1 + 1 * 2  # DC sizes 1 and 2
    with pytest.raises(ValueError):
        amplitude_bits(np.zeros(257))


# ---- distortion -------------------------------------------------------------

def test_mse_psnr_by_hand():
    a = np.zeros((2, 2, 3), np.uint8)
    b = a.copy()
    b[0, 0, 0] = 12  # one sample off by 12 out of 12 samples: MSE = 144 / 12 = 12
    assert mse(a, b) == pytest.approx(12.0)
    assert psnr(a, b) == pytest.approx(10 * math.log10(255 ** 2 / 12))
    # uint8 arithmetic must not wrap: 0 - 255 is -255, not 1.
    c = np.full((3, 5), 255, np.uint8)
    assert mse(np.zeros((3, 5), np.uint8), c) == pytest.approx(255.0 ** 2)
    assert psnr(np.zeros((3, 5), np.uint8), c) == pytest.approx(0.0)


def test_psnr_identical_is_inf():
    a = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
    assert psnr(a, a.copy()) == math.inf
    assert psnr_from_mse(0.0) == math.inf


def test_mse_errors_and_strides():
    with pytest.raises(ValueError):
        mse(np.zeros((2, 2), np.uint8), np.zeros((2, 3), np.uint8))
    rng = np.random.default_rng(4)
    a = rng.integers(0, 256, (40, 30, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (40, 30, 3), dtype=np.uint8)
    ref = float(((a.astype(float) - b) ** 2).mean())
    assert mse(a, b) == pytest.approx(ref)
    assert mse(a[::-1, ::2], b[::-1, ::2]) == pytest.approx(
        float(((a[::-1, ::2].astype(float) - b[::-1, ::2]) ** 2).mean()))


def test_mse_chunks_large_rows():
    rng = np.random.default_rng(5)
    a = rng.integers(0, 256, (3000, 400), dtype=np.uint8)  # more rows than one chunk
    b = rng.integers(0, 256, (3000, 400), dtype=np.uint8)
    ref = float(((a.astype(np.int64) - b) ** 2).sum()) / a.size
    assert mse(a, b) == pytest.approx(ref, rel=1e-12)


# ---- Report -----------------------------------------------------------------

def make_report(data=b"\xff" * 100, model=160, header=80, **kw):
    w, h, c = 16, 8, 3
    raw = 8 * w * h * c
    bits = [raw, raw, 8 * (w * h + 2 * (w * h // 4)), 900.5, 700.25, 650.0, 662, 8 * len(data)]
    stages = [Stage(n, b, 0.001 * (i + 1), {"i": i}) for i, (n, b) in enumerate(zip(STAGE_NAMES, bits))]
    args = dict(stages=stages, model_bits=model, header_bits=header,
                data_bits=8 * len(data) - model - header, data=data, width=w, height=h,
                components=c, mse=2.5, psnr=psnr_from_mse(2.5), options={"quality": 75})
    args.update(kw)
    return Report(**args)


def test_report_derived_figures():
    r = make_report()
    assert r.pixels == 128
    assert r.file_bits == 800
    assert r.bpp == pytest.approx(800 / 128)
    assert r.compression_ratio == pytest.approx(128 * 3 * 8 / 800)
    assert r.seconds == pytest.approx(0.036)
    assert r.stage("dct").bits == 900.5
    with pytest.raises(KeyError):
        r.stage("nope")


def test_report_checks_accounting_and_order():
    with pytest.raises(ValueError, match="file has"):
        make_report(data_bits=1)
    r = make_report()
    with pytest.raises(ValueError, match="stages"):
        make_report(stages=list(reversed(r.stages)))
    with pytest.raises(ValueError, match="stages"):
        make_report(stages=r.stages[:-1])


def test_report_str_table():
    text = str(make_report())
    lines = text.splitlines()
    for name in STAGE_NAMES:
        assert any(line.startswith(name + " ") for line in lines), name
    assert "% of raw" in text and "% of time" in text and "bits/px" in text
    assert "L(P)" in text and "L(D|P)" in text
    assert "PSNR" in text and "MSE 2.5000" in text
    dct = next(line for line in lines if line.startswith("dct "))
    # 900.5 bits over 128 px; 900.5 / 3072 raw bits; 4 ms of 36 ms.
    assert "7.035" in dct and "29.31%" in dct and "11.1%" in dct
    # Huffman 662 vs bound 650: +1.85%.
    assert "+1.85%" in text
    # Fixed width: every stage row has the same length.
    rows = [line for line in lines if line.split(" ")[0] in STAGE_NAMES and "% of file" not in line]
    assert len(rows) == len(STAGE_NAMES) and len({len(line) for line in rows}) == 1


def test_report_str_lossless():
    text = str(make_report(mse=0.0, psnr=math.inf))
    assert "inf" in text


def test_report_to_dict_is_plain_json():
    r = make_report(mse=0.0, psnr=math.inf)
    r.stages[3].details = {"nonzero": np.int64(5), "per_component": np.array([1, 2]),
                           (0, "ac"): np.float32(1.5), "split": (1, 2)}
    d = r.to_dict()
    text = json.dumps(d, allow_nan=False)  # must not need NaN/Infinity extensions
    back = json.loads(text)
    assert [s["name"] for s in back["stages"]] == list(STAGE_NAMES)
    assert back["size_bytes"] == 100 and back["file_bits"] == 800
    assert back["psnr"] is None
    assert back["stages"][3]["details"] == {"nonzero": 5, "per_component": [1, 2],
                                            "(0, 'ac')": 1.5, "split": [1, 2]}
    assert back["model_bits"] + back["header_bits"] + back["data_bits"] == back["file_bits"]

    def walk(x):
        assert type(x) in (dict, list, str, int, float, bool, type(None)), type(x)
        if isinstance(x, dict):
            for k, v in x.items():
                assert type(k) is str
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(d)
