"""Abbreviated datastreams (T.81 B.4-B.5): a tables-only stream shared by a
corpus, image streams without DQT/DHT, and the readers' view of both."""
import io

import numpy as np
import pytest
from PIL import Image

import jpeglite
from jpeglite import dataset, jfif
from jpeglite.errors import JPEGError

from conftest import kodak


def tiles(photo, size=64, count=12):
    h, w = photo.shape[:2]
    out = []
    for y in range(0, h - size + 1, size):
        for x in range(0, w - size + 1, size):
            out.append(np.ascontiguousarray(photo[y:y + size, x:x + size]))
    step = max(1, len(out) // count)
    return out[::step][:count]


@pytest.fixture(scope="module")
def corpus():
    return tiles(kodak(0))


@pytest.fixture(scope="module")
def shared(corpus):
    return dataset.fit_tables(corpus, 75)


def test_tables_stream_is_soi_app0_dqt_dht_eoi(shared):
    assert shared.to_bytes()[:2] == b"\xff\xd8" and shared.to_bytes()[-2:] == b"\xff\xd9"
    ts = jpeglite.api._tables_arg(shared)
    assert sorted(ts.qtables) == [0, 1]
    assert sorted(ts.huffman) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    # the quantization tables are quality 75's, as an ordinary encode writes them
    ordinary = jpeglite.read_coefficients(jpeglite.encode(np.zeros((8, 8, 3), np.uint8)))
    for slot in (0, 1):
        assert np.array_equal(ts.qtables[slot], ordinary.qtables[slot])
    assert jfif.TableSet(ts.qtables, ts.huffman).to_bytes() == shared.to_bytes()


def test_abbreviated_streams_have_no_tables_and_decode_with_them(corpus, shared):
    for tile in corpus:
        data = jpeglite.encode(tile, tables=shared)
        assert b"\xff\xdb" not in data.split(b"\xff\xda")[0]      # no DQT before the scan
        assert b"\xff\xc4" not in data.split(b"\xff\xda")[0]      # no DHT
        ordinary = jpeglite.encode(tile)
        # the same coefficients as an ordinary quality-75 file: only the codes differ
        assert np.array_equal(jpeglite.decode(data, tables=shared), jpeglite.decode(ordinary))
        assert len(data) < len(ordinary)


def test_pillow_decodes_tables_stream_then_image_stream(corpus, shared):
    """The standard's promise: tables stream minus EOI, image stream minus SOI
    is an interchange file; Pillow (libjpeg-turbo) gives the same pixels as
    jpeglite's decode of the abbreviated stream, and as Pillow's own q75 file."""
    for tile in corpus[:6]:
        data = jpeglite.encode(tile, tables=shared)
        joined = shared.to_bytes()[:-2] + data[2:]
        assert dataset.expand(shared, data) == joined
        # the image stream is SOI then the frame; the joined file is JFIF (APP0 after SOI)
        assert data[2:4] == b"\xff\xc0" and joined[2:4] == b"\xff\xe0"
        ours = jpeglite.decode(data, tables=shared)
        theirs = np.asarray(Image.open(io.BytesIO(joined)).convert("RGB"))
        assert np.array_equal(ours, theirs)
        buf = io.BytesIO()
        Image.fromarray(tile).save(buf, "JPEG", quality=75)
        assert np.array_equal(theirs, np.asarray(Image.open(buf).convert("RGB")))


def test_ordinary_file_with_shared_tables(corpus, shared):
    data = jpeglite.encode(corpus[0], tables=shared, abbreviated=False)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), jpeglite.decode(data))
    assert len(data) > len(jpeglite.encode(corpus[0], tables=shared))


def test_complete_tables_code_an_image_outside_the_corpus(shared):
    noise = np.random.default_rng(1).integers(0, 256, (48, 40, 3), dtype=np.uint8)
    data = jpeglite.encode(noise, tables=shared)
    assert np.array_equal(jpeglite.decode(data, tables=shared), jpeglite.decode(jpeglite.encode(noise)))


def test_grayscale_corpus(corpus):
    grey = [np.ascontiguousarray(t[..., 1]) for t in corpus[:4]]
    tb = dataset.fit_tables(grey, 50)
    assert sorted(jpeglite.api._tables_arg(tb).huffman) == [(0, 0), (1, 0)]
    data = jpeglite.encode(grey[0], tables=tb)
    assert np.array_equal(jpeglite.decode(data, tables=tb),
                          jpeglite.decode(jpeglite.encode(grey[0], 50)))
    with pytest.raises(ValueError, match="tables lacks"):
        jpeglite.encode(corpus[0], tables=tb)          # colour needs tables 1


def test_decode_without_the_tables_fails_with_an_offset(corpus, shared):
    data = jpeglite.encode(corpus[0], tables=shared)
    with pytest.raises(JPEGError, match="quantization table|not defined") as e:
        jpeglite.decode(data)
    assert e.value.offset is not None


def test_encode_argument_errors(corpus, shared):
    tile = corpus[0]
    with pytest.raises(ValueError, match="quality"):
        jpeglite.encode(tile, 80, tables=shared)
    with pytest.raises(ValueError, match="optimize"):
        jpeglite.encode(tile, tables=shared, optimize=True)
    with pytest.raises(ValueError, match="abbreviated=True needs tables"):
        jpeglite.encode(tile, abbreviated=True)
    with pytest.raises(TypeError, match="abbreviated"):
        jpeglite.encode(tile, tables=shared, abbreviated="yes")
    with pytest.raises(TypeError, match="tables"):
        jpeglite.encode(tile, tables=42)
    with pytest.raises(TypeError, match="tables"):
        jpeglite.decode(jpeglite.encode(tile), tables=42)
    for bad in (b"", b"\xff\xd8\xff\xd9", jpeglite.encode(tile), shared.to_bytes()[:-5], b"hello"):
        with pytest.raises(ValueError, match="tables"):
            jpeglite.encode(tile, tables=bad)
        with pytest.raises(ValueError, match="tables"):
            dataset.expand(bad, jpeglite.encode(tile, tables=shared))


def test_stream_tables_replace_preset_ones(corpus, shared):
    """An ordinary file decoded with tables= uses its own DQT/DHT (libjpeg's rule)."""
    other = dataset.fit_tables(corpus, 20)
    data = jpeglite.encode(corpus[0], tables=shared, abbreviated=False)
    assert np.array_equal(jpeglite.decode(data, tables=other), jpeglite.decode(data))


def test_description_length_shared_beats_per_file(corpus):
    dl = dataset.description_length(corpus, 75)
    assert dl["images"] == len(corpus) and dl["failed"] == []
    per, shared = dl["per_file"], dl["shared"]
    assert shared["model_bits"] == 8 * dl["tables_bytes"]
    assert per["model_bits"] > shared["model_bits"]
    assert shared["total_bits"] < per["total_bits"]
    assert per["total_bits"] == per["model_bits"] + per["data_bits"]
    # per file, each file pays its own tables: what a q75 optimize=True file holds
    own = sum(8 * len(jpeglite.encode(t, 75, optimize=True)) for t in corpus)
    assert per["total_bits"] == own


def test_shared_tables_from_files_and_skipped_failures(tmp_path, corpus):
    for i, t in enumerate(corpus[:3]):
        Image.fromarray(t).save(tmp_path / f"t{i}.png")
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff")
    with pytest.raises(JPEGError):
        dataset.fit_tables(tmp_path)
    failed = []
    from_files = dataset.fit_tables(tmp_path, skip_errors=True, failed=failed)
    assert [p for p, _ in failed] == [str(tmp_path / "bad.jpg")]
    assert from_files.to_bytes() == dataset.fit_tables(corpus[:3]).to_bytes()
    with pytest.raises(ValueError, match="no image"):
        dataset.fit_tables([])


def test_hostile_tables_streams(corpus, shared):
    """A tables-only stream holding a frame, cut short or defining nothing is
    refused with the reason, as ``tables=`` of decode and encode."""
    data = jpeglite.encode(corpus[0], tables=shared)
    full = jpeglite.encode(corpus[0])
    for bad, fragment in ((full, "frame in a tables-only stream"),
                          (shared.to_bytes()[:-2], "truncated"),
                          (b"\xff\xd8\xff\xd9", "defines no table"),
                          (shared.to_bytes()[:30] + b"\xff\xd9", "truncated|length|DQT")):
        with pytest.raises(ValueError, match=fragment):
            jpeglite.decode(data, tables=bad)


def test_arithmetic_does_not_combine_with_tables(corpus, shared):
    """An arithmetic-coded file has no Huffman tables to share; a tables-only
    stream holding an arithmetic frame is no tables-only stream."""
    with pytest.raises(ValueError, match="arithmetic"):
        jpeglite.encode(corpus[0], tables=shared, arithmetic=True)
    arith = jpeglite.encode(corpus[0], arithmetic=True)
    sof = arith.index(b"\xff\xc9")
    with pytest.raises(ValueError, match="frame in a tables-only stream"):
        jpeglite.decode(arith, tables=shared.to_bytes()[:-2] + arith[sof:])
