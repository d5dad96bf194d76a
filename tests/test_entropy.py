"""Tests for the entropy stage."""

# ==== encode ====

# ==== end encode ====


# ==== decode ====

# ==== end decode ====
