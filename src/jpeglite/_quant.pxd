# Per-block quantization kernels, cdef inline so the fused drivers inline them.

# ==== encode: quantize ====

# ==== end encode: quantize ====


# ==== decode: dequantize ====

# ==== end decode: dequantize ====
