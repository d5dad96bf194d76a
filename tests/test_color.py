"""Tests for the color stage."""

# ==== encode ====

# ==== end encode ====


# ==== decode ====

# ==== end decode ====
