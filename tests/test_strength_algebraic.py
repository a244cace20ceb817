"""Algebraic numbers (``moments.algebraic``) as properties, against ball evaluations at far
higher precision: Newton power sums of the roots, certified enclosures that contain a root and
are as tight as asked, correct rounding into mpmath in every direction (also for values that sit
on a rounding boundary), exact moments of complete fields, and directed decimal text."""

from __future__ import annotations

from fractions import Fraction

import flint
import mpmath
from flint import fmpq, fmpq_poly
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.moments._numbers import dyadic
from momentrnn.moments.algebraic import (
    AlgebraicField,
    AlgebraicNumber,
    _decimal_text,
    field_moments,
)
from momentrnn.precision import flint_precision
from momentrnn.prove.validated import ball_bounds


def roots_as_numbers(f):
    """Every root of an irreducible rational polynomial, as the package's algebraic numbers."""
    field = AlgebraicField(f)
    return [AlgebraicNumber(field, k) for k in range(field.degree)]


FAST = settings(max_examples=15, derandomize=True, deadline=None)
coef = st.builds(Fraction, st.integers(-9, 9), st.integers(1, 5))
# x^2 - 2, x^3 - x - 1/3 (three real roots), x^3 + x + 1 (one real, two complex), x^4 - 10x^2 + 1
POLYS = [fmpq_poly([-2, 0, 1]), fmpq_poly([fmpq(-1, 3), -1, 0, 1]), fmpq_poly([1, 1, 0, 1]),
         fmpq_poly([1, 0, -10, 0, 1]), fmpq_poly([fmpq(-7, 5), 0, 3])]


@FAST
@given(st.lists(coef, min_size=2, max_size=5).filter(lambda c: c[-1] != 0),
       st.integers(1, 9))
def test_power_sums_are_the_sums_of_the_root_powers(c, count):
    f = fmpq_poly([fmpq(v.numerator, v.denominator) for v in c])
    field = AlgebraicField(f)
    p = field.power_sums(count)
    assert len(p) == count and p[0] == field.degree
    with flint_precision(300):
        roots = (f / f[f.degree()]).complex_roots()
        for k in range(count):
            s = sum((r**k * mult for r, mult in roots), flint.acb(0))
            lo, hi = ball_bounds(s.real)
            ilo, ihi = ball_bounds(s.imag)
            assert lo <= Fraction(int(p[k].p), int(p[k].q)) <= hi and ilo <= 0 <= ihi, (c, k)


@FAST
@given(st.sampled_from(range(len(POLYS))), st.sampled_from([20, 53, 113, 200]))
def test_enclosures_contain_a_root_and_are_tight(which, bits):
    f = POLYS[which]
    numbers = roots_as_numbers(f)
    assert len(numbers) == f.degree()
    for z in numbers:
        b = z.enclosure(bits)
        with flint_precision(bits + 100):
            assert (flint.acb_poly(f)(flint.acb(b))).contains(0)
        mag = abs(complex(b.mid()))
        rad = float(b.rad()) if isinstance(b, flint.arb) else float(b.real.rad()) + float(
            b.imag.rad())
        assert rad <= max(mag, 2.0**-bits) * 2.0**-bits
        assert isinstance(b, flint.arb) == z.is_real
    reals = [z for z in numbers if z.is_real]
    assert [float(z) for z in reals] == sorted(float(z) for z in reals)


@FAST
@given(st.sampled_from(range(len(POLYS))), st.sampled_from([24, 53, 100]))
def test_mpmath_rounding_is_correct_in_every_direction(which, prec):
    for z in roots_as_numbers(POLYS[which]):
        with flint_precision(prec + 300):
            truth = z.enclosure(prec + 250)
        parts = [truth] if z.is_real else [truth.real, truth.imag]
        got = {r: z._mpmath_(prec, r) for r in "dunfc"}
        for i, t in enumerate(parts):
            lo, hi = ball_bounds(t)
            vals = {r: dyadic(*(g._mpf_ if z.is_real else g._mpc_[i])[:3])
                    for r, g in got.items()}
            assert vals["f"] <= lo and hi <= vals["c"]  # floor and ceiling
            if lo > 0:  # 'd' towards zero, 'u' away from it
                assert (vals["d"], vals["u"]) == (vals["f"], vals["c"])
            elif hi < 0:
                assert (vals["d"], vals["u"]) == (vals["c"], vals["f"])
            assert vals["n"] in (vals["f"], vals["c"])
            ulp = abs(vals["c"]) / 2 ** (prec - 1) if vals["c"] else 1
            assert vals["c"] - vals["f"] <= ulp


def test_values_on_a_rounding_boundary_round_exactly():
    half = roots_as_numbers(fmpq_poly([fmpq(-1, 2), 1]))[0]  # x - 1/2: rational
    for r in "dunfc":
        assert mpmath.mpf(half._mpmath_(10, r)) == 0.5
    # 1/2 + i sqrt(3)/2 - 1/2 * 0 ... the real part of a root of x^2 - x + 1 is exactly 1/2
    z = roots_as_numbers(fmpq_poly([1, -1, 1]))
    for w in z:
        for r in "dunfc":
            v = w._mpmath_(20, r)
            assert v.real == 0.5
    # the element sqrt(2)^2 = 2 of Q(sqrt 2): rounds to exactly 2
    field = AlgebraicField(fmpq_poly([-2, 0, 1]))
    two = AlgebraicNumber(field, 1, fmpq_poly([0, 0, 1]))
    assert all(mpmath.mpf(two._mpmath_(8, r)) == 2 for r in "dunfc")


def test_field_moments_are_the_exact_moments_of_complete_fields():
    f = fmpq_poly([fmpq(-1, 3), -1, 0, 1])
    roots = roots_as_numbers(f)
    field = roots[0].field
    R = fmpq_poly([fmpq(1, 7), fmpq(2, 3)])  # weights R(alpha)
    weights = [AlgebraicNumber(field, k, R) for k in range(3)]
    atoms = list(roots) + [Fraction(39, 100)]
    weights = weights + [Fraction(-1, 3)]
    m = field_moments(atoms, weights, 6)
    with flint_precision(300):
        for j in range(6):
            s = sum((w.enclosure(280) * a.enclosure(280) ** j
                     for a, w in zip(roots, weights[:3])), flint.arb(0))
            s += flint.arb(fmpq(39, 100)) ** j * fmpq(-1, 3)
            lo, hi = ball_bounds(s)
            assert lo <= Fraction(int(m[j].p), int(m[j].q)) <= hi, j
    assert field_moments(roots[:2], weights[:2], 3) is None  # not every root
    assert field_moments(roots, [1, 2, 3], 3) is None  # not one polynomial R
    assert field_moments([0.5], [1], 2) is None  # a rounded atom


@FAST
@given(st.builds(Fraction, st.integers(-10**12, 10**12), st.integers(1, 10**12)),
       st.integers(1, 30))
def test_decimal_text_is_a_directed_bound(q, digits):
    down, up = _decimal_text(q, True, digits), _decimal_text(q, False, digits)
    assert Fraction(down) <= q <= Fraction(up)
    if q:
        e = len(str(abs(q.numerator))) - len(str(q.denominator)) + 1
        assert Fraction(up) - Fraction(down) <= Fraction(10) ** (e - digits + 1)
