"""Where the bits go in the picture: report.block_bits, and the HTML page of a
Report (``Report.to_html``, ``jpeglite analyze --html``), rendered in headless
Chromium when one is on PATH (CI installs it)."""
import io
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import jpeglite
from jpeglite import _entropy
from jpeglite.images import sample_image

SECTIONS_ENCODE = {"summary", "stages", "split", "frequencies", "blocks"}
SECTIONS_FILE = SECTIONS_ENCODE | {"segments", "scans"}


def noise(h, w, channels=3, seed=1):
    shape = (h, w, channels) if channels > 1 else (h, w)
    smooth = np.linspace(0, 200, w)[None, :] + np.linspace(0, 40, h)[:, None]
    if channels > 1:
        smooth = smooth[:, :, None]
    rnd = np.random.default_rng(seed).integers(0, 50, shape)
    return np.clip(smooth + rnd, 0, 255).astype(np.uint8)


def pillow_jpeg(image, **kw):
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", **kw)
    return buf.getvalue()


def total(report):
    return sum(int(b.sum()) for b in report.block_bits.values())


# ---- block_bits --------------------------------------------------------------

@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:2", "4:2:0"])
@pytest.mark.parametrize("restart_interval", [0, 3])
def test_block_bits_add_up_to_the_scan(subsampling, restart_interval):
    # 64x48: whole MCUs in every mode, so no dummy blocks: the map is every bit
    # of the scan but padding, stuffing and restart markers
    r = jpeglite.analyze(noise(48, 64), subsampling=subsampling,
                         restart_interval=restart_interval)
    assert list(r.block_bits) == ["Y", "Cb", "Cr"]
    assert total(r) == r.stage("huffman").bits
    assert r.stage("huffman").details["block_bits"].startswith("exact")
    assert r.block_bits["Y"].shape == (6, 8)
    chroma = {"4:4:4": (6, 8), "4:2:2": (6, 4), "4:2:0": (3, 4)}[subsampling]
    assert r.block_bits["Cb"].shape == chroma
    assert all(b.dtype == np.int32 and b.min() >= 2 for b in r.block_bits.values())


def test_block_bits_follow_the_picture():
    # a flat left half and a noisy right half: the bits go to the right
    img = np.full((64, 128), 128, np.uint8)
    img[:, 64:] = noise(64, 64, channels=1, seed=3)
    r = jpeglite.analyze(img, optimize=True)
    y = r.block_bits["Y"]
    assert list(r.block_bits) == ["Y"] and y.shape == (8, 16)
    assert total(r) == r.stage("huffman").bits
    assert y[:, 9:].min() > 5 * y[:, :7].max()


def test_block_bits_with_edge_blocks():
    # 50x70: partial MCUs; the dummy blocks libjpeg adds cost a few bits each
    # and are not in the map
    r = jpeglite.analyze(noise(50, 70))
    assert r.block_bits["Y"].shape == (7, 9) and r.block_bits["Cb"].shape == (4, 5)
    dummy = sum(c["dummy_blocks"] for c in r.stage("rle").details["components"].values())
    assert 0 < r.stage("huffman").bits - total(r) <= dummy * 32


def test_block_bits_kernel_matches_encode_scan():
    rng = np.random.default_rng(5)
    blocks = (rng.laplace(0, 3, (5, 7, 64)) * (rng.random((5, 7, 64)) < 0.3)).astype(np.int16)
    from jpeglite import _huffman

    counts = _entropy.count_symbols([blocks], [1], [1], 7, 5)
    dc = _huffman.make_codes(*_huffman.optimal_table(counts[0, 0]))
    ac = _huffman.make_codes(*_huffman.optimal_table(counts[0, 1]))
    bits = _entropy.block_bits([blocks], [1], [1], 7, 5, [dc], [ac])[0]
    assert bits.shape == (5, 7)
    sizes = np.arange(256) & 15
    expected = int(counts[0, 0] @ (dc[1].astype(np.int64) + sizes)
                   + counts[0, 1] @ (ac[1].astype(np.int64) + sizes))
    assert int(bits.sum()) == expected
    # each block alone: a one-block scan with the previous DC folded in
    one = _entropy.block_bits([blocks[:1, :1]], [1], [1], 1, 1, [dc], [ac])[0]
    assert one[0, 0] == bits[0, 0]


def test_block_bits_of_a_baseline_file_use_its_tables():
    img = noise(48, 64)
    for kw in ({"subsampling": 0}, {"subsampling": 2}, {"subsampling": 2, "optimize": True}):
        r = jpeglite.analyze(pillow_jpeg(img, quality=80, **kw))
        assert r.kind == "file"
        h = r.stage("huffman")
        assert h.details["block_bits"].startswith("exact")
        assert total(r) == h.details["code_bits"] + h.details["amplitude_bits"]
    # a grey file
    g = jpeglite.analyze(pillow_jpeg(noise(48, 64, channels=1)))
    assert list(g.block_bits) == ["Y"] and total(g) == g.stage("huffman").bits


def test_block_bits_of_a_progressive_file_are_an_estimate():
    r = jpeglite.analyze(pillow_jpeg(noise(48, 64), progressive=True))
    assert r.stage("huffman").details["block_bits"].startswith("estimate")
    assert r.block_bits["Y"].shape == (6, 8) and r.block_bits["Cr"].shape == (3, 4)
    # within a few percent of the file's own entropy-coded bits
    assert abs(total(r) - r.stage("huffman").bits) < 0.25 * r.stage("huffman").bits


def test_block_bits_not_in_repr_or_dict():
    r = jpeglite.analyze(noise(16, 16))
    assert "block_bits" not in r.to_dict()
    assert "array(" not in repr(r)       # the maps are not printed


# ---- the page ---------------------------------------------------------------

class _Page(HTMLParser):
    """Section ids, every URL the page refers to, and the element counts."""

    def __init__(self):
        super().__init__()
        self.sections, self.urls, self.tags = set(), [], {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "section":
            self.sections.add(a.get("id"))
        for key in ("src", "href", "action"):
            if a.get(key):
                self.urls.append(a[key])


def parse(page):
    p = _Page()
    p.feed(page)
    return p


def assert_self_contained(page):
    p = parse(page)
    assert all(u.startswith("data:") for u in p.urls), p.urls
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page
    return p


def test_page_of_an_encode():
    r = jpeglite.analyze(sample_image())
    page = r.to_html()
    p = assert_self_contained(page)
    assert p.sections == SECTIONS_ENCODE
    assert p.tags["svg"] >= 2                     # stage bars, file split
    assert p.tags["figure"] >= 6                  # 3 frequency maps, 3 block maps
    assert "L(D|P)" in page and "L(P)" in page
    for s in r.stages:
        assert f">{s.name}<" in page
    assert len(page) < 1_000_000


def test_page_of_a_file():
    data = pillow_jpeg(noise(48, 64), progressive=True)
    page = jpeglite.analyze(data).to_html("a progressive file")
    p = assert_self_contained(page)
    assert p.sections == SECTIONS_FILE
    assert "<title>a progressive file</title>" in page
    assert "AC first" in page and "DHT" in page and "SOF2" in page


def test_page_escapes_what_the_file_says(tmp_path):
    img = noise(16, 16)
    data = jpeglite.encode(img, comment=b"<script>alert(1)</script>")
    page = jpeglite.analyze(data).to_html("<b>x</b>")
    assert "<script>" not in page and "<b>x</b>" not in page


def run_cli(*argv):
    env = dict(os.environ, PYTHONPATH=str(Path(jpeglite.__file__).resolve().parents[1]))
    return subprocess.run([sys.executable, "-m", "jpeglite", *map(str, argv)],
                          capture_output=True, text=True, env=env, timeout=300)


def test_cli_writes_the_page(tmp_path):
    out = tmp_path / "report.html"
    proc = run_cli("analyze", "--html", out)
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out}" in proc.stderr
    assert parse(out.read_text()).sections == SECTIONS_ENCODE
    jpg = tmp_path / "x.jpg"
    jpg.write_bytes(pillow_jpeg(noise(32, 32)))
    proc = run_cli("analyze", jpg, "--html", tmp_path / "f.html")
    assert proc.returncode == 0, proc.stderr
    assert parse((tmp_path / "f.html").read_text()).sections == SECTIONS_FILE
    proc = run_cli("analyze", "--html", tmp_path / "no" / "such" / "dir.html")
    assert proc.returncode == 1 and "No such file or directory" in proc.stderr


# ---- in a real browser ------------------------------------------------------

def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(page_path, png_path, size="1200,2200"):
    """Render an HTML file in headless Chromium to a PNG file."""
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--no-first-run", "--disable-extensions", f"--window-size={size}",
           f"--screenshot={png_path}", page_path.resolve().as_uri()]
    subprocess.run(cmd, capture_output=True, timeout=120, check=False)


@pytest.mark.skipif(chromium() is None,
                    reason="no chromium on PATH (apt-get install chromium; CI installs it)")
def test_page_renders_in_chromium(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(jpeglite.analyze(sample_image()).to_html(), encoding="utf-8")
    png = tmp_path / "shot.png"
    screenshot(page, png)
    assert png.exists(), "chromium wrote no screenshot"
    shot = np.asarray(Image.open(png).convert("RGB"))
    assert shot.shape[:2] == (2200, 1200)
    # not blank: the charts, heat maps and the picture under the block maps
    colours = np.unique(shot.reshape(-1, 3), axis=0)
    assert len(colours) > 2000
    # the block maps (lower part of the page) are painted, not white
    lower = shot[1300:2100]
    assert (lower.sum(axis=2) < 600).mean() > 0.3
