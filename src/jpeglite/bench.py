"""jpeglite against Pillow (libjpeg-turbo): speed and rate-distortion, side by side, in one run.

``jpeglite bench`` and ``python bench/compare.py`` call :func:`run`, which prints

1. speed: megapixels per second for encode and decode, for jpeglite (one
   thread and default threads, when the codec takes a ``threads`` keyword),
   Pillow (numpy in and out, as for every codec) and, when they are installed
   and load, simplejpeg and PyTurboJPEG (libjpeg-turbo called directly) and
   Pillow's codec alone (a PIL Image in, ``Image.load`` out: what Pillow's own
   users see), measured interleaved (every round times each codec in turn)
   and reported as the median of N rounds, with the ratio of each time to
   Pillow's (below 1: faster). Every decoder reads the same bytes: the file
   Pillow wrote (a libjpeg-turbo file is the common case in the wild), or
   jpeglite's when Pillow is absent. The default run measures the largest
   corpus photo at the given settings and at q90 4:4:4, decodes its
   progressive file, and times the size series (``SIZES``: 64x64 and
   256x256 crops, the 12 MP photo, a 48 MP mosaic of it) in microseconds per
   call, with ratios against simplejpeg and Pillow. The header notes the
   machine's load average (``os.getloadavg``): a busy neighbour halves a
   2-core figure;
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
import statistics
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
    "simplejpeg_codec", "turbojpeg_codec", "pillow_image_codec", "other_codecs",
    "size_series", "measure_decode", "format_series", "load_note", "SIZES",
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


def _takes(fn, name) -> bool:
    """Whether ``fn`` has an explicit parameter ``name`` (``threads``, ``tune``), so
    the benchmark works with builds (and stand-ins) before and after it exists."""
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return False


def jpeglite_codecs() -> list:
    """jpeglite as benchmark codecs, looked up from the package now.

    Two entries, ``jpeglite threads=1`` and ``jpeglite threads=default``, when
    encode or decode takes a ``threads`` keyword; otherwise one, ``jpeglite``.
    """
    enc, dec = codec("encode"), codec("decode")
    enc_t, dec_t = _takes(enc, "threads"), _takes(dec, "threads")

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


SIMPLEJPEG = "simplejpeg"
_SUBSAMPLING_CODES = {"4:4:4": "444", "4:2:2": "422", "4:2:0": "420"}


def simplejpeg_codec():
    """simplejpeg (libjpeg-turbo, numpy in and out) as a benchmark codec, or
    None when it is not installed. It has no optimized-table encode: with
    ``optimize=True`` its encode raises NotImplementedError."""
    try:
        import simplejpeg
    except ImportError:
        return None

    def encode(image, quality=75, subsampling="4:2:0", optimize=False):
        if optimize:
            raise NotImplementedError("simplejpeg writes standard Huffman tables only")
        if image.ndim == 2:
            return simplejpeg.encode_jpeg(image[:, :, None], quality=quality, colorspace="GRAY")
        return simplejpeg.encode_jpeg(image, quality=quality,
                                      colorsubsampling=_SUBSAMPLING_CODES[subsampling])

    return Codec(SIMPLEJPEG, encode, simplejpeg.decode_jpeg)


def turbojpeg_codec():
    """(PyTurboJPEG as a benchmark codec, None) or (None, why it is left
    out): not installed, or its libturbojpeg does not load (PyTurboJPEG 2
    needs libjpeg-turbo 3; PyTurboJPEG 1.x works with 2.x). No
    optimized-table encode, as for simplejpeg."""
    try:
        import turbojpeg
    except ImportError:
        return None, "PyTurboJPEG is not installed (pip install pyturbojpeg)"
    try:
        tj = turbojpeg.TurboJPEG()
    except Exception as e:    # the library is missing or too old: a reason, not a failure
        return None, f"PyTurboJPEG does not load: {str(e).splitlines()[0]}"
    samp = {"4:4:4": turbojpeg.TJSAMP_444, "4:2:2": turbojpeg.TJSAMP_422,
            "4:2:0": turbojpeg.TJSAMP_420}

    def encode(image, quality=75, subsampling="4:2:0", optimize=False):
        if optimize:
            raise NotImplementedError("PyTurboJPEG writes standard Huffman tables only")
        if image.ndim == 2:
            return tj.encode(image[:, :, None], quality=quality, pixel_format=turbojpeg.TJPF_GRAY,
                             jpeg_subsample=turbojpeg.TJSAMP_GRAY)
        return tj.encode(image, quality=quality, pixel_format=turbojpeg.TJPF_RGB,
                         jpeg_subsample=samp[subsampling])

    def decode(data):
        return tj.decode(data, pixel_format=turbojpeg.TJPF_RGB)

    return Codec("PyTurboJPEG", encode, decode), None


def pillow_image_codec():
    """Pillow's codec alone, as its own users call it: encode saves a PIL
    Image (made from the array once, outside the timing), decode opens and
    ``load``s one (no numpy array). None without Pillow."""
    try:
        from PIL import Image
    except ImportError:
        return None
    images = {}     # id(array) -> (array, its PIL Image): the array kept so its id stays its own

    def encode(image, quality=75, subsampling="4:2:0", optimize=False):
        entry = images.get(id(image))
        if entry is None or entry[0] is not image:
            if len(images) > 8:
                images.clear()
            entry = images[id(image)] = (image, Image.fromarray(image))
        buf = io.BytesIO()
        kw = {"quality": quality, "optimize": optimize}
        if image.ndim == 3:
            kw["subsampling"] = subsampling
        entry[1].save(buf, "JPEG", **kw)
        return buf.getvalue()

    def decode(data):
        im = Image.open(io.BytesIO(data))
        im.load()
        return im

    return Codec("Pillow (Image)", encode, decode)


def other_codecs():
    """The codecs measured beside jpeglite and Pillow (numpy): simplejpeg,
    PyTurboJPEG and Pillow's codec alone, those that load; and a line per one
    left out saying why. Returns (codecs, notes)."""
    codecs, notes = [], []
    sj = simplejpeg_codec()
    if sj is None:
        notes.append("simplejpeg is not installed (pip install simplejpeg)")
    else:
        codecs.append(sj)
    tj, why = turbojpeg_codec()
    if tj is None:
        notes.append(why)
    else:
        codecs.append(tj)
    pi = pillow_image_codec()
    if pi is not None:
        codecs.append(pi)
    return codecs, notes


def load_note() -> str:
    """The machine's load: 'load average 1.02 0.95 0.80 (1, 5, 15 min) on 2 CPUs',
    with a warning when it is above half the CPUs (timings then shift)."""
    try:
        one, five, fifteen = os.getloadavg()
    except (AttributeError, OSError):
        return "load average unknown"
    cpus = os.cpu_count() or 1
    note = f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min) on {cpus} CPUs"
    if one > cpus / 2:
        note += ": the machine is busy, timings and ratios are noisy"
    return note


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
    """Timing of one codec on one image: seconds per call, the median of N interleaved
    rounds (MP/s = megapixels per second)."""

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


def _calls_for(seconds, target=0.02, most=2000) -> int:
    """Calls per timed round for an operation taking ``seconds``: enough for
    about ``target`` seconds (a 30 us call timed alone is mostly clock)."""
    return max(1, min(most, round(target / max(seconds, 1e-9))))


def measure_speed(name, image, codecs, *, repeat=5, quality=75, subsampling="4:2:0",
                  optimize=False, calls=1) -> list:
    """Time encode and decode of ``image`` for every codec, interleaved; medians of ``repeat`` rounds.

    One untimed warm-up round first (thread pools, caches). Each round times
    every codec's encode in turn, then every codec's decode of the same bytes
    (the reference codec's file when present, else the first codec's); each
    timing is a loop of ``calls`` calls (None: as many as take about 20 ms,
    from the warm-up), divided by ``calls``. A codec whose encode raises
    NotImplementedError for these settings (no optimized tables) is left
    out. Returns one :class:`SpeedRow` per codec (seconds per call, the
    median over the rounds), ratios against the reference (``Pillow``).
    """
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    opts = {"quality": quality, "subsampling": subsampling, "optimize": optimize}
    files = {}
    clock = time.perf_counter
    slowest = 0.0
    kept = []
    for c in codecs:
        t0 = clock()
        try:
            files[c.name] = c.encode(image, **opts)
        except NotImplementedError:
            continue
        slowest = max(slowest, clock() - t0)
        kept.append(c)
    codecs = kept
    source = REFERENCE if REFERENCE in files else codecs[0].name
    data = files[source]
    for c in codecs:
        t0 = clock()
        c.decode(data)
        slowest = max(slowest, clock() - t0)
    if calls is None:
        calls = _calls_for(slowest)
    enc = {c.name: [] for c in codecs}
    dec = {c.name: [] for c in codecs}
    for _ in range(repeat):
        for c in codecs:
            t0 = clock()
            for _ in range(calls):
                c.encode(image, **opts)
            enc[c.name].append((clock() - t0) / calls)
        for c in codecs:
            t0 = clock()
            for _ in range(calls):
                c.decode(data)
            dec[c.name].append((clock() - t0) / calls)
    mp = image.shape[0] * image.shape[1] / 1e6
    rows = [SpeedRow(name, c.name, mp, len(files[c.name]), statistics.median(enc[c.name]),
                     statistics.median(dec[c.name])) for c in codecs]
    if REFERENCE in enc:
        ref = next(r for r in rows if r.codec == REFERENCE)
        for r in rows:
            r.encode_ratio = r.encode_seconds / ref.encode_seconds
            r.decode_ratio = r.decode_seconds / ref.decode_seconds
    return rows


def measure_decode(name, data, codecs, *, repeat=5, calls=None) -> list:
    """Decode-only timing of one file (``data``: bytes) by every codec,
    interleaved, medians of ``repeat`` rounds, as :func:`measure_speed`
    (``encode_seconds`` is NaN): for files only some encoders write, such
    as a progressive one."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    clock = time.perf_counter
    slowest = 0.0
    first = None
    for c in codecs:
        t0 = clock()
        out = c.decode(data)
        slowest = max(slowest, clock() - t0)
        if first is None:
            first = out
    if calls is None:
        calls = _calls_for(slowest)
    dec = {c.name: [] for c in codecs}
    for _ in range(repeat):
        for c in codecs:
            t0 = clock()
            for _ in range(calls):
                c.decode(data)
            dec[c.name].append((clock() - t0) / calls)
    shape = np.asarray(first).shape
    mp = shape[0] * shape[1] / 1e6
    rows = [SpeedRow(name, c.name, mp, len(data), math.nan, statistics.median(dec[c.name]))
            for c in codecs]
    if REFERENCE in dec:
        ref = statistics.median(dec[REFERENCE])
        for r in rows:
            r.decode_ratio = r.decode_seconds / ref
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

    def rate(x):
        return f"{x:>9.1f}" if math.isfinite(x) else f"{'-':>9}"

    for r in rows:
        lines.append(f"{r.image:<{iw}} {r.codec:<{cw}} {r.megapixels:>6.2f} {r.size_bytes:>10,}"
                     f" {rate(r.encode_mps)} {rate(r.decode_mps)} {ratio(r.encode_ratio)}"
                     f" {ratio(r.decode_ratio)}")
    return "\n".join(lines)


#: The size series: crops of the photo (top-left corner at 1000, 1000, inside
#: any photo of a few megapixels), the photo, and a 2 x 2 mosaic of it.
SIZES = ("64x64", "256x256", "12MP", "48MP")


def size_series(photo, sizes=SIZES) -> list:
    """[(name, array)] for each of ``sizes`` (names from ``SIZES``) made from
    ``photo`` ((H, W, 3) uint8, about 12 MP): "NxN" crops, "12MP" the photo
    itself, "48MP" a 2 x 2 mosaic of it (C-contiguous copies)."""
    out = []
    h, w = photo.shape[:2]
    for name in sizes:
        if name == "12MP":
            img = photo
        elif name == "48MP":
            img = np.tile(photo, (2, 2, 1))
        else:
            side = int(name.split("x")[0])
            y0, x0 = min(1000, max(0, h - side)), min(1000, max(0, w - side))
            img = photo[y0:y0 + side, x0:x0 + side]
        if name.endswith("MP"):
            name = f"{name} ({img.shape[1]}x{img.shape[0]})"
        out.append((name, np.ascontiguousarray(img)))
    return out


def format_series(rows) -> str:
    """The size series as a table: per image and codec, microseconds per
    call (small images) or MP/s, and each time over simplejpeg's and
    Pillow's (numpy) for the same image (below 1: faster)."""
    iw = max([5] + [len(r.image) for r in rows])
    cw = max([5] + [len(r.codec) for r in rows])
    head = (f"{'image':<{iw}} {'codec':<{cw}} {'enc us':>9} {'dec us':>9} {'enc MP/s':>9}"
            f" {'dec MP/s':>9} {'enc x sj':>8} {'dec x sj':>8} {'enc x Pil':>9} {'dec x Pil':>9}")
    lines = [head, "-" * len(head)]

    def num(x, width, fmt):
        if not math.isfinite(x):
            return f"{'-':>{width}}"
        return f"{x:>{width}{'.0f' if x >= 1e4 else fmt}}"

    for r in rows:
        same = {o.codec: o for o in rows if o.image == r.image}
        sj, pil = same.get(SIMPLEJPEG), same.get(REFERENCE)
        ratios = [(getattr(r, f) / getattr(o, f)) if o is not None else math.nan
                  for o in (sj, pil) for f in ("encode_seconds", "decode_seconds")]
        lines.append(f"{r.image:<{iw}} {r.codec:<{cw}} {num(r.encode_seconds * 1e6, 9, '.1f')}"
                     f" {num(r.decode_seconds * 1e6, 9, '.1f')} {num(r.encode_mps, 9, '.1f')}"
                     f" {num(r.decode_mps, 9, '.1f')} {num(ratios[0], 8, '.2f')}"
                     f" {num(ratios[1], 8, '.2f')} {num(ratios[2], 9, '.2f')}"
                     f" {num(ratios[3], 9, '.2f')}")
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


def _progressive_file(image, quality, subsampling):
    """Pillow's progressive file of ``image`` (the common progressive file in the wild)."""
    from PIL import Image

    buf = io.BytesIO()
    kw = {"quality": quality, "progressive": True}
    if image.ndim == 3:
        kw["subsampling"] = subsampling
    Image.fromarray(image).save(buf, "JPEG", **kw)
    return buf.getvalue()


def run(images=None, *, repeat=5, quick=False, plot=None, out=None, codecs=None, tune=True,
        quality=75, subsampling="4:2:0", optimize=False, qualities=None, sizes=None) -> int:
    """Print the speed tables and the rate-distortion table; return an exit code (0).

    - ``images``: sequence of (name, array) used for both parts; default: the
      largest corpus photo for speed and the Kodak photos for rate-distortion.
    - ``repeat``: rounds of timing (median of N); ``quick``: 1 round, 4 qualities, 2 photos.
    - ``quality``, ``subsampling``, ``optimize``: encode settings of the speed part.
    - ``sizes``: the size series (names from ``SIZES``) cut from the speed
      photo; None: all of them for the default images, 64x64 and 256x256 with
      ``quick``, none when ``images`` are given; () for none.
    - ``plot``: a path to save the RD curves to (needs matplotlib).
    - ``codecs``: jpeglite codecs under test (default :func:`jpeglite_codecs`);
      Pillow is added as the reference when installed, and (without
      ``codecs``) the codecs of :func:`other_codecs` that load.
    - ``tune``: also a rate-distortion row for jpeglite's ``tune="psnr"`` (the
      rate-distortion optimized encoder; ``bench/rd_tune.py`` adds mozjpeg and
      SSIM), unless ``codecs`` replaces jpeglite.

    With the default images (and not ``quick``) the speed part also measures
    the photo at q90 4:4:4 and the decode of its progressive file.
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
    others, notes = other_codecs() if codecs is None else ([], [])
    everyone = ours + ([ref] if ref else []) + others
    print(f"jpeglite benchmark; reference: {pillow_description()}; {os.cpu_count()} CPUs", file=out)
    print(load_note(), file=out)
    if others:
        print(f"also measured: {', '.join(c.name for c in others)}", file=out)
    for note in notes:
        print(note, file=out)
    if ref is None:
        print('Pillow is not installed: measuring jpeglite alone '
              '(pip install ".[image]" in the jpeglite checkout to compare)', file=out)

    speed_images = list(images) if images else default_speed_images(quick)
    rows = []
    for name, img in speed_images:
        rows += measure_speed(name, img, everyone, repeat=repeat, quality=quality,
                              subsampling=subsampling, optimize=optimize)
    tables = "optimized tables" if optimize else "standard tables"
    print(f"\nSpeed: quality {quality}, {subsampling}, {tables}, median of {repeat} interleaved "
          f"rounds; decoders all read {'the Pillow-written file' if ref else 'the jpeglite file'}; "
          f"'x ref' = time / Pillow's time (below 1 is faster)", file=out)
    print(format_speed(rows), file=out)
    if not images and not quick:
        name, img = speed_images[0]
        rows = measure_speed(name, img, everyone, repeat=repeat, quality=90,
                             subsampling="4:4:4", optimize=optimize)
        print(f"\nSpeed: quality 90, 4:4:4, {tables}, median of {repeat} interleaved rounds",
              file=out)
        print(format_speed(rows), file=out)
        if ref is not None:
            data = _progressive_file(img, quality, subsampling)
            rows = measure_decode(name + " progressive", data, everyone, repeat=repeat)
            print(f"\nDecode of Pillow's progressive file (quality {quality}, {subsampling}), "
                  f"median of {repeat} interleaved rounds", file=out)
            print(format_speed(rows), file=out)
    if sizes is None:
        sizes = () if images else ("64x64", "256x256") if quick else SIZES
    if sizes:
        rows = []
        for name, img in size_series(speed_images[0][1], sizes):
            rows += measure_speed(name, img, everyone, repeat=repeat, quality=quality,
                                  subsampling=subsampling, optimize=optimize, calls=None)
        print(f"\nSize series of {speed_images[0][0]}: quality {quality}, {subsampling}, "
              f"{tables}; per call, median of {repeat} interleaved rounds of about 20 ms each; "
              f"'x sj' = time / simplejpeg's, 'x Pil' = time / Pillow's (numpy)", file=out)
        print(format_series(rows), file=out)
        del rows

    rd_images = list(images) if images else default_rd_images(quick)
    default = ours[-1]  # default threads: same bytes as threads=1, measured once
    configs = [("jpeglite", default, False), ("jpeglite optimize", default, True)]
    enc = codec("encode")
    if tune and codecs is None and _takes(enc, "tune"):
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
