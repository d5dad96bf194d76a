# Per-block quantization kernels, cdef inline so the fused drivers inline them.

# ==== encode: quantize ====
from libc.stdint cimport int16_t, int32_t, uint16_t, uint32_t, uint64_t

from jpeglite._simd cimport jl_simd_level

# The kernel, scalar, SSE2 and AVX2 side by side, is C: _quant_simd.h (which
# explains the division by multiplies that QuantDivisors holds).
cdef extern from "_quant_simd.h":
    ctypedef struct QuantDivisors "jl_quant_divisors":
        uint16_t half[64]       # d / 2, the rounding term
        uint16_t mlo[64]        # m - 2**16
        uint16_t scale[64]      # 2**(17 - L)
    void jl_quantize_block(const int16_t* coef, const QuantDivisors* q, int16_t* out,
                           int level) noexcept nogil


cdef inline void quantize_block(const int16_t* coef, const QuantDivisors* q,
                                int16_t* out) noexcept nogil:
    """Quantize one block of FDCT output (natural order) like libjpeg:
    out = sign(c) * floor((|c| + d/2) / d), d = 8 * Q, round half away from
    zero (jl_quantize_block, the variant this process selected)."""
    jl_quantize_block(coef, q, out, jl_simd_level)


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
