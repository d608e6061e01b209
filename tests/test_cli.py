"""The command line end to end, as a user runs it."""
import subprocess
import pytest
from conftest import ROOT, tool, shared_seed_dir

def run(*args, env=None):
    return subprocess.run([tool("sorting-transformers"), *args], cwd=ROOT, capture_output=True, text=True, env=env)

def test_help_explains_options():
    r = run("all", "--help")
    assert r.returncode == 0 and "--profile" in r.stdout and "--seed-dir" in r.stdout

@pytest.mark.parametrize("args,msg", [
    (["all", "--profile", "huge"], "invalid choice: 'huge'"),
    (["seed-accuracy", "--n-lists", "-5"], "--n-lists -5"),
    (["nonsense"], "invalid choice: 'nonsense'"),
])
def test_bad_arguments_fail_clearly(args, msg):
    r = run(*args)
    assert r.returncode != 0 and msg in r.stderr, r.stderr

def test_missing_seed_folder_is_an_error(tmp_path):
    r = run("seed-accuracy", str(tmp_path))
    assert r.returncode != 0 and "no seed checkpoints" in r.stderr

def test_main_job_imports_the_seed(main_job_test_profile):
    seed = shared_seed_dir()
    if not (seed / "models").is_dir():
        pytest.skip(f"the seed's checkpoints are not at {seed} (set SORTING_TRANSFORMERS_SHARED)")
    _, r = main_job_test_profile
    out = r.stdout
    assert "attn1l" in out and "bidirectional" in out
    row = next(l for l in out.splitlines() if l.strip().startswith("models/sort_mid_decay_l1_activation.pth "))
    token_acc, seq_acc = map(float, row.split()[2:4])
    assert abs(token_acc - 0.995) <= 0.005 and abs(seq_acc - 0.953) <= 0.005, row

def test_main_job_runs_the_experiment_and_says_whether_it_reproduced(main_job_test_profile):
    "The main job analyses every run of the grid, writes RUNS/summary.json and ends by comparing it with the committed one."
    import json
    from sorting_transformers.core import get_profile
    from sorting_transformers.train import sweep_configs, recipe_configs
    work, r = main_job_test_profile
    out = r.stdout.strip().splitlines()
    n = len(sweep_configs(get_profile("test")) + recipe_configs(get_profile("test")))
    assert any(l.startswith(f"experiment: {n} run(s) analysed") for l in out), r.stdout[-3000:]
    s = json.loads((work / "runs" / "test" / "summary.json").read_text())   # $SORTING_TRANSFORMERS_RUNS/PROFILE
    assert s["profile"] == "test" and len(s["runs"]) == n
    w = s["environment"]["wall_seconds"]   # this job's measured wall time per stage (it trained every run: fresh folder)
    assert isinstance(w["train"], int) and isinstance(w["analysis"], int) and w["train"] > 0 and w["workers"] >= 1, w
    # run from a folder with no results/test/summary.json: it says there is nothing to compare, and how to commit one
    assert out[-1].startswith("no committed summary at results/test/summary.json"), out[-3:]
