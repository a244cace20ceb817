"""Tests that catch the last one-line mutants that the rest of the suite let through (found by
``benchmarks/bench_mutation_procedural.py``; see benchmarks/recorded/mutation.md)."""

import numpy as np
import pytest

from momentrnn import init_student, integrate_flow, named_teacher
from momentrnn.cli.certify import _sample
from momentrnn.dynamics import register_integrator
from momentrnn.dynamics.integrators import Rodas4, unregister_integrator


class _DivergedRodas4(Rodas4):
    """RODAS4 that reports its (finite, harmless) run as diverged."""

    name = "diverged-rodas4"

    def integrate(self, problem, theta0, options):
        raw = super().integrate(problem, theta0, options)
        raw.status = "diverged"
        raw.message = "reported diverged on purpose"
        return raw


@pytest.fixture
def diverged():
    register_integrator(_DivergedRodas4)
    yield _DivergedRodas4
    unregister_integrator(_DivergedRodas4.name)


def test_a_diverged_run_with_finite_parameters_gets_no_effective_dimension(diverged):
    """A run that ended diverged is not a learned model: even when its last parameters are
    finite it gets no effective dimension and no extrapolation error (S050: ``and`` -> ``or``
    gave them both)."""
    student, teacher = init_student(3, scale=0.1, seed=0), named_teacher("decaying")
    traj = integrate_flow(student, teacher, k=3, method=diverged.name, t_max=0.5)
    assert traj.status == "diverged"
    assert np.all(np.isfinite(traj.parameters[-1]))  # the case the check is about
    assert traj.effective_dimension is None
    assert traj.extrapolation_error is None
    # the same run, not called diverged, gets both: the test is not vacuous
    ok = integrate_flow(student, teacher, k=3, method="rosenbrock", t_max=0.5)
    assert ok.status == "t_max"
    assert ok.effective_dimension is not None and ok.extrapolation_error is not None


@pytest.mark.parametrize("lags", [1, 2, 5, 9])
def test_certify_table_shows_the_last_lag_and_the_first_orders_beyond(lags):
    """The text table of ``momentrnn certify`` shows the row of the last fitted lag, the next
    five orders, then about four rows per decade and the last (S080: ``lags - 1 <= q`` ->
    ``>`` showed the orders below the last lag instead)."""
    qs = list(range(200))  # the orders q = 0, 1, ... of the report
    shown = _sample(qs, lags)
    assert set(range(lags - 1, lags + 5)) <= shown
    assert 199 in shown
    assert min(shown) == lags - 1
    assert len(shown) < 20  # a sample, not every row
