"""The record of a training run."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..moments import HankelRank

# The statuses of a run that ended as asked ('finished': gradient descent ran the steps asked
# for, with no loss target); the others ('diverged', 'stalled', 'max_steps') are failures.
OK_STATUSES = ("converged", "t_max", "stationary", "finished")


@dataclass(frozen=True)
class Trajectory:
    """A gradient-flow or gradient-descent run with its diagnostics.

    Attributes
    ----------
    times : ndarray
        Flow time of every accepted step (GD: step index times the learning rate).
    loss, grad_norm : ndarray
        :math:`L_k` and :math:`\\|\\nabla L_k\\|` at those times.
    record_times : ndarray
        Times at which the parameters were kept (thinned).
    parameters : ndarray
        Flat parameters at ``record_times``, shape (records, P).
    invariants : ndarray
        :math:`b_i^2 - c_i^2` (diagonal, shape (records, d)) or
        :math:`Q = AA^\\top - A^\\top A + BB^\\top - C^\\top C` (full, (records, d, d)).
    invariant_drift : float
        :math:`\\max |I(t) - I(0)|` over the records, relative to the largest
        :math:`b_i^2 + c_i^2` (diagonal) or :math:`\\|\\Theta\\|^2` (full) reached.
    imbalance : ndarray
        :math:`\\|b - c\\| / \\|b + c\\|` at the records.
    negative_mass : ndarray
        Total negative weight of :math:`\\mu_\\Theta` at the records.
    effective_dimension : HankelRank or None
        Of the final model, with evidence (tolerance: the final residual).
    extrapolation_error : tuple of float or None
        ``(sum of squares, max abs)`` of the final model against the teacher at
        ``extrapolation_length``.
    status : str
        ``'converged'`` (loss target reached), ``'t_max'``, ``'stationary'``, ``'max_steps'``
        (out of steps: for gradient descent, its steps exhausted above the loss target),
        ``'stalled'``, ``'diverged'``; ``'finished'`` for gradient descent that ran its steps
        with no loss target.
    """

    times: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    record_times: np.ndarray
    parameters: np.ndarray
    invariants: np.ndarray
    invariant_drift: float
    imbalance: np.ndarray
    negative_mass: np.ndarray
    final: object
    status: str
    message: str
    method: str
    events: dict = field(default_factory=dict)
    effective_dimension: HankelRank | None = None
    extrapolation_error: tuple[float, float] | None = None
    extrapolation_length: int | None = None
    steps: int = 0
    evaluations: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the run ended as asked: converged, reached t_max, stationary, or (gradient
        descent with no loss target) finished its steps."""
        return self.status in OK_STATUSES

    @property
    def final_loss(self) -> float:
        """The last recorded loss."""
        return float(self.loss[-1])

    def to_dict(self) -> dict:
        """JSON-ready summary: how the run ended, the final loss and diagnostics, and the
        trained parameters as floats (which JSON round-trips exactly); the curves are left
        out. The extrapolation error is ``extrapolation_sq`` (the sum of squares) and
        ``extrapolation_max`` at ``extrapolation_length``, the names a sweep row gives them
        with the length appended."""
        out = {"status": self.status, "message": self.message, "method": self.method,
               "steps": self.steps, "evaluations": self.evaluations, "seconds": self.seconds,
               "final_time": float(self.times[-1]), "training_loss": self.final_loss,
               "invariant_drift": float(self.invariant_drift),
               "imbalance_final": float(self.imbalance[-1]),
               "negative_mass_final": float(self.negative_mass[-1])}
        if self.extrapolation_error is not None:
            out["extrapolation_length"] = self.extrapolation_length
            out["extrapolation_sq"] = float(self.extrapolation_error[0])
            out["extrapolation_max"] = float(self.extrapolation_error[1])
        names = ("a", "b", "c") if hasattr(self.final, "a") else ("A", "B", "C")
        out["student"] = {n: np.asarray(getattr(self.final, n), dtype=float).tolist()
                          for n in names}
        if self.effective_dimension is not None:
            out["effective_dimension"] = self.effective_dimension.to_dict()
        return out
