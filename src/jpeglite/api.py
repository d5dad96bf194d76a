"""The public functions: each checks its arguments once, then calls the layer below.

encode, write -> options (the plan) -> encoder; decode, read,
read_coefficients -> decoder; analyze -> options -> analysis.
"""
import os as _os
import warnings as _warnings

import numpy as _np

from . import decoder as _decoder
from . import encoder as _encoder
from . import jfif as _jfif
from . import parallel as _parallel
from .decoder import DEFAULT_MAX_PIXELS
from .errors import ConversionWarning as _ConversionWarning
from .errors import CorruptDataWarning as _CorruptDataWarning
from .inputs import as_array as _as_array
from .options import plan_encode as _plan_encode

__all__ = ["encode", "write", "decode", "read", "analyze", "read_coefficients",
           "encode_coefficients", "optimize", "info", "DEFAULT_MAX_PIXELS", "MODES"]

#: ``decode``'s ``mode`` values: None (the file's own components) or "RGB".
MODES = (None, "RGB")

# suffixes of image formats that are not JPEG: write() warns about a JPEG under such a name
_OTHER_FORMATS = (".png", ".apng", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".npy", ".npz",
                  ".ppm", ".pgm", ".pnm", ".avif", ".heic", ".jxl", ".jp2", ".ico", ".tga")


def _check_path(path, method=None):
    """path is a str, bytes or os.PathLike, or (``method`` "read" or
    "write") a file object with that method; True for a file object."""
    if method is not None and callable(getattr(path, method, None)):
        return True
    # (an int would open a file descriptor)
    if not isinstance(path, (str, bytes, _os.PathLike)):
        what = "str, bytes or os.PathLike" + (f", or a binary file object with {method}()"
                                              if method else "")
        raise TypeError(f"path must be a {what}, not {type(path).__name__}")
    return False


def _tables_arg(tables):
    """``tables``: None, a ``jfif.TableSet``, or a tables-only stream's bytes
    (read through the decoder's marker loop); ValueError for bytes that are not one."""
    if tables is None or not isinstance(tables, (bytes, bytearray, memoryview)):
        return tables
    from .decoder import read_tables
    from .errors import JPEGError

    try:
        return read_tables(_as_bytes(tables))
    except JPEGError as e:
        raise ValueError(f"tables is not a tables-only stream: {e}") from None


def encode(image, quality=None, *, subsampling=None, optimize=False, restart_interval=0,
           threads=None, qtables=None, icc_profile=None, exif=None, comment=None,
           progressive=False, scans=None, tables=None, abbreviated=None, arithmetic=False,
           tune=None, precision=None, lossless=False, predictor=1, point_transform=0):
    """Encode an image as a JFIF JPEG (baseline, or progressive); returns the file's bytes.

    image: numpy uint8 array, (H, W) grayscale or (H, W, 3) RGB, any strides,
        1 <= H, W <= 65535 pixels; or a PIL Image (mode "L" or "RGB" as is;
        alpha dropped, 16-bit samples reduced to their high byte, other modes
        converted to RGB, with a ``ConversionWarning`` when information is
        lost: the rule of ``jpeglite.inputs``); or anything else with
        ``__array_interface__``, read with ``numpy.asarray``.
    quality: 1..100, IJG scaling of the Annex K tables (as in libjpeg/Pillow);
        None (not given): 75, or with ``qtables`` the tables as given.
    qtables: custom quantization tables, as Pillow's ``qtables``: 1..4 tables
        of 64 ints 1..65535 in natural (row-major) order (lists, arrays of
        shape (64,) or (8, 8)), as a list, tuple, (n, 64) array, a dict
        {slot: table} with slots 0..n-1, or text (whitespace-separated
        integers, 64 per table, ``#`` comments). Component i (Y, Cb, Cr) uses table
        min(i, n - 1). With ``quality`` given each table is scaled by its IJG
        percentage (quality 50: as is; 75: halved) with libjpeg's rounding
        and clamped to 1..255; without, it is written as given (clamped to
        32767, libjpeg's limit) and a table above 255 is written with 16-bit
        precision in an SOF1 (extended sequential) file. The bytes equal
        Pillow's with the same ``qtables`` and ``quality``, except that
        libjpeg-turbo's quantizer divides by 8Q modulo 2**16, so that Pillow's
        data for quantizers 8192..32766 does not follow its own tables
        (jpeglite's does: every coefficient quantizes to 0 there).
    icc_profile: bytes of an ICC profile, written in APP2 chunks of at most
        65,519 bytes (ICC.1 B.4; at most 255 chunks).
    exif: the Exif APP1 payload as Pillow gives it (``Image.Exif.tobytes()``,
        ``info["exif"]``): ``b"Exif\\0\\0"`` and a TIFF stream (a bare TIFF stream
        gets that header), at most 65,533 bytes.
    comment: str (UTF-8) or bytes for a COM segment, at most 65,533 bytes.
        The metadata follows the JFIF APP0 as Pillow writes it (Exif, ICC,
        COM); None or empty leaves a segment out.
    subsampling: chroma sampling "4:4:4", "4:2:2" or "4:2:0" (ignored for
        grayscale); None (not given): "4:2:0", except that ``tune="psnr"``
        chooses "4:4:4" from quality 85 up (where, at equal bits, full
        chroma gives the higher PSNR: ``tune.choose_subsampling``).
    optimize: False uses the Annex K Huffman tables; True counts the symbols
        first and builds optimal tables (two passes, smaller file).
    restart_interval: a restart marker every this many MCUs, 0..65535 (0: none).
    threads: threads doing the work, the calling one included (None: all
        cores, os.cpu_count(), but one thread per 2**17 pixels at most, since
        small images are faster on one; 1: no thread pool). The bytes are the
        same for every thread count.
    tables: a shared model: a tables-only stream (bytes, as
        ``jpeglite.dataset.fit_tables`` makes) or a ``jfif.TableSet``,
        whose quantization and Huffman tables code the image as they are
        (``quality``, ``qtables`` and ``optimize`` cannot be given with it).
    abbreviated: leave the DQT and DHT segments out (an abbreviated image
        stream, T.81 B.4; ``decode(data, tables=...)`` reads it). None (the
        default): True when ``tables`` is given, else False; False with
        ``tables`` writes an ordinary file that carries the shared tables.

    progressive: False writes one baseline scan; True a progressive file
        (SOF2) with Huffman tables optimized per scan (as libjpeg, which
        forces optimize in progressive mode), bytes identical to Pillow's
        ``progressive=True``.
    arithmetic: True writes an arithmetic-coded file (T.81 Annex D; the
        same pixels as the Huffman file): sequential (SOF9), typically 5-10%
        smaller than ``optimize=True``, or with ``progressive`` progressive
        (SOF10, the scans of ``scans`` or libjpeg's default; its scan data
        byte for byte libjpeg-turbo's ``jpegtran -arithmetic
        -progressive``). For readers you control: libjpeg, libjpeg-turbo
        (Pillow, for files up to 64 KB; djpeg) and jpeglite read it,
        browsers do not. ``optimize`` has no effect on it.
    scans: with progressive=True, a custom scan script instead of libjpeg's
        default (``jpeglite.scans.default_script``): a sequence of
        ``jpeglite.scans.ScanSpec(components, Ss, Se, Ah, Al)`` or tuples of
        those five, checked against T.81 G.1.1.1 (a ValueError names the
        scan and the rule it breaks).
    tune: None (default): libjpeg's choices, as above. "psnr": the fewest bits
        for the squared error (PSNR): one flat quantization table per
        component (chroma finer, as RGB error weighs it), each block's AC
        values chosen by trellis quantization against the file's own Huffman
        code lengths, optimized Huffman tables (``optimize`` is implied),
        then written as the smaller of a progressive file with a scan script
        searched for these coefficients (``jpeglite.optimize``) and the
        baseline file (baseline always with ``restart_interval``); with
        ``progressive=True`` always progressive, with ``scans`` or else a
        script searched for the coefficients.
        ``quality`` stays a monotone knob: the luma step is 24 at 50 and scales
        as IJG scales tables (12 at 75, about 1.38 bits per pixel on the Kodak
        photos, where Pillow's q75 spends 1.37; 2.4 at 95; 1 at 100); with
        ``qtables`` those tables are used instead. Standard baseline JPEG:
        every decoder reads it. See ``jpeglite.tune``.

    precision, lossless, predictor, point_transform: more than 8 bits per
        sample (``image`` a uint16 array; uint8 also taken), read back by
        ``decode`` as uint16 (and by libjpeg-turbo 3, e.g.
        ``imagecodecs.jpeg8_decode``; Pillow, browsers and 8-bit libjpeg
        builds do not read them).
        ``precision=12``: a 12-bit DCT file (SOF1, extended sequential),
        samples 0..4095, with ``quality``, ``subsampling`` (RGB is coded as
        YCbCr), ``restart_interval``, ``progressive`` (SOF2, libjpeg's
        default script), ``arithmetic`` (SOF9) and the metadata options; Huffman tables always
        optimized (the Annex K tables stop at 8-bit sizes). The sequential
        file's bytes equal libjpeg-turbo 3's with optimized tables
        (``imagecodecs.jpeg8_encode(image, level=quality, bitspersample=12,
        optimize=True)``).
        ``lossless=True``: a lossless file (SOF3, T.81 Annex H) of
        ``precision`` bits per sample, 2..16 (None: 8 for uint8 input, 16
        for uint16), (H, W) or (H, W, C) with C = 1 (decoded as (H, W)), 3 or 4 components
        stored as they are (no colour transform, no subsampling; an Adobe
        APP14 marks colour); ``predictor`` 1..7 (T.81 Table H.1: 1 left, 2
        above, 3 upper left, 4 a + b - c, 5 a + (b - c)/2, 6 b + (a - c)/2,
        7 (a + b)/2); ``point_transform`` 0..precision-1: the low bits
        dropped before coding (0: exactly lossless; Pt > 0 decodes to the
        samples with their low Pt bits cleared); ``restart_interval`` a
        multiple of the width (whole rows). Huffman tables optimized.
        A PIL Image with 16-bit samples ("I;16") keeps them whole here.
        Sample values above 2**precision - 1 are a ValueError. The other
        encode options do not apply to these files (ValueError naming them).
        Without ``precision`` and ``lossless`` the image must be uint8.

    With optimize off the tables, headers and entropy-coded data equal
    libjpeg-turbo's (Pillow's) at the same quality and subsampling.
    Dimensions above 65500 are valid JPEG, but libjpeg (hence Pillow)
    refuses to read them (its JPEG_MAX_DIMENSION).
    Raises TypeError for an argument of the wrong type and ValueError for a
    value out of range, each naming the argument.
    """
    _parallel.check_threads(threads)          # argument errors before image errors
    # ---- hibit: 12-bit DCT and lossless files ----
    # (precision=8 without lossless is the ordinary 8-bit encode below)
    if lossless is not False or not (precision is None or (
            isinstance(precision, (int, _np.integer)) and not isinstance(precision, bool)
            and precision == 8)):
        from . import highbit

        given = [name for name, value, default in (
            ("quality", quality, None), ("subsampling", subsampling, None),
            ("optimize", optimize, False), ("qtables", qtables, None),
            ("progressive", progressive, False), ("scans", scans, None),
            ("tables", tables, None), ("abbreviated", abbreviated, None),
            ("arithmetic", arithmetic, False), ("tune", tune, None))
            if value is not default and value != default]
        p = highbit.plan(highbit.as_array(image), quality, subsampling, restart_interval,
                         precision,
                         lossless, predictor, point_transform,
                         _jfif.build_metadata(icc_profile, exif, comment), given)
        return highbit.encode(p)
    if predictor != 1 or point_transform != 0:
        raise ValueError("predictor and point_transform apply to lossless=True only")
    image, plan = _plan_encode(_as_array(image), quality, subsampling, optimize, restart_interval,
                               qtables, icc_profile, exif, comment, progressive, scans,
                               _tables_arg(tables), abbreviated, arithmetic, tune)
    threads = _parallel.resolve_threads(threads, plan.height * plan.width)
    data = _encoder.encode(image, plan, threads)
    if (plan.tune is not None and not plan.restart_interval and not plan.progressive
            and not plan.arithmetic):
        # the chosen coefficients, coded as compactly as jpeglite can: a
        # progressive file with a script searched for them, or the baseline
        # file when that is smaller (restart markers: baseline as asked)
        from . import lossless
        data = lossless.optimize(data, True, True, threads)
    return data


def write(path, image, quality=None, *, subsampling=None, optimize=False,
          restart_interval=0, threads=None, qtables=None, icc_profile=None, exif=None,
          comment=None, progressive=False, scans=None, arithmetic=False, tune=None,
          precision=None, lossless=False, predictor=1, point_transform=0):
    """Encode ``image`` (see ``encode``) and write the JPEG file to ``path``.

    path: str, bytes or os.PathLike, or a binary file object (anything with a
    ``write`` method taking bytes: an open file, ``io.BytesIO``), written at its
    position and left open. Returns the number of bytes written.
    Arguments are checked (and the image encoded) before the file is opened,
    so a bad argument leaves no file behind; a path that cannot be written (a
    directory, a missing directory, no permission) raises the OSError of
    ``open``, whose message names the path. A path whose suffix names another
    image format (``.png``, ``.tif``, ``.npy``, ...) gets a
    ``ConversionWarning``: the file is JPEG whatever its name.
    """
    is_file = _check_path(path, "write")
    data = encode(image, quality, subsampling=subsampling, optimize=optimize,
                  restart_interval=restart_interval, threads=threads, qtables=qtables,
                  icc_profile=icc_profile, exif=exif, comment=comment, progressive=progressive,
                  scans=scans, arithmetic=arithmetic, tune=tune, precision=precision,
                  lossless=lossless, predictor=predictor, point_transform=point_transform)
    if is_file:
        path.write(data)
        return len(data)
    suffix = _os.path.splitext(_os.fsdecode(path))[1].lower()
    if suffix in _OTHER_FORMATS:
        _warnings.warn(f"{_os.fsdecode(path)}: JPEG data written under a {suffix} name",
                       _ConversionWarning, stacklevel=2)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def _check_max_pixels(max_pixels):
    # a ValueError for a wrong type too (an int is what is meant; numpy
    # integers are ints), so that every bad max_pixels is one kind of error
    if type(max_pixels) is int and max_pixels >= 1:
        return max_pixels       # (the common case, without the ABC checks below)
    import numbers
    if (isinstance(max_pixels, (bool, _np.bool_)) or not isinstance(max_pixels, numbers.Integral)
            or max_pixels < 1):
        raise ValueError(f"max_pixels must be a positive int, not {max_pixels!r}")
    return int(max_pixels)


def _as_bytes(data):
    if type(data) is bytes:
        return data
    if isinstance(data, (bytes, bytearray)):
        return bytes(data) if isinstance(data, bytearray) else data
    if isinstance(data, memoryview):
        return data.tobytes()
    raise TypeError(f"data must be bytes, bytearray or memoryview, not {type(data).__name__}")


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError(f"mode must be None or 'RGB', not {mode!r}")
    return mode


def _check_scale(scale):
    if type(scale) is int and scale == 1:
        return 1                # (the common case, without the ABC checks below)
    import numbers
    from .decoder import SCALES
    if isinstance(scale, (bool, _np.bool_)) or not isinstance(scale, numbers.Real) \
            or scale not in SCALES:
        raise ValueError(f"scale must be 1, 1/2, 1/4 or 1/8, not {scale!r}")
    return round(1 / scale)


def decode(data, *, mode=None, scale=1, max_pixels=DEFAULT_MAX_PIXELS, threads=None,
           tables=None, strict=False, block_smoothing=True):
    """Decode a baseline, extended or progressive JPEG, Huffman or
    arithmetic-coded (SOF0/1/2, SOF9/10; 8-bit or 12-bit samples), or a
    lossless JPEG (SOF3, Huffman; 2 to 16 bits), to a numpy array.

    The dtype: uint8 for 8-bit files (and lossless files of 2..8 bits),
    uint16 otherwise (12-bit DCT files 0..4095; lossless files of P bits
    0..2**P - 1): the arrays libjpeg-turbo 3 gives
    (``imagecodecs.jpeg8_decode``), pixel for pixel. A 12-bit file goes
    through libjpeg-turbo's 12-bit inverse DCT, fancy upsampling and YCbCr
    to RGB conversion (its CMYK is returned as stored, not inverted as
    Pillow's 8-bit CMYK is); a lossless file decodes to its samples exactly
    (with the low ``Pt`` bits zero when it has a point transform), with no
    colour conversion and box upsampling, as libjpeg-turbo does.
    ``scale`` is for 8-bit DCT files only, and ``mode="RGB"`` converts 8-bit
    CMYK only (ValueError for a uint16 CMYK image).

    ``data``: the file's bytes (bytes, bytearray or memoryview).
    ``max_pixels``: refuse frames of more pixels than this (width x height),
    checked before anything is allocated; the default is Pillow's limit.
    ``threads``: how many threads may work on this image (None: one per
    core, 1: only the calling thread; any larger int is capped at
    ``parallel.MAX_THREADS``).  Entropy decoding overlaps the
    inverse DCT and colour conversion; progressive files reconstruct in
    parallel bands.  The pixels are the same for every thread count.
    ``tables``: for an abbreviated image stream (T.81 B.4), the tables-only
    stream (bytes) or ``jfif.TableSet`` holding its tables, read first
    through the same marker loop; tables the stream defines itself replace
    them.

    Returns (8-bit files) uint8 ``(H, W)`` for one component, ``(H, W, 3)`` RGB for three
    (YCbCr converted, or RGB as stored when an Adobe marker says so) and
    ``(H, W, 4)`` CMYK for four, with the values Pillow gives for the same
    bytes (its CMYK is inverted Adobe CMYK; YCCK is converted).
    ``scale``: 1, or 1/2, 1/4, 1/8 (floats or ``fractions.Fraction``) for
    ceil(W * scale) x ceil(H * scale) pixels decoded with libjpeg's scaled
    inverse DCTs (4x4, 2x2, 1x1 outputs per block), pixel for pixel what
    libjpeg-turbo gives for scale_denom 2, 4, 8 (Pillow's ``Image.draft``).
    The entropy decoding is a full decode's; the inverse DCT, upsampling and
    colour conversion shrink with the output.
    ``mode="RGB"`` always gives ``(H, W, 3)`` RGB, as Pillow's
    ``Image.convert("RGB")`` gives it: grey repeated in three channels, CMYK
    (and YCCK) converted with Pillow's arithmetic (R = 255 - K - C(255 - K)/255,
    rounded as Pillow rounds; no ICC colour management); ``mode=None`` (the
    default) gives the file's own components as above.

    Raises ``JPEGError`` (with the byte offset) for malformed, truncated or
    unsupported data, ``TypeError`` for a non-bytes argument or a non-int ``threads``,
    ``ValueError`` for ``threads`` below 1.  Corrupt data
    that Pillow recovers from decodes as Pillow does it (zero bits after an
    early marker, restart resynchronisation, runs past coefficient 63
    landing on coefficient 63; in arithmetic-coded data, zero bytes after
    an early marker and a bad code giving up on the rest of its restart
    interval), each recovery said by a ``jpeglite.CorruptDataWarning``
    (where libjpeg prints "Corrupt JPEG data"; its message gives the byte
    offset); ``strict=True`` raises ``JPEGError`` there instead.  Where
    libjpeg-turbo's reading of damaged data shows (its fast Huffman routine
    taking 0xFF 0xFF for a marker; a sequential scan whose data is cut off
    before EOI finishing or not, by where its bit-buffer refills fall),
    ``jpeglite.endofdata`` replays it.  A
    progressive file that ends (with an EOI) before its
    low-frequency coefficients are complete is block-smoothed as libjpeg
    smooths it (``jpeglite.smoothing``; ``read_coefficients`` gives the
    file's own coefficients); ``block_smoothing=False`` (libjpeg's
    do_block_smoothing) decodes those coefficients as they are, the pixels
    of ``encode_coefficients(read_coefficients(data))``.

    Two refusals bound the memory and work of a decode by the size of its
    input, where libjpeg (Pillow) would decode a mostly grey image:
    a frame with more 8x8 blocks than there are bits after its SOF
    segment (each block costs at least one bit, its DC code, so such data
    is truncated or a decompression bomb) is refused before anything is
    allocated ("too short for its frame"); and scans that together would
    visit more than 14 passes' worth of every coefficient of the frame
    (the most a valid progression needs, counting 8 visits per block per
    scan for a scan's fixed cost; also at most 1000 scans) are refused.
    Arithmetic-coded frames have no bits-per-block bound (the coder writes a
    run of most-probable decisions as no bytes: a flat 4000 x 4000 frame
    takes 128 bytes): ``max_pixels`` and the work bound hold for them.
    """
    data = _as_bytes(data)
    mode = _check_mode(mode)
    denom = _check_scale(scale)
    max_pixels = _check_max_pixels(max_pixels)
    threads = _parallel.check_threads(threads)
    tables = _tables_arg(tables)
    if tables is not None and not isinstance(tables, _jfif.TableSet):
        raise TypeError(f"tables must be bytes (a tables-only stream) or a TableSet, "
                        f"not {type(tables).__name__}")
    for name, flag in (("strict", strict), ("block_smoothing", block_smoothing)):
        if not isinstance(flag, (bool, _np.bool_)):
            raise TypeError(f"{name} must be a bool, not {type(flag).__name__}")
    damage = []
    if denom == 1:
        image = _decoder.decode(data, max_pixels, threads, tables, bool(strict), damage,
                               bool(block_smoothing))
    else:
        image = _decoder.decode_scaled(data, max_pixels, threads, denom, tables, bool(strict),
                                      damage, bool(block_smoothing))
    for message, offset in damage:
        _warnings.warn(f"{message} (at byte offset {offset})", _CorruptDataWarning,
                       stacklevel=2)
    if mode == "RGB":
        if image.ndim == 2:
            image = _np.repeat(image[:, :, None], 3, axis=2)
        elif image.shape[2] == 4 and image.dtype != _np.uint8:
            raise ValueError("mode='RGB' converts 8-bit CMYK only; this file has "
                             f"{image.dtype} CMYK samples (decode with mode=None)")
        elif image.shape[2] == 4:
            image = _decoder.cmyk_to_rgb(image)
    return image


def _read_source(path):
    """The bytes of a path or of a binary file object (read from its position)."""
    if _check_path(path, "read"):
        data = path.read()
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"path.read() must return bytes (a file opened in binary mode), "
                            f"not {type(data).__name__}")
        return data
    with open(path, "rb") as fh:
        return fh.read()


def read(path, *, mode=None, scale=1, max_pixels=DEFAULT_MAX_PIXELS, threads=None,
         strict=False):
    """Read and decode the JPEG file at ``path`` (str, bytes or os.PathLike, or
    a binary file object: anything whose ``read()`` returns bytes, such as an
    open file or ``io.BytesIO``, read from its position to its end);
    see ``decode`` for the result, ``mode``, ``scale``, ``threads``, ``strict`` and errors.  A file that
    cannot be opened raises the OSError of ``open`` (FileNotFoundError,
    IsADirectoryError, PermissionError), whose message names the path."""
    _check_path(path, "read")
    # refuse bad arguments before opening the file
    mode = _check_mode(mode)
    _check_scale(scale)
    max_pixels = _check_max_pixels(max_pixels)
    _parallel.check_threads(threads)
    if not isinstance(strict, (bool, _np.bool_)):
        raise TypeError(f"strict must be a bool, not {type(strict).__name__}")
    return decode(_read_source(path), mode=mode, scale=scale, max_pixels=max_pixels,
                  threads=threads, strict=strict)


def info(data, *, max_pixels=DEFAULT_MAX_PIXELS):
    """What a JPEG file's headers say, without decoding its pixels: a
    ``jpeglite.Info`` (size, components, sampling factors, progressive or not,
    the colour transform, an IJG quality estimate, the metadata's sizes).

    ``data``: the file's bytes (bytes, bytearray or memoryview). The
    decoder's marker loop reads the segments up to the first scan header
    (metadata after it is not seen) and stops: nothing is entropy-decoded,
    so this costs about a millisecond whatever the image size (most of it
    the quality search). ``quality`` is the
    IJG quality whose Annex K tables, scaled as libjpeg scales them, are
    nearest the file's (exactly them when ``quality_exact``). Raises
    ``JPEGError`` for headers ``decode`` would refuse (``max_pixels``
    included) and ``TypeError`` for non-bytes data.
    """
    from . import decoder

    data = _as_bytes(data)
    return decoder.info(data, _check_max_pixels(max_pixels))


def read_coefficients(data, *, max_pixels=DEFAULT_MAX_PIXELS):
    """The quantized DCT coefficients of a JPEG file, without the inverse DCT:
    a ``jpeglite.coefficients.Coefficients``.

    ``data``: the file's bytes (bytes, bytearray or memoryview); baseline,
    extended (16-bit tables) and progressive files, Huffman or arithmetic-
    coded, every scan merged. Each
    component's ``blocks`` is an int16 array (block rows, block columns, 8, 8)
    in natural order, covering the component's samples rounded up to whole
    blocks; ``qtables`` holds the quantization tables (natural order) by slot,
    ``color`` the colour transform a decoder applies, ``metadata`` the APPn
    and COM segments. Errors and limits are ``decode``'s.
    """
    from . import decoder

    data = _as_bytes(data)
    return decoder.read_coefficients(data, _check_max_pixels(max_pixels))


def encode_coefficients(coefficients, *, optimize=True, progressive=False, scans=None,
                        restart_interval=0, threads=None, arithmetic=False):
    """Write quantized DCT coefficients as a JPEG file; returns its bytes.

    ``coefficients``: a ``Coefficients`` (from ``read_coefficients``, or built
    by hand: see ``jpeglite.coefficients``). Its decode equals the source's
    decode exactly: nothing is requantized.
    ``progressive``: False writes a sequential file: baseline (SOF0), or
    extended (SOF1) when a quantization table has a value above 255; one
    interleaved scan (a scan per component when an MCU would hold more than
    10 blocks). True writes a progressive file (SOF2) with ``scans`` (a
    script as ``encode``'s; None: libjpeg's default) and Huffman tables
    optimized per scan.
    ``optimize``: (sequential) True, the default, builds Huffman tables from
    this image's symbol counts; False uses the Annex K tables.
    ``restart_interval``: a restart marker every this many MCUs, 0..65535.
    ``threads``: as ``encode``'s (progressive scans are coded in parallel).
    ``arithmetic``: True writes an arithmetic-coded file (SOF9, or SOF10
    with ``progressive``; see ``encode``); ``optimize`` has no effect on it.
    Coefficients of 12-bit samples (``coefficients.precision`` 12, as
    ``read_coefficients`` gives them for a 12-bit file) are written as a
    12-bit file (SOF1, SOF2 with ``progressive``, SOF9/SOF10 with
    ``arithmetic``); ``optimize=False`` is a ValueError for them (a Huffman
    file needs optimized tables).

    Raises TypeError/ValueError before anything is written for a wrong type,
    shapes that do not match the image size and sampling, bad tables, a bad
    scan script, or a value no 8-bit JPEG can code (the message names
    component, block and frequency).
    """
    from . import encoder
    from .coefficients import check_coefficients
    from .options import check_int

    _parallel.check_threads(threads)
    coefficients = check_coefficients(coefficients)
    if not isinstance(optimize, (bool, _np.bool_)):
        raise TypeError(f"optimize must be a bool, not {type(optimize).__name__}")
    if not isinstance(progressive, (bool, _np.bool_)):
        raise TypeError(f"progressive must be a bool, not {type(progressive).__name__}")
    restart_interval = check_int("restart_interval", restart_interval, 0, 65535)
    if not isinstance(arithmetic, (bool, _np.bool_)):
        raise TypeError(f"arithmetic must be a bool, not {type(arithmetic).__name__}")
    # ---- hibit: 12-bit coefficients need optimized Huffman tables ----
    if coefficients.precision != 8 and not optimize and not arithmetic:
        raise ValueError(f"optimize=False is not available for {coefficients.precision}-bit "
                         "coefficients (the Annex K tables stop at 8-bit size categories)")
    if arithmetic and not progressive:
        return b"".join(encoder.arithmetic_parts(coefficients, restart_interval))
    if progressive:
        # arguments checked above, once: straight to the writer
        from . import scans as _scans
        from .progressive import write_progressive

        c = coefficients
        script = _scans.script_for(scans, [(k.h, k.v) for k in c.components],
                                   ycbcr=c.color == "ycbcr")
        if arithmetic:
            from .progressive import write_progressive_arithmetic
            return write_progressive_arithmetic(
                c, script, restart_interval,
                threads=_parallel.resolve_threads(threads, c.width * c.height))
        return write_progressive(c, script, [k.blocks for k in c.components], restart_interval,
                                 0, _parallel.resolve_threads(threads, c.width * c.height))
    if scans is not None:
        raise ValueError("scans= is a progressive scan script: pass progressive=True with it")
    return encoder.encode_coefficients(coefficients, bool(optimize), restart_interval)


def optimize(data, *, progressive=True, keep_metadata=True, threads=None,
             max_pixels=DEFAULT_MAX_PIXELS):
    """Losslessly re-optimize a JPEG file: the same coefficients, fewer bytes.

    ``data``: the file's bytes (bytes, bytearray or memoryview), any JPEG
    ``read_coefficients`` reads. The coefficients are written again with
    optimal Huffman tables: with ``progressive``, as a progressive file with a
    scan script searched for this image (``scans.search``: successive
    approximation depths and first-band splits per component, each costed
    exactly) and as a baseline file, keeping the smaller; without, as a
    baseline file. The result decodes to exactly the input's pixels (for an
    incomplete progressive input, a new file is complete: it decodes to
    ``decode(data, block_smoothing=False)``), and is never larger: when nothing is smaller the input's bytes are returned.
    ``keep_metadata``: keep the APPn and COM segments (Exif, ICC profile, XMP,
    comments) and the JFIF density; False drops them. Restart markers and
    whatever follows the EOI (an MPO's further images) are not kept. ``threads``: threads
    counting and coding scans (None: every core); the bytes are the same for
    every count. ``max_pixels`` and errors (``JPEGError``) as for ``decode``.
    """
    from . import lossless

    data = _as_bytes(data)
    for name, value in (("progressive", progressive), ("keep_metadata", keep_metadata)):
        if not isinstance(value, (bool, _np.bool_)):
            raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    max_pixels = _check_max_pixels(max_pixels)
    _parallel.check_threads(threads)
    return lossless.optimize(data, bool(progressive), bool(keep_metadata), threads, max_pixels)


def analyze(image, quality=None, *, subsampling=None, optimize=False, restart_interval=0,
            threads=None, qtables=None, icc_profile=None, exif=None, comment=None,
            max_pixels=DEFAULT_MAX_PIXELS, tune=None):
    """Account for every bit of a JPEG: a ``Report``.

    ``analyze(data)`` with a JPEG file's bytes (bytes, bytearray or
    memoryview) reports that file as it is, without re-encoding it
    (``report.kind == "file"``): see "The report of a file" below.
    ``analyze(image, quality, ...)`` with an array encodes it stage by stage
    (``report.kind == "encode"``), as follows.

    Arguments and validation are ``encode``'s; ``report.data`` is exactly the
    file ``encode`` writes with the same arguments. The report's stages, in
    order (bits; seconds = the encoder's wall time for that step):

    - raw: 8 x H x W x C, the pixels as they are.
    - color: the same count in YCbCr (a transform, not yet a saving).
    - subsample: 8 x the samples left after chroma subsampling (the image's
      samples per component; block padding is reported in the details).
    - dct: zeroth-order empirical entropy of the DCT coefficients rounded to
      integers (FDCT output / 8 with libjpeg's rounding: quantizing by ones),
      one memoryless model per component and frequency, summed.
    - quantize: the same entropy over the quantized coefficients; distortion
      enters here.
    - rle: ideal code length of the run-length symbols under their own
      empirical distribution, one per Huffman table (the model the coder uses;
      Cb and Cr share tables), plus the amplitude bits.
    - huffman: the actual Huffman code bits plus amplitude bits, split by
      component and DC/AC.
    - file: 8 x len(data).

    ``model_bits`` are the DQT and DHT segments (L(P)), ``header_bits`` the
    other markers (SOI, APP0, metadata APPn/COM, SOF0/SOF1, DRI, SOS, EOI), ``data_bits`` the
    entropy-coded segment with stuffing, padding and RSTn markers (L(D|P)).
    ``mse``/``psnr`` compare ``jpeglite.decode(report.data)`` with ``image``.
    Each stage's ``details`` hold its counts and splits, and
    ``measure_seconds``: the time spent measuring it (not in ``seconds``):
    subsample: samples and padded_samples per component; dct, quantize: per
    component bits, dc_bits, ac_bits, nonzero (dc/ac) counts, value range and
    frequency_bits (64 entries, natural row-major order); rle: per Huffman
    table symbols, ideal code_bits, amplitude_bits, and per component EOB, ZRL,
    dummy blocks; huffman: per component dc/ac code and amplitude bits, per
    table code bits; file: the marker segments, model/header/data bits, and the
    scan's symbol bits, padding bits, stuffed bytes and restart markers.

    ``threads``: threads working on each stage, the calling one included, as
    ``encode``'s (None: all cores, fewer for small images; 1: the stages on
    one thread, the decode beside the measurements on a second). With more
    than one, a second thread measures the dct and quantize entropies while
    the symbols are counted and the scan coded, and the decode then uses
    ``threads`` threads. Every figure except the seconds is the same for
    every thread count.

    With ``tune`` ("psnr") the report is that of the file ``encode`` writes
    with the same arguments (it may be progressive), as ``analyze(data)``
    gives it (``kind == "file"``), with ``mse``/``psnr`` against ``image`` and
    the encode options (quality, subsampling, tune) added to ``options``.

    The report of a file (``kind == "file"``), stages (bits):

    - raw: 8 x H x W x C, the pixels uncompressed.
    - quantize: zeroth-order entropy of the file's quantized coefficients,
      per component and frequency (as the array report's quantize stage).
    - rle: ideal code length of each Huffman table's symbols under their own
      counts (the entropy bound), plus the amplitude, EOB-run and correction
      bits, which no table codes.
    - huffman: the file's Huffman code bits plus those same bits; details per
      component, per scan (kind, band Ss..Se, Ah/Al, per component code,
      amplitude, EOB-run and correction bits, EOB/EOBn/ZRL counts, padding,
      stuffed bytes, RSTn) and per table (code bits, entropy bound, optimal
      table's code bits).
    - file: 8 x len(data); details: every segment with its offset, bytes and
      part, and ``lossless_headroom``: the bits optimal Huffman tables would
      save (exact for sequential files, whose scans are re-coded).

    Arithmetic-coded files (SOF9, SOF10; ``options["process"]`` says
    "arithmetic"): the huffman stage holds the file's arithmetic-coded bits
    (``details["coder"] == "arithmetic"``): per scan and component the code
    bits of its DC and AC decisions (bits: the QM-coder's renormalization
    shifts, each decision's going to the block that made it, so they add up
    to the scan's ``code_bits``), the scan's stuffed bytes, RSTn and
    ``flush_bits`` (the rest of its bytes: the coder's final bytes, less the
    zero bytes its encoder dropped), and the conditioning (DAC) of the slots
    used; the rle stage repeats those bits (decisions have no symbol table
    to bound); ``block_bits`` are each block's code bits, exact; DAC
    segments count in the model; there is no Huffman headroom.

    ``model_bits`` (DQT, DHT), ``header_bits`` (SOI, SOF, SOS, DRI, EOI, JFIF
    APP0, Adobe APP14: what the decoder reads), ``data_bits`` (entropy-coded
    data with stuffing, padding and RSTn) and ``metadata_bits`` (other APPn,
    COM, bytes between segments and after EOI) add up to ``8 * len(data)``.
    ``mse`` and ``psnr`` are None. Errors and ``max_pixels`` are
    ``decode``'s (JPEGError with the byte offset); the encode options do not
    apply to a file (TypeError); ``threads`` is checked, and the walk runs on
    the calling thread. The huffman stage's ``seconds`` is the time of the
    walk (the marker loop and every scan), the file stage's that of the
    segment accounting.
    """
    from . import analysis

    _parallel.check_threads(threads)          # argument errors before image errors
    if isinstance(image, (bytes, bytearray, memoryview)):
        given = [name for name, value, default in (
            ("quality", quality, None), ("subsampling", subsampling, None),
            ("optimize", optimize, False), ("restart_interval", restart_interval, 0),
            ("qtables", qtables, None), ("icc_profile", icc_profile, None),
            ("exif", exif, None), ("comment", comment, None), ("tune", tune, None))
            if value is not default and value != default]
        if given:
            raise TypeError(f"analyze() of a file's bytes takes no encode options "
                            f"({', '.join(given)}); to re-encode, decode it first")
        return analysis.analyze_file(_as_bytes(image), _check_max_pixels(max_pixels))
    image, plan = _plan_encode(_as_array(image), quality, subsampling, optimize, restart_interval,
                               qtables, icc_profile, exif, comment, tune=tune)
    threads = _parallel.resolve_threads(threads, plan.height * plan.width)
    if plan.tune is not None:
        # the tuned file may be progressive: report it as the file it is,
        # with the encodes that show what each lever earned
        levers, data = analysis.tune_levers(image, plan, threads)
        report = analysis.analyze_file(data, _check_max_pixels(max_pixels))
        report.levers = levers
        report.mse, report.psnr = levers[-1]["mse"], levers[-1]["psnr"]
        report.options = dict(report.options, quality=plan.quality, tune=plan.tune,
                              subsampling=plan.subsampling or "none (grayscale)")
        return report
    return analysis.analyze_image(image, plan, threads)
