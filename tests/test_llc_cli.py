"""`sorting-transformers llc` on a run folder: estimates are cached and a rerun computes nothing new."""
import subprocess
from conftest import ROOT, tool

def run(*args):
    return subprocess.run([tool("sorting-transformers"), *args], cwd=ROOT, capture_output=True, text=True)

def test_llc_command_caches(tmp_path):
    r = run("train", "--profile", "test", "--preset", "attn1l", "--weight-decay", "0.1", "--seeds", "0", "--gap-mean",
            "uniform", "--steps", "12", "--n-checkpoints", "3", "--out", str(tmp_path), "--no-progress")
    assert r.returncode == 0, r.stderr
    rd = tmp_path / "attn1l_wd0.1_act0_s0"
    r = run("llc", str(rd), "--profile", "test", "--n-checkpoints", "3", "--draws", "8", "--no-progress")
    assert r.returncode == 0, r.stderr
    assert "LLC over training" in r.stdout
    cached = {p: p.stat().st_mtime_ns for p in (rd / "analysis").glob("llc_*.safetensors")}
    assert len(cached) == 3, sorted(p.name for p in cached)
    r2 = run("llc", str(rd), "--profile", "test", "--n-checkpoints", "3", "--draws", "8", "--no-progress")
    assert r2.returncode == 0 and r2.stdout.splitlines()[-4:] == r.stdout.splitlines()[-4:]
    assert {p: p.stat().st_mtime_ns for p in (rd / "analysis").glob("llc_*.safetensors")} == cached   # read, not recomputed
    r3 = run("llc", str(rd), "--profile", "test", "--n-checkpoints", "3", "--draws", "9", "--no-progress")
    assert r3.returncode == 0 and len(list((rd / "analysis").glob("llc_*.safetensors"))) == 6       # another config: new files


def test_llc_workers_give_the_same_numbers(tmp_path):
    "Estimates computed by 2 worker processes equal those computed in-process (each runs on one thread)."
    import shutil
    r = run("train", "--profile", "test", "--preset", "relu3l", "--weight-decay", "0", "--steps", "12",
            "--n-checkpoints", "3", "--out", str(tmp_path / "a"), "--no-progress")
    assert r.returncode == 0, r.stderr
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    outs = []
    for folder, workers in (("a", "1"), ("b", "2")):
        r = run("llc", str(tmp_path / folder / "relu3l_wd0_act0_s0"), "--profile", "test", "--n-checkpoints", "3",
                "--draws", "6", "--workers", workers, "--no-progress")
        assert r.returncode == 0, r.stderr
        outs.append(r.stdout.split("LLC over training")[1])
    assert outs[0] == outs[1], outs
