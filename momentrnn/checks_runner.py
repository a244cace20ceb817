"""Runs ``proofs_checks`` for ``momentrnn check`` (loaded only when the command runs)."""

from __future__ import annotations

import json
import math
import sys


def run_checks(*, quick: bool, only: str | None, list_only: bool, fmt: str, seed: int,
               jobs: int) -> int:
    try:
        from proofs_checks.harness import ALL_LABELS, load_claims
    except ImportError as exc:  # pragma: no cover - shipped together
        print(f"momentrnn check: cannot import proofs_checks ({exc})", file=sys.stderr)
        return 3
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
    try:
        outcomes = _run_all(todo, quick, seed, jobs)
    except _ClaimError as exc:
        print(f"momentrnn check: {exc}", file=sys.stderr)
        return 3
    if fmt == "json":
        print(json.dumps({
            "seed": seed, "quick": quick,
            "claims": [o.__dict__ for o in outcomes],
            "without_check": missing,
        }, indent=2, default=str))
    else:
        md = fmt == "markdown"
        head = ["claim", "verdict", "worst margin", "cases", "controls failed", "time (s)"]
        rows = [[o.label, o.verdict, _num(o.worst_margin), str(o.cases),
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
              "(not counted as passing)")
    failed = [o for o in outcomes if o.verdict not in ("PASS", "SKIPPED")]
    return 1 if failed else 0


class _ClaimError(Exception):
    pass


def _one(label: str, quick: bool, seed: int):
    from proofs_checks.harness import Outcome, load_claims, run_claim

    from .errors import MissingDependencyError

    claim = load_claims()[label]
    try:
        return run_claim(claim, quick, seed)
    except MissingDependencyError as exc:
        # an optional part is not installed: the claim is not checked, and says so
        return Outcome(label, claim.title, "SKIPPED", float("nan"), {}, 0, 0, 0, 0.0, [],
                       str(exc))
    except Exception as exc:  # noqa: BLE001 - reported with the claim's label, exit 3
        raise _ClaimError(f"{label} raised {type(exc).__name__}: {exc}") from None


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
            results[label] = fut.result()
            print(f"[{done}/{total}] {label} done", file=sys.stderr, flush=True)
    return [results[label] for label in labels]


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
