"""The Dask engine: a sweep fanned out over a local cluster of 2 workers gives the runs an in-process sweep
gives, bit for bit, also when a worker is killed (SIGKILL) in the middle of a run and its unit is retried."""
import os, signal, threading, time
from pathlib import Path
import pandas as pd
import pytest
import torch

distributed = pytest.importorskip("distributed", reason="the Dask engine needs the 'cluster' extra (Dask distributed)")
from sorting_transformers.runs import TrainConfig, load_checkpoint, load_run, state_step
from sorting_transformers.train import train_sweep

RUNS = [TrainConfig(preset="attn1l", steps=80, batch_size=16, warmup_steps=5, n_checkpoints=6, weight_decay=w, seed=s)
        for w, s in ((0.0, 0), (1.0, 1))]

def _same_runs(a:Path, b:Path):
    for c in RUNS:
        pd.testing.assert_frame_equal(load_run(a / c.run_name)[1], load_run(b / c.run_name)[1])
        wa, wb = load_checkpoint(a / c.run_name)[0].state_dict(), load_checkpoint(b / c.run_name)[0].state_dict()
        assert all(torch.equal(wa[k], wb[k]) for k in wa), f"{c.run_name}: weights differ"

def test_dask_sweep_survives_a_killed_worker(tmp_path):
    train_sweep(RUNS, tmp_path / "local", progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as client:
        out = tmp_path / "dask"; done = {}
        t = threading.Thread(target=lambda: done.setdefault("df", train_sweep(RUNS, out, progress=False, engine="dask",
                                                                               scheduler=cluster.scheduler_address)))
        t.start()
        deadline = time.time() + 120
        while time.time() < deadline and not any(0 < _step(out / c.run_name) < c.steps for c in RUNS): time.sleep(0.05)
        busy = [w for w, tasks in client.processing().items() if tasks]
        assert busy, "no worker was running a unit"
        pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
        os.kill(pid, signal.SIGKILL)                      # the worker dies mid-run; Dask runs its unit again
        t.join(300)
        assert not t.is_alive() and "df" in done, "the sweep did not finish"
    _same_runs(tmp_path / "local", out)

def _step(run_dir:Path) -> int:
    try: return state_step(run_dir)
    except Exception: return 0
