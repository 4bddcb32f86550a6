"""How a chapter reads on a wide and a narrow screen, measured in headless Chromium after MathJax and the figures:
one search box, code and outputs inside their column, sharp (2x) figures, no sideways scrolling of the page, long
display equations scrolling inside their own box, and author-year citations only.

The page is loaded from a copy with a ``<base>`` pointing at the built page's folder and a script that, once the
page, its figures and MathJax are done, posts its measurements as JSON to the page around it. That page holds it in
an iframe of the measured width (headless Chromium's window is at least 500 px wide) and writes the JSON into the
DOM that Chromium dumps.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import pathlib

import pytest

from .conftest import BOOK_HTML, _chromium, chapter_pages, parse

PAGES = chapter_pages(BOOK_HTML) if (BOOK_HTML / "index.html").is_file() else []
CHAPTERS = [p for p in PAGES if p.parent.name == "chapters"]
# every chapter: the first has the book's widest display equation (1.2), the tenth its longest code lines
MEASURED = CHAPTERS
WIDTHS = (1400, 420)

MEASURE_JS = r"""
<script>
(function () {
  function visible(el) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || Number(style.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    if (r.right <= 0 || r.left >= innerWidth) return false;  // off-canvas (a closed drawer)
    for (let a = el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.display === "none" || s.visibility === "hidden") return false;
      if (a.tagName === "DIALOG" && !a.open) return false;
    }
    return true;
  }
  function describe(el) {
    return el.tagName.toLowerCase() + "." + Array.from(el.classList).join(".") + " " +
      (el.textContent || "").trim().slice(0, 60);
  }
  function scrolls(el) {
    const o = getComputedStyle(el).overflowX;
    return o === "auto" || o === "scroll";
  }
  function measure() {
    const out = {innerWidth: innerWidth, docScrollWidth: document.documentElement.scrollWidth,
                 docClientWidth: document.documentElement.clientWidth};
    out.search = Array.from(document.querySelectorAll(
        ".search-button-field, .search-button, form.bd-search, input[type=search]"))
      .filter(visible).map(describe);
    const article = document.querySelector("article.bd-article") || document.querySelector("main");
    const column = article.getBoundingClientRect();
    const pad = getComputedStyle(article);
    out.column = {left: column.left, right: column.right, width: column.width,
                  content: article.clientWidth - parseFloat(pad.paddingLeft) - parseFloat(pad.paddingRight)};
    // code listings and outputs: every line visible without scrolling (wrapped), inside the column
    out.code = Array.from(article.querySelectorAll(".cell_input pre, .cell_output pre, div.highlight pre, .output pre"))
      .filter(visible).map(el => {
        const r = el.getBoundingClientRect();
        return {what: describe(el), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
                left: r.left, right: r.right};
      });
    out.outputs = Array.from(article.querySelectorAll(".cell_output"))
      .filter(visible).map(el => {
        const r = el.getBoundingClientRect();
        return {what: describe(el), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
                right: r.right, scrolls: scrolls(el)};
      });
    out.figures = Array.from(article.querySelectorAll("img"))
      .filter(visible).map(el => {
        const r = el.getBoundingClientRect();
        return {src: el.getAttribute("src"), natural: el.naturalWidth, naturalHeight: el.naturalHeight,
                width: r.width, height: r.height};
      });
    // display math: wider than its box only if the box scrolls
    out.math = Array.from(article.querySelectorAll("mjx-container[display=true], mjx-container[display]"))
      .filter(visible).map(el => {
        let box = el;
        for (let a = el; a && a !== article; a = a.parentElement) { if (scrolls(a)) { box = a; break; } }
        const r = box.getBoundingClientRect();
        return {what: (el.closest("[id]") || {id: ""}).id, contentWidth: el.scrollWidth,
                boxWidth: box.clientWidth, boxRight: r.right, scrolls: scrolls(box)};
      });
    // anything in the article that sticks out of the window: fine inside a box that scrolls, lost to the reader
    // inside one that hides its overflow, and a sideways-scrolling page if nothing holds it
    out.overflowing = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= innerWidth + 1 || el.closest("mjx-assistive-mml")) continue;
      if (getComputedStyle(el).visibility === "hidden") continue;  // a closed drawer
      let verdict = "page";
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const o = getComputedStyle(a).overflowX;
        if (o === "visible" || a.getBoundingClientRect().right > innerWidth + 1) continue;
        verdict = (o === "auto" || o === "scroll") ? "scrolls" : "hidden by " + describe(a).slice(0, 40);
        break;
      }
      if (verdict !== "scrolls" && out.overflowing.length < 10)
        out.overflowing.push(describe(el) + " right=" + r.right + " " + verdict);
    }
    parent.postMessage(JSON.stringify(out), "*");
  }
  window.addEventListener("load", function () {
    const typeset = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
    typeset.then(() => setTimeout(measure, 2000));
  });
})();
</script>
"""


FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="{src}" style="width:{width}px;height:{height}px;border:0;display:block"></iframe>
<script>window.addEventListener("message", e => {{
  const pre = document.createElement("pre"); pre.id = "landscapes-measurements"; pre.textContent = e.data;
  document.body.appendChild(pre); }});</script></body></html>"""


def measure(page: pathlib.Path, width: int, height: int = 1000) -> dict:
    """Layout measurements of a built page in a viewport ``width`` CSS pixels wide (see the module)."""
    page = page.resolve()
    html = page.read_text()
    html = html.replace("<head>", f'<head><base href="{page.parent.as_uri()}/">', 1)
    html = html.replace("</body>", MEASURE_JS + "</body>", 1)
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / page.name
        copy.write_text(html)
        frame = pathlib.Path(tmp) / "frame.html"
        frame.write_text(FRAME.format(src=copy.as_uri(), width=width, height=height))
        profile = pathlib.Path(tmp) / "profile"
        cmd = [
            _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--allow-file-access-from-files",
            "--hide-scrollbars", f"--window-size={max(width, 800) + 100},{height + 100}",
            "--virtual-time-budget=30000", "--dump-dom", frame.as_uri(),
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    found = re.search(r'<pre id="landscapes-measurements">(.*?)</pre>', out.stdout, flags=re.S)
    if not found:
        pytest.fail(f"no measurements from Chromium for {page.name} at {width} px: {out.stderr[-2000:]}")
    data = json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    assert data["innerWidth"] == width, f"the page's viewport is {data['innerWidth']} px wide, not {width}"
    return data


_MEASURED: dict[tuple[str, int], dict] = {}


def measured(page: pathlib.Path, width: int) -> dict:
    key = (str(page), width)
    if key not in _MEASURED:
        _MEASURED[key] = measure(page, width)
    return _MEASURED[key]


CASES = [(page, width) for page in MEASURED for width in WIDTHS]
IDS = [f"{page.stem[:2]}-{width}px" for page, width in CASES]


def test_measured_chapters_exist():
    assert len(MEASURED) >= 10 and MEASURED[0].stem.startswith("01_"), "every chapter is measured: build the book"


@pytest.mark.parametrize(("page", "width"), CASES, ids=IDS)
def test_one_search_box(page, width):
    boxes = measured(page, width)["search"]
    assert len(boxes) == 1, f"{page.name} at {width} px shows {len(boxes)} search boxes: {boxes}"


@pytest.mark.parametrize(("page", "width"), CASES, ids=IDS)
def test_code_and_outputs_fit_their_column(page, width):
    data = measured(page, width)
    assert data["code"], f"{page.name}: no code listing measured"
    right = data["column"]["right"] + 1
    clipped = [c for c in data["code"] if c["scrollWidth"] > c["clientWidth"] + 1 or c["right"] > right]
    assert not clipped, f"{page.name} at {width} px: {len(clipped)} code listings wider than the column: {clipped[:3]}"
    wide = [o for o in data["outputs"]
            if (o["scrollWidth"] > o["clientWidth"] + 1 and not o["scrolls"]) or o["right"] > right]
    assert not wide, f"{page.name} at {width} px: outputs wider than the column: {wide[:3]}"


@pytest.mark.parametrize(("page", "width"), CASES, ids=IDS)
def test_figures_have_twice_their_displayed_resolution(page, width):
    figures = measured(page, width)["figures"]
    assert figures, f"{page.name}: no figure measured"
    soft = [f for f in figures if f["natural"] < 2 * f["width"] - 1]
    assert not soft, f"{page.name} at {width} px: figures under 2x their displayed width: {soft[:3]}"
    squashed = [f for f in figures
                if abs(f["width"] / f["height"] - f["natural"] / f["naturalHeight"]) > 0.02 * f["width"] / f["height"]]
    assert not squashed, f"{page.name} at {width} px: figures shown with the wrong aspect ratio: {squashed[:3]}"


@pytest.mark.parametrize(("page", "width"), CASES, ids=IDS)
def test_no_sideways_scrolling_and_wide_equations_scroll_in_their_box(page, width):
    data = measured(page, width)
    assert data["docScrollWidth"] <= data["docClientWidth"] + 1, (
        f"{page.name} at {width} px: the page is {data['docScrollWidth']} px wide in a {width} px window")
    assert not data["overflowing"], f"{page.name} at {width} px: sticks out of the window: {data['overflowing']}"
    assert data["math"] or not page.stem.startswith("01_"), f"{page.name}: no display math measured"
    for eq in data["math"]:
        assert eq["boxRight"] <= width + 1, f"{page.name} at {width} px: equation {eq} runs off the page"
        # its box is most of the text column: nothing (a floated margin note) squeezes it into a sliver
        assert eq["boxWidth"] >= 0.6 * data["column"]["content"], (
            f"{page.name} at {width} px: equation {eq['what']} is squeezed into {eq['boxWidth']} px of a "
            f"{data['column']['content']:.0f} px column")
        if eq["contentWidth"] > eq["boxWidth"] + 1:
            assert eq["scrolls"], f"{page.name} at {width} px: equation {eq} is clipped, not scrollable"


def test_wide_screen_column_is_wide():
    # on a 1400 px screen the text takes most of the window (the sidebars the rest), enough for equation (1.2)
    data = measured(MEASURED[0], 1400)
    width = data["column"]["content"]
    assert width >= 0.6 * 1400, f"the text column is only {width:.0f} px wide at 1400 px"
    riemannian = [eq for eq in data["math"] if eq["what"] == "equation-eq-ch01-riemannian"]
    assert riemannian and riemannian[0]["contentWidth"] <= riemannian[0]["boxWidth"] + 1, (
        f"equation (1.2) does not fit the column at 1400 px: {riemannian}")


# a numeric or alphanumeric label where the text should read author-year: "[12]", "[3, 4]", "[AT07]"
NUMERIC_LABEL = re.compile(r"\[(?:\d{1,3}(?:\s*[,–-]\s*\d{1,3})*|[A-Z][A-Za-z+]{1,4}\d{2}[a-z]?)\]")
YEAR = r"(?:1[89]|20)\d\d[a-z]?"
# "Kac (1943)", "(Crisanti & Sommers, 1992; Auffinger et al., 2013)"
AUTHOR_YEAR = re.compile(rf"[A-Z][\w'’\-]+(?:\s+&\s+[A-Z][\w'’\-]+|\s+et al\.)?(?:,\s+|\s+\(){YEAR}")
# a bibliography label: "Kac 1943", "Crisanti & Sommers 1992", "Ben Arous et al. 2019a"
LABEL = re.compile(rf"[A-Z][^\d\[\]()]*\s{YEAR}")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("&amp;", "&").strip()


def test_citations_and_bibliography_read_author_year():
    # every citation in the text names its authors and year, in round brackets ("Sagun et al. (2015)",
    # "(Auffinger et al., 2013; Bray & Dean, 2007)"), and the bibliography's labels are the same author-year labels
    # ("Bray & Dean 2007"): never "[1]", "[AT07]", nor a year in square brackets that reads like a numeric label
    citations = 0
    for page in PAGES:
        static = page.read_text()
        # math ("\\([0, 1]\\)", an interval; a numbered display equation's div also carries an id) and code
        # ("x[1]") are not citations: only the prose is scanned
        prose = re.sub(r'<(span|div) class="math[^"]*"[^>]*>.*?</\1>', " ", static, flags=re.S)
        prose = re.sub(r"<(pre|code)\b.*?</\1>", " ", prose, flags=re.S)
        # the API pages, made from docstrings, cite nothing and write intervals in prose ("in [0, 1]")
        labels = [] if page.parent.name == "api" else NUMERIC_LABEL.findall(parse(prose).text)
        assert not labels, f"{page.name}: numeric or alphanumeric citation labels {labels[:5]}"
        for cite in re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', static, flags=re.S):
            citations += 1
            text = _text(cite)
            assert AUTHOR_YEAR.search(text), f"{page.name}: citation {text!r} is not author-year"
            assert not NUMERIC_LABEL.search(text), f"{page.name}: citation {text!r} has a numeric label"
            assert not re.search(rf"\[[^\]]*{YEAR}", text), f"{page.name}: citation {text!r} has a year in [ ]"
    assert citations > 50, f"only {citations} citations found in the chapters"
    bib = (BOOK_HTML / "bibliography.html").read_text()
    entries = re.findall(r'role="doc-biblioentry">\s*<span class="label">(.*?)</span>\s*<p>', bib, flags=re.S)
    assert len(entries) > 20, "the bibliography page shows no labelled entries"
    for label in entries:
        label = _text(label).strip("[]")
        assert LABEL.fullmatch(label), f"bibliography label {label!r} is not author-year"
