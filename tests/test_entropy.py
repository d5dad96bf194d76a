"""Tests for the entropy stage."""

# ==== encode ====
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from jpeglite import _entropy, _huffman
from jpeglite import tables as T


def category(v):
    return int(abs(int(v))).bit_length()


def amplitude_bits(v, n):
    """T.81 F.1.2.1: v itself if positive, else v - 1 in n bits (one's complement)."""
    return format((v if v >= 0 else v - 1) & ((1 << n) - 1), f"0{n}b") if n else ""


def block_symbols(block, last_dc):
    """[(table class, symbol, amplitude bits)] of one natural-order block (T.81 F.1.2)."""
    zz = [int(block[T.ZIGZAG[k]]) for k in range(64)]
    diff = zz[0] - last_dc
    out = [(0, category(diff), amplitude_bits(diff, category(diff)))]
    run = 0
    for v in zz[1:]:
        if v == 0:
            run += 1
            continue
        while run > 15:
            out.append((1, 0xF0, ""))
            run -= 16
        out.append((1, (run << 4) | category(v), amplitude_bits(v, category(v))))
        run = 0
    if run:
        out.append((1, 0x00, ""))
    return out


def mcu_blocks(blocks, h, v, mx, my):
    """The blocks of one MCU for each component, with libjpeg's dummy blocks made literal:
    all-zero AC and the DC of the block before them in the MCU."""
    out = []
    for c, b in enumerate(blocks):
        comp = []
        for j in range(v[c]):
            for i in range(h[c]):
                by, bx = my * v[c] + j, mx * h[c] + i
                if by < b.shape[0] and bx < b.shape[1]:
                    comp.append(b[by, bx])
                else:
                    d = np.zeros(64, np.int16)
                    d[0] = comp[-1][0]
                    comp.append(d)
        out.append(comp)
    return out


def scan_reference(blocks, h, v, mcus_x, mcus_y, restart, tables=None):
    """(bytes, counts) of a scan coded symbol by symbol from bit strings."""
    n = len(blocks)
    counts = np.zeros((n, 2, 256), np.int64)
    last = [0] * n
    bits, out, k = "", bytearray(), 0

    def flush():
        nonlocal bits
        bits += "1" * (-len(bits) % 8)
        for i in range(0, len(bits), 8):
            out.append(int(bits[i:i + 8], 2))
            if out[-1] == 0xFF:
                out.append(0)
        bits = ""

    for m in range(mcus_x * mcus_y):
        if restart and m and m % restart == 0:
            flush()
            out.extend((0xFF, 0xD0 + k % 8))
            k += 1
            last = [0] * n
        for c, comp in enumerate(mcu_blocks(blocks, h, v, m % mcus_x, m // mcus_x)):
            for b in comp:
                for cls, sym, amp in block_symbols(b, last[c]):
                    counts[c, cls, sym] += 1
                    if tables:
                        codes, sizes = tables[c][cls]
                        bits += format(int(codes[sym]), f"0{int(sizes[sym])}b") + amp
                last[c] = int(b[0])
    flush()
    return bytes(out), counts


def random_blocks(rng, shape, density):
    b = rng.integers(-60, 61, shape + (64,)).astype(np.int16)
    b[rng.random(shape + (64,)) > density] = 0
    b[..., 0] = rng.integers(-1000, 1000, shape)
    # some long zero runs and large values to exercise ZRL and big categories
    b[..., 40] = np.where(rng.random(shape) < 0.3, rng.integers(-1023, 1024, shape), b[..., 40])
    return b


LAYOUTS = [
    # (block shapes per component, h, v, mcus_x, mcus_y): 4:2:0 with partial MCUs at the
    # right and bottom edges, 4:2:2, 4:4:4, and one component
    ([(3, 3), (2, 2), (2, 2)], [2, 1, 1], [2, 1, 1], 2, 2),
    ([(2, 5), (2, 3), (2, 3)], [2, 1, 1], [1, 1, 1], 3, 2),
    ([(2, 2), (2, 2), (2, 2)], [1, 1, 1], [1, 1, 1], 2, 2),
    ([(3, 4)], [1], [1], 4, 3),
]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2 ** 32 - 1), st.sampled_from(LAYOUTS), st.integers(0, 4),
       st.floats(0.0, 1.0))
def test_scan_matches_bit_string_reference(seed, layout, restart, density):
    shapes, h, v, mx, my = layout
    rng = np.random.default_rng(seed)
    blocks = [random_blocks(rng, s, density) for s in shapes]
    dc = _huffman.make_codes(*T.DC_LUMA_K3)
    ac = _huffman.make_codes(*T.AC_LUMA_K5)
    dc2 = _huffman.make_codes(*T.DC_CHROMA_K4)
    ac2 = _huffman.make_codes(*T.AC_CHROMA_K6)
    dcs = [dc] + [dc2] * (len(blocks) - 1)
    acs = [ac] + [ac2] * (len(blocks) - 1)
    want, counts = scan_reference(blocks, h, v, mx, my, restart,
                                  [(d, a) for d, a in zip(dcs, acs)])
    assert _entropy.encode_scan(blocks, h, v, mx, my, dcs, acs, restart) == want
    assert np.array_equal(_entropy.count_symbols(blocks, h, v, mx, my, restart), counts)


def test_counts_drive_optimal_tables_that_code_the_scan():
    rng = np.random.default_rng(3)
    blocks = [random_blocks(rng, (4, 4), 0.2)]
    counts = _entropy.count_symbols(blocks, [1], [1], 4, 4)
    dc = _huffman.make_codes(*_huffman.optimal_table(counts[0, 0]))
    ac = _huffman.make_codes(*_huffman.optimal_table(counts[0, 1]))
    std = _entropy.encode_scan(blocks, [1], [1], 4, 4, [_huffman.make_codes(*T.DC_LUMA_K3)],
                               [_huffman.make_codes(*T.AC_LUMA_K5)])
    opt = _entropy.encode_scan(blocks, [1], [1], 4, 4, [dc], [ac])
    want, _ = scan_reference(blocks, [1], [1], 4, 4, 0, [(dc, ac)])
    assert opt == want and len(opt) <= len(std)


def test_scan_geometry_is_checked():
    b = [np.zeros((3, 3, 64), np.int16)]
    with pytest.raises(ValueError):
        _entropy.count_symbols(b, [1], [1], 2, 2)       # 3x3 blocks do not fit 2x2 MCUs
    with pytest.raises(ValueError):
        _entropy.count_symbols(b, [2], [2], 2, 2)       # one component has 1x1 MCUs
    with pytest.raises(ValueError):
        _entropy.count_symbols([np.zeros((3, 3, 63), np.int16)], [1], [1], 3, 3)
# ==== end encode ====


# ==== decode ====

# ==== end decode ====


@pytest.mark.parametrize("shape, subsampling", [((8, 8), "4:2:0"), ((40, 72), "4:4:4"),
                                                ((128, 512), "4:4:4"), ((96, 40), "gray")])
def test_fused_scan_equals_the_staged_coder_past_its_first_reserve(shape, subsampling):
    """Noise at quality 100 takes more than the 2 bits a pixel both coders
    expect (reserve_scan), so their buffers grow mid-scan where the scan has
    more than one MCU row; the bytes stay the staged coder's."""
    from jpeglite import _encoder, options
    gray = subsampling == "gray"
    rng = np.random.default_rng(shape[1])
    img = rng.integers(0, 256, shape if gray else shape + (3,), dtype=np.uint8)
    _, plan = options.plan_encode(img, 100, "4:4:4" if gray else subsampling, False, 0)
    dc, ac = plan.component_codes(plan.huffman_tables())
    fused = _encoder.encode_scan(img, plan.h, plan.v, plan.component_qtables(), dc, ac)
    blocks = _encoder.forward(img, plan.h, plan.v, plan.component_qtables())
    mcus_y = -(-blocks[0].shape[0] // plan.v[0])
    mcus_x = -(-blocks[0].shape[1] // plan.h[0])
    h, v = (plan.h, plan.v) if len(blocks) > 1 else ((1,), (1,))
    assert _entropy.encode_scan(blocks, h, v, mcus_x, mcus_y, dc, ac) == fused
    assert len(fused) > img.size // 4
    # the file's headers and EOI written around the scan in its own buffer
    head, tail = b"\xff\xd8" + bytes(range(200)) * 7, b"\xff\xd9"
    assert _encoder.encode_scan(img, plan.h, plan.v, plan.component_qtables(), dc, ac,
                                head=head, tail=tail) == head + fused + tail


def test_fused_scan_head_larger_than_the_scan():
    """A head of metadata (an ICC profile) far larger than a tiny image's
    whole scan: the writer makes room for both."""
    from jpeglite import _encoder, options
    img = np.zeros((8, 8, 3), np.uint8)
    _, plan = options.plan_encode(img, 75, "4:2:0", False, 0)
    dc, ac = plan.component_codes(plan.huffman_tables())
    qt = plan.component_qtables()
    scan = _encoder.encode_scan(img, plan.h, plan.v, qt, dc, ac)
    head = bytes(range(256)) * 300
    assert _encoder.encode_scan(img, plan.h, plan.v, qt, dc, ac, head=head,
                                tail=b"\xff\xd9") == head + scan + b"\xff\xd9"
