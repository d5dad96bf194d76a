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

# ==== end encode: RGB -> YCbCr ====


# ==== decode: YCbCr -> RGB (and CMYK/YCCK) ====
from libc.stdint cimport uint8_t, int32_t

cdef enum:
    # colour conversions of the decoder
    CC_GRAY = 0         # 1 component, as is
    CC_YCC_RGB = 1      # JFIF YCbCr -> RGB
    CC_RGB = 2          # RGB stored as is (Adobe transform 0)
    CC_CMYK = 3         # 4 components stored as is -> Pillow's CMYK
    CC_YCCK = 4         # Adobe YCCK -> Pillow's CMYK

cdef enum:
    # libjpeg's jdcolor.c constants, 16-bit fixed point: FIX(x) = round(x * 2**16)
    YCC_SCALEBITS = 16
    YCC_HALF = 32768
    FIX_1_40200 = 91881
    FIX_1_77200 = 116130
    FIX_0_71414 = 46802
    FIX_0_34414 = 22554


cdef inline int32_t clamp255(int32_t v) noexcept nogil:
    # min/max form, so that the compiler can vectorize the row loops
    v = v if v > 0 else 0
    return v if v < 255 else 255


cdef extern from "_color_sse2.h":
    # the same conversion 16 pixels at a time where SSE2 exists (all x86-64)
    int jl_ycc_rgb_sse2(const uint8_t* y, const uint8_t* cb, const uint8_t* cr,
                        uint8_t* out, int w, int step) noexcept nogil


ctypedef struct YccTables:
    # libjpeg's jdcolor.c tables: per Cr the R term and per Cb the B term
    # (rounded), per Cr and Cb the G terms (+ 1/2 folded into Cb's, summed
    # before the shift); and a range limit, clamp[v + 384] = v limited to 0..255
    int32_t cr_r[256]
    int32_t cb_b[256]
    int32_t cr_g[256]
    int32_t cb_g[256]
    uint8_t clamp[1024]


cdef inline void build_ycc_tables(YccTables* t) noexcept nogil:
    cdef int i, x
    for i in range(256):
        x = i - 128
        t.cr_r[i] = (FIX_1_40200 * x + YCC_HALF) >> YCC_SCALEBITS
        t.cb_b[i] = (FIX_1_77200 * x + YCC_HALF) >> YCC_SCALEBITS
        t.cr_g[i] = -FIX_0_71414 * x
        t.cb_g[i] = -FIX_0_34414 * x + YCC_HALF
    for i in range(1024):
        t.clamp[i] = <uint8_t>clamp255(i - 384)


cdef inline void ycc_rgb_row(const uint8_t* y, const uint8_t* cb, const uint8_t* cr,
                             uint8_t* out, int w, const YccTables* t) noexcept nogil:
    """R = Y + 1.402 Cr', G = Y - 0.34414 Cb' - 0.71414 Cr', B = Y + 1.772 Cb'
    (Cb' = Cb - 128, Cr' = Cr - 128) in libjpeg's integer arithmetic: R and B
    round their term, G rounds the sum of its two terms once."""
    cdef int x
    cdef int32_t yy, b, r
    cdef const uint8_t* lim = t.clamp + 384
    for x in range(jl_ycc_rgb_sse2(y, cb, cr, out, w, 3), w):
        yy = y[x]
        b = cb[x]
        r = cr[x]
        out[3 * x] = lim[yy + t.cr_r[r]]
        out[3 * x + 1] = lim[yy + ((t.cb_g[b] + t.cr_g[r]) >> YCC_SCALEBITS)]
        out[3 * x + 2] = lim[yy + t.cb_b[b]]


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


cdef inline void ycck_cmyk_row(const uint8_t* y, const uint8_t* cb, const uint8_t* cr,
                               const uint8_t* k, uint8_t* out, int w,
                               const YccTables* t) noexcept nogil:
    """YCCK -> CMYK as libjpeg computes it (C = 255 - R of the YCbCr part,
    K as stored), then inverted as Pillow does: so R, G, B, 255 - K."""
    cdef int x
    cdef int32_t yy, b, r
    cdef const uint8_t* lim = t.clamp + 384
    for x in range(jl_ycc_rgb_sse2(y, cb, cr, out, w, 4), w):
        yy = y[x]
        b = cb[x]
        r = cr[x]
        out[4 * x] = lim[yy + t.cr_r[r]]
        out[4 * x + 1] = lim[yy + ((t.cb_g[b] + t.cr_g[r]) >> YCC_SCALEBITS)]
        out[4 * x + 2] = lim[yy + t.cb_b[b]]
    for x in range(w):
        out[4 * x + 3] = 255 - k[x]

# ==== end decode: YCbCr -> RGB (and CMYK/YCCK) ====
