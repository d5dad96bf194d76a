from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Component", "Coefficients", "COLOR_TRANSFORMS", "check_coefficients",
           "component_size", "scan_mcus"]

COLOR_TRANSFORMS: tuple[str, ...]

def component_size(width: int, height: int, h: int, v: int, max_h: int, max_v: int
                   ) -> tuple[int, int]: ...
def scan_mcus(width: int, height: int, max_h: int, max_v: int, h: int = 1, v: int = 1,
              interleaved: bool = True) -> tuple[int, int]: ...

@dataclass
class Component:
    id: int
    h: int
    v: int
    quant_slot: int
    blocks: npt.NDArray[np.int16]
    @property
    def blocks_down(self) -> int: ...
    @property
    def blocks_across(self) -> int: ...

@dataclass
class Coefficients:
    width: int
    height: int
    components: list[Component]
    qtables: dict[int, npt.NDArray[Any]]
    color: str
    metadata: list[tuple[int, bytes]] = ...
    precision: int = ...
    @property
    def max_h(self) -> int: ...
    @property
    def max_v(self) -> int: ...
    @property
    def icc_profile(self) -> bytes | None: ...
    @property
    def exif(self) -> bytes | None: ...
    @property
    def comments(self) -> list[bytes]: ...
    def component_quant(self, index: int) -> npt.NDArray[Any]: ...

def check_coefficients(coefficients: Coefficients) -> Coefficients: ...
