"""The course edition: remove every solution, including the code cells of gated solutions.

sphinx-exercise's own ``hide_solutions`` (1.2.1) drops the ``solution-start`` node of a gated solution but
keeps its ``solution-end`` node and everything in between, so the build fails ("unknown node type
solution_end_node") and a solution's code cells would leak into the course edition. This extension takes
over the setting: it reads ``hide_solutions`` from the configuration, turns sphinx-exercise's handling off,
lets the gated solutions be merged as usual, and then removes every solution node from the document.

The page's ".ipynb" download serves the copy of the source that Sphinx puts in ``_sources/``: in the course
edition, once the build has finished, that copy is replaced by the student notebook (no solution prose or code,
an answer cell per exercise), made by ``_ext/student_notebook.py``, the code ``scripts/make-assignments.py``
uses for the assignments.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from sphinx.transforms import SphinxTransform
from sphinx.util.nodes import NodeMatcher
from sphinx_exercise.nodes import solution_node
from sphinx_exercise.transforms import MergeGatedSolutions


class RemoveSolutions(SphinxTransform):
    """Drop every solution node once sphinx-exercise has merged the gated ones."""

    default_priority = MergeGatedSolutions.default_priority + 1

    def apply(self) -> None:
        if not getattr(self.app, "landscapes_hide_solutions", False):
            return
        for node in list(self.document.findall(NodeMatcher(solution_node))):
            node.parent.remove(node)


def _take_over(app, config) -> None:
    app.landscapes_hide_solutions = bool(config.hide_solutions)
    config.hide_solutions = False


def _student_sources(app, exception) -> None:
    """Replace each notebook's copy in ``_sources/`` by its student notebook (course edition only)."""
    if exception is not None or not getattr(app, "landscapes_hide_solutions", False):
        return
    if app.builder.format != "html":
        return
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        import student_notebook
    finally:
        sys.path.pop(0)
    sources = Path(app.outdir) / "_sources"
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        name = source.relative_to(app.srcdir).as_posix()
        suffix = app.config.html_sourcelink_suffix or ""
        copied = sources / (name if name.endswith(suffix) else name + suffix)
        if source.suffix == ".ipynb" and copied.exists():
            nb = nbformat.read(source, as_version=4)
            nbformat.write(student_notebook.student_notebook(nb), copied)


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.connect("config-inited", _take_over, priority=900)
    app.add_transform(RemoveSolutions)
    app.connect("build-finished", _student_sources)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
