"""The course edition hides every solution (prose and code); the book edition shows them."""

from __future__ import annotations

import functools
import html
import json
import re
import sys

import pytest

from .conftest import BOOK_HTML, COURSE_HTML, ROOT, chapter_pages


def _plain(text: str) -> str:
    """Page text without tags and entities, whitespace folded: code and prose become comparable."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def _distinctive(nb_path) -> list[str]:
    """Solution lines, free of math and markup, long enough to be distinctive, that occur nowhere else."""
    import nbformat

    sys.path.insert(0, str(ROOT / "_ext"))
    import student_notebook

    return student_notebook.solution_snippets(nbformat.read(nb_path, as_version=4))


CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.stem)
def test_course_edition_has_no_solutions(nb):
    snippets = _distinctive(nb)
    assert len(snippets) >= 3, f"too few distinctive solution lines found in {nb.name}: {snippets}"
    chapter_pages(COURSE_HTML)  # fails if the course edition was not built
    course_raw = (COURSE_HTML / "chapters" / f"{nb.stem}.html").read_text()
    book = _plain((BOOK_HTML / "chapters" / f"{nb.stem}.html").read_text())
    course = _plain(course_raw)
    assert 'class="solution' not in course_raw and "solution-title" not in course_raw
    found_in_book = [s for s in snippets if s in book]
    assert len(found_in_book) >= 0.8 * len(snippets), f"snippets missing from the book edition: {snippets}"
    for snippet in found_in_book:
        assert snippet not in course, f"solution text leaked into the course edition: {snippet!r}"
    assert "Exercise" in course, "the exercises themselves must remain"


# ---- every file the course site serves ------------------------------------------------------------------------
# The HTML pages hide the solutions; the site also serves each page's source (the ".ipynb" download,
# _sources/), downloads, the search index and whatever else Sphinx copies. None may contain a solution.

SERVED_SUFFIXES = {".html", ".txt", ".md", ".ipynb", ".js", ".json", ".py", ".tex"}
MARKERS = ("solution-start", "solution-end", "solution-title", 'class="solution')


def _served_texts(html_root) -> dict[str, str]:
    """Every text file of a built site (theme assets under _static/ excepted), as comparable text: HTML without
    tags, notebooks as their cells' sources, whitespace folded."""
    texts = {}
    for path in sorted(html_root.rglob("*")):
        rel = path.relative_to(html_root).as_posix()
        if not path.is_file() or path.suffix not in SERVED_SUFFIXES or rel.startswith("_static/"):
            continue
        raw = path.read_text(errors="replace")
        if path.suffix == ".ipynb":
            cells = json.loads(raw)["cells"]
            folded = " ".join(" ".join("".join(c["source"]) for c in cells).split())
        elif path.suffix == ".html":
            folded = _plain(raw)
        else:
            folded = " ".join(raw.split())
        texts[rel] = raw + "\n" + folded
    return texts


@functools.cache
def _snippets(nb_path) -> tuple[str, ...]:
    """Distinctive solution prose and code lines (the rule of the assignments' tests), less those that also occur
    outside the solutions anywhere in the book (a line of one chapter's solution may be ordinary text in another)."""
    import nbformat

    sys.path.insert(0, str(ROOT / "_ext"))
    import student_notebook

    outside = [" ".join(p.read_text().split()) for p in ROOT.glob("*.md")]
    for nb in CHAPTERS + [ROOT / "reference_values.ipynb"]:
        student = student_notebook.student_notebook(nbformat.read(nb, as_version=4))
        outside.append(" ".join(" ".join(c.source for c in student.cells).split()))
    everywhere = "\n".join(outside)
    snippets = student_notebook.solution_snippets(nbformat.read(nb_path, as_version=4))
    return tuple(s for s in snippets if s not in everywhere)


def _leaks(texts: dict[str, str]) -> list[str]:
    found = []
    for nb in CHAPTERS:
        for snippet in _snippets(nb):
            found += [f"{rel}: {snippet!r}" for rel, text in texts.items() if snippet in text]
    for rel, text in texts.items():
        found += [f"{rel}: marker {m!r}" for m in MARKERS if m in text]
    return found


def test_no_file_the_course_site_serves_contains_a_solution():
    chapter_pages(COURSE_HTML)
    texts = _served_texts(COURSE_HTML)
    sources = [rel for rel in texts if rel.startswith("_sources/chapters/") and rel.endswith(".ipynb")]
    assert len(sources) == len(CHAPTERS), f"expected every chapter's .ipynb download, found {sources}"
    assert "searchindex.js" in texts
    assert all(len(_snippets(nb)) >= 10 for nb in CHAPTERS), "too few distinctive solution lines to scan for"
    leaks = _leaks(texts)
    assert not leaks, f"{len(leaks)} solution leaks in the course site, e.g. {leaks[:5]}"
    # the downloads are the student notebooks: an answer cell per exercise
    for rel in sources:
        cells = json.loads((COURSE_HTML / rel).read_text())["cells"]
        assert any(c.get("metadata", {}).get("exercise") for c in cells), f"{rel} is not a student notebook"


def test_the_scan_finds_solutions_in_the_book_site():
    """The same scan on the book edition, which shows the solutions, finds them in pages and sources alike."""
    chapter_pages(BOOK_HTML)
    texts = _served_texts(BOOK_HTML)
    for nb in CHAPTERS:
        snippets = _snippets(nb)
        source = texts[f"_sources/chapters/{nb.name}"]
        assert all(s in source for s in snippets), f"the scan misses solution lines in {nb.name}'s source"
    assert any("solution-start" in text for text in texts.values())


def test_course_site_has_no_launch_or_repository_links():
    pages = chapter_pages(COURSE_HTML)
    book_nb = (BOOK_HTML / "chapters" / f"{CHAPTERS[0].stem}.html").read_text()
    links = ("mybinder.org", "colab.research.google.com", "github.com/landscapes-book")
    assert all(link in book_nb for link in links[:2]), "the book edition should have its launch buttons"
    for page in pages:
        text = page.read_text()
        found = [link for link in links if link in text]
        assert not found, f"{page.name} links to {found}: they serve the notebooks with solutions"
