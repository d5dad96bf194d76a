# Per-block entropy kernels shared by the drivers.

# ==== encode: run-length symbols and baseline scan coding ====

# ==== end encode: run-length symbols and baseline scan coding ====


# ==== decode: baseline and progressive scan decoding ====
from libc.stdint cimport uint8_t, int16_t, int32_t, uint32_t
from jpeglite._huffman cimport HuffDecodeTable, BitReader

cdef enum:
    # what a scan codes (T.81 G.1.2): sequential, or one progressive pass
    SCAN_SEQUENTIAL = 0
    SCAN_DC_FIRST = 1
    SCAN_DC_REFINE = 2
    SCAN_AC_FIRST = 3
    SCAN_AC_REFINE = 4

cdef enum:
    # scan decoder results
    SCAN_OK = 0
    SCAN_TRUNCATED = 1      # the input ended inside the entropy-coded data

ctypedef struct ScanComponent:
    int16_t* coefs          # blocks of 64 natural-order coefficients, row-major
    Py_ssize_t blocks_w     # blocks per row in coefs
    int h, v                # blocks of this component per MCU (1, 1 if non-interleaved)
    const HuffDecodeTable* dc
    const HuffDecodeTable* ac
    int32_t last_dc         # DC predictor

ctypedef struct ScanState:
    BitReader br
    int ncomps
    ScanComponent comps[4]
    int mcus_x, mcus_y      # MCUs per row and MCU rows in this scan
    int restart_interval    # MCUs per restart interval, 0 = none
    int kind                # SCAN_*
    int Ss, Se, Ah, Al
    int eobrun
    int error_pos_valid
    Py_ssize_t error_pos    # byte offset where decoding failed
    int corrupt_segments    # data segments that ran into a marker early (libjpeg warns)
    int bad_restarts        # restart markers missing or out of order (resynchronised)

cdef int decode_scan(ScanState* st) noexcept nogil
cdef Py_ssize_t find_marker(const uint8_t* data, Py_ssize_t pos, Py_ssize_t end) noexcept nogil

# ==== end decode: baseline and progressive scan decoding ====
