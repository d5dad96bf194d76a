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


# ==== arithmetic coding (T.81 Annex D) ====
# Table D.2, the QM-coder's probability estimation state machine: per
# Qe_Index 0..112 (Qe_Value, Next_Index_LPS, Next_Index_MPS, Switch_MPS).
# Qe is the LPS probability on the coder's 16-bit interval scale (0x8000..0xFFFF
# holds a normalized interval); Switch_MPS 1 means an LPS in this state flips
# the sense of the MPS.
QE_TABLE_D2 = (
    (0x5A1D, 1, 1, 1), (0x2586, 14, 2, 0), (0x1114, 16, 3, 0), (0x080B, 18, 4, 0),
    (0x03D8, 20, 5, 0), (0x01DA, 23, 6, 0), (0x00E5, 25, 7, 0), (0x006F, 28, 8, 0),
    (0x0036, 30, 9, 0), (0x001A, 33, 10, 0), (0x000D, 35, 11, 0), (0x0006, 9, 12, 0),
    (0x0003, 10, 13, 0), (0x0001, 12, 13, 0), (0x5A7F, 15, 15, 1), (0x3F25, 36, 16, 0),
    (0x2CF2, 38, 17, 0), (0x207C, 39, 18, 0), (0x17B9, 40, 19, 0), (0x1182, 42, 20, 0),
    (0x0CEF, 43, 21, 0), (0x09A1, 45, 22, 0), (0x072F, 46, 23, 0), (0x055C, 48, 24, 0),
    (0x0406, 49, 25, 0), (0x0303, 51, 26, 0), (0x0240, 52, 27, 0), (0x01B1, 54, 28, 0),
    (0x0144, 56, 29, 0), (0x00F5, 57, 30, 0), (0x00B7, 59, 31, 0), (0x008A, 60, 32, 0),
    (0x0068, 62, 33, 0), (0x004E, 63, 34, 0), (0x003B, 32, 35, 0), (0x002C, 33, 9, 0),
    (0x5AE1, 37, 37, 1), (0x484C, 64, 38, 0), (0x3A0D, 65, 39, 0), (0x2EF1, 67, 40, 0),
    (0x261F, 68, 41, 0), (0x1F33, 69, 42, 0), (0x19A8, 70, 43, 0), (0x1518, 72, 44, 0),
    (0x1177, 73, 45, 0), (0x0E74, 74, 46, 0), (0x0BFB, 75, 47, 0), (0x09F8, 77, 48, 0),
    (0x0861, 78, 49, 0), (0x0706, 79, 50, 0), (0x05CD, 48, 51, 0), (0x04DE, 50, 52, 0),
    (0x040F, 50, 53, 0), (0x0363, 51, 54, 0), (0x02D4, 52, 55, 0), (0x025C, 53, 56, 0),
    (0x01F8, 54, 57, 0), (0x01A4, 55, 58, 0), (0x0160, 56, 59, 0), (0x0125, 57, 60, 0),
    (0x00F6, 58, 61, 0), (0x00CB, 59, 62, 0), (0x00AB, 61, 63, 0), (0x008F, 61, 32, 0),
    (0x5B12, 65, 65, 1), (0x4D04, 80, 66, 0), (0x412C, 81, 67, 0), (0x37D8, 82, 68, 0),
    (0x2FE8, 83, 69, 0), (0x293C, 84, 70, 0), (0x2379, 86, 71, 0), (0x1EDF, 87, 72, 0),
    (0x1AA9, 87, 73, 0), (0x174E, 72, 74, 0), (0x1424, 72, 75, 0), (0x119C, 74, 76, 0),
    (0x0F6B, 74, 77, 0), (0x0D51, 75, 78, 0), (0x0BB6, 77, 79, 0), (0x0A40, 77, 48, 0),
    (0x5832, 80, 81, 1), (0x4D1C, 88, 82, 0), (0x438E, 89, 83, 0), (0x3BDD, 90, 84, 0),
    (0x34EE, 91, 85, 0), (0x2EAE, 92, 86, 0), (0x299A, 93, 87, 0), (0x2516, 86, 71, 0),
    (0x5570, 88, 89, 1), (0x4CA9, 95, 90, 0), (0x44D9, 96, 91, 0), (0x3E22, 97, 92, 0),
    (0x3824, 99, 93, 0), (0x32B4, 99, 94, 0), (0x2E17, 93, 86, 0), (0x56A8, 95, 96, 1),
    (0x4F46, 101, 97, 0), (0x47E5, 102, 98, 0), (0x41CF, 103, 99, 0), (0x3C3D, 104, 100, 0),
    (0x375E, 99, 93, 0), (0x5231, 105, 102, 0), (0x4C0F, 106, 103, 0), (0x4639, 107, 104, 0),
    (0x415E, 103, 99, 0), (0x5627, 105, 106, 1), (0x50E7, 108, 107, 0), (0x4B85, 109, 103, 0),
    (0x5597, 110, 109, 0), (0x504F, 111, 107, 0), (0x5A10, 110, 111, 1), (0x5522, 112, 109, 0),
    (0x59EB, 112, 111, 1),
)
# The fixed probability estimate of the sign of AC coefficients and of DC
# refinement bits (T.81 F.1.4.4.2, G.1.3.2): Qe of one half, never adapted.
QE_FIXED = 0x5A1D
# DAC defaults (T.81 F.1.4.4.1.4, F.1.4.4.2.1): DC conditioning bounds L = 0, U = 1;
# AC conditioning Kx = 5.
ARITH_DC_L, ARITH_DC_U, ARITH_AC_K = 0, 1, 5
# ==== end arithmetic coding ====
