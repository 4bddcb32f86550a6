"""The ``exercise-table`` directive: every exercise of the book in one table, for the instructor page.

The exercises are read from the chapters themselves (``chapters/*.ipynb``: each ``exercise-start`` directive, its
``:label:`` and the bold title that opens it); what a notebook cannot say (kind, estimated time, prerequisites)
comes from ``exercises.yml``, keyed by label. The build fails if an exercise has no row in ``exercises.yml``, if a
row names no exercise, or if a row's kind is not one of :data:`KINDS`: the table cannot drift from the chapters.

Usage in a MyST page::

    ```{exercise-table}
    ```
"""

from __future__ import annotations

import json
import pathlib
import re

import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

KINDS = ("derivation", "computation", "open-ended")
METADATA = "exercises.yml"
_START = re.compile(r"```\{exercise-start\}[^\n]*\n:label: (ch\d\d-ex\d+)\n(?::[^\n]*\n)*```\n(.*?)(?=```\{exercise-end\})",
                    re.S)


def scan_chapters(root: pathlib.Path) -> list[dict]:
    """Every exercise of ``root/chapters/*.ipynb`` in book order: chapter file, number, title, label, title."""
    found = []
    for nb in sorted((root / "chapters").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                         for c in cells if c["cell_type"] == "markdown")
        chapter_title = text.splitlines()[0].lstrip("# ").strip()
        for label, body in _START.findall(text):
            bold = re.match(r"\s*\*\*(.+?)\*\*", body, re.S)
            title = " ".join(bold.group(1).split()).rstrip(".") if bold else label
            found.append({"doc": f"chapters/{nb.stem}", "number": int(nb.stem.split("_")[0]),
                          "chapter": chapter_title, "label": label, "title": title})
    return found


def load_metadata(root: pathlib.Path) -> dict[str, dict]:
    """``exercises.yml``: label -> {kind, minutes, prerequisites}."""
    data = yaml.safe_load((root / METADATA).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ExtensionError(f"{METADATA} must map exercise labels to their metadata")
    return data


def check(exercises: list[dict], metadata: dict[str, dict]) -> list[str]:
    """The ways the chapters and ``exercises.yml`` disagree (empty when they agree)."""
    labels = [e["label"] for e in exercises]
    problems = [f"exercise {label} has no row in {METADATA}" for label in labels if label not in metadata]
    problems += [f"{METADATA} has a row for {label}, which is no exercise of the chapters"
                 for label in metadata if label not in labels]
    problems += [f"exercise {label} appears twice in the chapters" for label in set(labels) if labels.count(label) > 1]
    for label, row in metadata.items():
        if not isinstance(row, dict):
            problems.append(f"{METADATA}: {label} must be a mapping")
            continue
        if row.get("kind") not in KINDS:
            problems.append(f"{METADATA}: {label} has kind {row.get('kind')!r}, not one of {KINDS}")
        if not isinstance(row.get("minutes"), int) or not 5 <= row["minutes"] <= 240:
            problems.append(f"{METADATA}: {label} needs minutes, an integer in [5, 240]")
        prereq = row.get("prerequisites")
        if not isinstance(prereq, list) or not all(isinstance(p, str) and p for p in prereq):
            problems.append(f"{METADATA}: {label} needs prerequisites, a list of strings")
    return problems


def _text_with_math(text: str) -> nodes.paragraph:
    """A paragraph of ``text`` whose ``$...$`` spans are inline math."""
    para = nodes.paragraph()
    for i, part in enumerate(re.split(r"(?<!\\)\$([^$]+)\$", text)):
        if part:
            para += nodes.math(part, part) if i % 2 else nodes.Text(part)
    return para


def _minutes(m: int) -> str:
    return f"{m} min" if m < 60 else f"{m // 60} h" + (f" {m % 60:02d}" if m % 60 else "")


class ExerciseTable(SphinxDirective):
    """A table of every exercise: chapter, label (a link), title, kind, estimated time, prerequisites."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        root = pathlib.Path(self.env.srcdir)
        exercises = scan_chapters(root)
        metadata = load_metadata(root)
        problems = check(exercises, metadata)
        if not exercises:
            problems.append("no exercise found in chapters/*.ipynb")
        if problems:
            raise ExtensionError("exercise-table: " + "; ".join(problems))
        self.env.note_dependency(str(root / METADATA))
        for nb in sorted((root / "chapters").glob("*.ipynb")):
            self.env.note_dependency(str(nb))

        headers = ("Chapter", "Exercise", "Title", "Kind", "Time", "Prerequisites")
        table = nodes.table(classes=["exercise-table"])
        group = nodes.tgroup(cols=len(headers))
        table += group
        for width in (6, 10, 34, 12, 8, 34):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        row = nodes.row()
        for h in headers:
            row += nodes.entry("", nodes.paragraph(text=h))
        head += row
        body = nodes.tbody()
        group += body
        for ex in exercises:
            meta = metadata[ex["label"]]
            row = nodes.row()
            chapter = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget="/" + ex["doc"],
                                            refexplicit=True, refwarn=True, refdoc=self.env.docname)
            chapter += nodes.inline(text=f"Ch. {ex['number']}")
            label = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=ex["label"],
                                          refexplicit=True, refwarn=True, refdoc=self.env.docname)
            label += nodes.inline(text=ex["label"])
            cells = [nodes.paragraph("", "", chapter), nodes.paragraph("", "", label),
                     _text_with_math(ex["title"]), nodes.paragraph(text=meta["kind"]),
                     nodes.paragraph(text=_minutes(meta["minutes"])),
                     nodes.paragraph(text="; ".join(meta["prerequisites"]))]
            for cell in cells:
                row += nodes.entry("", cell)
            body += row
        total = sum(metadata[e["label"]]["minutes"] for e in exercises)
        summary = nodes.paragraph(text=f"{len(exercises)} exercises, about {round(total / 60)} hours in all.")
        return [table, summary]


def setup(app):
    app.add_directive("exercise-table", ExerciseTable)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
