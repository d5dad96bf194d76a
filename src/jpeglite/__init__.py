"""jpeglite: a JPEG codec whose Cython kernels explain every bit they write.

Public names: encode, write, decode, read, info, analyze, read_coefficients,
encode_coefficients, optimize, Coefficients, Component, Info, Report, Stage, JPEGError,
ConversionWarning, CorruptDataWarning. Types: py.typed and the .pyi stubs beside these modules.
"""
from .api import (analyze, decode, encode, encode_coefficients, info, optimize, read,
                  read_coefficients, write)
from .coefficients import Coefficients, Component
from .decoder import Info
from .errors import ConversionWarning, CorruptDataWarning, JPEGError
from .report import Report, Stage

__version__ = "0.1.0"
