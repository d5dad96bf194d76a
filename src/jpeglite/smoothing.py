"""libjpeg's block smoothing of progressive files whose low frequencies are
incomplete (jdcoefct.c's decompress_smooth_data, as libjpeg-turbo 2.1+ does it).

A progressive file that ends (with an EOI) before its first AC coefficients
are complete, or whose last scan ran out of data, decodes blocky. libjpeg
then estimates each block's still-zero coefficients 1..9 (zigzag order) from
the DC values of the 5 x 5 blocks around it (T.81 K.8's idea, on a wider
window), and when a component has no AC data at all it also smooths the DC
itself; each estimate is bounded by what the file's successive
approximation leaves unknown.  The estimates go into a copy of the
coefficients that the inverse DCT reads; the file's coefficients
(``read_coefficients``) are left as they are.

``Progress`` follows what the scans have coded (libjpeg's ``coef_bits``);
``smooth`` applies the estimates.  The kernel weights below are libjpeg's
numbers (facts of its behaviour, which Pillow's pixels follow).
"""
import numpy as np

__all__ = ["Progress", "smooth"]

SAVED = 10          # coefficients 0..9 (zigzag) take part
# zigzag index k -> natural (row-major) index of coefficients 1..9
_NATURAL = (0, 1, 8, 16, 9, 2, 3, 10, 17, 24)


def _w(rows):
    return np.array(rows, np.int64)


_Z = [0, 0, 0, 0, 0]
# 5 x 5 weights over the DC values of rows r-2..r+2 and columns b-2..b+2
# (per zigzag coefficient): with some AC data known, and with none (change_dc)
_WEIGHTS = {
    1: (_w([_Z, _Z, [-7, 50, 0, -50, 7], _Z, _Z]),
        _w([[-1, -1, 0, 1, 1], [-3, 13, 0, -13, 3], [-3, 38, 0, -38, 3],
            [-3, 13, 0, -13, 3], [-1, -1, 0, 1, 1]])),
    2: (_w([[0, 0, -7, 0, 0], [0, 0, 50, 0, 0], _Z, [0, 0, -50, 0, 0], [0, 0, 7, 0, 0]]),
        _w([[-1, -3, -3, -3, -1], [-1, 13, 38, 13, -1], _Z,
            [1, -13, -38, -13, 1], [1, 3, 3, 3, 1]])),
    3: (_w([[0, 0, -1, 0, 0], [0, 0, 13, 0, 0], [0, 0, -24, 0, 0], [0, 0, 13, 0, 0],
            [0, 0, -1, 0, 0]]),
        _w([[0, 0, 1, 0, 0], [0, 2, 7, 2, 0], [0, -5, -14, -5, 0], [0, 2, 7, 2, 0],
            [0, 0, 1, 0, 0]])),
    4: (_w([[0, -1, 0, 1, 0], [-1, 10, 0, -10, 1], _Z, [1, -10, 0, 10, -1], [0, 1, 0, -1, 0]]),
        _w([[-1, 0, 0, 0, 1], [0, 9, 0, -9, 0], _Z, [0, -9, 0, 9, 0], [1, 0, 0, 0, -1]])),
    5: (_w([_Z, _Z, [-1, 13, -24, 13, -1], _Z, _Z]),
        _w([_Z, [0, 2, -5, 2, 0], [1, 7, -14, 7, 1], [0, 2, -5, 2, 0], _Z])),
    6: (None, _w([_Z, [0, 1, 0, -1, 0], [0, 2, 0, -2, 0], [0, 1, 0, -1, 0], _Z])),
    7: (None, _w([_Z, [0, 1, -3, 1, 0], _Z, [0, -1, 3, -1, 0], _Z])),
    8: (None, _w([_Z, [0, 1, 0, -1, 0], [0, -3, 0, 3, 0], [0, 1, 0, -1, 0], _Z])),
    9: (None, _w([_Z, [0, 1, 2, 1, 0], _Z, [0, -1, -2, -1, 0], _Z])),
    0: (None, _w([[-2, -6, -8, -6, -2], [-6, 6, 42, 6, -6], [-8, 42, 152, 42, -8],
                  [-6, 6, 42, 6, -6], [-2, -6, -8, -6, -2]])),
}


class Progress:
    """What the scans of a progressive file have coded so far, per component:
    for coefficients 0..9 (zigzag) the Al of the scan that last coded it, -1
    if none has, 0 once exact (libjpeg's coef_bits), and the same as it was
    before that component's last scan (for rows its last scan did not reach)."""

    def __init__(self, ncomponents):
        self.bits = [[-1] * SAVED for _ in range(ncomponents)]
        self.before = [[-1] * SAVED for _ in range(ncomponents)]
        self.scans = 0
        self.last_good = None     # the last iMCU row the last scan decoded data of (None: all)

    def scan(self, indices, Ss, Se, Al):
        """Record a scan of the components ``indices`` (frame order) over
        coefficients ``Ss``..``Se`` with successive approximation ``Al``."""
        self.scans += 1
        for ci in indices:
            bits = self.bits[ci]
            # libjpeg copies 1..9 (and 0 for a DC scan) as they were
            for k in range(min(Ss, 1), SAVED):
                self.before[ci][k] = bits[k] if self.scans > 1 else 0
            for k in range(Ss, min(Se, SAVED - 1) + 1):
                bits[k] = Al


def _needed(progress, quant):
    """Whether libjpeg smooths (smoothing_ok): every component's table latched,
    with nonzero quantizers 0..9, its DC coded at least in part, and some
    coefficient 1..9 of some component not exact."""
    useful = False
    for ci, q in enumerate(quant):
        if q is None or any(int(q[_NATURAL[k]]) == 0 for k in range(SAVED)):
            return False
        if progress.bits[ci][0] < 0:
            return False
        if any(b != 0 for b in progress.bits[ci][1:]):
            useful = True
    return useful


def _row_indices(rows, v, total_imcu_rows):
    """For each real block row, the rows libjpeg reads as r-2 .. r+2: clamped
    to the component's rows, its count of the last iMCU row's rows included."""
    out = np.empty((rows, 5), np.intp)
    last = total_imcu_rows - 1
    for r in range(rows):
        m, br = divmod(r, v)
        if m >= last:
            m, br = last, r - last * v
            block_rows = rows % v or v
        else:
            block_rows = v
        ibr, ibrs = m * block_rows + br, block_rows * total_imcu_rows
        prev = r - 1 if ibr > 0 else r
        prev2 = r - 2 if ibr > 1 else prev
        nxt = r + 1 if ibr < ibrs - 1 else r
        nxt2 = r + 2 if ibr < ibrs - 2 else nxt
        out[r] = (prev2, prev, r, nxt, nxt2)
    return out


def _estimate(num, q, al):
    """libjpeg's rounded estimate of a coefficient from ``num`` (Q00 times a
    weighted DC sum), capped below 2**al when al > 0."""
    mag = ((q << 7) + np.abs(num)) // (q << 8)
    if al > 0:
        mag = np.minimum(mag, (1 << al) - 1)
    return np.where(num >= 0, mag, -mag)


def _smooth_rows(coefs, out, rows, cols, dc_grid, bits, q):
    change_dc = all(b == -1 for b in bits[1:])
    q00 = int(q[0])
    sel = out[rows][:, :cols]                   # a copy: written back by the caller
    for k in (1, 2, 3, 4, 5, 6, 7, 8, 9, 0):
        w = _WEIGHTS[k][1 if change_dc else 0]
        if w is None or (k != 0 and bits[k] == 0) or (k == 0 and not change_dc):
            continue
        acc = np.zeros(sel.shape[:2], np.int64)
        for i in range(5):
            for j in range(5):
                if w[i, j]:
                    acc += w[i, j] * dc_grid[i][j][rows]
        num = q00 * acc
        pos = _NATURAL[k]
        # (the DC estimate is not bounded by its Al)
        est = _estimate(num, int(q[pos]), bits[k] if k else 0).astype(np.int16)
        if k == 0:
            sel[..., 0] = est
        else:
            here = coefs[rows][:, :cols, pos]
            sel[..., pos] = np.where(here == 0, est, sel[..., pos])
    out[rows, :cols] = sel


def smooth(frame, coefs, raw_quant, progress):
    """The coefficients libjpeg's inverse DCT reads for a progressive frame:
    ``coefs`` (per component, (block rows, blocks per row, 64) int16, natural
    order) smoothed where libjpeg smooths them, else ``coefs`` itself.
    ``raw_quant``: per component its latched table (natural order), None if
    no scan read it; ``progress``: the file's ``Progress``."""
    from .coefficients import component_size

    if not frame.progressive or not _needed(progress, raw_quant):
        return coefs
    total = -(-frame.height // (8 * frame.max_v))
    result = []
    for c, arr, q in zip(frame.components, coefs, raw_quant):
        w, h = component_size(frame.width, frame.height, c.h, c.v, frame.max_h, frame.max_v)
        rows, cols = -(-h // 8), -(-w // 8)
        q = np.asarray(q, np.int64)
        ridx = _row_indices(rows, c.v, total)
        cidx = np.clip(np.arange(cols)[:, None] + np.arange(-2, 3)[None, :], 0, cols - 1)
        dc = arr[..., 0].astype(np.int64)
        dc_grid = [[dc[ridx[:, i]][:, cidx[:, j]] for j in range(5)] for i in range(5)]
        out = arr.copy()
        good = progress.last_good
        split = rows if good is None else min(rows, (good + 1) * c.v)
        before = progress.before[c.index] if progress.scans > 1 else [-1] * SAVED
        for part, bits in ((np.arange(0, split), progress.bits[c.index]),
                           (np.arange(split, rows), before)):
            if len(part) and any(b != 0 for b in bits[1:]):
                _smooth_rows(arr, out, part, cols, dc_grid, bits, q)
        result.append(out)
    return result
