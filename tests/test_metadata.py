"""Metadata (issue 9 item 5): ICC profiles, Exif and comments written as Pillow
writes them, read back by Pillow and by jpeglite; broken metadata never breaks a read."""
import io
import struct

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image

import jpeglite
from conftest import CORPUS, JPEGS, NO_CORPUS, needs_corpus
from jpeglite import jfif

RNG = np.random.default_rng(5)
RGB = RNG.integers(0, 256, (24, 40, 3), dtype=np.uint8)
GREY = RGB[..., 0].copy()
ICC = bytes(RNG.integers(0, 256, 150_000, dtype=np.uint8))      # three APP2 chunks
CHUNK = jfif.ICC_CHUNK


def exif_bytes():
    e = Image.Exif()
    e[0x010F] = "jpeglite maker"      # Make
    e[0x0110] = "model 9"             # Model
    e[0x0112] = 6                     # Orientation
    return e.tobytes()


EXIF = exif_bytes()


def pillow_jpeg(image, **kw):
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", **kw)
    return buf.getvalue()


def markers(data):
    """Marker codes of the segments before SOS, in file order."""
    out, p = [], 2
    while data[p + 1] != 0xDA:
        out.append(data[p + 1])
        p += 2 + struct.unpack(">H", data[p + 2:p + 4])[0]
    return out


def corpus_file(name):
    path = next((p for p in JPEGS if p.name == name), None)
    if path is None:
        pytest.skip(NO_CORPUS if CORPUS is None else f"corpus file {name} absent")
    return path.read_bytes()


META = [
    {"icc_profile": ICC},
    {"exif": EXIF},
    {"comment": "a comment, h\u00e9"},
    {"comment": b"\xff\x00 bytes"},
    {"icc_profile": b"tiny", "exif": EXIF, "comment": "all three"},
    {"icc_profile": ICC, "exif": EXIF, "comment": b"x" * 65533},
    {"icc_profile": b"p" * CHUNK},              # exactly one full chunk
    {"icc_profile": b"p" * (CHUNK + 1)},        # one byte into a second
    {"exif": b"Exif\0\0" + b"\0" * 65527},      # the largest Exif
]


@pytest.mark.parametrize("meta", META, ids=lambda m: ",".join(f"{k}:{len(v)}" for k, v in m.items()))
@pytest.mark.parametrize("image", [RGB, GREY], ids=["rgb", "grey"])
def test_whole_files_equal_pillows(image, meta):
    assert jpeglite.encode(image, **meta) == pillow_jpeg(image, **meta)


def test_with_qtables_optimize_and_restarts_too():
    meta = {"icc_profile": ICC, "exif": EXIF, "comment": "c"}
    t = list(range(1, 65))
    assert jpeglite.encode(RGB, 80, optimize=True, restart_interval=2, qtables=[t], **meta) == \
        pillow_jpeg(RGB, quality=80, optimize=True, restart_marker_blocks=2, qtables=[t], **meta)


def test_segment_order_is_pillows():
    data = jpeglite.encode(RGB, icc_profile=ICC, exif=EXIF, comment="c")
    assert markers(data)[:6] == [0xE0, 0xE1, 0xE2, 0xE2, 0xE2, 0xFE]
    assert markers(data)[6] == 0xDB


def test_pillow_reads_back_what_was_given():
    comment = "r\u00e9sum\u00e9"
    data = jpeglite.encode(RGB, icc_profile=ICC, exif=EXIF, comment=comment)
    with Image.open(io.BytesIO(data)) as im:
        assert im.info["icc_profile"] == ICC
        assert im.info["exif"] == EXIF
        exif = im.getexif()
        assert exif[0x010F] == "jpeglite maker" and exif[0x0110] == "model 9"
        assert exif[0x0112] == 6
        assert im.info["comment"] == comment.encode("utf-8")
        assert np.array_equal(np.asarray(im), jpeglite.decode(data))


def test_jpeglite_reads_back_what_was_given():
    data = jpeglite.encode(RGB, icc_profile=ICC, exif=EXIF, comment=b"one")
    coefs = jpeglite.read_coefficients(data)
    assert coefs.icc_profile == ICC and coefs.exif == EXIF and coefs.comments == [b"one"]
    assert [m for m, _ in coefs.metadata] == [0xE1, 0xE2, 0xE2, 0xE2, 0xFE]
    # metadata changes no pixel
    assert np.array_equal(jpeglite.decode(data), jpeglite.decode(jpeglite.encode(RGB)))


def test_a_bare_tiff_stream_gets_the_exif_header():
    tiff = EXIF[6:]
    assert tiff.startswith((b"II*\0", b"MM\0*"))
    assert jpeglite.encode(GREY, exif=tiff) == jpeglite.encode(GREY, exif=EXIF)


def test_empty_metadata_writes_nothing_as_in_pillow():
    plain = jpeglite.encode(GREY)
    for meta in ({"icc_profile": b""}, {"exif": b""}, {"comment": ""}, {"comment": b""}):
        assert jpeglite.encode(GREY, **meta) == plain == pillow_jpeg(GREY, **meta)


def test_bytes_like_arguments():
    ref = jpeglite.encode(GREY, icc_profile=ICC, exif=EXIF, comment=b"c")
    assert jpeglite.encode(GREY, icc_profile=bytearray(ICC), exif=memoryview(EXIF),
                           comment=bytearray(b"c")) == ref


def test_write_and_analyze_take_metadata(tmp_path):
    meta = {"icc_profile": ICC, "exif": EXIF, "comment": "c"}
    n = jpeglite.write(tmp_path / "m.jpg", RGB, **meta)
    data = (tmp_path / "m.jpg").read_bytes()
    assert n == len(data) and data == jpeglite.encode(RGB, **meta)
    report = jpeglite.analyze(RGB, threads=1, **meta)
    assert report.data == data
    names = [name for name, _ in report.stage("file").details["segments"]]
    assert names[:7] == ["SOI", "APP0", "APP1", "APP2", "APP2", "APP2", "COM"]
    assert report.model_bits + report.header_bits + report.data_bits == 8 * len(data)


def test_the_big_icc_profile_round_trips():
    """A 399,788-byte profile (seven APP2 chunks): jpeglite reads it as Pillow
    does, writes it back as Pillow does, and both read it back."""
    src = corpus_file("pillow_icc_profile_big.jpg")
    with Image.open(io.BytesIO(src)) as im:
        theirs = im.info["icc_profile"]
    coefs = jpeglite.read_coefficients(src)
    assert len(coefs.icc_profile) == 399_788 and coefs.icc_profile == theirs
    image = jpeglite.decode(src)
    data = jpeglite.encode(image, icc_profile=coefs.icc_profile)
    assert markers(data).count(0xE2) == 7
    assert data == pillow_jpeg(image, icc_profile=theirs)
    with Image.open(io.BytesIO(data)) as im:
        assert im.info["icc_profile"] == theirs
    assert jpeglite.read_coefficients(data).icc_profile == theirs


@pytest.mark.parametrize("name", ["pillow_exif_gps.jpg", "pillow_exif-72dpi-int.jpg",
                                  "pillow_hopper_orientation_6.jpg", "pillow_exif-200dpcm.jpg"])
def test_exif_of_corpus_files_as_pillow_reads_it(name):
    src = corpus_file(name)
    coefs = jpeglite.read_coefficients(src)
    with Image.open(io.BytesIO(src)) as im:
        assert coefs.exif == im.info.get("exif")
        assert coefs.comments[-1:] == ([im.info["comment"]] if "comment" in im.info else [])
        if coefs.exif is not None:
            # and it survives a re-encode
            data = jpeglite.encode(jpeglite.decode(src), exif=coefs.exif)
            with Image.open(io.BytesIO(data)) as im2:
                assert dict(im2.getexif()) == dict(im.getexif())


@needs_corpus
@pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO file")
def test_every_corpus_file_reads_its_metadata_as_pillow():
    """ICC profile, Exif and last comment of every corpus file jpeglite reads:
    Pillow's answer (jpeglite takes the first Exif APP1, Pillow joins several)."""
    checked = 0
    for path in JPEGS:
        src = path.read_bytes()
        try:
            coefs = jpeglite.read_coefficients(src)
        except jpeglite.JPEGError:
            continue
        if coefs.precision != 8:
            continue                # Pillow opens no 12-bit file
        with Image.open(io.BytesIO(src)) as im:
            info = im.info
        assert coefs.icc_profile == info.get("icc_profile"), path.name
        exifs = [p for m, p in coefs.metadata if m == 0xE1 and p.startswith(b"Exif\0\0")]
        if len(exifs) == 1:
            assert coefs.exif == info.get("exif"), path.name
        if coefs.comments:
            assert coefs.comments[-1] == info.get("comment"), path.name
        checked += 1
    if not checked:
        pytest.skip("no corpus JPEG files")


@pytest.mark.parametrize("meta, exc, match", [
    ({"icc_profile": "a str"}, TypeError, "icc_profile must be bytes"),
    ({"icc_profile": [1, 2]}, TypeError, "icc_profile"),
    ({"exif": "Exif"}, TypeError, "exif must be bytes"),
    ({"exif": b"abc"}, ValueError, "exif must start with"),
    ({"exif": b"Exif\0\0" + b"\0" * 65528}, ValueError, "exif of 65534 bytes"),
    ({"comment": 5}, TypeError, "comment must be str"),
    ({"comment": "x" * 65534}, ValueError, "comment of 65534 bytes"),
    ({"comment": "\u00e9" * 32767}, ValueError, "comment of 65534 bytes"),
])
def test_bad_metadata_is_refused_before_anything_is_written(tmp_path, meta, exc, match):
    with pytest.raises(exc, match=match):
        jpeglite.encode(RGB, **meta)
    with pytest.raises(exc, match=match):
        jpeglite.analyze(RGB, **meta)
    out = tmp_path / "x.jpg"
    with pytest.raises(exc, match=match):
        jpeglite.write(out, RGB, **meta)
    assert not out.exists()


def test_an_icc_profile_over_255_chunks_is_refused():
    most = jpeglite.encode(GREY, icc_profile=memoryview(bytes(255 * CHUNK)))
    assert markers(most).count(0xE2) == 255
    with pytest.raises(ValueError, match="256 APP2 chunks.*at most 255"):
        jpeglite.encode(GREY, icc_profile=bytes(255 * CHUNK + 1))


# ---- reading broken metadata: reported or ignored, never an exception ----

def icc_chunk(seq, count, body=b"data"):
    return (0xE2, jfif.ICC_SIGNATURE + bytes((seq, count)) + body)


def test_chunks_are_ordered_by_sequence_number():
    segs = [icc_chunk(2, 3, b"B"), (0xE1, b"Exif\0\0MM"), icc_chunk(3, 3, b"C"),
            icc_chunk(1, 3, b"A")]
    assert jfif.icc_chunks(segs) == (b"ABC", None)


@pytest.mark.parametrize("segs, problem", [
    ([icc_chunk(1, 2)], "missing"),
    ([icc_chunk(1, 2), icc_chunk(1, 2, b"other")], "twice"),
    ([icc_chunk(1, 2), icc_chunk(2, 3)], "disagree"),
    ([icc_chunk(0, 1)], "outside"),
    ([icc_chunk(3, 2), icc_chunk(1, 2)], "outside"),
    ([icc_chunk(1, 0)], "outside"),
])
def test_a_broken_chunk_set_is_reported_and_ignored(segs, problem):
    profile, why = jfif.icc_chunks(segs)
    assert profile is None and problem in why
    assert jfif.icc_profile(segs) is None


def test_a_repeated_identical_chunk_is_ignored():
    # Pillow's icc-after-SOF.jpg repeats its one chunk; Pillow reads the profile
    assert jfif.icc_chunks([icc_chunk(1, 1, b"P"), icc_chunk(1, 1, b"P")]) == (b"P", None)


def test_short_or_foreign_app2_segments_are_not_chunks():
    segs = [(0xE2, b"ICC_PROFILE\0\x01"), (0xE2, b"FPXR\0\0"), (0xE2, b"")]
    assert jfif.icc_chunks(segs) == (None, None)


def test_a_file_with_a_broken_chunk_set_still_decodes():
    good = jpeglite.encode(RGB, icc_profile=ICC)
    # drop the second of three chunks
    p = 2 + 18                                  # after SOI and APP0
    first_len = struct.unpack(">H", good[p + 2:p + 4])[0]
    second = p + 2 + first_len
    second_len = struct.unpack(">H", good[second + 2:second + 4])[0]
    broken = good[:second] + good[second + 2 + second_len:]
    coefs = jpeglite.read_coefficients(broken)
    assert coefs.icc_profile is None
    assert "missing" in jfif.icc_chunks(coefs.metadata)[1]
    assert np.array_equal(jpeglite.decode(broken), jpeglite.decode(good))
    with Image.open(io.BytesIO(broken)) as im:    # Pillow ignores it too
        assert im.info.get("icc_profile") is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0xE1, 0xE2, 0xFE, 0xED]),
                          st.one_of(st.binary(max_size=20),
                                    st.builds(lambda s, n, b: jfif.ICC_SIGNATURE + bytes((s, n)) + b,
                                              st.integers(0, 4), st.integers(0, 4),
                                              st.binary(max_size=4)),
                                    st.builds(lambda b: b"Exif\0\0" + b, st.binary(max_size=8)))),
                max_size=8))
def test_readers_never_raise_on_any_segments(segs):
    profile, problem = jfif.icc_chunks(segs)
    assert profile is None or problem is None
    exif = jfif.exif(segs)
    assert exif is None or exif.startswith(b"Exif\0\0")
    assert jfif.comments(segs) == [p for m, p in segs if m == 0xFE]


@pytest.mark.parametrize("optimize", [False, True])
def test_threaded_encodes_write_the_same_metadata_and_tables(optimize):
    image = np.ascontiguousarray(np.tile(RGB, (22, 13, 1)))      # 528 x 520: several threads
    meta = {"icc_profile": ICC, "exif": EXIF, "comment": "threads"}
    t = [list(range(1, 65)), [300] * 64]
    ours = {n: jpeglite.encode(image, optimize=optimize, qtables=t, threads=n, **meta)
            for n in (1, 2, 4)}
    assert ours[1] == ours[2] == ours[4] == pillow_jpeg(image, optimize=optimize, qtables=t, **meta)


HOSTILE_BASE = jpeglite.encode(GREY[:8, :8], icc_profile=bytes(70_000), exif=EXIF, comment="c")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(HOSTILE_BASE) - 1), st.integers(0, 255)),
                min_size=1, max_size=6))
def test_mutated_metadata_reads_or_raises_jpegerror(edits):
    """Bytes changed anywhere in a file with Exif, two ICC chunks and a comment:
    read_coefficients raises JPEGError or gives metadata whose accessors answer."""
    data = bytearray(HOSTILE_BASE)
    for pos, value in edits:
        data[pos] = value
    try:
        coefs = jpeglite.read_coefficients(bytes(data))
    except jpeglite.JPEGError:
        return
    profile = coefs.icc_profile
    assert profile is None or isinstance(profile, bytes)
    assert coefs.exif is None or coefs.exif.startswith(b"Exif\0\0")
    assert all(isinstance(c, bytes) for c in coefs.comments)
