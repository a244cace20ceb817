"""Running the checks of the claims: which claims, in how many processes, and the verdict.

``momentrnn check`` calls :func:`select_claims` and :func:`run_checks` and prints the
:class:`CheckReport`; the exit status is :meth:`CheckReport.exit_status`: 0 every claim
passes; 1 a claim FAILs, is VACUOUS or PRECISION INSUFFICIENT; 3 a check raised (reported
as ERROR with its message while the other claims still run) or a claim asked for has no
check module (an ERROR naming the missing module); 4 a claim was SKIPPED because an
optional dependency is missing (0 with ``allow_skip``).
"""

from __future__ import annotations

import math
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from momentrnn.errors import InputError, MissingDependencyError

from .harness import ALL_LABELS, Outcome, load_claims, run_claim

EXIT_PASS, EXIT_FAIL, EXIT_ERROR, EXIT_SKIPPED = 0, 1, 3, 4


@dataclass(frozen=True)
class CheckReport:
    """The outcomes of a run of checks, and the labels asked for that have no check."""

    outcomes: list[Outcome]
    without_check: list[str]
    seed: int
    quick: bool
    allow_skip: bool = False

    @property
    def skipped(self) -> list[str]:
        """The labels of the claims not checked because an optional dependency is missing."""
        return [o.label for o in self.outcomes if o.verdict == "SKIPPED"]

    def exit_status(self) -> int:
        """0 all pass, 1 a claim failed, 3 a check raised or a claim asked for has no check
        module (an incomplete installation), 4 skipped (unless allowed)."""
        if self.without_check or any(o.verdict == "ERROR" for o in self.outcomes):
            return EXIT_ERROR
        if any(o.verdict not in ("PASS", "SKIPPED") for o in self.outcomes):
            return EXIT_FAIL
        if self.skipped and not self.allow_skip:
            return EXIT_SKIPPED
        return EXIT_PASS

    def to_dict(self) -> dict:
        """JSON-ready dictionary (each outcome with all its fields; values JSON has no type
        for, in a worst case, are written as their text; a number that is not finite as
        ``"inf"``, ``"-inf"`` or ``"nan"``: standard JSON as it is)."""
        return _json_safe({"seed": self.seed, "quick": self.quick,
                          "allow_skip": self.allow_skip,
                          "claims": [dict(o.__dict__) for o in self.outcomes],
                          "without_check": self.without_check})

    @classmethod
    def from_dict(cls, data: dict) -> CheckReport:
        """The report of its :meth:`to_dict` (or of a ``"check"`` output)."""
        # float() reads the strings "inf", "-inf" and "nan" of non-finite numbers too
        outcomes = [Outcome(**{**_restored(c), "worst_margin": float(c["worst_margin"]),
                               "seconds": float(c["seconds"])})
                    for c in data["claims"]]
        return cls(outcomes, list(data["without_check"]), data["seed"], data["quick"],
                   data.get("allow_skip", False))


def select_claims(only: str | None) -> list[str]:
    """The labels asked for (all claims when ``only`` is None), in THEORY's order."""
    if not only:
        return list(ALL_LABELS)
    wanted = [s.strip().upper() for s in only.split(",") if s.strip()]
    if not wanted:
        raise InputError(f"--only {only[:40]!r} names no claim; give labels such as M1,R8 "
                         "(--list shows them)")
    unknown = [w for w in wanted if w not in ALL_LABELS]
    if unknown:
        raise InputError(f"unknown claim label(s) {', '.join(unknown)}; known: "
                         f"{', '.join(ALL_LABELS)}")
    return wanted


def claim_titles(labels: list[str]) -> list[tuple[str, str]]:
    """(label, title) of each label; ``(no check yet)`` where no check module exists."""
    claims = load_claims()
    return [(label, claims[label].title if label in claims else "(no check yet)")
            for label in labels]


def run_checks(labels: list[str], *, quick: bool, seed: int, jobs: int = 1,
               allow_skip: bool = False,
               progress: Callable[[str], None] | None = None,
               search_seconds: float | None = None,
               skip: dict[str, str] | None = None) -> CheckReport:
    """Run the checks of ``labels`` in ``jobs`` processes; ``progress`` gets a line per
    claim started or finished. ``search_seconds``, if given, replaces every claim's own
    falsification-search budget (full mode only). ``skip`` maps labels not to run to the
    reason (a module of the claim's ``requires`` that is not installed): those are SKIPPED
    without being run."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InputError(f"jobs={jobs!r} must be a positive integer")
    if search_seconds is not None and (
            isinstance(search_seconds, bool) or not isinstance(search_seconds, (int, float))
            or not 0 <= search_seconds < math.inf):
        raise InputError(f"search_seconds={search_seconds!r} must be a finite number of "
                         "seconds >= 0")
    claims = load_claims()
    skip = skip or {}
    missing = [label for label in labels if label not in claims]
    todo = [label for label in labels if label in claims and label not in skip]
    ran = dict(zip(todo, _run_all(todo, quick, seed, jobs, progress or (lambda line: None),
                                  search_seconds)))
    for label in labels:
        if label in claims and label in skip:
            claim = claims[label]
            ran[label] = Outcome(label, claim.title, "SKIPPED", float("nan"), {}, 0, 0, 0, 0.0,
                                 [], skip[label], claim.statement, claim.unit)
    outcomes = [ran[label] if label in ran else _missing(label) for label in labels]
    return CheckReport(outcomes, missing, seed, quick, allow_skip)


def _missing(label: str) -> Outcome:
    """The ERROR outcome of a claim whose check module is not installed."""
    return Outcome(label, "(no check module)", "ERROR", float("nan"), {}, 0, 0, 0, 0.0, [],
                   f"no check module proofs_checks/{label.lower()}.py: the claim is not "
                   "checked and the installation is incomplete (reinstall momentrnn with its "
                   "proofs_checks package)")


def _one(label: str, quick: bool, seed: int, search_seconds: float | None = None) -> Outcome:
    """Run one claim; an exception becomes an ERROR outcome, never stops the others."""
    try:
        claim = load_claims()[label]
    except Exception as exc:  # noqa: BLE001 - a module that does not import is an ERROR
        return Outcome(label, "(did not import)", "ERROR", float("nan"), {}, 0, 0, 0, 0.0, [],
                       f"{type(exc).__name__}: {exc}")
    try:
        return run_claim(claim, quick, seed, search_seconds=search_seconds)
    except MissingDependencyError as exc:
        # an optional part is not installed: the claim is not checked, and says so
        return Outcome(label, claim.title, "SKIPPED", float("nan"), {}, 0, 0, 0, 0.0, [],
                       str(exc), claim.statement, claim.unit)
    except Exception as exc:  # noqa: BLE001 - reported with the claim's label, exit 3
        where = traceback.extract_tb(exc.__traceback__)[-1]
        notes = "".join(f"; {note}" for note in getattr(exc, "__notes__", ()))
        return Outcome(label, claim.title, "ERROR", float("nan"), {}, 0, 0, 0, 0.0, [],
                       f"raised {type(exc).__name__}: {exc} (at {where.filename}:{where.lineno})"
                       + notes, claim.statement, claim.unit)


def _run_all(labels: list[str], quick: bool, seed: int, jobs: int,
             progress: Callable[[str], None],
             search_seconds: float | None = None) -> list[Outcome]:
    total = len(labels)
    if jobs == 1 or total <= 1:
        out = []
        for i, label in enumerate(labels):
            progress(f"[{i + 1}/{total}] {label} ...")
            out.append(_one(label, quick, seed, search_seconds))
        return out
    import concurrent.futures

    results: dict = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_one, label, quick, seed, search_seconds): label
                   for label in labels}
        for done, fut in enumerate(concurrent.futures.as_completed(futures), start=1):
            label = futures[fut]
            try:
                results[label] = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died (e.g. out of memory)
                results[label] = Outcome(label, "", "ERROR", float("nan"), {}, 0, 0, 0, 0.0,
                                         [], f"the worker process failed: {exc}")
            progress(f"[{done}/{total}] {label} done")
    return [results[label] for label in labels]


def margin_text(o: Outcome) -> str:
    """The worst margin with its unit; exact claims say 'exact' (their margin is +-1)."""
    if o.verdict in ("ERROR", "SKIPPED"):
        return "-"
    if o.unit == "exact":
        return "exact" if o.worst_margin > 0 else "exact (fails)"
    if math.isnan(o.worst_margin):
        return "-"
    text = "inf" if math.isinf(o.worst_margin) else f"{o.worst_margin:.3g}"
    return f"{text} {o.unit}" if o.unit else text


def search_text(o: Outcome, quick: bool) -> str:
    """One line on the falsification search of a claim: its cases, worst margin and case, time;
    'no search' for a claim without one (or in the quick mode, which does no search)."""
    if o.verdict in ("ERROR", "SKIPPED"):
        return f"{o.label}: not searched ({o.verdict})"
    if quick:
        return f"{o.label}: no search (quick mode)"
    s = o.search
    if not s:
        return f"{o.label}: no search (the claim has none)"
    if not s["cases"]:
        return f"{o.label}: search drew no case in {s['seconds']:.1f} s"
    worst = s["worst_margin"]
    text = "nan" if worst != worst else "inf" if math.isinf(worst) else f"{worst:.3g}"
    if o.unit == "exact":
        text = "exact" if worst > 0 else "exact (fails)"
    elif o.unit:
        text += f" {o.unit}"
    return (f"{o.label}: searched {s['cases']} cases ({s['drawn']} drawn, {s['refined']} "
            f"refined) in {s['seconds']:.1f} s, worst margin {text} at "
            f"{_shown(s['worst_case'])}")


def _shown(case):
    """A case of the JSON (exact values ``{"exact", "float"}``) as a line shows it: ``1/3``."""
    if not isinstance(case, dict):
        return case

    def one(v):
        if isinstance(v, list):
            return [one(x) for x in v]
        return v["exact"] if isinstance(v, dict) and "exact" in v else v

    return {k: one(v) for k, v in case.items()}


def stderr_progress(line: str) -> None:
    """Progress lines on standard error."""
    print(line, file=sys.stderr, flush=True)


# the package's JSON convention for numbers that are not finite (docs/guide/json.md), written
# here because the checks use the package's public names only
_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def _json_safe(value):
    """``value`` with every non-finite float written ``"inf"``, ``"-inf"`` or ``"nan"``."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _restored(value):
    """The inverse of :func:`_json_safe` for data read back (values, not keys)."""
    if isinstance(value, str):
        return _NON_FINITE.get(value, value)
    if isinstance(value, dict):
        return {k: _restored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restored(v) for v in value]
    return value
