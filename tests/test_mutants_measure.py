"""Tests that catch one-line mutants of ``momentrnn.moments.measure`` that the rest of the
suite let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.moments import DiscreteMeasure

weight = st.fractions(min_value=Fraction(1, 1000), max_value=5, max_denominator=1000)


@settings(max_examples=30, derandomize=True, deadline=None)
@given(st.lists(weight, min_size=1, max_size=4), st.integers(min_value=0, max_value=4))
def test_is_positive_means_strictly_positive_weights(weights, where):
    """A zero weight is not positive: ``is_positive`` is True for strictly positive weights and
    False as soon as one weight is 0 (or negative)."""
    atoms = [Fraction(39, 100) + Fraction(i, 7) for i in range(len(weights) + 1)]
    assert DiscreteMeasure(atoms[:-1], weights).is_positive
    with_zero = list(weights)
    with_zero.insert(where % (len(weights) + 1), Fraction(0))
    assert not DiscreteMeasure(atoms, with_zero).is_positive
    with_negative = list(weights)
    with_negative[where % len(weights)] = -with_negative[where % len(weights)]
    assert not DiscreteMeasure(atoms[:-1], with_negative).is_positive
