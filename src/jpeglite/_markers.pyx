# cython: language_level=3
"""The decoder's fast path over an ordinary file's headers, in one call.

``ordinary_header(data)`` walks the segments from SOI to the end of the first
SOS without a Python step per segment, and accepts only the framing of an
ordinary sequential file: SOI, then APPn, COM, DQT, DHT, DRI, one SOF0/SOF1
and an SOS, each marker right where the segment before it ends, each length
at least 2 and inside the data. It does not parse a segment's contents
(``jfif`` stays the one code that knows their syntax): it returns the bytes
of the segments that decide how the pixels are decoded (APP0, APP14, DQT,
DHT, DRI, SOF, SOS, in file order: metadata such as Exif is left out, so
photos differing only in their metadata share a key) and two offsets.
``decoder`` keys its cache of parsed scan plans by those bytes; anything
else (``None`` here: fill bytes, a progressive or arithmetic SOF, DNL, DAC,
RSTn, an empty APPn, a truncated segment, ...) goes through the marker loop.
"""
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from libc.string cimport memcpy

cdef enum:
    MAX_KEPT = 64           # pixel-relevant segments in a header, at most (else the loop)


cdef class OrdinaryHeader:
    """An ordinary file's header as ``ordinary_header`` found it.

    key: bytes, the APP0, APP14, DQT, DHT, DRI, SOF and SOS segments (markers
    included) in file order; sof_end: the offset after the SOF segment;
    data_start: the offset after the SOS segment (the first byte of the
    entropy-coded data).
    """
    cdef readonly bytes key
    cdef readonly Py_ssize_t sof_end, data_start


def ordinary_header(bytes data):
    """The ``OrdinaryHeader`` of ``data`` (a whole JPEG file), or None when its
    segments up to the first SOS are not those of an ordinary sequential
    file (see the module's docstring): the caller then runs the marker loop."""
    cdef const unsigned char* d = <const unsigned char*>PyBytes_AS_STRING(data)
    cdef Py_ssize_t n = PyBytes_GET_SIZE(data)
    cdef Py_ssize_t pos = 2, end, total = 0, sof_end = -1
    cdef Py_ssize_t starts[MAX_KEPT]
    cdef Py_ssize_t ends[MAX_KEPT]
    cdef int kept = 0, i, code, length
    cdef bint keep
    if n < 4 or d[0] != 0xFF or d[1] != 0xD8:
        return None
    while True:
        if pos + 4 > n or d[pos] != 0xFF:
            return None
        code = d[pos + 1]
        length = (d[pos + 2] << 8) | d[pos + 3]
        end = pos + 2 + length
        if length < 2 or end > n:
            return None
        if 0xE0 <= code <= 0xEF:            # APPn: JFIF (APP0), Adobe (APP14) matter
            keep = code == 0xE0 or code == 0xEE
        elif code == 0xFE:                  # COM
            keep = False
        elif code == 0xDB or code == 0xC4 or code == 0xDD:     # DQT, DHT, DRI
            keep = True
        elif code == 0xC0 or code == 0xC1:  # SOF0, SOF1
            if sof_end >= 0:
                return None
            sof_end = end
            keep = True
        elif code == 0xDA:                  # SOS
            if sof_end < 0:
                return None
            keep = True
        else:
            return None
        if keep:
            if kept == MAX_KEPT:
                return None
            starts[kept] = pos
            ends[kept] = end
            kept += 1
            total += end - pos
        pos = end
        if code == 0xDA:
            break
    cdef bytes key = PyBytes_FromStringAndSize(NULL, total)
    cdef char* out = PyBytes_AS_STRING(key)
    for i in range(kept):
        memcpy(out, d + starts[i], ends[i] - starts[i])
        out += ends[i] - starts[i]
    cdef OrdinaryHeader h = OrdinaryHeader.__new__(OrdinaryHeader)
    h.key = key
    h.sof_end = sof_end
    h.data_start = pos
    return h
