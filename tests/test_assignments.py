"""Course assignments: student notebooks without solutions, and otter-grader autograders built from the
solutions' own assertions (scripts/make-assignments.py, _ext/student_notebook.py)."""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import student_notebook as sn

CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
EXERCISE = re.compile(r"```\{exercise-start\}.*?```\{exercise-end\}\n```", re.DOTALL)


def _script():
    spec = importlib.util.spec_from_file_location("make_assignments", ROOT / "scripts" / "make-assignments.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _text(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells)


def _solution_code_lines(nb) -> list[str]:
    """Solution code lines that are long and occur in no cell outside the solutions."""
    outside_text = [v.source if k == "cell" else v[0] for k, v in sn._segments(nb) if k in ("cell", "markdown")]
    outside = " ".join(" ".join(outside_text).split())
    lines = {ln.strip() for q in sn.questions(nb) for src in q.code for ln in src.splitlines()}
    return sorted(ln for ln in lines if len(ln) > 20 and " ".join(ln.split()) not in outside)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_notebook_has_no_solution_and_every_exercise(path):
    nb = nbformat.read(path, as_version=4)
    student = sn.student_notebook(nb)
    text = _text(student)
    raw = nbformat.writes(student)
    assert "solution-start" not in raw and "solution-end" not in raw
    code_lines = _solution_code_lines(nb)
    assert len(code_lines) >= 5, f"too few solution code lines to test {path.name}"
    leaked = [ln for ln in code_lines if ln in raw]
    assert not leaked, f"solution code in the student notebook: {leaked[:3]}"
    prose = sn.solution_snippets(nb)
    assert len(prose) >= 3
    folded = " ".join(text.split())
    leaked = [s for s in prose if s in folded]
    assert not leaked, f"solution text in the student notebook: {leaked[:3]}"
    assert all(not cell.get("outputs") for cell in student.cells if cell.cell_type == "code")
    # every exercise statement, verbatim; one answer pair per exercise, in the same order
    statements = EXERCISE.findall(_text(nb))
    qs = sn.questions(nb)
    assert statements and len(statements) == len(qs)
    for statement in statements:
        assert statement in text, f"exercise statement lost: {statement[:80]!r}"
    answers = [c for c in student.cells if c.cell_type == "code" and "exercise" in c.metadata]
    assert [c.metadata["exercise"] for c in answers] == [q.label for q in qs]
    for c, q in zip(answers, qs):
        assert c.source.startswith("# YOUR CODE HERE\n") and c.source.endswith("\n...")
        names = sn.checked_names(q)
        assert names, f"{q.label}: its tests read no variable of the answer"
        assert f"# graded: the values of {', '.join(names)} after" in c.source
    assert [c.metadata["otter"]["tests"] for c in answers] == [[q.name] for q in qs]
    # every code cell outside the solutions is kept, unchanged and in order
    kept = [c.source for c in student.cells if c.cell_type == "code" and "exercise" not in c.metadata]
    solution_code = {src for q in qs for src in q.code}
    original = [c.source for c in nb.cells if c.cell_type == "code" and sn._python(c.source) not in solution_code]
    assert kept == original


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_hidden_tests_are_the_solutions_assertions(path):
    nb = nbformat.read(path, as_version=4)
    for q in sn.questions(nb):
        assert q.tests, f"{q.label}: no assertion to grade with"
        n_asserts = sum(
            isinstance(node, ast.Assert) or (isinstance(node, ast.Call) and "assert" in ast.unparse(node.func))
            for src in q.code
            for node in ast.walk(ast.parse(src))
        )
        n_tests = sum(
            isinstance(node, ast.Assert) or (isinstance(node, ast.Call) and "assert" in ast.unparse(node.func))
            for t in q.tests
            for node in ast.walk(ast.parse(t))
        )
        assert len(q.dropped) <= len(q.tests), f"{q.label}: most assertions cannot be tests: {q.dropped}"
        n_tests += len(q.dropped)
        assert n_tests == n_asserts, f"{q.label}: {n_asserts} assertions in the solution, {n_tests} in the tests"
        ast.parse(q.reference)
        assert not re.search(r"^\s*assert\b|assert_\w+\(", q.reference, re.MULTILINE), q.reference


TOY = [
    ("code", "import numpy as np\nx0 = 3"),
    (
        "markdown",
        (
            "## Exercises\n\n```{exercise-start}\n:label: ch99-ex1\n```\nSquare $x_0$.\n```{exercise-end}\n```\n\n"
            "```{solution-start} ch99-ex1\n:class: dropdown\n```\nSquaring is a distinctive toy operation here."
        ),
    ),
    ("code", "sq = x0**2\nassert sq == 9\nassert x0 == 3\nfor k in range(3):\n    assert k < 3\n    last = k\n"),
    (
        "markdown",
        (
            "```{solution-end}\n```\n\n```{exercise-start}\n:label: ch99-ex2\n```\nCube it.\n```{exercise-end}\n```\n"
            "```{solution-start} ch99-ex2\n:class: dropdown\n```\nA cube, unlike a square."
        ),
    ),
    ("code", "cube = x0**3\nif cube > 0:\n    assert cube == 27\nnp.testing.assert_allclose(cube, 27)"),
    ("markdown", "```{solution-end}\n```\nClosing words."),
]


def _toy():
    nb = nbformat.v4.new_notebook()
    for kind, src in TOY:
        nb.cells.append(nbformat.v4.new_code_cell(src) if kind == "code" else nbformat.v4.new_markdown_cell(src))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_transformation_on_a_toy_chapter():
    nb = _toy()
    q1, q2 = sn.questions(nb)
    assert (q1.name, q2.name) == ("ch99_ex1", "ch99_ex2")
    assert q1.tests == ["assert sq == 9", "assert x0 == 3", "assert k < 3"]
    assert q1.reference == "sq = x0**2\nfor k in range(3):\n    last = k\n"
    assert q2.tests == ["if cube > 0:\n    assert cube == 27", "np.testing.assert_allclose(cube, 27)"]
    assert q2.reference == "cube = x0**3\n"  # the if that only asserted goes with its assertion
    student = _text(sn.student_notebook(nb))
    assert "Square $x_0$." in student and "Cube it." in student and "Closing words." in student
    assert "distinctive toy" not in student and "x0**2" not in student and "unlike a square" not in student
    assert student.count("# YOUR CODE HERE") == 2
    assert "# graded: the values of k, sq after this cell has run" in student
    assert "# graded: the values of cube after this cell has run" in student
    reference = _text(sn.reference_notebook(nb))
    assert "sq = x0**2" in reference and "assert" not in reference
    with pytest.raises(TypeError, match="nb"):
        sn.student_notebook({"cells": []})
    with pytest.raises(ValueError, match="label"):
        sn.question_name("")
    broken = _toy()
    broken.cells.pop()  # no solution-end
    with pytest.raises(ValueError, match="solution-end"):
        sn.questions(broken)


def _grade_ends(script, nb_path):
    script.make(nb_path)
    ag = script.autograder_path(nb_path)
    ref = script.grade(script.OUT / "reference" / nb_path.name, ag)
    blank = script.grade(script.OUT / "student" / nb_path.name, ag)
    return ref, blank


@pytest.mark.skipif(shutil.which("otter") is None, reason="otter-grader not installed")
def test_autograder_end_to_end_on_a_toy_chapter(tmp_path, monkeypatch):
    script = _script()
    monkeypatch.setattr(script, "OUT", tmp_path / "assignments")
    toy = tmp_path / "99_toy.ipynb"
    nbformat.write(_toy(), toy)
    ref, blank = _grade_ends(script, toy)
    # "assert x0 == 3" holds in the blank notebook too (x0 is the chapter's): it counts only if the answer computes
    # one of the question's variables, so the blank answer gets zero
    assert ref == {"ch99_ex1": (1.0, 1.0), "ch99_ex2": (1.0, 1.0)}
    assert blank == {"ch99_ex1": (0.0, 1.0), "ch99_ex2": (0.0, 1.0)}
    # a wrong answer fails (the tests check values, not only names); the other question is unaffected
    wrong = nbformat.read(script.OUT / "reference" / toy.name, as_version=4)
    for cell in wrong.cells:
        if cell.metadata.get("exercise") == "ch99-ex2":
            cell.source = "cube = x0**2"
    nbformat.write(wrong, tmp_path / "wrong.ipynb")
    scores = script.grade(tmp_path / "wrong.ipynb", script.autograder_path(toy))
    assert scores == {"ch99_ex1": (1.0, 1.0), "ch99_ex2": (0.0, 1.0)}


@pytest.mark.skipif(shutil.which("otter") is None, reason="otter-grader not installed")
def test_autograder_end_to_end_on_chapter_1(tmp_path, monkeypatch):
    """Full marks for the reference answers, zero for the blank student notebook (all chapters: --check)."""
    script = _script()
    monkeypatch.setattr(script, "OUT", tmp_path / "assignments")
    ref, blank = _grade_ends(script, CHAPTERS[0])
    assert len(ref) == len(sn.questions(nbformat.read(CHAPTERS[0], as_version=4))) >= 4
    assert all(score == possible == 1.0 for score, possible in ref.values()), ref
    assert blank == {name: (0.0, 1.0) for name in ref}, blank
