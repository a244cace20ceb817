"""Exact verdicts of moment_feasible / next_moment_range / extrapolation_range at tolerance 0.

The truth is computed here independently, in Q(sqrt d) with Fractions: a measure with a pair
of conjugate atoms c +- sqrt(d) (d not a square) and conjugate weights u +- v sqrt(d), plus an
optional rational atom, has rational moments; whether it lives on the support is decided by
exact comparisons of squares. Atoms sit on, or 1e-400 inside, the support ends.
"""

import math
from fractions import Fraction as F

import flint
import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentrnn import extrapolation_range, moment_feasible, next_moment_range
from momentrnn.errors import InputError
from momentrnn.precision import flint_precision

INF = float("inf")
TINY = F(1, 10**400)
SUPPORTS = [(-1, 1), (0, INF), (-INF, INF), (F(-39, 100), F(7, 3))]
SLOW = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


def pair_moments(c, d, u, v, count, extra=()):
    """m_j of (u + v r) delta_{c + r} + (u - v r) delta_{c - r} (r = sqrt d) plus rational
    atoms ``extra`` = [(atom, weight)], exactly: 2 * (rational part of (u + v r)(c + r)^j)."""
    out = []
    x, y = u, v  # (u + v r) (c + r)^j = x + y r
    for j in range(count):
        out.append(2 * x + sum(w * a**j for a, w in extra))
        x, y = x * c + y * d, x + y * c
    return out


def root_in(c, d, sign, a, b):
    """Is c + sign sqrt(d) in [a, b]? Exactly (sqrt d is irrational: never equal to an end)."""
    def ge(t):  # c + s r >= t  <=>  s r >= g = t - c
        g = t - c
        return (g <= 0 or g * g <= d) if sign > 0 else (g <= 0 and g * g >= d)

    def le(t):  # c + s r <= t  <=>  s r <= g = t - c
        g = t - c
        return (g >= 0 and g * g >= d) if sign > 0 else (g >= 0 or g * g <= d)

    return (a == -INF or ge(F(a))) and (b == INF or le(F(b)))


def _is_square(q: F) -> bool:
    n, m = q.numerator, q.denominator
    return math.isqrt(n) ** 2 == n and math.isqrt(m) ** 2 == m


@st.composite
def conjugate_measures(draw):
    """(c, d, u, v, extra, support) with positive weights; the pair often near an end."""
    support = draw(st.sampled_from(SUPPORTS))
    a, b = support
    kind = draw(st.sampled_from(["free", "right", "left", "both ends"]))
    c = F(draw(st.integers(-30, 30)), draw(st.integers(30, 70)))
    if kind == "free":
        d = F(draw(st.integers(1, 200)), draw(st.integers(100, 900)))
    elif kind == "both ends":  # the pair 1e-400 inside (or outside) both ends of [a, b]
        lo = F(a if a != -INF else -1)
        hi = F(b) if b != INF else 2 * lo + 2
        c = (lo + hi) / 2
        d = ((hi - lo) / 2 + draw(st.sampled_from([-TINY, TINY]))) ** 2
    else:
        # c +- sqrt(d) on the end (then d is nudged by 1e-400: just outside) or 1e-400 inside
        # or outside it; on an infinite end, near 1 (or -1)
        end = F(b if b != INF else 1) if kind == "right" else F(a if a != -INF else -1)
        h = abs(end - c) or F(1, 2)
        shift = draw(st.sampled_from([-TINY, F(0), TINY, -F(1, 10**60)]))
        d = (h + shift) ** 2
    if _is_square(d):
        d += TINY  # not a square any more
    u = F(draw(st.integers(1, 50)), draw(st.integers(1, 30)))
    v = F(draw(st.integers(-30, 30)), draw(st.integers(1, 60)))
    while u * u <= v * v * d:  # weights u +- v sqrt(d) > 0
        v /= 2
    extra = ()
    if draw(st.booleans()):
        ends = [F(e) for e in support if e not in (INF, -INF)]
        x = draw(st.sampled_from(ends + [F(draw(st.integers(-100, 100)), 100)]))
        extra = ((x, F(draw(st.integers(1, 9)), 7)),)
    return c, d, u, v, extra, support


def _arb(x):
    return flint.arb(flint.fmpq(x.numerator, x.denominator)) if isinstance(x, F) else x


def _truth(c, d, extra, support):
    a, b = support
    ok = root_in(c, d, 1, a, b) and root_in(c, d, -1, a, b)
    return ok and all((a == -INF or x >= a) and (b == INF or x <= b) for x, _ in extra)


@SLOW
@given(conjugate_measures())
def test_determinate_data_with_irrational_atoms_are_decided_exactly(case):
    c, d, u, v, extra, support = case
    atoms = 2 + len(extra)
    m = pair_moments(c, d, u, v, 2 * atoms + 2, extra)
    data = m[: 2 * atoms + 1]  # H_{atoms+1} singular: the measure is forced
    truth = _truth(c, d, extra, support)
    r = moment_feasible(data, support=support)
    assert r.feasible == truth, (r.message, case)
    if not truth:
        with pytest.raises(InputError):
            next_moment_range(data, support=support)
        return
    assert r.determinate and r.measure.size == atoms
    with flint_precision(3000):  # the measure's own moments (balls) contain the data
        for j, mj in enumerate(data):
            total = sum((_arb(w) * _arb(x) ** j for x, w in zip(r.measure.atoms,
                                                               r.measure.weights)),
                        flint.arb(0))
            assert (total - _arb(mj)).contains(0) and total.rad() < 1e-100, (j, total, mj)
    nxt = next_moment_range(data, support=support)
    assert nxt.exact and nxt.collapsed
    assert isinstance(nxt.lower, F) and nxt.lower == nxt.upper == m[2 * atoms + 1]
    # the same data with the next moment a hair off: forced onto the same atoms, infeasible
    for tiny in (TINY, -TINY, F(1, 3 * 10**50)):
        bad = m[: 2 * atoms + 1] + [m[2 * atoms + 1] + tiny]
        assert not moment_feasible(bad, support=support).feasible
        with pytest.raises(InputError):
            next_moment_range(bad, support=support)
    # the top moment of H a hair low: H indefinite
    low = data[:-1] + [data[-1] - TINY]
    assert not moment_feasible(low, support=support).feasible


def test_atoms_1e400_inside_the_ends_of_minus_one_one():
    r = 1 - TINY  # r^2; the atoms are +-sqrt(1 - 1e-400), inside [-1, 1]
    m = [1, 0, r, 0, r * r]
    assert moment_feasible(m).feasible
    nr = next_moment_range(m)
    assert nr.lower == nr.upper == 0 and nr.exact and isinstance(nr.lower, F)
    e = extrapolation_range(m, tolerance=0)
    assert e.certified_lower == e.certified_upper == 0 and e.lower == e.upper == 0.0
    # and just outside: sqrt(1 + 1e-400) is not in [-1, 1] (but on the line it is fine)
    out = [1, 0, 2 - r, 0, (2 - r) ** 2]
    assert not moment_feasible(out).feasible
    assert moment_feasible(out, support=(-INF, INF)).feasible


def test_a_residual_ball_containing_zero_is_not_a_match():
    # forced onto +-sqrt(2) with weights 1/2: m_5 must be 0 and m_6 must be 8
    for support in [(-INF, INF), (-2, 2)]:
        assert moment_feasible([1, 0, 2, 0, 4, 0], support=support).feasible
        assert not moment_feasible([1, 0, 2, 0, 4, TINY], support=support).feasible
        assert not moment_feasible([1, 0, 2, 0, 4, 0, 8 + TINY], support=support).feasible
        with pytest.raises(InputError):
            next_moment_range([1, 0, 2, 0, 4, TINY], support=support)
    # on [0, inf): atoms 2 +- sqrt(2), weights 1/2 each; m_j = ((2+r)^j + (2-r)^j) / 2
    m = pair_moments(F(2), F(2), F(1, 2), F(0), 7)
    assert moment_feasible(m[:5], support=(0, INF)).feasible
    assert next_moment_range(m[:5], support=(0, INF)).lower == m[5]
    assert not moment_feasible(m[:5] + [m[5] + TINY], support=(0, INF)).feasible
    assert not moment_feasible(m[:6] + [m[6] - TINY], support=(0, INF)).feasible


@pytest.mark.parametrize("support", SUPPORTS)
@pytest.mark.parametrize("count", [1, 2, 3, 4, 6])
def test_the_zero_measure_is_feasible(support, count):
    r = moment_feasible([0] * count, support=support)
    assert r.feasible and r.determinate and r.measure is None, r.message
    nr = next_moment_range([0] * count, support=support)
    assert nr.lower == nr.upper == 0 and nr.exact
    # m_0 = 0 forces the zero measure: any other non-zero moment is infeasible
    if count >= 2:
        for j in range(1, count):
            bad = [0] * count
            bad[j] = TINY if j % 2 else -TINY
            assert not moment_feasible(bad, support=support).feasible


# ------------------------------------------------------------------ tolerances, accuracy


def _mp50_third():
    ctx = mpmath.mp.clone()
    ctx.dps = 50
    t = ctx.mpf(1) / 3
    man, exp = t.man_exp
    return t, F(int(man)) * F(2) ** int(exp)


@pytest.mark.parametrize("form", ["list Fraction", "Fraction", "text", "list text", "mpf"])
def test_tolerances_are_read_exactly_in_every_form(form):
    t3, t3_exact = _mp50_third()
    tol, exact = {
        "list Fraction": ([F(1, 3)], F(1, 3)),
        "Fraction": (F(1, 3), F(1, 3)),
        "text": ("0.3", F(3, 10)),
        "list text": (["1/3"], F(1, 3)),
        "mpf": ([t3], t3_exact),
    }[form]
    r = extrapolation_range([1], tolerance=tol, order=1)
    # (1 + eps) delta_1 and (1 + eps) delta_-1 are feasible: the range is exactly +-(1 + eps)
    assert r.certified_upper >= 1 + exact and r.certified_lower <= -(1 + exact), r.message
    assert r.inner_upper is None or r.inner_upper <= 1 + exact
    assert r.inner_lower is None or r.inner_lower >= -(1 + exact)


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.fractions(F(1, 10**4), F(2), max_denominator=10**4),
       st.fractions(F(1, 10), F(3), max_denominator=100))
def test_the_proved_ends_hold_the_exact_tolerance(eps, m0):
    # |m_0(mu) - m0| <= eps, mu >= 0 on [-1, 1]: m_1 ranges over [-(m0 + eps), m0 + eps]
    r = extrapolation_range([m0], tolerance=[eps], order=1)
    assert r.certified_lower <= -(m0 + eps) and r.certified_upper >= m0 + eps
    if math.isfinite(r.accuracy):  # a proved bound on the error of the doubles shown
        for end, truth in ((r.lower, -(m0 + eps)), (r.upper, m0 + eps)):
            assert abs(F(end) - truth) <= F(r.accuracy)


def test_bad_tolerances_are_refused_with_their_value():
    for bad in (-F(1, 3), "-0.1", [F(1, 3), -1e-9], float("nan"), float("inf"), 1j, [0.1, 0.2],
                None, True, np.array(0.1)):
        with pytest.raises(InputError, match="tolerance"):
            extrapolation_range([1], tolerance=bad, order=1)


@SLOW
@given(st.lists(st.fractions(F(-1), F(1), max_denominator=100), min_size=1, max_size=4,
                unique=True),
       st.lists(st.fractions(F(1, 100), F(3), max_denominator=100), min_size=4, max_size=4),
       st.integers(0, 3))
def test_the_accuracy_of_an_exact_range_bounds_its_doubles(atoms, weights, extra):
    # N + 1 moments of a rational measure (determinate, or not when extra > 0 moments fewer)
    n = len(atoms)
    count = max(1, 2 * n + 1 - extra)
    m = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]
    r = extrapolation_range(m, tolerance=0)
    assert r.solver == "exact"
    ex = next_moment_range(m)
    assert (r.certified_lower, r.certified_upper) == (ex.lower, ex.upper)
    for shown, truth in ((r.lower, ex.lower), (r.upper, ex.upper)):
        assert abs(F(shown) - truth) <= F(r.accuracy)


@SLOW
@given(conjugate_measures())
def test_the_accuracy_holds_for_irrational_atoms(case):
    c, d, u, v, extra, support = case
    if INF in support or -INF in support or not _truth(c, d, extra, support):
        return
    atoms = 2 + len(extra)
    m = pair_moments(c, d, u, v, 2 * atoms + 2, extra)
    r = extrapolation_range(m[: 2 * atoms + 1], tolerance=0, support=support)
    truth = m[2 * atoms + 1]
    assert r.certified_lower == r.certified_upper == truth
    assert abs(F(r.lower) - truth) <= F(r.accuracy) and abs(F(r.upper) - truth) <= F(r.accuracy)
    # a later order at tolerance 0: the determinate measure's moment, exactly, without an SDP
    far = pair_moments(c, d, u, v, 2 * atoms + 6, extra)[-1]
    r = extrapolation_range(m[: 2 * atoms + 1], tolerance=0, support=support,
                            order=2 * atoms + 5)
    assert r.solver == "exact" and r.certified_lower == r.certified_upper == far
    assert abs(F(r.lower) - far) <= F(r.accuracy)


# ------------------------------------------------------------------ certify_extrapolation


def test_a_student_equal_to_its_teacher_is_certified_without_an_sdp(monkeypatch):
    import time

    from momentrnn.moments import sdp
    from momentrnn.moments.extrapolation_bound import certify_extrapolation

    def no_sdp(*args, **kwargs):
        raise AssertionError("the bound is already exact: no SDP should be solved")

    # R11 is tight (0, the student's own error): the range is not even asked for
    monkeypatch.setattr(sdp, "extrapolation_range", no_sdp)
    atoms, weights = [F(9, 10), F(-1, 2)], [F(1, 3), F(2, 3)]
    start = time.perf_counter()
    cert = certify_extrapolation(atoms, weights, [1, 1], teacher_atoms=atoms,
                                 teacher_weights=weights, length=40, lags=5)
    assert time.perf_counter() - start < 5
    monkeypatch.undo()
    monkeypatch.setattr(sdp, "_solve_sdp", no_sdp)
    assert cert.complete and cert.max_bound == 0 and cert.max_observed == 0
    assert all(r.bound == 0 for r in cert.rows)
    assert {r.method for r in cert.rows[5:]} == {"R11"}
    # the teacher given by its moments only: the lags determine it, the SDP is not needed
    hat = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(24)]
    cert = certify_extrapolation(atoms, weights, [1, 1], teacher_moments=hat, length=24,
                                 lags=5)
    assert cert.complete and cert.max_bound == 0
    assert {r.method for r in cert.rows[5:]} == {"SDP"}


def test_the_sdp_effort_in_a_certificate_is_bounded(monkeypatch):
    # every interior-point attempt fails: the order is left to R11 with a note, and the slow
    # first-order fallback (SCS, 200,000 iterations) is not started
    from momentrnn.moments import sdp
    from momentrnn.moments.extrapolation_bound import certify_extrapolation

    tried = []

    def failing(cp, name, *args, **kwargs):
        tried.append(name)
        raise sdp._AttemptFailed("status infeasible_inaccurate")

    monkeypatch.setattr(sdp, "_solve_once", failing)
    monkeypatch.setattr(sdp, "_farkas", lambda *a, **k: (None, "not searched"))
    atoms, weights = [F(9, 10), F(-1, 2)], [F(1, 3), F(2, 3)]
    student = [F(9, 10) + F(1, 10**6), F(-1, 2)]
    cert = certify_extrapolation(student, weights, [1, 1], teacher_atoms=atoms,
                                 teacher_weights=weights, length=8, lags=5)
    assert tried and "SCS" not in tried
    assert cert.complete and {r.method for r in cert.rows[5:]} == {"R11"}
    assert any("SDP at q" in note for note in cert.notes)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.integers(-30, 30), st.integers(30, 70), st.integers(1, 200), st.integers(1, 90),
       st.integers(1, 50), st.integers(-30, 30), st.booleans(),
       st.sampled_from([(-INF, INF), (F(-39, 100), INF), (0, INF), (-INF, F(7, 3))]),
       st.integers(1, 12))
def test_determinate_data_give_a_point_on_an_unbounded_support(cn, cd, dn, dd, u, v, extra,
                                                                support, ahead):
    """At tolerance 0 the determinacy of the data is decided before any unbounded-support
    logic: a measure forced by its moments (irrational atoms c +- sqrt(d), maybe a rational
    one) gives the exact m_q for every order, on the line and on half-lines (it was called
    unbounded for odd q on the line and refused for even q)."""
    from hypothesis import assume

    c, d = F(cn, cd), F(dn, dd)
    assume(not _is_square(d))
    u, v = F(u, 7), F(v, 13)
    while u * u <= v * v * d:
        v /= 2
    pts = ((F(-1, 3), F(2, 9)),) if extra else ()
    assume(_truth(c, d, pts, support))
    atoms = 2 + len(pts)
    N = 2 * atoms  # H_atoms singular: the measure is forced on every support
    q = N + ahead
    m = pair_moments(c, d, u, v, q + 1, pts)
    r = extrapolation_range(m[: N + 1], tolerance=0, support=support, order=q)
    assert (r.status, r.solver) == ("ok", "exact")
    assert r.certified_lower == r.certified_upper == m[q]


@pytest.mark.parametrize("support", [(-INF, INF), (-1, INF)])
@pytest.mark.parametrize("moments, order, truth", [
    ([2, 3, 5, 9, 17], 7, 129), ([2, 3, 5, 9, 17], 6, 65),        # delta_1 + delta_2
    ([1, 1, 3, 7, 17], 5, 41), ([1, 1, 3, 7, 17], 9, 1393),      # atoms 1 +- sqrt 2
    ([1, 1, 3, 7, 17], 6, 99)])
def test_the_reviewed_determinate_cases_on_unbounded_supports(moments, order, truth, support):
    r = extrapolation_range(moments, tolerance=0, support=support, order=order)
    assert (r.lower, r.upper, r.status) == (truth, truth, "ok")
    assert r.certified_lower == r.certified_upper == truth


@pytest.mark.parametrize("text, value", [("0.3", F(3, 10)), ("1/3", F(1, 3)),
                                         ("0", F(0)), ("39e-2", F(39, 100))])
def test_the_cli_tolerance_is_read_exactly(text, value, monkeypatch, capsys):
    """``momentrnn bounds --tolerance`` is the number typed, not the double below it."""
    import momentrnn.cli.bounds as bounds_command
    from momentrnn.cli import main

    seen = []
    real = bounds_command.extrapolation_range

    def spy(*args, **kwargs):
        seen.append(kwargs["tolerance"])
        return real(*args, **kwargs)

    monkeypatch.setattr(bounds_command, "extrapolation_range", spy)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("1\n0\n1/3\n"))
    main(["bounds", "-", "--tolerance", text, "--order", "3", "--format", "json"])
    assert seen and F(seen[0]) == value and (value == 0 or not isinstance(seen[0], float))


def test_the_cli_proves_the_ends_of_the_typed_tolerance(tmp_path, capsys):
    """The proved end printed for --tolerance 0.3 holds for the tolerance 3/10 itself."""
    import json

    from momentrnn.cli import main

    path = tmp_path / "m.txt"
    path.write_text("1\n0\n1/3\n")
    main(["bounds", str(path), "--tolerance", "0.3", "--order", "3", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    r = extrapolation_range([1, 0, F(1, 3)], tolerance=F(3, 10), order=3)
    assert F(out["certified_upper"]["exact"]) == r.certified_upper
    assert F(out["certified_lower"]["exact"]) == r.certified_lower


@pytest.mark.parametrize("text", ["-0.1", "1+2j", "abc"])
def test_a_bad_cli_tolerance_is_refused(text, tmp_path, capsys):
    from momentrnn.cli import main

    path = tmp_path / "m.txt"
    path.write_text("1\n0\n1/3\n")
    assert main(["bounds", str(path), "--tolerance=" + text]) != 0
    assert "--tolerance" in capsys.readouterr().err


def _lebesgue(count):
    return [F(2, j + 1) if j % 2 == 0 else 0 for j in range(count)]


@pytest.mark.parametrize("count, order", [(6, 60), (8, 40), (12, 40)])
def test_lebesgue_moments_far_ahead_are_solved_quickly_and_within_the_trivial_range(
        count, order):
    """At tolerance 0 and q > N + 1 the objective is not scaled by 2^(1-q) (Clarabel failed
    on that and SCS ran for minutes): Clarabel solves it, and the proved ends lie inside the
    trivial range 0 <= m_q <= m_0 (x^q on [-1, 1], q even)."""
    import time

    start = time.perf_counter()
    r = extrapolation_range(_lebesgue(count), tolerance=0, order=order)
    took = time.perf_counter() - start
    assert r.status == "ok" and r.solver == "CLARABEL" and len(r.attempts) == 1
    assert 0 <= r.certified_lower <= r.inner_lower <= r.inner_upper <= r.certified_upper <= 2
    assert 0 <= r.lower <= r.upper <= 2
    # x^q <= x^(2 floor(N/2)) on [-1, 1]: the upper end is at most the last even moment
    assert r.inner_upper <= _lebesgue(count)[-2 if count % 2 == 0 else -1]
    assert took < 30  # about 2 s alone on a laptop core; < 10 s asked, slack for a busy machine


@pytest.mark.parametrize("moments, support, order, trivial", [
    (_lebesgue(6), (-1, 1), 60, (F(0), F(2))),
    # (delta_{-1/3} + delta_{1/5}) / 2 and (delta_{-1/3} + delta_{-1}) / 2
    ([1, -F(1, 15), F(17, 225)], (F(-39, 100), F(1, 4)), 7,
     (-F(39, 100) ** 7, F(39, 100) ** 7)),
    ([1, -F(2, 3), F(5, 9)], (-2, F(-1, 10)), 9, (-F(2) ** 9, F(0))),
])
def test_when_every_sdp_attempt_fails_at_tolerance_0_the_trivial_range_is_proved(
        moments, support, order, trivial, monkeypatch):
    """Feasibility is decided exactly before the SDP at tolerance 0: when no attempt solves,
    the trivial bounds are returned (status loose), not a SolverError."""
    import momentrnn.moments.sdp as sdp

    def fail(*args, **kwargs):
        raise sdp._AttemptFailed("status infeasible_inaccurate (forced)")

    monkeypatch.setattr(sdp, "_solve_once", fail)
    monkeypatch.setattr(sdp, "_farkas", lambda *a, **k: (None, "not searched (forced)"))
    assert moment_feasible(moments, support=support).feasible
    r = extrapolation_range(moments, tolerance=0, support=support, order=order)
    assert (r.status, r.solver) == ("loose", "trivial")
    assert (r.certified_lower, r.certified_upper) == trivial
    assert r.lower <= r.certified_lower and r.upper >= r.certified_upper  # rounded outward


def test_with_a_tolerance_the_trivial_bound_includes_it_and_the_sdp_still_proves():
    """m_0 + eps_0 bounds |m_q| (R = 1): the proved ends never leave [-(m_0+eps), m_0+eps]."""
    eps = F(1, 3)
    r = extrapolation_range([1, F(39, 100), F(1, 3)], tolerance=eps, order=7)
    assert -(1 + eps) <= r.certified_lower <= r.certified_upper <= 1 + eps


def test_the_scs_fallback_is_bounded_in_time():
    import momentrnn.moments.sdp as sdp

    scs = [opts for name, opts in sdp.ATTEMPTS if name == "SCS"]
    assert scs and all(0 < opts.get("time_limit_secs", math.inf) <= 5 for opts in scs)
