"""landscape.notebook.glue: glues through MyST-NB in a kernel that has it, and only records the value elsewhere."""

from __future__ import annotations

import sys
import types

import pytest

import landscape as ls
from landscape import notebook


class _Shell:
    """Stands for IPython's kernel shell (ZMQInteractiveShell): it has a ``kernel``."""

    kernel = object()


@pytest.fixture
def calls(monkeypatch):
    """A fake ``myst_nb`` whose ``glue`` records its calls, inside a fake kernel."""
    made = []
    fake = types.ModuleType("myst_nb")
    fake.glue = lambda name, value, display=True: made.append((name, value, display))
    monkeypatch.setitem(sys.modules, "myst_nb", fake)
    monkeypatch.setattr("IPython.get_ipython", lambda: _Shell())
    return made


def test_the_package_exposes_the_module():
    assert ls.notebook is notebook
    assert "notebook" in ls.__all__
    assert notebook.__all__ == ["GLUED", "glue"]


def test_glue_in_a_kernel_with_myst_nb_glues_and_records(calls):
    assert notebook.glue("t-kernel", 1.5) is None
    assert calls == [("t-kernel", 1.5, False)]
    assert notebook.GLUED["t-kernel"] == 1.5
    notebook.glue("t-kernel-shown", "x", display=True)
    assert calls[-1] == ("t-kernel-shown", "x", True)


def test_glue_without_myst_nb_only_records(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import myst_nb raises ImportError
    monkeypatch.setattr("IPython.get_ipython", lambda: _Shell())
    with pytest.raises(ImportError):
        import myst_nb  # noqa: F401
    notebook.glue("t-no-myst", [1, 2])
    assert notebook.GLUED["t-no-myst"] == [1, 2]
    notebook.glue("t-no-myst", 3)  # the last value wins
    assert notebook.GLUED["t-no-myst"] == 3
    out = capsys.readouterr()
    assert out.out == "" and out.err == "", "glue printed something"


def test_glue_outside_a_kernel_does_not_call_myst_nb(calls, monkeypatch, capsys):
    """In a script or a terminal (no kernel), MyST-NB's glue would print the value: it is not called."""
    monkeypatch.setattr("IPython.get_ipython", lambda: None)
    notebook.glue("t-script", 2.0)
    assert calls == []
    assert notebook.GLUED["t-script"] == 2.0
    assert capsys.readouterr().out == ""


def test_glue_with_the_real_myst_nb_outside_a_kernel_prints_nothing(capsys):
    pytest.importorskip("myst_nb")
    notebook.glue("t-real", 0.25)
    assert notebook.GLUED["t-real"] == 0.25
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("name, error", [(3, TypeError), (None, TypeError), (b"x", TypeError), ("", ValueError),
                                         ("  ", ValueError)])
def test_glue_refuses_a_bad_name(name, error):
    with pytest.raises(error, match=r"\bname\b"):
        notebook.glue(name, 1.0)


@pytest.mark.parametrize("display", ["yes", 1, None])
def test_glue_refuses_a_bad_display(display):
    with pytest.raises(TypeError, match=r"\bdisplay\b"):
        notebook.glue("t-bad", 1.0, display=display)
    assert "t-bad" not in notebook.GLUED
