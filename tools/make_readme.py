"""Write README.md from nbs/index.ipynb (markdown as is, code cells fenced), without Quarto.

`python tools/make_readme.py` writes it; `--check` exits 1 if README.md is out of date.
"""
import re, sys, json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTE = "*Computed from the run folders when the site is built (`sorting-transformers report`); see the site or `nbs/index.ipynb`.*"
HEADER = "<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n"

def render(nb_path=ROOT / "nbs" / "index.ipynb") -> str:
    cells = json.loads(Path(nb_path).read_text())["cells"]
    out = []
    for c in cells:
        src = "".join(c["source"]).strip()
        if c["cell_type"] == "markdown":
            src = re.sub(r"\]\((\w+\.ipynb)\)", r"](nbs/\1)", src)
            out.append(src)
        elif c["cell_type"] == "code":
            if re.search(r"^#\|\s*echo:\s*false", src, re.M):   # a result: README has no outputs, the site has
                if out[-1] != NOTE: out.append(NOTE)
                continue
            if re.search(r"^#\|\s*(hide|eval:\s*false)", src, re.M): continue
            src = "\n".join(l for l in src.splitlines() if not l.startswith("#|")).strip()
            if src: out.append(f"```python\n{src}\n```")
    return HEADER + "\n\n".join(out) + "\n"

if __name__ == "__main__":
    text, readme = render(), ROOT / "README.md"
    if "--check" in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is out of date with nbs/index.ipynb: run python tools/make_readme.py")
        print("README.md is up to date")
    else:
        readme.write_text(text); print(f"wrote {readme}")
