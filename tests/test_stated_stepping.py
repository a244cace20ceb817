"""The adaptive stepping loop of the flow integrators, stated on flows solved by hand.

``AdaptiveIntegrator.integrate`` promises (module ``_base`` and ``integrate_flow``'s docs): a
run ends at ``t_max`` exactly, at the first accepted point with loss ``<= until_loss``, when
the parameters pass ``PARAMETER_LIMIT`` (diverged), when the gradient vanishes (stationary), or
after ``max_steps`` attempts; the ``escape`` event is the first accepted time with the loss
below ``ESCAPE_FRACTION`` of its start; ``progress(t, loss)`` sees every accepted point; the
evaluations counted are those made. The flows here are linear, ``theta' = -lam * theta`` for
the loss ``sum lam_i theta_i**2 / 2``, whose solution ``theta0 exp(-lam t)`` is known.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from momentrnn.dynamics.integrators import ButcherTableau, ExplicitRungeKutta
from momentrnn.dynamics.integrators._base import (
    ESCAPE_FRACTION,
    PARAMETER_LIMIT,
    FlowOptions,
)

HALF = Fraction(1, 2)


class _Heun(ExplicitRungeKutta):
    """Heun's method with Euler's step as its embedded one (orders 2 and 1)."""

    name = "heun-stated"
    tableau = ButcherTableau(name="Heun-Euler", c=(0, 1), a=((), (1,)), b=(HALF, HALF),
                             b_hat=(1, 0), order=2, embedded_order=1)


class _Quadratic:
    """The loss ``sum lam_i theta_i**2 / 2``; it counts its gradient evaluations."""

    def __init__(self, lam):
        self.lam = np.asarray(lam, dtype=float)
        self.calls = 0

    def loss_grad(self, theta):
        self.calls += 1
        return float(0.5 * np.sum(self.lam * theta**2)), self.lam * theta


def _options(**kw):
    base = dict(t_max=None, until_loss=None, rtol=1e-6, atol=1e-12, max_steps=10_000,
                record=400)
    base.update(kw)
    return FlowOptions(**base)


THETA0 = np.array([0.39, -1.0 / 3.0, 0.7])
LAM = [1.0, 0.5, 2.0]


def test_the_stated_constants():
    assert ESCAPE_FRACTION == 0.5 and PARAMETER_LIMIT == 1e8


def test_a_run_ends_at_t_max_exactly_and_follows_the_exact_flow():
    problem = _Quadratic(LAM)
    run = _Heun().integrate(problem, THETA0.copy(), _options(t_max=2.5))
    assert run.status == "t_max" and run.message == "reached t_max = 2.5"
    assert run.times[-1] == 2.5 and all(t <= 2.5 for t in run.times)
    assert np.all(np.diff(run.times) > 0) and run.times[0] == 0.0
    exact = THETA0 * np.exp(-np.asarray(LAM) * 2.5)
    assert np.max(np.abs(run.thetas[-1] - exact)) < 1e-4
    # one evaluation at the start, one per attempt (the second stage), one per accepted point
    assert run.nfev == problem.calls
    assert run.steps == len(run.times) - 1 and run.nfev >= 1 + 2 * run.steps
    assert len(run.losses) == len(run.gnorms) == len(run.thetas) == len(run.times)
    assert run.gnorms[0] == pytest.approx(float(np.linalg.norm(np.asarray(LAM) * THETA0)))
    assert all(g == pytest.approx(float(np.linalg.norm(problem.lam * th)))
               for g, th in zip(run.gnorms, run.thetas))


def test_the_escape_is_the_first_accepted_time_the_loss_halves_and_progress_sees_each_point():
    seen = []
    run = _Heun().integrate(_Quadratic(LAM), THETA0.copy(),
                            _options(t_max=3.0, progress=lambda t, loss: seen.append((t, loss))))
    assert seen == list(zip(run.times[1:], run.losses[1:]))
    first = next(t for t, loss in zip(run.times, run.losses) if loss < 0.5 * run.losses[0])
    assert run.events["escape"] == first
    # the loss of the exact flow halves before t = ln 2 / (2 min lam) ... and after ln 2 / 4
    assert math.log(2) / 4 - 0.2 < first < math.log(2) / 1 + 0.2


def test_a_run_stops_at_the_first_point_at_or_below_until_loss():
    run = _Heun().integrate(_Quadratic(LAM), THETA0.copy(), _options(until_loss=1e-6, rtol=1e-3))
    assert run.status == "converged"
    assert run.losses[-1] <= 1e-6 < run.losses[-2]
    assert run.events["until_loss"] == run.times[-1]
    assert run.message.startswith(f"loss {run.losses[-1]:.3e} <= 1e-06 at t = ")


def test_max_steps_counts_every_attempt():
    problem = _Quadratic(LAM)
    run = _Heun().integrate(problem, THETA0.copy(), _options(max_steps=7, rtol=1e-3))
    assert run.status == "max_steps" and run.message == "stopped after 7 steps"
    assert run.steps == 7 and len(run.times) == 8  # no step was rejected on this flow
    assert run.nfev == 1 + 2 * 7 == problem.calls
    one = _Heun().integrate(_Quadratic(LAM), THETA0.copy(), _options(max_steps=1, rtol=1e-3))
    assert one.steps == 1 and one.status == "max_steps"


def test_a_rejected_step_is_retried_shorter_and_counts_as_an_attempt():
    # a tight tolerance from a first step that is too long: rejections, then acceptance
    problem = _Quadratic([50.0, 1.0])
    run = _Heun().integrate(problem, np.array([1.0, 1.0]), _options(rtol=1e-10, atol=1e-14,
                                                                   max_steps=40))
    attempts = (problem.calls - 1 - run.steps)  # each attempt evaluates one second stage
    assert run.status == "max_steps" and attempts == 40 and run.steps < 40


def test_parameters_past_the_limit_are_a_divergence():
    # theta' = theta: the loss -|theta|**2 / 2 has no floor; |theta| passes 1e8 near t = 18.4
    run = _Heun().integrate(_Quadratic([-1.0]), np.array([1.0]), _options(rtol=1e-4))
    assert run.status == "diverged" and run.message.startswith("parameters blew up at t = ")
    assert abs(run.thetas[-1][0]) > PARAMETER_LIMIT >= abs(run.thetas[-2][0])
    assert run.times[-1] == pytest.approx(math.log(PARAMETER_LIMIT), abs=0.5)


def test_a_vanishing_gradient_is_stationary():
    run = _Heun().integrate(_Quadratic(LAM), np.zeros(3), _options(t_max=5.0))
    assert run.status == "stationary" and run.steps == 1
    assert run.message.startswith("gradient vanished at t = ")


def test_gauss_mp_drift_is_relative_to_the_largest_b2_plus_c2():
    # the drift of the invariants b_i**2 - c_i**2, relative to max_i (b_i**2 + c_i**2): one
    # unit's b and c swapped leave it the same (tests/test_mutants_sample2.py), and scaling
    # every b, c by s scales both the drift and the scale by s**2
    from momentrnn import init_student, integrate_flow, named_teacher
    from momentrnn.precision import MP

    teacher = named_teacher("decaying")
    student = init_student(2, scale=0.1, seed=3)
    run = integrate_flow(student, teacher, k=3, method="gauss-mp", t_max=0.05,
                         precision=MP(30))
    assert run.status == "t_max" and run.invariant_drift is not None
    assert 0 <= run.invariant_drift < 1e-20


# ------------------------------------------------------------- scipy's solve_ivp methods

class _QuadraticWithHessian(_Quadratic):
    def hessian(self, theta):
        return np.diag(self.lam)


@pytest.mark.parametrize("name", ["RK45", "LSODA"])
def test_a_scipy_run_counts_its_evaluations_and_ends_at_t_max(name):
    from momentrnn.dynamics.integrators import INTEGRATORS

    seen = []
    run = INTEGRATORS[name]().integrate(
        _QuadraticWithHessian(LAM), THETA0.copy(),
        _options(t_max=2.5, progress=lambda t, loss: seen.append((t, loss))))
    assert run.status == "t_max" and run.times[-1] == 2.5 and run.times[0] == 0.0
    assert run.message == "reached t = 2.5"
    assert run.steps == len(run.times) - 1 > 0 and run.nfev == len(seen)
    exact = THETA0 * np.exp(-np.asarray(LAM) * 2.5)
    assert np.max(np.abs(run.thetas[-1] - exact)) < 1e-4
    assert run.losses[0] == pytest.approx(0.5 * float(np.sum(np.asarray(LAM) * THETA0**2)))


@pytest.mark.parametrize("name", ["RK45", "LSODA"])
def test_a_scipy_run_stops_at_its_loss_target_and_not_above_it(name):
    from momentrnn.dynamics.integrators import INTEGRATORS

    run = INTEGRATORS[name]().integrate(_QuadraticWithHessian(LAM), THETA0.copy(),
                                        _options(until_loss=1e-5))
    assert run.status == "converged" and run.losses[-1] <= 1e-5 < run.losses[-2]
    assert run.events == {"until_loss": run.times[-1]}
    assert run.message.startswith(f"loss {run.losses[-1]:.3e} <= 1e-05 at t = ")


def test_a_scipy_run_has_twenty_evaluations_a_step_of_max_steps():
    from momentrnn.dynamics.integrators import INTEGRATORS
    from momentrnn.dynamics.integrators.scipy_ivp import EVALUATIONS_PER_STEP

    assert EVALUATIONS_PER_STEP == 20
    seen = []
    run = INTEGRATORS["RK45"]().integrate(
        _QuadraticWithHessian(LAM), THETA0.copy(),
        _options(t_max=1000.0, max_steps=2, rtol=1e-12, atol=1e-14,
                 progress=lambda t, loss: seen.append(t)))
    assert run.status == "max_steps" and run.message == "more than 40 evaluations"
    assert len(seen) == 40 and run.nfev == 41  # the 41st is refused before it is made
    assert run.times == [0.0] and run.steps == 0


def test_a_step_that_fails_is_retried_shorter_and_counts_as_an_attempt():
    class _Positive(_Quadratic):
        """Defined for theta >= 0 only: a step past zero fails (as a log of it would)."""

        def loss_grad(self, theta):
            if np.any(theta < 0):
                self.calls += 1
                raise ValueError("negative")
            return super().loss_grad(theta)

    problem = _Positive([50.0])
    run = _Heun().integrate(problem, np.array([1.0]), _options(rtol=0.5, max_steps=60))
    attempts = problem.calls - 1 - run.steps
    assert run.status == "max_steps" and attempts == 60 and run.steps < 60
    assert all(th[0] >= 0 for th in run.thetas)


def test_a_loss_exactly_at_the_target_stops_the_run():
    first = _Heun().integrate(_Quadratic(LAM), THETA0.copy(), _options(until_loss=1e-6,
                                                                      rtol=1e-3))
    k = len(first.losses) // 2
    target = first.losses[k]  # a loss the same run reaches exactly
    again = _Heun().integrate(_Quadratic(LAM), THETA0.copy(), _options(until_loss=target,
                                                                      rtol=1e-3))
    assert again.status == "converged" and again.losses[-1] == target
    assert again.times == first.times[:k + 1]


def test_gauss_mp_drift_is_the_invariants_change_over_the_largest_b2_plus_c2(monkeypatch):
    # the drift is max_t max_i |I_i(t) - I_i(0)| / max_t max_i (b_i(t)**2 + c_i(t)**2); the
    # invariants are replaced by known values, so the quotient can be checked
    import momentrnn.dynamics.mp_flow as mp_flow
    from momentrnn import DiagonalRNN, integrate_flow, named_teacher
    from momentrnn.precision import MP

    calls = []

    def invariants(problem, theta, ctx):
        calls.append(1)
        n = len(calls) - 1
        # not monotone in time: the change is measured from the first row, not the last
        return [ctx.mpf((-1) ** n * n) * (i + 1) / 7 for i in range(problem.dim)]

    monkeypatch.setattr(mp_flow, "mp_invariants", invariants)
    # the largest b_i**2 + c_i**2 is the last unit's
    student = DiagonalRNN([0.3, -0.2, 0.1], [0.39, -0.25, 1.5], [0.5, 0.1, -1.0 / 3.0])
    run = integrate_flow(student, named_teacher("decaying"), k=3, method="gauss-mp",
                         t_max=0.02, precision=MP(20), record=3)
    # the parameters of a diagonal student are packed unit by unit as (a_i, b_i, c_i)
    scale = max(max(b * b + c * c for _, b, c in np.asarray(th).reshape(3, 3))
                for th in run.parameters)
    rows = len(calls)
    assert rows == len(run.parameters) >= 3
    expected = (rows - 1) * 3 / 7 / scale  # the last row against the first, the last unit
    assert run.invariant_drift == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("calls, stalled", [(5001, False), (5002, True)])
def test_scipy_is_judged_stalled_after_5000_evaluations_without_progress(monkeypatch, calls,
                                                                         stalled):
    # the first evaluation at a time, then 5000 more at the same time are allowed
    from types import SimpleNamespace

    import scipy.integrate

    from momentrnn.dynamics.integrators import INTEGRATORS
    from momentrnn.dynamics.integrators.scipy_ivp import STALL_EVALUATIONS

    assert STALL_EVALUATIONS == 5000

    def fake(rhs, span, y0, **kw):
        rhs(0.5, y0)
        for _ in range(5001):  # time moves on once: the count starts again
            rhs(1.0, y0)
        for _ in range(calls):
            rhs(2.0, y0)
        return SimpleNamespace(status=0, t=np.array([0.0, 2.0]), y=np.stack([y0, y0], 1),
                               nfev=calls + 5002, message="")

    monkeypatch.setattr(scipy.integrate, "solve_ivp", fake)
    run = INTEGRATORS["RK45"]().integrate(_QuadraticWithHessian(LAM), THETA0.copy(),
                                          _options(t_max=2.0, max_steps=10_000))
    if stalled:
        assert run.status == "stalled" and run.message == (
            "scipy RK45 stalled: 5000 evaluations without progress at t = 2; try "
            "method='rosenbrock'")
    else:
        assert run.status == "t_max" and run.times == [0.0, 2.0]
