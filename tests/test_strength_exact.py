"""Exact recovery (``moments._exact``) as properties: every method and basis returns the atoms
and weights of a rational measure exactly, sorted; irrational atoms of a quadratic factor as
radicals whose measure reproduces the moments; the first moment a candidate measure misses is
named by its index; too many atoms and a repeated factor are refused."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from flint import fmpq, fmpq_poly
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.errors import InputError, RankError
from momentrnn.moments._data import parse_moments
from momentrnn.moments._exact import _first_unreproduced, exact_prony_polynomial, exact_recover
from momentrnn.moments.chebyshev import monomial_to_chebyshev

atoms_st = st.lists(st.sampled_from([Fraction(39, 100), Fraction(-1, 3), Fraction(7, 8),
                                     Fraction(-9, 10), Fraction(0), Fraction(5, 2)]),
                    min_size=1, max_size=3, unique=True)
weights_st = st.lists(st.sampled_from([Fraction(1, 3), Fraction(5, 7), Fraction(2),
                                       Fraction(1, 10)]), min_size=3, max_size=3)


def _m(atoms, weights, count):
    return [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]


@settings(max_examples=15, derandomize=True, deadline=None)
@given(atoms_st, weights_st, st.integers(0, 2))
def test_every_method_and_basis_recovers_a_rational_measure_exactly(atoms, ws, extra):
    n = len(atoms)
    weights = ws[:n]
    m = _m(atoms, weights, 2 * n + extra)
    want = sorted(zip(atoms, weights))
    for method in ("prony", "pencil", "gauss"):
        for basis, values in (("monomial", m), ("chebyshev", monomial_to_chebyshev(m))):
            got_a, got_w = exact_recover(parse_moments(values), n, method, basis)
            assert list(zip(got_a, got_w)) == want, (method, basis)
            assert all(type(a) is Fraction for a in got_a)
    if n > 1:
        with pytest.raises(RankError, match=f"the {2 * n} exact moments are not those of a "
                                            f"measure with {n - 1} atoms"):
            exact_prony_polynomial(parse_moments(m[:2 * n]), n - 1)


@settings(max_examples=15, derandomize=True, deadline=None)
@given(atoms_st, weights_st, st.integers(0, 4), st.sampled_from([Fraction(1, 7), -1]))
def test_the_first_missed_moment_is_named_by_its_index(atoms, ws, k, bump):
    n = len(atoms)
    m = _m(atoms, ws[:n], 2 * n + 3)
    p, N = exact_prony_polynomial(parse_moments(m[:2 * n]), n)
    fm = [fmpq(v.numerator, v.denominator) for v in m]
    assert _first_unreproduced(p, N, fm) is None
    bad = list(fm)
    bad[k] += fmpq(bump.numerator, bump.denominator)
    assert _first_unreproduced(p, N, bad) == k
    # p is the monic polynomial of the atoms
    x = sympy.Symbol("x")
    want = sympy.Poly(sympy.prod([x - sympy.Rational(a.numerator, a.denominator)
                                  for a in atoms]), x)
    assert [Fraction(int(p[i].p), int(p[i].q)) for i in range(n + 1)] == [
        Fraction(int(c.p), int(c.q)) for c in reversed(want.all_coeffs())]


def test_quadratic_atoms_are_radicals_that_reproduce_the_moments():
    # Gauss-Legendre with 2 points: +-1/sqrt(3), weights 1
    got_a, got_w = exact_recover(parse_moments([2, 0, Fraction(2, 3), 0]), 2, "prony")
    s = sympy.sqrt(3) / 3
    assert [sympy.simplify(a - b) for a, b in zip(got_a, [-s, s])] == [0, 0]
    assert [sympy.simplify(w - 1) for w in got_w] == [0, 0]
    # atoms 1 +- sqrt(2) with weights 1/3 and 2/3 (m_j rational: conjugate weights differ)
    r = sympy.sqrt(2)
    atoms = [1 - r, 1 + r]
    weights = [sympy.Rational(1, 2) - r / 8, sympy.Rational(1, 2) + r / 8]
    m = [sympy.nsimplify(sympy.expand(sum(w * a**j for a, w in zip(atoms, weights))))
         for j in range(4)]
    m = [Fraction(int(v.p), int(v.q)) for v in m]
    got_a, got_w = exact_recover(parse_moments(m), 2)
    assert [sympy.simplify(a - b) for a, b in zip(got_a, atoms)] == [0, 0]
    assert [sympy.simplify(a - b) for a, b in zip(got_w, weights)] == [0, 0]


def test_a_repeated_factor_and_complex_data_are_refused():
    # moments of 2 delta_1 asked with 2 atoms: the Hankel system is singular
    with pytest.raises((InputError, RankError)):
        exact_recover(parse_moments([2, 2, 2, 2]), 2)
    from momentrnn.errors import PrecisionMismatchError

    with pytest.raises(PrecisionMismatchError, match="real moments"):
        exact_prony_polynomial(parse_moments(["1", "1j", "-1", "-1j"]), 2)
    with pytest.raises(PrecisionMismatchError):
        exact_prony_polynomial(parse_moments([1.0, 0.5]), 1)
    assert fmpq_poly([1, 1])  # the flint import is used
