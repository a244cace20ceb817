"""The one loop of the flow integrators: steps, events, divergence, recording, the step budget.

A *stepper* makes one attempt at a time, in the shape of scipy's ``OdeSolver.step`` /
``_step_impl``: given the state at the last accepted point (time, parameters, what was
evaluated there) and a step size ``h``, it tries the step and answers whether it was
accepted (the state then holds the new point) and the step size to try next. Everything else
is here, once: the first step, the end at ``t_max``, the ``max_steps`` budget (attempts,
accepted and rejected), the recorded points, the ``escape`` and ``until_loss`` events, the
blow-up test, a vanishing gradient, a collapsed step size, and the :class:`Status` the run
ends with.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

# the limits (PARAMETER_LIMIT, ESCAPE_FRACTION, CollapseWatch) are read from the module when a
# run starts, so that a test may change them there
from . import _base

__all__ = ["Attempt", "Status", "StepState", "drive"]


class Status(enum.StrEnum):
    """How a run ended. The members are strings equal to their values (the JSON, the
    messages and every comparison with a plain string are unchanged)."""

    CONVERGED = "converged"  # the loss reported is at or below until_loss
    T_MAX = "t_max"  # the flow time reached t_max
    STATIONARY = "stationary"  # the gradient vanished
    MAX_STEPS = "max_steps"  # the step budget ran out
    DIVERGED = "diverged"  # the parameters or the loss blew up, or the step underflowed
    STALLED = "stalled"  # the integrator made no progress (nothing is known of the end)
    COLLAPSED = "collapsed"  # the step size collapsed far below the flow time
    LEFT_INVARIANT = "left_invariant"  # rounding took the run off an invariant set

    def __repr__(self) -> str:
        return repr(self.value)


class Attempt(enum.Enum):
    """What a stepper's attempt did."""

    ACCEPTED = "accepted"  # the state is at the new point
    REJECTED = "rejected"  # the error estimate was above the tolerance
    FAILED = "failed"  # the step overflowed, or a solve failed: retried much shorter


@dataclass
class StepState:
    """The state at the last accepted point, which a stepper advances: the problem, time,
    parameters, what the stepper evaluated there (``point``: ``loss`` and ``grad`` at least),
    the right-hand-side evaluations so far and the tolerances."""

    problem: Any
    t: float
    theta: np.ndarray
    point: Any
    nfev: int
    rtol: float
    atol: float


def drive(stepper, problem, theta: np.ndarray, options):
    """Run ``stepper`` on the flow of ``problem`` from ``theta`` as ``options`` (a
    :class:`~momentrnn.dynamics.integrators.FlowOptions`) ask.

    The stepper supplies ``start(problem, theta, options) -> StepState`` (the evaluation at
    the start), ``initial_step(state)``, ``step(state, h) -> (Attempt, h_next)``,
    ``too_small(h, t)`` (a failed step below it is a step-size underflow) and ``stiff`` (watch
    for a collapsed step size).

    Returns
    -------
    FlowRun
        Every accepted point, the :class:`Status`, its message, the steps, evaluations and
        events.
    """
    until_loss, max_steps, progress = options.until_loss, options.max_steps, options.progress
    state = stepper.start(problem, theta, options)
    loss, grad = state.point.loss, state.point.grad
    times, thetas = [state.t], [state.theta.copy()]
    losses, gnorms = [loss], [float(np.linalg.norm(grad))]
    events: dict = {}
    loss0 = loss
    h = stepper.initial_step(state)
    t_end = math.inf if options.t_max is None else float(options.t_max)
    status, message = Status.MAX_STEPS, f"stopped after {max_steps} steps"
    steps = rejected = 0
    watch = _base.CollapseWatch() if stepper.stiff else None
    while steps + rejected < max_steps:
        if state.t >= t_end:
            status, message = Status.T_MAX, f"reached t_max = {t_end:g}"
            break
        h = min(h, t_end - state.t)
        outcome, h_next = stepper.step(state, h)
        h = h_next
        if outcome is Attempt.FAILED:
            rejected += 1
            if stepper.too_small(h, state.t):
                status, message = Status.DIVERGED, f"step size underflow at t = {state.t:.6g}"
                break
            continue
        if outcome is Attempt.REJECTED:
            rejected += 1
            continue
        steps += 1
        t, theta = state.t, state.theta
        loss, grad = state.point.loss, state.point.grad
        gnorm = float(np.linalg.norm(grad))
        times.append(t)
        thetas.append(theta)
        losses.append(loss)
        gnorms.append(gnorm)
        if progress is not None:
            progress(t, loss)
        if "escape" not in events and loss < _base.ESCAPE_FRACTION * loss0:
            events["escape"] = t
        if not np.isfinite(loss) or np.max(np.abs(theta)) > _base.PARAMETER_LIMIT:
            status, message = Status.DIVERGED, f"parameters blew up at t = {t:.6g}"
            break
        if until_loss is not None and loss <= until_loss:
            events["until_loss"] = t
            status, message = (Status.CONVERGED,
                               f"loss {loss:.3e} <= {until_loss:g} at t = {t:.6g}")
            break
        if gnorm == 0.0:
            status, message = Status.STATIONARY, f"gradient vanished at t = {t:.6g}"
            break
        if watch is not None and watch.collapsed(t):
            status, message = Status.COLLAPSED, watch.message(t, loss, loss0)
            break
    return _base.FlowRun(times=times, thetas=thetas, losses=losses, gnorms=gnorms, status=status,
                   message=message, events=events, steps=steps, nfev=state.nfev)
