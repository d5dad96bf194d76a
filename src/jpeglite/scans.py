"""Progressive scan scripts: libjpeg's default, the T.81 checks, and a per-image search.

A progressive JPEG sends its coefficients in scans (T.81 G.1.1): each scan
codes one spectral band Ss..Se of its components, either the first time
(Ah = 0, the magnitudes shifted right by Al bits: the point transform) or
as a refinement of one more bit (Ah = the previous Al, Al = Ah - 1). A
*script* is the list of scans, each a ``ScanSpec``.
"""
from __future__ import annotations

import numbers
from typing import NamedTuple, Tuple

__all__ = ["ScanSpec", "as_script", "default_script", "check_script", "script_for", "search",
           "MAX_COMPS_IN_SCAN", "MAX_BLOCKS_IN_MCU"]

MAX_COMPS_IN_SCAN = 4       # T.81 B.2.3: Ns is 1..4
MAX_BLOCKS_IN_MCU = 10      # T.81 B.2.3: blocks of an interleaved MCU
MAX_AL = 13                 # T.81 Table B.3: Ah and Al are 0..13


class ScanSpec(NamedTuple):
    """One scan of a progressive script (a named tuple: hashed in C, which the
    search, looking scans up by the thousand, notices).

    components: indices (0-based, in frame order) of the components the
        scan codes; several only in a DC scan (interleaved).
    Ss, Se: the spectral band, zigzag positions 0..63 (0, 0 for DC).
    Ah: 0 for the first scan of the band, else the Al of the scan before
        (successive approximation: this scan sends bit Al = Ah - 1).
    Al: the point transform, bits (0..13) left for later scans.
    """

    components: Tuple[int, ...]
    Ss: int = 0
    Se: int = 63
    Ah: int = 0
    Al: int = 0

    @property
    def is_dc(self) -> bool:
        """True for a DC scan (Ss = 0)."""
        return self.Ss == 0

    @property
    def is_refinement(self) -> bool:
        """True when the scan refines bits sent before (Ah != 0)."""
        return self.Ah != 0


_FIELDS = ("Ss", "Se", "Ah", "Al")


def _as_int(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    return int(value)


def _as_spec(i, scan):
    """One scan from a ScanSpec, a (components, Ss, Se, Ah, Al) tuple or a dict."""
    if isinstance(scan, ScanSpec):
        comps, values = scan.components, [getattr(scan, f) for f in _FIELDS]
    elif isinstance(scan, dict):
        keys = {k.lower() if isinstance(k, str) else k: v for k, v in scan.items()}
        unknown = set(keys) - {"components", "ss", "se", "ah", "al"}
        if unknown or "components" not in keys:
            raise ValueError(f"scan {i}: a dict scan has the keys components, Ss, Se, Ah, Al"
                             + (f" (unknown: {sorted(map(str, unknown))})" if unknown else ""))
        comps = keys["components"]
        values = [keys.get("ss", 0), keys.get("se", 0 if keys.get("ss", 0) == 0 else 63),
                  keys.get("ah", 0), keys.get("al", 0)]
    elif isinstance(scan, (tuple, list)):
        if len(scan) != 5:
            raise ValueError(f"scan {i}: a tuple scan is (components, Ss, Se, Ah, Al), "
                             f"got {len(scan)} items")
        comps, values = scan[0], list(scan[1:])
    else:
        raise TypeError(f"scan {i} must be a ScanSpec, tuple or dict, not {type(scan).__name__}")
    if isinstance(comps, numbers.Integral) and not isinstance(comps, bool):
        comps = (comps,)
    if not isinstance(comps, (tuple, list)):
        raise TypeError(f"scan {i}: components must be an int or a tuple of ints, "
                        f"not {type(comps).__name__}")
    comps = tuple(_as_int(c, f"scan {i}: a component index") for c in comps)
    values = [_as_int(v, f"scan {i}: {f}") for f, v in zip(_FIELDS, values)]
    return ScanSpec(comps, *values)


def as_script(script):
    """The script as a tuple of ScanSpec; accepts ScanSpecs, (components, Ss,
    Se, Ah, Al) tuples and dicts with those keys. Only the form is checked
    here (see ``check_script`` for the rules)."""
    if isinstance(script, (str, bytes)) or not hasattr(script, "__iter__"):
        raise TypeError(f"scans must be a sequence of scans, not {type(script).__name__}")
    return tuple(_as_spec(i, s) for i, s in enumerate(script))


def _dc_scans(ncomponents, Ah, Al):
    if ncomponents <= MAX_COMPS_IN_SCAN:
        return [ScanSpec(tuple(range(ncomponents)), 0, 0, Ah, Al)]
    return [ScanSpec((c,), 0, 0, Ah, Al) for c in range(ncomponents)]


def _ac_scans(ncomponents, Ss, Se, Ah, Al):
    return [ScanSpec((c,), Ss, Se, Ah, Al) for c in range(ncomponents)]


def default_script(ncomponents, ycbcr=True):
    """libjpeg's ``jpeg_simple_progression`` script for ``ncomponents`` components.

    Three YCbCr components (``ycbcr``) get libjpeg's 10-scan colour script
    (DC with Al=1, luma 1..5 and chroma 1..63 first, luma 6..63, then the
    refinements); any other count (grey, or components that are not YCbCr)
    gets its generic script: DC, AC 1..5 and 6..63 at Al=2, refinements
    of AC to Al=1, of DC, of AC to Al=0. Returns a tuple of ScanSpec.
    """
    n = _as_int(ncomponents, "ncomponents")
    if not 1 <= n <= 4:
        raise ValueError(f"ncomponents must be in 1..4, got {n}")
    if n == 3 and ycbcr:
        return tuple(_dc_scans(3, 0, 1) + [
            ScanSpec((0,), 1, 5, 0, 2), ScanSpec((2,), 1, 63, 0, 1), ScanSpec((1,), 1, 63, 0, 1),
            ScanSpec((0,), 6, 63, 0, 2), ScanSpec((0,), 1, 63, 2, 1)] + _dc_scans(3, 1, 0) + [
            ScanSpec((2,), 1, 63, 1, 0), ScanSpec((1,), 1, 63, 1, 0), ScanSpec((0,), 1, 63, 1, 0)])
    return tuple(_dc_scans(n, 0, 1) + _ac_scans(n, 1, 5, 0, 2) + _ac_scans(n, 6, 63, 0, 2)
                 + _ac_scans(n, 1, 63, 2, 1) + _dc_scans(n, 1, 0) + _ac_scans(n, 1, 63, 1, 0))


def script_for(scans, sampling, ycbcr=True):
    """The checked script of an encode: ``scans`` checked by ``check_script``
    against the components' ``sampling`` ((h, v) each), or libjpeg's default
    (``default_script``) when ``scans`` is None."""
    n = len(sampling)
    if scans is None:
        return default_script(n, ycbcr=ycbcr)
    return check_script(scans, n, sampling)


def check_script(script, ncomponents, sampling=None):
    """Check a progressive script; returns it as a tuple of ScanSpec.

    The rules are T.81's (G.1.1.1, B.2.3) as libjpeg's encoder enforces them
    (jcmaster.c validate_script), plus completeness, since jpeglite writes
    files that decode to the image: 1..4 components per scan, each a valid
    index, in increasing (frame) order, each once; a DC scan has Ss = Se = 0
    and may interleave components; an AC scan has one component and
    1 <= Ss <= Se <= 63; Ah and Al in 0..13; a refinement has Al = Ah - 1 and
    Ah equal to the Al its coefficients were last sent with; the first scan
    of a coefficient has Ah = 0; no coefficient is coded twice in one pass;
    a component's AC is sent only after its DC; every coefficient of every
    component is coded down to Al = 0 by the last scan. With ``sampling`` (a
    list of (h, v) per component) an interleaved scan has at most 10 blocks
    per MCU.

    Each violation is a ValueError naming the scan (its index in the script)
    and the rule; a malformed scan is a TypeError or ValueError.
    """
    script = as_script(script)
    n = _as_int(ncomponents, "ncomponents")
    if not 1 <= n <= 4:
        raise ValueError(f"ncomponents must be in 1..4, got {n}")
    if not script:
        raise ValueError("a progressive script needs at least one scan")
    # the Al each coefficient was last sent with, -1 while unsent
    last = [[-1] * 64 for _ in range(n)]
    for i, sc in enumerate(script):
        comps = sc.components
        if not 1 <= len(comps) <= MAX_COMPS_IN_SCAN:
            raise ValueError(f"scan {i}: a scan has 1..{MAX_COMPS_IN_SCAN} components, "
                             f"got {len(comps)}")
        for j, c in enumerate(comps):
            if not 0 <= c < n:
                raise ValueError(f"scan {i}: component index {c} is not in 0..{n - 1}")
            if j and c <= comps[j - 1]:
                raise ValueError(f"scan {i}: components must be in increasing (frame) order, "
                                 f"each once: {comps}")
        if not 0 <= sc.Ss <= 63 or not 0 <= sc.Se <= 63:
            raise ValueError(f"scan {i}: Ss and Se must be in 0..63, got {sc.Ss}..{sc.Se}")
        if sc.Ss > sc.Se:
            raise ValueError(f"scan {i}: spectral band {sc.Ss}..{sc.Se} has Ss > Se")
        if not 0 <= sc.Ah <= MAX_AL or not 0 <= sc.Al <= MAX_AL:
            raise ValueError(f"scan {i}: Ah and Al must be in 0..{MAX_AL}, got Ah={sc.Ah}, "
                             f"Al={sc.Al}")
        if sc.Ss == 0 and sc.Se != 0:
            raise ValueError(f"scan {i}: a DC scan (Ss=0) must have Se=0: DC and AC are "
                             "never in one scan")
        if sc.Ss != 0 and len(comps) != 1:
            raise ValueError(f"scan {i}: an AC scan (Ss={sc.Ss}) must have one component, "
                             f"got {len(comps)}")
        if sc.Ah != 0 and sc.Al != sc.Ah - 1:
            raise ValueError(f"scan {i}: a refinement scan sends one bit: Al must be Ah - 1, "
                             f"got Ah={sc.Ah}, Al={sc.Al}")
        if sampling is not None and len(comps) > 1:
            blocks = sum(sampling[c][0] * sampling[c][1] for c in comps)
            if blocks > MAX_BLOCKS_IN_MCU:
                raise ValueError(f"scan {i}: an interleaved MCU of {blocks} blocks "
                                 f"(at most {MAX_BLOCKS_IN_MCU})")
        for c in comps:
            bits = last[c]
            if sc.Ss != 0 and bits[0] < 0:
                raise ValueError(f"scan {i}: AC of component {c} before any DC scan of it")
            for k in range(sc.Ss, sc.Se + 1):
                if bits[k] < 0:
                    if sc.Ah != 0:
                        raise ValueError(f"scan {i}: refines coefficient {k} of component {c}, "
                                         "which no scan has sent (its first scan needs Ah=0)")
                elif bits[k] == 0:
                    raise ValueError(f"scan {i}: coefficient {k} of component {c} is coded "
                                     "twice (it was already sent down to Al=0)")
                elif sc.Ah != bits[k]:
                    raise ValueError(f"scan {i}: successive approximation out of order: "
                                     f"coefficient {k} of component {c} was sent with "
                                     f"Al={bits[k]}, so this scan needs Ah={bits[k]}, "
                                     f"got Ah={sc.Ah}")
                bits[k] = sc.Al
    for c in range(n):
        missing = [k for k in range(64) if last[c][k] != 0]
        if missing:
            k = missing[0]
            state = "never sent" if last[c][k] < 0 else f"sent only down to Al={last[c][k]}"
            raise ValueError(f"scan {len(script) - 1} (the last): the script leaves "
                             f"coefficient {k} of component {c} {state} "
                             f"({len(missing)} coefficients incomplete)")
    return script


# ==== search: the smallest script for one image ====

#: Huffman table slot (DC and AC alike) of each component per colour
#: transform, as libjpeg's jpeg_set_colorspace assigns them: luma 0, chroma 1.
TABLE_SLOTS = {"gray": (0,), "ycbcr": (0, 1, 1), "rgb": (0, 0, 0), "cmyk": (0, 0, 0, 0),
               "ycck": (0, 1, 1, 0)}

#: Where the search may split the first AC band (1..s, s+1..63), as mozjpeg tries.
SPLITS = (2, 5, 8, 12, 18)
#: The deepest successive approximation (Al of the first AC scan) tried for
#: the first component (luma) and for the others.
MAX_AL_LUMA = 3
MAX_AL_CHROMA = 2

# Bytes of a DHT segment besides its symbols (marker, length, class/slot,
# 16 counts) and of an SOS segment besides 2 per component.
_DHT_BYTES = 2 + 2 + 1 + 16
_SOS_BYTES = 2 + 2 + 1 + 3
# the expected padding of a scan's last byte, in bits
_PAD_BITS = 4


def huffman_bits(counts):
    """(code bits, DHT segment bytes) of the optimal JPEG table (libjpeg's
    jpeg_gen_optimal_table) for 256 symbol counts."""
    from ._huffman import optimal_costs

    bits, nsym = optimal_costs(counts[None])
    return int(bits[0]), _DHT_BYTES + int(nsym[0])


class ScanCosts:
    """Exact costs of candidate scans of one image, each counted once.

    ``bits[spec]`` is the scan's size in bits: Huffman code bits with the
    scan's own optimal tables, the bits outside codes (amplitudes, EOB run
    lengths, correction bits), its DHT and SOS segments, and padding
    (0xFF stuffing is left out: it is not known before coding).
    ``counted[spec]`` keeps its symbol counts (scan components x 256), so
    that the file is coded without counting again.
    """

    def __init__(self, coefficients, arrays, threads=1):
        from .coefficients import scan_mcus

        c = coefficients
        self.c = c
        self.arrays = arrays
        self.slots = TABLE_SLOTS[c.color]
        self.mcus = scan_mcus(c.width, c.height, c.max_h, c.max_v)
        self.threads = threads
        self.counted = {}
        self.bits = {}

    def add(self, spec, counts, raw):
        """Record a scan's symbol counts (scan components x 256) and raw bits."""
        total = raw + _PAD_BITS + 8 * (_SOS_BYTES + 2 * len(spec.components))
        if not (spec.is_dc and spec.is_refinement):
            for slot in dict.fromkeys(self.slots[i] for i in spec.components):
                users = [j for j, i in enumerate(spec.components) if self.slots[i] == slot]
                code_bits, table_bytes = huffman_bits(counts[users].sum(axis=0))
                total += code_bits + 8 * table_bytes
        self.counted[spec] = counts
        self.bits[spec] = total

    def _scan(self, spec):
        from ._progressive import ScanCoder

        comps = self.c.components
        coder = ScanCoder([self.arrays[i] for i in spec.components],
                          [(comps[i].h, comps[i].v) for i in spec.components], self.mcus,
                          (spec.Ss, spec.Se, spec.Ah, spec.Al), 0)
        counts, raw = coder.count()
        self.add(spec, counts, raw)

    def _first_bands(self, task):
        from ._progressive import count_first_bands

        c, al = task
        from ._huffman import optimal_costs

        counts, raw = count_first_bands(self.arrays[c], al, SPLITS)
        code_bits, nsym = optimal_costs(counts)
        total = (raw + code_bits + 8 * (_DHT_BYTES + nsym)
                 + _PAD_BITS + 8 * (_SOS_BYTES + 2)).tolist()
        bands = [(1, 63)] + [b for s in SPLITS for b in ((1, s), (s + 1, 63))]
        for i, (ss, se) in enumerate(bands):
            spec = ScanSpec((c,), ss, se, 0, al)
            self.counted[spec] = counts[i:i + 1]
            self.bits[spec] = total[i]

    def measure(self, specs=(), first_bands=()):
        """Count the scans ``specs`` not yet counted, and for each (component,
        Al) of ``first_bands`` the AC first scans of 1..63 and of both halves
        of every split in SPLITS at once; all on the pool when threads > 1."""
        from .parallel import run

        jobs = [(self._scan, s) for s in dict.fromkeys(specs) if s not in self.bits]
        jobs += [(self._first_bands, t) for t in first_bands
                 if ScanSpec((t[0],), 1, 63, 0, t[1]) not in self.bits]
        # the largest first, so that the threads finish together
        jobs.sort(key=lambda j: -self.arrays[j[1].components[0] if j[0] == self._scan
                                            else j[1][0]].size)
        run(lambda job: job[0](job[1]), jobs, self.threads)

    def cost(self, specs):
        """Total bits of the scans ``specs`` (counted first if needed)."""
        specs = list(specs)
        if any(s not in self.bits for s in specs):
            self.measure(specs)
        return sum(self.bits[s] for s in specs)


def _ac_scans_of(c, al, split):
    """AC scans of component c: the first pass at Al=al (band 1..63, or split
    after ``split``), then refinements of 1..63 down to Al=0."""
    first = ([ScanSpec((c,), 1, 63, 0, al)] if split is None else
             [ScanSpec((c,), 1, split, 0, al), ScanSpec((c,), split + 1, 63, 0, al)])
    return first, [ScanSpec((c,), 1, 63, a + 1, a) for a in range(al - 1, -1, -1)]


def _dc_options(coefficients):
    """Candidate DC scan sets: all components interleaved, luma then the
    chroma interleaved, or each alone (interleaved MCUs of at most 10 blocks)."""
    comps = coefficients.components
    n = len(comps)
    single = [[ScanSpec((i,), 0, 0, 0, 0) for i in range(n)]]
    if n == 1:
        return single

    def fits(group):
        return len(group) == 1 or sum(comps[i].h * comps[i].v for i in group) <= MAX_BLOCKS_IN_MCU

    options = single
    for groups in ([tuple(range(n))], [(0,), tuple(range(1, n))]):
        if all(fits(g) for g in groups):
            options.append([ScanSpec(g, 0, 0, 0, 0) for g in groups])
    return options


def search_costs(coefficients, arrays, threads=1):
    """The script ``search`` chooses, with the ScanCosts that measured it
    (``coefficients`` checked by ``coefficients.check_coefficients``,
    ``arrays`` their components' blocks)."""
    costs = ScanCosts(coefficients, arrays, threads)
    n = len(coefficients.components)
    dc_options = _dc_options(coefficients)
    max_al = [MAX_AL_LUMA if c == 0 else MAX_AL_CHROMA for c in range(n)]
    options = [[(al, split) for al in range(max_al[c] + 1) for split in (None,) + SPLITS]
               for c in range(n)]
    # every candidate scan in one batch: the threads never wait for each other
    costs.measure([s for o in dc_options for s in o]
                  + [ScanSpec((c,), 1, 63, a + 1, a) for c in range(n) for a in range(max_al[c])],
                  [(c, al) for c in range(n) for al in range(max_al[c] + 1)])
    dc = min(dc_options, key=costs.cost)
    firsts, refines = [], []
    for c in range(n):
        best = min(options[c], key=lambda o: costs.cost(sum(_ac_scans_of(c, *o), [])))
        first, refine = _ac_scans_of(c, *best)
        firsts += first
        refines += refine
    # refinements in order of decreasing Ah, luma first within a level
    refines.sort(key=lambda s: (-s.Ah, s.components))
    return tuple(dc + firsts + refines), costs


def search(coefficients, threads=1):
    """The smallest progressive script for ``coefficients`` among candidates,
    as mozjpeg's optimize_scans searches: a tuple of ScanSpec.

    Candidates: DC of all components in one scan, luma apart from the
    interleaved chroma, or each alone; per component, the first AC pass at
    successive-approximation depth Al = 0..3 (luma) or 0..2 (chroma), its
    band whole or split after coefficient 2, 5, 8, 12 or 18, with
    refinements of 1..63 down to Al = 0. Every candidate scan is costed
    exactly (its symbols counted, its optimal tables built: code, amplitude,
    EOB-run and correction bits, DHT and SOS bytes; only 0xFF stuffing is
    left out) and scans are independent, so the script is the cheapest
    choice per component. The first passes of one (component, Al) are
    counted for every split at once. ``threads``: scans counted at once
    (None: every core).
    """
    from .coefficients import check_coefficients
    from .parallel import check_threads, resolve_threads

    check_threads(threads)
    c = check_coefficients(coefficients)
    threads = resolve_threads(threads, c.width * c.height)
    return search_costs(c, [k.blocks for k in c.components], threads)[0]
