"""One-step methods with an embedded error estimate: the steppers that :func:`.driver.drive`
runs, in the shape of scipy's ``OdeSolver``.

:meth:`AdaptiveIntegrator.step` is scipy's ``OdeSolver.step``: it makes one attempt from the
state at the last accepted point, judges it with the step-size controller and answers whether
it was accepted and the step size to try next. :meth:`AdaptiveIntegrator._step_impl` is the
method's formulas alone (scipy's ``_step_impl``): the new parameters, the error estimate,
the evaluations spent and, for a first-same-as-last method, what was evaluated at the new
point.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, final

import numpy as np

from ..._validate import finite
from ...errors import InputError
from ._base import STEP_FAILURES, FlowOptions, FlowRun, Integrator, MethodOptions
from .controller import StepController
from .driver import Attempt, StepState, drive

__all__ = ["AdaptiveIntegrator", "AdaptiveOptions"]


def _positive_or_none(value: object, name: str) -> None:
    if value is None:
        return
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)) or not (finite(value) and value > 0):
        raise InputError(f"{name}={value!r} must be a positive finite number (or None)")


@dataclass(frozen=True)
class AdaptiveOptions(MethodOptions):
    """Options of the adaptive one-step methods.

    first_step : float, optional
        The first step size tried (default: one that moves the parameters by about 1% of
        their norm, :meth:`StepController.initial_step`).
    max_step : float, optional
        No step is longer than this (default: no bound).
    """

    first_step: float | None = None
    max_step: float | None = None

    def __post_init__(self) -> None:
        _positive_or_none(self.first_step, "first_step")
        _positive_or_none(self.max_step, "max_step")


class AdaptiveIntegrator(Integrator):
    """A one-step method with an embedded error estimate, run by the driver with a
    :class:`StepController` (by default that of :attr:`error_order`; ``integrate_flow``'s
    ``controller=`` gives another).

    Subclasses give :attr:`error_order` and :meth:`_step_impl` (and :meth:`evaluate` when a
    step needs more than the loss and gradient at its starting point).
    """

    error_order: ClassVar[int]
    Options: ClassVar[type] = AdaptiveOptions
    takes_controller: ClassVar[bool] = True

    @property
    def controller(self) -> StepController:
        """The method's default controller."""
        return StepController(self.error_order)

    def controller_for(self, options: FlowOptions) -> StepController:
        """The controller of a run: ``options.controller`` (a :class:`StepController`, or a
        callable that makes one from the error order, such as a subclass), or the default."""
        given = options.controller
        if given is None:
            return self.controller
        made = given(self.error_order) if callable(given) else given
        if not isinstance(made, StepController):
            raise InputError(f"controller={given!r} must be a StepController or make one "
                             "from the error order (e.g. a StepController subclass)")
        return made

    def evaluate(self, problem, theta: np.ndarray, previous: Any = None) -> Any:
        """What a step from ``theta`` needs there: an object with ``loss`` and ``grad``
        (``previous`` is the one at the last accepted point, to recycle)."""
        return _Point(*problem.loss_grad(theta))

    # -- the driver's interface -------------------------------------------------------

    def start(self, problem, theta: np.ndarray, options: FlowOptions) -> StepState:
        """The state at the start: one evaluation there."""
        self._ctrl = self.controller_for(options)
        self._options = options.method_options if isinstance(
            options.method_options, AdaptiveOptions) else AdaptiveOptions()
        return StepState(problem=problem, t=0.0, theta=theta, point=self.evaluate(problem, theta),
                         nfev=1, rtol=options.rtol, atol=options.atol)

    def initial_step(self, state: StepState) -> float:
        if self._options.first_step is not None:
            return float(self._options.first_step)
        return self._ctrl.initial_step(state.theta, float(np.linalg.norm(state.point.grad)))

    def too_small(self, h: float, t: float) -> bool:
        return self._ctrl.too_small(h, t)

    @final
    def step(self, state: StepState, h: float) -> tuple[Attempt, float]:
        """One attempt of size ``h`` (at most ``max_step``) from ``state``: whether it was
        accepted (``state`` then holds the new point) and the step size to try next. A step
        that overflows, meets an invalid operation or a failed solve is
        :attr:`Attempt.FAILED` and is retried at the controller's ``reject_factor``."""
        ctrl = self._ctrl
        if self._options.max_step is not None:
            h = min(h, float(self._options.max_step))
        theta = state.theta
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                new, err_vec, evals, *last = self._step_impl(state.problem, state.point,
                                                             theta, h)
            state.nfev += evals
            err = ctrl.error_norm(err_vec, theta, new, state.rtol, state.atol)
        except STEP_FAILURES:
            err = math.inf
        if not math.isfinite(err):
            return Attempt.FAILED, h * ctrl.reject_factor
        if err > 1.0:
            return Attempt.REJECTED, h * ctrl.factor(err)
        state.t += h
        state.theta = new
        if last and last[0] is not None:  # first same as last: evaluated at the new point
            state.point = last[0]
        else:
            state.point = self.evaluate(state.problem, new, state.point)
            state.nfev += 1
        return Attempt.ACCEPTED, h * ctrl.factor(err)

    @abstractmethod
    def _step_impl(self, problem, point: Any, theta: np.ndarray, h: float) -> tuple:
        """The method's formulas for :meth:`step`: ``(new, error_estimate, evaluations)``,
        or with a fourth entry, the evaluation at ``new`` (an object like :meth:`evaluate`'s)
        when the last stage already made it (None: not made). Overflow and invalid
        operations raise FloatingPointError here."""

    def integrate(self, problem, theta: np.ndarray, options: FlowOptions) -> FlowRun:
        """Run the driver (:func:`~momentrnn.dynamics.integrators.driver.drive`) with this
        stepper."""
        return drive(self, problem, theta, options)


@dataclass(frozen=True)
class _Point:
    loss: float
    grad: np.ndarray

