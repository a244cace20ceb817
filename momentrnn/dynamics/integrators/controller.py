r"""Step-size control of the adaptive integrators.

After a step with scaled error norm ``err`` (1 is the tolerance) the next step is

.. math::  h_{new} = h \cdot \min(F_{max}, \max(F_{min}, S\, \mathrm{err}^{-1/(q+1)}))

where q is the order of the embedded solution (the error estimate is
:math:`O(h^{q+1})`); a step whose error is not a finite number is retried at
:data:`REJECT_FACTOR` times the step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["StepController", "SAFETY", "MIN_FACTOR", "MAX_FACTOR", "REJECT_FACTOR",
           "MIN_RELATIVE_STEP", "INITIAL_RELATIVE_CHANGE", "MAX_INITIAL_STEP"]

SAFETY = 0.9  # aim below the error the estimate predicts, so that few steps are rejected
MIN_FACTOR = 0.2  # the step shrinks at most five-fold after one step
MAX_FACTOR = 6.0  # and grows at most six-fold
REJECT_FACTOR = 0.2  # a step that overflowed or failed to solve is retried five times shorter
MIN_RELATIVE_STEP = 1e-14  # below h = this * max(t, 1) the run is declared diverged
INITIAL_RELATIVE_CHANGE = 1e-2  # the first step moves the parameters by about 1% of |theta|
MAX_INITIAL_STEP = 1.0
NORM_FLOOR = 1e-12  # |theta| below this counts as this (a start at the origin)
GRADIENT_FLOOR = 1e-300  # a vanishing gradient gives the largest first step


@dataclass(frozen=True)
class StepController:
    """Elementary step-size controller for an embedded pair whose error estimate has order
    ``error_order + 1``."""

    error_order: int
    safety: float = SAFETY
    min_factor: float = MIN_FACTOR
    max_factor: float = MAX_FACTOR
    reject_factor: float = REJECT_FACTOR

    @property
    def exponent(self) -> float:
        """The power of the error norm in the step factor: -1/(q + 1)."""
        return -1.0 / (self.error_order + 1)

    def factor(self, err: float) -> float:
        """The factor applied to the step after a step of scaled error ``err`` (finite)."""
        if err > 0:
            return min(self.max_factor, max(self.min_factor, self.safety * err ** self.exponent))
        return self.max_factor

    @staticmethod
    def initial_step(theta: np.ndarray, gnorm: float) -> float:
        """A first step that changes ``theta`` by about :data:`INITIAL_RELATIVE_CHANGE` of its
        norm along the gradient of norm ``gnorm``."""
        return min(INITIAL_RELATIVE_CHANGE * max(np.linalg.norm(theta), NORM_FLOOR)
                   / max(gnorm, GRADIENT_FLOOR), MAX_INITIAL_STEP)

    @staticmethod
    def too_small(h: float, t: float) -> bool:
        """Whether ``h`` has fallen below what double precision can add to ``t``."""
        return h < MIN_RELATIVE_STEP * max(t, 1.0)

    @staticmethod
    def error_norm(err_vec: np.ndarray, theta: np.ndarray, new: np.ndarray, rtol: float,
                   atol: float) -> float:
        """Root-mean-square of the error estimate over ``atol + rtol * max(|theta|, |new|)``."""
        scale = atol + rtol * np.maximum(np.abs(theta), np.abs(new))
        return float(np.sqrt(np.mean((err_vec / scale) ** 2)))


