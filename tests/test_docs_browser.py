"""The built docs as a reader sees them: pages opened in headless Chromium, after MathJax ran.

Needs a built site (``MOMENTRNN_DOCS_BUILD``, set by ``.ci/run``) and Chromium (Debian's
``chromium``, which ``.ci/run`` installs where apt is available). Without either the tests skip
and say which is missing. No network is used: MathJax is served from the site's own _static.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import tempfile

import pytest

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
