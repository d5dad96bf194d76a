"""The ``jpeglite`` command (also ``python -m jpeglite``).

Subcommands::

    jpeglite analyze [IMAGE] [-q Q] [--subsampling S] [--optimize] [--restart-interval N] [--tune psnr]
                     [--repeat N] [--json] [--plot FILE.png] [--html FILE.html]
    jpeglite analyze PHOTO.jpg [--reencode [-q Q] ...] [--json] [--plot FILE.png]
                     [--html FILE.html]
    jpeglite analyze INPUTS... [--recursive] [--jobs N] [--table T.csv|.jsonl|.parquet]
                     [--scheduler tcp://HOST:8786] [--reencode [-q Q] ...]
    jpeglite encode IN OUT.jpg [-q Q] [--subsampling S] [--optimize] [--restart-interval N] [--tune psnr]
    jpeglite encode INPUTS... -o DIR [--recursive] [--jobs N] [--resume] [--table T]
                    [--tables SHARED.jpg] [-q Q] ...
    jpeglite decode IN.jpg OUT [--tables SHARED.jpg] [--format F] [--scale 1/2|1/4|1/8]
    jpeglite info IN.jpg [--json]
    jpeglite optimize IN OUT [--baseline] [--strip]
    jpeglite optimize INPUTS... -o DIR [--baseline] [--strip] [--recursive] [--jobs N] [--resume]
    jpeglite decode INPUTS... -o DIR [--format .png] [--recursive] [--jobs N] [--resume]
    jpeglite tables INPUTS... -o SHARED.jpg [-q Q] [--subsampling S] [--jobs N]
                    [--groups auto|K [--plot CURVE.png]]

INPUTS (batches, ``jpeglite.dataset``): files, folders (``--recursive``: their
subfolders too), glob patterns and ``@LIST`` files (one path a line). A batch
shows a progress bar on stderr (with tqdm), runs on every core (``--jobs``),
reports a failing file as a row with its error and goes on, writes each output
under a temporary name and renames it (``--resume`` skips outputs that exist),
prints a summary, and exits 1 if any file failed.
    jpeglite bench [IMAGES...] [--plot FILE.png] [--repeat N] [--quick] [--sizes LIST]
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

from .images import (STDIO, MissingDependency, codec, has_cmyk, image_from_bytes, load_image,
                     open_input, sample_image, save_image, SAMPLE_NAME)

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
    p.add_argument("--subsampling", type=_subsampling, default=None,
                   metavar="{" + ",".join(SUBSAMPLINGS) + "}",
                   help="chroma subsampling (default 4:2:0; with --tune psnr, 4:4:4 from "
                        "quality 85 up)")
    p.add_argument("--optimize", action="store_true",
                   help="optimized Huffman tables (two passes) instead of the Annex K tables")
    p.add_argument("--restart-interval", type=_int_in("restart interval", 0, 65535), default=0,
                   metavar="N", help="MCUs between restart markers (0: none)")
    p.add_argument("--tune", choices=["psnr"], default=None,
                   help="psnr: fewest bits for the squared error (flat tables fitted to RGB "
                        "error, trellis quantization, optimized Huffman tables); standard JPEG")


def _add_walk_options(p):
    """How many inputs are found and worked on: --recursive, --jobs."""
    p.add_argument("-r", "--recursive", action="store_true",
                   help="folders: their subfolders too; globs: ** matches folders")
    p.add_argument("-j", "--jobs", type=_int_in("jobs", 1, 4096), default=None, metavar="N",
                   help="worker processes (default: every core)")


def _add_batch_options(p, outputs=True):
    g = p.add_argument_group("batches (many inputs; see jpeglite.dataset)")
    if outputs:
        g.add_argument("-o", "--output-dir", metavar="DIR",
                       help="write one output per input into DIR, mirroring the input tree")
        g.add_argument("--resume", action="store_true",
                       help="skip inputs whose output exists (outputs are renamed into place "
                            "when complete, so one that exists is whole)")
    _add_walk_options(g)
    g.add_argument("--table", metavar="T.csv|T.jsonl|T.parquet",
                   help="write one row per image (parquet needs pyarrow)")
    g.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bar on stderr")


def _add_progressive_option(p):
    p.add_argument("--progressive", action="store_true",
                   help="a progressive file (libjpeg's scan script, tables optimized per scan)")


def _encode_options(args):
    # not given: libjpeg's 4:2:0, or under --tune the tune's choice (None)
    subsampling = args.subsampling
    if subsampling is None and args.tune is None:
        subsampling = "4:2:0"
    opts = {"quality": args.quality, "subsampling": subsampling,
            "optimize": args.optimize, "restart_interval": args.restart_interval}
    if args.tune is not None:
        opts["tune"] = args.tune
    if getattr(args, "progressive", False):
        opts["progressive"] = True
    if getattr(args, "arithmetic", False):
        opts["arithmetic"] = True
    if (getattr(args, "lossless", False) or getattr(args, "precision", None) is not None
            or getattr(args, "predictor", 1) != 1):
        return _highbit_options(args, opts)
    if args.qtables is not None:
        with open_input(args.qtables) as fh:
            opts["qtables"] = fh.read().decode("utf-8", errors="replace")
    elif args.quality is None:
        opts["quality"] = 75
    return opts


def _highbit_options(args, opts):
    """encode's options for --lossless / --precision: those the codec takes
    with them (it refuses the others, naming them)."""
    if args.lossless:
        opts = {"lossless": True, "restart_interval": args.restart_interval,
                "predictor": args.predictor}
        for given, name in ((args.quality, "--quality"), (args.subsampling, "--subsampling"),
                            (args.optimize, "--optimize"), (args.tune, "--tune"),
                            (args.qtables, "--qtables")):
            if given:
                raise _UsageError(f"{name} does not apply to --lossless")
    elif args.predictor != 1:
        raise _UsageError("--predictor applies to --lossless only")
    elif args.qtables is not None or args.tune is not None:
        raise _UsageError(f"{'--qtables' if args.qtables else '--tune'} is not available "
                          "with --precision")
    if args.precision is not None:
        opts["precision"] = args.precision
    opts.pop("optimize", None)      # high-precision files always get optimal tables
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
    p.add_argument("image", nargs="*", metavar="IMAGE",
                   help="image file, - for stdin (default: bundled sample); several, a folder, "
                        "a glob or @LIST: a batch, one row per image")
    _add_encode_options(p)
    _add_batch_options(p, outputs=False)
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the batch on the Dask cluster at ADDRESS (tcp://host:8786; "
                        "needs dask[distributed])")
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
    p.add_argument("--html", metavar="FILE.html",
                   help="write the report as one self-contained HTML page: stage chart, "
                        "L(P)/L(D|P) split, bits per frequency and per 8x8 block over the picture")
    _add_quiet(p, argparse.SUPPRESS)
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("encode", help="write an image as a JPEG file",
                       description="Encode IN (.npy, .npz, PNG, ...) as the JPEG file OUT "
                                   "(- for stdin, stdout; the file is JPEG whatever OUT's suffix, "
                                   "with a warning for .png and other image names); with -o DIR, "
                                   "every input into DIR.")
    p.add_argument("paths", nargs="+", metavar="IN [OUT.jpg]",
                   help="IN OUT.jpg, or with -o DIR the inputs of a batch")
    _add_encode_options(p)
    _add_progressive_option(p)
    p.add_argument("--arithmetic", action="store_true",
                   help="arithmetic coding (SOF9; SOF10 with --progressive): smaller than "
                        "--optimize, but browsers do not read it")
    # hibit: more than 8 bits per sample (16-bit PNGs read whole, as uint16)
    p.add_argument("--lossless", action="store_true",
                   help="a lossless file (SOF3): the samples exactly, 8-bit or 16-bit "
                        "(a 16-bit PNG keeps its 16 bits); -q and --subsampling do not apply")
    p.add_argument("--precision", type=_int_in("precision", 2, 16), default=None,
                   metavar="BITS",
                   help="bits per sample: 12 for a 12-bit DCT file (SOF1) from a 16-bit "
                        "image whose samples fit in 12 bits; with --lossless 2..16 "
                        "(default 8 or 16 by the image's depth)")
    p.add_argument("--predictor", type=_int_in("predictor", 1, 7), default=1,
                   help="with --lossless: the predictor, 1..7 (T.81 Table H.1; default 1)")
    p.add_argument("--tables", metavar="SHARED.jpg",
                   help="code with the tables of this tables-only stream (jpeglite tables) "
                        "and write abbreviated streams without them (-q, --optimize unused)")
    _add_batch_options(p)
    _add_quiet(p, argparse.SUPPRESS)
    p.set_defaults(func=_cmd_encode)

    p = sub.add_parser("decode", help="decode a JPEG file to an image file",
                       description="Decode the JPEG file IN to OUT (.npy, .npz, .png, ...; - for "
                                   "stdin, stdout); with -o DIR, every input into DIR. CMYK/YCCK "
                                   "files are converted to RGB as Pillow converts them, except "
                                   "into .npy/.npz, which keep the four channels.")
    p.add_argument("paths", nargs="+", metavar="IN.jpg [OUT]",
                   help="IN.jpg OUT, or with -o DIR the inputs of a batch")
    p.add_argument("--tables", metavar="SHARED.jpg",
                   help="the tables-only stream an abbreviated IN was coded with")
    p.add_argument("--format", default=None, metavar="png",
                   help="the output format (png, npy, npz, tiff, ...; a leading dot is fine): "
                        "default OUT's suffix, png for - and for a batch")
    p.add_argument("--scale", choices=_SCALES, default="1",
                   help="decode at a reduced size with libjpeg's scaled IDCT (as Pillow's "
                        "draft()): 1/2, 1/4 or 1/8 of the width and height, rounded up")
    _add_batch_options(p)
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

    p = sub.add_parser("tables", help="one shared model for a corpus: a tables-only stream",
                       description="Fit Huffman tables to every input coded at -q and "
                                   "--subsampling; write the tables-only stream (SOI, APP0, DQT, "
                                   "DHT, EOI) for encode/decode --tables, and print the "
                                   "corpus's description length with per-file tables "
                                   "against the shared ones. With --groups: cluster the "
                                   "inputs into groups, a table set each, print the "
                                   "description length for each number of groups k, and "
                                   "write SHARED.g<i>.jpg per group and SHARED.groups.csv "
                                   "(path, group).")
    p.add_argument("paths", nargs="+", metavar="INPUTS")
    p.add_argument("-o", "--output", required=True, metavar="SHARED.jpg")
    p.add_argument("--groups", type=_groups, default=None, metavar="auto|K",
                   help="how many table sets: auto (the k of the shortest description "
                        "length: 1, 2, 4, ... up to one per image) or a number")
    p.add_argument("--plot", metavar="CURVE.png",
                   help="with --groups: plot the description length over k into this "
                        "image (needs matplotlib: the extra \"plot\")")
    p.add_argument("-q", "--quality", type=_int_in("quality", 1, 100), default=75,
                   help="IJG quality 1..100 (default 75)")
    p.add_argument("--subsampling", type=_subsampling, default="4:2:0",
                   metavar="{" + ",".join(SUBSAMPLINGS) + "}", help="chroma subsampling (default 4:2:0)")
    _add_walk_options(p)
    _add_quiet(p, argparse.SUPPRESS)
    p.set_defaults(func=_cmd_tables)


    p = sub.add_parser("optimize", help="losslessly re-optimize JPEG files (same pixels, fewer bytes)",
                       description="Write the coefficients of the JPEG file IN (- for stdin) "
                                   "again with optimal Huffman coding (progressive, with a scan "
                                   "script searched for the image, or baseline) to OUT (- for "
                                   "stdout): the same pixels, never more bytes. IN may be a "
                                   "folder: every .jpg/.jpeg in it (and its subfolders) goes to "
                                   "the same place under the folder OUT.")
    p.add_argument("paths", nargs="+", metavar="IN OUT",
                   help="IN OUT (files, or folders), or with -o DIR the inputs of a batch")
    p.add_argument("--baseline", action="store_true",
                   help="baseline files only (no progressive scans)")
    p.add_argument("--strip", action="store_true",
                   help="drop the metadata (APPn and COM segments: Exif, ICC, XMP, comments)")
    _add_batch_options(p)
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
                   help="timing rounds, median of N (default 5)")
    p.add_argument("--quick", action="store_true",
                   help="1 round, 4 qualities, 2 photos: a smoke test")
    p.add_argument("-q", "--quality", type=_int_in("quality", 1, 100), default=75,
                   help="quality of the speed part (default 75)")
    p.add_argument("--subsampling", type=_subsampling, default="4:2:0",
                   metavar="{" + ",".join(SUBSAMPLINGS) + "}", help="chroma subsampling (default 4:2:0)")
    p.add_argument("--optimize", action="store_true",
                   help="time encoding with optimized Huffman tables (both libraries)")
    p.add_argument("--sizes", type=_bench_sizes, default=None, metavar="LIST",
                   help="the size series, comma-separated from " + ",".join(_BENCH_SIZES)
                        + ", or none (default: all of them for the corpus photo, "
                          "64x64,256x256 with --quick, none with IMAGES)")
    _add_quiet(p, argparse.SUPPRESS)
    p.set_defaults(func=_cmd_bench)
    return parser


def _check_plot_path(path):
    from .plot import require_matplotlib

    require_matplotlib()
    if path == STDIO:
        return
    _check_parent(path)


def _check_parent(path):
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


def _is_batch(paths, args, output_dir=False):
    """Whether the command line asks for a batch: -o DIR, several inputs, a
    folder, a glob, an @LIST, or a batch-only option."""
    if output_dir or args.table or args.jobs or args.recursive or getattr(args, "scheduler", None):
        return True
    if len(paths) != 1:
        return len(paths) > 1
    p = paths[0]
    import glob as _glob

    return p.startswith("@") or os.path.isdir(p) or (_glob.has_magic(p) and not os.path.exists(p))


def _is_batch_of_outputs(args):
    """encode/decode: a batch with -o DIR, a batch option or more than IN OUT."""
    return (args.output_dir is not None or args.table or args.jobs or args.recursive
            or args.resume or len(args.paths) > 2)


def _run_batch(rows, args):
    """Write the rows (and the table), print the summary; exit status 1 if any failed."""
    from .dataset import Summary, keep_freed_memory, write_table

    keep_freed_memory()     # a --jobs 1 batch codes in this process
    summary = Summary()
    if args.table:
        write_table(rows, args.table, on_row=summary.add)
    else:
        for row in rows:
            summary.add(row)
    print(summary)
    if args.table:
        print(f"wrote {args.table}", file=sys.stderr)
    return 1 if summary.failed else 0


def _check_table_path(args):
    if args.table and Path(args.table).suffix.lower() not in (".csv", ".jsonl", ".parquet"):
        raise _UsageError(f"--table {args.table}: the suffix must be .csv, .jsonl or .parquet")
    if args.table and Path(args.table).suffix.lower() == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise MissingDependency("--table .parquet needs pyarrow: pip install "
                                    "\".[dataset]\" (from the jpeglite checkout)") from None


def _batch_encode_options(args):
    if (getattr(args, "lossless", False) or getattr(args, "precision", None) is not None
            or getattr(args, "predictor", 1) != 1):
        raise _UsageError("--lossless, --precision and --predictor encode one file "
                          "(IN OUT.jpg)")
    opts = _encode_options(args)
    if opts.pop("restart_interval", 0):
        raise _UsageError("--restart-interval is not available in a batch")
    if "qtables" in opts:
        raise _UsageError("--qtables is not available in a batch")
    return opts


def _cmd_analyze_batch(args):
    from . import dataset

    _check_table_path(args)
    if args.json or args.plot or args.html:
        raise _UsageError("--json, --plot and --html report one image; a batch writes --table")
    for k, v in (("quality", 75), ("subsampling", "4:2:0"), ("optimize", False),
                 ("restart_interval", 0)):
        if getattr(args, k) is None:
            setattr(args, k, v)
    opts = _batch_encode_options(args)
    if args.scheduler:
        return _analyze_on_cluster(args, opts)
    rows = dataset.iter_analyze(args.image, args.jobs, recursive=args.recursive,
                                reencode=args.reencode, progress=args.progress, **opts)
    return _run_batch(rows, args)


def _analyze_on_cluster(args, opts):
    from . import dataset

    try:
        from distributed import Client
    except ImportError:
        raise MissingDependency("--scheduler needs dask[distributed]: pip install "
                                "\".[dataset]\" (from the jpeglite checkout)") from None
    with Client(args.scheduler) as client:
        df = dataset.analyze(args.image, client=client, recursive=args.recursive,
                             reencode=args.reencode, **opts)
        return _run_batch(dataset.iter_rows(df), args)


def _cmd_analyze(args):
    if _is_batch(args.image, args):
        return _cmd_analyze_batch(args)
    if args.scheduler:
        raise _UsageError("--scheduler runs a batch")
    args.image = args.image[0] if args.image else None
    _check_one_stdin(args.image, args.qtables)
    if args.plot:
        _check_plot_path(args.plot)  # fail before the work, not after it
    if args.html:
        _check_parent(args.html)
    given = [f"--{k.replace('_', '-')}" for k in ("quality", "qtables", "subsampling",
                                                  "optimize", "restart_interval", "tune")
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
    if args.html:
        Path(args.html).write_text(report.to_html(title), encoding="utf-8")
        _info(args, f"wrote {args.html}")
    return 0


def _single(args, names):
    """IN OUT of a one-file command, or a usage error."""
    if len(args.paths) != 2:
        raise _UsageError(f"the following arguments are required: {names} "
                          f"(or INPUTS... -o DIR for a batch)")
    args.input, args.output = args.paths
    return args


def _read_tables(args):
    return None if args.tables is None else _read_input(args.tables)


def _cmd_encode(args):
    if _is_batch_of_outputs(args):
        from . import dataset

        if args.output_dir is None:
            raise _UsageError("a batch needs -o DIR, the folder its outputs go to")
        _check_table_path(args)
        opts = _batch_encode_options(args)
        tables = _read_tables(args)
        rows = dataset.iter_encode(args.paths, args.output_dir, args.jobs,
                                   recursive=args.recursive, resume=args.resume,
                                   tables=tables, progress=args.progress, **opts)
        return _run_batch(rows, args)
    _single(args, "IN OUT.jpg")
    _check_one_stdin(args.input, args.qtables, args.tables)
    # the options checked before the image is read (a usage error first)
    opts = None if args.tables is not None else _encode_options(args)
    image = load_image(args.input, sixteen=args.lossless or args.precision is not None)
    target = sys.stdout.buffer if args.output == STDIO else args.output
    if args.tables is not None:
        opts = {"subsampling": args.subsampling, "restart_interval": args.restart_interval,
                "tables": _read_tables(args)}
        data = codec("encode")(image, **opts)         # write() takes no tables
        if target is sys.stdout.buffer:
            target.write(data)
        else:
            Path(target).write_bytes(data)
        n = len(data)
    else:
        n = codec("write")(target, image, **opts)
    h, w = image.shape[:2]
    _info(args, f"{_shown(args.output, output=True)}: {w}x{h}, {n:,} bytes, "
                f"{8 * n / (w * h):.3f} bits/pixel")
    return 0


def _cmd_decode(args):
    if _is_batch_of_outputs(args):
        from . import dataset

        if args.output_dir is None:
            raise _UsageError("a batch needs -o DIR, the folder its outputs go to")
        _check_table_path(args)
        if args.tables is not None:
            raise _UsageError("--tables decodes one file (IN.jpg OUT)")
        if args.scale != "1":
            raise _UsageError("--scale decodes one file (IN.jpg OUT)")
        rows = dataset.iter_decode(args.paths, args.output_dir, args.jobs,
                                   recursive=args.recursive,
                                   suffix="." + (args.format or "png").lstrip("."),
                                   resume=args.resume, progress=args.progress)
        return _run_batch(rows, args)
    _single(args, "IN.jpg OUT")
    _check_one_stdin(args.input, args.tables)
    data = _read_input(args.input)
    decode = codec("decode")
    opts = {} if args.scale == "1" else {"scale": _SCALES[args.scale]}
    if args.tables is not None:
        opts["tables"] = _read_tables(args)
    fmt = None if args.format is None else args.format.lstrip(".")
    image = decode(data, **opts)
    note = ""
    if image.ndim == 3 and image.shape[2] == 4 and not has_cmyk(args.output, fmt):
        image = decode(data, mode="RGB", **opts)
        note = " (CMYK converted to RGB as Pillow converts it)"
    save_image(args.output, image, fmt)
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



def _groups(text):
    if text == "auto":
        return text
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"groups must be auto or a number, got {text!r}") \
            from None
    if k < 1:
        raise argparse.ArgumentTypeError(f"groups must be auto or at least 1, got {k}")
    return k


def _cmd_tables(args):
    from . import dataset

    if args.plot is not None and args.groups is None:
        raise _UsageError("--plot draws the curve of --groups: give --groups auto (or K)")
    if args.groups is not None:
        return _tables_groups(args)
    dl = dataset.description_length(args.paths, args.quality, subsampling=args.subsampling,
                                    jobs=args.jobs, recursive=args.recursive, save=args.output,
                                    skip_errors=True)
    per, shared = dl["per_file"], dl["shared"]
    for path, error in dl["failed"]:
        print(f"skipped {path}: {error}", file=sys.stderr)
    print(f"{args.output}: {dl['tables_bytes']:,} bytes of tables for {dl['images']:,} images "
          f"(quality {args.quality}, {args.subsampling})")
    print("description length (bytes)    model L(P)   data L(D|P)       total")
    for name, d in (("per-file optimized tables", per), ("shared tables (abbreviated)", shared)):
        print(f"{name:<28} {d['model_bits'] / 8:>11,.0f} {d['data_bits'] / 8:>13,.0f} "
              f"{d['total_bits'] / 8:>11,.0f}")
    if per["total_bits"]:
        print(f"shared tables save {100 * (1 - shared['total_bits'] / per['total_bits']):.1f}%")
    return 1 if dl["failed"] else 0


def _tables_groups(args):
    from . import dataset

    failed, paths = [], list(dataset.iter_inputs(args.paths, args.recursive))
    shared = dataset.fit_tables(paths, args.quality, subsampling=args.subsampling,
                                groups=args.groups, jobs=args.jobs, skip_errors=True,
                                failed=failed)
    for path, error in failed:
        print(f"skipped {path}: {error}", file=sys.stderr)
    n = len(shared.assignment)
    print(f"description length of {n:,} images (quality {args.quality}, {args.subsampling}), "
          f"bytes; data from the symbol counts")
    print(f"{'k':>6} {'model L(P)':>12} {'data L(D|P)':>14} {'group index':>12} {'total':>14}")
    for p in shared.curve:
        mark = "  <- chosen" if p.k == shared.k else ""
        print(f"{p.k:>6,} {p.model_bits / 8:>12,.0f} {p.data_bits / 8:>14,.0f} "
              f"{p.index_bits / 8:>12,.0f} {p.total_bits / 8:>14,.0f}{mark}")
    out = Path(args.output)
    if shared.k == 1:
        written = [out]
    else:
        written = [out.with_name(f"{out.stem}.g{g}{out.suffix}") for g in range(shared.k)]
    for g, path in enumerate(written):
        dataset._write_atomic(os.fspath(path), lambda p, g=g: Path(p).write_bytes(
            shared.to_bytes(g)))
    if shared.k > 1:
        import csv

        ok = [i.path for i in paths if i.path not in {f for f, _ in failed}]
        with open(out.with_name(f"{out.stem}.groups.csv"), "w", newline="",
                  encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["path", "group"])
            w.writerows(zip(ok, shared.assignment))
    print(f"k = {shared.k}: " + ", ".join(map(str, written)))
    if args.plot is not None:
        _plot_curve(shared.curve, shared.k, args.plot)
    return 1 if failed else 0


def _plot_curve(curve, chosen, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependency("--plot needs matplotlib: pip install \".[plot]\" "
                                "(from the jpeglite checkout)") from None
    ks = [p.k for p in curve]
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, values in (("total", [p.total_bits for p in curve]),
                         ("data L(D|P)", [p.data_bits for p in curve]),
                         ("model L(P)", [p.model_bits for p in curve])):
        ax.plot(ks, [v / 8 for v in values], marker="o", label=name)
    best = next(p for p in curve if p.k == chosen)
    ax.plot([chosen], [best.total_bits / 8], marker="*", markersize=14, color="k",
            linestyle="none", label=f"chosen k = {chosen}")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("k (table sets)")
    ax.set_ylabel("bytes")
    ax.set_title("description length over k")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _cmd_optimize(args):
    from .api import optimize

    if (len(args.paths) == 2 and args.output_dir is None and args.paths[0] != STDIO
            and os.path.isdir(args.paths[0])):
        # IN OUT with a folder IN: every JPEG below it, into the folder OUT
        args.paths, args.output_dir, args.recursive = [args.paths[0]], args.paths[1], True
    if _is_batch_of_outputs(args):
        from . import dataset

        if args.output_dir is None:
            raise _UsageError("a batch needs -o DIR, the folder its outputs go to")
        _check_table_path(args)
        rows = dataset.iter_optimize(args.paths, args.output_dir, args.jobs,
                                     recursive=args.recursive, progressive=not args.baseline,
                                     keep_metadata=not args.strip, resume=args.resume,
                                     progress=args.progress)
        summary = dataset.Summary()
        status = _run_batch(_count_bytes(rows, summary), args)
        if summary.before:
            print(f"optimized: {summary.before:,} -> {summary.after:,} bytes "
                  f"({100 * (summary.after / summary.before - 1):+.2f}%)")
        return status
    _single(args, "IN OUT")
    data = _read_input(args.input)
    out = optimize(data, progressive=not args.baseline, keep_metadata=not args.strip)
    if args.output == STDIO:
        sys.stdout.buffer.write(out)
    else:
        Path(args.output).write_bytes(out)
    _info(args, f"{_shown(args.output, output=True)}: {len(data):,} -> {len(out):,} bytes "
                f"({100 * (len(out) / len(data) - 1):+.2f}%)")
    return 0


def _count_bytes(rows, totals):
    # bytes before and after over the files optimized in this run
    totals.before = totals.after = 0
    for row in rows:
        if not row.get("error") and not row.get("skipped"):
            totals.before += row["input_bytes"]
            totals.after += row["bytes"]
        yield row


_BENCH_SIZES = ("64x64", "256x256", "12MP", "48MP")     # bench.SIZES, without importing it


def _bench_sizes(text):
    if text.strip().lower() == "none":
        return ()
    sizes = tuple(s.strip() for s in text.split(",") if s.strip())
    bad = [s for s in sizes if s not in _BENCH_SIZES]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown size {bad[0]!r} (choose from "
                                         f"{', '.join(_BENCH_SIZES)}, or none)")
    return sizes


def _cmd_bench(args):
    from . import bench

    _check_one_stdin(*args.images)
    images = [("stdin" if p == STDIO else Path(p).stem, load_image(p)) for p in args.images]
    return bench.run(images or None, repeat=args.repeat, quick=args.quick, plot=args.plot,
                     quality=args.quality, subsampling=args.subsampling, optimize=args.optimize,
                     sizes=args.sizes)


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
        if quiet and hasattr(args, "progress"):
            args.progress = False       # a batch's progress bar is information too
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
