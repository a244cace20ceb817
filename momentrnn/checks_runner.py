"""Runs ``proofs_checks`` for ``momentrnn check`` (loaded only when the command runs)."""

from __future__ import annotations

import json
import math
import sys


def run_checks(*, quick: bool, only: str | None, list_only: bool, fmt: str, seed: int,
               jobs: int) -> int:
    try:
        from proofs_checks.harness import ALL_LABELS, load_claims, run_claim
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
    outcomes, missing = [], []
    for i, label in enumerate(labels):
        claim = claims.get(label)
        if claim is None:
            missing.append(label)
            continue
        print(f"[{i + 1}/{len(labels)}] {label} ...", file=sys.stderr, flush=True)
        try:
            outcomes.append(run_claim(claim, quick, seed))
        except Exception as exc:  # noqa: BLE001 - reported as an error verdict, exit 3
            print(f"momentrnn check: {label} raised {type(exc).__name__}: {exc}",
                  file=sys.stderr)
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
    failed = [o for o in outcomes if o.verdict != "PASS"]
    return 1 if failed else 0


def _num(x: float) -> str:
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
