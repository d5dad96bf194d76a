"""Run-length symbols and scan coding (baseline; progressive on the decode side)."""

# ==== encode: run-length symbols and baseline scan coding ====

# ==== end encode: run-length symbols and baseline scan coding ====


# ==== decode: baseline and progressive scan decoding ====

# ==== end decode: baseline and progressive scan decoding ====
