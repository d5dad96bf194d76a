"""Huffman codes: table construction, bit writer, bit reader, table decode."""

# ==== encode: code construction and bit writer ====

# ==== end encode: code construction and bit writer ====


# ==== decode: lookahead tables and bit reader ====

# ==== end decode: lookahead tables and bit reader ====
