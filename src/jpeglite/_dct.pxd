# Per-block DCT kernels, cdef inline so the fused drivers inline them.

# ==== encode: forward DCT ====

# ==== end encode: forward DCT ====


# ==== decode: inverse DCT ====

# ==== end decode: inverse DCT ====
