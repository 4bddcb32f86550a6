"""The course edition: remove every solution, including the code cells of gated solutions.

sphinx-exercise's own ``hide_solutions`` (1.2.1) drops the ``solution-start`` node of a gated solution but
keeps its ``solution-end`` node and everything in between, so the build fails ("unknown node type
solution_end_node") and a solution's code cells would leak into the course edition. This extension takes
over the setting: it reads ``hide_solutions`` from the configuration, turns sphinx-exercise's handling off,
lets the gated solutions be merged as usual, and then removes every solution node from the document.
"""

from __future__ import annotations

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


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.connect("config-inited", _take_over, priority=900)
    app.add_transform(RemoveSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
