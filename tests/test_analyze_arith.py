"""analyze(bytes) of arithmetic-coded files (SOF9, SOF10): the report splits
the file as for Huffman files (parts adding up to 8 * len(data), segments
tiling it), and says where the arithmetic-coded bits go: per scan and
component, DC and AC, and per block, those adding up to each scan's code
bits; the rest of a scan's bytes are stuffing, RSTn and the coder's flush."""
import io
import json
import pathlib

import numpy as np
import pytest

import jpeglite

from conftest import JPEGS

DATA = pathlib.Path(__file__).parent / "data" / "arith"
FILES = sorted(p for p in DATA.glob("*.jpg") if p.name != "small_huff.jpg")
FILES += [p for p in JPEGS if p.name == "libjpeg-turbo_testimgari.jpg"]


@pytest.fixture(scope="module", params=FILES, ids=lambda p: p.name)
def report(request):
    data = request.param.read_bytes()
    return data, jpeglite.analyze(data)


def test_parts_add_up_and_segments_tile_the_file(report):
    data, r = report
    assert r.model_bits + r.header_bits + r.data_bits + r.metadata_bits == 8 * len(data)
    pos = 0
    for sg in r.stage("file").details["segments"]:
        assert sg["offset"] == pos and sg["bytes"] > 0
        pos += sg["bytes"]
    assert pos == len(data)
    assert "arithmetic" in r.options["process"]
    dac = [sg for sg in r.stage("file").details["segments"] if sg["name"] == "DAC"]
    assert all(sg["part"] == "model" for sg in dac)


def test_data_bits_split_into_code_bits_stuffing_markers_and_flush(report):
    _, r = report
    f, h = r.stage("file").details, r.stage("huffman").details
    assert h["coder"] == "arithmetic" and r.stage("huffman").bits == h["code_bits"]
    assert r.data_bits == (f["code_bits"] + f["flush_bits"]
                           + 8 * (f["stuffed_bytes"] + f["fill_bytes"]
                                  + 2 * f["restart_markers"]
                                  + 2 * f["restart_markers_outside_scans"]))
    for sc in h["scans"]:
        assert sc["code_bits"] == sum(c["code_bits"] for c in sc["components"].values())
        assert 8 * sc["data_bytes"] == (sc["code_bits"] + sc["flush_bits"] + 8 * (
            sc["stuffed_bytes"] + sc["fill_bytes"] + 2 * sc["restart_markers"]))
        for c in sc["components"].values():
            assert c["dc_bits"] + c["ac_bits"] == c["code_bits"]
            assert c["dc_bits"] >= 0 and c["ac_bits"] >= 0
            if sc["kind"].startswith("DC"):
                assert c["ac_bits"] == 0
            if sc["kind"].startswith("AC"):
                assert c["dc_bits"] == 0
    assert sum(sc["code_bits"] for sc in h["scans"]) == h["code_bits"]
    assert h["dc_bits"] + h["ac_bits"] == h["code_bits"]
    for name, tot in h["components"].items():
        for field, value in tot.items():
            assert value == sum(sc["components"][name][field]
                                for sc in h["scans"] if name in sc["components"])


def test_block_bits_are_the_blocks_share_of_the_code_bits(report):
    """Each block's decisions' bits; only the blocks past the image (MCU
    padding, which the map leaves out) hold the rest."""
    data, r = report
    h = r.stage("huffman").details
    total = sum(int(b.sum()) for b in r.block_bits.values())
    assert 0 < total <= h["code_bits"] or h["code_bits"] == 0
    coefs = jpeglite.read_coefficients(data)
    for comp, (name, bits) in zip(coefs.components, r.block_bits.items()):
        assert bits.shape == comp.blocks.shape[:2]
        assert bits.min() >= 0


def test_coefficient_statistics_are_those_of_read_coefficients(report):
    data, r = report
    coefs = jpeglite.read_coefficients(data)
    q = r.stage("quantize").details["components"]
    for stats, comp in zip(q.values(), coefs.components):
        b = comp.blocks.reshape(-1, 64)
        assert stats["blocks"] == b.shape[0]
        assert stats["nonzero"] == int(np.count_nonzero(b))


def test_renderings(report):
    data, r = report
    text = str(r)
    assert text.startswith("JPEG file as it is (not re-encoded)")
    assert "arithmetic" in text and "DC bits" in text and "conditioning" in text
    json.dumps(r.to_dict(), allow_nan=False)
    assert "AC bits" in r.to_html()


def test_the_block_map_is_exact_on_a_frame_without_padding():
    """16 x 16 MCUs tile a 64 x 48 4:2:0 frame: every coded block is in the map."""
    img = np.random.default_rng(1).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    for opts in (dict(arithmetic=True), dict(arithmetic=True, restart_interval=2)):
        data = jpeglite.encode(img, 80, **opts)
        r = jpeglite.analyze(data)
        h = r.stage("huffman").details
        assert sum(int(b.sum()) for b in r.block_bits.values()) == h["code_bits"]
        assert r.model_bits + r.header_bits + r.data_bits + r.metadata_bits == 8 * len(data)


def test_a_busier_image_costs_more_bits_where_it_is_busy():
    """The left half noise, the right half flat: the map puts the bits left."""
    img = np.full((64, 128), 128, np.uint8)
    img[:, :64] = np.random.default_rng(2).integers(0, 256, (64, 64))
    r = jpeglite.analyze(jpeglite.encode(img, 75, arithmetic=True))
    bits = r.block_bits["Y"]
    assert bits[:, :8].sum() > 20 * max(1, bits[:, 8:].sum())


def test_corrupt_data_is_reported_as_decode_reads_it():
    """Flipped bits: the report of what decode reads still adds up."""
    data = (DATA / "small_rst.jpg").read_bytes()
    rng = np.random.default_rng(5)
    found = 0
    for _ in range(60):
        buf = bytearray(data)
        i = int(rng.integers(len(data) // 2, len(data) - 4))
        buf[i] ^= 1 << int(rng.integers(0, 8))
        try:
            jpeglite.decode(bytes(buf))
        except jpeglite.JPEGError:
            continue
        r = jpeglite.analyze(bytes(buf))
        assert r.model_bits + r.header_bits + r.data_bits + r.metadata_bits == 8 * len(buf)
        found += 1
    assert found >= 20
