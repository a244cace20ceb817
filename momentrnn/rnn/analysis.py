"""What a trained student learned: its effective state dimension and its measure, through
the moments engine."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..moments import DiscreteMeasure, HankelRank, Recovery, hankel_rank
from ..precision import MP, Precision

__all__ = ["LearnedMeasure", "effective_dimension", "learned_measure", "moment_accuracy"]


def effective_dimension(model: object, *, tolerance: float | None = None,
                        size: int | None = None,
                        precision: Precision | None = None) -> HankelRank:
    r"""The effective state dimension: the rank of the Hankel matrix of the impulse response.

    The rank of :math:`[h_{i+j}]` is the McMillan degree, the order of a minimal realisation,
    and for a diagonal model the number of atoms of :math:`\mu_\Theta` with non-negligible
    weight. It is decided by :func:`momentrnn.hankel_rank`, with its evidence.

    Parameters
    ----------
    model : DiagonalRNN or LinearRNN
    tolerance : float, optional
        Absolute accuracy to which the impulse response is meaningful, e.g. the training
        residual :math:`\sqrt{L}`; singular values at or below it do not count. Default
        :math:`10^{-8} \max_j |h_j|`.
    size : int, optional
        Hankel size; default ``min(dim, 30) + 1``, enough to see rank ``min(dim, 30)``.
    precision : MP, optional
        Arithmetic of the singular values; default MP(40).

    Returns
    -------
    HankelRank
        ``.rank`` is the effective dimension; the evidence explains it.
    """
    dim = getattr(model, "dim", None)
    if dim is None:
        raise InputError(f"model must be a DiagonalRNN or LinearRNN, got {type(model).__name__}")
    s = min(dim, 30) + 1 if size is None else size
    h = np.asarray(model.impulse_response(2 * s - 1))  # type: ignore[attr-defined]
    if np.iscomplexobj(h):
        h = h.real if np.all(np.abs(h.imag) <= 1e-14 * np.abs(h).max()) else h
    scale = float(np.abs(h).max())
    if scale == 0:
        raise InputError("the model's impulse response is zero: it has no state to count")
    tol = 1e-8 * scale if tolerance is None else float(tolerance)
    if not tol > 0:
        raise InputError(f"tolerance={tolerance!r} must be positive")
    return hankel_rank(list(h), precision=precision or MP(40), size=s, accuracy=tol)


ACCURACY_FACTOR = 10.0
"""A trained student's impulse response is taken to be that of a measure with few atoms to
``ACCURACY_FACTOR * sqrt(L)``: the moment loss bounds each fitted lag's mismatch by
``sqrt(2 L)``, and the factor leaves room for the lags beyond the fitted ones."""

ACCURACY_FLOOR = 1e-12
"""The smallest accuracy used (absolute): the double-precision rounding of a response of order
one, with room for the sums that form it."""

NEGATIVE_LOSS_ROUNDING = 1e-12
"""A negative loss down to minus this is taken as the rounding of a loss of about its size."""


def moment_accuracy(loss: float) -> float:
    r"""The absolute accuracy :math:`\max(10\sqrt{L}, 10^{-12})` to which a student trained to
    loss ``L`` is read as a measure with few atoms (used for its effective dimension and its
    learned measure, everywhere in the package).

    Each fitted lag's mismatch is at most :math:`\sqrt{L/\rho_j}`, so the factor 10 covers
    the fitted lags for lag weights :math:`\rho_j \ge 1/100` (the default weights and
    ``'all_outputs'`` are at least 1) and leaves room for the lags beyond them; the floor
    :math:`10^{-12}` is the double-precision rounding of a response of order one.

    Parameters
    ----------
    loss : float
        The final moment loss :math:`L_k \ge 0`: a real number (Python, numpy, a 0-d numpy
        array or ``Fraction``; not a bool or a string). ``inf`` gives ``inf``. A negative
        value of size at most :math:`10^{-12}` is taken as rounding and read by its size
        (the loss is then at most about that); a more negative one is refused, since a loss
        is a sum of squares.

    Returns
    -------
    float
        The absolute accuracy, at least :math:`10^{-12}`.

    Raises
    ------
    InputError
        When ``loss`` is NaN (a diverged run: no accuracy is known), below
        :math:`-10^{-12}`, or not a real number.

    Examples
    --------
    >>> moment_accuracy(1e-4)
    0.1
    >>> moment_accuracy(0.0)
    1e-12
    """
    if isinstance(loss, np.ndarray) and loss.ndim == 0 and loss.dtype.kind in "fiu":
        loss = loss[()]  # a 0-d array of a real number
    if isinstance(loss, (bool, np.bool_)) or not isinstance(loss, numbers.Real):
        raise InputError(f"loss={loss!r} (a {type(loss).__name__}) is not a real number; pass "
                         "the moment loss as a float, e.g. moment_accuracy(1e-8)")
    try:
        loss = float(loss)
    except OverflowError:  # an integer or Fraction beyond the largest double
        loss = math.inf if loss > 0 else -math.inf
    if math.isnan(loss):
        raise InputError("the loss is NaN: the training diverged, so no accuracy is known")
    if loss < -NEGATIVE_LOSS_ROUNDING:
        raise InputError(f"loss={loss!r} is negative; a moment loss is a sum of squares, so "
                         "this is not a loss: pass L_k >= 0")
    return max(ACCURACY_FACTOR * math.sqrt(abs(loss)), ACCURACY_FLOOR)


@dataclass(frozen=True)
class LearnedMeasure:
    """The measure a trained student learned: as many atoms as its effective dimension,
    recovered from its impulse response read to :func:`moment_accuracy` of its loss.

    Attributes
    ----------
    measure : DiscreteMeasure or None
        Atoms and weights (sorted); ``None`` when not recovered (also for rank 0, where
        the response is below its accuracy).
    digits : float
        Vouched digits of ``measure`` (normwise, as in :class:`momentrnn.Recovery`); 0 when
        nothing was recovered.
    status : str
        ``'empty'`` (rank 0), ``'too_many_atoms'`` (more than ``max_rank``), ``'diverged'``
        (a non-finite response), or the recovery's status (``'ok'``, ...).
    moment_accuracy : float
        The absolute accuracy the response was read to.
    effective_dimension : HankelRank
        The rank decision, with its evidence.
    recovery : Recovery or None
        The recovery behind ``measure``.
    """

    measure: DiscreteMeasure | None
    digits: float
    status: str
    moment_accuracy: float
    effective_dimension: HankelRank
    recovery: Recovery | None = None

    @property
    def rank(self) -> int:
        """The effective dimension (number of atoms)."""
        return self.effective_dimension.rank

    def agrees_with(self, teacher: DiscreteMeasure) -> bool:
        """True when every teacher atom and weight is matched by a learned one within the
        vouched digits (normwise, as the digits are)."""
        if self.measure is None or self.rank != teacher.size or not self.digits > 0:
            return False
        atoms = [complex(x) for x in self.measure.atoms]
        weights = [complex(w) for w in self.measure.weights]
        tol_a = 10 ** -self.digits * max(abs(x) for x in atoms)
        tol_w = 10 ** -self.digits * max(abs(w) for w in weights)
        for x, w in zip(teacher.atoms, teacher.weights):
            diffs = [abs(complex(x) - y) for y in atoms]
            j = int(np.argmin(diffs))
            if diffs[j] > tol_a or abs(complex(w) - weights[j]) > tol_w:
                return False
        return True

    def to_dict(self) -> dict:
        """JSON-ready dictionary: atoms and weights with only their vouched digits."""
        atoms, weights = self.recovery.vouched_text() if self.recovery is not None else ([], [])
        return {"atoms": atoms, "weights": weights, "vouched_digits": self.digits,
                "status": self.status, "moment_accuracy": self.moment_accuracy,
                "effective_dimension": self.effective_dimension.to_dict()}


def learned_measure(model: object, loss: float, *, effective: HankelRank | None = None,
                    digits: float = 1.0, max_rank: int | None = None,
                    precision: Precision | None = None) -> LearnedMeasure:
    r"""The measure a trained student learned, with the digits vouched for it.

    The student's impulse response is read to :func:`moment_accuracy` of its loss; its
    effective dimension :math:`\hat d` (:func:`effective_dimension` at that accuracy) is the
    number of atoms, and the atoms and weights come from :func:`momentrnn.recover_measure`
    on :math:`h_0, \dots, h_{2\hat d - 1}` with that data accuracy.

    Parameters
    ----------
    model : DiagonalRNN or LinearRNN
        The trained student.
    loss : float
        Its final moment loss :math:`L`.
    effective : HankelRank, optional
        Its effective dimension when already decided at this accuracy (a trajectory's).
    digits : float, optional
        Digits the recovery must reach (status otherwise not ``'ok'``); it vouches as many as
        the data carry in any case. Default 1.
    max_rank : int, optional
        Do not recover more atoms than this (status ``'too_many_atoms'``).
    precision : Precision, optional
        Arithmetic of the rank decision (default as :func:`effective_dimension`).

    Returns
    -------
    LearnedMeasure

    Examples
    --------
    >>> from momentrnn import DiagonalRNN
    >>> student = DiagonalRNN([0.5, 0.5], [1.0, 1.0], [1.0, 1.0])
    >>> learned = learned_measure(student, 0.0)
    >>> learned.rank, learned.status, float(learned.measure.atoms[0])
    (1, 'ok', 0.5)
    """
    from ..moments import recover_measure

    tol = moment_accuracy(loss)
    eff = effective if effective is not None else effective_dimension(
        model, tolerance=tol, precision=precision)
    r = eff.rank
    if r == 0:
        return LearnedMeasure(None, 0.0, "empty", tol, eff)
    if max_rank is not None and r > max_rank:
        return LearnedMeasure(None, 0.0, "too_many_atoms", tol, eff)
    h = np.asarray(model.impulse_response(2 * r))  # type: ignore[attr-defined]
    if np.iscomplexobj(h) and np.all(np.abs(h.imag) <= 1e-14 * np.abs(h).max()):
        h = h.real
    scale = float(np.abs(h).max())
    if not (np.all(np.isfinite(h)) and scale > 0):
        return LearnedMeasure(None, 0.0, "diverged", tol, eff)
    data_digits = max(-math.log10(tol / scale), 1.0)
    rec = recover_measure(list(h), rank=r, data_digits=data_digits,
                          digits=digits, throw=False)
    measure = rec.measure.sorted() if rec.measure is not None else None
    return LearnedMeasure(measure, rec.digits, str(rec.status), tol, eff, rec)
