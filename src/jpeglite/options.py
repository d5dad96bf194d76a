"""The encode plan: every encode option checked once, and what it decides.

quality and qtables -> quantization tables, subsampling -> sampling factors,
optimize -> which Huffman tables, restart_interval -> DRI, icc_profile, exif,
comment -> the metadata segments; ``EncodePlan`` holds the result
and writes the headers the plan implies. The drivers (``encoder``, ``staged``)
take a plan and never look at the raw arguments.
"""
import functools as _functools
import weakref as _weakref
import numbers as _numbers

import numpy as _np

from . import jfif as _jfif
from . import tables as _tables

#: Sampling factors (h, v) of Y, Cb, Cr for each chroma subsampling, as libjpeg sets them.
SUBSAMPLINGS = {
    "4:4:4": ((1, 1), (1, 1), (1, 1)),
    "4:2:2": ((2, 1), (1, 1), (1, 1)),
    "4:2:0": ((2, 2), (1, 1), (1, 1)),
}

_STANDARD_HUFFMAN = {  # (class, table id) -> (bits, values): libjpeg's std_huff_tables
    (0, 0): _tables.DC_LUMA_K3, (1, 0): _tables.AC_LUMA_K5,
    (0, 1): _tables.DC_CHROMA_K4, (1, 1): _tables.AC_CHROMA_K6,
}


def standard_huffman_table(table_class, table_id):
    """The Annex K table (bits, values) libjpeg uses for DC (class 0) or AC
    (class 1) table id 0 (luminance) or 1 (chrominance)."""
    return _STANDARD_HUFFMAN[(table_class, table_id)]


def check_int(name, value, lo, hi):
    """``value`` as an int in lo..hi; TypeError for a bool or non-integer, ValueError out of range."""
    if isinstance(value, (bool, _np.bool_)) or not isinstance(value, _numbers.Integral):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in {lo}..{hi}, got {value}")
    return int(value)


def check_image(image):
    """The image as a C-contiguous uint8 array (copied only when its strides need it)."""
    if not isinstance(image, _np.ndarray):
        raise TypeError(f"image must be a numpy.ndarray, a PIL Image or an object with "
                        f"__array_interface__, not {type(image).__name__}")
    if image.dtype != _np.uint8:
        raise TypeError(f"image must have dtype uint8, not {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ValueError(f"image must have shape (H, W) or (H, W, 3), got {image.shape}")
    h, w = image.shape[:2]
    if not (1 <= h <= 65535 and 1 <= w <= 65535):
        raise ValueError(f"image height and width must be in 1..65535, got {h}x{w}")
    return _np.ascontiguousarray(image)


def check_qtables(qtables):
    """Pillow's ``qtables``: 1..4 tables of 64 ints (natural order; any shape of
    64 values) as a list/tuple, an array of shape (n, 64) or (n, 8, 8), a
    dict {slot: table} with slots 0..n-1, or text (Pillow's form: integers
    separated by white space, ``#`` starting a comment, 64 per table).
    Returns a list of int64 arrays (64,)."""
    if isinstance(qtables, str):
        try:
            values = [int(x) for line in qtables.splitlines()
                      for x in line.split("#", 1)[0].split()]
        except ValueError as e:
            raise ValueError(f"qtables text must hold integers only ({e})") from None
        if not values or len(values) % 64:
            raise ValueError(f"qtables text must hold 64 integers per table, got {len(values)}")
        qtables = [values[i:i + 64] for i in range(0, len(values), 64)]
    if isinstance(qtables, dict):
        if set(qtables) != set(range(len(qtables))):
            raise ValueError("qtables as a dict needs the slots 0..n-1 as keys, "
                             f"got {sorted(qtables, key=repr)}")
        qtables = [qtables[k] for k in range(len(qtables))]
    elif isinstance(qtables, _np.ndarray):
        if qtables.ndim not in (2, 3):
            raise ValueError("qtables as an array must have shape (n, 64) or (n, 8, 8), "
                             f"got {qtables.shape} (for one table, pass [table])")
        qtables = list(qtables)
    elif isinstance(qtables, (list, tuple)):
        qtables = list(qtables)
    else:
        raise TypeError("qtables must be a list or tuple of tables, an array, a dict "
                        f"{{slot: table}} or text, not {type(qtables).__name__}")
    for i, t in enumerate(qtables):
        # (before the count: one flat table is 64 of these)
        if isinstance(t, (_numbers.Number, str, bytes)):
            raise TypeError(f"qtables[{i}] must be a table of 64 values, not "
                            f"{type(t).__name__} (for one table, pass [table])")
    if not 1 <= len(qtables) <= 4:
        raise ValueError(f"qtables must hold 1..4 tables, got {len(qtables)}")
    out = []
    for i, t in enumerate(qtables):
        try:
            a = _np.asarray(t)
        except (ValueError, OverflowError) as e:
            raise ValueError(f"qtables[{i}] is not a table of 64 integers ({e})") from None
        if a.dtype.kind not in "iu":
            raise TypeError(f"qtables[{i}] must hold integers, not {a.dtype}")
        if a.size != 64:
            raise ValueError(f"qtables[{i}] must have 64 values, got {a.size} (shape {a.shape})")
        a = a.reshape(64).astype(_np.int64)
        if a.min() < 1 or a.max() > 65535:
            raise ValueError(f"qtables[{i}] values must be in 1..65535, got "
                             f"{int(a.min())}..{int(a.max())}")
        out.append(a)
    return out


class EncodePlan:
    """What the headers say about an encode: components, tables, restart interval.

    Attributes: ``height``, ``width`` (pixels); ``components``: list of
    ``(id, h, v, quant table id, DC table id, AC table id)`` in frame order;
    ``qtables``: {table id: 64 values in natural order}; ``restart_interval``
    (MCUs, 0 = none); ``optimize`` (bool); ``quality`` (1..100, or None when
    the caller's tables are used as given); ``metadata``: the APPn/COM
    segments written after the JFIF APP0, as (marker, payload) pairs;
    ``tune``: None or "psnr" (``jpeglite.tune``: without ``qtables`` one flat
    table per component from ``tune.psnr_qtables``; the coefficients chosen by
    trellis quantization; always optimized Huffman tables); ``lam``: under a
    tune, the Lagrange multiplier (squared error per bit) the trellis uses.

    Tables as libjpeg (driven by Pillow) sets them: without ``qtables`` the
    Annex K tables scaled for ``quality`` (None: 75), 8-bit; with ``qtables``
    (checked lists of 64 ints) each table is scaled by ``quality``'s IJG
    percentage and kept 8-bit when a quality is given, used as given (up to
    16 bits, clamped to 32767) when not; component i uses table
    min(i, len(qtables) - 1), and tables no component uses are not written.
    """

    def __init__(self, image, quality, subsampling, optimize, restart_interval,
                 qtables=None, metadata=(), tables=None, abbreviated=False,
                 tune=None):
        # tables: a jfif.TableSet whose quantization and Huffman tables are
        # used as they are (a shared model); abbreviated: leave them out of the file
        self.shared = tables
        self.abbreviated = abbreviated
        if tables is not None:
            qtables = [tables.qtables[s] for s in sorted(tables.qtables)]
        self.height, self.width = image.shape[:2]
        self.tune = tune
        # tuning writes the optimal Huffman tables of the symbols it chose
        self.optimize = optimize or tune is not None
        self.progressive = False    # set by plan_encode, with the checked scan script
        self.arithmetic = False     # set by plan_encode: an arithmetic-coded SOF9 file
        self.scans = None
        self.restart_interval = restart_interval
        self.metadata = metadata
        self.custom_qtables = qtables is not None
        ncomp = 1 if image.ndim == 2 else 3
        if qtables is None:
            quality = 75 if quality is None else quality
            bases = [_tables.LUMA_QUANT_K1, _tables.CHROMA_QUANT_K2]
            slots = [0, 1, 1][:ncomp]
        else:
            bases = qtables
            slots = [min(i, len(qtables) - 1) for i in range(ncomp)]
        self.quality = quality
        if image.ndim == 2:
            self.subsampling = None
            self.components = [(1, 1, 1, 0, 0, 0)]
        else:
            self.subsampling = subsampling
            sf = SUBSAMPLINGS[subsampling]
            self.components = [(1, *sf[0], slots[0], 0, 0), (2, *sf[1], slots[1], 1, 1),
                               (3, *sf[2], slots[2], 1, 1)]
        if tune == "psnr" and qtables is None:
            from . import tune as _tune
            # one table per component: each gets the step its error weight asks for
            self.components = [c[:3] + (i,) + c[4:] for i, c in enumerate(self.components)]
            self.qtables = _tune.psnr_qtables(quality, self.h, self.v)
            self.lam = _tune.lagrangian(_tune.luma_step(quality))
            return
        # libjpeg keeps tables 8-bit (force_baseline) whenever a quality scales them
        baseline = qtables is None or quality is not None
        self.qtables = {c[3]: _scaled_table(bases[c[3]], qtables is None and c[3], quality,
                                            baseline)
                        for c in self.components}
        if tune is not None:
            from . import tune as _tune
            luma = self.qtables[self.components[0][3]].astype(_np.float64)
            self.lam = _tune.lagrangian(luma[1:].mean())

    # Set on the plans of common options (``_common_template``): the
    # component tables, the standard Huffman tables and their codes, made once
    # per options and shared (read-only) by every plan copied from it.
    _fixed = None

    @property
    def h(self):
        """Horizontal sampling factor per component."""
        if self._fixed is not None:
            return self._fixed.h
        return [c[1] for c in self.components]

    @property
    def v(self):
        """Vertical sampling factor per component."""
        if self._fixed is not None:
            return self._fixed.v
        return [c[2] for c in self.components]

    def sized(self, height, width):
        """A copy of this plan for an image of height x width pixels (the
        attributes shared, not copied: a template's copies only read them)."""
        plan = object.__new__(EncodePlan)
        plan.__dict__.update(self.__dict__)
        plan.height, plan.width = height, width
        return plan

    def component_qtables(self):
        """The quantization table (natural order) of each component."""
        if self._fixed is not None:
            return self._fixed.qtables
        return [self.qtables[c[3]] for c in self.components]

    def huffman_tables(self, counts=None):
        """{(class, id): (bits, values)}: the standard tables, or optimal ones for ``counts``.

        ``counts``: (components, 2, 256) symbol counts from the counting pass;
        components sharing a table add their counts (libjpeg's jpeg_gen_optimal_table).
        """
        if counts is None and self._fixed is not None:
            return self._fixed.huffman
        from ._huffman import optimal_table

        if self.shared is not None:
            return {(cls, c[4 + cls]): self.shared.huffman[(cls, c[4 + cls])]
                    for c in self.components for cls in (0, 1)}
        out = {}
        for ci, comp in enumerate(self.components):
            for cls, tid in ((0, comp[4]), (1, comp[5])):
                if counts is None:
                    out[(cls, tid)] = _STANDARD_HUFFMAN[(cls, tid)]
                else:
                    users = [k for k, c in enumerate(self.components) if c[4 + cls] == tid]
                    out[(cls, tid)] = optimal_table(counts[users, cls].sum(axis=0))
        return out

    def component_codes(self, tables):
        """Per component, its (DC, AC) tables as (codes, sizes) pairs from make_codes."""
        if self._fixed is not None and tables is self._fixed.huffman:
            return self._fixed.codes
        from ._huffman import make_codes

        codes = {key: _codes_of(tab, make_codes) for key, tab in tables.items()}
        return ([codes[(0, c[4])] for c in self.components],
                [codes[(1, c[5])] for c in self.components])

    def coefficients(self, blocks):
        """A ``Coefficients`` of this plan's frame holding ``blocks`` (per
        component, the quantized (block rows, block columns, 64) int16 arrays
        the forward transform made; viewed, not copied)."""
        from .coefficients import Coefficients, Component

        comps = [Component(c[0], c[1], c[2], c[3], b.reshape(b.shape[0], b.shape[1], 8, 8))
                 for c, b in zip(self.components, blocks)]
        return Coefficients(self.width, self.height, comps,
                            {k: _np.asarray(t, _np.uint16) for k, t in self.qtables.items()},
                            "ycbcr" if len(comps) == 3 else "gray", list(self.metadata))

    def header(self, tables):
        """Every byte before the entropy-coded data, in libjpeg's order.

        SOI, APP0 JFIF, the metadata (Exif APP1, ICC APP2, COM), DQT per
        table, SOF0 (SOF1 with a 16-bit table), DHT (DC then AC per
        component, each table once), DRI when restarting, SOS.
        """
        fixed = self._fixed
        if fixed is not None and tables is fixed.huffman:
            size = (self.height, self.width)
            head = fixed.headers.get(size)
            if head is None:
                head = self._build_header(tables)
                _bounded_put(fixed.headers, size, head)
            return head
        return self._build_header(tables)

    def _build_header(self, tables):
        comps = [c[:4] for c in self.components]
        key = _header_key(self, tables)
        parts = _HEADER_CACHE.get(key) if key is not None else None
        if parts is None:
            head, code, tail = _jfif.frame_header_parts(
                comps, self.qtables, tables, self.restart_interval,
                metadata=self.metadata, with_tables=not self.abbreviated)
            parts = (head, code, tail + _jfif.sos([(c[0], c[4], c[5]) for c in self.components]))
            if key is not None:
                _bounded_put(_HEADER_CACHE, key, parts)
        return parts[0] + _jfif.sof(parts[1], self.height, self.width, comps) + parts[2]


# Per-call work that depends only on the options, cached for small images
# (where it is most of a call): scaled quantization tables, code tables, and
# the header bytes around the frame header. Bounded: cleared when full.
_CACHE_SIZE = 64
_QTABLE_CACHE = {}      # (standard slot or table bytes, quality, baseline) -> uint16 table
_CODES_CACHE = {}       # (bits, values) tuples -> read-only (codes, sizes) of make_codes
_HEADER_CACHE = {}      # _header_key -> (bytes before SOF, SOF marker, bytes after SOF + SOS)


class _FixedParts:
    """What a plan of common options computes once (see ``_common_template``)."""
    __slots__ = ("qtables", "huffman", "codes", "h", "v", "headers", "__weakref__")

    def __init__(self, plan):
        # int64: the dtype the encode kernels read tables in, so that a call
        # converts none (the values are the plan's tables')
        qt = [_np.ascontiguousarray(plan.qtables[c[3]], dtype=_np.int64)
              for c in plan.components]
        for t in qt:
            t.setflags(write=False)
        self.qtables = qt
        self.huffman = plan.huffman_tables()
        self.codes = plan.component_codes(self.huffman)
        self.h, self.v = plan.h, plan.v
        self.headers = {}       # (height, width) -> every byte before the scan data
        # the kernels' forms of these tables, made once: a call copies them
        # (registered while this template lives: the LRU below decides how
        # many, and a dropped template takes its prepared tables with it)
        from ._entropy import forget_codes, prepare_codes
        from ._quant import forget_divisors, prepare_divisors

        for t in qt:
            prepare_divisors(t)
            _weakref.finalize(self, forget_divisors, t)
        for codes, sizes in self.codes[0] + self.codes[1]:
            if not (codes.flags.writeable or sizes.flags.writeable):
                prepare_codes(codes, sizes)
                _weakref.finalize(self, forget_codes, codes, sizes)


@_functools.lru_cache(maxsize=_CACHE_SIZE)
def _common_template(gray, quality, subsampling, optimize, restart_interval):
    """The plan of an encode with these options and no others (no qtables,
    metadata, tables, progressive, arithmetic or tune), for a 1x1 image:
    ``EncodePlan.sized`` copies it for each image. Cached: a small image's
    encode spends most of its time on these when they are rebuilt."""
    shape = (1, 1) if gray else (1, 1, 3)
    plan = EncodePlan(_np.zeros(shape, _np.uint8), quality, subsampling, optimize,
                      restart_interval, None, _jfif.build_metadata(), None, False, None)
    fixed = _FixedParts(plan)
    for t in plan.qtables.values():
        t.setflags(write=False)
    plan._fixed = fixed
    return plan


def _common_plan(image, quality, subsampling, optimize, restart_interval):
    """plan_encode's (image, plan) for the common options, or None when an
    argument is not plainly valid (then the full checks run and raise as
    usual). The image is checked first, as plan_encode checks it first
    when no other option is given."""
    image = check_image(image)
    if quality is None:
        quality = 75
    elif type(quality) is not int or not 1 <= quality <= 100:
        return None
    if subsampling is None:
        subsampling = "4:2:0"       # choose_subsampling without a tune
    elif type(subsampling) is not str or subsampling not in SUBSAMPLINGS:
        return None
    if not (optimize is False or optimize is True):
        return None
    if type(restart_interval) is not int or not 0 <= restart_interval <= 65535:
        return None
    template = _common_template(image.ndim == 2, quality, subsampling, optimize,
                                restart_interval)
    return image, template.sized(image.shape[0], image.shape[1])


def _bounded_put(cache, key, value):
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value


def _scaled_table(base, standard_slot, quality, baseline):
    """scale_quant_table(base, quality, baseline), cached; ``standard_slot``:
    the Annex K table's slot (0 or 1) when ``base`` is one, else False.
    Returns a fresh copy (a plan's tables are its own)."""
    key = (("K", standard_slot) if standard_slot is not False
           else (_np.asarray(base).dtype.str, _np.asarray(base).tobytes()), quality, baseline)
    table = _QTABLE_CACHE.get(key)
    if table is None:
        table = _tables.scale_quant_table(base, quality, baseline)
        _bounded_put(_QTABLE_CACHE, key, table)
    return table.copy()


def _codes_of(table, make_codes):
    """make_codes(*table), cached when the (bits, values) are tuples of ints
    (the Annex K tables, tables parsed into a TableSet); the arrays are read-only."""
    bits, values = table
    if not (type(bits) is tuple and type(values) is tuple):
        return make_codes(bits, values)
    key = (bits, values)
    codes = _CODES_CACHE.get(key)
    if codes is None:
        codes = make_codes(bits, values)
        for a in codes:
            a.setflags(write=False)
        _bounded_put(_CODES_CACHE, key, codes)
    return codes


def _header_key(plan, tables):
    """What the header bytes of ``plan`` depend on besides the image size,
    or None when it cannot be hashed cheaply (then the header is built)."""
    for tab in tables.values():
        if not (type(tab[0]) is tuple and type(tab[1]) is tuple):
            return None
    try:
        return (tuple(c[:6] for c in plan.components),
                tuple((k, t.dtype.str, t.tobytes()) for k, t in plan.qtables.items()),
                tuple(sorted(tables.items())), plan.restart_interval,
                tuple(plan.metadata), plan.abbreviated)
    except TypeError:       # unhashable metadata
        return None


def check_tune(tune):
    """``tune`` as given when it is one of ``tune.TUNES``; ValueError naming them otherwise."""
    from .tune import TUNES
    if not (tune is None or isinstance(tune, str)) or tune not in TUNES:
        raise ValueError(f"tune must be one of {', '.join(map(repr, TUNES))}, got {tune!r}")
    return tune


def check_tables(tables, components):
    """``tables`` (a ``jfif.TableSet``) holds what an encode of ``components``
    (1 or 3) uses: quantization tables and DC/AC Huffman tables 0 (and 1 for
    colour); TypeError/ValueError otherwise."""
    if not isinstance(tables, _jfif.TableSet):
        raise TypeError(f"tables must be bytes (a tables-only stream) or a TableSet, "
                        f"not {type(tables).__name__}")
    ids = (0, 1) if components == 3 else (0,)
    missing = ([f"quantization table {s}" for s in ids if s not in tables.qtables]
               + [f"{('DC', 'AC')[c]} Huffman table {i}" for c in (0, 1) for i in ids
                  if (c, i) not in tables.huffman])
    if missing:
        raise ValueError(f"tables lacks {', '.join(missing)}")
    return tables


def plan_encode(image, quality, subsampling, optimize, restart_interval, qtables=None,
                icc_profile=None, exif=None, comment=None, progressive=False, scans=None,
                tables=None, abbreviated=None, arithmetic=False, tune=None):
    """Validate every argument of encode; returns (contiguous image, EncodePlan)."""
    if (qtables is None and icc_profile is None and exif is None and comment is None
            and progressive is False and scans is None and tables is None
            and abbreviated is None and arithmetic is False and tune is None):
        common = _common_plan(image, quality, subsampling, optimize, restart_interval)
        if common is not None:
            return common
    tune = check_tune(tune)
    if tables is not None and tune is not None:
        raise ValueError("tune cannot be given with tables (the tables fix the quantization "
                         "and Huffman tables a tune would choose)")
    if tables is not None:
        for name, value in (("quality", quality), ("qtables", qtables)):
            if value is not None:
                raise ValueError(f"{name} cannot be given with tables (the tables hold "
                                 f"the quantization tables)")
        if optimize:
            raise ValueError("optimize cannot be given with tables (the tables hold the "
                             "Huffman tables)")
    if abbreviated is None:
        abbreviated = tables is not None
    if not isinstance(abbreviated, (bool, _np.bool_)):
        raise TypeError(f"abbreviated must be a bool, not {type(abbreviated).__name__}")
    if abbreviated and tables is None:
        raise ValueError("abbreviated=True needs tables (the stream its tables are in)")
    image = check_image(image)
    if tables is not None:
        check_tables(tables, 1 if image.ndim == 2 else 3)
    if quality is not None:
        quality = check_int("quality", quality, 1, 100)
    if qtables is not None:
        qtables = check_qtables(qtables)
    metadata = _jfif.build_metadata(icc_profile, exif, comment)
    if subsampling is None:
        from .tune import choose_subsampling
        subsampling = choose_subsampling(tune, quality)
    if not isinstance(subsampling, str):
        raise TypeError(f"subsampling must be a str, not {type(subsampling).__name__}")
    if subsampling not in SUBSAMPLINGS:
        raise ValueError(f"subsampling must be one of {', '.join(SUBSAMPLINGS)}, "
                         f"got {subsampling!r}")
    if not isinstance(optimize, (bool, _np.bool_)):
        raise TypeError(f"optimize must be a bool, not {type(optimize).__name__}")
    restart_interval = check_int("restart_interval", restart_interval, 0, 65535)
    if not isinstance(progressive, (bool, _np.bool_)):
        raise TypeError(f"progressive must be a bool, not {type(progressive).__name__}")
    if scans is not None and not progressive:
        raise ValueError("scans= is a progressive scan script: pass progressive=True with it")
    if progressive and tables is not None:
        raise ValueError("progressive cannot be given with tables (a progressive file "
                         "has Huffman tables per scan)")
    if not isinstance(arithmetic, (bool, _np.bool_)):
        raise TypeError(f"arithmetic must be a bool, not {type(arithmetic).__name__}")
    if arithmetic and tables is not None:
        raise ValueError("arithmetic cannot be given with tables (an arithmetic-coded "
                         "file has no Huffman tables)")
    plan = EncodePlan(image, quality, subsampling, bool(optimize), restart_interval,
                      qtables, metadata, tables, bool(abbreviated), tune)
    plan.arithmetic = bool(arithmetic)
    if progressive:
        from . import scans as _scans

        plan.progressive = True
        # (tuned coefficients without a script: one searched for them, by the encoder)
        plan.scans = (None if scans is None and tune is not None else
                      _scans.script_for(scans, [c[1:3] for c in plan.components]))
    return image, plan
