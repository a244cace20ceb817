"""Explicit embedded Runge-Kutta methods given by a :class:`ButcherTableau`.

None is registered by default (scipy's RK45 and DOP853 are); a method is added by one
subclass that names itself and its table, and one call of
:func:`~momentrnn.dynamics.integrators.register_integrator`.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .._problem import FlowProblem
from ._base import AdaptiveIntegrator
from .tableau import ButcherTableau

__all__ = ["ExplicitRungeKutta"]


class ExplicitRungeKutta(AdaptiveIntegrator):
    """An explicit embedded Runge-Kutta method for the flow :math:`\\dot\\Theta = -\\nabla L`.

    Subclasses set ``name`` and ``tableau``; the step-size control uses the table's
    embedded order.
    """

    tableau: ClassVar[ButcherTableau]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "tableau" in cls.__dict__:
            cls.error_order = cls.tableau.embedded_order

    def _step_impl(self, problem: FlowProblem, point, theta: np.ndarray,
                   h: float) -> tuple[np.ndarray, np.ndarray, int]:
        tab = self.tableau
        k: list[np.ndarray] = [-point.grad]
        for i in range(1, tab.stages):
            arg = theta + h * sum(a * kj for a, kj in zip(tab.step_a[i], k))
            k.append(-problem.loss_grad(arg)[1])
        new = theta + h * sum(b * ki for b, ki in zip(tab.step_b, k))
        err = h * sum(e * ki for e, ki in zip(tab.step_error, k))
        return new, err, tab.stages - 1
