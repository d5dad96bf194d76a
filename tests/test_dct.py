"""Tests for the dct stage."""

# ==== encode ====

# ==== end encode ====


# ==== decode ====

# ==== end decode ====
