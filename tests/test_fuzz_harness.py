"""The fuzz harness CI runs (.ci/fuzz): fuzz_kernels.py's -plain driver, the fallback where
atheris cannot be installed, must run every target and must report a finding."""
import os
import random
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fuzz"))
os.environ.setdefault("JPEGLITE_FUZZ_PYTHON", "0")   # no atheris instrumentation here

fuzz_kernels = pytest.importorskip("fuzz_kernels")
HOSTILE = os.path.join(HERE, "hostile")
# mutants of damaged data decode with the documented warning
pytestmark = pytest.mark.filterwarnings("ignore::jpeglite.errors.CorruptDataWarning")


@pytest.mark.parametrize("name", sorted(fuzz_kernels.TARGETS))
def test_plain_driver_runs_every_target(name, tmp_path, capsys, monkeypatch):
    if name == "tables":
        monkeypatch.setattr(fuzz_kernels, "TABLES", fuzz_kernels.tables_stream())
    status = fuzz_kernels.plain_fuzz(name, fuzz_kernels.TARGETS[name],
                                     ["-seed=3", "-runs=30", f"-artifact_prefix={tmp_path}/",
                                      HOSTILE])
    assert status == 0
    assert "30 mutants" in capsys.readouterr().out
    assert not os.listdir(tmp_path)


def test_plain_driver_reports_a_finding(tmp_path, capsys):
    def target(data):
        if len(data) % 7 == 3:
            raise RuntimeError("planted")

    status = fuzz_kernels.plain_fuzz("planted", target, ["-seed=1", "-runs=500",
                                                         f"-artifact_prefix={tmp_path}/", HOSTILE])
    assert status == 1
    (found,) = os.listdir(tmp_path)
    assert len((tmp_path / found).read_bytes()) % 7 == 3
    assert "planted" in capsys.readouterr().out


def test_structure_mutator_without_atheris_is_repeatable():
    with open(os.path.join(HOSTILE, sorted(os.listdir(HOSTILE))[0]), "rb") as f:
        data = f.read()
    seeds = [random.Random(9).getrandbits(32) for _ in range(50)]
    first = [fuzz_kernels.structure_mutate(data, 1 << 16, s) for s in seeds]
    assert first == [fuzz_kernels.structure_mutate(data, 1 << 16, s) for s in seeds]
    assert sum(m != data for m in first) > 40


def test_tables_stream_is_the_bytes_make_seeds_joins():
    # make_seeds.py writes the tables-only stream before an image stream
    stream = fuzz_kernels.tables_stream()
    assert isinstance(stream, bytes)
    assert stream[:2] == b"\xff\xd8" and stream[-2:] == b"\xff\xd9"
