"""The _scan_stats kernel: one scan's entropy-coded bits, tallied as the decoder reads them.

Checked against the pure-Python walk in jpeg_walker.py (written from T.81, sharing
nothing with the kernel) on small files of every scan kind: sequential, progressive DC
first/refine, AC first/refine with EOB runs, restart intervals, grey and colour,
interleaved and not; the coefficients the walk leaves equal the decoder's; corrupt data
is walked as the decoder reads it or refused with a JPEGError and an offset.
"""
import io

import numpy as np
import pytest

import jpeglite
from jpeglite import decoder
from jpeglite.analysis import _FileObserver
from jpeglite._decoder import ScanInput
from jpeglite._decoder import SCAN_AC_FIRST_ as KIND_AC_FIRST, SCAN_SEQUENTIAL_ as KIND_SEQUENTIAL
from jpeglite._scan_stats import scan_stats

import jpeg_walker
from conftest import CORPUS

SMALL_CORPUS = [
    "libjpeg-turbo_testimgp.jpg",          # progressive 4:2:0, 10 scans
    "libjpeg-turbo_testorig.jpg",          # baseline 4:2:0
    "libjpeg-turbo_testimgint.jpg",        # baseline, restart markers
    "libjpeg-turbo_testimggray.jpg",
    "pillow_hopper.jpg",
    "pillow_app13-multiple.jpg",           # progressive
    "pillow_hopper_16bit_qtables.jpg",     # SOF1
    "libjxl-testdata_flower_small.q85_420_non_interleaved.jpg",       # 3 one-component scans
    "libjxl-testdata_flower_small.q85_444_partially_interleaved.jpg",  # 1 + 2 components
    "libjxl-testdata_bicycles_restarts.jpg",
]


def sample_image():
    rng = np.random.default_rng(1)
    ramp = np.add.outer(np.arange(61), np.arange(47))[:, :, None] * [1, 2, 3] % 256
    return (ramp + rng.integers(0, 40, (61, 47, 3))).astype(np.uint8)


def pillow(arr, **opts):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", **opts)
    return buf.getvalue()


PILLOW_OPTIONS = [
    dict(progressive=True),
    dict(progressive=True, restart_marker_blocks=3),
    dict(progressive=True, subsampling=0, optimize=True, restart_marker_rows=1),
    dict(progressive=True, subsampling=1, quality=30),
    dict(restart_marker_blocks=5, quality=95),
    dict(quality=10, subsampling=2),
]


def generated():
    img = sample_image()
    out = []
    for opts in PILLOW_OPTIONS:
        out.append((f"pillow-{opts}", pillow(img, **opts)))
        out.append((f"pillow-gray-{opts}", pillow(np.ascontiguousarray(img[..., 1]), **opts)))
    out.append(("jpeglite-restart", jpeglite.encode(img, 80, restart_interval=2)))
    out.append(("jpeglite-optimized-444", jpeglite.encode(img, 60, subsampling="4:4:4",
                                                          optimize=True)))
    return out


def corpus():
    out = []
    for name in SMALL_CORPUS if CORPUS else []:     # without the corpus: the generated files
        path = CORPUS / "jpeg" / name
        if path.exists():
            out.append((name, path.read_bytes()))
    return out


FILES = generated() + corpus()


def walked(data):
    """(observer, decoded) after the decoder's marker loop with the kernel walking the scans."""
    obs = _FileObserver()
    dec = decoder._run_markers(data, decoder.DEFAULT_MAX_PIXELS, 1, fused=False, observer=obs)
    return obs, dec


@pytest.mark.parametrize("name, data", FILES, ids=[n for n, _ in FILES])
def test_tallies_equal_a_pure_python_walk(name, data):
    obs, _ = walked(data)
    ref = jpeg_walker.walk(data)
    assert len(obs.scans) == len(ref)
    for rec, want in zip(obs.scans, ref):
        s = rec.stats
        assert [c.index for c, _, _ in rec.scan.components] == want["components"]
        for j, ci in enumerate(want["components"]):
            got = {f: int(getattr(s, f)[j]) for f in jpeg_walker.FIELDS}
            assert got == want["tally"][ci], (rec.scan, ci)
            # the histograms hold every symbol the codes were counted for
            assert s.dc_hist[j].sum() + s.ac_hist[j].sum() >= got["eob"] + got["zrl"]
        assert list(s.interval_padding) == want["padding"] and want["padding_ones"]
        assert s.bad_padding == 0 and s.missing_bits == 0 and s.short_intervals == 0
        assert (s.stuffed_bytes, s.fill_bytes, s.restart_markers) == (
            want["stuffed"], want["fill"], want["restart_markers"])
        assert (s.start, s.end) == (want["start"], want["end"])
        assert int(s.bad_codes.sum()) == 0 and int(s.overruns.sum()) == 0


@pytest.mark.parametrize("name, data", FILES, ids=[n for n, _ in FILES])
def test_every_bit_of_the_scan_data_is_accounted_for(name, data):
    obs, _ = walked(data)
    for rec in obs.scans:
        s = rec.stats
        assert (s.symbol_bits - s.missing_bits + s.padding_bits
                + 8 * (s.stuffed_bytes + s.fill_bytes + 2 * s.restart_markers)) == 8 * s.ecs_bytes
        assert 0 <= s.interval_padding.min() and s.interval_padding.max() <= 7
        # each symbol of the histograms is one code: Huffman codes are 1..16 bits
        for j in range(len(rec.scan.components)):
            nsym_dc, nsym_ac = int(s.dc_hist[j].sum()), int(s.ac_hist[j].sum())
            assert nsym_dc <= s.dc_code_bits[j] <= 16 * nsym_dc
            assert nsym_ac <= s.ac_code_bits[j] <= 16 * nsym_ac


def test_the_generated_files_cover_every_scan_kind_and_restarts():
    kinds, restarts = set(), 0
    for _, data in FILES:
        obs, _ = walked(data)
        kinds |= {rec.kind for rec in obs.scans}
        restarts += sum(rec.stats.restart_markers for rec in obs.scans
                        if rec.kind != KIND_SEQUENTIAL)
    assert kinds == {0, 1, 2, 3, 4}
    assert restarts > 0        # progressive scans with restart intervals


@pytest.mark.parametrize("name, data", FILES, ids=[n for n, _ in FILES])
def test_the_walk_leaves_the_decoders_coefficients(name, data):
    _, dec = walked(data)
    ref = jpeglite.read_coefficients(data)
    for comp, coefs in zip(ref.components, dec.coefs):
        rows, cols = comp.blocks.shape[:2]
        np.testing.assert_array_equal(coefs[:rows, :cols].reshape(rows, cols, 8, 8),
                                      comp.blocks)


def scan_args(data):
    """The arguments the marker loop gives the kernel for the first scan of data."""
    calls = []

    class Recorder(_FileObserver):
        def scan(self, *args):
            calls.append(args)
            return super().scan(*args)

    decoder._run_markers(data, decoder.DEFAULT_MAX_PIXELS, 1, fused=False, observer=Recorder())
    return calls[0]


def test_a_missing_or_wrong_restart_marker_is_a_jpegerror_with_its_offset():
    data = jpeglite.encode(sample_image(), 80, restart_interval=2)
    rst = data.index(b"\xff\xd1")
    bad = data[:rst + 1] + b"\xd5" + data[rst + 2:]
    with pytest.raises(jpeglite.JPEGError, match="RST1") as info:
        jpeglite.analyze(bad)
    assert info.value.offset == rst
    jpeglite.decode(bad)       # the decoder resynchronises, as libjpeg does


def test_data_that_ends_without_a_marker_is_truncated():
    data = jpeglite.encode(sample_image(), 80)
    args = list(scan_args(data))
    cut = np.frombuffer(data[:-2], dtype=np.uint8)
    args[0] = cut
    with pytest.raises(jpeglite.JPEGError, match="truncated") as info:
        scan_stats(*args)
    assert info.value.offset == len(cut)


def test_data_running_into_a_marker_early_is_walked_as_the_decoder_reads_it():
    data = jpeglite.encode(sample_image(), 80, restart_interval=3)
    # cut the bytes of the first restart interval short: the MCUs after the cut read zeros
    rst = data.index(b"\xff\xd0")
    sos = data.index(b"\xff\xda")
    start = sos + 2 + (data[sos + 2] << 8 | data[sos + 3])
    cut = start + (rst - start) // 2
    bad = data[:cut] + data[rst:]
    r = jpeglite.analyze(bad)
    scan = r.stage("huffman").details["scans"][0]
    assert scan["short_intervals"] == 1 and scan["missing_bits"] > 0
    f = r.stage("file").details
    assert (f["symbol_bits"] - f["missing_bits"] + f["padding_bits"]
            + 8 * (f["stuffed_bytes"] + f["fill_bytes"] + 2 * f["restart_markers"])) == r.data_bits
    # the coefficients are the decoder's
    obs, dec = walked(bad)
    ref = jpeglite.read_coefficients(bad)
    rows, cols = ref.components[0].blocks.shape[:2]
    np.testing.assert_array_equal(dec.coefs[0][:rows, :cols].reshape(rows, cols, 8, 8),
                                  ref.components[0].blocks)


def test_arguments_are_checked():
    data = jpeglite.encode(sample_image(), 80)
    args = scan_args(data)
    buf, pos, comps = args[0], args[1], args[2]
    with pytest.raises(ValueError, match="1 to 4"):
        scan_stats(buf, pos, [], *args[3:])
    with pytest.raises(ValueError, match="geometry"):
        small = [ScanInput(c.index, c.h, c.v, c.dc, c.ac, np.zeros((1, 1, 64), np.int16))
                 for c in comps]
        scan_stats(buf, pos, small, *args[3:])
    with pytest.raises(ValueError, match="decode table"):
        scan_stats(buf, pos, [ScanInput(c.index, c.h, c.v, b"x", c.ac, c.coefs) for c in comps],
                   *args[3:])
    with pytest.raises(ValueError, match="AC scan"):
        scan_stats(buf, pos, comps, args[3], args[4], args[5], KIND_AC_FIRST, 0, 63, 0, 0)
    with pytest.raises(jpeglite.JPEGError, match="no entropy-coded data"):
        scan_stats(buf, len(buf), comps, *args[3:])


def test_a_sequential_scans_unused_approximation_bits_are_ignored_as_the_decoder_does():
    data = jpeglite.encode(sample_image(), 80)
    sos = data.index(b"\xff\xda")
    ah_al = sos + 2 + (data[sos + 2] << 8 | data[sos + 3]) - 1
    odd = data[:ah_al] + bytes([0xEF]) + data[ah_al + 1:]
    np.testing.assert_array_equal(jpeglite.decode(odd), jpeglite.decode(data))
    assert jpeglite.analyze(odd).data_bits == jpeglite.analyze(data).data_bits
