"""Tests of landscape.reference: every literature constant the book reproduces agrees with the book's computation,
names a real source and a real check in a real chapter, and the table is built from the same records."""

from __future__ import annotations

import json
import math
import pathlib
import re

import pytest

from landscape import reference, units

ROOT = pathlib.Path(__file__).resolve().parents[1]
RECORDS = reference.values()
KEYS = [r.key for r in RECORDS]


def _chapter_code(name: str) -> str:
    cells = json.loads((ROOT / "chapters" / name).read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_there_are_enough_records_and_keys_are_unique():
    assert len(RECORDS) >= 12
    assert len(set(KEYS)) == len(KEYS)


@pytest.mark.parametrize("rec", RECORDS, ids=KEYS)
def test_book_value_matches_the_literature_within_the_printed_digits(rec):
    book = reference.book_value(rec.key)
    assert math.isfinite(book)
    assert abs(book - rec.literature_book) <= rec.tolerance, (rec.key, book, rec.literature_book, rec.tolerance)


@pytest.mark.parametrize("rec", RECORDS, ids=KEYS)
def test_a_perturbed_literature_value_fails(rec):
    """Test the test: moving the printed value by two units of its last digit (or by 1e-3 relative for an exact
    value; by twice the tolerance where the book's numerical error is the larger, as for Tracy-Widom's 13 printed
    digits) puts it outside the tolerance."""
    step = 2 * 10.0 ** (-rec.digits) if rec.digits is not None else 1e-3 * max(1.0, abs(rec.literature))
    step = max(step, 2.0 * rec.tolerance / abs(units.to_book(1.0, rec.kind, rec.scale)))
    for sign in (1, -1):
        moved = rec._replace(literature=rec.literature + sign * step)
        assert abs(reference.book_value(rec.key) - moved.literature_book) > moved.tolerance, rec.key


@pytest.mark.parametrize("rec", RECORDS, ids=KEYS)
def test_record_is_well_formed(rec):
    assert rec.kind in units.QUANTITIES and rec.scale > 0 and rec.numerical_error >= 0
    if rec.digits is not None:  # the printed string carries the number with exactly those decimals
        assert f"{abs(rec.literature):.{rec.digits}f}" in rec.printed, (rec.printed, rec.literature, rec.digits)
    # a tolerance argued from the digits is not looser than one unit of the last digit (book units)
    if rec.digits is not None:
        assert rec.tolerance <= abs(units.to_book(10.0 ** (-rec.digits), rec.kind, rec.scale)) + rec.numerical_error
    assert rec.location and rec.quantity and rec.model


@pytest.mark.parametrize("rec", RECORDS, ids=KEYS)
def test_the_chapter_exists_and_asserts_it(rec):
    path = ROOT / "chapters" / rec.chapter
    assert path.exists(), rec.chapter
    code = _chapter_code(rec.chapter)
    # compared without white space, so that reformatting a cell (ruff format) does not break the link
    assert re.sub(r"\s+", "", rec.check) in re.sub(r"\s+", "", code), f"{rec.chapter} has no {rec.check!r}"
    if re.fullmatch(r"\w+", rec.check):  # a glue name: it is glued
        assert re.search(rf'glue\(\s*"{rec.check}"', code), f"{rec.check} is not glued in {rec.chapter}"


def test_every_source_is_in_the_bibliography():
    keys = set(re.findall(r"@\w+\{([^,]+),", (ROOT / "references.bib").read_text()))
    missing = {r.source for r in RECORDS} - keys
    assert not missing, missing


def test_table_rows_agree_with_the_records():
    rows = reference.table()
    assert [r.key for r in rows] == KEYS
    for row, rec in zip(rows, RECORDS):
        assert row.book == reference.book_value(rec.key)
        assert row.literature_book == rec.literature_book
        assert row.difference == row.book - row.literature_book
        assert row.agrees and row.tolerance == rec.tolerance
    sub = reference.table(["threshold_p3", "static_temperature_p3"])
    assert [r.key for r in sub] == ["threshold_p3", "static_temperature_p3"]


# Plausible wrong answers, in book units, that each record's check must reject.
WRONG = {
    "threshold_p3": -2 * math.sqrt(2 / 3) * math.sqrt(1 / 2),  # -E_inf sqrt((p-2)/(p-1)), a misprinted threshold
    "ground_state_p3": -2 * math.sqrt(2 / 3),  # the threshold taken for the ground state
    "total_complexity_p3": 0.5 * math.log(2) + 0.5,  # the complexity formula with a constant dropped/added
    "dynamical_temperature_p3": 0.612,  # the physics-unit value read as a book value
    "static_temperature_p3": 0.586,  # idem
    "threshold_p3_physics_units": -math.sqrt(4 / 3),  # the physics-unit value unconverted
    "mct_a_p3": 0.5,  # the exponent parameter for the exponent
    "mct_gamma_p3": 1 / (2 * 0.395),  # gamma without the 1/(2b) term
    "tracy_widom_goe_mean": -1.7710868074,  # the GUE (F_2) mean
    "semicircle_sixth_moment": 15.0,  # the Gaussian sixth moment (5!!)
    "bbp_overlap_theta2": 0.5,  # 1 - 1/theta
    "phase_retrieval_weak_recovery": 1.0,  # the trivial threshold alpha = 1
}


@pytest.mark.parametrize("key", sorted(WRONG))
def test_plausible_wrong_answers_fail(key):
    rec = next(r for r in RECORDS if r.key == key)
    assert abs(WRONG[key] - rec.literature_book) > rec.tolerance, key
    assert abs(WRONG[key] - reference.book_value(key)) > rec.tolerance, key


def test_conversion_is_applied():
    """A value printed in Crisanti-Sommers units (xi = q^p/2) is converted by sqrt(2): without the conversion the
    static temperature of the 3-spin (0.586) would miss the book's 0.8288 by 0.24."""
    rec = next(r for r in RECORDS if r.key == "static_temperature_p3")
    assert rec.scale == 0.5 and abs(rec.literature_book - rec.literature * math.sqrt(2)) < 1e-15
    assert abs(reference.book_value(rec.key) - rec.literature) > 100 * rec.tolerance


def test_bad_keys_are_refused():
    with pytest.raises(ValueError, match="key"):
        reference.book_value("no_such_constant")
    with pytest.raises(TypeError, match="key"):
        reference.book_value(3)
    with pytest.raises(ValueError, match="keys"):
        reference.table(["threshold_p3", "bogus"])
    with pytest.raises(TypeError, match="keys"):
        reference.table("threshold_p3")


def test_the_page_cites_every_source_and_is_stored_without_outputs():
    page = ROOT / "reference_values.ipynb"
    cells = json.loads(page.read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells)
    cited = set(re.findall(r"\{cite:t\}`([^`]+)`", text))
    assert {r.source for r in RECORDS} <= cited, {r.source for r in RECORDS} - cited
    assert "reference.table()" in text  # the table is built from the records, not typed
    for cell in cells:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None
