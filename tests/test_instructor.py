"""The instructor page of the course edition: its exercise table, syllabus and learning goals."""

from __future__ import annotations

import importlib.util
import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("exercise_table", ROOT / "_ext" / "exercise_table.py")
exercise_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(exercise_table)

EXERCISES = exercise_table.scan_chapters(ROOT)
METADATA = exercise_table.load_metadata(ROOT)
PAGE = (ROOT / "instructor.md").read_text()


def test_every_exercise_has_a_metadata_row_and_every_row_an_exercise():
    assert len(EXERCISES) >= 30, f"only {len(EXERCISES)} exercises found: the scan of the chapters is broken"
    labels = {e["label"] for e in EXERCISES}
    assert labels == set(METADATA), (f"missing from exercises.yml: {sorted(labels - set(METADATA))}; "
                                     f"no such exercise: {sorted(set(METADATA) - labels)}")
    assert exercise_table.check(EXERCISES, METADATA) == []


def test_the_check_catches_a_missing_and_an_extra_row_and_a_bad_kind():
    metadata = dict(METADATA)
    first = EXERCISES[0]["label"]
    del metadata[first]
    metadata["ch99-ex1"] = {"kind": "essay", "minutes": 30, "prerequisites": []}
    problems = " ".join(exercise_table.check(EXERCISES, metadata))
    assert f"exercise {first} has no row" in problems
    assert "ch99-ex1, which is no exercise" in problems
    assert "kind 'essay'" in problems


def test_every_exercise_has_a_title_read_from_its_chapter():
    for e in EXERCISES:
        assert e["title"] != e["label"] and len(e["title"]) > 3, f"{e['label']} has no bold title"


def test_every_chapter_has_each_kind_it_claims_and_an_estimated_time():
    kinds = {row["kind"] for row in METADATA.values()}
    assert kinds == set(exercise_table.KINDS), "the book should have derivations, computations and open problems"
    for label, row in METADATA.items():
        assert 5 <= row["minutes"] <= 240, label


def test_the_instructor_page_is_only_in_the_course_edition():
    reader = yaml.safe_load((ROOT / "_toc.yml").read_text())
    course = yaml.safe_load((ROOT / "_toc_course.yml").read_text())
    def files(toc: dict) -> list[str]:
        return [c["file"] for part in toc["parts"] for c in part["chapters"]]

    assert "instructor" not in files(reader)
    assert "instructor" in files(course)
    for cfg in ("_config.yml", "_config_course.yml"):
        config = yaml.safe_load((ROOT / cfg).read_text())
        assert config["only_build_toc_files"] is True, f"{cfg}: instructor.md would be built into the book"
        assert "exercise_table" in config["sphinx"]["local_extensions"], cfg


def test_the_page_generates_its_table_and_sets_only_existing_exercises():
    assert re.search(r"^```\{exercise-table\}\n```", PAGE, re.M), "the exercise table must be generated"
    labels = {e["label"] for e in EXERCISES}
    set_in_syllabus = set(re.findall(r"\{ref\}`(ch\d\d-ex\d+)", PAGE))
    assert set_in_syllabus, "the syllabus sets no exercise"
    assert set_in_syllabus <= labels, f"the syllabus names no such exercise: {sorted(set_in_syllabus - labels)}"
    # every chapter is read in some week of the syllabus
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        assert f"{{doc}}`/chapters/{nb.stem}`" in PAGE, f"the syllabus never reads {nb.stem}"
    weeks = [int(w) for w in re.findall(r"^\| (\d+) \|", PAGE, re.M)]
    assert weeks == list(range(1, len(weeks) + 1)) and 10 <= len(weeks) <= 12, weeks


@pytest.mark.parametrize("number", range(1, 11))
def test_three_to_five_learning_goals_per_chapter(number):
    goals = PAGE.split("## Learning goals", 1)[1]
    block = re.search(rf"^\*\*{number}\. [^\n]*\*\*\n((?:- [^\n]*\n(?:  [^\n]*\n)*)+)", goals, re.M)
    assert block, f"no learning goals for chapter {number}"
    count = len(re.findall(r"^- ", block.group(1), re.M))
    assert 3 <= count <= 5, f"chapter {number} has {count} learning goals"
