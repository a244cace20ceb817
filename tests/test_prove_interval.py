"""The Jacobian of the Taylor map in outward-rounded double intervals (``prove._interval``):
it must hold the exact Jacobian (a 256-bit ball evaluation, radius about 1e-70) at exact points,
where every bit of its radius comes from the rounding bounds, and over boxes; the interval
matrix product likewise against exact rational products."""

from __future__ import annotations

from fractions import Fraction

import flint
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.precision import flint_precision
from momentrnn.prove import ValidatedFlow
from momentrnn.prove._interval import ieee_ok, interval_matmul, taylor_jacobian
from momentrnn.prove.validated import ball_bounds


def test_numpy_rounds_as_the_enclosures_assume():
    assert ieee_ok()


def _inside(c: float, r: float, lo: Fraction, hi: Fraction) -> bool:
    return Fraction(c) - Fraction(r) <= lo and hi <= Fraction(c) + Fraction(r)


@settings(max_examples=12, derandomize=True, deadline=None)
@given(st.integers(1, 3), st.integers(1, 5), st.integers(0, 2**31),
       st.sampled_from([0.0, 1e-12, 3e-7]),
       st.sampled_from([Fraction(1, 64), Fraction(3, 2**10), Fraction(39, 2**12)]))
def test_interval_jacobian_holds_the_exact_jacobian(d, k, seed, radius, h):
    """Points of size up to 2, non-dyadic-looking doubles, targets like 39/100 and 1/3:
    the exact Jacobian (256-bit balls over the same box) lies inside the intervals, and the
    intervals are not much wider than the balls (at radius 0: the rounding bounds alone)."""
    rng = np.random.default_rng(seed)
    z = rng.uniform(-2, 2, size=3 * d) * rng.choice([1, 1e-3], size=3 * d)
    target = [Fraction(39, 100), Fraction(-1, 3), Fraction(7, 5), Fraction(2, 7),
              Fraction(-1, 9)][:k]
    rho = [Fraction(1), Fraction(1, 3), Fraction(5, 2), Fraction(1, 10), Fraction(2)][:k]
    lo, hi = z - radius, z + radius  # exact doubles: the box
    with flint_precision(256):
        balls = [flint.arb(float(x)).union(flint.arb(float(y))) for x, y in zip(lo, hi)]
        flow = ValidatedFlow(target, rho, order=6, prec=256)
        exact = flow._jacobian(balls, flint.arb(flint.fmpq(h.numerator, h.denominator)))
    out = taylor_jacobian(lo, hi, target, rho, 6, h)
    assert out is not None
    c, r = out
    n = 3 * d
    size = float(np.max(np.abs(c)))  # at least 1: the identity's diagonal
    for i in range(n):
        for j in range(n):
            elo, ehi = ball_bounds(exact[i, j])
            assert _inside(c[i, j], r[i, j], elo, ehi), (i, j, c[i, j], r[i, j], elo, ehi)
            # not vacuous: the ball's width, plus rounding bounds of ~1e-13 of the largest entry
            assert r[i, j] <= 2 * float(ehi - elo) + 1e-12 * size


def test_interval_jacobian_refuses_what_is_not_finite():
    z = np.array([1e200, 1.0, 1e200])
    assert taylor_jacobian(z, z, [Fraction(1)], [Fraction(1)], 6, Fraction(1, 8)) is None


@settings(max_examples=20, derandomize=True, deadline=None)
@given(st.integers(1, 12), st.integers(0, 2**31), st.sampled_from([0.0, 1e-300, 1e-9]))
def test_interval_matmul_holds_every_product(n, seed, spread):
    """Entries of mixed sizes (including subnormal-range products): the exact rational
    product of the corner matrices C +- R and of C lies in mid +- rad."""
    rng = np.random.default_rng(seed)
    C = rng.standard_normal((n, n)) * 10.0 ** rng.integers(-300, 3, size=(n, n))
    R = np.abs(rng.standard_normal((n, n))) * spread
    A = rng.standard_normal((n, n)) / 3
    mid, rad = interval_matmul(C, R, A)
    signs = rng.choice([-1, 0, 1], size=(n, n))
    J = [[Fraction(C[i, j]) + signs[i, j] * Fraction(R[i, j]) for j in range(n)]
         for i in range(n)]
    for i in range(n):
        for j in range(n):
            exact = sum(J[i][m] * Fraction(A[m, j]) for m in range(n))
            assert abs(exact - Fraction(mid[i, j])) <= Fraction(rad[i, j])


@settings(max_examples=10, derandomize=True, deadline=None)
@given(st.integers(2, 3), st.integers(0, 2**31))
def test_interval_jacobian_holds_it_through_cancellation(d, seed):
    """Targets equal to the point's own moments rounded to doubles: the residuals r_j cancel
    to about 1e-16 of their terms, so the rounding of every inner product (not the size of the
    result) must be in the radius."""
    rng = np.random.default_rng(seed)
    k = 5
    z = rng.uniform(0.5, 3, size=3 * d) * rng.choice([-1, 1], size=3 * d)
    a, w = z[:d], z[d:2 * d] * z[2 * d:]
    target = [Fraction(float(np.sum(w * a**j))) for j in range(k)]
    rho = [Fraction(1, 3)] * k
    h = Fraction(1, 2**9)
    with flint_precision(256):
        balls = [flint.arb(float(x)) for x in z]
        flow = ValidatedFlow(target, rho, order=6, prec=256)
        exact = flow._jacobian(balls, flint.arb(flint.fmpq(h.numerator, h.denominator)))
    c, r = taylor_jacobian(z, z, target, rho, 6, h)
    for i in range(3 * d):
        for j in range(3 * d):
            elo, ehi = ball_bounds(exact[i, j])
            assert _inside(c[i, j], r[i, j], elo, ehi), (i, j)


def test_both_jacobians_give_the_same_enclosure():
    """The run through the escape (two_pole, d = 2, scale 0.1, T = 1.25) with the Jacobian in
    rounded doubles and in balls: both proved, the same steps, radii within a factor 2, and
    each end box overlaps the other."""
    from momentrnn.rnn import init_student, named_teacher

    target = [Fraction(float(x)) for x in named_teacher("two_pole").impulse_response(5)]
    student = init_student(2, scale=0.1, seed=0)
    z0 = [Fraction(float(x)) for x in (*student.a, *student.b, *student.c)]
    runs = [ValidatedFlow(target, [1] * 5, jacobian=j).integrate(z0, Fraction(5, 4))
            for j in ("interval", "ball")]
    assert all(r.proved for r in runs) and runs[0].steps == runs[1].steps
    with flint_precision(128):
        for x, y in zip(runs[0].final, runs[1].final):
            assert x.overlaps(y)
            assert float(x.rad()) <= 2 * float(y.rad()) + 1e-30
            assert float(y.rad()) <= 2 * float(x.rad()) + 1e-30


def test_an_unknown_jacobian_is_refused():
    import pytest

    with pytest.raises(ValueError, match="interval"):
        ValidatedFlow([1], [1], jacobian="float")


def _scaled(x: float) -> int:
    """An exact double times 2^1074, an integer."""
    p, q = float(x).as_integer_ratio()
    return p * (2**1074 // q)


@settings(max_examples=6, derandomize=True, deadline=None)
@given(st.sampled_from([30, 60, 120]), st.integers(0, 2**31))
def test_interval_matmul_bounds_the_rounding_of_its_radius(n, seed):
    """C = 0, R in [0.5, 1), A in [-1, 1): the corner J = R sign(A) makes |JA| = R|A| exactly,
    and the computed R|A| is below it in about 4 % of the entries at these n; the radius must
    hold the exact sum (computed in integers: every double is an integer over 2^1074)."""
    rng = np.random.default_rng(seed)
    C = np.zeros((n, n))
    R = rng.uniform(0.5, 1, (n, n))
    A = rng.uniform(-1, 1, (n, n))
    mid, rad = interval_matmul(C, R, A)
    assert not np.any(mid)
    rows = [[_scaled(x) for x in row] for row in R[:3]]
    cols = [[_scaled(abs(x)) for x in row] for row in A]
    for i, row in enumerate(rows):
        for j in range(n):
            exact = sum(r * col[j] for r, col in zip(row, cols))  # times 2^2148
            assert exact <= _scaled(rad[i, j]) * 2**1074, (i, j)


def test_a_hull_beyond_the_doubles_falls_back_to_balls():
    """A hull end above the largest double (a planted 10^400 and -10^400/3): the double
    enclosure gives an infinite end, the interval Jacobian declines, and the step's Jacobian
    is the ball one (no OverflowError)."""
    from momentrnn.prove._interval import _interval
    from momentrnn.prove.validated import _LohnerSet

    huge = Fraction(10) ** 400
    assert _interval(huge) == (1.7976931348623157e308, float("inf"))
    assert _interval(-huge / 3) == (float("-inf"), -1.7976931348623157e308)
    top = Fraction(1.7976931348623157e308)
    lo, hi = _interval(top + Fraction(1, 3))  # rounds to the largest double, below q
    assert lo == 1.7976931348623157e308 and hi == float("inf")
    h = Fraction(1, 64)
    with flint_precision(128):
        flow = ValidatedFlow([Fraction(39, 100), Fraction(-1, 3)], [1, Fraction(1, 3)],
                             order=4, prec=128)
        hull = [flint.arb(flint.fmpq(x.numerator, x.denominator))
                for x in (Fraction(1, 3), -huge / 3, Fraction(2, 7), huge, Fraction(1, 5),
                          Fraction(-1, 9))]
        state = _LohnerSet.from_balls(hull)
        hb = flint.arb(flint.fmpq(h.numerator, h.denominator))
        M, mid = flow._jacobian_times(hull, h, hb, state)
        assert mid is None  # the ball Jacobian
        balls = flow._jacobian(hull, hb) * state.A
        assert all(M[i, j].overlaps(balls[i, j]) for i in range(6) for j in range(6))
    lo = np.array([0.5, 1.0, -np.inf])
    assert taylor_jacobian(lo, np.abs(lo), [Fraction(1)], [Fraction(1)], 4, h) is None
