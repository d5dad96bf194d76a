# Types of jpeglite's public API (PEP 561; tests/test_typing.py checks these
# stubs name every public name with the run-time signature, and runs
# `mypy --strict` over tests/typing_check.py).
import numpy as np
import numpy.typing as npt

from ._typing import Buffer, Image, Path, QTables, ScanScript, Subsampling, Tables
from .coefficients import Coefficients as Coefficients, Component as Component
from .errors import JPEGError as JPEGError
from .report import Report as Report, Stage as Stage

__version__: str

def encode(image: Image, quality: int | None = None, *, subsampling: Subsampling = "4:2:0",
           optimize: bool = False, restart_interval: int = 0, threads: int | None = None,
           qtables: QTables | None = None, icc_profile: bytes | None = None,
           exif: bytes | None = None, comment: str | bytes | None = None,
           progressive: bool = False, scans: ScanScript | None = None,
           tables: Tables | None = None, abbreviated: bool | None = None,
           arithmetic: bool = False) -> bytes: ...
def write(path: Path, image: Image, quality: int | None = None, *,
          subsampling: Subsampling = "4:2:0", optimize: bool = False, restart_interval: int = 0,
          threads: int | None = None, qtables: QTables | None = None,
          icc_profile: bytes | None = None, exif: bytes | None = None,
          comment: str | bytes | None = None, progressive: bool = False,
          scans: ScanScript | None = None, arithmetic: bool = False) -> int: ...
def decode(data: Buffer, *, max_pixels: int = ..., threads: int | None = None,
           tables: Tables | None = None) -> npt.NDArray[np.uint8]: ...
def read(path: Path, *, max_pixels: int = ..., threads: int | None = None
         ) -> npt.NDArray[np.uint8]: ...
def read_coefficients(data: Buffer, *, max_pixels: int = ...) -> Coefficients: ...
def encode_coefficients(coefficients: Coefficients, *, optimize: bool = True,
                        progressive: bool = False, scans: ScanScript | None = None,
                        restart_interval: int = 0, threads: int | None = None,
                        arithmetic: bool = False) -> bytes: ...
def optimize(data: Buffer, *, progressive: bool = True, keep_metadata: bool = True,
             threads: int | None = None, max_pixels: int = ...) -> bytes: ...
def analyze(image: Image | Buffer, quality: int | None = None, *,
            subsampling: Subsampling = "4:2:0", optimize: bool = False,
            restart_interval: int = 0, threads: int | None = None,
            qtables: QTables | None = None, icc_profile: bytes | None = None,
            exif: bytes | None = None, comment: str | bytes | None = None,
            max_pixels: int = ...) -> Report: ...
