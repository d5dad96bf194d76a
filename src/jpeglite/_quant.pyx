"""Quantization and zigzag reordering (and their inverses)."""

# ==== encode: quantize ====

# ==== end encode: quantize ====


# ==== decode: dequantize ====

# ==== end decode: dequantize ====
