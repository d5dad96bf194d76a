"""Per-call cost of small images: what is cached and the fast paths give
exactly what the general paths give (bytes, pixels, errors).

Encode: plans of the common options are copies of a template made once per
options (``options._common_template``). Decode: ordinary single-scan files go
through ``_markers.ordinary_header`` and a cache of scan plans keyed by the
pixel-relevant header bytes (``decoder._decode_ordinary``); everything else,
and every refusal, through the marker loop. No time is asserted here.
"""
import io

import numpy as np
import pytest
from PIL import Image

import jpeglite
from jpeglite import decoder, options
from jpeglite._markers import ordinary_header
from jpeglite.errors import JPEGError


@pytest.fixture(scope="module")
def crop(photo):
    return np.ascontiguousarray(photo[100:164, 200:264])


def _marker_loop(data, max_pixels=decoder.DEFAULT_MAX_PIXELS):
    """decode through the marker loop alone (the path before the cache)."""
    real = decoder._decode_ordinary
    decoder._decode_ordinary = lambda *a: None
    try:
        return decoder.decode(data, max_pixels, 1)
    finally:
        decoder._decode_ordinary = real


def _pillow(image, **kw):
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", **kw)
    return buf.getvalue()


# ---- encode: plans of common options --------------------------------------------

@pytest.mark.parametrize("kw", [
    dict(quality=75), dict(quality=90, subsampling="4:4:4"), dict(subsampling="4:2:2"),
    dict(quality=30, restart_interval=3), dict(quality=80, optimize=True), dict()])
@pytest.mark.parametrize("gray", [False, True], ids=["rgb", "gray"])
def test_common_plan_writes_the_general_plans_bytes(crop, kw, gray):
    image = crop[..., 0].copy() if gray else crop
    fast = jpeglite.encode(image, threads=1, **kw)
    # numpy scalars are valid arguments that the common path leaves to the full checks
    slow_kw = dict(kw, quality=np.int64(kw.get("quality", 75)))
    if "optimize" in kw:
        slow_kw["optimize"] = np.bool_(kw["optimize"])
    assert jpeglite.encode(image, threads=1, **slow_kw) == fast
    # and Pillow writes the same file for the standard tables
    if not kw.get("optimize") and not kw.get("restart_interval"):
        pil = dict(quality=kw.get("quality", 75))
        if not gray:
            pil["subsampling"] = {"4:4:4": 0, "4:2:2": 1}.get(kw.get("subsampling"), 2)
        assert fast == _pillow(image, **pil)


def test_common_plans_share_read_only_tables(crop):
    _, a = options.plan_encode(crop, 75, None, False, 0)
    _, b = options.plan_encode(crop[:32], 75, None, False, 0)
    assert a is not b and (a.height, b.height) == (64, 32)
    assert a.component_qtables() is b.component_qtables()
    for t in a.component_qtables() + list(a.qtables.values()):
        assert not t.flags.writeable
    with pytest.raises(ValueError):
        a.qtables[0][0] = 1
    # the header bytes are the size's own
    tables = a.huffman_tables()
    assert a.header(tables) != b.header(b.huffman_tables())
    assert a.header(tables) == a._build_header(tables)


def test_common_plan_keeps_the_argument_errors(crop):
    for kw, err in ((dict(quality=0), ValueError), (dict(quality=7.5), TypeError),
                    (dict(subsampling="4:1:1"), ValueError), (dict(subsampling=420), TypeError),
                    (dict(optimize=1), TypeError), (dict(restart_interval=-1), ValueError),
                    (dict(threads=0), ValueError), (dict(threads=True), TypeError)):
        with pytest.raises(err):
            jpeglite.encode(crop, **kw)
    with pytest.raises(TypeError, match="dtype uint8"):
        jpeglite.encode(crop.astype(np.float32))


# ---- decode: ordinary headers ---------------------------------------------------

def _segments(data):
    """[(code, start, end)] of the segments before the first SOS's data."""
    out, pos = [], 2
    while True:
        code = data[pos + 1]
        end = pos + 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        out.append((code, pos, end))
        pos = end
        if code == 0xDA:
            return out


def test_ordinary_header_keys_the_pixel_relevant_segments(crop):
    plain = _pillow(crop, quality=80)
    tagged = _pillow(crop, quality=80, exif=b"Exif\0\0II*\0" + bytes(20), comment=b"hello",
                     icc_profile=b"x" * 300)
    a, b = ordinary_header(plain), ordinary_header(tagged)
    assert a.key == b.key                       # metadata does not change the decode
    assert b.data_start == _segments(tagged)[-1][2]
    sof = [s for s in _segments(tagged) if s[0] == 0xC0][0]
    assert b.sof_end == sof[2]
    kept = b"".join(tagged[s:e] for c, s, e in _segments(tagged)
                    if c in (0xE0, 0xEE, 0xDB, 0xC4, 0xDD, 0xC0, 0xC1, 0xDA))
    assert b.key == kept


@pytest.mark.parametrize("edit", ["progressive", "arithmetic", "fill", "no-sof", "two-sof",
                                  "short-app", "truncated", "dnl", "not-jpeg"])
def test_ordinary_header_leaves_the_unusual_to_the_marker_loop(crop, edit):
    data = _pillow(crop, quality=75)
    segs = _segments(data)
    sof = [s for s in segs if s[0] == 0xC0][0]
    if edit == "progressive":
        data = _pillow(crop, quality=75, progressive=True)
    elif edit == "arithmetic":
        data = jpeglite.encode(crop, arithmetic=True)
    elif edit == "fill":
        data = data[:2] + b"\xff" + data[2:]
    elif edit == "no-sof":
        data = data[:sof[1]] + data[sof[2]:]
    elif edit == "two-sof":
        data = data[:sof[2]] + data[sof[1]:sof[2]] + data[sof[2]:]
    elif edit == "short-app":
        data = data[:2] + b"\xff\xe3\x00\x00" + data[2:]
    elif edit == "truncated":
        data = data[:segs[-1][2] - 1]
    elif edit == "dnl":
        data = data[:2] + b"\xff\xdc\x00\x04\x00\x40" + data[2:]
    else:
        data = b"\x00" + data
    assert ordinary_header(data) is None
    if edit in ("progressive", "arithmetic"):
        assert np.array_equal(jpeglite.decode(data), decoder.decode(data, 10 ** 9, 1))


@pytest.mark.parametrize("kind", ["jpeglite", "pillow-420", "pillow-444", "gray", "restart",
                                  "metadata", "fill-before-eoi", "trailing"])
def test_cached_plans_decode_what_the_marker_loop_decodes(crop, kind):
    if kind == "jpeglite":
        data = jpeglite.encode(crop, 75)
    elif kind == "pillow-420":
        data = _pillow(crop, quality=60)
    elif kind == "pillow-444":
        data = _pillow(crop, quality=92, subsampling=0)
    elif kind == "gray":
        data = _pillow(crop[..., 1].copy(), quality=70)
    elif kind == "restart":
        data = jpeglite.encode(crop, 75, restart_interval=2)
    elif kind == "metadata":
        data = _pillow(crop, quality=75, comment=b"c" * 40, icc_profile=b"p" * 500)
    elif kind == "fill-before-eoi":
        data = jpeglite.encode(crop, 75)[:-2] + b"\xff\xff\xd9"
    else:
        data = jpeglite.encode(crop, 75) + b"after the image"
    want = _marker_loop(data)
    for _ in range(2):      # the first call makes the plan, the second reads it from the cache
        assert np.array_equal(jpeglite.decode(data), want)
    head = ordinary_header(data)
    assert head is not None and head.key in decoder._PLANS
    with Image.open(io.BytesIO(data)) as im:
        assert np.array_equal(want, np.asarray(im))


def _same_error(data, **kw):
    with pytest.raises(JPEGError) as fast:
        jpeglite.decode(data, **kw)
    with pytest.raises(JPEGError) as slow:
        _marker_loop(data, kw.get("max_pixels", decoder.DEFAULT_MAX_PIXELS))
    assert (str(fast.value), fast.value.offset) == (str(slow.value), slow.value.offset)
    return fast.value


def test_cached_plans_keep_the_marker_loops_errors(crop):
    good = jpeglite.encode(crop, 75)
    jpeglite.decode(good)                                   # the header's plan is cached
    head = ordinary_header(good)
    assert head.key in decoder._PLANS
    # more pixels than allowed, and too short for its frame, on a cached header
    assert "max_pixels" in str(_same_error(good, max_pixels=64 * 64 - 1))
    flat = jpeglite.encode(np.zeros((1024, 1024, 3), np.uint8), 75)
    jpeglite.decode(flat)
    head = ordinary_header(flat)
    assert head.key in decoder._PLANS
    assert "too short" in str(_same_error(flat[:head.data_start + 100]))
    # what follows the scan: a second scan is an error of the marker loop
    sos = [s for s in _segments(good) if s[0] == 0xDA][0]
    twice = good[:-2] + good[sos[1]:sos[2]] + b"\x00" * 8 + b"\xff\xd9"
    assert "second scan" in str(_same_error(twice))
    # data cut inside the scan, or right after it
    _same_error(good[:ordinary_header(good).data_start + 40])
    _same_error(good[:-2])
    # a header the marker loop refuses is never cached
    bad = bytearray(good)
    dqt = [s for s in _segments(good) if s[0] == 0xDB][0]
    bad[dqt[1] + 4] = 0x07                                  # table id 7
    bad = bytes(bad)
    assert "DQT" in str(_same_error(bad))
    assert ordinary_header(bad).key not in decoder._PLANS


def test_plan_cache_is_bounded(crop):
    for w in range(1, decoder._PLANS_SIZE + 10):
        jpeglite.decode(jpeglite.encode(crop[:8, :w], 75))
    assert len(decoder._PLANS) <= decoder._PLANS_SIZE


# ---- the kernels' prepared tables ---------------------------------------------------

def test_prepared_tables_code_what_fresh_tables_code(crop):
    from jpeglite import _encoder, _entropy, _quant

    _, plan = options.plan_encode(crop, 83, "4:2:2", False, 2)
    tables = plan.huffman_tables()
    dc, ac = plan.component_codes(tables)
    qt = plan.component_qtables()
    assert all((id(t) in _quant._PREPARED_DIVISORS) for t in qt)
    assert all((id(c), id(s)) in _entropy._PREPARED_CODES for c, s in dc + ac)
    prepared = _encoder.encode_scan(crop, plan.h, plan.v, qt, dc, ac, 2)
    fresh = _encoder.encode_scan(crop, plan.h, plan.v, [t.copy() for t in qt],
                                 [(c.copy(), s.copy()) for c, s in dc],
                                 [(c.copy(), s.copy()) for c, s in ac], 2)
    assert prepared == fresh
    with pytest.raises(ValueError, match="read-only"):
        _entropy.prepare_codes(dc[0][0].copy(), dc[0][1])
    with pytest.raises(ValueError, match="read-only"):
        _quant.prepare_divisors(qt[0].copy())


def test_decodes_from_many_threads_share_the_plan_cache(crop):
    from concurrent.futures import ThreadPoolExecutor

    files = [jpeglite.encode(crop[:, :w], 70) for w in range(8, 64, 4)]
    want = [_marker_loop(d) for d in files]
    saved = decoder._PLANS_SIZE
    decoder._PLANS_SIZE = 3          # evictions while other threads read the cache
    try:
        with ThreadPoolExecutor(4) as ex:
            got = list(ex.map(lambda k: jpeglite.decode(files[k % len(files)], threads=1),
                              range(20 * len(files))))
    finally:
        decoder._PLANS_SIZE = saved
    assert all(np.array_equal(g, want[k % len(files)]) for k, g in enumerate(got))


def test_small_images_with_default_threads_never_touch_the_pool(crop, monkeypatch):
    from jpeglite import _decoder, parallel

    def no_pool(*args):
        raise AssertionError("the thread pool was asked for")

    monkeypatch.setattr(parallel, "pool", no_pool)
    monkeypatch.setattr(_decoder, "_pool", no_pool)
    for image in (crop, np.ascontiguousarray(np.tile(crop, (4, 4, 1)))):    # 64x64, 256x256
        data = jpeglite.encode(image)
        assert jpeglite.decode(data).shape == image.shape
        assert jpeglite.decode(data, threads=8).shape == image.shape


def test_twelve_bit_files_go_through_the_marker_loop():
    image = (np.arange(48 * 40 * 3) * 37 % 4096).astype(np.uint16).reshape(48, 40, 3)
    data = jpeglite.encode(image, precision=12)
    head = ordinary_header(data)        # an SOF1 frame: ordinary framing
    out = jpeglite.decode(data)
    assert out.dtype == np.uint16 and out.shape == image.shape
    assert head is None or head.key not in decoder._PLANS


def test_stray_markers_after_the_scan_decode_once(crop, monkeypatch):
    # RSTn without a DRI: the marker loop skips them after the scan; the fast
    # path does too, without decoding the scan a second time
    data = bytearray(jpeglite.encode(crop, 85, restart_interval=2))
    start = data.index(b"\xff\xdd")
    data = bytes(data[:start] + data[start + 6:])
    want = _marker_loop(data)
    calls = []
    real = decoder.decode_single_scan
    monkeypatch.setattr(decoder, "decode_single_scan", lambda *a: calls.append(1) or real(*a))
    for _ in range(2):
        assert np.array_equal(jpeglite.decode(data), want)
    assert len(calls) == 2
    # a segment after the scan: the marker loop reads it (here: a second scan, an error)
    sos = [s for s in _segments(data) if s[0] == 0xDA][0]
    _same_error(data[:-2] + data[sos[1]:sos[2]] + b"\x00" * 8 + b"\xff\xd9")


@pytest.mark.parametrize("strict", [False, True])
def test_damaged_scans_report_what_the_marker_loop_reports(crop, strict):
    # stray RSTn inside the data (the DRI dropped) and junk before the EOI:
    # the fast path's recoveries (or strict refusal) are the marker loop's
    data = bytearray(jpeglite.encode(crop, 85, restart_interval=2))
    start = data.index(b"\xff\xdd")
    data = bytes(data[:start] + data[start + 6:-2] + b"junk\xff\xd9")
    if strict:
        with pytest.raises(JPEGError) as fast:
            decoder._decode_ordinary(data, decoder.DEFAULT_MAX_PIXELS, 1, True, [])
        with pytest.raises(JPEGError) as loop:
            decoder._run_markers(data, decoder.DEFAULT_MAX_PIXELS, 1, fused=True, strict=True)
        assert str(fast.value) == str(loop.value)
        return
    found = []
    image = decoder._decode_ordinary(data, decoder.DEFAULT_MAX_PIXELS, 1, False, found)
    dec = decoder._run_markers(data, decoder.DEFAULT_MAX_PIXELS, 1, fused=True)
    assert image is not None and np.array_equal(image, dec.image)
    assert found == dec.damage and len(found) >= 2
    with pytest.warns(jpeglite.CorruptDataWarning):
        jpeglite.decode(data)


def test_prepared_tables_live_and_go_with_their_templates(crop):
    # the prepared kernel tables of a template stay as long as the template
    # (however many other templates were made since) and go with it
    import gc

    from jpeglite import _entropy, _quant

    options._common_template.cache_clear()
    gc.collect()
    _, plan = options.plan_encode(crop, 61, "4:2:0", False, 0)
    qt = plan.component_qtables()
    for quality in range(1, 41):      # 40 templates: 120 tables, more than any old bound
        options.plan_encode(crop, quality, "4:4:4", False, 0)
    assert all(id(t) in _quant._PREPARED_DIVISORS for t in qt)
    del plan                            # (a plan holds its template's parts)
    options._common_template.cache_clear()
    gc.collect()
    assert not any(id(t) in _quant._PREPARED_DIVISORS for t in qt)
    assert len(_quant._PREPARED_DIVISORS) == 0 and len(_entropy._PREPARED_CODES) == 0
