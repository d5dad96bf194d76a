# Huffman kernels shared by the drivers.

# ==== encode: code construction and bit writer ====

# ==== end encode: code construction and bit writer ====


# ==== decode: lookahead tables and bit reader ====

# ==== end decode: lookahead tables and bit reader ====
