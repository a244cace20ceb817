"""Claim objects, the registry and the runner used by ``momentrnn check``."""

from __future__ import annotations

import importlib
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from momentrnn.errors import InputError, MissingDependencyError

from .registry import LABELS, module_name, registered

#: the verdicts of a check's :class:`Outcome` (the JSON Schema's enum is made from them)
VERDICTS = ("PASS", "FAIL", "VACUOUS", "PRECISION INSUFFICIENT", "ERROR", "SKIPPED")
#: the claim labels in the theory chapter's order (:data:`proofs_checks.registry.LABELS`)
ALL_LABELS = list(LABELS)


@dataclass(frozen=True)
class Claim:
    """A checkable claim.

    ``check(case)`` returns the margin (bound minus observed, in the claim's natural units; > 0
    means the claim holds). ``controls`` are (name, cases) pairs that drop a hypothesis and show
    the conclusion failing, so the check is not vacuous: a control has failed only when every
    one of its cases has a margin <= 0 (a NaN or an exception is no failure for the claim's
    reason). ``confirm(case)``, if given, recomputes the margin at a second precision; a sign
    disagreement is reported as "precision insufficient". ``unit`` names the unit of the
    margin (``"exact"`` for claims decided exactly, whose margin is +1 or -1).

    ``search``, if given, draws random cases over the claim's whole hypothesis space for the
    full mode's falsification search: ``search(seed, count)`` returns ``count`` quickly
    checkable cases (fewer only when it cannot draw more; none ends the drawing). ``refine``,
    if given, returns a small random perturbation of a case that stays inside the hypotheses,
    drawing its randomness only from the ``random.Random`` it is given (it gets a shallow copy
    of the case and must not modify lists inside it); the search hill-climbs with
    it from the worst drawn cases (:func:`run_search`). A searched case with margin <= 0 makes
    the claim FAIL like a grid case. The module of the claim may set ``SEARCH_SECONDS``, the
    search's time budget (default ``DEFAULT_SEARCH_SECONDS``).

    ``requires`` names the optional modules the check cannot run without (``("cvxpy",)``):
    ``momentrnn check`` looks for them before it runs anything, and refuses (exit 4) or, with
    ``--allow-skip``, reports the claim SKIPPED.
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
    requires: tuple[str, ...] = ()


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
    search: dict | None = None


def load_claims() -> dict[str, Claim]:
    """Import every check module that exists; labels without a module are absent. A module
    gives the claim it registered (:func:`proofs_checks.registry.register_claim`), or its
    ``CLAIM``."""
    found = {}
    for label in ALL_LABELS:
        try:
            module = importlib.import_module(module_name(label))
        except ModuleNotFoundError as exc:
            if exc.name == module_name(label):
                continue
            raise
        claim = registered(label)
        if claim is None:
            claim = getattr(module, "CLAIM", None)
        if claim is None:
            raise InputError(f"{module_name(label)} registers no claim; end it with "
                             "CLAIM = register_claim(Claim(...))")
        found[label] = claim
    return found


DEFAULT_SEARCH_SECONDS = 4.0  # a claim module may set its own ``SEARCH_SECONDS``
HILL_STARTS = 3  # the hill-climbing starts from this many of the worst drawn cases
_FIRST_BATCH, _LARGEST_BATCH = 2, 32  # drawn batches double from 2 to 32 cases


def search_seconds(claim: Claim) -> float:
    """The search budget of ``claim``: its module's ``SEARCH_SECONDS`` or the default.

    The module is the one that defines ``claim.check`` (or ``proofs_checks.<label>``)."""
    for name in (getattr(claim.check, "__module__", None),
                 f"proofs_checks.{claim.label.lower()}"):
        module = sys.modules.get(name) if name else None
        if module is not None and hasattr(module, "SEARCH_SECONDS"):
            value = module.SEARCH_SECONDS
            if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                    not value >= 0 or math.isinf(value):
                raise InputError(f"{name}.SEARCH_SECONDS = {value!r} must be a finite number "
                                 "of seconds >= 0")
            return float(value)
    return DEFAULT_SEARCH_SECONDS


def _batch_seeds(claim: Claim, seed: int):
    """The seeds and sizes of the drawn batches: a fixed sequence for a claim and a seed
    (the first batch gets ``seed`` itself)."""
    rng = random.Random(f"search batches {claim.label} {seed}")
    size, batch_seed = _FIRST_BATCH, seed
    while True:
        yield batch_seed, size
        size, batch_seed = min(2 * size, _LARGEST_BATCH), rng.randrange(2**31)


def run_search(claim: Claim, seed: int, *, seconds: float | None = None,
               counts: tuple[int, int] | None = None) -> tuple[dict, list[tuple[dict, float]]]:
    """The falsification search of ``claim``: draw, then hill-climb.

    Batches of ``claim.search(batch_seed, size)`` are drawn and checked one case at a time until
    the budget (half of it when ``claim.refine`` is given) is spent, or the next case would
    overrun the whole budget at the mean time of the cases so far; then, from the
    ``HILL_STARTS`` worst drawn cases in turn, ``claim.refine(case, rng)`` proposes a
    perturbation that replaces the current case when its margin is not larger (ties let the walk
    cross the plateaus of exact claims). The cases are a
    fixed sequence for the seed: the budget only decides where the search stops, and
    ``counts=(drawn, refined)`` (the search block's ``drawn`` and ``refined``) replays it
    exactly, without a clock. At least one case is drawn whatever the budget.

    Returns the search block ``{"cases", "worst_margin", "worst_case", "seconds", ...}`` and the
    (case, margin) pairs that the verdict must read: the worst case, each case whose margin is
    NaN or <= 0 (at most a few of each), in the order found.
    """
    budget = search_seconds(claim) if seconds is None else seconds
    start = time.perf_counter()
    draw_until = budget / 2 if claim.refine is not None else budget
    rng = random.Random(f"search refine {claim.label} {seed}")
    drawn: list[tuple[dict, float]] = []
    notable: list[tuple[dict, float]] = []
    worst_case, worst = None, math.inf
    nan_count = failing = 0

    def evaluate(case: dict, how: str) -> float:
        nonlocal worst_case, worst, nan_count, failing
        try:
            margin = float(claim.check(case))
        except Exception as exc:
            exc.add_note(f"{claim.label}: raised on the {how} search case {_case_text(case)}")
            raise
        if margin != margin:
            nan_count += 1
            if nan_count <= 3:
                notable.append((case, margin))
        elif margin <= 0:
            failing += 1
            if failing <= 3:
                notable.append((case, margin))
        if worst_case is None or margin < worst or (margin != margin and worst == worst):
            worst_case, worst = case, margin
        return margin

    def spent() -> float:
        return time.perf_counter() - start

    def out_of_time(done: int, since: float) -> bool:
        """The budget is spent, or the next case would overrun it at the mean time of the
        ``done`` cases checked since ``since``."""
        now = spent()
        return now >= budget or (done > 0 and now + (now - since) / done > budget)

    batches = _batch_seeds(claim, seed)
    want_drawn = None if counts is None else counts[0]
    while True:
        if want_drawn is not None:
            if len(drawn) >= want_drawn:
                break
        elif drawn and (spent() >= draw_until or out_of_time(len(drawn), 0.0)):
            break
        batch_seed, size = next(batches)
        batch = list(claim.search(batch_seed, size))
        if not batch:
            break
        for case in batch:
            if want_drawn is not None and len(drawn) >= want_drawn:
                break
            if want_drawn is None and drawn and (spent() >= draw_until or
                                                 out_of_time(len(drawn), 0.0)):
                break
            drawn.append((case, evaluate(case, "drawn")))
    refined = accepted = 0
    if claim.refine is not None and drawn:
        ordered = sorted((pair for pair in drawn if pair[1] == pair[1]), key=lambda p: p[1])
        current = [list(pair) for pair in ordered[:HILL_STARTS]]
        want_refined = None if counts is None else counts[1]
        climb_start = spent()
        while current:
            if want_refined is not None:
                if refined >= want_refined:
                    break
            elif out_of_time(refined, climb_start) if refined else \
                    out_of_time(len(drawn), 0.0):
                break
            here = current[refined % len(current)]
            try:
                candidate = claim.refine(dict(here[0]), rng)
            except Exception as exc:
                exc.add_note(f"{claim.label}: refine raised on the search case "
                             f"{_case_text(here[0])}")
                raise
            refined += 1
            margin = evaluate(candidate, "refined")
            # a tie is accepted, so that the walk crosses the plateaus of exact claims (+1
            # everywhere until it fails); NaN is never accepted: it is no smaller margin
            if margin <= here[1]:
                here[0], here[1] = candidate, margin
                accepted += 1
    if worst_case is not None and not any(case is worst_case for case, _ in notable):
        notable.insert(0, (worst_case, worst))
    block = {"cases": len(drawn) + refined, "worst_margin": worst if drawn else None,
             "worst_case": _jsonable(worst_case) if worst_case is not None else None,
             "seconds": round(spent(), 3), "drawn": len(drawn), "refined": refined,
             "accepted": accepted, "failing": failing, "nan": nan_count,
             "budget_seconds": budget, "seed": seed}
    return block, notable


def run_claim(claim: Claim, quick: bool, seed: int, *, search_seconds: float | None = None,
              search_counts: tuple[int, int] | None = None) -> Outcome:
    """Run the grid, in the full mode the falsification search (:func:`run_search`), and the
    controls.

    A searched case whose margin is <= 0 or NaN makes the claim FAIL exactly like a grid case
    (its second precision, when the claim has one, is asked first). A control counts as failed
    only when every one of its cases has a margin <= 0: a NaN, an exception or a positive
    margin on any case means the control did not fail for the claim's reason, and the claim is
    VACUOUS; the details name those cases.
    """
    start = time.perf_counter()
    details = []
    worst, worst_case, verdict, message = math.inf, {}, "PASS", ""
    grid = list(claim.cases(quick, seed))
    block, notable = None, []
    if not quick and claim.search is not None:
        block, notable = run_search(claim, seed, seconds=search_seconds, counts=search_counts)
    for index, case in enumerate(grid + [case for case, _ in notable]):
        searched = index >= len(grid)
        margin = notable[index - len(grid)][1] if searched else claim.check(case)
        where = "searched case" if searched else "case"
        record = {"case": _jsonable(case), "margin": margin}
        if searched:
            record["searched"] = True
        if claim.confirm is not None:
            second = claim.confirm(case)
            record["margin_second_precision"] = second
            if (margin > 0) != (second > 0):
                verdict = "PRECISION INSUFFICIENT"
                message = f"the two precisions disagree on {where} {_case_text(case)}"
        details.append(record)
        if margin != margin:  # NaN: the check computed nothing, which is no evidence
            worst, worst_case = margin, case
            if verdict == "PASS":
                verdict = "FAIL"
                message = f"margin is NaN on {where} {_case_text(case)}"
            continue
        if margin < worst:
            worst, worst_case = margin, case
        if margin <= 0 and verdict == "PASS":
            verdict = "FAIL"
            message = f"margin {margin:.3g} <= 0 on {where} {_case_text(case)}"
    failed_controls = 0
    total_controls = 0
    unfailed = []
    for name, make in claim.controls:
        total_controls += 1
        margins, not_failed = [], []
        control_cases = list(make(quick, seed))
        for case in control_cases:
            try:
                margin = float(claim.check(case))
            except MissingDependencyError:
                raise
            except Exception as exc:  # noqa: BLE001 - an exception is no failure for a reason
                margins.append(None)
                not_failed.append({"case": _jsonable(case),
                                   "why": f"raised {type(exc).__name__}: {exc}"})
                continue
            margins.append(margin)
            if margin != margin:
                not_failed.append({"case": _jsonable(case), "why": "margin is NaN"})
            elif margin > 0:
                not_failed.append({"case": _jsonable(case), "why": f"margin {margin:.3g} > 0"})
        if not control_cases:
            not_failed.append({"case": None, "why": "the control has no case"})
        failed = not not_failed
        failed_controls += failed
        details.append({"control": name, "margins": margins, "failed_as_it_must": failed,
                        "did_not_fail": not_failed})
        if not failed:
            unfailed.append(f"{name!r} ({len(not_failed)} of {len(control_cases)} cases did "
                            f"not fail: " + "; ".join(f"{d['case']}: {d['why']}"
                                                      for d in not_failed[:3]) + ")")
    if not grid and verdict == "PASS":
        verdict = "VACUOUS"
        message = "the grid has no case: nothing was checked"
    elif block is not None and block["drawn"] == 0 and verdict == "PASS":
        verdict = "VACUOUS"
        message = "the falsification search drew no case"
    elif (not total_controls or failed_controls < total_controls) and verdict == "PASS":
        verdict = "VACUOUS"
        message = ("the check has no negative control: it cannot show that it can fail"
                   if not total_controls else
                   "a negative control did not fail for its reason, the check cannot tell: "
                   + ", ".join(unfailed))
    return Outcome(claim.label, claim.title, verdict, worst, _jsonable(worst_case), len(grid),
                   failed_controls, total_controls, time.perf_counter() - start, details,
                   message, claim.statement, claim.unit,
                   block["cases"] if block is not None else 0, block)


def _case_text(case: dict) -> dict:
    """A case as messages show it: a rational (or any value JSON has no type for) as its
    text, ``1/3``."""
    out = {}
    for k, v in case.items():
        if isinstance(v, (int, float, str, bool)) or v is None:
            out[k] = v
        elif isinstance(v, (list, tuple)):
            out[k] = [x if isinstance(x, (int, float, str)) else str(x) for x in v]
        else:
            out[k] = str(v)
    return out


def _jsonable(case: dict) -> dict:
    """A case as JSON writes it: a rational in the schema's exact convention
    (``{"exact": "p/q", "float": x}``: the double nearest, a non-zero one below the double
    range the smallest double of its sign, one beyond it an infinity), alone or in (nested)
    lists; a value JSON has no type for otherwise as its text."""

    def exact_value(q: Fraction) -> dict:
        try:
            f = float(q)  # correctly rounded
        except OverflowError:
            f = math.inf if q > 0 else -math.inf
        if f == 0 and q != 0:
            f = math.copysign(5e-324, q)
        return {"exact": str(q), "float": f}

    def one(x):
        if isinstance(x, bool) or x is None or isinstance(x, (int, float, str)):
            return x
        if isinstance(x, Fraction):
            return exact_value(x)
        if isinstance(x, (list, tuple)):  # a vector, or a matrix as a list of rows
            return [one(y) for y in x]
        return str(x)

    def end(x):
        """One end of a support as an exact value; an infinite end is ``"inf"`` twice."""
        if isinstance(x, str) and x.strip().lstrip("+-") in ("inf", "oo"):
            text = "-inf" if x.strip().startswith("-") else "inf"
            return {"exact": text, "float": text}
        if isinstance(x, float) and math.isinf(x):
            text = "inf" if x > 0 else "-inf"
            return {"exact": text, "float": text}
        if isinstance(x, (int, float, Fraction)) and not isinstance(x, bool) and x == x:
            return exact_value(Fraction(x))
        return one(x)

    def support(x):
        """A support given as its two ends is written as the schema writes every support (a
        list of two exact values); a support named by a label (M2's ``"R"``) stays that text."""
        if isinstance(x, (list, tuple)) and len(x) == 2:
            return [end(y) for y in x]
        return one(x)

    return {k: support(v) if k == "support" else one(v) for k, v in case.items()}
