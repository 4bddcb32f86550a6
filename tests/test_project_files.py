"""The files a project is expected to have: licences, citation, contributing guide, changelog, issue templates."""

from __future__ import annotations

import datetime
import json
import pathlib
import re
import tomllib

import jsonschema
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
TEMPLATES = ROOT / ".github" / "ISSUE_TEMPLATE"


def _citation() -> dict:
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text())

    # YAML reads 2026-12-04 as a date; the CFF schema wants the string (its own note to tool implementers)
    def as_strings(x):
        if isinstance(x, (datetime.date, datetime.datetime)):
            return x.isoformat()
        if isinstance(x, dict):
            return {k: as_strings(v) for k, v in x.items()}
        if isinstance(x, list):
            return [as_strings(v) for v in x]
        return x

    return as_strings(data)


@pytest.mark.parametrize("name", ["LICENSE", "LICENSE-text.md", "CITATION.cff", "CONTRIBUTING.md", "CHANGELOG.md",
                                  ".github/ISSUE_TEMPLATE/erratum.yml", ".github/ISSUE_TEMPLATE/bug.yml",
                                  ".github/ISSUE_TEMPLATE/config.yml"])
def test_the_file_exists_and_is_not_empty(name):
    path = ROOT / name
    assert path.is_file(), f"{name} is missing"
    assert len(path.read_text().strip()) > 100, f"{name} is (nearly) empty"


def test_the_code_licence_is_the_one_pyproject_declares():
    declared = PYPROJECT["project"]["license"]
    assert declared == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n"), "LICENSE must be the MIT licence that pyproject.toml declares"
    assert "Permission is hereby granted, free of charge" in text and 'THE SOFTWARE IS PROVIDED "AS IS"' in text
    assert re.search(r"Copyright \(c\) \d{4} \S", text)
    assert "LICENSE-text.md" in text, "LICENSE should say that the prose and figures have their own licence"


def test_the_text_licence_is_cc_by_with_an_attribution_line():
    text = (ROOT / "LICENSE-text.md").read_text()
    assert "Creative Commons Attribution 4.0 International" in text and "CC BY 4.0" in text
    assert "https://creativecommons.org/licenses/by/4.0/" in text
    assert re.search(r"attribution line", text, re.I) and "> *Landscapes*, by" in text
    assert "MIT" in text and "LICENSE" in text


def test_citation_cff_validates_against_the_cff_1_2_0_schema():
    schema = json.loads((ROOT / "tests" / "data" / "cff-1.2.0.schema.json").read_text())
    assert schema["$id"].endswith("/1.2.0/schema.json")
    citation = _citation()
    assert citation["cff-version"] == "1.2.0"
    jsonschema.validate(citation, schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_the_schema_check_can_fail():
    schema = json.loads((ROOT / "tests" / "data" / "cff-1.2.0.schema.json").read_text())
    bad = dict(_citation())
    del bad["authors"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**_citation(), "license": "MIT-ish"}, schema)


def test_citation_agrees_with_pyproject_and_the_licences():
    citation = _citation()
    assert citation["version"] == PYPROJECT["project"]["version"]
    licences = citation["license"] if isinstance(citation["license"], list) else [citation["license"]]
    assert PYPROJECT["project"]["license"] in licences, "CITATION.cff must name the code licence of pyproject.toml"
    assert "CC-BY-4.0" in licences, "CITATION.cff must name the licence of the text"
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert citation["repository-code"] == repo


def test_contributing_covers_what_a_contributor_needs():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    for needle in ("## Adding a chapter", "glue-and-assert", "remove-cell", "stripped", "pre-commit install",
                   "bash scripts/run-tests.sh", "exercises.yml", "_toc_course.yml", "Erratum"):
        assert needle in text, f"CONTRIBUTING.md does not mention {needle!r}"


def test_changelog_has_the_current_version():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert f"## {PYPROJECT['project']['version']}" in text
    assert "## Unreleased" in text


def _form(name: str) -> dict:
    return yaml.safe_load((TEMPLATES / name).read_text())


@pytest.mark.parametrize("name", ["erratum.yml", "bug.yml"])
def test_issue_forms_parse_and_have_the_required_keys(name):
    form = _form(name)
    assert {"name", "description", "body"} <= set(form), name
    ids = [item["id"] for item in form["body"] if item["type"] != "markdown"]
    assert len(ids) == len(set(ids)), f"{name}: duplicate field ids"
    for item in form["body"]:
        assert item["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}
        assert "attributes" in item


def test_the_erratum_form_asks_for_chapter_location_error_and_evidence():
    form = _form("erratum.yml")
    fields = {item["id"]: item for item in form["body"] if item["type"] != "markdown"}
    assert {"chapter", "location", "wrong", "evidence"} <= set(fields)
    for key in ("chapter", "location", "wrong", "evidence"):
        assert fields[key]["validations"]["required"] is True, f"erratum field {key} must be required"
    # the chapter list names every chapter of the book, by number and title
    options = fields["chapter"]["attributes"]["options"]
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        src = cells[0]["source"]
        title = ("".join(src) if isinstance(src, list) else src).splitlines()[0].lstrip("# ").strip()
        assert f"{int(nb.stem[:2])}. {title}" in options, f"the erratum form does not list chapter {nb.stem}"


def test_issue_template_config_parses():
    config = _form("config.yml")
    assert isinstance(config["blank_issues_enabled"], bool)
    for link in config.get("contact_links", []):
        assert {"name", "url", "about"} <= set(link)


def test_project_files_stay_out_of_the_book():
    """They are not in the toc, and only_build_toc_files keeps Sphinx from reading them (no warning under -W)."""
    for cfg in ("_config.yml", "_config_course.yml"):
        config = yaml.safe_load((ROOT / cfg).read_text())
        assert config["only_build_toc_files"] is True
        assert ".*" in config["exclude_patterns"] and "tests" in config["exclude_patterns"]  # .github, tests/data
    for toc in ("_toc.yml", "_toc_course.yml"):
        text = (ROOT / toc).read_text()
        for name in ("CONTRIBUTING", "CHANGELOG", "LICENSE"):
            assert name not in text, f"{name} is listed in {toc}"


def test_the_bibliography_parses_strictly():
    # a merge that drops an entry's closing brace still passes the line-based checks of the timeline; pybtex, which
    # the book build uses, refuses it, and so does this test (before the book build does)
    from pybtex import errors
    from pybtex.database import parse_string

    text = (ROOT / "references.bib").read_text()
    errors.set_strict_mode(True)
    db = parse_string(text, "bibtex")
    assert len(db.entries) == text.count("\n@") + text.startswith("@")
    broken = text.replace("}\n\n@", "\n\n@", 1)
    with pytest.raises(Exception):
        parse_string(broken, "bibtex")
