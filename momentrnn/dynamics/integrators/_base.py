"""The integrator interface, the typed result of a run and the adaptive stepping loop."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .controller import StepController

__all__ = ["AdaptiveIntegrator", "FlowOptions", "FlowRun", "Integrator"]

# The parameters of a run that passes this are declared diverged.
PARAMETER_LIMIT = 1e8
# The 'escape' event: the first time the loss is below this fraction of its starting value.
ESCAPE_FRACTION = 0.5
# Failures of a step attempt that are answered by a shorter step, not by an error.
STEP_FAILURES = (np.linalg.LinAlgError, ValueError, FloatingPointError)
# Accepted steps in which the flow time must at least double, for a stiff integrator (whose
# steps only accuracy limits): a run whose steps stay so far below its time that this many
# do not double it has a collapsed step size (its time scale
# is far below t, as after a huge initial loss) and could run for hours; it is stopped with
# status 'collapsed'. Runs that end do so in a few thousand steps in all (tests/test_flow_
# collapse.py measures some).
COLLAPSE_STEPS = 2_000
# An initial loss at or above this is called huge in the message of a collapsed run, which then
# advises a smaller init scale.
HUGE_LOSS = 1e6


class CollapseWatch:
    """Tells when the step size has collapsed: :data:`COLLAPSE_STEPS` steps in a row (or
    right-hand-side evaluations that advance the time) that do not double the flow time."""

    def __init__(self, steps: int = COLLAPSE_STEPS) -> None:
        self.steps, self.start_t, self.start_n, self.n = steps, 0.0, 0, 0

    def collapsed(self, t: float) -> bool:
        """Count one step to time ``t``; True when the last ``steps`` did not double it."""
        self.n += 1
        if self.n - self.start_n < self.steps:
            return False
        if self.start_t > 0 and t < 2 * self.start_t:
            return True
        self.start_t, self.start_n = t, self.n
        return False

    def message(self, t: float, loss: float, loss0: float | None = None) -> str:
        """What happened, in words; ``loss0`` is the initial loss (the advice to start
        smaller is given only when it was at least :data:`HUGE_LOSS`)."""
        if loss0 is None:
            hint = "the initial loss is not known here"
        elif not loss0 < HUGE_LOSS:  # a non-finite loss is huge too
            hint = (f"after the huge initial loss {loss0:.3e}, try a smaller init scale")
        else:
            hint = (f"the initial loss {loss0:.3e} was not huge: the flow may be slowing near "
                    "a stationary set of non-zero loss")
        return (f"stopped, the step size collapsed: {self.steps} steps took the flow time "
                f"only from {self.start_t:.6g} to {t:.6g} (not doubling it), steps of about "
                f"{(t - self.start_t) / self.steps:.3g} at loss {loss:.3e}; the flow moves on "
                f"a time scale far below t here, and nothing is known of where it ends ({hint})")


@dataclass(frozen=True)
class FlowOptions:
    """What one call of :func:`~momentrnn.dynamics.integrate_flow` asks of an integrator
    (checked before the integrator sees it)."""

    t_max: float | None
    until_loss: float | None
    rtol: float
    atol: float
    max_steps: int
    record: int
    precision: object = None
    progress: Callable[[float, float], None] | None = None


@dataclass
class FlowRun:
    """What an integrator returns: every accepted point (time, parameters, loss, gradient
    norm), how the run ended and its cost. ``drift`` is set by integrators that measure the
    invariants' drift at their own precision."""

    times: list
    thetas: list
    losses: list
    gnorms: list
    status: str
    message: str
    steps: int
    nfev: int
    events: dict = field(default_factory=dict)
    drift: float | None = None


class Integrator(ABC):
    """An integrator of the gradient flow, registered under :attr:`name`.

    Subclasses implement :meth:`integrate`; :meth:`check` refuses options the method cannot
    honour before any work is done.
    """

    name: ClassVar[str]
    # whether integrate_flow's blas_threads limit applies (numpy linear algebra inside)
    limits_blas_threads: ClassVar[bool] = True
    # a stiff method, whose steps are limited by accuracy alone: thousands of steps that do
    # not double the time are a collapsed step size (:class:`CollapseWatch`); an explicit
    # method at a tight tolerance legitimately takes such steps
    stiff: ClassVar[bool] = False
    # whether the method needs integrate_flow's precision= (an MP context)
    needs_precision: ClassVar[bool] = False
    # whether integrate_flow hands it a diagonal student whose units start on b_i = +-c_i in
    # the reduced coordinates of an OnSetProblem (loss_grad, hessian, linearise, on those
    # coordinates), so that rounding cannot take them off the set; False for a method that
    # needs the model's own parameters (the mpmath Gauss-Legendre integrator, whose arithmetic
    # treats b_i and c_i alike and so keeps them on the set itself)
    on_invariant_sets: ClassVar[bool] = True

    def check(self, options: FlowOptions) -> None:  # noqa: B027 - optional hook
        """Raise :class:`~momentrnn.errors.InputError` for options this method cannot use."""

    @abstractmethod
    def integrate(self, problem, theta0: np.ndarray, options: FlowOptions) -> FlowRun:
        """Integrate the flow of ``problem`` from ``theta0``."""


class AdaptiveIntegrator(Integrator):
    """A one-step method with an embedded error estimate, run with :class:`StepController`.

    Subclasses give :attr:`error_order` and :meth:`_step_impl` (and :meth:`evaluate` when a
    step needs more than the loss and gradient at its starting point).
    """

    error_order: ClassVar[int]

    @property
    def controller(self) -> StepController:
        return StepController(self.error_order)

    def evaluate(self, problem, theta: np.ndarray, previous: Any = None) -> Any:
        """What a step from ``theta`` needs there: an object with ``loss`` and ``grad``
        (``previous`` is the one at the last accepted point, to recycle)."""
        return _Point(*problem.loss_grad(theta))

    def step(self, problem, point: Any, theta: np.ndarray, h: float):
        """One step of size ``h`` from ``theta`` (where ``point`` was evaluated): the new
        parameters, the error estimate and the number of gradient evaluations. Overflow and
        invalid operations raise FloatingPointError."""
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return self._step_impl(problem, point, theta, h)

    @abstractmethod
    def _step_impl(self, problem, point: Any, theta: np.ndarray, h: float
                   ) -> tuple[np.ndarray, np.ndarray, int]:
        """The method's formulas for :meth:`step`."""

    def integrate(self, problem, theta: np.ndarray, options: FlowOptions) -> FlowRun:
        ctrl = self.controller
        rtol, atol, until_loss = options.rtol, options.atol, options.until_loss
        max_steps, progress = options.max_steps, options.progress
        t = 0.0
        # the evaluation at the current point, shared by the first stage of the step from it
        # and by every retry of a rejected step
        point = self.evaluate(problem, theta)
        loss, grad = point.loss, point.grad
        times, thetas, losses, gnorms = [t], [theta.copy()], [loss], [float(np.linalg.norm(grad))]
        events: dict = {}
        loss0 = loss
        gnorm = gnorms[0]
        h = ctrl.initial_step(theta, gnorm)
        t_end = math.inf if options.t_max is None else float(options.t_max)
        status, message, nfev = "max_steps", f"stopped after {max_steps} steps", 1
        steps = rejected = 0
        watch = CollapseWatch() if self.stiff else None
        while steps + rejected < max_steps:
            if t >= t_end:
                status, message = "t_max", f"reached t_max = {t_end:g}"
                break
            h = min(h, t_end - t)
            try:
                new, err_vec, evals = self.step(problem, point, theta, h)
                nfev += evals
                err = ctrl.error_norm(err_vec, theta, new, rtol, atol)
            except STEP_FAILURES:
                err = math.inf
            if not math.isfinite(err):
                rejected += 1
                h *= ctrl.reject_factor
                if ctrl.too_small(h, t):
                    status, message = "diverged", f"step size underflow at t = {t:.6g}"
                    break
                continue
            if err <= 1.0:
                t += h
                theta = new
                steps += 1
                point = self.evaluate(problem, theta, point)
                loss, grad = point.loss, point.grad
                nfev += 1
                gnorm = float(np.linalg.norm(grad))
                times.append(t)
                thetas.append(theta)
                losses.append(loss)
                gnorms.append(gnorm)
                if progress is not None:
                    progress(t, loss)
                if "escape" not in events and loss < ESCAPE_FRACTION * loss0:
                    events["escape"] = t
                if not np.isfinite(loss) or np.max(np.abs(theta)) > PARAMETER_LIMIT:
                    status, message = "diverged", f"parameters blew up at t = {t:.6g}"
                    break
                if until_loss is not None and loss <= until_loss:
                    events["until_loss"] = t
                    status, message = ("converged",
                                       f"loss {loss:.3e} <= {until_loss:g} at t = {t:.6g}")
                    break
                if gnorm == 0.0:
                    status, message = "stationary", f"gradient vanished at t = {t:.6g}"
                    break
                if watch is not None and watch.collapsed(t):
                    status, message = "collapsed", watch.message(t, loss, loss0)
                    break
            else:
                rejected += 1
            h *= ctrl.factor(err)
        return FlowRun(times=times, thetas=thetas, losses=losses, gnorms=gnorms, status=status,
                       message=message, events=events, steps=steps, nfev=nfev)


@dataclass(frozen=True)
class _Point:
    loss: float
    grad: np.ndarray
