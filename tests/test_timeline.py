"""The timeline page: every entry states a year (or a range such as 1944–45) that matches the `year` of every
bibliography entry it cites, every cited key is in references.bib, and the entries are in chronological order."""

from __future__ import annotations

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
TIMELINE = ROOT / "timeline.md"

# "- **1944–45** — text {cite:p}`a,b`." ; the year is 4 digits, optionally a range ending in 2 or 4 digits
ENTRY = re.compile(r"^- \*\*(?P<first>\d{4})(?:[–-](?P<last>\d{2}|\d{4}))?\*\* — (?P<text>.+)$")
CITE = re.compile(r"\{cite(?::[pt])?\}`([^`]+)`")


def bib_years(bib_text: str) -> dict[str, int]:
    """The ``year`` field of every entry of a BibTeX file, by key."""
    years = {}
    for block in re.split(r"\n(?=@)", bib_text):
        head = re.match(r"@\w+\{([^,\s]+),", block.strip())
        if not head:
            continue
        year = re.search(r"^\s*year\s*=\s*[{\"]?(\d{4})", block, flags=re.M)
        assert year, f"bibliography entry {head.group(1)} has no year"
        years[head.group(1)] = int(year.group(1))
    return years


def parse_entry(line: str) -> tuple[int, int, list[str]]:
    """(first year, last year, cited keys) of one timeline line; a range "1944–45" ends in 1945."""
    m = ENTRY.match(line)
    if not m:
        raise ValueError(f"not a timeline entry: {line!r}")
    first = int(m.group("first"))
    last = m.group("last")
    if last is None:
        last_year = first
    elif len(last) == 2:
        last_year = first // 100 * 100 + int(last)
        if last_year < first:  # "1999–01"
            last_year += 100
    else:
        last_year = int(last)
    if last_year <= first and last is not None:
        raise ValueError(f"empty or reversed year range in {line!r}")
    keys = [k.strip() for group in CITE.findall(m.group("text")) for k in group.split(",")]
    return first, last_year, keys


def check_entries(lines: list[str], years: dict[str, int]) -> None:
    """Raise AssertionError unless every entry cites known keys whose years it covers, in chronological order."""
    previous = None
    for line in lines:
        first, last, keys = parse_entry(line)
        assert keys, f"timeline entry cites nothing: {line!r}"
        for key in keys:
            assert key in years, f"timeline cites {key!r}, which is not in references.bib"
            assert first <= years[key] <= last, (
                f"timeline says {first}–{last} but {key} is from {years[key]}: {line[:80]!r}")
        # a range must be spanned by its sources: "1944–45" needs a 1944 source and a 1945 one
        assert min(years[k] for k in keys) == first and max(years[k] for k in keys) == last, (
            f"the years {first}–{last} are not those of the sources {keys}")
        assert previous is None or first >= previous, f"timeline out of order at {line[:60]!r}"
        previous = first


def _entries() -> list[str]:
    return [ln for ln in TIMELINE.read_text().splitlines() if ln.startswith("- **")]


YEARS = bib_years((ROOT / "references.bib").read_text())


def test_timeline_years_match_the_bibliography():
    lines = _entries()
    assert len(lines) >= 20
    check_entries(lines, YEARS)


def test_every_timeline_line_is_an_entry():
    # a line that looks like an entry but does not parse would escape the check above
    for line in TIMELINE.read_text().splitlines():
        if line.startswith("- "):
            parse_entry(line)


def test_timeline_has_the_landmarks():
    cited = {k for ln in _entries() for k in parse_entry(ln)[2]}
    for key in ("kac1943average", "rice1944mathematical", "rice1945mathematical", "wigner1955characteristic",
                "wigner1958distribution", "thouless1977solution", "parisi1979infinite", "parisi1980sequence",
                "crisanti1992spherical", "cugliandolo1993analytical", "kurchan1993barriers",
                "fyodorov2004complexity", "bray2007statistics", "adler2007random", "auffinger2013random",
                "dauphin2014identifying", "choromanska2015loss", "subag2017complexity", "garipov2018loss",
                "draxler2018essentially", "saraomannelli2019afraid", "maillard2026topological"):
        assert key in cited, f"the timeline lacks {key}"
    text = TIMELINE.read_text()
    assert "Rice 1943" not in text and "**1943** — Rice" not in text


# The check itself must fail on the mistakes it is there for.
GOOD = "- **1944–45** — Rice {cite:p}`rice1944mathematical,rice1945mathematical`."


@pytest.mark.parametrize(("bad", "why"), [
    ("- **1943** — Rice {cite:p}`rice1944mathematical`.", "wrong year"),
    ("- **1944** — Rice {cite:p}`rice1944mathematical,rice1945mathematical`.", "range too short"),
    ("- **1944–46** — Rice {cite:p}`rice1944mathematical,rice1945mathematical`.", "range too long"),
    ("- **1943–45** — Rice {cite:p}`rice1944mathematical,rice1945mathematical`.", "range starts early"),
    ("- **1944** — Rice {cite:p}`rice1944nonexistent`.", "unknown key"),
    ("- **1944** — Rice, uncited.", "no citation"),
])
def test_the_check_fails_on_a_wrong_line(bad, why):
    check_entries([GOOD], YEARS)
    with pytest.raises(AssertionError):
        check_entries([bad], YEARS)


def test_the_check_fails_on_wrong_order():
    later = "- **1955–58** — Wigner {cite:p}`wigner1955characteristic,wigner1958distribution`."
    check_entries([GOOD, later], YEARS)
    with pytest.raises(AssertionError, match="order"):
        check_entries([later, GOOD], YEARS)


def test_the_parser_reads_ranges_and_refuses_malformed_lines():
    assert parse_entry(GOOD)[:2] == (1944, 1945)
    assert parse_entry("- **1999–01** — x {cite:p}`a`")[:2] == (1999, 2001)
    assert parse_entry("- **2013** — x {cite:t}`a` and {cite:p}`b,c`")[2] == ["a", "b", "c"]
    for bad in ("- 1944 — Rice", "- **44** — Rice", "- **1945–1944** — Rice {cite:p}`a`"):
        with pytest.raises(ValueError):
            parse_entry(bad)
