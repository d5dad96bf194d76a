"""Rate-distortion of ``tune="psnr"`` against Pillow and mozjpeg, BD-rates in one run.

    python bench/rd_tune.py [--photos N] [--qualities 10,20,...] [--subsampling 4:2:0]
                            [--corpus DIR] [--out FILE.md]

Every file is decoded by Pillow (libjpeg-turbo) and compared with the
photo over RGB; the curves are the mean bits per pixel and mean PSNR per
quality over the photos, and the BD-rates (``jpeglite.bench.bd_rate``) are
against Pillow's default files (4:2:0, Annex K tables). Rows: Pillow default,
Pillow optimize, jpeglite tune=None and tune="psnr" (at the subsampling
given, and choosing its own), and, when ``jpeglib`` is
installed (``pip install jpeglib``), mozjpeg 4.0.3 through it: its default
(trellis, progressive scan search) and its flat table (``base_quant_tbl_idx=1``,
as ``cjpeg -tune-psnr`` picks). Default: the 24 Kodak photos, q 10, 20, ..,
90, 95. Also the BD-rates by SSIM on BT.601 luma (``ssim_luma``, with
-10 log10(1 - SSIM) as the quality axis). Wall seconds per encoder are printed; they are not a speed benchmark
(mozjpeg goes through a temporary file).
"""
import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# this checkout's package, not an installed one
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import jpeglite  # noqa: E402
from jpeglite.bench import QUALITIES, Codec, bd_rate, format_rd, rd_curves  # noqa: E402


def _pillow_decode(data):
    from PIL import Image
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"))


def _pillow():
    from PIL import Image

    def encode(image, quality, subsampling, optimize):
        buf = io.BytesIO()
        Image.fromarray(image).save(buf, "JPEG", quality=quality, subsampling=subsampling,
                                    optimize=optimize)
        return buf.getvalue()
    return encode


def _jpeglite(tune, choose=False):
    # choose: leave the subsampling to the encoder (tune="psnr": 4:4:4 from q85)
    def encode(image, quality, subsampling, optimize):
        return jpeglite.encode(image, quality, subsampling=None if choose else subsampling,
                               tune=tune)
    return encode


def _mozjpeg(base_table):
    import jpeglib
    tmp = tempfile.mkdtemp(prefix="rd_tune_")
    path = os.path.join(tmp, "out.jpg")
    factors = {"4:2:0": ((2, 2), (1, 1), (1, 1)), "4:4:4": ((1, 1), (1, 1), (1, 1))}

    def encode(image, quality, subsampling, optimize):
        with jpeglib.version("mozjpeg403"):
            im = jpeglib.from_spatial(np.ascontiguousarray(image))
            im.samp_factor = np.array(factors[subsampling])
            kw = {} if base_table is None else {"base_quant_tbl_idx": base_table}
            im.write_spatial(path, qt=quality, **kw)
        with open(path, "rb") as f:
            return f.read()
    return encode


def _box7(a):
    """Means over every 7x7 window fully inside ``a`` (valid region)."""
    c = np.cumsum(np.cumsum(np.pad(a, ((1, 0), (1, 0))), axis=0), axis=1)
    return (c[7:, 7:] - c[:-7, 7:] - c[7:, :-7] + c[:-7, :-7]) / 49.0


def ssim_luma(a, b):
    """SSIM (Wang et al. 2004) of two RGB images on BT.601 luma: 7x7 uniform
    windows, K1 = 0.01, K2 = 0.03, range 255, sample covariances, mean over
    the windows inside the image (scikit-image's structural_similarity
    defaults, written out here)."""
    w = np.array([0.299, 0.587, 0.114])
    x, y = a.astype(np.float64) @ w, b.astype(np.float64) @ w
    n = 49.0 / 48.0
    mx, my = _box7(x), _box7(y)
    vx = n * (_box7(x * x) - mx * mx)
    vy = n * (_box7(y * y) - my * my)
    vxy = n * (_box7(x * y) - mx * my)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    m = ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(m.mean())


class _SSIMRecorder:
    """Wraps a codec so that each decode's SSIM against the image just encoded is recorded
    (``rd_curves`` encodes then decodes each image in turn, quality by quality)."""

    def __init__(self, codec):
        self.codec, self.values, self.image = codec, [], None

    def encode(self, image, **kw):
        self.image = image
        return self.codec.encode(image, **kw)

    def decode(self, data):
        out = self.codec.decode(data)
        self.values.append(ssim_luma(self.image, out))
        return out

    def means(self, qualities):
        v = np.asarray(self.values).reshape(len(qualities), -1)
        return v.mean(axis=1)


def configs(with_mozjpeg=True):
    """(label, Codec, optimize) rows for ``rd_curves``; Pillow's default first."""
    rows = [("Pillow", _pillow(), False), ("Pillow optimize", _pillow(), True),
            ("jpeglite", _jpeglite(None), False), ('jpeglite tune="psnr"', _jpeglite("psnr"), False),
            ('tune="psnr" own subsampling', _jpeglite("psnr", True), False)]
    if with_mozjpeg:
        try:
            import jpeglib  # noqa: F401
            rows += [("mozjpeg default", _mozjpeg(None), False),
                     ("mozjpeg flat table", _mozjpeg(1), False)]
        except ImportError:
            print("(jpeglib not installed: no mozjpeg rows)", file=sys.stderr)
    return [(label, Codec(label, enc, _pillow_decode), opt) for label, enc, opt in rows]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--photos", type=int, default=24, help="the first N Kodak photos (default 24)")
    p.add_argument("--qualities", default=",".join(map(str, QUALITIES)))
    p.add_argument("--subsampling", default="4:2:0", choices=("4:2:0", "4:4:4"))
    p.add_argument("--corpus", default=None,
                   help="corpus directory (default: $JPEGLITE_CORPUS, else ../shared/corpus)")
    p.add_argument("--large", action="store_true",
                   help="the photos of corpus/large instead of Kodak (photos the encoder was "
                        "not developed on), downscaled by Pillow's reduce to at most 1200 "
                        "pixels a side")
    p.add_argument("--no-mozjpeg", action="store_true")
    p.add_argument("--out", help="also write the table to this file")
    p.add_argument("--plot", metavar="FILE.png", help="also draw the PSNR curves (matplotlib)")
    args = p.parse_args(argv)
    from PIL import Image
    if args.corpus is None:
        from jpeglite.bench import find_corpus, no_corpus_message

        corpus = find_corpus()
        if corpus is None:
            print(no_corpus_message(), file=sys.stderr)
            return 2
        args.corpus = str(corpus)
    if args.plot:
        from jpeglite.plot import require_matplotlib

        require_matplotlib()            # fail before minutes of encoding, not after
    folder = "large" if args.large else "kodak"
    files = sorted(Path(args.corpus, folder).glob("*.png"))[:args.photos]
    if not files:
        print(f"no photos under {args.corpus}/{folder}", file=sys.stderr)
        return 2
    images = []
    for f in files:
        with Image.open(f) as im:
            im = im.convert("RGB")
            factor = -(-max(im.size) // 1200)
            images.append((f.stem, np.asarray(im.reduce(factor) if factor > 1 else im)))
    qualities = [int(q) for q in args.qualities.split(",")]
    curves, seconds, ssim = {}, {}, {}
    for label, codec, optimize in configs(not args.no_mozjpeg):
        t = time.perf_counter()
        rec = _SSIMRecorder(codec)
        curves.update(rd_curves(images, [(label, Codec(label, rec.encode, rec.decode), optimize)],
                                qualities, subsampling=args.subsampling))
        seconds[label] = time.perf_counter() - t
        ssim[label] = rec.means(qualities)
    ref = curves["Pillow"]
    # BD-rate by SSIM: the same fit with -10 log10(1 - SSIM) ("SSIM dB") as the quality axis
    ssim_db = {k: -10 * np.log10(1 - v) for k, v in ssim.items()}
    ssim_lines = ["", "BD-rate by SSIM (BT.601 luma, 7x7 windows) against Pillow:"]
    for label, c in curves.items():
        v = bd_rate(ref.bpp, ssim_db["Pillow"], c.bpp, ssim_db[label])
        ssim_lines.append(f"  {label:<24} {v:+.2f}%   SSIM per quality: "
                          + " ".join(f"{x:.4f}" for x in ssim[label]))
    text = (f"{len(images)} {folder} photos ({', '.join(n for n, _ in images)}), "
            f"{'x'.join(map(str, images[0][1].shape[:2]))}..., q {args.qualities}, {args.subsampling}, PSNR over RGB "
            f"(Pillow's decode), jpeglite {jpeglite.__file__}\n\n" + format_rd(curves)
            + "\n".join(ssim_lines) + "\n\nwall seconds (encode + decode of every point): "
            + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    if args.plot:
        from jpeglite.plot import plot_rd

        plot_rd({label: (c.bpp, c.psnr) for label, c in curves.items()}, args.plot,
                title=f"{len(images)} {folder} photos, {args.subsampling}: PSNR over RGB")
        print(f"wrote {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
