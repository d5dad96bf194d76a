"""Every public name of jpeglite used once, for ``mypy --strict`` (tests/test_typing.py
runs it; CI does too). Also a script: ``python tests/typing_check.py`` runs it."""
from __future__ import annotations

import os
import tempfile

import numpy as np
import numpy.typing as npt

import jpeglite
from jpeglite import Coefficients, Component, JPEGError, Report, Stage, dataset


def use_the_api(tmp: str) -> None:
    image: npt.NDArray[np.uint8] = np.zeros((16, 24, 3), np.uint8)
    image[:, 12:] = 200
    data: bytes = jpeglite.encode(image, 80, subsampling="4:4:4", optimize=True,
                                  restart_interval=2, threads=1, comment="typed")
    data = jpeglite.encode(image, qtables=[[16] * 64, [17] * 64], icc_profile=None, exif=None)
    progressive: bytes = jpeglite.encode(image, progressive=True,
                                         scans=[((0, 1, 2), 0, 0, 0, 0), ((0,), 1, 63, 0, 0),
                                                ((1,), 1, 63, 0, 0), ((2,), 1, 63, 0, 0)])
    assert jpeglite.decode(progressive, tables=None).shape == image.shape
    arithmetic: bytes = jpeglite.encode(image, arithmetic=True)
    assert jpeglite.decode(arithmetic).shape == image.shape
    wide: bytes = jpeglite.encode(np.zeros((4, 4), np.uint16), lossless=True, precision=12,
                                  predictor=7, point_transform=0)
    deep: npt.NDArray[np.uint16] = jpeglite.decode(wide)
    assert deep.dtype == np.uint16
    twelve: bytes = jpeglite.encode(np.zeros((8, 8), np.uint16), 90, precision=12)
    assert jpeglite.decode(twelve).dtype == np.uint16
    pixels: npt.NDArray[np.uint8] = jpeglite.decode(data, max_pixels=10_000, threads=None)
    assert pixels.shape == image.shape
    path = os.path.join(tmp, "x.jpg")
    written: int = jpeglite.write(path, image, quality=90, subsampling="4:2:0")
    assert written == os.path.getsize(path)
    again = jpeglite.read(path)
    assert again.dtype == np.uint8

    coefs: Coefficients = jpeglite.read_coefficients(data, max_pixels=10_000)
    first: Component = coefs.components[0]
    blocks: npt.NDArray[np.int16] = first.blocks
    assert blocks.shape[:2] == (first.blocks_down, first.blocks_across)
    assert first.id >= 0 and first.h >= 1 and first.v >= 1 and first.quant_slot >= 0
    assert coefs.width == 24 and coefs.height == 16 and coefs.color == "ycbcr"
    assert coefs.max_h >= 1 and coefs.max_v >= 1
    assert coefs.component_quant(0).shape == (64,) and len(coefs.qtables) >= 1
    icc: bytes | None = coefs.icc_profile
    exif: bytes | None = coefs.exif
    comments: list[bytes] = coefs.comments
    assert icc is None and exif is None and comments == [] and coefs.metadata == []
    made = Coefficients(coefs.width, coefs.height,
                        [Component(c.id, c.h, c.v, c.quant_slot, c.blocks)
                         for c in coefs.components], dict(coefs.qtables), coefs.color)
    same: bytes = jpeglite.encode_coefficients(made, optimize=False, restart_interval=0)
    assert jpeglite.encode_coefficients(made, progressive=True, threads=1)
    assert np.array_equal(jpeglite.decode(same), jpeglite.decode(data))

    report: Report = jpeglite.analyze(image, 75, subsampling="4:2:0", threads=1)
    stage: Stage = report.stage("huffman")
    name: str = stage.name
    bits: float = stage.bits
    seconds: float = stage.seconds + report.seconds
    details: dict[str, object] = stage.details
    assert name == "huffman" and bits > 0 and seconds >= 0 and details
    assert report.model_bits + report.header_bits + report.data_bits + report.metadata_bits \
        == report.file_bits == 8 * len(report.data)
    assert report.width * report.height == report.pixels and report.components == 3
    ratio: float = report.compression_ratio + report.bpp
    mse: float | None = report.mse
    psnr: float | None = report.psnr
    assert ratio > 0 and mse is not None and psnr is not None and report.kind == "encode"
    per_block: dict[str, npt.NDArray[np.int32]] = report.block_bits
    assert 0 < sum(int(b.sum()) for b in per_block.values()) <= stage.bits
    options: dict[str, object] = report.options
    assert options["quality"] == 75 and [s.name for s in report.stages][0] == "raw"
    plain: dict[str, object] = report.to_dict()
    page: str = report.to_html("typed")
    assert plain["kind"] == "encode" and page.startswith("<!DOCTYPE html>")
    smaller: bytes = jpeglite.optimize(data, progressive=True, keep_metadata=False, threads=1,
                                       max_pixels=10_000)
    assert np.array_equal(jpeglite.decode(smaller), jpeglite.decode(data))
    as_is = jpeglite.analyze(data, max_pixels=10_000)
    assert as_is.kind == "file" and str(as_is)

    try:
        jpeglite.decode(b"\xff\xd8\xff")
    except JPEGError as e:
        offset: int | None = e.offset
        reason: str = e.reason
        assert reason and (offset is None or offset >= 0)
    version: str = jpeglite.__version__
    assert version


def use_the_dataset_api(tmp: str) -> None:
    """jpeglite.dataset (its stub): batches, rows, tables, shared models (jobs=1:
    no worker processes when run as a script)."""
    tile: npt.NDArray[np.uint8] = np.zeros((16, 16, 3), np.uint8)
    tile[4:, :8] = 90
    src = os.path.join(tmp, "in")
    os.makedirs(src)
    for i in range(3):
        jpeglite.write(os.path.join(src, f"t{i}.jpg"), np.roll(tile, i, axis=1), quality=80)
    inputs: list[dataset.Input] = list(dataset.iter_inputs(src, recursive=False))
    assert [i.rel for i in inputs] == ["t0.jpg", "t1.jpg", "t2.jpg"] and inputs[0].path
    rows: list[dict[str, object]] = list(dataset.iter_analyze(src, 1, quality=75,
                                                               subsampling="4:2:0"))
    assert rows[0]["error"] is None and set(rows[0]) == set(dataset.COLUMNS)
    table = os.path.join(tmp, "t.jsonl")
    summary = dataset.Summary()
    n: int = dataset.write_table(rows, table, on_row=summary.add)
    assert n == summary.rows == 3 and summary.failed == 0 and str(summary)
    written = list(dataset.iter_encode(inputs, os.path.join(tmp, "out"), 1, quality=70,
                                       resume=True, psnr=True))
    again = list(dataset.iter_optimize(os.path.join(tmp, "out"), os.path.join(tmp, "opt"), 1))
    pngs = list(dataset.iter_decode(src, os.path.join(tmp, "png"), 1, suffix=".png"))
    assert len(written) == len(again) == len(pngs) == 3
    frame = dataset.analyze(src, jobs=1)
    assert len(frame) == 3 and dataset.MAX_CHUNK >= 1 and dataset.CHUNK_SECONDS > 0

    shared: dataset.SharedTables = dataset.fit_tables([tile, np.roll(tile, 3, axis=0)], 75,
                                                      subsampling="4:2:0", groups="auto")
    cost: dataset.GroupCost = shared.cost
    total: int = cost.total_bits
    assert total > 0 and shared.k >= 1 and len(shared.curve) >= 1
    stream: bytes = shared.to_bytes(shared.group_of(tile) if shared.k > 1 else None)
    one = dataset.SharedTables.from_streams([stream])
    abbreviated: bytes = jpeglite.encode(tile, tables=one)
    ordinary: bytes = dataset.expand(stream, abbreviated)
    assert jpeglite.decode(ordinary).shape == tile.shape
    dl: dict[str, object] = dataset.description_length([tile], 75, jobs=1)
    assert dl["images"] == 1
    dataset.keep_freed_memory()
    dataset.shutdown()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as d:
        use_the_api(d)
    with tempfile.TemporaryDirectory() as d:
        use_the_dataset_api(d)
    print("ok")
