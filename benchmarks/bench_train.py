"""Training step time: each preset as a TransformerLens HookedTransformer (the package's `train_step`)
next to a minimal plain-PyTorch implementation of the same architecture, batch and optimiser.

    python benchmarks/bench_train.py [--steps 30] [--batch-size 256] [--device cpu|cuda]

Both sides draw a fresh batch from the task's generator every step and run AdamW; both run under the
same determinism setting the training loop uses. Prints one table: median ms per step and the ratio.
"""
import argparse, math, statistics, time
import torch, torch.nn as nn, torch.nn.functional as F
from sorting_transformers.data import sample_batch, generator
from sorting_transformers.model import sort_loss
from sorting_transformers.train import TrainConfig, build_model, make_optimizer, train_step, deterministic, lr_at

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

def plain_step(model, opt, cfg, task, step, g):
    for grp in opt.param_groups: grp["lr"] = lr_at(cfg, step)
    batch = sample_batch(task, cfg.batch_size, g)
    dev = next(model.parameters()).device
    loss = sort_loss(model(batch.tokens.to(dev)), batch)
    opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return loss.item()

def time_steps(step_fn, model, cfg, n, device):
    task, g = cfg.sort_task(), generator(0)
    opt = make_optimizer(model, cfg)
    for i in range(5): step_fn(model, opt, cfg, task, i, g)   # warm-up
    ts = []
    for i in range(n):
        if device.type == "cuda": torch.cuda.synchronize()
        t = time.perf_counter(); step_fn(model, opt, cfg, task, i, g)
        if device.type == "cuda": torch.cuda.synchronize()
        ts.append(time.perf_counter() - t)
    return 1000 * statistics.median(ts)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=30); ap.add_argument("--batch-size", type=int, nargs="+", default=[256, 512])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args(); device = torch.device(a.device)
    rows = []
    with deterministic(device):
        for preset in ("seed", "attn1l"):
            for bs in a.batch_size:
                cfg = TrainConfig(preset=preset, batch_size=bs, steps=1000, weight_decay=0.1)
                tl = build_model(cfg).to(device)
                plain = PlainTransformer(cfg.model_cfg()).to(device)
                n_tl, n_plain = sum(p.numel() for p in tl.parameters()), sum(p.numel() for p in plain.parameters())
                # interleave the two to share any drift in machine load
                t_tl, t_pl = [], []
                for _ in range(3):
                    t_tl.append(time_steps(train_step, tl, cfg, a.steps, device))
                    t_pl.append(time_steps(plain_step, plain, cfg, a.steps, device))
                rows.append((preset, bs, device.type, n_tl, n_plain, min(t_tl), min(t_pl)))
    name = torch.cuda.get_device_name() if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"training step time ({name}; torch {torch.__version__}; median of {a.steps} steps, best of 3 rounds)")
    print(f"{'preset':8} {'batch':>5} {'device':>6} {'params TL':>9} {'params plain':>12} {'TL ms':>8} {'plain ms':>8} {'TL/plain':>8}")
    for p, bs, d, n1, n2, t1, t2 in rows:
        print(f"{p:8} {bs:5d} {d:>6} {n1:9d} {n2:12d} {t1:8.2f} {t2:8.2f} {t1 / t2:8.2f}")

if __name__ == "__main__":
    main()
