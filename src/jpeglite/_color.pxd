# Per-row colour kernels, cdef inline so the fused drivers inline them.

# ==== encode: RGB -> YCbCr ====

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
    YCC_SCALEBITS = 16


cdef inline void build_ycc_tables(int32_t* t) noexcept nogil:
    """libjpeg's jdcolor.c tables (16-bit fixed point, FIX(x) = round(x * 2**16)):
    t[0:256] Cr->R, t[256:512] Cb->B (both rounded), t[512:768] Cr->G and
    t[768:1024] Cb->G (+ 1/2, summed before the shift)."""
    cdef int i, x
    for i in range(256):
        x = i - 128
        t[i] = (91881 * x + 32768) >> YCC_SCALEBITS              # FIX(1.40200)
        t[256 + i] = (116130 * x + 32768) >> YCC_SCALEBITS       # FIX(1.77200)
        t[512 + i] = -46802 * x                                  # -FIX(0.71414)
        t[768 + i] = -22554 * x + 32768                          # -FIX(0.34414)


cdef inline uint8_t clamp255(int v) noexcept nogil:
    if v < 0:
        return 0
    if v > 255:
        return 255
    return <uint8_t>v


cdef inline void ycc_rgb_row(const uint8_t* y, const uint8_t* cb, const uint8_t* cr,
                             uint8_t* out, int w, const int32_t* t) noexcept nogil:
    """R = Y + 1.402 Cr', G = Y - 0.34414 Cb' - 0.71414 Cr', B = Y + 1.772 Cb'
    (Cb' = Cb - 128, Cr' = Cr - 128), libjpeg's integer arithmetic exactly."""
    cdef int x, yy, b, r
    for x in range(w):
        yy = y[x]
        b = cb[x]
        r = cr[x]
        out[0] = clamp255(yy + t[r])
        out[1] = clamp255(yy + ((t[768 + b] + t[512 + r]) >> YCC_SCALEBITS))
        out[2] = clamp255(yy + t[256 + b])
        out += 3


cdef inline void interleave3_row(const uint8_t* a, const uint8_t* b, const uint8_t* c,
                                 uint8_t* out, int w) noexcept nogil:
    cdef int x
    for x in range(w):
        out[0] = a[x]
        out[1] = b[x]
        out[2] = c[x]
        out += 3


cdef inline void cmyk_row(const uint8_t* c, const uint8_t* m, const uint8_t* y,
                          const uint8_t* k, uint8_t* out, int w) noexcept nogil:
    """Adobe CMYK is stored inverted; Pillow reads every 4-component JPEG as
    inverted (rawmode CMYK;I), so its values are 255 - the stored ones."""
    cdef int x
    for x in range(w):
        out[0] = 255 - c[x]
        out[1] = 255 - m[x]
        out[2] = 255 - y[x]
        out[3] = 255 - k[x]
        out += 4


cdef inline void ycck_cmyk_row(const uint8_t* y, const uint8_t* cb, const uint8_t* cr,
                               const uint8_t* k, uint8_t* out, int w,
                               const int32_t* t) noexcept nogil:
    """YCCK -> CMYK as libjpeg computes it (C = 255 - R of the YCbCr part,
    K as stored), then inverted as Pillow does: so R, G, B, 255 - K."""
    cdef int x, yy, b, r
    for x in range(w):
        yy = y[x]
        b = cb[x]
        r = cr[x]
        out[0] = clamp255(yy + t[r])
        out[1] = clamp255(yy + ((t[768 + b] + t[512 + r]) >> YCC_SCALEBITS))
        out[2] = clamp255(yy + t[256 + b])
        out[3] = 255 - k[x]
        out += 4

# ==== end decode: YCbCr -> RGB (and CMYK/YCCK) ====
