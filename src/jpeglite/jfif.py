"""JFIF container: write and parse the markers (SOI, APPn, DQT, SOF, DHT, DRI, SOS, RSTn, EOI)."""

# ==== encode: marker writers ====
import struct as _struct

import numpy as _np

from .tables import ZIGZAG as _ZIGZAG


def _segment(marker, payload):
    """A marker segment: 0xFF, marker, a 2-byte length counting itself, payload."""
    if len(payload) + 2 > 0xFFFF:
        raise ValueError("marker segment longer than 65535 bytes")
    return bytes((0xFF, marker)) + _struct.pack(">H", len(payload) + 2) + payload


def soi():
    """Start of image: the 2 bytes FF D8."""
    return b"\xff\xd8"


def eoi():
    """End of image: the 2 bytes FF D9."""
    return b"\xff\xd9"


def app0_jfif(units=0, x_density=1, y_density=1):
    """APP0 JFIF 1.01 header, no thumbnail (18 bytes), libjpeg's defaults.

    ``units``: 0 = aspect ratio only, 1 = dots per inch, 2 = dots per cm.
    """
    return _segment(0xE0, b"JFIF\x00\x01\x01" + _struct.pack(">BHHBB", units, x_density,
                                                              y_density, 0, 0))


def dqt(table_id, table):
    """DQT segment for one table: ``table`` in natural order (64 values), written zigzag.

    8-bit precision when every value fits in a byte (baseline), else 16-bit.
    """
    t = _np.asarray(table, dtype=_np.int64).reshape(-1)
    if t.shape != (64,) or t.min() < 1 or t.max() > 0xFFFF or not 0 <= table_id <= 3:
        raise ValueError("a quantization table is 64 values 1..65535, id 0..3")
    zz = t[_ZIGZAG]
    if zz.max() <= 255:
        return _segment(0xDB, bytes([table_id]) + zz.astype(_np.uint8).tobytes())
    return _segment(0xDB, bytes([0x10 | table_id]) + zz.astype(">u2").tobytes())


def sof0(height, width, components):
    """SOF0 (baseline) frame header. ``components``: (id, h, v, quant table id) each."""
    payload = _struct.pack(">BHHB", 8, height, width, len(components))
    for cid, h, v, tq in components:
        payload += bytes((cid, (h << 4) | v, tq))
    return _segment(0xC0, payload)


def dht(table_class, table_id, bits, values):
    """DHT segment for one table. ``table_class``: 0 = DC, 1 = AC; (bits, values) as in tables."""
    if len(bits) != 16 or sum(bits) != len(values):
        raise ValueError("bits must be 16 counts that add up to len(values)")
    return _segment(0xC4, bytes([(table_class << 4) | table_id]) + bytes(bits) + bytes(values))


def dri(interval):
    """DRI segment: a restart marker every ``interval`` MCUs (1..65535)."""
    return _segment(0xDD, _struct.pack(">H", interval))


def sos(components, ss=0, se=63, ah=0, al=0):
    """SOS scan header. ``components``: (id, DC table id, AC table id) each."""
    payload = bytes([len(components)])
    for cid, td, ta in components:
        payload += bytes((cid, (td << 4) | ta))
    return _segment(0xDA, payload + bytes((ss, se, (ah << 4) | al)))
# ==== end encode: marker writers ====


# ==== decode: marker parser ====

# ==== end decode: marker parser ====
