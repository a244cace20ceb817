r"""Worst-case extrapolation under approximate moment matching: a semidefinite program.

Over all non-negative measures on a compact :math:`[a, b]` whose moments satisfy
:math:`|m_j(\mu) - m_j| \le \varepsilon_j` for :math:`j \le N`, the range of :math:`m_q` is the
optimum of two SDPs. They are written in the Chebyshev basis of the support mapped to
:math:`[-1, 1]`: the unknowns are :math:`\tau_k = \int T_k\,d\mu`, the moment matrix is
:math:`[(\tau_{i+j} + \tau_{|i-j|})/2]` and the localising matrices use
:math:`x T_m = (T_{m+1} + T_{|m-1|})/2`; this keeps the problem well conditioned where the
monomial basis makes the solver report "optimal" for answers wrong by 100 % at degree 25.
The answer is then checked, not trusted: the optimal moment vectors are tested for positive
semidefiniteness and for the moment constraints.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .._format import exact_text, lower_text, upper_text
from .._limits import (
    MAX_MOMENT_INDEX,
    MAX_SDP_ORDER,
    MAX_STABILITY_ORDER,
    MAX_STABILITY_WORK,
    SDP_INPUT_RANGE,
)
from .._output import _standard
from .._output import rounded_float as _round
from .._validate import _kind, nonnegative_int
from .._validate import shown as shown_value
from ..errors import InputError, MissingDependencyError, SolverError
from ..precision import flint_precision
from ._certificate import EndCertificate, certify_end, certify_infeasible, checked_measure
from ._certificate import _exact as arb_exact
from ._data import parse_moments, to_fraction
from ._numbers import read_number
from .measure import DiscreteMeasure
from .truncated import INF, determinate_moment, moment_feasible, next_moment_range, parse_support

__all__ = ["ExtrapolationRange", "extrapolation_range", "stability_bound"]

# Attempts in order for solver="auto". The box rows are scaled to unit 1-norm in the Chebyshev
# basis; with these tolerances the duals certify the ends to about 1e-10 (measured at degree
# 61); tighter ones end "optimal_inaccurate". The second attempt is the solver's default.
ATTEMPTS = (
    ("CLARABEL", {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10,
                  "max_iter": 400}),
    ("CLARABEL", {}),
    # SCS's effort is bounded by time too (per end): a first-order method that has not
    # converged in seconds rarely does in minutes here, and its ends are certified anyway
    ("SCS", {"eps_abs": 1e-10, "eps_rel": 1e-10, "max_iters": 200_000, "time_limit_secs": 3}),
)
#: the statuses of :class:`ExtrapolationRange` (the JSON Schema's enum is made from them)
RANGE_STATUSES = ("ok", "loose", "unbounded")
OK_RELATIVE = 1e-4  # status 'ok': each end enclosed to this fraction of the width, proved


MAX_ORDER = MAX_SDP_ORDER  # the table: momentrnn._limits


@dataclass(frozen=True)
class ExtrapolationRange:
    """Worst-case interval of ``m_order`` under approximate moment matching, with proof.

    Attributes
    ----------
    lower, upper : float
        The ends (the solver's optimum, moved into the proved enclosure when it falls outside).
    order : int
    tolerance : tuple of float
        The per-moment tolerances, as the nearest doubles (for display); the certificates
        use their exact values.
    accuracy : float
        Proved bound on the error of ``lower`` and ``upper``: the largest gap between a
        certified outer end and the :math:`m_q` of a measure checked to be feasible
        (``inf`` when no checked measure was found at an end).
    status : str
        ``'ok'`` when both ends are proved to within ``OK_RELATIVE`` of the width;
        ``'loose'`` when the outer ends are proved but the enclosure is wider (or a checked
        measure is missing, or, at tolerance 0, every SDP attempt failed and only the trivial
        bounds are proved); ``'unbounded'`` when an end is infinite without solving.
    solver : str
        What produced the answer: ``'exact'``, ``'trivial'`` (the bounds from the mass alone,
        at tolerance 0 when every attempt failed), or the solver of the successful attempt.
    message : str
    certified_lower, certified_upper : Fraction or None
        Proved outer ends: every feasible measure has ``certified_lower <= m_q <=
        certified_upper`` (dual certificates checked over Q and with ball arithmetic), never
        outside the trivial bounds on ``[a, b]``: ``|m_q| <= (m_0 + eps_0) max(|a|, |b|)^q``,
        and ``m_q >= 0`` for even ``q`` or ``a >= 0``.
    inner_lower, inner_upper : Fraction or None
        :math:`m_q` of the checked measures: the true ends lie in
        ``[certified_lower, inner_lower]`` and ``[inner_upper, certified_upper]``.
    lower_measure, upper_measure : DiscreteMeasure or None
        The checked measures (rational atoms in the support, non-negative rational weights,
        moments inside the box, all verified over Q).
    lower_certificate, upper_certificate : EndCertificate or None
        The multipliers ``lambda`` and the proved shift ``delta`` behind the outer ends.
    attempts : tuple of str
        Every solver attempt and its outcome, in order.
    """

    lower: float
    upper: float
    order: int
    tolerance: tuple
    accuracy: float
    status: str
    solver: str
    message: str
    certified_lower: Fraction | None = None
    certified_upper: Fraction | None = None
    inner_lower: Fraction | None = None
    inner_upper: Fraction | None = None
    lower_measure: DiscreteMeasure | None = None
    upper_measure: DiscreteMeasure | None = None
    lower_certificate: EndCertificate | None = None
    upper_certificate: EndCertificate | None = None
    attempts: tuple = ()

    @property
    def width(self) -> float:
        """``upper - lower``."""
        return self.upper - self.lower

    @property
    def gap(self) -> tuple:
        """Proved enclosure widths ``(lower end, upper end)`` (``inf`` where not enclosed)."""
        lo = (float(self.inner_lower - self.certified_lower)
              if self.inner_lower is not None and self.certified_lower is not None
              else math.inf)
        hi = (float(self.certified_upper - self.inner_upper)
              if self.inner_upper is not None and self.certified_upper is not None
              else math.inf)
        return lo, hi

    def to_dict(self) -> dict:
        """JSON-ready dictionary (exact ends as fraction strings, plus their floats).

        Each end is ``{"exact": "p/q", "float": x}``. The ``"float"`` of a proved outer end
        is the double rounded outward (down for ``certified_lower``, up for
        ``certified_upper``) and of an inner end inward, so the double a JSON reader gets
        back is on the right side of the end; its shortest decimal text need not be, so
        write the double itself, or the exact value from ``"exact"``, when the side matters.
        A number that is not finite (a ``gap`` where an end has no checked measure) is the
        string ``"inf"``, ``"-inf"`` or ``"nan"``: the dictionary is standard JSON as it is.
        """
        def frac(v, direction=0):  # outer ends are rounded outwards, inner ends inwards
            return None if v is None else {"exact": exact_text(v),
                                           "float": _round(v, direction)}

        def meas(mu):
            if mu is None:
                return None
            return {"atoms": [exact_text(x) for x in mu.atoms],
                    "weights": [exact_text(w) for w in mu.weights]}

        return _standard({
            "order": self.order, "lower": self.lower, "upper": self.upper,
            "tolerance": list(self.tolerance), "accuracy": self.accuracy,
            "status": self.status, "solver": self.solver, "message": self.message,
            "certified_lower": frac(self.certified_lower, -1),
            "certified_upper": frac(self.certified_upper, 1),
            "inner_lower": frac(self.inner_lower, 1), "inner_upper": frac(self.inner_upper, -1),
            "gap": list(self.gap),
            "lower_measure": meas(self.lower_measure), "upper_measure": meas(self.upper_measure),
            "attempts": list(self.attempts),
        })


    @classmethod
    def from_dict(cls, data: dict) -> ExtrapolationRange:
        """The range of its :meth:`to_dict`: proved and inner ends exact (from their
        ``"exact"`` text, or their outward-rounded double where it is absent), the checked
        measures exact; the certificates' multipliers are not in the JSON (None)."""
        from .._schema import number_of, read_exact

        def frac(v):
            return None if v is None else read_exact(v)

        def meas(m):
            if m is None:
                return None
            return DiscreteMeasure([Fraction(a) for a in m["atoms"]],
                                   [Fraction(w) for w in m["weights"]])

        return cls(number_of(data["lower"]), number_of(data["upper"]), data["order"],
                   tuple(number_of(t) for t in data["tolerance"]), number_of(data["accuracy"]),
                   data["status"], data["solver"], data["message"],
                   frac(data["certified_lower"]), frac(data["certified_upper"]),
                   frac(data["inner_lower"]), frac(data["inner_upper"]),
                   meas(data["lower_measure"]), meas(data["upper_measure"]),
                   attempts=tuple(data["attempts"]))


def _cvxpy():
    try:
        import cvxpy as cp
    except ImportError:
        raise MissingDependencyError(
            "extrapolation_range with a positive tolerance (or an order beyond the next moment) "
            "needs cvxpy with the Clarabel solver; install it with pip install 'momentrnn[sdp]'"
        ) from None
    return cp


@functools.lru_cache(maxsize=16)
def _monomial_in_chebyshev(count: int, a: Fraction, b: Fraction) -> list[list[Fraction]]:
    r"""Rows c_j with :math:`y^j = \sum_k c_{jk} T_k(x)`, :math:`y = ((b-a)x + a + b)/2`.

    Cached: the result is shared and must not be modified."""
    half, mid = (b - a) / 2, (a + b) / 2
    rows = []
    cur = [Fraction(1)]  # y^0 = T_0, in the T basis
    for _ in range(count):
        rows.append(cur + [Fraction(0)] * (count - len(cur)))
        # y * T_k = half * x T_k + mid T_k;  x T_0 = T_1, x T_k = (T_{k+1} + T_{k-1}) / 2
        nxt = [Fraction(0)] * (len(cur) + 1)
        for k, c in enumerate(cur):
            nxt[k] += mid * c
            if k == 0:
                nxt[1] += half * c
            else:
                nxt[k + 1] += half * c / 2
                nxt[k - 1] += half * c / 2
        cur = nxt
    return rows


#: the refusal of a range on an unbounded support that needs the semidefinite program
UNBOUNDED_NEEDS_SDP = ("on an unbounded support only the infinite end is known without an "
                       "SDP; use next_moment_range (exact, tolerance 0) or a compact support")


def extrapolation_range(moments: object, *, tolerance: object, support: tuple = (-1, 1),
                        order: int | None = None, solver: str = "auto"
                        ) -> ExtrapolationRange:
    r"""Worst-case range of :math:`m_q` over non-negative measures matching within tolerance.

    Parameters
    ----------
    moments : sequence of numbers
        :math:`m_0..m_N` (used at their exact value; floats at their binary value; a
        python-flint ball anywhere in it: its radius is added to that moment's tolerance).
    tolerance : number or sequence of numbers
        :math:`\varepsilon` (same for every moment) or one per moment; 0 gives the exact range
        (compare :func:`next_moment_range`). Read exactly, as every number of the package:
        a float at its binary value, ``Fraction``, int, decimal text such as ``'0.3'``, an
        mpmath number at its own precision's value, a python-flint ball at its upper end.
    support : tuple
        A compact interval ``(a, b)``. On an unbounded support the range is unbounded above
        (and below for odd ``q`` on the line); it is returned without calling the solver,
        except at tolerance 0 for moments that determine the measure (decided exactly first,
        on every support): then ``m_q`` is that measure's, a point.
    order : int, optional
        q, default N + 1.
    solver : str
        ``'auto'`` (default): the exact Schur-complement answer when the tolerance is 0 and
        ``q = N + 1``, the exact point when the tolerance is 0 and the moments determine the
        measure (any ``q``), otherwise Clarabel at tight tolerances, then at its defaults, then SCS.
        A cvxpy solver name (``'CLARABEL'``, ``'SCS'``) forces the SDP with that solver.

    Returns
    -------
    ExtrapolationRange
        The ends, proved outer ends (dual certificates verified over Q), the :math:`m_q` of
        measures checked to be feasible (inner ends) and the gap between them.

    Raises
    ------
    SolverError
        When every attempt fails; the message lists what was tried.
    InputError
        Bad input, or moments that no non-negative measure meets within the tolerance, said
        only when proved (exactly at tolerance 0; otherwise by a Farkas certificate: a
        polynomial proved non-negative on the support whose integral the box forces below 0).

    Notes
    -----
    The SDP (:eq:`eq-extrapolation-sdp`) is written in the Chebyshev basis of the support mapped
    to :math:`[-1, 1]`. The unknowns are the deviations of the Chebyshev moments from those of
    the data (exactly converted) and the Chebyshev moments beyond :math:`N`; each box row
    :math:`|m_j(\mu) - m_j| \le \varepsilon_j` is divided by the 1-norm of the row of
    :math:`y^j` in that basis, so every row has unit size. (The monomial box mapped through the
    inverse change of basis has entries near :math:`2^N`: Clarabel fails from degree 17.)

    Examples
    --------
    >>> r = extrapolation_range([1, 0], tolerance=0.0)         # exact: m_2 in [0, 1]
    >>> r.lower, r.upper, r.status, r.solver
    (0.0, 1.0, 'ok', 'exact')
    """
    data = parse_moments(moments)
    if not data.is_real:
        raise InputError("extrapolation_range needs real moments")
    a, b = parse_support(support)
    N = data.count - 1
    q = N + 1 if order is None else order
    if isinstance(q, np.integer):  # a numpy integer as the int it holds (a numpy bool is not)
        q = int(q)
    if isinstance(q, bool) or not isinstance(q, int) or q <= N:
        raise InputError(f"order={shown_value(order)} must be an integer > {N} (the last given "
                         f"index){_kind(q)}")
    if q > MAX_MOMENT_INDEX:  # before any work: even an exact m_q is q recurrence steps
        raise InputError(f"order={shown_value(q)} is more than {MAX_MOMENT_INDEX}, the highest "
                         "moment index bounded (an exact m_q is a recurrence run q steps); ask "
                         "for a lower order")
    # a moment given as a ball lies somewhere in it: a measure within eps_j of the true m_j is
    # within eps_j + radius_j of the ball's midpoint, so the ranges below hold for every value
    # of the ball (other kinds are used at their exact value, as documented)
    eps_exact = tuple(e + r for e, r in zip(_tolerances(tolerance, data.count),
                                            _ball_radii(moments, data.count)))
    eps = tuple(_round(e, 0) for e in eps_exact)  # shown; the proofs use eps_exact
    if not isinstance(solver, str):
        raise InputError(f"solver={solver!r} must be 'auto' or a cvxpy solver name")
    if data.all_zero and not any(eps_exact):
        # the zero measure is the only non-negative measure with m_0 = 0: every moment is 0
        zero = Fraction(0)
        return ExtrapolationRange(0.0, 0.0, q, eps, 0.0, "ok", "exact",
                                  "m_0 = 0: the only non-negative measure is the zero measure",
                                  certified_lower=zero, certified_upper=zero,
                                  inner_lower=zero, inner_upper=zero,
                                  attempts=("exact: zero measure",))
    if solver.lower() == "auto" and not any(eps_exact) and q == N + 1 \
            and not (a == -INF or b == INF):
        return _exact_range(data, a, b, q, eps)
    if not any(eps_exact):
        # decided exactly before any unbounded-support logic: determinate data give a point
        # for every support and order
        feasible = moment_feasible(data, support=(a, b))
        if not feasible.feasible:  # decided exactly, over Q
            raise InputError(f"at tolerance 0: {feasible.message} (decided exactly)")
        if feasible.determinate and solver.lower() == "auto":
            # one measure has these moments: every later moment is a point, exactly
            value = determinate_moment(feasible, list(data.real), q)
            shown = _round(value, 0)
            return ExtrapolationRange(
                shown, shown, q, eps, _rounding_error((shown, value)), "ok", "exact",
                "the moments determine the measure: m_q exactly, from the recurrence of its "
                "atoms", certified_lower=value, certified_upper=value, inner_lower=value,
                inner_upper=value, lower_measure=feasible.measure,
                upper_measure=feasible.measure, attempts=("exact: determinate",))
    if a == -INF or b == INF:
        # on the whole line an odd moment is unbounded both ways; on a half-line one end of
        # every moment is finite (x^q keeps a sign there) and needs the SDP
        lower = -INF if (q % 2 == 1 and a == -INF and b == INF) else None
        if lower is None:
            raise InputError(UNBOUNDED_NEEDS_SDP)
        return ExtrapolationRange(-INF, INF, q, eps, 0.0, "unbounded", "none",
                                  "an odd moment is unbounded both ways on the whole line")
    if q > MAX_ORDER:
        raise InputError(
            f"order={q} is beyond {MAX_ORDER}, the highest order of the semidefinite "
            "program (it grows with the order squared and its certificates with its cube; "
            f"order {MAX_ORDER} takes seconds): ask for a lower order"
        )
    big = Fraction(SDP_INPUT_RANGE)  # the table: momentrnn._limits
    if any(abs(to_fraction(v)) > big for v in data.real) or any(
            isinstance(e, Fraction) and abs(e) > big for e in (a, b)) or max(eps_exact) > big:
        raise InputError(
            "moments, support ends or tolerances beyond 1e300 cannot enter the floating-point "
            "SDP: rescale x (support and moments) or the measure (moments and tolerance) first"
        )
    cp = _cvxpy()
    attempts = ATTEMPTS if solver.lower() == "auto" else (
        (solver.upper(), dict(ATTEMPTS[0][1]) if solver.upper() == "CLARABEL" else
         dict(ATTEMPTS[2][1]) if solver.upper() == "SCS" else {}),
        (solver.upper(), {}),
    )
    with warnings.catch_warnings():
        # cvxpy's hints about expression size are about its own compile speed, not the answer
        warnings.filterwarnings("ignore", message=".*subexpressions.*")
        warnings.filterwarnings("ignore", message=".*Solution may be inaccurate.*")
        return _solve_sdp(cp, data, a, b, N, q, eps_exact, attempts)


def _exact_range(data, a, b, q: int, eps: tuple) -> ExtrapolationRange:
    r = next_moment_range(data, support=(a, b))
    lo, hi = to_fraction_any(r.lower), to_fraction_any(r.upper)
    if lo is None or hi is None:  # pragma: no cover - next_moment_range's ends are rationals
        raise SolverError(f"internal: the exact range [{r.lower}, {r.upper}] is not rational")
    lo_f, hi_f = _round(lo, 0), _round(hi, 0)
    return ExtrapolationRange(
        lo_f, hi_f, q, eps, _rounding_error((lo_f, lo), (hi_f, hi)), "ok", "exact",
        ("the moments determine the measure: m_q exactly, from the recurrence of its atoms"
         if r.collapsed else
         "exact range (Schur complements over Q, canonical measures at the ends)"),
        certified_lower=lo, certified_upper=hi, inner_lower=lo, inner_upper=hi,
        lower_measure=r.lower_measure, upper_measure=r.upper_measure,
        attempts=("exact: Schur complements over Q",))


def _rounding_error(*pairs) -> float:
    """The largest ``|shown - exact|`` over ``(double, Fraction)`` pairs, rounded up (``inf``
    when a double is infinite): a proved bound on the error of the doubles shown."""
    if any(math.isinf(f) for f, _ in pairs):
        return math.inf
    return _round(max(abs(Fraction(f) - v) for f, v in pairs), 1)


def to_fraction_any(value) -> Fraction | None:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return None


def _check_double_range(C_exact, nu, a, b, q: int) -> None:
    """Refuse a support on which the SDP's doubles would overflow or underflow.

    On ``[a, b]`` the Chebyshev coefficients of ``x^k`` scale as ``((b - a)/2)^k`` and the
    Chebyshev moments of the data as their inverse: on a very narrow support (``b - a`` of
    1e-200 at order 5) they leave the range of a double, and the SDP would be built from
    zeros and infinities."""
    tiny, huge = Fraction(1, SDP_INPUT_RANGE), Fraction(SDP_INPUT_RANGE)
    if any(abs(v) > huge for v in nu) or any(
            c != 0 and not tiny <= abs(c) <= huge for row in C_exact for c in row):
        raise InputError(
            f"support=[{lower_text(a, 3)}, {upper_text(b, 3)}] (width {upper_text(b - a, 3)}) "
            "is too narrow (or too far from 0 for its width) for the floating-point SDP at "
            f"order {q}: on it the Chebyshev coefficients scale as ((b - a)/2)^k and leave "
            "the range of a double (1e-300 to 1e300); rescale x (map the support to about "
            "[-1, 1], and the moments with it) first"
        )


def _solve_sdp(cp, data, a, b, N: int, q: int, eps_exact: tuple, attempts
               ) -> ExtrapolationRange:
    C_exact = _monomial_in_chebyshev(q + 1, a, b)
    m_exact = [to_fraction(v) for v in data.real]
    eps_exact = list(eps_exact)  # every certificate is checked against the exact tolerances
    eps = tuple(_round(e, 0) for e in eps_exact)  # the solver's and the messages' doubles
    # Chebyshev moments of the data, exactly: tau_k = nu_k + delta_k (k <= N)
    nu = _solve_lower(C_exact, m_exact)
    _check_double_range(C_exact, nu, a, b, q)
    K = sum(C_exact[q][k] * nu[k] for k in range(N + 1))  # m_q at delta = 0, tau_high = 0
    Cf = np.array([[float(c) for c in row] for row in C_exact])
    norms = np.abs(Cf).sum(axis=1)
    rows = Cf[: N + 1, : N + 1] / norms[: N + 1, None]
    cq = Cf[q] / norms[q]
    pos = [j for j in range(N + 1) if eps_exact[j] > 0]
    zero = [j for j in range(N + 1) if eps_exact[j] == 0]
    # with a positive tolerance the objective is O(1) in these units; at tolerance 0 the range
    # of m_{N+1} is of the size of the leading coefficient 2^(1-q) and the objective is scaled
    # by it; for q > N + 1 it is O(1) again (scaling by 2^(1-q) made Clarabel fail at q = 40)
    scale = 1.0 if pos or q > N + 1 else abs(cq[q])
    tried = []
    farkas = None
    eps_scaled = np.array(eps) / norms[: N + 1]

    def refute() -> str:
        # the solver's word "infeasible" is not a proof: look for a Farkas certificate and
        # raise InputError only when it is verified over Q
        cert, how = _farkas(cp, attempts, N, rows, nu, eps_scaled, norms, m_exact, eps_exact,
                            a, b)
        if cert is not None and cert.proved:
            error = InputError(
                f"no non-negative measure on [{a}, {b}] has moments within the tolerance "
                f"{max(eps):g} of m_0..m_{N}: proved by a polynomial P of degree "
                f"{len(cert.multipliers) - 1} with P >= -{float(cert.delta):.1e} on the "
                f"support (checked over Q) and sum_j lambda_j m_j + sum_j |lambda_j| eps_j + "
                f"delta (m_0 + eps_0) = {float(cert.margin):.3e} < 0 (a Farkas certificate); "
                "widen the tolerance or check the moments")
            error.certificate = cert  # the evidence, for a caller to re-check
            raise error
        return how

    for name, options in attempts:
        try:
            ends = _solve_once(cp, name, options, N, q, rows, cq, scale, nu, pos, zero,
                               eps_scaled)
        except _AttemptFailed as exc:
            tried.append(f"{name} {_describe(options)}: {exc}")
            if farkas is None:  # cheap next to the fallbacks, and it may settle the case
                farkas = refute()
            continue
        tried.append(f"{name} {_describe(options)}: solved")
        return _certified_result(ends, name, tuple(tried), m_exact, eps_exact, eps, q, a, b,
                                 K, norms, scale)
    if farkas is None:
        farkas = refute()
    if not any(eps_exact):
        # at tolerance 0 the data were proved feasible exactly before the SDP: the trivial
        # bounds hold and are returned, said to be only that
        lo_t, hi_t = _trivial_bounds(m_exact[0], eps_exact[0], q, a, b)
        lo_f, hi_f = _round(lo_t, -1), _round(hi_t, 1)
        return ExtrapolationRange(
            lo_f, hi_f, q, eps, math.inf, "loose", "trivial",
            f"every SDP attempt failed ({'; '.join(tried)}): only the trivial bounds "
            f"[{lower_text(lo_t, 17)}, {upper_text(hi_t, 17)}] of m_{q} on [{a}, {b}] are "
            "proved", certified_lower=lo_t, certified_upper=hi_t, attempts=tuple(tried))
    raise SolverError(
        f"every SDP attempt for the range of m_{q} failed (degree {q}, support [{a}, {b}], "
        f"tolerance {max(eps):g}): " + "; ".join(tried)
        + f"; a search for a certificate that no measure meets the tolerance: {farkas} "
        "(so neither feasibility nor infeasibility is proved). Try another solver "
        "(solver='SCS'), a larger tolerance, or fewer moments."
    )


def _farkas(cp, attempts, N, rows, nu, eps_scaled, norms, m, eps, a, b):
    """A verified Farkas certificate from the dual of the phase-one SDP, or why none was found.

    Phase one: the smallest ``s >= 0`` such that the box, widened by ``s`` in every (unit
    scaled) row, meets the moment cone of degree ``N``. Its box multipliers are the
    coefficients of a polynomial ``P >= 0`` on the support with a negative value against the
    box when the data are infeasible; both signs are tried, each checked over Q.
    """
    delta = cp.Variable(N + 1)
    s = cp.Variable(nonneg=True)
    tau = np.array([float(v) for v in nu]) + delta
    up = rows @ delta <= eps_scaled + s
    lo = -(rows @ delta) <= eps_scaled + s
    constraints = [Mk >> 0 for Mk in _psd_blocks(tau, N, cp)] + [up, lo]
    prob = cp.Problem(cp.Minimize(s), constraints)
    why = "no attempt solved the phase-one SDP"
    best = None
    # SCS is slow to converge to the accuracy a certificate needs; it is used only when asked
    for name, options in [at for at in attempts if at[0] != "SCS"] or attempts:
        try:
            prob.solve(solver=name, **options)
        except Exception as exc:  # noqa: BLE001 - a solver crash: try the next attempt
            why = f"phase one with {name} failed ({type(exc).__name__})"
            continue
        if prob.status not in ("optimal", "optimal_inaccurate") or up.dual_value is None:
            why = f"phase one with {name}: status {prob.status}"
            continue
        y = np.asarray(up.dual_value).ravel() - np.asarray(lo.dual_value).ravel()
        for sign in (1.0, -1.0):
            lam = [Fraction(float(sign * y[j] / norms[j])) for j in range(N + 1)]
            cert = certify_infeasible(lam, m, eps, a, b)
            if cert.proved:
                return cert, "proved"
            if best is None or cert.margin < best.margin:
                best = cert
        why = (f"phase one with {name} gives a smallest widening of {float(s.value):.1e}, and "
               f"its certificate does not verify (margin {float(best.margin):.1e} >= 0)")
    return best, why


class _AttemptFailed(Exception):
    pass


def _describe(options: dict) -> str:
    return "(default tolerances)" if not options else "(" + ", ".join(
        f"{k}={v:g}" for k, v in options.items()) + ")"


def _solve_once(cp, name, options, N, q, rows, cq, scale, nu, pos, zero, eps_scaled) -> list:
    delta = cp.Variable(N + 1)
    high = cp.Variable(q - N)
    nu_f = np.array([float(v) for v in nu])
    tau = cp.hstack([nu_f + delta, high])
    constraints = [Mk >> 0 for Mk in _psd_blocks(tau, q, cp)]
    up = lo = eq = None
    if pos:
        e = np.array([eps_scaled[j] for j in pos])
        up = rows[pos] @ delta <= e
        lo = -(rows[pos] @ delta) <= e
        constraints += [up, lo]
    if zero:
        eq = rows[zero] @ delta == 0
        constraints.append(eq)
    variable = cq[: N + 1] @ delta + cq[N + 1:] @ high
    out = []
    # one problem for both ends: the direction is a parameter, so cvxpy compiles it once
    direction = cp.Parameter()
    prob = cp.Problem(cp.Minimize(direction * variable / scale), constraints)
    for sign in (1.0, -1.0):
        direction.value = sign
        try:
            prob.solve(solver=name, **options)
        except cp.error.SolverError as exc:
            raise _AttemptFailed(str(exc).split(".")[0]) from None
        except Exception as exc:  # noqa: BLE001 - a solver crash is an attempt that failed
            raise _AttemptFailed(f"{type(exc).__name__}: {exc}") from None
        if prob.status not in ("optimal", "optimal_inaccurate") or variable.value is None:
            raise _AttemptFailed(f"status {prob.status}")
        y = np.zeros(N + 1)
        if pos:
            y[pos] = np.asarray(up.dual_value).ravel() - np.asarray(lo.dual_value).ravel()
        if zero:
            y[zero] = np.asarray(eq.dual_value).ravel()
        # cvxpy reports the same multipliers for min -v as for max v
        out.append((float(variable.value), y, prob.status))
    return out
def _certified_result(ends, name, tried, m, eps_exact, eps, q, a, b, K, norms, scale
                      ) -> ExtrapolationRange:
    """Certify both ends of a solved SDP: dual certificate (outer) and checked measure (inner)."""
    out = {}
    N = len(m) - 1
    statuses = []
    trivial = _trivial_bounds(m[0], eps_exact[0], q, a, b)
    bounds = {}
    for (value, y, status), upper in zip(ends, (False, True)):
        sign = 1.0 if upper else -1.0
        lam = [Fraction(float(sign * y[j] * scale * norms[q] / norms[j])) for j in range(N + 1)]
        cert = certify_end(lam, m, eps_exact, q, a, b, upper)
        # the proved end: the certificate's, or the trivial bound where that is tighter
        bound = min(cert.bound, trivial[1]) if upper else max(cert.bound, trivial[0])
        bounds[upper] = bound
        found, why = checked_measure(list(cert.touching), m, eps_exact, q, a, b, upper)
        solver_end = float(K) + value * norms[q]
        inner = found.value if found is not None else None
        # the reported end: the solver's value, or the checked measure's where that is further
        # out, moved into the proved enclosure (the proved end rounded inwards, so that the
        # float end is itself inside it: the nearest double of the inner end can lie past the
        # proved end when the two are equal or a rounding apart)
        end = solver_end
        if inner is not None:
            end = max(end, float(inner)) if upper else min(end, float(inner))
        end = min(end, _round(bound, -1)) if upper else max(end, _round(bound, 1))
        if inner is not None:
            # the true end lies between cert.bound and inner: |end - true| is at most the
            # larger distance from the double end to them, exactly, rounded up
            err = _rounding_error((end, bound), (end, inner))
        else:
            err = math.inf
        out[upper] = (end, cert, found, err, why)
        statuses.append(status)
    (lo_end, lo_cert, lo_found, lo_err, lo_why) = out[False]
    (hi_end, hi_cert, hi_found, hi_err, hi_why) = out[True]
    if lo_cert.bound > hi_cert.bound:
        # every feasible measure has lower bound <= m_q <= upper bound: none exists
        raise InputError(
            f"no non-negative measure on [{a}, {b}] has moments within the tolerance "
            f"{max(eps):g} of m_0..m_{N}: proved by the dual certificates of the two ends, "
            f"checked over Q, which give m_{q} >= {lower_text(lo_cert.bound, 6)} and m_{q} <= "
            f"{upper_text(hi_cert.bound, 6)}; widen the tolerance or check the moments")
    accuracy = max(lo_err, hi_err)
    width = max(hi_end - lo_end, 0.0)
    ok = math.isfinite(accuracy) and accuracy <= OK_RELATIVE * max(width, 1e-300)
    gap_text = (f"each end proved to within {accuracy:.1e}" if math.isfinite(accuracy) else
                "no checked measure at " + ("the lower end (" + lo_why + ")" if lo_found is None
                                            else "the upper end (" + hi_why + ")")
                + ": only the outer ends are proved")
    lo_bound, hi_bound = bounds[False], bounds[True]
    by_trivial = [side for side, b_, c_ in (("lower", lo_bound, lo_cert.bound),
                                            ("upper", hi_bound, hi_cert.bound)) if b_ != c_]
    msg = (f"SDP in the Chebyshev basis ({name}, {'/'.join(sorted(set(statuses)))}); outer ends "
           f"[{lower_text(lo_bound, 17)}, {upper_text(hi_bound, 17)}] proved by dual "
           f"certificates over Q"
           + (f" (the {' and '.join(by_trivial)} by the trivial bound, tighter)" if by_trivial
              else "") + f"; {gap_text}"
           + ("" if ok or not math.isfinite(accuracy) else
              f" ({accuracy / max(width, 1e-300):.1e} of the width)"))
    return ExtrapolationRange(
        lo_end, hi_end, q, eps, accuracy, "ok" if ok else "loose", name, msg,
        certified_lower=lo_bound, certified_upper=hi_bound,
        inner_lower=None if lo_found is None else lo_found.value,
        inner_upper=None if hi_found is None else hi_found.value,
        lower_measure=None if lo_found is None else lo_found.measure,
        upper_measure=None if hi_found is None else hi_found.measure,
        lower_certificate=lo_cert, upper_certificate=hi_cert, attempts=tried)


def _trivial_bounds(m0: Fraction, eps0: Fraction, q: int, a, b) -> tuple:
    r"""Proved bounds of :math:`m_q` on a compact :math:`[a, b]` from the mass alone, exactly:
    :math:`|m_q| \le (m_0 + \varepsilon_0) R^q` with :math:`R = \max(|a|, |b|)`, and
    :math:`m_q \ge 0` for even ``q`` or :math:`a \ge 0` (:math:`\le 0` for odd ``q`` and
    :math:`b \le 0`)."""
    a, b = Fraction(a), Fraction(b)
    top = (m0 + eps0) * max(abs(a), abs(b)) ** q
    lower = Fraction(0) if (q % 2 == 0 or a >= 0) else -top
    upper = Fraction(0) if (q % 2 == 1 and b <= 0) else top
    return lower, upper


def _solve_lower(C: list, rhs: list) -> list:
    """Exact solution of ``C[:n, :n] x = rhs`` (lower triangular, n = len(rhs)) by forward
    substitution: the Chebyshev moments of the data."""
    x: list = []
    for i, v in enumerate(rhs):
        row = C[i]
        x.append((v - sum(row[k] * x[k] for k in range(i))) / row[i])
    return x


def _ball_radii(moments: object, count: int) -> tuple:
    """The radius (an exact Fraction, rounded up) of each moment given as a python-flint ball;
    0 for every other kind of number."""
    import flint

    items = moments if isinstance(moments, (list, tuple)) else None
    if items is None or len(items) != count:
        return (Fraction(0),) * count
    return tuple(Fraction(read_number(v, f"moments[{i}]").radius)
                 if isinstance(v, (flint.arb, flint.acb)) else Fraction(0)
                 for i, v in enumerate(items))


def _tolerances(tolerance: object, count: int) -> tuple:
    """The tolerances as exact Fractions, one per moment, read by the one number table (a
    float at its binary value, a decimal string or an mpmath number exactly as given)."""
    def one(value, where):
        try:
            r = read_number(value, where)
        except InputError as exc:
            raise InputError(f"{exc}; the tolerance must be a real number >= 0 or one per "
                             "moment") from None
        if r.imag != 0 or r.real < 0:
            raise InputError(f"{where}={value!r} must be real and >= 0")
        if r.kind in ("arb", "acb"):  # a ball: the tolerance is somewhere in it, take its top
            return r.real + Fraction(r.radius)
        return r.real

    if isinstance(tolerance, (str, bytes)) or not hasattr(tolerance, "__iter__"):
        return (one(tolerance, "tolerance"),) * count
    try:
        items = list(tolerance)  # type: ignore[call-overload]
    except TypeError:  # e.g. a 0-d array
        raise InputError(f"tolerance={tolerance!r} must be a number or one per moment") from None
    values = tuple(one(t, f"tolerance[{i}]") for i, t in enumerate(items))
    if len(values) != count:
        raise InputError(f"tolerance has {len(values)} entries for {count} moments")
    return values


def _chebyshev_product(i: int, j: int) -> list[tuple[int, float]]:
    return [(i + j, 0.5), (abs(i - j), 0.5)]


def _times_x(terms: list[tuple[int, float]]) -> list[tuple[int, float]]:
    out = []
    for k, c in terms:
        if k == 0:
            out.append((1, c))
        else:
            out += [(k + 1, c / 2), (k - 1, c / 2)]
    return out


def _block_entries(D: int, g: str) -> list[list[list[tuple[int, float]]]]:
    """Entries of the moment (g='1') or localising matrices as sums of tau_k coefficients."""
    if g == "1":
        size = D // 2 + 1
    elif g in ("1+x", "1-x"):
        size = (D - 1) // 2 + 1
    else:  # 1 - x^2
        size = (D - 2) // 2 + 1
    rows = []
    for i in range(size):
        row = []
        for j in range(size):
            base = _chebyshev_product(i, j)
            if g == "1":
                terms = base
            elif g == "1+x":
                terms = base + _times_x(base)
            elif g == "1-x":
                terms = base + [(k, -c) for k, c in _times_x(base)]
            else:
                terms = base + [(k, -c) for k, c in _times_x(_times_x(base))]
            row.append(terms)
        rows.append(row)
    return rows


def _block_matrices(D: int) -> list[list[np.ndarray]]:
    """For each PSD block, the constant matrices A_k with block = sum_k tau_k A_k."""
    out = []
    for g in (["1", "1-x^2"] if D % 2 == 0 else ["1+x", "1-x"]):
        entries = _block_entries(D, g)
        if not entries:
            continue
        size = len(entries)
        A = [np.zeros((size, size)) for _ in range(D + 1)]
        for i in range(size):
            for j in range(size):
                for k, c in entries[i][j]:
                    A[k][i, j] += c
        out.append([(Ak + Ak.T) / 2 for Ak in A])
    return out


def _psd_blocks(tau, D: int, cp) -> list:
    return [sum(tau[k] * Ak for k, Ak in enumerate(As) if np.any(Ak)) for As in
            _block_matrices(D)]


def _exact_tolerance(tolerance: object) -> Fraction | None:
    """The exact value of ``tolerance`` (``None`` for ``inf``), refusing what is not one."""
    hint = "pass a number >= 0, e.g. tolerance=1e-6 or Fraction(1, 3 * 10**6)"
    if isinstance(tolerance, (bool, np.bool_)):
        raise InputError(f"tolerance={tolerance!r} is a bool, not a number; {hint}")
    if isinstance(tolerance, (int, np.integer)):
        value = Fraction(int(tolerance))
    elif isinstance(tolerance, Fraction):
        value = tolerance
    elif isinstance(tolerance, (float, np.floating)):
        if math.isnan(tolerance):
            raise InputError(f"tolerance={tolerance!r} is not a number; {hint}")
        if math.isinf(tolerance) and tolerance > 0:
            return None
        if math.isinf(tolerance):
            raise InputError(f"tolerance={tolerance!r} is negative; {hint}")
        value = Fraction(*tolerance.as_integer_ratio())  # its exact binary value
    else:
        raise InputError(f"tolerance={tolerance!r} of type {type(tolerance).__name__} is not "
                         f"an int, float or Fraction; {hint}")
    if value < 0:
        raise InputError(f"tolerance={tolerance!r} is negative; {hint}")
    return value


def _sup_abs_upper(s) -> Fraction:
    r"""An upper bound of :math:`\sup_{[-1,1]} |s|` for an fmpq_poly ``s``, as a Fraction.

    Exact when the supremum is attained at :math:`\pm 1` (the values there are rationals);
    at a real critical point inside, the bound of a 256-bit ball evaluation.
    """
    import flint

    if s.degree() < 0:
        return Fraction(0)
    best = max(abs(to_fraction(s(flint.fmpq(1)))), abs(to_fraction(s(flint.fmpq(-1)))))
    if s.degree() < 2:
        return best
    with flint_precision(256):
        for z, _ in s.derivative().complex_roots():
            # critical points that may be real, kept unless proved outside [-1, 1]
            if z.imag.contains(0) and not bool(abs(z.real) > 1):
                val = arb_exact(abs(flint.arb_poly(s)(z.real)).upper())
                best = max(best, val)
    return best


def stability_bound(atoms: object, *, order: int, tolerance: float) -> float:
    r"""The analytic bound of R11 on :math:`|m_q(\mu) - m_q(\hat\mu)|`.

    With :math:`p(x) = \prod_i (x - \hat a_i)^2` and :math:`x^q = s_q(x) p(x) + r_q(x)`
    (:math:`\deg r_q < 2\hat d`), every non-negative :math:`\mu` on [-1, 1] whose moments
    :math:`0..2\hat d` are within :math:`\varepsilon` of those of
    :math:`\hat\mu = \sum_i \hat w_i \delta_{\hat a_i}` satisfies
    :math:`|m_q(\mu) - m_q(\hat\mu)| \le \varepsilon(\|r_q\|_1 + \sup_{[-1,1]}|s_q|\,\|p\|_1)`
    (:eq:`eq-stability-bound`; :math:`\|\cdot\|_1` is the sum of absolute coefficients).

    :math:`p`, :math:`s_q`, :math:`r_q`, the two norms and :math:`\varepsilon` are exact
    rationals; :math:`\sup_{[-1,1]}|s_q|` is exact when it is attained at :math:`\pm 1`
    and otherwise bounded above by a rational from 256-bit ball arithmetic at the certified
    real critical points of :math:`s_q`. The right-hand side is combined exactly over
    :math:`\mathbb{Q}` and rounded up once: the float returned is never below it, and
    exceeds it by at most one unit in the last place (plus about :math:`2^{-250}` relative
    where the supremum is at an interior critical point).

    Parameters
    ----------
    atoms : sequence of real numbers
        The atoms :math:`\hat a_i` of :math:`\hat\mu`, in :math:`[-1, 1]`; floats are taken
        at their exact binary values, fractions and strings such as ``'1/3'`` exactly.
        :math:`\hat d` is their number as given (a repeated atom is not merged: it raises the
        degree of :math:`p` and the number of moments the bound assumes). The weights do not
        enter the bound.
    order : int
        The moment index :math:`q \ge 0` to bound (a Python or numpy integer, not a bool).
        For :math:`q < 2\hat d`, :math:`s_q = 0` and the bound is :math:`\varepsilon` (that
        moment is matched directly).
    tolerance : int, float or Fraction
        :math:`\varepsilon \ge 0`, the accuracy to which moments :math:`0, \dots, 2\hat d`
        match (Python or numpy integers and floats, taken at their exact values, or a
        ``Fraction``; not a bool; ``inf`` gives ``inf``).

    Returns
    -------
    float
        The least double at least the right-hand side; ``0.0`` when ``tolerance`` is 0,
        ``inf`` when ``tolerance`` is ``inf`` or the bound exceeds the largest double.

    Raises
    ------
    InputError
        When ``atoms`` is empty, unreadable or not real, an atom lies outside
        :math:`[-1, 1]`, ``order`` is not a non-negative integer or ``tolerance`` is not a
        number :math:`\ge 0` of the kinds above; an order above ``MAX_STABILITY_ORDER`` (600),
        or with :math:`q^3 (B + 160) \max(1, B / 1000)` above ``MAX_STABILITY_WORK``, where
        :math:`B` is the bits of all the atoms (numerators and denominators).

    Examples
    --------
    >>> stability_bound([1], order=2, tolerance=0.0)
    0.0
    >>> stability_bound([0.5], order=1, tolerance=1e-3)   # q < 2 d: the moment itself
    0.001
    """
    import flint

    if isinstance(atoms, np.ndarray) and atoms.ndim == 1:
        atoms = list(atoms)
    elif not isinstance(atoms, (str, bytes, np.ndarray)) and hasattr(atoms, "__iter__"):
        atoms = list(atoms)  # type: ignore[call-overload]
    if isinstance(atoms, list) and not atoms:
        raise InputError("atoms is empty; give at least one atom of the teacher measure in "
                         "[-1, 1], e.g. atoms=[0.5]")
    raw = parse_moments(atoms, name="atoms")
    if not raw.is_real:
        raise InputError("stability_bound needs real atoms")
    pts = list(raw.real)
    if any(abs(to_fraction(x)) > 1 for x in pts):
        raise InputError("the atoms must lie in [-1, 1] (the bound is for measures on [-1, 1])")
    order = nonnegative_int(order, "order", hint="the index q of the moment to bound")
    if order > MAX_STABILITY_ORDER:  # x**q is divided exactly: q = 10**5 takes hours
        raise InputError(f"order={shown_value(order)} is more than {MAX_STABILITY_ORDER}, the "
                         "largest moment index bounded (exact division and root isolation of "
                         "degree q: about 6 to 13 s at the limit)")
    # all the atoms' bits (numerator and denominator): p's coefficients, and with them s_q's
    # and its roots', grow with their sum; past 1000 bits the time grows with its square
    bits = sum(abs(to_fraction(x).numerator).bit_length() + to_fraction(x).denominator
               .bit_length() for x in pts)
    work = order**3 * (bits + 160) * max(1000, bits) // 1000
    if work > MAX_STABILITY_WORK:
        top = int((MAX_STABILITY_WORK * 1000 / ((bits + 160) * max(1000, bits))) ** (1 / 3))
        raise InputError(f"order={order} with {len(pts)} atoms of {bits} bits in all (numerators "
                         f"and denominators) is more than this bound computes: q**3 (bits + 160)"
                         f" max(1, bits/1000) = {work:.3g}, more than {MAX_STABILITY_WORK:.3g} "
                         f"(exact division and root isolation of degree q grow with the "
                         f"atoms' bits); ask for order <= {top}, or give fewer or shorter atoms")
    eps = _exact_tolerance(tolerance)
    if eps is None:
        return math.inf
    if eps == 0:
        return 0.0
    p = flint.fmpq_poly([1])
    for x in pts:
        p *= flint.fmpq_poly([-x, 1]) ** 2
    xq = flint.fmpq_poly([0] * order + [1])
    s, r = divmod(xq, p)
    norm1 = lambda poly: sum(abs(to_fraction(poly[k])) for k in range(poly.degree() + 1))  # noqa: E731
    return _round(eps * (norm1(r) + _sup_abs_upper(s) * norm1(p)), 1)
