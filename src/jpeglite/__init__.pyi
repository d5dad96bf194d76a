# Types of jpeglite's public API (PEP 561; tests/test_typing.py checks these
# stubs name every public name with the run-time signature, and runs
# `mypy --strict` over tests/typing_check.py).
import numpy as np
import numpy.typing as npt

from typing import Any, BinaryIO, Literal

from ._typing import Buffer, Image, Path, QTables, ScanScript, Subsampling, Tables
from .coefficients import Coefficients as Coefficients, Component as Component
from .errors import ConversionWarning as ConversionWarning, JPEGError as JPEGError
from .errors import CorruptDataWarning as CorruptDataWarning
from .report import Report as Report, Stage as Stage

Tune = Literal["psnr"]
Mode = Literal["RGB"]
Scale = float

class Info:
    width: int
    height: int
    components: int
    sampling: list[tuple[int, int]]
    subsampling: str | None
    process: str
    progressive: bool
    color: str
    mode: str
    quality: int | None
    quality_exact: bool
    icc_profile_bytes: int | None
    exif_bytes: int | None
    comment_bytes: list[int]
    segments: list[tuple[str, int]]

__version__: str

def encode(image: Image | Any, quality: int | None = None, *,
           subsampling: Subsampling | None = None,
           optimize: bool = False, restart_interval: int = 0, threads: int | None = None,
           qtables: QTables | None = None, icc_profile: bytes | None = None,
           exif: bytes | None = None, comment: str | bytes | None = None,
           progressive: bool = False, scans: ScanScript | None = None,
           tables: Tables | None = None, abbreviated: bool | None = None,
           arithmetic: bool = False, tune: Tune | None = None,
           precision: int | None = None, lossless: bool = False, predictor: int = 1,
           point_transform: int = 0) -> bytes: ...
def write(path: Path | BinaryIO, image: Image | Any, quality: int | None = None, *,
          subsampling: Subsampling | None = None, optimize: bool = False,
          restart_interval: int = 0,
          threads: int | None = None, qtables: QTables | None = None,
          icc_profile: bytes | None = None, exif: bytes | None = None,
          comment: str | bytes | None = None, progressive: bool = False,
          scans: ScanScript | None = None, arithmetic: bool = False,
          tune: Tune | None = None, precision: int | None = None, lossless: bool = False,
          predictor: int = 1, point_transform: int = 0) -> int: ...
# the dtype follows the file: uint8 for 8-bit files, uint16 for 12-bit and
# 9..16-bit lossless ones (typed Any, so code written for uint8 still checks)
def decode(data: Buffer, *, mode: Mode | None = None, scale: Scale = 1,
           max_pixels: int = ..., threads: int | None = None,
           tables: Tables | None = None, strict: bool = False,
           block_smoothing: bool = True) -> npt.NDArray[Any]: ...
def read(path: Path | BinaryIO, *, mode: Mode | None = None, scale: Scale = 1,
         max_pixels: int = ..., threads: int | None = None,
         strict: bool = False) -> npt.NDArray[Any]: ...
def info(data: Buffer, *, max_pixels: int = ...) -> Info: ...
def read_coefficients(data: Buffer, *, max_pixels: int = ...) -> Coefficients: ...
def encode_coefficients(coefficients: Coefficients, *, optimize: bool = True,
                        progressive: bool = False, scans: ScanScript | None = None,
                        restart_interval: int = 0, threads: int | None = None,
                        arithmetic: bool = False) -> bytes: ...
def optimize(data: Buffer, *, progressive: bool = True, keep_metadata: bool = True,
             threads: int | None = None, max_pixels: int = ...) -> bytes: ...
def analyze(image: Image | Buffer | Any, quality: int | None = None, *,
            subsampling: Subsampling | None = None, optimize: bool = False,
            restart_interval: int = 0, threads: int | None = None,
            qtables: QTables | None = None, icc_profile: bytes | None = None,
            exif: bytes | None = None, comment: str | bytes | None = None,
            max_pixels: int = ..., tune: Tune | None = None) -> Report: ...
