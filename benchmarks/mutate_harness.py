"""Procedural mutants of the check harness and runner, and which the tests kill.

    python benchmarks/mutate_harness.py [--files proofs_checks/harness.py,...] [--markdown FILE]

Every comparison operator (``<`` and ``<=``, ``>`` and ``>=``, ``==`` and ``!=``, ``in`` and
``not in``, ``is`` and ``is not`` swapped), every ``and``/``or`` (swapped), every ``not``
(dropped) and every integer constant outside docstrings (plus and minus one) of the files is
mutated in turn, in place (the file is restored afterwards), and the harness and runner tests
run against it: a mutant is killed when a test fails or the run exceeds its time limit.
Survivors are listed; each must be argued equivalent or get a test.
"""

from __future__ import annotations

import argparse
import ast
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ["proofs_checks/harness.py", "proofs_checks/runner.py"]
TESTS = ["tests/test_harness_search.py", "tests/test_runner_exit.py"]
SWAP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
        ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot,
        ast.IsNot: ast.Is}


def _docstring_ids(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def sites(source: str, kinds=("compare", "boolop", "not", "int")) -> list[tuple[int, str, int]]:
    """(node index in ast.walk order, description, variant) of every mutant of ``kinds``."""
    tree = ast.parse(source)
    docs = _docstring_ids(tree)
    out = []
    for index, node in enumerate(ast.walk(tree)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Compare) and "compare" in kinds:
            for k, op in enumerate(node.ops):
                out.append((index, f"line {line}: {type(op).__name__} -> "
                            f"{SWAP[type(op)].__name__}", k))
        elif isinstance(node, ast.BoolOp) and "boolop" in kinds:
            other = "or" if isinstance(node.op, ast.And) else "and"
            out.append((index, f"line {line}: {type(node.op).__name__.lower()} -> {other}", 0))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and "not" in kinds:
            out.append((index, f"line {line}: drop not", 0))
        elif isinstance(node, ast.Constant) and type(node.value) is int and \
                id(node) not in docs and "int" in kinds:
            out.append((index, f"line {line}: {node.value} -> {node.value + 1}", 1))
            out.append((index, f"line {line}: {node.value} -> {node.value - 1}", -1))
    return out


def mutate(source: str, index: int, variant: int) -> str:
    tree = ast.parse(source)
    for i, node in enumerate(ast.walk(tree)):
        if i != index:
            continue
        if isinstance(node, ast.Compare):
            node.ops[variant] = SWAP[type(node.ops[variant])]()
        elif isinstance(node, ast.BoolOp):
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        elif isinstance(node, ast.UnaryOp):
            return ast.unparse(_replace(tree, node, node.operand))
        elif isinstance(node, ast.Constant):
            node.value += variant
        break
    return ast.unparse(tree)


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> ast.AST:
    class Swap(ast.NodeTransformer):
        def visit(self, node):
            return new if node is old else super().visit(node)
    return ast.fix_missing_locations(Swap().visit(tree))


def run_tests(limit: float) -> tuple[bool, float]:
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p",
                               "no:cacheprovider", *TESTS], cwd=ROOT, capture_output=True,
                              text=True, timeout=limit,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        return proc.returncode != 0, time.perf_counter() - start
    except subprocess.TimeoutExpired:
        return True, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", default=",".join(FILES))
    ap.add_argument("--limit", type=float, default=120.0, help="seconds a test run may take")
    ap.add_argument("--kinds", default="compare,boolop,not,int",
                    help="which mutants: compare, boolop, not, int (integer constants)")
    ap.add_argument("--markdown", help="write the table to this file")
    args = ap.parse_args(argv)
    rows, survivors = [], []
    # a SIGTERM must still restore the file (the finally below)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    for name in args.files.split(","):
        path = ROOT / name
        original = path.read_text()
        try:
            for index, what, variant in sites(original, args.kinds.split(",")):
                path.write_text(mutate(original, index, variant))
                killed, seconds = run_tests(args.limit)
                rows.append((name, what, killed, seconds))
                if not killed:
                    survivors.append(f"{name} {what}")
                print(f"{name} {what}: {'killed' if killed else 'SURVIVED'} ({seconds:.0f} s)",
                      flush=True)
        finally:
            path.write_text(original)
    killed = sum(r[2] for r in rows)
    text = "\n".join([f"{killed} of {len(rows)} mutants killed by {', '.join(TESTS)}.", "",
                      "| file | mutant | killed |", "|---|---|---|"]
                     + [f"| {f} | {w} | {'yes' if k else '**no**'} |" for f, w, k, _ in rows]
                     + ["", "Survivors:"] + [f"- {s}" for s in survivors])
    print(text)
    if args.markdown:
        Path(args.markdown).write_text("# Mutants of the check harness\n\n"
                                       "`python benchmarks/mutate_harness.py`\n\n" + text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
