"""Write README.md from nbs/index.ipynb (markdown as is, code cells fenced), without Quarto.

A result cell of the notebook (`#| echo: false`) that names a section with a `# readme: NAME` line is
replaced by that section of the committed summary of the `default` build, `results/default/summary.json`
(`# readme: PROFILE/NAME`: of `results/PROFILE/summary.json`, left out while that is not committed),
rendered by `sorting_transformers.experiment.summary_markdown` (the same function the site uses); other
result cells (figures) are left out. `python tools/make_readme.py` writes it; `--check` exits 1 if
README.md is out of date.
"""
import functools, re, sys, json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
SUMMARY = RESULTS / "default" / "summary.json"
HEADER = "<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n"

@functools.lru_cache
def committed_sections(path=SUMMARY) -> dict:
    "The write-up's sections rendered from the committed summary."
    from sorting_transformers.experiment import summary_markdown
    s = json.loads(Path(path).read_text())
    note = (f"*From the committed summary of the `{s['profile']}` build (`{Path(path).relative_to(ROOT)}`), "
            "which the main job regenerates and compares; the site shows the same sentences with figures.*")
    return {k: f"{note}\n\n{v}" if k == "abstract" else v for k, v in summary_markdown(s).items()}

def section(name:str, summary=SUMMARY) -> str|None:
    "`# readme: NAME` (of `summary`) or `PROFILE/NAME` (of `RESULTS/PROFILE/summary.json`; None while not committed)."
    profile, _, key = name.rpartition("/")
    path = RESULTS / profile / "summary.json" if profile else summary
    if profile and not path.exists(): return None   # another profile's summary, not committed yet: left out
    return committed_sections(path)[key]   # the default build's is required

def render(nb_path=ROOT / "nbs" / "index.ipynb", summary=SUMMARY) -> str:
    cells = json.loads(Path(nb_path).read_text())["cells"]
    out = []
    for c in cells:
        src = "".join(c["source"]).strip()
        if c["cell_type"] == "markdown":
            out.append(re.sub(r"\]\((\w+\.ipynb)\)", r"](nbs/\1)", src))
        elif c["cell_type"] == "code":
            if re.search(r"^#\|\s*echo:\s*false", src, re.M):   # a result: from the committed summary, or left out
                if (m := re.search(r"^# readme: ([\w/]+)", src, re.M)) and (text := section(m[1], summary)) is not None:
                    out.append(re.sub(r"\]\((\w+\.ipynb)\)", r"](nbs/\1)", text))
                continue
            if re.search(r"^#\|\s*(hide|eval:\s*false)", src, re.M): continue
            src = "\n".join(l for l in src.splitlines() if not l.startswith("#|")).strip()
            if src: out.append(f"```python\n{src}\n```")
    return HEADER + "\n\n".join(out) + "\n"

if __name__ == "__main__":
    text, readme = render(), ROOT / "README.md"
    if "--check" in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is out of date with nbs/index.ipynb or results/*/summary.json: "
                     "run python tools/make_readme.py")
        print("README.md is up to date")
    else:
        readme.write_text(text); print(f"wrote {readme}")
