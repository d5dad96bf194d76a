"""Tests for the huffman stage."""

# ==== encode ====

# ==== end encode ====


# ==== decode ====

# ==== end decode ====
