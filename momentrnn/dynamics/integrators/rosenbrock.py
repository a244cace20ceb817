r"""RODAS4 with structured linear solves: the default integrator for large problems.

RODAS4 (Hairer and Wanner, Solving ODEs II, sec. IV.7) has 6 stages, order 4 with an embedded
order-3 solution, and is L-stable and stiffly accurate. Its linear systems
:math:`(I + \gamma h \nabla^2 L)x = y` are solved by the problem's linearisation in
:math:`O(d k^2)` (:eq:`eq-woodbury`).
"""

from __future__ import annotations

import numpy as np

from .._problem import FlowProblem, Linearisation
from .registry import register_integrator
from .stepper import AdaptiveIntegrator
from .tableau import RosenbrockTableau

__all__ = ["RODAS4", "Rodas4"]

# Transformed coefficients of RODAS4 for autonomous systems (rows: stages 2..6).
RODAS4 = RosenbrockTableau(
    name="RODAS4",
    gamma=0.25,
    a=((),
       (1.544,),
       (0.9466785280815826, 0.2557011698983284),
       (3.314825187068521, 2.896124015972201, 0.9986419139977817),
       (1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950),
       (1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1.0)),
    c=((),
       (-5.6688,),
       (-2.430093356833875, -0.2063599157091915),
       (-0.1073529058151375, -9.594562251023355, -20.47028614809616),
       (7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160),
       (8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136,
        -6.058818238834054)),
    # stiffly accurate: the solution is the argument of the last stage plus its increment,
    # the embedded one that of stage 6 (the error estimate is u_6)
    m=(1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1.0,
       1.0),
    m_hat=(1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1.0,
           0.0),
    order=4,
    embedded_order=3,
)


@register_integrator
class Rodas4(AdaptiveIntegrator):
    """RODAS4 with the exact Hessian (as the method's order conditions assume) and the
    problem's structured solves."""

    name = "rosenbrock"
    stiff = True
    tableau = RODAS4
    error_order = RODAS4.embedded_order

    def __init__(self) -> None:
        weights = self.tableau.error_weights
        used = [(i, w) for i, w in enumerate(weights) if w != 0.0]
        # the common case (RODAS4): the estimate is one stage, used as it is
        self._error_stage = used[0][0] if len(used) == 1 and used[0][1] == 1.0 else None
        self._error_terms = used

    def evaluate(self, problem: FlowProblem, theta: np.ndarray,
                 previous: Linearisation | None = None) -> Linearisation:
        # the loss, gradient and Hessian parts at the point
        return problem.linearise(theta) if previous is None else \
            problem.linearise(theta, recycle=previous)

    def _step_impl(self, problem: FlowProblem, lin: Linearisation, theta: np.ndarray,
                   h: float) -> tuple[np.ndarray, np.ndarray, int]:
        tab = self.tableau
        solve = lin.solver(tab.gamma * h)  # (I + gamma h Hess)^{-1}
        u: list[np.ndarray] = []
        for i in range(tab.stages):
            if i == 0:
                f = -lin.grad
            else:
                arg = theta + sum(a * uj for a, uj in zip(tab.a[i], u))
                f = -problem.loss_grad(arg)[1]
            rhs = f + sum((c / h) * uj for c, uj in zip(tab.c[i], u)) if i > 0 else f
            u.append(solve(tab.gamma * h * rhs))
        new = theta + sum(m * ui for m, ui in zip(tab.m, u))
        if self._error_stage is not None:
            err = u[self._error_stage]
        else:
            err = sum(w * u[i] for i, w in self._error_terms)
        return new, err, tab.stages - 1
