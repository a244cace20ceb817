"""A proved bound on how far a trained student extrapolates.

The student is a diagonal linear RNN (a, b, c), exact rationals (double parameters at their
binary value); its impulse response is the moment sequence of the signed measure
mu = sum_i b_i c_i delta_{a_i}. With mu = mu_+ - mu_- (the units of positive and of negative
weight) and eps_j = |m_j(mu_+) - h_hat_j| measured exactly on the lags j < N, every q has

    |h_q - h_hat_q| <= B_q + |m_q(mu_-)|,

where B_q bounds |m_q(nu) - h_hat_q| over every non-negative nu on an interval I within eps_j
of the teacher's moments: the R11 bound with per-moment errors, computed over Q (sup_I |s_q|
from certified critical points, or the 1-norm of s_q weighted by the powers of max |I| for long
q), and the SDP's proved outer ends on I (dual certificates checked over Q) where that is
tighter. A balanced student has mu_- = 0. R11's proof uses only that nu >= 0 lives on I, so any
I containing the student's atoms serves: [-1, 1] unless an atom lies outside it, then the
smallest interval with 6-decimal ends that contains the student's and the teacher's atoms.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .._format import upper_text
from .._limits import (
    MAX_CERTIFY_BITS,
    MAX_CERTIFY_SDP_ORDER,
    MAX_CERTIFY_UNITS,
    MAX_CERTIFY_WEIGHT_BITS,
    MAX_LAGS,
    MAX_LENGTH,
)
from .._output import _standard
from .._validate import nonnegative_int, positive_int
from ..errors import InputError, MomentRNNError, SolverError
from ._numbers import read_number
from .sdp import _round, _sup_abs_upper, extrapolation_range
from .truncated import moment_feasible, parse_support

__all__ = ["CertifiedOrder", "ExtrapolationCertificate", "R11Bounds", "certify_extrapolation"]

SDP_SOLVER = "CLARABEL"  # the SDP's solver here: interior point, a bounded number of steps
ROOTS_MAX = 80  # beyond this order sup|s_q| is bounded by the 1-norm (cheap, still proved)
# On a support reaching beyond this (a student atom far outside [-1, 1], a diverged run) sup|s_q|
# is bounded by the weighted 1-norm only and the SDP is not tried: the critical points of the
# mapped s_q and the scaled SDP cost minutes there, for bounds that the powers of the reach
# make astronomical anyway.
WIDE_REACH = 2


@dataclass(frozen=True)
class CertifiedOrder:
    """One order q: the student's exact error, the proved bound and which method proved it
    (``'measured'`` on the fitted lags; ``None`` bound where nothing was proved)."""

    q: int
    observed: float
    bound: Fraction | None
    method: str | None
    r11: Fraction | None
    sdp: Fraction | None


@dataclass(frozen=True)
class ExtrapolationCertificate:
    """The result of :func:`certify_extrapolation`.

    Attributes
    ----------
    length, lags : int
    complete : bool
        Every order below ``length`` has a proved bound.
    statement : str
        The inequality proved, in words.
    max_bound : Fraction
        The largest proved bound (exact; read back from JSON that could not write the
        fraction, its rounded-up double, a float).
    max_observed : float
        The student's largest error against the teacher.
    moment_errors : list of Fraction
        The exact errors of the student's non-negative part on the fitted lags.
    negative_units : int
        Units of negative weight (their moments are added to the bounds).
    notes : list of str
    rows : list of CertifiedOrder
    support : tuple of Fraction
        The interval on which the student's non-negative part lives and the bounds hold.
    student, teacher : str or None
        The student's file and the teacher, in words, where ``momentrnn certify`` records
        them.
    run_status : str or None
        The status of the flow run whose report the student was read from, where that run
        did not end as asked (``'diverged'``, ``'stalled'``, ``'max_steps'``,
        ``'left_invariant'``, ...): the bounds hold for the computed student that run left,
        not for a trained network, and ``statement`` says so first.
    """

    length: int
    lags: int
    complete: bool
    statement: str
    max_bound: Fraction
    max_observed: float
    moment_errors: list
    negative_units: int
    notes: list
    rows: list
    support: tuple = (Fraction(-1), Fraction(1))
    student: str | None = None
    teacher: str | None = None
    run_status: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready dictionary: every exact number as ``{"exact": text, "float": upper}``,
        the float rounded up (a bound stays a bound; ``inf`` beyond the largest double).
        ``"exact"`` is ``None`` when the fraction's numerator or denominator is too long to
        write (beyond about 4000 decimal digits); the float is given in any case. A number
        that is not finite is the string ``"inf"``, ``"-inf"`` or ``"nan"`` (standard JSON as
        it is)."""
        from .._schema import support_value

        def num(v):
            if isinstance(v, float):  # read back from a float alone: still not written exactly
                return {"exact": None, "float": v}
            return None if v is None else {"exact": _fraction_text(v), "float": _round(v, 1)}

        return _standard({
            "length": self.length, "lags": self.lags, "complete": self.complete,
            "statement": self.statement, "max_bound": num(self.max_bound),
            "max_observed": self.max_observed,
            "moment_errors": [num(e) for e in self.moment_errors],
            "negative_units": self.negative_units, "notes": list(self.notes),
            "support": support_value(self.support),
            "rows": [{"q": r.q, "observed": r.observed, "bound": num(r.bound),
                      "method": r.method, "r11": num(r.r11), "sdp": num(r.sdp)}
                     for r in self.rows],
            **{k: v for k, v in (("student", self.student), ("teacher", self.teacher),
                                 ("run_status", self.run_status)) if v is not None},
        })


    @classmethod
    def from_dict(cls, data: dict) -> ExtrapolationCertificate:
        """The certificate of its :meth:`to_dict` (or of a ``"certificate"`` output): every
        exact number read back exactly; where the fraction was too long to write
        (``"exact": null``), its rounded-up double as a float (still a bound, not an exact
        value: :meth:`to_dict` writes it with ``"exact": null`` again)."""
        from .._schema import number_of, read_exact, read_support

        def num(v):
            if v is not None and v.get("exact", "") is None:
                return float(number_of(v["float"]))
            return None if v is None else read_exact(v)

        rows = [CertifiedOrder(r["q"], number_of(r["observed"]), num(r["bound"]), r["method"],
                               num(r["r11"]), num(r["sdp"])) for r in data["rows"]]
        return cls(data["length"], data["lags"], data["complete"], data["statement"],
                   num(data["max_bound"]), number_of(data["max_observed"]),
                   [num(e) for e in data["moment_errors"]], data["negative_units"],
                   list(data["notes"]), rows, read_support(data["support"]),
                   data.get("student"), data.get("teacher"), data.get("run_status"))


@dataclass(frozen=True)
class CertificateRefused:
    """What ``momentrnn certify`` says when nothing is certified (kind
    ``"certificate_refused"``): the student file and the reason, in ``statement``."""

    student: str
    statement: str

    complete = False

    def to_dict(self) -> dict:
        """``{"student", "complete": false, "statement", "rows": []}``."""
        return {"student": self.student, "complete": False, "statement": self.statement,
                "rows": []}

    @classmethod
    def from_dict(cls, data: dict) -> CertificateRefused:
        """The refusal of its :meth:`to_dict`."""
        return cls(data["student"], data["statement"])


def _moments(atoms: list, weights: list, count: int) -> list[Fraction]:
    # over Q in python-flint (fmpq), as R11Bounds: Fraction's gcds of the growing powers
    # were seconds of a 1000-order certificate; the values returned are Fractions
    import flint

    out = [flint.fmpq(0)] * count
    for x, w in zip(atoms, weights):
        power, fx = _fq(Fraction(w)), _fq(Fraction(x))
        for j in range(count):
            out[j] += power
            power *= fx
    return [_fr(v) for v in out]


def _distance(u: Fraction, v: Fraction) -> Fraction:
    """``|u - v|``, exactly, subtracted in python-flint (no Fraction gcd of long numbers)."""
    return _fr(abs(_fq(u) - _fq(v)))


#: fractions whose numerator or denominator has more bits are not written out (about 3900
#: decimal digits: below the interpreter's default limit on integer-to-text conversion)
MAX_TEXT_BITS = 13_000


def _fraction_text(value: Fraction) -> str | None:
    """``str(value)``, or ``None`` when its numerator or denominator is too long to write."""
    if max(abs(value.numerator).bit_length(), value.denominator.bit_length()) > MAX_TEXT_BITS:
        return None
    return str(value)


class R11Bounds:
    """The R11 bound with per-moment errors, for q = 0, 1, 2, ..., exactly over Q.

    ``x^q = s_q p + r_q`` with ``p = prod (x - a_i)^2``; ``r_{q+1} = x r_q - c_q p`` with
    ``c_q`` the top coefficient of ``x r_q``, and ``s_q = sum_{t < q} c_t x^{q-1-t}``, so the
    1-norm of ``s_q`` is a running sum. On ``support`` (lo, hi) (default [-1, 1]),
    ``sup |s_q|`` is bounded by ``sum |c_t| M^(q-1-t)`` with ``M = max(|lo|, |hi|)`` (also a
    running sum), or by certified critical points of ``s_q`` mapped onto [-1, 1].

    The arithmetic is exact; each bound is then rounded up to ``BOUND_BITS`` significant bits
    (one below ``2^-1074`` is bounded by ``2^-1074``), and the critical points are those of
    ``s_q`` with its coefficients so rounded, the 1-norm of the difference added: upper
    bounds still, within about ``2^-60`` relative (plus ``2^-1074``) of the exact ones, whose
    numbers grow by the bits of the atoms at every order.
    """

    def __init__(self, atoms: list, eps: list,
                 support: tuple = (Fraction(-1), Fraction(1))) -> None:
        import flint

        self.flint = flint
        lo, hi = (Fraction(v) for v in support)
        self.reach = max(abs(lo), abs(hi))
        # x = mid + half * y maps y in [-1, 1] onto the support (the identity on [-1, 1])
        self.map = None if (lo, hi) == (-1, 1) else flint.fmpq_poly(
            [_fq((lo + hi) / 2), _fq((hi - lo) / 2)])
        p = flint.fmpq_poly([1])
        for x in atoms:
            p *= flint.fmpq_poly([_fq(-x), 1]) ** 2
        self.p = [_fr(p[k]) for k in range(p.degree() + 1)]
        self.n = len(self.p) - 1
        self.eps = eps[: self.n + 1]
        self.p_eps = sum(abs(c) * e for c, e in zip(self.p, self.eps))

    def bounds(self, count: int,
               deadline: float | None = None) -> list[tuple[Fraction, str]] | None:
        """``(bound, how)`` for q < ``count``; None when ``time.perf_counter()`` passes
        ``deadline`` (when given) before the last order: no bound is given for any order then.
        """
        # over Q in python-flint (fmpq): Fraction's gcd of the growing numbers took most of
        # a 1000-order certificate; the values returned are Fractions, the same numbers
        fq = self.flint.fmpq
        n = self.n
        zero = fq(0)
        r = [zero] * n
        if n:
            r[0] = fq(1)  # x^0 = 0 * p + 1
        p = [_fq(v) for v in self.p]
        eps = [_fq(v) for v in self.eps]
        p_eps, reach = _fq(self.p_eps), _fq(self.reach)
        out = []
        cs: list = []
        norm_s = zero
        for q in range(count):
            if deadline is not None and time.perf_counter() > deadline:
                return None
            if q >= n:
                s_bound, how = norm_s, "1-norm"
                if q <= ROOTS_MAX and cs and self.reach <= WIDE_REACH:
                    s_poly = self.flint.fmpq_poly(list(reversed(cs)))
                    if self.map is not None:
                        s_poly = s_poly(self.map)  # s_q(mid + half y), y in [-1, 1]
                    short, dropped = _short_poly(s_poly)  # sup |s| <= sup |short| + dropped
                    s_bound = min(_fq(_sup_abs_upper(short)) + dropped, norm_s)
                    how = "certified sup"
                value = sum((abs(c) * e for c, e in zip(r, eps)), zero) + s_bound * p_eps
                out.append((_fr(_round_up(value)), how))
            else:
                out.append((_fr(sum((abs(c) * e for c, e in zip(r, eps)), zero)),
                            "below 2d+1"))
            # r_{q+1} = x r_q - c p, c the coefficient of x^n in x r_q
            shifted = [zero] + r
            c = shifted[n]
            r = [shifted[k] - c * p[k] for k in range(n)]
            cs.append(c)
            # s_{q+1} = x s_q + c: its weighted 1-norm bounds sup |s_{q+1}| on the support
            norm_s = norm_s * reach + abs(c)
        return out


#: bounds are rounded up to this many significant bits, and a bound (or a dropped part of
#: s_q) below 2^-TINY_TAIL_BITS, the smallest double, is bounded by 2^-TINY_TAIL_BITS: the
#: exact values (a tiny teacher atom's powers) hold about B q bits at order q, and comparing
#: and adding those was most of a 1000-order certificate (1e-41: 39 s)
BOUND_BITS = 64
TINY_TAIL_BITS = 1074


def _round_up(value):
    """The fmpq ``value >= 0`` rounded up to ``BOUND_BITS`` significant bits (a dyadic), or
    ``2^-TINY_TAIL_BITS`` when it is below that and not 0; 0 stays 0."""
    import flint

    if value == 0:
        return value
    tiny = flint.fmpq(1, flint.fmpz(2) ** TINY_TAIL_BITS)
    if value <= tiny:
        return tiny
    num, den = value.p, value.q
    # 2^e <= value < 2^(e+1), so value * 2^shift lies in [2^63, 2^64) and its ceiling has
    # at most 64 bits (2^64 itself: one significant bit)
    e = num.bit_length() - den.bit_length()
    if (num if e >= 0 else num * flint.fmpz(2) ** -e) < (den * flint.fmpz(2) ** e if e >= 0
                                                          else den):
        e -= 1
    shift = BOUND_BITS - 1 - e
    if shift >= 0:
        top = -((-num * flint.fmpz(2) ** shift) // den)  # ceiling
        return flint.fmpq(top, flint.fmpz(2) ** shift)
    top = -((-num) // (den * flint.fmpz(2) ** -shift))
    return flint.fmpq(top * flint.fmpz(2) ** -shift, 1)


def _short_poly(s):
    """``(t, d)``: the fmpq_poly ``s`` with each coefficient rounded to ``BOUND_BITS``
    significant bits (to 0 below ``2^-TINY_TAIL_BITS``), and ``d``, an upper bound of the
    1-norm of ``s - t`` (so ``sup_[-1,1] |s| <= sup_[-1,1] |t| + d``) rounded up the same way.
    The rounded polynomial's roots are isolated at short coefficients."""
    import flint

    tiny = flint.fmpq(1, flint.fmpz(2) ** TINY_TAIL_BITS)
    coeffs, dropped = [], flint.fmpq(0)
    for k in range(s.degree() + 1):
        c = s[k]
        if abs(c) <= tiny:
            t = flint.fmpq(0)
        else:
            t = _round_up(abs(c))
            t = t if c > 0 else -t
        coeffs.append(t)
        dropped += abs(c - t)
    return flint.fmpq_poly(coeffs), _round_up(dropped)


def _fq(v: Fraction):
    import flint

    return flint.fmpq(v.numerator, v.denominator)


def _fr(v) -> Fraction:
    # an fmpq is in lowest terms with a positive denominator: no second gcd
    return Fraction(int(v.p), int(v.q), _normalize=False)


def check_powers(atoms: dict, length: int, where: str = "length",
                 weights: dict | None = None) -> None:
    """Refuse, before any power is taken, atoms whose exact powers ``x**q``, ``q < length``,
    hold more than ``MAX_CERTIFY_BITS`` bits together (``B length (length - 1) / 2`` for an
    atom of ``B`` bits), and weights (and the student's ``b``, ``c``) whose ``B`` bits, carried
    by each of the ``length`` moments, pass ``MAX_CERTIFY_WEIGHT_BITS`` (``B length``);
    ``atoms`` and ``weights`` map a name to the values, and a name holding ``{}`` is
    formatted with the value's index from 1 (else ``name[i]``)."""
    import math

    for name, values in (weights or {}).items():
        for i, x in enumerate(values or ()):
            label = name.format(i + 1) if "{}" in name else f"{name}[{i}]"
            bits = x.numerator.bit_length() + x.denominator.bit_length()
            if bits * length > MAX_CERTIFY_WEIGHT_BITS:
                e = (abs(x.numerator).bit_length() - x.denominator.bit_length()) * math.log10(2)
                raise InputError(
                    f"{label} (about {'-' if x < 0 else ''}1e{e:.0f}, {bits} bits as a "
                    f"fraction) is carried by each of the {length} moments certified: "
                    f"{bits * length} bits, more than the {MAX_CERTIFY_WEIGHT_BITS} certified "
                    f"exactly (every order compares them): round it to a double (at most "
                    f"{MAX_CERTIFY_WEIGHT_BITS // length} bits at this {where}), or give a "
                    f"smaller {where}")
    for name, values in atoms.items():
        for i, x in enumerate(values or ()):
            label = name.format(i + 1) if "{}" in name else f"{name}[{i}]"
            bits = x.numerator.bit_length() + x.denominator.bit_length()
            total = bits * length * (length - 1) // 2
            if total > MAX_CERTIFY_BITS:
                e = (abs(x.numerator).bit_length() - x.denominator.bit_length()) * math.log10(2)
                raise InputError(
                    f"{label} (about {'-' if x < 0 else ''}1e{e:.0f}, {bits} bits as a "
                    f"fraction) has powers x**q, q < {length}, of about {total} bits in all, "
                    f"more than the {MAX_CERTIFY_BITS} certified exactly (about 1e7 bits a "
                    f"second): rescale the atoms, or give a smaller {where}")


def _exact(values: Sequence | None, name: str) -> list[Fraction] | None:
    """Every value read exactly: a double (or numpy, mpmath number) at its binary value, ints,
    Fractions and decimal text as the rationals they are; a ball must have radius 0."""
    if values is None:
        return None
    if isinstance(values, (str, bytes)):
        raise InputError(f"{name} is the text {values!r}; pass a sequence of numbers")
    try:
        items = list(values)
    except TypeError:
        raise InputError(f"{name} is {values!r}; pass a sequence of numbers") from None
    out = []
    for i, v in enumerate(items):
        r = read_number(v, f"{name}[{i}]")
        if not r.is_real:
            raise InputError(f"{name}[{i}] = {v!r} is complex; the student and teacher are "
                             "real: pass real numbers")
        if r.kind in ("arb", "acb") and r.radius:
            raise InputError(f"{name}[{i}] = {v} is a ball of non-zero radius; a bound is "
                             "proved for exact values: pass the exact number (its midpoint "
                             "as a Fraction, if that is what is meant)")
        out.append(r.real)
    return out


def certify_extrapolation(a: Sequence, b: Sequence, c: Sequence, *,
                          teacher_atoms: Sequence | None = None,
                          teacher_weights: Sequence | None = None,
                          teacher_moments: Sequence | None = None, length: int, lags: int,
                          sdp_max_order: int = 24,
                          support: Sequence | None = None) -> ExtrapolationCertificate:
    r"""Prove a bound on :math:`|h_q - \hat h_q|` for every :math:`q <` ``length``.

    Parameters
    ----------
    a, b, c : sequences of numbers
        The diagonal student, exactly: its measure is :math:`\sum_i b_i c_i \delta_{a_i}`.
        Every value is read exactly and all arithmetic is over Q:
        ints, Fractions and decimal text as the rationals they are, doubles (also numpy and
        mpmath numbers) as the binary numbers they are.
    teacher_atoms, teacher_weights : sequences of numbers, optional
        The teacher measure (needed for R11), read exactly like the student.
    teacher_moments : sequence of numbers, optional
        The teacher's :math:`\hat h_0, \dots, \hat h_{Q-1}` instead (SDP only).
    length : int
        Orders :math:`q <` ``length`` are certified.
    lags : int
        The student's errors are measured exactly on :math:`j <` ``lags``.
    sdp_max_order : int
        The SDP is tried for :math:`q \le` this order (0: R11 only), except where the R11
        bound is already tight (equal to the student's own error, which no bound can beat);
        it runs Clarabel only, a bounded number of interior-point steps.
    support : pair of numbers, optional
        The interval ``(lo, hi)`` on which the bounds are proved; it must contain every atom
        of the student's non-negative part (R11 and the SDP bound measures on it) and the
        teacher's atoms. Default: :math:`[-1, 1]`, or, when an atom lies outside it, the
        smallest interval with ends of 6 decimals that contains the student's and the
        teacher's atoms (R11's proof holds on any interval that contains them; the bounds
        grow with the interval, about as :math:`\max(|lo|, |hi|)^q`). The certificate's
        ``support`` and a note say which was used.

    Returns
    -------
    ExtrapolationCertificate
        Exact bounds per order, which one proved each, and the statement proved.

    Raises
    ------
    InputError
        A ``support`` that does not contain the student's (non-negative part's) or the
        teacher's atoms, no teacher, too few teacher moments, or a value that is not a finite
        real number (complex, NaN, infinite, bool, not a number); ``sdp_max_order`` above
        ``MAX_CERTIFY_SDP_ORDER`` (32), or an atom whose exact powers below ``length`` hold
        more than ``MAX_CERTIFY_BITS`` bits (refused before any work).
    MomentRNNError
        A proved bound below the student's exact error (an internal inconsistency).
    """
    length = positive_int(length, "length", maximum=MAX_LENGTH,
                          hint="exact work grows with each order certified")
    lags = positive_int(lags, "lags", maximum=MAX_LAGS)
    a, b, c = _exact(a, "a"), _exact(b, "b"), _exact(c, "c")
    if len(a) > MAX_CERTIFY_UNITS:
        raise InputError(f"a has {len(a)} units, more than the {MAX_CERTIFY_UNITS} certified "
                         "at once (each unit's powers are bounded at every order): certify a "
                         "smaller student")
    if not len(a) == len(b) == len(c):
        raise InputError(f"a, b and c have {len(a)}, {len(b)} and {len(c)} entries; the "
                         "diagonal student needs one of each per unit")
    teacher_atoms = _exact(teacher_atoms, "teacher_atoms")
    if teacher_atoms is not None and len(teacher_atoms) > MAX_CERTIFY_UNITS:
        raise InputError(f"teacher_atoms has {len(teacher_atoms)} atoms, more than the "
                         f"{MAX_CERTIFY_UNITS} certified at once: give a smaller teacher")
    teacher_weights = _exact(teacher_weights, "teacher_weights")
    teacher_moments = _exact(teacher_moments, "teacher_moments")
    if (teacher_atoms is not None and teacher_weights is not None
            and len(teacher_atoms) != len(teacher_weights)):
        raise InputError(f"teacher_atoms has {len(teacher_atoms)} entries and teacher_weights "
                         f"{len(teacher_weights)}; give one weight per atom")
    sdp_max_order = nonnegative_int(sdp_max_order, "sdp_max_order",
                                    hint="the highest order bounded by the SDP")
    if sdp_max_order > MAX_CERTIFY_SDP_ORDER:
        raise InputError(f"sdp_max_order={sdp_max_order} is more than "
                         f"{MAX_CERTIFY_SDP_ORDER}, the highest order certified by the "
                         "semidefinite program (one SDP per order, about cubic in all: 64 took "
                         "34 s); give a lower sdp_max_order")
    check_powers({"a": a, "teacher_atoms": teacher_atoms}, length,
                 weights={"b": b, "c": c, "teacher_weights": teacher_weights})
    lo, hi = _support(support, a, b, c, teacher_atoms)
    if teacher_moments is not None:
        if len(teacher_moments) < length:
            raise InputError(f"teacher_moments has {len(teacher_moments)} values; length "
                             f"{length} needs h_0..h_{length - 1}")
        hat = teacher_moments[:length]
    else:
        if teacher_atoms is None or teacher_weights is None:
            raise InputError("no teacher: give teacher_atoms with teacher_weights, or "
                             "teacher_moments")
        hat = _moments(teacher_atoms, teacher_weights, length)
    if lags >= length:
        raise InputError(f"length {length} must exceed the number of lags {lags}")
    w = [bi * ci for bi, ci in zip(b, c)]
    pos = [(x, v) for x, v in zip(a, w) if v > 0]
    neg = [(x, -v) for x, v in zip(a, w) if v < 0]
    h = _moments(a, w, length)
    h_pos = _moments([x for x, _ in pos], [v for _, v in pos], length)
    h_neg = _moments([x for x, _ in neg], [v for _, v in neg], length)
    eps = [abs(h_pos[j] - hat[j]) for j in range(lags)]
    r11 = None
    if teacher_atoms and 2 * len(teacher_atoms) + 1 <= lags:
        r11 = R11Bounds(teacher_atoms, eps, (lo, hi)).bounds(length)
    sdp_note = ""
    # all errors 0 and the fitted lags determinate: every later order is an exact point
    exact_zero = not any(eps) and sdp_max_order >= lags and _determinate(hat[:lags])
    wide = max(-lo, hi) > WIDE_REACH
    rows = []
    for q in range(length):
        observed = _distance(h[q], hat[q])
        neg_q = abs(h_neg[q])
        if q < lags:
            rows.append({"q": q, "observed": observed, "bound": observed, "method": "measured",
                         "r11": None, "sdp": None})
            continue
        cands = {}
        if r11 is not None:
            cands["R11"] = r11[q][0] + neg_q
        # the student's non-negative part is itself within eps of the teacher, so no proved
        # bound on B_q is below |m_q(mu_+) - h_hat_q|: where R11 reaches it, it is tight and
        # the SDP cannot improve on it
        tight = "R11" in cands and cands["R11"] <= _distance(h_pos[q], hat[q]) + neg_q
        if q <= sdp_max_order and not tight and wide:
            sdp_note = (f"SDP not used: the support reaches {upper_text(max(-lo, hi), 6)}, beyond "
                        f"{WIDE_REACH} (R11 only, with the 1-norm of s_q)")
        elif q <= sdp_max_order and not tight:
            sdp = _sdp_bound(hat[:lags], eps, q, hat[q], exact_zero, (lo, hi))
            if isinstance(sdp, str):
                sdp_note = sdp
            else:
                cands["SDP"] = sdp + neg_q
        method = min(cands, key=cands.get) if cands else None
        bound = cands[method] if method else None
        if bound is not None and observed > bound:  # a proved bound cannot be beaten
            raise MomentRNNError(
                f"internal inconsistency: at q = {q} the student's |h_q - h_hat_q| = "
                f"{float(observed):.6e} exceeds the proved {method} bound {float(bound):.6e}; "
                "please report it")
        rows.append({"q": q, "observed": observed, "bound": bound, "method": method,
                     "r11": cands.get("R11"), "sdp": cands.get("SDP")})
    proved = [row for row in rows if row["bound"] is not None]
    complete = len(proved) == len(rows)
    max_bound = max(row["bound"] for row in proved)
    # rounding to nearest is monotone: the largest rounded error is the rounded largest one,
    # without comparing the exact errors (of about B q bits each for an atom of B bits)
    max_obs = max(_round(row["observed"], 0) for row in rows)
    last = max(row["q"] for row in proved)
    statement = (
        f"max_(q < {length}) |h_q - h_hat_q| <= {upper_text(max_bound, 7)}, proved"
        if complete else
        f"max_(q <= {last}) |h_q - h_hat_q| <= {upper_text(max_bound, 7)}, proved; orders "
        f"{last + 1}..{length - 1} are not certified (give the teacher's atoms for R11, or a "
        "larger sdp_max_order)")
    notes = []
    if (lo, hi) != (-1, 1):
        notes.append(f"proved on [{_decimal(lo)}, {_decimal(hi)}], an interval that contains "
                     "the student's atoms" + ("" if support is not None else
                                              " (one lies outside [-1, 1])")
                     + " and the teacher's: R11 and the SDP hold for measures on any such "
                     "interval, with bounds that grow with it")
    if neg:
        mass = _round(sum(v for _, v in neg), 0)
        notes.append(f"{len(neg)} unit(s) of negative weight (total {mass:.3e}): R11 and the "
                     "SDP bound the non-negative part; the others' moments are added")
    if r11 is None:
        notes.append("R11 not used: it needs the teacher's atoms and at least 2 d + 1 lags")
    if sdp_note:
        notes.append(sdp_note)

    return ExtrapolationCertificate(
        length=length, lags=lags, complete=complete, statement=statement,
        max_bound=max_bound, max_observed=_round(max_obs, 0), moment_errors=eps,
        negative_units=len(neg), notes=notes,
        rows=[CertifiedOrder(r["q"], _round(r["observed"], 0), r["bound"], r["method"], r["r11"],
                             r["sdp"]) for r in rows], support=(lo, hi))


SUPPORT_DECIMALS = 6  # the ends of a widened support: short rationals, outward


def _decimal(v: Fraction) -> str:
    """An end of a support as a short decimal (exact for the 6-decimal ends chosen here)."""
    if v.denominator == 1:
        return str(v.numerator)
    if 10**SUPPORT_DECIMALS % v.denominator == 0:
        text = f"{v.numerator * (10**SUPPORT_DECIMALS // v.denominator)}"
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        digits = digits.rjust(SUPPORT_DECIMALS + 1, "0")
        return f"{sign}{digits[:-SUPPORT_DECIMALS]}.{digits[-SUPPORT_DECIMALS:]}".rstrip("0")
    return str(v)


def _support(support, a: list, b: list, c: list, teacher_atoms: list | None
             ) -> tuple[Fraction, Fraction]:
    """The interval of the bounds: checked to contain the student's non-negative part and the
    teacher's atoms, or (``support`` None) [-1, 1] widened to contain them."""
    import math

    inside = [(f"student atom a[{i}]", x) for i, (x, bi, ci) in enumerate(zip(a, b, c))
              if bi * ci > 0]
    inside += [(f"teacher atom {i}", x) for i, x in enumerate(teacher_atoms or [])]
    if support is None:
        scale = 10**SUPPORT_DECIMALS
        lo = min([Fraction(-1)] + [x for _, x in inside])
        hi = max([Fraction(1)] + [x for _, x in inside])
        # outward to 6 decimals, so that the ends stay short rationals
        return (Fraction(math.floor(lo * scale), scale) if lo < -1 else lo,
                Fraction(math.ceil(hi * scale), scale) if hi > 1 else hi)

    lo, hi = parse_support(support)
    if not all(isinstance(v, Fraction) for v in (lo, hi)):
        raise InputError(f"support={support!r} must be a bounded interval (lo, hi)")
    for name, x in inside:
        if not lo <= x <= hi:
            raise InputError(
                f"{name} = {_shown(x)} lies outside support=[{_shown(lo)}, {_shown(hi)}]; "
                "the bounds hold for measures on the support: widen it to contain every "
                "atom, or omit support= to let the certificate choose one")
    return lo, hi


def _shown(x: Fraction) -> str:
    """A rational for a message: 17 significant digits, or its order of magnitude where float()
    would overflow."""
    if abs(x) < 2**1000:
        return f"{float(x):.17g}"
    import math  # by the bit lengths: no str() of an integer beyond Python's digit limit

    digits = (abs(x.numerator).bit_length() - x.denominator.bit_length()) * math.log10(2)
    return ("-" if x < 0 else "") + f"about 1e{digits:.0f}"


def _determinate(moments: list) -> bool:
    try:
        return moment_feasible(moments).determinate
    except MomentRNNError:
        return False


def _sdp_bound(moments: list, eps: list, q: int, target: Fraction, exact: bool = False,
               support: tuple = (-1, 1)) -> Fraction | str:
    """Proved max |m_q - target| over measures within the exact tolerances eps.

    The effort is bounded: Clarabel, at tight and then at default tolerances (at most a few
    hundred interior-point iterations each), not the first-order SCS fallback, whose 200,000
    iterations cost minutes where the problem is degenerate; a failure leaves that order to
    R11 and is noted. With ``exact`` (every error 0, determinate moments) the range is the
    exact point of the determinate measure."""
    try:
        r = extrapolation_range(moments, tolerance=list(eps), order=q, support=support,
                                solver="auto" if exact else SDP_SOLVER)
    except SolverError as exc:
        return f"SDP at q = {q} not used: {str(exc)[:160]}"
    except MomentRNNError as exc:
        return f"SDP at q = {q} not used: {str(exc)[:160]}"
    if r.certified_lower is None or r.certified_upper is None:
        return f"SDP at q = {q} not used: no proved ends"
    return max(r.certified_upper - target, target - r.certified_lower)
