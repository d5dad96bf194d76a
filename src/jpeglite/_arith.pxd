# Arithmetic entropy decoding (T.81 Annex D, F.1.4.4, G.1.3.2): the QM-coder
# and the coefficient models of sequential (SOF9) and progressive (SOF10) scans.
from libc.stdint cimport uint8_t, int16_t, int32_t, uint32_t
from jpeglite._huffman cimport BitReader

cdef enum:
    ARITH_TABLES = 16           # conditioning table slots (a 4-bit id in SOS and DAC)
    DC_BINS = 64                # statistics bins of one DC table (T.81 Table F.4 needs 49)
    AC_BINS = 256               # statistics bins of one AC table (Table F.5 needs 245)

ctypedef struct ArithComponent:
    int16_t* coefs              # blocks of 64 natural-order coefficients, row-major
    Py_ssize_t blocks_w         # blocks per row in coefs
    int h, v                    # blocks of this component per MCU (1, 1 if non-interleaved)
    int dc_tbl, ac_tbl          # conditioning table slots, 0..15
    int last_dc                 # DC predictor, 16 bits as libjpeg keeps it
    int dc_context              # the DC statistics bin S0 the next difference starts at
    int32_t* bits               # analysis only (else NULL): code bits per block, added to
    long long dc_bits           # analysis only: code bits of DC decisions (DC scans: all)
    long long total_bits        # analysis only: code bits of all its decisions

ctypedef struct ArithScan:
    BitReader br                # the byte source: position, the marker that stopped it, the end
    uint32_t c                  # code register: bits 16..31 are Cx, the bits below not yet in it
    uint32_t a                  # interval size (0x8000..0x10000 after renormalization)
    int ct                      # bits below Cx still to shift in before the next byte
    long long fed               # bytes shifted into c by renormalization (not qm_start's two)
    long long base              # coded_bits() = base + 8 fed - ct + the pending shifts of a
    bint broken                 # a bad code: nothing more is decoded until the next restart
    int ncomps
    ArithComponent comps[4]
    int mcus_x, mcus_y          # MCUs per row and MCU rows in this scan
    int restart_interval        # MCUs per restart interval, 0 = none
    int kind                    # _entropy SCAN_*
    int Ss, Se, Ah, Al
    int togo                    # MCUs left in this restart interval
    int next_rst                # the RSTn expected next, 0..7
    uint8_t dc_l[16]            # DAC conditioning: DC bounds L and U, AC Kx, per slot
    uint8_t dc_u[16]
    uint8_t ac_k[16]
    uint8_t dc_stats[16][64]    # per slot: MPS sense (bit 7) and Qe index (bits 0..6) of each bin
    uint8_t ac_stats[16][256]
    int bad_codes               # intervals given up on a bad code (libjpeg warns)
    int bad_restarts            # restart markers missing or out of order (resynchronised)
    Py_ssize_t error_pos

cdef int arith_decode_scan(ArithScan* s) noexcept nogil
