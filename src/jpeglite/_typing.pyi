# Type aliases shared by jpeglite's stubs (stub-only: there is no _typing module at run time).
import os
from typing import Any, Literal, Mapping, Sequence, TypeAlias

import numpy as np
import numpy.typing as npt

#: An image: a uint8 numpy array, (H, W) grayscale or (H, W, 3) RGB, any strides.
Image: TypeAlias = npt.NDArray[Any]
#: The bytes of a file: bytes, bytearray or memoryview.
Buffer: TypeAlias = bytes | bytearray | memoryview
#: A path: str, bytes or os.PathLike.
Path: TypeAlias = str | bytes | os.PathLike[str] | os.PathLike[bytes]
Subsampling: TypeAlias = Literal["4:4:4", "4:2:2", "4:2:0"]
#: Custom quantization tables, as Pillow's ``qtables``: 1..4 tables of 64
#: integers (natural order), a {slot: table} mapping, or the text form.
QTables: TypeAlias = (Sequence[Sequence[int]] | Sequence[npt.NDArray[Any]]
                      | Mapping[int, Sequence[int] | npt.NDArray[Any]] | npt.NDArray[Any] | str)
#: A progressive scan script: ``jpeglite.scans.ScanSpec(components, Ss, Se, Ah, Al)``
#: (a NamedTuple) or tuples of those five.
ScanScript: TypeAlias = Sequence[tuple[Any, int, int, int, int]]
#: A shared model: a tables-only stream's bytes, a ``jpeglite.jfif.TableSet``, or
#: the ``jpeglite.dataset.SharedTables`` of ``fit_tables`` (one table set)
#: (``object`` here: jfif has no stub, and a TableSet is taken too).
Tables: TypeAlias = bytes | bytearray | memoryview | object
