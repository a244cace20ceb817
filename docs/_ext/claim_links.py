"""Claim navigation for the momentrnn docs.

* One page per claim of the theory chapter (``claims/r1`` ... ``claims/m7``), generated at
  build time from ``proofs_checks/``: a link back to the claim, the source of its check and the
  tests that exercise it (found by reading ``tests/``), so the pages cannot drift from the code.
* Every mention of a claim in prose ("by R2", "(M2)", "R1–R14") becomes a link to the claim's
  section of the theory chapter; the literal ``proofs_checks/r1.py`` becomes a link to the claim's
  check page and a literal ``tests/...`` in a claim's section a link to its tests there.
"""

from __future__ import annotations

import ast
import pathlib
import re

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.util import logging

from proofs_checks.registry import LABELS, label_pattern

logger = logging.getLogger(__name__)

DOCS = pathlib.Path(__file__).resolve().parents[1]
REPO = DOCS.parent
OUT = DOCS / "claims"

CLAIM_RE = label_pattern()  # the registered labels (proofs_checks/registry.py)
CHECK_RE = re.compile(r"^proofs_checks/(" + "|".join(label.lower() for label in LABELS)
                      + r")\.py$")
TEST_RE = re.compile(r"^tests/(test_\w+)\.py(?:::(\w+))?$")
# Where a claim mention is not prose: code, math, existing links, targets, titles.
_SKIP = (nodes.literal, nodes.literal_block, nodes.math, nodes.math_block, nodes.reference,
         nodes.target, nodes.title, nodes.raw, nodes.comment, pending_xref, nodes.FixedTextElement)


def claim_modules() -> list[str]:
    """The registered claim ids with a check module, in the theory chapter's order."""
    return [label for label in LABELS
            if (REPO / "proofs_checks" / f"{label.lower()}.py").exists()]


def claim_title(claim: str) -> str:
    doc = ast.get_docstring(ast.parse((REPO / "proofs_checks" / f"{claim.lower()}.py")
                                      .read_text(encoding="utf-8"))) or claim
    return doc.splitlines()[0].rstrip(".")


def tests_for(claim: str) -> list[tuple[str, str]]:
    """(file, function) of each test that names the claim or its check module.

    A test names the claim in its body (``R5``, ``CLAIMS["R5"]``, ``proofs_checks.r5``) or in
    its function name (``test_gd_imbalance_identity_R5_at_mp``, ``..._breaks_r2``).
    """
    body = re.compile(rf"(?<![A-Za-z0-9]){claim}(?![0-9])|proofs_checks\.{claim.lower()}\b")
    name = re.compile(rf"(?<![a-z0-9]){claim.lower()}(?![0-9])", re.I)
    found = []
    for path in sorted((REPO / "tests").glob("test_*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        # module-level tables that a parametrised test runs over (e.g. a list of patches)
        tables = {target.id for node in tree.body if isinstance(node, ast.Assign)
                  for target in node.targets if isinstance(target, ast.Name)
                  if body.search(ast.get_source_segment(source, node) or "")}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                segment = ast.get_source_segment(source, node) or ""
                params = {n.id for d in node.decorator_list for n in ast.walk(d)
                          if isinstance(n, ast.Name)}
                if name.search(node.name[5:]) or body.search(segment) or params & tables:
                    found.append((path.name, node.name))
    return found


def _page(claim: str) -> str:
    low = claim.lower()
    lines = [f"({low}-check)=", f"# {claim}: the check and its tests", "",
             "The claim, its statement and its proof or evidence: "
             f"{{ref}}`{claim} in the theory chapter <{claim}>`.",
             f"Run the check alone with `momentrnn check --only {claim}` (add `--quick` for the "
             "small grid).", "", f"({low}-tests)=", "## Tests", ""]
    tests = tests_for(claim)
    lines.append("Every check's cases and negative controls also run in "
                 "`tests/test_checks.py::test_claim_passes_and_controls_fail`.")
    lines.append("")
    for file, name in tests:
        lines += [f"({low}-{name.replace('_', '-').lower()})=", f"### `tests/{file}::{name}`", "",
                  f"```{{literalinclude}} ../../tests/{file}", ":language: python",
                  f":pyobject: {name}", "```", ""]
    if not tests:
        lines += ["No test names this claim on its own.", ""]
    lines += [f"({low}-source)=", f"## Source: `proofs_checks/{low}.py`", "",
              f"```{{literalinclude}} ../../proofs_checks/{low}.py", ":language: python",
              ":linenos:", "```", ""]
    return "\n".join(lines)


def _index(claims: list[str]) -> str:
    lines = ["# The checks: source and tests", "",
             "One page per claim of the {doc}`theory chapter <../theory>`: the source of the "
             "module of `proofs_checks/` that checks it and the tests that exercise it. "
             "These pages are generated from the code at each build.", "",
             "```{toctree}", ":maxdepth: 1", ""]
    lines += [claim.lower() for claim in claims]
    lines += ["```", ""]
    return "\n".join(lines)


def _write(path: pathlib.Path, text: str) -> None:
    # Rewritten only when changed, so that an unchanged page is not re-read on a rebuild.
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def generate(app) -> None:
    OUT.mkdir(exist_ok=True)
    claims = claim_modules()
    _write(OUT / "index.md", _index(claims))
    for claim in claims:
        _write(OUT / f"{claim.lower()}.md", _page(claim))


def _xref(reftype: str, target: str, child: nodes.Node, docname: str) -> nodes.inline:
    """A placeholder resolved to a link to the label ``target`` once every label is known.

    (Sphinx's own reference resolution would replace a code literal by plain text.)
    """
    ref = nodes.inline("", "", classes=["claim-link"], claimtarget=target)
    ref += child
    return ref


def resolve(app, doctree, fromdocname) -> None:
    labels = app.env.domaindata["std"]["labels"]
    for holder in list(doctree.findall(nodes.inline)):
        target = holder.get("claimtarget")
        if target is None:
            continue
        child = holder.children[0].deepcopy()
        target = next((t for t in target.split("|") if t in labels), target)
        if target not in labels:
            logger.warning("claim link to an unknown label %r", target, location=holder)
            holder.replace_self(child)
            continue
        docname, anchor, _ = labels[target]
        uri = app.builder.get_relative_uri(fromdocname, docname) + "#" + anchor
        ref = nodes.reference("", "", internal=True, refuri=uri, classes=["claim-link"])
        ref += child
        holder.replace_self(ref)


def _enclosing_claim(node: nodes.Node) -> str | None:
    while node is not None:
        if isinstance(node, nodes.section):
            for ident in node.get("ids", []):
                if CLAIM_RE.fullmatch(ident.upper()):
                    return ident.upper()
        node = node.parent
    return None


def _ancestors(node: nodes.Node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def _skipped(node: nodes.Node) -> bool:
    while node is not None:
        if isinstance(node, _SKIP):
            return True
        node = node.parent
    return False


def link_claims(app, doctree) -> None:
    docname = app.env.docname
    known = set(claim_modules())
    for literal in list(doctree.findall(nodes.literal)):
        if isinstance(literal.parent, (nodes.reference, pending_xref)):
            continue
        text = literal.astext()
        check = CHECK_RE.match(text)
        if check and check.group(1).upper() in known:
            low = check.group(1)
            link = _xref("ref", f"{low}-source", literal.deepcopy(), docname)
            # beside the source, a link to the tests of the claim: "proofs_checks/r1.py [tests]"
            tests = nodes.inline("", "", classes=["claim-tests"])
            tests += nodes.Text(" [")
            tests += _xref("ref", f"{low}-tests", nodes.inline("tests", "tests"), docname)
            tests += nodes.Text("]")
            literal.replace_self([link, tests])
            continue
        test = TEST_RE.match(text)
        claim = _enclosing_claim(literal) if test else None
        if test and claim in known:
            # the test's own entry on the claim's page if it has one (decided when the labels
            # are known, so that a cached page follows the test list), else the tests section
            name = test.group(2)
            targets = [f"{claim.lower()}-tests"]
            if name:
                targets.insert(0, f"{claim.lower()}-{name.replace('_', '-').lower()}")
            literal.replace_self(_xref("ref", "|".join(targets), literal.deepcopy(), docname))
    for text in list(doctree.findall(nodes.Text)):
        if (_skipped(text.parent) or not CLAIM_RE.search(text.astext())
                or any(holder.get("claimtarget") for holder in _ancestors(text))):
            continue
        pieces: list[nodes.Node] = []
        source = text.astext()
        last = 0
        for match in CLAIM_RE.finditer(source):
            if match.group(1) not in known:
                continue
            pieces.append(nodes.Text(source[last:match.start()]))
            pieces.append(_xref("ref", match.group(1).lower(),
                                nodes.inline(match.group(1), match.group(1)), docname))
            last = match.end()
        if not pieces:
            continue
        pieces.append(nodes.Text(source[last:]))
        parent = text.parent
        index = parent.index(text)
        parent.remove(text)
        for offset, piece in enumerate(pieces):
            parent.insert(index + offset, piece)


def setup(app):
    app.connect("builder-inited", generate)
    app.connect("doctree-read", link_claims)
    app.connect("doctree-resolved", resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
