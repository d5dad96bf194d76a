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


# One SSE2 switch for the whole package (honours -DJL_NO_SIMD): _simd.h.
cdef extern from "_simd.h":
    pass

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


cdef extern from *:
    """
    #if JL_SSE2
    #include <emmintrin.h>
    /* Bytes p of each 64-bit half, taken from byte 3p mod 8: undoes the lane
       order the de-interleaving below leaves (lane l holds pixel 3l mod 8). */
    static inline __m128i jl_enc_unperm8(__m128i x) {
        const __m128i m0 = _mm_set1_epi64x(0x000000FF000000FFLL);
        const __m128i m1 = _mm_slli_epi64(m0, 8), m2 = _mm_slli_epi64(m0, 16);
        const __m128i m3 = _mm_slli_epi64(m0, 24);
        __m128i r2 = _mm_or_si128(_mm_srli_epi64(x, 16), _mm_slli_epi64(x, 48));
        __m128i r4 = _mm_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1));
        __m128i r6 = _mm_or_si128(_mm_srli_epi64(x, 48), _mm_slli_epi64(x, 16));
        return _mm_or_si128(_mm_or_si128(_mm_and_si128(x, m0), _mm_and_si128(r2, m1)),
                            _mm_or_si128(_mm_and_si128(r4, m2), _mm_and_si128(r6, m3)));
    }
    /* Y, Cb, Cr (32-bit lanes, pixels in lane order) of 8 pixels given as
       16-bit R, G, B lanes. pmaddwd forms libjpeg's sums exactly: 0.587 G is
       split as (0.587 - 0.25) G + 0.25 G so every factor fits a signed 16-bit
       word, and 0.5 R, 0.5 B are shifts. */
    static inline void jl_enc_ycc8(__m128i r, __m128i g, __m128i b,
                                   __m128i *y, __m128i *cb, __m128i *cr) {
        const __m128i z = _mm_setzero_si128();
        const __m128i k_y_rg = _mm_set1_epi32((22086 << 16) | 19595);
        const __m128i k_y_bg = _mm_set1_epi32((16384 << 16) | 7471);
        const __m128i k_cb_rg = _mm_set1_epi32((int)(((unsigned)(-21709) << 16) | (unsigned)(-11059 & 0xFFFF)));
        const __m128i k_cr_bg = _mm_set1_epi32((int)(((unsigned)(-27439) << 16) | (unsigned)(-5329 & 0xFFFF)));
        const __m128i half = _mm_set1_epi32(32768);
        const __m128i off = _mm_set1_epi32((128 << 16) + 32767);
        __m128i rg0 = _mm_unpacklo_epi16(r, g), rg1 = _mm_unpackhi_epi16(r, g);
        __m128i bg0 = _mm_unpacklo_epi16(b, g), bg1 = _mm_unpackhi_epi16(b, g);
        __m128i y0 = _mm_add_epi32(_mm_add_epi32(_mm_madd_epi16(rg0, k_y_rg), _mm_madd_epi16(bg0, k_y_bg)), half);
        __m128i y1 = _mm_add_epi32(_mm_add_epi32(_mm_madd_epi16(rg1, k_y_rg), _mm_madd_epi16(bg1, k_y_bg)), half);
        __m128i b0 = _mm_slli_epi32(_mm_unpacklo_epi16(b, z), 15), b1 = _mm_slli_epi32(_mm_unpackhi_epi16(b, z), 15);
        __m128i r0 = _mm_slli_epi32(_mm_unpacklo_epi16(r, z), 15), r1 = _mm_slli_epi32(_mm_unpackhi_epi16(r, z), 15);
        __m128i cb0 = _mm_add_epi32(_mm_add_epi32(_mm_madd_epi16(rg0, k_cb_rg), b0), off);
        __m128i cb1 = _mm_add_epi32(_mm_add_epi32(_mm_madd_epi16(rg1, k_cb_rg), b1), off);
        __m128i cr0 = _mm_add_epi32(_mm_add_epi32(_mm_madd_epi16(bg0, k_cr_bg), r0), off);
        __m128i cr1 = _mm_add_epi32(_mm_add_epi32(_mm_madd_epi16(bg1, k_cr_bg), r1), off);
        /* every sum is in [0, 2**24): the shifted values are 0..255 */
        *y = _mm_packs_epi32(_mm_srli_epi32(y0, 16), _mm_srli_epi32(y1, 16));
        *cb = _mm_packs_epi32(_mm_srli_epi32(cb0, 16), _mm_srli_epi32(cb1, 16));
        *cr = _mm_packs_epi32(_mm_srli_epi32(cr0, 16), _mm_srli_epi32(cr1, 16));
    }
    /* R, G, B of 8 interleaved pixels held as 24 16-bit lanes in w0, w1, w2.
       Masking picks each channel's lanes; lane l then holds pixel 3l mod 8
       for R, and G, B line up with R after rotating by one and two lanes. */
    static inline void jl_enc_split8(__m128i w0, __m128i w1, __m128i w2,
                                     __m128i *r, __m128i *g, __m128i *b) {
        const __m128i m0 = _mm_setr_epi16(-1, 0, 0, -1, 0, 0, -1, 0);
        const __m128i m1 = _mm_setr_epi16(0, -1, 0, 0, -1, 0, 0, -1);
        const __m128i m2 = _mm_setr_epi16(0, 0, -1, 0, 0, -1, 0, 0);
        __m128i gg, bb;
        *r = _mm_or_si128(_mm_or_si128(_mm_and_si128(w0, m0), _mm_and_si128(w1, m1)),
                          _mm_and_si128(w2, m2));
        gg = _mm_or_si128(_mm_or_si128(_mm_and_si128(w0, m1), _mm_and_si128(w1, m2)),
                          _mm_and_si128(w2, m0));
        *g = _mm_or_si128(_mm_srli_si128(gg, 2), _mm_slli_si128(gg, 14));
        bb = _mm_or_si128(_mm_or_si128(_mm_and_si128(w0, m2), _mm_and_si128(w1, m0)),
                          _mm_and_si128(w2, m1));
        *b = _mm_shuffle_epi32(bb, _MM_SHUFFLE(0, 3, 2, 1));
    }
    #endif
    /* RGB -> YCbCr of the first n - n % 16 pixels with SSE2 (part of every
       x86-64 CPU); returns how many pixels it converted (0 without SSE2). */
    static inline Py_ssize_t jl_enc_rgb_ycc_simd(const unsigned char *rgb, unsigned char *y,
                                                 unsigned char *cb, unsigned char *cr,
                                                 Py_ssize_t n) {
    #if JL_SSE2
        const __m128i z = _mm_setzero_si128();
        Py_ssize_t i;
        for (i = 0; i + 16 <= n; i += 16) {
            const unsigned char *p = rgb + 3 * i;
            __m128i a = _mm_loadu_si128((const __m128i *)p);
            __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
            __m128i c = _mm_loadu_si128((const __m128i *)(p + 32));
            __m128i r0, g0, b0, r1, g1, b1, y0, cb0, cr0, y1, cb1, cr1;
            jl_enc_split8(_mm_unpacklo_epi8(a, z), _mm_unpackhi_epi8(a, z),
                          _mm_unpacklo_epi8(b, z), &r0, &g0, &b0);
            jl_enc_split8(_mm_unpackhi_epi8(b, z), _mm_unpacklo_epi8(c, z),
                          _mm_unpackhi_epi8(c, z), &r1, &g1, &b1);
            jl_enc_ycc8(r0, g0, b0, &y0, &cb0, &cr0);
            jl_enc_ycc8(r1, g1, b1, &y1, &cb1, &cr1);
            _mm_storeu_si128((__m128i *)(y + i), jl_enc_unperm8(_mm_packus_epi16(y0, y1)));
            _mm_storeu_si128((__m128i *)(cb + i), jl_enc_unperm8(_mm_packus_epi16(cb0, cb1)));
            _mm_storeu_si128((__m128i *)(cr + i), jl_enc_unperm8(_mm_packus_epi16(cr0, cr1)));
        }
        return i;
    #else
        (void)rgb; (void)y; (void)cb; (void)cr; (void)n;
        return 0;
    #endif
    }
    """
    Py_ssize_t jl_enc_rgb_ycc_simd(const uint8_t* rgb, uint8_t* y, uint8_t* cb, uint8_t* cr,
                                   Py_ssize_t n) noexcept nogil


cdef inline void rgb_to_ycc_row(const uint8_t* rgb, u8_restrict y, u8_restrict cb,
                                u8_restrict cr, Py_ssize_t n) noexcept nogil:
    """JFIF RGB -> YCbCr for n interleaved RGB pixels, bit-exact with libjpeg.

    Y rounds half up; Cb and Cr add ONE_HALF - 1 so 255 cannot round to 256.
    Pixels go through in chunks: de-interleaving into 16-bit arrays first
    leaves a loop of 16 x 16 -> 32-bit unsigned multiplies over contiguous
    arrays, which the compiler vectorizes with plain SSE2/NEON. Every sum is
    non-negative and below 2**32, so unsigned arithmetic gives libjpeg's values.
    With SSE2 (every x86-64 CPU) all but the last n % 16 pixels go through
    jl_enc_rgb_ycc_simd instead: the same sums, formed with pmaddwd.
    """
    cdef uint16_t r[64]
    cdef uint16_t g[64]
    cdef uint16_t b[64]
    cdef Py_ssize_t base, i, m
    base = jl_enc_rgb_ycc_simd(rgb, y, cb, cr, n)
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


cdef const YccTables* ycc_tables() noexcept nogil


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


cdef inline void ycc_pixel(int32_t yy, int32_t b, int32_t r, uint8_t* o,
                           const uint8_t* lim, const YccTables* t) noexcept nogil:
    """R, G, B of one YCbCr sample into o[0..2]: R = Y + 1.402 Cr',
    G = Y - 0.34414 Cb' - 0.71414 Cr', B = Y + 1.772 Cb' (Cb' = Cb - 128,
    Cr' = Cr - 128) in libjpeg's integer arithmetic: R and B round their term,
    G rounds the sum of its two terms once."""
    o[0] = lim[yy + t.cr_r[r]]
    o[1] = lim[yy + ((t.cb_g[b] + t.cr_g[r]) >> YCC_SCALEBITS)]
    o[2] = lim[yy + t.cb_b[b]]


cdef inline void ycc_rgb_row(const uint8_t* y, const uint8_t* cb, const uint8_t* cr,
                             uint8_t* out, int w, const YccTables* t) noexcept nogil:
    """A row of YCbCr to interleaved RGB (ycc_pixel; SSE2 for most of the row)."""
    cdef int x
    cdef const uint8_t* lim = t.clamp + 384
    for x in range(jl_ycc_rgb_sse2(y, cb, cr, out, w, 3), w):
        ycc_pixel(y[x], cb[x], cr[x], out + 3 * x, lim, t)


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
    cdef const uint8_t* lim = t.clamp + 384
    for x in range(jl_ycc_rgb_sse2(y, cb, cr, out, w, 4), w):
        ycc_pixel(y[x], cb[x], cr[x], out + 4 * x, lim, t)
    for x in range(w):
        out[4 * x + 3] = 255 - k[x]

# ==== end decode: YCbCr -> RGB (and CMYK/YCCK) ====
