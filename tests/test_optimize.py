"""Lossless re-optimization: the same pixels, never more bytes; the scan search."""
import io

import numpy as np
import pytest
from PIL import Image

import jpeglite
from conftest import JPEGS, corpus_params, kodak
from jpeglite.coefficients import check_coefficients
from jpeglite.progressive import coefficients_from_image, encode_progressive, frame_header
from jpeglite.scans import check_script, search, search_costs


def pillow_jpeg(image, quality=75, **kw):
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=quality, **kw)
    return buf.getvalue()


def pillow_pixels(data):
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im)


def frame_marker(data):
    """The SOFn code of the file's frame (walking the segments, not searching the bytes)."""
    pos = 2
    while True:
        marker = data[pos + 1]
        if 0xC0 <= marker <= 0xC2:
            return marker
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")


@pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO file")
@pytest.mark.parametrize("path", corpus_params(JPEGS), ids=lambda p: p.name if p else "none")
def test_corpus_pixel_identical_never_larger(path):
    data = path.read_bytes()
    try:
        expect = jpeglite.decode(data)
    except jpeglite.JPEGError:
        with pytest.raises(jpeglite.JPEGError):
            jpeglite.optimize(data)
        return
    out = jpeglite.optimize(data, threads=1)
    assert len(out) <= len(data)
    np.testing.assert_array_equal(jpeglite.decode(out), expect)
    if out is not data:
        np.testing.assert_array_equal(pillow_pixels(out), pillow_pixels(data))


@pytest.mark.parametrize("index", [3, 22])
def test_kodak_smaller_progressive(index):
    image = kodak(index)
    data = pillow_jpeg(image)
    out = jpeglite.optimize(data)
    assert frame_marker(out) == 0xC2
    # mozjpeg-lossless-optimization saves 3.8% on kodim23 q75 4:2:0
    assert len(out) < 0.965 * len(data)
    np.testing.assert_array_equal(jpeglite.decode(out), jpeglite.decode(data))
    np.testing.assert_array_equal(pillow_pixels(out), pillow_pixels(data))
    # the default script is one of the candidates' neighbours: never beaten by it
    c = jpeglite.read_coefficients(data)
    assert len(out) <= len(encode_progressive(c))


def test_baseline_only():
    data = pillow_jpeg(kodak(1)[:128, :192], 90)
    out = jpeglite.optimize(data, progressive=False)
    assert frame_marker(out) == 0xC0 and len(out) < len(data)
    np.testing.assert_array_equal(pillow_pixels(out), pillow_pixels(data))


def test_tiny_image_baseline_wins():
    data = pillow_jpeg(kodak(0)[:8, :8])
    out = jpeglite.optimize(data)
    assert len(out) < len(data) and frame_marker(out) == 0xC0


def test_idempotent_enough():
    out = jpeglite.optimize(pillow_jpeg(kodak(5)[:200, :300]))
    again = jpeglite.optimize(out)
    assert len(again) <= len(out)
    np.testing.assert_array_equal(jpeglite.decode(again), jpeglite.decode(out))


def test_metadata_kept_or_dropped():
    image = kodak(2)[:64, :96]
    icc = bytes(range(256)) * 300            # 76,800 bytes: two APP2 chunks
    exif = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00"
    data = pillow_jpeg(image, icc_profile=icc, exif=exif, dpi=(300, 300))
    out = jpeglite.optimize(data)
    with Image.open(io.BytesIO(out)) as im:
        assert im.info["icc_profile"] == icc
        assert im.info["exif"] == exif
        assert im.info["dpi"] == (300, 300)
    bare = jpeglite.optimize(data, keep_metadata=False)
    with Image.open(io.BytesIO(bare)) as im:
        assert "icc_profile" not in im.info and "exif" not in im.info
    np.testing.assert_array_equal(jpeglite.decode(bare), jpeglite.decode(data))


def test_gray_and_444():
    rgb = kodak(8)[:96, :128]
    for data in (pillow_jpeg(np.ascontiguousarray(rgb[..., 0])), pillow_jpeg(rgb, subsampling=0),
                 pillow_jpeg(rgb, progressive=True), pillow_jpeg(rgb, restart_marker_rows=1)):
        out = jpeglite.optimize(data)
        assert len(out) < len(data)
        np.testing.assert_array_equal(pillow_pixels(out), pillow_pixels(data))


def test_bad_arguments():
    data = pillow_jpeg(kodak(0)[:16, :16])
    with pytest.raises(TypeError, match="bytes"):
        jpeglite.optimize("file.jpg")
    with pytest.raises(TypeError, match="progressive must be a bool"):
        jpeglite.optimize(data, progressive="yes")
    with pytest.raises(TypeError, match="keep_metadata must be a bool"):
        jpeglite.optimize(data, keep_metadata=None)
    with pytest.raises(ValueError, match="threads"):
        jpeglite.optimize(data, threads=0)
    with pytest.raises(jpeglite.JPEGError):
        jpeglite.optimize(b"\xff\xd8\xff\xd9")


def test_search_script_valid_and_costed_exactly():
    c = coefficients_from_image(kodak(4)[:160, :240], 80, "4:2:2")
    script = search(c)
    check_script(script, 3)
    assert search(c, threads=2) == script
    c = check_coefficients(c)
    again, costs = search_costs(c, [k.blocks for k in c.components])
    assert again == script
    data = encode_progressive(c, scans=script)
    # exact but for 0xFF00 stuffing and padding (0..7 bits a scan, counted as 4)
    stuffed = data.count(b"\xff\x00")
    entropy_bits = 8 * (len(data) - stuffed - len(frame_header(c)) - 2)
    assert abs(costs.cost(script) - entropy_bits) <= 4 * len(script)


@pytest.mark.parametrize("quality", [20, 75, 98])
def test_first_bands_count_equals_scan_count(quality):
    """The one-pass count of every split band equals counting each scan alone."""
    from jpeglite._progressive import ScanCoder, count_first_bands
    from jpeglite.scans import SPLITS

    c = coefficients_from_image(kodak(12)[:200, :264], quality, "4:2:0")
    bands = [(1, 63)] + [b for s in SPLITS for b in ((1, s), (s + 1, 63))]
    for comp in c.components:
        for al in range(4):
            counts, raw = count_first_bands(comp.blocks, al, SPLITS)
            for i, (ss, se) in enumerate(bands):
                one, one_raw = ScanCoder([comp.blocks], [(1, 1)], (1, 1), (ss, se, 0, al)).count()
                np.testing.assert_array_equal(counts[i], one[0], err_msg=f"{ss}..{se} Al={al}")
                assert raw[i] == one_raw


def test_optimal_costs_match_optimal_table():
    from jpeglite._huffman import optimal_costs, optimal_table

    rng = np.random.default_rng(5)
    rows = np.zeros((6, 256), np.int64)
    rows[1, 7] = 3
    rows[2] = rng.integers(0, 2, 256) * rng.zipf(1.3, 256).clip(max=10 ** 9)
    rows[3, :162] = rng.integers(1, 50, 162)
    rows[4, ::3] = 2 ** np.arange(86).clip(max=24)     # deep trees: lengths folded to 16
    rows[5] = 1
    bits, nsym = optimal_costs(rows)
    for r, row in enumerate(rows):
        counts, values = optimal_table(row)
        lengths = np.repeat(np.arange(1, 17), counts)
        assert bits[r] == (row[list(values)] * lengths).sum() and nsym[r] == len(values)


def test_cli_optimize_file_and_folder(tmp_path, capsys):
    from jpeglite import cli

    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    image = kodak(6)[:64, :96]
    (src / "a.jpg").write_bytes(pillow_jpeg(image))
    (src / "sub" / "b.JPEG").write_bytes(pillow_jpeg(image, 90))
    (src / "notes.txt").write_text("not a JPEG")
    assert cli.main([
        "optimize", str(src / "a.jpg"), str(tmp_path / "a.jpg")]) == 0
    out = (tmp_path / "a.jpg").read_bytes()
    assert len(out) < len((src / "a.jpg").read_bytes())
    assert cli.main(["optimize", str(src), str(tmp_path / "out"), "--baseline", "--strip"]) == 0
    text = capsys.readouterr().out
    assert "2 files:" in text
    for name in ("a.jpg", "sub/b.JPEG"):
        result = (tmp_path / "out" / name).read_bytes()
        assert frame_marker(result) == 0xC0
        np.testing.assert_array_equal(jpeglite.decode(result),
                                      jpeglite.decode((src / name).read_bytes()))
    assert not (tmp_path / "out" / "notes.txt").exists()
    (src / "bad.jpg").write_bytes(b"\xff\xd8junk")
    assert cli.main(["optimize", str(src / "bad.jpg"), str(tmp_path / "bad.jpg")]) == 1
    assert "jpeglite: error:" in capsys.readouterr().err


def _mutant_case():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from test_hostile import MAX_PIXELS, SEEDS, examples, mutate, mutation

    @settings(max_examples=examples(300), deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(seed=st.integers(0, len(SEEDS) - 1), ops=st.lists(mutation, min_size=1, max_size=3))
    def case(seed, ops):
        """Hostile files: optimize raises JPEGError (with an offset) or returns
        at most as many bytes, decoding to the pixels the mutant decodes to."""
        data = mutate(SEEDS[seed], ops)
        try:
            expect = jpeglite.decode(data, max_pixels=MAX_PIXELS)
        except jpeglite.JPEGError:
            with pytest.raises(jpeglite.JPEGError):
                jpeglite.optimize(data, max_pixels=MAX_PIXELS)
            return
        out = jpeglite.optimize(data, max_pixels=MAX_PIXELS, threads=1)
        assert len(out) <= len(data)
        if out != data:
            # a new file is complete: no block smoothing of an incomplete
            # progressive mutant in it
            expect = jpeglite.decode(data, max_pixels=MAX_PIXELS, block_smoothing=False)
        np.testing.assert_array_equal(jpeglite.decode(out, max_pixels=MAX_PIXELS), expect)
    return case


def test_hostile_mutants_optimize_or_raise():
    _mutant_case()()
