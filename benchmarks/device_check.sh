#!/usr/bin/env bash
# The GPU check, one prepared script: on a machine with a CUDA GPU, from the root of a clone, run
#
#     bash benchmarks/device_check.sh [WHEELS]
#
# WHEELS (optional): a folder of this package's dependency wheels, for a machine that reaches no package registry
# (`pip download -d WHEELS -c constraints-cpu.txt -e .` beside it, then carried along; torch is the machine's own).
# It prints, on the GPU: the training-step table (TransformerLens, the fused step, plain PyTorch), fp32 against bf16
# autocast, and the `paper` and `full` profiles' training stage projected from the measured step time; the LLC's cost
# per estimate by implementation (devinterp, stacked; `bench_llc.py`); then it trains
# one seed of every cell of `paper` on the GPU, timed, into ${OUT:-/tmp}/paper_gpu (resumable; stopped after
# ${TRAIN_LIMIT_S:-300} s, so that a short lease still returns the tables). Nothing here runs in the tests: a machine
# without a GPU stops at the first check.
set -euo pipefail
py="${PYTHON:-python3}"   # the machine's Python with its own CUDA torch
"$py" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA device: this check is for a GPU')" \
  || { echo "no torch with CUDA for $py: this check is for a GPU machine (PYTHON=... names another Python)"; exit 1; }
export PYTHONUNBUFFERED=1 TQDM_DISABLE=1
if ! "$py" -c "import sorting_transformers" 2>/dev/null; then
  if [ -n "${1:-}" ]; then "$py" -m pip install -q --no-index --find-links "$1" -e .
  else "$py" -m pip install -q -e .; fi
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
"$py" benchmarks/bench_train.py --device cuda --sections 1 5 6 --steps 40 --batch-size 512
"$py" benchmarks/bench_llc.py --device cuda --presets attn1l --converged-draws 2048
out="${OUT:-/tmp}/paper_gpu"; start=$(date +%s)
timeout "${TRAIN_LIMIT_S:-300}" "$py" -c "import sys; from sorting_transformers.cli import main; sys.exit(main(sys.argv[1:]))" train --profile paper --device cuda --seeds 0 --out "$out" \
  --no-progress || echo "stopped after ${TRAIN_LIMIT_S:-300} s (resumable: rerun to go on)"
echo "paper, seed 0 of every cell on the GPU: $(( $(date +%s) - start )) s wall (the table above lists the runs it finished)"
