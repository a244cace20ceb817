"""Mutation score by procedure: one-line mutants placed by ``ast`` across every module.

Unlike ``bench_mutation.py`` (a hand-written list), the mutants here are chosen by a rule:
each module of ``momentrnn/`` (and ``proofs_checks/harness.py``, ``proofs_checks/runner.py``)
is parsed with :mod:`ast` and every mutation site is listed:

- ``compare``: each comparison operator, swapped to its neighbour and to its negation
  (``<`` -> ``<=``, ``>=``; ``==`` <-> ``!=``; ``is`` <-> ``is not``; ``in`` <-> ``not in``);
- ``rounding``: each rounding direction (``floor`` <-> ``ceil``, ``ROUND_FLOOR`` <->
  ``ROUND_CEILING``, ``lower_text`` <-> ``upper_text``, mpmath/python-flint rounding letters
  ``'u'`` <-> ``'d'`` and ``'f'`` <-> ``'c'`` given as ``rnd=``/``rounding=``, the direction of
  ``math.nextafter``, the ``+1``/``-1`` direction passed to a function named ``*round*``);
- ``index``: each subscript index or slice bound, and each ``range()`` bound, plus 1 and minus 1;
- ``constant``: each other integer constant, plus 1;
- ``arith``: each binary and augmented ``+`` <-> ``-``;
- ``boolean``: each ``and`` <-> ``or``.

A candidate whose mutated module parses to the same tree as the original, or to the same text
as another candidate, is dropped as syntactically equivalent; ``x + 0``/``x - 0`` likewise.
Every other candidate can be drawn, also on lines that neither the test suite nor ``momentrnn
check --quick`` executes (such a mutant counts as not caught: the suite cannot see it). The
sample is drawn with a fixed seed, stratified per module (every module with a site gets at least
one mutant, the rest in proportion to its sites).

Killing: each mutant is written into a hard-linked scratch copy of the tree (never into the
work tree), then
1. the tests that executed the mutated line (from per-test coverage contexts) run with
   ``pytest -x``, fastest first, under a time limit; a failure catches it;
2. otherwise, the claims whose quick check executed the line run with
   ``momentrnn check --quick --only ...``; a verdict other than the clean tree's catches it.

Steps (each resumable; results are appended to a JSONL as they finish)::

    python benchmarks/bench_mutation_procedural.py collect   # coverage contexts (~15 min)
    python benchmarks/bench_mutation_procedural.py list      # the sites, per module
    python benchmarks/bench_mutation_procedural.py run [--count 130] [--seed 0] [--budget 3600]
    python benchmarks/bench_mutation_procedural.py report --markdown benchmarks/recorded/mutation.md

``collect`` needs the ``coverage`` package (``pip install coverage``; not a dependency of the
package). Everything is written under ``--work`` (default ``/tmp/mut``).
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "_mutation"
EXTRA = ("proofs_checks/harness.py", "proofs_checks/runner.py")
PY = sys.executable

COMPARE = {
    ast.Lt: ("<", ["<=", ">="]), ast.LtE: ("<=", ["<", ">"]),
    ast.Gt: (">", [">=", "<="]), ast.GtE: (">=", [">", "<"]),
    ast.Eq: ("==", ["!="]), ast.NotEq: ("!=", ["=="]),
    ast.Is: ("is", ["is not"]), ast.IsNot: ("is not", ["is"]),
    ast.In: ("in", ["not in"]), ast.NotIn: ("not in", ["in"]),
}
ROUNDING_NAMES = {"floor": "ceil", "ceil": "floor", "ROUND_FLOOR": "ROUND_CEILING",
                  "ROUND_CEILING": "ROUND_FLOOR", "ROUND_UP": "ROUND_DOWN",
                  "ROUND_DOWN": "ROUND_UP", "lower_text": "upper_text",
                  "upper_text": "lower_text", "RoundUp": "RoundDown", "RoundDown": "RoundUp"}
ROUNDING_LETTERS = {"u": "d", "d": "u", "f": "c", "c": "f"}


@dataclass(frozen=True)
class Site:
    """One candidate mutant: replace bytes ``[start, end)`` of ``module`` by ``new``."""

    module: str
    line: int
    kind: str
    start: int
    end: int
    old: str
    new: str
    wrap_start: int = -1  # the expression around the change (the probe wraps it)
    wrap_end: int = -1

    @property
    def key(self) -> str:
        return f"{self.module}:{self.line}:{self.start}:{self.new}"


def modules(root: Path = ROOT) -> list[str]:
    found = sorted(str(p.relative_to(root)) for p in (root / "momentrnn").rglob("*.py"))
    return found + [m for m in EXTRA if (root / m).exists()]


class _Finder(ast.NodeVisitor):
    def __init__(self, module: str, src: bytes):
        self.module, self.src, self.sites = module, src, []
        self.starts = [0]
        for i, ch in enumerate(src):
            if ch == 10:
                self.starts.append(i + 1)
        self.done: set[int] = set()  # ids of constants already mutated as indices
        self.callees: set[int] = set()  # ids of the function expressions of calls

    def off(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col

    def span(self, node) -> tuple[int, int]:
        return (self.off(node.lineno, node.col_offset),
                self.off(node.end_lineno, node.end_col_offset))

    def add(self, node, kind, start, end, new, wrap=None):
        old = self.src[start:end].decode()
        ws, we = wrap if wrap is not None else (start, end)
        if old != new:
            self.sites.append(Site(self.module, node.lineno, kind, start, end, old, new, ws, we))

    def token_between(self, a: int, b: int, tokens: tuple[str, ...]) -> tuple[int, int] | None:
        """Position of the operator token in ``src[a:b]`` (outside comments and parentheses)."""
        text = self.src[a:b].decode()
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "#":
                j = text.find("\n", i)
                i = len(text) if j < 0 else j
                continue
            for t in tokens:
                if text.startswith(t, i):
                    after = text[i + len(t): i + len(t) + 1]
                    if t[-1].isalpha() and after and (after.isalnum() or after == "_"):
                        continue
                    pa = a + len(text[:i].encode())
                    return pa, pa + len(t.encode())
            i += 1
        return None

    # -- comparisons
    def visit_Compare(self, node):
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            name, repls = COMPARE[type(op)]
            a, b = self.span(left)[1], self.span(right)[0]
            words = ("is not", "not in", "is", "in") if name[0].isalpha() else (
                "<=", ">=", "==", "!=", "<", ">")
            pos = self.token_between(a, b, words)
            if pos is not None:
                for r in repls:
                    self.add(node, "compare", pos[0], pos[1], r, self.span(node))
            left = right
        self.generic_visit(node)

    # -- + / -
    def visit_BinOp(self, node):
        if isinstance(node.op, (ast.Add, ast.Sub)) and not _stringy(node):
            zero = isinstance(node.right, ast.Constant) and node.right.value == 0
            pos = self.token_between(self.span(node.left)[1], self.span(node.right)[0],
                                     ("+", "-"))
            if pos is not None and not zero:
                self.add(node, "arith", pos[0], pos[1], "-" if isinstance(node.op, ast.Add)
                         else "+", self.span(node))
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        if isinstance(node.op, (ast.Add, ast.Sub)) and not _stringy(node.value):
            pos = self.token_between(self.span(node.target)[1], self.span(node.value)[0],
                                     ("+=", "-="))
            if pos is not None:
                self.add(node, "arith", pos[0], pos[1], "-=" if isinstance(node.op, ast.Add)
                         else "+=", self.span(node.value))
        self.generic_visit(node)

    # -- and / or
    def visit_BoolOp(self, node):
        word = "and" if isinstance(node.op, ast.And) else "or"
        for left, right in zip(node.values, node.values[1:]):
            pos = self.token_between(self.span(left)[1], self.span(right)[0], (word,))
            if pos is not None:
                self.add(node, "boolean", pos[0], pos[1], "or" if word == "and" else "and",
                         self.span(node))
        self.generic_visit(node)

    # -- indices and range bounds
    def _shift(self, node, kind):
        a, b = self.span(node)
        text = self.src[a:b].decode()
        simple = isinstance(node, (ast.Name, ast.Constant, ast.Attribute, ast.Call,
                                   ast.Subscript))
        base = text if simple else f"({text})"
        if isinstance(node, ast.Constant) and type(node.value) is int:
            self.done.add(id(node))
            self.add(node, kind, a, b, str(node.value + 1))
            self.add(node, kind, a, b, str(node.value - 1))
        else:
            self.add(node, kind, a, b, f"{base} + 1")
            self.add(node, kind, a, b, f"{base} - 1")

    def visit_Subscript(self, node):
        sl = node.slice
        parts = ([sl.lower, sl.upper] if isinstance(sl, ast.Slice) else
                 list(sl.elts) if isinstance(sl, ast.Tuple) else [sl])
        for p in parts:
            if p is None:
                continue
            if isinstance(p, ast.Slice):
                for q in (p.lower, p.upper):
                    if q is not None and _intish(q):
                        self._shift(q, "index")
            elif _intish(p):
                self._shift(p, "index")
        self.generic_visit(node)

    def visit_Call(self, node):
        f = node.func
        self.callees.add(id(f))
        fname = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) \
            else ""
        if fname == "range":
            for arg in node.args[:2]:
                self._shift(arg, "index")
        if fname == "nextafter" and len(node.args) == 2:
            a, b = self.span(node.args[1])
            text = self.src[a:b].decode()
            new = text[1:].lstrip() if text.startswith("-") else f"-{text}"
            self.add(node, "rounding", a, b, new)
        if "round" in fname.lower() and fname != "round":
            for arg in node.args:
                if (isinstance(arg, ast.UnaryOp) and isinstance(arg.op, ast.USub)
                        and isinstance(arg.operand, ast.Constant) and arg.operand.value == 1):
                    self.done.add(id(arg.operand))
                    self.add(node, "rounding", *self.span(arg), "1")
                elif isinstance(arg, ast.Constant) and arg.value == 1 and type(arg.value) is int:
                    self.done.add(id(arg))
                    self.add(node, "rounding", *self.span(arg), "-1")
        for kw in node.keywords:
            if (kw.arg in ("rnd", "rounding") and isinstance(kw.value, ast.Constant)
                    and kw.value.value in ROUNDING_LETTERS):
                a, b = self.span(kw.value)
                q = self.src[a:a + 1].decode()
                self.add(node, "rounding", a, b, q + ROUNDING_LETTERS[kw.value.value] + q)
            if kw.arg in ("ceiling", "upward", "up") and isinstance(kw.value, ast.Constant) \
                    and isinstance(kw.value.value, bool):
                self.add(node, "rounding", *self.span(kw.value), str(not kw.value.value))
        self.generic_visit(node)

    def visit_Name(self, node):
        # a rounding function called by name, or a rounding-mode constant (not a variable
        # that happens to be called ``floor``)
        if node.id in ROUNDING_NAMES and isinstance(node.ctx, ast.Load) and (
                node.id.isupper() or id(node) in self.callees or node.id.endswith("_text")):
            self.add(node, "rounding", *self.span(node), ROUNDING_NAMES[node.id])

    def visit_Attribute(self, node):
        if node.attr in ROUNDING_NAMES and isinstance(node.ctx, ast.Load):
            a, b = self.span(node)
            text = self.src[a:b].decode()
            cut = text.rfind(node.attr)
            self.add(node, "rounding", a + len(text[:cut].encode()), b,
                     ROUNDING_NAMES[node.attr], (a, b))
        self.generic_visit(node)

    def visit_Constant(self, node):
        if type(node.value) is int and id(node) not in self.done:
            self.add(node, "constant", *self.span(node), str(node.value + 1))

    # docstrings, annotations and defaults of keyword-only flags are not code paths to mutate
    def visit_FunctionDef(self, node):
        for d in node.decorator_list:
            self.visit(d)
        self.visit(node.args)
        for stmt in node.body:
            self.visit(stmt)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_arg(self, node):
        return

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)


def _intish(node) -> bool:
    """An index that is an integer expression (not a string key, a mask or an Ellipsis)."""
    if isinstance(node, ast.Constant):
        return type(node.value) is int
    if isinstance(node, ast.UnaryOp):
        return _intish(node.operand)
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod)) and (
            _intish(node.left) or _intish(node.right))
    return isinstance(node, ast.Name) and node.id in {"i", "j", "k", "n", "m", "l", "q", "p",
                                                      "s", "e", "r", "t", "d", "N", "idx",
                                                      "index", "last", "rank", "size", "order",
                                                      "pos", "lag", "col", "row", "count",
                                                      "start", "stop", "end", "first", "h"}


def _stringy(node) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.JoinedStr) or (isinstance(sub, ast.Constant)
                                             and isinstance(sub.value, (str, bytes))):
            return True
    return False


PROBE = b'(getattr(__import__("builtins"), "_mut_hit", type(None))() or ('


def apply(src: bytes, site: Site, probe: bool = False) -> bytes:
    """The module with the mutant; with ``probe``, the changed expression is wrapped in a call
    that records that it was evaluated (it returns None, so ``None or (expr)`` is ``expr``)."""
    if not probe:
        return src[:site.start] + site.new.encode() + src[site.end:]
    return (src[:site.wrap_start] + PROBE + src[site.wrap_start:site.start] + site.new.encode()
            + src[site.end:site.wrap_end] + b"))" + src[site.wrap_end:])


def sites_of(module: str, root: Path = ROOT) -> tuple[list[Site], int]:
    """The candidate sites of a module, and how many were dropped as syntactically equivalent."""
    src = (root / module).read_bytes()
    tree = ast.parse(src)
    finder = _Finder(module, src)
    finder.visit(tree)
    # a one-token change stays inside one top-level statement: parse and compare only that
    # statement (top-level statements start at column 0, so their text parses alone)
    tops = [(finder.off(min([st.lineno] + [d.lineno for d in getattr(st, "decorator_list", [])]),
                        0), finder.off(st.end_lineno, st.end_col_offset)) for st in tree.body]
    originals: dict[int, str] = {}
    seen, kept, dropped = set(), [], 0
    for s in finder.sites:
        idx = next(i for i, (a, b) in enumerate(tops) if a <= s.start and s.end <= b)
        a, b = tops[idx]
        piece = Site(s.module, s.line, s.kind, s.start - a, s.end - a, s.old, s.new,
                     s.wrap_start - a, s.wrap_end - a)
        try:
            new_tree = ast.parse(apply(src[a:b], piece))
            ast.parse(apply(src[a:b], piece, probe=True))
        except SyntaxError:
            dropped += 1
            continue
        if idx not in originals:
            originals[idx] = ast.dump(ast.parse(src[a:b]))
        dump = ast.dump(new_tree)
        if dump == originals[idx] or (idx, dump) in seen:
            dropped += 1
            continue
        seen.add((idx, dump))
        kept.append(s)
    return kept, dropped


# ---------------------------------------------------------------- coverage contexts

def _coverage_env(base: Path, cov: Path) -> dict:
    """The environment of a coverage-collecting run in the copy ``base``."""
    return dict(os.environ, MUTCOV_DATA=str(cov / ".coverage"),
                MUTCOV_SOURCE=os.pathsep.join([str(base / "momentrnn"),
                                              str(base / "proofs_checks")]),
                PYTHONPATH=os.pathsep.join([str(base), str(base / "benchmarks" / "_mutation")]
                                           + [p for p in sys.path if "covlib" in p]),
                PYTHONDONTWRITEBYTECODE="1")


# tests that need a browser (and skip without one): left out of the collection
NEEDS_BROWSER = ("tests/test_docs_browser.py",)


def collect(work: Path) -> None:
    """Per-test line coverage of the suite, and per-claim coverage of ``check --quick``."""
    collect_tests(work)
    collect_checks(work)


def collect_tests(work: Path, paths: tuple[str, ...] = ("tests",), append: bool = False) -> None:
    """Per-test line coverage of the whole suite (slow tests included), collected once.

    A clean copy of the tree is made in ``work/base`` (the mutants are later written into
    hard-linked copies of it); the suite runs there once under ``coverage run`` with the
    ``covplugin`` pytest plugin, which names each test's coverage context after its node id.
    Python subprocesses that a test starts (the command-line tests) are measured too, by the
    ``sitecustomize.py`` beside the plugin, under the same test's context. The JUnit XML of the
    run gives each test's duration (the cheapest covering tests run first) and its outcome (a
    test that fails on the clean tree is never used to judge a mutant). With ``append``, the
    tests named are measured in the same clean copy and added to the contexts already collected
    (a collection continued in parts)."""
    base, cov = work / "base", work / "cov"
    part = ""
    if append:
        part = f".{int(time.time())}"
        (cov / "contexts.json").unlink(missing_ok=True)
    else:
        if base.exists():
            shutil.rmtree(base)
        _copy_clean(base)
        if cov.exists():  # a new collection: the old contexts describe another tree
            shutil.rmtree(cov)
        cov.mkdir(parents=True)
    env = _coverage_env(base, cov)
    ignore = [f"--ignore={t}" for t in NEEDS_BROWSER]
    if paths == ("tests",):  # smallest test files first: a run stopped early has seen the most
        paths = tuple(sorted((str(p.relative_to(base)) for p in (base / "tests").glob("test_*.py")
                              if str(p.relative_to(base)) not in NEEDS_BROWSER),
                             key=lambda t: ((base / t).stat().st_size, t)))
    t0 = time.time()
    proc = subprocess.run(["nice", "-n", "10", PY, "-m", "coverage", "run",
                           f"--data-file={cov / ('.coverage.main' + part)}",
                           "--source=momentrnn,proofs_checks", "-m", "pytest", "-p", "covplugin",
                           "-p", "no:cacheprovider", "-q",
                           f"--junitxml={cov / ('junit' + part + '.xml')}", *ignore, *paths],
                          cwd=base,
                          env=dict(env, MUTCOV_MAIN="1", MUTCOV_LOG=str(cov / "tests.jsonl")))
    print(f"suite under coverage: exit {proc.returncode}, {time.time() - t0:.0f} s", flush=True)


# run under ``coverage run`` by collect_checks: every claim's quick check in one process, each
# under its own coverage context (``CHECK:<label>``), switched as the runner starts the claim
_CHECKS_DRIVER = """
import json, sys
import coverage
from proofs_checks.runner import run_checks, select_claims

cov = coverage.Coverage.current()


def progress(line):
    if line.endswith(" ..."):  # "[i/n] LABEL ...": the claim about to run
        cov.switch_context("CHECK:" + line.split()[1])


report = run_checks(select_claims(",".join(sys.argv[2:]) or None), quick=True, seed=0, jobs=1,
                    progress=progress)
cov.switch_context("")
json.dump({o.label: o.verdict for o in report.outcomes}, open(sys.argv[1], "w"), indent=1)
"""


def collect_checks(work: Path) -> None:
    """Per-claim line coverage of ``momentrnn check --quick`` (seed 0, one process), and the
    clean tree's verdicts. The claims run one after another in one process, as ``check
    --only`` runs them for a mutant; a line that an earlier claim's run left cached is
    counted for that claim only."""
    base, cov = work / "base", work / "cov"
    env = _coverage_env(base, cov)
    driver = cov / "checks_driver.py"
    driver.write_text(_CHECKS_DRIVER)
    t0 = time.time()
    proc = subprocess.run(["nice", "-n", "10", PY, "-m", "coverage", "run",
                           f"--data-file={cov / '.coverage.checks'}",
                           "--source=momentrnn,proofs_checks", str(driver),
                           str(cov / "check_baseline.json")], cwd=base,
                          env=dict(env, MUTCOV_MAIN="1", MUTCOV_CONTEXT="CHECK:subprocess"))
    (cov / "contexts.json").unlink(missing_ok=True)
    print(f"quick check under coverage: exit {proc.returncode}, {time.time() - t0:.0f} s",
          (cov / "check_baseline.json").read_text(), flush=True)


def _verdicts(stdout: str) -> dict:
    try:
        return {c["label"]: c["verdict"] for c in json.loads(stdout)["claims"]}
    except Exception:  # noqa: BLE001 - no JSON: a crash before the report
        return {}


def load_contexts(work: Path) -> dict[str, dict[int, set[str]]]:
    """module -> line -> contexts (test node ids and ``CHECK:label``), cached as JSON."""
    cache = work / "cov" / "contexts.json"
    if not cache.exists() and not list((work / "cov").glob(".coverage.*")):
        return None  # no coverage collected: every site counts as live, tests chosen by name
    if cache.exists():
        raw = json.loads(cache.read_text())
        return {m: {int(k): set(v) for k, v in d.items()} for m, d in raw.items()}
    import coverage

    data_file = work / "cov" / ".coverage.all"
    cov = coverage.Coverage(data_file=str(data_file))
    cov.combine([str(p) for p in (work / "cov").glob(".coverage.*") if p != data_file],
                keep=True)
    cov.save()
    data = cov.get_data()
    base = (work / "base").resolve()
    out: dict[str, dict[int, set[str]]] = {}
    for f in data.measured_files():
        rel = str(Path(f).resolve().relative_to(base)) if f.startswith(str(base)) else None
        if rel is None:
            continue
        by_line = data.contexts_by_lineno(f)
        out[rel] = {ln: {c for c in ctx if c} for ln, ctx in by_line.items()}
    cache.write_text(json.dumps({m: {k: sorted(v) for k, v in d.items()}
                                 for m, d in out.items()}))
    return out


def _tests_covered(work: Path) -> bool:
    return (work / "cov" / "junit.xml").exists() or (work / "cov" / "tests.jsonl").exists()


def _test_log(work: Path) -> list[dict]:
    """Each test's duration and outcome as the collection run recorded them."""
    path = work / "cov" / "tests.jsonl"
    if not path.exists():
        return []
    return [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]


def _collected_files(work: Path) -> set[str]:
    """Test files whose tests all ran under coverage: those in the collection log, but for the
    last one (a collection stopped part-way stopped inside it)."""
    files = [r["test"].split("::")[0] for r in _test_log(work)]
    return set(files) - set(files[-1:])


def test_durations(work: Path) -> dict[str, float]:
    """Node id -> seconds, from the collection run's log or JUnit XML (unknown tests: 1 s)."""
    log = _test_log(work)
    if log:
        return {r["test"]: r["seconds"] for r in log}
    path = work / "cov" / "junit.xml"
    if not path.exists():
        return {}
    out = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        cls, name = case.get("classname", ""), case.get("name", "")
        parts = cls.split(".")
        # classname "tests.test_x.TestY" -> "tests/test_x.py::TestY::name"
        for cut in range(len(parts), 0, -1):
            if (ROOT / ("/".join(parts[:cut]) + ".py")).exists():
                node = "/".join(parts[:cut]) + ".py::" + "::".join(parts[cut:] + [name])
                out[node] = float(case.get("time", 1.0))
                break
    return out


# ---------------------------------------------------------------- sampling

def plan(work: Path, count: int, seed: int) -> dict:
    """Every site, the dead and equivalent ones counted, and the stratified sample."""
    contexts = load_contexts(work)
    per_module, live, stats = {}, {}, {}
    for m in modules():
        sites, equivalent = sites_of(m)
        lines = contexts.get(m, {}) if contexts is not None and _tests_covered(work) else None
        alive = [s for s in sites if lines is None or lines.get(s.line)]
        per_module[m] = sites
        live[m] = sites  # drawn from every site; the unexecuted ones are counted, not dropped
        stats[m] = {"sites": len(sites), "equivalent_syntax": equivalent,
                    "dead": len(sites) - len(alive), "live": len(alive)}
    rng = random.Random(seed)
    total = sum(len(v) for v in live.values())
    have = [m for m in live if live[m]]
    quota = {m: 1 for m in have}
    rest = max(0, count - len(have))
    shares = {m: rest * (len(live[m]) - 1) / max(1, total - len(have)) for m in have}
    for m in have:
        quota[m] += int(shares[m])
    left = count - sum(quota.values())
    for m in sorted(have, key=lambda m: shares[m] - int(shares[m]), reverse=True)[:max(0, left)]:
        quota[m] += 1
    firsts, rests = [], []
    for m in have:
        picked = rng.sample(live[m], min(quota[m], len(live[m])))
        firsts.append(picked[0])
        rests += picked[1:]
    # one mutant of every module first, then the rest: a run stopped early stays stratified
    rng.shuffle(firsts)
    rng.shuffle(rests)
    sample = firsts + rests
    return {"stats": stats, "sample": sample, "contexts": contexts}


# ---------------------------------------------------------------- running

def _copy_clean(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split("\n")
    for f in filter(None, files):
        src = ROOT / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)


def _clean(work: Path, extra: tuple[str, ...] = ()) -> Path:
    """The clean tree a catching test is run again in: the clean copy, with the new tests."""
    if not extra:
        return work / "base"
    dest = work / "m" / "clean"
    if dest.exists():  # rebuilt each time: the new tests may have changed since
        shutil.rmtree(dest)
    shutil.copytree(work / "base", dest, copy_function=os.link,
                    ignore=shutil.ignore_patterns(".hypothesis", "__pycache__", ".coverage*"))
    _place_new_tests(dest, extra)
    return dest


def _place_new_tests(dest: Path, extra: tuple[str, ...]) -> None:
    """Copy the test files named in ``extra`` (paths or node ids, relative to the repository
    or absolute inside it) from this repository into the copy ``dest``, replacing the copy's
    hard link (never the file it links to)."""
    for t in extra:
        name = Path(t.split("::")[0])
        if name.is_absolute():
            try:
                name = name.resolve().relative_to(ROOT)
            except ValueError:
                raise SystemExit(f"--tests {t}: not a file of the repository {ROOT}") from None
        path = dest / name
        if path.resolve() == (ROOT / name).resolve():
            raise SystemExit(f"--tests {t}: the copy would be the file itself")
        path.unlink(missing_ok=True)
        shutil.copy2(ROOT / name, path)


def _scratch(work: Path, site: Site, ident: str, extra: tuple[str, ...] = ()) -> Path:
    dest = work / "m" / ident
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(work / "base", dest, copy_function=os.link,
                    ignore=shutil.ignore_patterns(".hypothesis", "__pycache__", ".coverage*"))
    _place_new_tests(dest, extra)  # test files written since the clean copy (a rerun)
    target = dest / site.module
    src = target.read_bytes()
    target.unlink()  # break the hard link before writing
    target.write_bytes(apply(src, site, probe=True))
    return dest


def _preload(work: Path) -> None:
    """Import the package and its dependencies once (from the clean copy), so that each forked
    mutant process only re-imports the package itself, not numpy, scipy, mpmath, flint, ..."""
    sys.path.insert(0, str(work / "base"))
    import pytest  # noqa: F401

    import momentrnn  # noqa: F401
    import momentrnn.cli  # noqa: F401
    import proofs_checks.runner  # noqa: F401

    for name in list(sys.modules):
        if name.split(".")[0] in ("momentrnn", "proofs_checks", "tests"):
            del sys.modules[name]
    sys.path.remove(str(work / "base"))


def _forked(dest: Path, job: str, args: list[str], timeout: float) -> dict:
    """Run pytest or ``momentrnn check`` on the mutated copy ``dest`` in a forked process."""
    out = dest / f".{job}.json"
    log = dest / f".{job}.log"
    pid = os.fork()
    if pid == 0:  # child
        code = 70
        try:
            os.setpriority(os.PRIO_PROCESS, 0, 10)
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(dest)
            sys.path.insert(0, str(dest))
            os.environ["PYTHONPATH"] = str(dest)
            import builtins

            hits = []
            builtins._mut_hit = lambda: hits.append(1) if not hits else None
            import momentrnn

            if not momentrnn.__file__.startswith(str(dest)):
                raise RuntimeError(f"momentrnn imported from {momentrnn.__file__}, not {dest}")
            failed = []
            if job == "tests":
                import pytest

                class Failures:
                    def pytest_runtest_logreport(self, report):
                        if report.failed:
                            failed.append(report.nodeid)

                    def pytest_collectreport(self, report):
                        if report.failed:
                            failed.append(report.nodeid or "collection")

                rc = int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", *args],
                                     plugins=[Failures()]))
                result = {"rc": rc, "failed": failed[:3]}
            else:
                import io

                from momentrnn.cli import main as cli
                buf = io.StringIO()
                old, sys.stdout = sys.stdout, buf
                try:
                    rc = cli(["check", "--quick", "--jobs", "1", "--only", ",".join(args),
                              "--format", "json"])
                except SystemExit as exc:
                    rc = exc.code if isinstance(exc.code, int) else 1
                finally:
                    sys.stdout = old
                result = {"rc": rc, "verdicts": _verdicts(buf.getvalue())}
            result["hit"] = bool(hits)
            out.write_text(json.dumps(result))
            code = 0
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            try:
                out.write_text(json.dumps({"rc": 99, "error": repr(exc)[:300],
                                           "hit": False}))
            except Exception:  # noqa: BLE001
                pass
        finally:
            sys.stdout.flush()
            os._exit(code)
    t0 = time.time()
    while True:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.time() - t0 > timeout:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return {"rc": None, "timeout": True, "hit": True}
        time.sleep(0.2)
    try:
        return json.loads(out.read_text())
    except (OSError, ValueError):
        return {"rc": 98, "error": "no result written", "hit": False}


# the covering tests a mutant is judged by: the cheapest first, at most TEST_CAP of them and no
# more than TEST_BUDGET seconds of their durations as recorded under coverage (at least one)
TEST_CAP = 40
TEST_BUDGET = 60.0
# modules whose mutants also run their claims' quick checks when a test catches them, to list
# the mutants there that only a unit test catches
CHECKED_AREA = ("momentrnn/moments/", "momentrnn/rnn/")


def failing_tests(work: Path) -> set[str]:
    """Node ids of the tests that failed or errored in the collection run on the clean tree."""
    log = _test_log(work)
    if log:
        return {r["test"] for r in log if r["outcome"] == "failed"}
    path = work / "cov" / "junit.xml"
    if not path.exists():
        return set()
    bad = set()
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            cls, name = case.get("classname", ""), case.get("name", "")
            parts = cls.split(".")
            for cut in range(len(parts), 0, -1):
                if (ROOT / ("/".join(parts[:cut]) + ".py")).exists():
                    bad.add("/".join(parts[:cut]) + ".py::" + "::".join(parts[cut:] + [name]))
                    break
    return bad


def cheapest(tests, durations: dict, cap: int = TEST_CAP, budget: float = TEST_BUDGET) -> list:
    """The tests to run, fastest first by recorded duration, within ``cap`` and ``budget``."""
    out, spent = [], 0.0
    for t in sorted(tests, key=lambda c: (durations.get(c, 1.0), c)):
        if out and (len(out) >= cap or spent + durations.get(t, 1.0) > budget):
            break
        out.append(t)
        spent += durations.get(t, 1.0)
    return out


def run_one(work: Path, site: Site, ident: str, contexts: dict | None, durations: dict,
            baseline: dict, timeout: float, all_claims: list[str],
            failing: frozenset = frozenset(), extra: tuple[str, ...] = ()) -> dict:
    """Tests that execute the line first (pytest -x), then the claims' quick checks."""
    ctx = (contexts or {}).get(site.module, {}).get(site.line, set())
    covering = [c for c in ctx if "::" in c and c not in failing]
    covered = bool(covering)  # a test of the suite executes the line (or its subprocess does)
    if durations and covered:  # per-test coverage of the suite was collected
        tests = cheapest(covering, durations)
    else:  # no coverage, or no test covers the line: the by-name guess, as a last resort,
        # among the test files whose every test coverage did not see (a collection stopped
        # part-way): the others are known not to execute the line
        done = _collected_files(work)
        tests = [t for t in _static_tests(site.module, work / "base", cap=1000)
                 if t not in done][:6]
    tests = list(extra) + tests
    if contexts is not None:
        # per-claim coverage of the quick check was collected: the claims that run the line
        claims = sorted(c.split(":", 1)[1] for c in ctx if c.startswith("CHECK:"))
    else:
        claims = list(all_claims)
    rec = dict(asdict(site), id=ident, tests_run=len(tests), tests_covering=len(covering),
               claims_run=claims, covered=covered)
    dest = _scratch(work, site, ident, extra)
    t0 = time.time()
    status, by, hit = "survived", None, False
    try:
        if tests:
            res = _forked(dest, "tests", tests, timeout)
            hit |= res.get("hit", False)
            if res.get("timeout"):
                status, by = "timeout", f"tests ran past {timeout:.0f} s"
            elif res["rc"] == 99:  # the package itself failed to import: every test fails
                status, by = "caught", f"import fails: {res.get('error', '')}"
            elif res["rc"] in (3, 4) and res.get("failed") and "::" not in res["failed"][0]:
                # a test module no longer imports (pytest -x then stops with a usage error):
                # the suite fails, if the module collects on the clean tree
                clean = _forked(work / "base", "tests", ["--collect-only", res["failed"][0]],
                                timeout)
                status, by = (("caught", f"tests: collecting {res['failed'][0]} fails")
                              if clean.get("rc") == 0 else
                              ("error", f"pytest exit {res['rc']}, and on the clean tree too"))
            elif res["rc"] in (3, 4, 98):  # pytest's own failure, not a test's
                status, by = "error", f"pytest exit {res['rc']} {res.get('error', '')}"
            elif res["rc"] not in (0, 5):
                status = "caught"
                by = "tests: " + (", ".join(res.get("failed") or []) or
                                  f"pytest exit {res['rc']} {res.get('error', '')}")
                # a test that fails on the clean tree too (a flaky one) catches nothing
                if res.get("failed") and "::" in res["failed"][0]:
                    clean = _forked(_clean(work, extra), "tests", res["failed"][:1], timeout)
                    if clean.get("rc") not in (0, 5):
                        status, by = "survived", None
                        rec["flaky"] = res["failed"][0]
        rec["tests_seconds"] = round(time.time() - t0, 1)
        if status == "caught" and claims and site.module.startswith(CHECKED_AREA):
            # does a check catch it too? (a mutant of the engine only a unit test sees is listed)
            res = _forked(dest, "check", claims, timeout)
            got = res.get("verdicts", {})
            rec["check_also"] = None if res.get("timeout") else sorted(
                c for c in claims if got.get(c) != baseline.get(c))
        rec["tests_seconds"] = round(time.time() - t0, 1)
        if status == "survived" and claims:
            res = _forked(dest, "check", claims, timeout)
            hit |= res.get("hit", False)
            if res.get("timeout"):
                status, by = "timeout", f"check ran past {timeout:.0f} s"
            else:
                got = res.get("verdicts", {})
                want = {c: baseline.get(c) for c in claims}
                changed = {c: got.get(c, "no report") for c in claims if got.get(c) != want[c]}
                if changed:
                    status = "caught"
                    by = "check: " + ", ".join(f"{c} {v}" for c, v in changed.items())
        if status == "survived" and not hit:
            status = "not executed"
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    rec.update(status=status, caught_by=by, executed=hit, seconds=round(time.time() - t0, 1))
    return rec


def _named_by(module: str, root: Path) -> list[str]:
    """Test files that import the module or call one of its top-level definitions."""
    src = (root / module).read_text()
    names = {n.name for n in ast.parse(src).body
             if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))}
    dotted = module[:-3].replace("/", ".").removesuffix(".__init__")
    out = []
    for t in sorted((root / "tests").glob("test_*.py")):
        text = t.read_text()
        if dotted in text or any(f"{n}(" in text for n in names if len(n) > 3):
            out.append(str(t.relative_to(root)))
    return out


def _importers(module: str, root: Path) -> list[str]:
    """Package modules that import ``module`` (relative or absolute imports)."""
    stem = Path(module).stem
    out = []
    for m in modules(root):
        if m == module:
            continue
        text = (root / m).read_text()
        if f".{stem} import" in text or f"import {stem}" in text or f".{stem}." in text:
            out.append(m)
    return out


def _static_tests(module: str, root: Path, cap: int = 6) -> list[str]:
    """Without per-test coverage: the test files that name the module or one of its top-level
    definitions, then those that name a module importing it (a guess of the tests that reach
    it, smallest files first within each group), at most ``cap`` files."""
    first = _named_by(module, root)
    second = []
    for imp in _importers(module, root):
        second += [t for t in _named_by(imp, root) if t not in first and t not in second]
    size = lambda t: (root / t).stat().st_size
    return (sorted(first, key=size) + sorted(second, key=size))[:cap]


def run(work: Path, count: int, seed: int, budget: float, timeout: float,
        only: set[str] | None = None, extra: tuple[str, ...] = ()) -> None:
    """Run the sample's mutants (resumable). With ``extra`` (test files or node ids written
    since the clean copy), those tests are copied into each mutant's tree and run first, and
    the results go to ``results_seed<seed>_after.jsonl``: the suite as it stood is not
    rewritten."""
    pfile = work / f"plan_seed{seed}.json"
    if pfile.exists():  # resuming: the same sample (enumerating the sites takes minutes)
        saved = json.loads(pfile.read_text())
        fields = set(Site.__dataclass_fields__)
        p = {"stats": saved["stats"], "contexts": load_contexts(work),
             "sample": [Site(**{k: v for k, v in d.items() if k in fields})
                        for d in saved["sample"]]}
    else:
        p = plan(work, count, seed)
    durations = test_durations(work)
    failing = frozenset(failing_tests(work))
    if failing:
        print(f"{len(failing)} tests fail on the clean tree under coverage; not used",
              flush=True)
    labels = [f"R{i}" for i in range(1, 15)] + [f"M{i}" for i in range(1, 8)]
    _preload(work)
    bfile = work / "cov" / "check_baseline.json"
    if not bfile.exists():  # the clean tree's verdicts, to compare the mutants' with
        res = _forked(work / "base", "check", labels, 3 * timeout)
        bfile.write_text(json.dumps(res.get("verdicts", {}), indent=1))
    baseline = json.loads(bfile.read_text())
    print("clean tree:", baseline, flush=True)
    out = work / f"results_seed{seed}{'_after' if extra else ''}.jsonl"
    done = set()
    if out.exists():
        done = {json.loads(ln)["key"] for ln in out.read_text().splitlines() if ln.strip()}
    (work / f"plan_seed{seed}.json").write_text(json.dumps(
        {"stats": p["stats"], "sample": [dict(asdict(s), key=s.key) for s in p["sample"]]},
        indent=1))
    t_start = time.time()
    for i, site in enumerate(p["sample"]):
        ident = f"S{i + 1:03d}"
        if site.key in done or (only and ident not in only):
            continue
        if time.time() - t_start > budget:
            print(f"budget of {budget:.0f} s spent; rerun to resume", flush=True)
            break
        rec = run_one(work, site, ident, p["contexts"], durations, baseline, timeout, labels,
                      failing, extra)
        rec["key"] = site.key
        with out.open("a") as fh:
            fh.write(json.dumps(rec) + "\n")
        print(ident, rec["status"], site.module, site.line, repr(site.old), "->",
              repr(site.new), rec["seconds"], rec["caught_by"], flush=True)


# ---------------------------------------------------------------- report

def report(work: Path, seed: int, markdown: Path | None, notes: Path | None,
           timeout: float = 120.0) -> str:
    plan_ = json.loads((work / f"plan_seed{seed}.json").read_text())
    recs = [json.loads(ln) for ln in (work / f"results_seed{seed}.jsonl").read_text()
            .splitlines() if ln.strip()]
    ids = {r["key"]: r for r in recs}
    order = {s["key"]: i for i, s in enumerate(plan_["sample"])}
    recs = sorted(ids.values(), key=lambda r: order.get(r["key"], 10**9))
    extra = json.loads(notes.read_text()) if notes and notes.exists() else {}
    st = plan_["stats"]
    n_sites = sum(v["sites"] for v in st.values())
    n_dead = sum(v["dead"] for v in st.values())
    n_eq = sum(v["equivalent_syntax"] for v in st.values())
    unrun = [r for r in recs if r["status"] == "not executed"]
    caught = [r for r in recs if r["status"] == "caught"]
    timeouts = [r for r in recs if r["status"] == "timeout"]
    surv = [r for r in recs if r["status"] == "survived"]
    errors = [r for r in recs if r["status"] == "error"]
    missed = surv + timeouts + unrun + errors
    # caught by the suite as it was, seen on a rerun (a test file the name-based choice did not
    # run, or pytest stopped by the mutant itself): counted as caught, and listed
    rechecked = [r for r in missed if extra.get(r["id"], {}).get("caught")]
    caught = caught + rechecked
    missed = [r for r in missed if r not in rechecked]
    argued = [r for r in missed if extra.get(r["id"], {}).get("equivalent")]
    killed_new = [r for r in missed if extra.get(r["id"], {}).get("killed_by")]
    open_ = [r for r in missed if r not in argued and r not in killed_new]
    scored = len(recs) - len(argued)
    live_scored = scored - len([r for r in unrun if r not in argued and r not in rechecked])
    static = not _tests_covered(work)
    limits = timeout
    # one decimal, rounded down: a score is not rounded up towards a target
    pct = math.floor(1000 * len(caught) / max(1, scored)) / 10
    pct_live = math.floor(1000 * len(caught) / max(1, live_scored)) / 10
    pct_new = math.floor(1000 * (len(caught) + len(killed_new)) / max(1, scored)) / 10
    lines = ["# Mutation score by procedure (checks plus tests)", "",
             "`python benchmarks/bench_mutation_procedural.py run --count "
             f"{len(plan_['sample'])} --seed {seed}`, then `... report`", "",
             f"Sites found by `ast` in {len(st)} modules (`momentrnn/` and "
             "`proofs_checks/harness.py`, `runner.py`): "
             f"{n_sites + n_eq} candidates; {n_eq} dropped as syntactically equivalent (same "
             f"tree or same mutant as another); {n_sites} sampled from"
             + (f", {n_dead} of them on lines that neither the measured tests nor the quick "
                "check executes" if not static else
                " (which lines the suite executes is not known: per-test coverage was not "
                "collected)")
             + f". Sample of {len(plan_['sample'])} drawn with seed {seed}, stratified "
             f"per module; {len(recs)} run; {len(unrun)} of them were not evaluated by the "
             "tests and the checks that ran (a probe around the mutated expression records "
             "its evaluation): counted as not caught and listed below.", "",
             f"**Caught by the tests or `momentrnn check --quick` as they were: "
             f"{len(caught)}/{scored} = {pct:.1f} %** ({len(rechecked)} of them seen on a rerun "
             "of the suite as it was, listed below; never evaluated by what ran: "
             f"{len([r for r in unrun if r not in rechecked])}, "
             f"timeouts: {len([r for r in timeouts if r not in rechecked])}, both counted as "
             "not caught; survivors argued "
             f"equivalent and left out of the denominator: {len(argued)}). Over the mutants "
             f"that were evaluated: {len(caught)}/{live_scored} = {pct_live:.1f} %.", "",
             f"With the new tests written for survivors: {len(caught) + len(killed_new)}/"
             f"{scored} = {pct_new:.1f} %; still open: {len(open_)}.", "",
             "How each mutant was judged: the mutant is written into a hard-linked copy of the "
             "tree as it was before the new tests (the tests written for survivors are not in "
             "that copy); a forked process runs the tests chosen for its line with `pytest -x`, "
             "then, if none failed, `momentrnn check --quick --only` the claims whose quick "
             "check executes the line (per-claim line coverage, collected once with "
             "`coverage`); caught = a test fails or a claim's verdict differs from the clean "
             "tree's (all 21 PASS). "
             + ("Tests were chosen by per-test coverage of the suite (one coverage "
                f"context per test, collected once by `collect-tests` for {len(_test_log(work))} "
                "tests; Python subprocesses "
                "that a test starts are measured under that test): the tests that execute the "
                f"line, fastest first, at most {TEST_CAP} and {TEST_BUDGET:.0f} s of their "
                "durations as recorded under coverage; a test that failed on the clean tree is "
                "never used, and a test that catches a mutant is run again on the clean tree "
                "(if it fails there too, it catches nothing). For a line that no test "
                "measured executes, up to 6 test files chosen by name among those not "
                "measured whole run as a last resort, so \"never evaluated\" means that "
                "neither the measured tests, nor those files, nor the quick check ran the "
                "mutated expression. " if not static else
                "Per-test coverage of the whole suite did not fit the time on the shared "
                "2-core machine (under coverage and the load of other work the suite ran a "
                "few tests a minute), so the tests "
                "were chosen by name: up to 6 test files that import the module or call one "
                "of its top-level definitions, then those naming a module that imports it. A "
                "mutant counted as never evaluated may still be reached by a test file outside "
                "that choice, or only in a subprocess, which the probe does not see. ")
             + f"Time limit {limits:.0f} s per pytest / check step, `nice -n 10`, one mutant at a "
             "time.", "",
             "| module | sites | syntactic equivalents | sampled from | run | never evaluated | "
             "caught | not caught |", "|---|---|---|---|---|---|---|---|"]
    for m, v in st.items():
        rm = [r for r in recs if r["module"] == m]
        if not v["sites"]:
            continue
        lines.append(f"| {m} | {v['sites']} | {v['equivalent_syntax']} | {v['live']} | "
                     f"{len(rm)} | {sum(r['status'] == 'not executed' for r in rm)} | "
                     f"{sum(r['status'] == 'caught' for r in rm)} | "
                     f"{sum(r['status'] in ('survived', 'timeout') for r in rm)} |")
    never = [r for r in recs if r["status"] == "not executed"]
    if never:
        lines += ["", "## Never evaluated by what ran (counted as not caught)", ""]
        lines += [f"- {r['id']} {r['module']}:{r['line']} `{r['old']}` -> `{r['new']}` "
                  f"({r['tests_run']} test files, claims {', '.join(r['claims_run']) or 'none'})"
                  for r in never]
    lines += ["", "## Every mutant run", "", "| id | kind | where | change | result | by | s |",
              "|---|---|---|---|---|---|---|"]
    for r in recs:
        by = (r["caught_by"] or "").replace("|", "/")[:100]
        old, new = (r["old"].replace("|", "/"), r["new"].replace("|", "/"))
        lines.append(f"| {r['id']} | {r['kind']} | {r['module']}:{r['line']} | "
                     f"`{old}` -> `{new}` | {r['status']} | {by} | {r['seconds']} |")
    engine = [r for r in caught if r["module"].startswith(CHECKED_AREA)
              and r.get("caught_by", "") and r["caught_by"].startswith("tests")
              and not r.get("check_also")]
    if engine:
        lines += ["", "## In the moment engine and the RNN code, caught by a unit test only", "",
                  "Mutants of `momentrnn/moments/` and `momentrnn/rnn/` that a test caught and "
                  "that the quick checks of the claims executing the line did not (each was run "
                  "through those checks too):", ""]
        lines += [f"- {r['id']} {r['module']}:{r['line']} `{r['old']}` -> `{r['new']}`: "
                  + ("no claim's quick check executes the line" if not r["claims_run"] else
                     f"checks {', '.join(r['claims_run'])} still pass"
                     if r.get("check_also") == [] else "the checks ran past the time limit")
                  + f"; caught by {r['caught_by'][7:]}" for r in engine]
    if rechecked:
        lines += ["", "## Caught by the suite as it was, seen on a rerun", ""]
        lines += [f"- {r['id']} {r['module']}:{r['line']} `{r['old']}` -> `{r['new']}` "
                  f"({r['status']}): {extra[r['id']]['caught']}" for r in rechecked]
    lines += ["", "## Survivors, timeouts and mutants never evaluated", ""]
    for r in missed:
        note = extra.get(r["id"], {})
        if note.get("equivalent"):
            what = "equivalent: " + note["equivalent"]
        elif note.get("killed_by"):
            what = "killed by the new test " + note["killed_by"]
        else:
            what = "open: " + note.get("open", "not yet analysed")
        lines.append(f"- {r['id']} {r['module']}:{r['line']} `{r['old']}` -> `{r['new']}` "
                     f"({r['status']}): {what}")
    text = "\n".join(lines) + "\n"
    if markdown:
        markdown.write_text(text)
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("step", choices=["collect", "collect-tests", "collect-checks", "list", "run",
                                     "report"])
    ap.add_argument("--work", type=Path, default=Path("/tmp/mut"))
    ap.add_argument("--count", type=int, default=130)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=float, default=3600.0, help="seconds for the run step")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per pytest/check")
    ap.add_argument("--only", default=None, help="comma-separated mutant ids (run step)")
    ap.add_argument("--tests", nargs="*", default=None,
                    help="collect-tests: test paths or node ids (default: the whole suite); "
                    "run: new tests, copied into each mutant's tree and run first")
    ap.add_argument("--append", action="store_true",
                    help="collect-tests: add the tests named to the contexts already collected")
    ap.add_argument("--markdown", type=Path, default=None)
    ap.add_argument("--notes", type=Path, default=HERE / "survivors.json",
                    help="survivor analysis: id -> {equivalent|killed_by|open: text}")
    args = ap.parse_args(argv)
    if args.step == "collect":
        collect(args.work)
    elif args.step == "collect-tests":
        collect_tests(args.work, tuple(args.tests or ["tests"]), args.append)
    elif args.step == "collect-checks":
        collect_checks(args.work)
    elif args.step == "list":
        for m in modules():
            sites, eq = sites_of(m)
            kinds = {}
            for s in sites:
                kinds[s.kind] = kinds.get(s.kind, 0) + 1
            print(f"{m}: {len(sites)} sites {kinds}, {eq} syntactic equivalents")
    elif args.step == "run":
        only = set(args.only.split(",")) if args.only else None
        run(args.work, args.count, args.seed, args.budget, args.timeout, only,
            tuple(args.tests or ()))
    else:
        print(report(args.work, args.seed, args.markdown, args.notes, args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
