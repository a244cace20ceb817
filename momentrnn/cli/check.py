"""``momentrnn check``: run the checks of the theory's claims (``proofs_checks``)."""

from __future__ import annotations

import argparse
import math
import os
import sys

from .._limits import MAX_JOBS
from .._output import json_text
from .._schema import ClaimList, cli_options, document
from ..errors import InputError, MissingDependencyError
from . import _common
from ._common import EXIT_ERROR, EXTRAS, Command, positive_int, write_table


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
    p.add_argument("--only", help="comma-separated labels, e.g. M1,M3 (default: every claim)")
    p.add_argument("--list", action="store_true", help="list the claims and exit")
    p.add_argument("--format", default="table", choices=["table", "markdown", "json"],
                   help="output: an aligned table, a Markdown table or JSON")
    p.add_argument("--seed", type=int, default=0, help="seed of the random cases")
    p.add_argument("--jobs", type=positive_int, default=1, help="parallel processes")
    loud = p.add_mutually_exclusive_group()
    loud.add_argument("-q", "--quiet", action="store_true",
                      help="no progress lines; of the table, only the claims that did not "
                      "pass, then the summary line")
    loud.add_argument("-v", "--verbose", action="store_true",
                      help="also print each claim's statement")
    p.add_argument("--search-seconds", type=_seconds, default=None, metavar="S",
                   help="time budget of each claim's falsification search in the full mode "
                        "(default: each check's own, 4 s unless it sets SEARCH_SECONDS; 0 draws "
                        "a single case)")
    p.add_argument("--allow-skip", action="store_true",
                   help="when a claim needs an optional dependency that is missing, check the "
                   "others and report it SKIPPED, exit 0 (without it: exit 4 before any check)")


# the words of the summary line, in its order
_COUNTED = (("PASS", "passed"), ("FAIL", "failed"), ("VACUOUS", "vacuous"),
            ("PRECISION INSUFFICIENT", "precision insufficient"), ("ERROR", "error"),
            ("SKIPPED", "skipped"))


def summary_line(verdicts: list[str], seconds: float) -> str:
    """``19 passed, 1 failed, 1 skipped in 12.3 s``: the count of each verdict present."""
    counts = {v: verdicts.count(v) for v, _ in _COUNTED}
    parts = [f"{counts[v]} {word}{'s' if word == 'error' and counts[v] > 1 else ''}"
             for v, word in _COUNTED if counts[v]]
    other = len(verdicts) - sum(counts.values())
    if other:
        parts.append(f"{other} other")
    return f"{', '.join(parts) or 'no claim checked'} in {seconds:.1f} s"


def _unavailable(labels: list[str]) -> dict[str, list[str]]:
    """The optional modules, not installed, that each claim asked for needs."""
    from proofs_checks.harness import load_claims

    claims = load_claims()
    found = {label: [m for m in getattr(claims[label], "requires", ())
                     if not _common.module_available(m)]
             for label in labels if label in claims}
    return {label: mods for label, mods in found.items() if mods}


def _skip_reasons(unavailable: dict[str, list[str]], allow_skip: bool) -> dict[str, str]:
    """Refuse before any check when a claim needs a module that is missing (exit 4), unless
    ``--allow-skip``: then the reason each such claim is skipped."""

    def install(mods: list[str]) -> str:
        extras = ",".join(dict.fromkeys(EXTRAS.get(m, m) for m in mods))
        return f"pip install 'momentrnn[{extras}]'"

    if unavailable and not allow_skip:
        mods = sorted({m for ms in unavailable.values() for m in ms})
        raise MissingDependencyError(
            f"claim(s) {', '.join(unavailable)} need {', '.join(mods)}, which is not installed; "
            f"install it with {install(mods)}, or pass --allow-skip to check the other claims "
            "(a skipped claim is not a pass) (nothing was run)")
    return {label: f"not checked: needs {', '.join(mods)}, which is not installed "
                   f"({install(mods)})" for label, mods in unavailable.items()}


def run(args: argparse.Namespace) -> int:
    import time

    if args.jobs > MAX_JOBS:  # the table's bound: a usage error, not a value to lower
        raise InputError(f"--jobs {args.jobs} is more than {MAX_JOBS}, the most worker "
                         "processes (and never more than the claims or the cores are used): "
                         f"give --jobs {os.cpu_count() or 1} (this machine's cores) or fewer")

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
    if args.list and args.format == "json":
        print(json_text(document("claim_list", ClaimList(tuple(claim_titles(labels))).to_dict(),
                                 cli_options(args)), indent=2))
        return 0
    if args.list:
        for label, title in claim_titles(labels):
            print(f"{label:4} {title}")
        return 0
    skip = _skip_reasons(_unavailable(labels), args.allow_skip)  # before any check runs
    start = time.monotonic()
    report = run_checks(labels, quick=args.quick, seed=args.seed, jobs=jobs,
                        allow_skip=args.allow_skip,
                        progress=None if args.quiet else stderr_progress,
                        search_seconds=args.search_seconds, skip=skip)
    seconds = time.monotonic() - start
    if args.format == "json":
        print(json_text(document("check", report.to_dict(), cli_options(args)), indent=2,
                        default=str))
        return report.exit_status()
    summary = summary_line([o.verdict for o in report.outcomes], seconds)
    if args.quiet:
        for o in report.outcomes:
            if o.verdict != "PASS":
                print(f"{o.label} {o.verdict}: {o.message or o.title}")
        print(summary)
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
    if args.verbose:
        print()
        for o in report.outcomes:
            if o.statement:
                print(f"{o.label} states: {' '.join(o.statement.split())}")
    if report.without_check:
        missing = ", ".join(f"proofs_checks/{label.lower()}.py" for label in report.without_check)
        print(f"\nmissing check module(s): {missing} (the installation is incomplete; not "
              "counted as passing, exit status 3)")
    if report.skipped:
        print(f"\nnot checked, an optional dependency is missing: {', '.join(report.skipped)} "
              "(not counted as passing" + ("; --allow-skip given)" if args.allow_skip else
                                           "; exit status 4, --allow-skip to accept)"))
    print(f"\n{summary}")
    return report.exit_status()


COMMANDS = (
    Command(
        name="check",
        help="run the numeric checks of the theory's claims",
        description=(
            "Run the checks of the claims of THEORY (--list names them): each claim is tried on a "
            "grid of cases (and, without --quick, a time-budgeted falsification search) and must "
            "also fail when a hypothesis is dropped (negative control). "
            "Exit 0 when every claim passes, 1 when a claim fails (FAIL, VACUOUS, PRECISION "
            "INSUFFICIENT), 3 when a check raised (ERROR), 4 when a claim needs an optional "
            "dependency that is missing: before any check runs, unless --allow-skip, which "
            "reports it SKIPPED. The table ends with a summary line (19 passed, 1 failed, "
            "1 skipped in 30.2 s)."
        ),
        arguments=_arguments,
        run=run,
    ),
)
