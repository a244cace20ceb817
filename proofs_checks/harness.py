"""Claim objects, the registry and the runner used by ``momentrnn check``."""

from __future__ import annotations

import importlib
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ALL_LABELS = [f"R{i}" for i in range(1, 15)] + [f"M{i}" for i in range(1, 8)]


@dataclass(frozen=True)
class Claim:
    """A checkable claim.

    ``check(case)`` returns the margin (bound minus observed, in the claim's natural units; > 0
    means the claim holds). ``controls`` are (name, cases) pairs whose margins must be <= 0:
    they drop a hypothesis and show the conclusion failing, so the check is not vacuous.
    ``confirm(case)``, if given, recomputes the margin at a second precision; a sign
    disagreement is reported as "precision insufficient". ``unit`` names the unit of the
    margin (``"exact"`` for claims decided exactly, whose margin is +1 or -1). ``search``, if
    given, draws random cases over the claim's hypotheses for the full mode's falsification
    search: ``search(seed, count)`` returns that many cases, checked like the grid's.
    ``refine(case, rng)``, if given, returns a small random perturbation of a case that stays
    inside the claim's hypotheses (the search climbs from its worst cases with it).
    """

    label: str
    title: str
    statement: str
    cases: Callable[[bool, int], list[dict]]
    check: Callable[[dict], float]
    controls: list[tuple[str, Callable[[bool, int], list[dict]]]]
    confirm: Callable[[dict], float] | None = None
    unit: str = ""
    search: Callable[[int, int], list[dict]] | None = None
    refine: Callable[[dict, random.Random], dict] | None = None


@dataclass
class Outcome:
    label: str
    title: str
    verdict: str
    worst_margin: float
    worst_case: dict
    cases: int
    controls_failed: int
    controls_total: int
    seconds: float
    details: list[dict] = field(default_factory=list)
    message: str = ""
    statement: str = ""
    unit: str = ""
    searched: int = 0


def load_claims() -> dict[str, Claim]:
    """Import every check module that exists; labels without a module are absent."""
    found = {}
    for label in ALL_LABELS:
        try:
            module = importlib.import_module(f"proofs_checks.{label.lower()}")
        except ModuleNotFoundError as exc:
            if exc.name == f"proofs_checks.{label.lower()}":
                continue
            raise
        found[label] = module.CLAIM
    return found


SEARCH_CASES = 6  # random cases per claim in the full mode's falsification search


def run_claim(claim: Claim, quick: bool, seed: int) -> Outcome:
    """Run the grid (and, in the full mode, the falsification search) and the controls."""
    start = time.perf_counter()
    details = []
    worst, worst_case, verdict, message = math.inf, {}, "PASS", ""
    grid = list(claim.cases(quick, seed))
    drawn = [] if quick or claim.search is None else list(claim.search(seed, SEARCH_CASES))
    for index, case in enumerate(grid + drawn):
        margin = claim.check(case)
        record = {"case": _jsonable(case), "margin": margin}
        if index >= len(grid):
            record["drawn"] = True
        if claim.confirm is not None:
            second = claim.confirm(case)
            record["margin_second_precision"] = second
            if (margin > 0) != (second > 0):
                verdict = "PRECISION INSUFFICIENT"
                message = f"the two precisions disagree on case {_jsonable(case)}"
        details.append(record)
        if margin != margin:  # NaN: the check computed nothing, which is no evidence
            worst, worst_case = margin, case
            if verdict == "PASS":
                verdict = "FAIL"
                message = f"margin is NaN on case {_jsonable(case)}"
            continue
        if margin < worst:
            worst, worst_case = margin, case
        if margin <= 0 and verdict == "PASS":
            verdict = "FAIL"
            message = f"margin {margin:.3g} <= 0 on case {_jsonable(case)}"
    failed_controls = 0
    total_controls = 0
    for name, make in claim.controls:
        margins = [claim.check(case) for case in make(quick, seed)]
        total_controls += 1
        failed = bool(margins) and all(m == m for m in margins) and any(m <= 0 for m in margins)
        failed_controls += failed
        details.append({"control": name, "margins": margins, "failed_as_it_must": failed})
    if not grid and verdict == "PASS":
        verdict = "VACUOUS"
        message = "the grid has no case: nothing was checked"
    elif (not total_controls or failed_controls < total_controls) and verdict == "PASS":
        verdict = "VACUOUS"
        message = ("the check has no negative control: it cannot show that it can fail"
                   if not total_controls else
                   "a negative control did not fail: the check cannot tell")
    return Outcome(claim.label, claim.title, verdict, worst, _jsonable(worst_case),
                   len([d for d in details if "case" in d]), failed_controls, total_controls,
                   time.perf_counter() - start, details, message, claim.statement, claim.unit,
                   len(drawn))


def _jsonable(case: dict) -> dict:
    out = {}
    for k, v in case.items():
        if isinstance(v, (int, float, str, bool)) or v is None:
            out[k] = v
        elif isinstance(v, (list, tuple)):
            out[k] = [x if isinstance(x, (int, float, str)) else str(x) for x in v]
        else:
            out[k] = str(v)
    return out
