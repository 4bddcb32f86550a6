"""The chapters run outside the book build: in a plain Jupyter, on Colab, on Binder.

Static checks on every notebook (no ``myst_nb`` import, a hidden install cell that stays off the network where the
package is installed, plotting code folded) and one end-to-end run: a fresh virtual environment with only the
package and a Jupyter kernel (no MyST-NB, no Jupyter Book) executes a chapter.
"""

from __future__ import annotations

import ast
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap
import time
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
NOTEBOOKS = CHAPTERS + sorted(ROOT.glob("*.ipynb"))
DIST = "landscapes-book"
REPO_URL = "https://github.com/landscapes-book/landscapes"
# the chapter the fresh environment runs: the fastest (chapter 6 takes about 10 s in the book's environment)
RUN_CHAPTER = ROOT / "chapters" / "06_thermodynamics.ipynb"


def _code_cells(nb: pathlib.Path) -> list[dict]:
    cells = json.loads(nb.read_text())["cells"]
    return [c for c in cells if c["cell_type"] == "code"]


def _source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _imported_modules(src: str) -> set[str]:
    out = set()
    src = "\n".join("" if re.match(r"\s*[%!]", ln) else ln for ln in src.splitlines())  # IPython magics
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_no_notebook_imports_myst_nb(nb):
    """A chapter that imported myst_nb would fail at once outside the book build: glue comes from the package."""
    for cell in _code_cells(nb):
        src = _source(cell)
        assert "myst_nb" not in src, f"{nb.name}: a code cell mentions myst_nb:\n{src[:300]}"
        assert "myst_nb" not in _imported_modules(src)
    text = "\n".join(_source(c) for c in _code_cells(nb))
    if re.search(r"\bglue\(", text):
        assert "from landscape.notebook import glue" in text, f"{nb.name}: glue does not come from the package"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_first_code_cell_is_a_hidden_install_cell_that_stays_offline_when_installed(nb):
    cells = _code_cells(nb)
    install, first_visible = cells[0], next(c for c in cells if not _tags(c) & {"remove-cell", "remove-input"})
    src = _source(install)
    assert "remove-cell" in _tags(install), f"{nb.name}: the install cell must be hidden from the book"
    assert f'REPO = "git+{REPO_URL}"' in src and f'"{DIST} @ {{REPO}}"' in src, (
        f"{nb.name}: the install cell installs {DIST} from the repository")
    # the install runs only in the except branch of `import landscape`: never where the package is importable
    tree = ast.parse(src)
    tries = [n for n in tree.body if isinstance(n, ast.Try)]
    assert len(tries) == 1, f"{nb.name}: the install cell is one try/except ImportError"
    guard = tries[0]
    assert [ast.unparse(s) for s in guard.body] == ["import landscape"]
    assert [ast.unparse(h.type) for h in guard.handlers] == ["ImportError"]
    outside = "\n".join(ast.unparse(s) for s in tree.body if s is not guard)
    assert "subprocess.run" not in outside and "pip" not in outside
    assert "pip" in ast.unparse(guard.handlers[0])
    # plain Python: no IPython magic or shell escape, so every tool that parses code cells can read it
    assert not re.search(r"^\s*[%!]", src, re.MULTILINE), f"{nb.name}: the install cell uses a magic"
    assert "myst_nb" not in _source(first_visible)


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_the_install_cell_is_not_the_only_hidden_cell(nb):
    """The hidden checks (remove-cell cells with assertions) are still there besides the install cell."""
    checks = [c for c in _code_cells(nb)[1:] if "remove-cell" in _tags(c) and "assert" in _source(c)]
    assert checks, f"{nb.name}: no hidden check"


PLOTS = re.compile(r"\bplt\.|\.plot\(")


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_plotting_code_is_folded(nb):
    """Every chapter folds its plotting code the same way: a cell that draws (and checks nothing) hides its input."""
    unfolded = [_source(c).splitlines()[0] for c in _code_cells(nb)
                if PLOTS.search(_source(c)) and "assert" not in _source(c)
                and not _tags(c) & {"hide-input", "remove-input", "remove-cell"}]
    assert not unfolded, f"{nb.name}: plotting cells shown unfolded, starting {unfolded}"


def test_install_cell_name_is_the_distribution_name():
    """The install cell, the README and pyproject agree on the distribution name (free on PyPI, unlike landscape)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == DIST
    extras = project["optional-dependencies"]
    assert any(r.startswith("jupyterlab") for r in extras["lab"])
    assert not [r for reqs in extras.values() for r in reqs if r.startswith("landscape[")], "stale self-reference"
    readme = (ROOT / "README.md").read_text()
    assert DIST in readme and 'pip install -e ".[lab]"' in readme


def test_binder_installs_the_repository_and_jupyterlab():
    reqs = (ROOT / "binder" / "requirements.txt").read_text().split()
    assert "." in reqs or "-e" in reqs, "binder/requirements.txt must install the repository itself"
    assert any(r.startswith("jupyterlab") for r in reqs)
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


# ----------------------------------------------------------------------------------------- the end-to-end run

_CHECK_AND_RUN = textwrap.dedent("""
    import importlib.util, pathlib, sys, time
    import nbformat
    from nbclient import NotebookClient
    assert importlib.util.find_spec("myst_nb") is None, "myst_nb is installed"
    assert importlib.util.find_spec("jupyter_book") is None, "jupyter_book is installed"
    path = pathlib.Path(sys.argv[1])
    nb = nbformat.read(path, as_version=4)
    # a last cell reports where the kernel ran and what it imported
    nb.cells.append(nbformat.v4.new_code_cell(
        "import sys, landscape, landscape.notebook as _n; "
        "print('PROBE', sys.prefix, landscape.__file__, 'myst_nb' in sys.modules, len(_n.GLUED))"))
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    print("SECONDS", round(time.perf_counter() - start, 1))
    print(nb.cells[-1].outputs[0]["text"])
""")


@pytest.mark.slow
def test_a_chapter_runs_with_only_the_package_and_a_kernel(tmp_path):
    """Slow (1-2 min on a loaded 2-core machine, with pip's download cache): a fresh venv, not sharing this one's
    packages, gets the package (non-editable, from a copy of this checkout) and nbclient + ipykernel only, and
    executes a chapter."""
    venv = tmp_path / "venv"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter")  # no kernelspec of the user's: the venv's own kernel
    env["JUPYTER_PATH"] = str(venv / "share" / "jupyter")
    env.setdefault("JAX_PLATFORMS", "cpu")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # --no-compile: pip does not compile the bytecode of all of jax and scipy up front
    # a copy of what the distribution needs, so that the build's build/ and egg-info stay out of the checkout
    src = tmp_path / "src"
    shutil.copytree(ROOT / "landscape", src / "landscape", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-compile", str(src), "nbclient", "ipykernel"],
                   check=True, env=env, cwd=tmp_path)
    print(f"venv and install: {time.perf_counter() - start:.0f} s")
    site = subprocess.run([str(py), "-c", "import sys; print(sys.flags.no_site, sys.prefix != sys.base_prefix)"],
                          env=env, capture_output=True, text=True, check=True)
    assert site.stdout.split() == ["0", "True"]
    cfg = (venv / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg
    # the chapter is copied out of the checkout, so `import landscape` can only find the installed package
    chapter = tmp_path / "chapters" / RUN_CHAPTER.name
    chapter.parent.mkdir()
    chapter.write_text(RUN_CHAPTER.read_text())
    run = subprocess.run([str(py), "-c", _CHECK_AND_RUN, str(chapter)], env=env, cwd=tmp_path, capture_output=True,
                         text=True, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    print(run.stdout)
    probe = next(line for line in run.stdout.splitlines() if line.startswith("PROBE")).split()
    prefix, module, had_myst, n_glued = probe[1], probe[2], probe[3], int(probe[4])
    assert pathlib.Path(prefix).resolve() == venv.resolve(), "the kernel did not run in the fresh venv"
    assert pathlib.Path(module).resolve().is_relative_to(venv.resolve()), f"landscape came from {module}"
    assert had_myst == "False"
    assert n_glued > 10, "the chapter's glued values were not recorded"
