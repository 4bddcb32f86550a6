"""Notebook helpers: the chapters' link to the book build that works in any Jupyter.

The chapters put computed numbers into their text with MyST-NB's *glue* (the ``glue:text`` role). Importing
``myst_nb`` in a chapter would make it fail at once in a plain Jupyter, on Colab or on Binder, where the book's
build tools are not installed. The chapters therefore call :func:`glue` from here, which glues through MyST-NB
when the chapter runs in a Jupyter kernel that has it (the book build, nbval, a Jupyter opened from the book's
``.venv``) and otherwise only records the value in :data:`GLUED`, so a reader can still look at every number the
text would show.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["GLUED", "glue"]

#: Every value passed to :func:`glue` in this process, by name (the last one wins), whether or not it was also
#: glued by MyST-NB.
GLUED: dict[str, Any] = {}


def _myst_glue():
    """MyST-NB's ``glue`` if ``myst_nb`` is importable and this process is a Jupyter kernel, else ``None``."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:  # plain Python, a script or a terminal IPython
        return None
    try:
        module = importlib.import_module("myst_nb")
    except ImportError:  # also when sys.modules["myst_nb"] is None
        return None
    return getattr(module, "glue", None)


def glue(name: str, value: Any, display: bool = False) -> None:
    """Record ``value`` under ``name`` for the book's text, and glue it when the book is being built.

    Parameters
    ----------
    name : str
        The key the text refers to (in the ``glue:text`` role); a non-empty string.
    value : Any
        The object to glue: a number, a string, a figure, anything MyST-NB can display.
    display : bool
        Also show the value in the cell's output (passed to ``myst_nb.glue``; ignored where MyST-NB is not used).
        Default ``False``.

    Returns
    -------
    None
        The value is stored in :data:`GLUED` in every case. In a Jupyter kernel with ``myst_nb`` importable
        (the book build, nbval, the book's own environment) it is also passed to ``myst_nb.glue``, which stores its
        display form in the cell's outputs, where the book build finds it. Elsewhere (a plain Jupyter, Colab,
        Binder, a Python script) nothing else happens: nothing is printed and nothing is raised.

    Raises
    ------
    TypeError
        If ``name`` is not a string or ``display`` is not a bool.
    ValueError
        If ``name`` is empty or blank.

    Examples
    --------
    >>> from landscape.notebook import GLUED, glue
    >>> glue("ch00-answer", 42)
    >>> GLUED["ch00-answer"]
    42
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if not name.strip():
        raise ValueError("name must be a non-empty string")
    if not isinstance(display, bool):
        raise TypeError(f"display must be a bool, got {type(display).__name__}")
    GLUED[name] = value
    myst_glue = _myst_glue()
    if myst_glue is not None:
        myst_glue(name, value, display=display)
