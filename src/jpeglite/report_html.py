"""The HTML form of a Report: one self-contained page of where the bits go.

``report_html(report)`` returns a page with nothing to fetch (no network, no
files beside it): inline CSS, inline SVG charts, and the pictures as PNG data
URIs written here with zlib (Pillow is not needed). Its sections, each an
``<section id=...>``:

- ``summary``: size, bits per pixel, distortion or the file's process;
- ``stages``: the stage table, and a bar chart of bits per stage;
- ``split``: L(P) (model: DQT + DHT), headers, L(D|P) (entropy-coded data)
  and metadata, as one stacked bar;
- ``frequencies``: per component an 8x8 heat map of the coefficients' bits
  per frequency (the quantize stage's entropy, natural order);
- ``blocks``: per component, the bits each 8x8 block costs
  (``report.block_bits``) as a heat map laid over the decoded picture;
- ``segments`` and ``scans`` (file reports only): the file's marker
  segments and scans.
"""
from __future__ import annotations

import base64
import html
import struct
import zlib
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .report import Report

__all__ = ["report_html", "png_bytes", "colormap"]

# Anchors of the heat-map colour scale (dark blue, purple, red, orange, pale
# yellow): dark for few bits, bright for many, ordered in lightness so it
# reads in grey too.
_ANCHORS = np.array([[13, 8, 135], [126, 3, 168], [204, 71, 120], [248, 149, 64],
                     [240, 249, 33]], dtype=np.float64)
_PART_COLOURS = {"model": "#7e03a8", "header": "#9e9e9e", "data": "#f89540",
                 "metadata": "#3b8bc2"}
# The picture under the block map is shown at most this wide (pixels); larger
# images are subsampled so that the page stays a few hundred kB.
_MAX_PICTURE_WIDTH = 768
# Files up to this size (bytes) are shown as they are; larger ones are decoded
# and shown subsampled as PNG.
_MAX_INLINE_FILE = 1 << 20
# Longest tables printed in full (a hostile file can have thousands of segments).
_MAX_ROWS = 400


def colormap(values: np.ndarray, top: float) -> np.ndarray:
    """RGB uint8 colours (shape ``values.shape + (3,)``) of values scaled to
    [0, top]: the page's heat-map scale, dark (0) to bright (``top`` and above)."""
    t = np.clip(np.asarray(values, dtype=np.float64) / (top if top > 0 else 1.0), 0.0, 1.0)
    pos = t * (len(_ANCHORS) - 1)
    lo = np.minimum(pos.astype(np.int64), len(_ANCHORS) - 2)
    frac = (pos - lo)[..., None]
    return np.rint(_ANCHORS[lo] * (1 - frac) + _ANCHORS[lo + 1] * frac).astype(np.uint8)


def png_bytes(image: np.ndarray) -> bytes:
    """A PNG file (bytes) of a uint8 image, (H, W) grey or (H, W, 3) RGB."""
    a = np.ascontiguousarray(image, dtype=np.uint8)
    if a.ndim == 2:
        colour_type, channels = 0, 1
    elif a.ndim == 3 and a.shape[2] == 3:
        colour_type, channels = 2, 3
    else:
        raise ValueError(f"image must be (H, W) or (H, W, 3), got shape {a.shape}")
    h, w = a.shape[:2]
    rows = np.zeros((h, 1 + w * channels), np.uint8)   # filter byte 0 (none) per row
    rows[:, 1:] = a.reshape(h, w * channels)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
            + chunk(b"IEND", b""))


def _data_uri(image: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(x: float) -> str:
    return f"{x:,.0f}"


def _picture_uri(report: Report) -> str | None:
    """A data URI of the picture to lay the block maps over: the file itself
    when small (the browser decodes it), else jpeglite's decode of it,
    subsampled, as PNG; None when it cannot be decoded (the page is still written)."""
    if len(report.data) <= _MAX_INLINE_FILE:
        return "data:image/jpeg;base64," + base64.b64encode(report.data).decode("ascii")
    from .decoder import DEFAULT_MAX_PIXELS, decode

    try:
        img = decode(report.data, DEFAULT_MAX_PIXELS, 1)
    except ValueError:
        return None
    if img.ndim == 3 and img.shape[2] != 3:
        # CMYK/YCCK as stored: its first plane as grey is enough to place the bits on
        img = img[:, :, 0]
    step = -(-img.shape[1] // _MAX_PICTURE_WIDTH)
    return _data_uri(img[::step, ::step])


def _table(head: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    out = ["<table><thead><tr>"]
    out += [f"<th>{_esc(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows[:_MAX_ROWS]:
        out.append("<tr>" + "".join(
            f"<td class=num>{_esc(v)}</td>" if i in numeric else f"<td>{_esc(v)}</td>"
            for i, v in enumerate(row)) + "</tr>")
    if len(rows) > _MAX_ROWS:
        out.append(f"<tr><td colspan={len(head)}>... {len(rows) - _MAX_ROWS:,} more rows"
                   " (the text report lists them all)</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _bar_chart(labels: list[str], values: list[float], unit: str) -> str:
    """Horizontal bars (inline SVG), one per label, lengths proportional to values."""
    width, label_w, row_h = 640, 90, 26
    top = max(values) if values and max(values) > 0 else 1.0
    bar_w = width - label_w - 150
    parts = [f'<svg class=chart width="{width}" height="{row_h * len(values) + 8}" '
             f'role="img" aria-label="bits per stage">']
    for i, (name, v) in enumerate(zip(labels, values)):
        y = 4 + i * row_h
        w = max(1.0, bar_w * v / top)
        colour = "#%02x%02x%02x" % tuple(int(c) for c in colormap(np.array(v / top), 1.0))
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{_esc(name)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h - 6}" '
                     f'fill="{colour}"><title>{_esc(name)}: {_num(v)} {unit}</title></rect>'
                     f'<text x="{label_w + w + 6:.1f}" y="{y + 17}">{_num(v)} {unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _split_bar(report: Report) -> str:
    parts = [("model", "L(P) model: DQT + DHT", report.model_bits),
             ("header", "headers", report.header_bits),
             ("data", "L(D|P) entropy-coded data", report.data_bits),
             ("metadata", "metadata", report.metadata_bits)]
    total = report.file_bits or 1
    width = 640
    x = 0.0
    svg = [f'<svg class=chart width="{width}" height="34" role="img" aria-label="file split">']
    legend = []
    for key, label, bits in parts:
        if bits <= 0:
            continue
        w = width * bits / total
        svg.append(f'<rect x="{x:.2f}" y="2" width="{max(w, 1.0):.2f}" height="30" '
                   f'fill="{_PART_COLOURS[key]}"><title>{_esc(label)}: {_num(bits)} bits'
                   f'</title></rect>')
        x += w
        legend.append(f'<li><span class=swatch style="background:{_PART_COLOURS[key]}"></span>'
                      f'{_esc(label)}: {_num(bits)} bits ({100.0 * bits / total:.2f}%)</li>')
    svg.append("</svg>")
    return "".join(svg) + "<ul class=legend>" + "".join(legend) + "</ul>"


def _frequency_maps(report: Report) -> str:
    comps = report.stage("quantize").details.get("components", {})
    out = []
    for name, c in comps.items():
        bits = np.asarray(c.get("frequency_bits", []), dtype=np.float64)
        if bits.size != 64:
            continue
        grid = bits.reshape(8, 8)
        # the DC term dwarfs the rest: scale the colours to the largest AC term
        top = float(grid.ravel()[1:].max()) or 1.0
        colours = colormap(grid, top)
        cells = []
        for v in range(8):
            for u in range(8):
                r, g, b = (int(x) for x in colours[v, u])
                ink = "#000" if 0.3 * r + 0.6 * g + 0.1 * b > 140 else "#fff"
                x = grid[v, u]
                label = f"{x / 1000:.0f}k" if x >= 1000 else f"{x:.0f}"
                cells.append(f'<div class=cell style="background:rgb({r},{g},{b});color:{ink}" '
                             f'title="{_esc(name)} frequency ({v},{u}): {x:,.0f} bits">'
                             f'{label}</div>')
        out.append(f'<figure class=freq><div class=grid8>{"".join(cells)}</div>'
                   f'<figcaption>{_esc(name)}: {bits.sum():,.0f} bits; DC {bits[0]:,.0f}'
                   f'</figcaption></figure>')
    return "".join(out)


def _sampling(report: Report) -> dict[str, list[int]]:
    if report.kind == "file":
        return dict(report.options.get("sampling_factors", {}))
    return dict(report.stage("subsample").details.get("sampling_factors", {}) or {"Y": [1, 1]})


def _block_maps(report: Report) -> str:
    if not report.block_bits:
        return "<p>No per-block map in this report.</p>"
    sampling = _sampling(report)
    maxh = max((hv[0] for hv in sampling.values()), default=1)
    maxv = max((hv[1] for hv in sampling.values()), default=1)
    out = []
    for name, bits in report.block_bits.items():
        bits = np.asarray(bits)
        if bits.size == 0:
            continue
        h, v = sampling.get(name, [maxh, maxv])
        top = float(np.percentile(bits, 99)) or float(bits.max()) or 1.0
        # a component's blocks cover 8 maxh/h x 8 maxv/v image pixels each
        map_w = 100.0 * bits.shape[1] * 8 * maxh / h / report.width
        map_h = 100.0 * bits.shape[0] * 8 * maxv / v / report.height
        # the picture is in the page once, as a CSS variable (--picture) all maps use
        under = '<div class=under></div>'
        out.append(
            f'<figure class=blockmap><div class=stack style="aspect-ratio:{report.width}/'
            f'{report.height}">{under}'
            f'<img class=over src="{_data_uri(colormap(bits, top))}" '
            f'style="width:{map_w:.3f}%;height:{map_h:.3f}%" '
            f'alt="bits per block of {_esc(name)}"></div>'
            f'<figcaption>{_esc(name)}: {bits.shape[1]}x{bits.shape[0]} blocks, '
            f'{int(bits.sum()):,} bits; median {float(np.median(bits)):,.0f}, '
            f'max {int(bits.max()):,} bits per block (colour scale 0..{top:,.0f})'
            f'</figcaption></figure>')
    scale = colormap(np.linspace(0, 1, 256)[None, :].repeat(8, axis=0), 1.0)
    legend = (f'<p class=scale>few bits <img src="{_data_uri(scale)}" alt="colour scale" '
              f'width=256 height=12> many bits &nbsp; '
              f'<label>opacity <input type=range min=0 max=100 value=70 '
              f'oninput="document.body.style.setProperty(\'--over\', this.value/100)"></label>'
              f'</p>')
    method = report.stage("huffman").details.get("block_bits", "")
    return (f"<p>{_esc(method)}.</p>" if method else "") + legend + "".join(out)


def _segments(report: Report) -> str:
    rows = [[f"{s['offset']:,}", f"{s['bytes']:,}", s["part"], s["name"]]
            for s in report.stage("file").details.get("segments", [])]
    return _table(["offset", "bytes", "part", "segment"], rows, {0, 1})


def _scans(report: Report) -> str:
    rows = []
    if report.stage("huffman").details.get("coder") == "lossless":       # hibit: SOF3
        for sc in report.stage("huffman").details["scans"]:
            for nm, c in sc["components"].items():
                rows.append([sc["index"], sc["predictor"], sc["point_transform"], nm,
                             f"{c['samples']:,}", f"{c['code_bits']:,}",
                             f"{c['amplitude_bits']:,}", f"{sc['data_bytes']:,}"])
        return _table(["scan", "predictor", "Pt", "comp", "samples", "code bits",
                       "additional bits", "scan bytes"], rows, {0, 4, 5, 6, 7})
    if report.stage("huffman").details.get("coder") == "arithmetic":
        for sc in report.stage("huffman").details["scans"]:
            band = f"{sc['Ss']}..{sc['Se']}" if sc["kind"] != "sequential" else "0..63"
            for nm, c in sc["components"].items():
                rows.append([sc["index"], sc["kind"], band, f"{sc['Ah']}/{sc['Al']}", nm,
                             f"{c['blocks']:,}", f"{c['dc_bits']:,}", f"{c['ac_bits']:,}",
                             f"{sc['data_bytes']:,}"])
        return _table(["scan", "kind", "band", "Ah/Al", "comp", "blocks", "DC bits",
                       "AC bits", "scan bytes"], rows, {0, 5, 6, 7, 8})
    for sc in report.stage("huffman").details.get("scans", []):
        band = f"{sc['Ss']}..{sc['Se']}" if sc["kind"] != "sequential" else "0..63"
        for nm, c in sc["components"].items():
            rows.append([sc["index"], sc["kind"], band, f"{sc['Ah']}/{sc['Al']}", nm,
                         f"{c['dc_code_bits'] + c['ac_code_bits']:,}",
                         f"{c['dc_amplitude_bits'] + c['ac_amplitude_bits']:,}",
                         f"{c['eobrun_bits']:,}", f"{c['correction_bits']:,}",
                         f"{sc['data_bytes']:,}"])
    return _table(["scan", "kind", "band", "Ah/Al", "comp", "code bits", "amplitude bits",
                   "EOB-run bits", "correction bits", "scan bytes"], rows,
                  {0, 5, 6, 7, 8, 9})


_CSS = """
:root{--over:0.7}
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;border-bottom:1px solid #ccc;padding-bottom:2px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:2px 8px;border-bottom:1px solid #eee}
th{text-align:left;background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
svg.chart text{font:12px system-ui,sans-serif;fill:#222}
.legend{list-style:none;padding:0}.legend li{display:inline-block;margin-right:16px}
.swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
figure{display:inline-block;margin:8px 16px 8px 0;vertical-align:top}
.grid8{display:grid;grid-template-columns:repeat(8,34px);gap:1px}
.cell{height:34px;font-size:10px;text-align:center;line-height:34px}
.blockmap .stack{position:relative;width:480px;overflow:hidden;background:#000}
.stack img,.stack .under{position:absolute;left:0;top:0;image-rendering:pixelated}
.stack .under{width:100%;height:100%;background:var(--picture) 0 0/100% 100% no-repeat;
image-orientation:none}.stack img.over{opacity:var(--over)}
figure.blockmap{max-width:480px}.blockmap:first-of-type .stack{width:640px}
figure.blockmap:first-of-type{max-width:640px}
.scale img{vertical-align:middle;image-rendering:pixelated}
"""


def report_html(report: Report, title: str | None = None) -> str:
    """The report as one self-contained HTML page (a str): see the module docstring."""
    title = title or ("JPEG file as it is" if report.kind == "file"
                      else "jpeglite encode, stage by stage")
    px = report.pixels
    raw_bits = report.stage("raw").bits or 1
    stage_rows = [[s.name, _num(s.bits), f"{s.bits / px:.3f}", f"{100.0 * s.bits / raw_bits:.2f}%",
                   f"{s.seconds:.4f}"] for s in report.stages]
    if report.kind == "file":
        o = report.options
        facts = (f"{o.get('process', '')}, {o.get('scans', 0)} scan(s), {o.get('color', '')}")
    else:
        facts = ", ".join(f"{k}={v}" for k, v in report.options.items())
        psnr = report.psnr
        facts += (f"; MSE {report.mse:.4f}, PSNR "
                  + ("inf" if psnr is None or not np.isfinite(psnr) else f"{psnr:.2f}") + " dB")
    body = [
        f"<h1>{_esc(title)}</h1>",
        "<section id=summary><h2>Summary</h2>",
        f"<p>{report.width}x{report.height} pixels, {report.components} component(s); "
        f"{len(report.data):,} bytes, {report.bpp:.3f} bits/pixel, compression ratio "
        f"{report.compression_ratio:.2f}:1.<br>{_esc(facts)}</p></section>",
        "<section id=stages><h2>Bits per stage</h2>",
        _table(["stage", "bits", "bits/pixel", "% of raw", "seconds"], stage_rows, {1, 2, 3, 4}),
        _bar_chart([s.name for s in report.stages], [float(s.bits) for s in report.stages],
                   "bits"),
        "</section>",
        "<section id=split><h2>The file: L(P) model and L(D|P) data</h2>",
        _split_bar(report), "</section>",
        "<section id=frequencies><h2>Bits per frequency (8x8, DC top left)</h2>",
        "<p>Zeroth-order entropy of each frequency's quantized coefficients, per component; "
        "colours scaled to the largest AC term.</p>",
        _frequency_maps(report), "</section>",
        "<section id=blocks><h2>Bits per 8x8 block, over the picture</h2>",
        _block_maps(report), "</section>",
    ]
    if report.kind == "file":
        body += ["<section id=segments><h2>Segments</h2>", _segments(report), "</section>",
                 "<section id=scans><h2>Scans</h2>", _scans(report), "</section>"]
    picture = _picture_uri(report)
    css = _CSS + (f":root{{--picture:url({picture})}}" if picture else "")
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            f"<title>{_esc(title)}</title><style>{css}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")
