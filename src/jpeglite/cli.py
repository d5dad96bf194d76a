"""The ``jpeglite`` command (also ``python -m jpeglite``).

Subcommands::

    jpeglite analyze [IMAGE] [-q Q] [--subsampling S] [--optimize] [--restart-interval N]
                     [--repeat N] [--json] [--plot FILE.png]
    jpeglite analyze PHOTO.jpg [--reencode [-q Q] ...] [--json] [--plot FILE.png]
    jpeglite encode IN OUT.jpg [-q Q] [--subsampling S] [--optimize] [--restart-interval N]
    jpeglite decode IN.jpg OUT [--format F] [--scale 1/2|1/4|1/8]
    jpeglite info IN.jpg [--json]
    jpeglite optimize IN OUT [--baseline] [--strip]
    jpeglite bench [IMAGES...] [--plot FILE.png] [--repeat N] [--quick]
                   [-q Q] [--subsampling S] [--optimize]

Images are read and written as .npy/.npz (numpy), .jpg/.jpeg (jpeglite) or any
other format Pillow knows (the optional extra ``image``: ``pip install ".[image]"``
in the checkout). ``-`` is standard input or output wherever a file is named
(standard input's format is recognised by its first bytes; ``decode ... -``
writes PNG unless ``--format`` says otherwise). Results go to standard output;
information (what was written, warnings) to standard error, none of it with
``--quiet``. Every error is one line on stderr, ``jpeglite: error: ...``, and a
non-zero exit status: 2 for a bad command line (no command at all prints the
usage) or a missing optional dependency, 1 for everything else (unreadable
files, bad JPEG data, bad images); a closed standard output (``| head``) ends
the command quietly with status 141 (128 + SIGPIPE, as a killed process).
Set ``JPEGLITE_TRACEBACK=1`` to see the traceback of an unexpected failure.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import warnings
from pathlib import Path

from .images import (FORMATS, STDIO, MissingDependency, codec, has_cmyk, image_from_bytes, load_image,
                     open_input,
                     sample_image, save_image, SAMPLE_NAME)

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


def _add_progressive_option(p):
    p.add_argument("--progressive", action="store_true",
                   help="a progressive file (libjpeg's scan script, tables optimized per scan)")


def _encode_options(args):
    opts = {"quality": args.quality, "subsampling": args.subsampling,
            "optimize": args.optimize, "restart_interval": args.restart_interval}
    if getattr(args, "progressive", False):
        opts["progressive"] = True
    if args.qtables is not None:
        with open_input(args.qtables) as fh:
            opts["qtables"] = fh.read().decode("utf-8", errors="replace")
    elif args.quality is None:
        opts["quality"] = 75
    return opts


#: ``decode --scale`` values and the scale each stands for.
_SCALES = {"1": 1, "1/2": 1 / 2, "1/4": 1 / 4, "1/8": 1 / 8}


def _add_quiet(p, default):
    p.add_argument("--quiet", action="store_true", default=default,
                   help="print no information or warnings on stderr (errors still are)")


def _info(args, message):
    """Information for the user (not a result): stderr, unless --quiet."""
    if not args.quiet:
        print(message, file=sys.stderr)


def _shown(name, output=False) -> str:
    """A file name for messages; ``-`` as what it stands for."""
    if str(name) == STDIO:
        return "<stdout>" if output else "<stdin>"
    return str(name)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``jpeglite`` command."""
    from . import __version__

    parser = _Parser(prog=PROG, description="jpeglite: a JPEG codec that explains every bit it "
                                            "writes. '-' names standard input or output.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_quiet(parser, False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("analyze", help="where the bits go, stage by stage (bits and seconds)",
                       description="A JPEG file: where every bit of that file goes, as it is "
                                   "(segments, scans, Huffman tables; nothing re-encoded). "
                                   "Any other image, or a JPEG with --reencode: encode it with "
                                   "the staged driver and print where every bit of the new file "
                                   "goes. Without IMAGE, the sample photo shipped with jpeglite.")
    p.add_argument("image", nargs="?", metavar="IMAGE",
                   help="image file, - for stdin (default: bundled sample)")
    _add_encode_options(p)
    p.add_argument("--reencode", action="store_true",
                   help="for a JPEG file: decode it and report jpeglite's encode of the pixels "
                        "(with -q etc.) instead of the file as it is")
    # None: not given (a JPEG file reported as it is takes no encode options)
    p.set_defaults(quality=None, subsampling=None, optimize=None, restart_interval=None)
    p.add_argument("--repeat", type=_int_in("repeat", 1, 1000), default=1, metavar="N",
                   help="encode N times and report each stage's best (least) seconds; "
                        "default 1: one run's wall time, warm-up included")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--plot", metavar="FILE.png",
                   help="save a chart of bits per stage (needs matplotlib); - writes the PNG "
                        "to stdout instead of the report")
    _add_quiet(p, argparse.SUPPRESS)
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("encode", help="write an image as a JPEG file",
                       description="Encode IN (.npy, .npz, PNG, ...) as the JPEG file OUT "
                                   "(- for stdin, stdout). The file is JPEG whatever OUT's "
                                   "suffix (a warning says so for .png and other image names).")
    p.add_argument("input", metavar="IN")
    p.add_argument("output", metavar="OUT.jpg")
    _add_encode_options(p)
    _add_progressive_option(p)
    _add_quiet(p, argparse.SUPPRESS)
    p.set_defaults(func=_cmd_encode)

    p = sub.add_parser("decode", help="decode a JPEG file to an image file",
                       description="Decode the JPEG file IN to OUT (.npy, .npz, .png, ...; - for "
                                   "stdin, stdout). CMYK/YCCK files are converted to RGB as "
                                   "Pillow converts them, except into .npy/.npz, which keep "
                                   "the four channels.")
    p.add_argument("input", metavar="IN.jpg")
    p.add_argument("output", metavar="OUT")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="the output format (default: OUT's suffix; png for -)")
    p.add_argument("--scale", choices=_SCALES, default="1",
                   help="decode at a reduced size with libjpeg's scaled IDCT (as Pillow's "
                        "draft()): 1/2, 1/4 or 1/8 of the width and height, rounded up")
    _add_quiet(p, argparse.SUPPRESS)
    p.set_defaults(func=_cmd_decode)

    p = sub.add_parser("info", help="what a JPEG file's headers say (nothing decoded)",
                       description="Size, components, sampling, process, colour, an IJG quality "
                                   "estimate and the metadata of the JPEG file IN (- for stdin), "
                                   "read from its headers without decoding pixels.")
    p.add_argument("input", metavar="IN.jpg")
    p.add_argument("--json", action="store_true", help="print the fields as JSON")
    _add_quiet(p, argparse.SUPPRESS)
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("optimize", help="losslessly re-optimize JPEG files (same pixels, fewer bytes)",
                       description="Write the coefficients of the JPEG file IN (- for stdin) "
                                   "again with optimal Huffman coding (progressive, with a scan "
                                   "script searched for the image, or baseline) to OUT (- for "
                                   "stdout): the same pixels, never more bytes. IN may be a "
                                   "folder: every .jpg/.jpeg in it (and its subfolders) goes to "
                                   "the same place under the folder OUT.")
    p.add_argument("input", metavar="IN")
    p.add_argument("output", metavar="OUT")
    p.add_argument("--baseline", action="store_true",
                   help="baseline files only (no progressive scans)")
    p.add_argument("--strip", action="store_true",
                   help="drop the metadata (APPn and COM segments: Exif, ICC, XMP, comments)")
    _add_quiet(p, argparse.SUPPRESS)
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
    _add_quiet(p, argparse.SUPPRESS)
    p.set_defaults(func=_cmd_bench)
    return parser


def _check_plot_path(path):
    from .plot import require_matplotlib

    require_matplotlib()
    if path == STDIO:
        return
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise FileNotFoundError(2, "No such file or directory", str(parent))


def _check_one_stdin(*names):
    if sum(1 for n in names if n is not None and str(n) == STDIO) > 1:
        raise _UsageError("only one input can be - (standard input)")


def _read_input(name) -> bytes:
    with open_input(name) as fh:
        return fh.read()


def _best_of(reports):
    """The first report with each stage's seconds the least over ``reports``
    (every figure but the seconds is the same in each run)."""
    first = reports[0]
    stages = [dataclasses.replace(s, seconds=min(r.stages[i].seconds for r in reports))
              for i, s in enumerate(first.stages)]
    return dataclasses.replace(first, stages=stages)


def _seconds_note(repeat) -> str:
    if repeat == 1:
        return ("seconds: the wall time of one run, warm-up included "
                "(--repeat N reports the best of N)")
    return f"seconds: the best of {repeat} runs per stage (wall time)"


def _cmd_analyze(args):
    _check_one_stdin(args.image, args.qtables)
    if args.plot:
        _check_plot_path(args.plot)  # fail before the work, not after it
    given = [f"--{k.replace('_', '-')}" for k in ("quality", "qtables", "subsampling",
                                                  "optimize", "restart_interval")
             if getattr(args, k) is not None]
    defaults = build_parser().parse_args(["encode", "in", "out"])
    for k in ("quality", "subsampling", "optimize", "restart_interval"):
        if getattr(args, k) is None:
            setattr(args, k, getattr(defaults, k))
    raw = None if args.image is None else _read_input(args.image)
    name = None if args.image is None else _shown(args.image)
    analyze = codec("analyze")
    if raw is not None and not args.reencode and raw[:2] == b"\xff\xd8":
        if given:
            raise _UsageError(f"{', '.join(given)} would re-encode {name}: add --reencode "
                              "to report jpeglite's encode of its pixels instead of the file")
        reports = [analyze(raw) for _ in range(args.repeat)]
        title = f"{name}: the JPEG file as it is (report of its own bytes, not re-encoded)"
    else:
        if args.image is None:
            name, image = f"{SAMPLE_NAME} (sample photo shipped with jpeglite)", sample_image()
        else:
            image = image_from_bytes(raw, args.image)
        opts = _encode_options(args)
        reports = [analyze(image, **opts) for _ in range(args.repeat)]
        title = (f"{name}: an image encoded by jpeglite, stage by stage "
                 f"({', '.join(f'{k}={v}' for k, v in opts.items())})")
        if raw is not None and raw[:2] == b"\xff\xd8":
            title += ("; the JPEG was decoded and re-encoded: this is not the file as it is"
                      " (drop --reencode for that)")
    report = _best_of(reports)
    if args.plot:
        from .plot import plot_stages

        plot_stages(report, sys.stdout.buffer if args.plot == STDIO else args.plot)
        _info(args, f"wrote {_shown(args.plot, output=True)}")
        if args.plot == STDIO:
            return 0            # stdout carries the chart, not the report
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        print(title)
        if report.kind == "encode":
            print(_seconds_note(args.repeat))
        print(report)
    return 0


def _cmd_encode(args):
    _check_one_stdin(args.input, args.qtables)
    image = load_image(args.input)
    target = sys.stdout.buffer if args.output == STDIO else args.output
    n = codec("write")(target, image, **_encode_options(args))
    h, w = image.shape[:2]
    _info(args, f"{_shown(args.output, output=True)}: {w}x{h}, {n:,} bytes, "
                f"{8 * n / (w * h):.3f} bits/pixel")
    return 0


def _cmd_decode(args):
    data = _read_input(args.input)
    decode = codec("decode")
    opts = {} if args.scale == "1" else {"scale": _SCALES[args.scale]}
    image = decode(data, **opts)
    note = ""
    if image.ndim == 3 and image.shape[2] == 4 and not has_cmyk(args.output, args.format):
        image = decode(data, mode="RGB", **opts)
        note = " (CMYK converted to RGB as Pillow converts it)"
    save_image(args.output, image, args.format)
    h, w = image.shape[:2]
    kind = "grayscale" if image.ndim == 2 else f"{image.shape[2]} channels"
    _info(args, f"{_shown(args.output, output=True)}: {w}x{h} {kind}{note}")
    return 0


def _cmd_info(args):
    i = codec("info")(_read_input(args.input))
    fields = dataclasses.asdict(i)
    if args.json:
        print(json.dumps(fields, indent=2))
        return 0
    q = "none" if i.quality is None else f"{i.quality}" + (
        " (libjpeg's tables for it, exactly)" if i.quality_exact else " (nearest; other tables)")
    sampling = " ".join(f"{h}x{v}" for h, v in i.sampling)
    lines = [f"{_shown(args.input)}: {i.width}x{i.height}, {i.components} components "
             f"({i.color}; decodes to {i.mode})",
             f"sampling {sampling}" + (f" ({i.subsampling})" if i.subsampling else ""),
             f"process {i.process}",
             f"quality {q}",
             f"ICC profile: {'none' if i.icc_profile_bytes is None else f'{i.icc_profile_bytes:,} bytes'}",
             f"Exif: {'none' if i.exif_bytes is None else f'{i.exif_bytes:,} bytes'}",
             f"comments: {', '.join(f'{n:,} bytes' for n in i.comment_bytes) or 'none'}"]
    lines += [f"segment {name}: {size:,} bytes" for name, size in i.segments]
    print("\n".join(lines))
    return 0


def _cmd_optimize(args):
    from .api import optimize

    src, dst = Path(args.input), Path(args.output)
    if args.input != STDIO and src.is_dir():
        pairs = [(f, dst / f.relative_to(src)) for f in sorted(src.rglob("*"))
                 if f.is_file() and f.suffix.lower() in (".jpg", ".jpeg")]
    else:
        pairs = [(args.input, args.output)]
    before = after = 0
    for a, b in pairs:
        data = _read_input(a)
        out = optimize(data, progressive=not args.baseline, keep_metadata=not args.strip)
        if str(b) == STDIO:
            sys.stdout.buffer.write(out)
        else:
            b = Path(b)
            b.parent.mkdir(parents=True, exist_ok=True)
            b.write_bytes(out)
        before += len(data)
        after += len(out)
        _info(args, f"{_shown(b, output=True)}: {len(data):,} -> {len(out):,} bytes "
                    f"({100 * (len(out) / len(data) - 1):+.2f}%)")
    if len(pairs) != 1:
        change = f" ({100 * (after / before - 1):+.2f}%)" if before else ""
        _info(args, f"{len(pairs)} files: {before:,} -> {after:,} bytes{change}")
    return 0


def _cmd_bench(args):
    from . import bench

    _check_one_stdin(*args.images)
    images = [("stdin" if p == STDIO else Path(p).stem, load_image(p)) for p in args.images]
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
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        parser = build_parser()
        print(parser.format_usage().rstrip(), file=sys.stderr)
        print(f"{PROG}: a command is needed: {PROG} --help lists them", file=sys.stderr)
        return 2
    with warnings.catch_warnings():
        return _run(argv)


def _stdout_closed() -> int:
    # The reader went away (| head): nothing more can be said there, and the
    # interpreter's own flush at exit must not complain either.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return 141


def _run(argv) -> int:
    quiet = "--quiet" in argv

    def show(message, category, filename, lineno, file=None, line=None):
        if not quiet:
            print(f"{PROG}: warning: {' '.join(str(message).split())}", file=sys.stderr)

    warnings.showwarning = show
    warnings.simplefilter("always")
    try:
        args = build_parser().parse_args(argv)
        quiet = args.quiet
        status = int(args.func(args) or 0)
        sys.stdout.flush()          # a closed pipe shows here, inside the try
        return status
    except BrokenPipeError:
        return _stdout_closed()
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
