"""Colour conversion: RGB <-> YCbCr (JFIF, full range) in libjpeg's fixed-point arithmetic."""

# ==== encode: RGB -> YCbCr ====

# ==== end encode: RGB -> YCbCr ====


# ==== decode: YCbCr -> RGB (and CMYK/YCCK) ====

# ==== end decode: YCbCr -> RGB (and CMYK/YCCK) ====
