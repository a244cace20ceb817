r"""Minimal realisation of an impulse response (Ho-Kalman), at any precision.

For :math:`h_j = C A^j B` of an order-n system the Hankel matrix :math:`H = [h_{i+j}]` has rank
n (claim M7) and factors as observability times controllability. With the leading
:math:`n \times n` block :math:`H_n` invertible, :math:`A = H_n^{-1} H_n^{(1)}`, :math:`B = e_1`,
:math:`C = (h_0, \dots, h_{n-1})` is a realisation (the shift realisation: :math:`A e_i =
e_{i+1}`); in double precision the balanced SVD form :math:`A = \Sigma^{-1/2} U^\top H^{(1)} V
\Sigma^{-1/2}` is used instead. Its eigenvalues are the atoms that Prony finds (M3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np

from .._output import _standard
from .._validate import positive_int
from ..errors import IllConditionedError, InputError, RankError
from ..precision import Exact, Float64, Precision, as_precision
from ._arith import Arithmetic, SingularSystem, hankel
from ._data import parse_moments, require_exact
from .hankel import HankelRank, hankel_rank
from .recovery import Status

__all__ = ["Realization", "minimal_realization"]


@dataclass(frozen=True)
class Realization:
    """A minimal realisation (A, B, C) with the evidence for its order.

    Attributes
    ----------
    A, B, C
        ``Exact()``: lists of Fractions (A as a list of rows); ``MP``: mpmath matrices;
        ``Float64``: numpy arrays.
    order : int
    rank_evidence : HankelRank
    residual : float
        ``max_j |C A^j B - h_j|`` over the given lags, in double precision.
    precision : Precision
    status : Status
        ``'ok'`` when the order is decided: the Hankel rank is exact, clear or full at the
        lags' accuracy, or the order was given as ``rank=``; ``'rank_ambiguous'`` when the
        singular values near the noise floor leave the order anywhere in
        ``rank_evidence.rank_range`` (the realisation then has the smallest order in that
        range that reproduces the lags, and is not vouched minimal).
    message : str
        A sentence saying what the order rests on.
    """

    A: object
    B: object
    C: object
    order: int
    rank_evidence: HankelRank
    residual: float
    precision: Precision
    status: Status = Status.OK
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when ``status == 'ok'``."""
        return self.status == "ok"

    def as_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(A, B, C) as float numpy arrays (B and C as vectors)."""
        def arr(x):
            if isinstance(x, np.ndarray):
                return x.astype(float)
            try:
                return np.array([[float(v) for v in row] for row in x.tolist()], dtype=float)
            except AttributeError:
                return np.array(x, dtype=float)

        A = arr(self.A)
        B = arr(self.B).reshape(-1)
        C = arr(self.C).reshape(-1)
        return A.reshape(self.order, self.order), B, C

    def to_dict(self) -> dict:
        """JSON-ready dictionary: A as rows of text, B and C as lists of text (exact
        fractions or the digits of the working precision); a residual that is not finite
        as the string ``"inf"`` or ``"nan"`` (standard JSON as it is)."""
        def text(x):
            if hasattr(x, "tolist"):
                x = x.tolist()
            if isinstance(x, list):
                return [text(v) for v in x]
            return exact_text(x)

        from .._format import exact_text

        def flat(x):
            x = text(x)
            return [v for row in x for v in row] if x and isinstance(x[0], list) else x

        return _standard({"order": self.order, "status": str(self.status),
                          "message": self.message, "A": text(self.A), "B": flat(self.B),
                          "C": flat(self.C), "residual": self.residual,
                          "precision": repr(self.precision),
                          "rank_evidence": self.rank_evidence.to_dict()})

    @classmethod
    def from_dict(cls, data: dict) -> Realization:
        """The realisation of its :meth:`to_dict` (or of a ``"realization"`` output): the
        entries read from their text in the arithmetic of ``precision`` (Fractions,
        mpmath numbers of that many digits, or doubles)."""
        from .._schema import number_of, precision_from_text

        precision = precision_from_text(data["precision"])
        A, B, C = data["A"], data["B"], data["C"]
        if precision.exact:
            A = [[Fraction(v) for v in row] for row in A]
            B, C = [Fraction(v) for v in B], [Fraction(v) for v in C]
        elif precision.doubles:
            A = np.array([[float(v) for v in row] for row in A], dtype=float)
            B, C = np.array([float(v) for v in B]), np.array([float(v) for v in C])
        else:
            ctx = mpmath.MPContext()
            ctx.dps = precision.dps
            A = ctx.matrix([[ctx.mpf(v) for v in row] for row in A])
            B, C = ctx.matrix([ctx.mpf(v) for v in B]), ctx.matrix([ctx.mpf(v) for v in C])
        return cls(A, B, C, data["order"], HankelRank.from_dict(data["rank_evidence"]),
                   number_of(data["residual"]), precision, Status(data["status"]),
                   data["message"])


def minimal_realization(impulse_response: object, *, precision: Precision | None = None,
                        rank: int | None = None, data_digits: float | None = None,
                        data_error: object = None) -> Realization:
    r"""Minimal (A, B, C) with :math:`C A^j B = h_j` for the given lags.

    Parameters
    ----------
    impulse_response : sequence of numbers
        :math:`h_0, h_1, \dots` (at least ``2 * order`` of them).
    precision : Exact, MP or Float64, optional
        Default ``Exact()`` for exact input, ``Float64()`` otherwise.
    rank : int, optional
        The order; by default the Hankel rank with its evidence, as :func:`hankel_rank`
        decides it for these lags at their accuracy.
    data_digits : float, optional
        Normwise accuracy of the lags in decimal digits, for the rank decision.
    data_error : float or sequence of floats, optional
        Absolute accuracy of each lag (one number, or one per lag).

    Returns
    -------
    Realization
        ``status`` ``'ok'`` when the order is decided (or given as ``rank=``);
        ``'rank_ambiguous'`` when the Hankel evidence leaves it in a range, and the
        realisation has the smallest order in the range that reproduces the lags. Lags
        computed in doubles usually carry less than the half ulp their type implies: state
        their accuracy with ``data_digits=`` or ``data_error=``.

    Raises
    ------
    InputError
        Complex lags, ``Ball`` precision, lags indistinguishable from zero (every lag, also
        those outside the Hankel block), too few lags for the order, a ``rank`` above the
        proved Hankel rank, or (exactly) a singular leading ``rank x rank`` Hankel block.
    PrecisionMismatchError
        ``Exact()`` with inexact lags.
    RankError
        No system of the order reproduces the lags within their accuracy; for exact lags,
        also when the smallest order that reproduces them exactly (their linear complexity,
        by Berlekamp-Massey over Q) is ``L`` with ``2 L`` more than the lags given, so that
        the lags do not identify it (the message names ``L``), or ``rank < L``.
    IllConditionedError
        ``MP``: the leading Hankel block is numerically singular at the working precision,
        or (exact lags) the realisation built at it misses lags that a system of its order
        reproduces exactly.

    Examples
    --------
    >>> r = minimal_realization([2, 1, 1, 1, 1, 1])      # h = delta_0-shifted constant
    >>> r.order, r.A
    (2, [[Fraction(0, 1), Fraction(0, 1)], [Fraction(1, 1), Fraction(1, 1)]])
    """
    data = parse_moments(impulse_response, data_digits=data_digits, data_error=data_error,
                         name="impulse_response")
    if not data.is_real:
        raise InputError("minimal_realization supports real impulse responses")
    prec = as_precision(precision, default=Exact() if data.is_exact else Float64())
    ar = prec.arithmetic()
    form = _FORMS.get(ar.realization_form)
    if form is None:
        raise InputError("minimal_realization supports Exact, MP and Float64")
    if prec.exact:
        require_exact(data)
    # the largest square Hankel matrix whose shifted partner also fits in the data, its rank
    # decided as hankel_rank decides it at the lags' accuracy: over Q for exact lags, at the
    # asked precision for MP, and by default otherwise (for doubles a double SVD whose floor
    # covers their rounding, re-examined at a higher precision only when ambiguous)
    rank_prec = Exact() if data.is_exact else (prec if prec.mpmath else None)
    evidence = hankel_rank(data, precision=rank_prec, size=max(1, data.count // 2))
    if data.is_exact:
        _check_exact_order(data, None if rank is None else positive_int(rank, "rank"))
    elif rank is None and evidence.verdict in ("exact", "clear"):
        _check_block_reaches(data, evidence)
    if rank is None and evidence.rank == 0 and data.is_exact:
        raise InputError(
            "every lag is exactly zero: these are the lags of the zero system, whose minimal "
            "realisation has order 0 (no state); there is nothing to realise"
        )
    if rank is None and evidence.rank == 0:
        raise InputError(
            f"the lags are indistinguishable from zero at their accuracy ({evidence.message}): "
            "no system of order 1 or more is identified; supply more accurate lags or rank="
        )
    if rank is not None:
        orders = [positive_int(rank, "rank")]
    elif evidence.verdict == "ambiguous":
        # every order in the range is consistent with the evidence: the smallest one that
        # reproduces the lags is built, and the status says that the order is not decided
        low, high = evidence.rank_range
        orders = list(range(max(low, 1), max(min(high, data.count // 2), low, 1) + 1))
    else:
        orders = [evidence.rank]
    if 2 * orders[0] > data.count:
        raise InputError(f"order {orders[0]} needs {2 * orders[0]} lags, got {data.count}")
    if rank is not None and evidence.verdict in ("exact", "clear") and rank > evidence.rank:
        raise InputError(f"rank={rank} exceeds the Hankel rank {evidence.rank} of the lags")
    tolerance = form.tolerance(prec)
    for n in orders:
        try:
            with ar.working():
                A, B, C = form.build(ar, ar.values(data), n)
            real = Realization(A, B, C, n, evidence, 0.0, prec)
            resid = _residual(real, data)
            allowed = _require_reproduced(real, data, resid, rank, tolerance)
        except (RankError, IllConditionedError):
            if n == orders[-1]:
                raise
            continue
        break
    if rank is not None:
        status, message = Status.OK, (f"order {n} as given by rank= (the Hankel evidence: "
                                      f"{evidence.message})")
    elif evidence.verdict == "ambiguous":
        status = Status.RANK_AMBIGUOUS
        message = (f"the order is not decided at the lags' accuracy: {evidence.message}; this "
                   f"realisation has order {n}, the smallest in that range that reproduces the "
                   f"lags within {allowed:.3g} (residual {resid:.3g}), and is not vouched "
                   "minimal: pass rank= to choose the order, or data_digits=/data_error= to "
                   "state the lags' accuracy")
    else:
        status, message = Status.OK, f"order {n}: {evidence.message}"
    if data.rounded_decimals and data.is_exact:
        message += (
            f"; {data.rounded_decimals} lag(s) are decimals with 15 or more significant "
            "digits, as printed doubles are: they were read as exact, so the order is right "
            "only if the decimals are exact; if they are rounded doubles pass data_digits=15 "
            "(--data-digits 15)"
        )
    return Realization(A, B, C, n, evidence, resid, prec, status, message)


def _linear_complexity(h: Sequence[Fraction]) -> int:
    """The smallest L such that some recurrence ``h_j = sum_{i=1..L} c_i h_{j-i}`` holds for
    every ``L <= j < len(h)`` (Berlekamp-Massey over Q, exact): the minimal order of a
    system ``C A^j B`` that reproduces the lags."""
    conn, prev = [Fraction(1)], [Fraction(1)]
    length, shift, last = 0, 1, Fraction(1)
    for n in range(len(h)):
        d = h[n] + sum(conn[i] * h[n - i] for i in range(1, length + 1))
        if d == 0:
            shift += 1
            continue
        coef = d / last
        new = conn + [Fraction(0)] * max(0, len(prev) + shift - len(conn))
        for i, v in enumerate(prev):
            new[i + shift] -= coef * v
        if 2 * length <= n:
            prev, length, last, shift = conn, n + 1 - length, d, 1
        else:
            shift += 1
        conn = new
    return length


def _check_exact_order(data, rank: int | None) -> None:
    """Exact lags: refuse, with the truth, an order that cannot reproduce them or that the
    lags do not identify (the minimal order ``L`` needs ``2 L`` lags to be unique)."""
    h = [Fraction(int(v.p), int(v.q)) for v in data.real]
    low = _linear_complexity(h)
    count, most = data.count, data.count // 2
    if low == 0:
        return  # every lag is exactly 0: said below
    supply = f"an order-{low} system needs {2 * low} lags to be identified: supply more lags"
    if rank is None and 2 * low > count:
        raise RankError(
            f"no realisation of order <= {most} reproduces these {count} lags (checked exactly: "
            f"the smallest order that does is {low}, by Berlekamp-Massey over Q); {supply}")
    if rank is not None and rank < low:
        fix = f"pass rank={low} or leave rank unset" if 2 * low <= count else supply
        raise RankError(
            f"no system of order {rank} reproduces these {count} lags (checked exactly: the "
            f"smallest order that does is {low}, by Berlekamp-Massey over Q); {fix}")


def _check_block_reaches(data, evidence: HankelRank) -> None:
    """Inexact lags whose Hankel block is zero at their accuracy while a later lag, outside
    the block, is not zero at its own: the order is not identified (never "indistinguishable
    from zero")."""
    if evidence.rank == 0:
        h = [Fraction(int(v.p), int(v.q)) for v in data.real]
        used = 2 * max(1, data.count // 2) - 2
        loud = [j for j in range(used + 1, data.count) if abs(h[j]) > Fraction(data.radius[j])]
        if loud:
            raise RankError(
                f"the Hankel block of h_0..h_{used} is zero at the lags' accuracy "
                f"({evidence.message}), yet h_{loud[0]} = {float(h[loud[0]]):.6g} is not: the "
                f"order is not identified by these {data.count} lags; supply more lags")


def _shift_realization(ar: Arithmetic, h: Sequence, n: int) -> tuple:
    r""":math:`A = H_n^{-1} H_n^{(1)}`, :math:`B = e_1`, :math:`C = (h_0, \dots, h_{n-1})`."""
    H0, H1 = hankel(ar, h, n, n), hankel(ar, h, n, n, shift=1)
    why = "singular" if ar.exact else f"numerically singular in {ar.name}"
    try:
        A = ar.solve(H0, H1)
    except SingularSystem:
        error = InputError if ar.exact else IllConditionedError
        fix = "" if ar.exact else ", or raise the precision"
        raise error(f"the leading {n}x{n} Hankel block is {why}; pass a smaller rank"
                    f"{fix}") from None
    B = ar.column([ar.one] + [ar.zero] * (n - 1))
    C = ar.matrix([list(h[:n])])
    return ar.export_matrix(A), ar.export_vector(B), ar.export_vector(C)


def _balanced_realization(ar: Arithmetic, h: Sequence, n: int) -> tuple:
    r"""Ho-Kalman's balanced form from the SVD :math:`H = U \Sigma V^\top`, truncated to n:
    :math:`A = \Sigma^{-1/2} U^\top H^{(1)} V \Sigma^{-1/2}` (numpy arrays)."""
    size = len(h) // 2  # H0 and its shift H1 both fit in the lags (2 * size <= count)
    H0 = hankel(ar, h, size, size)
    H1 = hankel(ar, h, size, size, shift=1)
    U, s, Vt = np.linalg.svd(H0, full_matrices=False)
    U, s, Vt = U[:, :n], s[:n], Vt[:n]
    root = np.sqrt(s)
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero singular value: the
        A = (U.T @ H1 @ Vt.T) / np.outer(root, root)    # reproduction check refuses it
    Obs = U * root
    Ctrl = (Vt.T * root).T
    return A, Ctrl[:, 0], Obs[0]


@dataclass(frozen=True)
class _Form:
    """How a realisation is built in an arithmetic, and how closely it must reproduce the
    lags (relative to the largest lag)."""

    build: Callable[[Arithmetic, Sequence, int], tuple]
    tolerance: Callable[[Precision], float]


_FORMS = {
    # exact: a zero residual; mpmath: half the working digits
    "shift": _Form(_shift_realization,
                   lambda p: 0.0 if p.exact else max(10.0 ** (-p.dps / 2), 1e-12)),
    "balanced": _Form(_balanced_realization, lambda p: 1e-6),
}


def _residual(real: Realization, data) -> float:
    """``max_j |C A^j B - h_j|`` in double precision (exactly for Exact realisations, at their
    own precision for MP ones)."""
    if real.precision.exact:
        A, B, C = real.A, list(real.B), list(real.C)
        x, worst = B, Fraction(0)
        for j in range(data.count):
            h = Fraction(int(data.real[j].p), int(data.real[j].q))
            worst = max(worst, abs(sum(c * v for c, v in zip(C, x)) - h))
            x = [sum(a * v for a, v in zip(row, x)) for row in A]
        if not worst:
            return 0.0
        try:
            return float(worst)
        except OverflowError:
            return float("inf")
    if isinstance(real.A, mpmath.matrices.matrices._matrix):
        # an mpmath realisation at its own precision (20 bits more): rounded to doubles, the
        # matrix of an ill-conditioned block (cond 1e21) would miss the lags by the rounding
        # of A, whatever the precision it was built at
        ctx = mpmath.MPContext()
        ctx.prec = real.A.ctx.prec + 20
        n = real.order
        A = [[ctx.mpmathify(real.A[i, j]) for j in range(n)] for i in range(n)]
        x = [ctx.mpmathify(real.B[i]) for i in range(n)]
        C = [ctx.mpmathify(real.C[i]) for i in range(n)]
        worst = ctx.zero
        for j in range(data.count):
            h = ctx.mpf(int(data.real[j].p)) / int(data.real[j].q)
            worst = max(worst, abs(ctx.fsum(c * v for c, v in zip(C, x)) - h))
            x = [ctx.fsum(a * v for a, v in zip(row, x)) for row in A]
        resid = float(worst) if ctx.isfinite(worst) else float("inf")
        return resid
    A_f, B_f, C_f = real.as_arrays()
    x, resid = B_f.copy(), 0.0
    hf = data.as_numpy()
    with np.errstate(all="ignore"):
        for j in range(data.count):
            resid = max(resid, abs(float(C_f @ x) - float(hf[j])))
            x = A_f @ x
    return resid if np.isfinite(resid) else float("inf")


def _require_reproduced(real: Realization, data, resid: float, rank, relative: float) -> float:
    """Refuse a realisation that does not reproduce the lags it was built from; return the
    mismatch allowed."""
    scale = max(data.max_abs(), 1e-300)
    tol = max(relative * scale if relative else 0.0, 10 * max(data.radius))
    if resid <= tol:
        return tol
    if data.is_exact and not real.precision.exact:
        low = _linear_complexity([Fraction(int(v.p), int(v.q)) for v in data.real])
        if low <= real.order and 2 * low <= data.count:
            # a system of this order reproduces the exact lags (proved over Q): the miss is
            # the working precision's, never the lags'
            raise IllConditionedError(
                f"a system of order {real.order} reproduces these {data.count} lags exactly "
                f"(the smallest order that does is {low}, by Berlekamp-Massey over Q), but the "
                f"one built at {real.precision!r} misses them by {resid:.3g} (allowed "
                f"{tol:.3g}): their Hankel block is too ill-conditioned for that precision; "
                "raise the precision (--dps, precision=MP(dps)) or realise the exact lags "
                "exactly (no precision option, precision=Exact())")
    if data.is_exact and rank is None:
        how = "supply more lags (their order is not identified by these lags)"
    elif (rank is None and real.rank_evidence.verdict in ("exact", "clear")
            and real.order >= real.rank_evidence.rank):
        how = (f"the Hankel rank {real.rank_evidence.rank} at the lags' accuracy does not "
               "reproduce them, so their order is not identified by these lags: supply more "
               "lags or more accurate ones")
    elif 2 * (real.order + 1) <= data.count:
        how = (f"the lags need a larger order: pass rank={real.order + 1} or larger (at most "
               f"{data.count // 2} with {data.count} lags)")
    else:
        how = f"supply more lags (order {real.order + 1} needs {2 * real.order + 2})"
    raise RankError(
        f"no system of order {real.order} reproduces these {data.count} lags: the best one "
        f"misses them by {resid:.3g} (allowed {tol:.3g}); {how}"
    )
