"""The glossary page: every term links to the place in a chapter where it is defined, every term is linked from the
chapters with {term}, and every {term} link in a chapter sits in prose (never in math or code) and names a term
that the glossary has. Adding a term: one entry in glossary.md, one `(sec-...)=` label at its definition."""

from __future__ import annotations

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
GLOSSARY = ROOT / "glossary.md"
TERM_ROLE = re.compile(r"\{term\}`([^`]*)`")
LINK = re.compile(r"\{(?:ref|numref)\}`(?:[^`<]*<)?([\w-]+)>?`")


def _markdown_cells(nb: pathlib.Path) -> list[str]:
    cells = json.loads(nb.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def _code_cells(nb: pathlib.Path) -> list[str]:
    cells = json.loads(nb.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def glossary_entries(text: str) -> dict[str, str]:
    """Term -> its one-line definition, from the body of the ```{glossary} directive."""
    body = re.search(r"```\{glossary\}\n(.*?)\n```", text, flags=re.S)
    assert body, "glossary.md has no glossary directive"
    entries = {}
    blocks = body.group(1).strip("\n").split("\n\n")
    for block in blocks:
        lines = block.split("\n")
        assert len(lines) == 2 and not lines[0].startswith(" ") and lines[1].startswith("  "), (
            f"a glossary entry is one term line and one indented definition line: {block!r}")
        assert lines[0] not in entries, f"glossary term {lines[0]!r} twice"
        entries[lines[0]] = lines[1].strip()
    return entries


def term_target(role_text: str) -> str:
    """The glossary term a {term} role points at: the part in <...>, or the whole text."""
    m = re.fullmatch(r"(.*?)\s*<([^<>]+)>", role_text, flags=re.S)
    return (m.group(2) if m else role_text).strip()


def math_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of display ($$...$$) and inline ($...$) math in a Markdown cell."""
    spans = [m.span() for m in re.finditer(r"\$\$.*?\$\$", text, flags=re.S)]
    rest = re.sub(r"\$\$.*?\$\$", lambda m: " " * len(m.group(0)), text, flags=re.S)
    spans += [m.span() for m in re.finditer(r"(?<!\\)\$(?:[^$\\]|\\.)+?\$", rest, flags=re.S)]
    return spans


def chapter_labels() -> dict[str, str]:
    """Every `(label)=` target of a chapter's Markdown cells -> the chapter number ("04")."""
    labels: dict[str, str] = {}
    for nb in CHAPTERS:
        for src in _markdown_cells(nb):
            for label in re.findall(r"^\(([\w-]+)\)=\s*$", src, flags=re.M):
                assert label not in labels, f"label {label} defined twice"
                labels[label] = nb.stem[:2]
    return labels


ENTRIES = glossary_entries(GLOSSARY.read_text())
LABELS = chapter_labels()


def _chapter_terms() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for nb in CHAPTERS:
        for src in _markdown_cells(nb):
            for role in TERM_ROLE.findall(src):
                used.setdefault(term_target(role).lower(), set()).add(nb.stem[:2])
    return used


def test_the_glossary_has_the_books_terms():
    assert len(ENTRIES) >= 40
    lower = {t.lower() for t in ENTRIES}
    for term in ("critical point", "index", "morse function", "complexity", "annealed", "quenched",
                 "threshold energy", "marginal", "ground state", "isotropic field", "mixture", "p-spin model", "goe",
                 "semicircle law", "bbp transition", "kac–rice formula", "tap free energy", "tap state",
                 "replica symmetry breaking", "dynamical temperature", "static temperature", "aging",
                 "fluctuation–dissipation ratio", "cugliandolo–kurchan equations", "euler characteristic",
                 "excursion set", "spiked matrix–tensor model", "signal-to-noise thresholds", "phase retrieval",
                 "spectral method"):
        assert term in lower, f"the glossary lacks {term!r}"
    assert list(ENTRIES) == sorted(ENTRIES, key=str.lower), "glossary entries are not in alphabetical order"


@pytest.mark.parametrize("term", list(ENTRIES))
def test_term_links_to_its_definition_in_a_chapter(term):
    definition = ENTRIES[term]
    links = LINK.findall(definition)
    assert links, f"glossary entry {term!r} links to no place in the book"
    for label in links:
        assert label in LABELS, f"glossary entry {term!r} links to {label!r}, which no chapter defines"
        said = re.search(rf"chapter (\d+) <{re.escape(label)}>", definition)
        assert said and int(said.group(1)) == int(LABELS[label]), (
            f"glossary entry {term!r} names the wrong chapter for {label} (it is in chapter {LABELS[label]})")
    assert "\n" not in definition and len(definition) < 400, f"{term!r}: one line, please"


@pytest.mark.parametrize("term", list(ENTRIES))
def test_term_is_linked_from_a_chapter(term):
    assert term.lower() in _chapter_terms(), f"no chapter links the glossary term {term!r} with {{term}}"


def test_every_term_link_names_a_glossary_term():
    lower = {t.lower() for t in ENTRIES}
    for target, chapters in _chapter_terms().items():
        assert target in lower, f"chapters {sorted(chapters)} link {target!r}, which is not in the glossary"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_term_links_sit_in_prose(nb):
    """Never inside math (a role there is typeset as symbols), code, a heading or a directive's title line."""
    for src in _markdown_cells(nb):
        spans = math_spans(src)
        for m in TERM_ROLE.finditer(src):
            assert not any(a <= m.start() < b for a, b in spans), (
                f"{nb.name}: a {{term}} role inside math: {src[max(0, m.start() - 40):m.end()]!r}")
            line = src[src.rfind("\n", 0, m.start()) + 1:m.start()]
            assert not line.lstrip().startswith(("#", "```")), f"{nb.name}: a {{term}} role in a heading: {line!r}"
    for src in _code_cells(nb):
        assert "{term}" not in src, f"{nb.name}: a {{term}} role in a code cell"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_each_term_is_linked_once_per_chapter(nb):
    """The first use in a chapter is the one that links; later uses read as plain text."""
    targets = [term_target(r).lower() for src in _markdown_cells(nb) for r in TERM_ROLE.findall(src)]
    repeated = {t for t in targets if targets.count(t) > 1}
    assert not repeated, f"{nb.name} links {sorted(repeated)} more than once"


def test_the_checks_catch_what_they_are_for():
    # math detection: a role between dollars is inside math, one after it is not
    src = r"see $a + {term}`x` $ and {term}`y`"
    roles = list(TERM_ROLE.finditer(src))
    spans = math_spans(src)
    assert any(a <= roles[0].start() < b for a, b in spans)
    assert not any(a <= roles[1].start() < b for a, b in spans)
    assert term_target("critical points <critical point>") == "critical point"
    assert term_target("GOE") == "GOE"
    with pytest.raises(AssertionError):
        glossary_entries("```{glossary}\nterm one\nterm two\n  shared definition\n```")
    with pytest.raises(AssertionError):
        glossary_entries("```{glossary}\nterm\n  one\n\nterm\n  twice\n```")
