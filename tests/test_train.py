"""Training from the command line: bad arguments write nothing; a run killed with kill -9 resumes bit-identically."""
import random, signal, subprocess, time
import pytest, torch
from conftest import ROOT, tool

ARGS = ["train", "--profile", "test", "--preset", "attn1l", "--weight-decay", "0.1", "--seeds", "0", "--gap-mean",
        "uniform", "--steps", "150", "--batch-size", "32", "--n-checkpoints", "6", "--no-progress"]
RUN = "attn1l_wd0.1_act0_s0"

def train(out, *extra, **kw):
    return subprocess.Popen([tool("sorting-transformers"), *ARGS, "--out", str(out), *extra], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)

def final_weights(run_dir):
    from safetensors.torch import load_file
    last = sorted((run_dir / "checkpoints").glob("step_*.safetensors"))[-1]
    return last.name, load_file(last)

@pytest.mark.parametrize("args,msg", [
    (["--weight-decay", "-0.1"], "weight_decay=-0.1"),
    (["--preset", "gpt2"], "invalid choice: 'gpt2'"),
    (["--steps", "0"], "steps=0"),
    (["--lr", "2"], "lr=2.0"),
    (["--seeds", "-1"], "seed=-1"),
])
def test_bad_arguments_write_nothing(tmp_path, args, msg):
    out = tmp_path / "runs"
    r = subprocess.run([tool("sorting-transformers"), "train", "--out", str(out), *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0 and msg in r.stderr, r.stderr
    assert not out.exists()

def test_kill_9_then_resume_is_bit_identical(tmp_path):
    ref = train(tmp_path / "ref"); assert ref.wait(300) == 0, ref.stderr.read()
    out, rng, kills = tmp_path / "killed", random.Random(0), 0
    for _ in range(20):
        state = out / RUN / "state.safetensors"
        before = state.stat().st_mtime_ns if state.exists() else None
        p = train(out)
        t0 = time.time()   # wait until this process has saved progress, then kill it at a random moment
        while p.poll() is None and (state.stat().st_mtime_ns if state.exists() else None) == before and time.time() - t0 < 120:
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.4))
        if p.poll() is not None: break
        p.send_signal(signal.SIGKILL); p.wait(); kills += 1
    else:
        pytest.fail("the run never finished")
    assert kills >= 2, "the run finished before it could be killed twice: make it longer"
    if p.returncode != 0 or not (out / RUN / "metrics.csv").exists():
        p = train(out); assert p.wait(300) == 0, p.stderr.read()
    (na, wa), (nb, wb) = final_weights(tmp_path / "ref" / RUN), final_weights(out / RUN)
    assert na == nb == "step_000150.safetensors"
    assert wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa), "resumed weights differ"
    assert (tmp_path / "ref" / RUN / "metrics.csv").read_text() == (out / RUN / "metrics.csv").read_text()
    assert not list(out.rglob(".*.tmp*")), "temporary files left behind"
    # rerunning a finished run does nothing
    mtime = (out / RUN / "state.safetensors").stat().st_mtime_ns
    p = train(out); assert p.wait(300) == 0
    assert (out / RUN / "state.safetensors").stat().st_mtime_ns == mtime
