"""Tests that catch one-line mutants of ``momentrnn.moments._arith`` that the rest of the suite
let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import Exact, recover_measure
from momentrnn.errors import RankError

nonzero = st.fractions(min_value=-3, max_value=3, max_denominator=100).filter(bool)


@settings(max_examples=10, derandomize=True, deadline=None)
@given(nonzero, nonzero, st.sampled_from([2, 4]))
def test_inconsistent_data_whose_hankel_blocks_are_all_singular_are_refused(a, b, zeros):
    """(a, 0, ..., 0, b), an even count: every 2x2 Hankel block is singular, yet no one-atom
    measure has these moments (m_1 = 0 puts the atom at 0, then the last moment would be 0,
    not b). The inconsistency witness finds that the overdetermined Prony system has no exact
    solution and says so (without it, a later reproduction check still refuses, with another
    reason)."""
    moments = [a] + [Fraction(0)] * zeros + [b]
    with pytest.raises(RankError, match="no measure with at most 1 atoms"):
        recover_measure(moments, rank=1, precision=Exact())
