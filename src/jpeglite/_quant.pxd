# Per-block quantization kernels, cdef inline so the fused drivers inline them.

# ==== encode: quantize ====
from libc.stdint cimport int16_t, int32_t, uint16_t, uint32_t, uint64_t


# Division by d = 8*Q with rounding, done in 16-bit lanes as multiplies.
# x = |c| + d/2 < 2**16 (|c| <= 2**15 for 8-bit samples, d/2 <= 8188).
# With L = ceil(log2 d) and m = floor(2**(16+L) / d) + 1, floor(x / d) ==
# (x * m) >> (16 + L) for all x < 2**16 (Granlund & Montgomery 1994, Theorem
# 4.2: 2**(16+L) < m*d <= 2**(16+L) + 2**L). m lies in (2**16, 2**17), so it
# is applied as m = 2**16 + mlo: hi = (x * mlo) >> 16, then
# (x + hi) >> L == (hi + ((x - hi) >> 1)) >> (L - 1) without leaving 16 bits,
# and the per-coefficient shift by L - 1 (>= 2) is a high-half multiply by
# 2**(17 - L). Every step is a 16-bit high or low multiply, add or shift, so
# the loop vectorizes with plain SSE2 (pmulhuw) eight lanes at a time, and
# the result is exactly libjpeg's integer division.
ctypedef struct QuantDivisors:
    uint16_t half[64]       # d / 2, the rounding term
    uint16_t mlo[64]        # m - 2**16
    uint16_t scale[64]      # 2**(17 - L)


cdef inline void quantize_block(const int16_t* coef, const QuantDivisors* q,
                                int16_t* out) noexcept nogil:
    """Quantize one block of FDCT output (natural order) like libjpeg.

    out = sign(c) * floor((|c| + d/2) / d), d = 8 * Q: round half away from zero.
    """
    cdef int i
    cdef int16_t c, s
    cdef uint16_t x, hi, t, r
    for i in range(64):
        c = coef[i]
        s = c >> 15                      # 0 or -1
        x = <uint16_t>((c ^ s) - s) + q.half[i]
        hi = <uint16_t>((<uint32_t>x * q.mlo[i]) >> 16)
        t = hi + (<uint16_t>(x - hi) >> 1)
        r = <uint16_t>((<uint32_t>t * q.scale[i]) >> 16)
        out[i] = <int16_t>((r ^ s) - s)


cdef int fill_divisors(qtable, QuantDivisors* q) except -1
# ==== end encode: quantize ====


# ==== decode: dequantize ====
from libc.stdint cimport int16_t, int32_t, uint16_t


cdef inline int32_t quant_multiplier(uint16_t q) noexcept nogil:
    # libjpeg keeps islow multipliers in a short: a 16-bit table entry above
    # 32767 (never useful, but legal in a DQT) multiplies as negative there
    return <int32_t><int16_t>q


cdef inline void dequantize_block(const int16_t* coef, const int32_t* quant,
                                  int32_t* out) noexcept nogil:
    """out[k] = coef[k] * quant[k] for the 64 natural-order entries of a block
    (the islow IDCT does this multiply itself; this is the staged form)."""
    cdef int k
    for k in range(64):
        out[k] = <int32_t>coef[k] * quant[k]

# ==== end decode: dequantize ====
