"""Exact recovery of classical Gauss rules: algebraic atoms and weights held by python-flint."""

from fractions import Fraction

import flint
import mpmath
import pytest
import sympy

from momentrnn import DiscreteMeasure, Exact, recover_measure
from momentrnn.moments.algebraic import AlgebraicField, AlgebraicNumber
from momentrnn.precision import flint_precision

from .helpers import hermite_moments_over_sqrt_pi, laguerre_moments, legendre_moments


def jacobi_moments(n, a=1, b=2):
    """int_{-1}^{1} x^j (1-x)^a (1+x)^b dx for integers a, b, exactly."""
    out = []
    for j in range(2 * n):
        poly = sympy.Poly(sympy.Symbol("x") ** j * (1 - sympy.Symbol("x")) ** a
                          * (1 + sympy.Symbol("x")) ** b)
        integral = poly.integrate()
        value = integral.eval(1) - integral.eval(-1)
        out.append(Fraction(int(value.p), int(value.q)))
    return out


@pytest.mark.parametrize("name, moments", [
    ("legendre 42", legendre_moments(42)),
    ("hermite 30", hermite_moments_over_sqrt_pi(30)),
    ("laguerre 20", laguerre_moments(20)),
    ("jacobi 30", jacobi_moments(30)),
])
def test_exact_gauss_rules_reproduce_their_moments_exactly(name, moments):
    r = recover_measure(moments, precision=Exact())
    assert r.status == "ok" and r.digits == float("inf")
    assert r.measure.moments(len(moments), precision=Exact()) == [Fraction(m) for m in moments]
    assert "equal the data exactly" in r.message


def test_algebraic_numbers_agree_with_sympy_and_certified_balls():
    r = recover_measure(legendre_moments(7), precision=Exact())
    assert all(isinstance(a, AlgebraicNumber) for a in r.atoms)  # one type in one result
    atoms = [a for a in r.atoms if not a.is_rational]
    assert len(atoms) == 6  # P_7 = x * (an irreducible sextic)
    ctx = mpmath.MPContext()
    ctx.prec = 300
    for a, w in zip(r.atoms, r.weights):
        if not isinstance(a, AlgebraicNumber):
            continue
        ref = sympy.N(a.to_sympy(), 80)
        with flint_precision(300):
            assert a.enclosure(300).overlaps(flint.arb(str(ref)) + flint.arb(0, 1e-78))
        assert abs(a.to_mp(ctx) - ctx.mpf(str(ref))) < ctx.mpf(10) ** -75
        assert abs(w.to_mp(ctx) - ctx.mpf(str(sympy.N(w.to_sympy(), 80)))) < ctx.mpf(10) ** -75


def test_exact_moments_of_a_mixed_measure_fall_back_when_a_field_is_incomplete():
    field = AlgebraicField(flint.fmpq_poly([-2, 0, 0, 0, 0, 1]))  # x^5 - 2
    only_real = AlgebraicNumber(field, 0)
    mu = DiscreteMeasure([only_real, Fraction(1, 3)], [1, 2])
    exact = mu.moments(3, precision=Exact())
    assert exact[0] == 3
    assert sympy.simplify(exact[1] - (sympy.root(2, 5) + sympy.Rational(2, 3))) == 0


def test_algebraic_equality_is_exact_across_representations():
    from fractions import Fraction as F

    sqrt2_field = AlgebraicField(flint.fmpq_poly([-2, 0, 1]))
    minus_root = AlgebraicNumber(sqrt2_field, 0)                  # -sqrt(2)
    neg_of_plus = AlgebraicNumber(sqrt2_field, 1, flint.fmpq_poly([0, -1]))   # -(+sqrt(2))
    assert minus_root == neg_of_plus and hash(minus_root) == hash(neg_of_plus)
    assert minus_root != AlgebraicNumber(sqrt2_field, 1)
    # sqrt(2) as an element of Q(sqrt(2) + sqrt(3)): (a^3 - 9a) / 2 at a = sqrt(2) + sqrt(3)
    big = AlgebraicField(flint.fmpq_poly([1, 0, -10, 0, 1]))
    half_cube_minus = flint.fmpq_poly([0, flint.fmpq(-9, 2), 0, flint.fmpq(1, 2)])
    sqrt2_in_big = AlgebraicNumber(big, 3, half_cube_minus)
    assert sqrt2_in_big == AlgebraicNumber(sqrt2_field, 1)
    assert len({sqrt2_in_big, AlgebraicNumber(sqrt2_field, 1), minus_root}) == 2
    three = AlgebraicNumber(sqrt2_field, 0, flint.fmpq_poly([3]))
    assert three == 3 and three == F(3) and hash(three) == hash(F(3))
    assert three.rational_value == 3 and minus_root.rational_value is None


def test_rational_weights_of_an_exact_rule_are_fractions():
    from math import comb

    m = [Fraction(comb(j, j // 2), 2**j) if j % 2 == 0 else 0 for j in range(14)]  # arcsine
    r = recover_measure(m, rank=7, precision=Exact())
    assert all(w == Fraction(1, 7) and isinstance(w, Fraction) for w in r.weights)
