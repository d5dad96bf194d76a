"""The constant tables of baseline JPEG, in one place.

Everything here is a fact of ITU-T T.81 (ISO/IEC 10918-1) or of the IJG
quality convention; nothing here is tuned.

- ``LUMA_QUANT_K1`` and ``CHROMA_QUANT_K2``: the example quantization tables of
  Annex K.1, in natural (row-major) order.
- ``DC_LUMA_K3``, ``DC_CHROMA_K4``, ``AC_LUMA_K5``, ``AC_CHROMA_K6``: the typical
  Huffman tables of Annex K.3, each as ``(bits, values)`` where ``bits[i]`` is
  the number of codes of length ``i + 1`` (16 entries) and ``values`` lists the
  symbols in order of increasing code length, exactly as a DHT segment stores them.
- ``ZIGZAG``: ``ZIGZAG[k]`` is the natural (row-major) index of the k-th
  coefficient in zigzag order (Figure A.6); ``UNZIGZAG`` is its inverse.
- ``scale_quant_table``: the IJG quality scaling (libjpeg's
  ``jpeg_quality_scaling`` and ``jpeg_add_quant_table``), so that ``quality=75``
  means here what it means in libjpeg and Pillow, for the Annex K tables and
  for a caller's own tables alike.
"""
import numpy as np

__all__ = [
    "LUMA_QUANT_K1", "CHROMA_QUANT_K2",
    "DC_LUMA_K3", "DC_CHROMA_K4", "AC_LUMA_K5", "AC_CHROMA_K6",
    "ZIGZAG", "UNZIGZAG", "quality_scale", "scale_quant_table",
]

# Annex K.1, Table K.1: luminance quantization table (natural order).
LUMA_QUANT_K1 = np.array([
    16, 11, 10, 16, 24, 40, 51, 61,
    12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77,
    24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101,
    72, 92, 95, 98, 112, 100, 103, 99,
], dtype=np.uint16)

# Annex K.1, Table K.2: chrominance quantization table (natural order).
CHROMA_QUANT_K2 = np.array([
    17, 18, 24, 47, 99, 99, 99, 99,
    18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99,
    47, 66, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99,
], dtype=np.uint16)

# Annex K.3, Table K.3: luminance DC differences.
DC_LUMA_K3 = (
    (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0),
    tuple(range(12)),
)

# Annex K.3, Table K.4: chrominance DC differences.
DC_CHROMA_K4 = (
    (0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0),
    tuple(range(12)),
)

# Annex K.3, Table K.5: luminance AC coefficients (run/size symbols).
AC_LUMA_K5 = (
    (0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D),
    (
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12,
        0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
        0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08,
        0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0,
        0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16,
        0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28,
        0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
        0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
        0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
        0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
        0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79,
        0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
        0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
        0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6,
        0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5,
        0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4,
        0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
        0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA,
        0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
        0xF9, 0xFA,
    ),
)

# Annex K.3, Table K.6: chrominance AC coefficients (run/size symbols).
AC_CHROMA_K6 = (
    (0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77),
    (
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21,
        0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
        0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91,
        0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0,
        0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34,
        0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19, 0x1A, 0x26,
        0x27, 0x28, 0x29, 0x2A, 0x35, 0x36, 0x37, 0x38,
        0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
        0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
        0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
        0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78,
        0x79, 0x7A, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
        0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96,
        0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5,
        0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4,
        0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3,
        0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2,
        0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA,
        0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9,
        0xEA, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
        0xF9, 0xFA,
    ),
)

# Figure A.6: zigzag position k -> natural (row-major) index.
ZIGZAG = np.array([
    0, 1, 8, 16, 9, 2, 3, 10,
    17, 24, 32, 25, 18, 11, 4, 5,
    12, 19, 26, 33, 40, 48, 41, 34,
    27, 20, 13, 6, 7, 14, 21, 28,
    35, 42, 49, 56, 57, 50, 43, 36,
    29, 22, 15, 23, 30, 37, 44, 51,
    58, 59, 52, 45, 38, 31, 39, 46,
    53, 60, 61, 54, 47, 55, 62, 63,
], dtype=np.int32)

# natural index -> zigzag position
UNZIGZAG = np.argsort(ZIGZAG).astype(np.int32)

for _table in (LUMA_QUANT_K1, CHROMA_QUANT_K2, ZIGZAG):
    _table.setflags(write=False)
UNZIGZAG.setflags(write=False)


def quality_scale(quality):
    """Percentage scale factor for an IJG quality (1..100), as libjpeg computes it.

    50 gives 100 (the Annex K tables as printed); below 50 the tables grow as
    5000 / quality, above 50 they shrink linearly to 0 at quality 100.
    """
    if quality < 50:
        return 5000 // quality
    return 200 - 2 * quality


def scale_quant_table(base, quality, force_baseline=True):
    """Scale a quantization table (Annex K's or a caller's) for an IJG ``quality``.

    ``quality``: 1..100, or None for a scale of 100% (the table as given,
    which is what libjpeg's ``jpeg_add_quant_table`` does with a caller's
    tables when no quality is set). Each entry becomes
    ``(base * scale + 50) // 100`` clamped to 1..32767, and to 1..255 when
    ``force_baseline`` (8-bit tables, as ``jpeg_set_quality`` writes them).
    Returns a new uint16 array in the order of ``base``.
    """
    scale = 100 if quality is None else quality_scale(quality)
    table = (np.asarray(base, dtype=np.int64) * scale + 50) // 100
    table = np.clip(table, 1, 255 if force_baseline else 32767)
    return table.astype(np.uint16)


def estimate_quality(luma, chroma=None):
    """The IJG quality (1..100) whose scaled Annex K tables are nearest to a
    file's quantization tables (natural order): an estimate, as libjpeg has no
    quality field in the file. ``luma``: the table of the first component;
    ``chroma``: the second component's table, or None. The distance is the sum
    of absolute differences over both tables, ties going to the higher quality;
    tables that are not scaled Annex K tables get the nearest quality all the same.
    """
    luma = np.asarray(luma, dtype=np.int64).reshape(64)
    chroma = None if chroma is None else np.asarray(chroma, dtype=np.int64).reshape(64)
    best, best_q = None, 100
    for q in range(100, 0, -1):
        d = int(np.abs(scale_quant_table(LUMA_QUANT_K1, q).astype(np.int64) - luma).sum())
        if chroma is not None:
            d += int(np.abs(scale_quant_table(CHROMA_QUANT_K2, q).astype(np.int64) - chroma).sum())
        if best is None or d < best:
            best, best_q = d, q
    return best_q
