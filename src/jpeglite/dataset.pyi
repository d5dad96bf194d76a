# Stubs of jpeglite.dataset: batches over many images, the Dask engine, shared tables.
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Literal

from ._typing import Buffer, Image, Subsampling

__all__ = ["analyze", "encode", "decode", "optimize", "iter_analyze", "iter_encode",
           "iter_decode", "iter_optimize",
           "iter_inputs", "iter_rows", "Input", "write_table", "Summary", "COLUMNS",
           "fit_tables", "SharedTables", "GroupCost", "MAX_GROUPS", "expand",
           "description_length", "shutdown", "keep_freed_memory", "DASK_CONFIG",
           "IMAGE_SUFFIXES", "CHUNK_SECONDS", "MAX_CHUNK",
           "LOOKAHEAD"]

_PathLike = str | os.PathLike[str]
#: What a batch takes: a path (file, folder, glob, ``@list``) or several, or
#: ``Input``s; ``analyze`` also a ``dask.bag.Bag`` of paths or JPEG bytes.
Inputs = _PathLike | Iterable[_PathLike | Input]
#: One row of a batch table: ``COLUMNS`` -> value (None where missing).
Row = dict[str, Any]
#: A batch's table: a pandas DataFrame (a list of ``Row`` without pandas), or
#: a Dask DataFrame on a cluster (``Any``: pandas and dask are optional extras).
Frame = Any
#: A ``jpeglite.jfif.TableSet`` (``Any``: jfif has no stub).
TableSet = Any
#: The images ``fit_tables`` and ``description_length`` take.
Images = Image | Inputs | Iterable[Image | Buffer | _PathLike | Input]

IMAGE_SUFFIXES: tuple[str, ...]
COLUMNS: dict[str, Literal["str", "int", "float", "bool"]]
MAX_GROUPS: int
CHUNK_SECONDS: float
MAX_CHUNK: int
LOOKAHEAD: int
DASK_CONFIG: dict[str, Any]

@dataclass(frozen=True)
class Input:
    path: str
    rel: str

def iter_inputs(inputs: Inputs, recursive: bool = False) -> Iterator[Input]: ...

def iter_analyze(paths: Inputs, jobs: int | None = None, *, recursive: bool = False,
                 quality: int = 75, subsampling: Subsampling = "4:2:0", optimize: bool = False,
                 reencode: bool = False, progress: bool = False) -> Iterator[Row]: ...
def analyze(paths: Inputs | Iterable[Any], jobs: int | None = None, *, client: Any = None,
            recursive: bool = False, quality: int = 75, subsampling: Subsampling = "4:2:0",
            optimize: bool = False, reencode: bool = False, progress: bool = False) -> Frame: ...
def iter_encode(paths: Inputs, out_dir: _PathLike, jobs: int | None = None, *,
                recursive: bool = False, quality: int = 75, subsampling: Subsampling = "4:2:0",
                optimize: bool = False, progressive: bool = False,
                tables: Buffer | SharedTables | None = None, resume: bool = False,
                psnr: bool = False, progress: bool = False,
                tune: Literal["psnr"] | None = None) -> Iterator[Row]: ...
def encode(paths: Inputs, out_dir: _PathLike, jobs: int | None = None, *,
           recursive: bool = False, quality: int = 75, subsampling: Subsampling = "4:2:0",
           optimize: bool = False, progressive: bool = False,
           tables: Buffer | SharedTables | None = None, resume: bool = False,
           psnr: bool = False, progress: bool = False,
           tune: Literal["psnr"] | None = None) -> Frame: ...
def iter_optimize(paths: Inputs, out_dir: _PathLike, jobs: int | None = None, *,
                  recursive: bool = False, progressive: bool = True, keep_metadata: bool = True,
                  resume: bool = False, progress: bool = False) -> Iterator[Row]: ...
def optimize(paths: Inputs, out_dir: _PathLike, jobs: int | None = None, *,
             recursive: bool = False, progressive: bool = True, keep_metadata: bool = True,
             resume: bool = False, progress: bool = False) -> Frame: ...
def iter_decode(paths: Inputs, out_dir: _PathLike, jobs: int | None = None, *,
                recursive: bool = False, suffix: str = ".png", resume: bool = False,
                progress: bool = False) -> Iterator[Row]: ...
def decode(paths: Inputs, out_dir: _PathLike, jobs: int | None = None, *,
           recursive: bool = False, suffix: str = ".png", resume: bool = False,
           progress: bool = False) -> Frame: ...

def iter_rows(df: Frame) -> Iterator[Row]: ...
def write_table(rows: Iterable[Row], path: _PathLike,
                on_row: Callable[[Row], object] | None = None) -> int: ...

class Summary:
    BIGGEST: int
    rows: int
    failed: int
    skipped: int
    warned: int
    errors: list[tuple[str, str]]
    warnings: list[tuple[str, str]]
    biggest: list[tuple[int, str]]
    parts: dict[str, int]
    stages: dict[str, float]
    input_bytes: int
    start: float
    def __init__(self) -> None: ...
    def add(self, row: Row) -> None: ...

def shutdown() -> None: ...
def keep_freed_memory() -> None: ...

@dataclass(frozen=True)
class GroupCost:
    k: int
    model_bits: int
    data_bits: int
    index_bits: int
    @property
    def total_bits(self) -> int: ...

@dataclass(frozen=True, eq=False)
class SharedTables:
    table_sets: tuple[TableSet, ...]
    assignment: tuple[int, ...]
    curve: tuple[GroupCost, ...]
    subsampling: str
    @property
    def k(self) -> int: ...
    @property
    def cost(self) -> GroupCost: ...
    def table_set(self, group: int | None = None) -> TableSet: ...
    def to_bytes(self, group: int | None = None) -> bytes: ...
    def __bytes__(self) -> bytes: ...
    def group_of(self, image: Image) -> int: ...
    @classmethod
    def from_streams(cls, streams: Iterable[Buffer],
                     subsampling: Subsampling = "4:2:0") -> SharedTables: ...

def fit_tables(images: Images, quality: int = 75, *, subsampling: Subsampling = "4:2:0",
               groups: int | Literal["auto"] = 1, jobs: int | None = 1,
               recursive: bool = False, complete: bool = True, skip_errors: bool = False,
               failed: list[tuple[str, str]] | None = None) -> SharedTables: ...
def expand(tables: Buffer | SharedTables | TableSet, data: Buffer) -> bytes: ...
def description_length(images: Images, quality: int = 75, *,
                       subsampling: Subsampling = "4:2:0", jobs: int | None = 1,
                       recursive: bool = False, save: _PathLike | None = None,
                       skip_errors: bool = False) -> dict[str, Any]: ...
