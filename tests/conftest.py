import os, shutil, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

def tool(name: str) -> str:
    "A console script of this environment (the venv pytest runs in), else from PATH."
    p = BIN / name
    return str(p) if p.exists() else (shutil.which(name) or pytest.fail(f"{name} not found next to {sys.executable} or on PATH"))

def shared_seed_dir() -> Path:
    "The shared seed folder, as the package finds it (SORTING_TRANSFORMERS_SHARED, else ../shared)."
    from sorting_transformers.core import seed_dir
    return seed_dir()
