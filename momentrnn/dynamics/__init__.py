"""Gradient flow and gradient descent of linear RNNs, with their invariants."""

from .flow import FLOW_METHODS, integrate_flow
from .gd import GDResult, gradient_descent
from .trajectory import Trajectory

__all__ = ["FLOW_METHODS", "GDResult", "Trajectory", "gradient_descent", "integrate_flow"]
