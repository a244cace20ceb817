"""Runs ``proofs_checks`` for ``momentrnn check`` (loaded only when the command runs).

Exit status: 0 every claim passes; 1 a claim FAILs, is VACUOUS or PRECISION INSUFFICIENT;
3 a check raised (reported as ERROR with its message while the other claims still run);
4 a claim was SKIPPED because an optional dependency is missing (0 with ``allow_skip``).
"""

from __future__ import annotations

import json
import math
import sys
import traceback

EXIT_FAIL, EXIT_ERROR, EXIT_SKIPPED = 1, 3, 4


def run_checks(*, quick: bool, only: str | None, list_only: bool, fmt: str, seed: int,
               jobs: int, allow_skip: bool = False) -> int:
    try:
        from proofs_checks.harness import ALL_LABELS, load_claims
    except ImportError as exc:  # pragma: no cover - shipped together
        print(f"momentrnn check: cannot import proofs_checks ({exc})", file=sys.stderr)
        return EXIT_ERROR
    claims = load_claims()
    labels = ALL_LABELS
    if only:
        wanted = [s.strip().upper() for s in only.split(",") if s.strip()]
        unknown = [w for w in wanted if w not in ALL_LABELS]
        if unknown:
            print(f"momentrnn check: unknown claim label(s) {', '.join(unknown)}; known: "
                  f"{', '.join(ALL_LABELS)}", file=sys.stderr)
            return 2
        labels = wanted
    if list_only:
        for label in labels:
            claim = claims.get(label)
            print(f"{label:4} {claim.title if claim else '(no check yet)'}")
        return 0
    missing = [label for label in labels if label not in claims]
    todo = [label for label in labels if label in claims]
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        print(f"momentrnn check: --jobs {jobs!r} must be a positive integer", file=sys.stderr)
        return 2
    outcomes = _run_all(todo, quick, seed, jobs)
    if fmt == "json":
        print(json.dumps({
            "seed": seed, "quick": quick,
            "claims": [o.__dict__ for o in outcomes],
            "without_check": missing,
        }, indent=2, default=str))
    else:
        md = fmt == "markdown"
        head = ["claim", "title", "verdict", "worst margin", "cases", "controls failed",
                "time (s)"]
        rows = [[o.label, o.title, o.verdict, _margin(o), str(o.cases),
                 f"{o.controls_failed}/{o.controls_total}", f"{o.seconds:.2f}"]
                for o in outcomes]
        _table(head, rows, md)
        for o in outcomes:
            if o.message:
                print(f"{o.label}: {o.message}")
        if missing:
            print(f"\nno check yet for {len(missing)} claim(s): {', '.join(missing)} "
                  "(not counted as passing)")
    skipped = [o.label for o in outcomes if o.verdict == "SKIPPED"]
    if skipped and fmt != "json":
        print(f"\nnot checked, an optional dependency is missing: {', '.join(skipped)} "
              "(not counted as passing" + ("; --allow-skip given)" if allow_skip else
                                           "; exit status 4, --allow-skip to accept)"))
    if any(o.verdict == "ERROR" for o in outcomes):
        return EXIT_ERROR
    if any(o.verdict not in ("PASS", "SKIPPED") for o in outcomes):
        return EXIT_FAIL
    if skipped and not allow_skip:
        return EXIT_SKIPPED
    return 0


def _one(label: str, quick: bool, seed: int):
    """Run one claim; an exception becomes an ERROR outcome, never stops the others."""
    from proofs_checks.harness import Outcome, load_claims, run_claim

    from .errors import MissingDependencyError

    try:
        claim = load_claims()[label]
    except Exception as exc:  # noqa: BLE001 - a module that does not import is an ERROR
        return Outcome(label, "(did not import)", "ERROR", float("nan"), {}, 0, 0, 0, 0.0, [],
                       f"{type(exc).__name__}: {exc}")
    try:
        return run_claim(claim, quick, seed)
    except MissingDependencyError as exc:
        # an optional part is not installed: the claim is not checked, and says so
        return Outcome(label, claim.title, "SKIPPED", float("nan"), {}, 0, 0, 0, 0.0, [],
                       str(exc), claim.statement, claim.unit)
    except Exception as exc:  # noqa: BLE001 - reported with the claim's label, exit 3
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return Outcome(label, claim.title, "ERROR", float("nan"), {}, 0, 0, 0, 0.0, [],
                       f"raised {type(exc).__name__}: {exc} (at {where.filename}:{where.lineno})",
                       claim.statement, claim.unit)


def _run_all(labels: list[str], quick: bool, seed: int, jobs: int) -> list:
    """Run the claims, in ``jobs`` processes; progress lines go to stderr."""
    total = len(labels)
    if jobs == 1 or total <= 1:
        out = []
        for i, label in enumerate(labels):
            print(f"[{i + 1}/{total}] {label} ...", file=sys.stderr, flush=True)
            out.append(_one(label, quick, seed))
        return out
    import concurrent.futures

    results: dict = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_one, label, quick, seed): label for label in labels}
        for done, fut in enumerate(concurrent.futures.as_completed(futures), start=1):
            label = futures[fut]
            try:
                results[label] = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died (e.g. out of memory)
                from proofs_checks.harness import Outcome

                results[label] = Outcome(label, "", "ERROR", float("nan"), {}, 0, 0, 0, 0.0,
                                         [], f"the worker process failed: {exc}")
            print(f"[{done}/{total}] {label} done", file=sys.stderr, flush=True)
    return [results[label] for label in labels]


def _margin(o) -> str:
    """The worst margin with its unit; exact claims say 'exact' (their margin is +-1)."""
    if o.verdict in ("ERROR", "SKIPPED"):
        return "-"
    if o.unit == "exact":
        return "exact" if o.worst_margin > 0 else "exact (fails)"
    text = _num(o.worst_margin)
    return f"{text} {o.unit}" if o.unit else text


def _num(x: float) -> str:
    if math.isnan(x):
        return "-"
    return "inf" if math.isinf(x) else f"{x:.3g}"


def _table(head: list[str], rows: list[list[str]], markdown: bool) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(head)]
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
        return
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
