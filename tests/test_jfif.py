"""Tests for the jfif stage."""

# ==== encode ====

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


@pytest.mark.parametrize("payload,match", [
    (b"\x04" + bytes(64), "table id"),
    (b"\x20" + bytes(64), "precision"),
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

# ==== end decode ====
