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
# ==== end encode ====


# ==== decode ====

# ==== end decode ====
