"""Every notebook passes nbdev-test on the `test` profile, and the package is what the notebooks export."""
import filecmp, os, shutil, subprocess
from pathlib import Path
import pytest
from conftest import ROOT, tool

NOTEBOOKS = sorted(p.name for p in (ROOT / "nbs").glob("*.ipynb"))

def test_notebooks_found():
    assert {"index.ipynb", "01_data.ipynb", "02_model.ipynb"} <= set(NOTEBOOKS), NOTEBOOKS

@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    "A fresh runs folder for the notebooks, so no run left from an earlier version is reused."
    return tmp_path_factory.mktemp("runs")

@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_notebook(nb, runs):
    env = {**os.environ, "SORTING_TRANSFORMERS_PROFILE": "test", "SORTING_TRANSFORMERS_RUNS": str(runs)}
    r = subprocess.run([tool("nbdev-test"), str(ROOT / "nbs" / nb)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-6000:]

def test_export_is_up_to_date(tmp_path):
    "nbdev-export on a copy of the notebooks reproduces the committed package exactly."
    work = tmp_path / "proj"
    shutil.copytree(ROOT / "nbs", work / "nbs", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(ROOT / "pyproject.toml", work)
    (work / "sorting_transformers").mkdir()
    shutil.copy(ROOT / "sorting_transformers" / "__init__.py", work / "sorting_transformers")
    r = subprocess.run([tool("nbdev-export")], cwd=work, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    ours, theirs = ROOT / "sorting_transformers", work / "sorting_transformers"
    names = sorted(p.name for p in theirs.glob("*.py"))
    assert names == sorted(p.name for p in ours.glob("*.py")), "exported modules differ from the committed ones"
    stale = [n for n in names if (ours / n).read_text() != (theirs / n).read_text()]
    assert not stale, f"run nbdev-export: {stale} differ from what the notebooks export"

def test_readme_is_generated_from_index():
    r = subprocess.run([os.sys.executable, str(ROOT / "tools" / "make_readme.py"), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + r.stdout

def test_committed_notebooks_are_small():
    big = [p.name for p in (ROOT / "nbs").glob("*.ipynb") if p.stat().st_size > 2_000_000]
    assert not big, f"notebooks over 2 MB: {big}"
