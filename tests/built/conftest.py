"""Fixtures for the tests that run on the built book (after `jupyter-book build`)."""

from __future__ import annotations

import functools
import pathlib
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
BOOK_HTML = ROOT / "_build" / "html"
COURSE_HTML = ROOT / "_build" / "course" / "_build" / "html"


def chapter_pages(html_root: pathlib.Path) -> list[pathlib.Path]:
    """The built HTML page of every chapter and page in _toc.yml; fails if the book was not built."""
    if not (html_root / "index.html").is_file():
        pytest.fail(f"{html_root} has no index.html: build the book first (see README)")
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [html_root / f"{f}.html" for f in files]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium is needed for the rendering tests (scripts/ensure-chromium.sh installs it)")


@functools.cache
def render_url(url: str) -> str:
    """The DOM of a page after its scripts ran (MathJax, search), from headless Chromium."""
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--allow-file-access-from-files",
            "--virtual-time-budget=20000", "--dump-dom", url,
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if out.returncode != 0 or "<html" not in out.stdout:
        pytest.fail(f"Chromium could not render {url}: {out.stderr[-2000:]}")
    return out.stdout


def rendered_dom(page: pathlib.Path) -> str:
    """The rendered DOM of a built page (see :func:`render_url`)."""
    return render_url(page.as_uri())


class VisibleText(HTMLParser):
    """Collects the text a reader sees: skips scripts, styles, code listings and MathJax's own output."""

    SKIP = {"script", "style", "pre", "code", "mjx-container", "mjx-assistive-mml", "math", "template", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.stack: list[str] = []
        self.parts: list[str] = []
        self.images: list[str] = []
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.math_containers = 0
        self.unresolved: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag == "link" and "stylesheet" in (attrs.get("rel") or ""):
            self.stylesheets.append(attrs.get("href", ""))
        if tag == "mjx-container":
            self.math_containers += 1
        classes = (attrs.get("class") or "").split()
        if tag == "span" and "xref" in classes and (not self.stack or self.stack[-1] != "a"):
            self.unresolved.append(" ".join(classes))
        if tag in self.VOID:
            return
        self.stack.append(tag)
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:
            top = self.stack.pop()
            if top in self.SKIP:
                self.depth -= 1
            if top == tag:
                break

    def handle_data(self, data):
        if self.depth == 0:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def parse(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser
