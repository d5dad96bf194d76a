"""Rate-distortion tuning: what ``tune="psnr"`` decides.

Under ``tune="psnr"`` the encoder minimizes J = D + lambda x R for the image,
D the squared error the RGB PSNR counts and R the bits of the file:

- tables (``psnr_qtables``): flat steps, one table per component, chroma
  finer than luma by the square root of the weight RGB error gives a chroma
  sample (``component_weights``), so that every coefficient trades error for
  bits at about the same slope (high-rate theory);
- coefficients (``rd_quantize``): trellis quantization of every block's AC
  values (``_quant.trellis_quantize``) against the code lengths of the Huffman
  tables the file will have, iterated: count the symbols, build the tables,
  requantize; then the DC values along each component's coding order
  (``_quant.dc_trellis``);
- Huffman tables: optimal for the symbols chosen (the plan's ``optimize``),
  and the file the smaller of a searched progressive one and the baseline
  one (``api.encode``, through ``lossless.optimize``);
- subsampling when the caller gives none (``choose_subsampling``).

Every choice is written in the file (DQT, DHT, the coefficients), so every
JPEG decoder reads the result the same way.
"""
import numpy as np

from . import _entropy, _quant
from . import parallel as _parallel

__all__ = ["TUNES", "FULL_CHROMA_QUALITY", "choose_subsampling", "component_weights",
           "luma_step", "psnr_qtables", "lagrangian", "coding_order", "rd_quantize"]

#: The accepted ``tune`` values (None: no tuning, libjpeg's choices).
TUNES = (None, "psnr")

#: Squared RGB error per unit squared error of Y, Cb, Cr (T.81/JFIF YCbCr ->
#: RGB: e_R = e_Y + 1.402 e_Cr, e_G = e_Y - 0.344136 e_Cb - 0.714136 e_Cr,
#: e_B = e_Y + 1.772 e_Cb; errors of the components taken as uncorrelated).
_RGB_ERROR = (3.0, 0.344136 ** 2 + 1.772 ** 2, 1.402 ** 2 + 0.714136 ** 2)

#: The luma step at quality 50; IJG scaling maps quality to a multiple of it
#: (quality 75: half), as it does the Annex K tables. 24 puts quality 75
#: (step 12) at 1.38 bits per pixel on the 24 Kodak photos, beside Pillow's
#: q75 (1.37).
_BASE_STEP = 24

#: The multiplier lambda in units of the luma step squared: the slope of
#: D(R) for a uniform quantizer at high rate (D = Q^2/12 falling by half per
#: bit, so dD/dR = 2 ln 2 Q^2 / 12 ~ Q^2 / 8.7).
_LAMBDA_PER_STEP2 = 2 * np.log(2) / 12

#: Trellis passes after the first table estimate (each: tables, requantize).
_LOOPS = 2


#: From this quality up, tune="psnr" keeps full chroma when the caller does
#: not choose: measured on Kodak photos, 4:4:4 spends its extra chroma bits
#: better than 4:2:0 spends them on finer steps above ~2.3 bits per pixel
#: (quality 85: +0.1 dB at equal rate; 90: +0.4 dB), worse below
#: (quality 70-80: -0.1 to -0.2 dB).
FULL_CHROMA_QUALITY = 85


def choose_subsampling(tune, quality):
    """The chroma subsampling when the caller gives none: "4:2:0" (libjpeg's
    default), or under tune="psnr" "4:4:4" from ``FULL_CHROMA_QUALITY`` up."""
    q = 75 if quality is None else quality
    return "4:4:4" if tune == "psnr" and q >= FULL_CHROMA_QUALITY else "4:2:0"


def component_weights(h, v):
    """Per component (Y, Cb, Cr; or Y alone), the RGB squared error one unit of
    its squared error costs, relative to luma: the RGB weight of the
    channel times the pixels one of its samples covers (4 at 4:2:0)."""
    if len(h) == 1:
        return [1.0]
    mh, mv = max(h), max(v)
    return [_RGB_ERROR[c] / _RGB_ERROR[0] * (mh * mv) / (h[c] * v[c]) for c in range(3)]


def luma_step(quality):
    """The luma quantizer step for ``quality`` 1..100, before rounding: 24 at
    quality 50, scaled as libjpeg scales tables (5000/q % below 50, 200 - 2q %
    above; 12 at 75, 0 at 100). Monotone: a higher quality never gets a
    coarser step. The tables round it (at least 1); lambda keeps it as it is,
    so that qualities whose tables are all ones still trade fewer bits for
    less error (100: plain rounding)."""
    from .tables import quality_scale
    return _BASE_STEP * quality_scale(quality) / 100.0


#: The DC step relative to the AC steps. Flat (1) is what high-rate theory
#: asks; at low rates, where a block is mostly its DC, a finer DC step buys
#: more PSNR than its bits cost (measured on Kodak: BD-rate 0.2 points
#: better at 0.7, worse again at 0.5).
_DC_RATIO = 0.7


def psnr_qtables(quality, h, v):
    """{slot: 64 steps (natural order, uint16)}: one flat table per component,
    luma ``luma_step(quality)``, chroma finer by the square root of its
    weight (``component_weights``), the DC step ``_DC_RATIO`` of the AC
    step; rounded and kept in 1..255 (baseline)."""
    q = luma_step(quality)
    out = {}
    for c, w in enumerate(component_weights(h, v)):
        step = q / np.sqrt(w)
        table = np.full(64, step)
        table[0] = step * _DC_RATIO
        out[c] = np.clip(np.floor(table + 0.5), 1, 255).astype(np.uint16)
    return out


def lagrangian(step):
    """lambda (squared error per bit, luma units) for a luma quantizer step:
    the high-rate slope of D(R) for that step."""
    return _LAMBDA_PER_STEP2 * float(step) ** 2


def _ac_lengths(quantized, users):
    """AC code lengths (256, bits) of the optimal table for the blocks of
    components ``users``, every valid AC symbol counted once more so that a
    symbol unused so far keeps a finite cost (mozjpeg does the same)."""
    from ._huffman import make_codes, optimal_table

    counts = np.zeros(256, np.int64)
    for c in users:
        q = quantized[c]
        counts += _entropy.count_symbols([q], [1], [1], q.shape[1], q.shape[0])[0, 1]
    valid = np.zeros(256, bool)
    for run in range(16):
        valid[(run << 4) + 1:(run << 4) + 11] = True
    valid[0x00] = valid[0xF0] = True
    counts[valid] += 1
    return make_codes(*optimal_table(counts))[1].astype(np.int64)


def coding_order(shapes, h, v, mcus_x, mcus_y):
    """Per component, the flat indexes (into its (rows, cols) blocks) of its
    blocks in the order one interleaved scan codes them (MCU by MCU, each
    component's h x v blocks of an MCU row by row); raster order for one
    component. Dummy blocks past the edge are left out: they repeat the DC
    before them, which keeps the prediction of the next real block."""
    out = []
    for (rows, cols), hc, vc in zip(shapes, h, v):
        if len(shapes) == 1:
            hc, vc = 1, 1
        my, mx, dy, dx = np.meshgrid(np.arange(mcus_y), np.arange(mcus_x), np.arange(vc),
                                     np.arange(hc), indexing="ij")
        r, c = (my * vc + dy).reshape(-1), (mx * hc + dx).reshape(-1)
        keep = (r < rows) & (c < cols)
        out.append(r[keep] * cols + c[keep])
    return out


def _dc_lengths(chains):
    """DC code lengths (bits per category) of the optimal table for the DC
    chains (values in coding order, each predicted from 0 first), every
    category 0..11 counted once more (finite costs for all)."""
    from ._huffman import make_codes, optimal_table

    counts = np.zeros(256, np.int64)
    for chain in chains:
        diff = np.diff(chain.astype(np.int64), prepend=0)
        cat = np.ceil(np.log2(np.abs(diff) + 1)).astype(np.int64)
        counts[:12] += np.bincount(cat, minlength=12)[:12]
    counts[:12] += 1
    return make_codes(*optimal_table(counts))[1].astype(np.int64)


def rd_quantize(coefficients, qtables, weights, table_of, lam, threads, plain, dc_tables=None,
                order=None):
    """The quantized blocks of every component, chosen for squared error +
    ``lam`` x bits.

    ``coefficients``: per component the FDCT output, (rows, cols, 64) int32
    scaled by 8; ``qtables``: per component its 64 steps; ``weights``: per
    component the squared error weight (``component_weights``); ``table_of``:
    per component its AC Huffman table id; ``plain``: the same blocks
    quantized by rounding (the first estimate of the symbol statistics).
    Each pass builds every AC table from the current symbols and
    requantizes all blocks against its code lengths (``_LOOPS`` passes).
    Blocks are quantized in parallel row bands; the result is the same for
    every thread count. With ``order`` (``coding_order``) and ``dc_tables``
    (per component its DC Huffman table id), the DC values of each component
    are then chosen along the chain the scan codes them in
    (``_quant.dc_trellis``), against the DC code lengths of the rounded values.
    """
    n = len(coefficients)
    quantized = plain
    jobs = [(c, a, b) for c in range(n) for a, b in _parallel.split(coefficients[c].shape[0], threads)]
    for _ in range(_LOOPS):
        lengths = {t: _ac_lengths(quantized, [c for c in range(n) if table_of[c] == t])
                   for t in set(table_of)}
        out = [np.empty(c.shape, np.int16) for c in coefficients]

        def run(job, lengths=lengths, out=out):
            c, a, b = job
            _quant.trellis_quantize(coefficients[c][a:b], qtables[c], lengths[table_of[c]],
                                    lam / weights[c], out[c][a:b])

        _parallel.run(run, jobs, threads)
        quantized = out
    if order is not None:
        chains = [quantized[c].reshape(-1, 64)[order[c], 0] for c in range(n)]
        lengths = {t: _dc_lengths([chains[c] for c in range(n) if dc_tables[c] == t])
                   for t in set(dc_tables)}

        def run_dc(c):
            x = coefficients[c].reshape(-1, 64)[order[c], 0]
            flat = quantized[c].reshape(-1, 64)
            flat[order[c], 0] = _quant.dc_trellis(x, float(qtables[c][0]), lengths[dc_tables[c]],
                                                  lam / weights[c])

        _parallel.run(run_dc, range(n), threads)
    return quantized
