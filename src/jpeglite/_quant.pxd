# Per-block quantization kernels, cdef inline so the fused drivers inline them.

# ==== encode: quantize ====
from libc.stdint cimport int16_t, int32_t, uint32_t, uint64_t


# Division by 8*Q with rounding, done as a multiply and shift. For divisors
# d = 8*Q <= 2**L and N = 20 (every |coefficient| + d/2 < 2**20, since
# |coefficient| < 2**16 for 8-bit samples): m = floor(2**(N+L) / d) + 1 gives
# floor(x / d) == (x * m) >> (N + L) for all x < 2**N (Granlund & Montgomery
# 1994, Theorem 4.2: 2**(N+L) < m*d <= 2**(N+L) + 2**L), so the result is
# exactly libjpeg's integer division. One shift for the whole table keeps the
# loop free of per-lane shifts, so it vectorizes; Q <= 2047 keeps L <= 14 and m
# below 2**32.
ctypedef struct QuantDivisors:
    uint32_t half[64]       # d / 2, the rounding term
    uint32_t mul[64]        # m
    uint32_t shift          # N + L


cdef inline void quantize_block(const int32_t* coef, const QuantDivisors* q,
                                int16_t* out) noexcept nogil:
    """Quantize one block of FDCT output (natural order) like libjpeg.

    out = sign(c) * floor((|c| + d/2) / d), d = 8 * Q: round half away from zero.
    """
    cdef int i
    cdef int32_t c, s
    cdef uint32_t u
    cdef uint32_t shift = q.shift
    for i in range(64):
        c = coef[i]
        s = c >> 31                      # 0 or -1
        u = <uint32_t>((c ^ s) - s) + q.half[i]
        u = <uint32_t>((<uint64_t>u * q.mul[i]) >> shift)
        out[i] = <int16_t>((<int32_t>u ^ s) - s)


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
