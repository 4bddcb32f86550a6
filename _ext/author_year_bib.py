"""Author–year labels in the bibliography, to match the author–year citations in the text.

sphinxcontrib-bibtex's ``author_year`` reference style writes "Auffinger et al. (2013)" in the text, but the
bibliography keeps the numeric labels of pybtex's ``plain`` style ("[1]"), so a reader meets two citation styles.
This extension registers a pybtex formatting style, ``landscapes``: the ``plain`` entry layout, entries sorted by
author, year and title, and labels "Auffinger et al. 2013" (one author: "Kac 1943"; two: "Crisanti & Sommers 1992";
same author and year twice: "2013a", "2013b").

It also registers a referencing style for the text, ``landscapes`` (``bibtex_reference_style``): sphinxcontrib-bibtex's
``author_year`` with round brackets and the bibliography's "&", so that a citation reads "Crisanti & Sommers (1992)"
or "(Auffinger et al., 2013; Kac, 1943)" and no year stands in square brackets like a numeric label.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.richtext import Text
from pybtex.style.labels import BaseLabelStyle
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle


def _last_names(entry) -> list[str]:
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = []
    for person in persons:
        last = " ".join(person.prelast_names + person.last_names)
        names.append(Text.from_latex(last).render_as("text"))
    return names


def author_year_label(entry) -> str:
    """"Kac 1943", "Crisanti & Sommers 1992", "Auffinger et al. 2013" (no suffix)."""
    names = _last_names(entry)
    year = entry.fields.get("year", "n.d.")
    if not names:
        who = entry.fields.get("title", entry.key).split()[0]
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} & {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who} {year}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels "Author et al. Year", with a, b, … where two entries would get the same label."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year_label(e) for e in entries]
        counts = Counter(labels)
        seen: Counter = Counter()
        for label in labels:
            if counts[label] > 1:
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label]]
                seen[label] += 1
            else:
                yield label


class LandscapesStyle(PlainStyle):
    """pybtex's ``plain`` layout with author–year labels, sorted by author, year and title."""

    default_label_style = AuthorYearLabelStyle
    default_sorting_style = "author_year_title"


def _round_brackets() -> BracketStyle:
    return BracketStyle(left="(", right=")", sep="; ")


def _persons() -> PersonStyle:
    return PersonStyle(sep2=" & ", last_sep=", & ")


@dataclass
class LandscapesReferenceStyle(AuthorYearReferenceStyle):
    """Author–year citations in round brackets, "&" between two authors, "; " between references."""

    bracket_textual: BracketStyle = field(default_factory=_round_brackets)
    bracket_parenthetical: BracketStyle = field(default_factory=_round_brackets)
    bracket_author: BracketStyle = field(default_factory=_round_brackets)
    bracket_label: BracketStyle = field(default_factory=_round_brackets)
    bracket_year: BracketStyle = field(default_factory=_round_brackets)
    person: PersonStyle = field(default_factory=_persons)


register_plugin("pybtex.style.labels", "landscapes_author_year", AuthorYearLabelStyle)
register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", "landscapes", LandscapesReferenceStyle)
register_plugin("pybtex.style.formatting", "landscapes", LandscapesStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
