"""Numbers typed into prose: digits in the notebooks' markdown cells that no computed cell produced.

A number the write-up reports must come from a computed cell (a markdown output of code), so that it cannot drift
from the results. What the static prose may hold is what it defines rather than measures, written as such: settings,
thresholds and sizes in code spans (`EXCLUSIVE_MIN` = `0.5`), formulas in math ($\\lambda = d/2$). Outside those, a
digit is allowed only inside a name (`attn1l`, L0H1, `06_llc`, bf16, UTF-8), in a citation's year (Urdshals & Urdshals
2025, Lau et al. (2023)) and as a list item's number. Everything else is listed, with its notebook, cell and context.

    python tools/check_prose.py      # lists them; exit 1 if any
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_HIDDEN = [
    re.compile(r"```.*?```", re.S),          # fenced code
    re.compile(r"`[^`\n]*`"),                # code spans
    re.compile(r"\$\$.*?\$\$", re.S),        # display math
    re.compile(r"\$[^$\n]+\$"),              # inline math
    re.compile(r"\]\([^)\s]*\)"),            # link targets
    re.compile(r"<[^>\n]*>"),                # HTML tags
    re.compile(r"https?://\S+"),             # bare addresses
    re.compile(r"^\s*\d+\.\s", re.M),        # numbered list items
]
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CITED = re.compile(r"(?:\b[A-Z][a-z]+|et al\.)(?:'s)?[ ,(]*$")    # a name or 'et al.' just before a year


def prose(text: str) -> str:
    "The markdown with everything that may hold digits blanked out (same length, so offsets stay)."
    for p in _HIDDEN: text = p.sub(lambda m: " " * len(m.group()), text)
    return text


def typed_numbers(text: str) -> list[tuple[str, str]]:
    "Each digit run of markdown `text` that is prose, as (number, context)."
    t = prose(text); out = []
    for m in _NUMBER.finditer(t):
        a, b = m.span(); before, after = t[a - 1:a], t[b:b + 1]
        if before.isalpha() or before == "_" or after.isalpha() or after == "_" or re.search(r"[A-Za-z]-$", t[:a]):
            continue                                               # inside a name: attn1l, L0H1, 06_llc, bf16, UTF-8
        if re.fullmatch(r"(19|20)\d\d", m.group()) and _CITED.search(t[max(0, a - 40):a]):
            continue                                               # a citation's year
        out.append((m.group(), " ".join(text[max(0, a - 50):b + 30].split())))
    return out


def problems(root: Path = ROOT) -> list[str]:
    "`notebook cell-id: number | context` for every typed number in the notebooks' markdown cells."
    out = []
    for p in sorted((root / "nbs").glob("*.ipynb")):
        for c in json.loads(p.read_text())["cells"]:
            if c["cell_type"] != "markdown": continue
            out += [f"{p.name} {c.get('id')}: {n} | {ctx}" for n, ctx in typed_numbers("".join(c["source"]))]
    return out


if __name__ == "__main__":
    found = problems()
    print("\n".join(found) or "no number typed into prose")
    sys.exit(1 if found else 0)
