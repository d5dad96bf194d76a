"""A pure-Python walk of a JPEG file's scans, bit by bit, for the accounting tests.

Written from T.81 (B.1 markers, C canonical codes, F.2.2 sequential, G.1.2
progressive decoding, F.1.2.3 padding, B.1.1.5 stuffing) and sharing nothing
with jpeglite's parser, decoder or _scan_stats kernel, so that the kernel's
tallies can be checked against a second computation. Slow: for small files.

``walk(data)`` returns a list of scans, each a dict:

- ``components``: frame component indices in scan order;
- ``tally``: per frame component index, the counts the kernel reports
  (dc/ac code and amplitude bits, eob, eobrun, eobrun_bits, zrl,
  correction_bits, blocks);
- ``padding``: padding bits of each restart interval, ``padding_ones``: all
  of them 1-bits; ``stuffed``, ``fill``, ``restart_markers``; ``start`` and
  ``end`` (first data byte, the 0xFF of the marker after the data).

and ``segments(data)`` the marker segments as (code, offset, bytes).
"""
FIELDS = ("dc_code_bits", "dc_amplitude_bits", "ac_code_bits", "ac_amplitude_bits", "eob",
          "eobrun", "eobrun_bits", "zrl", "correction_bits", "blocks")


def _be16(b, i):
    return (b[i] << 8) | b[i + 1]


def segments(data):
    """[(marker code, offset of its 0xFF, total bytes)] of every length-carrying
    segment and of SOI/EOI, in file order (scan data not included)."""
    out, pos = [(0xD8, 0, 2)], 2
    while pos < len(data) - 1:
        if data[pos] != 0xFF:
            pos += 1
            continue
        m = data[pos + 1]
        if m == 0xFF or m == 0x00 or 0xD0 <= m <= 0xD7:
            pos += 1 if m == 0xFF else 2
            continue
        if m == 0xD9:
            out.append((m, pos, 2))
            break
        n = 2 + _be16(data, pos + 2)
        out.append((m, pos, n))
        pos += n
    return out


def _codes(counts, symbols):
    """{bit string: symbol} of a canonical Huffman table (T.81 C.2)."""
    table, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(counts[length - 1]):
            table[format(code, f"0{length}b")] = symbols[k]
            code += 1
            k += 1
        code <<= 1
    return table


class _Bits:
    def __init__(self, chunk):
        self.bits = "".join(format(b, "08b") for b in chunk)
        self.at = 0

    def read(self, n):
        v = int(self.bits[self.at:self.at + n] or "0", 2) if n else 0
        assert self.at + n <= len(self.bits), "data ran out"
        self.at += n
        return v

    def symbol(self, table):
        for length in range(1, 17):
            s = table.get(self.bits[self.at:self.at + length])
            if s is not None:
                self.at += length
                return s, length
        raise AssertionError("no Huffman code matches")


def _extend(v, s):
    return v if s == 0 or v >= 1 << (s - 1) else v - (1 << s) + 1


def walk(data):
    assert data[:2] == b"\xff\xd8"
    tables, dri, frame, coefs, scans = {}, 0, None, None, []
    pos = 2
    while True:
        while data[pos] != 0xFF or data[pos + 1] == 0xFF:
            pos += 1
        m = data[pos + 1]
        if m == 0xD9:
            return scans
        if 0xD0 <= m <= 0xD7:
            pos += 2
            continue
        n = _be16(data, pos + 2)
        seg = data[pos + 4:pos + 2 + n]
        nxt = pos + 2 + n
        if m == 0xC4:
            i = 0
            while i < len(seg):
                counts = list(seg[i + 1:i + 17])
                syms = list(seg[i + 17:i + 17 + sum(counts)])
                tables[(seg[i] >> 4, seg[i] & 15)] = _codes(counts, syms)
                i += 17 + sum(counts)
        elif m == 0xDD:
            dri = _be16(seg, 0)
        elif m in (0xC0, 0xC1, 0xC2):
            height, width = _be16(seg, 1), _be16(seg, 3)
            comps = [(seg[6 + 3 * i], seg[7 + 3 * i] >> 4, seg[7 + 3 * i] & 15)
                     for i in range(seg[5])]
            hmax, vmax = max(c[1] for c in comps), max(c[2] for c in comps)
            mx, my = -(-width // (8 * hmax)), -(-height // (8 * vmax))
            frame = dict(progressive=m == 0xC2, width=width, height=height, comps=comps,
                         hmax=hmax, vmax=vmax, mx=mx, my=my)
            coefs = [[[0] * 64 for _ in range(my * v * mx * h)] for _, h, v in comps]
        elif m == 0xDA:
            scan, nxt = _walk_scan(data, nxt, seg, frame, tables, dri, coefs)
            scans.append(scan)
        pos = nxt


def _walk_scan(data, start, seg, f, tables, dri, coefs):
    ns = seg[0]
    ids = [c[0] for c in f["comps"]]
    sel = [(ids.index(seg[1 + 2 * i]), seg[2 + 2 * i] >> 4, seg[2 + 2 * i] & 15)
           for i in range(ns)]
    ss, se, ah, al = seg[1 + 2 * ns], seg[2 + 2 * ns], seg[3 + 2 * ns] >> 4, seg[3 + 2 * ns] & 15
    if not f["progressive"]:
        kind = "seq"
    else:
        kind = ("dc" if ss == 0 else "ac") + ("refine" if ah else "first")
    # the entropy-coded data: unstuffed bytes per restart interval
    intervals, cur, stuffed, fill, rst, i = [], bytearray(), 0, 0, 0, start
    while True:
        b = data[i]
        if b != 0xFF:
            cur.append(b)
            i += 1
            continue
        nb = data[i + 1]
        if nb == 0x00:
            cur.append(0xFF)
            stuffed += 1
            i += 2
        elif nb == 0xFF:
            fill += 1
            i += 1
        elif 0xD0 <= nb <= 0xD7:
            intervals.append(cur)
            cur = bytearray()
            rst += 1
            i += 2
        else:
            break
    intervals.append(cur)
    end = i
    # the MCUs and their blocks (T.81 A.2)
    wblocks = []   # per frame component: blocks per row in coefs
    for ci, (_, h, v) in enumerate(f["comps"]):
        wblocks.append(f["mx"] * h)
    if ns == 1:
        ci = sel[0][0]
        _, h, v = f["comps"][ci]
        cw = -(-f["width"] * h // f["hmax"])
        ch = -(-f["height"] * v // f["vmax"])
        mcus_x, mcus_y = -(-cw // 8), -(-ch // 8)

        def mcu_blocks(mx, my):
            return [(ci, my * wblocks[ci] + mx)]
    else:
        mcus_x, mcus_y = f["mx"], f["my"]

        def mcu_blocks(mx, my):
            out = []
            for ci, _td, _ta in sel:
                _, h, v = f["comps"][ci]
                for by in range(v):
                    for bx in range(h):
                        out.append((ci, (my * v + by) * wblocks[ci] + mx * h + bx))
            return out
    zz = _zigzag()
    tally = {ci: dict.fromkeys(FIELDS, 0) for ci, _, _ in sel}
    dct = {ci: tables.get((0, td)) for ci, td, _ in sel}
    act = {ci: tables.get((1, ta)) for ci, _, ta in sel}
    total = mcus_x * mcus_y
    per = dri or total
    assert len(intervals) == -(-total // per), "restart markers do not match the MCUs"
    padding, ones = [], True
    for k, chunk in enumerate(intervals):
        bits = _Bits(chunk)
        pred = {ci: 0 for ci, _, _ in sel}
        eobrun = 0
        for m in range(k * per, min(total, (k + 1) * per)):
            for ci, b in mcu_blocks(m % mcus_x, m // mcus_x):
                t = tally[ci]
                t["blocks"] += 1
                blk = coefs[ci][b]
                if kind in ("seq", "dcfirst"):
                    s, n = bits.symbol(dct[ci])
                    t["dc_code_bits"] += n
                    t["dc_amplitude_bits"] += s
                    pred[ci] += _extend(bits.read(s), s)
                    blk[0] = pred[ci] << al
                if kind == "dcrefine":
                    t["correction_bits"] += 1
                    if bits.read(1):
                        blk[0] |= 1 << al
                if kind == "seq":
                    z = 1
                    while z < 64:
                        rs, n = bits.symbol(act[ci])
                        t["ac_code_bits"] += n
                        r, s = rs >> 4, rs & 15
                        if s:
                            z += r
                            t["ac_amplitude_bits"] += s
                            blk[zz[z]] = _extend(bits.read(s), s)
                        elif r == 15:
                            t["zrl"] += 1
                            z += 15
                        else:
                            t["eob"] += 1
                            break
                        z += 1
                elif kind == "acfirst":
                    if eobrun:
                        eobrun -= 1
                        continue
                    z = ss
                    while z <= se:
                        rs, n = bits.symbol(act[ci])
                        t["ac_code_bits"] += n
                        r, s = rs >> 4, rs & 15
                        if s:
                            z += r
                            t["ac_amplitude_bits"] += s
                            blk[zz[z]] = _extend(bits.read(s), s) * (1 << al)
                        elif r == 15:
                            t["zrl"] += 1
                            z += 15
                        else:
                            eobrun = (1 << r) + bits.read(r) - 1
                            t["eobrun" if r else "eob"] += 1
                            t["eobrun_bits"] += r
                            break
                        z += 1
                elif kind == "acrefine":
                    p1 = 1 << al
                    z = ss
                    if eobrun == 0:
                        while z <= se:
                            rs, n = bits.symbol(act[ci])
                            t["ac_code_bits"] += n
                            r, s = rs >> 4, rs & 15
                            new = 0
                            if s:
                                t["ac_amplitude_bits"] += 1
                                new = p1 if bits.read(1) else -p1
                            elif r != 15:
                                eobrun = (1 << r) + bits.read(r)
                                t["eobrun" if r else "eob"] += 1
                                t["eobrun_bits"] += r
                                break
                            else:
                                t["zrl"] += 1
                            # pass r coefficients with no history; correct the others
                            while z <= se:
                                if blk[zz[z]]:
                                    t["correction_bits"] += 1
                                    if bits.read(1) and not blk[zz[z]] & p1:
                                        blk[zz[z]] += p1 if blk[zz[z]] > 0 else -p1
                                elif r == 0:
                                    break
                                else:
                                    r -= 1
                                z += 1
                            if new:
                                blk[zz[z]] = new
                            z += 1
                    if eobrun:
                        while z <= se:
                            if blk[zz[z]]:
                                t["correction_bits"] += 1
                                if bits.read(1) and not blk[zz[z]] & p1:
                                    blk[zz[z]] += p1 if blk[zz[z]] > 0 else -p1
                            z += 1
                        eobrun -= 1
        pad = len(bits.bits) - bits.at
        padding.append(pad)
        ones &= set(bits.bits[bits.at:]) <= {"1"}
    return ({"components": [ci for ci, _, _ in sel], "tally": tally, "padding": padding,
             "padding_ones": ones, "stuffed": stuffed, "fill": fill, "restart_markers": rst,
             "start": start, "end": end, "kind": kind, "band": (ss, se), "approx": (ah, al)},
            end)


def _zigzag():
    """T.81 Figure A.6: zigzag position -> natural (row-major) index."""
    order = []
    for d in range(15):
        cells = [(i, d - i) for i in range(8) if 0 <= d - i < 8]
        order += cells if d % 2 else cells[::-1]
    return [r * 8 + c for r, c in order]
