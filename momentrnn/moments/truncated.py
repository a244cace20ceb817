r"""Truncated moment problems on an interval, a half-line or the line.

Given :math:`m_0, \dots, m_N`, which non-negative measures on the support have these moments,
and what values can the next moment take? On a compact interval :math:`[a, b]` a sequence is
the moment sequence of a non-negative measure if and only if its Hankel and localising matrices
are positive semidefinite (claim M2); in the singular (flat) case the measure is unique and
lives on the roots of a kernel polynomial. On unbounded supports positivity is necessary, and
in the singular case the unique candidate measure is built and checked against every moment.
Everything here is exact over Q for exact input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import flint
from flint import fmpq, fmpq_mat, fmpq_poly

from ..errors import IllConditionedError, InputError
from ..precision import flint_precision
from ._arith import RATIONALS, NeedPrecision, hankel, vandermonde_fit
from ._ball import Balls
from ._data import parse_moments, to_fraction
from .measure import DiscreteMeasure

__all__ = ["Feasibility", "MomentRange", "moment_feasible", "next_moment_range",
           "parse_support", "localizing_matrix", "Inertia"]

INF = math.inf


# ----------------------------------------------------------------------------------------
# support


def _end(value: object, name: str) -> Fraction | float:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("inf", "+inf", "infinity", "oo"):
            return INF
        if text in ("-inf", "-infinity", "-oo"):
            return -INF
        from ._data import parse_number_text

        re_part, im_part = parse_number_text(value, f"support {name} end")
        if im_part:
            raise InputError(f"support {name} end {value!r} must be real")
        return re_part
    if isinstance(value, float) and math.isinf(value):
        return value
    if isinstance(value, (int, Fraction, float)):
        if isinstance(value, float) and math.isnan(value):
            raise InputError(f"support {name} end is NaN")
        return Fraction(value)
    raise InputError(f"support {name} end {value!r} must be a number, a fraction or inf")


def parse_support(support: object) -> tuple:
    """``(a, b)`` with exact finite ends (Fraction) or ``-inf``/``inf``."""
    if not isinstance(support, (tuple, list)) or len(support) != 2:
        raise InputError(f"support={support!r} must be a pair (a, b), e.g. (-1, 1), (0, inf)")
    a, b = _end(support[0], "left"), _end(support[1], "right")
    if a == INF or b == -INF or not a < b:
        raise InputError(f"support={support!r} must have a < b")
    return a, b


def _localizers(a, b) -> list[tuple[str, fmpq_poly]]:
    """The polynomials g >= 0 on the support whose localising matrices must be PSD."""
    x = fmpq_poly([0, 1])
    left = f"(x - {a})" if a != -INF and a >= 0 else f"(x + {-a})"
    out = []
    if a != -INF:
        out.append((left, x - _q(a)))
    if b != INF:
        out.append((f"({b} - x)", _q(b) - x))
    if a != -INF and b != INF:
        out.append((f"{left}({b} - x)", (x - _q(a)) * (_q(b) - x)))
    return out


def _q(v) -> fmpq:
    v = Fraction(v)
    return fmpq(v.numerator, v.denominator)


def localizing_matrix(moments: list, g: fmpq_poly, size: int) -> fmpq_mat:
    r"""The matrix :math:`[\sum_t g_t m_{i+j+t}]_{i,j<\text{size}}` (:eq:`eq-localizing`)."""
    m = [RATIONALS.convert(v) for v in moments]
    out = fmpq_mat(size, size)
    for t in range(g.degree() + 1):  # sum_t g_t H^(t), H^(t) the Hankel matrix shifted by t
        if g[t] != 0:
            out += g[t] * hankel(RATIONALS, m, size, size, shift=t)
    return out


# ----------------------------------------------------------------------------------------
# inertia


@dataclass(frozen=True)
class Inertia:
    """Numbers of positive, negative and zero eigenvalues of a symmetric matrix."""

    positive: int
    negative: int
    zero: int

    @property
    def psd(self) -> bool:
        return self.negative == 0

    @property
    def pd(self) -> bool:
        return self.negative == 0 and self.zero == 0


def _sign_changes(coeffs: list) -> int:
    signs = [c > 0 for c in coeffs if c != 0]
    return sum(1 for s, t in zip(signs, signs[1:]) if s != t)


def exact_inertia(M: fmpq_mat) -> Inertia:
    """Inertia from the characteristic polynomial: its roots are real (M is symmetric), so
    Descartes' rule of signs counts the positive and negative ones exactly."""
    n = M.nrows()
    if n == 0:
        return Inertia(0, 0, 0)
    p = M.charpoly()
    coeffs = [p[k] for k in range(n + 1)]
    zero = next(k for k, c in enumerate(coeffs) if c != 0)
    positive = _sign_changes(coeffs)
    negative = _sign_changes([c * (-1) ** k for k, c in enumerate(coeffs)])
    return Inertia(positive, negative, zero)


# ----------------------------------------------------------------------------------------
# feasibility


@dataclass(frozen=True)
class Feasibility:
    """Whether a non-negative measure on the support has the given moments, with evidence.

    Attributes
    ----------
    feasible : bool
    interior : bool
        Every matrix positive definite: infinitely many representing measures.
    determinate : bool
        Feasible and singular: exactly one representing measure, ``measure``.
    measure : DiscreteMeasure or None
        The unique representing measure in the determinate case (python-flint balls for
        irrational atoms; exact Fractions where the atoms are rational).
    matrices : dict
        Name -> (the exact matrix, its Inertia).
    failing : str or None
        The matrix that is indefinite, or the reason the singular candidate fails.
    support : tuple
    message : str
    data_exact : bool
        False when the moments were rounded: the verdict is exact for the data as given.
    """

    feasible: bool
    interior: bool
    determinate: bool
    measure: DiscreteMeasure | None
    matrices: dict
    failing: str | None
    support: tuple
    message: str
    data_exact: bool = True
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready dictionary: the verdict, the support and each matrix's size and
        inertia (plus ``failing`` when infeasible)."""
        out = {"feasible": self.feasible, "interior": self.interior,
               "determinate": self.determinate, "message": self.message,
               "support": [_end_text(v) for v in self.support],
               "matrices": {name: {"size": M.nrows(), "positive": i.positive,
                                   "negative": i.negative, "zero": i.zero}
                            for name, (M, i) in self.matrices.items()}}
        if not self.feasible:
            out["failing"] = self.failing
        return out


def _end_text(x) -> str:
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return str(x)


def measure_text(measure) -> dict | None:
    """Atoms and weights of a measure as text (``None`` for no measure)."""
    if measure is None:
        return None
    return {"atoms": [str(a) for a in measure.atoms],
            "weights": [str(w) for w in measure.weights]}


def _matrices(m: list, support) -> dict:
    N = len(m) - 1
    a, b = support
    out = {"H": localizing_matrix(m, fmpq_poly([1]), N // 2 + 1)}
    for name, g in _localizers(a, b):
        size = (N - g.degree()) // 2 + 1
        if size >= 1:
            out[name] = localizing_matrix(m, g, size)
    return out


def _kernel_polynomial(M: fmpq_mat) -> fmpq_poly:
    """The kernel polynomial of the smallest singular leading block of a singular PSD matrix."""
    n = M.nrows()
    for s in range(1, n + 1):
        block = fmpq_mat(s, s, [M[i, j] for i in range(s) for j in range(s)])
        if block.det() == 0:
            rref, _ = block.rref()
            # kernel vector: the last column depends on the earlier ones (s is minimal)
            pivots = s - 1
            v = [-rref[i, pivots] for i in range(pivots)] + [fmpq(1)]
            return fmpq_poly(v)
    raise InputError("internal: matrix is not singular")  # pragma: no cover


def _determinate_measure(m: list, support, matrices: dict) -> tuple[DiscreteMeasure | None, str]:
    """The unique candidate measure of a singular PSD sequence, checked against every moment."""
    a, b = support
    for name, (M, inertia) in matrices.items():
        if inertia.zero == 0:
            continue
        q = _kernel_polynomial(M)
        P = q
        if name != "H":
            g = dict(_localizers(a, b))[name]
            P = q * g
        # the measure lives on the real roots of P inside the support
        roots = _real_roots_in(P, support)
        measure, why = _fit_weights(m, roots)
        if measure is not None:
            return measure, ""
        return None, f"the kernel polynomial of {name} does not carry a measure with these " \
                     f"moments ({why})"
    return None, "no singular matrix"


def _real_roots_in(P: fmpq_poly, support) -> list:
    a, b = support
    P = P / P[P.degree()]
    _, factors = P.factor()
    roots = []
    for f, _mult in factors:
        if f.degree() == 1:
            r = to_fraction(-f[0] / f[1])
            if (a == -INF or r >= a) and (b == INF or r <= b):
                roots.append(r)
            continue
        with flint_precision(512):
            for z, _ in f.complex_roots():
                if z.imag.is_zero():  # an isolated real root (arb ball)
                    x = z.real
                    if (a == -INF or bool(x >= _q(a))) and (b == INF or bool(x <= _q(b))):
                        roots.append(x)
    return roots


def _fit_weights(m: list, roots: list) -> tuple[DiscreteMeasure | None, str]:
    """Weights on the given atoms matching every moment exactly (rational atoms) or to the
    precision of certified balls (algebraic atoms); None when impossible or not positive."""
    if not roots:
        return None, "no real roots in the support"
    # rational atoms: exactly over Q; algebraic atoms: certified balls at 512 bits
    ar = RATIONALS if all(isinstance(r, Fraction) for r in roots) else Balls(512, real=True)
    with ar.working():
        xs = [ar.convert(r) for r in roots]
        try:
            w, residual = vandermonde_fit(ar, [ar.convert(v) for v in m], xs, residual=True)
        except (IllConditionedError, NeedPrecision):
            return None, "singular Vandermonde system"
        if not all(ar.may_be_zero(r) for r in residual):
            return None, "the moments are not matched"
        keep = [i for i in range(len(xs)) if not ar.may_be_zero(w[i])]  # else: no atom there
        if any(w[i] < 0 for i in keep):
            return None, "a negative weight"
        return DiscreteMeasure([ar.export(xs[i]) for i in keep],
                               [ar.export(w[i]) for i in keep]), ""


def moment_feasible(moments: object, *, support: tuple = (-1, 1)) -> Feasibility:
    r"""Does a non-negative measure on ``support`` have the moments :math:`m_0..m_N`?

    Parameters
    ----------
    moments : sequence of numbers
        Exact numbers are used exactly; rounded ones (floats) are taken at their exact binary
        value and the answer is flagged as exact only for the data as given.
    support : tuple
        ``(a, b)`` with ``a`` possibly ``-inf`` and ``b`` possibly ``inf``: ``(-1, 1)``
        (Hausdorff), ``(0, inf)`` (Stieltjes), ``(-inf, inf)`` (Hamburger).

    Returns
    -------
    Feasibility
        Infeasible data are an answer, not an error: ``failing`` names the indefinite matrix.

    Examples
    --------
    >>> moment_feasible([1, 0, 1]).feasible              # 1/2 (delta_-1 + delta_1)
    True
    >>> r = moment_feasible([1, 0, 2])                   # variance 2 on [-1, 1]: impossible
    >>> r.feasible, r.failing
    (False, '(x + 1)(1 - x)')
    """
    data = parse_moments(moments)
    if not data.is_real:
        raise InputError("moment problems on the real line need real moments")
    sup = parse_support(support)
    m = list(data.real)
    matrices = {name: (M, exact_inertia(M)) for name, M in _matrices(m, sup).items()}
    for name, (_M, inertia) in matrices.items():
        if not inertia.psd:
            return Feasibility(False, False, False, None, matrices, name, sup,
                               f"the localising matrix {name} is indefinite ({inertia.negative} "
                               f"negative eigenvalue(s)): no non-negative measure on "
                               f"[{sup[0]}, {sup[1]}] has these moments", data.is_exact)
    if all(inertia.pd for _, inertia in matrices.values()):
        return Feasibility(True, True, False, None, matrices, None, sup,
                           "all Hankel and localising matrices are positive definite: "
                           "infinitely many representing measures", data.is_exact)
    measure, why = _determinate_measure(m, sup, matrices)
    if measure is None:
        return Feasibility(False, False, False, None, matrices, why, sup,
                           f"positive semidefinite but singular, and {why}: no representing "
                           "measure", data.is_exact)
    return Feasibility(True, False, True, measure, matrices, None, sup,
                       f"singular (flat): the unique representing measure has {measure.size} "
                       "atoms", data.is_exact)


# ----------------------------------------------------------------------------------------
# next-moment range


@dataclass(frozen=True)
class MomentRange:
    """The interval of feasible values of ``m_order``.

    Attributes
    ----------
    lower, upper : Fraction or float
        Exact ends (Fractions) for exact input; ``-inf``/``inf`` where unbounded.
    lower_measure, upper_measure : DiscreteMeasure or None
        The (unique) representing measures at finite ends: the canonical representations.
    order : int
    exact : bool
        True when the ends are exact rationals.
    collapsed : bool
        True when the range is a single point (the given moments are determinate).
    feasibility : Feasibility
    message : str
    """

    lower: object
    upper: object
    lower_measure: DiscreteMeasure | None
    upper_measure: DiscreteMeasure | None
    order: int
    exact: bool
    collapsed: bool
    feasibility: Feasibility
    message: str

    @property
    def width(self):
        """``upper - lower``."""
        return self.upper - self.lower

    def to_dict(self) -> dict:
        """JSON-ready dictionary: exact ends as text, the measures at the ends."""
        return {"order": self.order, "lower": _end_text(self.lower),
                "upper": _end_text(self.upper), "exact": self.exact,
                "collapsed": self.collapsed,
                "lower_measure": measure_text(self.lower_measure),
                "upper_measure": measure_text(self.upper_measure), "message": self.message}


def _schur_bound(M_ext: fmpq_mat, alpha: fmpq) -> Fraction:
    """Extreme value of the unknown bottom-right entry (coefficient alpha) keeping M PSD.

    With M = [[M0, v], [v^T, alpha x + beta]] and M0 PD: M is PSD iff
    alpha x + beta >= v^T M0^{-1} v. ``M_ext`` holds the matrix with x = 0.
    """
    s = M_ext.nrows()
    beta = M_ext[s - 1, s - 1]
    if s == 1:
        return to_fraction(-beta / alpha)
    M0 = fmpq_mat(s - 1, s - 1, [M_ext[i, j] for i in range(s - 1) for j in range(s - 1)])
    v = fmpq_mat(s - 1, 1, [M_ext[i, s - 1] for i in range(s - 1)])
    quad = (v.transpose() * M0.solve(v))[0, 0]
    return to_fraction((quad - beta) / alpha)


def next_moment_range(moments: object, *, support: tuple = (-1, 1),
                      order: int | None = None) -> MomentRange:
    r"""The exact interval of :math:`m_q` over non-negative measures with the given moments.

    Parameters
    ----------
    moments : sequence of numbers
        :math:`m_0..m_N` (exact types are used exactly).
    support : tuple
        ``(a, b)``, ends may be infinite.
    order : int, optional
        Only ``N + 1`` (the default) is exact here; use :func:`extrapolation_range` for later
        moments.

    Returns
    -------
    MomentRange
        Ends from Schur complements of the Hankel / localising matrix whose corner holds
        :math:`m_{N+1}` (:eq:`eq-next-moment`), with the canonical representing measures at finite
        ends; a single point when the data are determinate.

    Raises
    ------
    InputError
        When no non-negative measure has the moments (see ``moment_feasible`` for why).

    Examples
    --------
    >>> r = next_moment_range([1, 0])      # measures on [-1, 1] with mass 1 and mean 0
    >>> r.lower, r.upper                   # m_2 ranges over [0, 1]
    (Fraction(0, 1), Fraction(1, 1))
    """
    data = parse_moments(moments)
    sup = parse_support(support)
    N = data.count - 1
    q = N + 1 if order is None else order
    if q != N + 1:
        raise InputError(f"order={order} is not the next index {N + 1}: the exact range is for "
                         "the next moment; use extrapolation_range(..., tolerance=0, order=q)")
    feas = moment_feasible(data, support=sup)
    if not feas.feasible:
        raise InputError(f"the moments are not those of a non-negative measure on the support: "
                         f"{feas.message}")
    m = list(data.real)
    a, b = sup
    if feas.determinate:
        value = _determinate_next(feas.measure, m, q)
        return MomentRange(value, value, feas.measure, feas.measure, q, True, True, feas,
                           "the moments determine the measure: the range is a point")
    x = fmpq_poly([0, 1])
    lower, upper = -INF, INF
    candidates = []  # (which end, localiser polynomial, matrix size)
    if q % 2 == 0:
        n = q // 2
        candidates.append(("lower", fmpq_poly([1]), n + 1))
        if a != -INF and b != INF:
            candidates.append(("upper", (x - _q(a)) * (_q(b) - x), n))
    else:
        n = (q - 1) // 2
        if a != -INF:
            candidates.append(("lower", x - _q(a), n + 1))
        if b != INF:
            candidates.append(("upper", _q(b) - x, n + 1))
    ext = m + [fmpq(0)]
    ends: dict = {}
    for which, g, size in candidates:
        if size < 1:
            continue
        M = localizing_matrix(ext, g, size)
        alpha = g[g.degree()]  # coefficient of m_q in the corner entry
        bound = _schur_bound(M, alpha)
        ends[which] = bound
    lower, upper = ends.get("lower", -INF), ends.get("upper", INF)
    lower_measure = _end_measure(m, lower, sup) if lower != -INF else None
    upper_measure = _end_measure(m, upper, sup) if upper != INF else None
    msg = "exact interval" + ("" if data.is_exact else " for the data as given (rounded input)")
    return MomentRange(lower, upper, lower_measure, upper_measure, q, True, lower == upper,
                       feas, msg)


def _determinate_next(measure: DiscreteMeasure, m: list, q: int):
    """m_q of the unique measure, exactly when its atoms are rational."""
    if measure.is_exact:
        return measure.moments(q + 1, precision=_exact())[q]
    with flint_precision(512):
        val = sum((w * x**q for x, w in zip(measure.atoms, measure.weights)), flint.arb(0))
    return val


def _exact():
    from ..precision import Exact

    return Exact()


def _end_measure(m: list, value, sup) -> DiscreteMeasure | None:
    ext = m + [_q(value)]
    feas = moment_feasible(ext, support=sup)
    return feas.measure if feas.determinate else None
