"""Block smoothing of incomplete progressive files (libjpeg's
decompress_smooth_data): a progressive file that ends before its low
frequencies are complete decodes to Pillow's pixels, at full size and at
Pillow's draft() scales; read_coefficients still gives the file's own
coefficients; a complete file is not smoothed."""
import io
import warnings

import numpy as np
import pytest

import jpeglite
from conftest import kodak

Image = pytest.importorskip("PIL.Image")


def _pillow(data, scale=1):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(io.BytesIO(data)) as im:
            if scale != 1:
                im.draft(im.mode, (im.width // scale, im.height // scale))
            im.load()
            return np.asarray(im)


def first_scans(data, keep):
    """The file's segments up to its ``keep``-th scan's data, then EOI."""
    p, n = 2, 0
    while data[p + 1] != 0xD9:
        length = int.from_bytes(data[p + 2:p + 4], "big")
        if data[p + 1] != 0xDA:
            p += 2 + length
            continue
        if n == keep:
            break
        n += 1
        e = p + 2 + length
        while not (data[e] == 0xFF and data[e + 1] != 0 and not 0xD0 <= data[e + 1] <= 0xD7):
            e += 1
        p = e
    return data[:p] + b"\xff\xd9"


def _files():
    img = kodak(5)
    out = []
    for shape, sub in (((157, 203), 2), ((64, 64), 0), ((40, 33), 1), ((17, 130), 2)):
        part = img[:shape[0], :shape[1]]
        buf = io.BytesIO()
        Image.fromarray(part).save(buf, "JPEG", quality=80, progressive=True, subsampling=sub)
        out.append((f"pillow-{shape}-{sub}", buf.getvalue()))
    grey = io.BytesIO()
    Image.fromarray(img[:50, :71, 1]).save(grey, "JPEG", quality=90, progressive=True)
    out.append(("pillow-grey", grey.getvalue()))
    out.append(("arithmetic", jpeglite.encode(img[:45, :77], 85, arithmetic=True,
                                              progressive=True)))
    out.append(("restarts", jpeglite.encode(img[:45, :77], 85, progressive=True,
                                            restart_interval=3)))
    return out


FILES = _files()


@pytest.mark.parametrize("name,data", FILES, ids=[n for n, _ in FILES])
def test_every_prefix_of_scans_decodes_to_pillows_pixels(name, data):
    smoothed = 0
    for keep in range(1, 11):
        cut = first_scans(data, keep)
        got = jpeglite.decode(cut)
        np.testing.assert_array_equal(got, _pillow(cut), err_msg=f"{keep} scans")
        coefs = jpeglite.read_coefficients(cut)
        plain = jpeglite.decode(jpeglite.encode_coefficients(coefs, optimize=True))
        smoothed += not np.array_equal(plain, got)
        if cut == data:
            np.testing.assert_array_equal(plain, got)      # complete: nothing smoothed
            break
    assert smoothed > 0


@pytest.mark.parametrize("scale", [2, 4, 8])
def test_scaled_decodes_are_smoothed_as_pillows_draft(scale):
    name, data = FILES[0]
    for keep in (1, 2, 4, 6):
        cut = first_scans(data, keep)
        np.testing.assert_array_equal(jpeglite.decode(cut, scale=1 / scale), _pillow(cut, scale))


def test_a_zero_quantizer_turns_smoothing_off_as_in_libjpeg():
    name, data = FILES[1]
    cut = bytearray(first_scans(data, 2))
    dqt = cut.index(b"\xff\xdb")
    cut[dqt + 5 + 1] = 0          # Q(0,1) of table 0: libjpeg would divide by it
    cut = bytes(cut)
    np.testing.assert_array_equal(jpeglite.decode(cut), _pillow(cut))


DAMAGED = sorted((__import__("pathlib").Path(__file__).parent / "data" / "smoothing").glob("*.jpg"))


@pytest.mark.parametrize("path", DAMAGED, ids=lambda p: p.name)
def test_rows_past_where_the_last_scan_ran_out_are_smoothed_as_before_it(path):
    """Mutants (fuzz/pillow_agreement.py) whose last scan runs into a marker:
    libjpeg smooths the iMCU rows after the last one it decoded data for with
    what was known before that scan (its last_good_iMCU_row)."""
    data = path.read_bytes()
    np.testing.assert_array_equal(jpeglite.decode(data), _pillow(data))


def test_block_smoothing_false_decodes_the_coefficients_as_they_are():
    name, data = FILES[0]
    cut = first_scans(data, 3)
    plain = jpeglite.decode(cut, block_smoothing=False)
    assert not np.array_equal(plain, jpeglite.decode(cut))
    coefs = jpeglite.read_coefficients(cut)
    for again in (jpeglite.encode_coefficients(coefs),
                  jpeglite.encode_coefficients(coefs, progressive=True)):
        np.testing.assert_array_equal(jpeglite.decode(again), plain)
    small = jpeglite.decode(cut, scale=1 / 2, block_smoothing=False)
    assert small.shape == _pillow(cut, 2).shape
    with pytest.raises(TypeError, match="block_smoothing"):
        jpeglite.decode(cut, block_smoothing=None)
