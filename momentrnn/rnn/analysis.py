"""What a trained student learned: its effective state dimension and its measure, through
the moments engine."""

from __future__ import annotations

import functools
import math
import numbers
import sys
from dataclasses import dataclass, replace

import numpy as np

from .._output import _standard
from .._validate import nonnegative_int, positive_int
from ..errors import InputError
from ..moments import DiscreteMeasure, HankelRank, Recovery, hankel_rank, recover_measure, to_mp
from ..precision import MP, Precision

__all__ = ["Agreement", "LearnedMeasure", "effective_dimension", "learned_measure",
           "moment_accuracy"]

_UNIT_ROUNDOFF = 2.0 ** -53
#: the verdicts of :class:`Agreement` (the JSON Schema's enum is made from them)
AGREEMENT_VERDICTS = ("yes", "no", "undetermined")
#: the statuses of a :class:`LearnedMeasure` besides its recovery's (``'ok'``, ...)
LEARNED_STATUSES = ("empty", "too_many_atoms", "diverged", "undetermined")
_UNDERFLOW = 2.0 ** -1074  # absolute error of one operation that underflows (gradual underflow)


def underflow_ignored(func):
    """Run ``func`` with numpy's underflow ignored, whatever the caller's error state.

    Underflow to zero or a subnormal is harmless in these computations (a vanishing power
    or product of small parameters); overflow and invalid operations are not ignored here:
    the code meets them with its own local ``np.errstate`` and checks for non-finite values.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(under="ignore"):
            return func(*args, **kwargs)
    return wrapper


def _response_rounding(model: object, count: int) -> float:
    r"""A bound on the rounding error of the double-precision impulse response
    :math:`h_0, \dots, h_{count-1}` of ``model``: the accuracy it carries at best.

    The response is computed in doubles, so no accuracy requested of it can be finer than its
    own rounding. With :math:`u = 2^{-53}` and :math:`\gamma_n = nu/(1 - nu)` (Higham,
    *Accuracy and Stability of Numerical Algorithms*, 2nd ed., Lemma 3.1 and Section 3.1):

    * a diagonal model forms :math:`w_i = b_i c_i` (one rounding), the powers
      :math:`a_i^j` by repeated multiplication (:math:`j - 1` roundings) and the sum of
      :math:`d` products (any order: :math:`\gamma_d`), so
      :math:`|\hat h_j - h_j| \le \gamma_{j+d+1} \sum_i |b_i c_i|\,|a_i|^j`;
    * a full model iterates :math:`x \leftarrow A x` from :math:`B` and reads
      :math:`C x`; each product is exact for a perturbed matrix with
      :math:`|\Delta A| \le \gamma_d |A|`, so componentwise
      :math:`|\hat h_j - h_j| \le ((1 + \gamma_d)^{j+1} - 1)\, |C|\, |A|^j\, |B|`.

    Each operation that underflows adds at most :math:`2^{-1074}` in absolute terms (one such
    term per operation is added). The bound returned is twice the largest of these over the
    lags (the factor covers the rounding of the bound's own evaluation, which sums
    non-negative terms); complex
    arithmetic doubles :math:`u` (a complex product is within :math:`\sqrt 2 \gamma_2`).

    Parameters
    ----------
    model : DiagonalRNN or LinearRNN
    count : int
        Number of lags :math:`h_0, \dots, h_{count-1}`.

    Returns
    -------
    float
        The absolute bound (``inf`` when the bound itself overflows).

    Examples
    --------
    >>> from momentrnn import DiagonalRNN
    >>> _response_rounding(DiagonalRNN([0.5], [1.0], [1.0]), 4) < 1e-15
    True
    """
    count = int(count)
    if hasattr(model, "a"):
        a = np.abs(np.asarray(model.a))  # type: ignore[attr-defined]
        w = np.abs(np.asarray(model.b) * np.asarray(model.c))  # type: ignore[attr-defined]
        cplx = any(np.iscomplexobj(np.asarray(v)) for v in (model.a, model.b, model.c))  # type: ignore[attr-defined]
        d = a.shape[0]
        u = (2.0 if cplx else 1.0) * _UNIT_ROUNDOFF
        worst = 0.0
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            powers = np.ones_like(a, dtype=float)
            for j in range(count):
                n = j + d + 1
                gamma = n * u / (1 - n * u)
                term = gamma * float(w @ powers) + n * _UNDERFLOW
                if not math.isfinite(term):
                    return math.inf
                worst = max(worst, term)
                powers = powers * a
        return 2.0 * worst
    A = np.abs(np.asarray(model.A))  # type: ignore[attr-defined]
    B = np.abs(np.asarray(model.B))  # type: ignore[attr-defined]
    C = np.abs(np.asarray(model.C))  # type: ignore[attr-defined]
    cplx = any(np.iscomplexobj(np.asarray(v)) for v in (model.A, model.B, model.C))  # type: ignore[attr-defined]
    d = A.shape[0]
    u = (2.0 if cplx else 1.0) * _UNIT_ROUNDOFF
    gamma = (d + 2) * u / (1 - (d + 2) * u)
    worst = 0.0
    x = B.astype(float)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for j in range(count):
            growth = math.expm1((j + 1) * math.log1p(gamma))
            term = growth * float(C @ x) + (j + 1) * (d + 1) * _UNDERFLOW
            if not math.isfinite(term):
                return math.inf
            worst = max(worst, term)
            x = A @ x
    return 2.0 * worst


@underflow_ignored
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
        :math:`10^{-8} \max_j |h_j|`. The accuracy used is the larger of this and the
        rounding error of the double-precision response (a bound on it, from the model's
        parameters): a response computed in doubles carries no more than that, so a finer
        tolerance would count rounding as state.
    size : int, optional
        Hankel size; default ``min(dim, 30) + 1``, enough to see rank ``min(dim, 30)``.
    precision : MP, optional
        Arithmetic of the singular values; default MP(40).

    Returns
    -------
    HankelRank
        ``.rank`` is the effective dimension; the evidence explains it. When the accuracy
        (the tolerance, or the response's rounding where that is larger) puts the noise floor
        at or above the size of the first lags (``|h_0|``, ``|h_1|``), the verdict is
        ``'undetermined'`` whatever the gap, with ``rank_range`` from the count above the
        floor up to ``dim``: atoms at the scale of the data are not seen (a student whose
        loss is not small is not of effective dimension 0).
    """
    dim = getattr(model, "dim", None)
    if dim is None:
        raise InputError(f"model must be a DiagonalRNN or LinearRNN, got {type(model).__name__}")
    s = min(dim, 30) + 1 if size is None else positive_int(size, "size")
    h = np.asarray(model.impulse_response(2 * s - 1))  # type: ignore[attr-defined]
    if not np.all(np.isfinite(h)):
        lag = int(np.flatnonzero(~np.isfinite(h))[0])
        raise InputError(f"the model's impulse response is not finite from lag {lag} on "
                         "(its parameters overflow double precision): no rank can be decided")
    if np.iscomplexobj(h):
        h = h.real if np.all(np.abs(h.imag) <= 1e-14 * np.abs(h).max()) else h
    scale = float(np.abs(h).max())
    if scale == 0:
        raise InputError("the model's impulse response is zero: it has no state to count")
    tol = 1e-8 * scale if tolerance is None else float(tolerance)
    if not tol > 0:
        raise InputError(f"tolerance={tolerance!r} must be positive")
    rounding = _response_rounding(model, 2 * s - 1)
    evidence = hankel_rank(list(h), precision=precision or MP(40), size=s,
                           accuracy=max(tol, rounding))
    evidence = _proved_low_end(evidence)
    return _within_data_scale(evidence, h, dim, None if rounding <= tol else rounding)


def _proved_low_end(evidence: HankelRank) -> HankelRank:
    """An ambiguous range that starts at the singular values proved non-zero: at an accuracy
    that bounds the response's error (the tolerance asked, or its rounding), each singular
    value above the noise floor is non-zero (Weyl), however close to the floor it lies, so
    the rank is at least their count (``evidence.rank``); the window of the margin below the
    floor widens the range upwards only. Where that leaves one number (no singular value in
    the window below the floor), the rank is decided: verdict ``'clear'``, range ``[r, r]``.
    (For lags whose stated accuracy may be understated,
    double lags' half ulp, :func:`momentrnn.hankel_rank` keeps its wider range.)"""
    lo, hi = evidence.rank_range
    if evidence.verdict != "ambiguous" or lo >= evidence.rank:
        return evidence
    proved = evidence.rank
    if proved >= hi:
        # both ends are one number: at least ``proved`` (each of those singular values is
        # non-zero at this accuracy), at most ``hi`` (the others lie below the floor's
        # window): the rank is decided
        return replace(evidence, rank_range=(proved, proved), verdict="clear",
                       message=f"{proved} singular value(s) above the noise floor "
                       f"{float(evidence.noise_floor):.3g}, each non-zero at this accuracy, and "
                       "every other below the window under the floor: the rank is "
                       f"{proved}")
    message = evidence.message.replace(
        f"the rank is between {lo} and {hi}",
        f"the rank is between {proved} and {max(hi, proved)} ({proved} singular value(s) above "
        "the floor, each non-zero at this accuracy)")
    return replace(evidence, rank_range=(proved, max(hi, proved)), message=message)


def _within_data_scale(evidence: HankelRank, h: np.ndarray, dim: int,
                       rounding: float | None = None) -> HankelRank:
    """The evidence as it is, or an undetermined one when its noise floor is at least the
    size of the response's first lags (``|h_0|``, ``|h_1|``: the lags a trained student
    fits): then every atom at the scale of the data lies below the floor, and the singular
    values above it count only the atoms that dominate the far lags. The rank is then at
    least the count above the floor and anywhere up to ``dim``. ``rounding`` is the
    response's rounding where that, not the accuracy asked (for a trained student, its
    loss's), set the floor."""
    import mpmath

    head = float(np.abs(np.asarray(h[:2])).max())
    if evidence.verdict == "exact" or not evidence.noise_floor >= head:
        return evidence
    low = min(evidence.rank_range[0], evidence.rank)
    high = max(dim, evidence.rank_range[1])
    floor = mpmath.nstr(evidence.noise_floor, 3)
    far = f"; {evidence.rank} singular values dominate the far lags" if evidence.rank else ""
    if rounding is not None:
        message = (f"the noise floor {floor} (the rounding of a response computed in doubles "
                   f"from large parameters) is at least the size {head:.3g} of the first lags: "
                   "every atom at the scale of the data lies below it, so the rank is not "
                   f"decided (between {low} and {high}{far})")
    else:
        message = (f"the loss allows no rank decision: the noise floor {floor} of the accuracy "
                   "it allows (the tolerance asked) is at least the size "
                   f"{head:.3g} of the first lags, so every atom at the scale of the data lies "
                   f"below it (the rank is anywhere between {low} and {high}{far})")
    return HankelRank(evidence.rank, evidence.size, evidence.singular_values,
                      evidence.noise_floor, evidence.gap, "undetermined", (low, high),
                      evidence.precision, message)


ACCURACY_FACTOR = 10.0
"""A trained student's impulse response is taken to be that of a measure with few atoms to
``ACCURACY_FACTOR * sqrt(L)``: the moment loss bounds each fitted lag's mismatch by
``sqrt(L / rho_j)``, so the factor covers lag weights ``rho_j >= 1/100``."""

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
class Agreement:
    """Whether a learned measure agrees with a teacher's (:meth:`LearnedMeasure.agreement`).

    Attributes
    ----------
    verdict : str
        ``'yes'``, ``'no'`` (proved) or ``'undetermined'``.
    reason : str
        Why, in words.
    """

    verdict: str
    reason: str

    def to_dict(self) -> dict:
        """``{"verdict": ..., "reason": ...}``."""
        return {"verdict": self.verdict, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict) -> Agreement:
        """The agreement of its :meth:`to_dict`."""
        return cls(data["verdict"], data["reason"])


def _short(value: object) -> str:
    """A teacher atom or weight in the reason's text: its shortest form."""
    if isinstance(value, float):
        return repr(value)
    return str(value)


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
        (a non-finite response), ``'undetermined'`` (the rank's noise floor is at least the
        size of the first lags: nothing at the data's scale can be read), or the recovery's
        status (``'ok'``, ...).
    moment_accuracy : float
        The absolute accuracy the response was read to: :func:`moment_accuracy` of the loss,
        or the rounding error of the double-precision response where that is larger (for
        ``'diverged'``, the loss's: the response was not read).
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
        vouched digits (normwise, as the digits are): :meth:`agreement` says ``'yes'``."""
        return self.agreement(teacher).verdict == "yes"

    def agreement(self, teacher: DiscreteMeasure, *,
                  extrapolation_max: float | None = None,
                  length: int | None = None,
                  extrapolation_rounding: float | None = None,
                  loss: float | None = None) -> Agreement:
        """Whether the learned measure agrees with ``teacher``: ``'yes'``, ``'no'`` or
        ``'undetermined'``, with the reason.

        ``'yes'`` means the learned measure agrees with the teacher's to its vouched digits:
        the recovery is ``'ok'``, the effective dimension is decided (verdict
        ``'exact'`` or ``'clear'``) and equals the teacher's number of atoms, and every teacher
        atom and weight lies within the vouched digits of its own learned one.
        ``'no'`` only with a proof: a teacher atom or weight outside the vouched digits of
        every learned one (at a decided rank equal to the teacher's), or a student response
        that differs from the teacher's by more than the largest double
        (``extrapolation_max`` infinite, as :func:`momentrnn.rnn.extrapolation_error` returns
        it only when that is proved) where no measure within ``tau`` (below) of the teacher's
        differs by as much within ``length`` lags (bounded in log space; an atom of modulus 1
        or more raised to a long length can: then the error proves nothing, the other rules
        decide a ``'no'``, and the verdict is otherwise ``'undetermined'``), or a clear
        excess of atoms: the low end of the effective
        dimension's rank range (singular values above the noise floor of the accuracy read,
        each non-zero: Weyl) above the teacher's count of atoms, so that no response of the
        teacher's atoms lies within that accuracy of the student's; or (given
        ``extrapolation_rounding``) a student response that, less its rounding, differs from
        the teacher's by more than any measure of the teacher's atoms with every atom and
        weight within the tolerance ``tau`` can (``tau``: twice the larger of the accuracy read
        and the vouched digits' tolerance, so a ``'yes'`` is never also proved ``'no'``;
        :func:`_explained_extrapolation`). The reason names the evidence. Everything else is
        ``'undetermined'``: no measure recovered, no vouched digit, a rank not decided, or a
        rank below the teacher's count of atoms, or not proved above it (at the accuracy
        read, an atom lighter or closer to another than the accuracy resolves is not seen,
        so the count alone proves nothing).

        Parameters
        ----------
        teacher : DiscreteMeasure
            The teacher's measure.
        extrapolation_max : float, optional
            The student's largest response error :math:`\\max_{j<q} |h_j - \\hat h_j|`
            against the teacher; ``inf`` means proved beyond the largest double, NaN unknown.
            A ``'yes'`` needs it finite when given.
        length : int, optional
            The length :math:`q` of that error, for the reason's text (and the bound's).
        extrapolation_rounding : float, optional
            A bound on the rounding of the computed error (both responses' rounding,
            :func:`_response_rounding`); without it a finite error proves nothing.
        loss : float, optional
            The student's training loss: ``tau`` is taken from the accuracy it allows
            (:func:`moment_accuracy`) rather than from :attr:`moment_accuracy` (which the
            response's rounding may have raised far above it).

        Returns
        -------
        Agreement
        """
        if not isinstance(teacher, DiscreteMeasure):
            raise InputError(f"teacher={teacher!r:.80} must be a DiscreteMeasure")
        over = "" if length is None else f" within {length} lags"
        if extrapolation_max is not None and not math.isfinite(extrapolation_max):
            if extrapolation_max > 0:  # inf: proved beyond the largest double
                return self._beyond_doubles(teacher, length, loss)
            return Agreement("undetermined", "the student's extrapolation error is not known "
                             f"({extrapolation_max!r}){over}")
        acc = f"{self.moment_accuracy:.1e}"
        proved = self._proved_apart(teacher, extrapolation_max, length, extrapolation_rounding,
                                    loss)
        if proved is not None:
            return proved
        if self.measure is None:
            reason = {
                "empty": f"the student's response is below its accuracy {acc} (effective "
                         "dimension 0): no atom is read, so nothing is decided",
                "too_many_atoms": f"the student reads as {self.rank} atoms at accuracy {acc}, "
                                  "more than are recovered",
                "diverged": "the student's response is not finite: nothing is read",
                "undetermined": "the student's effective dimension is undetermined: "
                                f"{self.effective_dimension.message}",
            }.get(self.status, f"the learned measure was not recovered ({self.status})")
            return Agreement("undetermined", reason)
        eff = self.effective_dimension
        if eff.verdict not in ("exact", "clear"):
            low, high = eff.rank_range
            return Agreement("undetermined", f"the student's effective dimension is not "
                             f"decided (verdict {eff.verdict}): any rank from {low} to {high} "
                             f"fits its response at accuracy {acc}")
        n = teacher.size
        if self.rank != n:
            return Agreement("undetermined", f"the student reads as {self.rank} atom(s) at "
                             f"accuracy {acc} and the teacher has {n}: an atom lighter, or "
                             "closer to another, than that accuracy resolves is not seen, so "
                             "the count alone does not prove that they differ")
        if not self.digits > 0:
            return Agreement("undetermined", "no digit of the learned measure is vouched "
                             f"(status {self.status})")
        return self._compare(teacher)

    def _beyond_doubles(self, teacher: DiscreteMeasure, length: int | None,
                        loss: float | None) -> Agreement:
        """The verdict where the student's response is proved to differ from the teacher's
        by more than the largest double: ``'no'`` only where a measure within ``tau`` of the
        teacher's cannot differ by that much within ``length`` lags (the bound of
        :func:`_explained_extrapolation`, in log space, below the largest double); else the
        error proves nothing (an atom of modulus 1 or more, raised to a long length), and
        the verdict is ``'no'`` where the other rules prove it, ``'undetermined'`` otherwise
        (a ``'yes'`` needs a finite error)."""
        over = "" if length is None else f" within {length} lags"
        tau = self._tolerance(loss)
        log_bound = _explained_extrapolation_log(teacher, tau, length)
        if log_bound + 1e-9 < math.log(sys.float_info.max):
            return Agreement("no", "the student's response differs from the teacher's by "
                             f"more than the largest double{over} (extrapolation error "
                             f"inf), more than the most (about 10^{log_bound / math.log(10):.0f})"
                             " that any measure of the teacher's atoms with every atom and "
                             f"weight within {tau:.1e} of the teacher's differs by: its "
                             "measure is not the teacher's, whatever its first lags read as")
        rest = self.agreement(teacher, loss=loss)
        if rest.verdict == "no":
            return rest
        span = (f"a measure within {tau:.1e} of the teacher's can differ by as much"
                + ("" if length is None else
                   f" (about 10^{log_bound / math.log(10):.0f}){over}"))
        return Agreement("undetermined", "the student's extrapolation error overflows double "
                         f"precision{over} (inf), but that proves nothing: {span}; the "
                         f"measures compared to the vouched digits: {rest.verdict} "
                         f"({rest.reason})")

    def _tolerance(self, loss: float | None = None) -> float:
        """``tau``: twice the larger of the accuracy read and the vouched digits' tolerance of
        the learned atoms and weights (a ``'yes'`` puts each teacher atom and weight within
        the latter of a learned one, which is within it of the student's), with 1% for the
        rounding of this bound."""
        tau = float(self.moment_accuracy)
        if loss is not None:
            try:
                tau = moment_accuracy(loss)
            except InputError:  # a NaN or negative loss: the accuracy read stays
                pass
        if self.measure is not None and self.digits > 0 and math.isfinite(self.digits):
            values = [abs(complex(v)) for v in (*self.measure.atoms, *self.measure.weights)]
            tau = max(tau, 10.0 ** -float(self.digits) * max(values, default=0.0))
        return 2.02 * tau

    def _proved_apart(self, teacher: DiscreteMeasure, extrapolation_max: float | None,
                      length: int | None, rounding: float | None,
                      loss: float | None = None) -> Agreement | None:
        """A ``'no'`` on proved evidence (a clear excess of atoms, or an extrapolation error
        beyond what any measure near the teacher's explains), naming it; None without one."""
        n = teacher.size
        low = int(self.effective_dimension.rank_range[0])
        if low > n:
            return Agreement("no", f"a clear excess of atoms: the student's effective "
                             f"dimension is at least {low} ({low} singular value(s) above the "
                             f"noise floor of the accuracy {self.moment_accuracy:.1e} read, "
                             f"each non-zero) and the teacher has {n} atom(s), so no "
                             "response of the teacher's lies within that accuracy of the "
                             "student's: its measure is not the teacher's")
        if extrapolation_max is None or rounding is None or length is None or not (
                math.isfinite(rounding) and rounding >= 0):
            return None
        seen = extrapolation_max / (1 + 4 * _UNIT_ROUNDOFF) - rounding  # the error proved
        tau = self._tolerance(loss)
        bound = _explained_extrapolation(teacher, tau, length)
        if not (math.isfinite(bound) and seen > bound):
            return None
        return Agreement("no", f"an extrapolation error beyond what the loss explains: the "
                         f"student's response differs from the teacher's by at least "
                         f"{seen:.3g} within {length} lags (computed {extrapolation_max:.3g}, "
                         f"less its rounding), more than {bound:.3g}, the most that any "
                         f"measure of the teacher's {n} atom(s) with every atom and weight "
                         f"within {tau:.1e} of the teacher's (twice the accuracy the loss "
                         "allows, or the vouched digits) differs by: its measure is not the "
                         "teacher's")

    def _compare(self, teacher: DiscreteMeasure) -> Agreement:
        """The atom-by-atom comparison within the vouched digits, at 60 digits (far below any
        vouched digit of a double response), with a margin for that rounding."""
        import mpmath

        ctx = mpmath.MPContext()

        def to_mp_value(value, ctx):
            # an mpmath number of any context as it is; other kinds read by the engine
            mp_number = isinstance(value, (mpmath.ctx_mp_python._mpf, mpmath.ctx_mp_python._mpc))
            return ctx.mpmathify(value) if mp_number else to_mp(value, ctx)

        ctx.dps = 60
        atoms = [to_mp_value(x, ctx) for x in self.measure.atoms]
        weights = [to_mp_value(w, ctx) for w in self.measure.weights]
        unit = ctx.mpf(10) ** -ctx.mpf(self.digits)
        tol_a = unit * max(abs(x) for x in atoms)
        tol_w = unit * max(abs(w) for w in weights)
        slack_a = ctx.mpf(10) ** -40 * (1 + max(abs(x) for x in atoms))
        slack_w = ctx.mpf(10) ** -40 * (1 + max(abs(w) for w in weights))
        used: set[int] = set()
        edge = None
        for x, w in zip(teacher.atoms, teacher.weights):
            tx, tw = to_mp_value(x, ctx), to_mp_value(w, ctx)
            near = [j for j, y in enumerate(atoms) if abs(tx - y) <= tol_a + slack_a]
            if not near:
                return Agreement("no", f"the teacher's atom {_short(x)} is outside the "
                                 f"{self.digits:g} vouched digits of every learned atom")
            fits = [j for j in near if abs(tw - weights[j]) <= tol_w + slack_w]
            if not fits:
                return Agreement("no", f"the teacher's weight {_short(w)} at atom {_short(x)} "
                                 f"is outside the {self.digits:g} vouched digits of the "
                                 "learned weight there")
            sure = [j for j in fits if abs(tx - atoms[j]) <= tol_a - slack_a
                    and abs(tw - weights[j]) <= tol_w - slack_w and j not in used]
            if not sure:
                edge = x
            else:
                used.add(sure[0])
        if edge is not None:
            return Agreement("undetermined", f"the teacher's atom {_short(edge)} is at the edge "
                             "of the vouched digits, or shares its learned atom with another")
        if self.status != "ok":
            return Agreement("undetermined", f"the learned measure is {self.status}")
        note = ("" if max(abs(x) for x in atoms) < 1 else
                " (the measures agree to those digits; the extrapolation error is a separate "
                "figure, which an atom of modulus 1 or more makes large at long lengths)")
        return Agreement("yes", "every teacher atom and weight lies within the "
                         f"{self.digits:g} vouched digits of its learned one" + note)

    def to_dict(self) -> dict:
        """JSON-ready dictionary: atoms and weights with only their vouched digits; the
        effective dimension as a flow report gives it (``effective_dimension``: the rank,
        ``effective_dimension_verdict``, ``effective_dimension_evidence``)."""

        atoms, weights = self.recovery.vouched_text() if self.recovery is not None else ([], [])
        return _standard({"atoms": atoms, "weights": weights,
                          "vouched_digits": digits_value(self.digits),
                          "status": self.status, "moment_accuracy": self.moment_accuracy,
                          **effective_dimension_keys(self.effective_dimension)})


def _explained_extrapolation(teacher: DiscreteMeasure, tau: float, length: int) -> float:
    r"""The largest :math:`\max_{j<q} |h_j - t_j|` of a measure whose atoms :math:`y_i` and
    weights :math:`u_i` are each within ``tau`` of the teacher's :math:`x_i`, :math:`v_i` (and
    no other atoms), :math:`q` = ``length``: with :math:`R = \max |x_i| + \tau`,
    :math:`M = \sum |v_i|`,
    :math:`|u_i y_i^j - v_i x_i^j| \le |u_i|\,|y_i^j - x_i^j| + |u_i - v_i|\,|x_i|^j`
    gives the bound :math:`(M + n\tau)\, j \tau R^{j-1} + n \tau R^j`, maximised over
    :math:`j < q` (times 1.01 for the rounding of its evaluation; ``inf`` where it overflows).
    """
    n = teacher.size
    radius = max(abs(complex(x)) for x in teacher.atoms) + tau
    mass = sum(abs(complex(v)) for v in teacher.weights) + n * tau
    worst, power = 0.0, 1.0  # power = R^(j-1) at lag j >= 1
    try:
        worst = n * tau
        for j in range(1, int(length)):
            worst = max(worst, mass * j * tau * power + n * tau * power * radius)
            power *= radius
            if not math.isfinite(worst + power):
                return math.inf
    except OverflowError:
        return math.inf
    return 1.01 * worst if math.isfinite(worst) else math.inf


def _explained_extrapolation_log(teacher: DiscreteMeasure, tau: float,
                                 length: int | None) -> float:
    r"""The natural log of an upper bound on :func:`_explained_extrapolation` that does not
    overflow: with :math:`\rho = \max(1, R)`, every term is at most
    :math:`((M + n\tau)\, q\tau + 2n\tau\rho)\,\rho^{q-1}`; for :math:`R < 1`, at any
    length (``length`` None too), at most :math:`(M + n\tau)\tau/(1 - R)^2 + n\tau`
    (:math:`\sum_j j R^{j-1} = 1/(1-R)^2`). ``inf`` where ``tau`` is not finite, or no
    length is given and :math:`R \ge 1`; times 1.01 for rounding."""
    n = teacher.size
    if not (math.isfinite(tau) and tau >= 0):
        return math.inf
    radius = max(abs(complex(x)) for x in teacher.atoms) + tau
    mass = sum(abs(complex(v)) for v in teacher.weights) + n * tau
    logs = []
    if radius < 1:
        logs.append(_log_or_inf((mass * tau / (1 - radius) ** 2 + n * tau) * 1.01))
    if length is not None:
        rho = max(1.0, radius)
        q = max(int(length), 1)
        logs.append(_log_or_inf((mass * q * tau + 2 * n * tau * rho) * 1.01)
                    + (q - 1) * math.log(rho))
    return min(logs, default=math.inf)


def _log_or_inf(value: float) -> float:
    """``log(value)`` for a value >= 0: ``-inf`` at 0, ``inf`` where it is not finite."""
    if not math.isfinite(value):
        return math.inf
    return -math.inf if value == 0 else math.log(value)


def digits_value(digits: float):
    """Vouched digits as a flow report and a sweep row write them: an integer where the count
    is whole (``3``, never ``3.0``), else the float (``inf`` for an exact measure)."""
    digits = float(digits)
    return int(digits) if math.isfinite(digits) and digits.is_integer() else digits


def learned_report(learned: LearnedMeasure, agreement: Agreement) -> dict:
    """The learned measure as a flow report writes it (its ``learned_measure`` object:
    ``atoms``, ``weights``, ``vouched_digits``, ``status``, ``moment_accuracy``,
    ``agrees_with_teacher``, ``agreement``) and a sweep row (each key with the prefix
    ``learned_``, the agreement as ``agreement``): one function for both."""
    out = learned.to_dict()
    for key in [k for k in out if k.startswith("effective_dimension")]:
        del out[key]  # the run's own, beside it
    out["agrees_with_teacher"] = {"yes": True, "no": False}.get(agreement.verdict)
    out["agreement"] = agreement.to_dict()
    return out


DIVERGED_READING = ("the run diverged: its last parameters are not a trained student, so "
                    "nothing is read from them")


def effective_dimension_keys(evidence: HankelRank | None, *, status: str | None = None
                             ) -> dict:
    """The effective dimension as a flow report and a sweep row give it (one reading for
    both): the rank, its verdict, and (in a report) the evidence.

    A run that diverged (``status`` ``'diverged'``), a run with no evidence, and evidence
    whose verdict is ``'undetermined'`` (the loss allows no rank decision) read as
    ``effective_dimension`` ``None``, ``effective_dimension_verdict`` ``'undetermined'``
    and the reason in ``effective_dimension_reason``; the evidence is kept where there is
    some and the run did not diverge. Where there is evidence, ``effective_dimension_range``
    is its ``[low, high]`` ranks consistent with it; a rank that the loss does not allow to
    one number (verdict ``'ambiguous'``, a range with ``low < high``) is no number either:
    ``effective_dimension`` ``None``, the range, and the evidence's message as the
    reason."""
    if status == "diverged" or evidence is None:
        reason = DIVERGED_READING if status == "diverged" else (
            "no rank was read: the student's impulse response is zero or not finite")
        return {"effective_dimension": None, "effective_dimension_verdict": "undetermined",
                "effective_dimension_reason": reason}
    low, high = (int(v) for v in evidence.rank_range)
    if evidence.verdict == "undetermined":
        return {"effective_dimension": None, "effective_dimension_verdict": "undetermined",
                "effective_dimension_range": [low, high],
                "effective_dimension_reason": evidence.message,
                "effective_dimension_evidence": evidence.to_dict()}
    if low != high:  # not one number: the range, never one of its ends
        return {"effective_dimension": None, "effective_dimension_verdict": evidence.verdict,
                "effective_dimension_range": [low, high],
                "effective_dimension_reason": evidence.message,
                "effective_dimension_evidence": evidence.to_dict()}
    return {"effective_dimension": evidence.rank,
            "effective_dimension_verdict": evidence.verdict,
            "effective_dimension_range": [low, high],
            "effective_dimension_evidence": evidence.to_dict()}


def run_agreement(learned: LearnedMeasure | None, teacher: DiscreteMeasure, *,
                  status: str | None = None, extrapolation_max: float | None = None,
                  length: int | None = None,
                  extrapolation_rounding: float | None = None,
                  loss: float | None = None) -> Agreement:
    """Whether a run's learned measure agrees with its teacher's, as the flow report and
    the sweep rows give it: :meth:`LearnedMeasure.agreement`, except that a run that diverged
    or left, through rounding, a set the exact flow keeps (status ``'left_invariant'``)
    decides nothing, nor does a run with no learned measure (``learned`` ``None``)."""
    if status == "diverged":
        return Agreement("undetermined", DIVERGED_READING)
    if status == "left_invariant":
        # the computed run is not the exact flow's from there on: nothing is decided
        return Agreement("undetermined", "the computed run left, through rounding, a set the "
                         "exact flow keeps (status left_invariant): what it learned says "
                         "nothing of what the exact flow learns")
    if learned is None:
        return Agreement("undetermined", "no learned measure was read: the student's impulse "
                         "response is zero or not finite")
    return learned.agreement(teacher, extrapolation_max=extrapolation_max, length=length,
                             extrapolation_rounding=extrapolation_rounding, loss=loss)


def extrapolation_rounding(student: object, teacher: object, length: int) -> float:
    """A bound on the rounding of a computed extrapolation error of ``student`` against
    ``teacher`` over ``length`` lags: both responses' rounding (:func:`_response_rounding`)."""
    return _response_rounding(student, length) + _response_rounding(teacher, length)


def _undecided(dim: int, precision: Precision | None, response: np.ndarray) -> HankelRank:
    """The rank evidence of a non-finite response: nothing is decided, any rank up to ``dim``
    is consistent with it."""
    import mpmath

    lag = int(np.flatnonzero(~np.isfinite(response))[0])
    return HankelRank(rank=0, size=0, singular_values=(), noise_floor=mpmath.inf,
                      gap=math.inf, verdict="undetermined", rank_range=(0, dim),
                      precision=precision or MP(40),
                      message=f"the impulse response is not finite from lag {lag} on (its "
                              "parameters overflow double precision): no rank is decided")


@underflow_ignored
def learned_measure(model: object, loss: float, *, effective: HankelRank | None = None,
                    digits: float = 1.0, max_rank: int | None = None,
                    precision: Precision | None = None) -> LearnedMeasure:
    r"""The measure a trained student learned, with the digits vouched for it.

    The student's impulse response is read to :func:`moment_accuracy` of its loss, or to the
    rounding error of its double-precision evaluation where that is larger (a bound from the
    model's parameters: the response carries no more accuracy than that); its
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
        Its effective dimension when already decided at this accuracy (a trajectory's, from
        :func:`effective_dimension` with ``tolerance=moment_accuracy(loss)``).
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

    if max_rank is not None:
        max_rank = nonnegative_int(max_rank, "max_rank")
    tol = moment_accuracy(loss)
    dim = getattr(model, "dim", None)
    if dim is None:
        raise InputError(f"model must be a DiagonalRNN or LinearRNN, got {type(model).__name__}")
    lags = 2 * (min(dim, 30) + 1) - 1  # the lags effective_dimension reads
    if effective is None:
        seen = np.asarray(model.impulse_response(lags))  # type: ignore[attr-defined]
        if not np.all(np.isfinite(seen)):
            return LearnedMeasure(None, 0.0, "diverged", tol,
                                  _undecided(dim, precision, seen))
    eff = effective if effective is not None else effective_dimension(
        model, tolerance=tol, precision=precision)
    r = eff.rank
    if eff.verdict == "undetermined" or eff.verdict == "ambiguous" and \
            eff.rank_range[0] < eff.rank_range[1] and eff.noise_floor >= float(np.abs(
                np.asarray(model.impulse_response(2))).max()):  # type: ignore[attr-defined]
        # the floor dwarfs the data (see effective_dimension): no measure is read at its scale
        return LearnedMeasure(None, 0.0, "undetermined",
                              max(tol, _response_rounding(model, lags)), eff)
    if r == 0:
        return LearnedMeasure(None, 0.0, "empty", max(tol, _response_rounding(model, lags)), eff)
    if max_rank is not None and r > max_rank:
        return LearnedMeasure(None, 0.0, "too_many_atoms",
                              max(tol, _response_rounding(model, lags)), eff)
    h = np.asarray(model.impulse_response(2 * r))  # type: ignore[attr-defined]
    if not np.all(np.isfinite(h)):
        return LearnedMeasure(None, 0.0, "diverged", tol, eff)
    if np.iscomplexobj(h) and np.all(np.abs(h.imag) <= 1e-14 * np.abs(h).max()):
        h = h.real
    scale = float(np.abs(h).max())
    # the data accuracy: the loss's, or the response's own rounding where that is larger
    tol = max(tol, _response_rounding(model, 2 * r))
    if not scale > 0:
        return LearnedMeasure(None, 0.0, "empty", tol, eff)
    data_digits = max(-math.log10(tol / scale), 1.0)
    rec = recover_measure(list(h), rank=r, data_digits=data_digits,
                          digits=digits, throw=False)
    measure = rec.measure.sorted() if rec.measure is not None else None
    return LearnedMeasure(measure, rec.digits, str(rec.status), tol, eff, rec)
