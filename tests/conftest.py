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
    from sorting_transformers.core import env_seed_dir
    return env_seed_dir()

@pytest.fixture(scope="session")
def main_job_test_profile(tmp_path_factory):
    """`sorting-transformers all --profile test` run once, as a user runs it (its own runs folder, the report
    into `_site` of its working folder): the command-line test reads its output, the site test its pages."""
    import subprocess
    work = tmp_path_factory.mktemp("main_job")
    env = {**os.environ, "SORTING_TRANSFORMERS_RUNS": str(work / "runs"), "TQDM_DISABLE": "1"}
    r = subprocess.run([tool("sorting-transformers"), "all", "--profile", "test"], cwd=work, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    return work, r
