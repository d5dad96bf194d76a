# Per-row colour kernels, cdef inline so the fused drivers inline them.

# ==== encode: RGB -> YCbCr ====
from libc.stdint cimport uint8_t, uint16_t, uint32_t, int32_t

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


cdef extern from *:
    """
    /* Output rows never overlap the input: telling the compiler so lets it vectorize. */
    #if defined(__GNUC__) || defined(__clang__)
    typedef unsigned char * __restrict__ jl_enc_u8r;
    #elif defined(_MSC_VER)
    typedef unsigned char * __restrict jl_enc_u8r;
    #else
    typedef unsigned char * jl_enc_u8r;
    #endif
    """
    ctypedef uint8_t* u8_restrict "jl_enc_u8r"


cdef inline void rgb_to_ycc_row(const uint8_t* rgb, u8_restrict y, u8_restrict cb,
                                u8_restrict cr, Py_ssize_t n) noexcept nogil:
    """JFIF RGB -> YCbCr for n interleaved RGB pixels, bit-exact with libjpeg.

    Y rounds half up; Cb and Cr add ONE_HALF - 1 so 255 cannot round to 256.
    Pixels go through in chunks: de-interleaving into 16-bit arrays first
    leaves a loop of 16 x 16 -> 32-bit unsigned multiplies over contiguous
    arrays, which the compiler vectorizes with plain SSE2/NEON. Every sum is
    non-negative and below 2**32, so unsigned arithmetic gives libjpeg's values.
    """
    cdef uint16_t r[64]
    cdef uint16_t g[64]
    cdef uint16_t b[64]
    cdef Py_ssize_t base, i, m
    base = 0
    while base < n:
        m = n - base if n - base < 64 else 64
        for i in range(m):
            r[i] = rgb[3 * (base + i)]
            g[i] = rgb[3 * (base + i) + 1]
            b[i] = rgb[3 * (base + i) + 2]
        for i in range(m):
            y[base + i] = <uint8_t>((<uint32_t>r[i] * CC_FIX_0_29900 + <uint32_t>g[i] * CC_FIX_0_58700
                                     + <uint32_t>b[i] * CC_FIX_0_11400 + CC_ONE_HALF) >> CC_SCALEBITS)
            cb[base + i] = <uint8_t>((<uint32_t>b[i] * CC_FIX_0_50000 + CC_CBCR_OFFSET + CC_ONE_HALF - 1
                                      - <uint32_t>r[i] * CC_FIX_0_16874
                                      - <uint32_t>g[i] * CC_FIX_0_33126) >> CC_SCALEBITS)
            cr[base + i] = <uint8_t>((<uint32_t>r[i] * CC_FIX_0_50000 + CC_CBCR_OFFSET + CC_ONE_HALF - 1
                                      - <uint32_t>g[i] * CC_FIX_0_41869
                                      - <uint32_t>b[i] * CC_FIX_0_08131) >> CC_SCALEBITS)
        base += m
