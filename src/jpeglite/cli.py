"""The ``jpeglite`` command (also ``python -m jpeglite``).

Subcommands::

    jpeglite analyze [IMAGE] [-q Q] [--subsampling S] [--optimize] [--restart-interval N]
                     [--json] [--plot FILE.png] [--html FILE.html]
    jpeglite analyze PHOTO.jpg [--reencode [-q Q] ...] [--json] [--plot FILE.png]
                     [--html FILE.html]
    jpeglite encode IN OUT.jpg [-q Q] [--subsampling S] [--optimize] [--restart-interval N]
    jpeglite decode IN.jpg OUT
    jpeglite optimize IN OUT [--baseline] [--strip]
    jpeglite bench [IMAGES...] [--plot FILE.png] [--repeat N] [--quick]
                   [-q Q] [--subsampling S] [--optimize]

Images are read and written as .npy/.npz (numpy), .jpg/.jpeg (jpeglite) or any
other format Pillow knows (the optional extra ``jpeglite[image]``). Every
error is one line on stderr, ``jpeglite: error: ...``, and a non-zero exit
status: 2 for a bad command line or a missing optional dependency, 1 for
everything else (unreadable files, bad JPEG data, bad images). Set
``JPEGLITE_TRACEBACK=1`` to see the traceback of an unexpected failure.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .images import MissingDependency, codec, load_image, sample_image, save_image, SAMPLE_NAME

__all__ = ["main", "build_parser", "SUBSAMPLINGS"]

PROG = "jpeglite"
#: Chroma subsampling modes the command accepts (the encoder's ``subsampling`` values).
SUBSAMPLINGS = ("4:4:4", "4:2:2", "4:2:0")


class _UsageError(Exception):
    """A bad command line (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the usage and a message on two or more lines and exits; we want one
    # line in our own format, decided by main().
    def error(self, message):
        raise _UsageError(message)


def _int_in(name, lo, hi):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                f"{name} must be an integer from {lo} to {hi}, got {text!r}")
        return value
    parse.__name__ = name  # argparse names the type in some messages
    return parse


def _subsampling(text):
    if text not in SUBSAMPLINGS:
        raise argparse.ArgumentTypeError(
            f"subsampling must be one of {', '.join(SUBSAMPLINGS)}, got {text!r}")
    return text


def _add_encode_options(p):
    p.add_argument("-q", "--quality", type=_int_in("quality", 1, 100), default=None,
                   help="IJG quality 1..100 (default 75; with --qtables, the tables as given)")
    p.add_argument("--qtables", metavar="FILE",
                   help="custom quantization tables: a text file of integers, 64 per table "
                        "(1 to 4 tables, natural order, '#' comments), as Pillow's qtables; "
                        "scaled by --quality when it is given")
    p.add_argument("--subsampling", type=_subsampling, default="4:2:0",
                   metavar="{" + ",".join(SUBSAMPLINGS) + "}",
                   help="chroma subsampling (default 4:2:0)")
    p.add_argument("--optimize", action="store_true",
                   help="optimized Huffman tables (two passes) instead of the Annex K tables")
    p.add_argument("--restart-interval", type=_int_in("restart interval", 0, 65535), default=0,
                   metavar="N", help="MCUs between restart markers (0: none)")


def _encode_options(args):
    opts = {"quality": args.quality, "subsampling": args.subsampling,
            "optimize": args.optimize, "restart_interval": args.restart_interval}
    if args.qtables is not None:
        opts["qtables"] = Path(args.qtables).read_text()
    elif args.quality is None:
        opts["quality"] = 75
    return opts


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``jpeglite`` command."""
    from . import __version__

    parser = _Parser(prog=PROG, description="jpeglite: a JPEG codec that explains every bit it writes.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("analyze", help="where the bits go, stage by stage (bits and seconds)",
                       description="A JPEG file: where every bit of that file goes, as it is "
                                   "(segments, scans, Huffman tables; nothing re-encoded). "
                                   "Any other image, or a JPEG with --reencode: encode it with "
                                   "the staged driver and print where every bit of the new file "
                                   "goes. Without IMAGE, the sample photo shipped with jpeglite.")
    p.add_argument("image", nargs="?", metavar="IMAGE", help="image file (default: bundled sample)")
    _add_encode_options(p)
    p.add_argument("--reencode", action="store_true",
                   help="for a JPEG file: decode it and report jpeglite's encode of the pixels "
                        "(with -q etc.) instead of the file as it is")
    # None: not given (a JPEG file reported as it is takes no encode options)
    p.set_defaults(quality=None, subsampling=None, optimize=None, restart_interval=None)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--plot", metavar="FILE.png", help="save a chart of bits per stage (needs matplotlib)")
    p.add_argument("--html", metavar="FILE.html",
                   help="write the report as one self-contained HTML page: stage chart, "
                        "L(P)/L(D|P) split, bits per frequency and per 8x8 block over the picture")
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("encode", help="write an image as a JPEG file",
                       description="Encode IN (.npy, .npz, PNG, ...) as the JPEG file OUT.")
    p.add_argument("input", metavar="IN")
    p.add_argument("output", metavar="OUT.jpg")
    _add_encode_options(p)
    p.set_defaults(func=_cmd_encode)

    p = sub.add_parser("decode", help="decode a JPEG file to an image file",
                       description="Decode the JPEG file IN to OUT (.npy, .npz, .png, ...).")
    p.add_argument("input", metavar="IN.jpg")
    p.add_argument("output", metavar="OUT")
    p.set_defaults(func=_cmd_decode)

    p = sub.add_parser("optimize", help="losslessly re-optimize JPEG files (same pixels, fewer bytes)",
                       description="Write the coefficients of the JPEG file IN again with optimal "
                                   "Huffman coding (progressive, with a scan script searched for "
                                   "the image, or baseline) to OUT: the same pixels, never more "
                                   "bytes. IN may be a folder: every .jpg/.jpeg in it (and its "
                                   "subfolders) goes to the same place under the folder OUT.")
    p.add_argument("input", metavar="IN")
    p.add_argument("output", metavar="OUT")
    p.add_argument("--baseline", action="store_true",
                   help="baseline files only (no progressive scans)")
    p.add_argument("--strip", action="store_true",
                   help="drop the metadata (APPn and COM segments: Exif, ICC, XMP, comments)")
    p.set_defaults(func=_cmd_optimize)

    p = sub.add_parser("bench", help="speed and rate-distortion against Pillow",
                       description="MP/s for encode and decode against Pillow, and a "
                                   "rate-distortion table with BD-rates.")
    p.add_argument("images", nargs="*", metavar="IMAGES",
                   help="images for both parts (default: the largest corpus photo for speed, "
                        "the Kodak photos for rate-distortion)")
    p.add_argument("--plot", metavar="FILE.png", help="save the RD curves (needs matplotlib)")
    p.add_argument("--repeat", type=_int_in("repeat", 1, 1000), default=5,
                   help="timing rounds, best of N (default 5)")
    p.add_argument("--quick", action="store_true",
                   help="1 round, 4 qualities, 2 photos: a smoke test")
    p.add_argument("-q", "--quality", type=_int_in("quality", 1, 100), default=75,
                   help="quality of the speed part (default 75)")
    p.add_argument("--subsampling", type=_subsampling, default="4:2:0",
                   metavar="{" + ",".join(SUBSAMPLINGS) + "}", help="chroma subsampling (default 4:2:0)")
    p.add_argument("--optimize", action="store_true",
                   help="time encoding with optimized Huffman tables (both libraries)")
    p.set_defaults(func=_cmd_bench)
    return parser


def _check_plot_path(path):
    from .plot import require_matplotlib

    require_matplotlib()
    _check_parent(path)


def _check_parent(path):
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise FileNotFoundError(2, "no such directory", str(parent))


def _is_jpeg(path) -> bool:
    """Whether the file at path starts with a JPEG SOI marker (its name does not matter)."""
    with open(path, "rb") as fh:
        return fh.read(2) == b"\xff\xd8"


def _cmd_analyze(args):
    if args.plot:
        _check_plot_path(args.plot)  # fail before the work, not after it
    if args.html:
        _check_parent(args.html)
    given = [f"--{k.replace('_', '-')}" for k in ("quality", "qtables", "subsampling",
                                                  "optimize", "restart_interval")
             if getattr(args, k) is not None]
    defaults = build_parser().parse_args(["encode", "in", "out"])
    for k in ("quality", "subsampling", "optimize", "restart_interval"):
        if getattr(args, k) is None:
            setattr(args, k, getattr(defaults, k))
    if args.image is not None and not args.reencode and _is_jpeg(args.image):
        if given:
            raise _UsageError(f"{', '.join(given)} would re-encode {args.image}: add --reencode "
                              "to report jpeglite's encode of its pixels instead of the file")
        report = codec("analyze")(Path(args.image).read_bytes())
        title = f"{args.image}: the JPEG file as it is (report of its own bytes, not re-encoded)"
    else:
        if args.image is None:
            name, image = f"{SAMPLE_NAME} (sample photo shipped with jpeglite)", sample_image()
        else:
            name, image = args.image, load_image(args.image)
        report = codec("analyze")(image, **_encode_options(args))
        opts = ", ".join(f"{k}={v}" for k, v in _encode_options(args).items())
        title = f"{name}: an image encoded by jpeglite, stage by stage ({opts})"
        if args.image is not None and _is_jpeg(args.image):
            title += ("; the JPEG was decoded and re-encoded: this is not the file as it is"
                      " (drop --reencode for that)")
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        print(title)
        print(report)
    if args.plot:
        from .plot import plot_stages

        plot_stages(report, args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    if args.html:
        Path(args.html).write_text(report.to_html(title), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
    return 0


def _cmd_encode(args):
    image = load_image(args.input)
    data = codec("encode")(image, **_encode_options(args))
    Path(args.output).write_bytes(data)
    h, w = image.shape[:2]
    print(f"{args.output}: {w}x{h}, {len(data):,} bytes, {8 * len(data) / (w * h):.3f} bits/pixel")
    return 0


def _cmd_decode(args):
    data = Path(args.input).read_bytes()
    image = codec("decode")(data)
    save_image(args.output, image)
    h, w = image.shape[:2]
    kind = "grayscale" if image.ndim == 2 else f"{image.shape[2]} channels"
    print(f"{args.output}: {w}x{h} {kind}")
    return 0


def _cmd_optimize(args):
    from .api import optimize

    src, dst = Path(args.input), Path(args.output)
    if src.is_dir():
        pairs = [(f, dst / f.relative_to(src)) for f in sorted(src.rglob("*"))
                 if f.is_file() and f.suffix.lower() in (".jpg", ".jpeg")]
    else:
        pairs = [(src, dst)]
    before = after = 0
    for a, b in pairs:
        data = a.read_bytes()
        out = optimize(data, progressive=not args.baseline, keep_metadata=not args.strip)
        b.parent.mkdir(parents=True, exist_ok=True)
        b.write_bytes(out)
        before += len(data)
        after += len(out)
        print(f"{b}: {len(data):,} -> {len(out):,} bytes ({100 * (len(out) / len(data) - 1):+.2f}%)")
    if len(pairs) != 1:
        change = f" ({100 * (after / before - 1):+.2f}%)" if before else ""
        print(f"{len(pairs)} files: {before:,} -> {after:,} bytes{change}")
    return 0


def _cmd_bench(args):
    from . import bench

    images = [(Path(p).stem, load_image(p)) for p in args.images]
    return bench.run(images or None, repeat=args.repeat, quick=args.quick, plot=args.plot,
                     quality=args.quality, subsampling=args.subsampling, optimize=args.optimize)


def _error(message) -> None:
    text = " ".join(str(message).split())  # one line, whatever the exception carried
    print(f"{PROG}: error: {text}", file=sys.stderr)


def _os_message(e: OSError) -> str:
    if e.filename is not None and e.strerror:
        return f"{e.filename}: {e.strerror}"
    return str(e) or type(e).__name__


def main(argv=None) -> int:
    """Run the ``jpeglite`` command with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except SystemExit as e:  # --help and --version
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except _UsageError as e:
        _error(e)
        return 2
    except MissingDependency as e:
        _error(e)
        return 2
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except OSError as e:
        _error(_os_message(e))
        return 1
    except (ValueError, TypeError, RuntimeError, MemoryError) as e:
        # jpeglite.JPEGError is a ValueError; its message carries the byte offset.
        _error(e if str(e) else type(e).__name__)
        return 1
    except Exception as e:  # a bug, not a user error: still no traceback unless asked for
        if os.environ.get("JPEGLITE_TRACEBACK"):
            raise
        _error(f"internal error: {type(e).__name__}: {e} (JPEGLITE_TRACEBACK=1 shows the traceback)")
        return 1
