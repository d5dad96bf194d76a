"""How many models a corpus deserves: fit_tables(groups=...) clusters images by
their symbol statistics, one table set per group, and picks the number of
groups k of the shortest description L(P) + sum L(D|P) + the group indexes."""
import io
import math

import numpy as np
import pytest
from PIL import Image

import jpeglite
from jpeglite import cli, dataset


def smooth(i, size=64):
    """A gentle gradient: DC differences and few AC symbols."""
    y, x = np.mgrid[:size, :size]
    ramp = (x * (2 + i % 3) + y * (1 + i % 4) + 7 * i) % 256
    return np.ascontiguousarray(np.stack([ramp, 255 - ramp, ramp // 2 + 40], -1).astype(np.uint8))


def busy(i, size=64):
    """Noise: long AC runs of large sizes."""
    rng = np.random.default_rng(100 + i)
    return rng.integers(0, 256, (size, size, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def mixed():
    """Two kinds of image whose symbol statistics differ, interleaved."""
    out = []
    for i in range(24):
        out += [smooth(i), busy(i)]
    return out


@pytest.fixture(scope="module")
def auto(mixed):
    return dataset.fit_tables(mixed, 75, groups="auto")


def stream_bytes(shared):
    return sum(len(shared.to_bytes(g)) for g in range(shared.k))


def test_one_group_is_the_shared_tables_of_before(mixed):
    one = dataset.fit_tables(mixed, 75)
    assert one.k == 1 and one.assignment == (0,) * len(mixed)
    (point,) = one.curve
    assert point.k == 1 and point.index_bits == 0
    assert point.model_bits == 8 * len(one.to_bytes()) == 8 * len(bytes(one))
    # the tables-only stream reads back as the same tables
    assert jpeglite.api._tables_arg(one.to_bytes()).huffman == one.table_set().huffman
    for image in mixed[:4]:
        data = jpeglite.encode(image, tables=one)
        assert data == jpeglite.encode(image, tables=one.to_bytes())
        assert np.array_equal(jpeglite.decode(data, tables=one),
                              jpeglite.decode(jpeglite.encode(image)))
        assert dataset.expand(one, data) == dataset.expand(one.to_bytes(), data)


def test_auto_finds_the_two_kinds(mixed, auto):
    assert auto.k >= 2
    ks = [p.k for p in auto.curve]
    assert ks[0] == 1 and ks[-1] == len(mixed) and ks == sorted(ks)
    best = min(auto.curve, key=lambda p: p.total_bits)
    assert auto.cost is best and best.total_bits < auto.curve[0].total_bits
    # the smooth images never share a group with the noisy ones
    smooth_groups = set(auto.assignment[0::2])
    busy_groups = set(auto.assignment[1::2])
    assert not smooth_groups & busy_groups
    # the terms as defined: index bits, and the model is the streams as written
    assert best.index_bits == len(mixed) * math.ceil(math.log2(best.k))
    assert best.model_bits == 8 * stream_bytes(auto)
    assert best.total_bits == best.model_bits + best.data_bits + best.index_bits


def test_grouped_streams_decode_and_are_no_larger(mixed, auto):
    """Abbreviated streams with each image's group's tables: the pixels of an
    ordinary encode, Pillow reads the expanded file, and the corpus takes no
    more bytes than with one table set."""
    one = dataset.fit_tables(mixed, 75)
    grouped = ungrouped = 0
    for i, image in enumerate(mixed):
        g = auto.group_of(image)
        assert g == auto.assignment[i]
        data = jpeglite.encode(image, tables=auto.table_set(g))
        pixels = jpeglite.decode(data, tables=auto.to_bytes(g))
        assert np.array_equal(pixels, jpeglite.decode(jpeglite.encode(image)))
        theirs = np.asarray(Image.open(io.BytesIO(dataset.expand(auto.to_bytes(g), data))))
        assert np.array_equal(theirs, pixels)
        grouped += len(data)
        ungrouped += len(jpeglite.encode(image, tables=one))
    assert grouped + stream_bytes(auto) + len(mixed) * math.ceil(math.log2(auto.k)) / 8 \
        <= ungrouped + len(one.to_bytes())
    # the data term is counted from the symbols: the streams differ from it by
    # the padding to a byte and the stuffed zero bytes only
    assert 0 <= grouped - auto.cost.data_bits / 8 <= 4 * len(mixed)


def test_a_given_number_of_groups_and_argument_errors(mixed):
    two = dataset.fit_tables(mixed, 75, groups=2)
    assert two.k == 2 and [p.k for p in two.curve] == [1, 2]
    assert set(two.assignment) == {0, 1}
    with pytest.raises(ValueError, match="2 table sets"):
        two.to_bytes()
    with pytest.raises(ValueError, match="2 table sets"):
        jpeglite.encode(mixed[0], tables=two)
    with pytest.raises(ValueError, match="group must be 0..1"):
        two.table_set(2)
    with pytest.raises(TypeError, match="group must be an int"):
        two.table_set("0")
    with pytest.raises(ValueError, match="groups must be"):
        dataset.fit_tables(mixed, groups=0)
    with pytest.raises(TypeError, match="groups must be"):
        dataset.fit_tables(mixed, groups="many")
    # more groups than images: one set per image
    per = dataset.fit_tables(mixed[:3], 75, groups=10)
    assert per.k == 3 and per.assignment == (0, 1, 2)
    again = dataset.SharedTables.from_streams([two.to_bytes(0), two.to_bytes(1)])
    assert again.k == 2
    assert [again.group_of(im) for im in mixed[:4]] == [two.group_of(im) for im in mixed[:4]]


def test_per_image_point_without_completion_is_optimize_per_file(mixed):
    """One table set per image, tables not completed: each image's own optimal
    tables, as optimize=True writes them (the same symbols and code lengths)."""
    per = dataset.fit_tables(mixed[:4], 75, groups=4, complete=False)
    assert per.k == 4 and per.cost.model_bits == 8 * stream_bytes(per)
    for g, im in zip(per.assignment, mixed[:4]):
        ordinary = jpeglite.encode(im, tables=per.table_set(g), abbreviated=False)
        assert len(ordinary) == len(jpeglite.encode(im, 75, optimize=True))


def test_batch_encode_with_groups(mixed, auto, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i, image in enumerate(mixed[:6]):
        Image.fromarray(image).save(src / f"{i:02d}.png")
    rows = dataset.encode(src, tmp_path / "out", jobs=1, tables=auto)
    rows = rows.to_dict("records") if hasattr(rows, "to_dict") else rows
    for i, row in enumerate(rows):
        assert row["error"] is None or row["error"] != row["error"]
        assert row["group"] == auto.assignment[i]
        data = open(row["output"], "rb").read()
        assert np.array_equal(jpeglite.decode(data, tables=auto.to_bytes(row["group"])),
                              jpeglite.decode(jpeglite.encode(mixed[i])))


def test_cli_tables_groups(capsys, tmp_path, mixed):
    src = tmp_path / "in"
    src.mkdir()
    for i, image in enumerate(mixed):
        Image.fromarray(image).save(src / f"{i:02d}.png")
    out = tmp_path / "shared.jpg"
    rc = cli.main(["tables", str(src), "-o", str(out), "--groups", "auto", "-j", "1"])
    text = capsys.readouterr().out
    assert rc == 0 and "<- chosen" in text and "model L(P)" in text
    k = int(text.rsplit("k = ", 1)[1].split(":")[0])
    assert k >= 2
    for g in range(k):
        assert (tmp_path / f"shared.g{g}.jpg").read_bytes()[:2] == b"\xff\xd8"
    lines = (tmp_path / "shared.groups.csv").read_text().splitlines()
    assert lines[0] == "path,group" and len(lines) == len(mixed) + 1
    assert cli.main(["tables", str(src), "-o", str(out), "--groups", "0"]) == 2
    assert "groups must be auto or at least 1" in capsys.readouterr().err
    rc = cli.main(["tables", str(src), "-o", str(out), "--plot", str(tmp_path / "c.png")])
    assert rc == 2 and "--groups" in capsys.readouterr().err
    pytest.importorskip("matplotlib", reason="matplotlib (the plot extra) is not installed")
    rc = cli.main(["tables", str(src), "-o", str(out), "--groups", "2", "-j", "1",
                   "--plot", str(tmp_path / "c.png")])
    assert rc == 0 and (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
