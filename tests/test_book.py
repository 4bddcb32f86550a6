"""Book-level tests: table of contents, stored notebooks, chapter shape, citations, configs, API coverage."""

from __future__ import annotations

import inspect
import json
import pathlib
import re

import pytest
import yaml

import landscape as ls

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def _cells(nb_path: pathlib.Path) -> list[dict]:
    return json.loads(nb_path.read_text())["cells"]


def _source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def test_there_are_chapters():
    assert CHAPTERS, "no chapters found"


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    toc = _toc_files()
    for nb in CHAPTERS:
        assert f"chapters/{nb.stem}" in toc, f"{nb.name} is not listed in _toc.yml"
    for entry in toc:
        assert any((ROOT / f"{entry}{ext}").exists() for ext in (".md", ".ipynb")), f"missing toc entry {entry}"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(nb):
    for cell in _cells(nb):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{nb.name}: a code cell has stored outputs"
            assert cell.get("execution_count") is None, f"{nb.name}: a code cell has an execution count"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_chapters_point_at_no_document_the_reader_cannot_open(nb):
    """A wrong formula is quoted and refuted in the book itself, never attributed to a source the reader lacks."""
    for cell in _cells(nb):
        text = _source(cell).lower()
        for phrase in ("lecture note", "the note's", "the note ", "errata", "erratum"):
            assert phrase not in text, f"{nb.name}: mentions {phrase!r}"


PAGES = sorted(ROOT.glob("*.md")) + sorted(ROOT.glob("*.ipynb"))


@pytest.mark.parametrize("page", [p for p in PAGES if p.name != "README.md"], ids=lambda p: p.name)
def test_back_matter_points_at_no_document_the_reader_cannot_open(page):
    text = page.read_text().lower()
    for phrase in ("lecture note", "the note's", "see the errata", "errata", "erratum"):
        assert phrase not in text, f"{page.name}: mentions {phrase!r}"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_one_sign_and_one_letter_for_each_object(nb):
    """The book's conventions (notation page): at a critical point grad H = -mu sigma, so mu = -pu for a pure
    p-spin; the energy per spin along a trajectory is u(t), never E(t); a spike's vector is v, never u."""
    text = "\n".join(_source(c) for c in _cells(nb))
    compact = re.sub(r"\s+", "", text)
    for old in (r"\\nablaH=\\mu\\sigma", r"\\mu=pu", r"\\mu=\\sigma\\cdot\\nablaH/N", r"\\mu=+pu"):
        assert not re.search(old, compact), f"{nb.name}: the old sign of the multiplier ({old}) is back"
    assert "E(t)" not in text, f"{nb.name}: the energy along a trajectory is u(t), not E(t)"
    assert not re.search(r"\\theta\s*uu\^", compact), f"{nb.name}: a spike's vector is v, not u"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_directive_fences_have_no_backticks_in_their_titles(nb):
    """CommonMark: a backtick fence's info string may not contain a backtick, so ```{prf:theorem} T {cite}`x`
    is not a directive at all, and everything up to the next fence renders as a code block."""
    for cell in _cells(nb):
        if cell["cell_type"] != "markdown":
            continue
        for line in _source(cell).splitlines():
            if line.startswith("```"):
                assert "`" not in line.lstrip("`"), f"{nb.name}: backtick in a fence's info string: {line!r}"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_chapter_shape(nb):
    cells = _cells(nb)
    text = "\n".join(_source(c) for c in cells)
    number = int(nb.stem.split("_")[0])
    assert _source(cells[0]).startswith("# "), "the first cell is the chapter title"
    assert "## Overview" in _source(cells[0]), "the chapter opens with an Overview"
    assert "import landscape as ls" in text
    assert f"jax.random.key({number})" in text, "one key per chapter, seeded with the chapter number"
    assert "## Summary" in text and "## Exercises" in text
    for banned in ("sys.path", "pip install", "%pip", "!pip"):
        assert banned not in text, f"{nb.name} contains {banned!r}"
    # at least three exercises, each with a solution, labelled ch<NN>-ex<k>
    exercises = re.findall(r"```\{exercise-start\}\n:label: (ch\d\d-ex\d+)", text)
    solutions = re.findall(r"```\{solution-start\} (ch\d\d-ex\d+)", text)
    assert len(exercises) >= 3, f"{nb.name} has {len(exercises)} exercises"
    assert sorted(exercises) == sorted(solutions), "every exercise needs exactly one solution"
    assert all(e.startswith(f"ch{number:02d}-") for e in exercises)
    # figures carry a caption and a name, and are referred to
    for cell in cells:
        fig = cell.get("metadata", {}).get("mystnb", {}).get("figure")
        if fig:
            assert fig.get("caption") and fig.get("name", "").startswith("fig-"), fig
            assert f"{{numref}}`{fig['name']}`" in text, f"figure {fig['name']} is never referred to"
    # checks are hidden, and there is at least one
    tags = [t for c in cells for t in c.get("metadata", {}).get("tags", [])]
    assert "remove-cell" in tags and "parameters" in tags


def test_every_citation_is_in_the_bibliography():
    bib = (ROOT / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    sources = [p.read_text() for p in CHAPTERS + PAGES]
    cited = set()
    for src in sources:
        for group in re.findall(r"\{cite(?::[pt])?\}`([^`]+)`", src):
            cited.update(k.strip() for k in group.split(","))
    assert cited, "no citations found"
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"


# The only settings in which the course edition may differ from the book: its title, hidden solutions, and no
# way to the full notebooks (launch buttons to Binder/Colab, links to the repository and its issues).
COURSE_ONLY = {
    ("title",): None,
    ("sphinx", "config", "hide_solutions"): True,
    ("launch_buttons", "binderhub_url"): "",
    ("launch_buttons", "colab_url"): "",
    ("html", "use_repository_button"): False,
    ("html", "use_issues_button"): False,
}


def test_course_config_differs_only_in_title_hidden_solutions_and_links():
    book = yaml.safe_load((ROOT / "_config.yml").read_text())
    course = yaml.safe_load((ROOT / "_config_course.yml").read_text())
    assert book["sphinx"]["config"]["hide_solutions"] is False
    assert book["title"] != course["title"]
    for keys, course_value in COURSE_ONLY.items():
        *parents, last = keys
        b, c = book, course
        for k in parents:
            b, c = b[k], c[k]
        if course_value is not None:
            assert c[last] == course_value, f"_config_course.yml: {'.'.join(keys)} must be {course_value!r}"
        b.pop(last), c.pop(last, None)
    assert book == course
    assert "assignments" in book["exclude_patterns"]


def test_book_config_is_offline_and_strict():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert cfg["only_build_toc_files"] is True
    # executed notebooks are cached under _build/ (git-ignored, so a fresh clone executes every chapter), in one
    # place for both editions (the course config must match, see the test above)
    assert cfg["execute"]["execute_notebooks"] == "cache"
    assert cfg["execute"]["cache"].startswith("_build/")
    assert cfg["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    assert "offline_mathjax" in cfg["sphinx"]["local_extensions"]
    for pattern in (".*", "**/.*", "_build", ".venv", "tests", "landscape", "README.md"):
        assert pattern in cfg["exclude_patterns"]


def test_the_test_command_executes_every_chapter_in_the_book_build():
    """The book build of the test command must execute, not reuse outputs: it empties the notebook cache first,
    and the course edition, built next, reuses the book's outputs."""
    lines = [ln.strip() for ln in (ROOT / "scripts" / "run-tests.sh").read_text().splitlines()]
    clear = lines.index("bash scripts/notebook-cache.sh clear")
    builds = [i for i, ln in enumerate(lines) if "jupyter-book build" in ln and not ln.startswith("#")]
    book = next(i for i in builds if "_config_course" not in lines[i])
    course = next(i for i in builds if "_config_course" in lines[i])
    assert clear < book < course
    assert "_build/" in (ROOT / ".gitignore").read_text().split()


def _public_functions():
    for module in (ls.sphere, ls.fields, ls.rmt, ls.critical, ls.kac_rice, ls.plotting, ls.thermo, ls.tap, ls.dynamics,
                   ls.topology, ls.units, ls.reference, ls.notebook):
        for name, obj in vars(module).items():
            if not name.startswith("_") and inspect.isfunction(obj) and obj.__module__ == module.__name__:
                yield module, name, obj


@pytest.mark.parametrize("module, name, obj", list(_public_functions()), ids=lambda x: getattr(x, "__name__", str(x)))
def test_public_function_is_documented_and_tested(module, name, obj):
    assert obj.__doc__ and len(obj.__doc__.strip()) > 20, f"{module.__name__}.{name} needs a docstring"
    hints = inspect.get_annotations(obj)
    assert "return" in hints, f"{module.__name__}.{name} needs type hints"
    short = module.__name__.split(".")[-1]
    # the module's tests live in test_<module>.py and, for a large module, in test_<module>_<topic>.py files
    files = sorted((ROOT / "tests").glob(f"test_{short}.py")) + sorted((ROOT / "tests").glob(f"test_{short}_*.py"))
    assert files, f"no test file for {module.__name__}"
    assert any(re.search(rf"\b{name}\(", f.read_text()) for f in files), (
        f"{module.__name__}.{name} is not called in {', '.join(f.name for f in files)}")
