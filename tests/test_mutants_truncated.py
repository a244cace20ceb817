"""Tests that catch one-line mutants of ``momentrnn.moments.truncated`` that the rest of the
suite let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

import math
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from momentrnn.moments.truncated import moment_feasible


def _mid(x) -> float:
    return float(x.mid()) if hasattr(x, "mid") else float(x)


@settings(max_examples=8, derandomize=True, deadline=None)
@given(st.fractions(min_value=Fraction(1, 50), max_value=Fraction(49, 50), max_denominator=50),
       st.fractions(min_value=Fraction(-49, 50), max_value=Fraction(49, 50), max_denominator=50),
       st.fractions(min_value=Fraction(1, 10), max_value=3, max_denominator=10),
       st.fractions(min_value=Fraction(1, 10), max_value=3, max_denominator=10))
def test_flat_measure_with_irrational_atoms_comes_sorted(r, q, u, v):
    """Weight u at each of -sqrt(r), +sqrt(r) (r not a square: irrational atoms, given as
    balls) and v at the rational q: the unique measure of m_0..m_6 lists its atoms in
    increasing order, each where it belongs (irrational atoms are sorted by their midpoints,
    which must be the balls' true midpoints)."""
    assume(math.isqrt(r.numerator) ** 2 != r.numerator
           or math.isqrt(r.denominator) ** 2 != r.denominator)
    assume(q * q != r)
    moments = [(2 * u * r ** (j // 2) if j % 2 == 0 else Fraction(0)) + v * q ** j
               for j in range(7)]
    feas = moment_feasible(moments, support=(-1, 1))
    assert feas.feasible and feas.measure is not None, feas.message
    got = [_mid(a) for a in feas.measure.atoms]
    want = sorted([-math.sqrt(r), math.sqrt(r), float(q)])
    assert all(abs(g - w) < 1e-12 for g, w in zip(got, want)), (got, want)
    assert Fraction(q) in feas.measure.atoms
