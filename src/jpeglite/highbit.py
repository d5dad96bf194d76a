"""More than 8 bits per sample: 12-bit DCT frames (T.81 with P = 12, SOF1 and
SOF2) and lossless frames (T.81 Annex H, SOF3, P = 2..16), read and written.

Decode: the marker loop (``decoder._run_markers``) hands a lossless frame's
scans to ``LosslessFrame`` (differences decoded by ``_lossless``, the samples
reconstructed scan by scan), and a 12-bit DCT frame's whole-image
coefficients (decoded by the 8-bit entropy decoders, whose categories reach
15) to ``reconstruct12`` (``_sample12``: libjpeg-turbo's 12-bit IDCT,
upsampling and colour conversion). The dtype rule: uint8 for precisions up
to 8 (libjpeg-turbo's 8-bit samples), uint16 above.

Encode: ``plan`` checks the options once (``api.encode`` calls it when
``precision`` or ``lossless`` is given) and ``encode`` writes the file.
"""
from dataclasses import dataclass

import numpy as np

from . import jfif as _jfif
from .errors import JPEGError

__all__ = ["LosslessFrame", "reconstruct12", "HighbitPlan", "as_array", "plan", "encode",
           "PRECISIONS"]

#: precisions ``encode`` writes: DCT frames 8 (the ordinary path) and 12; lossless 2..16
PRECISIONS = (8, 12)

# the most sample visits decoding spends on a lossless frame's scans, in
# passes over every sample of the frame (a file codes each component once;
# a component coded again overwrites it): bounds the work of a hostile file
_LOSSLESS_PASSES = 14


def _component_size(f, c):
    return -(-f.width * c.h // f.max_h), -(-f.height * c.v // f.max_v)


class LosslessFrame:
    """A lossless frame's samples as its scans decode them: per component a
    uint16 plane of its own size (the box upsampling and the stacking come
    at the end, in ``image``)."""

    def __init__(self, frame):
        self.frame = frame
        self.planes = [np.zeros(_component_size(frame, c)[::-1], np.uint16)
                       for c in frame.components]
        self.seen = set()
        self.work = 0
        samples = sum(p.size for p in self.planes)
        self.budget = _LOSSLESS_PASSES * samples

    def scan(self, st, scan, data, observer=None):
        """Decode one scan (its SOS parsed: ``scan``) into the planes; returns
        the offset to look for the next marker from. ``observer`` (the file
        report's, ``analysis._FileObserver``): told the scan's differences by
        ``observer.lossless_scan(diffs, hv, mcus_x, mcus_y, restart_interval,
        start, end)``, start and end the byte offsets of its coded data."""
        from ._huffman import build_decode_table
        from ._lossless import decode_differences, undifference

        f = self.frame
        interleaved = len(scan.components) > 1
        if interleaved:
            mcus_x, mcus_y = -(-f.width // f.max_h), -(-f.height // f.max_v)
        else:
            mcus_x, mcus_y = _component_size(f, scan.components[0][0])
        ri = st.restart_interval
        if ri and ri % mcus_x:
            # libjpeg's rule (jddiffct.c): restarts at whole MCU rows only
            raise JPEGError(f"restart interval {ri} is not a whole number of MCU rows "
                            f"({mcus_x} MCUs each) in a lossless scan", scan.offset)
        diffs, hv, tables = [], [], []
        for c, td, _ in scan.components:
            if td > 3:
                raise JPEGError(f"bad Huffman table id {td} (0..3)", scan.offset)
            entry = st.dht[td]
            if entry is None:
                raise JPEGError(f"scan uses DC Huffman table {td}, which is not defined",
                                scan.offset)
            counts, symbols, where = entry
            if any(s > 16 for s in symbols):
                raise JPEGError("bad Huffman table: a lossless difference category above 16",
                                scan.offset if where is None else where)
            try:
                # no DC symbol check here: lossless categories reach 16
                tables.append(build_decode_table(counts, symbols, False))
            except ValueError as e:
                raise JPEGError(str(e), scan.offset if where is None else where) from None
            h, v = (c.h, c.v) if interleaved else (1, 1)
            hv.append((h, v))
            diffs.append(np.empty((mcus_y * v, mcus_x * h), np.int32))
        self.work += sum(d.size for d in diffs)
        if self.work > self.budget:
            raise JPEGError(f"the scans ask for more than {_LOSSLESS_PASSES} passes over every "
                            "sample of the frame: a decompression bomb", scan.offset)
        resets = np.zeros(mcus_y, np.uint8)
        pos, _corrupt, _bad_rst = decode_differences(
            data, scan.data_start, diffs, hv, tables, mcus_x, mcus_y, ri, resets)
        for (c, _, _), d in zip(scan.components, diffs):
            undifference(d, self.planes[c.index], c.v, resets, 1 if interleaved else c.v,
                         scan.Ss, scan.Al, f.precision)
            self.seen.add(c.index)
        if observer is not None:
            observer.lossless_scan(diffs, hv, mcus_x, mcus_y, ri, scan.data_start, pos)
        return pos

    @property
    def complete(self):
        """Every component has been in a scan."""
        return len(self.seen) == len(self.frame.components)

    def image(self):
        """The samples: (H, W) for one component, else (H, W, components),
        with no colour conversion (libjpeg-turbo converts none in lossless
        mode); uint8 for precisions up to 8, else uint16."""
        from ._lossless import upscale

        f = self.frame
        planes = []
        for c, p in zip(f.components, self.planes):
            if (c.h, c.v) != (f.max_h, f.max_v):
                out = np.empty((f.height, f.width), np.uint16)
                upscale(p, f.max_h // c.h, f.max_v // c.v, out)
                p = out
            planes.append(p)
        out = planes[0] if len(planes) == 1 else np.stack(planes, axis=-1)
        return out.astype(np.uint8) if f.precision <= 8 else out


def reconstruct12(frame, coefs, quant, conversion, threads=1):
    """The pixels of a 12-bit DCT frame from its whole-image coefficients and
    per-component multipliers (``_quant.decoder_quant_table``, None for a
    component no scan read): libjpeg-turbo's 12-bit islow IDCT, its fancy
    upsampling and its colour conversion (``conversion``: a
    ``_decoder.CC_*``), as ``imagecodecs.jpeg8_decode`` gives them: uint16,
    (H, W), (H, W, 3) RGB, or (H, W, 4) CMYK as stored (not inverted)."""
    from . import _decoder, _sample12
    from . import parallel as _parallel

    f = frame

    def component(c):
        w, h = _component_size(f, c)
        q = quant[c.index]
        if q is None:
            q = np.zeros(64, np.int16)
        plane = _sample12.idct_plane(coefs[c.index], q, h, w)
        hr, vr = f.max_h // c.h, f.max_v // c.v
        if hr > 1 or vr > 1:
            plane = _sample12.upsample_plane(plane, hr, vr, f.width, f.height)
        return np.ascontiguousarray(plane)

    planes = _parallel.run(component, f.components, threads)
    if conversion == _decoder.CC_GRAY_:
        return planes[0]
    if conversion == _decoder.CC_YCC_RGB_:
        return _sample12.ycc_to_rgb(*planes[:3])
    if conversion == _decoder.CC_YCCK_:
        rgb = _sample12.ycc_to_rgb(*planes[:3])
        return np.concatenate([_sample12.MAXSAMPLE - rgb, planes[3][..., None]], axis=-1)
    return np.stack(planes, axis=-1)


# ==== encode ====

@dataclass
class HighbitPlan:
    """What ``encode`` writes for a uint16 (or high-precision) image.

    ``lossless``: a lossless (SOF3) file, else a 12-bit DCT (SOF1) file;
    ``precision``: bits per sample; ``predictor``: 1..7 (T.81 Table H.1);
    ``point_transform``: Pt, the low bits dropped before coding (lossless);
    ``quality``, ``subsampling``: as ``jpeglite.encode``'s (12-bit DCT);
    ``progressive``: a progressive 12-bit file (SOF2, libjpeg's script);
    ``arithmetic``: an arithmetic-coded one (SOF9, SOF10 with ``progressive``);
    ``restart_interval``: MCUs per restart interval (lossless: whole rows);
    ``metadata``: (marker, payload) segments after the APP0/APP14.
    """
    image: np.ndarray
    lossless: bool
    precision: int
    predictor: int = 1
    point_transform: int = 0
    quality: int = 75
    subsampling: str = "4:2:0"
    restart_interval: int = 0
    metadata: list = None
    progressive: bool = False
    arithmetic: bool = False


def as_array(image):
    """``image`` as ``plan`` takes it: a PIL Image with 16-bit samples ("I;16",
    "I;16B", "I;16L", "I;16N") as its uint16 array, kept whole (where
    ``inputs.as_array``, the rule of 8-bit encodes, keeps the high byte);
    anything else by ``inputs.as_array``."""
    from .inputs import as_array as _as_array, is_pil_image

    if is_pil_image(image) and image.mode.startswith("I;16"):
        return np.asarray(image).astype(np.uint16)
    return _as_array(image)


def plan(image, quality, subsampling, restart_interval, precision, lossless, predictor,
         point_transform, metadata, others):
    """Check the options of a high-precision or lossless encode once: a
    ``HighbitPlan``. ``others``: the names of the other encode options the
    caller gave (not at their defaults): quality and subsampling (12-bit),
    progressive or arithmetic (12-bit) are taken, any other one is a
    ValueError naming it."""
    from .options import SUBSAMPLINGS, check_int

    if not isinstance(lossless, (bool, np.bool_)):
        raise TypeError(f"lossless must be a bool, not {type(lossless).__name__}")
    if not isinstance(image, np.ndarray):
        raise TypeError(f"image must be a numpy.ndarray, not {type(image).__name__}")
    if image.dtype not in (np.uint8, np.uint16):
        raise TypeError(f"image must have dtype uint8 or uint16 with precision= or "
                        f"lossless=, not {image.dtype}")
    bands = (1, 3, 4) if lossless else (1, 3)
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in bands)):
        raise ValueError(f"image must have shape (H, W) or (H, W, C) with C in {bands}, "
                         f"got {image.shape}")
    h, w = image.shape[:2]
    if not (1 <= h <= 65535 and 1 <= w <= 65535):
        raise ValueError(f"image height and width must be in 1..65535, got {h}x{w}")
    if lossless:
        if precision is None:
            precision = 8 if image.dtype == np.uint8 else 16
        precision = check_int("precision", precision, 2, 16)
        for name in ("quality", "subsampling"):
            if name in others:
                raise ValueError(f"{name} does not apply to lossless=True")
    else:
        precision = check_int("precision", precision, 8, 12)
        if precision != 12:
            raise ValueError(f"precision must be 8 or 12 for a DCT file, got {precision}")
    progressive, arithmetic = "progressive" in others, "arithmetic" in others
    if lossless and (progressive or arithmetic):
        raise ValueError(f"{'progressive' if progressive else 'arithmetic'} is not available "
                         "with lossless=True")
    for name in others:
        if name not in ("quality", "subsampling", "progressive", "arithmetic"):
            raise ValueError(f"{name} is not available with "
                             f"{'lossless=True' if lossless else 'precision=12'}")
    if image.size and int(image.max()) >> precision:
        raise ValueError(f"image has a sample value {int(image.max())}, above the "
                         f"{2 ** precision - 1} of precision={precision}")
    predictor = check_int("predictor", predictor, 1, 7)
    point_transform = check_int("point_transform", point_transform, 0, precision - 1)
    if not lossless and (predictor != 1 or point_transform != 0):
        raise ValueError("predictor and point_transform apply to lossless=True only")
    restart_interval = check_int("restart_interval", restart_interval, 0, 65535)
    if lossless and restart_interval % w:
        raise ValueError(f"restart_interval must be a multiple of the width ({w} MCUs per "
                         f"row) in a lossless file, got {restart_interval}")
    q = 75 if quality is None else check_int("quality", quality, 1, 100)
    sub = "4:2:0" if subsampling is None else subsampling
    if sub not in SUBSAMPLINGS:
        raise ValueError(f"subsampling must be one of {', '.join(SUBSAMPLINGS)}, got {sub!r}")
    return HighbitPlan(np.ascontiguousarray(image), bool(lossless), precision, predictor,
                       point_transform, q, sub, restart_interval, list(metadata), progressive,
                       arithmetic)


def _lossless_header(p, ids, huffman):
    # libjpeg's order: SOI, APP0 JFIF (grey) or APP14 Adobe with transform 0
    # (colour stored as it is: a lossless file is not colour-converted),
    # metadata, SOF3, DHT, DRI; no DQT (no quantization)
    h, w = p.image.shape[:2]
    parts = [_jfif.soi(), _jfif.app0_jfif() if len(ids) == 1 else _jfif.app14_adobe(0)]
    parts += [_jfif.segment(code, payload) for code, payload in p.metadata]
    parts.append(_jfif.sof(_jfif.SOF3, h, w, [(i, 1, 1, 0) for i in ids], p.precision))
    parts += [_jfif.dht(0, t, *huffman[t]) for t in sorted(huffman)]
    if p.restart_interval:
        parts.append(_jfif.dri(p.restart_interval))
    return b"".join(parts)


def encode(p):
    """The file a ``HighbitPlan`` describes: bytes."""
    return _encode_lossless(p) if p.lossless else _encode_12bit(p)


def _encode_lossless(p):
    from ._huffman import make_codes, optimal_table
    from ._lossless import count_differences, difference, encode_differences

    img = p.image.astype(np.uint16, copy=False)
    planes = [img] if img.ndim == 2 else [np.ascontiguousarray(img[..., i])
                                          for i in range(img.shape[2])]
    h, w = img.shape[:2]
    n = len(planes)
    # component ids: libjpeg's for RGB ('R', 'G', 'B') and CMYK
    ids = {1: [1], 3: [82, 71, 66], 4: [67, 77, 89, 75]}[n]
    rows = p.restart_interval // w
    diffs = []
    for plane in planes:
        d = np.empty((h, w), np.int32)
        difference(plane, d, p.predictor, p.point_transform, p.precision, rows)
        diffs.append(d)
    hv = [(1, 1)] * n
    counts = np.zeros((n, 256), np.int64)
    count_differences(diffs, hv, w, h, counts)
    # component 0 codes with table 0, the others share table 1 (libjpeg's choice)
    slot = [0] + [1] * (n - 1)
    tables = {}
    for i in range(n):
        tables.setdefault(slot[i], np.zeros(256, np.int64))
        tables[slot[i]] += counts[i]
    dht = {t: optimal_table(c) for t, c in tables.items()}
    codes = {t: make_codes(*dht[t]) for t in tables}
    head = _lossless_header(p, ids, dht)
    sos = _jfif.sos([(ids[i], slot[i], 0) for i in range(n)], ss=p.predictor, se=0, ah=0,
                    al=p.point_transform)
    data = encode_differences(diffs, hv, [codes[slot[i]] for i in range(n)], w, h,
                              p.restart_interval)
    return b"".join((head, sos, data, _jfif.eoi()))


def _encode_12bit(p):
    from . import _sample12
    from .coefficients import Coefficients, Component
    from .encoder import sequential_parts
    from .options import SUBSAMPLINGS
    from .tables import CHROMA_QUANT_K2, LUMA_QUANT_K1, scale_quant_table

    img = p.image.astype(np.uint16, copy=False)
    h, w = img.shape[:2]
    if img.ndim == 2:
        planes, sampling, color = [img], [(1, 1)], "gray"
    else:
        planes, sampling, color = list(_sample12.rgb_to_ycc(img)), \
            list(SUBSAMPLINGS[p.subsampling]), "ycbcr"
    max_h = max(s[0] for s in sampling)
    max_v = max(s[1] for s in sampling)
    qtables = {0: scale_quant_table(LUMA_QUANT_K1, p.quality)}
    if len(planes) > 1:
        qtables[1] = scale_quant_table(CHROMA_QUANT_K2, p.quality)
    comps = []
    for i, (plane, (ch, cv)) in enumerate(zip(planes, sampling)):
        slot = min(i, 1)
        down = _sample12.downsample_plane(plane, max_h // ch, max_v // cv)
        blocks = _sample12.fdct_quantize(down, qtables[slot])
        cw, chh = -(-w * ch // max_h), -(-h * cv // max_v)
        blocks = blocks[:-(-chh // 8), :-(-cw // 8)].reshape(-(-chh // 8), -(-cw // 8), 8, 8)
        comps.append(Component(i + 1, ch, cv, slot, np.ascontiguousarray(blocks)))
    coefs = Coefficients(w, h, comps, {s: np.asarray(t, np.uint16) for s, t in qtables.items()},
                         color, p.metadata, precision=12)
    if p.arithmetic and not p.progressive:
        from .encoder import arithmetic_parts
        return b"".join(arithmetic_parts(coefs, p.restart_interval))
    if not p.progressive:
        return b"".join(sequential_parts(coefs, True, p.restart_interval))
    from . import scans as _scans
    from .progressive import write_progressive, write_progressive_arithmetic

    script = _scans.script_for(None, sampling, ycbcr=color == "ycbcr")
    if p.arithmetic:
        return write_progressive_arithmetic(coefs, script, p.restart_interval)
    return write_progressive(coefs, script, [c.blocks for c in comps], p.restart_interval)
