"""Integrators of the gradient flow, registered by name.

:data:`INTEGRATORS` (module :mod:`.registry`, imported first) maps each name accepted by
``integrate_flow(method=...)`` (besides ``'auto'``) to its class. Each implementation module
registers its classes with the :func:`register_integrator` decorator; this package imports
them, in the order the built-in names are listed. A one-step method is a stepper
(:class:`AdaptiveIntegrator`, :class:`ExplicitRungeKutta`: one attempt at a time, in the shape
of scipy's ``OdeSolver.step``) run by the one loop of :mod:`.driver`; adding one is one new
module whose class is decorated, and one import here.
"""

from __future__ import annotations

# first: the implementations below register themselves in it
from .registry import (
    INTEGRATORS,
    check_integrator,
    integrator_named,
    register_integrator,
    unregister_integrator,
)

# isort: split
from ._base import FlowOptions, FlowRun, Integrator, MethodOptions
from .controller import StepController
from .driver import Attempt, Status, StepState, drive
from .explicit import ExplicitRungeKutta
from .stepper import AdaptiveIntegrator, AdaptiveOptions
from .tableau import ButcherTableau, RosenbrockTableau

# the built-in integrators, registered by their modules in this order (the order of
# flow_methods() and of the --method choices)
# isort: split
from .rosenbrock import RODAS4, Rodas4

# isort: split
from .scipy_ivp import BDF, DOP853, LSODA, RK45, Radau, ScipyIntegrator

# isort: split
from .gauss_mp import GaussMP

__all__ = ["INTEGRATORS", "AdaptiveIntegrator", "AdaptiveOptions", "Attempt",
           "ButcherTableau", "ExplicitRungeKutta", "FlowOptions", "FlowRun", "GaussMP",
           "Integrator", "MethodOptions", "RODAS4", "Rodas4", "RosenbrockTableau",
           "ScipyIntegrator", "Status", "StepController", "StepState", "check_integrator",
           "drive", "integrator_named", "register_integrator", "unregister_integrator",
           "BDF", "DOP853", "LSODA", "RK45", "Radau"]
