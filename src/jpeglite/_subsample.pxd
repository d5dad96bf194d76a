# Per-row sampling kernels, cdef inline so the fused drivers inline them.

# ==== encode: downsampling ====

# ==== end encode: downsampling ====


# ==== decode: upsampling ====

# ==== end decode: upsampling ====
