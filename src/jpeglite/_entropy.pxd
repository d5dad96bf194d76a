# Per-block entropy kernels shared by the drivers.

# ==== encode: run-length symbols and baseline scan coding ====

# ==== end encode: run-length symbols and baseline scan coding ====


# ==== decode: baseline and progressive scan decoding ====

# ==== end decode: baseline and progressive scan decoding ====
