"""The check harness (proofs_checks/harness.py) on toy claims: the falsification search, the
verdict rules and the negative-control rule.

Each comparison of harness.py has a test here that fails when the comparison is flipped or
dropped (the list is in docs/guide/checks.md, "Testing the harness"). The search runs on a fake
clock that advances only inside ``check``, so the counts of drawn and refined cases are exact.
"""

from __future__ import annotations

import math
import random
import sys
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.errors import InputError, MissingDependencyError
from proofs_checks import harness
from proofs_checks.harness import Claim, run_claim, run_search


class Clock:
    """perf_counter that moves only when a check costs time."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(harness, "time", types.SimpleNamespace(perf_counter=fake.perf_counter))
    return fake


def toy(check, *, cases=None, controls=None, search=None, refine=None, confirm=None,
        label="X9", unit=""):
    return Claim(label, "toy", f"{label} toy",
                 cases if cases is not None else (lambda quick, seed: [{"x": 1.0}]),
                 check,
                 controls if controls is not None else [("ctl", lambda q, s: [{"x": -1.0}])],
                 confirm=confirm, unit=unit, search=search, refine=refine)


def margin_x(case):
    return float(case["x"])


def costly(check, clock, cost=1.0):
    """``check`` that advances the fake clock by ``cost`` seconds a case."""
    def timed(case):
        clock.now += cost
        return check(case)
    return timed


def uniform_search(seed, count):
    rng = random.Random(seed)
    return [{"x": rng.uniform(1, 2), "seed": seed} for _ in range(count)]


# --- the grid and the verdict -------------------------------------------------------------

def test_a_grid_margin_of_exactly_zero_fails():
    out = run_claim(toy(margin_x, cases=lambda q, s: [{"x": 1.0}, {"x": 0.0}]), True, 0)
    assert out.verdict == "FAIL" and "0 <= 0" in out.message
    assert out.worst_margin == 0.0 and out.worst_case == {"x": 0.0}


def test_the_worst_margin_is_the_smallest():
    out = run_claim(toy(margin_x, cases=lambda q, s: [{"x": 3.0}, {"x": 1.5}, {"x": 2.0}]),
                    True, 0)
    assert out.verdict == "PASS" and out.worst_margin == 1.5 and out.cases == 3
    tie = run_claim(toy(margin_x, cases=lambda q, s: [{"x": 1.0, "i": 0}, {"x": 1.0, "i": 1}]),
                    True, 0)
    assert tie.worst_case == {"x": 1.0, "i": 0}


def test_a_nan_grid_margin_fails():
    out = run_claim(toy(lambda c: math.nan if c["x"] > 0 else -1.0), True, 0)
    assert out.verdict == "FAIL" and "NaN" in out.message and math.isnan(out.worst_margin)


@pytest.mark.parametrize("first, second", [(0.0, 1.0), (1.0, 0.0), (1e-300, -1e-300)])
def test_a_sign_disagreement_of_the_two_precisions_is_precision_insufficient(first, second):
    claim = toy(lambda c: first if c["x"] > 0 else -1.0,
                confirm=lambda c: second if c["x"] > 0 else -1.0)
    out = run_claim(claim, True, 0)
    assert out.verdict == "PRECISION INSUFFICIENT", out
    assert out.details[0]["margin_second_precision"] == second


def test_agreeing_precisions_keep_the_verdict():
    assert run_claim(toy(margin_x, confirm=margin_x), True, 0).verdict == "PASS"
    out = run_claim(toy(margin_x, cases=lambda q, s: [{"x": -0.5}], confirm=margin_x), True, 0)
    assert out.verdict == "FAIL"


def test_an_empty_grid_is_vacuous():
    out = run_claim(toy(margin_x, cases=lambda q, s: []), True, 0)
    assert out.verdict == "VACUOUS" and "no case" in out.message


# --- controls fail for their reason ------------------------------------------------------

@pytest.mark.parametrize("control_margins, failed", [
    ([-1.0, -2.0], True),
    ([0.0, -1.0], True),        # margin exactly 0 is a failure of the conclusion
    ([-1.0, 0.5], False),       # one case that still holds: not every case fails
    ([-1.0, math.nan], False),  # NaN computed nothing
    ([-1.0, "raise"], False),   # an exception is no failure for the claim's reason
    ([], False),                # no case at all
])
def test_a_control_fails_only_when_every_case_has_margin_at_most_zero(control_margins,
                                                                      failed):
    def check(case):
        if "control" not in case:
            return 1.0
        if case["control"] == "raise":
            raise ValueError("the control's case is outside the package's domain")
        return case["control"]

    claim = toy(check, controls=[("drop", lambda q, s: [{"control": m, "i": i}
                                                      for i, m in enumerate(control_margins)])])
    out = run_claim(claim, True, 0)
    detail = next(d for d in out.details if "control" in d)
    assert detail["failed_as_it_must"] is failed
    assert out.controls_failed == int(failed) and out.controls_total == 1
    assert out.verdict == ("PASS" if failed else "VACUOUS")
    if not failed:
        # the cases that did not fail are named, with the reason
        assert "did not fail for its reason" in out.message and "'drop'" in out.message
        bad = [m for m in control_margins if not (isinstance(m, float) and m <= 0)]
        assert len(detail["did_not_fail"]) == max(len(bad), 1)
        if "raise" in control_margins:
            assert "raised ValueError" in out.message and detail["margins"][-1] is None
    else:
        assert detail["did_not_fail"] == []


def test_every_control_must_fail():
    both = [("one", lambda q, s: [{"x": -1.0}]), ("two", lambda q, s: [{"x": -2.0}])]
    assert run_claim(toy(margin_x, controls=both), True, 0).verdict == "PASS"
    half = [("one", lambda q, s: [{"x": -1.0}]), ("two", lambda q, s: [{"x": 2.0}])]
    out = run_claim(toy(margin_x, controls=half), True, 0)
    assert out.verdict == "VACUOUS" and out.controls_failed == 1 and out.controls_total == 2
    assert "'two'" in out.message and "'one'" not in out.message
    out = run_claim(toy(margin_x, controls=[]), True, 0)
    assert out.verdict == "VACUOUS" and "no negative control" in out.message


def test_a_missing_dependency_in_a_control_is_not_swallowed():
    def check(case):
        if case["x"] < 0:
            raise MissingDependencyError("toy needs a solver that is not installed")
        return 1.0

    with pytest.raises(MissingDependencyError):
        run_claim(toy(check), True, 0)


def test_a_failing_claim_stays_fail_whatever_its_controls_do():
    out = run_claim(toy(margin_x, cases=lambda q, s: [{"x": -1.0}],
                        controls=[("ctl", lambda q, s: [{"x": 1.0}])]), True, 0)
    assert out.verdict == "FAIL"


# --- the falsification search -------------------------------------------------------------

def test_quick_mode_does_not_search():
    calls = []
    claim = toy(margin_x, search=lambda s, n: calls.append(n) or [{"x": -1.0}] * n)
    out = run_claim(claim, True, 0)
    assert out.verdict == "PASS" and calls == [] and out.search is None and out.searched == 0


def test_a_claim_without_search_reports_none():
    out = run_claim(toy(margin_x), False, 0)
    assert out.search is None and out.searched == 0 and out.verdict == "PASS"


def test_the_batches_are_a_fixed_sequence_doubling_to_32():
    claim = toy(margin_x, search=uniform_search)
    seeds = harness._batch_seeds(claim, 7)
    pairs = [next(seeds) for _ in range(7)]
    assert [size for _, size in pairs] == [2, 4, 8, 16, 32, 32, 32]
    assert pairs[0] == (7, 2) and len({s for s, _ in pairs}) == 7
    again = harness._batch_seeds(claim, 7)
    assert [next(again) for _ in range(7)] == pairs
    other = harness._batch_seeds(toy(margin_x, search=uniform_search, label="X8"), 7)
    assert [next(other) for _ in range(3)][1:] != pairs[1:3]  # each claim its own sequence


def test_without_refine_the_whole_budget_draws(clock):
    claim = toy(costly(margin_x, clock), search=uniform_search)
    block, _ = run_search(claim, 0, seconds=10.0)
    # each case costs 1 s: the draw stops once 10 s are spent, never before
    assert block["drawn"] == 10 and block["refined"] == 0 and block["cases"] == 10
    assert block["seconds"] == 10.0 and block["budget_seconds"] == 10.0


def test_with_refine_half_the_budget_draws_and_half_climbs(clock):
    claim = toy(costly(margin_x, clock), search=uniform_search,
                refine=lambda case, rng: {**case, "x": case["x"] - rng.uniform(0, 0.1)})
    block, _ = run_search(claim, 0, seconds=10.0)
    assert block["drawn"] == 5 and block["refined"] == 5 and block["cases"] == 10
    assert block["accepted"] == 5  # every step went down


def test_at_least_one_case_is_drawn_whatever_the_budget(clock):
    claim = toy(costly(margin_x, clock), search=uniform_search,
                refine=lambda case, rng: dict(case))
    block, _ = run_search(claim, 0, seconds=0.0)
    assert block["drawn"] == 1 and block["refined"] == 0


def test_the_module_budget_is_read_and_checked(monkeypatch, clock):
    module = types.ModuleType("toy_claim_module")
    monkeypatch.setitem(sys.modules, "toy_claim_module", module)

    def check(case):
        clock.now += 1.0
        return float(case["x"])

    check.__module__ = "toy_claim_module"
    claim = toy(check, search=uniform_search)
    assert harness.search_seconds(claim) == harness.DEFAULT_SEARCH_SECONDS == 4.0
    assert run_search(claim, 0)[0]["drawn"] == 4
    module.SEARCH_SECONDS = 3
    assert harness.search_seconds(claim) == 3.0 and run_search(claim, 0)[0]["drawn"] == 3
    module.SEARCH_SECONDS = 0
    assert harness.search_seconds(claim) == 0.0
    for bad in (-1, -0.5, math.nan, math.inf, True, "4", None):
        module.SEARCH_SECONDS = bad
        with pytest.raises(InputError, match="SEARCH_SECONDS"):
            harness.search_seconds(claim)
    # a claim whose check comes from elsewhere falls back on proofs_checks.<label>
    lab = types.ModuleType("proofs_checks.x9")
    lab.SEARCH_SECONDS = 2.5
    monkeypatch.setitem(sys.modules, "proofs_checks.x9", lab)
    assert harness.search_seconds(toy(margin_x, search=uniform_search)) == 2.5


def test_a_searched_margin_of_zero_fails_like_a_grid_case(clock):
    def search(seed, count):
        return [{"x": x, "i": i} for i, x in enumerate([2.0, 0.0, -0.0, 3.0])][:count] + \
            [{"x": 1.0, "i": 9}] * max(0, count - 4)

    claim = toy(costly(margin_x, clock), search=search)
    out = run_claim(claim, False, 0, search_seconds=6.0)
    assert out.verdict == "FAIL" and "searched case" in out.message
    # drawn: 2, 0 | 2, 0, -0, 3
    assert out.search["failing"] == 3 and out.search["worst_margin"] == 0.0
    assert out.search["worst_case"] == {"x": 0.0, "i": 1}  # the first of equal margins
    assert out.worst_margin == 0.0 and out.searched == 6


def test_failing_and_nan_search_cases_are_counted_and_a_few_reported(clock):
    values = [-1.0, math.nan, -2.0, -3.0, math.nan, -4.0, math.nan, -5.0, math.nan, 1.0]
    drawn = [0]

    def search(seed, count):
        drawn[0] += count
        return [{"x": values[j % len(values)], "j": j}
                for j in range(drawn[0] - count, drawn[0])]

    def check(case):
        clock.now += 1.0
        return case["x"]

    claim = toy(check, search=lambda seed, count: [{"x": v, "i": i}
                                                   for i, v in enumerate(values)][:count]
                if seed == 0 else [])
    block, notable = run_search(claim, 0, seconds=100.0)
    assert block["drawn"] == 2  # the first batch; the second is empty and ends the drawing
    claim = toy(check, search=search)
    block, notable = run_search(claim, 0, counts=(30, 0))
    assert block["drawn"] == 30 and block["refined"] == 0
    assert block["failing"] == 15 and block["nan"] == 12
    margins = [m for _, m in notable]
    assert sum(m != m for m in margins) == 3 and sum(m <= 0 for m in margins) == 3
    assert math.isnan(block["worst_margin"])  # NaN is the worst margin, once seen


def test_nan_in_the_search_fails_the_claim(clock):
    claim = toy(costly(lambda c: math.nan if c.get("seed") is not None else margin_x(c), clock),
                search=uniform_search)
    out = run_claim(claim, False, 0, search_seconds=1.0)
    assert out.verdict == "FAIL" and "NaN" in out.message and "searched case" in out.message


def test_a_search_that_draws_nothing_is_vacuous(clock):
    calls = []

    def search(seed, count):
        calls.append(seed)
        if len(calls) > 50:
            raise AssertionError("an empty batch must end the drawing")
        return []

    out = run_claim(toy(costly(margin_x, clock), search=search), False, 0, search_seconds=5.0)
    assert calls == [0]
    assert out.verdict == "VACUOUS" and "drew no case" in out.message
    assert out.search["cases"] == 0 and out.search["worst_margin"] is None
    assert out.search["worst_case"] is None


def test_the_climb_starts_from_the_three_worst_in_turn(clock):
    given_to_refine = []

    def search(seed, count):
        return [{"x": float(v)} for v in (5, 4, math.nan, 3, 2, 1)][:count] if seed == 0 \
            else [{"x": float(v)} for v in (5, 4, math.nan, 3, 2, 1)][2:2 + count]

    def refine(case, rng):
        given_to_refine.append(case["x"])
        return {"x": case["x"] + 10.0}  # always worse: never accepted

    claim = toy(costly(lambda c: c["x"], clock), search=search, refine=refine)
    block, _ = run_search(claim, 0, counts=(6, 7))
    assert block["drawn"] == 6 and block["refined"] == 7 and block["accepted"] == 0
    # drawn margins 5, 4, nan, 3, 2, 1: the starts are 1, 2, 3 (never the NaN), round robin
    assert given_to_refine == [1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0]


def test_the_climb_accepts_smaller_and_equal_margins_but_not_larger_or_nan(clock):
    def run(step):
        claim = toy(costly(lambda c: c["x"], clock), search=lambda s, n: [{"x": 1.0}] * n,
                    refine=lambda case, rng: {"x": step(case["x"])})
        return run_search(claim, 0, counts=(1, 4))[0]

    down = run(lambda x: x - 0.25)
    assert down["accepted"] == 4 and down["worst_margin"] == 0.0 and down["failing"] == 1
    assert run(lambda x: x)["accepted"] == 4        # a plateau is walked
    up = run(lambda x: x + 0.25)
    assert up["accepted"] == 0 and up["worst_margin"] == 1.0
    nan = run(lambda x: math.nan)
    assert nan["accepted"] == 0 and nan["nan"] == 4


def test_the_climb_finds_a_counterexample_the_draws_miss(clock):
    # the claim "x >= 0.3 on [0.3, 1]" put back as "x >= 0.35": draws in [0.4, 1] miss
    # the failure region [0.3, 0.35); the climb walks into it
    def search(seed, count):
        rng = random.Random(seed)
        return [{"x": rng.uniform(0.4, 1.0)} for _ in range(count)]

    def refine(case, rng):
        return {"x": min(1.0, max(0.3, case["x"] + rng.uniform(-0.05, 0.02)))}

    claim = toy(costly(lambda c: c["x"] - 0.35, clock), search=search, refine=refine)
    out = run_claim(claim, False, 3, search_seconds=60.0)
    assert out.verdict == "FAIL" and out.search["worst_margin"] < 0
    assert 0.3 <= out.search["worst_case"]["x"] < 0.35
    without = toy(costly(lambda c: c["x"] - 0.35, clock), search=search)
    assert run_claim(without, False, 3, search_seconds=60.0).verdict == "PASS"


def test_refine_gets_a_copy_of_the_case(clock):
    def refine(case, rng):
        case["x"] = -5.0  # writes into what it was given
        return {"x": 2.0}

    claim = toy(costly(margin_x, clock), search=lambda s, n: [{"x": 1.0}] * n, refine=refine)
    out = run_claim(claim, False, 0, search_counts=(2, 2))
    assert out.verdict == "PASS" and out.search["worst_margin"] == 1.0
    assert out.search["worst_case"] == {"x": 1.0}


@settings(max_examples=15, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10**6), budget=st.integers(1, 40))
def test_the_search_is_deterministic_and_replays_from_its_counts(seed, budget):
    clock = Clock()
    original = harness.time
    harness.time = types.SimpleNamespace(perf_counter=clock.perf_counter)
    try:
        claim = toy(costly(lambda c: math.sin(7 * c["x"]) + 1.5, clock, cost=0.5),
                    search=uniform_search,
                    refine=lambda case, rng: {**case, "x": case["x"] + rng.gauss(0, 0.1)})
        first, _ = run_search(claim, seed, seconds=float(budget))
        again, _ = run_search(claim, seed, seconds=float(budget))
        replay, _ = run_search(claim, seed, counts=(first["drawn"], first["refined"]))
    finally:
        harness.time = original
    assert first == again
    for key in ("cases", "worst_margin", "worst_case", "drawn", "refined", "accepted"):
        assert replay[key] == first[key], key
    assert first["cases"] == first["drawn"] + first["refined"] == 2 * budget


def test_an_exception_in_a_searched_case_names_the_case(clock):
    def check(case):
        clock.now += 1.0
        if case.get("seed") is not None:
            raise ZeroDivisionError("division by zero")
        return margin_x(case)

    claim = toy(check, search=uniform_search)
    with pytest.raises(ZeroDivisionError) as info:
        run_claim(claim, False, 0, search_seconds=1.0)
    assert any("X9: raised on the drawn search case" in n for n in info.value.__notes__)


def test_the_search_block_reaches_the_outcome_and_a_searched_confirm_is_asked(clock):
    claim = toy(costly(margin_x, clock), search=lambda s, n: [{"x": 0.5}] * n,
                confirm=lambda c: -1.0 if c["x"] == 0.5 else margin_x(c))
    out = run_claim(claim, False, 0, search_seconds=3.0)
    assert out.verdict == "PRECISION INSUFFICIENT" and "searched case" in out.message
    assert set(out.search) >= {"cases", "worst_margin", "worst_case", "seconds"}
    assert [d for d in out.details if d.get("searched")][0]["margin_second_precision"] == -1.0


def test_jsonable_keeps_numbers_writes_rationals_exactly_and_the_rest_as_text():
    from fractions import Fraction

    out = harness._jsonable({"a": 1, "b": 0.5, "c": "s", "d": True, "e": None,
                             "f": [Fraction(1, 3), 2, "x"], "g": Fraction(39, 100),
                             "h": (1.5, complex(1, 2))})
    assert out == {"a": 1, "b": 0.5, "c": "s", "d": True, "e": None,
                   "f": [{"exact": "1/3", "float": 1 / 3}, 2, "x"],
                   "g": {"exact": "39/100", "float": 0.39}, "h": [1.5, "(1+2j)"]}
    assert harness._case_text({"g": Fraction(39, 100)}) == {"g": "39/100"}


def test_load_claims_skips_only_a_missing_check_module(monkeypatch):
    import importlib

    real = importlib.import_module

    def fake(name, *args, **kwargs):
        if name == "proofs_checks.r1":
            raise ModuleNotFoundError("no check", name="proofs_checks.r1")
        if name == "proofs_checks.r2":
            return types.SimpleNamespace(CLAIM="r2 claim")
        if name.startswith("proofs_checks."):
            return types.SimpleNamespace(CLAIM=name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(harness.importlib, "import_module", fake)
    monkeypatch.setattr(harness, "registered", lambda label: None)  # as before any import
    found = harness.load_claims()
    assert "R1" not in found and found["R2"] == "r2 claim" and len(found) == 20

    def broken(name, *args, **kwargs):
        if name == "proofs_checks.r3":
            raise ModuleNotFoundError("No module named 'scipy'", name="scipy")
        return fake(name, *args, **kwargs)

    monkeypatch.setattr(harness.importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError, match="scipy"):
        harness.load_claims()


def test_no_case_is_started_that_would_overrun_the_budget(clock):
    # 3 s a case, 10 s budget: a fourth case would end at 12 s
    claim = toy(costly(margin_x, clock, cost=3.0), search=uniform_search)
    block, _ = run_search(claim, 0, seconds=10.0)
    assert block["drawn"] == 3 and block["seconds"] == 9.0
    # the climb predicts from its own steps: draws 1 s, refines 2 s
    def check(case):
        clock.now += 2.0 if "refined" in case else 1.0
        return margin_x(case)

    claim = toy(check, search=uniform_search,
                refine=lambda case, rng: {**case, "refined": True})
    block, _ = run_search(claim, 0, seconds=10.0)
    # draws until 5 s; then refines at 2 s each: 7, 9 (a third would end at 11)
    assert block["drawn"] == 5 and block["refined"] == 2 and block["seconds"] == 9.0
    # a case slower than the whole budget: one draw, no climb
    claim = toy(costly(margin_x, clock, cost=20.0), search=uniform_search,
                refine=lambda case, rng: dict(case))
    block, _ = run_search(claim, 0, seconds=10.0)
    assert block["drawn"] == 1 and block["refined"] == 0


def test_the_worst_case_is_reported_even_after_the_first_failing_ones(clock):
    # more failing cases than the harness re-checks: the worst comes last and still counts
    values = [-1.0, -2.0, -3.0, -4.0, -5.0, 1.0]

    def search(seed, count):
        return [{"x": v, "i": i} for i, v in enumerate(values)][:count] if seed == 0 else \
            [{"x": v, "i": i} for i, v in enumerate(values)][2:2 + count]

    claim = toy(costly(margin_x, clock), search=search)
    out = run_claim(claim, False, 0, search_counts=(6, 0))
    assert out.verdict == "FAIL" and out.search["failing"] == 5
    assert out.worst_margin == -5.0 and out.worst_case == {"x": -5.0, "i": 4}
    searched = [d["case"] for d in out.details if d.get("searched")]
    assert searched == [{"x": -5.0, "i": 4}, {"x": -1.0, "i": 0}, {"x": -2.0, "i": 1},
                        {"x": -3.0, "i": 2}]
    # a worst case among the first failing ones is not repeated
    out = run_claim(claim, False, 0, search_counts=(2, 0))
    assert [d["case"] for d in out.details if d.get("searched")] == \
        [{"x": -1.0, "i": 0}, {"x": -2.0, "i": 1}]


def test_an_exception_in_refine_names_the_case(clock):
    def refine(case, rng):
        raise KeyError("atoms")

    claim = toy(costly(margin_x, clock), search=uniform_search, refine=refine)
    with pytest.raises(KeyError) as info:
        run_claim(claim, False, 0, search_seconds=10.0)
    assert any("X9: refine raised on the search case" in n for n in info.value.__notes__)
