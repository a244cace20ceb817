"""Gradient flow and gradient descent of linear RNNs, with their invariants."""

from ._problem import FlowProblem, Linearisation
from ._threads import blas_threads_limited
from .flow import FLOW_METHODS, integrate_flow
from .gd import GDResult, gradient_descent
from .trajectory import Trajectory

__all__ = ["FLOW_METHODS", "FlowProblem", "GDResult", "Linearisation", "Trajectory",
           "blas_threads_limited", "gradient_descent", "integrate_flow"]
