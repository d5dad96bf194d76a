"""JFIF container: write and parse the markers (SOI, APPn, DQT, SOF, DHT, DRI, SOS, RSTn, EOI)."""

# ==== encode: marker writers ====

# ==== end encode: marker writers ====


# ==== decode: marker parser ====

# ==== end decode: marker parser ====
