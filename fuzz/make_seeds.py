"""Write the fuzzing seed corpus to fuzz/seeds/: small files from jpeglite's encoder
(baseline, progressive, arithmetic), from Pillow, and the small JPEGs of
../shared/corpus/jpeg; and abbreviated streams to fuzz/seeds-tables/."""
import io
from pathlib import Path

import numpy as np

import jpeglite

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "jpeg"
LIMIT = 64 * 1024  # bytes: small seeds keep each execution fast


def main():
    out = HERE / "seeds"
    out.mkdir(exist_ok=True)
    rng = np.random.default_rng(1)
    smooth = np.add.outer(np.arange(37), np.arange(29)).astype(np.uint8) * 3
    images = {
        "noise": rng.integers(0, 256, (23, 31, 3), dtype=np.uint8),
        "smooth": np.dstack([smooth, smooth[::-1], smooth[:, ::-1]]),
        "gray": smooth,
    }
    n = 0
    for name, im in images.items():
        for sub in ("4:2:0", "4:2:2", "4:4:4"):
            for opt in (False, True):
                for ri in (0, 1, 5):
                    data = jpeglite.encode(im, 60, subsampling=sub, optimize=opt, restart_interval=ri)
                    (out / f"jpeglite_{name}_{sub.replace(':', '')}_{int(opt)}_{ri}.jpg").write_bytes(data)
                    n += 1
    for name, im in images.items():
        for sub in ("4:2:0", "4:4:4"):
            for kw in ({"progressive": True}, {"arithmetic": True},
                       {"arithmetic": True, "restart_interval": 2},
                       {"arithmetic": True, "progressive": True},
                       {"progressive": True, "restart_interval": 3}):
                data = jpeglite.encode(im, 60, subsampling=sub, **kw)
                tag = "_".join(f"{k}{int(v)}" for k, v in kw.items())
                (out / f"jpeglite_{name}_{sub.replace(':', '')}_{tag}.jpg").write_bytes(data)
                n += 1
    # 12-bit DCT and lossless files (uint16 decodes)
    deep = {"gray16": smooth.astype(np.uint16) * 16, "rgb16": images["noise"].astype(np.uint16) * 16}
    for name, im in deep.items():
        for kw in ({"precision": 12}, {"precision": 12, "progressive": True},
                   {"precision": 12, "arithmetic": True, "restart_interval": 2},
                   {"lossless": True, "precision": 12, "predictor": 4},
                   {"lossless": True, "precision": 16, "predictor": 7, "restart_interval": im.shape[1]},
                   {"lossless": True, "precision": 12, "point_transform": 2}):
            try:
                data = jpeglite.encode(im, **kw)
            except TypeError:                   # a jpeglite without 12-bit/lossless encode
                break
            tag = "_".join(f"{k}{int(v)}" for k, v in kw.items())
            (out / f"jpeglite_{name}_{tag}.jpg").write_bytes(data)
            n += 1
    # Abbreviated streams for the `tables` target of fuzz_kernels.py: written with the
    # tables that target decodes with, and one tables-only stream joined to its image.
    tables_out = HERE / "seeds-tables"
    tables_out.mkdir(exist_ok=True)
    import fuzz_kernels

    tables = fuzz_kernels.tables_stream()
    for name, im in images.items():
        for ri in (0, 2):
            data = jpeglite.encode(im, tables=tables, restart_interval=ri)
            (tables_out / f"abbrev_{name}_{ri}.jpg").write_bytes(data)
            (tables_out / f"joined_{name}_{ri}.jpg").write_bytes(tables + data)
            n += 2
    try:
        from PIL import Image
    except ImportError:
        Image = None
    if Image is not None:
        for name, im in images.items():
            for prog in (False, True):
                buf = io.BytesIO()
                Image.fromarray(im).save(buf, "JPEG", quality=70, progressive=prog)
                (out / f"pillow_{name}_{int(prog)}.jpg").write_bytes(buf.getvalue())
                n += 1
    for path in sorted(CORPUS.glob("*.jp*g")):
        if path.stat().st_size <= LIMIT:
            (out / path.name).write_bytes(path.read_bytes())
            n += 1
    print(f"{n} seeds in {out}")


if __name__ == "__main__":
    main()
