"""The typed API: py.typed and the .pyi stubs name every public name with its
run-time signature, and ``mypy --strict`` passes over tests/typing_check.py (a
file using the whole public API) and flags misuse such as ``quality="high"``."""
import ast
import dataclasses
import importlib
import inspect
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import jpeglite

PACKAGE = Path(jpeglite.__file__).resolve().parent
HERE = Path(__file__).resolve().parent
# the public modules that have stubs: every public name of each must be in its stub
STUBBED = ["jpeglite", "jpeglite.report", "jpeglite.coefficients", "jpeglite.errors",
           "jpeglite.dataset"]


def stub_path(module):
    name = module.split(".")[-1] if module != "jpeglite" else "__init__"
    return PACKAGE / f"{name}.pyi"


def public_names(module):
    mod = importlib.import_module(module)
    if hasattr(mod, "__all__"):
        return list(mod.__all__)
    return [n for n, v in vars(mod).items()
            if not n.startswith("_") and not isinstance(v, types.ModuleType)]


def stub_defs(module):
    """{name: ast node} of what the stub defines at top level (imports with `as` too)."""
    tree = ast.parse(stub_path(module).read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = node
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                if a.asname == a.name:          # an explicit re-export
                    out[a.name] = node
    return out


def stub_params(fn):
    """[(name, kind, has default)] of a stub function, as inspect names kinds
    (a classmethod without its ``cls``, as inspect gives it bound)."""
    a = fn.args
    out = []
    pos = a.posonlyargs + a.args
    if any(isinstance(d, ast.Name) and d.id == "classmethod" for d in fn.decorator_list):
        pos = pos[1:]
    defaults = [None] * (len(pos) - len(a.defaults)) + list(a.defaults)
    for arg, d in zip(pos, defaults):
        kind = "POSITIONAL_ONLY" if arg in a.posonlyargs else "POSITIONAL_OR_KEYWORD"
        out.append((arg.arg, kind, d is not None))
    if a.vararg:
        out.append((a.vararg.arg, "VAR_POSITIONAL", False))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append((arg.arg, "KEYWORD_ONLY", d is not None))
    if a.kwarg:
        out.append((a.kwarg.arg, "VAR_KEYWORD", False))
    return out


def runtime_params(obj):
    return [(p.name, p.kind.name, p.default is not inspect.Parameter.empty)
            for p in inspect.signature(obj).parameters.values()]


def test_py_typed_is_there():
    assert (PACKAGE / "py.typed").is_file()


@pytest.mark.parametrize("module", STUBBED)
def test_stub_names_every_public_name(module):
    defs = stub_defs(module)
    missing = [n for n in public_names(module) if n not in defs]
    assert not missing, f"{stub_path(module).name} lacks {missing}"


@pytest.mark.parametrize("module", STUBBED)
def test_stub_signatures_match_the_code(module):
    mod = importlib.import_module(module)
    for name, node in stub_defs(module).items():
        obj = getattr(mod, name, None)
        assert obj is not None, f"{stub_path(module).name} names {name}, which {module} lacks"
        if isinstance(node, ast.FunctionDef):
            assert stub_params(node) == runtime_params(obj), f"{module}.{name}"
        elif isinstance(node, ast.ClassDef):
            members = {n.name: n for n in node.body if isinstance(n, ast.FunctionDef)}
            members.update({n.target.id: n for n in node.body
                            if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)})
            fields = ({f.name for f in dataclasses.fields(obj)}
                      if dataclasses.is_dataclass(obj) else set())
            runtime = {n for n in vars(obj) if not n.startswith("_")} | fields
            # every public member has a type, and the stub invents none (an
            # attribute set in __init__ is a member too)
            assert runtime - set(members) == set(), f"{module}.{name} stub lacks members"
            source = inspect.getsource(obj)
            invented = {m for m in members if not m.startswith("_") and not hasattr(obj, m)
                        and m not in fields and f"self.{m} =" not in source}
            assert not invented, f"{module}.{name} stub has {invented}"
            for m, fn in members.items():
                if isinstance(fn, ast.FunctionDef) and not any(
                        isinstance(d, ast.Name) and d.id == "property" for d in fn.decorator_list):
                    assert stub_params(fn) == runtime_params(getattr(obj, m)), \
                        f"{module}.{name}.{m}"


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory):
    # one cache for the module's mypy runs: the second reuses numpy's analysis
    return tmp_path_factory.mktemp("mypy_cache")


def mypy(*args, cwd, cache):
    pytest.importorskip("mypy", reason="mypy not installed (pip install '.[test]' has it)")
    env = dict(os.environ)
    if not {"site-packages", "dist-packages"} & set(PACKAGE.parts):
        # a source tree (PYTHONPATH=src): point mypy at it; an installed
        # package mypy finds by itself (PEP 561), and refuses in MYPYPATH
        env["MYPYPATH"] = str(PACKAGE.parent)
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                           f"--cache-dir={cache}", *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def test_mypy_strict_over_the_whole_api(tmp_path, mypy_cache):
    proc = mypy(HERE / "typing_check.py", cwd=tmp_path, cache=mypy_cache)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_flags_misuse(tmp_path, mypy_cache):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import jpeglite\n"
        "import numpy as np\n"
        "a = np.zeros((8, 8), np.uint8)\n"
        "jpeglite.encode(a, quality='high')\n"
        "jpeglite.encode(a, subsampling='4:1:1')\n"
        "r = jpeglite.analyze(a)\n"
        "n: str = r.width\n")
    proc = mypy(bad, cwd=tmp_path, cache=mypy_cache)
    assert proc.returncode == 1
    out = proc.stdout
    assert 'bad.py:4: error: Argument "quality"' in out, out
    assert 'bad.py:5: error: Argument "subsampling"' in out, out
    assert "bad.py:7: error: Incompatible types in assignment" in out, out
    assert "import-untyped" not in out and "import-not-found" not in out
