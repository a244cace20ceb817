"""``momentrnn check``: run the checks of the theory's claims (``proofs_checks``)."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

from .._limits import MAX_JOBS
from ._common import EXIT_ERROR, Command, positive_int, write_table


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value < math.inf:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a finite number of seconds >= 0 "
                                         "(e.g. --search-seconds 2)")
    return value


def _arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true", help="the small grid (under a minute)")
    p.add_argument("--only", help="comma-separated labels, e.g. M1,M3")
    p.add_argument("--list", action="store_true", help="list the claims and exit")
    p.add_argument("--format", default="table", choices=["table", "markdown", "json"])
    p.add_argument("--seed", type=int, default=0, help="seed of the random cases")
    p.add_argument("--jobs", type=positive_int, default=1, help="parallel processes")
    p.add_argument("--search-seconds", type=_seconds, default=None, metavar="S",
                   help="time budget of each claim's falsification search in the full mode "
                        "(default: each check's own, 4 s unless it sets SEARCH_SECONDS; 0 draws "
                        "a single case)")
    p.add_argument("--allow-skip", action="store_true",
                   help="exit 0 even when a claim is SKIPPED (an optional dependency missing)")


def run(args: argparse.Namespace) -> int:
    try:
        from proofs_checks.runner import (
            claim_titles,
            margin_text,
            run_checks,
            search_text,
            select_claims,
            stderr_progress,
        )
    except ImportError as exc:  # pragma: no cover - shipped together
        print(f"momentrnn check: cannot import proofs_checks ({exc})")
        return EXIT_ERROR
    labels = select_claims(args.only)
    # never more workers than claims to check or cores to run them on (a note when lowered)
    jobs = min(args.jobs, max(1, len(labels)), os.cpu_count() or 1, MAX_JOBS)
    if jobs < args.jobs and not args.list:
        print(f"momentrnn check: --jobs {args.jobs} lowered to {jobs} ({len(labels)} claims, "
              f"{os.cpu_count() or 1} cores)", file=sys.stderr)
    if args.list:
        for label, title in claim_titles(labels):
            print(f"{label:4} {title}")
        return 0
    report = run_checks(labels, quick=args.quick, seed=args.seed, jobs=jobs,
                        allow_skip=args.allow_skip, progress=stderr_progress,
                        search_seconds=args.search_seconds)
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2, default=str))
        return report.exit_status()
    write_table(["claim", "title", "verdict", "worst margin", "cases", "searched",
                 "controls failed", "time (s)"],
                [[o.label, o.title, o.verdict, margin_text(o), str(o.cases), str(o.searched),
                  f"{o.controls_failed}/{o.controls_total}", f"{o.seconds:.2f}"]
                 for o in report.outcomes],
                markdown=args.format == "markdown")
    print()
    if args.quick:
        print("no falsification search in the quick mode")
    else:
        for o in report.outcomes:
            print(search_text(o, args.quick))
    for o in report.outcomes:
        if o.message:
            print(f"{o.label}: {o.message}")
    if report.without_check:
        missing = ", ".join(f"proofs_checks/{label.lower()}.py" for label in report.without_check)
        print(f"\nmissing check module(s): {missing} (the installation is incomplete; not "
              "counted as passing, exit status 3)")
    if report.skipped:
        print(f"\nnot checked, an optional dependency is missing: {', '.join(report.skipped)} "
              "(not counted as passing" + ("; --allow-skip given)" if args.allow_skip else
                                           "; exit status 4, --allow-skip to accept)"))
    return report.exit_status()


COMMANDS = (
    Command(
        name="check",
        help="run the numeric checks of the theory's claims",
        description=(
            "Run the checks of the claims of THEORY (R1-R14, M1-M7): each claim is tried on a "
            "grid of cases (and, without --quick, a time-budgeted falsification search) and must "
            "also fail when a hypothesis is dropped (negative control). "
            "Exit 0 when every claim passes, 1 when a claim fails (FAIL, VACUOUS, PRECISION "
            "INSUFFICIENT), 3 when a check raised (ERROR), 4 when a claim was SKIPPED (unless "
            "--allow-skip)."
        ),
        arguments=_arguments,
        run=run,
    ),
)
