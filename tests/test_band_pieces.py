"""Parallel entropy coding without restart markers: bands coded apart and joined at any bit position.

Every band of MCU rows is coded on its own thread except its first MCU
(``BandCoder.encode_piece``); ``append_piece`` codes that MCU with the DC
predictions the band before left and appends the band's bits shifted to the
bit position it starts at (``_huffman.join_pieces`` is the same join on its
own). The file must be the serial coder's, byte for byte.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jpeglite
from jpeglite import _encoder, _huffman, encoder, options


def _stuff(data):
    return data.replace(b"\xff", b"\xff\x00")


def _bytes_of(bits):
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))


def _piece(bits):
    """(body, tail, tail_bits) of a bit string: its whole bytes stuffed, the rest right-aligned."""
    whole = len(bits) - len(bits) % 8
    tail = bits[whole:]
    return _stuff(_bytes_of(bits[:whole])), int(tail, 2) if tail else 0, len(tail)


def _reference(strings):
    bits = "".join(strings)
    bits += "1" * (-len(bits) % 8)           # T.81 F.1.2.3: pad with 1-bits
    return _stuff(_bytes_of(bits))


# bit strings rich in long runs of 1s, so that 0xFF bytes appear inside pieces,
# across their joins and only after shifting
_runs = st.one_of(st.text("01", max_size=24), st.integers(1, 40).map(lambda n: "1" * n),
                  st.integers(1, 20).map(lambda n: "0" * n))
_bit_strings = st.lists(_runs, max_size=10).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_bit_strings, max_size=8))
def test_join_equals_stuffing_the_concatenated_bits(strings):
    assert _huffman.join_pieces([_piece(s) for s in strings]) == _reference(strings)


def test_join_restuffs_bytes_that_shifting_makes_ff():
    # 0x7F 0x80 shifted by one bit is 0xFF 0x00: a stuffed byte that was not one before
    assert _huffman.join_pieces([(b"", 0, 1), (b"\xff\x00\x80", 0, 0)]) == _reference(
        ["0", "1111111110000000"])
    assert _huffman.join_pieces([(b"", 0, 1), (b"\x7f\x80", 0, 0)]) == b"\x3f\xc0\x7f"
    assert _huffman.join_pieces([(b"", 1, 1), (b"\x7f\x80", 0, 0)]) == b"\xbf\xc0\x7f"
    assert _huffman.join_pieces([(b"", 0, 7), (b"\x01\xfe", 1, 1)]) == b"\x00\x03\xfd"


@pytest.mark.parametrize("tail, bits", [(2, 1), (0, 8), (-1, 3), (1, -1)])
def test_join_rejects_a_bad_tail(tail, bits):
    with pytest.raises(ValueError):
        _huffman.join_pieces([(b"", tail, bits)])


def _image(h, w, gray, seed, noise=40):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    base = (yy * 7 + xx * 3) % 256
    shape = (h, w) if gray else (h, w, 3)
    img = (base if gray else base[..., None]) + rng.integers(-noise, noise + 1, shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def _coder(img, subsampling, quality=75):
    _, plan = options.plan_encode(img, quality, subsampling, False, 0)
    coder = _encoder.BandCoder(img, plan.h, plan.v, plan.component_qtables(), 0)
    coder.set_tables(*plan.component_codes(plan.huffman_tables()))
    return coder, plan


def _serial_scan(img, subsampling, quality=75):
    _, plan = options.plan_encode(img, quality, subsampling, False, 0)
    dc, ac = plan.component_codes(plan.huffman_tables())
    return _encoder.encode_scan(img, plan.h, plan.v, plan.component_qtables(), dc, ac)


@pytest.mark.parametrize("shape", [(1, 1), (8, 8), (17, 33), (40, 9), (61, 95), (130, 24)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:2", "4:2:0", "gray"])
def test_pieces_of_every_band_split_equal_the_serial_scan(shape, subsampling):
    gray = subsampling == "gray"
    img = _image(*shape, gray, seed=shape[0] + 7 * shape[1])
    ss = "4:4:4" if gray else subsampling
    want = _serial_scan(img, ss)
    coder, plan = _coder(img, ss)
    rows = coder.mcus_y
    for size in sorted({1, 2, 3, max(1, rows // 2), rows}):
        coder.set_tables(*plan.component_codes(plan.huffman_tables()))    # a fresh scan
        for my0 in range(0, rows, size):
            coder.append_piece(coder.encode_piece(my0, min(rows, my0 + size)))
        assert coder.finish() == want, size


@pytest.mark.parametrize("quality", [100, 40])
@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:0", "gray"])
def test_threaded_encode_of_noise_equals_one_thread(quality, subsampling, monkeypatch):
    """Noise at high quality: long pieces full of 0xFF bytes, joined at every bit phase."""
    monkeypatch.setattr(encoder, "_BAND_SAMPLES", 1)
    rng = np.random.default_rng(quality)
    gray = subsampling == "gray"
    img = rng.integers(0, 256, (75, 41) if gray else (75, 41, 3), dtype=np.uint8)
    ss = "4:2:0" if gray else subsampling
    want = jpeglite.encode(img, quality, subsampling=ss, threads=1)
    for t in (2, 3, 4):
        assert jpeglite.encode(img, quality, subsampling=ss, threads=t) == want, t


@pytest.mark.parametrize("restart_interval", [0, 1, 5])
@pytest.mark.parametrize("optimize", [False, True])
def test_thread_counts_on_a_photo(photo, restart_interval, optimize):
    img = photo[:301, :203]
    kw = dict(optimize=optimize, restart_interval=restart_interval)
    want = jpeglite.encode(img, 80, threads=1, **kw)
    for t in (2, 3, 4):
        assert jpeglite.encode(img, 80, threads=t, **kw) == want, t


def test_pieces_go_in_order_and_only_without_restarts():
    img = _image(40, 40, False, 1)
    coder, _ = _coder(img, "4:2:0")
    p0, p1 = coder.encode_piece(0, 1), coder.encode_piece(1, 3)
    with pytest.raises(ValueError):
        coder.append_piece(p1)              # the first piece must start at row 0
    coder.append_piece(p0)
    with pytest.raises(ValueError):
        coder.append_piece(p0)              # nor may a piece come twice
    coder.append_piece(p1)
    with pytest.raises(ValueError):
        coder.encode_piece(2, 4)            # past the last MCU row
    _, plan = _coder(img, "4:2:0")
    restarts = _encoder.BandCoder(img, plan.h, plan.v, plan.component_qtables(), 2)
    restarts.set_tables(*plan.component_codes(plan.huffman_tables()))
    with pytest.raises(ValueError):
        restarts.encode_piece(0, 1)
