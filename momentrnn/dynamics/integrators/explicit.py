"""Explicit embedded Runge-Kutta methods given by a :class:`ButcherTableau`.

None is registered by default (scipy's RK45 and DOP853 are); a method is added by one
subclass that names itself and its table, decorated with
:func:`~momentrnn.dynamics.integrators.register_integrator`. A table whose last stage is
evaluated at the new point (first same as last, as Dormand-Prince's) has that evaluation
reused as the first stage of the next step: a step costs ``stages - 1`` evaluations.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .._problem import FlowProblem
from .stepper import AdaptiveIntegrator, _Point
from .tableau import ButcherTableau

__all__ = ["ExplicitRungeKutta"]


class ExplicitRungeKutta(AdaptiveIntegrator):
    """An explicit embedded Runge-Kutta method for the flow :math:`\\dot\\Theta = -\\nabla L`.

    Subclasses set ``name`` and ``tableau``; the step-size control uses the table's
    embedded order. With a first-same-as-last table (:attr:`ButcherTableau.fsal`) the last
    stage's evaluation is the next step's first.
    """

    tableau: ClassVar[ButcherTableau]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "tableau" in cls.__dict__:
            cls.error_order = cls.tableau.embedded_order

    def _step_impl(self, problem: FlowProblem, point, theta: np.ndarray,
                   h: float) -> tuple[np.ndarray, np.ndarray, int, _Point | None]:
        tab = self.tableau
        # the last stage is the evaluation at the new point only when evaluate is the plain
        # loss and gradient (a subclass may evaluate more there)
        fsal = tab.fsal and type(self).evaluate is AdaptiveIntegrator.evaluate
        k: list[np.ndarray] = [-point.grad]
        for i in range(1, tab.stages):
            arg = theta + h * sum(a * kj for a, kj in zip(tab.step_a[i], k))
            loss, grad = problem.loss_grad(arg)
            k.append(-grad)
        if fsal:  # the last stage's argument is the new point, and it was evaluated there
            new, last = arg, _Point(loss, grad)
        else:
            new, last = theta + h * sum(b * ki for b, ki in zip(tab.step_b, k)), None
        err = h * sum(e * ki for e, ki in zip(tab.step_error, k))
        return new, err, tab.stages - 1, last
