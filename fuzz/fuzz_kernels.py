"""atheris targets for jpeglite with a structure-aware mutator, for the clang build.

    python fuzz/fuzz_kernels.py TARGET [libFuzzer flags] CORPUS_DIR [SEED_DIRS]
    python fuzz/fuzz_kernels.py TARGET -plain [-seed=N] [-max_total_time=S] [-runs=N] DIRS
    TARGET: decode | coefficients | analyze | optimize | tables

``-plain`` (the fallback where atheris is not installed, and what .ci/fuzz uses then) runs
every file of DIRS once (the regression pass), then mutants of them from a seeded
``random.Random``: the same structure-aware mutator, a simple byte mutator with the
dictionary's tokens in place of libFuzzer's, no coverage guidance (mutants that decode join
the pool). A finding stops the run (exit 1) with the input written to -artifact_prefix.

Under fuzz/build_clang.sh's build (see fuzz/README.md) the Cython kernels carry libFuzzer's
edge counters, so new edges in the entropy decoders, the progressive passes and the
arithmetic decoder steer the search; with the normal gcc build only the Python side does.
JPEGLITE_FUZZ_PYTHON=0 leaves the Python modules uninstrumented: every ``cov:`` edge
libFuzzer then reports is a native one (the proof that the kernels are seen).

The law for every target: the call returns or raises ``jpeglite.JPEGError`` with a message
and an offset in the input. The differential targets also check that ``optimize(x)`` decodes
to ``decode(x, block_smoothing=False)`` and is never larger, and that
``encode_coefficients(read_coefficients(x))`` decodes to it too (both write a complete
file: an incomplete progressive input's block smoothing is not in it). Anything else is a finding (libFuzzer writes crash-*).

The mutator parses marker segments and mutates their fields (SOF dimensions, sampling
factors and table selectors, DHT counts, SOS spectral selection and successive
approximation, DRI, DAC conditioning, DQT precision) or the entropy-coded bytes of a scan,
or moves whole segments; a quarter of the time it defers to libFuzzer's byte mutator.
"""
import hashlib
import os
import random
import struct
import sys
import time
import traceback
import warnings

import numpy as np

try:
    import atheris
except ImportError:                      # -plain still runs every target
    atheris = None

# -plain has no coverage feedback: instrumenting the Python modules would only slow it
PLAIN = atheris is None or "-plain" in sys.argv
if not PLAIN and os.environ.get("JPEGLITE_FUZZ_PYTHON", "1") != "0":
    with atheris.instrument_imports(include=["jpeglite"]):
        import jpeglite
else:
    import jpeglite

# damaged inputs are the point here: libjpeg's recoveries are expected, not news
warnings.simplefilter("ignore", jpeglite.CorruptDataWarning)

MAX_PIXELS = 1 << 20

# Markers whose segments carry a length (everything but SOI, EOI, RSTn, TEM)
_STANDALONE = {0xD8, 0xD9, 0x01} | set(range(0xD0, 0xD8))
SOF_CODES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
INTERESTING16 = (0, 1, 2, 7, 8, 9, 15, 16, 17, 255, 256, 4096, 32767, 32768, 65535)


def segments(data):
    """Split a JPEG into (start, end, code) pieces: marker segments, and the
    entropy-coded bytes after each SOS as code None. Stops at what it cannot parse
    (the rest is one None piece)."""
    out = []
    if data[:2] != b"\xff\xd8":
        return [(0, len(data), None)]
    out.append((0, 2, 0xD8))
    i = 2
    while i + 1 < len(data):
        if data[i] != 0xFF:
            j = i
            while j + 1 < len(data) and not (data[j] == 0xFF and data[j + 1] not in (0, 0xFF)
                                             and not 0xD0 <= data[j + 1] <= 0xD7):
                j += 1
            if j + 1 >= len(data):
                j = len(data)
            out.append((i, j, None))
            i = j
            continue
        code = data[i + 1]
        if code == 0xFF:
            i += 1
            continue
        if code in _STANDALONE:
            out.append((i, i + 2, code))
            i += 2
            continue
        if i + 4 > len(data):
            break
        end = i + 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
        out.append((i, min(end, len(data)), code))
        i = end
    if i < len(data):
        out.append((i, len(data), None))
    return out


def _put16(buf, pos, value):
    if pos + 2 <= len(buf):
        buf[pos:pos + 2] = struct.pack(">H", value & 0xFFFF)


def _value16(rng):
    return rng.choice(INTERESTING16) if rng.random() < 0.7 else rng.randrange(65536)


def mutate_field(rng, buf, start, end, code):
    """Change one field of the segment buf[start:end] whose marker is code."""
    p = start + 4                                      # first payload byte
    n = end - p
    if n <= 0:
        return
    if code in SOF_CODES:
        what = rng.randrange(5)
        if what == 0:
            buf[p] = rng.choice((8, 12, 16, rng.randrange(256)))              # precision
        elif what in (1, 2):
            _put16(buf, p + 1 + 2 * (what - 1), _value16(rng))            # height, width
        elif what == 3 and n > 5:
            buf[p + 5] = rng.choice((1, 2, 3, 4, 0, 255))                    # Nf
        elif n > 6:
            k = p + 6 + 3 * rng.randrange(max(1, (n - 6) // 3))
            if k + 2 < end:
                field = rng.randrange(3)
                if field == 1:                                           # Hi, Vi
                    buf[k + 1] = (rng.randrange(5) << 4) | rng.randrange(5)
                else:                                                    # Ci or Tqi
                    buf[k + field] = rng.randrange(6)
    elif code == 0xC4:                                   # DHT: class/id, one count, one value
        what = rng.randrange(3)
        if what == 0:
            buf[p] = (rng.randrange(3) << 4) | rng.randrange(5)
        elif what == 1 and n > 17:
            buf[p + 1 + rng.randrange(16)] = rng.choice((0, 1, 2, 255, rng.randrange(256)))
        else:
            buf[p + rng.randrange(n)] = rng.randrange(256)
    elif code == 0xDA:                                   # SOS: Ss, Se, Ah/Al or a selector
        if n >= 4:
            what = rng.randrange(4)
            if what == 0:
                buf[end - 3] = rng.choice((0, 1, 5, 63, 64, rng.randrange(256)))
            elif what == 1:
                buf[end - 2] = rng.choice((0, 1, 5, 62, 63, 64, rng.randrange(256)))
            elif what == 2:
                buf[end - 1] = (rng.randrange(15) << 4) | rng.randrange(15)
            else:
                k = p + 1 + 2 * rng.randrange(max(1, (n - 4) // 2))
                if k + 1 < end:
                    buf[k + rng.randrange(2)] = rng.randrange(256) if rng.random() < 0.3 \
                        else (rng.randrange(5) << 4) | rng.randrange(5)
    elif code == 0xDD:                                   # DRI
        _put16(buf, p, _value16(rng))
    elif code == 0xCC:                                   # DAC: Tc/Tb, then Cs
        k = p + 2 * rng.randrange(max(1, n // 2))
        if k + 1 < end:
            if rng.random() < 0.5:
                buf[k] = (rng.randrange(3) << 4) | rng.randrange(5)
            else:
                buf[k + 1] = rng.choice((0, 1, 0x10, 0xFF, 63, 64, rng.randrange(256)))
    elif code == 0xDB:                                   # DQT: Pq/Tq or a quantizer
        k = p if rng.random() < 0.4 else p + rng.randrange(n)
        buf[k] = rng.randrange(256) if k != p else (rng.randrange(3) << 4) | rng.randrange(5)
    else:
        buf[p + rng.randrange(n)] = rng.randrange(256)


def mutate_scan(rng, buf, start, end):
    """Damage entropy-coded bytes: flips, a stray RSTn, a cut, an inserted 0xFF 0x00."""
    i = rng.randrange(start, end)
    what = rng.randrange(4)
    if what == 0:
        buf[i] ^= 1 << rng.randrange(8)
    elif what == 1:
        buf[i:i] = bytes((0xFF, 0xD0 + rng.randrange(8)))
    elif what == 2:
        del buf[i:min(end, i + rng.randint(1, 32))]
    else:
        buf[i:i] = rng.choice((b"\xff\x00", b"\x00", b"\xff\xff\x00", b"\x80"))


def read_dict(path):
    """The byte strings of a libFuzzer dictionary (name="\\xff\\xd8" lines)."""
    tokens = []
    with open(path, encoding="ascii") as f:
        for line in f:
            line = line.strip()
            if "=" in line and not line.startswith("#"):
                value = line.split("=", 1)[1].strip()[1:-1]
                tokens.append(value.encode("latin-1").decode("unicode_escape").encode("latin-1"))
    return tokens


# atheris.Mutate exists only inside atheris.Fuzz() (it exits the process otherwise)
LIBFUZZER = False
DICT = read_dict(os.path.join(os.path.dirname(os.path.abspath(__file__)), "jpeg.dict"))


def plain_byte_mutate(data, max_size, rng):
    """A few of libFuzzer's byte moves, for use outside a fuzzing run: flip a bit, set,
    insert or erase bytes, insert or overwrite with a dictionary token, copy a run."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(buf) + 1)
        what = rng.randrange(6)
        if what == 0 and buf:
            buf[min(i, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif what == 1 and buf:
            buf[min(i, len(buf) - 1)] = rng.choice((0, 0xFF, rng.randrange(256)))
        elif what == 2:
            buf[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif what == 3:
            del buf[i:i + rng.randint(1, 64)]
        elif what == 4:
            token = rng.choice(DICT)
            if rng.random() < 0.5:
                buf[i:i] = token
            else:
                buf[i:i + len(token)] = token
        elif buf:
            j = rng.randrange(len(buf))
            buf[i:i] = buf[j:j + rng.randint(1, 64)]
    return bytes(buf[:max_size])


def structure_mutate(data, max_size, seed, byte_mutate=None):
    """One structure-aware mutation of data (libFuzzer's custom mutator).
    ``byte_mutate(data, max_size)``: the plain byte mutator used a quarter of the time;
    unless given (fuzz/pillow_agreement.py gives its own), libFuzzer's (``atheris.Mutate``)
    inside a fuzzing run, else ``plain_byte_mutate``."""
    rng = random.Random(seed)
    if byte_mutate is None:
        byte_mutate = atheris.Mutate if LIBFUZZER else (
            lambda d, m: plain_byte_mutate(d, m, rng))
    if rng.random() < 0.25 or len(data) < 4:
        return byte_mutate(data, max_size)
    pieces = segments(data)
    buf = bytearray(data)
    start, end, code = rng.choice(pieces)
    r = rng.random()
    if r < 0.08 and len(pieces) > 2:                     # duplicate or drop a segment
        if rng.random() < 0.5:
            buf[start:start] = data[start:end]
        else:
            del buf[start:end]
    elif r < 0.12 and len(pieces) > 3:                   # swap two pieces
        a, b = sorted(rng.sample(range(1, len(pieces)), 2))
        (s1, e1, _), (s2, e2, _) = pieces[a], pieces[b]
        buf = bytearray(data[:s1] + data[s2:e2] + data[e1:s2] + data[s1:e1] + data[e2:])
    elif code is None:
        if end > start:
            mutate_scan(rng, buf, start, end)
    elif end - start > 4:
        mutate_field(rng, buf, start, end, code)
    else:
        return byte_mutate(data, max_size)
    return bytes(buf[:max_size])


def check_error(exc, data):
    if not str(exc) or exc.offset is None or not 0 <= exc.offset <= len(data):
        raise AssertionError(f"JPEGError without a message or an offset in the input: {exc!r}")


def _decode_or_none(data, **kw):
    try:
        return jpeglite.decode(data, max_pixels=MAX_PIXELS, **kw)
    except jpeglite.JPEGError as exc:
        check_error(exc, data)
        return None


def check_pixels(out):
    """decode's result: uint8 (8-bit files), uint16 (12-bit and lossless files of more than
    8 bits), (H, W) or (H, W, C)."""
    if not (isinstance(out, np.ndarray) and out.dtype in (np.uint8, np.uint16)
            and out.ndim in (2, 3)):
        raise AssertionError(f"bad decode result {type(out)} {getattr(out, 'dtype', '')}")


def target_decode(data):
    out = _decode_or_none(data)
    if out is not None:
        check_pixels(out)


def target_coefficients(data):
    try:
        c = jpeglite.read_coefficients(data, max_pixels=MAX_PIXELS)
    except jpeglite.JPEGError as exc:
        check_error(exc, data)
        return
    try:
        again = jpeglite.encode_coefficients(c)
    except ValueError as exc:                         # values no 8-bit JPEG codes
        if not any(w in str(exc) for w in ("category", "span", "values must be")):
            raise
        return
    # the rewritten file is complete: compare with decode's pixels before any
    # block smoothing of an incomplete progressive input
    pixels = _decode_or_none(data, block_smoothing=False)
    if pixels is not None and not np.array_equal(jpeglite.decode(again), pixels):
        raise AssertionError("encode_coefficients(read_coefficients(x)) decodes otherwise")


def target_analyze(data):
    try:
        r = jpeglite.analyze(data, max_pixels=MAX_PIXELS)
    except jpeglite.JPEGError as exc:
        check_error(exc, data)
        return
    if r.model_bits + r.header_bits + r.data_bits + r.metadata_bits != 8 * len(data):
        raise AssertionError("the file report's parts do not add up to the file")


def target_optimize(data):
    try:
        out = jpeglite.optimize(data, max_pixels=MAX_PIXELS, threads=1)
    except jpeglite.JPEGError as exc:
        check_error(exc, data)
        return
    if len(out) > len(data):
        raise AssertionError(f"optimize grew the file: {len(data)} -> {len(out)} bytes")
    # a new file is complete: no block smoothing of an incomplete progressive input
    pixels = _decode_or_none(data, block_smoothing=out == data)
    if pixels is not None and not np.array_equal(jpeglite.decode(out), pixels):
        raise AssertionError("optimize(x) decodes otherwise than x")


def tables_stream():
    """The shared tables the abbreviated seeds were written with (make_seeds.py)."""
    from jpeglite.dataset import fit_tables

    rng = np.random.default_rng(7)
    return fit_tables([rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)], 60).to_bytes()


def target_tables(data):
    """decode(data, tables=...): the input is an abbreviated stream, or a tables-only
    stream and an image stream joined (split at the first EOI)."""
    cut = data.find(b"\xff\xd9")
    if data[:2] == b"\xff\xd8" and 0 <= cut < len(data) - 4 and data[cut + 2:cut + 4] == b"\xff\xd8":
        tables, image = data[:cut + 2], data[cut + 2:]
    else:
        tables, image = TABLES, data
    try:
        out = jpeglite.decode(image, max_pixels=MAX_PIXELS, tables=tables)
    except jpeglite.JPEGError as exc:
        check_error(exc, image)
        return
    except ValueError as exc:                         # a broken tables stream is an argument
        if "tables" not in str(exc):
            raise
        return
    check_pixels(out)


TARGETS = {"decode": target_decode, "coefficients": target_coefficients,
           "analyze": target_analyze, "optimize": target_optimize, "tables": target_tables}
TABLES = None


def _flags(argv):
    """libFuzzer-style -name=value flags and the other arguments (directories)."""
    flags, dirs = {}, []
    for arg in argv:
        if arg.startswith("-"):
            name, _, value = arg.lstrip("-").partition("=")
            flags[name] = value
        else:
            dirs.append(arg)
    return flags, dirs


def plain_fuzz(name, target, argv):
    """Run target on every file in the directories of argv, then on seeded mutants of them
    until -runs mutants or -max_total_time seconds (as libFuzzer: forever without either);
    returns the exit status (1: a finding, its input saved)."""
    flags, dirs = _flags(argv)
    seed = int(flags.get("seed", "1"))
    runs = int(flags.get("runs", "-1"))
    seconds = float(flags.get("max_total_time", "0"))
    max_len = int(flags.get("max_len", "65536"))
    slow = float(flags.get("timeout", "10"))
    prefix = flags.get("artifact_prefix", "./")
    pool = []
    for d in dirs:
        for entry in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            path = os.path.join(d, entry)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    pool.append((path, f.read()))
    rng = random.Random(seed)
    start = time.monotonic()
    n = 0
    regressions = len(pool)
    inputs = list(pool)
    while True:
        if n < regressions:
            label, data = inputs[n]
        else:
            if not pool or (runs >= 0 and n - regressions >= runs) \
                    or (seconds > 0 and time.monotonic() - start >= seconds):
                break                  # neither -runs nor -max_total_time: until stopped
            data = structure_mutate(rng.choice(pool)[1], max_len, rng.getrandbits(32))
            label = f"mutant {n - regressions} of seed {seed}"
        t0 = time.monotonic()
        try:
            target(data)
        except Exception:
            return _finding(name, label, data, prefix, traceback.format_exc())
        took = time.monotonic() - t0
        if took > slow:
            return _finding(name, label, data, prefix, f"slow input: {took:.1f} s > {slow} s\n")
        if n >= regressions and len(pool) < 5000 and _decodes(data):
            pool.append((label, data))
        n += 1
    dt = time.monotonic() - start
    print(f"{name}: plain, seed {seed}: {regressions} files, {n - regressions} mutants in "
          f"{dt:.0f} s ({n / max(dt, 1e-9):.0f}/s), pool {len(pool)}: no findings", flush=True)
    return 0


def _decodes(data):
    try:
        jpeglite.decode(data, max_pixels=MAX_PIXELS)
    except Exception:
        return False
    return True


def _finding(name, label, data, prefix, report):
    path = f"{prefix}crash-{hashlib.sha1(data).hexdigest()}"
    with open(path, "wb") as f:
        f.write(data)
    print(f"{name}: FINDING on {label}, input written to {path}\n{report}", flush=True)
    return 1


def main():
    global TABLES, LIBFUZZER
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(TARGETS)}}} [-plain] [libFuzzer args]")
    name = sys.argv.pop(1)
    target = TARGETS[name]
    if target is target_tables:
        TABLES = tables_stream()
    if PLAIN:
        if atheris is None:
            print("atheris is not installed: running the target without coverage (-plain)")
        sys.exit(plain_fuzz(name, target, [a for a in sys.argv[1:] if a != "-plain"]))
    LIBFUZZER = True
    atheris.Setup(sys.argv, target, custom_mutator=structure_mutate)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
