"""Tests for the jfif stage."""

# ==== encode ====

# ==== end encode ====


# ==== decode ====

# ==== end decode ====
