"""encode, decode, analyze: validate arguments, run the pipeline, build results."""

# ==== encode ====

# ==== end encode ====


# ==== decode ====

# ==== end decode ====
