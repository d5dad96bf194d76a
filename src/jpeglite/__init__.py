"""jpeglite: a JPEG codec whose Cython kernels explain every bit they write.

Public names: encode, write, decode, read, analyze, Report, Stage, JPEGError.
"""
from .errors import JPEGError

# ==== encode ====
from .api import encode, write
# ==== end encode ====


# ==== decode ====
from .api import decode, read
# ==== end decode ====

__version__ = "0.1.0"
