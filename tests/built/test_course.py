"""The course edition hides every solution; the book edition shows them."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import BOOK_HTML, COURSE_HTML, ROOT, chapter_pages


def _solution_snippets() -> dict[str, list[str]]:
    """Distinctive sentences and code lines from inside every solution block, per chapter."""
    snippets = {}
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        inside, found = False, []
        for cell in json.loads(nb.read_text())["cells"]:
            src = "".join(cell["source"])
            if "```{solution-start}" in src:
                inside = True
                src = src.split("```{solution-start}", 1)[1]
            if inside:
                body = src.split("```{solution-end}", 1)[0]
                lines = [ln.strip() for ln in body.splitlines()]
                if cell["cell_type"] == "code":
                    found += [ln for ln in lines if len(ln) > 25 and "<" not in ln and "&" not in ln][:1]
                else:
                    words = re.findall(r"[A-Za-z][A-Za-z ,]{30,}", body)
                    found += [w.strip() for w in words[:1]]
            if "```{solution-end}" in src:
                inside = False
        snippets[nb.stem] = found
    return snippets


SNIPPETS = _solution_snippets()


@pytest.mark.parametrize("stem", sorted(SNIPPETS))
def test_course_edition_has_no_solutions(stem):
    assert SNIPPETS[stem], f"no solution text found in {stem}"
    chapter_pages(COURSE_HTML)  # fails if the course edition was not built
    course = (COURSE_HTML / "chapters" / f"{stem}.html").read_text()
    book = (BOOK_HTML / "chapters" / f"{stem}.html").read_text()
    assert 'class="solution' not in course and "solution-title" not in course
    for snippet in SNIPPETS[stem]:
        assert snippet in book, f"snippet not found in the book edition either: {snippet!r}"
        assert snippet not in course, f"solution text leaked into the course edition: {snippet!r}"
    assert "exercise" in course, "the exercises themselves must remain"
