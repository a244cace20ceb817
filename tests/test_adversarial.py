"""Adversarial property search over the moment engine (a fixed budget with a pinned seed).

The strategies and the claims checked are in ``tests/_adversarial.py``: exact truths (rational,
algebraic and complex-pair atoms, atoms 1e-30 apart or at the support ends, weights over 40
orders of magnitude, signed weights, power and Chebyshev moments) presented in every number kind
and accuracy form; a verdict, a vouched digit or a proved end that the truth contradicts fails,
and so does a call over 10 s or a refusal of an easy input. ``benchmarks/bench_adversarial.py``
runs the same properties with random seeds and a long budget.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests._adversarial import PROPERTIES, Tally

# examples per property: the whole file runs in about a minute on 2 cores
BUDGET = {
    "recover_measure": 300,
    "gauss_rule": 150,
    "hankel_rank": 150,
    "minimal_realization": 150,
    "moment_feasible": 150,
    "next_moment_range": 150,
    "extrapolation_range": 12,
    "certify_extrapolation": 6,
}


def _pinned(name, tally):
    prop = PROPERTIES[name]

    @settings(derandomize=True, max_examples=BUDGET[name], deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        prop(data, tally)

    return run


@pytest.mark.parametrize("name", sorted(PROPERTIES))
def test_adversarial_search(name):
    tally = Tally()
    _pinned(name, tally)()
    # every example reached the function under test (a strategy that rejects everything, or a
    # property that returns before the call, would pass an empty search)
    assert tally.cases >= BUDGET[name], (name, tally.cases)
