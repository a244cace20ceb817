"""Reference values from an independent code (mpmath.gauss_quadrature) and closed forms."""

import math
from fractions import Fraction

import mpmath
import pytest
import sympy

from momentrnn import MP, Ball, Exact, Float64, recover_measure

from .helpers import (
    correct_digits,
    hermite_moments_over_sqrt_pi,
    laguerre_moments,
    legendre_moments,
)


def _reference(n, kind, dps=120):
    ctx = mpmath.MPContext()
    ctx.dps = dps
    X, W = ctx.gauss_quadrature(n, kind)
    pairs = sorted(zip([X[i] for i in range(n)], [W[i] for i in range(n)]))
    return ctx, [p[0] for p in pairs], [p[1] for p in pairs]


@pytest.mark.parametrize("n", [10, 20])
@pytest.mark.parametrize("kind", ["legendre", "laguerre", "hermite"])
def test_gauss_rules_to_30_digits(n, kind):
    moments = {"legendre": legendre_moments, "laguerre": laguerre_moments,
               "hermite": hermite_moments_over_sqrt_pi}[kind](n)
    ctx, X, W = _reference(n, kind)
    if kind == "hermite":
        W = [w / ctx.sqrt(ctx.pi) for w in W]
    r = recover_measure(moments, digits=30)
    assert r.ok and r.rank == n and r.digits >= 30
    atoms, weights = r.measure.atoms, r.measure.weights
    true_a = correct_digits(atoms, X, ctx)
    true_w = correct_digits(weights, W, ctx)
    assert min(true_a, true_w) >= 30
    assert r.digits <= min(true_a, true_w) + 1e-9  # never vouch for a wrong digit


@pytest.mark.parametrize("method", ["prony", "pencil", "gauss"])
@pytest.mark.parametrize("precision", [MP(50), Ball(50)])
def test_every_method_in_every_precision(method, precision):
    n = 10
    ctx, X, W = _reference(n, "legendre")
    r = recover_measure(legendre_moments(n), method=method, precision=precision)
    assert r.ok and r.digits >= 25
    assert correct_digits(r.measure.atoms, X, ctx) >= r.digits
    assert correct_digits(r.measure.weights, W, ctx) >= r.digits


@pytest.mark.parametrize("method", ["prony", "pencil", "gauss"])
def test_float64_methods_vouch_honestly(method):
    n = 8
    ctx, X, W = _reference(n, "legendre")
    r = recover_measure(legendre_moments(n), method=method, precision=Float64())
    assert 8 <= r.digits <= 16
    assert correct_digits(r.measure.atoms, X, ctx) >= r.digits
    assert correct_digits(r.measure.weights, W, ctx) >= r.digits


def test_five_point_gauss_legendre_exactly():
    r = recover_measure(legendre_moments(5), precision=Exact())
    assert r.digits == math.inf
    s = sympy.sqrt
    a = s(5 - 2 * s(Fraction(10, 7))) / 3
    b = s(5 + 2 * s(Fraction(10, 7))) / 3
    expected_atoms = [-b, -a, 0, a, b]
    expected_weights = [(322 - 13 * s(70)) / 900, (322 + 13 * s(70)) / 900, Fraction(128, 225),
                        (322 + 13 * s(70)) / 900, (322 - 13 * s(70)) / 900]
    for got, want in zip(r.measure.atoms, expected_atoms):
        assert sympy.simplify(sympy.nsimplify(got) - want) == 0
    for got, want in zip(r.measure.weights, expected_weights):
        assert sympy.simplify(sympy.nsimplify(got) - want) == 0


def test_one_and_two_atoms_exactly():
    r = recover_measure([3, 6], precision=Exact())
    assert r.measure.atoms == (2,) and r.measure.weights == (3,)
    x, w = [Fraction(-1, 3), Fraction(5, 7)], [Fraction(2), Fraction(-1, 2)]
    m = [sum(wi * xi**j for xi, wi in zip(x, w)) for j in range(4)]
    for method in ("prony", "pencil"):
        r = recover_measure(m, precision=Exact(), method=method)
        assert list(r.measure.atoms) == x and list(r.measure.weights) == w


def test_more_moments_than_needed_are_used():
    x, w = [Fraction(1, 4), Fraction(3, 4)], [Fraction(1), Fraction(2)]
    m = [sum(wi * xi**j for xi, wi in zip(x, w)) for j in range(10)]
    r = recover_measure(m)
    assert r.rank == 2 and r.ok
    assert r.rank_evidence.verdict == "exact"
    r = recover_measure([float(v) for v in m], precision=Float64())
    assert r.rank == 2 and r.digits >= 12


def test_complex_atoms():
    atoms = [0.5 + 0.5j, 0.5 - 0.5j, -0.3]
    weights = [1 + 1j, 1 - 1j, 0.5]
    m = [sum(w * a**j for a, w in zip(atoms, weights)) for j in range(6)]
    for method in ("prony", "pencil"):
        r = recover_measure(m, method=method, digits=10)
        assert r.ok and r.digits >= 10
        got = [complex(a) for a in r.measure.atoms]
        for t in atoms:
            assert min(abs(g - t) for g in got) < 1e-12


def test_chebyshev_basis_gauss_rule():
    from momentrnn.moments import monomial_to_chebyshev

    n = 12
    nu = monomial_to_chebyshev(legendre_moments(n))
    ctx, X, W = _reference(n, "legendre")
    r = recover_measure(nu, method="gauss", basis="chebyshev", digits=30)
    assert r.ok and correct_digits(r.measure.atoms, X, ctx) >= 30
    # modified moments in double precision stay accurate where power moments do not
    nu_f = [float(v) for v in monomial_to_chebyshev(legendre_moments(40))]
    rf = recover_measure(nu_f, rank=40, method="gauss", basis="chebyshev", precision=Float64())
    ctx, X, W = _reference(40, "legendre")
    assert correct_digits(rf.measure.atoms, X, ctx) > 12
