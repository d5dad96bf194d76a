"""jpeglite against Pillow (libjpeg-turbo): speed and rate-distortion, side by side, in one run.

``jpeglite bench`` and ``python bench/compare.py`` call :func:`run`, which prints

1. speed: megapixels per second for encode and decode, for jpeglite (one
   thread and default threads, when the codec takes a ``threads`` keyword) and
   Pillow, measured interleaved (every round times each codec once, in turn)
   and reported as the best of N rounds, with the ratio of jpeglite's time to
   Pillow's (below 1: jpeglite is faster). Every decoder reads the same bytes:
   the file Pillow wrote (a libjpeg-turbo file is the common case in the
   wild), or jpeglite's when Pillow is absent;
2. rate-distortion: mean bits per pixel and mean PSNR (dB, over all samples
   of each image) over a set of photos for each quality, for jpeglite with
   the standard Annex K Huffman tables, jpeglite with optimized tables, and
   Pillow, each file decoded by its own library; and the Bjontegaard delta
   rate of each curve against Pillow's default (:func:`bd_rate`).

Pillow is optional: without it, jpeglite is measured alone. Everything takes
its codecs as :class:`Codec` values, so the measuring code can be exercised
with stand-ins.
"""
from __future__ import annotations

import inspect
import io
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .images import codec, load_image, sample_image, SAMPLE_NAME
from .report import mse, psnr_from_mse

__all__ = [
    "Codec", "SpeedRow", "RDCurve", "bd_rate", "jpeglite_codecs", "pillow_codec",
    "measure_speed", "rd_curves", "format_speed", "format_rd", "find_corpus",
    "corpus_candidates", "no_corpus_message", "default_speed_images", "default_rd_images", "run", "QUALITIES", "QUICK_QUALITIES",
]

QUALITIES = (10, 20, 30, 40, 50, 60, 70, 80, 90, 95)
QUICK_QUALITIES = (30, 50, 75, 90)
REFERENCE = "Pillow"


@dataclass
class Codec:
    """One encoder/decoder pair under test.

    - ``encode(image, quality=, subsampling=, optimize=) -> bytes``
    - ``decode(data) -> ndarray``
    """

    name: str
    encode: Callable
    decode: Callable


def _takes_threads(fn) -> bool:
    """Whether ``fn`` has an explicit ``threads`` parameter (so it works before and after it exists)."""
    try:
        return "threads" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return False


def jpeglite_codecs() -> list:
    """jpeglite as benchmark codecs, looked up from the package now.

    Two entries, ``jpeglite threads=1`` and ``jpeglite threads=default``, when
    encode or decode takes a ``threads`` keyword; otherwise one, ``jpeglite``.
    """
    enc, dec = codec("encode"), codec("decode")
    enc_t, dec_t = _takes_threads(enc), _takes_threads(dec)

    def make(threads):
        ekw = {"threads": threads} if (enc_t and threads is not None) else {}
        dkw = {"threads": threads} if (dec_t and threads is not None) else {}
        return (lambda image, **kw: enc(image, **kw, **ekw),
                lambda data: dec(data, **dkw))

    if not (enc_t or dec_t):
        return [Codec("jpeglite", *make(None))]
    return [Codec("jpeglite threads=1", *make(1)),
            Codec("jpeglite threads=default", *make(None))]


def pillow_codec():
    """Pillow (libjpeg-turbo) as a benchmark codec, or None when Pillow is not installed."""
    try:
        from PIL import Image
    except ImportError:
        return None

    def encode(image, quality=75, subsampling="4:2:0", optimize=False):
        buf = io.BytesIO()
        kw = {"quality": quality, "optimize": optimize}
        if image.ndim == 3:
            kw["subsampling"] = subsampling
        Image.fromarray(image).save(buf, "JPEG", **kw)
        return buf.getvalue()

    def decode(data):
        with Image.open(io.BytesIO(data)) as im:
            return np.asarray(im)

    return Codec(REFERENCE, encode, decode)


def pillow_description() -> str:
    """'Pillow X (libjpeg-turbo Y)', or 'Pillow is not installed'."""
    try:
        import PIL
        from PIL import features
    except ImportError:
        return "Pillow is not installed"
    turbo = features.version("libjpeg_turbo") if features.check_feature("libjpeg_turbo") else None
    jpeg = f"libjpeg-turbo {turbo}" if turbo else f"libjpeg {features.version('jpg')}"
    return f"Pillow {PIL.__version__} ({jpeg})"


# ---- speed ------------------------------------------------------------------


@dataclass
class SpeedRow:
    """Best-of-N timing of one codec on one image (seconds; MP/s = megapixels per second)."""

    image: str
    codec: str
    megapixels: float
    size_bytes: int
    encode_seconds: float
    decode_seconds: float
    encode_ratio: float = math.nan   # this codec's encode time / the reference's
    decode_ratio: float = math.nan

    @property
    def encode_mps(self) -> float:
        """Encode speed, megapixels per second."""
        return self.megapixels / self.encode_seconds

    @property
    def decode_mps(self) -> float:
        """Decode speed, megapixels per second."""
        return self.megapixels / self.decode_seconds


def measure_speed(name, image, codecs, *, repeat=5, quality=75, subsampling="4:2:0",
                  optimize=False) -> list:
    """Time encode and decode of ``image`` for every codec, interleaved, best of ``repeat``.

    One untimed warm-up round first (thread pools, caches). Each round times
    every codec's encode in turn, then every codec's decode of the same bytes
    (the reference codec's file when present, else the first codec's). Returns
    one :class:`SpeedRow` per codec, ratios against the reference (``Pillow``).
    """
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    opts = {"quality": quality, "subsampling": subsampling, "optimize": optimize}
    files = {c.name: c.encode(image, **opts) for c in codecs}
    source = REFERENCE if REFERENCE in files else codecs[0].name
    data = files[source]
    for c in codecs:
        c.decode(data)
    enc = {c.name: math.inf for c in codecs}
    dec = {c.name: math.inf for c in codecs}
    clock = time.perf_counter
    for _ in range(repeat):
        for c in codecs:
            t0 = clock()
            c.encode(image, **opts)
            enc[c.name] = min(enc[c.name], clock() - t0)
        for c in codecs:
            t0 = clock()
            c.decode(data)
            dec[c.name] = min(dec[c.name], clock() - t0)
    mp = image.shape[0] * image.shape[1] / 1e6
    rows = [SpeedRow(name, c.name, mp, len(files[c.name]), enc[c.name], dec[c.name])
            for c in codecs]
    if REFERENCE in enc:
        for r in rows:
            r.encode_ratio = r.encode_seconds / enc[REFERENCE]
            r.decode_ratio = r.decode_seconds / dec[REFERENCE]
    return rows


def format_speed(rows) -> str:
    """A fixed-width table of :class:`SpeedRow` values."""
    iw = max([5] + [len(r.image) for r in rows])
    cw = max([5] + [len(r.codec) for r in rows])
    head = (f"{'image':<{iw}} {'codec':<{cw}} {'MP':>6} {'bytes':>10} {'enc MP/s':>9}"
            f" {'dec MP/s':>9} {'enc x ref':>9} {'dec x ref':>9}")
    lines = [head, "-" * len(head)]

    def ratio(x):
        return f"{x:>9.2f}" if math.isfinite(x) else f"{'-':>9}"

    for r in rows:
        lines.append(f"{r.image:<{iw}} {r.codec:<{cw}} {r.megapixels:>6.2f} {r.size_bytes:>10,}"
                     f" {r.encode_mps:>9.1f} {r.decode_mps:>9.1f} {ratio(r.encode_ratio)}"
                     f" {ratio(r.decode_ratio)}")
    return "\n".join(lines)


# ---- rate-distortion ----------------------------------------------------------


@dataclass
class RDCurve:
    """Mean bits per pixel and mean PSNR (dB) over a set of images, one point per quality."""

    label: str
    qualities: list = field(default_factory=list)
    bpp: list = field(default_factory=list)
    psnr: list = field(default_factory=list)


def rd_curves(images, configs, qualities, *, subsampling="4:2:0") -> dict:
    """Rate-distortion curves: for each config and quality, mean bpp and mean PSNR over ``images``.

    ``images``: sequence of (name, array). ``configs``: sequence of
    (label, Codec, optimize flag). Each file is decoded by the same codec that
    wrote it. Returns label -> :class:`RDCurve`.
    """
    curves = {}
    for label, c, optimize in configs:
        curve = RDCurve(label)
        for q in qualities:
            bpps, dbs = [], []
            for _, img in images:
                data = c.encode(img, quality=q, subsampling=subsampling, optimize=optimize)
                out = c.decode(data)
                bpps.append(8 * len(data) / (img.shape[0] * img.shape[1]))
                dbs.append(psnr_from_mse(mse(img, out)))
            curve.qualities.append(q)
            curve.bpp.append(float(np.mean(bpps)))
            curve.psnr.append(float(np.mean(dbs)))
        curves[label] = curve
    return curves


def bd_rate(ref_rate, ref_psnr, test_rate, test_psnr) -> float:
    """Bjontegaard delta rate of a test curve against a reference, in percent (VCEG-M33).

    Fits log10(rate) as a cubic polynomial of PSNR for each curve (a lower
    degree when a curve has fewer than 4 points), integrates both fits over
    the PSNR range the curves share, and returns ``(10**mean_difference - 1) *
    100``: the average change of rate at equal quality. Negative means the
    test curve needs fewer bits. NaN when the PSNR ranges do not overlap.
    Rates must be positive; any unit (bpp, bytes) works since only ratios count.
    """
    curves = []
    for rate, db in ((ref_rate, ref_psnr), (test_rate, test_psnr)):
        rate = np.asarray(rate, dtype=np.float64)
        db = np.asarray(db, dtype=np.float64)
        if rate.shape != db.shape or rate.ndim != 1:
            raise ValueError("rates and PSNRs must be 1-D sequences of the same length")
        if rate.size < 2 or np.unique(db).size < 2:
            raise ValueError("a BD-rate curve needs at least two points of distinct PSNR")
        if not (np.all(rate > 0) and np.all(np.isfinite(rate)) and np.all(np.isfinite(db))):
            raise ValueError("rates must be positive and PSNRs finite")
        curves.append((rate, db))
    lo = max(curves[0][1].min(), curves[1][1].min())
    hi = min(curves[0][1].max(), curves[1][1].max())
    if not hi > lo:
        return math.nan
    integrals = []
    for rate, db in curves:
        deg = min(3, np.unique(db).size - 1)
        # Centre PSNR so the cubic fit is well conditioned.
        mid = (lo + hi) / 2
        poly = np.polynomial.Polynomial.fit(db - mid, np.log10(rate), deg).convert()
        anti = poly.integ()
        integrals.append(anti(hi - mid) - anti(lo - mid))
    mean_diff = (integrals[1] - integrals[0]) / (hi - lo)
    return float((10.0 ** mean_diff - 1.0) * 100.0)


def format_rd(curves, reference=REFERENCE) -> str:
    """The rate-distortion table (bpp and PSNR per quality) and BD-rates against ``reference``."""
    labels = list(curves)
    qualities = curves[labels[0]].qualities
    head = f"{'quality':>7}" + "".join(f" | {lab[:21]:^21}" for lab in labels)
    sub = f"{'':>7}" + "".join(f" | {'bpp':>8} {'PSNR dB':>12}" for _ in labels)
    lines = [head, sub, "-" * len(sub)]
    for i, q in enumerate(qualities):
        lines.append(f"{q:>7}" + "".join(
            f" | {curves[lab].bpp[i]:>8.3f} {curves[lab].psnr[i]:>12.3f}" for lab in labels))
    if reference in curves:
        ref = curves[reference]
        lines.append("")
        lines.append(f"BD-rate against {reference} (negative: fewer bits at equal PSNR):")
        for lab in labels:
            try:
                v = bd_rate(ref.bpp, ref.psnr, curves[lab].bpp, curves[lab].psnr)
                text = f"{v:+.2f}%" if math.isfinite(v) else "n/a (no common PSNR range)"
            except ValueError as e:
                text = f"n/a ({e})"
            lines.append(f"  {lab:<24} {text}")
    return "\n".join(lines)


# ---- images -----------------------------------------------------------------


CORPUS_ENV = "JPEGLITE_CORPUS"


def corpus_candidates(root=None) -> list:
    """The directories :func:`find_corpus` tries, in order, as Paths.

    ``$JPEGLITE_CORPUS`` alone when that variable is set (a wrong path is then
    reported as absent, not replaced by a guess); otherwise ``../shared/corpus``
    beside the repository ``root``, or, with no ``root``, beside the source
    checkout this module lives in and beside the current directory.
    """
    env = os.environ.get(CORPUS_ENV)
    if env:
        return [Path(env)]
    if root is not None:
        roots = [Path(root)]
    else:
        here = Path(__file__).resolve()
        roots = [here.parents[2]] if len(here.parents) > 3 else []   # <root>/src/jpeglite/
        roots.append(Path.cwd())
    return [r.parent / "shared" / "corpus" for r in roots]


def find_corpus(root=None):
    """The image corpus directory (``kodak/``, ``large/``, ``jpeg/``), or None.

    The first of :func:`corpus_candidates` that is a directory; tests, the
    benchmark suites and ``jpeglite bench`` all find it here.
    """
    return next((c for c in corpus_candidates(root) if c.is_dir()), None)


def no_corpus_message(root=None) -> str:
    """One line for a missing corpus: where :func:`find_corpus` looked, and how to point at one."""
    looked = ", ".join(map(str, corpus_candidates(root)))
    return (f"image corpus not found (looked in {looked}); "
            f"set {CORPUS_ENV} to a directory holding kodak/, large/ and jpeg/")


def _have_pillow() -> bool:
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True


def _sample():
    return [(SAMPLE_NAME + " (bundled)", sample_image())]


def default_speed_images(quick=False) -> list:
    """The largest photo (most pixels) of corpus/large, or the bundled sample; as [(name, array)]."""
    corpus = find_corpus()
    if quick or corpus is None or not _have_pillow():
        return _sample()
    from PIL import Image

    best, best_px = None, 0
    for p in sorted((corpus / "large").glob("*.png")):
        with Image.open(p) as im:
            px = im.size[0] * im.size[1]
        if px > best_px:
            best, best_px = p, px
    if best is None:
        return _sample()
    return [(best.stem, load_image(best))]


def default_rd_images(quick=False) -> list:
    """The Kodak photos of the corpus (two in quick mode), or the bundled sample; as [(name, array)]."""
    corpus = find_corpus()
    if corpus is None or not _have_pillow():
        return _sample()
    paths = sorted((corpus / "kodak").glob("kodim*.png"))
    if not paths:
        return _sample()
    if quick:
        paths = paths[:2]
    return [(p.stem, load_image(p)) for p in paths]


def _describe(images) -> str:
    if len(images) == 1:
        name, img = images[0]
        return f"{name} ({img.shape[1]}x{img.shape[0]})"
    return f"{len(images)} images ({', '.join(n for n, _ in images[:3])}{', ...' if len(images) > 3 else ''})"


def run(images=None, *, repeat=5, quick=False, plot=None, out=None, codecs=None, tune=True,
        quality=75, subsampling="4:2:0", optimize=False, qualities=None) -> int:
    """Print the speed table and the rate-distortion table; return an exit code (0).

    - ``images``: sequence of (name, array) used for both parts; default: the
      largest corpus photo for speed and the Kodak photos for rate-distortion.
    - ``repeat``: rounds of timing (best of N); ``quick``: 1 round, 4 qualities, 2 photos.
    - ``quality``, ``subsampling``, ``optimize``: encode settings of the speed part.
    - ``plot``: a path to save the RD curves to (needs matplotlib).
    - ``codecs``: jpeglite codecs under test (default :func:`jpeglite_codecs`);
      Pillow is added as the reference when installed.
    - ``tune``: also a rate-distortion row for jpeglite's ``tune="psnr"`` (the
      rate-distortion optimized encoder; ``bench/rd_tune.py`` adds mozjpeg and
      SSIM), unless ``codecs`` replaces jpeglite.
    """
    out = out or sys.stdout
    if plot is not None:
        from .plot import require_matplotlib
        require_matplotlib()  # fail before measuring for minutes
    if quick:
        repeat = 1
    qualities = tuple(qualities or (QUICK_QUALITIES if quick else QUALITIES))
    ours = list(codecs) if codecs is not None else jpeglite_codecs()
    ref = pillow_codec()
    everyone = ours + ([ref] if ref else [])
    print(f"jpeglite benchmark; reference: {pillow_description()}; {os.cpu_count()} CPUs", file=out)
    if ref is None:
        print('Pillow is not installed: measuring jpeglite alone '
              '(pip install ".[image]" in the jpeglite checkout to compare)', file=out)

    speed_images = list(images) if images else default_speed_images(quick)
    rows = []
    for name, img in speed_images:
        rows += measure_speed(name, img, everyone, repeat=repeat, quality=quality,
                              subsampling=subsampling, optimize=optimize)
    tables = "optimized tables" if optimize else "standard tables"
    print(f"\nSpeed: quality {quality}, {subsampling}, {tables}, best of {repeat} interleaved rounds; "
          f"decoders all read {'the Pillow-written file' if ref else 'the jpeglite file'}; "
          f"'x ref' = time / Pillow's time (below 1 is faster)", file=out)
    print(format_speed(rows), file=out)

    rd_images = list(images) if images else default_rd_images(quick)
    default = ours[-1]  # default threads: same bytes as threads=1, measured once
    configs = [("jpeglite", default, False), ("jpeglite optimize", default, True)]
    if tune and codecs is None:
        enc = codec("encode")
        tuned = Codec('jpeglite tune="psnr"',
                      lambda image, optimize=False, **kw: enc(image, tune="psnr", **kw),
                      default.decode)
        configs.append(('jpeglite tune="psnr"', tuned, False))
    if ref:
        configs += [(REFERENCE, ref, False), ("Pillow optimize", ref, True)]
    curves = rd_curves(rd_images, configs, qualities, subsampling=subsampling)
    print(f"\nRate-distortion: {_describe(rd_images)}, {subsampling}, mean bits/pixel "
          f"and mean PSNR (RGB samples) per quality", file=out)
    print(format_rd(curves), file=out)
    if plot is not None:
        from .plot import plot_rd
        plot_rd({k: (c.bpp, c.psnr) for k, c in curves.items()}, plot,
                title=f"Rate-distortion, {_describe(rd_images)}")
        print(f"wrote {plot}", file=sys.stderr)  # info, not results: stderr
    return 0
