"""Hostile and damaged input, tried as a new user (and as an attacker) would.

Each case of the table gives the command line (run in-process through `cli.main`, with a fresh copy
of a small trained run folder), the damage done first, and the message expected. Every case must
end with exit code 2, exactly one line on stderr that contains the message, and nothing written or
changed under the working folder. Cases where the right answer is "recompute" (a damaged LLC cache)
are tested separately, as are the library calls and two property-based fuzzers (model headers, CLI
arguments).
"""
import dataclasses, json, os, pickle, shutil, subprocess, warnings, zipfile
from pathlib import Path
import pytest, torch
from hypothesis import HealthCheck, given, settings, strategies as st
from safetensors.torch import save_file
from conftest import ROOT, tool

from sorting_transformers.core import PROFILE_ENV, RUNS_ENV, read_metadata, load_tensors, md_code
from sorting_transformers import cli
from sorting_transformers.data import make_batch
from sorting_transformers.model import (make_model, preset_task, evaluate, predict, save_model, load_model,
                                        load_seed_checkpoint, cfg_to_dict, preset_config)

RUN = "attn1l_wd0.1_act0_s0"
TRAIN = ["train", "--profile", "test", "--preset", "attn1l", "--weight-decay", "0.1", "--seeds", "0", "--gap-mean",
         "uniform", "--steps", "12", "--n-checkpoints", "3", "--no-progress"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    "A small finished run folder (trained once), and a stopped one, to copy from."
    from sorting_transformers.runs import load_run
    from sorting_transformers.train import train_run
    base = tmp_path_factory.mktemp("trained")
    with pytest.MonkeyPatch.context() as mp:   # cli.main sets the profile variable: keep it out of other tests
        mp.setenv(PROFILE_ENV, "test")
        assert cli.main([*TRAIN, "--out", str(base / "done")]) == 0
    cfg, _ = load_run(base / "done" / RUN)
    train_run(cfg, base / "part", stop_at=7, progress=False)
    train_run(dataclasses.replace(cfg, weight_decay=0.0), base / "other", progress=False)   # another run, to swap in
    return base


@pytest.fixture
def work(tmp_path, trained, monkeypatch):
    "A working folder with copies of the trained runs; the environment is restored afterwards."
    monkeypatch.setenv(PROFILE_ENV, "test")
    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "runs_root"))
    shutil.copytree(trained / "done", tmp_path / "done")
    shutil.copytree(trained / "part", tmp_path / "part")
    shutil.copytree(trained / "other", tmp_path / "other")
    return tmp_path


def snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): (p.lstat().st_mtime_ns, p.lstat().st_size) for p in root.rglob("*")}


def forge(path: Path, src: Path, **meta_over):
    "Write `path`: the tensors of checkpoint `src` with its header's fields replaced by `meta_over`."
    meta = {**read_metadata(src), **meta_over}
    save_file(load_tensors(src), str(path), metadata={k: json.dumps(v) for k, v in meta.items()})


def last_ckpt(run: Path) -> Path:
    return sorted((run / "checkpoints").glob("step_*.safetensors"))[-1]


# --- the table: (name, damage(work) -> None, argv(work) -> list, expected message) ------------------------
def _evil_tokenizer(w: Path):
    "A tokenizer folder whose remote code would write a marker file, named in a checkpoint's header."
    tok = w / "evil_tok"; tok.mkdir()
    (tok / "tokenizer_config.json").write_text(json.dumps({"auto_map": {"AutoTokenizer": ["evil.EvilTok", None]}}))
    (tok / "evil.py").write_text(f"open({str(w / 'PWNED')!r}, 'w').write('ran')\n")
    ck = last_ckpt(w / "done" / RUN); cfg = read_metadata(ck)["cfg"]
    forge(ck, ck, cfg={**cfg, "tokenizer_name": str(tok), "trust_remote_code": True})

def _vocab(n):
    def harm(w: Path):
        ck = last_ckpt(w / "done" / RUN); forge(ck, ck, cfg={**read_metadata(ck)["cfg"], "d_vocab": n})
    return harm

def _task_misfit(w: Path):
    ck = last_ckpt(w / "done" / RUN); forge(ck, ck, task={**read_metadata(ck)["task"], "n_values": 80})

def _truncate(p: Path, keep: int = 60):
    p.write_bytes(p.read_bytes()[:keep])

def _other_config_at_second_run(w: Path):
    "The second run of a two-seed sweep already exists with another batch size."
    from sorting_transformers.runs import TrainConfig
    from sorting_transformers.train import train_run
    cfg = TrainConfig(preset="attn1l", weight_decay=0.1, seed=1, steps=12, batch_size=8, warmup_steps=5, n_checkpoints=3)
    train_run(cfg, w / "sweep", stop_at=2, progress=False)

def _make_file(p: Path):
    p.parent.mkdir(parents=True, exist_ok=True); p.write_text("not a folder")

def _nothing(w): pass

def _nan_in_metrics(w: Path):
    import pandas as pd
    p = w / "done" / RUN / "metrics.csv"; df = pd.read_csv(p)
    df.loc[len(df) - 1, "loss"] = float("nan"); p.write_text(df.to_csv(index=False))

OTHER = "attn1l_wd0_act0_s0"
K_EMBED = "embed.W_E"

def _draft(folder: Path):
    "A user's own work in a folder a build would use."
    folder.mkdir(parents=True); (folder / "draft.ipynb").write_text('{"my": "work"}')

def _link(path: Path, target: Path):
    if path.exists() or path.is_symlink():
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    path.symlink_to(target)

def _fifo(path: Path):
    path.unlink(); os.mkfifo(path)

def _retask(ck: Path, **changes):
    forge(ck, ck, task={**read_metadata(ck)["task"], **changes})

def _restep(ck: Path, step: int):
    forge(ck, ck, extra={**read_metadata(ck)["extra"], "step": step})

def _restate(p: Path, step: int):
    meta = read_metadata(p); meta["step"] = step
    save_file(load_tensors(p), str(p), metadata={k: json.dumps(v) for k, v in meta.items()})

def _restate_tensor(p: Path, drop: str | None = None):
    "The resume file with its embedding made the wrong shape (or one tensor dropped)."
    t, meta = load_tensors(p), read_metadata(p)
    if drop: del t[drop]
    else: t["model.embed.W_E"] = torch.zeros(3, 3)
    save_file(t, str(p), metadata={k: json.dumps(v) for k, v in meta.items()})

def _edit_config(run: Path, **train):
    p = run / "config.json"; conf = json.loads(p.read_text()); conf["train"].update(train); p.write_text(json.dumps(conf))

def _seed_state() -> dict:
    from sorting_transformers.model import SeedTransformer
    return {k: v.clone() for k, v in SeedTransformer().state_dict().items()}

def _seed_file(w: Path, change=lambda sd: None, legacy: bool = False):
    "A seed-shaped `.pth` in `w/seed`, with `change` applied to its state dict."
    (w / "seed").mkdir(exist_ok=True); sd = _seed_state(); change(sd)
    torch.save(sd, w / "seed" / "m.pth", _use_new_zipfile_serialization=not legacy)

def _raw_pickle(p: Path):
    p.parent.mkdir(parents=True, exist_ok=True); p.write_bytes(pickle.dumps(_Boom()))

def _zip_bomb(p: Path):
    "A small `.pth` one of whose entries inflates to 128 MB (the real one is 1 GB; the refusal reads no entry)."
    p.parent.mkdir(parents=True, exist_ok=True); src = p.with_suffix(".src")
    torch.save(_seed_state(), src)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as b:
        for i in a.infolist():
            data = a.read(i)
            if i.filename.endswith("data/0"): data += bytes(128 << 20)
            b.writestr(i.filename, data)
    src.unlink()

def _oversized(p: Path):
    "A stored (uncompressed) archive far larger than any seed checkpoint."
    p.parent.mkdir(parents=True, exist_ok=True)
    torch.save({**_seed_state(), "extra": torch.zeros(2 << 20)}, p)

CASES = [
    # critical
    ("tokenizer with remote code in a model header", _evil_tokenizer,
     lambda w: ["llc", str(w / "done" / RUN), "--profile", "test", "--draws", "8"], "model config differs from config.json (fields ['tokenizer_name', 'trust_remote_code'])"),
    ("header size out of range (38 GB of embedding)", _vocab(10**8),
     lambda w: ["llc", str(w / "done" / RUN), "--profile", "test", "--draws", "8"], "model config differs from config.json (fields ['d_vocab'])"),
    ("header sizes that do not match the tensors", _vocab(10**6),
     lambda w: ["llc", str(w / "done" / RUN), "--profile", "test", "--draws", "8"], "model config differs from config.json (fields ['d_vocab'])"),
    ("task in the header that does not fit the weights", _task_misfit,
     lambda w: ["llc", str(w / "done" / RUN), "--profile", "test", "--draws", "8"], "task differs from config.json (fields ['n_values'])"),
    # silently wrong numbers
    ("llc --lr inf", _nothing, lambda w: ["llc", str(w / "done" / RUN), "--lr", "inf"], "lr=inf"),
    ("llc --lr nan", _nothing, lambda w: ["llc", str(w / "done" / RUN), "--lr", "nan"], "lr=nan"),
    ("llc --localization -1", _nothing, lambda w: ["llc", str(w / "done" / RUN), "--localization", "-1"], "localization=-1"),
    ("resume with a truncated metrics.csv", lambda w: (w / "part" / RUN / "metrics.csv").write_text(
        (w / "part" / RUN / "metrics.csv").read_text()[:-150]), lambda w: [*TRAIN, "--out", str(w / "part")], "metrics.csv"),
    ("resume with metrics.csv deleted", lambda w: (w / "part" / RUN / "metrics.csv").unlink(),
     lambda w: [*TRAIN, "--out", str(w / "part")], "metrics.csv is missing"),
    ("resume with config.json deleted", lambda w: (w / "part" / RUN / "config.json").unlink(),
     lambda w: [*TRAIN, "--out", str(w / "part")], "no config.json"),
    ("read a finished run whose metrics.csv lost a row", lambda w: (w / "done" / RUN / "metrics.csv").write_text(
        "\n".join((w / "done" / RUN / "metrics.csv").read_text().splitlines()[:-1]) + "\n"),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "no row for checkpoint step(s) [12]"),
    ("a NaN in metrics.csv", _nan_in_metrics,
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "non-finite"),
    # late or unclear errors
    ("duplicate seeds", _nothing, lambda w: [*TRAIN, "--seeds", "0", "0", "--out", str(w / "new")], "asked for more than once"),
    ("duplicate levels", _nothing, lambda w: [*TRAIN[:6], "0.1", "mid", *TRAIN[7:], "--out", str(w / "new")],
     "asked for more than once"),
    ("--out is a file", lambda w: _make_file(w / "afile"), lambda w: [*TRAIN, "--out", str(w / "afile")], "is a file"),
    ("--out under a file", lambda w: _make_file(w / "afile"), lambda w: [*TRAIN, "--out", str(w / "afile" / "x")], "is a file"),
    ("--out read-only", _nothing, lambda w: [*TRAIN, "--out", "/proc/sorting_transformers_runs"], "cannot write in /proc"),
    ("report --out is a file", lambda w: _make_file(w / "afile"), lambda w: ["report", "--out", str(w / "afile")], "is a file"),
    ("report on runs not trained yet", _nothing, lambda w: ["report", "--runs", str(w / "none"), "--out", str(w / "site")],
     "not trained (or not finished) under"),
    ("a run folder with the same run under another config, listed second", _other_config_at_second_run,
     lambda w: [*TRAIN, "--seeds", "0", "1", "--out", str(w / "sweep")], "holds the run with another config"),
    ("unknown --restriction", _nothing, lambda w: ["llc", str(w / "done" / RUN), "--restriction", "l0h7"], "'l0h7' not allowed"),
    ("--restriction that is a path", _nothing, lambda w: ["llc", str(w / "done" / RUN), "--restriction", "../../x"], "not allowed"),
    ("all --seed-dir with a wrong path", _nothing,
     lambda w: ["all", "--profile", "test", "--seed-dir", str(w / "nowhere"), "--out", str(w / "new")], "--seed-dir"),
    ("a seed too large for the generator", _nothing,
     lambda w: [*TRAIN, "--seeds", str(2**64), "--out", str(w / "new")], "seed=18446744073709551616"),
    ("a seed that is not a number", _nothing, lambda w: [*TRAIN, "--seeds", "x", "--out", str(w / "new")], "invalid int value: 'x'"),
    ("a damaged resume state", lambda w: _truncate(w / "part" / RUN / "state.safetensors"),
     lambda w: [*TRAIN, "--out", str(w / "part")], "state.safetensors: not a readable safetensors file"),
    ("a damaged checkpoint", lambda w: _truncate(last_ckpt(w / "done" / RUN)),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "step_000012.safetensors: not a readable"),
    ("a damaged config.json", lambda w: (w / "done" / RUN / "config.json").write_text('{"train": {"preset": "gpt2"}}'),
     lambda w: ["llc", str(w / "done" / RUN)], "config.json: not a valid run config"),
    ("seed-accuracy on a folder without checkpoints", _nothing, lambda w: ["seed-accuracy", str(w)], "no seed checkpoints"),
    ("llc on a folder that is not a run", _nothing, lambda w: ["llc", str(w)], "not a run folder"),
    # --- the second probe (issue 22), worst first ---
    # data loss
    ("report --out over a user's notebooks folder", lambda w: _draft(w / "S" / "notebooks"),
     lambda w: ["report", "--out", str(w / "S"), "--runs", str(w / "done")], "was not made by sorting-transformers"),
    ("report --out over a user's site folder, --dry-run", lambda w: _draft(w / "S" / "site"),
     lambda w: ["report", "--out", str(w / "S"), "--dry-run"], "S/site exists and was not made by"),
    ("report --out where notebooks is a file", lambda w: _make_file(w / "S" / "notebooks"),
     lambda w: ["report", "--out", str(w / "S")], "is in the way"),
    ("resume a run whose checkpoints/ links to another run's", lambda w: _link(
        w / "part" / RUN / "checkpoints", w / "other" / OTHER / "checkpoints"),
     lambda w: [*TRAIN, "--out", str(w / "part")], "checkpoints is a symbolic link"),
    ("llc on a run whose analysis/ links elsewhere", lambda w: _link(w / "done" / RUN / "analysis", w / "other"),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "analysis is a symbolic link"),
    # hangs
    ("config.json is a FIFO", lambda w: _fifo(w / "done" / RUN / "config.json"),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "config.json is a FIFO, not a regular file"),
    ("metrics.csv is a FIFO", lambda w: _fifo(w / "done" / RUN / "metrics.csv"),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "metrics.csv is a FIFO"),
    ("a checkpoint is a FIFO", lambda w: _fifo(last_ckpt(w / "done" / RUN)),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "step_000012.safetensors is a FIFO"),
    # silently wrong numbers
    ("final checkpoint swapped with another run's", lambda w: shutil.copy(last_ckpt(w / "other" / OTHER),
                                                                           last_ckpt(w / "done" / RUN)),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "train config differs from config.json (fields ['weight_decay'])"),
    ("a checkpoint symlinked to an earlier step", lambda w: _link(last_ckpt(w / "done" / RUN),
                                                               w / "done" / RUN / "checkpoints" / "step_000003.safetensors"),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "step_000012.safetensors is a symbolic link"),
    ("a stray step_000031", lambda w: shutil.copy(last_ckpt(w / "done" / RUN),
                                                  w / "done" / RUN / "checkpoints" / "step_000031.safetensors"),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "step 31 is not a checkpoint step of this run"),
    ("a header whose task differs from config.json", lambda w: _retask(last_ckpt(w / "done" / RUN), n_values=20),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "task differs from config.json (fields ['n_values'])"),
    ("a header whose step differs from its name", lambda w: _restep(last_ckpt(w / "done" / RUN), 3),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "its header says step 3, its name step 12"),
    ("weight_decay edited in config.json", lambda w: _edit_config(w / "done" / RUN, weight_decay=0.2),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "fields ['weight_decay']"),
    ("weight_decay edited in config.json, resumed", lambda w: _edit_config(w / "part" / RUN, weight_decay=0.2),
     lambda w: [*TRAIN, "--out", str(w / "part")], "holds the run with another config"),
    ("llc --lr 1e-300", _nothing, lambda w: ["llc", str(w / "done" / RUN), "--lr", "1e-300"], "lr=1e-300: must be a number in [1e-12, 1]"),
    ("llc --draws 0", _nothing, lambda w: ["llc", str(w / "done" / RUN), "--draws", "0"], "num_draws=0: must be an integer in [1,"),
    ("llc --chains 0", _nothing, lambda w: ["llc", str(w / "done" / RUN), "--chains", "0"], "num_chains=0: must be an integer in [2,"),
    ("llc --n-checkpoints 0", _nothing, lambda w: ["llc", str(w / "done" / RUN), "--n-checkpoints", "0"], "n_checkpoints=0: must be an integer >= 2"),
    ("llc --n-checkpoints 1", _nothing, lambda w: ["llc", str(w / "done" / RUN), "--n-checkpoints", "1"], "the first and the last are always kept"),
    ("llc --n-checkpoints -3", _nothing, lambda w: ["llc", str(w / "done" / RUN), "--n-checkpoints", "-3"], "n_checkpoints=-3"),
    ("--weight-decay 0 -0", _nothing, lambda w: [*TRAIN[:6], "0", "-0", *TRAIN[7:], "--out", str(w / "new")], "asked for more than once"),
    ("--weight-decay 1e300", _nothing, lambda w: [*TRAIN[:6], "1e300", *TRAIN[7:], "--out", str(w / "new")], "weight_decay=1e+300: must be below 1/lr"),
    # late or unclear errors
    ("--n-checkpoints 10**12", _nothing, lambda w: [*TRAIN, "--n-checkpoints", str(10**12), "--out", str(w / "new"), "--dry-run"],
     "n_checkpoints=1000000000000: must be an integer in [1, 10000]"),
    ("--steps 10**400", _nothing, lambda w: [*TRAIN, "--steps", "1" + "0" * 400, "--out", str(w / "new"), "--dry-run"],
     "must be an integer in [1, 100000000]"),
    ("--batch-size 10**10", _nothing, lambda w: [*TRAIN, "--batch-size", str(10**10), "--out", str(w / "new"), "--dry-run"],
     "batch_size=10000000000: must be an integer in [1, 65536]"),
    ("--group-size 0 --dry-run", _nothing, lambda w: [*TRAIN, "--group-size", "0", "--out", str(w / "new"), "--dry-run"],
     "group_size=0: must be an integer in [1, 1024]"),
    ("a dangling-symlink --out", lambda w: _link(w / "dangling", w / "nowhere"),
     lambda w: [*TRAIN, "--out", str(w / "dangling")], "symbolic link that leads nowhere"),
    ("a symlink-loop --out", lambda w: (_link(w / "loop_a", w / "loop_b"), _link(w / "loop_b", w / "loop_a")),
     lambda w: [*TRAIN, "--out", str(w / "loop_a" / "x")], "symbolic link that leads nowhere"),
    ("a non-UTF-8 --out", _nothing, lambda w: [*TRAIN, "--out", os.fsdecode(bytes(w / "runs") + b"\xff")], "not a UTF-8 path"),
    ("config.json nested 100,000 deep", lambda w: (w / "done" / RUN / "config.json").write_text("[" * 100_000 + "]" * 100_000),
     lambda w: ["llc", str(w / "done" / RUN), "--dry-run"], "JSON nested 100000 deep, more than 32 allowed"),
    ("config.json nested deep, train --dry-run", lambda w: (w / "part" / RUN / "config.json").write_text("{\"a\":" * 5000 + "1" + "}" * 5000),
     lambda w: [*TRAIN, "--out", str(w / "part"), "--dry-run"], "JSON nested 5000 deep"),
    ("a folder named config.json", lambda w: ((w / "done" / RUN / "config.json").unlink(), (w / "done" / RUN / "config.json").mkdir()),
     lambda w: ["llc", str(w / "done" / RUN), "--dry-run"], "config.json is a folder, not a regular file"),
    ("absurd sizes in config.json", lambda w: _edit_config(w / "done" / RUN, steps=10**12),
     lambda w: ["llc", str(w / "done" / RUN), "--dry-run"], "TrainConfig.steps=1000000000000: must be an integer in [1, 100000000]"),
    ("a huge config.json", lambda w: (w / "done" / RUN / "config.json").write_text(" " * 2_000_000 + "{}"),
     lambda w: ["llc", str(w / "done" / RUN), "--dry-run"], "more than the 1000000 allowed"),
    ("a checkpoint named step_abc", lambda w: shutil.copy(last_ckpt(w / "done" / RUN),
                                                          w / "done" / RUN / "checkpoints" / "step_abc.safetensors"),
     lambda w: ["llc", str(w / "done" / RUN), "--draws", "8"], "step_abc.safetensors: not a checkpoint name"),
    ("seed-accuracy on a wrongly shaped tensor", lambda w: _seed_file(w, lambda sd: sd.update({K_EMBED: torch.zeros(3, 3)})),
     lambda w: ["seed-accuracy", str(w / "seed")], "tensors of the wrong shape, e.g. embed.W_E: (3, 3)"),
    ("seed-accuracy on a non-tensor value", lambda w: _seed_file(w, lambda sd: sd.update({K_EMBED: [1.0, 2.0]})),
     lambda w: ["seed-accuracy", str(w / "seed")], "entries that are not named tensors: ['embed.W_E']"),
    ("seed-accuracy on NaN weights", lambda w: _seed_file(w, lambda sd: sd[K_EMBED].fill_(float("nan"))),
     lambda w: ["seed-accuracy", str(w / "seed")], "non-finite weights (NaN or inf) in ['embed.W_E']"),
    ("seed-accuracy on int64 weights", lambda w: _seed_file(w, lambda sd: sd.update({K_EMBED: sd[K_EMBED].long()})),
     lambda w: ["seed-accuracy", str(w / "seed")], "tensors of dtype torch.int64 (e.g. embed.W_E): only float32"),
    ("seed-accuracy on a legacy pickle", lambda w: _seed_file(w, legacy=True),
     lambda w: ["seed-accuracy", str(w / "seed")], "not a zip archive"),
    ("seed-accuracy on a raw pickle with __reduce__", lambda w: _raw_pickle(w / "seed" / "evil.pth"),
     lambda w: ["seed-accuracy", str(w / "seed")], "not a zip archive"),
    ("seed-accuracy on a truncated file", lambda w: (_seed_file(w), _truncate(w / "seed" / "m.pth", 5000)),
     lambda w: ["seed-accuracy", str(w / "seed")], "m.pth: "),
    ("seed-accuracy on a folder named x.pth", lambda w: (w / "seed" / "x.pth").mkdir(parents=True),
     lambda w: ["seed-accuracy", str(w / "seed")], "x.pth is a folder, not a regular file"),
    ("seed-accuracy on a zip bomb", lambda w: _zip_bomb(w / "seed" / "bomb.pth"),
     lambda w: ["seed-accuracy", str(w / "seed")], "compressed entries"),
    ("seed-accuracy on an oversized archive", lambda w: _oversized(w / "seed" / "big.pth"),
     lambda w: ["seed-accuracy", str(w / "seed")], "a seed checkpoint can need"),
    ("a FIFO as the committed summary", lambda w: (w / "res" / "test").mkdir(parents=True) or os.mkfifo(w / "res" / "test" / "summary.json"),
     lambda w: ["all", "--profile", "test", "--results", str(w / "res"), "--out", str(w / "new"), "--dry-run"],
     "summary.json is a FIFO, not a regular file"),
    ("train --out a run folder", _nothing, lambda w: [*TRAIN, "--out", str(w / "done" / RUN)], "is (inside) a run folder"),
    ("a resume point past the last step", lambda w: _restate(w / "part" / RUN / "state.safetensors", 999),
     lambda w: [*TRAIN, "--out", str(w / "part")], "resume point at step 999, past the run's last step 12"),
    ("a resume point whose weights do not fit the model", lambda w: _restate_tensor(w / "part" / RUN / "state.safetensors"),
     lambda w: [*TRAIN, "--out", str(w / "part"), "--dry-run"], "do not fit the run's model"),
    ("a resume point without its generator state", lambda w: _restate_tensor(w / "part" / RUN / "state.safetensors", drop="rng"),
     lambda w: [*TRAIN, "--out", str(w / "part")], "tensors ['rng'] do not fit"),
    ("seed-accuracy --n-lists 10**12", lambda w: _seed_file(w),
     lambda w: ["seed-accuracy", str(w / "seed"), "--n-lists", str(10**12)], "must be an integer in [1, 1000000]"),
]


@pytest.mark.parametrize("name,damage,argv,msg", CASES, ids=[c[0] for c in CASES])
def test_hostile_command(name, damage, argv, msg, work, capsys):
    damage(work)
    capsys.readouterr()
    before = snapshot(work)
    try: code = cli.main(argv(work))
    except SystemExit as e: code = e.code   # argparse's own checks

    out, err = capsys.readouterr()
    assert code == 2, (code, out[-2000:], err[-2000:])
    lines = err.strip().splitlines()
    assert len(lines) == 1 and msg in lines[0], err
    assert snapshot(work) == before, "something was written"
    assert not (work / "PWNED").exists(), "code from a file ran"


def test_bad_profile_in_the_environment_is_one_line(tmp_path):
    env = {**os.environ, PROFILE_ENV: "huge"}
    r = subprocess.run([tool("sorting-transformers"), "train", "--out", str(tmp_path / "x")], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "'huge'" in r.stderr, r.stderr
    assert not (tmp_path / "x").exists()


def test_bad_values_are_one_line():
    r = subprocess.run([tool("sorting-transformers"), "train", "--weight-decay", "-1"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "weight_decay=-1" in r.stderr, r.stderr


# --- damaged caches are recomputed, never trusted; NaN is never cached ---------------------------------------
def test_damaged_llc_cache_is_named_and_recomputed(work):
    from sorting_transformers.llc import LLCConfig, llc_checkpoint
    ck = last_ckpt(work / "done" / RUN)
    cfg = LLCConfig(num_chains=2, num_draws=8, num_burnin=1, n_lists=64, batch_size=16)
    first = llc_checkpoint(ck, cfg)
    cache = next((work / "done" / RUN / "analysis").glob("llc_*.safetensors"))
    other = llc_checkpoint(ck, LLCConfig(num_chains=2, num_draws=9, num_burnin=1, n_lists=64, batch_size=16))
    other_file = next(p for p in (work / "done" / RUN / "analysis").glob("llc_*.safetensors") if p != cache)
    def nan_fill():
        key = read_metadata(cache)["config"]
        save_file({k: torch.full_like(v, float("nan")) for k, v in load_tensors(cache).items()}, str(cache),
                  metadata={"config": json.dumps(key)})
    for harm, why in [(lambda: cache.write_bytes(other_file.read_bytes()), "another config"),
                      (lambda: _truncate(cache), "not a readable"),
                      (nan_fill, "non-finite")]:
        harm()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            again = llc_checkpoint(ck, cfg)
        assert any(cache.name in str(x.message) for x in w), [str(x.message) for x in w]
        assert any(why in str(x.message) for x in w), [str(x.message) for x in w]
        assert torch.equal(again["per_chain"], first["per_chain"]), (why, first["per_chain"], again["per_chain"])
    assert other["mean"] != first["mean"]


def test_a_nan_llc_is_not_cached_and_the_command_fails(work, capsys):
    code = cli.main(["llc", str(work / "done" / RUN), "--profile", "test", "--draws", "8", "--n-checkpoints", "2",
                     "--lr", "1", "--localization", "0", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "not finite" in err and err.strip().count("\n") == 0, err
    assert not list((work / "done" / RUN).rglob("llc_*")), "a NaN estimate was cached"


# --- the library: wrong task, bad batches, pickles -----------------------------------------------------------
def test_library_refuses_what_would_be_silently_wrong(tmp_path):
    seed_task, arena_task = preset_task("relu3l"), preset_task("attn1l")
    a, s = make_model("attn1l"), make_model("relu3l")
    for call, msg in [(lambda: evaluate(a, seed_task), "attention_dir='causal'"),
                      (lambda: evaluate(s, arena_task), "d_vocab=12"),
                      (lambda: predict(s, arena_task, list(range(10))), "d_vocab=12"),
                      (lambda: evaluate(a, arena_task, batch_size=0), "batch_size=0"),
                      (lambda: make_batch(seed_task, torch.tensor([[0.5] * 10])), "non-integer"),
                      (lambda: make_batch(arena_task, torch.tensor([[1, 1] + list(range(2, 10))])), "repeats=False"),
                      (lambda: save_model(a, seed_task, tmp_path / "x.safetensors"), "do not fit")]:
        with pytest.raises(ValueError) as e: call()
        assert msg in str(e.value), str(e.value)
    assert not list(tmp_path.iterdir())


class _Boom:
    def __reduce__(self): return (open, (str(Path(os.environ.get("TMPDIR", "/tmp")) / "st_pickle_ran"), "w"))

def test_pickled_code_in_a_seed_checkpoint_never_runs(tmp_path):
    marker = Path(os.environ.get("TMPDIR", "/tmp")) / "st_pickle_ran"; marker.unlink(missing_ok=True)
    p = tmp_path / "evil.pth"
    torch.save({"compression.fc_compress.weight": _Boom()}, p)
    with pytest.raises(Exception) as e: load_seed_checkpoint(p)
    assert "weights_only" in str(e.value) or "Unsupported" in str(e.value) or "global" in str(e.value).lower()
    assert not marker.exists()


def test_files_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        p = save_model(make_model("attn1l"), preset_task("attn1l"), tmp_path / "m.safetensors")
    finally: os.umask(old)
    assert p.stat().st_mode & 0o777 == 0o640


def test_names_from_files_cannot_break_a_page():
    from markdown_it import MarkdownIt
    for evil in ["a`b.pth", "x`<img src=y onerror=alert(1)>.pth", "``", "`a`"]:
        html = MarkdownIt("commonmark").render(f"file {md_code(evil)} here")
        assert "<img" not in html and html.count("<code>") == 1, html


# --- property-based fuzzing ------------------------------------------------------------------------------------
_GOOD = cfg_to_dict(preset_config("attn1l"))
_JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True) | st.text(max_size=20),
                     lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3), max_leaves=6)
_FIELDS = st.sampled_from(sorted({*_GOOD, "tokenizer_name", "trust_remote_code", "device", "n_params", "seed",
                                  "init_weights", "model_name", "original_architecture", "rotary_dim", "gated_mlp"}))


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    return save_model(make_model("attn1l"), preset_task("attn1l"), tmp_path_factory.mktemp("m") / "ok.safetensors")


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(changes=st.dictionaries(_FIELDS, _JSON | st.integers(0, 200), max_size=3),
       task_changes=st.dictionaries(st.sampled_from(["list_len", "n_values", "repeats", "format", "gap_mean", "x"]),
                                    _JSON, max_size=2),
       arch=st.sampled_from(["HookedTransformer", "HookedTransformer", "SeedTransformer", "builtins.eval"]))
def test_fuzz_model_headers(saved_model, tmp_path_factory, changes, task_changes, arch):
    "Any header either loads a model whose config and task are the stored ones, or is refused with a ValueError."
    meta = read_metadata(saved_model)
    p = tmp_path_factory.mktemp("fuzz") / "f.safetensors"
    forge(p, saved_model, arch=arch, cfg={**meta["cfg"], **changes}, task={**meta["task"], **task_changes})
    try:
        model, task = load_model(p)
    except ValueError:
        return
    assert model.cfg.tokenizer_name is None and model.tokenizer is None
    assert sum(v.numel() for v in model.parameters()) == sum(v.numel() for v in load_tensors(p).values())


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(argv=st.lists(st.sampled_from(["--steps", "--lr", "--seeds", "--weight-decay", "--batch-size", "--warmup-steps",
                                      "--n-checkpoints", "--act-penalty", "--decay", "--schedule", "--preset",
                                      "0", "1", "-1", "2", "1e9", "nan", "inf", "-inf", "0.5", "x", "none", "mid", "attn1l",
                                      "seed", "relu3l", "--recipe", "all", "cosine", "", "1e-400", str(2**64)]), max_size=8))
def test_fuzz_train_arguments(argv, tmp_path_factory, monkeypatch):
    "Random `train` arguments: either every check passes, or one clear line and exit 2; never anything written."
    monkeypatch.setenv(PROFILE_ENV, "test")
    out = tmp_path_factory.mktemp("fz") / "runs"
    full = ["train", *argv, "--out", str(out)]
    import contextlib, io
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try: code = cli.main([*full, "--dry-run"])   # every check, no work
        except SystemExit as e: code = e.code           # argparse's own checks
    assert code in (0, 2), code
    if code == 2: assert err.getvalue().strip().count("\n") == 0, err.getvalue()
    assert not out.exists()


def test_a_diverging_run_stops_without_saving_nan(tmp_path, monkeypatch):
    "A NaN loss stops the run with one clear error; no NaN reaches a checkpoint, the metrics or the resume state."
    import sorting_transformers.train as tr, sorting_transformers.runs as runs_mod
    real = tr.train_step
    monkeypatch.setattr(tr, "train_step", lambda model, opt, cfg, task, step, g, *rest: float("nan") if step == 5 else real(model, opt, cfg, task, step, g, *rest))
    cfg = runs_mod.TrainConfig(preset="attn1l", steps=12, batch_size=8, warmup_steps=2, n_checkpoints=3)
    with pytest.raises(ValueError, match="diverged"): tr.train_run(cfg, tmp_path, progress=False)
    run = tmp_path / cfg.run_name
    assert runs_mod.state_step(run) <= 5
    _, df = runs_mod.load_run(run)   # what was saved is complete and finite
    assert df.step.max() <= 5


# --- issue 22: what the table cannot show (library calls, caches, the disk, the terminal, builds) ------------------
def test_model_headers_are_checked_on_their_own(work):
    "The forged headers the run check now stops first are still refused by `load_model` itself, with their reasons."
    ck = last_ckpt(work / "done" / RUN)
    for harm, msg in [(_evil_tokenizer, "'tokenizer_name', 'trust_remote_code'] not allowed"),
                      (_vocab(10**8), "d_vocab=100000000 not allowed"),
                      (_vocab(10**6), "config (1000000, 96), file (52, 96)"),
                      (_task_misfit, "d_vocab=52 < the task's 81")]:
        shutil.copy(last_ckpt(work / "other" / OTHER), ck)   # a clean header first
        harm(work)
        with pytest.raises(ValueError, match=None) as e: load_model(ck)
        assert msg in str(e.value), str(e.value)
    assert not (work / "PWNED").exists()


def test_llc_cache_is_keyed_by_content(work):
    "A checkpoint whose bytes change is estimated again; its own bytes back give its own cached estimate."
    from sorting_transformers.llc import LLCConfig, llc_checkpoint
    ck = last_ckpt(work / "done" / RUN); own = ck.read_bytes()
    cfg = LLCConfig(num_chains=2, num_draws=8, num_burnin=1, n_lists=64, batch_size=16)
    first = llc_checkpoint(ck, cfg)
    ck.write_bytes(last_ckpt(work / "other" / OTHER).read_bytes())   # another model under the same name
    swapped = llc_checkpoint(ck, cfg)
    assert not torch.equal(swapped["per_chain"], first["per_chain"]), "the other model's estimate came from the cache"
    ck.write_bytes(own)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # read from the cache: no recompute warning
        back = llc_checkpoint(ck, cfg)
    assert torch.equal(back["per_chain"], first["per_chain"])
    assert len(list((work / "done" / RUN / "analysis").glob("llc_*.safetensors"))) == 2


@pytest.mark.parametrize("empty", [False, True], ids=["no per_chain", "empty per_chain"])
def test_llc_cache_without_per_chain_is_recomputed(work, empty):
    from sorting_transformers.llc import LLCConfig, llc_checkpoint
    ck = last_ckpt(work / "done" / RUN)
    cfg = LLCConfig(num_chains=2, num_draws=8, num_burnin=1, n_lists=64, batch_size=16)
    first = llc_checkpoint(ck, cfg)
    cache = next((work / "done" / RUN / "analysis").glob("llc_*.safetensors"))
    t = load_tensors(cache)
    if empty: t["per_chain"] = torch.zeros(0)
    else: del t["per_chain"]
    save_file(t, str(cache), metadata={"config": json.dumps(read_metadata(cache)["config"])})
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        again = llc_checkpoint(ck, cfg)
    assert any("no (or empty) ['per_chain']" in str(x.message) for x in w), [str(x.message) for x in w]
    assert torch.equal(again["per_chain"], first["per_chain"])


def test_chains_that_do_not_move_are_refused(work):
    "An estimate whose chains never leave their start is refused, not reported as λ̂ = 0 with a NaN interval."
    from sorting_transformers.llc import check_chains_moved, estimate_llc
    model, task = load_model(last_ckpt(work / "done" / RUN))
    est = estimate_llc(model, task, num_chains=2, num_draws=6, num_burnin=1, n_lists=64, batch_size=16)
    check_chains_moved(est)   # a real estimate passes
    frozen = {**est, "loss_trace": est["loss_trace"][:, :1].expand_as(est["loss_trace"]).clone(),
              "per_chain": torch.zeros(2)}
    with pytest.raises(ValueError, match="did not move"): check_chains_moved(frozen)


def test_head_modes_and_batches_refuse_bad_values():
    from sorting_transformers.circuits import head_modes
    from sorting_transformers.data import heldout
    model, task = make_model("attn1l"), preset_task("attn1l")
    for n_boot in (-1, 0, 1.5, True):
        with pytest.raises(ValueError, match=f"n_boot={n_boot!r}"): head_modes(model, task, heldout(task, 16), n_boot=n_boot)
    from sorting_transformers.data import SortTask
    other = SortTask(list_len=10, n_values=20, repeats=False, format="sep")
    for call in (lambda: head_modes(model, task, heldout(other, 16), n_boot=2),
                 lambda: evaluate(model, task, heldout(other, 16))):
        with pytest.raises(ValueError, match="not this task's encoding|not a batch of this task"): call()
    short = SortTask(list_len=6, n_values=51, repeats=False, format="sep")
    with pytest.raises(ValueError, match="is not a batch of this task"): head_modes(model, task, heldout(short, 16), n_boot=2)


def test_a_fifo_never_blocks_a_table(work):
    "A FIFO where another run's config.json should be: that run is left out with a warning, nothing waits on it."
    from sorting_transformers.runs import combined_metrics
    shutil.copytree(work / "other" / OTHER, work / "done" / OTHER)
    _fifo(work / "done" / OTHER / "config.json")
    import signal
    signal.signal(signal.SIGALRM, lambda *a: pytest.fail("blocked on a FIFO")); signal.alarm(60)
    try:
        with pytest.warns(UserWarning, match="config.json is a FIFO"): df = combined_metrics(work / "done")
    finally: signal.alarm(0)
    assert set(df.run) == {RUN}


def _mount(kind: str, target: Path, *opts: str, src: str = "tmpfs") -> bool:
    "Mount (as root, where this machine allows it); False when it cannot."
    target.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", kind, *opts, src, str(target)] if kind else ["mount", *opts, src, str(target)],
                       capture_output=True)
    return r.returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    "A 256 kB tmpfs: a real full disk (skips where this machine cannot mount one, e.g. without root)."
    d = tmp_path / "small"
    if not _mount("tmpfs", d, "-o", "size=256k"): pytest.skip("cannot mount a small tmpfs here (needs root): the full "
                                                             "disk is simulated by test_a_full_disk_is_one_line_simulated")
    yield d
    subprocess.run(["umount", "-l", str(d)])


def _one_line(capsys, code: int, msg: str):
    out, err = capsys.readouterr()
    assert code == 2, (code, out[-1500:], err[-1500:])
    assert err.strip().count("\n") == 0 and msg in err, err


def test_a_full_disk_is_one_line(small_disk, capsys, monkeypatch):
    monkeypatch.setenv(PROFILE_ENV, "test")
    code = cli.main([*TRAIN, "--steps", "30", "--out", str(small_disk / "runs")])
    _one_line(capsys, code, "No space left on device")
    leftovers = [p for p in small_disk.rglob(".*.tmp")]
    assert not leftovers, leftovers   # no half-written file


def test_a_full_disk_is_one_line_simulated(work, capsys, monkeypatch):
    "The same through safetensors' own error type (what a full disk raises inside `save_file`)."
    import sorting_transformers.core as core
    def full(*a, **k): raise Exception("Error while serializing: IoError(Os { code: 28, message: \"No space left on device\" })")
    monkeypatch.setattr(core, "save_file", full)
    code = cli.main([*TRAIN, "--out", str(work / "new")])
    _one_line(capsys, code, "could not be written (Error while serializing")


def test_llc_on_a_read_only_run_fails_before_computing(work, capsys, monkeypatch):
    "A read-only run folder is refused before any chain runs (bind-mounted read-only; or, without mount, a probe)."
    import sorting_transformers.llc as llc_mod
    monkeypatch.setattr(llc_mod, "estimate_llc", lambda *a, **k: pytest.fail("computed before the check"))
    run = work / "done" / RUN; ro = work / "ro" / RUN
    if _mount("", ro, "--bind", "-o", "ro", src=str(run)):
        try:
            code = cli.main(["llc", str(ro), "--draws", "8", "--no-progress"])
            _one_line(capsys, code, "cannot write in")
        finally: subprocess.run(["umount", "-l", str(ro)])
    else:
        import tempfile
        def ro_probe(*a, **k): raise OSError(30, "Read-only file system")
        monkeypatch.setattr(tempfile, "TemporaryFile", ro_probe)
        code = cli.main(["llc", str(run), "--draws", "8", "--no-progress"])
        _one_line(capsys, code, "cannot write in")


def test_a_strict_terminal_encoding_still_gives_one_line(tmp_path):
    "With an ASCII-only strict stderr, a message with a non-UTF-8 path (and δ̄) is still one readable line."
    env = {**os.environ, "PYTHONIOENCODING": "ascii:strict", PROFILE_ENV: "test"}
    bad = os.fsencode(tmp_path) + b"/runs\xff"
    r = subprocess.run([os.fsencode(tool("sorting-transformers")), b"train", b"--out", bad], cwd=ROOT, env=env,
                       capture_output=True)
    err = r.stderr.decode("ascii")
    assert r.returncode == 2 and err.strip().count("\n") == 0 and "not a UTF-8 path" in err, err
    assert not list(tmp_path.iterdir())


def test_builds_replace_only_their_own_output(tmp_path, monkeypatch):
    "The Quarto branch (nbdev-docs faked): a user's `_quarto_build` is never touched, `site` is replaced only when ours."
    import sorting_transformers.report as rep
    from sorting_transformers.core import OWN_MARK
    executed = tmp_path / "S" / "notebooks"; executed.mkdir(parents=True); (executed / "index.ipynb").write_text("{}")
    _draft(tmp_path / "S" / "_quarto_build")
    def fake_docs(cmd, cwd, check):
        (Path(cwd) / "_docs").mkdir(); (Path(cwd) / "_docs" / "index.html").write_text(f"built from {cwd}")
    monkeypatch.setattr(rep.subprocess, "run", fake_docs)
    site = tmp_path / "S" / "site"
    for _ in range(2):   # the second build replaces the first (ours)
        pages = rep.build_quarto_site(executed, site, ROOT)
        assert [p.name for p in pages] == ["index.html"] and (site / OWN_MARK).exists()
    assert (tmp_path / "S" / "_quarto_build" / "draft.ipynb").read_text() == '{"my": "work"}'
    assert sorted(p.name for p in (tmp_path / "S").iterdir()) == ["_quarto_build", "notebooks", "site"]   # no scratch left
    shutil.rmtree(site); _draft(site)
    with pytest.raises(ValueError, match="was not made by sorting-transformers"): rep.build_quarto_site(executed, site, ROOT)
    assert (site / "draft.ipynb").exists()


def test_stale_build_folders_are_removed_only_when_ours(tmp_path):
    from sorting_transformers.core import remove_stale_tmp, OWN_MARK
    dead = 2**22 + 12345   # a pid no process has (pid_max is at most 2**22)
    ours, theirs = tmp_path / f".site.{dead}-abcd1234.tmp", tmp_path / f".notes.{dead}-abcd1234.tmp"
    ours.mkdir(); (ours / OWN_MARK).write_text(""); theirs.mkdir(); (theirs / "x").write_text("keep")
    assert remove_stale_tmp(tmp_path) == [ours]
    assert not ours.exists() and (theirs / "x").exists()


# --- property-based fuzzing of run folders -------------------------------------------------------------------
def _tree(root: Path) -> dict:
    "Every path under `root` with what it is (link target, or the bytes of a file)."
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_symlink(): out[str(p.relative_to(root))] = ("link", os.readlink(p))
        elif p.is_file(): out[str(p.relative_to(root))] = ("file", p.read_bytes())
        else: out[str(p.relative_to(root))] = ("other", p.lstat().st_mode)
    return out

_TARGETS = ["config.json", "metrics.csv", "state.safetensors", "checkpoints", "analysis",
            "checkpoints/step_000000.safetensors", "checkpoints/step_000003.safetensors"]

def _damage(run: Path, other: Path, kind: str, target, value):
    "One damage; one that cannot apply to what earlier damages left (a folder where a file was) is skipped."
    try: _damage1(run, other, kind, target, value)
    except (OSError, ValueError, KeyError, IndexError, AttributeError): pass

def _damage1(run: Path, other: Path, kind: str, target, value):
    p = run / target if isinstance(target, str) else None
    if kind == "link to the other run":
        if p.is_dir(): shutil.rmtree(p)
        elif p.exists() or p.is_symlink(): p.unlink()
        p.symlink_to(other / target)
    elif kind == "fifo" and p.is_file(): p.unlink(); os.mkfifo(p)
    elif kind == "folder" and p.is_file(): p.unlink(); p.mkdir()
    elif kind == "config edit":
        if not (run / "config.json").is_file(): return   # an earlier damage made it a FIFO or a folder
        conf = json.loads((run / "config.json").read_text()); section, field = target
        (conf[section] if section in conf else conf).update({field: value})
        (run / "config.json").write_text(json.dumps(conf))
    elif kind == "header edit":
        ck = sorted((run / "checkpoints").glob("step_*.safetensors"))[value % 3]; section, field = target
        meta = read_metadata(ck); meta.setdefault(section, {})[field] = value
        save_file(load_tensors(ck), str(ck), metadata={k: json.dumps(v) for k, v in meta.items()})

_CONFIG_FIELDS = st.sampled_from([("train", "weight_decay"), ("train", "steps"), ("train", "seed"), ("train", "lr"),
                                  ("task", "n_values"), ("task", "list_len"), ("model", "d_model"), ("train", "preset")])
_HEADER_FIELDS = st.sampled_from([("extra", "step"), ("task", "n_values"), ("cfg", "n_heads"), ("extra", "train")])
_DAMAGE = st.one_of(
    st.tuples(st.sampled_from(["link to the other run", "fifo", "folder"]), st.sampled_from(_TARGETS), st.none()),
    st.tuples(st.just("config edit"), _CONFIG_FIELDS, st.one_of(st.integers(-3, 10**13), st.floats(allow_nan=False), st.text(max_size=4))),
    st.tuples(st.just("header edit"), _HEADER_FIELDS, st.integers(0, 40)))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(damages=st.lists(_DAMAGE, min_size=1, max_size=3), which=st.sampled_from(["done", "part"]),
       command=st.sampled_from(["train", "llc"]))
def test_fuzz_run_folders(trained, tmp_path_factory, damages, which, command):
    """Random symlinks, file types and edits of config.json and headers: the command either succeeds on a folder that is
    still its run, or is refused with one line and exit 2; nothing outside the run is written, the other run unchanged."""
    import contextlib, io, signal
    w = tmp_path_factory.mktemp("fzr")
    for name in ("done", "part", "other"): shutil.copytree(trained / name, w / name)
    run, other = w / which / RUN, w / "other" / OTHER
    signal.signal(signal.SIGALRM, lambda *a: pytest.fail(f"blocked: {damages}")); signal.alarm(300)
    for kind, target, value in damages: _damage(run, other, kind, target, value)
    outside = lambda tree: {k: v for k, v in tree.items() if not k.startswith(f"{which}/{RUN}")}
    before_other, before_all = _tree(w / "other"), outside(_tree(w))
    argv = ([*TRAIN, "--out", str(w / which)] if command == "train" else
            ["llc", str(run), "--profile", "test", "--draws", "4", "--chains", "2", "--n-checkpoints", "2", "--workers", "1",
             "--no-progress"])
    err = io.StringIO()
    try:
        with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            mp.setenv(PROFILE_ENV, "test")
            try: code = cli.main(argv)
            except SystemExit as e: code = e.code
    finally: signal.alarm(0)
    assert code in (0, 2), (code, damages, err.getvalue()[-2000:])
    if code == 2: assert err.getvalue().strip().count("\n") == 0, err.getvalue()
    assert _tree(w / "other") == before_other, f"the other run changed: {damages}"
    after = outside(_tree(w))
    if code == 0 and command == "train":   # a sweep that ran rewrites its folder's combined table, nothing else
        for t in (after, before_all): t.pop(f"{which}/metrics.csv", None)
    assert after == before_all, f"something outside the run was written: {damages}"
    signal.alarm(0)
    if code == 0:   # what it read was its own run, consistent (`load_run` checks every checkpoint against config.json)
        from sorting_transformers.runs import load_run
        load_run(run)
