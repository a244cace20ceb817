"""The docs hold what the code points at: equation labels, claim anchors, links back from checks.

The first tests read the sources and run in the default suite; those marked ``built`` read a
built site (``MOMENTRNN_DOCS_BUILD``, set by ``.ci/run`` after the docs build) and skip without.
"""

from __future__ import annotations

import re

import pytest

from proofs_checks.registry import LABELS, label_pattern

from .docs_site import DOCS, REPO, broken_links, built_site, read_page

CODE_DIRS = ["momentrnn", "proofs_checks", "examples", "benchmarks"]
# An equation label named in code: ``eq-name`` or :eq:`eq-name`.
CODE_LABEL = re.compile(r"(?:``|:eq:`)(eq-[a-z0-9]+(?:-[a-z0-9]+)*)`")
# A label defined in the docs: MyST's "$$ ... $$ (eq-name)" or a math directive's ":label:".
DOC_LABEL = re.compile(r"\$\$\s*\((eq-[a-z0-9-]+)\)\s*$|^:label:\s*(eq-[a-z0-9-]+)\s*$", re.M)
CLAIM_FILE = re.compile(r"^([rm]\d{1,2})\.py$")


def _code_labels() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for folder in CODE_DIRS:
        for path in sorted((REPO / folder).rglob("*.py")):
            for label in CODE_LABEL.findall(path.read_text(encoding="utf-8")):
                found.setdefault(label, []).append(str(path.relative_to(REPO)))
    return found


def _doc_labels() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(DOCS.rglob("*.md")):
        if "_build" in path.parts or "claims" in path.parts:
            continue
        for match in DOC_LABEL.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(1) or match.group(2), []).append(path.name)
    return found


def _claims() -> list[str]:
    return sorted(m.group(1).upper() for p in (REPO / "proofs_checks").iterdir()
                  if (m := CLAIM_FILE.match(p.name)))


def test_code_names_equation_labels():
    # Guards against a scan that finds nothing and so passes whatever the docs hold.
    assert {"eq-prony", "eq-woodbury", "eq-loss"} <= set(_code_labels())


def test_every_equation_label_named_in_code_is_defined_once_in_the_docs():
    defined = _doc_labels()
    missing = {label: where for label, where in _code_labels().items() if label not in defined}
    assert not missing, f"labels named in code but defined nowhere in docs/: {missing}"
    twice = {label: where for label, where in defined.items() if len(where) > 1}
    assert not twice, f"labels defined more than once: {twice}"


def test_label_scan_sees_a_missing_label(tmp_path):
    """Negative control: a label that no page defines is reported."""
    text = 'r"""Uses the identity (:eq:`eq-not-in-the-docs`) and ``eq-prony``."""'
    assert CODE_LABEL.findall(text) == ["eq-not-in-the-docs", "eq-prony"]
    assert "eq-not-in-the-docs" not in _doc_labels()


def test_every_claim_has_an_anchor_and_a_heading_in_the_theory_chapter():
    theory = (DOCS / "theory.md").read_text(encoding="utf-8")
    claims = _claims()
    assert claims == sorted(LABELS), claims  # a check module for every registered claim
    for claim in claims:
        assert re.search(rf"^\({claim}\)=\n### {claim}\. ", theory, re.M), (
            f"{claim}: no '({claim})=' anchor directly above its '### {claim}.' heading")
        section = theory.split(f"### {claim}. ", 1)[1].split("\n### ", 1)[0]
        assert f"`proofs_checks/{claim.lower()}.py`" in section, (
            f"{claim}: its section does not name its check module")


def test_every_check_links_back_to_its_claim():
    for claim in _claims():
        source = (REPO / "proofs_checks" / f"{claim.lower()}.py").read_text(encoding="utf-8")
        docstring = source.split('"""', 2)[1]
        assert f"theory.html#{claim.lower()}" in docstring, (
            f"proofs_checks/{claim.lower()}.py: the docstring does not link to its claim")


# -- a built site ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site():
    path = built_site()
    if path is None:
        pytest.skip("MOMENTRNN_DOCS_BUILD is not set: build the docs and point it at the HTML "
                    "folder (the docs step of .ci/run does both)")
    return path


def test_built_site_defines_every_label_named_in_code(site):
    ids = set()
    for page in site.rglob("*.html"):
        ids |= read_page(page).ids
    missing = sorted(label for label in _code_labels() if f"equation-{label}" not in ids)
    assert not missing, f"equations named in code but absent from the built docs: {missing}"


def test_built_site_has_no_broken_internal_link(site):
    cache: dict = {}
    broken = {}
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        bad = broken_links(site, page, read_page(page).links, cache)
        if bad:
            broken[str(page.relative_to(site))] = bad[:5]
    assert not broken, f"broken internal links: {broken}"


def test_every_claim_is_one_click_from_the_index_and_links_to_its_check(site):
    index = read_page(site / "index.html").links
    theory = read_page(site / "theory.html")
    for claim in _claims():
        low = claim.lower()
        assert f"theory.html#{low}" in index, f"{claim}: not listed on the index page"
        assert low in theory.ids
        assert f"claims/{low}.html#{low}-source" in theory.links, (
            f"{claim}: the theory chapter does not link to its check's source")
        assert f"claims/{low}.html#{low}-tests" in theory.links, (
            f"{claim}: the theory chapter does not link to its check's tests")
        page = read_page(site / "claims" / f"{low}.html")
        assert f"../theory.html#{low}" in page.links, f"{claim}: check page has no link back"
        assert f"{low}-source" in page.ids and f"{low}-tests" in page.ids
        # every test the theory chapter names for the claim is shown on the claim's page
        section = (DOCS / "theory.md").read_text(encoding="utf-8").split(
            f"### {claim}. ", 1)[1].split("\n### ", 1)[0]
        for test in re.findall(r"`tests/test_\w+\.py::(test_\w+)`", section):
            assert f"{low}-{test.replace('_', '-').lower()}" in page.ids, (
                f"{claim}: {test}, named in the theory chapter, is not on its check page")
        html = (site / "claims" / f"{low}.html").read_text(encoding="utf-8")
        assert "CLAIM" in html and "Claim" in html, f"{claim}: check page lacks the source"


def test_no_range_written_with_two_dots_in_rendered_math(site):
    # MathJax sets "m_0..m_N" as "m_0. . m_N"; ranges are written with \dots.
    two_dots = re.compile(r'class="math[^"]*">([^<]*?[^.\s/]\.\.[^./][^<]*)<')
    found = {}
    for page in sorted(site.rglob("*.html")):
        hits = two_dots.findall(page.read_text(encoding="utf-8"))
        if hits:
            found[str(page.relative_to(site))] = hits[:3]
    assert not found, f"ranges written with '..' in math: {found}"


def test_theory_sidebar_lists_every_claim(site):
    html = (site / "theory.html").read_text(encoding="utf-8")
    sidebar = html[html.index('class="sphinxsidebar"'):]
    listed = set(re.findall(r'href="#([rm]\d{1,2})"', sidebar))
    assert listed == {c.lower() for c in _claims()}, sorted(listed)


def test_gallery_has_real_thumbnails_and_no_repr_output(site):
    index = (site / "auto_examples" / "index.html").read_text(encoding="utf-8")
    assert "no_image" not in index, "an example has the placeholder thumbnail (it draws nothing)"
    for page in sorted((site / "auto_examples").glob("plot_*.html")):
        text = read_page(page)
        shown = page.read_text(encoding="utf-8")
        assert "&lt;matplotlib." not in shown and "<matplotlib." not in text.text, (
            f"{page.name}: the repr of a matplotlib object is shown as output")


def test_every_claim_mention_in_prose_is_a_link(site):
    claim = label_pattern()
    # links, headings, code and math (a claim inside a formula cannot be a link)
    strip = re.compile(r"<(a|h[1-6]|pre|code|script|style)\b.*?</\1>"
                       r"|<(span|div) class=\"math[^\"]*\"[^>]*>.*?</\2>", re.S)
    pages = ["theory.html", "numerics.html", "api.html"] + [
        f"guide/{p.stem}.html" for p in (DOCS / "guide").glob("*.md")]
    bare = {}
    for name in pages:
        html = (site / name).read_text(encoding="utf-8")
        body = html[html.index('<div class="body"'):html.index('class="sphinxsidebar"')]
        text = re.sub(r"<[^>]+>", " ", strip.sub(" ", body))
        hits = [text[max(0, m.start() - 30): m.end() + 30] for m in claim.finditer(text)]
        if hits:
            bare[name] = hits[:3]
    assert not bare, f"claim mentions that are not links: {bare}"


def test_theory_section_on_flow_proofs_states_the_numbers_the_code_uses():
    """The theory chapter's section on FlowProof (linked from the prove guide) quotes the
    constants of the validated step and of the local argument as the code has them."""
    import inspect
    from fractions import Fraction

    from momentrnn.prove import converge, flow_proof, validated

    theory = (DOCS / "theory.md").read_text(encoding="utf-8")
    assert re.search(r"^\(flow-proof\)=\n## Proved flows: what a `FlowProof` proves$", theory,
                     re.M)
    section = theory.split("(flow-proof)=", 1)[1].split("\n## ", 2)[1]
    assert "{ref}`flow-proof`" in (DOCS / "guide" / "prove.md").read_text(encoding="utf-8")
    for topic in ("A-priori enclosure, checked", "Lagrange remainder", "QR-Lohner",
                  "Outward rounding", "The statements at $T$", "the local argument",
                  "What is not proved", "R11"):
        assert topic in section, topic
    # margins 2^-40, ..., 2^-5 of the local argument
    assert converge.MARGINS[0] == Fraction(1, 2**40) and converge.MARGINS[-1] == Fraction(1, 2**5)
    assert "2^{-40}, 2^{-39}, \\dots, 2^{-5}" in section
    # steps are multiples of 2^-24; six a-priori candidates, the first inflated by half
    assert validated.STEP_QUANTUM == Fraction(1, 2**24) and "multiple of $2^{-24}$" in section
    a_priori = inspect.getsource(validated.ValidatedFlow.a_priori)
    assert "range(6)" in a_priori and "_inflate(g, 0.5)" in a_priori
    assert "up to six candidates" in section and "inflated\n   by half its radius" in section
    # the remainder budget beta h / T, default 1e-12
    default = inspect.signature(flow_proof.prove_flow).parameters["remainder_budget"].default
    assert default == 1e-12 and "\\beta h / T" in section and "default $10^{-12}$" in section
    # the candidate eigenvalue bound 0.9 (lambda_min - ||rad||_F), then proved by LDL^T
    assert "Fraction(0.9 * (lam - float(spread)))" in inspect.getsource(
        converge._smallest_eigenvalue)
    assert "$0.9(\\lambda_{\\min}(H_0) - \\|\\mathrm{rad}\\|_F)$" in section
    # tails below 2^-1074 counted as 2^-1074
    assert flow_proof.TINY_TAIL_BITS == 1074 and "$2^{-1074}$" in section
