"""A non-editable `pip install` into a fresh venv gives a working command and importable modules, without the notebooks."""
import subprocess, venv
from pathlib import Path
from conftest import ROOT

def test_non_editable_install(tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py, bin_ = env_dir / "bin" / "python", env_dir / "bin"
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "-c", str(ROOT / "constraints-cpu.txt"), str(ROOT)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    work = tmp_path / "elsewhere"; work.mkdir()
    code = ("import sorting_transformers as s, sorting_transformers.data, sorting_transformers.model, sorting_transformers.train, "
            "sorting_transformers.patching, sorting_transformers.circuits, sorting_transformers.llc, sorting_transformers.cli; print(s.__file__)")
    r = subprocess.run([str(py), "-c", code], cwd=work, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert str(env_dir) in r.stdout and str(ROOT) not in r.stdout, r.stdout        # the installed copy, not the checkout
    template = Path(r.stdout.strip()).parent / "site_template" / "index.html.j2"  # package data: the site's template
    assert template.exists(), f"{template} not installed"
    r = subprocess.run([str(bin_ / "sorting-transformers"), "train", "--help"], cwd=work, capture_output=True, text=True)
    assert r.returncode == 0 and "--weight-decay" in r.stdout
    r = subprocess.run([str(bin_ / "sorting-transformers"), "train", "--profile", "test", "--preset", "relu3l", "--weight-decay", "0",
                        "--steps", "3", "--out", str(work / "runs"), "--no-progress"], cwd=work, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (work / "runs" / "relu3l_wd0_act0_s0" / "metrics.csv").exists()
