"""A verdict about rounded values says it is about the values as given, and advice never sends
the user to a call that refuses."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from momentrnn import moment_feasible, recover_measure
from momentrnn.errors import InputError, NotPositiveError


def test_feasibility_of_rounded_moments_says_it_is_about_the_values_as_given():
    # (1/3) delta_{1/3} + delta_1 in doubles: infeasible on [1/3, 1] only as rounded
    m = [float(F(1, 3) * F(1, 3) ** j + 1) for j in range(4)]
    r = moment_feasible(m, support=(F(1, 3), 1))
    assert not r.data_exact and "for the data as given" in r.message
    exact = moment_feasible([F(1, 3) * F(1, 3) ** j + 1 for j in range(4)], support=(F(1, 3), 1))
    assert exact.feasible and "for the data as given" not in exact.message


def test_signed_rounded_chebyshev_moments_get_no_circular_advice():
    atoms, weights = [F(39, 100), F(-1, 3), F(9, 10)], [F(1, 7), F(-2, 3), F(5, 11)]
    t = []
    for a in atoms:
        row = [F(1), a]
        while len(row) < 6:
            row.append(2 * a * row[-1] - row[-2])
        t.append(row)
    m = [float(sum(w * row[j] for w, row in zip(weights, t))) for j in range(6)]
    with pytest.raises(NotPositiveError) as gauss:
        recover_measure(m, basis="chebyshev")
    assert "rounded Chebyshev moments of a signed measure are used by no method" in str(
        gauss.value)
    with pytest.raises(InputError):
        recover_measure(m, basis="chebyshev", method="prony")
