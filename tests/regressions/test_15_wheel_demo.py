"""Defect 15: `pip install .` (not editable) gives a `quanze demo` that cannot find its example.

The wheel is built from a copy of the checkout (so no build/ is left in it) without build isolation (so nothing is
fetched), installed with ``pip install --target``, and run by the current interpreter with only that target put
first on ``sys.path``: the modules, the rule catalogue, the reference data and the example then all come from the
wheel, not from the editable install.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import REPO

from quanze.api.cli import main

pytestmark = pytest.mark.slow

# not part of the package, or written by builds and runs
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "out", "*.egg-info", "__pycache__", "*.pyc",
                                    ".pytest_cache", ".ipynb_checkpoints")
SUBPACKAGES = ("api", "graph", "loaders", "reform", "rules", "synth")  # every file below them is code or its data
EXAMPLE_FOLDERS = ("examples/mingchuan", "examples/mingchuan-inputs", "examples/lineage", "examples/scenarios")
DEMO = """
import sys
from pathlib import Path
target, out = Path(sys.argv[1]).resolve(), sys.argv[2]
sys.path.insert(0, str(target))
import quanze
from quanze import pipeline as analysis
assert Path(quanze.__file__).resolve().is_relative_to(target), quanze.__file__
assert analysis.EXAMPLES.resolve().is_relative_to(target), analysis.EXAMPLES
from quanze.api.cli import main
sys.exit(main(["demo", "--out", out]))
"""


def _pip(*args: str, cwd: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", *args, "--no-cache-dir", "--disable-pip-version-check"],
                          cwd=cwd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # setuptools 70.1 builds wheels by itself (pyproject.toml); older ones need the wheel package and isolation
    if tuple(int(p) for p in version("setuptools").split(".")[:2]) < (70, 1):
        pytest.skip("building the wheel offline needs setuptools>=70.1 in this environment")
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(REPO, src, ignore=NOT_SOURCE)
    _pip("wheel", ".", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), cwd=src)
    (built,) = (tmp / "dist").glob("quanze-*.whl")
    return built


def _shipped(rel: Path) -> bool:
    return rel.suffix != ".pyc" and "__pycache__" not in rel.parts


def test_wheel_holds_every_module_data_file_and_the_example(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"quanze/__init__.py"}
    for folder in (*SUBPACKAGES, *EXAMPLE_FOLDERS):
        expected |= {f"quanze/{p.relative_to(REPO).as_posix()}" for p in (REPO / folder).rglob("*")
                     if p.is_file() and _shipped(p.relative_to(REPO))}
    assert sorted(expected - names) == []
    assert len([n for n in names if n.startswith("quanze/examples/mingchuan/")]) == 15


def test_installed_wheel_runs_the_demo(wheel, tmp_path):
    site, out = tmp_path / "site", tmp_path / "out"
    _pip("install", "--no-deps", "--target", str(site), str(wheel), cwd=tmp_path)
    proc = subprocess.run([sys.executable, "-I", "-c", DEMO, str(site), str(out)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert json.loads((out / "load.json").read_text(encoding="utf-8"))["items"] == 106
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))["findings"]
    assert findings and (out / "report.html").exists() and (out / "findings.xlsx").exists()
    # the same findings as the checkout gives: no rule, reference table or input is missing from the wheel
    assert main(["demo", "--out", str(tmp_path / "checkout")]) == 0
    here = json.loads((tmp_path / "checkout" / "findings.json").read_text(encoding="utf-8"))["findings"]
    assert Counter(f["rule"] for f in findings) == Counter(f["rule"] for f in here)
