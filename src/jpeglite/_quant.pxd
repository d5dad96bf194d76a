# Per-block quantization kernels, cdef inline so the fused drivers inline them.

# ==== encode: quantize ====

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
