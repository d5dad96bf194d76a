"""Pillow-backed stand-ins for jpeglite's codec functions, for the tools tests only.

They follow the public signatures of DESIGN.md (encode, decode, read, write,
analyze) so the command line and the benchmark can be tested before (and
independently of) the real codec; ``install(monkeypatch)`` puts them on the
``jpeglite`` package, where the tools look codec functions up at call time.
"""
import io
import time

import numpy as np
from PIL import Image

import jpeglite
from jpeglite.errors import JPEGError
from jpeglite.report import STAGE_NAMES, Report, Stage, mse, psnr_from_mse

CALLS = []  # (function name, keyword arguments) of every call, for tests to inspect


def _check(image):
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise TypeError(f"image must be a uint8 numpy array, got {type(image).__name__}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ValueError(f"image must be (H, W) or (H, W, 3), got shape {image.shape}")


def encode(image, quality=75, *, subsampling="4:2:0", optimize=False, restart_interval=0):
    CALLS.append(("encode", dict(quality=quality, subsampling=subsampling, optimize=optimize,
                                 restart_interval=restart_interval)))
    _check(image)
    if subsampling not in ("4:4:4", "4:2:2", "4:2:0"):
        raise ValueError(f"unknown subsampling {subsampling!r}")
    buf = io.BytesIO()
    kw = {"quality": quality, "optimize": optimize}
    if image.ndim == 3:
        kw["subsampling"] = subsampling
    Image.fromarray(np.ascontiguousarray(image)).save(buf, "JPEG", **kw)
    return buf.getvalue()


def decode(data, *, mode=None, max_pixels=None):
    CALLS.append(("decode", {}))
    if not data.startswith(b"\xff\xd8"):
        raise JPEGError("not a JPEG file: no SOI marker", 0)
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im if mode is None else im.convert(mode))


def read(path):
    with open(path, "rb") as f:
        return decode(f.read())


def write(path, image, **options):
    data = jpeglite.encode(image, **options)      # an installed override of encode applies
    if hasattr(path, "write"):
        path.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)
    return len(data)


def analyze(image, quality=75, **options):
    """A stand-in Report: real sizes and distortion, invented stage splits."""
    CALLS.append(("analyze", dict(quality=quality, **options)))
    t0 = time.perf_counter()
    data = encode(image, quality, **options)
    out = decode(data)
    h, w = image.shape[:2]
    c = 1 if image.ndim == 2 else 3
    raw = 8 * h * w * c
    file_bits = 8 * len(data)
    bits = [raw, raw, raw // 2, raw // 4, file_bits, file_bits - 100, file_bits - 50, file_bits]
    dt = (time.perf_counter() - t0) / len(STAGE_NAMES)
    stages = [Stage(n, b, dt, {"stand_in": True}) for n, b in zip(STAGE_NAMES, bits)]
    err = mse(image, out)
    return Report(stages, model_bits=0, header_bits=file_bits, data_bits=0, data=data,
                  width=w, height=h, components=c, mse=err, psnr=psnr_from_mse(err),
                  options={"quality": quality, **options})


def install(monkeypatch, **overrides):
    """Put the stand-ins (and any overrides) on the jpeglite package for one test."""
    CALLS.clear()
    funcs = dict(encode=encode, decode=decode, read=read, write=write, analyze=analyze)
    funcs.update(overrides)
    for name, fn in funcs.items():
        monkeypatch.setattr(jpeglite, name, fn, raising=False)
