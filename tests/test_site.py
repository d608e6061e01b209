"""The report on the `test` profile, opened in headless Chromium with the network blocked: every page loads,
every figure draws (an SVG appears), every navigation link resolves, and the console shows no errors."""
import json, os, re, shutil
from pathlib import Path
import pytest
from conftest import ROOT

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

@pytest.fixture(scope="module")
def report(main_job_test_profile):
    "The site the main job built on the `test` profile (its last step is `sorting-transformers report`)."
    work, r = main_job_test_profile
    assert re.search(r"built \d+ pages with (Quarto|nbconvert)", r.stdout), r.stdout[-2000:]
    return work / "_site"

def figures_in(nb_path: Path) -> int:
    "Plotly figures among a notebook's outputs."
    nb = json.loads(nb_path.read_text())
    return sum("Plotly.newPlot" in "".join(o.get("data", {}).get("text/html", ""))
               for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))

def test_every_notebook_has_a_page(report):
    import yaml
    order = yaml.safe_load((ROOT / "nbs" / "sidebar.yml").read_text())["website"]["sidebar"]["contents"]
    assert sorted(p.name for p in (report / "site").glob("*.html")) == sorted(n.replace(".ipynb", ".html") for n in order)
    assert (report / "site" / "plotly.min.js").exists()

def test_pages_render_offline_in_chromium(report):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM)")
    from playwright.sync_api import sync_playwright
    site, outside, total = report / "site", [], 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = browser.new_context(offline=True)
        ctx.route(re.compile(r"^(https?|wss?)://"), lambda route: (outside.append(route.request.url), route.abort()))
        for page_file in sorted(site.glob("*.html")):
            errors, page = [], ctx.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri(), wait_until="load")
            want = figures_in(report / "notebooks" / page_file.name.replace(".html", ".ipynb"))
            total += want
            page.wait_for_function("n => document.querySelectorAll('.plotly-graph-div').length >= n", arg=want, timeout=20000)
            drawn = page.evaluate("() => [...document.querySelectorAll('.plotly-graph-div')].filter(d => d.querySelector('svg.main-svg')).length")
            assert drawn == want, f"{page_file.name}: {drawn} of {want} figures drawn"
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
                if re.match(r"^(https?:|mailto:|#)", href): continue
                assert (site / href.split("#")[0]).exists(), f"{page_file.name}: broken link {href}"
            assert not errors, f"{page_file.name}: console errors {errors}"
            page.close()
        browser.close()
    assert total > 5, "the site should hold the notebooks' figures"
    assert not outside, f"pages tried to reach the network: {outside[:5]}"
