"""The codecs the bench/ suites time beside jpeglite, numpy in and out for
each: Pillow (``Image.fromarray`` + ``save``; ``open`` + ``numpy.asarray``),
simplejpeg and PyTurboJPEG (libjpeg-turbo called directly), and Pillow's
codec alone (a PIL Image in, ``Image.load`` out). Built by ``jpeglite.bench``
(the same codecs ``jpeglite bench`` measures); ``codec(name)`` skips the
calling test with the reason when one is not installed or does not load.
"""
import pytest

from jpeglite import bench

#: benchmark names of the codecs other than jpeglite, in table order
OTHERS = ["pillow-numpy", "pillow-image", "simplejpeg", "pyturbojpeg"]


def codec(name):
    """The ``jpeglite.bench.Codec`` of ``name`` (one of OTHERS); skips when absent."""
    if name == "pillow-numpy":
        c, why = bench.pillow_codec(), "Pillow is not installed"
    elif name == "pillow-image":
        c, why = bench.pillow_image_codec(), "Pillow is not installed"
    elif name == "simplejpeg":
        c, why = bench.simplejpeg_codec(), "simplejpeg is not installed"
    elif name == "pyturbojpeg":
        c, why = bench.turbojpeg_codec()
    else:
        raise ValueError(f"unknown codec {name!r}")
    if c is None:
        pytest.skip(why)
    return c


def encoder(name, image, quality, subsampling, optimize=False):
    """A no-argument encode of ``image`` by codec ``name`` (skips what it cannot write)."""
    if optimize and name in ("simplejpeg", "pyturbojpeg"):
        pytest.skip(f"{name} writes standard Huffman tables only")
    c = codec(name)
    c.encode(image, quality=quality, subsampling=subsampling, optimize=optimize)  # warm, and
    return lambda: c.encode(image, quality=quality, subsampling=subsampling, optimize=optimize)
