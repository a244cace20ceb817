"""The integrator interface, what a run is asked (:class:`FlowOptions`) and the typed result
of a run (:class:`FlowRun`); the limits every run is held to. The loop that runs a one-step
method is :mod:`.driver`'s, the one-step methods' base :mod:`.stepper`'s."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import ClassVar

import numpy as np

from ...errors import InputError

__all__ = ["FlowOptions", "FlowRun", "Integrator", "MethodOptions"]

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
    # the integrator's own options (an instance of its ``Options``) and, for a method with
    # step-size control, the controller asked for (None: the method's default)
    method_options: object = None
    controller: object = None


@dataclass(frozen=True)
class MethodOptions:
    """The options of a method that has none of its own: the base of each integrator's
    ``Options`` (a frozen dataclass whose fields are the method's options, with defaults)."""


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

    # the method's own options: integrate_flow(options=...) takes an instance or a mapping of
    # its fields; integrate reads them as FlowOptions.method_options
    Options: ClassVar[type] = MethodOptions
    # whether integrate_flow(controller=...) applies (a method with step-size control)
    takes_controller: ClassVar[bool] = False

    @classmethod
    def options_from(cls, value: object) -> MethodOptions:
        """The method's :attr:`Options` from ``integrate_flow(options=value)``: None (the
        defaults), an instance, or a mapping of field names to values.

        Raises
        ------
        InputError
            For anything else, or a field the method does not have (the message lists them).
        """
        if value is None:
            return cls.Options()
        if isinstance(value, cls.Options):
            return value
        known = [f.name for f in fields(cls.Options)]
        if isinstance(value, Mapping):
            unknown = [k for k in value if k not in known]
            if not unknown:
                return cls.Options(**value)
            raise InputError(f"options={value!r}: method {cls.name!r} has no option "
                             f"{unknown[0]!r}; its options are "
                             f"{', '.join(known) if known else 'none'}")
        raise InputError(f"options={value!r} must be a {cls.Options.__name__} or a dict of "
                         f"its fields ({', '.join(known) if known else 'none'}) for method "
                         f"{cls.name!r}")

    def check(self, options: FlowOptions) -> None:  # noqa: B027 - optional hook
        """Raise :class:`~momentrnn.errors.InputError` for options this method cannot use."""

    @abstractmethod
    def integrate(self, problem, theta0: np.ndarray, options: FlowOptions) -> FlowRun:
        """Integrate the flow of ``problem`` from ``theta0``."""
