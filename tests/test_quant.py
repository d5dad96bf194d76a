"""Tests for the quant stage."""

# ==== encode ====

# ==== end encode ====


# ==== decode ====

# ==== end decode ====
