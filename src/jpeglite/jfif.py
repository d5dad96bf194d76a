"""JFIF container: write and parse the markers (SOI, APPn, DQT, SOF, DHT, DRI, SOS, RSTn, EOI)."""

# ==== encode: marker writers ====
import functools as _functools
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
    return sof(0xC0, height, width, components)


def sof(code, height, width, components, precision=8):
    """A frame header: SOF0 (0xC0, baseline), SOF1 (0xC1, extended: 16-bit
    tables), SOF2 (0xC2, progressive), SOF3 (0xC3, lossless) or SOF9 (0xC9,
    arithmetic-coded sequential), ``precision`` bits per sample (8; 12 for
    extended DCT frames; 2..16 lossless).
    ``components``: (id, h, v, quant table id) each."""
    payload = _struct.pack(">BHHB", precision, height, width, len(components))
    for cid, h, v, tq in components:
        payload += bytes((cid, (h << 4) | v, tq))
    return _segment(code, payload)


def app14_adobe(transform):
    """APP14 "Adobe" segment (12-byte payload, DCTEncodeVersion 100, no flags)
    telling the decoder the colour transform: 0 = none (RGB or CMYK as
    stored), 1 = YCbCr, 2 = YCCK."""
    return _segment(0xEE, b"Adobe" + _struct.pack(">HHHB", 100, 0, 0, transform))


def segment(code, payload):
    """Any marker segment (APPn, COM, ...) with ``payload`` (at most 65533 bytes)."""
    return _segment(code, bytes(payload))


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
# Colour transforms and the marker that tells a decoder about them: JFIF
# (APP0) for grey and YCbCr, Adobe (APP14) with its transform flag otherwise.
_ADOBE_TRANSFORM = {"rgb": 0, "cmyk": 0, "ycck": 2}


def frame_header(height, width, components, qtables, huffman_tables, restart_interval=0,
                 color="ycbcr", metadata=(), sof_code=None, app0=None, with_tables=True,
                 precision=8):
    """Every byte of a file before its first SOS, in libjpeg's order: SOI,
    APP0 JFIF (grey, YCbCr) or APP14 Adobe (RGB, CMYK, YCCK), the
    ``metadata`` segments ((marker, payload) pairs), DQT per table used,
    the frame header, DHT per table, DRI when restarting.

    ``components``: (id, h, v, quant slot) each; ``qtables``: {slot: 64
    values, natural order}; ``huffman_tables``: {(class, id): (bits, values)}
    written DC then AC per table id (an empty dict for a progressive file,
    whose tables go before each scan). ``sof_code``: the frame marker; by
    default SOF0, or SOF1 when a table needs 16-bit precision. ``app0``: the
    payload of the JFIF APP0 to write instead of libjpeg's default (a source
    file's, with its density), for grey and YCbCr.
    ``with_tables=False`` leaves out the DQT and DHT segments: the header of
    an abbreviated image stream (T.81 B.4), whose tables a decoder has from a
    tables-only stream (``tables_stream``); the JFIF APP0 is left out too,
    as the tables stream carries it (so that the two joined are a JFIF file,
    APP0 right after SOI). ``precision``: the frame's bits per sample.
    """
    head, sof_code, tail = frame_header_parts(components, qtables, huffman_tables,
                                              restart_interval, color, metadata, sof_code,
                                              app0, with_tables)
    return head + sof(sof_code, height, width, components, precision) + tail


def frame_header_parts(components, qtables, huffman_tables, restart_interval=0,
                       color="ycbcr", metadata=(), sof_code=None, app0=None, with_tables=True):
    """``frame_header`` in three parts that do not depend on the image size:
    (bytes before the frame header, its SOF marker code, bytes after it).
    Same arguments as ``frame_header`` without height and width."""
    parts = [soi()]
    if color in _ADOBE_TRANSFORM:
        parts.append(app14_adobe(_ADOBE_TRANSFORM[color]))
    elif not with_tables:
        pass
    elif app0 is not None:
        parts.append(segment(0xE0, app0))
    else:
        parts.append(app0_jfif())
    parts += [segment(code, payload) for code, payload in metadata]
    wide = False
    sent = []
    for _, _, _, slot in components:
        if slot not in sent:
            sent.append(slot)
            table = _np.asarray(qtables[slot])
            wide |= int(table.max()) > 255
            if with_tables:
                parts.append(dqt(slot, table))
    if sof_code is None:
        sof_code = 0xC1 if wide else 0xC0
    tail = _dhts(huffman_tables) if with_tables else []
    if restart_interval:
        tail.append(dri(restart_interval))
    return b"".join(parts), sof_code, b"".join(tail)


def _dhts(huffman_tables):
    # DC then AC per table id, as libjpeg writes them
    return [dht(key[0], key[1], *huffman_tables[key])
            for key in sorted(huffman_tables, key=lambda k: (k[1], k[0]))]


def tables_stream(qtables, huffman_tables):
    """A tables-only datastream (T.81 B.5, libjpeg's ``jpeg_write_tables``):
    SOI, the JFIF APP0, a DQT per table, a DHT per table, EOI, and no frame.
    (B.5 allows APPn among the tables; the APP0 is here rather than in every
    abbreviated image stream, 18 bytes each, and the joined file is JFIF.)

    ``qtables``: {slot: 64 values, natural order}; ``huffman_tables``:
    {(class, id): (bits, values)}. A decoder that reads it first can then
    read abbreviated image streams (``frame_header(with_tables=False)``);
    the stream without its EOI, followed by such an image stream without its
    SOI, is an ordinary interchange file.
    """
    parts = [soi(), app0_jfif()] + [dqt(slot, qtables[slot]) for slot in sorted(qtables)]
    return b"".join(parts + _dhts(huffman_tables) + [eoi()])
# ==== end encode: marker writers ====


# ==== metadata: writers ====
# What Pillow passes to libjpeg for a caller (its icc_profile, exif and
# comment): ICC profiles in APP2 chunks (ICC.1 B.4), Exif in APP1, comments in
# COM. build_metadata gives them as (marker, payload) pairs, the form of
# Coefficients.metadata and of frame_header(metadata=).

ICC_SIGNATURE = b"ICC_PROFILE\0"   # ICC.1 B.4: then sequence number (1-based) and count
EXIF_SIGNATURE = b"Exif\0\0"      # Exif 2.3 4.5.4: APP1, then a TIFF header
MAX_PAYLOAD = 65533                # bytes after the length field of one segment
ICC_CHUNK = MAX_PAYLOAD - len(ICC_SIGNATURE) - 2   # 65,519 profile bytes per APP2
ICC_MAX_CHUNKS = 255               # the count is one byte
_TIFF_HEADERS = (b"II*\0", b"MM\0*")


def _bytes_arg(name, value):
    """``value`` (bytes, bytearray or memoryview) as bytes, else a TypeError naming ``name``."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"{name} must be bytes, bytearray or memoryview, not {type(value).__name__}")


def icc_payloads(profile):
    """An ICC profile cut into APP2 payloads: ``ICC_PROFILE\0``, the chunk's
    sequence number (1-based) and the chunk count, then at most 65,519
    profile bytes each (ICC.1 B.4), cut in order as Pillow cuts it.

    Raises TypeError for a non-bytes profile and ValueError for one needing
    more than 255 chunks (over 16,707,345 bytes). Empty: no chunks.
    """
    profile = _bytes_arg("icc_profile", profile)
    count = -(-len(profile) // ICC_CHUNK)
    if count > ICC_MAX_CHUNKS:
        raise ValueError(f"icc_profile of {len(profile)} bytes needs {count} APP2 chunks of "
                         f"{ICC_CHUNK} bytes; at most {ICC_MAX_CHUNKS} fit the 1-byte count")
    return [ICC_SIGNATURE + bytes((i + 1, count)) + profile[i * ICC_CHUNK:(i + 1) * ICC_CHUNK]
            for i in range(count)]


def exif_payload(exif):
    """The APP1 payload for ``exif``, given as Pillow takes and gives it
    (``info["exif"]``, ``Image.Exif.tobytes()``): ``Exif\0\0`` then a TIFF
    header, kept as given; a bare TIFF stream (``II*\0`` or ``MM\0*``) gets
    the ``Exif\0\0`` header put in front.

    Raises TypeError for non-bytes, ValueError for anything else (which no
    reader would take for Exif) or for more than 65,533 bytes (Exif has no
    multi-segment form). Empty gives b"" (no segment).
    """
    exif = _bytes_arg("exif", exif)
    if not exif:
        return b""
    if exif.startswith(_TIFF_HEADERS):
        exif = EXIF_SIGNATURE + exif
    elif not exif.startswith(EXIF_SIGNATURE):
        raise ValueError("exif must start with b'Exif\\0\\0' (an APP1 payload) or a TIFF "
                         f"header (b'II*\\0' or b'MM\\0*'), got {exif[:8]!r}")
    if len(exif) > MAX_PAYLOAD:
        raise ValueError(f"exif of {len(exif)} bytes does not fit one APP1 segment "
                         f"({MAX_PAYLOAD} bytes at most)")
    return exif


def comment_payload(comment):
    """The COM payload for ``comment``: str (written as UTF-8, as Pillow does)
    or bytes, at most 65,533 bytes. Empty gives b"" (no segment, Pillow's rule)."""
    if isinstance(comment, str):
        comment = comment.encode("utf-8")
    elif not isinstance(comment, (bytes, bytearray, memoryview)):
        raise TypeError("comment must be str, bytes, bytearray or memoryview, "
                        f"not {type(comment).__name__}")
    comment = bytes(comment)
    if len(comment) > MAX_PAYLOAD:
        raise ValueError(f"comment of {len(comment)} bytes does not fit one COM segment "
                         f"({MAX_PAYLOAD} bytes at most)")
    return comment


def build_metadata(icc_profile=None, exif=None, comment=None):
    """The metadata segments as (marker, payload) pairs in Pillow's order (after
    the JFIF APP0): Exif APP1, ICC APP2 chunks, COM. None or empty leaves one
    out. Each argument is checked (see exif_payload, icc_payloads,
    comment_payload for the errors) before anything is returned."""
    out = []
    if exif is not None and (payload := exif_payload(exif)):
        out.append((APP1, payload))
    if icc_profile is not None:
        out += [(APP2, chunk) for chunk in icc_payloads(icc_profile)]
    if comment is not None and (payload := comment_payload(comment)):
        out.append((COM, payload))
    return out
# ==== end metadata: writers ====


# ==== decode: marker parser ====
# One function per segment.  Each takes the parser state and the offset of the
# segment's payload (after the 2-byte length) and its end, validates what it
# reads against what libjpeg accepts, and raises JPEGError with the byte
# offset of the offending field.

from dataclasses import dataclass, field as _field

from .errors import JPEGError as _JPEGError
from .tables import (DC_LUMA_K3 as _DC0, DC_CHROMA_K4 as _DC1, AC_LUMA_K5 as _AC0,
                     AC_CHROMA_K6 as _AC1, ARITH_DC_L, ARITH_DC_U,
                     ARITH_AC_K)

# marker codes (the byte after 0xFF), T.81 Table B.1
SOI, EOI, SOS, DQT, DHT, DRI, DNL, DAC, COM, TEM = (
    0xD8, 0xD9, 0xDA, 0xDB, 0xC4, 0xDD, 0xDC, 0xCC, 0xFE, 0x01)
SOF0, SOF1, SOF2 = 0xC0, 0xC1, 0xC2
SOF9, SOF10 = 0xC9, 0xCA        # arithmetic coding: extended sequential, progressive
SOF3 = 0xC3                     # lossless (T.81 Annex H), Huffman coding
# the frames jpeglite decodes (SOF3: lossless, not a DCT frame, but read by
# the same marker loop)
DCT_SOF = frozenset([SOF0, SOF1, SOF2, SOF3, SOF9, SOF10])
RST0, RST7 = 0xD0, 0xD7
APP0, APP1, APP2, APP14, APP15 = 0xE0, 0xE1, 0xE2, 0xEE, 0xEF

# frame types jpeglite does not decode, named for the error message
UNSUPPORTED_SOF = {
    0xC5: "hierarchical differential sequential (SOF5)",
    0xC6: "hierarchical differential progressive (SOF6)",
    0xC7: "hierarchical differential lossless (SOF7)",
    0xC8: "JPG extension (SOF8)",
    0xCB: "arithmetic coding (SOF11, lossless)",
    0xCD: "arithmetic coding (SOF13, hierarchical)",
    0xCE: "arithmetic coding (SOF14, hierarchical progressive)",
    0xCF: "arithmetic coding (SOF15, hierarchical lossless)",
}

# markers with a length-prefixed segment that the decoder reads or skips
KNOWN_SEGMENTS = frozenset([SOF0, SOF1, SOF2, SOF3, SOF9, SOF10, DHT, DQT, DRI, SOS, DNL, DAC, COM]
                           + list(range(APP0, APP15 + 1)))

MAX_SCANS = 1000            # like libjpeg-turbo's scan limit: bounds the work per file
MAX_BLOCKS_IN_MCU = 10      # T.81 B.2.3, enforced by libjpeg too


@dataclass
class FrameComponent:
    """One image component as the SOF declares it."""
    ident: int
    h: int                  # horizontal sampling factor, 1..4
    v: int                  # vertical sampling factor, 1..4
    tq: int                 # quantization table slot, 0..3 (0..255 if no scan reads it)
    index: int              # position in the frame


@dataclass
class Frame:
    """The frame header (SOF): size in pixels, components, coding process."""
    marker: int
    width: int
    height: int
    components: list
    progressive: bool
    offset: int
    arithmetic: bool = False    # SOF9/SOF10: arithmetic-coded scans (T.81 Annex D)
    precision: int = 8          # bits per sample: 8 or 12 (DCT), 2..16 (lossless)
    lossless: bool = False      # SOF3: predictive lossless scans (T.81 Annex H)

    # cached: read several times per scan, and the components are set once
    # by parse_sof
    @_functools.cached_property
    def max_h(self):
        """The largest horizontal sampling factor of the frame's components."""
        return max(c.h for c in self.components)

    @_functools.cached_property
    def max_v(self):
        """The largest vertical sampling factor of the frame's components."""
        return max(c.v for c in self.components)


@dataclass
class Scan:
    """A scan header (SOS): its components with their table slots, the
    spectral band Ss..Se and the successive-approximation bits Ah, Al."""
    components: list        # (FrameComponent, dc slot, ac slot)
    Ss: int
    Se: int
    Ah: int
    Al: int
    offset: int
    data_start: int         # first byte of entropy-coded data


@dataclass
class ArithConditioning:
    """The arithmetic-coding conditioning tables (DAC, T.81 B.2.4.3) per slot
    0..15: DC bounds L and U (F.1.4.4.1.4) and AC Kx (F.1.4.4.2.1), libjpeg's
    defaults until a DAC segment sets them."""
    dc_l: list = _field(default_factory=lambda: [ARITH_DC_L] * 16)
    dc_u: list = _field(default_factory=lambda: [ARITH_DC_U] * 16)
    ac_k: list = _field(default_factory=lambda: [ARITH_AC_K] * 16)


@dataclass
class DecoderState:
    """What the markers seen so far have defined."""
    data: bytes
    qt: list = _field(default_factory=lambda: [None] * 4)       # uint16 (64,) natural order
    dht: list = _field(default_factory=lambda: [None] * 8)      # (counts, symbols, offset); DC 0-3, AC 4-7
    restart_interval: int = 0
    conditioning: ArithConditioning = _field(default_factory=ArithConditioning)
    jfif: bool = False
    adobe_transform: int = None   # APP14 "Adobe" colour transform flag, None if absent
    frame: Frame = None
    scans: int = 0
    # APPn and COM segments other than JFIF APP0 and Adobe APP14, as
    # (marker code, payload start, payload end): offsets, so a decode copies nothing
    extra_segments: list = _field(default_factory=list)
    max_pixels: int = 178956970


@dataclass
class TableSet:
    """The tables a tables-only stream defines (T.81 B.5): a model shared by
    abbreviated image streams.

    ``qtables``: {slot 0..3: uint16 (64,) natural order}; ``huffman``:
    {(class 0 DC / 1 AC, id 0..3): (bits: 16 counts, values)}.
    """
    qtables: dict
    huffman: dict

    def to_bytes(self):
        """The tables-only stream (SOI, APP0, DQT, DHT, EOI): bytes."""
        return tables_stream(self.qtables, self.huffman)

    @classmethod
    def from_state(cls, st):
        """The tables a parser state's stream defined (the Annex K Huffman
        defaults a fresh state starts with, and preset tables, left out)."""
        return cls({slot: t for slot, t in enumerate(st.qt) if t is not None},
                   {(slot // 4, slot % 4): (tuple(e[0]), tuple(e[1]))
                    for slot, e in enumerate(st.dht) if e is not None and e[2] is not None})

    def preset(self, st):
        """Define these tables in parser state ``st`` before its stream is read."""
        for slot, table in self.qtables.items():
            st.qt[slot] = _np.asarray(table, _np.uint16)
        for (cls, tid), (bits, values) in self.huffman.items():
            st.dht[4 * cls + tid] = (tuple(bits), tuple(values), None)


def new_decoder_state(data, max_pixels=178956970):
    """A fresh state.  Huffman slots 0 and 1 start with the Annex K tables, as
    libjpeg-turbo does for Motion-JPEG frames that leave out their DHT."""
    st = DecoderState(data=data, max_pixels=max_pixels)
    st.dht[0] = (_DC0[0], _DC0[1], None)
    st.dht[1] = (_DC1[0], _DC1[1], None)
    st.dht[4] = (_AC0[0], _AC0[1], None)
    st.dht[5] = (_AC1[0], _AC1[1], None)
    return st


def check_soi(data):
    """The file must start with SOI (0xFF 0xD8); returns the offset after it."""
    if len(data) < 2 or data[0] != 0xFF or data[1] != SOI:
        raise _JPEGError("not a JPEG file: it does not start with an SOI marker", 0)
    return 2


def marker_code(data, ff_pos):
    """(code, offset of the code byte) of the marker whose first 0xFF is at ff_pos."""
    p = ff_pos + 1
    n = len(data)
    while p < n and data[p] == 0xFF:
        p += 1
    if p >= n:
        raise _JPEGError("truncated: the data ends inside a marker", n)
    return data[p], p


def segment_bounds(data, code_pos, name, lenient=False):
    """(payload start, payload end) of the segment whose marker code is at code_pos.

    A length below 2 (it counts its own two bytes) is an error, or with
    ``lenient`` (APPn, COM, which libjpeg skips without reading) an empty segment.
    """
    n = len(data)
    if code_pos + 3 > n:
        raise _JPEGError(f"truncated: the data ends inside the {name} length", code_pos + 1)
    length = (data[code_pos + 1] << 8) | data[code_pos + 2]
    if length < 2:
        if lenient:
            return code_pos + 3, code_pos + 3
        raise _JPEGError(f"bad {name} segment length {length}", code_pos + 1)
    end = code_pos + 1 + length
    if end > n:
        raise _JPEGError(f"truncated: the {name} segment needs {length} bytes, "
                         f"{n - code_pos - 1} are left", code_pos + 1)
    return code_pos + 3, end


def parse_app(st, code, start, end):
    """APPn: record JFIF (APP0) and Adobe (APP14, its transform flag); keep
    the place of every other APPn in ``st.extra_segments``. A JFIF or Adobe
    segment after the first scan changes no flag: libjpeg settles the colour
    space in jpeg_read_header, at the first SOS, and converts by it."""
    d = st.data
    if code == APP0 and end - start >= 14 and bytes(d[start:start + 5]) == b"JFIF\0":
        if st.scans == 0:
            st.jfif = True
    elif code == APP14 and end - start >= 12 and bytes(d[start:start + 5]) == b"Adobe":
        if st.scans == 0:
            st.adobe_transform = d[start + 11]
    else:
        st.extra_segments.append((code, start, end))


# APPn payloads by their identifier strings (JFIF 1.02, Exif 2.3 4.5.4, ICC.1 B.4,
# XMP part 3 1.1.3, CIPA DC-007 MPF, Adobe TN 5116 / Photoshop IRB)
_APP_IDENTIFIERS = (
    (APP0, b"JFIF\0", "JFIF"),
    (APP0, b"JFXX\0", "JFXX thumbnail"),
    (0xE1, EXIF_SIGNATURE[:5], "Exif"),      # some writers put junk after its first NUL
    (0xE1, b"http://ns.adobe.com/xap/1.0/\0", "XMP"),
    (0xE1, b"http://ns.adobe.com/xmp/extension/\0", "XMP extension"),
    (0xE2, ICC_SIGNATURE, "ICC_PROFILE"),
    (0xE2, b"MPF\0", "MPF"),
    (0xED, b"Photoshop 3.0\0", "Photoshop (IPTC)"),
    (APP14, b"Adobe", "Adobe"),
)


def segment_name(code, payload=b""):
    """A short name for the marker ``code`` whose segment payload (after the
    length) is ``payload``: "SOF2", "RST3", "APP1 Exif", "APP2 ICC_PROFILE 1/3",
    "APP13 Photoshop (IPTC)", "APP9 other", ..."""
    fixed = {SOI: "SOI", EOI: "EOI", SOS: "SOS", DQT: "DQT", DHT: "DHT", DRI: "DRI",
             DNL: "DNL", DAC: "DAC", COM: "COM", TEM: "TEM"}
    if code in fixed:
        return fixed[code]
    if 0xC0 <= code <= 0xCF:
        return f"SOF{code - 0xC0}"
    if RST0 <= code <= RST7:
        return f"RST{code - RST0}"
    if APP0 <= code <= APP15:
        name = f"APP{code - APP0}"
        payload = bytes(payload[:40])
        for c, ident, what in _APP_IDENTIFIERS:
            if c == code and payload.startswith(ident):
                if what == "ICC_PROFILE" and len(payload) >= 14:
                    what += f" {payload[12]}/{payload[13]}"      # chunk number / count
                return f"{name} {what}"
        return f"{name} other"
    return f"0x{code:02X}"


def parse_com(st, start, end):
    """COM: a comment; nothing in it affects decoding (kept as an offset)."""
    st.extra_segments.append((COM, start, end))


def metadata_segments(st):
    """The APPn and COM segments the parser kept, as (marker code, payload bytes) in file order."""
    return [(code, bytes(st.data[a:b])) for code, a, b in st.extra_segments]


def parse_dqt(st, start, end):
    """DQT: one or more quantization tables, 8-bit (Pq=0) or 16-bit (Pq=1;
    libjpeg reads any nonzero Pq as 16-bit, and so does this), stored in
    zigzag order; kept in natural order."""
    d = st.data
    p = start
    while p < end:
        pq, tq = d[p] >> 4 != 0, d[p] & 15
        if tq > 3:
            raise _JPEGError(f"bad DQT table id {tq} (0..3)", p)
        size = 64 * (pq + 1)
        if p + 1 + size > end:
            raise _JPEGError("DQT segment length does not match its tables", p)
        raw = _np.frombuffer(bytes(d[p + 1:p + 1 + size]), dtype=">u2" if pq else _np.uint8)
        table = _np.empty(64, dtype=_np.uint16)
        table[_ZIGZAG] = raw
        st.qt[tq] = table
        p += 1 + size


def parse_dht(st, start, end):
    """DHT: one or more Huffman tables (class 0 = DC, 1 = AC; slot 0..3), each
    16 code-length counts and the symbols.  Checked for consistency when a
    scan first uses them (libjpeg accepts unused broken tables)."""
    d = st.data
    p = start
    while p < end:
        tc, th = d[p] >> 4, d[p] & 15
        if tc > 1 or th > 3:
            raise _JPEGError(f"bad DHT table class/id {tc}/{th}", p)
        if p + 17 > end:
            raise _JPEGError("DHT segment length does not match its tables", p)
        counts = tuple(d[p + 1:p + 17])
        nsym = sum(counts)
        if nsym > 256 or p + 17 + nsym > end:
            raise _JPEGError(f"bad DHT table: {nsym} codes do not fit the segment", p)
        symbols = tuple(d[p + 17:p + 17 + nsym])
        st.dht[4 * tc + th] = (counts, symbols, p)
        p += 17 + nsym


def parse_dri(st, start, end):
    """DRI: the restart interval in MCUs (0 = no restart markers)."""
    if end - start != 2:
        raise _JPEGError("bad DRI segment length", start - 2)
    st.restart_interval = (st.data[start] << 8) | st.data[start + 1]


def parse_dac(st, start, end):
    """DAC: arithmetic conditioning values, two bytes each: Tc << 4 | Tb (a
    DC slot 0..15 or, with Tc = 1, an AC slot) and its value (DC: U << 4 | L,
    L <= U; AC: Kx), checked as libjpeg checks them."""
    d = st.data
    if (end - start) % 2:
        raise _JPEGError("DAC segment length is not a whole number of entries", start - 2)
    cond = st.conditioning
    for p in range(start, end, 2):
        index, value = d[p], d[p + 1]
        if index >= 32:
            raise _JPEGError(f"bad DAC table class/id {index >> 4}/{index & 15}", p)
        if index >= 16:
            cond.ac_k[index - 16] = value
        else:
            if value & 15 > value >> 4:
                raise _JPEGError(f"bad DAC DC bounds L={value & 15} > U={value >> 4}", p + 1)
            cond.dc_l[index] = value & 15
            cond.dc_u[index] = value >> 4


def parse_sof(st, code, start, end):
    """SOF0/SOF1/SOF2 (Huffman), SOF9/SOF10 (arithmetic): frame size,
    components, sampling factors, table slots."""
    d = st.data
    if st.frame is not None:
        raise _JPEGError("a second SOF marker", start - 3)
    if end - start < 6:
        raise _JPEGError("SOF segment too short", start - 2)
    precision = d[start]
    height = (d[start + 1] << 8) | d[start + 2]
    width = (d[start + 3] << 8) | d[start + 4]
    n = d[start + 5]
    # ---- hibit: the sample precisions libjpeg-turbo 3 reads ----
    if code == SOF3:
        if not 2 <= precision <= 16:
            raise _JPEGError(f"bad lossless sample precision {precision} (2..16)", start)
    elif precision not in (8, 12):
        raise _JPEGError(f"{precision}-bit samples in a DCT frame (8 or 12)", start)
    if height == 0 or width == 0:
        raise _JPEGError(f"empty image: {width} x {height} pixels "
                         "(a height set later by DNL is not supported)", start + 1)
    if n == 0:
        raise _JPEGError("the frame has no components", start + 5)
    if end - start != 6 + 3 * n:
        raise _JPEGError(f"SOF length does not match its {n} components", start - 2)
    if n not in (1, 3, 4):
        raise _JPEGError(f"{n}-component images are not supported (1, 3 or 4)", start + 5)
    if width * height > st.max_pixels:
        raise _JPEGError(f"image of {width} x {height} = {width * height} pixels exceeds "
                         f"max_pixels={st.max_pixels}", start + 1)
    comps = []
    for i in range(n):
        p = start + 6 + 3 * i
        ident, hv, tq = d[p], d[p + 1], d[p + 2]
        h, v = hv >> 4, hv & 15
        if any(c.ident == ident for c in comps):
            raise _JPEGError(f"duplicate component id {ident}", p)
        if not (1 <= h <= 4 and 1 <= v <= 4):
            raise _JPEGError(f"bad sampling factors {h}x{v} (1..4)", p + 1)
        # a table id past 3 is an error only for a component a scan reads
        # (libjpeg checks it when it latches the table)
        comps.append(FrameComponent(ident, h, v, tq, i))
    frame = Frame(code, width, height, comps, code in (SOF2, SOF10), start - 3,
                  code in (SOF9, SOF10), precision, code == SOF3)
    for c in comps:
        if frame.max_h % c.h or frame.max_v % c.v:
            raise _JPEGError(f"fractional sampling ({c.h}x{c.v} of {frame.max_h}x{frame.max_v}) "
                             "is not supported", start + 7 + 3 * c.index)
    # Every block of every component costs at least one bit of Huffman-coded
    # data (its DC code, in sequential and DC-first scans alike), so data that
    # has fewer bits left than the frame has blocks cannot complete it.
    # Refusing here, before anything is allocated, keeps a decode's memory and
    # work proportional to its input (a 600-byte file cannot make the decoder
    # fill a 12000 x 12000 frame with zeros, as libjpeg would).
    # An arithmetic coder has no such bound: a run of decisions that each take
    # the more probable symbol is coded as zero bytes (T.81 D.1.3: the MPS is
    # the lower subinterval), and the decoder feeds zeros after the last byte
    # of a segment, so a valid file of a few hundred bytes can describe a
    # large flat frame. Arithmetic frames are bounded by max_pixels and the
    # decoder's work budget alone.
    # (A lossless frame codes every sample with a Huffman code of one bit or
    # more: the same bound, counting samples.)
    blocks = frame_blocks(frame)
    bits_left = 8 * (len(d) - end)
    unit = "samples" if frame.lossless else "blocks"
    if bits_left < blocks and not frame.arithmetic:
        raise _JPEGError(f"too short for its frame: {width} x {height} pixels are {blocks} "
                         f"{unit}, each needing at least one bit, and {bits_left} bits follow "
                         "the frame header (truncated or a decompression bomb)", start + 1)
    st.frame = frame


def frame_blocks(frame):
    """The number of 8x8 blocks that cover every component of the frame (each
    component's samples rounded up to whole blocks, without MCU padding: the
    fewest blocks any scan layout codes); for a lossless frame, whose data
    unit is one sample, the number of samples."""
    total = 0
    unit = 1 if frame.lossless else 8
    for c in frame.components:
        comp_w = -(-frame.width * c.h // frame.max_h)
        comp_h = -(-frame.height * c.v // frame.max_v)
        total += -(-comp_w // unit) * -(-comp_h // unit)
    return total


def parse_sos(st, start, end):
    """SOS: the scan's components and tables, spectral band and approximation."""
    d = st.data
    f = st.frame
    if f is None:
        raise _JPEGError("SOS before any SOF", start - 3)
    st.scans += 1
    if st.scans > MAX_SCANS:
        raise _JPEGError(f"more than {MAX_SCANS} scans", start - 3)
    if end - start < 1:
        raise _JPEGError("SOS segment too short", start - 2)
    ns = d[start]
    if not 1 <= ns <= 4 or end - start != 4 + 2 * ns:
        raise _JPEGError(f"bad SOS: {ns} components in a {end - start + 2}-byte segment", start)
    comps = []
    for i in range(ns):
        p = start + 1 + 2 * i
        ident, tdta = d[p], d[p + 1]
        match = [c for c in f.components if c.ident == ident]
        if not match:
            raise _JPEGError(f"scan names component id {ident} that the frame lacks", p)
        if any(c is match[0] for c, _, _ in comps):
            raise _JPEGError(f"scan names component id {ident} twice", p)
        # table ids are checked where a scan uses them (libjpeg: a Huffman
        # id 4+ of a class the scan never reads is no error; arithmetic
        # conditioning slots are 0..15)
        comps.append((match[0], tdta >> 4, tdta & 15))
    p = start + 1 + 2 * ns
    Ss, Se, Ah, Al = d[p], d[p + 1], d[p + 2] >> 4, d[p + 2] & 15
    if f.lossless:
        # Ss: the predictor; Al: the point transform (H.1.2.1, libjpeg's checks)
        if not 1 <= Ss <= 7 or Se != 0 or Ah != 0 or Al >= f.precision:
            raise _JPEGError(f"bad lossless scan: predictor {Ss} (1..7), Se={Se}, Ah={Ah} "
                             f"(0), point transform {Al} (below {f.precision})", p)
    elif f.progressive:
        bad = None
        if Ss == 0 and Se != 0:
            bad = "a DC scan must have Se = 0"
        elif Ss != 0 and (Ss > Se or Se > 63):
            bad = f"bad spectral band {Ss}..{Se}"
        elif Ss != 0 and ns != 1:
            bad = "an AC scan must have one component"
        elif Ah != 0 and Al != Ah - 1:
            bad = f"refinement scan with Ah={Ah}, Al={Al} (need Al = Ah - 1)"
        elif Al > 13:
            bad = f"Al={Al} > 13"
        if bad:
            raise _JPEGError(f"bad progression: {bad}", p)
    if ns > 1 and sum(c.h * c.v for c, _, _ in comps) > MAX_BLOCKS_IN_MCU:
        raise _JPEGError(f"an interleaved MCU of more than {MAX_BLOCKS_IN_MCU} blocks", start)
    return Scan(comps, Ss, Se, Ah, Al, start - 3, end)

# ==== end decode: marker parser ====


# ==== metadata: readers ====
# What the APPn and COM segments a decode kept carry (``metadata_segments``
# gives them as (marker, payload) pairs, as Coefficients.metadata holds them). Every byte is hostile: a broken ICC chunk set or a short segment
# is reported or ignored, never an exception.

def icc_chunks(segments):
    """Reassemble an ICC profile from APP2 ``ICC_PROFILE`` chunks (ICC.1 B.4)
    in ``segments`` ((marker, payload) pairs): (profile bytes or None, problem
    or None).

    Chunks are ordered by sequence number, wherever they are in the file.
    The set must be consistent, as libjpeg's ``jpeg_read_icc_profile`` checks
    it: every chunk gives the same count, sequence numbers 1..count each once
    (a repeat of a chunk with the same bytes is ignored, where libjpeg gives
    up: Pillow reads such a file, which repeats its chunk after the SOF);
    otherwise the profile is None and ``problem`` says what is wrong. APP2
    segments too short for the 14-byte chunk header are not chunks (libjpeg's
    rule). (None, None) when the file has no ICC chunks.
    """
    chunks = {}
    count = None
    for code, payload in segments:
        if code != APP2 or len(payload) < 14 or bytes(payload[:12]) != ICC_SIGNATURE:
            continue
        seq, n = payload[12], payload[13]
        if count is None:
            count = n
        if n != count:
            return None, f"ICC chunks disagree on their count ({count} and {n})"
        if not 1 <= seq <= n:
            return None, f"ICC chunk sequence number {seq} outside 1..{n}"
        if seq in chunks:
            if bytes(chunks[seq]) == bytes(payload):
                continue            # the same chunk written twice (Pillow's icc-after-SOF.jpg)
            return None, f"ICC chunk {seq} appears twice, with different bytes"
        chunks[seq] = payload
    if count is None:
        return None, None
    if len(chunks) != count:
        missing = sorted(set(range(1, count + 1)) - set(chunks))
        return None, f"ICC chunks {missing} of {count} are missing"
    return b"".join(bytes(chunks[i][14:]) for i in range(1, count + 1)), None


def icc_profile(segments):
    """The ICC profile that the APP2 chunks in ``segments`` carry, or None
    (no chunks, or a broken set: see ``icc_chunks``)."""
    return icc_chunks(segments)[0]


def exif(segments):
    """The payload of the first APP1 ``Exif\\0\\0`` segment in ``segments``,
    its header included (as Pillow's ``info["exif"]``, and as ``encode(exif=)``
    takes it), or None."""
    for code, payload in segments:
        if code == APP1 and bytes(payload[:6]) == EXIF_SIGNATURE:
            return bytes(payload)
    return None


def comments(segments):
    """The payloads of the COM segments in ``segments``, in file order (bytes each)."""
    return [bytes(payload) for code, payload in segments if code == COM]
# ==== end metadata: readers ====
