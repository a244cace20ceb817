"""The checks see the mutants a review found them blind to: M2's localising matrices, R13's
horizon and relative error, M1's indefinite Hankel matrices, M5's upper side, the accuracy
factor of the effective dimension."""

from __future__ import annotations

import math
from fractions import Fraction

from flint import fmpq, fmpq_poly

import momentrnn.moments.truncated as truncated
from proofs_checks import m2

F = Fraction
INF = math.inf


def _without_product(a, b):
    """The localisers with (x - a)(b - x) dropped (the review's mutant A1)."""
    return [(n, g) for n, g in _REAL(a, b) if g.degree() < 2]


def _left_only_on_intervals(a, b):
    """x - a asked only on [a, b], not on [a, inf) (the review's mutant G1)."""
    return [(n, g) for n, g in _REAL(a, b)
            if not (g.degree() == 1 and g[1] > 0 and b == INF)]


_REAL = truncated._localizers


def _infeasible_cases():
    return [c for c in m2.cases(True, 0) if c.get("expect") == "infeasible"]


def test_m2_infeasible_cases_are_certified_and_the_package_rejects_them():
    cases = _infeasible_cases()
    assert {c["support"] for c in cases} == {"[-1, 1]", "[0, inf)", "(-inf, 0]"}
    for c in cases:
        # exact truth, independent of the package: PSD Hankel matrix, certificate L(g q^2) < 0
        assert m2._psd_singular(c["moments"], singular_required=False)
        assert m2._certified_infeasible(c["moments"], c["support"], c["certificate"])
        assert m2.check(c) == 1.0
    # a certificate with g not >= 0 on the support proves nothing: the case is rejected
    bad = dict(cases[0], certificate=([0, 1], [1]))
    assert m2.check(bad) == -1.0


def test_m2_sees_a_dropped_product_localizer(monkeypatch):
    monkeypatch.setattr(truncated, "_localizers", _without_product)
    assert truncated.moment_feasible([1, 0, 2], support=(-1, 1)).feasible  # the mutant bites
    assert any(m2.check(c) < 0 for c in _infeasible_cases() if c["support"] == "[-1, 1]")


def test_m2_sees_a_dropped_half_line_localizer(monkeypatch):
    monkeypatch.setattr(truncated, "_localizers", _left_only_on_intervals)
    assert truncated.moment_feasible([1, -1, 2, -4, 9], support=(0, INF)).feasible
    assert any(m2.check(c) < 0 for c in _infeasible_cases() if c["support"] == "[0, inf)")
    # the control's rejection came from that localising matrix: it no longer fails
    assert any(m2.check(c) > 0 for c in m2.outside(True, 0) if c["support"] == "[0, inf)")


def test_m2_outside_control_is_indeterminate_and_fails_for_its_reason():
    for c in m2.outside(True, 0):
        m = m2.power_moments(c["atoms"], c["weights"], c["count"])
        assert 2 * len(c["atoms"]) > c["count"]  # more atoms than the moments determine
        # the Hankel matrix is definite: only a localising matrix can reject the data
        assert m2._psd_singular(m, singular_required=False)
        H = [[m[i + j] for j in range(3)] for i in range(3)]
        from flint import fmpq_mat
        assert fmpq_mat(3, 3, [fmpq(v.numerator, v.denominator) for r in H for v in r]).det() > 0
        assert m2._certified_infeasible(m, c["support"], c["certificate"])
        assert m2.check(c) == -1.0
    # a certificate that does not hold makes the control pass (it would not fail for its reason)
    c = m2.outside(True, 0)[0]
    assert m2.check(dict(c, certificate=([0, 1], [0, 1]))) == 1.0


def test_m2_riesz_functional_is_exact_on_non_dyadic_data():
    m = [F(1), F(1, 3), F(11, 10)]
    assert m2._riesz(m, [1, 0, -1], [1]) == F(-1, 10)
    g = fmpq_poly([1, 0, -1]) * fmpq_poly([2, 5]) ** 2
    mm = m2.power_moments([F(0), F(3, 2), F(-1, 2)], [F(1), F(1, 3), F(1)], 5)
    assert m2._riesz(mm, [1, 0, -1], [2, 5]) == sum(F(int(g[t].p), int(g[t].q)) * mm[t]
                                                   for t in range(5))


# ---- R13: relative error, the hypothesis space, the horizon --------------------------------

from momentrnn import DiscreteMeasure, teacher_from_measure  # noqa: E402
from proofs_checks import r13  # noqa: E402

HEAVY = {"teacher": "heavy", "atoms": [0.9, 0.8], "weights": [10.0, 10.0], "k": 5, "dim": 20,
         "dynamics": "flow", "scale": 1e-3, "seeds": [0, 1, 2], "until_loss": 1e-12}


def test_r13_heavy_teacher_is_covered_and_extrapolates_relatively():
    # absolute errors 0.03-0.96 over 10 seeds (median 0.14): the old absolute 0.05 failed it
    assert r13.covered(HEAVY)
    assert r13.check(HEAVY) > 0
    assert any(c.get("atoms") == [0.9, 0.8] and c["weights"] == [10.0, 10.0]
               for c in r13.cases(True, 0))


def test_r13_covered_is_the_stated_hypothesis_space():
    base = dict(HEAVY)
    assert r13.covered(dict(base, weights=[0.05, 20.0]))
    assert r13.covered(dict(base, atoms=[0.9, 0.88]))           # 0.02 apart
    assert not r13.covered(dict(base, atoms=[0.9, 0.89]))       # closer than measured
    assert not r13.covered(dict(base, weights=[1.0, -0.5]))     # not a positive teacher
    assert not r13.covered(dict(base, atoms=[0.95, 0.5]))       # near the end at k = 2d + 1
    assert r13.covered(dict(base, atoms=[0.95, 0.5], k=7))      # k = 2d + 3


def test_r13_search_draws_the_stated_teachers():
    cases = [c for c in r13.search(0, 400) if "atoms" in c]
    weights = [w for c in cases for w in c["weights"]]
    assert min(weights) >= r13.WEIGHTS[0] and max(weights) <= r13.WEIGHTS[1]
    assert min(weights) < 0.3 and max(weights) > 5  # the old draw: [0.3, 1] only
    gaps = [abs(c["atoms"][0] - c["atoms"][1]) for c in cases if len(c["atoms"]) == 2]
    assert min(gaps) >= r13.MIN_SEPARATION - 1e-12 and min(gaps) < 0.1  # the old draw: 0.3
    assert all(r13.covered(c) or r13.in_region(c) for c in r13.search(0, 400))
    import random
    rng = random.Random(1)
    for c in cases[:40]:
        new = r13.refine(c, rng)
        assert r13._separated(new) and all(r13.WEIGHTS[0] <= w <= r13.WEIGHTS[1]
                                           for w in new["weights"])


def test_r13_own_error_sees_a_helper_that_stops_early(monkeypatch):
    teacher = teacher_from_measure(DiscreteMeasure([1.0], [1.0]))
    student = teacher_from_measure(DiscreteMeasure([0.999], [1.0]))
    own = r13._own_error(student, teacher, 1000)
    assert abs(own - (1 - 0.999 ** 999)) < 1e-12  # the error shows late: lag 999, 0.63
    assert r13._error(student, teacher) == own
    real = r13.extrapolation_error

    def early(model, teach, *, length):  # the review's mutant: the max over 30 lags
        return real(model, teach, length=30)

    monkeypatch.setattr(r13, "extrapolation_error", early)
    import pytest
    with pytest.raises(r13._Disagree):
        r13._error(student, teacher)
    case = dict(r13.cases(True, 0)[0], seeds=[0])  # delta_1 at k = 5: errors grow with the lag
    case.pop("large")
    assert math.isnan(r13.check(case))  # a case with a NaN margin fails the claim


# ---- M1: an indefinite Hankel matrix in double precision -----------------------------------

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import momentrnn.moments.hankel as hankel_module  # noqa: E402
from momentrnn import Float64, hankel_rank  # noqa: E402
from proofs_checks import m1, m5  # noqa: E402


def _float_rank_without_abs(data, s, margin):
    """The review's mutant D2: eigenvalues sorted by sign, not by absolute value."""
    H = hankel_module.hankel(hankel_module.FLOAT, data.as_numpy(), s, s)
    raw = np.sort(np.linalg.eigvalsh(H))[::-1]
    sv = [hankel_module.mpf_from_float(float(v)) for v in raw]
    return hankel_module._numeric_verdict(data, s, sv, 53, Float64(), margin)


def _indefinite():
    return [c for c in m1.cases(True, 0) if "indefinite" in c["name"]]


def test_m1_checks_the_double_rank_of_indefinite_hankel_matrices(monkeypatch):
    assert hankel_rank([0.0, 1.0, 0.0, 0.25, 0.0]).rank == 2
    assert len(_indefinite()) == 2
    assert all(m1.check(c) == 1.0 for c in _indefinite())
    monkeypatch.setattr(hankel_module, "_float_rank", _float_rank_without_abs)
    assert hankel_rank([0.0, 1.0, 0.0, 0.25, 0.0], precision=Float64()).rank == 1
    assert any(m1.check(c) < 0 for c in _indefinite())


# ---- M5: the upper side for measures that fill the interval --------------------------------

def test_m5_sees_a_smallest_singular_value_off_by_two(monkeypatch):
    fills = [c for c in m5.cases(True, 0) if c.get("fills")]
    assert {c["name"] for c in fills} == {"uniform on [-1, 1]", "arcsine on [-1, 1]",
                                          "uniform on [0, 1]"}
    assert all(0 < m5.check(c) for c in fills)
    real = m5.hankel_singular_values

    def halved(*args, **kwargs):  # the review's mutant B1: sigma_min / 2
        sv = real(*args, **kwargs)
        return list(sv[:-1]) + [sv[-1] / 2]

    monkeypatch.setattr(m5, "hankel_singular_values", halved)
    assert any(m5.check(c) < 0 for c in fills)
    # the lower side alone does not see it: kappa_2 doubled is still above the bound
    assert all(m5.check(dict(c, fills=False)) > 0 for c in fills)


def test_m5_refined_subinterval_drops_the_upper_side():
    import random
    case = next(c for c in m5.cases(True, 0) if c["name"] == "uniform on [0, 1]")
    rng = random.Random(3)
    for _ in range(20):
        new = m5.refine(case, rng)
        assert new.get("fills") == ((new["lo"], new["hi"]) == (0, 1) or None)


# ---- the accuracy a trained student is read at ---------------------------------------------

@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.floats(min_value=0.0, max_value=1e6, allow_nan=False))
def test_moment_accuracy_is_ten_sqrt_loss_floored_at_1e_12(loss):
    import mpmath

    from momentrnn.rnn.analysis import moment_accuracy
    ctx = mpmath.mp.clone()
    ctx.prec = 200
    exact = max(10 * ctx.sqrt(ctx.mpf(loss)), ctx.mpf(1e-12))
    got = moment_accuracy(loss)
    assert abs(ctx.mpf(got) - exact) <= 4e-16 * exact
    if loss >= 1e-20:
        assert got >= 10 * (1 - 1e-15) * loss ** 0.5


def test_moment_accuracy_fixed_points():
    from momentrnn.rnn.analysis import moment_accuracy
    assert moment_accuracy(1e-8) == 10 * 1e-8 ** 0.5  # 1e-3, not 1e-4
    assert moment_accuracy(0.0) == 1e-12
    assert moment_accuracy(1e-28) == 1e-12  # 10 sqrt(L) = 1e-13: the floor
    assert abs(moment_accuracy(4e-26) - 2e-12) < 1e-27  # 10 sqrt(L) = 2e-12: above it
