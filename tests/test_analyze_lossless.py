"""analyze(bytes) of lossless (SOF3) and 12-bit files: the report splits the
file as for other files (parts adding up to 8 * len(data), segments tiling
it), says per scan and component where the data bits go (the categories'
Huffman codes and their additional bits, the rest padding, stuffing and
RSTn), and counts the raw stage at the frame's precision."""
import json

import imagecodecs
import numpy as np
import pytest

import jpeglite
from jpeglite.report import FILE_STAGE_NAMES

RNG = np.random.default_rng(14)
SMOOTH = (np.add.outer(np.arange(37) * 90, np.arange(53) * 40)[..., None]
          + np.array([0, 300, 700])).astype(np.uint16)
NOISY = (SMOOTH + RNG.integers(0, 64, SMOOTH.shape)).astype(np.uint16) & 0xFFF


def _files():
    g = np.ascontiguousarray(NOISY[..., 0])
    return {
        "jpeglite rgb 16-bit": jpeglite.encode(NOISY, lossless=True),
        "jpeglite grey 12-bit, predictor 7, restarts": jpeglite.encode(
            g, lossless=True, precision=12, predictor=7, restart_interval=2 * g.shape[1]),
        "jpeglite rgb 12-bit, point transform 2": jpeglite.encode(
            NOISY, lossless=True, precision=12, point_transform=2, predictor=4),
        "jpeglite 8-bit grey": jpeglite.encode(
            (g >> 4).astype(np.uint8), lossless=True),
        "imagecodecs grey 12-bit": imagecodecs.jpeg8_encode(g, lossless=True,
                                                           bitspersample=12),
        "imagecodecs rgb 16-bit": imagecodecs.jpeg8_encode(NOISY, lossless=True,
                                                          bitspersample=16),
    }


FILES = _files()


@pytest.fixture(scope="module", params=list(FILES))
def report(request):
    data = FILES[request.param]
    return data, jpeglite.analyze(data)


def test_parts_add_up_and_segments_tile_the_file(report):
    data, r = report
    assert tuple(s.name for s in r.stages) == FILE_STAGE_NAMES
    assert r.model_bits + r.header_bits + r.data_bits + r.metadata_bits == 8 * len(data)
    assert r.stage("file").bits == 8 * len(data)
    segs = r.stage("file").details["segments"]
    pos = 0
    for sg in segs:
        assert sg["offset"] == pos and sg["bytes"] > 0
        pos += sg["bytes"]
    assert pos == len(data)
    assert r.model_bits == 8 * sum(sg["bytes"] for sg in segs if sg["name"] == "DHT") > 0
    assert r.options["process"].startswith("lossless, predictor")
    assert r.block_bits == {}


def test_data_bits_split_into_codes_additional_bits_padding_stuffing_markers(report):
    data, r = report
    f, h = r.stage("file").details, r.stage("huffman").details
    assert h["coder"] == "lossless"
    assert r.stage("huffman").bits == h["code_bits"] + h["amplitude_bits"]
    assert r.data_bits == (f["symbol_bits"] + f["padding_bits"]
                           + 8 * (f["stuffed_bytes"] + f["fill_bytes"]
                                  + 2 * f["restart_markers"]))
    frame = jpeglite.decode(data)
    for sc in h["scans"]:
        # each interval's padding is under a byte
        assert 0 <= sc["padding_bits"] < 8 * (sc["restart_markers"] + 1)
        assert sc["symbol_bits"] == sum(c["code_bits"] + c["amplitude_bits"]
                                        for c in sc["components"].values())
        for c in sc["components"].values():
            assert c["samples"] == frame.shape[0] * frame.shape[1]
    assert sum(tb["code_bits"] for tb in h["tables"].values()) == h["code_bits"]
    for tb in h["tables"].values():
        assert tb["entropy_bits"] <= tb["optimal_code_bits"] <= tb["code_bits"]
    assert r.stage("rle").bits <= r.stage("huffman").bits


def test_raw_stage_counts_the_precision(report):
    data, r = report
    precision = data[data.index(b"\xff\xc3") + 4]
    raw = r.stage("raw")
    assert raw.details["bits_per_sample"] == precision
    assert raw.bits == precision * r.width * r.height * r.components


def test_forms(report):
    _, r = report
    text = str(r)
    assert "lossless" in text and "additional" in text
    json.dumps(r.to_dict())
    assert "predictor" in r.to_html()


def test_jpeglite_files_have_optimal_tables():
    r = jpeglite.analyze(FILES["jpeglite rgb 16-bit"])
    assert r.stage("file").details["lossless_headroom"]["code_bits"] == 0


def test_12bit_dct_raw_stage_counts_12_bits():
    r = jpeglite.analyze(jpeglite.encode(NOISY, precision=12))
    assert r.stage("raw").details["bits_per_sample"] == 12
    assert r.stage("raw").bits == 12 * NOISY.size
    r8 = jpeglite.analyze(jpeglite.encode((NOISY >> 4).astype(np.uint8)))
    assert r8.stage("raw").bits == 8 * NOISY.size


def test_read_coefficients_says_lossless_files_have_none():
    with pytest.raises(jpeglite.JPEGError, match="lossless .* no DCT coefficients"):
        jpeglite.read_coefficients(FILES["imagecodecs grey 12-bit"])
