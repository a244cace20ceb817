"""Truncated moment problems: feasibility, next-moment ranges, SDP, stability bound, realisation."""

import math
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest

from momentrnn import (
    MP,
    Float64,
    extrapolation_range,
    minimal_realization,
    moment_feasible,
    next_moment_range,
    recover_measure,
    stability_bound,
)
from momentrnn.errors import InputError


def uniform(count):
    """Moments of the uniform probability measure on [-1, 1]."""
    return [F(1, j + 1) if j % 2 == 0 else F(0) for j in range(count)]


def test_feasibility_verdicts():
    assert moment_feasible([1, 0, 1]).determinate  # 1/2 (delta_-1 + delta_1)
    r = moment_feasible([1, 0, 2])
    assert not r.feasible and r.failing == "(x + 1)(1 - x)"
    assert moment_feasible(uniform(7)).interior
    # PSD but not recursively generated on the line: m_2 = 0 forces delta_0, then m_4 = 0
    r = moment_feasible([1, 0, 0, 0, 1], support=("-inf", "inf"))
    assert not r.feasible and "kernel polynomial" in r.failing
    r = moment_feasible([1, 0, 0, 0, 0], support=("-inf", "inf"))
    assert r.determinate and r.measure.atoms == (0,)
    # Stieltjes: mean -1 is impossible on [0, inf)
    assert not moment_feasible([1, -1], support=(0, "inf")).feasible
    assert moment_feasible([1, 1, 2], support=(0, "inf")).interior


def _radau(n_free, fixed):
    """Gauss-Radau rule for the uniform probability measure with a node fixed at +-1,
    computed independently with sympy and mpmath: the nodes are the roots of
    P_{n-1} + P_n (node at -1) or P_{n-1} - P_n (node at +1), n = n_free + 1."""
    import sympy

    ctx = mpmath.MPContext()
    ctx.dps = 50
    n = n_free + 1
    x = sympy.Symbol("x")
    sign = 1 if fixed == -1 else -1
    poly = sympy.Poly(sympy.legendre(n - 1, x) + sign * sympy.legendre(n, x), x)
    coeffs = [ctx.mpf(sympy.Rational(c).p) / sympy.Rational(c).q for c in poly.all_coeffs()]
    nodes = sorted(ctx.re(r) for r in ctx.polyroots(coeffs, maxsteps=200, extraprec=100))
    V = ctx.matrix([[xi**j for xi in nodes] for j in range(n)])
    m = ctx.matrix([ctx.mpf(1) / (j + 1) if j % 2 == 0 else 0 for j in range(n)])
    w = ctx.lu_solve(V, m)
    return ctx, nodes, [w[i] for i in range(n)]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_next_odd_moment_range_matches_independent_gauss_radau(k):
    m = uniform(2 * k + 1)
    r = next_moment_range(m)
    assert r.exact and isinstance(r.lower, F) and r.lower == -r.upper
    for end, fixed in ((r.lower, -1), (r.upper, 1)):
        ctx, nodes, weights = _radau(k, fixed)
        value = ctx.fsum(w * x ** (2 * k + 1) for x, w in zip(nodes, weights))
        assert abs(value - ctx.mpf(end.numerator) / end.denominator) < ctx.mpf(10) ** -25
    assert r.lower_measure.size == k + 1
    assert -1 in [round(float(a.mid() if hasattr(a, "mid") else a), 12)
                  for a in r.lower_measure.atoms]


def test_next_even_moment_range_is_gauss_to_lobatto():
    r = next_moment_range(uniform(4))  # m_4 given m_0..m_3
    assert (r.lower, r.upper) == (F(1, 9), F(1, 3))
    atoms = sorted(float(a.mid()) if hasattr(a, "mid") else float(a)
                   for a in r.upper_measure.atoms)
    assert atoms == [-1.0, 0.0, 1.0]


def test_range_collapses_exactly_when_the_hankel_matrix_is_singular():
    # d = 1 tightness example of R9: delta_1 and 1/2 delta_0 + 1/2 delta_2 on [0, 2]
    r = next_moment_range([1, 1], support=(0, 2))
    assert (r.lower, r.upper) == (1, 2)
    assert r.lower_measure.atoms == (1,)
    assert sorted(r.upper_measure.atoms) == [0, 2]
    r = next_moment_range([1, 1, 1], support=(0, 2))  # m_2 = 1: variance 0, delta_1
    assert r.collapsed and r.lower == r.upper == 1
    r = next_moment_range([1, F(1, 2), F(1, 2)], support=(0, 2))  # interior
    assert not r.collapsed and r.lower < r.upper


def test_unbounded_supports_have_infinite_ends():
    r = next_moment_range([1, 1], support=(0, "inf"))
    assert r.lower == 1 and r.upper == math.inf
    r = next_moment_range([1, 0, 1], support=("-inf", "inf"))
    assert (r.lower, r.upper) == (-math.inf, math.inf)
    r = extrapolation_range([1, 0, 1], tolerance=0.0, support=("-inf", "inf"))
    assert r.status == "unbounded" and r.lower == -math.inf


def test_infeasible_input_is_named():
    with pytest.raises(InputError, match="indefinite"):
        next_moment_range([1, 0, 2])
    with pytest.raises(InputError, match="next index"):
        next_moment_range([1, 0], order=5)


@pytest.mark.parametrize("k", [2, 5, 10, 20])
def test_sdp_agrees_with_the_exact_range(k):
    m = uniform(2 * k + 1)
    exact = next_moment_range(m)
    sdp = extrapolation_range(m, tolerance=0.0)
    w = float(exact.upper - exact.lower)
    assert sdp.status == "ok"
    assert abs(sdp.width - w) <= 1e-7 * w
    assert abs(sdp.lower - float(exact.lower)) <= 1e-7 * w


def test_sdp_with_tolerance_widens_and_respects_the_stability_bound():
    # teacher delta_{1/2} on [-1, 1]; moments 0..2 matched within eps
    mu = [F(1), F(1, 2), F(1, 4)]
    for eps in (1e-4, 1e-3):
        r = extrapolation_range(mu, tolerance=eps, order=5)
        bound = stability_bound([F(1, 2)], order=5, tolerance=eps)
        true = 1 / 32
        assert r.status == "ok"
        assert r.lower <= true <= r.upper
        assert max(true - r.lower, r.upper - true) <= bound


def test_stability_bound_matches_hand_computation():
    # one atom at 1/2: p = (x - 1/2)^2, x^3 = (x + 1) p + (3/4 x - 1/4)
    # |r|_1 = 1, sup_{[-1,1]} |x + 1| = 2, |p|_1 = 1 + 1 + 1/4
    assert stability_bound([F(1, 2)], order=3, tolerance=1.0) == pytest.approx(1 + 2 * 2.25)
    with pytest.raises(InputError, match="\\[-1, 1\\]"):
        stability_bound([2], order=3, tolerance=0.1)


def _random_system(n, seed, kind):
    rng = np.random.default_rng(seed)
    if kind == "real":
        eig = rng.uniform(-0.9, 0.9, n)
        A = np.diag(eig)
    elif kind == "complex":
        r, th = rng.uniform(0.3, 0.9), rng.uniform(0.3, 2.5)
        A = np.zeros((n, n))
        A[:2, :2] = r * np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        for i in range(2, n):
            A[i, i] = rng.uniform(-0.9, 0.9)
    else:  # repeated eigenvalue (a Jordan block)
        A = np.diag(np.full(n, 0.5)) + np.diag(np.ones(n - 1), 1)
        A[0, 1] = 1.0
    S = rng.normal(size=(n, n)) + 2 * np.eye(n)
    A = S @ A @ np.linalg.inv(S)
    return A, rng.normal(size=n), rng.normal(size=n)


@pytest.mark.parametrize("kind", ["real", "complex", "repeated"])
def test_minimal_realization_recovers_order_and_response(kind):
    n = 4
    A, B, C = _random_system(n, 3, kind)
    h, x = [], B.copy()
    for _ in range(14):
        h.append(float(C @ x))
        x = A @ x
    for precision in (Float64(), MP(40)):
        r = minimal_realization(h, precision=precision)
        assert r.order == n
        Ar, Br, Cr = r.as_arrays()
        x, hr = Br.copy(), []
        for _ in range(30):
            hr.append(Cr @ x)
            x = Ar @ x
        x, ht = B.copy(), []
        for _ in range(30):
            ht.append(C @ x)
            x = A @ x
        assert np.allclose(hr, ht, atol=1e-8 * max(1, np.abs(ht).max()))


def test_realization_agrees_with_recover_measure_and_with_era():
    atoms, weights = [F(1, 2), F(-1, 3), F(4, 5)], [F(1), F(2), F(-1, 2)]
    h = [sum(w * a**j for a, w in zip(atoms, weights)) for j in range(8)]
    r = minimal_realization(h)  # exact
    A = np.array([[float(v) for v in row] for row in r.A])
    rec = recover_measure(h, precision=MP(30))
    assert sorted(np.linalg.eigvals(A).real) == pytest.approx(
        sorted(float(a) for a in rec.measure.atoms), abs=1e-14)
    control = pytest.importorskip("control")
    hf = np.array([float(v) for v in h])
    era, _ = control.eigensys_realization(np.concatenate([[0.0], hf]).reshape(1, 1, -1), 3,
                                          m=3, n=3, dt=True)
    ours = minimal_realization([float(v) for v in h], precision=Float64())
    assert sorted(np.linalg.eigvals(np.asarray(era.A)).real) == pytest.approx(
        sorted(np.linalg.eigvals(ours.as_arrays()[0]).real), abs=1e-10)


def test_realization_bad_input():
    with pytest.raises(InputError, match="exceeds the Hankel rank"):
        minimal_realization([1, 1, 1, 1, 1, 1], rank=2)
    with pytest.raises(InputError, match="needs 6 lags"):
        minimal_realization([1, 2, 3, 5], rank=3)


def test_support_ends_are_read_with_bounded_work():
    import time

    from momentrnn.errors import InputError

    start = time.perf_counter()
    with pytest.raises(InputError, match="exponent"):
        next_moment_range([1, 0, F(1, 3)], support=("-1", "1e999999999"))
    with pytest.raises(InputError, match="cannot read"):
        next_moment_range([1, 0, F(1, 3)], support=("-1", "abc"))
    assert time.perf_counter() - start < 2
