"""Ball recovery and its digit accounting (``moments._ball``) as properties: certified atoms and
weights of Prony, the pencil and Gauss contain the exact ones of a rational measure; the
Krawczyk enclosure contains the measure of every sequence within the data's radii (checked on
the true measure of rounded moments); vouched digits are a lower bound of the true relative
accuracy and within 1e-9 digits of it, 0 where a ball holds zero, inf when exact."""

from __future__ import annotations

import math
from fractions import Fraction

import flint
from flint import acb, arb
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.moments._ball import (
    ball_gauss,
    ball_pencil,
    ball_prony,
    component_digits,
    krawczyk_enclosure,
    relative_digits,
)
from momentrnn.moments._data import parse_moments
from momentrnn.moments.chebyshev import monomial_to_chebyshev
from momentrnn.precision import flint_precision
from momentrnn.prove.validated import ball_bounds

atoms_st = st.lists(st.sampled_from([Fraction(39, 100), Fraction(-1, 3), Fraction(7, 8),
                                     Fraction(-9, 10), Fraction(1, 10)]),
                    min_size=1, max_size=3, unique=True)
weights = [Fraction(1, 3), Fraction(5, 7), Fraction(2)]


def _in(b, x: Fraction) -> bool:
    if isinstance(b, acb):
        lo, hi = ball_bounds(b.real)
        ilo, ihi = ball_bounds(b.imag)
        return lo <= x <= hi and ilo <= 0 <= ihi
    lo, hi = ball_bounds(b)
    return lo <= x <= hi


def _matches(sol, atoms, ws):
    assert len(sol.atoms) == len(atoms) == len(sol.weights)
    for x, w in zip(atoms, ws):
        hits = [i for i, b in enumerate(sol.atoms) if _in(b, x)]
        assert len(hits) == 1, (x, sol.atoms)
        assert _in(sol.weights[hits[0]], w), (w, sol.weights[hits[0]])


@settings(max_examples=10, derandomize=True, deadline=None)
@given(atoms_st, st.integers(0, 1))
def test_ball_methods_contain_the_exact_measure(atoms, extra):
    n = len(atoms)
    ws = weights[:n]
    m = [sum(w * x**j for x, w in zip(atoms, ws)) for j in range(2 * n + extra)]
    data = parse_moments(m)
    for sol in (ball_prony(data, n, 128), ball_pencil(data, n, 128),
                ball_gauss(data, n, 128), ball_gauss(parse_moments(monomial_to_chebyshev(m)),
                                                     n, 128, "chebyshev")):
        _matches(sol, atoms, ws)
        assert sol.bits == 128 and (sol.consistent or extra)
        with flint_precision(128):
            for b in list(sol.atoms) + list(sol.weights):
                rad = b.rad() if isinstance(b, arb) else b.real.rad() + b.imag.rad()
                assert float(rad) < 1e-20


@settings(max_examples=8, derandomize=True, deadline=None)
@given(atoms_st)
def test_krawczyk_encloses_the_measure_of_every_sequence_in_the_radii(atoms):
    n = len(atoms)
    ws = weights[:n]
    m = [sum(w * x**j for x, w in zip(atoms, ws)) for j in range(2 * n)]
    data = parse_moments([float(v) for v in m])  # rounded: the true m within half an ulp
    for j, v in enumerate(m):
        assert abs(Fraction(float(v)) - v) <= Fraction(data.radius[j])
    sol = ball_prony(data, n, 128)
    box = krawczyk_enclosure(data, sol, "monomial", 128)
    assert box is not None
    _matches(box, atoms, ws)


def _true_digits(err: Fraction, low: Fraction) -> float:
    return -math.log10(err / low)


@settings(max_examples=40, derandomize=True, deadline=None)
@given(st.builds(Fraction, st.integers(-10**9, 10**9), st.integers(1, 10**6)),
       st.integers(-300, -1), st.integers(-40, 3))
def test_component_digits_are_a_tight_lower_bound(x, e, pad):
    r = 2.0**e * 3  # non-dyadic ratio to x
    with flint_precision(200):
        b = arb(flint.fmpq(x.numerator, x.denominator)) + arb(0, r) * 2**pad
    lo, hi = ball_bounds(b)
    err = (hi - lo) / 2
    low = abs((hi + lo) / 2) - err
    (d,) = component_digits([b])
    if err == 0:
        assert d == math.inf
    elif low <= 0:
        assert d == 0.0
    else:
        truth = _true_digits(err, low)
        assert d <= max(truth, 0.0) and (d >= truth - 1e-9 or d == 0.0), (x, r, d, truth)
    z = acb(b, b)
    (dz,) = component_digits([z])
    low_z = Fraction(-1)
    if err and low > 0:
        mid = abs((hi + lo) / 2)
        low_z = mid * Fraction(math.sqrt(2)) - 2 * err  # |mid| of the complex midpoint
        assert low_z > 0 or dz == 0.0
    if err and low > 0 and low_z > 0:
        assert dz <= _true_digits(2 * err, low_z * (1 + Fraction(1, 10**12))) + 1e-9


def test_relative_digits_use_the_largest_magnitude_and_the_largest_radius():
    with flint_precision(128):
        a = arb(flint.fmpq(1, 3)) + arb(0, 1e-10)
        b = arb(flint.fmpq(-200, 3)) + arb(0, 1e-12)
        c = arb(flint.fmpq(1, 8))  # exact
    d = relative_digits([a, b, c])
    lo_a, hi_a = ball_bounds(a)
    lo_b, hi_b = ball_bounds(b)
    err = (hi_a - lo_a) / 2
    low = abs((hi_b + lo_b) / 2) - (hi_b - lo_b) / 2
    truth = _true_digits(err, low)
    assert truth - 1e-9 <= d <= truth
    assert relative_digits([c]) == math.inf and relative_digits([]) == math.inf
    with flint_precision(128):
        zero = arb(0, 1e-5)
    assert relative_digits([zero]) <= 5 and relative_digits([zero]) >= 5 - 1e-6
    assert relative_digits([zero, arb(0, 1e-3)]) <= 3
    assert component_digits([zero, c]) == [0.0, math.inf]
