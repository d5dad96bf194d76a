# Per-row colour kernels, cdef inline so the fused drivers inline them.

# ==== encode: RGB -> YCbCr ====
from libc.stdint cimport uint8_t, int32_t

# libjpeg's fixed point (jccolor.c): FIX(x) = round(x * 2**16).
cdef enum:
    CC_SCALEBITS = 16
    CC_ONE_HALF = 1 << 15
    CC_CBCR_OFFSET = 128 << 16
    CC_FIX_0_29900 = 19595
    CC_FIX_0_58700 = 38470
    CC_FIX_0_11400 = 7471
    CC_FIX_0_16874 = 11059
    CC_FIX_0_33126 = 21709
    CC_FIX_0_50000 = 32768
    CC_FIX_0_41869 = 27439
    CC_FIX_0_08131 = 5329


cdef inline void rgb_to_ycc_row(const uint8_t* rgb, uint8_t* y, uint8_t* cb,
                                uint8_t* cr, Py_ssize_t n) noexcept nogil:
    """JFIF RGB -> YCbCr for n interleaved RGB pixels, bit-exact with libjpeg.

    Y rounds half up; Cb and Cr add ONE_HALF - 1 so 255 cannot round to 256.
    """
    cdef Py_ssize_t i
    cdef int32_t r, g, b
    for i in range(n):
        r = rgb[3 * i]
        g = rgb[3 * i + 1]
        b = rgb[3 * i + 2]
        y[i] = <uint8_t>((CC_FIX_0_29900 * r + CC_FIX_0_58700 * g + CC_FIX_0_11400 * b
                          + CC_ONE_HALF) >> CC_SCALEBITS)
        cb[i] = <uint8_t>((-CC_FIX_0_16874 * r - CC_FIX_0_33126 * g + CC_FIX_0_50000 * b
                           + CC_CBCR_OFFSET + CC_ONE_HALF - 1) >> CC_SCALEBITS)
        cr[i] = <uint8_t>((CC_FIX_0_50000 * r - CC_FIX_0_41869 * g - CC_FIX_0_08131 * b
                           + CC_CBCR_OFFSET + CC_ONE_HALF - 1) >> CC_SCALEBITS)
# ==== end encode: RGB -> YCbCr ====


# ==== decode: YCbCr -> RGB (and CMYK/YCCK) ====

# ==== end decode: YCbCr -> RGB (and CMYK/YCCK) ====
