"""Tests for the subsample stage."""

# ==== encode ====

# ==== end encode ====


# ==== decode ====

# ==== end decode ====
