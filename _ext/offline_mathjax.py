"""Serve MathJax 3 from the book itself, so that no page depends on a CDN.

MathJax 3.2 comes from the PyPI package ``django-static-mathjax`` (the official MathJax distribution, repackaged;
no Django needed at run time). This extension points Sphinx's ``mathjax_path`` at a local copy and, when the
HTML build finishes, copies MathJax's ``es5`` bundle (scripts and web fonts) into ``_static/mathjax``.
"""

from __future__ import annotations

import pathlib
import shutil

MATHJAX_ENTRY = "mathjax/tex-chtml-full.js"


def _mathjax_bundle() -> pathlib.Path:
    import mathjax  # the django-static-mathjax distribution

    bundle = pathlib.Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (bundle / "tex-chtml-full.js").is_file():
        raise RuntimeError(f"MathJax bundle not found at {bundle}; reinstall django-static-mathjax")
    return bundle


def _set_path(app, config) -> None:
    config.mathjax_path = MATHJAX_ENTRY


def _copy_bundle(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        shutil.copytree(_mathjax_bundle(), pathlib.Path(app.outdir) / "_static" / "mathjax", dirs_exist_ok=True)


def setup(app):
    _mathjax_bundle()  # fail early, before a long build, if MathJax is missing
    app.connect("config-inited", _set_path, priority=900)
    app.connect("build-finished", _copy_bundle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
