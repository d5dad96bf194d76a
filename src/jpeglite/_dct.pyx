"""8x8 DCT: the accurate integer ("islow") forward and inverse transforms."""

# ==== encode: forward DCT ====

# ==== end encode: forward DCT ====


# ==== decode: inverse DCT ====

# ==== end decode: inverse DCT ====
