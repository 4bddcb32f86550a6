"""The public API: `__all__` in every module, the API reference pages, and the chapters' links to them."""

from __future__ import annotations

import importlib
import inspect
import json
import pathlib
import pkgutil
import re

import pytest
import yaml
from sphinx.pycode import ModuleAnalyzer

import landscape

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
MODULES = ["landscape"] + [f"landscape.{m.name}" for m in pkgutil.iter_modules(landscape.__path__)]
# the public modules: those the package exports (a private module, _validate, has an __all__ but no page)
PUBLIC = [m for m in MODULES if not m.rsplit(".", 1)[-1].startswith("_") and m != "landscape"]


def _attribute_docs(module_name: str) -> dict[str, str]:
    """Docstrings of module-level names given as `#:` comments or a string after the assignment (what autodoc
    shows for a constant)."""
    docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
    return {name: " ".join(lines) for (scope, name), lines in docs.items() if scope == ""}


@pytest.mark.parametrize("name", MODULES)
def test_every_module_lists_exactly_its_public_names(name):
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    names = module.__all__
    assert len(names) == len(set(names)), f"{name}.__all__ lists a name twice"
    attr_docs = _attribute_docs(name)
    for item in names:
        assert hasattr(module, item), f"{name}.__all__ lists {item!r}, which the module does not define"
        obj = getattr(module, item)
        if inspect.ismodule(obj):
            continue
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert obj.__doc__ and len(obj.__doc__.strip()) > 20, f"{name}.{item} has no docstring"
        else:  # a constant: documented by a `#:` comment or a string below it
            assert len(attr_docs.get(item, "").strip()) > 20, f"{name}.{item} is a constant without a docstring"
    # no public function or class defined in the module is left out
    for item, obj in vars(module).items():
        if item.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        if obj.__module__ == name:
            assert item in names, f"{name}.{item} is public but not in __all__"
    # nor is a documented module-level constant (UPPER_CASE with a docstring)
    for item in attr_docs:
        if item.isupper() and not item.startswith("_"):
            assert item in names, f"{name}.{item} is a documented constant but not in __all__"


def test_the_package_exports_every_public_module():
    assert sorted(m for m in landscape.__all__ if inspect.ismodule(getattr(landscape, m))) == sorted(
        m.rsplit(".", 1)[-1] for m in PUBLIC)


# ------------------------------------------------------------------------------------------------ the API pages


def _toc_files(toc_name: str) -> list[str]:
    toc = yaml.safe_load((ROOT / toc_name).read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part["chapters"]:
            files.append(chapter["file"])
            files += [s["file"] for s in chapter.get("sections", [])]
    return files


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_module_has_an_api_page_in_every_toc(name):
    short = name.rsplit(".", 1)[-1]
    page = ROOT / "api" / f"{short}.md"
    assert page.is_file(), f"no API page api/{short}.md for {name}"
    text = page.read_text()
    assert re.search(rf"^\.\. automodule:: {re.escape(name)}\n\s+:members:", text, re.M), (
        f"api/{short}.md does not document {name} with automodule :members:")
    for toc in ("_toc.yml", "_toc_course.yml"):
        if (ROOT / toc).exists():
            assert f"api/{short}" in _toc_files(toc), f"api/{short} is not in {toc}"
    assert f"({short}.md)" in (ROOT / "api" / "index.md").read_text(), f"api/index.md does not list {name}"


def test_api_pages_document_only_modules_that_exist():
    for page in (ROOT / "api").glob("*.md"):
        for target in re.findall(r"\.\. automodule:: (\S+)", page.read_text()):
            assert target in MODULES, f"{page.name} documents {target}, which is not a module of landscape"


def test_both_editions_load_autodoc_and_napoleon():
    for cfg in ("_config.yml", "_config_course.yml"):
        sphinx = yaml.safe_load((ROOT / cfg).read_text())["sphinx"]
        assert {"sphinx.ext.autodoc", "sphinx.ext.napoleon"} <= set(sphinx["extra_extensions"]), cfg
        # nitpicky stays on: only external types (JAX, NumPy, SciPy, ...) may be ignored, never landscape's names
        assert sphinx["config"]["nitpicky"] is True
        for _, target in sphinx["config"].get("nitpick_ignore_regex", []):
            assert not re.match(target, "landscape.fields.energy") and not re.match(target, "landscape"), (
                f"{cfg}: nitpick_ignore_regex {target!r} would hide broken links to landscape's own names")


# ------------------------------------------------------------------------------------ links from the chapters


def _markdown(nb: pathlib.Path) -> str:
    cells = json.loads(nb.read_text())["cells"]
    return "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in cells if c["cell_type"] == "markdown")


def _prose(text: str) -> str:
    """Markdown without math (display and inline, ``{math}`` blocks) and without fenced code blocks; the text
    inside directives (exercises, solutions, proofs) is prose and stays."""
    kept, stack = [], []  # stack of open fences: (fence, is_code)
    for line in text.splitlines():
        stripped = line.strip()
        fence = re.match(r"^(`{3,}|~{3,}|:{3,})(\{?)([^`]*)$", stripped)
        if stack and stack[-1][1]:  # inside a code or math block: skip until its closing fence
            if fence and stripped == stack[-1][0]:
                stack.pop()
            continue
        if fence and stack and stripped == stack[-1][0]:
            stack.pop()
            continue
        if fence and (fence.group(3).strip() or fence.group(2)):
            name = fence.group(3).strip()
            is_code = not fence.group(2) or name.startswith("math") or name.startswith("code")
            stack.append((fence.group(1), is_code))
            continue
        if fence:  # a bare opening fence: a code block
            stack.append((fence.group(1), True))
            continue
        kept.append(line)
    text = "\n".join(kept)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", " ", text, flags=re.S)
    return re.sub(r"(?<!\\)\$[^$\n]+\$", " ", text)


FUNC_ROLE = re.compile(r"\{py:(func|class|data|mod|obj)\}`(?:[^`<]*<)?~?([\w.]+)>?`")


def _functions_mentioned(prose: str) -> set[str]:
    """`module.func` (or `ls.module.func`, with or without a call's parentheses) in backticks, outside roles,
    where `module` is a public module of landscape and `func` a function it exports: the full dotted name."""
    found = set()
    for match in re.finditer(r"(?<![}\w])`(?:ls\.|landscape\.)?(\w+)\.(\w+)(?:\([^`]*\))?`", prose):
        module, func = match.groups()
        mod = getattr(landscape, module, None)
        if inspect.ismodule(mod) and func in getattr(mod, "__all__", ()) and callable(getattr(mod, func)):
            found.add(f"landscape.{module}.{func}")
    return found


def _resolves(target: str) -> bool:
    parts = target.split(".")
    if parts[0] != "landscape":
        return False
    obj = landscape
    for part in parts[1:]:
        owner = obj
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
        if inspect.ismodule(owner) and part not in getattr(owner, "__all__", ()):
            return False  # not documented on the API page, so the link would not resolve
    return True


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_every_function_mentioned_in_a_chapter_links_to_the_api(nb):
    prose = _prose(_markdown(nb))
    links = {target for _, target in FUNC_ROLE.findall(prose)}
    mentioned = _functions_mentioned(prose)
    missing = sorted(mentioned - links)
    assert not missing, f"{nb.name} mentions {missing} in prose but never links to the API reference"
    for target in links:
        assert _resolves(target), f"{nb.name} links to {target}, which is not a documented name of landscape"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_no_api_link_inside_math(nb):
    text = _markdown(nb)
    math = re.findall(r"\$\$.*?\$\$|(?<!\\)\$[^$\n]+\$|```\{math\}.*?```", text, flags=re.S)
    for block in math:
        assert "{py:" not in block, f"{nb.name}: a {{py:...}} role inside math: {block[:80]!r}"


def test_the_prose_filter_keeps_directive_text_and_drops_code_and_math():
    text = ("```{exercise-start}\n:label: ch01-ex1\n```\nUse `fields.energy`.\n```{exercise-end}\n```\n"
            "```python\nls.rmt.catalan(3)\n```\n$`tap.tap_label_energy`$ and `rmt.catalan`\n")
    prose = _prose(text)
    assert "`fields.energy`" in prose and "`rmt.catalan`" in prose
    assert "ls.rmt.catalan(3)" not in prose and "tap_label_energy" not in prose


def test_the_link_check_sees_a_bare_mention():
    """The checker itself: a bare `kac_rice.complexity` is a mention; a role is a link, not a mention."""
    assert _functions_mentioned("see `kac_rice.complexity` and `ls.rmt.catalan(5)`") == {
        "landscape.kac_rice.complexity", "landscape.rmt.catalan"}
    assert _functions_mentioned("{py:func}`~landscape.kac_rice.complexity`") == set()
    assert _functions_mentioned("`np.linalg.eigh` and `kac_rice.no_such_function`") == set()
    assert {t for _, t in FUNC_ROLE.findall("{py:func}`the count <landscape.kac_rice.complexity>`")} == {
        "landscape.kac_rice.complexity"}
    assert not _resolves("landscape.kac_rice.no_such_function")
    assert not _resolves("landscape.kac_rice._tail")
