"""Tests that catch one-line mutants of ``momentrnn.rnn.analysis`` that the rest of the suite
let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

from fractions import Fraction

import numpy as np
import pytest

from momentrnn import DiagonalRNN, LinearRNN
from momentrnn.rnn.analysis import _response_rounding


def _exact_response(A, B, C, count):
    A = [[Fraction(float(v)) for v in row] for row in A]
    x = [Fraction(float(v)) for v in B]
    C = [Fraction(float(v)) for v in C]
    out = []
    for _ in range(count):
        out.append(sum(c * v for c, v in zip(C, x)))
        x = [sum(a * v for a, v in zip(row, x)) for row in A]
    return out


@pytest.mark.parametrize("diagonal", [True, False])
def test_rounding_bound_covers_responses_in_the_subnormal_range(diagonal):
    """Responses of size 1e-310 are computed in gradual underflow, where an operation's error is
    absolute (up to 2**-1075), not relative: the bound keeps its underflow term, (d + 1) of
    them per step, and covers the true error of the double response (computed here over Q)."""
    a, b, c = [0.75], [3e-310], [1 / 3]  # one unit: d + 1 = 2 underflowing operations a lag
    A = np.diag([float(v) for v in a])
    model = (DiagonalRNN([float(v) for v in a], b, c) if diagonal
             else LinearRNN(A, np.array(b), np.array(c)))
    count = 12
    got = np.asarray(model.impulse_response(count), dtype=float)
    exact = _exact_response(A, b, c, count)
    err = max(abs(Fraction(float(g)) - e) for g, e in zip(got, exact))
    assert err > 0  # the data do round in the subnormal range
    assert Fraction(_response_rounding(model, count)) >= err  # compared exactly
