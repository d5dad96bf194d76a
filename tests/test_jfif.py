"""Tests for the jfif stage."""

# ==== encode ====
import struct

import numpy as np
import pytest

from jpeglite import jfif
from jpeglite import tables as T


def split(seg):
    """(marker, payload) of one segment, checking the length field."""
    assert seg[0] == 0xFF
    (length,) = struct.unpack(">H", seg[2:4])
    assert length == len(seg) - 2
    return seg[1], seg[4:]


def test_soi_eoi():
    assert jfif.soi() == b"\xff\xd8" and jfif.eoi() == b"\xff\xd9"


def test_app0_is_libjpeg_default_jfif():
    marker, p = split(jfif.app0_jfif())
    assert marker == 0xE0 and p == b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def test_dqt_writes_zigzag_order_and_precision():
    t = T.scale_quant_table(T.LUMA_QUANT_K1, 80)
    marker, p = split(jfif.dqt(1, t))
    assert marker == 0xDB and p[0] == 0x01 and len(p) == 65
    assert np.array_equal(np.frombuffer(p[1:], np.uint8), t[T.ZIGZAG])
    big = np.full(64, 300)
    marker, p = split(jfif.dqt(0, big))
    assert p[0] == 0x10 and len(p) == 129
    with pytest.raises(ValueError):
        jfif.dqt(0, np.zeros(64))


def test_sof0_sos_dri_dht_layout():
    marker, p = split(jfif.sof0(480, 640, [(1, 2, 2, 0), (2, 1, 1, 1), (3, 1, 1, 1)]))
    assert marker == 0xC0
    assert p == bytes([8, 0x01, 0xE0, 0x02, 0x80, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])
    marker, p = split(jfif.sos([(1, 0, 0), (2, 1, 1), (3, 1, 1)]))
    assert marker == 0xDA and p == bytes([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0])
    assert jfif.dri(300) == b"\xff\xdd\x00\x04\x01\x2c"
    marker, p = split(jfif.dht(1, 1, *T.AC_CHROMA_K6))
    assert marker == 0xC4 and p[0] == 0x11
    assert tuple(p[1:17]) == T.AC_CHROMA_K6[0] and tuple(p[17:]) == T.AC_CHROMA_K6[1]
    with pytest.raises(ValueError):
        jfif.dht(0, 0, [1] * 16, [0])

def test_icc_payloads_follow_icc1_b4():
    profile = bytes(range(256)) * 600                 # 153,600 bytes: 3 chunks
    chunks = jfif.icc_payloads(profile)
    assert [p[:14] for p in chunks] == [b"ICC_PROFILE\0" + bytes((i, 3)) for i in (1, 2, 3)]
    assert [len(p) - 14 for p in chunks] == [65519, 65519, 153600 - 2 * 65519]
    assert b"".join(p[14:] for p in chunks) == profile
    assert jfif.icc_payloads(b"") == []
    full = jfif.icc_payloads(bytes(65519))
    assert len(full) == 1 and len(jfif.segment(0xE2, full[0])) == 2 + 65535   # a full segment
    with pytest.raises(ValueError, match="at most 255"):
        jfif.icc_payloads(bytes(255 * 65519 + 1))
    with pytest.raises(TypeError, match="icc_profile"):
        jfif.icc_payloads("text")


def test_exif_and_comment_payloads_and_their_order():
    assert jfif.exif_payload(b"Exif\0\0MM\0*x") == b"Exif\0\0MM\0*x"
    assert jfif.exif_payload(b"II*\0x") == b"Exif\0\0II*\0x"
    with pytest.raises(ValueError, match="exif must start"):
        jfif.exif_payload(b"\0\0MM")
    assert jfif.comment_payload("\u00e9") == b"\xc3\xa9"
    assert jfif.comment_payload(memoryview(b"\xff")) == b"\xff"
    with pytest.raises(TypeError, match="comment"):
        jfif.comment_payload(None)
    assert jfif.build_metadata(icc_profile=b"P", exif=b"Exif\0\0MM", comment="C") == [
        (0xE1, b"Exif\0\0MM"), (0xE2, b"ICC_PROFILE\0\1\1P"), (0xFE, b"C")]
    assert jfif.build_metadata() == jfif.build_metadata(b"", b"", "") == []


def test_frame_header_puts_metadata_after_app0_and_16_bit_tables_in_sof1():
    meta = jfif.build_metadata(icc_profile=b"P", comment="C")
    t16 = np.full(64, 300)
    head = jfif.frame_header(8, 8, [(1, 1, 1, 0)], {0: t16}, {}, metadata=meta)
    assert head.startswith(jfif.soi() + jfif.app0_jfif() + jfif.segment(0xE2, meta[0][1])
                           + jfif.segment(0xFE, b"C") + jfif.dqt(0, t16))
    assert head.endswith(jfif.sof(0xC1, 8, 8, [(1, 1, 1, 0)]))


# ==== end encode ====


# ==== decode ====
import numpy as np
import pytest

from jpeglite import JPEGError
from jpeglite import jfif
from jpeglite.tables import ZIGZAG


def _state(payload):
    st = jfif.new_decoder_state(payload)
    return st, 0, len(payload)


def test_dqt_8_and_16_bit_tables_in_natural_order():
    zz8 = bytes(range(1, 65))
    zz16 = b"".join((300 + k).to_bytes(2, "big") for k in range(64))
    st, s, e = _state(b"\x00" + zz8 + b"\x12" + zz16)
    jfif.parse_dqt(st, s, e)
    assert st.qt[0][ZIGZAG].tolist() == list(range(1, 65))
    assert st.qt[2][ZIGZAG].tolist() == [300 + k for k in range(64)]


def test_dqt_any_nonzero_precision_is_16_bit():
    zz16 = b"".join((300 + k).to_bytes(2, "big") for k in range(64))
    st, s, e = _state(b"\xf1" + zz16)
    jfif.parse_dqt(st, s, e)
    assert st.qt[1][ZIGZAG].tolist() == [300 + k for k in range(64)]


@pytest.mark.parametrize("payload,match", [
    (b"\x04" + bytes(64), "table id"),
    (b"\x20" + bytes(64), "length"),        # Pq 2 reads as 16-bit (libjpeg): 128 bytes
    (b"\x00" + bytes(63), "length"),
    (b"\x10" + bytes(64), "length"),
])
def test_dqt_errors(payload, match):
    st, s, e = _state(payload)
    with pytest.raises(JPEGError, match=match):
        jfif.parse_dqt(st, s, e)


def test_dht_stores_tables_by_class_and_slot():
    payload = b"\x13" + bytes([0, 1] + [0] * 14) + b"\x07"
    st, s, e = _state(payload)
    jfif.parse_dht(st, s, e)
    counts, symbols, offset = st.dht[4 + 3]
    assert counts[1] == 1 and symbols == (7,) and offset == 0


def test_app_markers_detected():
    st, s, e = _state(b"JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00")
    jfif.parse_app(st, jfif.APP0, s, e)
    assert st.jfif
    st, s, e = _state(b"Adobe\x00\x64\x00\x00\x00\x00\x02")
    jfif.parse_app(st, jfif.APP14, s, e)
    assert st.adobe_transform == 2
    st, s, e = _state(b"Adobe\x00")             # too short to count
    jfif.parse_app(st, jfif.APP14, s, e)
    assert st.adobe_transform is None


def test_metadata_segments_are_kept_as_offsets_in_file_order():
    data = (b"JFIF\0\1\1\0\0\1\0\1\0\0" + b"Exif\0\0MM" + b"hello"
            + b"ICC_PROFILE\0\1\1P")
    st = jfif.new_decoder_state(data)
    jfif.parse_app(st, jfif.APP0, 0, 14)            # the JFIF header: not metadata
    jfif.parse_app(st, jfif.APP1, 14, 22)
    jfif.parse_com(st, 22, 27)
    jfif.parse_app(st, jfif.APP2, 27, len(data))
    assert st.extra_segments == [(jfif.APP1, 14, 22), (jfif.COM, 22, 27),
                                 (jfif.APP2, 27, len(data))]
    segs = jfif.metadata_segments(st)
    assert segs == [(0xE1, b"Exif\0\0MM"), (0xFE, b"hello"), (0xE2, b"ICC_PROFILE\0\1\1P")]
    assert jfif.exif(segs) == b"Exif\0\0MM"
    assert jfif.comments(segs) == [b"hello"]
    assert jfif.icc_profile(segs) == b"P"
    assert jfif.icc_chunks([]) == (None, None) and jfif.exif([]) is None

# ==== end decode ====
