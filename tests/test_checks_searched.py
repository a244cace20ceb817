"""The checks of R1-R5, R8, R9, R11 and R12 test their statements as written, search their whole
hypothesis space, and fail when the package code they rest on is broken."""

import dataclasses
import math
import random
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import proofs_checks.r8 as r8
import proofs_checks.r9 as r9
import proofs_checks.r11 as r11
import proofs_checks.r12 as r12
from proofs_checks._measures import power_moments

OWNED = ["r1", "r2", "r3", "r4", "r5", "r8", "r9", "r11", "r12"]


@pytest.mark.parametrize("name", OWNED)
def test_every_claim_has_a_search_and_a_refine(name):
    import importlib

    claim = importlib.import_module(f"proofs_checks.{name}").CLAIM
    assert claim.search is not None and claim.refine is not None
    drawn = claim.search(0, 5)
    assert len(drawn) == 5 and drawn == claim.search(0, 5)  # deterministic in the seed
    rng = random.Random(0)
    for case in drawn:
        new = claim.refine(case, rng)
        assert isinstance(new, dict) and new is not case


@pytest.mark.parametrize("name, count, steps", [("r2", 6, 3), ("r5", 12, 6), ("r8", 30, 10),
                                                ("r9", 40, 20), ("r12", 8, 3)])
def test_the_search_and_its_refinements_pass_on_cheap_claims(name, count, steps):
    import importlib

    mod = importlib.import_module(f"proofs_checks.{name}")
    cases = mod.search(1, count)
    margins = [mod.check(c) for c in cases]
    assert all(m > 0 for m in margins), [(m, c) for m, c in zip(margins, cases) if m <= 0]
    rng = random.Random(1)
    worst = cases[margins.index(min(margins))]
    for _ in range(steps):
        worst = mod.CLAIM.refine(worst, rng)
        assert mod.check(worst) > 0, worst


# -- R8: the second sentence -------------------------------------------------------------


@settings(max_examples=40, derandomize=True, deadline=None)
@given(st.integers(1, 10**6), st.integers(0, 12))
def test_square_parts_carry_a_dyadic_weight_exactly(numerator, bits):
    w = F(numerator, 2**bits)
    parts = r8.square_parts(w)
    assert sum(p * p for p in parts) == w
    assert 1 <= len(parts) <= 4 and all(F(float(p)) == p for p in parts)


def test_r8_balanced_zero_loss_students_extrapolate_and_have_rank_d():
    students = [c for c in r8.cases(False, 0) if c["class"] == "student"]
    assert {c["model"] for c in students} == {"diagonal", "full"}
    assert all(r8.check(c) == 1.0 for c in students)


def test_r8_controls_are_zero_loss_students_that_fail_for_their_reason():
    for _, make in r8.CLAIM.controls:
        margins = [r8.check(c) for c in make(True, 0)]
        assert margins and all(m == -1.0 for m in margins), margins  # not NaN: zero loss held


def test_a_wrong_rank_breaks_r8s_second_sentence(monkeypatch):
    real = r8.hankel_rank
    monkeypatch.setattr(r8, "hankel_rank", lambda *a, **k: dataclasses.replace(
        real(*a, **k), rank=real(*a, **k).rank + 1))
    student = next(c for c in r8.cases(True, 0) if c["class"] == "student")
    assert r8.check(student) == -1.0


def test_a_wrong_exact_response_breaks_r8s_second_sentence(monkeypatch):
    from momentrnn import DiagonalRNN

    real = DiagonalRNN.impulse_response

    def late(self, count, *, precision=None):
        h = real(self, count, precision=precision)
        if precision is None:
            return h
        return [v + (j == count - 1) for j, v in enumerate(h)]

    monkeypatch.setattr(DiagonalRNN, "impulse_response", late)
    student = next(c for c in r8.cases(True, 0) if c["class"] == "student"
                   and c["model"] == "diagonal")
    assert r8.check(student) == -1.0


# -- R9: at most d + 1 atoms, the ends ---------------------------------------------------


def test_r9_measure_at_the_upper_end_charges_both_ends():
    from momentrnn import next_moment_range

    for case in r9.search(3, 25):
        m = power_moments(case["atoms"], case["weights"], case["k"])
        lo, hi = case["support"]
        r = next_moment_range(m, support=case["support"])
        nu = r.upper_measure
        assert len(nu.atoms) <= len(case["atoms"]) + 1
        assert all(any(r9._is(x, F(e)) for x in nu.atoms) for e in (lo, hi)), case
        assert F(r.lower) == power_moments(case["atoms"], case["weights"], case["k"] + 1)[-1]


def test_a_wrong_lower_end_breaks_r9(monkeypatch):
    real = r9.next_moment_range

    def shifted(m, **k):
        r = real(m, **k)
        return dataclasses.replace(r, lower=F(r.lower) - F(1, 10**9))

    monkeypatch.setattr(r9, "next_moment_range", shifted)
    case = r9.cases(True, 0)[2]  # random d = 2 on [-1, 1]
    assert r9.check(case) == -1.0


def test_an_upper_measure_without_the_ends_breaks_r9(monkeypatch):
    from momentrnn import DiscreteMeasure

    real = r9.next_moment_range

    def inner(m, **k):
        r = real(m, **k)
        nu = r.upper_measure
        keep = [i for i, x in enumerate(nu.atoms) if not any(
            r9._is(x, F(e)) for e in k["support"])]
        # the ends' weight moved to the nearest interior atoms: not the canonical measure
        return dataclasses.replace(r, upper_measure=DiscreteMeasure(
            [nu.atoms[i] for i in keep], [nu.weights[i] for i in keep]))

    monkeypatch.setattr(r9, "next_moment_range", inner)
    case = r9.cases(True, 0)[2]
    assert r9.check(case) == -1.0


# -- R11: through the certified SDP and certify_extrapolation ----------------------------

R11_CASES = [
    {"teacher": "two atoms", "q": 5, "other": "r9", "certify": True, "lags": 4},
    {"teacher": "drawn", "atoms": [F(-39, 100), F(1, 3)], "weights": [F(1, 3), F(7, 10)],
     "eps": 1e-5, "q": 6, "other": "nearby", "other_seed": 5, "certify": True, "lags": 5},
]


def test_r11_cases_pass_and_use_the_hypothesis():
    for case in R11_CASES:
        c = r11.compare(case)
        assert c["hypothesis"] and not c["faults"], c
        assert r11.check(case) > 0
    outside = r11.outside(True, 0)
    assert all(not r11.compare(c)["hypothesis"] for c in outside)
    assert all(r11.check(c) <= 0 for c in outside)  # the conclusion fails without it


def _r11_margins():
    return [r11.check(c) for c in R11_CASES]


def test_r11_with_2d_moments_instead_of_2d_plus_1_breaks_r11(monkeypatch):
    import momentrnn.moments.extrapolation_bound as eb

    real = eb.R11Bounds
    monkeypatch.setattr(eb, "R11Bounds", lambda atoms, eps, *rest: real(
        atoms, list(eps)[: 2 * len(atoms)], *rest))
    assert min(_r11_margins()) == -1.0


def test_a_proved_sdp_end_rounded_the_wrong_way_breaks_r11(monkeypatch):
    import momentrnn.moments.sdp as sdp

    real = sdp._round
    monkeypatch.setattr(sdp, "_round", lambda value, direction: real(value, -direction))
    assert min(_r11_margins()) == -1.0


def test_scaled_dual_multipliers_break_r11(monkeypatch):
    import momentrnn.moments.sdp as sdp

    real = sdp.certify_end
    monkeypatch.setattr(sdp, "certify_end",
                        lambda lam, *a, **k: real([2 * F(v) for v in lam], *a, **k))
    assert min(_r11_margins()) == -1.0


def test_a_shift_delta_below_the_violation_breaks_r11(monkeypatch):
    import momentrnn.moments._certificate as cert

    real = cert.min_on_interval

    def optimistic(f, a, b):
        low, points = real(f, a, b)
        return low + F(1, 2**300), points  # claims a minimum 2^-300 higher than proved

    monkeypatch.setattr(cert, "min_on_interval", optimistic)
    assert min(_r11_margins()) == -1.0


# -- R12: the corrected bound ------------------------------------------------------------

TEACHER = ([F(4, 5), F(-1, 2)], [F(1), F(-1, 2)])


def test_r12_bound_is_exact_and_carries_the_lag_weights():
    m = power_moments(*TEACHER, 5)
    unit = r12.loss_bound(m, 2)
    assert isinstance(unit, F) and unit > 0
    rho = [F(3), F(1, 7), F(2), F(5), F(1)]
    assert r12.loss_bound(m, 2, rho, form="min rho") == F(1, 7) * unit
    assert r12.loss_bound(m, 2, rho) >= F(1, 7) * unit  # sum c_s^2 / rho_s <= ||c||^2 / min
    assert r12.loss_bound(m, 2, [F(2)] * 5) == 2 * unit == r12.loss_bound(m, 2, [F(2)] * 5,
                                                                          form="min rho")
    assert "min" in r12.STATEMENT and "||c||_2" in r12.STATEMENT and "/ rho_s" in r12.STATEMENT


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.fractions(-2, 2, max_denominator=100),
                          st.fractions(0, 3, max_denominator=100)), min_size=1, max_size=6),
       st.lists(st.fractions(F(1, 100), 10, max_denominator=100), min_size=5, max_size=7))
def test_r12_bound_holds_for_every_non_negative_measure(pairs, rho):
    """Every non-negative measure (any atoms on the line) has L_k >= the bound, exactly."""
    k = len(rho)
    target = power_moments(*TEACHER, k)
    bound = r12.loss_bound(target[:5], 2, rho)
    m = power_moments([a for a, _ in pairs], [w for _, w in pairs], k)
    assert sum(r * (x - y) ** 2 for r, x, y in zip(rho, m, target)) >= bound


def test_r12_without_min_rho_the_bound_fails():
    (control,) = r12.without_min_rho(True, 0)
    assert r12.check(control) < 0
    assert r12.check({**control, "drop": None}) > 0


# -- R4, R5: false failures of the checks found by the search -----------------------------


def test_r4_float_flow_drift_of_a_balanced_start_is_measured_against_its_terms():
    from momentrnn import init_student, named_teacher
    from proofs_checks._flowcheck import _float_flow

    student = init_student(3, scale=0.379, seed=440651, mode="balanced")
    assert _float_flow(student, named_teacher("long_memory"), 8, 0.172, "rosenbrock") > 0


def test_r5_judges_only_the_steps_a_diverged_run_took():
    import proofs_checks.r5 as r5

    case = {"model": "diagonal", "dim": 8, "seed": 331556, "lr": 0.2222, "decay": 0.0,
            "scale": 0.774, "steps": 2}  # diverges at its second step
    assert r5.check(case) > 0
    assert not math.isnan(r5.check(case))


# -- survivors of mutants in the moment engine, killed -----------------------------------


def test_r12_needs_the_hankel_matrix_as_the_reason(monkeypatch):
    real = r12.moment_feasible
    monkeypatch.setattr(r12, "moment_feasible", lambda m, **k: dataclasses.replace(
        real(m, **k), failing="(x + 1)"))
    exact = [c for c in r12.cases(True, 0) if c["kind"] in ("exact", "complex")]
    assert exact and all(r12.check(c) == -1.0 for c in exact)


def test_r8_needs_the_collapsed_range_at_mu_hats_moment(monkeypatch):
    real = r8.next_moment_range
    monkeypatch.setattr(r8, "next_moment_range", lambda m, **k: dataclasses.replace(
        real(m, **k), lower=F(real(m, **k).lower) + F(1, 10**30),
        upper=F(real(m, **k).upper) + F(1, 10**30)))
    even = [c for c in r8.cases(True, 0) if c.get("k", 1) % 2 == 0 and c["class"] != "student"]
    assert even and all(r8.check(c) == -1.0 for c in even)


def test_a_loose_sdp_bound_in_certify_extrapolation_breaks_r11(monkeypatch):
    import momentrnn.moments.extrapolation_bound as eb

    real = eb._sdp_bound
    monkeypatch.setattr(eb, "_sdp_bound", lambda *a, **k: (
        lambda v: v if isinstance(v, str) else 2 * v)(real(*a, **k)))
    assert r11.check(R11_CASES[1]) == -1.0


# -- false failures of the checks found by the harness's search, fixed -------------------


def test_r4_energy_identity_allows_the_quadrature_error_of_a_fast_short_flow():
    import proofs_checks.r4 as r4

    # the full grid at seed 1: Simpson on 11 fixed points is off by 1.02 % (main: -0.009)
    case = {"dim": 6, "teacher": "long_memory", "k": 5, "seed": 3, "diagonal": True,
            "dynamics": "flow", "t": 0.3}
    assert r4.check(case) > 0


def test_r2_judges_double_responses_against_the_absolute_terms():
    import proofs_checks.r2 as r2

    # a dense similarity with entries up to 362: the double response is off by 2.6e-12 of
    # max |h_j|, within the rounding of |C| |A|^j |B|
    assert r2.check({"n": 7, "seed": 124181402, "transform": "similarity", "general": True}) == 1


def test_r5_judges_a_small_steps_rounding_against_the_parameter():
    import proofs_checks.r5 as r5

    case = {"model": "diagonal", "dim": 1, "lr": 0.0014, "decay": 0.0, "steps": 2,
            "mode": "balanced", "seed": 202707, "teacher": "negative_weight", "k": 2,
            "scale": 0.222}
    assert r5.check(case) > 0


def test_r11_takes_an_end_without_a_checked_measure_as_honest():
    case = {"teacher": "drawn", "atoms": [F(461, 1000), F(1)], "weights": [F(3, 20), F(1, 4)],
            "eps": 1.336059985153725e-08, "q": 15, "other": "nearby",
            "other_seed": 280228220, "certify": False, "lags": 5}
    c = r11.compare(case)
    assert c["worst_attained"] is None or not c["faults"]
    assert r11.check(case) > 0
