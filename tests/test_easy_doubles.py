"""Double moments of well-conditioned measures get their digits, and no digit more.

The moments are the doubles nearest to the exact moments of a known measure. The certified
claim is for every sequence within half an ulp of the doubles, and the measure they were
rounded from is one of them, so every vouched digit is checked against it exactly (Fractions,
or a 400-bit Gauss-Legendre rule from ``mpmath.gauss_quadrature``). Also: per-component digits
are relative to a proved lower bound of the true magnitude, and whole digits are floored with
no slack upwards.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import MP, Ball, Float64, recover_measure
from momentrnn.errors import DataAccuracyError
from momentrnn.moments import _ball
from momentrnn.moments.recovery import _floor_digits


def _exact(x) -> Fraction:
    """The exact value of an mpmath number."""
    sign, man, exp, _ = x._mpf_
    if not man:
        return Fraction(0)
    value = Fraction(int(man)) * Fraction(2) ** int(exp)
    return -value if sign else value


def _arf(v) -> Fraction:
    man, exp = v.man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp) if int(man) else Fraction(0)


def _holds(ball, t: Fraction) -> bool:
    return abs(_arf(ball.mid()) - t) <= _arf(ball.rad())


def _assert_no_over_claim(r, atoms, weights):
    """Every vouched digit (normwise and per component) and every enclosure, checked exactly
    against the true measure (``atoms`` and ``weights`` as Fractions)."""
    order = sorted(range(len(atoms)), key=lambda i: atoms[i])
    true_a, true_w = [atoms[i] for i in order], [weights[i] for i in order]
    got_a = [_exact(a) for a in r.measure.atoms]
    got_w = [_exact(w) for w in r.measure.weights]
    for got, true, each, balls in ((got_a, true_a, r.atom_digits, r.enclosure.atoms),
                                   (got_w, true_w, r.weight_digits, r.enclosure.weights)):
        errs = [abs(g - t) for g, t in zip(got, true)]
        assert max(errs) <= Fraction(1, 10 ** int(r.digits)) * max(abs(t) for t in true)
        for e, t, d, b in zip(errs, true, each, balls):
            assert _holds(b, t), (b, t)
            if math.isinf(d):
                assert e == 0
            elif d > 0:
                assert e <= Fraction(1, 10 ** int(d)) * abs(t), (d, float(e), float(t))


def _legendre_rule(n):
    ctx = mpmath.MPContext()
    ctx.prec = 400
    X, W = ctx.gauss_quadrature(n, "legendre")
    # the exact rule is irrational: 110 decimals of a 400-bit rule are far below any claim
    return ([Fraction(mpmath.nstr(v, 110, strip_zeros=False)) for v in X],
            [Fraction(mpmath.nstr(v, 110, strip_zeros=False)) for v in W])


def _legendre_doubles(n):
    return [2 / (k + 1) if k % 2 == 0 else 0.0 for k in range(2 * n)]


# the digits a certificate for every sequence within half an ulp can vouch for at most (the
# first-order worst case over the data box, see test_gauss_legendre_digits_are_sharp): 15.18,
# 14.16, 12.95, 11.05
@pytest.mark.parametrize("n, least", [(3, 15), (5, 14), (7, 12), (10, 11)])
def test_gauss_legendre_from_doubles(n, least):
    m = _legendre_doubles(n)
    r = recover_measure(m)  # the first thing a user types: no options, and it must not raise
    assert r.status == "ok" and r.rank == n and r.digits >= least
    if r.digits < 15:  # the default target is not met: the message says why that is ok
        assert "added no whole digit" in r.message and "digits= to require more" in r.message
        with pytest.raises(DataAccuracyError):  # asked for, 15 digits are a requirement
            recover_measure(m, digits=15)
    atoms, weights = _legendre_rule(n)
    _assert_no_over_claim(r, atoms, weights)
    # the atom at 0 is fixed by symmetry: its enclosure is tiny, but 0 has no relative digit
    if n % 2:
        assert r.atom_digits[n // 2] == 0 and float(r.enclosure.atoms[n // 2].rad()) < 1e-20


@pytest.mark.parametrize("m", [
    [-1.0, 0.0, 2.0, 0.0, 2.0, 0.0],  # a signed measure on atoms symmetric about 0
    [1, 0, 1 / 3, 0],  # exact ints beside one float: only m_2 is rounded
])
def test_symmetric_moments_with_zero_odd_moments_are_certified(m):
    r = recover_measure(m)
    assert r.status == "ok" and r.digits >= 14
    # compare with the exact recovery of the doubles' exact values: the same measure to
    # within the vouched digits (that one lies in the data box too)
    exact = recover_measure([Fraction(v) for v in m], digits=40)
    for got, ref in zip(r.measure.atoms, exact.measure.atoms):
        assert abs(_exact(got) - _exact(ref)) <= Fraction(1, 10 ** int(r.digits)) + \
            Fraction(1, 10**35)
    assert all(d >= 14 for d in r.weight_digits)


@pytest.mark.parametrize("n, limit", [(7, 13), (10, 12)])
def test_gauss_legendre_digits_are_sharp(n, limit):
    """Two sequences within half an ulp of the doubles whose measures' weights differ by more
    than ``2 * 10**-limit`` of the largest weight: no answer can be within ``10**-limit`` of
    both, so ``limit`` digits cannot be vouched for (12 and 11 are the most there are)."""
    ctx = mpmath.MPContext()
    ctx.prec = 300
    m = _legendre_doubles(n)
    radius = [max(abs(v) * 2.0**-53, 2.0**-1074) for v in m]
    X, W = ctx.gauss_quadrature(n, "legendre")
    z0 = list(X) + list(W)

    def jac(z):
        J = ctx.matrix(2 * n, 2 * n)
        for j in range(2 * n):
            for i in range(n):
                J[j, i] = z[n + i] * j * z[i] ** (j - 1) if j else 0
                J[j, n + i] = z[i] ** j
        return J

    def solve(target):
        z = list(z0)
        for _ in range(8):
            F = ctx.matrix([sum(z[n + i] * z[i] ** j for i in range(n)) - target[j]
                            for j in range(2 * n)])
            dz = ctx.lu_solve(jac(z), F)
            z = [z[k] - dz[k] for k in range(2 * n)]
        return z

    Y = jac(z0) ** -1
    worst = max(range(n, 2 * n), key=lambda i: sum(abs(Y[i, k]) * radius[k]
                                                   for k in range(2 * n)))
    sign = [1 if Y[worst, k] >= 0 else -1 for k in range(2 * n)]
    # the exact values of the doubles plus or minus (just under) their radius
    lo = solve([ctx.mpf(v) - s * ctx.mpf(r) * 0.999 for v, s, r in zip(m, sign, radius)])
    hi = solve([ctx.mpf(v) + s * ctx.mpf(r) * 0.999 for v, s, r in zip(m, sign, radius)])
    spread = abs(hi[worst] - lo[worst]) / max(W)
    assert spread > 2 * ctx.mpf(10) ** -limit
    r = recover_measure(m)
    assert r.digits == limit - 1


def _random_case(rng: random.Random, symmetric: bool = False):
    """1-6 atoms k/1000 in [-1, 1] at least 0.15 apart, weights k/1000 in [0.1, 1], with
    cond(H_n) <= 1e4; ``symmetric``: atoms +-a (and 0 or not), so the odd moments are 0.0."""
    while True:
        n = rng.randint(1, 6)
        atoms: list[Fraction] = []
        for _ in range(200):
            a = Fraction(rng.randint(-1000, 1000), 1000)
            if all(abs(a - b) >= Fraction(15, 100) for b in atoms):
                atoms.append(a)
            if len(atoms) == n:
                break
        if len(atoms) < n:
            continue
        weights = [Fraction(rng.randint(100, 1000), 1000) for _ in range(n)]
        if symmetric:
            zero = rng.random() < 0.5
            least = Fraction(15, 100) if zero else Fraction(15, 200)
            pairs = [(a, w) for a, w in zip(atoms, weights) if a >= least]
            if not pairs:
                continue
            both = pairs + [(-a, w) for a, w in pairs] + ([(Fraction(0), weights[0])]
                                                          if zero else [])
            atoms, weights = [a for a, _ in both], [w for _, w in both]
            n = len(atoms)
        m = [float(sum((w * a**j for a, w in zip(atoms, weights)), Fraction(0)))
             for j in range(2 * n)]
        if np.linalg.cond(np.array([[m[i + k] for k in range(n)] for i in range(n)])) <= 1e4:
            return atoms, weights, m


@pytest.mark.parametrize("symmetric, cases", [(False, 60), (True, 30)])
def test_random_well_conditioned_doubles(symmetric, cases):
    """Seeded: >= 10 digits in at least 99 % of the cases, status ok, none over-claimed
    (benchmarks/bench_easy_doubles.py runs 1000 of each kind)."""
    rng = random.Random(7)
    enough = 0
    for _ in range(cases):
        atoms, weights, m = _random_case(rng, symmetric)
        r = recover_measure(m)
        assert r.status == "ok"
        enough += r.digits >= 10
        _assert_no_over_claim(r, atoms, weights)
    assert enough >= 0.99 * cases


# ---------------------------------------------------------------- item: digits of a ball


def test_component_digits_are_relative_to_the_smallest_true_value():
    # m_0 = 1 +- 0.0999: the weight is in [0.9001, 1.0999]; relative to 0.9001 the error
    # 0.0999 is 0.111, i.e. 0.95 digits: no digit
    r = recover_measure([1, Fraction(1, 2)], data_error=[0.0999, 0], throw=False)
    assert r.weight_digits == (0.0,) and r.atom_digits == (0.0,) and r.digits == 0
    assert r.status == "data_limited"  # no digit is no success, even with no digits= asked
    assert "only 0 digits are determined" in r.message  # 0.95 is not written as 1
    for prec in (Float64(), MP(30), Ball(30)):
        r = recover_measure([1, Fraction(1, 2)], data_error=[0.0999, 0], precision=prec,
                            throw=False)
        assert r.weight_digits == (0.0,), prec
    assert _ball.component_digits([flint.arb(1, 0.0999)]) == [pytest.approx(0.9547, abs=1e-4)]
    assert _ball.relative_digits([flint.arb(1, 0.0999)]) == pytest.approx(0.9547, abs=1e-4)
    # relative to the midpoint 9.995e-4 would be 3.0002 digits; relative to the smallest
    # value in the ball, 1 - 9.995e-4, it is 2.9998: not 3
    assert _ball.component_digits([flint.arb(1, 0.0009995)])[0] < 3
    assert _ball.relative_digits([flint.arb(1, 0.0009995)]) < 3
    assert _ball.component_digits([flint.arb(1, 0.00099)])[0] > 3


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(-10**6, 10**6).filter(bool), st.integers(1, 997), st.integers(0, 8),
       st.integers(0, 10**7 - 1))
def test_ball_digits_hold_for_every_value_in_the_ball(num, den, d, j):
    """d digits of a ball (mid, rad) promise rad <= 10**-d |t| for every t in it; the radii
    sit just below 10**-d |mid|, where digits relative to the midpoint over-claim."""
    mid = Fraction(num, den)
    rad = abs(mid) * Fraction(1, 10**d) * (1 - Fraction(j, 10**7))
    ball = flint.arb(flint.fmpq(mid.numerator, mid.denominator)) + flint.arb(
        0, float(rad) * (1 + 2**-40))
    e = _arf(ball.rad())
    low = abs(_arf(ball.mid())) - e
    for digits in (_ball.component_digits([ball])[0], _ball.relative_digits([ball])):
        if digits >= 1:
            assert low > 0 and e * 10 ** int(digits) <= low, (digits, float(e / low))


def test_whole_digits_are_floored_without_slack():
    # a ball whose relative error is 1e-3 (1 + 1e-12): 2.9999999999996 digits, so 2 whole ones
    q = Fraction(1, 1000) * (1 + Fraction(1, 10**12))
    rad = float(q / (1 + q)) * (1 + 2**-50)  # relative to 1 - rad; rounded up, never down
    ball = flint.arb(1) + flint.arb(0, rad)
    for digits in (_ball.component_digits([ball])[0], _ball.relative_digits([ball])):
        assert 2.99 < digits < 3 and _floor_digits(digits) == 2.0
    assert _floor_digits(4.99999999977) == 4.0
    assert _floor_digits(5.0) == 5.0
    assert _floor_digits(0.95) == 0.0
    assert _floor_digits(math.inf) == math.inf
