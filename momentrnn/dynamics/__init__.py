"""Gradient flow and gradient descent of linear RNNs, with their invariants."""

from ._problem import FlowProblem, Linearisation
from ._threads import blas_threads_limited
from .flow import flow_methods, integrate_flow
from .gd import GDResult, gradient_descent
from .integrators import register_integrator
from .trajectory import Trajectory

__all__ = ["FlowProblem", "GDResult", "Linearisation", "Trajectory", "blas_threads_limited",
           "flow_methods", "gradient_descent", "integrate_flow", "register_integrator"]
