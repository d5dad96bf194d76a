# cython: boundscheck=False, wraparound=False, cdivision=True, language_level=3
"""12-bit DCT samples (T.81 with P = 12): the sample kernels of a 12-bit
frame, decode and encode, on uint16 planes.

libjpeg-turbo has no SIMD code for 12-bit samples: it runs its C reference
code, so these kernels follow that arithmetic (jidctint.c, jfdctint.c,
jdcolor.c, jccolor.c, jdsample.c, jcsample.c, jcdctmgr.c compiled with
BITS_IN_JSAMPLE 12): 64-bit intermediates, PASS1_BITS 1 in both DCTs,
samples centred on 2048 and limited to 0..4095, the IDCT's output wrapped
into its range-limit table's 14 bits before the clamp. The 8-bit kernels
(_dct, _color, _subsample) instead follow libjpeg-turbo's 16-bit SIMD
arithmetic, which differs from this on corrupt data; the constants are
shared (``_islow.h``, ``_color_simd.h``), and so are the upsampling rule
(``_subsample.upsample_method``) and the vertical and replicating upsamplers
(fused over 8- and 16-bit samples in ``_subsample.pxd``). The 2x1 and 2x2
triangular filters are written again here for uint16: the 8-bit ones are C
with SIMD variants (``_subsample_simd.h``).

Every function checks its shapes before its nogil loop: the coefficient
values may be anything a hostile file holds.
"""
import numpy as np

from libc.stdint cimport uint16_t, int16_t, int32_t, uint32_t, int64_t

from jpeglite._subsample import upsample_method as _upsample_method
from jpeglite._subsample cimport upsample_h1v2_fancy, upsample_replicate

__all__ = ["idct_plane", "upsample_plane", "ycc_to_rgb", "rgb_to_ycc", "downsample_plane",
           "fdct_quantize", "MAXSAMPLE", "CENTER"]

MAXSAMPLE = 4095
CENTER = 2048

cdef extern from "_islow.h":
    int ISLOW_CONST_BITS
    int ISLOW_FIX_0_298631336, ISLOW_FIX_0_390180644, ISLOW_FIX_0_541196100
    int ISLOW_FIX_0_765366865, ISLOW_FIX_0_899976223, ISLOW_FIX_1_175875602
    int ISLOW_FIX_1_501321110, ISLOW_FIX_1_847759065, ISLOW_FIX_1_961570560
    int ISLOW_FIX_2_053119869, ISLOW_FIX_2_562915447, ISLOW_FIX_3_072711026

cdef extern from "_color_simd.h":
    int JL_FIX_1_40200, JL_FIX_1_77200, JL_FIX_0_71414, JL_FIX_0_34414
    int JL_YCC_SCALEBITS, JL_YCC_HALF

cdef enum:
    PASS1 = 1               # libjpeg's PASS1_BITS for 12-bit samples
    MAXJ = 4095
    CENTERJ = 2048
    RANGE_MASK = 4 * 4096 - 1


cdef inline int64_t _descale(int64_t x, int n) noexcept nogil:
    return (x + (<int64_t>1 << (n - 1))) >> n


cdef inline void _idct_1d(int64_t i0, int64_t i1, int64_t i2, int64_t i3, int64_t i4,
                          int64_t i5, int64_t i6, int64_t i7, int64_t* o) noexcept nogil:
    # one 8-point islow IDCT, undescaled (2**13 extra); exact in 64 bits,
    # so the grouping of the products does not matter
    cdef int64_t tmp0, tmp1, tmp2, tmp3, tmp10, tmp11, tmp12, tmp13, z1, z2, z3, z4, z5
    z1 = (i2 + i6) * ISLOW_FIX_0_541196100
    tmp2 = z1 - i6 * ISLOW_FIX_1_847759065
    tmp3 = z1 + i2 * ISLOW_FIX_0_765366865
    tmp0 = (i0 + i4) * (1 << ISLOW_CONST_BITS)
    tmp1 = (i0 - i4) * (1 << ISLOW_CONST_BITS)
    tmp10 = tmp0 + tmp3
    tmp13 = tmp0 - tmp3
    tmp11 = tmp1 + tmp2
    tmp12 = tmp1 - tmp2
    z1 = i7 + i1
    z2 = i5 + i3
    z3 = i7 + i3
    z4 = i5 + i1
    z5 = (z3 + z4) * ISLOW_FIX_1_175875602
    tmp0 = i7 * ISLOW_FIX_0_298631336
    tmp1 = i5 * ISLOW_FIX_2_053119869
    tmp2 = i3 * ISLOW_FIX_3_072711026
    tmp3 = i1 * ISLOW_FIX_1_501321110
    z1 = -z1 * ISLOW_FIX_0_899976223
    z2 = -z2 * ISLOW_FIX_2_562915447
    z3 = -z3 * ISLOW_FIX_1_961570560 + z5
    z4 = -z4 * ISLOW_FIX_0_390180644 + z5
    tmp0 += z1 + z3
    tmp1 += z2 + z4
    tmp2 += z2 + z3
    tmp3 += z1 + z4
    o[0] = tmp10 + tmp3
    o[7] = tmp10 - tmp3
    o[1] = tmp11 + tmp2
    o[6] = tmp11 - tmp2
    o[2] = tmp12 + tmp1
    o[5] = tmp12 - tmp1
    o[3] = tmp13 + tmp0
    o[4] = tmp13 - tmp0


cdef inline uint16_t _limit(int64_t v) noexcept nogil:
    # the range-limit table: 14 bits of v (as a signed value) + 2048, clamped
    cdef int32_t s = <int32_t>(v & RANGE_MASK)
    if s >= 2 * (MAXJ + 1):
        s -= 4 * (MAXJ + 1)
    s += CENTERJ
    return <uint16_t>(0 if s < 0 else MAXJ if s > MAXJ else s)


cdef inline void idct12_block(const int16_t* coef, const int16_t* quant, uint16_t* out,
                              Py_ssize_t stride) noexcept nogil:
    """Dequantize and inverse-transform one 8x8 block (natural order) to 12-bit
    samples: jidctint.c's jpeg_idct_islow for 12-bit samples, with the int16
    multipliers of a SIMD build (``_quant.decoder_quant_table``), the work
    space in 32 bits, everything else 64."""
    cdef int32_t ws[64]
    cdef int64_t o[8]
    cdef int64_t d[8]
    cdef int r, c
    for c in range(8):
        if (coef[8 + c] | coef[16 + c] | coef[24 + c] | coef[32 + c] | coef[40 + c]
                | coef[48 + c] | coef[56 + c]) == 0:
            for r in range(8):
                ws[8 * r + c] = <int32_t>(<uint32_t>(<int32_t>coef[c] * <int32_t>quant[c]) << PASS1)
            continue
        for r in range(8):
            d[r] = <int64_t>coef[8 * r + c] * quant[8 * r + c]
        _idct_1d(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], o)
        for r in range(8):
            ws[8 * r + c] = <int32_t>_descale(o[r], ISLOW_CONST_BITS - PASS1)
    for r in range(8):
        _idct_1d(ws[8 * r], ws[8 * r + 1], ws[8 * r + 2], ws[8 * r + 3], ws[8 * r + 4],
                 ws[8 * r + 5], ws[8 * r + 6], ws[8 * r + 7], o)
        for c in range(8):
            out[r * stride + c] = _limit(_descale(o[c], ISLOW_CONST_BITS + PASS1 + 3))



def idct_plane(const int16_t[:, :, ::1] coefs, const int16_t[::1] quant, int comp_h,
               int comp_w):
    """One component's samples from its whole-image coefficients ((block
    rows, block columns, 64), natural order) and its multipliers
    (``_quant.decoder_quant_table``): uint16 (comp_h, comp_w), 0..4095."""
    cdef Py_ssize_t brows = (comp_h + 7) // 8, bcols = (comp_w + 7) // 8, by, bx
    if comp_h < 1 or comp_w < 1 or coefs.shape[0] < brows or coefs.shape[1] < bcols \
            or coefs.shape[2] != 64:
        raise ValueError("the coefficients do not cover the component")
    if quant.shape[0] != 64:
        raise ValueError("64 multipliers")
    out = np.empty((brows * 8, bcols * 8), dtype=np.uint16)
    cdef uint16_t[:, ::1] o = out
    with nogil:
        for by in range(brows):
            for bx in range(bcols):
                idct12_block(&coefs[by, bx, 0], &quant[0], &o[by * 8, bx * 8], o.shape[1])
    return out[:comp_h, :comp_w]


cdef inline void _h2v1(const uint16_t* inp, int w, uint16_t* out) noexcept nogil:
    cdef int x, v
    out[0] = inp[0]
    out[1] = <uint16_t>((inp[0] * 3 + inp[1] + 2) >> 2)
    for x in range(1, w - 1):
        v = inp[x] * 3
        out[2 * x] = <uint16_t>((v + inp[x - 1] + 1) >> 2)
        out[2 * x + 1] = <uint16_t>((v + inp[x + 1] + 2) >> 2)
    out[2 * w - 2] = <uint16_t>((inp[w - 1] * 3 + inp[w - 2] + 1) >> 2)
    out[2 * w - 1] = inp[w - 1]


cdef inline void _h2v2(const uint16_t* near, const uint16_t* far, int w,
                       uint16_t* out) noexcept nogil:
    cdef int x, c, first = near[0] * 3 + far[0], last = near[w - 1] * 3 + far[w - 1]
    out[0] = <uint16_t>((first * 4 + 8) >> 4)
    out[1] = <uint16_t>((first * 3 + near[1] * 3 + far[1] + 7) >> 4)
    for x in range(1, w - 1):
        c = (near[x] * 3 + far[x]) * 3
        out[2 * x] = <uint16_t>((c + near[x - 1] * 3 + far[x - 1] + 8) >> 4)
        out[2 * x + 1] = <uint16_t>((c + near[x + 1] * 3 + far[x + 1] + 7) >> 4)
    out[2 * w - 2] = <uint16_t>((last * 3 + near[w - 2] * 3 + far[w - 2] + 8) >> 4)
    out[2 * w - 1] = <uint16_t>((last * 4 + 7) >> 4)


def upsample_plane(plane, int hr, int vr, int out_w, int out_h):
    """Upsample one component (uint16 (comp_h, comp_w)) to out_h x out_w with
    the filter libjpeg-turbo picks (``_subsample.upsample_method``: the
    triangular filters for 2x1, 1x2, 2x2, else replication); rows past the
    edges repeat the edge rows, as libjpeg's context rows do."""
    cdef const uint16_t[:, ::1] p = np.ascontiguousarray(plane, dtype=np.uint16)
    cdef int comp_h = p.shape[0], comp_w = p.shape[1], y, x, yi, yf, bias
    if comp_w < 1 or comp_h < 1 or out_w > comp_w * hr or out_h > comp_h * vr or hr < 1 \
            or vr < 1:
        raise ValueError("output larger than the upsampled plane")
    cdef int method = _upsample_method(hr, vr, comp_w)
    out = np.empty((out_h, out_w), dtype=np.uint16)
    row = np.empty(2 * comp_w + hr * comp_w + 2, dtype=np.uint16)
    cdef uint16_t[:, ::1] o = out
    cdef uint16_t[::1] b = row
    with nogil:
        for y in range(out_h):
            if method == 0:             # UP_FULL
                for x in range(out_w):
                    o[y, x] = p[y, x]
                continue
            if method == 1:             # UP_H2V1_FANCY
                _h2v1(&p[y, 0], comp_w, &b[0])
            elif method == 4:           # UP_REPLICATE
                upsample_replicate(&p[y // vr, 0], hr, out_w, &b[0])
            else:
                yi = y >> 1
                if y & 1:
                    yf = yi + 1 if yi + 1 < comp_h else yi
                    bias = 2
                else:
                    yf = yi - 1 if yi > 0 else 0
                    bias = 1
                if method == 2:         # UP_H1V2_FANCY
                    upsample_h1v2_fancy(&p[yi, 0], &p[yf, 0], comp_w, bias, &b[0])
                else:                   # UP_H2V2_FANCY
                    _h2v2(&p[yi, 0], &p[yf, 0], comp_w, &b[0])
            for x in range(out_w):
                o[y, x] = b[x]
    return out


def ycc_to_rgb(y, cb, cr):
    """YCbCr planes (uint16, 0..4095, one shape) to (H, W, 3) uint16 RGB:
    jdcolor.c's ycc_rgb_convert for 12-bit samples (its tables for Cb and Cr
    centred on 2048, the sums limited to 0..4095)."""
    cdef const uint16_t[:, ::1] Y = np.ascontiguousarray(y, dtype=np.uint16)
    cdef const uint16_t[:, ::1] B = np.ascontiguousarray(cb, dtype=np.uint16)
    cdef const uint16_t[:, ::1] R = np.ascontiguousarray(cr, dtype=np.uint16)
    if not (Y.shape[0] == B.shape[0] == R.shape[0] and Y.shape[1] == B.shape[1] == R.shape[1]):
        raise ValueError("the planes differ in shape")
    out = np.empty((Y.shape[0], Y.shape[1], 3), dtype=np.uint16)
    cdef uint16_t[:, :, ::1] o = out
    cdef Py_ssize_t i, j
    cdef int64_t yy, b, r
    with nogil:
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                yy = Y[i, j]
                b = <int64_t>(B[i, j] & MAXJ) - CENTERJ
                r = <int64_t>(R[i, j] & MAXJ) - CENTERJ
                o[i, j, 0] = _clamp(yy + ((JL_FIX_1_40200 * r + JL_YCC_HALF) >> JL_YCC_SCALEBITS))
                o[i, j, 1] = _clamp(yy + ((-JL_FIX_0_34414 * b + JL_YCC_HALF
                                           - JL_FIX_0_71414 * r) >> JL_YCC_SCALEBITS))
                o[i, j, 2] = _clamp(yy + ((JL_FIX_1_77200 * b + JL_YCC_HALF) >> JL_YCC_SCALEBITS))
    return out


cdef inline uint16_t _clamp(int64_t v) noexcept nogil:
    return <uint16_t>(0 if v < 0 else MAXJ if v > MAXJ else v)


# ==== encode ====

# jccolor.c's constants (FIX(x) = round(x * 2**16))
cdef enum:
    F0299 = 19595
    F0587 = 38470
    F0114 = 7471
    F0168 = 11059
    F0331 = 21709
    F0500 = 32768
    F0418 = 27439
    F0081 = 5329


def rgb_to_ycc(rgb):
    """(H, W, 3) RGB samples 0..4095 to three uint16 YCbCr planes:
    jccolor.c's rgb_ycc_convert for 12-bit samples (Cb and Cr centred on
    2048, rounded as its tables round)."""
    cdef const uint16_t[:, :, ::1] a = np.ascontiguousarray(rgb, dtype=np.uint16)
    if a.shape[2] != 3:
        raise ValueError("need (H, W, 3) samples")
    h, w = a.shape[0], a.shape[1]
    y = np.empty((h, w), np.uint16)
    cb = np.empty((h, w), np.uint16)
    cr = np.empty((h, w), np.uint16)
    cdef uint16_t[:, ::1] Y = y, B = cb, R = cr
    cdef Py_ssize_t i, j
    cdef int64_t r, g, b, off = (<int64_t>CENTERJ << 16) + (1 << 15) - 1
    with nogil:
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                r = a[i, j, 0] & MAXJ
                g = a[i, j, 1] & MAXJ
                b = a[i, j, 2] & MAXJ
                Y[i, j] = <uint16_t>((F0299 * r + F0587 * g + F0114 * b + (1 << 15)) >> 16)
                B[i, j] = <uint16_t>((-F0168 * r - F0331 * g + F0500 * b + off) >> 16)
                R[i, j] = <uint16_t>((F0500 * r - F0418 * g - F0081 * b + off) >> 16)
    return y, cb, cr


def downsample_plane(plane, int hexp, int vexp):
    """A component plane (uint16 (H, W)) averaged over hexp x vexp (1 or 2
    each) as jcsample.c does: edges replicated to whole output samples,
    padded on to whole blocks by repeating the last output column and row,
    the rounding bias alternating (1, 2 for 2x2; 0, 1 for 2x1 and 1x2).
    Returns uint16 (ceil(H / vexp) rounded up to 8, ceil(W / hexp) rounded
    up to 8). (The columns follow jcsample.c's expand_right_edge: the input's
    last column repeats to the padded width before averaging.)"""
    cdef const uint16_t[:, ::1] p = np.ascontiguousarray(plane, dtype=np.uint16)
    cdef Py_ssize_t H = p.shape[0], W = p.shape[1], oh, ow, OH, OW, y, x, y0, y1, x0, x1
    if hexp not in (1, 2) or vexp not in (1, 2) or H < 1 or W < 1:
        raise ValueError("factors 1 or 2 of a non-empty plane")
    oh, ow = (H + vexp - 1) // vexp, (W + hexp - 1) // hexp
    OH, OW = (oh + 7) // 8 * 8, (ow + 7) // 8 * 8
    out = np.empty((OH, OW), np.uint16)
    cdef uint16_t[:, ::1] o = out
    with nogil:
        for y in range(oh):
            y0 = y * vexp
            y1 = y0 + vexp - 1
            if y1 >= H:
                y1 = H - 1
            for x in range(OW):
                # columns past the edge repeat the last one (expand_right_edge)
                x0 = x * hexp
                x1 = x0 + hexp - 1
                if x0 >= W:
                    x0 = W - 1
                if x1 >= W:
                    x1 = W - 1
                if hexp == 1 and vexp == 1:
                    o[y, x] = p[y0, x0]
                elif vexp == 1:
                    o[y, x] = <uint16_t>((p[y0, x0] + p[y0, x1] + (x & 1)) >> 1)
                elif hexp == 1:
                    o[y, x] = <uint16_t>((p[y0, x0] + p[y1, x0] + (x & 1)) >> 1)
                else:
                    o[y, x] = <uint16_t>((p[y0, x0] + p[y0, x1] + p[y1, x0] + p[y1, x1]
                                          + 1 + (x & 1)) >> 2)
        # rows past the last output row repeat it (libjpeg pads the
        # downsampled component, not the image, to whole blocks)
        for y in range(oh, OH):
            for x in range(OW):
                o[y, x] = o[oh - 1, x]
    return out


cdef inline void _fdct_1d(int64_t* d, Py_ssize_t step, int pass2) noexcept nogil:
    cdef int64_t tmp0, tmp1, tmp2, tmp3, tmp4, tmp5, tmp6, tmp7, tmp10, tmp11, tmp12, tmp13
    cdef int64_t z1, z2, z3, z4, z5
    cdef int sh_even = PASS1 if pass2 else 0
    cdef int sh_odd = ISLOW_CONST_BITS + PASS1 if pass2 else ISLOW_CONST_BITS - PASS1
    tmp0 = d[0] + d[7 * step]
    tmp7 = d[0] - d[7 * step]
    tmp1 = d[step] + d[6 * step]
    tmp6 = d[step] - d[6 * step]
    tmp2 = d[2 * step] + d[5 * step]
    tmp5 = d[2 * step] - d[5 * step]
    tmp3 = d[3 * step] + d[4 * step]
    tmp4 = d[3 * step] - d[4 * step]
    tmp10 = tmp0 + tmp3
    tmp13 = tmp0 - tmp3
    tmp11 = tmp1 + tmp2
    tmp12 = tmp1 - tmp2
    if pass2:
        d[0] = _descale(tmp10 + tmp11, sh_even)
        d[4 * step] = _descale(tmp10 - tmp11, sh_even)
    else:
        d[0] = (tmp10 + tmp11) * (1 << PASS1)
        d[4 * step] = (tmp10 - tmp11) * (1 << PASS1)
    z1 = (tmp12 + tmp13) * ISLOW_FIX_0_541196100
    d[2 * step] = _descale(z1 + tmp13 * ISLOW_FIX_0_765366865, sh_odd)
    d[6 * step] = _descale(z1 - tmp12 * ISLOW_FIX_1_847759065, sh_odd)
    z1 = tmp4 + tmp7
    z2 = tmp5 + tmp6
    z3 = tmp4 + tmp6
    z4 = tmp5 + tmp7
    z5 = (z3 + z4) * ISLOW_FIX_1_175875602
    tmp4 = tmp4 * ISLOW_FIX_0_298631336
    tmp5 = tmp5 * ISLOW_FIX_2_053119869
    tmp6 = tmp6 * ISLOW_FIX_3_072711026
    tmp7 = tmp7 * ISLOW_FIX_1_501321110
    z1 = -z1 * ISLOW_FIX_0_899976223
    z2 = -z2 * ISLOW_FIX_2_562915447
    z3 = -z3 * ISLOW_FIX_1_961570560 + z5
    z4 = -z4 * ISLOW_FIX_0_390180644 + z5
    d[7 * step] = _descale(tmp4 + z1 + z3, sh_odd)
    d[5 * step] = _descale(tmp5 + z2 + z4, sh_odd)
    d[3 * step] = _descale(tmp6 + z2 + z3, sh_odd)
    d[step] = _descale(tmp7 + z1 + z4, sh_odd)


def fdct_quantize(plane, qtable):
    """Forward DCT and quantization of a 12-bit component plane (uint16, both
    sides multiples of 8): jfdctint.c's islow FDCT for 12-bit samples
    (samples - 2048 in, output 8x the T.81 DCT), then jcdctmgr.c's division
    by 8 x Q rounded half away from zero. ``qtable``: 64 values 1..65535,
    natural order. Returns int16 (block rows, block columns, 64), natural
    order."""
    cdef const uint16_t[:, ::1] p = np.ascontiguousarray(plane, dtype=np.uint16)
    qa = np.ascontiguousarray(qtable, dtype=np.int64).reshape(64)
    if p.shape[0] % 8 or p.shape[1] % 8 or qa.min() < 1:
        raise ValueError("the plane must be whole blocks and the table 1..65535")
    cdef int64_t[::1] q = qa * 8
    cdef Py_ssize_t brows = p.shape[0] // 8, bcols = p.shape[1] // 8, by, bx, k, r, c
    out = np.empty((brows, bcols, 64), np.int16)
    cdef int16_t[:, :, ::1] o = out
    cdef int64_t d[64]
    cdef int64_t t
    with nogil:
        for by in range(brows):
            for bx in range(bcols):
                for r in range(8):
                    for c in range(8):
                        d[8 * r + c] = <int64_t>(p[by * 8 + r, bx * 8 + c] & MAXJ) - CENTERJ
                for r in range(8):
                    _fdct_1d(&d[8 * r], 1, 0)
                for c in range(8):
                    _fdct_1d(&d[c], 8, 1)
                for k in range(64):
                    t = d[k]
                    if t < 0:
                        t = -t + (q[k] >> 1)
                        t = -(t // q[k]) if t >= q[k] else 0
                    else:
                        t = t + (q[k] >> 1)
                        t = t // q[k] if t >= q[k] else 0
                    o[by, bx, k] = <int16_t>t
    return out
