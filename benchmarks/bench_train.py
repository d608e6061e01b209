"""Training throughput, measured side by side in one run; prints one table per question.

    python benchmarks/bench_train.py [--steps 40] [--batch-size 256] [--device cpu|cuda]
                                     [--sections 1 2 4 5 6] [--profiles paper full]

1. Step time per preset: TransformerLens's forward (`model(tokens)`), the package's `fast_sort_loss` on
   the same parameters, and a minimal plain-PyTorch implementation of the same architecture (the
   reference), each with AdamW on a fresh batch per step, median ms per step, best of 3 rounds.
2. Sweep throughput (runs x steps per second) for the default sweep's shape: today's loop (before
   this change: TransformerLens forward, one run after another, PyTorch's default threads), one run
   at a time through `fast_sort_loss` on one thread, groups of G runs with stacked parameters, and
   `workers` processes side by side (one thread each), with the speed-up over today's loop.
(The LLC's cost per estimate, by implementation and batch size: `benchmarks/bench_llc.py`.)
5. Mixed precision: the fused step in fp32 against bf16 autocast with fp32 master weights, side by
   side (on a CPU, bf16 pays only where the CPU has bf16 matrix units).
6. The training stage of the `paper` and `full` profiles projected from the trainer's measured step
   time at each run's batch size (`--profiles`): run-steps, and hours with W processes side by side on
   the CPU (assuming they scale as section 2 measures) or one run at a time on a GPU.

Every side draws its batches from the task's generator and runs under the determinism setting the
training loop uses (one thread, where the row says so).
"""
import argparse, math, os, statistics, time
import multiprocessing as mp
import torch, torch.nn as nn
from torch.func import stack_module_state
from sorting_transformers.data import sample_batch, generator
from sorting_transformers.model import sort_loss, fast_sort_loss
from sorting_transformers.core import get_profile
from sorting_transformers.runs import TrainConfig
from sorting_transformers.train import (build_model, make_optimizer, deterministic, lr_at, train_step,
    sweep_configs, seed_recipe_configs)


class PlainAttention(nn.Module):
    def __init__(s, d_model, n_heads, d_head, causal):
        super().__init__(); s.h, s.dh, s.causal = n_heads, d_head, causal
        s.qkv = nn.Linear(d_model, 3 * n_heads * d_head); s.o = nn.Linear(n_heads * d_head, d_model)
    def forward(s, x):
        B, T, _ = x.shape
        q, k, v = s.qkv(x).view(B, T, 3, s.h, s.dh).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(s.dh)
        if s.causal: att = att.masked_fill(torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1), float("-inf"))
        return s.o((att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, s.h * s.dh))

class PlainTransformer(nn.Module):
    "The same shapes as a HookedTransformerConfig, in plain PyTorch (nanoGPT style)."
    def __init__(s, cfg):
        super().__init__(); s.cfg = cfg; ln = cfg.normalization_type == "LN"
        s.W_E = nn.Embedding(cfg.d_vocab, cfg.d_model); s.W_pos = nn.Embedding(cfg.n_ctx, cfg.d_model)
        s.blocks = nn.ModuleList()
        for _ in range(cfg.n_layers):
            b = nn.Module()
            b.ln1 = nn.LayerNorm(cfg.d_model) if ln else nn.Identity()
            b.attn = PlainAttention(cfg.d_model, cfg.n_heads, cfg.d_head, cfg.attention_dir == "causal")
            if not cfg.attn_only:
                b.ln2 = nn.LayerNorm(cfg.d_model) if ln else nn.Identity()
                b.mlp = nn.Sequential(nn.Linear(cfg.d_model, cfg.d_mlp), nn.ReLU(), nn.Linear(cfg.d_mlp, cfg.d_model))
            s.blocks.append(b)
        s.ln_f = nn.LayerNorm(cfg.d_model) if ln else nn.Identity()
        s.W_U = nn.Linear(cfg.d_model, cfg.d_vocab_out)
    def forward(s, tokens):
        x = s.W_E(tokens) + s.W_pos(torch.arange(tokens.shape[1], device=tokens.device))
        for b in s.blocks:
            x = x + b.attn(b.ln1(x))
            if not s.cfg.attn_only: x = x + b.mlp(b.ln2(x))
        return s.W_U(s.ln_f(x))


def _step(loss_fn, model, opt, cfg, task, step, g, dev):
    for grp in opt.param_groups: grp["lr"] = lr_at(cfg, step)
    batch = sample_batch(task, cfg.batch_size, g)
    loss = loss_fn(type(batch)(*(t.to(dev) for t in batch)))
    opt.zero_grad(set_to_none=True); loss.backward(); opt.step()

def _to(model, dev): return model if dev.type == "cpu" else model.to(dev)   # (TransformerLens prints on every .to)

def _sync(dev):
    if dev.type == "cuda": torch.cuda.synchronize()

def step_ms(kind, cfg, n, dev):
    """Median ms per step of one model trained through `kind`: 'tl', 'fast', 'fast-bf16' (bf16 autocast, fp32 master
    weights), 'plain' or the trainer's own 'train_step'."""
    model = _to(PlainTransformer(cfg.model_cfg()) if kind == "plain" else build_model(cfg), dev)
    def fused(b):
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=kind == "fast-bf16"):
            return fast_sort_loss(dict(model.named_parameters()), model.cfg, b).float()
    fwd = fused if kind.startswith("fast") else lambda b: sort_loss(model(b.tokens), b)
    opt, task, g, ts = make_optimizer(model, cfg), cfg.sort_task(), generator(0), []
    for i in range(n + 5):
        _sync(dev); t = time.perf_counter()
        if kind == "train_step": train_step(model, opt, cfg, task, i, g)
        else: _step(fwd, model, opt, cfg, task, i, g, dev)
        _sync(dev)
        if i >= 5: ts.append(time.perf_counter() - t)
    return 1000 * statistics.median(ts)

def group_runs_per_s(cfg, G, n, dev):
    "Runs x steps per second of a group of G models trained with stacked parameters (as `train.train_group`)."
    models = [_to(build_model(TrainConfig(**{**cfg.to_dict(), "seed": s})), dev) for s in range(G)]
    P = {k: v.detach().requires_grad_() for k, v in stack_module_state(models)[0].items()}
    opt = torch.optim.AdamW(list(P.values()), lr=cfg.lr); task = cfg.sort_task(); gs = [generator(s) for s in range(G)]
    def step(i):
        bs = [sample_batch(task, cfg.batch_size, g) for g in gs]
        loss = fast_sort_loss(P, models[0].cfg, [type(b)(*(t.to(dev) for t in b)) for b in bs]).sum()
        opt.zero_grad(); loss.backward(); opt.step()
    for i in range(5): step(i)
    _sync(dev); t = time.perf_counter()
    for i in range(n): step(i)
    _sync(dev); return G * n / (time.perf_counter() - t)

def _one_run(args):
    "In a worker process: n steps of one run through the trainer's own `train_step` on one thread; returns its wall seconds."
    cfg, n = TrainConfig(**args[0]), args[1]
    with deterministic("cpu"):
        model = build_model(cfg); opt = make_optimizer(model, cfg); task, g = cfg.sort_task(), generator(cfg.seed)
        for i in range(5): train_step(model, opt, cfg, task, i, g)
        t = time.perf_counter()
        for i in range(n): train_step(model, opt, cfg, task, i, g)
        return time.perf_counter() - t

def workers_runs_per_s(cfg, workers, n):
    "Runs x steps per second of `workers` single-threaded processes training side by side (as `train_sweep(workers=...)`)."
    with mp.get_context("spawn").Pool(workers) as pool:
        secs = pool.map(_one_run, [({**cfg.to_dict(), "seed": s}, n) for s in range(workers)])
    return workers * n / max(secs)

def best(rate, rounds=3):
    "The highest of `rounds` measurements of a rate (the least disturbed by the rest of the machine)."
    return max(rate() for _ in range(rounds))

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=40); ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--groups", type=int, nargs="+", default=[2, 3, 6]); ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--sections", type=int, nargs="+", default=[1, 2, 4, 5, 6])
    ap.add_argument("--profiles", nargs="+", default=["paper", "full"])
    a = ap.parse_args(); dev = torch.device(a.device); sec = set(a.sections)
    if 4 in sec: sec.add(2)   # section 4 reads section 2's rates
    name = torch.cuda.get_device_name() if dev.type == "cuda" else f"CPU, {os.cpu_count()} cores"
    print(f"device: {name}; torch {torch.__version__}; batch {a.batch_size}; {a.steps} timed steps after 5 warm-up steps\n")
    if 1 in sec:
        print("1. training step (ms, median; best of 3 rounds; on the CPU one thread, as training runs)")
        print(f"{'preset':8} {'TL':>8} {'fast':>8} {'plain':>8} {'TL/plain':>8} {'fast/plain':>10}")
    for preset in ("relu3l", "attn1l") if 1 in sec else ():
        cfg = TrainConfig(preset=preset, batch_size=a.batch_size, steps=1000, weight_decay=0.1, lr=3e-3)
        with deterministic(dev):
            t = {k: min(step_ms(k, cfg, a.steps, dev) for _ in range(3)) for k in ("tl", "fast", "plain")}
        print(f"{preset:8} {t['tl']:8.2f} {t['fast']:8.2f} {t['plain']:8.2f} {t['tl'] / t['plain']:8.2f} {t['fast'] / t['plain']:10.2f}")
    if 2 in sec: sweep_tables(a, dev, 4 in sec)
    if 5 in sec: precision_table(a, dev)
    if 6 in sec: profile_table(a, dev)

def precision_table(a, dev):
    print("\n5. the fused training step in fp32 and in bf16 autocast (fp32 master weights), ms per step, median, best of 3"
          " rounds, side by side")
    print(f"{'preset':8} {'batch':>6} {'fp32':>8} {'bf16':>8} {'fp32/bf16':>10}")
    for preset in ("relu3l", "attn1l"):
        cfg = TrainConfig(preset=preset, batch_size=512, steps=1000, lr=1e-3)
        with deterministic(dev):
            t = {k: min(step_ms(k, cfg, a.steps, dev) for _ in range(3)) for k in ("fast", "fast-bf16")}
        print(f"{preset:8} {512:6} {t['fast']:8.2f} {t['fast-bf16']:8.2f} {t['fast'] / t['fast-bf16']:10.2f}")

def profile_table(a, dev):
    from sorting_transformers.train import recipe_configs
    workers = a.workers if dev.type == "cpu" else 1
    print(f"\n6. training stage of each profile, projected from the trainer's step time (train_step, one thread on the CPU) "
          f"at each run's preset and batch size, {workers} run(s) side by side")
    print(f"{'profile':8} {'runs':>5} {'run-steps':>10} {'lists (M)':>10} {'hours':>7}")
    ms = {}
    for name in a.profiles:
        prof = get_profile(name); configs = sweep_configs(prof) + recipe_configs(prof) + seed_recipe_configs(prof)
        secs = 0.0
        for c in configs:
            key = (c.preset, c.batch_size, c.compression, c.act_penalty > 0)
            if key not in ms:
                probe = TrainConfig(**{**c.to_dict(), "steps": 1000})
                with deterministic(dev): ms[key] = min(step_ms("train_step", probe, a.steps, dev) for _ in range(2))
            secs += c.steps * ms[key] / 1000
        print(f"{name:8} {len(configs):5} {sum(c.steps for c in configs):10} "
              f"{sum(c.steps * c.batch_size for c in configs) / 1e6:10.1f} {secs / workers / 3600:7.2f}")

def sweep_tables(a, dev, stage):
    print("\n2. sweep throughput (runs x steps / s, best of 3 rounds) and speed-up over today's loop, per kind of run in the default sweep")
    print(f"{'run':17} {'way of training':58} {'runs*steps/s':>12} {'speed-up':>8}")
    sweep = sweep_configs(get_profile("default")) + seed_recipe_configs(get_profile("default"))
    kinds = {"relu3l": sweep[1], "attn1l": sweep[4], "relu3l-compressed": sweep[-2]}   # weight decay 0.1; the recipe's λ = 1e-4
    rates = {}
    for kind, cfg in kinds.items():
        cfg = TrainConfig(**{**cfg.to_dict(), "batch_size": a.batch_size})
        rows = []
        torch.use_deterministic_algorithms(True)   # today's loop: deterministic kernels, PyTorch's default threads, no flushing
        try: base = best(lambda: 1000 / step_ms("tl" if not cfg.compression else "train_step", cfg, a.steps, dev))
        finally: torch.use_deterministic_algorithms(False)
        rows.append(("today: TL forward, one run at a time, all threads" if not cfg.compression else
                     "today: the seed's own module with hooks, all threads", base))
        with deterministic(dev):
            if not cfg.compression:
                rows.append(("fast_sort_loss, one run at a time, 1 thread", best(lambda: 1000 / step_ms("fast", cfg, a.steps, dev))))
                for G in a.groups: rows.append((f"fast_sort_loss, group of {G}, 1 thread", best(lambda: group_runs_per_s(cfg, G, a.steps, dev))))
        if dev.type == "cpu" and a.workers > 1:
            rows.append((f"train_step, {a.workers} processes side by side, 1 thread each", best(lambda: workers_runs_per_s(cfg, a.workers, a.steps))))
        for what, r in rows: print(f"{kind:17} {what:58} {r:12.1f} {r / base:8.2f}")
        rates[kind] = (base, max(r for _, r in rows[1:]) if len(rows) > 1 else base)
    if not stage: return
    print("\n4. the default sweep's training stage (its runs x steps at the rates above; today vs the best way per kind)")
    tot = {k: sum(c.steps for c in sweep if (c.preset + "-compressed" * c.compression) == k) for k in kinds}
    today, now = (sum(tot[k] / rates[k][i] for k in kinds) for i in (0, 1))
    for k in kinds: print(f"{k:17} {tot[k]:6} run-steps  today {tot[k] / rates[k][0]:7.1f} s  now {tot[k] / rates[k][1]:7.1f} s")
    print(f"{'all':17} {sum(tot.values()):6} run-steps  today {today:7.1f} s  now {now:7.1f} s  speed-up {today / now:.2f}")

if __name__ == "__main__":
    main()
