"""Chroma subsampling: box-average downsampling (encode) and upsampling (decode)."""

# ==== encode: downsampling ====

# ==== end encode: downsampling ====


# ==== decode: upsampling ====

# ==== end decode: upsampling ====
