"""Every SIMD variant of every kernel equals the scalar reference, exactly.

The kernels live in src/jpeglite/_*_simd.h (convention: _simd.h); each kernel
module's staged entry point takes `variant=`, and `_simd.available_variants()`
lists what this machine runs, so this file tests every variant in the default
run (a machine without SIMD runs the scalar one against itself). Inputs are
random and extreme (0, 255, -32768, 32767), at widths around and between the
vector widths (8, 16, 32 lanes) so that every combination of an AVX2 body, an
SSE2 body after it and a scalar tail runs.
"""
import os
import platform
import subprocess
import sys

import numpy as np
import pytest

import jpeglite
from jpeglite import _color, _dct, _encoder, _entropy, _quant, _simd, _subsample
from jpeglite.tables import CHROMA_QUANT_K2, LUMA_QUANT_K1, ZIGZAG

VARIANTS = _simd.available_variants()
# the AVX2 row kernels take 32 pixels (colour), 32 outputs (downsampling: 64
# inputs) or 16 inputs (upsampling) a step, then SSE2 takes 16 or 8: widths
# just under, at and past those steps, and past one AVX2 step plus one SSE2 one
WIDTHS = [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 18, 19, 31, 32, 33, 34, 47, 48, 49, 50, 63, 64, 65,
          66, 67, 81, 95, 96, 97, 100, 113, 129, 130, 1021]


def same(kernel, *args, variant, **kwargs):
    np.testing.assert_array_equal(kernel(*args, variant=variant, **kwargs),
                                  kernel(*args, variant="scalar", **kwargs))


def uint8_images(shape, seed):
    """Random, extreme and two-level images of `shape`: the inputs every row kernel gets."""
    rng = np.random.default_rng(seed)
    yield rng.integers(0, 256, shape, dtype=np.uint8)
    yield np.zeros(shape, np.uint8)
    yield np.full(shape, 255, np.uint8)
    yield (rng.integers(0, 2, shape) * 255).astype(np.uint8)      # 0/255 noise: largest sums
    yield np.clip(rng.normal(128, 2, shape), 0, 255).astype(np.uint8)  # flat, as photos are


def test_the_scalar_reference_is_always_there():
    assert VARIANTS[0] == "scalar"
    assert _simd.selected_variant() in VARIANTS


def _linux_cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return None


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 levels")
def test_x86_64_runs_sse2_and_avx2_where_the_cpu_has_it():
    """The run-time dispatch offers AVX2 exactly where the CPU and the OS
    support it (Linux lists avx2 only when the OS saves the YMM state), so
    the AVX2 kernels cannot silently drop out of the tests."""
    assert "sse2" in VARIANTS
    flags = _linux_cpu_flags()
    if flags is None:
        pytest.skip("no /proc/cpuinfo to compare with")
    assert ("avx2" in VARIANTS) == ("avx2" in flags)


@pytest.mark.parametrize("entry", [lambda v: _color.rgb_to_ycbcr(np.zeros((1, 1, 3), np.uint8), variant=v),
                                   lambda v: _dct.idct_blocks(np.zeros((1, 64), np.int16),
                                                              np.ones(64, np.int16), variant=v)])
def test_unknown_variants_are_refused(entry):
    with pytest.raises(ValueError, match="variant"):
        entry("neon9000")
    with pytest.raises(TypeError, match="variant"):
        entry(2)


# ==== encode kernels ====

@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("width", WIDTHS)
def test_rgb_to_ycbcr(variant, width):
    for img in uint8_images((3, width, 3), width):
        same(_color.rgb_to_ycbcr, img, variant=variant)


@pytest.mark.parametrize("variant", VARIANTS)
def test_rgb_to_ycbcr_on_every_red_green_pair(variant):
    levels = np.r_[np.arange(0, 256, 17), 255]
    r, g, b = np.meshgrid(np.arange(256), np.arange(256), levels, indexing="ij")
    rgb = np.stack([r, g, b], -1).reshape(-1, 3).astype(np.uint8)
    same(_color.rgb_to_ycbcr, rgb[: len(rgb) // 1021 * 1021].reshape(-1, 1021, 3), variant=variant)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("exp", [(1, 1), (2, 1), (2, 2)])
@pytest.mark.parametrize("width", WIDTHS)
def test_downsample(variant, exp, width):
    hexp, vexp = exp
    for height in (1, 2, 5):
        cols = -(-width // hexp)
        for out_cols in (-(-cols // 8) * 8, -(-cols // 8) * 8 + 16):  # whole blocks, and more
            out_rows = -(-(-(-height // vexp)) // 8) * 8
            for plane in uint8_images((height, width), width * height):
                same(_subsample.downsample, plane, hexp, vexp, out_rows, out_cols, variant=variant)


@pytest.mark.parametrize("variant", VARIANTS)
def test_fdct(variant):
    rng = np.random.default_rng(1)
    blocks = [img for img in uint8_images((8, 8 * 40), 2)]
    checker = (np.indices((8, 8)).sum(0) % 2 * 255).astype(np.uint8)
    stripes = np.tile((np.arange(8) % 2 * 255).astype(np.uint8), (8, 1))
    # the blocks with the largest coefficients: alternating extremes, every rotation
    blocks += [np.hstack([checker, 255 - checker, stripes, stripes.T, 255 - stripes,
                          255 - stripes.T])]
    blocks += [rng.integers(0, 256, (8 * 7, 8 * 9), dtype=np.uint8)]
    for plane in blocks:
        same(_dct.fdct_blocks, plane, variant=variant)


@pytest.mark.parametrize("variant", VARIANTS)
def test_quantize(variant):
    rng = np.random.default_rng(2)
    coefs = rng.integers(-32768, 32768, (500, 64)).astype(np.int32)
    coefs[0] = -32768
    coefs[1] = 32767
    coefs[2] = 0
    coefs[3] = rng.integers(-2000, 2000, 64)
    tables = [np.ones(64, int), np.full(64, 255), np.full(64, 2047), 2 ** (np.arange(64) % 11),
              rng.integers(1, 2048, 64), np.asarray(LUMA_QUANT_K1), np.asarray(CHROMA_QUANT_K2)]
    for t in tables:
        # ties (|c| = 4Q * odd) are where the rounding could differ
        ties = (4 * t * rng.choice([-3, -1, 1, 3], 64)).astype(np.int32)
        for c in (coefs, ties[None], np.arange(-32768, 32768, dtype=np.int32).reshape(-1, 64)):
            same(_quant.quantize_blocks, c, t, variant=variant)


@pytest.mark.parametrize("variant", VARIANTS)
def test_nonzero_masks(variant):
    rng = np.random.default_rng(3)
    b = rng.integers(-3, 4, (400, 64)) * (rng.random((400, 64)) < 0.2)
    b[0] = 0
    b[1] = -32768
    b[2] = 32767
    b[3] = 0
    b[3, ::7] = 1
    b = b.astype(np.int16)
    same(_entropy.nonzero_masks, b, variant=variant)
    assert _entropy.nonzero_masks(b, variant=variant)[3] == sum(1 << i for i in range(0, 64, 7))


def zigzag_mask_reference(blocks):
    """Bit k for every non-zero AC coefficient k in zigzag order, from the definition."""
    nz = blocks[:, list(ZIGZAG)] != 0
    return np.array([sum(1 << k for k in range(1, 64) if row[k]) for row in nz], dtype=np.uint64)


@pytest.mark.parametrize("variant", VARIANTS)
def test_zigzag_masks(variant):
    rng = np.random.default_rng(5)
    n = 600
    b = rng.integers(-3, 4, (n, 64)) * (rng.random((n, 64)) < rng.random((n, 1)))
    b[0] = 0                              # nothing but the DC bit, which never shows
    b[1] = -32768                         # extremes saturate to non-zero bytes
    b[2] = 32767
    b[3, :] = 0
    b[3, ::9] = 256                       # a multiple of 256: its low byte is zero
    b[4] = rng.choice([-32768, -256, -129, -1, 1, 128, 255, 256, 32767], 64)
    for k in range(64):                   # each coefficient alone
        b[5 + k] = 0
        b[5 + k, k] = -1 if k % 2 else 512
    b = b.astype(np.int16)
    got = _entropy.zigzag_masks(b, variant=variant)
    same(_entropy.zigzag_masks, b, variant=variant)
    np.testing.assert_array_equal(got, zigzag_mask_reference(b))
    assert got[0] == 0 and got[1] == got[2] == (1 << 64) - 2



@pytest.mark.parametrize("variant", VARIANTS)
def test_fused_block_kernel(variant):
    """The encoder's block kernel (FDCT, quantize, zigzag mask in one AVX2
    call) equals the stage kernels run one after the other."""
    rng = np.random.default_rng(6)
    checker = (np.indices((8, 8)).sum(0) % 2 * 255).astype(np.uint8)
    planes = list(uint8_images((16, 8 * 30), 7))
    planes.append(np.hstack([checker, 255 - checker, checker.T[::-1], np.zeros((8, 8), np.uint8)]))
    # smooth to busy blocks: masks from nearly empty to full
    ramp = np.add.outer(np.arange(40), np.arange(80)).astype(np.float64)
    for noise in (0, 1, 4, 20, 80):
        planes.append(np.clip(ramp + rng.normal(0, noise, ramp.shape), 0, 255).astype(np.uint8))
    tables = [np.ones(64, int), np.full(64, 255), rng.integers(1, 256, 64),
              np.asarray(LUMA_QUANT_K1), np.asarray(CHROMA_QUANT_K2), np.full(64, 32767)]
    for plane in planes:
        for t in tables:
            blocks, masks = _encoder.forward_blocks(plane, t, variant=variant)
            ref_blocks, ref_masks = _encoder.forward_blocks(plane, t, variant="scalar")
            np.testing.assert_array_equal(blocks, ref_blocks)
            np.testing.assert_array_equal(masks, ref_masks)
            np.testing.assert_array_equal(masks, zigzag_mask_reference(blocks))
            staged = _quant.quantize_blocks(_dct.fdct_blocks(plane, variant="scalar"), t,
                                            variant="scalar")
            np.testing.assert_array_equal(blocks, staged.reshape(-1, 64))



@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("width", WIDTHS + [127, 128, 129, 160, 161])
def test_fused_colour_and_420_downsampling(variant, width):
    """The encoder's 4:2:0 colour row (RGB to Y and 2x2-averaged Cb, Cr in
    one pass) equals the colour kernel then the downsampling kernel."""
    for img in uint8_images((6, width, 3), 8):
        y, cb, cr = _encoder.rgb_to_ycc_420(img, variant=variant)
        planes = _color.rgb_to_ycbcr(img, variant="scalar")
        np.testing.assert_array_equal(y, planes[0])
        for got, plane in ((cb, planes[1]), (cr, planes[2])):
            np.testing.assert_array_equal(
                got, _subsample.downsample(plane, 2, 2, 3, got.shape[1], variant="scalar"))


# ==== decode kernels ====

@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("scale", [4, 64, 1024, 32767])
def test_idct_on_any_coefficients(variant, scale):
    # including coefficients far outside what an encoder writes, where the
    # 16-bit wrapping and saturation matter
    rng = np.random.default_rng(scale)
    c = rng.integers(-scale, scale + 1, (3000, 64)).astype(np.int16)
    c[::3, 8:] = 0                       # blocks with only row 0 (a shortcut path)
    c[1::5, 1:] = 0                      # DC-only blocks
    c[2::7, :] = np.int16(-32768)
    c[3::7, :] = 32767
    for q in (np.ones(64, np.int16), rng.integers(1, 256, 64).astype(np.int16),
              rng.integers(-32768, 32768, 64).astype(np.int16)):
        same(_dct.idct_blocks, c, q, variant=variant)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("factors", [(2, 1), (1, 2), (2, 2), (3, 1), (4, 2)])
@pytest.mark.parametrize("width", WIDTHS)
def test_upsample(variant, factors, width):
    hr, vr = factors
    for height in (1, 2, 3):
        for plane in uint8_images((height, width), width):
            same(_subsample.upsample_plane, plane, hr, vr, hr * width, vr * height,
                 variant=variant)
            # an odd image size leaves the last upsampled column off
            same(_subsample.upsample_plane, plane, hr, vr, hr * width - 1, vr * height,
                 variant=variant)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("width", WIDTHS)
def test_ycbcr_to_rgb_and_ycck_to_cmyk(variant, width):
    for img in uint8_images((3, width, 4), width):
        same(_color.ycbcr_to_rgb, np.ascontiguousarray(img[..., :3]), variant=variant)
        same(_color.ycck_to_cmyk, img, variant=variant)


@pytest.mark.parametrize("variant", VARIANTS)
def test_ycbcr_to_rgb_on_every_chroma_pair(variant):
    # every (Cb, Cr) at luma levels that push R, G and B past both ends of 0..255
    cb, cr = np.meshgrid(np.arange(256), np.arange(256), indexing="ij")
    for y in (0, 1, 128, 254, 255):
        ycc = np.stack([np.full_like(cb, y), cb, cr], -1).astype(np.uint8).reshape(64, 1024, 3)
        same(_color.ycbcr_to_rgb, ycc, variant=variant)


# ==== the drivers: the variant a process selects ====

SCRIPT = """
import sys, numpy as np, jpeglite
from jpeglite import _simd
from jpeglite.images import sample_image
rng = np.random.default_rng(5)
img = np.cumsum(rng.integers(-9, 10, (61, 83, 3)), axis=1).clip(0, 255).astype(np.uint8)
photo = sample_image()[:509, :757]          # a photo of odd size: every row has tails
out = [_simd.selected_variant().encode()]
for image, quality, ss in [(img, 85, "4:4:4"), (img, 85, "4:2:2"), (img, 85, "4:2:0"),
                           (photo, 75, "4:2:0"), (photo, 90, "4:4:4"), (photo, 60, "4:2:2"),
                           (photo[..., 1], 80, "4:4:4")]:
    for threads in (1, 2):
        data = jpeglite.encode(image, quality, subsampling=ss, threads=threads)
        out += [data, jpeglite.decode(data, threads=threads).tobytes()]
sys.stdout.buffer.write(b"|".join(x.hex().encode() for x in out))
"""


def _run(level):
    # the package this test imported, whatever the way it was found
    root = os.path.dirname(os.path.dirname(jpeglite.__file__))
    env = dict(os.environ, JPEGLITE_SIMD=level,
               PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          check=True, timeout=120)
    name, *rest = proc.stdout.split(b"|")
    return bytes.fromhex(name.decode()).decode(), rest


def test_jpeglite_simd_environment_variable_selects_the_variant_and_changes_nothing():
    """The fused encoder and decoder give the same bytes and pixels whichever
    variant the process runs (JPEGLITE_SIMD caps the level at load), on one
    thread and on two."""
    results = {v: _run(v) for v in VARIANTS}
    for v, (name, out) in results.items():
        assert name == v
        assert out == results["scalar"][1]


def test_jpeglite_simd_never_raises_the_level():
    """A cap above what the machine runs, or a name that is no level, leaves
    the best available one."""
    for cap in ("avx2", "neon9000"):
        assert _run(cap)[0] == VARIANTS[-1]
