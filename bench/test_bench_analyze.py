"""analyze next to encode: what the accounting costs over the plain encode, same images.

Run with: PYTHONPATH=src python -m pytest bench --benchmark-enable
Each group holds one image and setting with both functions in it, so the
pytest-benchmark table reads analyze's time against encode's directly (the
project aims at analyze <= 3x encode on the 12 MP photo). extra_info gives the
megapixels, MP/s, and for analyze the file bits and how the stages' own
seconds compare with the measuring time.
"""
import pytest

import jpeglite
from corpus import KODAK, LARGE, load_rgb

# The 12 MP photo named in the project's speed goal, and a Kodak photo.
IMAGES = {"12MP": next((p for p in LARGE if "james-yarema" in p.name), LARGE[0]),
          "kodim01": KODAK[0]}
SETTINGS = [(75, "4:2:0", False), (90, "4:4:4", True)]


@pytest.mark.parametrize("function", ["encode", "analyze"])
@pytest.mark.parametrize("quality, subsampling, optimize", SETTINGS,
                         ids=lambda x: str(x))
@pytest.mark.parametrize("image", list(IMAGES))
def test_analyze_vs_encode(benchmark, image, quality, subsampling, optimize, function):
    rgb = load_rgb(IMAGES[image])
    megapixels = rgb.shape[0] * rgb.shape[1] / 1e6
    benchmark.group = (f"analyze vs encode {image} {rgb.shape[1]}x{rgb.shape[0]} q{quality} "
                       f"{subsampling}{' optimize' if optimize else ''}")
    fn = getattr(jpeglite, function)
    out = benchmark(lambda: fn(rgb, quality, subsampling=subsampling, optimize=optimize))
    benchmark.extra_info["megapixels"] = round(megapixels, 3)
    if function == "analyze":
        benchmark.extra_info["file_bits"] = out.file_bits
        benchmark.extra_info["stage_seconds"] = round(out.seconds, 4)
    if benchmark.stats is not None:
        benchmark.extra_info["MP_per_s"] = round(megapixels / benchmark.stats.stats.min, 1)
