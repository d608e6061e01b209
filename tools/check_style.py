"""House style of the notebooks' exported code, as issue 10 asks: no export cell over about 40 lines, lines that read on a laptop.

    python tools/check_style.py [--max-cell 40] [--max-line 120]

Prints every export cell and line over the limits; exits 1 when there is one."""
import argparse, json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def problems(max_cell:int, max_line:int) -> list[str]:
    out = []
    for nb in sorted((ROOT / "nbs").glob("*.ipynb")):
        for c in json.loads(nb.read_text())["cells"]:
            src = "".join(c["source"])
            if c["cell_type"] != "code" or not src.startswith("#| export"): continue
            lines = src.splitlines()
            if len(lines) > max_cell: out.append(f"{nb.name} cell {c.get('id')}: {len(lines)} lines")
            out += [f"{nb.name} cell {c.get('id')}: a line of {len(l)} characters: {l.strip()[:60]}..." for l in lines if len(l) > max_line]
    return out

if __name__ == "__main__":
    a = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a.add_argument("--max-cell", type=int, default=40); a.add_argument("--max-line", type=int, default=120)
    args = a.parse_args()
    found = problems(args.max_cell, args.max_line)
    print("\n".join(found) or "ok"); print(f"{len(found)} problem(s)", file=sys.stderr)
    sys.exit(1 if found else 0)
