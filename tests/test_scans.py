"""Progressive scan scripts: libjpeg's default, each T.81 rule's error, and custom scripts that decode."""
import io

import numpy as np
import pytest
from PIL import Image

import jpeglite
from conftest import kodak
from jpeglite.progressive import coefficients_from_image, encode_progressive
from jpeglite.scans import ScanSpec, as_script, check_script, default_script


def full(ncomp):
    """A complete script: DC of every component, then AC 1..63 of each."""
    return [((tuple(range(ncomp))), 0, 0, 0, 0)] + [((c,), 1, 63, 0, 0) for c in range(ncomp)]


def test_default_ycbcr_is_libjpegs():
    s = default_script(3)
    assert [(x.components, x.Ss, x.Se, x.Ah, x.Al) for x in s] == [
        ((0, 1, 2), 0, 0, 0, 1), ((0,), 1, 5, 0, 2), ((2,), 1, 63, 0, 1), ((1,), 1, 63, 0, 1),
        ((0,), 6, 63, 0, 2), ((0,), 1, 63, 2, 1), ((0, 1, 2), 0, 0, 1, 0), ((2,), 1, 63, 1, 0),
        ((1,), 1, 63, 1, 0), ((0,), 1, 63, 1, 0)]


def test_default_generic():
    s = default_script(1)
    assert [(x.components, x.Ss, x.Se, x.Ah, x.Al) for x in s] == [
        ((0,), 0, 0, 0, 1), ((0,), 1, 5, 0, 2), ((0,), 6, 63, 0, 2), ((0,), 1, 63, 2, 1),
        ((0,), 0, 0, 1, 0), ((0,), 1, 63, 1, 0)]
    assert len(default_script(3, ycbcr=False)) == 2 + 4 * 3
    assert default_script(4)[0].components == (0, 1, 2, 3)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_default_scripts_valid(n):
    assert check_script(default_script(n), n) == default_script(n)
    assert check_script(default_script(n, ycbcr=False), n)


def test_forms_accepted():
    spec = [((0, 1, 2), 0, 0, 0, 0), {"components": 0, "Ss": 1, "Se": 63},
            {"components": [1], "ss": 1, "se": 63, "ah": 0, "al": 0}, ScanSpec((2,), 1, 63, 0, 0)]
    s = check_script(spec, 3)
    assert all(isinstance(x, ScanSpec) for x in s)
    assert s[1] == ScanSpec((0,), 1, 63, 0, 0) and s[2] == ScanSpec((1,), 1, 63, 0, 0)


@pytest.mark.parametrize("script, message", [
    ([], "at least one scan"),
    ([((), 0, 0, 0, 0)], r"scan 0: a scan has 1\.\.4 components, got 0"),
    ([((0, 1, 2, 3, 4), 0, 0, 0, 0)], r"scan 0: a scan has 1\.\.4 components, got 5"),
    ([((0, 3), 0, 0, 0, 0)], r"scan 0: component index 3 is not in 0\.\.2"),
    ([((1, 0), 0, 0, 0, 0)], r"scan 0: components must be in increasing \(frame\) order"),
    ([((0, 0), 0, 0, 0, 0)], r"scan 0: components must be in increasing \(frame\) order, each once"),
    (full(3)[:1] + [((0,), 1, 64, 0, 0)], r"scan 1: Ss and Se must be in 0\.\.63"),
    (full(3)[:1] + [((0,), 9, 8, 0, 0)], r"scan 1: spectral band 9\.\.8 has Ss > Se"),
    (full(3)[:1] + [((0,), 1, 63, 14, 13)], r"scan 1: Ah and Al must be in 0\.\.13"),
    ([((0, 1, 2), 0, 5, 0, 0)], r"scan 0: a DC scan \(Ss=0\) must have Se=0"),
    (full(3)[:1] + [((0, 1), 1, 63, 0, 0)], r"scan 1: an AC scan \(Ss=1\) must have one component"),
    ([((0, 1, 2), 0, 0, 0, 2), ((0, 1, 2), 0, 0, 2, 0)],
     r"scan 1: a refinement scan sends one bit: Al must be Ah - 1, got Ah=2, Al=0"),
    ([((0,), 1, 63, 0, 0)], r"scan 0: AC of component 0 before any DC scan of it"),
    ([((0, 1, 2), 0, 0, 1, 0)], r"scan 0: refines coefficient 0 of component 0, which no scan"),
    (full(3) + [((1,), 5, 9, 0, 0)], r"scan 4: coefficient 5 of component 1 is coded twice"),
    ([((0, 1, 2), 0, 0, 0, 2), ((0, 1, 2), 0, 0, 1, 0)],
     r"scan 1: successive approximation out of order: coefficient 0 of component 0 was sent "
     r"with Al=2, so this scan needs Ah=2, got Ah=1"),
    (full(3)[:3], r"scan 2 \(the last\): the script leaves coefficient 1 of component 2 never sent"),
    ([((0, 1, 2), 0, 0, 0, 1)] + full(3)[1:],
     r"scan 3 \(the last\): the script leaves coefficient 0 of component 0 sent only down to Al=1"),
])
def test_each_rule(script, message):
    with pytest.raises(ValueError, match=message):
        check_script(script, 3)


def test_blocks_per_mcu():
    with pytest.raises(ValueError, match=r"scan 0: an interleaved MCU of 12 blocks \(at most 10\)"):
        check_script(full(3), 3, sampling=[(2, 2), (2, 2), (2, 2)])
    check_script(full(3), 3, sampling=[(2, 2), (1, 1), (1, 1)])


@pytest.mark.parametrize("scan, error, message", [
    ("abc", TypeError, "scans must be a sequence"),
    ([42], TypeError, "scan 0 must be a ScanSpec, tuple or dict"),
    ([((0,), 0, 0, 0)], ValueError, r"scan 0: a tuple scan is \(components, Ss, Se, Ah, Al\)"),
    ([{"components": 0, "band": 3}], ValueError, "scan 0: a dict scan has the keys"),
    ([((0,), 0.5, 0, 0, 0)], TypeError, "scan 0: Ss must be an int"),
    ([("0", 0, 0, 0, 0)], TypeError, "scan 0: components must be an int or a tuple"),
])
def test_malformed(scan, error, message):
    with pytest.raises(error, match=message):
        as_script(scan)


# Custom scripts: successive approximation down from Al=2, band splits,
# non-interleaved DC, refinements of split bands.
CUSTOM = {
    "sequential-like": full(3),
    "dc-separate-al2": [((0,), 0, 0, 0, 2), ((1, 2), 0, 0, 0, 2)] + [
        ((c,), 1, 63, 0, 2) for c in range(3)] + [
        ((0, 1, 2), 0, 0, 2, 1), ((0, 1, 2), 0, 0, 1, 0)] + [
        ((c,), 1, 63, 2, 1) for c in (2, 0, 1)] + [((c,), 1, 63, 1, 0) for c in range(3)],
    "band-splits": [((0, 1, 2), 0, 0, 0, 0), ((0,), 1, 2, 0, 0), ((0,), 3, 63, 0, 1),
                    ((1,), 1, 8, 0, 0), ((1,), 9, 63, 0, 0), ((2,), 1, 12, 0, 1),
                    ((2,), 13, 63, 0, 0), ((0,), 3, 63, 1, 0), ((2,), 1, 12, 1, 0)],
    "refine-subbands": [((0, 1, 2), 0, 0, 0, 1), ((0,), 1, 63, 0, 2), ((1,), 1, 63, 0, 0),
                        ((2,), 1, 63, 0, 0), ((0,), 1, 5, 2, 1), ((0,), 6, 63, 2, 1),
                        ((0, 1, 2), 0, 0, 1, 0), ((0,), 1, 1, 1, 0), ((0,), 2, 63, 1, 0)],
}


@pytest.mark.parametrize("restart", [0, 3])
@pytest.mark.parametrize("name", sorted(CUSTOM))
@pytest.mark.parametrize("layout", ["4:2:0", "4:4:4"])
def test_custom_scripts_decode_to_baseline_pixels(name, layout, restart):
    image = np.ascontiguousarray(kodak(7)[37:37 + 120, 51:51 + 161])
    c = coefficients_from_image(image, 92, layout)
    prog = encode_progressive(c, scans=CUSTOM[name], restart_interval=restart)
    expect = jpeglite.decode(jpeglite.encode(image, 92, subsampling=layout))
    np.testing.assert_array_equal(jpeglite.decode(prog), expect)
    with Image.open(io.BytesIO(prog)) as im:
        np.testing.assert_array_equal(np.asarray(im), expect)


def test_gray_custom_script():
    image = np.ascontiguousarray(kodak(9)[:70, :90, 0])
    c = coefficients_from_image(image, 60)
    script = [((0,), 0, 0, 0, 2), ((0,), 1, 9, 0, 2), ((0,), 10, 63, 0, 0), ((0,), 0, 0, 2, 1),
              ((0,), 0, 0, 1, 0), ((0,), 1, 9, 2, 1), ((0,), 1, 9, 1, 0)]
    prog = encode_progressive(c, scans=script, restart_rows=1)
    expect = jpeglite.decode(jpeglite.encode(image, 60))
    np.testing.assert_array_equal(jpeglite.decode(prog), expect)
    with Image.open(io.BytesIO(prog)) as im:
        np.testing.assert_array_equal(np.asarray(im), expect)
