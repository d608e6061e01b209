"""LLC estimates side by side in one run: seconds per estimate of each implementation, at the sorters' own policy.

    python benchmarks/bench_llc.py [--runs DIR] [--draws 200] [--batch-sizes 64 16 8] [--device cpu|cuda]
                                   [--converged-draws 8192]

For each preset, the final checkpoint of its run without weight decay (seed 0) in DIR (default: both runs trained here
with the `default` profile's sizes into a temporary folder, about a minute): one LLC estimate with the default
profile's sampler settings (4 chains, `--draws` draws each, plus the step check's chains at 2ε for half the draws,
`LLCConfig`'s defaults otherwise), by devinterp's sampler at the profile's batch size (the reference) and by the
stacked sampler at each of `--batch-sizes`. Columns: wall seconds per estimate (best of 2), milliseconds per
chain-step, the speed-up over devinterp, λ̂ and λ̂ at 2ε, and whether the estimate passed every check
(`llc.CHECKS`). A last row runs the stacked sampler at the smallest batch size for `--converged-draws` draws (half
of them burn-in), and prints what that costs and which checks still fail.

On a CPU every estimate runs on one thread (as the LLC stage runs it). Nothing here is asserted: the numbers are
what this machine measured.
"""
import argparse, dataclasses, os, subprocess, sys, tempfile, time
from pathlib import Path
import torch
from sorting_transformers.core import get_profile
from sorting_transformers.llc import LLCConfig, estimate_llc, profile_llc_config, trace_checks, CHECKS
from sorting_transformers.runs import load_checkpoint


def train_default_runs(out: Path) -> Path:
    "The two runs without weight decay, seed 0, at the default profile's sizes (resumable: finished runs are reused)."
    cmd = [sys.executable, "-c", "import sys; from sorting_transformers.cli import main; sys.exit(main(sys.argv[1:]))",
           "train", "--profile", "default", "--preset", "relu3l", "attn1l", "--weight-decay", "0", "--seeds", "0",
           "--gap-mean", "uniform", "--out", str(out), "--no-progress"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return out


def timed(model, task, config, rounds=2):
    "(best wall seconds of `rounds`, the estimate): the same seed each round, so each round computes the same numbers."
    best, e = float("inf"), None
    for _ in range(rounds):
        t = time.perf_counter(); e = estimate_llc(model, task, config=config); best = min(best, time.perf_counter() - t)
    return best, e


def row(name, secs, e, config, ref_secs):
    chain_steps = config.num_chains * config.num_draws * (1.5 if config.step_check else 1)   # 2ε: half the draws
    checks = trace_checks(e); failed = [c for c in CHECKS if not checks[c]]
    double = e["double_step_per_chain"].mean().item() if e["double_step_per_chain"] is not None else float("nan")
    return (f"{name:28} {config.batch_size:>5} {config.num_draws:>6} {secs:8.1f} {1000 * secs / chain_steps:9.2f} "
            f"{ref_secs / secs:8.1f} {e['mean']:8.1f} {double:8.1f}  {', '.join(failed) or 'none'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=Path, default=None, help="folder with relu3l_wd0_act0_s0 and attn1l_wd0_act0_s0")
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 16, 8])
    ap.add_argument("--converged-draws", type=int, default=8192)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--presets", nargs="+", default=["attn1l", "relu3l"])
    a = ap.parse_args()
    runs = a.runs or train_default_runs(Path(tempfile.mkdtemp(prefix="bench_llc_")))
    base = dataclasses.replace(profile_llc_config(get_profile("default").llc, a.device), num_draws=a.draws,
                               num_burnin=a.draws // 5)
    name = torch.cuda.get_device_name() if a.device == "cuda" else f"CPU, {os.cpu_count()} cores (one thread each)"
    print(f"device: {name}; torch {torch.__version__}; runs in {runs}; {base.num_chains} chains, n_lists "
          f"{base.n_lists}, the step check's chains included\n")
    head = (f"{'implementation':28} {'batch':>5} {'draws':>6} {'s/est':>8} {'ms/chain':>9} {'speedup':>8} "
            f"{'λ̂':>8} {'λ̂(2ε)':>8}  checks failed")
    for preset in a.presets:
        model, task = load_checkpoint(runs / f"{preset}_wd0_act0_s0")
        print(f"{preset}: final checkpoint of {preset}_wd0_act0_s0, policy {LLCConfig().for_model(model.cfg, task)}"
              .split(", num_chains")[0] + ")")
        print(head)
        ref_cfg = dataclasses.replace(base, implementation="devinterp")
        ref_secs, ref = timed(model, task, ref_cfg)
        print(row("devinterp (reference)", ref_secs, ref, ref_cfg, ref_secs))
        for b in a.batch_sizes:
            cfg = dataclasses.replace(base, implementation="stacked", batch_size=b)
            secs, e = timed(model, task, cfg)
            print(row("stacked", secs, e, cfg, ref_secs))
        b = min(a.batch_sizes)
        cfg = dataclasses.replace(base, implementation="stacked", batch_size=b, num_draws=a.converged_draws,
                                  num_burnin=a.converged_draws // 2)
        secs, e = timed(model, task, cfg, rounds=1)
        print(row("stacked, long chains", secs, e, cfg, ref_secs * cfg.num_draws / ref_cfg.num_draws))
        print("  (speedup of the long chains: against devinterp's measured cost scaled to the same draws)\n")


if __name__ == "__main__":
    main()
