# Per-row colour kernels, cdef inline so the fused drivers inline them.

# ==== encode: RGB -> YCbCr ====
from libc.stdint cimport uint8_t

from jpeglite._simd cimport jl_simd_level

# The kernels, scalar, SSE2 and AVX2 side by side, are C: _color_simd.h.
cdef extern from "_color_simd.h":
    void jl_rgb_ycc_row(const uint8_t* rgb, uint8_t* y, uint8_t* cb, uint8_t* cr,
                        Py_ssize_t n, int level) noexcept nogil


cdef inline void rgb_to_ycc_row(const uint8_t* rgb, uint8_t* y, uint8_t* cb, uint8_t* cr,
                                Py_ssize_t n) noexcept nogil:
    """JFIF RGB -> YCbCr for n interleaved RGB pixels, bit-exact with libjpeg
    (jl_rgb_ycc_row in _color_simd.h, the variant this process selected)."""
    jl_rgb_ycc_row(rgb, y, cb, cr, n, jl_simd_level)

# ==== end encode: RGB -> YCbCr ====


# ==== decode: YCbCr -> RGB (and CMYK/YCCK) ====

cdef enum:
    # colour conversions of the decoder
    CC_GRAY = 0         # 1 component, as is
    CC_YCC_RGB = 1      # JFIF YCbCr -> RGB
    CC_RGB = 2          # RGB stored as is (Adobe transform 0)
    CC_CMYK = 3         # 4 components stored as is -> Pillow's CMYK
    CC_YCCK = 4         # Adobe YCCK -> Pillow's CMYK

cdef extern from "_color_simd.h":
    # libjpeg's jdcolor.c tables (their layout: _color_simd.h)
    ctypedef struct YccTables "jl_ycc_tables":
        pass
    void build_ycc_tables "jl_build_ycc_tables"(YccTables* t) noexcept nogil
    void jl_ycc_rgb_row(const uint8_t* y, const uint8_t* cb, const uint8_t* cr, uint8_t* out,
                        int w, int step, const YccTables* t, int level) noexcept nogil


# The tables, built once per process in _color.pyx, for every decoder.
cdef const YccTables* ycc_tables() noexcept nogil


cdef inline void ycc_rgb_row(const uint8_t* y, const uint8_t* cb, const uint8_t* cr,
                             uint8_t* out, int w, const YccTables* t) noexcept nogil:
    """A row of YCbCr to interleaved RGB (jl_ycc_rgb_row in _color_simd.h,
    the variant this process selected)."""
    jl_ycc_rgb_row(y, cb, cr, out, w, 3, t, jl_simd_level)


cdef inline void interleave3_row(const uint8_t* a, const uint8_t* b, const uint8_t* c,
                                 uint8_t* out, int w) noexcept nogil:
    cdef int x
    for x in range(w):
        out[3 * x] = a[x]
        out[3 * x + 1] = b[x]
        out[3 * x + 2] = c[x]


cdef inline void cmyk_row(const uint8_t* c, const uint8_t* m, const uint8_t* y,
                          const uint8_t* k, uint8_t* out, int w) noexcept nogil:
    """Adobe CMYK is stored inverted; Pillow reads every 4-component JPEG as
    inverted (rawmode CMYK;I), so its values are 255 - the stored ones."""
    cdef int x
    for x in range(w):
        out[4 * x] = 255 - c[x]
        out[4 * x + 1] = 255 - m[x]
        out[4 * x + 2] = 255 - y[x]
        out[4 * x + 3] = 255 - k[x]


cdef inline void ycck_cmyk_row_at(const uint8_t* y, const uint8_t* cb, const uint8_t* cr,
                                  const uint8_t* k, uint8_t* out, int w,
                                  const YccTables* t, int level) noexcept nogil:
    """YCCK -> CMYK as libjpeg computes it (C = 255 - R of the YCbCr part,
    K as stored), then inverted as Pillow does: so R, G, B, 255 - K; with
    the YCbCr variant of SIMD level `level` (_simd.h)."""
    cdef int x
    jl_ycc_rgb_row(y, cb, cr, out, w, 4, t, level)
    for x in range(w):
        out[4 * x + 3] = 255 - k[x]


cdef inline void ycck_cmyk_row(const uint8_t* y, const uint8_t* cb, const uint8_t* cr,
                               const uint8_t* k, uint8_t* out, int w,
                               const YccTables* t) noexcept nogil:
    """ycck_cmyk_row_at with the variant this process selected."""
    ycck_cmyk_row_at(y, cb, cr, k, out, w, t, jl_simd_level)

# ==== end decode: YCbCr -> RGB (and CMYK/YCCK) ====
