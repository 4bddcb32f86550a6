"""Every built page, loaded in headless Chromium: math typeset offline, figures present, references resolved."""

from __future__ import annotations

import pathlib
import re
import struct
from urllib.parse import unquote, urlparse

import pytest

from .conftest import BOOK_HTML, chapter_pages, parse, render_url, rendered_dom

PAGES = chapter_pages(BOOK_HTML) if (BOOK_HTML / "index.html").is_file() else []
# display and inline delimiters, LaTeX commands, and inline "$x$" math that nothing typeset
RAW_MATH = re.compile(r"\\\[|\\\]|\\\(|\\\)|\$\$|\\begin\{|\\frac|\\sigma|\\mathbb|\$[A-Za-z\\][^$]{0,40}\$")


def _png_size(path: pathlib.Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_book_was_built():
    assert PAGES, "the book has not been built: run `jupyter-book build .` first"
    for page in PAGES:
        assert page.is_file(), f"missing page {page}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_page_renders_math_figures_and_references(page):
    static = page.read_text()
    dom = parse(rendered_dom(page))
    # math: typeset by MathJax, nothing left raw in the visible text
    has_math = bool(re.search(r'class="math|\\\(|\\\[', static))
    if has_math:
        assert dom.math_containers > 0, f"{page.name}: MathJax did not typeset anything"
    leftover = RAW_MATH.findall(dom.text)
    assert not leftover, f"{page.name}: raw TeX left in visible text: {leftover[:5]}"
    # offline: every script and stylesheet is local
    for src in dom.scripts + dom.stylesheets:
        assert not urlparse(src).scheme.startswith("http"), f"{page.name} loads {src} from the network"
    assert "mathjax/tex-chtml-full.js" in static or not has_math
    # figures: every image exists and is a non-empty picture
    for src in dom.images:
        if urlparse(src).scheme in ("http", "https", "data"):
            continue
        path = (page.parent / unquote(urlparse(src).path)).resolve()
        assert path.is_file() and path.stat().st_size > 0, f"{page.name}: missing image {src}"
        if path.suffix == ".png":
            width, height = _png_size(path)
            assert width > 50 and height > 50, f"{page.name}: degenerate image {src} ({width}x{height})"
    # cross-references: no unresolved reference or glue placeholder
    assert not dom.unresolved, f"{page.name}: unresolved references {dom.unresolved}"
    for marker in ("??", "{numref}", "{glue:", "{eq}", "{cite", "{doc}", "{term}", "{ref}"):
        assert marker not in dom.text, f"{page.name}: unresolved {marker!r} in the text"
    # a role inside math is typeset as symbols, not resolved: look for it in the math source
    for math in re.findall(r"\\\[(.*?)\\\]|\\\((.*?)\\\)", static, flags=re.S):
        math = "".join(math)
        for marker in ("{eq}", "{numref}", "{glue", "{cite", "{doc}", "{prf:ref}", "{term}"):
            assert marker not in math, f"{page.name}: a {marker} role inside math: {math[:120]!r}"
    # a Markdown table that was not rendered (an output in CommonMark, which has no tables) leaves its pipes and
    # its rule, whose dashes the smart-quotes transform turns into em dashes
    assert not re.search(r"\|\s*(?:-{3,}|\u2014+)\s*\|", dom.text), f"{page.name}: an unrendered Markdown table"


def test_chapter_figures_are_embedded():
    chapter_pages_ = [p for p in PAGES if p.parent.name == "chapters"]
    assert chapter_pages_
    for page in chapter_pages_:
        dom = parse(rendered_dom(page))
        assert dom.images, f"{page.name} has no figures"


def test_mathjax_is_served_locally():
    bundle = BOOK_HTML / "_static" / "mathjax"
    assert (bundle / "tex-chtml-full.js").stat().st_size > 100_000
    assert any((bundle / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))


def test_search_finds_a_chapter():
    # Sphinx's client-side search runs from searchindex.js, so it works on the static site and offline.
    page = BOOK_HTML / "search.html"
    assert page.is_file()
    html = render_url(page.as_uri() + "?q=Morse+identity")
    assert "01_energy_landscape" in html, "searching for 'Morse identity' does not find chapter 1"


def test_glossary_links_to_chapters_and_chapters_link_to_the_glossary():
    html = (BOOK_HTML / "glossary.html").read_text()
    entries = re.findall(r'<dt id="term-[^"]*">.*?</dd>', html, flags=re.S)
    assert len(entries) >= 40, f"the glossary page shows {len(entries)} terms"
    for entry in entries:
        assert 'href="chapters/' in entry, f"a glossary entry links to no chapter: {entry[:200]!r}"
    for page in [p for p in PAGES if p.parent.name == "chapters"]:
        assert "glossary.html#term-" in page.read_text(), f"{page.name} links no term to the glossary"
