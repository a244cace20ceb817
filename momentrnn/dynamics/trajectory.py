"""The record of a training run."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._output import _standard
from .._schema import body_of, number_of
from ..moments import HankelRank
from ..rnn.analysis import Agreement, digits_value, effective_dimension_keys

# The statuses of a run that ended as asked ('finished': gradient descent ran the steps asked
# for, with no loss target); the others ('diverged', 'stalled', 'collapsed', 'left_invariant',
# 'max_steps') are failures.
OK_STATUSES = ("converged", "t_max", "stationary", "finished")
#: the statuses of a run that did not end as asked
FAILED_STATUSES = ("diverged", "stalled", "collapsed", "left_invariant", "max_steps")
#: every status a run can end with (a flow report's ``status``, a sweep row's; the JSON
#: Schema's enum is made from it)
RUN_STATUSES = OK_STATUSES + FAILED_STATUSES

#: points of the loss history that a report (``loss_curve``) and a sweep row keep
LOSS_CURVE_POINTS = 20


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
        ``'stalled'``, ``'collapsed'`` (a stiff integrator's step size collapsed far below the
        flow time: stopped, nothing known of where the flow ends), ``'left_invariant'`` (a
        full student that started on :math:`A = A^\\top`, :math:`C = \\pm B`, a set the exact
        flow keeps, left it through rounding: stopped where that was seen, its end says
        nothing of the exact flow; diagonal units on :math:`b_i = \\pm c_i` are integrated on
        their set), ``'diverged'``;
        ``'finished'`` for gradient descent that ran its steps
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

    def loss_curve(self, points: int = LOSS_CURVE_POINTS) -> list:
        """The loss history thinned to at most ``points`` ``[time, loss]`` pairs, evenly
        spaced in step index, the first and the last kept."""
        idx = np.unique(np.linspace(0, len(self.times) - 1, points).round().astype(int))
        return [[float(self.times[j]), float(self.loss[j])] for j in idx]

    def to_dict(self) -> dict:
        """JSON-ready summary: how the run ended, the final loss and diagnostics, the loss
        history thinned (``loss_curve``: :meth:`loss_curve`), and the trained parameters as
        floats (which JSON round-trips exactly). ``imbalance`` and ``negative_mass`` are
        the final ones. The keys are a sweep row's: the
        extrapolation error is ``extrapolation_sq`` (the sum of squares) and
        ``extrapolation_max`` at ``extrapolation_length`` (a sweep row appends the length),
        ``effective_dimension`` the rank with ``effective_dimension_verdict`` and the evidence
        ``effective_dimension_evidence`` (:func:`momentrnn.rnn.analysis.effective_dimension_keys`:
        ``None``, verdict ``'undetermined'`` and ``effective_dimension_reason`` for a run
        that diverged, one with no rank read, or one whose loss allows no rank decision)."""
        out = {"status": self.status, "message": self.message, "method": self.method,
               "steps": self.steps, "evaluations": self.evaluations, "seconds": self.seconds,
               "final_time": float(self.times[-1]), "training_loss": self.final_loss,
               "invariant_drift": float(self.invariant_drift),
               "imbalance": float(self.imbalance[-1]),
               "negative_mass": float(self.negative_mass[-1]),
               "loss_curve": self.loss_curve()}
        if self.extrapolation_error is not None:
            out["extrapolation_length"] = self.extrapolation_length
            out["extrapolation_sq"] = float(self.extrapolation_error[0])
            out["extrapolation_max"] = float(self.extrapolation_error[1])
        names = ("a", "b", "c") if hasattr(self.final, "a") else ("A", "B", "C")
        out["student"] = {n: np.asarray(getattr(self.final, n), dtype=float).tolist()
                          for n in names}
        out.update(effective_dimension_keys(self.effective_dimension, status=self.status))

        return _standard(out)


@dataclass(frozen=True)
class ReportedMeasure:
    """The learned measure as a flow report holds it (``learned_measure`` of kind
    ``"flow"``): what was written, typed.

    Attributes
    ----------
    atoms, weights : tuple of str
        Vouched text (``"?"`` where no digit is vouched, ``"-0.4+0.12j"`` for a complex atom).
    vouched_digits : float
        Written as an integer where whole (``3``), as a sweep row writes it.
    status : str
        The recovery's status (``'ok'``, ``'data_limited'``, ...).
    moment_accuracy : float
        The accuracy of the learned impulse response the measure was recovered from.
    agreement : Agreement
        Whether it is the teacher's: ``'yes'``, ``'no'`` or ``'undetermined'``, with the reason.
    """

    atoms: tuple
    weights: tuple
    vouched_digits: float
    status: str
    moment_accuracy: float
    agreement: object

    @property
    def agrees_with_teacher(self) -> bool | None:
        """True for ``'yes'``, False for ``'no'``, None when undetermined."""
        return {"yes": True, "no": False}.get(self.agreement.verdict)

    def to_dict(self) -> dict:
        """The report's ``learned_measure`` object (standard JSON as it is)."""

        return _standard({"atoms": list(self.atoms), "weights": list(self.weights),
                          "vouched_digits": digits_value(self.vouched_digits),
                          "status": self.status,
                          "moment_accuracy": self.moment_accuracy,
                          "agrees_with_teacher": self.agrees_with_teacher,
                          "agreement": self.agreement.to_dict()})

    @classmethod
    def from_dict(cls, data: dict) -> ReportedMeasure:
        """The measure of its :meth:`to_dict` (numbers may be the strings of non-finite
        ones)."""

        return cls(tuple(data["atoms"]), tuple(data["weights"]),
                   number_of(data["vouched_digits"]), data["status"],
                   number_of(data["moment_accuracy"]), Agreement.from_dict(data["agreement"]))


_FLOW_NUMBERS = ("seconds", "final_time", "training_loss", "invariant_drift",
                 "imbalance", "negative_mass", "init_scale", "extrapolation_sq",
                 "extrapolation_max")


@dataclass(frozen=True)
class FlowReport:
    """The report of ``momentrnn flow`` (kind ``"flow"``): the run's summary
    (:meth:`Trajectory.to_dict`), the run's options, the teacher, and the learned measure.

    Attributes
    ----------
    summary : dict
        The run's keys (:meth:`Trajectory.to_dict`, numbers as floats, ``loss_curve`` as
        ``[time, loss]`` pairs) and the options the report records (``k``, ``dim``,
        ``init_scale``, ``init``, ``seed``), the teacher (``teacher_atoms``,
        ``teacher_weights``: the doubles trained against; ``teacher``: as defined) and
        ``learned_measure`` (its atoms and weights as vouched text, the agreement).
    effective_dimension : HankelRank or None
        The evidence of the trained student's effective dimension.
    learned_measure : ReportedMeasure or None
        The learned measure and its agreement with the teacher, typed (its keys are the
        report's ``learned_measure``; ``summary`` holds the others).
    """

    summary: dict
    effective_dimension: HankelRank | None = None
    learned_measure: ReportedMeasure | None = None

    @property
    def status(self) -> str:
        """How the run ended (:attr:`Trajectory.status`)."""
        return self.summary["status"]

    @property
    def ok(self) -> bool:
        """True when the run ended as asked (:attr:`Trajectory.ok`)."""
        return self.status in OK_STATUSES

    @property
    def training_loss(self) -> float:
        """The loss at the end of training."""
        return self.summary["training_loss"]

    @property
    def loss_curve(self) -> list:
        """The thinned loss history, ``[time, loss]`` pairs."""
        return self.summary.get("loss_curve", [])

    @classmethod
    def of(cls, run: Trajectory, **more) -> FlowReport:
        """The report of a run and the keys ``more`` that the command adds."""
        return cls.from_dict({**run.to_dict(), **more})

    def to_dict(self) -> dict:
        """The report's dictionary: the summary's keys and the effective dimension's; standard
        JSON as it is (a number that is not finite as ``"inf"``, ``"-inf"`` or ``"nan"``,
        read back as the float by :meth:`from_dict`)."""

        out = dict(self.summary)
        if self.learned_measure is not None:
            out["learned_measure"] = self.learned_measure.to_dict()
        if self.effective_dimension is not None:  # else the summary's keys, if any
            out.update(effective_dimension_keys(self.effective_dimension, status=self.status))
        return _standard(out)

    @classmethod
    def from_dict(cls, data: dict) -> FlowReport:
        """The report of its :meth:`to_dict` (or of a ``"flow"`` output)."""

        summary = body_of(data)
        evidence = summary.pop("effective_dimension_evidence", None)
        if evidence is not None:  # the keys are the evidence's (a run with none keeps its own)
            for key in ("effective_dimension", "effective_dimension_verdict",
                        "effective_dimension_reason", "effective_dimension_range"):
                summary.pop(key, None)
        for key in _FLOW_NUMBERS:
            if key in summary and summary[key] is not None:
                summary[key] = number_of(summary[key])
        summary["loss_curve"] = [[number_of(t), number_of(v)]
                                 for t, v in summary.get("loss_curve", [])]
        if isinstance(summary.get("student"), dict):
            summary["student"] = {n: [number_of(v) for v in values]
                                  for n, values in summary["student"].items()}
        learned = summary.pop("learned_measure", None)
        return cls(summary, None if evidence is None else HankelRank.from_dict(evidence),
                   None if learned is None else ReportedMeasure.from_dict(learned))
