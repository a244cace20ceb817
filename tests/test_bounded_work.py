"""Bounded work (issue 23): exact ranks decided exactly and cheaply, exponents capped in every
spelling, sizes refused before the work starts."""

import time
from fractions import Fraction

import mpmath
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import hankel_rank
from momentrnn.moments._data import parse_moments
from momentrnn.moments.hankel import singular_values

_CTX = mpmath.mp.clone()
_CTX.prec = 200


def _moments(atoms, weights, count):
    return [sum((w * a**k for a, w in zip(atoms, weights)), Fraction(0)) for k in range(count)]


_atom = st.fractions(min_value=-2, max_value=2, max_denominator=50)
_weight = st.fractions(min_value=Fraction(-3), max_value=Fraction(3), max_denominator=30).filter(
    bool)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(_atom, min_size=1, max_size=4, unique=True), st.data(), st.integers(0, 4))
def test_exact_rank_is_the_number_of_atoms_and_the_other_singular_values_are_zero(
        atoms, data, extra):
    weights = data.draw(st.lists(_weight, min_size=len(atoms), max_size=len(atoms)))
    complex_part = data.draw(st.booleans())
    count = 2 * (len(atoms) + extra) + 1
    m = _moments(atoms, weights, count)
    if complex_part:  # i times the moments of one more atom: rank one more (complex)
        extra_atom = Fraction(5, 2)  # outside [-2, 2]: distinct from every drawn atom
        m = [f"{a.numerator}/{a.denominator}+{b.numerator}/{b.denominator}j"
             for a, b in zip(m, _moments([extra_atom], [Fraction(1, 3)], count))]
    r = hankel_rank(m)
    expected = len(atoms) + (1 if complex_part else 0)
    s = r.size
    assert r.rank == min(expected, s)
    sv = r.singular_values
    assert len(sv) == s
    # the zeros the rank over Q proves are exact zeros, and the gap is infinite
    assert all(v == 0 for v in sv[r.rank:])
    assert all(v > 0 for v in sv[:r.rank])
    if r.rank < s:
        assert r.gap == float("inf")
    # the non-zero ones agree with a high-precision SVD of the whole matrix
    full = singular_values(parse_moments(m), s, 600)
    for got, want in zip(sv[:r.rank], full[:r.rank]):
        assert abs(_CTX.mpf(got) - want) <= _CTX.mpf(want) * _CTX.mpf(2) ** -60


def test_exact_rank_of_1600_small_integers_is_fast():
    m = [1 - k % 2 for k in range(1600)]  # (delta_1 + delta_-1) / 2
    start = time.perf_counter()
    r = hankel_rank(m)
    took = time.perf_counter() - start
    assert (r.rank, r.verdict) == (2, "exact")
    assert [float(v) for v in r.singular_values[:2]] == [400.0, 400.0]
    assert all(v == 0 for v in r.singular_values[2:])
    assert took < 20, took  # main: over 90 s (an 800x800 ball eigenproblem at 2.2k bits)
