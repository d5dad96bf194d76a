"""Batches (jpeglite.dataset and the CLI's INPUTS... forms): inputs, rows,
failures as rows, atomic outputs, --resume, tables, the summary, the process
pool and the Dask engine."""
import csv
import io
import json
import math
import os

import numpy as np
import pytest
from PIL import Image

import jpeglite
from jpeglite import cli, dataset

from conftest import kodak

pd = pytest.importorskip("pandas", reason="the dataset extra (pandas) is not installed")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A folder of 64x64 tiles: PNGs at the top, JPEGs in a subfolder, hostile
    files beside them (truncated, not an image, huge dimensions)."""
    root = tmp_path_factory.mktemp("tree")
    photo = kodak(0)
    (root / "sub").mkdir()
    for i in range(4):
        tile = np.ascontiguousarray(photo[64 * i:64 * i + 64, 64:128])
        Image.fromarray(tile).save(root / f"t{i}.png")
        Image.fromarray(tile).save(root / "sub" / f"j{i}.jpg", quality=85)
    (root / "sub" / "g.jpg").write_bytes(jpeglite.encode(photo[:40, :24, 0], 60))
    good = (root / "sub" / "j0.jpg").read_bytes()
    (root / "sub" / "truncated.jpg").write_bytes(good[:len(good) // 2])
    (root / "notimage.png").write_bytes(b"this is not an image")
    # a frame of 65000 x 65000 pixels in 40 bytes: refused before allocation
    huge = bytearray(good)
    sof = huge.index(b"\xff\xc0")
    huge[sof + 5:sof + 9] = (65000).to_bytes(2, "big") * 2
    (root / "sub" / "huge.jpg").write_bytes(bytes(huge))
    (root / "notes.txt").write_text("not listed: not an image suffix")
    return root


def by_name(df):
    return {os.path.basename(p): row for p, row in zip(df["path"], df.to_dict("records"))}


def test_inputs_folders_globs_lists(tree, tmp_path):
    top = [i.rel for i in dataset.iter_inputs(tree)]
    assert top == ["notimage.png", "t0.png", "t1.png", "t2.png", "t3.png"]
    deep = [i.rel for i in dataset.iter_inputs(tree, recursive=True)]
    assert deep[:5] == top and os.path.join("sub", "j0.jpg") in deep and len(deep) == 12
    globbed = [i.rel for i in dataset.iter_inputs(str(tree / "sub" / "j*.jpg"))]
    assert globbed == ["j0.jpg", "j1.jpg", "j2.jpg", "j3.jpg"]
    deep_glob = [i.rel for i in dataset.iter_inputs(str(tree / "**" / "*.jpg"), recursive=True)]
    assert os.path.join("sub", "j1.jpg") in deep_glob
    listing = tmp_path / "list.txt"
    listing.write_text(f"# tiles\n{tree / 't0.png'}\n\n{tree / 'sub' / 'j1.jpg'}\nmissing.png\n")
    listed = list(dataset.iter_inputs("@" + str(listing)))
    assert [i.path for i in listed] == [str(tree / "t0.png"), str(tree / "sub" / "j1.jpg"),
                                        str(tmp_path / "missing.png")]
    assert listed[2].rel == "missing.png"


def test_analyze_rows(tree):
    df = dataset.analyze(tree, recursive=True, jobs=1)
    assert len(df) == 12
    rows = by_name(df)
    # hostile files are rows with an error; the batch went on
    for name, fragment in (("truncated.jpg", "JPEGError"), ("notimage.png", "neither a JPEG"),
                           ("huge.jpg", "JPEGError")):
        assert fragment in rows[name]["error"], rows[name]
        assert pd.isna(rows[name]["bytes"])
    # a JPEG is reported as it is
    j0 = rows["j0.jpg"]
    data = (tree / "sub" / "j0.jpg").read_bytes()
    report = jpeglite.analyze(data)
    assert pd.isna(j0["error"]) and j0["bytes"] == len(data) == j0["input_bytes"]
    assert (j0["model_bits"], j0["header_bits"], j0["data_bits"]) == (
        report.model_bits, report.header_bits, report.data_bits)
    assert j0["model_bits"] + j0["header_bits"] + j0["data_bits"] + j0["metadata_bits"] == 8 * len(data)
    assert j0["quality"] == 85 and j0["sampling"] == "4:2:0" and not j0["progressive"]
    assert (j0["width"], j0["height"], j0["components"]) == (64, 64, 3)
    assert pd.isna(j0["psnr"]) and j0["huffman_bits"] > 0
    g = rows["g.jpg"]
    assert g["sampling"] == "gray" and g["quality"] == 60 and g["components"] == 1
    # any other image is encoded stage by stage, with its PSNR
    t0 = rows["t0.png"]
    tile = np.asarray(Image.open(tree / "t0.png"))
    report = jpeglite.analyze(tile, 75)
    assert t0["bytes"] == len(report.data) and math.isclose(t0["psnr"], report.psnr)
    assert t0["dct_bits"] > 0 and t0["raw_bits"] == 8 * 64 * 64 * 3
    assert df["error"].notna().sum() == 3


def test_analyze_pool_equals_one_process(tree):
    one = dataset.analyze(tree, recursive=True, jobs=1, quality=60, reencode=True)
    two = dataset.analyze(tree, recursive=True, jobs=2, quality=60, reencode=True)
    cols = [c for c in dataset.COLUMNS if c != "seconds"]
    pd.testing.assert_frame_equal(one[cols], two[cols])
    assert by_name(one)["j1.jpg"]["quality"] == 60      # re-encoded at 60


def test_encode_batch_mirrors_the_tree_resumes_and_leaves_no_partial(tree, tmp_path):
    out = tmp_path / "out"
    df = dataset.encode(tree, out, recursive=True, jobs=2, psnr=True, quality=80)
    rows = by_name(df)
    assert (out / "t0.jpg").is_file() and (out / "sub" / "j0.jpg").is_file()
    assert not (out / "sub" / "truncated.jpg").exists()      # a failure writes nothing
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]   # no temporary left
    t0 = rows["t0.png"]
    data = (out / "t0.jpg").read_bytes()
    assert t0["bytes"] == len(data) and t0["output"] == str(out / "t0.jpg")
    tile = np.asarray(Image.open(tree / "t0.png"))
    assert data == jpeglite.encode(tile, 80)
    assert t0["psnr"] > 30 and t0["model_bits"] == jpeglite.analyze(data).model_bits
    # resume: what exists is skipped, what is missing is made
    (out / "t1.jpg").unlink()
    again = by_name(dataset.encode(tree, out, recursive=True, resume=True, jobs=1, quality=80))
    assert again["t0.png"]["skipped"] and not again["t1.png"]["skipped"] is True
    assert (out / "t1.jpg").read_bytes() == jpeglite.encode(np.asarray(Image.open(tree / "t1.png")), 80)
    assert "JPEGError" in again["truncated.jpg"]["error"]


def test_encode_with_shared_tables_and_decode_batch(tree, tmp_path):
    shared = dataset.fit_tables(str(tree / "t*.png"))
    dataset.encode(str(tree / "t*.png"), tmp_path / "abbr", tables=shared, jobs=1)
    data = (tmp_path / "abbr" / "t2.jpg").read_bytes()
    tile = np.asarray(Image.open(tree / "t2.png"))
    assert data == jpeglite.encode(tile, tables=shared)
    dec = dataset.decode(str(tree / "sub" / "*.jpg"), tmp_path / "dec", suffix=".npy", jobs=2)
    rows = by_name(dec)
    arr = np.load(tmp_path / "dec" / "j2.npy")
    assert np.array_equal(arr, jpeglite.decode((tree / "sub" / "j2.jpg").read_bytes()))
    assert rows["j2.jpg"]["width"] == 64 and "JPEGError" in rows["huge.jpg"]["error"]
    assert not (tmp_path / "dec" / "huge.npy").exists()


def test_optimize_and_progressive_batches(tree, tmp_path):
    df = dataset.optimize(str(tree / "sub" / "*.jpg"), tmp_path / "opt", jobs=2)
    rows = by_name(df)
    src = (tree / "sub" / "j0.jpg").read_bytes()
    out = (tmp_path / "opt" / "j0.jpg").read_bytes()
    assert out == jpeglite.optimize(src) and rows["j0.jpg"]["bytes"] == len(out)
    assert rows["j0.jpg"]["input_bytes"] == len(src) > len(out)
    assert np.array_equal(jpeglite.decode(out), jpeglite.decode(src))
    assert (rows["j0.jpg"]["model_bits"] + rows["j0.jpg"]["header_bits"]
            + rows["j0.jpg"]["data_bits"] + rows["j0.jpg"]["metadata_bits"]) == 8 * len(out)
    assert "JPEGError" in rows["truncated.jpg"]["error"]
    assert not (tmp_path / "opt" / "truncated.jpg").exists()
    prog = by_name(dataset.encode(str(tree / "t0.png"), tmp_path / "p", progressive=True))
    assert prog["t0.png"]["progressive"]
    data = (tmp_path / "p" / "t0.jpg").read_bytes()
    assert data == jpeglite.encode(np.asarray(Image.open(tree / "t0.png")), progressive=True)


def test_a_worker_that_dies_is_a_row(tmp_path):
    rows = list(dataset._run(_die_on_odd, range(4), {}, 2, chunk=1))
    assert [r if isinstance(r, int) else "died" for r in rows] == [0, "died", 2, "died"]


def _die_on_odd(item, opts):
    if item % 2:
        os._exit(3)
    return item


def test_workers_stay_for_the_next_batch_with_its_options():
    first = list(dataset._run(_pid_and_option, range(8), {"v": 1}, 2, chunk=1))
    workers = {p.pid for p in dataset._POOL[1]._processes.values()}
    second = list(dataset._run(_pid_and_option, range(8), {"v": 2}, 2, chunk=1))
    assert [v for _, v in first] == [1] * 8 and [v for _, v in second] == [2] * 8
    assert {pid for pid, _ in first + second} <= workers      # no new processes
    dataset.shutdown()
    assert dataset._POOL is None
    assert [v for _, v in dataset._run(_pid_and_option, range(2), {"v": 3}, 2)] == [3, 3]


def _pid_and_option(item, opts):
    return os.getpid(), opts["v"]


def test_chunks_follow_the_cpu_time_per_input():
    """One input a chunk at first, then growing (at most doubling) towards
    CHUNK_SECONDS of work, never above MAX_CHUNK; fixed sizes as asked."""
    chunker = dataset._Chunker(range(100_000), jobs=2)
    assert [len(chunker.next()) for _ in range(3)] == [1, 1, 1]
    chunker.measured(3, 3 * 0.001)              # 1 ms an input
    sizes = [len(chunker.next()) for _ in range(8)]
    assert sizes == [2, 4, 8, 16, 32, 50, 50, 50]   # doubling up to 50 ms of inputs
    assert int(dataset.CHUNK_SECONDS / 0.001) == 50
    tiny = dataset._Chunker(range(10_000), jobs=2)
    tiny.measured(1_000_000, 1e-9)              # next to nothing an input: capped
    while (n := len(tiny.next())) < dataset.MAX_CHUNK:
        pass
    assert n == dataset.MAX_CHUNK
    fixed = dataset._Chunker(range(10), jobs=2, fixed=4)
    fixed.measured(4, 100.0)
    assert [len(fixed.next()), len(fixed.next()), len(fixed.next())] == [4, 4, 2]
    assert fixed.next() is None


@pytest.mark.parametrize("n", [1, 7, 1000, dataset.LOOKAHEAD + 500])
def test_chunks_shrink_towards_the_end_of_a_batch(n):
    """Once the end is in sight, a chunk is at most a 4*jobs-th of what is
    left: every input once, in order, and the last chunks of one input."""
    jobs = 2
    chunker = dataset._Chunker(iter(range(n)), jobs=jobs)
    chunker.measured(100, 100 * 1e-5)           # 10 us an input: chunks of up to 256
    got, sizes, left = [], [], n
    while (part := chunker.next()) is not None:
        if left <= dataset.LOOKAHEAD:            # the end is listed already
            assert len(part) <= max(1, -(-left // (4 * jobs)))
        got += part
        sizes.append(len(part))
        left -= len(part)
    assert got == list(range(n))
    assert sizes[-1] == 1 and max(sizes) <= dataset.MAX_CHUNK
    if n > dataset.LOOKAHEAD:
        assert dataset.MAX_CHUNK in sizes        # big chunks while the end is out of sight


def test_an_error_while_listing_comes_after_the_inputs_before_it():
    def listing():
        yield from range(5)
        raise FileNotFoundError("gone.txt")

    chunker = dataset._Chunker(listing(), jobs=2)
    got = []
    with pytest.raises(FileNotFoundError):
        while (part := chunker.next()) is not None:
            got += part
    assert got == list(range(5))


def test_a_batch_worker_codes_on_one_thread(tree, monkeypatch):
    """analyze's rows of a batch come from one thread (no second thread
    decoding beside the measurements: jobs=N is N cores), and equal
    jpeglite.analyze's."""
    import threading

    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self))
    rows = by_name(dataset.analyze(tree, jobs=1))
    monkeypatch.undo()
    assert started == []
    tile = np.asarray(Image.open(tree / "t1.png"))
    report = jpeglite.analyze(tile, 75)
    assert rows["t1.png"]["bytes"] == len(report.data)
    assert math.isclose(rows["t1.png"]["psnr"], report.psnr)
    assert rows["t1.png"]["dct_bits"] == report.stage("dct").bits
    dataset.keep_freed_memory()                 # idempotent, and nothing changes
    assert by_name(dataset.analyze(tree, jobs=1))["t1.png"]["bytes"] == len(report.data)


def test_16_bit_inputs_follow_the_single_file_rule(tmp_path, capsys):
    """16-bit PNGs keep their high byte with the ConversionWarning the
    single-file encode gives, here in the row's warning (and the summary);
    a uint16 array is the error the single-file encode gives."""
    from jpeglite.images import png16

    grey = (np.arange(48 * 64, dtype=np.uint32).reshape(48, 64) * 21).astype(np.uint16)
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(grey).save(src / "grey16.png")
    (src / "rgb16.png").write_bytes(png16(np.stack([grey, grey // 2, grey // 3], -1)))
    np.save(src / "array16.npy", grey)
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        rows = by_name(dataset.encode(src, out, jobs=jobs))
        for name in ("grey16", "rgb16"):
            row = rows[f"{name}.png"]
            assert pd.isna(row["error"]) and "16-bit samples" in row["warning"]
            assert "high byte" in row["warning"]
            rc, _, err = run(capsys, "encode", src / f"{name}.png", tmp_path / "one.jpg")
            assert rc == 0 and "16-bit samples" in err
            assert (out / f"{name}.jpg").read_bytes() == (tmp_path / "one.jpg").read_bytes()
        assert jpeglite.decode((out / "grey16.jpg").read_bytes()).shape == (48, 64)
        rc, _, err = run(capsys, "encode", src / "array16.npy", tmp_path / "one.jpg")
        assert rc != 0 and "uint8" in err and "uint8" in rows["array16.npy"]["error"]
    same = jpeglite.encode((grey >> 8).astype(np.uint8))
    assert (tmp_path / "out1" / "grey16.jpg").read_bytes() == same
    summary = dataset.Summary()
    for row in dataset.iter_analyze(src, jobs=1):
        summary.add(row)
    assert summary.warned == 2 and "warning: " in str(summary)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_tables_round_trip(tree, tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow", reason="the dataset extra (pyarrow) is not installed")
    rows = list(dataset.iter_analyze(tree, recursive=True, jobs=1))
    path = tmp_path / ("t" + suffix)
    assert dataset.write_table(rows, path) == len(rows)
    if suffix == ".csv":
        back = list(csv.DictReader(open(path, newline="")))
        assert list(back[0]) == list(dataset.COLUMNS)
        assert [r["path"] for r in back] == [r["path"] for r in rows]
        assert int(back[1]["data_bits"]) == rows[1]["data_bits"]
    elif suffix == ".jsonl":
        back = [json.loads(line) for line in open(path)]
        assert back[1]["data_bits"] == rows[1]["data_bits"] and back[0]["error"]
    else:
        back = pd.read_parquet(path)
        assert list(back["path"]) == [r["path"] for r in rows]
        assert back["data_bits"].iloc[1] == rows[1]["data_bits"]
    with pytest.raises(ValueError, match="suffix"):
        dataset.write_table(rows, tmp_path / "t.xlsx")


def test_summary(tree):
    s = dataset.Summary()
    for row in dataset.iter_analyze(tree, recursive=True, jobs=1):
        s.add(row)
    text = str(s)
    assert s.rows == 12 and s.failed == 3
    assert "12 files: 9 done, 3 failed" in text
    assert "where the bits go" in text and "biggest files" in text and "truncated.jpg" in text
    assert "median" in text


def test_jobs_argument():
    assert dataset.resolve_jobs(None) == (os.cpu_count() or 1)
    with pytest.raises(ValueError, match="jobs"):
        dataset.resolve_jobs(0)
    with pytest.raises(TypeError, match="jobs"):
        dataset.resolve_jobs(1.5)


# ---- the command line ---------------------------------------------------------

def run(capsys, *argv):
    rc = cli.main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_analyze_batch(capsys, tree, tmp_path):
    table = tmp_path / "t.csv"
    rc, out, err = run(capsys, "analyze", tree, "-r", "--table", table, "-j", "2")
    assert rc == 1                                     # some files failed; the batch completed
    assert "12 files: 9 done, 3 failed" in out and "failed: " in out
    assert len(list(csv.DictReader(open(table, newline="")))) == 12
    rc, out, err = run(capsys, "analyze", tree / "t0.png", tree / "t1.png", "--no-progress")
    assert rc == 0 and "2 files: 2 done" in out and err == ""
    rc, out, err = run(capsys, "analyze", tree, "--json")
    assert rc == 2 and "--table" in err


def test_cli_encode_decode_batch_and_single_with_tables(capsys, tree, tmp_path):
    rc, out, err = run(capsys, "encode", tree / "t0.png", tree / "t1.png", "-o", tmp_path / "o",
                       "-q", "90")
    assert rc == 0 and (tmp_path / "o" / "t1.jpg").is_file()
    rc, out, err = run(capsys, "encode", tree / "t0.png", tree / "t1.png", tree / "t2.png")
    assert rc == 2 and "-o DIR" in err
    rc, out, err = run(capsys, "decode", tmp_path / "o", "-o", tmp_path / "d", "--resume")
    assert rc == 0 and (tmp_path / "d" / "t0.png").is_file()
    rc, out, err = run(capsys, "optimize", tmp_path / "o", "-o", tmp_path / "opt", "-j", "1")
    assert rc == 0 and "optimized: " in out and (tmp_path / "opt" / "t1.jpg").is_file()
    shared = tmp_path / "shared.jpg"
    rc, out, err = run(capsys, "tables", str(tree / "t*.png"), "-o", shared, "-j", "1")
    assert rc == 0 and "shared tables save" in out and shared.is_file()
    rc, out, err = run(capsys, "encode", tree / "t3.png", tmp_path / "a.jpg", "--tables", shared)
    assert rc == 0
    rc, out, err = run(capsys, "decode", tmp_path / "a.jpg", tmp_path / "a.npy", "--tables", shared)
    assert rc == 0
    tile = np.asarray(Image.open(tree / "t3.png"))
    assert np.array_equal(np.load(tmp_path / "a.npy"), jpeglite.decode(jpeglite.encode(tile)))


# ---- Dask ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    pytest.importorskip("dask.bag", reason="the dataset extra (dask) is not installed")
    distributed = pytest.importorskip("distributed",
                                      reason="the dataset extra (distributed) is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def test_dask_equals_local_row_for_row(client, tree):
    df = dataset.analyze(tree, recursive=True, client=client)
    assert hasattr(df, "npartitions")
    remote = df.compute().reset_index(drop=True)
    local = dataset.analyze(tree, recursive=True, jobs=1)
    cols = [c for c in dataset.COLUMNS if c != "seconds"]
    pd.testing.assert_frame_equal(remote[cols], local[cols])
    assert [r["path"] for r in dataset.iter_rows(df)] == list(local["path"])


def test_dask_config_keeps_the_malloc_defaults_in_workers(client):
    """DASK_CONFIG takes MALLOC_TRIM_THRESHOLD_ out of what the nanny sets
    before it starts a worker process (the codec's buffers are then reused,
    not given back to the kernel and faulted in again per image)."""
    import dask
    import distributed

    with dask.config.set(dataset.DASK_CONFIG), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        env = c.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert list(env.values()) == [os.environ.get("MALLOC_TRIM_THRESHOLD_")]


def test_dask_bag_of_bytes(client, tree):
    import dask.bag as db

    data = [(tree / "sub" / "j0.jpg").read_bytes(), b"junk"]
    df = dataset.analyze(db.from_sequence(data, npartitions=2)).compute()
    assert list(df["bytes"].isna()) == [False, True]
    assert df["bytes"].iloc[0] == len(data[0]) and "neither a JPEG" in df["error"].iloc[1]


def test_cli_scheduler(capsys, client, tree, tmp_path):
    table = tmp_path / "t.jsonl"
    rc, out, err = run(capsys, "analyze", tree, "-r", "--scheduler", client.scheduler.address,
                       "--table", table)
    assert rc == 1 and "12 files: 9 done, 3 failed" in out
    remote = [json.loads(line) for line in open(table)]
    local = list(dataset.iter_analyze(tree, recursive=True, jobs=1))
    assert [r["path"] for r in remote] == [r["path"] for r in local]
    assert [r["data_bits"] for r in remote] == [r["data_bits"] for r in local]
