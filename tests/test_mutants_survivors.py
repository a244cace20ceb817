"""Tests that catch the last one-line mutants that the rest of the suite let through (found by
``benchmarks/bench_mutation_procedural.py``; see benchmarks/recorded/mutation_seed0.md)."""

import math
import sys
from fractions import Fraction as F

import numpy as np
import pytest

from momentrnn import DiagonalRNN, init_student, integrate_flow, named_teacher
from momentrnn.cli.certify import _sample
from momentrnn.dynamics import register_integrator
from momentrnn.dynamics.integrators import Rodas4, unregister_integrator
from momentrnn.moments._certificate import checked_measure
from momentrnn.rnn.losses import extrapolation_error


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


ATOMS, WEIGHTS = [F(-1, 3), F(39, 100)], [F(1, 3), F(2, 3)]
ROWS, Q = 4, 5
MOMENTS = [sum(w * x**j for w, x in zip(WEIGHTS, ATOMS)) for j in range(ROWS)]


def _moment(mu, j):
    return sum(w * x**j for w, x in zip(mu.weights, mu.atoms))


@pytest.mark.parametrize("upper", [False, True])
def test_inner_end_of_exact_moments_is_a_measure_with_exactly_those_moments(upper):
    """With every row an equality (exact moments m_0..m_3 of 1/3 d(-1/3) + 2/3 d(39/100)) the
    vertex is solved over Q: the inner end is a measure with exactly these moments (S064:
    ``eps == 0`` -> ``!=`` solved it in balls, whose rounded midpoint misses the equalities,
    and no inner end was found)."""
    found, why = checked_measure(ATOMS, MOMENTS, [F(0)] * ROWS, Q, F(-1), F(1), upper)
    assert found is not None, why
    mu = found.measure
    assert all(w > 0 for w in mu.weights) and all(-1 <= x <= 1 for x in mu.atoms)
    assert [_moment(mu, j) for j in range(ROWS)] == MOMENTS
    assert found.value == _moment(mu, Q)


@pytest.mark.parametrize("upper", [False, True])
def test_inner_end_sits_a_relative_1e_20_inside_the_active_faces(upper):
    """Without an equality row the vertex aims a relative 1e-20 inside each active face of the
    box |m_j(mu) - m_j| <= 1e-4: the checked measure touches as many faces as it has atoms to
    that margin (so the inner end is that close to the best measure on its support), and stays
    inside every face (S096: a target 2e-20 inside gave a looser inner end)."""
    eps = [F(1, 10**4)] * ROWS
    found, why = checked_measure(ATOMS, MOMENTS, eps, Q, F(-1), F(1), upper)
    assert found is not None, why
    mu = found.measure
    slack = sorted((eps[j] - abs(_moment(mu, j) - MOMENTS[j])) / eps[j] for j in range(ROWS))
    assert slack[0] >= 0  # inside the box, exactly
    active = slack[: len(mu.atoms)]
    assert all(abs(s - F(1, 10**20)) <= F(1, 10**40) for s in active), [float(s) for s in slack]
    assert found.value == _moment(mu, Q)


def test_rosenbrock_stages_reach_a_short_horizon_in_few_steps_and_to_high_accuracy():
    """RODAS4 integrates a short flow (t_max = 1, rtol 1e-8) in under 200 steps and agrees with
    a tight LSODA reference to 1e-8 (S059: stage arguments from the previous stage's row
    ``tab.a[i - 1]`` broke the order conditions; the controller crawled and the run stopped at
    max_steps near t = 0.04). ``max_steps`` keeps the failing case fast."""
    student, teacher = init_student(4, scale=0.1, seed=0), named_teacher("decaying")
    ref = integrate_flow(student, teacher, k=3, method="LSODA", t_max=1.0, rtol=1e-11,
                         atol=1e-14)
    run = integrate_flow(student, teacher, k=3, method="rosenbrock", t_max=1.0, rtol=1e-8,
                         atol=1e-12, max_steps=500)
    assert run.status == "t_max" and run.times[-1] == 1.0
    assert run.steps < 200
    moved = np.max(np.abs(ref.parameters[-1] - ref.parameters[0]))
    assert moved > 0.1  # the flow went somewhere: the comparison is not vacuous
    assert np.max(np.abs(run.parameters[-1] - ref.parameters[-1])) < 1e-8


def test_a_mismatch_just_past_the_overflow_threshold_is_proved_with_a_tight_allowance():
    """h_1 = 2^600 a of a one-atom student overflows double precision; the mismatch with a
    finite teacher is proved beyond the largest double (both errors inf) once it passes the
    threshold 2^(1024 + 1e-9) by the rounding allowance of the scaled lag, a relative
    1e-12 (j + 2)(n + 2) + 1e-12 = 1e-11 here (the true rounding is ~1e-13). Here it passes by
    a relative 1.15e-11 (log2 1.66e-11): proved. S102: a (j + 3) allowance (1.3e-11) could
    not prove it and refused."""
    a = 2.0**424 * 2.0 ** (1e-9 + 1.66e-11)
    student = DiagonalRNN([a], [2.0**300], [2.0**300])
    teacher = DiagonalRNN([0.5], [1.0], [1.0])
    exact = F(2) ** 600 * F(a) - F(1, 2)  # h_1 - t_1 over Q
    assert exact > F(sys.float_info.max)  # the claim (inf, inf) is true
    margin = exact / F(2) ** 1024
    assert F(1) + F(7, 10**10) < margin < F(1) + F(71, 10**11)  # just past 2^(1024 + 1e-9)
    assert extrapolation_error(student, teacher, length=2) == (math.inf, math.inf)
