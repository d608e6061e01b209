"""Every notebook runs to its end on the `test` profile, and the package is what the notebooks export."""
import json, os, re, shutil, subprocess
import pytest
from conftest import ROOT, tool

NOTEBOOKS = sorted(p.name for p in (ROOT / "nbs").glob("*.ipynb"))

def test_notebooks_found():
    assert {"index.ipynb", "01_data.ipynb", "02_model.ipynb"} <= set(NOTEBOOKS), NOTEBOOKS

@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_notebook(nb, main_job_test_profile):
    """Every notebook ran to its end, tests and assertions included, in the test-profile main job (which executes each
    notebook once, stopping at the first failing cell): its executed copy has every code cell run and no error output."""
    work, _ = main_job_test_profile
    ran = json.loads((work / "_site" / "notebooks" / nb).read_text())
    code = [c for c in ran["cells"] if c["cell_type"] == "code" and not re.search(r"^#\|\s*eval:\s*false", "".join(c["source"]), re.M)]
    assert code and all(c.get("execution_count") for c in code), f"{nb}: cells not executed"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{nb}: {errors[:1]}"

def test_export_is_up_to_date(tmp_path):
    "nbdev-export on a copy of the notebooks reproduces the committed package exactly."
    work = tmp_path / "proj"
    shutil.copytree(ROOT / "nbs", work / "nbs", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(ROOT / "pyproject.toml", work)
    (work / "sorting_transformers").mkdir()
    shutil.copy(ROOT / "sorting_transformers" / "__init__.py", work / "sorting_transformers")
    r = subprocess.run([tool("nbdev-export")], cwd=work, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    ours, theirs = ROOT / "sorting_transformers", work / "sorting_transformers"
    names = sorted(p.name for p in theirs.glob("*.py"))
    assert names == sorted(p.name for p in ours.glob("*.py")), "exported modules differ from the committed ones"
    stale = [n for n in names if (ours / n).read_text() != (theirs / n).read_text()]
    assert not stale, f"run nbdev-export: {stale} differ from what the notebooks export"

def test_readme_is_generated_from_index():
    r = subprocess.run([os.sys.executable, str(ROOT / "tools" / "make_readme.py"), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + r.stdout

def test_committed_notebooks_are_small():
    big = [p.name for p in (ROOT / "nbs").glob("*.ipynb") if p.stat().st_size > 2_000_000]
    assert not big, f"notebooks over 2 MB: {big}"

def test_exported_lines_read_on_a_laptop():
    "No line of exported code is longer than 120 characters (`python tools/check_style.py` also lists export cells over 40 lines)."
    import sys
    sys.path.insert(0, str(ROOT / "tools"))
    from check_style import problems
    long_ = [p for p in problems(max_cell=10**9, max_line=120)]
    assert not long_, "\n".join(long_[:20])

def test_every_public_parameter_is_documented():
    "Every parameter of every public function and method (each module's `__all__`) has a docment, as nbdev renders them."
    import dataclasses, importlib, inspect
    from fastcore.docments import docments
    missing = []
    import pkgutil, sorting_transformers
    for mod in sorted(m.name for m in pkgutil.iter_modules(sorting_transformers.__path__) if not m.name.startswith("_")):
        m = importlib.import_module(f"sorting_transformers.{mod}")
        for name in m.__all__:
            obj = getattr(m, name)
            if inspect.isfunction(obj): fns = [(name, obj)]
            elif inspect.isclass(obj) and not dataclasses.is_dataclass(obj) and obj.__module__ == m.__name__:
                fns = [(f"{name}.{k}", v) for k, v in vars(obj).items()
                       if inspect.isfunction(v) and (not k.startswith("_") or k == "__init__")]
            else: continue
            for qual, f in fns:
                docs = docments(f, full=True)
                missing += [f"{mod}.{qual}({k})" for k, p in inspect.signature(f).parameters.items()
                            if k not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                            and not (k in docs and docs[k].docment)]
    assert not missing, f"{len(missing)} parameters without docments: {missing[:20]}"

def test_readme_states_the_committed_findings():
    "The README's findings are the committed summary's, rendered by the site's own function; the summary is the default grid's."
    import json
    from sorting_transformers.core import get_profile
    from sorting_transformers.experiment import summary_markdown
    from sorting_transformers.train import sweep_configs
    path = ROOT / "results" / "default" / "summary.json"
    s = json.loads(path.read_text()); readme = (ROOT / "README.md").read_text()
    assert path.stat().st_size < 200_000, "the committed summary should be some tens of KB"
    assert s["profile"] == "default"
    assert sorted(r["run"] for r in s["runs"]) == sorted(c.run_name for c in sweep_configs(get_profile("default")))
    for name, text in summary_markdown(s).items():
        assert text.replace("](0", "](nbs/0") in readme, f"README.md does not state the committed {name}"
    assert "Computed from the run folders" not in readme   # no placeholders where the results should be

def test_readme_leads_with_the_paper_summary():
    """Where `results/paper/summary.json` is committed, the README's abstract, setup and replication table open with
    its sections (before the `default` build's); where it is not, none of them is there."""
    import json
    from sorting_transformers.experiment import summary_markdown
    readme = (ROOT / "README.md").read_text(); default = json.loads((ROOT / "results" / "default" / "summary.json").read_text())
    ours = {k: v.replace("](0", "](nbs/0") for k, v in summary_markdown(default).items()}
    path = ROOT / "results" / "paper" / "summary.json"
    if not path.exists():
        assert "On the **paper** profile" not in readme and "Built with the **paper** profile" not in readme
        pytest.skip(f"{path} is not committed: the README shows the default build only")
    s = json.loads(path.read_text()); assert s["profile"] == "paper"
    paper = {k: v.replace("](0", "](nbs/0") for k, v in summary_markdown(s).items()}
    for k in ("abstract", "setup", "replication"):
        at = readme.find(paper[k]); assert at >= 0, f"README.md does not state the paper summary's {k}"
        assert readme.find(ours[k], at + len(paper[k])) > 0, f"README.md: the default build's {k} should follow the paper's"

def test_pages_show_no_warnings_or_tracebacks(main_job_test_profile):
    "No executed notebook, so no page of the site, shows stderr output (warnings, tracebacks, progress bars)."
    work, _ = main_job_test_profile
    bad = [f"{nb} cell {c.get('id')}: {''.join(o.get('text', ''))[:300]}"
           for nb in NOTEBOOKS for c in json.loads((work / "_site" / "notebooks" / nb).read_text())["cells"]
           for o in c.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert not bad, "\n".join(bad[:10])

def test_no_number_is_typed_into_prose():
    """A digit in a notebook's markdown cell is a setting, a formula or a name written as such (code span, math, link,
    identifier, citation year, list number); a number the write-up reports comes from a computed cell
    (`python tools/check_prose.py` lists what it finds)."""
    import sys
    sys.path.insert(0, str(ROOT / "tools"))
    from check_prose import problems, typed_numbers
    # the check itself: it finds typed numbers, and lets through what defines rather than reports
    found = [n for n, _ in typed_numbers("Weight decay lowers the norm by 4.8 (3 of 3 cells, 95% interval)."
                                         " It sorts at 99.1% after 7,300 steps.")]
    assert found == ["4.8", "3", "3", "95", "99.1", "7,300"], found
    allowed = ("`attn1l` and relu3l, head L0H1 of [llc](06_llc.ipynb), `EXCLUSIVE_MIN` = `0.5`, $d/2 = 22$, bf16 and "
               "UTF-8, Urdshals & Urdshals 2025, Lau et al. (2023), <img width=\"300\">, https://x.org/a1\n"
               "```\nx = 3\n```\n1. first item\n\n$$\\lambda = 12$$")
    assert typed_numbers(allowed) == [], typed_numbers(allowed)
    bad = problems()
    assert not bad, f"{len(bad)} number(s) typed into markdown:\n" + "\n".join(bad[:30])
