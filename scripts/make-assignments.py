#!/usr/bin/env python
"""Course assignments from the chapters' exercises: student notebooks and otter-grader autograders.

    python scripts/make-assignments.py                     # every chapter
    python scripts/make-assignments.py --chapters 04 06    # some chapters
    python scripts/make-assignments.py --check             # and verify each autograder (see below)
    python scripts/make-assignments.py --grade submission.ipynb   # grade one student's notebook

For each chapter ``chapters/NN_slug.ipynb`` it writes, under ``assignments/`` (git-ignored):

- ``student/NN_slug.ipynb``: the chapter without any solution. Every other cell is kept (the answers may use the
  chapter's variables); each solution is replaced by an answer cell pair, Markdown for the reasoning and code
  (``# YOUR CODE HERE`` / ``...``) for the computation.
- ``autograder/chNN.zip``: an otter-grader autograder. Each solution is one question, worth one point; its hidden
  test cases are the solution's own assertions, checked right after the student's answer cell has run.
- ``reference/NN_slug.ipynb``: the student notebook with the reference answers (the solution code without its
  assertions) filled in; ``--check`` grades it.

``--check`` grades, for each chapter, the reference notebook (it must get full marks) and the blank student
notebook (it must get zero on every question), prints a table and exits non-zero otherwise.
``--grade FILE`` grades a submission with the autograder of its chapter (read from the notebook's metadata, or
given with ``--chapters NN``); it is the same as ``otter run -a assignments/autograder/chNN.zip FILE``.

The transformation itself lives in ``_ext/student_notebook.py``, shared with the course edition's download.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

import student_notebook as sn

OUT = ROOT / "assignments"
TEST_TEMPLATE = '''\
"""Hidden tests of exercise {label}: the assertions of its solution in the book.

A case counts only if the student's answer computes one of the variables it reads: one of the cells run since
the previous question's check (the chapter's own cells excepted) assigns it. Without this, an assertion about a
variable the chapter already defines could pass on a blank answer.
"""

import ast
import hashlib

from otter.test_files import test_case

OK_FORMAT = False

name = {name!r}
points = 1
CHAPTER_CELLS = {chapter_cells!r}


def _answer_assigns(env, names):
    history = list(env.get("In") or [])[:-1]  # the last entry is the check that is running
    cells = []
    for source in reversed(history):
        if ".check(" in source and "notebook_" in source:
            break  # the previous question's check
        if hashlib.sha1(source.strip().encode()).hexdigest() not in CHAPTER_CELLS:
            cells.append(source)
    bound = set()
    for source in cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bound.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                bound.add(node.name)
    assert bound & set(names), "the answer does not compute " + ", ".join(sorted(names))
'''
CASE_TEMPLATE = """

@test_case(name={case!r}, hidden=True)
def test_{i}(env):
    _answer_assigns(env, {names!r})
    exec(compile({source!r}, {case!r}, "exec"), env)
"""


def _digests(cells) -> list[str]:
    """SHA-1 digests of the chapter's own code cells, as typed and as IPython runs them (magics translated)."""
    out = set()
    for cell in cells:
        if cell.cell_type == "code" and "exercise" not in cell.metadata:
            for source in (cell.source, sn._python(cell.source)):
                out.add(hashlib.sha1(source.strip().encode()).hexdigest())
    return sorted(out)


def _case_names(question, source: str) -> list[str]:
    """The variables of ``question``'s answer that one test case reads (all of them if it reads none)."""
    checked = sn.checked_names(question)
    read = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    return sorted(read & set(checked)) or checked


def chapters(selected: list[str] | None) -> list[Path]:
    """The chapter notebooks, all or those whose number is in ``selected`` (e.g. ``["04", "6"]``)."""
    paths = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    if not selected:
        return paths
    wanted = set()
    for s in selected:
        if not s.isdigit():
            raise SystemExit(f"--chapters takes chapter numbers such as 04, got {s!r}")
        wanted.add(f"{int(s):02d}")
    found = [p for p in paths if p.name[:2] in wanted]
    missing = wanted - {p.name[:2] for p in found}
    if missing:
        raise SystemExit(f"--chapters: no chapter numbered {', '.join(sorted(missing))}")
    return found


def autograder_path(nb_path: Path) -> Path:
    return OUT / "autograder" / f"ch{nb_path.name[:2]}.zip"


def make(nb_path: Path) -> dict:
    """Write the student notebook, reference notebook and autograder of one chapter."""
    from otter.generate import main as otter_generate

    nb = nbformat.read(nb_path, as_version=4)
    qs = sn.questions(nb)
    if not qs:
        raise SystemExit(f"{nb_path.name}: no solutions found")
    empty = [q.label for q in qs if not q.tests]
    if empty:
        raise SystemExit(f"{nb_path.name}: solutions without any assertion to test: {empty}")
    student = sn.student_notebook(nb)
    chapter_cells = _digests(student.cells)
    for kind, notebook in (("student", student), ("reference", sn.reference_notebook(nb))):
        notebook.metadata["landscapes"] = {"chapter": nb_path.stem}
        (OUT / kind).mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, OUT / kind / nb_path.name)
    with tempfile.TemporaryDirectory() as tmp:
        tests = Path(tmp) / "tests"
        tests.mkdir()
        for q in qs:
            text = TEST_TEMPLATE.format(label=q.label, name=q.name, chapter_cells=chapter_cells)
            for i, source in enumerate(q.tests, 1):
                case = f"{q.label} assertion {i}"
                text += CASE_TEMPLATE.format(case=case, i=i, source=source, names=_case_names(q, source))
            (tests / f"{q.name}.py").write_text(text)
        ag = autograder_path(nb_path)
        ag.parent.mkdir(parents=True, exist_ok=True)
        otter_generate(
            tests_dir=str(tests),
            output_path=str(ag),
            no_config=True,
            no_requirements=True,
            no_environment=True,
        )
    return {"questions": [q.name for q in qs], "tests": sum(len(q.tests) for q in qs)}


def grade(submission: Path, autograder: Path) -> dict[str, tuple[float, float]]:
    """Grade ``submission`` with ``otter run``; return {question: (score, possible)}."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["otter", "run", "--no-logo", "-a", str(autograder), "-o", tmp, str(submission)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        results = Path(tmp) / "results.json"
        if proc.returncode != 0 or not results.exists():
            raise SystemExit(f"otter run failed on {submission}:\n{proc.stdout}\n{proc.stderr}")
        data = json.loads(results.read_text())
    scores: dict[str, list[float]] = {}
    for test in data["tests"]:
        if test["name"] in ("Autograder Failed", "Autograder Exception"):
            raise SystemExit(f"otter run failed on {submission}:\n{test.get('output', '')}")
        if "max_score" not in test:
            continue  # otter's summary of public tests (there are none)
        name = test["name"]
        entry = scores.setdefault(name, [0.0, 0.0])
        entry[0] += float(test.get("score") or 0.0)
        entry[1] += float(test.get("max_score") or 0.0)
    return {k: (v[0], v[1]) for k, v in scores.items()}


def check(paths: list[Path]) -> bool:
    """Grade reference (full marks) and blank (zero) notebooks of each chapter; print a table."""
    ok = True
    print(f"{'chapter':<28} {'questions':>9} {'reference':>10} {'blank':>8} {'time':>7}  verdict")
    for nb_path in paths:
        start = time.monotonic()
        ag = autograder_path(nb_path)
        ref = grade(OUT / "reference" / nb_path.name, ag)
        blank = grade(OUT / "student" / nb_path.name, ag)
        full = all(abs(s - p) < 1e-9 and p > 0 for s, p in ref.values())
        zero = all(s == 0 for s, _ in blank.values())
        good = full and zero and set(ref) == set(blank)
        ok &= good
        r_sum, r_pos = sum(s for s, _ in ref.values()), sum(p for _, p in ref.values())
        b_sum = sum(s for s, _ in blank.values())
        verdict = "ok" if good else "FAIL"
        if not full:
            verdict += " reference short on " + ", ".join(k for k, (s, p) in ref.items() if s < p)
        if not zero:
            verdict += " blank scores on " + ", ".join(k for k, (s, _) in blank.items() if s > 0)
        print(
            f"{nb_path.stem:<28} {len(ref):>9} {r_sum:>4g}/{r_pos:<5g} {b_sum:>4g}/{r_pos:<3g} "
            f"{time.monotonic() - start:>6.0f}s  {verdict}",
            flush=True,
        )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapters", nargs="+", metavar="NN", help="chapter numbers (default: all)")
    parser.add_argument("--check", action="store_true", help="reference gets full marks, blank gets zero")
    parser.add_argument("--grade", type=Path, metavar="SUBMISSION", help="grade a student's notebook")
    args = parser.parse_args(argv)
    if shutil.which("otter") is None:
        raise SystemExit("otter-grader is not installed: pip install -e '.[test]'")
    if args.grade is not None:
        if not args.grade.is_file():
            raise SystemExit(f"--grade: no such file {args.grade}")
        meta = nbformat.read(args.grade, as_version=4).metadata.get("landscapes", {})
        paths = chapters(args.chapters) if args.chapters else chapters([meta.get("chapter", "??")[:2]])
        if len(paths) != 1:
            raise SystemExit("--grade: name the submission's chapter with --chapters NN")
        ag = autograder_path(paths[0])
        if not ag.exists():
            make(paths[0])
        scores = grade(args.grade, ag)
        for name, (s, p) in scores.items():
            print(f"{name:<12} {s:g}/{p:g}")
        print(f"{'total':<12} {sum(s for s, _ in scores.values()):g}/{sum(p for _, p in scores.values()):g}")
        return 0
    paths = chapters(args.chapters)
    for nb_path in paths:
        info = make(nb_path)
        print(f"{nb_path.stem}: {len(info['questions'])} questions, {info['tests']} hidden tests")
    print(f"written to {OUT.relative_to(ROOT)}/ (student/, autograder/, reference/)")
    if args.check:
        return 0 if check(paths) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
