"""Student notebooks and autograder questions from a chapter's gated exercises and solutions.

A chapter ends with exercises written as sphinx-exercise gated directives in Markdown cells::

    ```{exercise-start}            ```{solution-start} ch01-ex1
    :label: ch01-ex1               :class: dropdown
    ```                            ```
    statement ...                  prose ...
    ```{exercise-end}              (code cells, ending in assertions)
    ```                            ```{solution-end}
                                   ```

This module is the one place that takes a notebook apart along those markers. It is used by
``scripts/make-assignments.py`` (student notebooks and otter-grader autograders) and by the course edition
(``_ext/course_edition.py``), whose ``.ipynb`` download is the student notebook. It needs only the standard
library, ``nbformat`` and IPython.

- :func:`student_notebook`: every cell outside the solutions, unchanged; each solution (its prose and its code
  cells) replaced by one Markdown answer cell and one code answer cell (``# YOUR CODE HERE`` / ``...``) that
  carries otter's ``tests`` metadata, so that the autograder checks the question right after the answer runs.
- :func:`questions`: one question per solution. Its hidden tests are the solution's own assertions (``assert``
  statements and ``...assert...(...)`` calls such as ``np.testing.assert_allclose``); its reference answer is the
  solution code without them. An assertion inside a top-level ``for``/``while``/``with``/``try`` block is lifted
  out of the loop (it then checks the state the loop leaves, i.e. its last pass), one inside an ``if`` keeps
  its ``if``; an assertion inside a function or class stays in the reference code.
- :func:`checked_names`: the variables a question's tests read, listed in its answer cell.
- :func:`reference_notebook`: the student notebook with every answer cell holding the reference answer.
- :func:`solution_snippets`: distinctive lines of solution code and prose (for leak tests).
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field

import nbformat

__all__ = [
    "ANSWER_CODE",
    "ANSWER_PROSE",
    "Question",
    "checked_names",
    "question_name",
    "questions",
    "reference_notebook",
    "solution_snippets",
    "student_notebook",
]

SOLUTION_START = re.compile(r"```\{solution-start\}[ \t]*(?P<label>[^\s`]*)[^\n]*\n(?::[^\n]*\n)*```[ \t]*\n?")
SOLUTION_END = re.compile(r"```\{solution-end\}[ \t]*\n```[ \t]*\n?")
ANSWER_CODE = "# YOUR CODE HERE\n..."
ANSWER_PROSE = "**Your answer.** _Write your derivation or discussion here; the code cell below is graded._"
#: tag of the answer cells in a student notebook
ANSWER_TAG = "answer"


@dataclass
class Question:
    """One exercise's solution, as an autograder question.

    Attributes
    ----------
    label : str
        The exercise label, e.g. ``"ch01-ex1"``.
    name : str
        The question name the autograder uses (a Python identifier, e.g. ``"ch01_ex1"``).
    code : list of str
        The solution's code cells, as Python source (IPython magics translated).
    prose : str
        The solution's Markdown text.
    tests : list of str
        The hidden test cases: the solution's assertions, one statement each.
    reference : str
        The solution code without its assertions: the reference answer.
    dropped : list of str
        Assertions that cannot be checked once the answer has run (they read a name that a later statement
        assigns again); they are neither tests nor part of the reference.
    """

    label: str
    name: str
    code: list[str] = field(default_factory=list)
    prose: str = ""
    tests: list[str] = field(default_factory=list)
    reference: str = ""
    dropped: list[str] = field(default_factory=list)


def question_name(label: str) -> str:
    """The autograder's name for the question of exercise ``label`` (``ch01-ex1`` -> ``ch01_ex1``).

    Parameters
    ----------
    label : str
        An exercise label.

    Returns
    -------
    str
        A valid Python identifier.
    """
    if not isinstance(label, str) or not label:
        raise ValueError(f"label must be a non-empty string, got {label!r}")
    name = re.sub(r"\W", "_", label)
    return name if name.isidentifier() else f"q_{name}"


def _python(source: str) -> str:
    """A code cell's source as plain Python (IPython magics become ``get_ipython()`` calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _segments(nb):
    """Walk the notebook: yield ("cell", cell), ("markdown", text), ("start", label), ("code", cell),
    ("prose", text), ("end", label) in order."""
    label = None
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            yield ("code" if label is not None else "cell"), cell
            continue
        text, pos, pieces = cell.source, 0, []
        while True:
            marker = (SOLUTION_END if label is not None else SOLUTION_START).search(text, pos)
            if marker is None:
                pieces.append(("prose" if label is not None else "markdown", text[pos:]))
                break
            pieces.append(("prose" if label is not None else "markdown", text[pos : marker.start()]))
            if label is None:
                label = marker.group("label")
                if not label:
                    raise ValueError(f"a solution-start without an exercise label in: {text[:80]!r}")
                pieces.append(("start", label))
            else:
                pieces.append(("end", label))
                label = None
            pos = marker.end()
        for kind, value in pieces:
            if kind in ("markdown", "prose"):
                yield kind, (value, cell)
            else:
                yield kind, value
    if label is not None:
        raise ValueError(f"solution {label} has no solution-end")


def _is_assertion(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assert):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name.startswith("assert")
    return False


def _lift(stmts: list[ast.stmt], tests: list[str], removed: list[ast.stmt]) -> None:
    """Collect the assertions of ``stmts`` (recursively, not into functions and classes) as test sources."""
    for node in stmts:
        if _is_assertion(node):
            tests.append(ast.unparse(node))
            removed.append(node)
        elif isinstance(node, ast.If):
            body_tests, else_tests = [], []
            _lift(node.body, body_tests, removed)
            _lift(node.orelse, else_tests, removed)
            if body_tests or else_tests:
                pruned = ast.If(
                    test=node.test,
                    body=[ast.parse(t).body[0] for t in body_tests] or [ast.Pass()],
                    orelse=[ast.parse(t).body[0] for t in else_tests],
                )
                tests.append(ast.unparse(ast.fix_missing_locations(pruned)))
                ids = {id(n) for n in removed}
                if all(id(n) in ids for n in node.body + node.orelse):
                    removed.append(node)  # an if that only asserted goes with its assertions
        elif isinstance(node, (ast.For, ast.While, ast.With)):
            _lift(node.body, tests, removed)
        elif isinstance(node, ast.Try):
            _lift(node.body, tests, removed)
            _lift(node.orelse, tests, removed)
            _lift(node.finalbody, tests, removed)


def _without(source: str, removed: list[ast.stmt], tree: ast.Module) -> str:
    """``source`` without the statements ``removed``; a block left empty keeps a ``pass``."""
    lines = source.splitlines()
    drop = set()
    for node in removed:
        drop.update(range(node.lineno - 1, node.end_lineno))
    keep_pass = {}
    ids = {id(n) for n in removed}
    for parent in ast.walk(tree):
        if id(parent) in ids:
            continue  # removed with its whole block
        for attr in ("body", "orelse", "finalbody"):
            block = getattr(parent, attr, None)
            if isinstance(block, list) and block and all(id(n) in ids for n in block):
                first = block[0]
                keep_pass[first.lineno - 1] = " " * first.col_offset + "pass"
    out = []
    for i, line in enumerate(lines):
        if i in keep_pass:
            out.append(keep_pass[i])
        elif i not in drop:
            out.append(line)
    return "\n".join(out).rstrip() + "\n"


def _bound(node: ast.AST) -> set[str]:
    """Names a statement assigns in the notebook's namespace (not inside functions, lambdas, comprehensions)."""
    names: set[str] = set()

    def visit(n: ast.AST) -> None:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
            return
        if isinstance(n, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
        elif isinstance(n, ast.alias):
            names.add((n.asname or n.name).split(".")[0])
        for child in ast.iter_child_nodes(n):
            visit(child)

    visit(node)
    return names


def _reference_and_tests(code: list[str]) -> tuple[str, list[str], list[str]]:
    """Reference answer, tests, and the assertions that cannot be tests.

    The tests run once the whole answer has run, so an assertion that reads a name a later statement of the
    solution assigns again (e.g. a loop variable reused by a later loop) cannot be checked then: it is dropped.
    """
    trees = [ast.parse(source) for source in code]
    statements = [(i, node) for i, tree in enumerate(trees) for node in tree.body]
    binds = [_bound(node) for _, node in statements]
    removed: list[list[ast.stmt]] = [[] for _ in trees]
    tests, dropped = [], []
    for k, (i, node) in enumerate(statements):
        lifted: list[str] = []
        _lift([node], lifted, removed[i])
        later = set().union(*binds[k + 1 :])
        for test in lifted:
            reads = {n.id for n in ast.walk(ast.parse(test)) if isinstance(n, ast.Name)}
            (dropped if reads & later else tests).append(test)
    parts = []
    for source, tree, gone in zip(code, trees, removed):
        parts.append(_without(source, gone, tree).strip("\n"))
        ast.parse(parts[-1])  # the reference answer must stay valid Python
    return "\n\n".join(p for p in parts if p.strip()) + "\n", tests, dropped


def _check_notebook(nb) -> None:
    if not isinstance(nb, nbformat.NotebookNode) or "cells" not in nb:
        raise TypeError(f"nb must be an nbformat notebook, got {type(nb).__name__}")


def questions(nb) -> list[Question]:
    """The autograder questions of a chapter notebook, one per solution, in order.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A chapter notebook (version 4).

    Returns
    -------
    list of Question
        Each with its hidden tests (the solution's assertions) and reference answer.

    Raises
    ------
    TypeError
        If ``nb`` is not a notebook.
    ValueError
        If a solution has no label or no end marker.
    """
    _check_notebook(nb)
    result: list[Question] = []
    for kind, value in _segments(nb):
        if kind == "start":
            result.append(Question(label=value, name=question_name(value)))
        elif kind == "code":
            result[-1].code.append(_python(value.source))
        elif kind == "prose":
            result[-1].prose += value[0]
    for q in result:
        q.reference, q.tests, q.dropped = _reference_and_tests(q.code)
    return result


def checked_names(question: Question) -> list[str]:
    """The variables the hidden tests of ``question`` read and its reference answer defines.

    Parameters
    ----------
    question : Question
        A question from :func:`questions`.

    Returns
    -------
    list of str
        Sorted names: what a student's answer has to compute (the answer cell lists them).
    """
    if not isinstance(question, Question):
        raise TypeError(f"question must be a Question, got {type(question).__name__}")
    read = {
        n.id
        for t in question.tests
        for n in ast.walk(ast.parse(t))
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    bound = set()
    for src in question.code:
        for n in ast.walk(ast.parse(src)):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                bound.add(n.id)
            elif isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                bound.add(n.name)
    return sorted(read & bound)


def _answer_cells(label: str, names: list[str]) -> list:
    prose = nbformat.v4.new_markdown_cell(ANSWER_PROSE)
    source = ANSWER_CODE
    if names:
        source = source.replace("\n", f"\n# graded: the values of {', '.join(names)} after this cell has run\n", 1)
    code = nbformat.v4.new_code_cell(source)
    for cell in (prose, code):
        cell.metadata["tags"] = [ANSWER_TAG]
    code.metadata["otter"] = {"tests": [question_name(label)]}
    prose.metadata["exercise"] = code.metadata["exercise"] = label
    return [prose, code]


def student_notebook(nb):
    """The student notebook of a chapter: no solution, one answer cell pair per exercise.

    Every cell outside the solutions is kept with its metadata (so that the answers can use the chapter's
    variables). A Markdown cell that holds both exercise text and solution text is cut at the markers; a cell
    left empty is dropped. Outputs are removed.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A chapter notebook (version 4); it is not modified.

    Returns
    -------
    nbformat.NotebookNode
        The student notebook.

    Raises
    ------
    TypeError
        If ``nb`` is not a notebook.
    ValueError
        If a solution has no label or no end marker.
    """
    _check_notebook(nb)
    out = copy.deepcopy(nb)
    cells = []

    def flush_markdown(text: str, cell) -> None:
        if text.strip():
            new = nbformat.v4.new_markdown_cell(text.strip("\n"))
            new.metadata = copy.deepcopy(cell.metadata)
            cells.append(new)

    names = {q.label: checked_names(q) for q in questions(nb)}
    for kind, value in _segments(nb):
        if kind == "cell":
            cell = copy.deepcopy(value)
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            cells.append(cell)
        elif kind == "markdown":
            flush_markdown(*value)
        elif kind == "start":
            cells.extend(_answer_cells(value, names[value]))
    for cell in cells:
        cell.pop("id", None)
    out.cells = cells
    out.nbformat, out.nbformat_minor = 4, 4
    nbformat.validate(out)
    return out


def reference_notebook(nb):
    """The student notebook with each answer cell holding its question's reference answer.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A chapter notebook (version 4); it is not modified.

    Returns
    -------
    nbformat.NotebookNode
        The notebook an ideal student would hand in: the autograder must give it full marks.
    """
    student = student_notebook(nb)
    refs = {q.label: q.reference for q in questions(nb)}
    for cell in student.cells:
        if cell.cell_type == "code" and "exercise" in cell.metadata:
            cell.source = refs[cell.metadata["exercise"]]
    return student


def solution_snippets(nb, min_length: int = 25) -> list[str]:
    """Distinctive lines of the solutions (prose and code): long, free of math and markup, found nowhere else.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A chapter notebook.
    min_length : int, optional
        The shortest line kept, in characters (whitespace folded).

    Returns
    -------
    list of str
        Lines, whitespace folded, whose presence in a page or file means a solution leaked.
    """
    _check_notebook(nb)
    if not isinstance(min_length, int) or min_length < 1:
        raise ValueError(f"min_length must be a positive integer, got {min_length!r}")
    solution, outside = [], []
    for kind, value in _segments(nb):
        if kind == "code":
            solution += value.source.splitlines()
        elif kind == "prose":
            solution += value[0].splitlines()
        elif kind == "cell":
            outside.append(value.source)
        elif kind == "markdown":
            outside.append(value[0])
    outside_plain = " ".join(" ".join(outside).split())
    keep = []
    for line in solution:
        plain = " ".join(line.split())
        if len(plain) > min_length and plain not in outside_plain and not re.search(r"[$`{}*\\#]", plain):
            keep.append(plain)
    return keep
