"""The total execution time of the book, next to myst-nb's ``{nb-exec-table}``.

myst-nb's table lists each executed document's run time but no total. The ``{nb-exec-total}`` directive leaves
a placeholder that, once every document has been read (and executed or fetched from the cache), is replaced by a
sentence with the number of executed documents and the sum of their run times, computed from the same execution
data as the table. A document with the directive is marked like one with the table, so myst-nb re-writes it
whenever execution data change.
"""

from __future__ import annotations

from docutils import nodes
from myst_nb.ext.execution_tables import METADATA_KEY
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective


class ExecutionTotalNode(nodes.General, nodes.Element):
    """Placeholder for the total, filled in after all documents have been read."""


class ExecutionTotal(SphinxDirective):
    """``{nb-exec-total}``: the number of executed documents and their total run time."""

    has_content = False

    def run(self):
        NbMetadataCollector.set_doc_data(self.env, self.env.docname, METADATA_KEY, True)
        return [ExecutionTotalNode()]


def total_sentence(exec_data: list[dict]) -> str:
    """The sentence for a list of myst-nb execution records (``runtime`` in seconds, ``succeeded``)."""
    runtimes = [d["runtime"] for d in exec_data if d.get("runtime") is not None]
    total = sum(runtimes)
    failed = sum(1 for d in exec_data if d.get("succeeded") is False)
    text = (f"Total run time of the {len(runtimes)} executed documents: {total:.0f} s "
            f"({total / 60:.1f} min).")
    if failed:
        text += f" {failed} of them failed."
    return text


class ExecutionTotalPostTransform(SphinxPostTransform):
    """Replace the placeholder by the sentence (before references are resolved, like myst-nb's table)."""

    default_priority = 8

    def run(self, **kwargs) -> None:
        data = NbMetadataCollector.get_doc_data(self.env)
        records = [d["exec_data"] for _, d in sorted(data.items()) if d.get("exec_data")]
        for node in list(self.document.findall(ExecutionTotalNode)):
            node.replace_self(nodes.paragraph(text=total_sentence(records), classes=["nb-exec-total"]))


def setup(app):
    app.add_node(ExecutionTotalNode)
    app.add_directive("nb-exec-total", ExecutionTotal)
    app.add_post_transform(ExecutionTotalPostTransform)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
