r"""Truncated moment problems on an interval, a half-line or the line.

Given :math:`m_0, \dots, m_N`, which non-negative measures on the support have these moments,
and what values can the next moment take? On a compact interval :math:`[a, b]` a sequence is
the moment sequence of a non-negative measure if and only if its Hankel and localising matrices
are positive semidefinite (claim M2); in the singular case there is at most one measure, which
lives on the roots of a kernel polynomial. On unbounded supports positivity is necessary, and
in the singular case the unique candidate measure is built and checked against every moment.
Everything here is exact over Q for exact input.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

import flint
import mpmath
from flint import fmpq, fmpq_mat, fmpq_poly

from .._limits import MAX_SUPPORT_BITS
from .._output import _standard
from .._validate import positive_int
from ..errors import InputError, PrecisionExhaustedError
from ..precision import flint_precision
from ._arith import RATIONALS, hankel
from ._data import parse_moments, parse_number_text, to_fraction
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


def _capped(end: Fraction | float, value: object, name: str) -> Fraction | float:
    """A finite end of at most ``MAX_SUPPORT_BITS`` bits in its numerator and denominator."""
    if isinstance(end, Fraction):
        bits = max(abs(end.numerator).bit_length(), end.denominator.bit_length())
        if bits > MAX_SUPPORT_BITS:
            shown = value if isinstance(value, str) and len(value) <= 40 else \
                f"a number of {bits} bits"
            raise InputError(
                f"support {name} end {shown!r} has {bits} bits in its numerator or "
                f"denominator, more than the {MAX_SUPPORT_BITS} a support end may have (the "
                "ends multiply every moment and are written exactly): rescale x (support and "
                "moments), or give a shorter end")
    return end


def parse_support(support: object) -> tuple:
    """``(a, b)`` with exact finite ends (Fraction) or ``-inf``/``inf``; a finite end has at
    most ``MAX_SUPPORT_BITS`` bits in its numerator and denominator."""
    if not isinstance(support, (tuple, list)) or len(support) != 2:
        raise InputError(f"support={support!r} must be a pair (a, b), e.g. (-1, 1), (0, inf)")
    a = _capped(_end(support[0], "left"), support[0], "left")
    b = _capped(_end(support[1], "right"), support[1], "right")
    if a == INF or b == -INF or not a < b:
        raise InputError(f"support={support!r} must have a < b")
    return a, b


def _localizers(a, b) -> list[tuple[str, fmpq_poly]]:
    """The polynomials g >= 0 on the support whose localising matrices must be PSD."""
    x = fmpq_poly([0, 1])
    left = f"(x - {_end_text(a)})" if a != -INF and a >= 0 else f"(x + {_end_text(-a)})"
    out = []
    if a != -INF:
        out.append((left, x - _q(a)))
    if b != INF:
        out.append((f"({_end_text(b)} - x)", _q(b) - x))
    if a != -INF and b != INF:
        out.append((f"{left}({_end_text(b)} - x)", (x - _q(a)) * (_q(b) - x)))
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


ROUNDED_NOTE = (" (for the data as given: the moments were rounded, and the verdict is exact "
                "for these values, not for every sequence within their accuracy)")


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
        irrational atoms; exact Fractions where the atoms are rational); ``None`` for the
        zero measure (every moment 0), which is feasible and determinate.
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
    # the representing measure as it was written, of a verdict read back from JSON (its
    # balls hold the ones written; to_dict writes these again)
    loaded_balls: dict | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.data_exact and ROUNDED_NOTE not in self.message:
            # the verdict is decided exactly, about the values given: not about every
            # sequence within their accuracy
            object.__setattr__(self, "message", self.message + ROUNDED_NOTE)

    def to_dict(self) -> dict:
        """JSON-ready dictionary: the verdict, the support and each matrix's size, inertia
        and exact entries (rows of ``"p/q"`` text; plus ``failing`` when infeasible), and
        the determinate case's representing ``measure`` (each atom and weight a ball
        exactly, ``{"mid": "p/q", "rad": "p/q"}``; a rational one of radius ``"0"``)."""
        from .._schema import measure_balls, support_value

        def entries(M) -> dict:
            if isinstance(M, LoadedMatrix):  # read from an output that carried none
                return {}
            return {"entries": [[str(M[r, c]) for c in range(M.ncols())]
                                for r in range(M.nrows())]}

        out = {"feasible": self.feasible, "interior": self.interior,
               "determinate": self.determinate, "message": self.message,
               "support": support_value(self.support), "data_exact": self.data_exact,
               "matrices": {name: {"size": M.nrows(), "positive": i.positive,
                                   "negative": i.negative, "zero": i.zero, **entries(M)}
                            for name, (M, i) in self.matrices.items()}}
        if not self.feasible:
            out["failing"] = self.failing
        if self.measure is not None:
            out["measure"] = self.loaded_balls or measure_balls(self.measure)

        return _standard(out)

    @classmethod
    def from_dict(cls, data: dict) -> Feasibility:
        """The verdict of its :meth:`to_dict`: each matrix exact (a python-flint
        ``fmpq_mat`` of its entries; a :class:`LoadedMatrix` of its size where an output of
        an earlier version carries no entries) with its inertia; the representing measure of
        ``"measure"`` (rational atoms as Fractions, irrational ones as their exact balls), or
        None where the output has none."""
        from .._schema import read_measure_balls, read_support

        def matrix(m: dict):
            if "entries" not in m:
                return LoadedMatrix(m["size"])
            import flint

            rows = m["entries"]
            if len(rows) != m["size"] or any(len(r) != m["size"] for r in rows):
                raise InputError(f"a matrix of size {m['size']} has entries of another shape")
            values = []
            for row in rows:
                for text in row:
                    try:
                        if isinstance(text, str) and not text.isascii():  # any Unicode digit
                            raise ValueError(text)
                        q = Fraction(text)
                    except (TypeError, ValueError, ZeroDivisionError):
                        raise InputError(f"the matrix entry {str(text)[:60]!r} is not a "
                                         "fraction p/q") from None
                    values.append(flint.fmpq(q.numerator, q.denominator))
            return flint.fmpq_mat(m["size"], m["size"], values)

        matrices = {name: (matrix(m), Inertia(m["positive"], m["negative"], m["zero"]))
                    for name, m in data["matrices"].items()}
        return cls(data["feasible"], data["interior"], data["determinate"],
                   read_measure_balls(data.get("measure")), matrices,
                   data.get("failing"), read_support(data["support"]), data["message"],
                   data.get("data_exact", True), loaded_balls=data.get("measure"))


@dataclass(frozen=True)
class LoadedMatrix:
    """The size of a matrix whose entries a JSON output does not carry."""

    size: int

    def nrows(self) -> int:
        return self.size


def _end_text(x) -> str:
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    from .._format import exact_text

    return exact_text(x)


#: the most significant digits written of an irrational atom or weight of an end measure
#: (its ball holds about 150)
BALL_TEXT_DIGITS = 40


def measure_text(measure) -> dict | None:
    """Atoms and weights of a measure as text (``None`` for no measure): a rational exactly
    (``"1/2"``, also a python-flint ball that is exact), an irrational one (a ball of
    :data:`ATOM_BITS` bits) as a decimal of the digits its ball vouches (at most
    :data:`BALL_TEXT_DIGITS`), the package's vouched-digit text; never a ball printed at
    the 53 bits of python-flint's default precision."""
    if measure is None:
        return None
    return {"atoms": [_value_text(a) for a in measure.atoms],
            "weights": [_value_text(w) for w in measure.weights]}


def _value_text(value) -> str:
    from .._format import exact_text, format_number

    if not isinstance(value, flint.arb):
        return exact_text(value)
    man, exp = value.mid().man_exp()
    mid = Fraction(int(man)) * Fraction(2) ** int(exp)
    rad_man, rad_exp = value.rad().man_exp()
    if rad_man == 0:
        return exact_text(mid)  # an exact ball: its rational value
    if mid == 0:
        return "?"  # pragma: no cover - an end measure's atom is decided, never this ball
    rad = Fraction(int(rad_man)) * Fraction(2) ** int(rad_exp)
    # vouched: the digits whose unit exceeds the radius (floor, and one less for safety)
    digits = min(BALL_TEXT_DIGITS, math.floor(math.log10(abs(mid) / rad)) - 1)
    ctx = mpmath.MPContext()
    ctx.prec = max(ATOM_BITS, int(man).bit_length()) + 64
    return format_number(ctx.mpf((int(man), int(exp))), float(digits))


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


def _determinate_measure(m: list, support, matrices: dict
                         ) -> tuple[bool, DiscreteMeasure | None, fmpq_poly | None, str]:
    """Decide, exactly, whether a non-negative measure on the zeros of a kernel polynomial of
    the first singular matrix has the moments ``m``.

    Returns ``(feasible, measure, recurrence, why)``: ``measure`` is the unique representing
    measure (``None`` for the zero measure), ``recurrence`` the monic polynomial ``Q`` whose
    linear recurrence every moment of it satisfies (its later moments continue it), ``why``
    the reason when infeasible.
    """
    a, b = support
    for name, (M, inertia) in matrices.items():
        if inertia.zero == 0:
            continue
        q = _kernel_polynomial(M)
        P = q
        if name != "H":
            g = dict(_localizers(a, b))[name]
            P = q * g
        # every representing measure lives on the real zeros of P inside the support
        return _measure_on_zeros(m, P, support, name)
    return False, None, None, "no singular matrix"  # pragma: no cover


def _squarefree_monic(P: fmpq_poly) -> fmpq_poly:
    if P.degree() > 0:
        P = P / P.gcd(P.derivative())
    return P / P[P.degree()]


def _measure_on_zeros(m: list, P: fmpq_poly, support, name: str
                      ) -> tuple[bool, DiscreteMeasure | None, fmpq_poly | None, str]:
    r"""The exact decision behind :func:`_determinate_measure`, over Q.

    With ``Q`` the monic square-free part of ``P`` (degree ``k``, roots :math:`z`), the
    moments are those of :math:`\sum_z c_z \delta_z` (complex :math:`c_z`, all roots of
    ``Q``) if and only if they satisfy the recurrence :math:`\sum_i Q_i m_{j+i} = 0`,
    checked exactly for every ``j``; then :math:`c_z = A(z)/Q'(z)` with
    :math:`A(x) = \sum_{i<k} x^i \sum_{l>i} Q_l m_{l-1-i}` (the :math:`c_z` are unique by the
    Vandermonde system on m_0..m_{k-1}). On each irreducible factor ``f`` of ``Q`` the
    weights are :math:`W(z)`, :math:`W = A\,(Q')^{-1} \bmod f`: either ``W = 0`` (no mass on
    those roots) or no root of ``f`` has weight 0, and each root must then be real, inside the
    support and of positive weight. Irrational roots are never equal to a rational end, and
    :math:`W(z) \ne 0`: the balls are refined until every comparison is decided, so no
    verdict rests on a ball that merely contains 0 or straddles an end.
    """
    Q = _squarefree_monic(P)
    k, N = Q.degree(), len(m) - 1
    mq = [RATIONALS.convert(v) for v in m]
    if k > N:  # pragma: no cover - k <= N for a kernel polynomial of these matrices
        return False, None, None, f"the kernel polynomial of {name} has too high a degree"
    for j in range(N - k + 1):
        if sum((Q[i] * mq[j + i] for i in range(k + 1)), fmpq(0)) != 0:
            return False, None, None, (
                f"the moments do not satisfy the recurrence of the kernel polynomial {Q} of "
                f"{name} (at m_{j + k}, checked over Q)")
    if k == 0:  # every moment is 0: the zero measure
        return True, None, Q, ""
    A = fmpq_poly([sum((Q[l] * mq[l - 1 - i] for l in range(i + 1, k + 1)), fmpq(0))
                   for i in range(k)])
    dQ = Q.derivative()
    a, b = support
    atoms, weights = [], []
    for f, _mult in Q.factor()[1]:
        _one, inv, _t = (dQ % f).xgcd(f)  # dQ is invertible modulo f: Q is square-free
        W = (A * inv) % f
        if W.is_zero():
            continue  # no mass on the roots of f
        if f.degree() == 1:
            x = -f[0] / f[1]
            w = W(x)
            where = _place(x, a, b)
            if where:
                return False, None, None, f"an atom {x} {where} the support carries weight {w}"
            if w < 0:
                return False, None, None, f"the atom {x} has the negative weight {w}"
            atoms.append((to_fraction(x), to_fraction(x)))
            weights.append(to_fraction(w))
            continue
        found, why = _algebraic_atoms(f, W, a, b)
        if found is None:
            return False, None, None, why
        for x, w in found:
            atoms.append((x, _mid_fraction(x)))
            weights.append(w)
    order = sorted(range(len(atoms)), key=lambda i: atoms[i][1])
    measure = DiscreteMeasure([atoms[i][0] for i in order], [weights[i] for i in order])
    return True, measure, Q, ""


def _place(x: fmpq, a, b) -> str:
    """'' when the rational ``x`` lies in the support, else 'left of' / 'right of'."""
    if a != -INF and x < _q(a):
        return "left of"
    if b != INF and x > _q(b):
        return "right of"
    return ""


#: the precision of the balls returned for irrational atoms and weights, and the most that
#: is spent deciding where they lie (far beyond what any moment data here need)
ATOM_BITS = 512
MAX_ATOM_BITS = 1 << 20


def _mid_fraction(x) -> Fraction:
    man, exp = x.mid().man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def _algebraic_atoms(f: fmpq_poly, W: fmpq_poly, a, b) -> tuple[list | None, str]:
    """The roots of the irreducible ``f`` (degree >= 2) as balls with their weights ``W``,
    or ``None`` with the reason when one is not real, not in the support or not positive.

    Every comparison is decided by balls that exclude the other side (an irrational root is
    not a rational end, and ``W`` vanishes at no root of ``f``): the precision doubles until
    they do."""
    bits = ATOM_BITS
    while True:
        with flint_precision(bits):
            out, undecided = [], False
            Wb = flint.arb_poly(W)
            for z, _ in f.complex_roots():
                if not z.imag.is_zero():  # certified non-real (real roots are exactly real)
                    return None, f"a non-real atom {z} carries weight (a root of {f})"
                x = z.real
                w = Wb(x)
                if a != -INF and bool(x < _q(a)):
                    return None, f"an atom {x.str(10)} left of the support carries weight"
                if b != INF and bool(x > _q(b)):
                    return None, f"an atom {x.str(10)} right of the support carries weight"
                if bool(w < 0):
                    return None, f"the atom {x.str(10)} has a negative weight {w.str(10)}"
                inside = (a == -INF or bool(x > _q(a))) and (b == INF or bool(x < _q(b)))
                if not (inside and bool(w > 0)):
                    undecided = True
                    break
                out.append((x, w))
            if not undecided:
                return out, ""
        bits *= 2
        if bits > MAX_ATOM_BITS:  # pragma: no cover - not a verdict: say so
            raise PrecisionExhaustedError(
                f"could not decide at {MAX_ATOM_BITS} bits whether the roots of {f} lie in "
                f"the support with positive weights; rescale the moments")


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
    ok, measure, recurrence, why = _determinate_measure(m, sup, matrices)
    if not ok:
        return Feasibility(False, False, False, None, matrices, why, sup,
                           f"positive semidefinite but singular, and {why}: no representing "
                           "measure", data.is_exact)
    details = {"recurrence": recurrence}
    if measure is None:
        return Feasibility(True, False, True, None, matrices, None, sup,
                           "every moment is 0: the zero measure is the only representing "
                           "measure", data.is_exact, details)
    return Feasibility(True, False, True, measure, matrices, None, sup,
                       f"singular: the only representing measure has {measure.size} "
                       "atoms (decided exactly over Q)", data.is_exact, details)


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
    # the end measures' text of a range read back from JSON (from_dict), written again as it
    # was (an irrational atom's ball text is not read back as a number)
    loaded_text: dict | None = field(default=None, compare=False, repr=False)

    @property
    def width(self):
        """``upper - lower``."""
        return self.upper - self.lower

    def to_dict(self) -> dict:
        """JSON-ready dictionary: the ends as doubles rounded outward (``lower``, ``upper``;
        ``"-inf"``/``"inf"`` where unbounded) and as exact values (``lower_exact``,
        ``upper_exact``), the measures at the ends."""
        from .._schema import exact_value

        def end(v, direction):  # an infinite end is exact too: {"exact": "inf", ...}
            if isinstance(v, float) and not math.isinf(v):
                return None
            return exact_value(v, direction)

        lo, hi = end(self.lower, -1), end(self.upper, 1)
        return _standard({"order": self.order,
                          "lower": float(self.lower) if lo is None else lo["float"],
                          "upper": float(self.upper) if hi is None else hi["float"],
                          "lower_exact": lo, "upper_exact": hi, "exact": self.exact,
                          "collapsed": self.collapsed,
                          "lower_measure": self._measure_text("lower"),
                          "upper_measure": self._measure_text("upper"),
                          "message": self.message})

    def _measure_text(self, end: str) -> dict | None:
        if self.loaded_text is not None:
            return self.loaded_text[end]
        return measure_text(getattr(self, f"{end}_measure"))

    @classmethod
    def from_dict(cls, data: dict) -> MomentRange:
        """The range of its :meth:`to_dict`: the ends exact (from ``lower_exact``,
        ``upper_exact``); the end measures where their atoms and weights are rationals
        (their text is kept in any case); ``feasibility`` is None (not in the JSON)."""
        from .._schema import number_of, read_exact

        def end(key):
            exact = data.get(f"{key}_exact")
            return read_exact(exact) if exact is not None else number_of(data[key])

        def measure(text):
            if text is None:
                return None
            if not all(_RATIONAL_TEXT.fullmatch(v) for v in text["atoms"] + text["weights"]):
                return None  # irrational atoms, written as decimals: kept as text only
            try:
                return DiscreteMeasure([Fraction(a) for a in text["atoms"]],
                                       [Fraction(w) for w in text["weights"]])
            except (ValueError, ZeroDivisionError, InputError):
                return None

        texts = {"lower": data["lower_measure"], "upper": data["upper_measure"]}
        return cls(end("lower"), end("upper"), measure(texts["lower"]),
                   measure(texts["upper"]), data["order"], data["exact"], data["collapsed"],
                   None, data["message"], texts)


_RATIONAL_TEXT = re.compile(r"-?[0-9]+(/[0-9]+)?")


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
    q = N + 1 if order is None else positive_int(order, "order")
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
        value = determinate_moment(feas, m, q)
        return MomentRange(value, value, feas.measure, feas.measure, q, True, True, feas,
                           "the moments determine the measure: the range is a point, exact "
                           "over Q (the recurrence of its atoms)")
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


def determinate_moment(feas: Feasibility, m: list, q: int) -> Fraction:
    r"""m_q (any q) of the unique measure of determinate moments ``m``, exactly.

    Its atoms are roots of the monic recurrence polynomial ``Q`` (degree k) that the moments
    satisfy, so :math:`m_q = -\sum_{i<k} Q_i m_{q-k+i}`: a rational even where the atoms are
    irrational."""
    Q = feas.details["recurrence"]
    k = Q.degree()
    seq = [RATIONALS.convert(v) for v in m]
    while len(seq) <= q:
        seq.append(-sum((Q[i] * seq[len(seq) - k + i] for i in range(k)), fmpq(0)))
    return to_fraction(seq[q])


def _end_measure(m: list, value, sup) -> DiscreteMeasure | None:
    ext = m + [_q(value)]
    feas = moment_feasible(ext, support=sup)
    return feas.measure if feas.determinate else None
