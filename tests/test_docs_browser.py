"""The built docs as a reader sees them: pages opened in headless Chromium, after MathJax ran.

Needs a built site (``MOMENTRNN_DOCS_BUILD``, set by ``.ci/run``) and Chromium (Debian's
``chromium``, which ``.ci/run`` installs where apt is available). Without either the tests skip
and say which is missing. No network is used: MathJax is served from the site's own _static.
"""

from __future__ import annotations

import html
import json
import pathlib
import re
import shutil
import subprocess
import tempfile

import pytest

from proofs_checks.registry import LABELS

from .docs_site import Page, broken_links, built_site, raw_tex, read_page

# The theory chapter, a guide with math, the API page of recover_measure, two gallery pages.
PAGES = ["theory.html", "guide/moments.html", "api.html", "auto_examples/plot_conditioning.html",
         "auto_examples/plot_gauss_legendre.html"]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--hide-scrollbars", "--mute-audio"]
# Virtual time lets MathJax's deferred script and its asynchronous typesetting finish before the
# DOM is dumped; a page that is still unrendered then fails the test rather than passing.
BUDGET_MS = 30000


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def site() -> pathlib.Path:
    path = built_site()
    if path is None:
        pytest.skip("MOMENTRNN_DOCS_BUILD is not set: build the docs and point it at the HTML "
                    "folder (the docs step of .ci/run does both)")
    return path


@pytest.fixture(scope="module")
def chromium() -> str:
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium on PATH: install Debian's 'chromium' package (as root: "
                    "apt-get install chromium) to run the browser tests")
    return exe


def _run(exe: str, profile: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def rendered(site, chromium) -> dict[str, Page]:
    """Each page's DOM after MathJax, and a screenshot of it under docs/_build/screenshots."""
    shots = site.parent / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    pages = {}
    with tempfile.TemporaryDirectory() as profile:
        for name in PAGES:
            url = (site / name).resolve().as_uri()
            out = _run(chromium, profile, f"--virtual-time-budget={BUDGET_MS}", "--dump-dom", url)
            assert out.returncode == 0 and "</html>" in out.stdout, (
                f"Chromium could not render {name}: exit {out.returncode}\n{out.stderr[-2000:]}")
            pages[name] = Page(out.stdout)
            png = shots / (name.replace("/", "_").removesuffix(".html") + ".png")
            _run(chromium, profile, f"--virtual-time-budget={BUDGET_MS}",
                 "--window-size=1280,2400", f"--screenshot={png}", url)
    return pages


@pytest.mark.parametrize("name", PAGES)
def test_math_is_rendered(rendered, site, name):
    page = rendered[name]
    source = read_page(site / name)
    assert source.math_sources > 0, f"{name} was chosen for its math but the built page has none"
    rendered_math = page.tags.get("mjx-container", 0)
    assert rendered_math >= source.math_sources, (
        f"{name}: {source.math_sources} math elements in the page, {rendered_math} rendered by "
        "MathJax (is MathJax served from _static? see docs/conf.py)")
    assert page.tags.get("mjx-merror", 0) == 0, f"{name}: MathJax reports a TeX error"
    left = raw_tex(page.text)
    assert not left, f"{name}: raw TeX in the rendered text: {left[:5]}"


@pytest.mark.parametrize("name", PAGES)
def test_internal_links_resolve(rendered, site, name):
    broken = broken_links(site, site / name, rendered[name].links)
    assert not broken, f"{name}: broken internal links: {broken[:10]}"


def test_screenshots_written(rendered, site):
    shots = site.parent / "screenshots"
    for name in PAGES:
        png = shots / (name.replace("/", "_").removesuffix(".html") + ".png")
        assert png.is_file() and png.stat().st_size > 10_000, f"no screenshot of {name}"
        with open(png, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_detects_raw_math(chromium, tmp_path):
    """Negative control: a page whose MathJax cannot load keeps its TeX and fails the checks."""
    page = tmp_path / "page.html"
    page.write_text('<html><head><script defer src="_static/missing/tex-chtml.js"></script>'
                    '</head><body><p>Text <span class="math">\\(\\Theta = (A,B,C)\\)</span>'
                    '<a href="other.html#nowhere">x</a></p></body></html>')
    with tempfile.TemporaryDirectory() as profile:
        out = _run(chromium, profile, "--virtual-time-budget=5000", "--dump-dom",
                   page.resolve().as_uri())
    dom = Page(out.stdout)
    assert dom.tags.get("mjx-container", 0) == 0
    assert raw_tex(dom.text)
    assert broken_links(tmp_path, page, dom.links)


# ---------------------------------------------------------------------------------------------
# Layout at a desktop width: the pages a reader meets first, the guides with tables, every claim
# page. Each page is opened at 1400 px with a probe script appended (in a copy of the page, whose
# <base> points back into the site, so that the site itself is not touched); the probe waits for
# MathJax, measures the page and writes what it saw into the DOM that Chromium dumps.

CLAIM_PAGES = [f"claims/{label.lower()}.html" for label in LABELS]
LAYOUT_PAGES = ["index.html", "getting_started.html", "architecture.html", "numerics.html",
                "guide/bounds.html", "guide/checks.html",
                "auto_examples/plot_certified_recovery.html", *CLAIM_PAGES]
WIDTH = 1400

_PROBE = """<script>
window.addEventListener("load", function () {
  function rect(e) { var q = e.getBoundingClientRect(); return [q.left, q.top, q.right, q.bottom]; }
  function measure() {
    var de = document.documentElement, out = {scrollWidth: de.scrollWidth,
      clientWidth: de.clientWidth, tables: [], sticking_out: [], nav: [], mtext: []};
    document.querySelectorAll("div.body table").forEach(function (t) {
      var parts = Array.prototype.slice.call(t.rows);
      if (t.caption) { parts.push(t.caption); }
      var u = [Infinity, Infinity, -Infinity, -Infinity];
      parts.forEach(function (e) { var q = rect(e); u = [Math.min(u[0], q[0]),
        Math.min(u[1], q[1]), Math.max(u[2], q[2]), Math.max(u[3], q[3])]; });
      var clipped = [];
      for (var a = t; a && a !== document.body; a = a.parentElement) {
        var ox = getComputedStyle(a).overflowX;
        if (ox === "auto" || ox === "scroll" || ox === "hidden" || ox === "clip") {
          clipped.push([a.tagName + "." + a.className, ox, rect(a)[2]]);
        }
      }
      var head = t.rows.length ? t.rows[0].textContent : "";
      out.tables.push({box: rect(t), rows: u, clips: clipped,
        head: head.replace(/\\s+/g, " ").trim().slice(0, 80)});
    });
    document.querySelectorAll("div.body *").forEach(function (e) {
      if (out.sticking_out.length < 5 && rect(e)[2] > de.clientWidth + 1) {
        out.sticking_out.push(e.tagName + ": " + e.textContent.trim().slice(0, 80));
      }
    });
    document.querySelectorAll("div.sphinxsidebar li.toctree-l1 > a").forEach(function (a) {
      out.nav.push([a.getAttribute("href"), a.textContent.trim()]);
    });
    document.querySelectorAll("mjx-assistive-mml mtext").forEach(function (m) {
      out.mtext.push(m.textContent);
    });
    var p = document.createElement("pre");
    p.id = "momentrnn-layout-probe";
    p.hidden = true;
    p.textContent = JSON.stringify(out);
    document.body.appendChild(p);
  }
  var ready = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
  ready.then(function () { setTimeout(measure, 300); });
});
</script>"""


def _shot_name(name: str, width: int = WIDTH) -> str:
    return name.replace("/", "_").removesuffix(".html") + f"_{width}px.png"


@pytest.fixture(scope="module")
def layout(site, chromium) -> dict[str, dict | None]:
    """What the probe measured on each of LAYOUT_PAGES at 1400 px, with a screenshot of each
    (None for a page the site lacks)."""
    shots = site.parent / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    found = {}
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as profile:
        for i, name in enumerate(LAYOUT_PAGES):
            page = site / name
            if not page.is_file():
                found[name] = None
                continue
            source = page.read_text(encoding="utf-8")
            base = f'<base href="{page.parent.resolve().as_uri()}/">'
            source = source.replace("<head>", "<head>" + base, 1).replace(
                "</body>", _PROBE + "</body>", 1)
            copy = pathlib.Path(tmp) / f"probe{i}.html"
            copy.write_text(source, encoding="utf-8")
            png = shots / _shot_name(name)
            out = _run(chromium, profile, f"--virtual-time-budget={BUDGET_MS}",
                       f"--window-size={WIDTH},2400", f"--screenshot={png}", "--dump-dom",
                       copy.as_uri())
            match = re.search(r'<pre id="momentrnn-layout-probe"[^>]*>(.*?)</pre>', out.stdout,
                              re.S)
            assert match, (f"the layout probe did not report on {name}: exit {out.returncode}\n"
                           f"{out.stderr[-2000:]}")
            found[name] = json.loads(html.unescape(match.group(1)))
    return found


@pytest.mark.parametrize("name", LAYOUT_PAGES)
def test_no_page_scrolls_sideways_at_1400px(layout, name):
    got = layout[name]
    assert got is not None, f"{name} is not in the built site"
    assert got["scrollWidth"] <= got["clientWidth"] + 1, (
        f"{name} is {got['scrollWidth']} px wide in a {got['clientWidth']} px window; sticking "
        f"out: {got['sticking_out']}")


@pytest.mark.parametrize("name", LAYOUT_PAGES)
def test_tables_have_no_empty_frame_and_are_not_cut_off(layout, name):
    assert layout[name] is not None, f"{name} is not in the built site"
    for table in layout[name]["tables"]:
        box, rows = table["box"], table["rows"]
        # the table's box (what its frame is drawn around) hugs its rows: no empty band
        spare_w = (box[2] - box[0]) - (rows[2] - rows[0])
        spare_h = (box[3] - box[1]) - (rows[3] - rows[1])
        assert spare_w <= 8 and spare_h <= 8, (
            f"{name}: table {table['head']!r} is drawn {spare_w:.0f} px wider and {spare_h:.0f} px "
            f"taller than its rows (box {box}, rows {rows})")
        # at 1400 px every table fits its column: no column is hidden behind a scroll (and
        # would a table scroll, it would do so inside its box, never past a clipping edge)
        assert rows[2] <= box[2] + 1, (
            f"{name}: table {table['head']!r} is cut off at 1400 px: its rows end at "
            f"{rows[2]:.0f} px, its box at {box[2]:.0f} px")
        if rows[2] > box[2] + 1:
            assert table["clips"] and table["clips"][0][1] in ("auto", "scroll"), (
                f"{name}: table {table['head']!r} is cut off: its rows end at {rows[2]:.0f} px, "
                f"its box at {box[2]:.0f} px, and it does not scroll ({table['clips']})")
        for what, overflow, right in table["clips"]:
            assert right >= min(rows[2], box[2]) - 1 or overflow in ("auto", "scroll"), (
                f"{name}: table {table['head']!r} is cut off at {right:.0f} px by {what}")


@pytest.mark.parametrize("name", LAYOUT_PAGES)
def test_no_raw_escaped_underscore(layout, rendered_layout_text, name):
    assert layout[name] is not None, f"{name} is not in the built site"
    texts = [t for t in layout[name]["mtext"] if "\\" in t]
    assert not texts, f"{name}: math text shows TeX escapes literally: {texts[:5]}"
    prose = rendered_layout_text[name]
    at = prose.find("\\_")
    assert at < 0, f"{name}: raw '\\_' in the text: {prose[max(0, at - 40):at + 40]!r}"


@pytest.fixture(scope="module")
def rendered_layout_text(site) -> dict[str, str]:
    return {name: read_page(site / name).text for name in LAYOUT_PAGES if (site / name).is_file()}


def test_getting_started_is_first_in_navigation(layout, site):
    assert layout["getting_started.html"] is not None, "the site has no getting_started.html"
    nav = layout["index.html"]["nav"]
    assert nav and nav[0][0].split("#")[0] == "getting_started.html", (
        f"the first entry of the navigation is {nav[:1]}, not the getting-started page")
    assert nav[0] == layout["architecture.html"]["nav"][0], "the navigation differs between pages"
    index = read_page(site / "index.html")
    first_links = [h for h in index.links if h.split("#")[0].endswith(".html")]
    assert first_links and first_links[0].split("#")[0] == "getting_started.html", (
        f"the index's first link is {first_links[:1]}, not the getting-started page")


def test_no_combining_hat_in_the_text(rendered_layout_text):
    """A combining circumflex after a letter (d̂) is drawn as a caron or misplaced by the theme's
    fonts; hats are written as math ($\\hat d$)."""
    hats = {name: text[max(0, text.index("\u0302") - 20): text.index("\u0302") + 20]
            for name, text in rendered_layout_text.items() if "\u0302" in text}
    assert not hats, f"combining hats in the text: {hats}"


def test_certified_gallery_prints_balls_at_their_precision(site):
    """The Ball(60) example prints each enclosure with the digits it carries, not at flint's
    default 53 bits ('[0.333333333333333 +/- 3.34e-16]')."""
    page = site / "auto_examples" / "plot_certified_recovery.html"
    text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
    radii = [float(r) for r in re.findall(r"\+/- ([0-9.]+e[-+]?[0-9]+)\]", text)]
    assert len(radii) >= 6, f"expected six printed balls, found {len(radii)}"
    assert max(radii) < 1e-50, f"balls printed with radii up to {max(radii):.3g}"


def test_cited_benchmark_columns_are_shown(site):
    """A page that names a benchmark's column shows it: numerics.html cites the 'honest' verdict."""
    page = (site / "numerics.html").read_text(encoding="utf-8")
    cells = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in
             re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", page, re.S)]
    text = read_page(site / "numerics.html").text
    for column in re.findall(r'column "([^"]+)"', text) + (["honest"] if "honest" in text else []):
        assert any(column in cell for cell in cells), (
            f"numerics.html cites the column {column!r} but no table on the page shows it")


def test_layout_screenshots_written(layout, site):
    for name in LAYOUT_PAGES:
        assert layout[name] is not None, f"{name} is not in the built site"
        png = site.parent / "screenshots" / _shot_name(name)
        assert png.is_file() and png.stat().st_size > 10_000, f"no screenshot of {name}"
