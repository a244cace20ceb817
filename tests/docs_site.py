"""Reading a built documentation site: pages, their text, math, links and anchors (stdlib only).

Used by the documentation tests. ``MOMENTRNN_DOCS_BUILD`` names the HTML output of a docs build
(``.ci/run`` sets it after building); without it the tests that need a built site skip.
"""

from __future__ import annotations

import html.parser
import os
import pathlib
import re
import urllib.parse

REPO = pathlib.Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"

# Elements whose text is not prose: code keeps its backslashes, scripts and styles are not shown,
# and MathJax's assistive MathML repeats the rendered formula for screen readers.
_NOT_PROSE = {"script", "style", "pre", "code", "textarea", "mjx-assistive-mml", "kbd", "samp"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


def built_site() -> pathlib.Path | None:
    """The built HTML folder named by ``MOMENTRNN_DOCS_BUILD``, or None when unset."""
    value = os.environ.get("MOMENTRNN_DOCS_BUILD")
    if not value:
        return None
    path = pathlib.Path(value)
    if not path.is_absolute():
        path = REPO / path
    if not (path / "index.html").is_file():
        raise FileNotFoundError(
            f"MOMENTRNN_DOCS_BUILD={value!r} holds no index.html: build the docs first "
            "(python -m sphinx -b html docs docs/_build/html)")
    return path


class Page(html.parser.HTMLParser):
    """One HTML document: prose text, element counts by tag and class, ids and links."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.text_parts: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.tags: dict[str, int] = {}
        self.math_sources = 0  # elements Sphinx marks as math (spans and divs of class "math")
        self._skip: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href") is not None:
            self.links.append(attrs["href"])
        if tag in ("span", "div") and "math" in (attrs.get("class") or "").split():
            self.math_sources += 1
        if tag in _VOID:
            return
        if tag in _NOT_PROSE or self._skip:
            self._skip.append(tag)

    def handle_endtag(self, tag):
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data):
        if not self._skip:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(self.text_parts)


def read_page(path: pathlib.Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


# TeX left in the text a reader sees: MathJax's delimiters, environments, or control words.
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\\begin\{|\\end\{|\\(?:frac|sum|int|mathrm|hat|mu|"
                     r"delta|Theta|le|ge|dots|cdots|operatorname|begin|top)\b")


def raw_tex(text: str) -> list[str]:
    """Excerpts of ``text`` around each piece of unrendered TeX."""
    return [text[max(0, m.start() - 40): m.end() + 40] for m in RAW_TEX.finditer(text)]


def broken_links(site: pathlib.Path, page_path: pathlib.Path, links: list[str],
                 cache: dict[pathlib.Path, set[str]] | None = None) -> list[str]:
    """Internal links of ``page_path`` whose file or anchor does not exist in ``site``."""
    cache = {} if cache is None else cache
    broken = []
    for href in links:
        parts = urllib.parse.urlsplit(href)
        if parts.scheme in ("http", "https", "mailto", "ftp", "data", "javascript"):
            continue
        if parts.scheme == "file":
            target = pathlib.Path(urllib.parse.unquote(parts.path))
        elif parts.path:
            target = (page_path.parent / urllib.parse.unquote(parts.path)).resolve()
        else:
            target = page_path.resolve()
        if target.is_dir():
            target = target / "index.html"
        try:
            target.relative_to(site.resolve())
        except ValueError:
            broken.append(f"{href} (leaves the site)")
            continue
        if not target.is_file():
            broken.append(f"{href} (no file {target.relative_to(site.resolve())})")
            continue
        fragment = urllib.parse.unquote(parts.fragment)
        if fragment and target.suffix == ".html":
            if target not in cache:
                cache[target] = read_page(target).ids
            if fragment not in cache[target]:
                broken.append(f"{href} (no anchor #{fragment})")
    return broken
