"""The course edition hides every solution (prose and code); the book edition shows them."""

from __future__ import annotations

import html
import json
import re

import pytest

from .conftest import BOOK_HTML, COURSE_HTML, ROOT, chapter_pages


def _plain(text: str) -> str:
    """Page text without tags and entities, whitespace folded: code and prose become comparable."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def _split_solution_lines(nb_path) -> tuple[list[str], str]:
    """Lines inside solution blocks (prose and code), and all the text outside them."""
    inside, solution, outside = False, [], []
    for cell in json.loads(nb_path.read_text())["cells"]:
        src = "".join(cell["source"])
        if "```{solution-start}" in src:
            before, src = src.split("```{solution-start}", 1)
            outside.append(before)
            inside = True
            src = src.split("\n", 2)[-1]  # drop the directive line and its :class: option
        if inside:
            body, _, after = src.partition("```{solution-end}")
            solution += [ln.strip() for ln in body.splitlines()]
            if _:
                inside = False
                outside.append(after)
        else:
            outside.append(src)
    return solution, "\n".join(outside)


def _distinctive(nb_path) -> list[str]:
    """Solution lines, free of math and markup, long enough to be distinctive, that occur nowhere else."""
    solution, outside = _split_solution_lines(nb_path)
    outside_plain = " ".join(outside.split())
    keep = []
    for line in solution:
        plain = " ".join(line.split())
        if len(plain) > 25 and plain not in outside_plain and not re.search(r"[$`{}*\\#]", plain):
            keep.append(plain)
    return keep


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
