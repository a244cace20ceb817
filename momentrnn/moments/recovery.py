r"""Recovering a discrete measure from its moments, with the accuracy it can vouch for.

The entry point is :func:`recover_measure`. Whatever the arithmetic, a returned atom or weight
is either certified (ball arithmetic on the exact rational values of the data and, for rounded
data, a Krawczyk test that the enclosures hold for every sequence within the data's accuracy)
or compared with such a certified computation before any digit is vouched for.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

import flint
import mpmath
import numpy as np

from .._limits import MAX_DPS, MAX_ESCALATION_BITS, MAX_RECOVERY_DIGITS, MAX_SINGULAR_VALUES
from .._output import _standard
from .._validate import finite, positive_int, shown
from ..errors import (
    DataAccuracyError,
    IllConditionedError,
    InputError,
    NotPositiveError,
    PrecisionExhaustedError,
    RankError,
)
from ..precision import (
    Ball,
    Exact,
    Precision,
    as_precision,
    bits_to_digits,
    digits_to_bits,
    flint_precision,
)
from . import _ball
from ._arith import SignUndecided
from ._data import (
    MomentData,
    parse_moments,
    parse_number_text,
    require_exact,
    require_trackable_scale,
)
from ._numbers import is_sympy
from ._scalars import global_mp, mpf_from_man_exp, to_mp
from .algebraic import AlgebraicNumber, field_moments, radical_text_ball
from .hankel import (
    HankelRank,
    _exact_rank,
    hankel_rank,
    log10_cond_lower_bound,
    resolved_singular_values,
    with_singular_values,
)
from .measure import DiscreteMeasure, power_sums
from .methods import RecoveryMethod, as_monomial, method_named

__all__ = ["Recovery", "Status", "recover_measure", "prony", "matrix_pencil", "gauss_rule"]

MAX_BITS = MAX_ESCALATION_BITS  # the table: momentrnn._limits
MAX_DIGITS = MAX_RECOVERY_DIGITS  # the table: momentrnn._limits
MAX_ROUNDS = 8

class Status(StrEnum):
    """What a recovery achieved; each member says so in words (:attr:`explanation`).

    The members compare equal to their values, so ``r.status == 'ok'`` works: ``OK``
    (``'ok'``), ``DATA_LIMITED``, ``PRECISION_EXHAUSTED``, ``ILL_CONDITIONED``,
    ``RANK_AMBIGUOUS`` and ``INCONSISTENT`` (each value is the name in lower case).

    Attributes
    ----------
    explanation : str
        The status in words.
    error : type
        The exception ``throw=True`` raises for it (``type(None)`` for ``OK``).

    Examples
    --------
    >>> Status.DATA_LIMITED == "data_limited"
    True
    >>> Status.DATA_LIMITED.explanation
    'the data do not carry enough digits for the requested accuracy'
    >>> Status.INCONSISTENT.error.__name__
    'RankError'
    """

    OK = "ok"
    DATA_LIMITED = "data_limited"
    PRECISION_EXHAUSTED = "precision_exhausted"
    ILL_CONDITIONED = "ill_conditioned"
    RANK_AMBIGUOUS = "rank_ambiguous"
    INCONSISTENT = "inconsistent"

    def __repr__(self) -> str:  # shown as the plain string it compares equal to
        return repr(self.value)

    @property
    def explanation(self) -> str:
        """The status in words."""
        return _EXPLANATION[self]

    @property
    def error(self) -> type:
        """The exception ``throw=True`` raises for this status."""
        return _ERROR[self]


_EXPLANATION = {
    Status.OK: "recovered to the vouched digits",
    Status.DATA_LIMITED: "the data do not carry enough digits for the requested accuracy",
    Status.PRECISION_EXHAUSTED: "raising the precision up to its cap did not reach the target",
    Status.ILL_CONDITIONED: "the working precision is too low for this problem",
    Status.RANK_AMBIGUOUS: "the rank cannot be decided from the data",
    Status.INCONSISTENT: "no measure of this rank has moments within the data's accuracy "
                         "(proved)",
}
_ERROR = {
    Status.OK: type(None),
    Status.DATA_LIMITED: DataAccuracyError,
    Status.PRECISION_EXHAUSTED: PrecisionExhaustedError,
    Status.ILL_CONDITIONED: IllConditionedError,
    Status.RANK_AMBIGUOUS: RankError,
    Status.INCONSISTENT: RankError,
}


@dataclass(frozen=True)
class Recovery:
    """The result of :func:`recover_measure`: the measure and the evidence for it.

    Attributes
    ----------
    measure : DiscreteMeasure or None
        Recovered atoms and weights (``None`` only when nothing could be computed).
    rank : int
        Number of atoms.
    digits : float
        Correct significant digits vouched for, normwise relative to the largest atom and to
        the largest weight (the smaller of the two); ``inf`` for exact results.
    cond : float
        Spectral condition number of the ``rank x rank`` Hankel matrix (for a fixed precision
        refused before the work, a proved lower bound, which the message says).
    predicted_loss : float
        Digits the problem was predicted to lose, ``log10(cond)``.
    residual : mpmath.mpf
        ``max_j |m_j(measure) - m_j|`` over all supplied moments (in the basis they are
        written in), computed with the returned numbers at high precision; exactly ``0``
        for an exact result whose moments were compared with the data over Q.
    singular_values : tuple
        Singular values of the Hankel matrix used to decide the rank (empty when a proved
        bound of the condition number refused the precision before they were computed).
    rank_evidence : HankelRank or None
        The rank decision with its evidence (``None`` when the rank was given and not checked).
    precision : Precision
        The arithmetic of the returned numbers (for ``digits=`` requests, the final ball
        precision).
    data_digits : float
        Relative digits the moments carry (``inf`` when exact).
    method : str
        The recovery method used.
    status : Status
        ``'ok'``, ``'data_limited'``, ``'precision_exhausted'``, ``'ill_conditioned'``,
        ``'rank_ambiguous'`` or ``'inconsistent'`` (a :class:`Status`, which compares equal
        to these strings; ``status.explanation`` says it in words).
    message : str
        What happened and, if not ok, how to fix it.
    enclosure : DiscreteMeasure or None
        Ball enclosures (python-flint ``arb``/``acb``) of the atoms and weights when a
        certified computation was made.
    atom_digits, weight_digits : tuple of float or None
        Correct digits vouched for each atom and each weight relative to its own magnitude
        (the smallest magnitude the true value can have, so they hold for it), in the order
        of ``measure``; 0 where nothing is vouched, ``None`` when no measure was computed or
        the status is ``inconsistent``.
        The normwise ``digits`` can be much larger than the smallest of these: a tiny weight
        next to large ones has fewer correct digits of its own.
    """

    measure: DiscreteMeasure | None
    rank: int
    digits: float
    cond: float
    predicted_loss: float
    residual: object
    singular_values: tuple
    rank_evidence: HankelRank | None
    precision: Precision
    data_digits: float
    method: str
    status: Status
    message: str
    enclosure: DiscreteMeasure | None = None
    atom_digits: tuple | None = None
    weight_digits: tuple | None = None
    # the atoms' and weights' vouched text of a result read back from JSON (from_dict): what
    # was written, shown again as it was (the values in ``measure`` are read from it)
    loaded_text: tuple | None = field(default=None, compare=False, repr=False)
    # how many moments given as decimal text look like rounded doubles (the command line
    # counts them; None where nobody did)
    decimals_look_rounded: int | None = field(default=None, compare=False, repr=False)
    # the enclosure as it was written, of a result read back from JSON (python-flint rounds
    # a radius up by a unit when it makes the ball: the balls read hold the ones written,
    # and to_dict writes these again)
    loaded_balls: dict | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        """True when ``status == 'ok'``."""
        return self.status == "ok"

    @property
    def atoms(self) -> tuple:
        """Shortcut for ``measure.atoms``."""
        return self.measure.atoms if self.measure is not None else ()

    @property
    def weights(self) -> tuple:
        """Shortcut for ``measure.weights``."""
        return self.measure.weights if self.measure is not None else ()

    def vouched_text(self) -> tuple[list[str], list[str]]:
        """Atoms and weights as decimal text showing only the vouched (normwise) digits.

        Each part of a value is written to the absolute position ``10^-digits`` times the
        largest magnitude of its group (atoms, weights); ``"?"`` where no digit is vouched;
        ``"0"`` for a value proved exactly zero (its own digits infinite). A result read
        back from JSON shows the text it was written with.
        """
        if self.loaded_text is not None:
            return list(self.loaded_text[0]), list(self.loaded_text[1])
        if self.measure is None:
            return [], []
        from .._format import format_number, magnitude

        ctx = mpmath.MPContext()
        ctx.prec = 64
        a_scale = max(magnitude(a, ctx) for a in self.atoms)
        w_scale = max(magnitude(w, ctx) for w in self.weights)
        def text(values, scale, per_value):
            # a value proved exact (its own digits infinite) that is zero is written ``0``,
            # never as zeros down to the normwise position, which read as a rounded value
            flags = [math.isinf(d) for d in per_value] if per_value else [False] * len(values)
            return ["0" if flag and v == 0 else format_number(v, self.digits, scale)
                    for v, flag in zip(values, flags)]

        return (text(self.atoms, a_scale, self.atom_digits),
                text(self.weights, w_scale, self.weight_digits))

    def to_dict(self) -> dict:
        """JSON-ready dictionary: atoms and weights with only their vouched digits (text),
        digit counts as numbers, ``None`` where exact (with the flags ``exact``,
        ``data_exact``, and the parallel lists ``atom_exact``, ``weight_exact``) or absent.

        Atoms and weights are decimal text written to the normwise accuracy: each part down to
        the last decimal position above the error bound ``10^-digits`` times the largest
        magnitude of its group, a part below that bound as ``0`` (``"-0.4+0j"``). An atom or
        weight with no vouched digit (``digits`` 0) is the string ``"?"``, never a number.
        The conventions are :mod:`momentrnn._schema`'s (kind ``"recovery"``): the dictionary
        is JSON as it is, a number that is not finite (an infinite gap of the rank evidence,
        a NaN residual) the string ``"inf"``, ``"-inf"`` or ``"nan"``. Where the result has
        ball enclosures, ``enclosure`` holds them exactly (``{"mid": "p/q", "rad": "p/q"}``
        per atom and weight, ``{"re": ..., "im": ...}`` for a complex one). An exact result
        with an algebraic atom or weight also has ``atom_forms`` and ``weight_forms``: per
        atom and weight ``null`` where it is rational, else its
        :meth:`AlgebraicNumber.exact_form` (minimal polynomial, integer coefficients lowest
        degree first, and a box of decimal texts isolating the root).
        """
        from .._schema import digits_list, double, measure_balls

        atoms, weights = self.vouched_text()
        exact = math.isinf(self.digits)
        atom_digits, atom_exact = digits_list(self.atom_digits)
        weight_digits, weight_exact = digits_list(self.weight_digits)
        return _standard({
            "status": str(self.status),
            "message": self.message,
            "rank": self.rank,
            "digits": None if exact else self.digits,
            "exact": exact,
            "method": self.method,
            "precision": repr(self.precision),
            "cond": self.cond,
            "predicted_loss": self.predicted_loss,
            "residual": double(self.residual),
            "data_digits": None if math.isinf(self.data_digits) else self.data_digits,
            "data_exact": math.isinf(self.data_digits),
            "atoms": atoms,
            "weights": weights,
            "atom_digits": atom_digits,
            "atom_exact": atom_exact,
            "weight_digits": weight_digits,
            "weight_exact": weight_exact,
            "rank_evidence": None if self.rank_evidence is None else self.rank_evidence.to_dict(),
            **({} if self.decimals_look_rounded is None
               else {"decimals_look_rounded": self.decimals_look_rounded}),
            **_exact_forms(self.measure if exact else None),
            **({} if self.enclosure is None
               else {"enclosure": self.loaded_balls or measure_balls(self.enclosure)}),
        })

    @classmethod
    def from_dict(cls, data: dict) -> Recovery:
        """The result of its :meth:`to_dict` (or of a ``"recovery"`` output): the measure
        holds the values of the vouched text (exactly, as decimals; an algebraic number of
        degree 3 or more, ``"root of ... in [...]"``, as the AlgebraicNumber it names),
        ``None`` where an atom or weight has no vouched digit. An exact measure is rebuilt
        exactly from ``atom_forms``/``weight_forms`` (per value null for a rational text, or
        the minimal polynomial and an isolating box of an algebraic one, each checked to
        isolate one root and to agree with its text: InputError naming the field where not);
        a document without them whose text is in square roots (``"sqrt(3)/3"``, which is
        never evaluated as code) loads with measure ``None`` and the reason appended to the
        message (the text is kept for :meth:`vouched_text`);
        ``singular_values`` are the evidence's; ``enclosure`` the balls written
        (``"enclosure"``: each midpoint exactly, each radius as written or one unit of
        python-flint's radius above it, so that each ball holds the one written), or None
        where none was."""
        from .._schema import number_of, precision_from_text, read_digits_list, read_measure_balls

        def value(text):
            if text.startswith("root of "):  # an algebraic number of degree >= 3, exactly
                return AlgebraicNumber.from_root_text(text)
            re_, im = parse_number_text(text, "a vouched atom or weight")
            return re_ if im == 0 else complex(re_, im)

        atoms, weights = list(data["atoms"]), list(data["weights"])
        forms = _read_exact_forms(data, atoms, weights)
        measure, unread = None, ""
        if forms is not None:
            measure = DiscreteMeasure(*forms)
        elif atoms and "?" not in atoms + weights:
            try:
                measure = DiscreteMeasure([value(a) for a in atoms],
                                          [value(w) for w in weights])
            except InputError:  # exact algebraic text ('sqrt(3)/3'): kept as text only
                measure = None
                unread = ("; loaded without its measure: the document gives its algebraic "
                          "atoms or weights as text only (no atom_forms/weight_forms to "
                          "rebuild them from exactly)")
        evidence = data.get("rank_evidence")
        evidence = None if evidence is None else HankelRank.from_dict(evidence)
        return cls(
            measure=measure, rank=data["rank"],
            digits=math.inf if data["exact"] else number_of(data["digits"]),
            cond=number_of(data["cond"]), predicted_loss=number_of(data["predicted_loss"]),
            residual=number_of(data["residual"]),
            singular_values=() if evidence is None else evidence.singular_values,
            rank_evidence=evidence, precision=precision_from_text(data["precision"]),
            data_digits=(math.inf if data.get("data_exact", data["data_digits"] is None)
                         else number_of(data["data_digits"])),
            method=data["method"], status=Status(data["status"]),
            message=data["message"] + ("" if unread in data["message"] else unread),
            atom_digits=read_digits_list(data["atom_digits"], data.get("atom_exact")),
            weight_digits=read_digits_list(data["weight_digits"], data.get("weight_exact")),
            enclosure=read_measure_balls(data.get("enclosure")),
            loaded_balls=data.get("enclosure"),
            loaded_text=(tuple(atoms), tuple(weights)),
            decimals_look_rounded=data.get("decimals_look_rounded"))


def _exact_forms(measure) -> dict:
    """``{"atom_forms": [...], "weight_forms": [...]}`` of an exact measure with an
    algebraic atom or weight: per atom and weight ``None`` where it is rational (its text is
    exact), else the :meth:`AlgebraicNumber.exact_form` (minimal polynomial and isolating
    box) that :meth:`Recovery.from_dict` rebuilds it from; ``{}`` where the measure is not
    exact or all rational."""


    def form(v):
        if isinstance(v, (int, Fraction)) or (is_sympy(v) and v.is_Rational):
            return None
        if isinstance(v, AlgebraicNumber):
            return None if v.rational_value is not None else v.exact_form()
        if is_sympy(v):
            return AlgebraicNumber.from_sympy(v).exact_form()
        raise TypeError

    if measure is None:
        return {}
    try:
        forms = {"atom_forms": [form(a) for a in measure.atoms],
                 "weight_forms": [form(w) for w in measure.weights]}
    except TypeError:
        return {}
    # rational values only: their text is exact and loads as it is
    return forms if any(f is not None for v in forms.values() for f in v) else {}


def _read_exact_forms(data: dict, atoms: list, weights: list) -> tuple | None:
    """The exact atoms and weights that ``atom_forms``/``weight_forms`` describe, each
    checked against its text; ``None`` where the document has no such fields.

    Raises
    ------
    InputError
        Naming the field, when a form is malformed, does not isolate a root, or disagrees
        with the atom's or weight's text."""


    if "atom_forms" not in data and "weight_forms" not in data:
        return None
    out = []
    for key, texts in (("atom_forms", atoms), ("weight_forms", weights)):
        forms = data.get(key)
        if not isinstance(forms, list) or len(forms) != len(texts):
            raise InputError(f"{key} must be a list with one entry (null or an exact form) per "
                             f"{key.split('_')[0]}, {len(texts)} in all; got {str(forms)[:80]}")
        values = []
        for i, (text, form) in enumerate(zip(texts, forms)):
            where = f"{key}[{i}]"
            if not isinstance(text, str):
                raise InputError(f"{where}: its text {text!r} is not a string")
            if form is None:
                try:
                    re_, im = parse_number_text(text, where)
                except InputError:
                    raise InputError(f"{where} is null but the text {text[:80]!r} is not an "
                                     "exact rational; give its exact form") from None
                values.append(Fraction(re_) if im == 0 else complex(re_, im))
                continue
            number = AlgebraicNumber.from_exact_form(form, where)
            if text.startswith("root of "):
                same = AlgebraicNumber.from_root_text(text) == number
            else:
                try:
                    re_, im = parse_number_text(text, where)
                    same = im == 0 and number == Fraction(re_)
                except InputError:
                    bits = 128
                    try:
                        ball = radical_text_ball(text, bits)
                    except InputError as err:
                        raise InputError(f"{where}: the text {err}") from None
                    with flint_precision(bits):
                        same = flint.acb(number.enclosure(bits)).overlaps(ball)
            if not same:
                raise InputError(f"{where} and its text {text[:80]!r} disagree: the form "
                                 "names another number; the document is inconsistent")
            values.append(number)
        out.append(values)
    return out[0], out[1]


def digit_list(values) -> list | None:
    """Per-component digits for a table: ints, ``"exact"`` for infinite, ``None`` if absent
    (JSON output uses :func:`momentrnn._schema.digits_list`)."""
    if values is None:
        return None
    return ["exact" if math.isinf(v) else int(v) for v in values]


# ----------------------------------------------------------------------------------------


def _validate(data: MomentData, rank: object, basis: str) -> None:
    if basis not in ("monomial", "chebyshev"):
        raise InputError(f"basis={basis!r} is not known; use 'monomial' or 'chebyshev'")
    if basis == "chebyshev" and not data.is_real:
        raise InputError("Chebyshev-basis moments must be real")
    require_trackable_scale(data)
    if data.all_zero:
        raise InputError(
            "all moments are zero: these are the moments of the zero measure, which has no "
            "atoms to recover"
        )
    if data.count % 2:
        raise InputError(
            f"got {data.count} moments, an odd number; recovery uses m_0..m_(2N-1): drop the "
            f"last moment or supply one more"
        )
    if rank is not None:
        positive_int(rank, "rank")
        if 2 * rank > data.count:
            raise RankError(
                f"rank={rank} needs 2*rank = {2 * rank} moments, got {data.count}; "
                f"supply more moments or a rank <= {data.count // 2}"
            )


def _log10_cond(sv: list) -> float:
    """log10 of sigma_max / sigma_min without overflow (``inf`` when singular)."""
    if sv[-1] == 0:
        return math.inf
    ctx = mpmath.MPContext()
    ctx.prec = 64
    return float(ctx.log10(ctx.mpmathify(sv[0])) - ctx.log10(ctx.mpmathify(sv[-1])))


def _decide_rank(data: MomentData, rank: int | None, precision: Precision | None,
                 progress=None, values: bool = True):
    """Return (rank, evidence) or raise/flag; evidence None when rank was given for exact data.

    ``values=False`` leaves the singular values out of exact evidence (the rank over Q needs
    none; :func:`_conditioning` adds them unless the precision is refused first)."""
    if rank is not None and data.count == 2 * rank:
        return int(rank), None
    if data.is_exact and not values:
        size = (data.count + 1) // 2
        if progress is not None:
            progress(f"rank of the {size}x{size} Hankel matrix in {Exact()}")
        evidence = _exact_rank(data, size, Exact(), values=False)
    elif data.is_exact:
        evidence = hankel_rank(data, precision=Exact(), progress=progress)
    else:
        prec = None if precision is None or precision.exact else precision
        evidence = hankel_rank(data, precision=prec, progress=progress)
    if rank is None:
        return evidence.rank, evidence
    if evidence.verdict == "exact" and rank > evidence.rank:
        # proved over Q; a numerical rank ('clear') is no proof that more atoms are absent
        raise RankError(
            f"rank={rank} is larger than the data can identify: the Hankel matrix has exact "
            f"rank {evidence.rank} ({evidence.message}); pass rank={evidence.rank} or rank=None"
        )
    return int(rank), evidence


@dataclass
class _Certified:
    sol: _ball.BallSolution | None
    digits: float  # normwise digits of the enclosures (which hold every admissible sequence)
    data_limit: float  # digits the data allow (inf until more precision stops helping)
    bits: int
    proved: bool = True  # False: the balls hold the measure of the midpoints only
    stalled: bool = False  # True: raising the precision added no whole digit


def _certify(data: MomentData, n: int, method: RecoveryMethod, basis: str, target: float,
             start_bits: int, escalate: bool, progress=None) -> _Certified:
    """Enclosures of the measure for every moment sequence within the data's radii.

    The measure of the given (exact rational) values is enclosed in ball arithmetic, exactly
    over Q where the method allows. For rounded data a Krawczyk test then proves a box that
    holds the measure of every sequence within the radii, so the enclosures are rigorous for
    the data as they may truly be, with no linearisation. The precision is raised by the
    digits still missing while that helps; for rounded data it stops helping once the
    enclosures are as wide as the data make them (the status is then ``data_limited``).
    """
    bits = max(start_bits, 64)
    cap = min(MAX_BITS, max(8 * bits, digits_to_bits(4 * target + 200)))
    last: _Certified | None = None
    midpoints = data if data.is_exact else MomentData(data.real, data.imag, (0.0,) * data.count)
    for _ in range(MAX_ROUNDS if escalate else 1):
        try:
            if progress is not None:
                progress(f"certifying {n} atoms by {method.name} in ball arithmetic at {bits} "
                         "bits")
            try:
                sol = method.run_ball(midpoints, n, bits, basis)
            except (NotPositiveError, RankError, InputError) as exc:
                if data.is_exact:
                    raise  # about the exact data themselves: a proved verdict
                if isinstance(exc, NotPositiveError):
                    _ball.raise_if_not_positive(data, n, basis)
                # about the midpoints of rounded data only: no verdict on the true moments
                last = _Certified(None, 0.0, 0.0, bits, False)
                break
            if not all(b.is_finite() for b in list(sol.atoms) + list(sol.weights)):
                raise _ball.NeedPrecision("unbounded enclosure")
            if not data.is_exact:
                enclosed = _ball.krawczyk_enclosure(data, sol, basis, bits)
                if enclosed is None:
                    # no box holds the measures of every sequence within the radii: the data
                    # cannot tell the atoms apart; more precision does not change that
                    last = _Certified(sol, 0.0, 0.0, bits, False)
                    break
                sol = enclosed
        except _ball.NeedPrecision:
            if last is not None and last.sol is not None:
                break  # an earlier round succeeded; more precision does not separate more
            limit = 0.0 if not data.is_exact and bits >= 2 * start_bits else math.inf
            last = _Certified(None, 0.0, limit, bits)
            if not escalate or bits >= cap:
                break
            bits = min(cap, 2 * bits)
            continue
        got = min(_ball.relative_digits(sol.atoms), _ball.relative_digits(sol.weights))
        previous = last.digits if last is not None and last.sol is not None else None
        limit = math.inf
        if not data.is_exact and previous is not None and got < previous + 1:
            limit = got  # more precision no longer helps: the data's radius dominates
        last = _Certified(sol, got, limit, bits, stalled=limit < math.inf)
        if got >= target or not escalate or bits >= cap or limit < math.inf:
            break
        # raise the precision by the digits still missing, plus a margin
        bits = min(cap, bits + digits_to_bits(target - got + 10))
    assert last is not None
    if not data.is_exact and last.sol is not None and last.digits < target and \
            last.data_limit == math.inf and bits >= cap:
        last.data_limit = last.digits
    return last


def _to_mp_value(b):
    """The midpoint of a ball as an exact mpmath number."""
    if isinstance(b, flint.arb):
        man, exp = b.mid().man_exp()
        return mpf_from_man_exp(man, exp)
    re, im = _to_mp_value(b.real), _to_mp_value(b.imag)
    return mpmath.mp.make_mpc((re._mpf_, im._mpf_))


def _residual(data: MomentData, measure: DiscreteMeasure, bits: int, basis: str = "monomial"):
    """max_j |m_j(measure) - m_j| with the returned numbers, in a local mpmath context, the
    moments written in ``basis`` as the data are."""
    ctx = mpmath.MPContext()
    ctx.prec = bits + 64
    x = [to_mp(a, ctx) for a in measure.atoms]
    w = [to_mp(v, ctx) for v in measure.weights]
    target = data.as_mp(ctx)
    if basis == "chebyshev":
        # T_0 = 1, T_1 = x, T_{j+1} = 2x T_j - T_{j-1}
        prev, cur = [ctx.mpf(0)] * len(x), [ctx.mpf(1)] * len(x)
        moments = []
        for j in range(data.count):
            moments.append(ctx.fsum(wi * t for wi, t in zip(w, cur)))
            prev, cur = cur, [(xi if j == 0 else 2 * xi) * c - (0 if j == 0 else p)
                              for xi, c, p in zip(x, cur, prev)]
    else:
        moments = power_sums(x, w, data.count, ctx.fsum)
    worst = max(abs(m - t) for m, t in zip(moments, target))
    return global_mp(worst)


def _agreement(atoms: list, weights: list, cert: _Certified
               ) -> tuple[float, list[float], list[float]]:
    """Digits of (atoms, weights) vouched by comparison with the certified enclosure.

    Each approximate atom is paired with the nearest certified atom; the error bound is the
    distance to the enclosure's midpoint plus its radius (the enclosure already holds the
    measure of every sequence within the data's accuracy). The differences are taken in a
    local mpmath context ``cert.bits + 64`` bits wide and enlarged by a relative ``2**-40`` for
    their own rounding. Returns the normwise digits (the smaller of atoms and weights) and the
    digits of each atom and weight relative to its own magnitude, in the order of ``atoms``.
    Magnitudes are proved lower bounds of the true ones (``|mid| - rad`` of the enclosure),
    and both digit counts are lower bounds, so flooring them never rounds a digit up.
    """
    sol = cert.sol
    assert sol is not None
    n = len(atoms)
    if len(sol.atoms) != n or len(weights) != n or not cert.proved:
        return 0.0, [0.0] * n, [0.0] * n
    ctx = mpmath.MPContext()
    ctx.prec = cert.bits + 64
    ref_atoms = [ctx.mpmathify(_to_mp_value(x)) for x in sol.atoms]
    ref_weights = [ctx.mpmathify(_to_mp_value(x)) for x in sol.weights]
    free = set(range(n))
    idx = []
    for a in atoms:
        z = ctx.mpmathify(a)
        j = min(free, key=lambda k: abs(ref_atoms[k] - z))
        free.discard(j)
        idx.append(j)
    normwise, each = [], []
    slack = 1 + ctx.ldexp(1, -40)
    for approx, refs, balls in ((atoms, ref_atoms, sol.atoms),
                                (weights, ref_weights, sol.weights)):
        rads = [ctx.mpmathify(_rad(balls[j])) for j in idx]
        errs = [(abs(ctx.mpmathify(a) - refs[j]) + r) * slack
                for a, j, r in zip(approx, idx, rads)]
        # the digits are relative to the true value, which can be as small as |mid| - rad
        lows = [(abs(refs[j]) - r) / slack for j, r in zip(idx, rads)]
        if all(refs[j] == 0 for j in idx):
            normwise.append(_digits_of(ctx, max(errs), None))  # absolute
        else:
            normwise.append(_digits_of(ctx, max(errs), max(lows)))
        each.append([_digits_of(ctx, e, m) if refs[j] else (0.0 if e else math.inf)
                     for e, m, j in zip(errs, lows, idx)])
    return min(normwise), each[0], each[1]


def _digits_of(ctx, err, scale) -> float:
    """``-log10(err / scale)`` clipped at 0; ``inf`` when ``err`` is 0; absolute when
    ``scale`` is None, and 0 digits when it is not positive (a lower bound of a magnitude
    that proves nothing)."""
    if err == 0:
        return math.inf
    if not ctx.isfinite(err):
        return 0.0
    if scale is None:
        scale = 1
    elif not scale > 0:
        return 0.0
    ratio = err / scale
    if ctx.prec > 4096:
        # a count of digits, not a value: a logarithm at 100 000 digits took most of a
        # minute (pure-Python mpmath); at 128 bits it is exact to far below one part in
        # 1e30, and the margin taken off (1e-9 of it) keeps the count a lower bound
        low = mpmath.MPContext()
        low.prec = 128
        d = float(-low.log10(low.mpf(ratio)))
        return max(0.0, d - 1e-9 * max(1.0, abs(d)))
    return max(0.0, float(-ctx.log10(ratio)))


def _rad(b):
    """The radius of a ball as an exact mpmath number (no double-range limits)."""
    if isinstance(b, flint.arb):
        return _to_mp_value(flint.arb(b.rad()))
    return _to_mp_value(flint.arb(b.real.rad())) + _to_mp_value(flint.arb(b.imag.rad()))


def _floor_digits(d: float) -> float:
    """Whole vouched digits: ``d`` is a lower bound, so it is floored with no slack upwards
    (4.9999999 is 4 digits, not 5)."""
    return d if math.isinf(d) else float(math.floor(d))


def recover_measure(
    moments: object,
    *,
    rank: int | None = None,
    method: str = "auto",
    precision: Precision | None = None,
    digits: float | None = None,
    data_digits: float | None = None,
    data_error: object = None,
    basis: str = "monomial",
    throw: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Recovery:
    r"""Recover a discrete measure :math:`\sum_i w_i \delta_{x_i}` from its moments.

    Parameters
    ----------
    moments : sequence of numbers
        :math:`m_0, \dots, m_{2N-1}` (an even number). Exact types (int, ``Fraction``, decimal
        strings, ``flint.fmpq``, sympy ``Rational``) are used exactly; floats carry about 16
        digits, mpmath numbers their mantissa, python-flint balls their radius.
    rank : int, optional
        Number of atoms. By default the rank of the Hankel matrix (exact for exact data, from
        the singular values and the noise floor otherwise). More than ``2 * rank`` moments are
        fitted in the least-squares sense.
    method : {'auto', 'prony', 'pencil', 'gauss'}
        Prony (Hankel kernel, polynomial roots, weights), matrix pencil (generalised
        eigenvalues of the shifted Hankel pair) or Gauss rule (Chebyshev algorithm and
        Golub-Welsch; positive measures only). ``'auto'`` is Prony, or the SVD pencil in
        double precision; for rounded Chebyshev-basis moments it is the Gauss rule (the only
        method that uses them without the ill-conditioned change to power moments).
    precision : Exact, MP, Ball or Float64, optional
        Arithmetic of the computation. ``None`` (default) means: choose it from ``digits``.
        An ``MP`` or ``Float64`` that carries no more digits than the problem is predicted
        to lose (``log10`` of the Hankel condition number, for power moments) is refused
        before any work, with status ``'ill_conditioned'``; a proved lower bound of the
        condition number, in exact arithmetic, settles that before any eigenvalue is computed.
        A ``Ball(dps)`` whose enclosures vouch for no digit is not ``'ok'``: it is
        ``'ill_conditioned'`` (raise dps) or, when it carries more digits than the data plus
        the predicted loss, ``'data_limited'``; the enclosures are kept in ``enclosure``.
    digits : float, optional
        Target accuracy. The digits the problem loses are predicted from the Hankel condition
        number, the working precision is chosen from that, the result is certified in ball
        arithmetic and the precision escalated until ``digits`` correct digits are delivered
        or the data cannot deliver them. Default 15 when ``precision`` is ``None``; that
        default is no requirement: rounded moments that determine fewer digits (more precision
        no longer adds any) give the digits they determine with status ``'ok'`` when there is
        at least one, where an explicit ``digits=`` gives ``'data_limited'``.
    data_digits : float, optional
        Normwise accuracy of the moments in decimal digits, overriding what their types imply:
        every moment is within ``10**-data_digits * max_j |m_j|`` of the true moment.
    data_error : float or sequence of floats, optional
        Absolute accuracy of each moment (one number for all, or one per moment), for errors
        that are not normwise (e.g. measured moments with individual error bars).
    basis : {'monomial', 'chebyshev'}
        Power moments, or Chebyshev-T moments :math:`\int T_k d\mu` on [-1, 1].
    throw : bool
        Raise on failure (default). With ``False`` a :class:`Recovery` with a non-ok status and
        all diagnostics is returned instead.
    progress : callable, optional
        Called with a short description as each stage starts (rank decision, singular values,
        each certification round, residual): a sign of life for large problems.

    Returns
    -------
    Recovery

    Raises
    ------
    InputError, RankError, NotPositiveError, PrecisionMismatchError
        Bad input (raised whatever ``throw`` says); also more than ``MAX_SINGULAR_VALUES``
        (100) atoms to recover, or an exact Hankel matrix of more than ``MAX_EXACT_HANKEL``
        (1500) rows, refused before their eigenproblems.
    DataAccuracyError, PrecisionExhaustedError, IllConditionedError
        The requested accuracy cannot be delivered (only with ``throw=True``).

    Notes
    -----
    Prony's method (:eq:`eq-prony`): the coefficients of the monic polynomial
    :math:`p(x) = \prod_i (x - x_i)` solve :math:`\sum_k c_k m_{i+k} = -m_{i+n}`; its roots are
    the atoms, and :math:`w_i = N(x_i)/p'(x_i)` (:eq:`eq-lagrange-weights`). The vouched digits
    are ``-log10`` of the normwise relative error bound; see the docs chapter on precision.

    Examples
    --------
    >>> from fractions import Fraction
    >>> m = [Fraction(2, j + 1) if j % 2 == 0 else 0 for j in range(6)]   # Lebesgue on [-1, 1]
    >>> r = recover_measure(m, digits=30)
    >>> r.rank, r.digits >= 30, r.status
    (3, True, 'ok')
    >>> print(mpmath.nstr(r.measure.sorted().atoms[2], 25))
    0.7745966692414833770358531
    """
    options = dict(method=method, precision=precision, digits=digits, data_digits=data_digits,
                   data_error=data_error, basis=basis, progress=progress)
    try:
        problem = _prepare(moments, rank=rank, **options)
    except (RankError, NotPositiveError) as exc:
        data = parse_moments(moments, data_digits=data_digits, data_error=data_error)
        if rank is not None or basis == "monomial" or data.is_exact:
            raise
        found = _lower_chebyshev_rank(moments, data.count // 2, str(exc), options, progress)
        if found is None:
            raise
        problem, outcome = found
    else:
        outcome = problem.early or _compute(problem, progress)
        if (rank is None and problem.basis != "monomial" and not problem.data.is_exact
                and outcome.status != Status.OK):
            problem, outcome = _lower_chebyshev_rank(
                moments, problem.n, outcome.message, options, progress) or (problem, outcome)
    proofs = []
    # A rank the package chose is raised while the data are proved to fit no measure with that
    # many atoms (a later moment outside the certified range of every n-atom fit): the
    # verdict 'inconsistent' belongs to a rank the user asked for, or to no rank at all.
    while (rank is None and outcome.status == Status.INCONSISTENT and problem.witness is None
           and 2 * (problem.n + 1) <= problem.mono.count):
        proofs.append(outcome.message.split("; pass a larger rank")[0])
        if progress is not None:
            progress(f"raising the rank to {problem.n + 1}: {outcome.message}")
        problem = _prepare(moments, rank=problem.n + 1, **options)
        outcome = problem.early or _compute(problem, progress)
    if proofs:
        outcome.message += (f"; rank {problem.n}, raised from the rank the singular values "
                            f"suggest because " + "; ".join(proofs))
    if rank is None and not problem.data.is_exact and outcome.status == Status.OK:
        outcome.message += (
            f"; rank {problem.n} is the number of atoms the data's accuracy resolves: a measure "
            "with more atoms, closer together or lighter than that, has moments within the "
            f"accuracy too, and the digits are those of the {problem.n}-atom measure")
    return _finish(problem, outcome, throw, progress)


def _lower_chebyshev_rank(moments, top: int, why: str, options: dict, progress):
    """Rounded Chebyshev moments are first read as a Gauss rule with count/2 nodes; where that
    is not certified, the largest smaller rank whose recovery is certified ``ok`` is taken (it
    proves that many distinct atoms with non-zero weights for every sequence within the data's
    accuracy); ``None`` when there is none (the first outcome then stands)."""
    failed = f"rank {top} was not certified ({why})"
    for n in range(top - 1, 0, -1):
        if progress is not None:
            progress(f"trying rank {n}: {failed}")
        try:
            lower = _prepare(moments, rank=n, **options)
        except (RankError, NotPositiveError):
            continue
        result = lower.early or _compute(lower, progress)
        if result.status == Status.OK:
            result.message += f"; {failed}"
            return lower, result
    return None


# ---------------------------------------------------------------------------- stages


@dataclass
class _Outcome:
    """What a computation produced, before sorting, notes and the residual."""

    measure: DiscreteMeasure | None
    digits: float
    atom_digits: list | None
    weight_digits: list | None
    status: Status
    message: str
    used: Precision
    enclosure: DiscreteMeasure | None = None
    res_bits: int = 256
    # the moments of the measure were compared with the data exactly and are equal
    exact_residual: bool = False


@dataclass
class _Problem:
    """The validated input, the rank with its evidence, and the conditioning."""

    data: MomentData
    mono: MomentData
    basis: str
    method: RecoveryMethod
    prec: Precision | None
    target: float | None
    n: int
    evidence: HankelRank | None
    witness: object = None
    loss: float = math.inf
    cond: float = math.inf
    svals: tuple = ()
    early: _Outcome | None = None
    start_bits: int = 64
    square: MomentData | None = field(default=None)
    requested: bool = True  # False: the default target of digits=None, not the user's
    refusable: bool = False  # a fixed precision the conditioning alone may refuse
    loss_bound: bool = False  # True: loss and cond are proved lower bounds, nothing more

    @property
    def over(self) -> bool:
        return self.mono.count > 2 * self.n


def _prepare(moments, *, rank, method, precision, digits, data_digits, data_error, basis,
             progress) -> _Problem:
    """Read and validate the input, decide the rank, look for inconsistency proofs, and
    estimate the conditioning (raises for bad input)."""
    data = parse_moments(moments, data_digits=data_digits, data_error=data_error)
    _validate(data, rank, basis)
    if isinstance(digits, (np.integer, np.floating)) and not isinstance(digits, np.bool_):
        digits = digits.item()  # a numpy number as the Python number it holds
    given = digits
    if isinstance(digits, (int, Fraction)) and not isinstance(digits, bool) or (
            isinstance(digits, Decimal) and digits.is_finite()):
        # compared exactly first: its float may overflow, or round to inf or to 0
        if digits > MAX_DIGITS:
            raise InputError(f"digits={shown(given)} is more than this package computes (at "
                             f"most {MAX_DIGITS}); ask for fewer digits")
        if not digits > 0:
            raise InputError(f"digits={shown(given)} must be a positive finite number, e.g. "
                             "digits=30")
        if not isinstance(digits, int):
            digits = float(digits)  # an exact count of digits, as the float it is compared as
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, (int, float))):
        raise InputError(f"digits={shown(digits)} must be a positive finite number (got a "
                         f"{type(digits).__name__}; pass an int or a float), e.g. digits=30")
    if digits is not None and (not digits > 0 or not finite(digits)):
        raise InputError(f"digits={shown(given)} must be a positive finite number, e.g. "
                         "digits=30")
    if digits is not None and digits > MAX_DIGITS:
        raise InputError(f"digits={shown(given)} is more than this package computes (at most "
                         f"{MAX_DIGITS}); ask for fewer digits")
    prec = None if precision is None else as_precision(precision)
    if prec is not None and prec.exact:
        require_exact(data)
    if method == "auto" and basis != "monomial" and not data.is_exact:
        # rounded modified moments are used as they are only by the modified Chebyshev
        # algorithm (their change to power moments is ill-conditioned)
        method = "gauss"
    meth = method_named(method, prec)
    if meth.positive_only and not data.is_real:
        raise NotPositiveError(f"method={meth.name!r} needs real moments of a positive measure")
    if basis != "monomial" and meth.power_moments and not data.is_exact:
        raise InputError(
            f"inexact Chebyshev-basis moments cannot be used with method={meth.name!r} (the "
            "change to power moments is ill-conditioned); pass exact values or method='gauss'"
        )
    target = float(digits) if digits is not None else (15.0 if prec is None else None)

    mono = as_monomial(data, basis) if data.is_exact else data
    if basis == "chebyshev" and not data.is_exact and rank is None:
        # Power-moment Hankel matrices of rounded Chebyshev moments are meaningless: the Gauss
        # rule with count/2 nodes is what the modified moments determine.
        rank = data.count // 2
    if progress is not None and not (rank is not None and mono.count == 2 * rank):
        progress(f"deciding the rank from {mono.count} moments")
    # a fixed MP or Float64 precision that the problem exhausts is refused before the work
    # (_compute_fixed); a proved bound of the condition number may settle that first
    refusable = prec is not None and prec.rounded and (basis == "monomial" or meth.power_moments)
    n, evidence = _decide_rank(mono, rank, prec, progress, values=not refusable)
    problem = _Problem(data, mono, basis, meth, prec, target, n, evidence)
    problem.refusable = refusable
    problem.requested = digits is not None
    if rank is None and evidence is not None and evidence.verdict == "ambiguous":
        problem.early = _Outcome(None, 0.0, None, None, Status.RANK_AMBIGUOUS,
                                 evidence.message, prec or Ball(20))
        problem.svals = evidence.singular_values
        return problem
    if n == 0:
        if data.is_exact:
            size = evidence.size if evidence is not None else 1
            raise RankError(
                f"the {size}x{size} Hankel matrix of these exact moments is zero ("
                + ("m_0 = 0" if size == 1 else f"m_0 = ... = m_{2 * size - 2} = 0")
                + ") while later moments are not, so they are not the moments of a measure "
                f"that {mono.count} moments can identify (one with n atoms has "
                "m_0..m_(2n-2) not all zero): supply more moments"
            )
        msg = (f"no atom can be told apart from zero: {evidence.message if evidence else ''}; "
               "the moments are indistinguishable from those of the zero measure at their "
               "accuracy: supply more accurate moments")
        problem.early = _Outcome(None, 0.0, None, None, Status.DATA_LIMITED, msg,
                                 prec or Ball(20))
        problem.svals = evidence.singular_values if evidence else ()
        return problem
    # A rank decided from the singular values can be below what the data prove: look for a
    # proof that no measure with n atoms fits, and raise n while there is one.
    if mono.count > 2 * n and (basis == "monomial" or data.is_exact):
        witness_bits = 64 + digits_to_bits(15 + 0.8 * n)
        witness = _ball.inconsistency_witness(mono, n, witness_bits)
        while witness is not None and rank is None and 2 * (n + 1) <= mono.count:
            n += 1
            witness = (_ball.inconsistency_witness(mono, n, witness_bits + 8)
                       if mono.count > 2 * n else None)
        problem.n, problem.witness = n, witness
    _conditioning(problem, rank, progress)
    working = problem.loss + (target if target is not None else 20) + 10
    problem.start_bits = digits_to_bits(working) + 32
    if bits_to_digits(problem.start_bits) > MAX_DPS and not (prec is not None and prec.exact):
        _refuse_working_digits(data, problem.loss, bits_to_digits(problem.start_bits))
    problem.square = data.head(2 * n) if problem.over and basis == "monomial" else data
    return problem


def _refuse_working_digits(data: MomentData, loss: float, digits: float) -> None:
    """Refuse, before any ball work, moments whose spread needs more working digits than
    ``MAX_DPS``, naming the moment of largest size (by its size: its digits may be many)."""
    sizes = [max(abs(q.p).bit_length() - q.q.bit_length(), q.q.bit_length() - 1
                 - abs(q.p).bit_length()) if q != 0 else 0 for q in data.real]
    j = max(range(len(sizes)), key=sizes.__getitem__)
    q = data.real[j]
    e = (abs(q.p).bit_length() - q.q.bit_length()) * math.log10(2)
    raise InputError(
        f"moment {j} (about {'-' if q < 0 else ''}1e{e:.0f}) makes these moments' Hankel "
        f"matrix lose about {loss:.0f} digits, so recovering their atoms needs about "
        f"{digits:.0f} working digits, more than the {MAX_DPS} this package works at (the "
        "limit of MP and Ball); scale the moments (m_j / c**j brings atoms of size c near 1) "
        "or pass precision=Exact()")


def _conditioning(problem: _Problem, rank, progress) -> None:
    """log10 of the condition number of H_n (reusing the rank decision's singular values).

    Where a fixed precision may be refused, a proved lower bound of the condition number in
    exact arithmetic comes first: when it already exceeds what the precision carries, it is
    the loss reported, and no eigen-decomposition is made (singular values left empty)."""
    n, evidence = problem.n, problem.evidence
    start = 64 + digits_to_bits(15 + 0.8 * n)
    if n > MAX_SINGULAR_VALUES:  # before any eigenproblem at thousands of bits
        raise InputError(
            f"recovering {n} atoms is more than the {MAX_SINGULAR_VALUES} this package "
            f"recovers (the condition of the {n}x{n} Hankel matrix and the atoms are "
            "eigenproblems at thousands of bits, cubic in the number of atoms): "
            + (f"the {evidence.size}x{evidence.size} Hankel matrix has exact rank "
               f"{evidence.rank}; " if evidence is not None and evidence.verdict in
               ("exact", "full") else "")
            + f"pass rank= of at most {MAX_SINGULAR_VALUES}, or supply fewer moments")
    if problem.refusable and not (evidence is not None and evidence.size == n
                                  and evidence.singular_values):
        if progress is not None:
            progress(f"bounding the condition number of the {n}x{n} Hankel matrix")
        bound = log10_cond_lower_bound(problem.mono, n)
        if bound is None and problem.mono.is_exact:  # singular over Q: proved
            # (for rounded data only the values as given are: decided below as before)
            raise _singular_error(n, rank)
        if bound is not None and bound >= problem.prec.carried_digits:  # type: ignore[union-attr]
            problem.loss, problem.loss_bound, problem.svals = bound, True, ()
            problem.cond = 10.0 ** (bound - 1e-9) if bound < 308 else math.inf
            return
        if bound is not None:  # start where the smallest singular value is resolved
            start = max(start, 64 + digits_to_bits(bound + 15))
        if evidence is not None and not evidence.singular_values:
            evidence = problem.evidence = with_singular_values(
                evidence, problem.mono, start if evidence.size == n else None)
    if evidence is not None and evidence.size == n and all(v > 0 for v in
                                                            evidence.singular_values):
        sv_rank = list(evidence.singular_values)
    else:
        if progress is not None:
            progress(f"singular values of the {n}x{n} Hankel matrix")
        sv_rank, _ = resolved_singular_values(problem.mono, n, start)
    loss = _log10_cond(sv_rank)
    if not math.isfinite(loss):
        raise _singular_error(n, rank)
    problem.loss = loss
    problem.cond = 10.0**loss if loss < 308 else math.inf
    problem.svals = evidence.singular_values if evidence is not None else tuple(sv_rank)


def _singular_error(n: int, rank) -> RankError:
    return RankError(
        f"the {n}x{n} Hankel matrix of the moments is singular, so they are not the moments "
        f"of a measure with {n} distinct atoms and non-zero weights; "
        + ("pass rank=None to find the rank, or a smaller rank" if rank is not None else
           "supply more moments")
    )


def _compute(problem: _Problem, progress) -> _Outcome:
    """Dispatch once on the arithmetic."""
    if problem.prec is not None and problem.prec.exact:
        return _compute_exact(problem)
    if problem.prec is None or problem.prec.encloses:
        return _compute_certified(problem, progress)
    return _compute_fixed(problem, progress)


def _compute_exact(problem: _Problem) -> _Outcome:
    data, n, prec = problem.data, problem.n, problem.prec
    if problem.witness is not None:
        return _Outcome(None, 0.0, None, None, Status.INCONSISTENT, "", prec)
    atoms, weights = problem.method.run_exact(data, n, problem.basis)
    measure = DiscreteMeasure(atoms, weights)
    # every exact result reproduces all the data: checked over Q on the Prony polynomial by
    # run_exact, and here once more on the returned numbers where they form complete fields
    # (power moments of the measure against the power moments of the data, in any basis)

    back = field_moments(atoms, weights, problem.mono.count)
    if back is not None and (len(back) != problem.mono.count or
                             any(b != m for b, m in zip(back, problem.mono.real))):
        raise AssertionError("exact recovery does not reproduce its moments")
    msg = ("exact: the moments of the returned measure equal the data exactly"
           + ("" if problem.basis == "monomial" else f" (in the {problem.basis} basis)"))
    return _Outcome(measure, math.inf, [math.inf] * n, [math.inf] * n, Status.OK, msg, prec,
                    res_bits=digits_to_bits(40 + 2 * problem.loss),
                    exact_residual=back is not None)


def _compute_certified(problem: _Problem, progress) -> _Outcome:
    """Ball arithmetic, escalated to the target (``precision=None``) or at a fixed Ball."""
    data, n, prec, meth, loss = problem.data, problem.n, problem.prec, problem.method, problem.loss
    target = problem.target
    fixed = prec is not None  # a given Ball(dps); None: escalated to the target
    bits = prec.bits if fixed else problem.start_bits  # type: ignore[union-attr]
    cert = _certify(problem.square, n, meth, problem.basis, target or 0.0, bits,
                    escalate=not fixed, progress=progress)
    used = Ball(max(5, int(bits_to_digits(cert.bits))))
    # rounded data limit what a fixed Ball can vouch for when it carries more digits than
    # the data plus the loss; otherwise the precision does (and raising it may help)
    data_bound = not data.is_exact and (not fixed or used.dps > data.digits + loss + 10)
    need = int(loss + (target or 15) + 10)
    if cert.sol is None:
        if data_bound:
            return _Outcome(None, 0.0, None, None, Status.DATA_LIMITED,
                            _unseparated_message(data, n, loss), used)
        msg = (f"{meth.name} could not separate the atoms at {used.dps} digits; the problem "
               f"loses about {loss:.0f} digits (cond {problem.cond:.2e}): raise dps to at least "
               f"{need}")
        return _Outcome(None, 0.0, None, None, Status.ILL_CONDITIONED, msg, used)
    enclosure = DiscreteMeasure(cert.sol.atoms, cert.sol.weights) if cert.proved else None
    missed = _unmatched_moment(problem, cert)
    if missed is not None:
        return missed
    got = cert.digits
    atom_d, weight_d = _cert_component_digits(cert)
    if fixed and enclosure is not None:
        measure = enclosure
    else:
        atoms_l = [_to_mp_value(a) for a in cert.sol.atoms]
        weights_l = [_to_mp_value(w) for w in cert.sol.weights]
        if problem.over and not data.is_exact:
            fit = _ball_fit(data, n, meth, problem.basis, cert.bits)
            if fit is not None:
                fit_got, fit_a, fit_w = _agreement(fit[0], fit[1], cert)
                # the least-squares fit of all moments is returned only where it is at least
                # as well confirmed as the certified solution of the first 2n moments
                if fit_got >= got:
                    atoms_l, weights_l = fit
                    got, atom_d, weight_d = fit_got, fit_a, fit_w
        measure = DiscreteMeasure(atoms_l, weights_l)
    got = _floor_digits(got)
    status, msg = _status(data, cert, got, target, loss, used, problem.requested)
    if not cert.proved and data_bound:
        status, msg = Status.DATA_LIMITED, _unseparated_message(data, n, loss)
    elif not cert.proved:
        status, msg = Status.ILL_CONDITIONED, (
            f"{meth.name} at {used} did not separate the {n} atoms for every moment sequence "
            f"within the data's accuracy ({data.digits:.1f} digits), so no digit is vouched "
            f"for; the problem loses about {loss:.0f} digits (cond {problem.cond:.2e}): raise "
            f"dps to at least {need}")
    elif fixed and got < 1 and status == Status.OK:
        # enclosures that vouch for no digit are true, but no success: say what limits them
        status, msg = (Status.DATA_LIMITED, (
            f"the enclosures at {used} hold the measure of every moment sequence within the "
            f"data's accuracy but vouch for no digit, and {used} carries more than the data's "
            f"{data.digits:.0f} digits plus the {loss:.0f} the problem loses: supply more "
            "accurate moments (the enclosures are kept in .enclosure)")) if data_bound else (
            Status.ILL_CONDITIONED, (
                f"the enclosures at {used} hold the measure but vouch for no digit: the problem "
                f"loses about {loss:.0f} digits (cond {problem.cond:.2e}): raise dps to at "
                f"least {need} (the enclosures are kept in .enclosure)"))
    return _Outcome(measure, got, atom_d, weight_d, status, msg, used, enclosure,
                    res_bits=cert.bits)


def _compute_fixed(problem: _Problem, progress) -> _Outcome:
    """Double or mpmath arithmetic, then compared with a certified computation."""
    data, n, prec, meth, loss = problem.data, problem.n, problem.prec, problem.method, problem.loss
    target = problem.target
    ar = prec.arithmetic()
    # the condition number of the power-moment Hankel matrix predicts the loss before any work
    # where the method works on power moments: a working precision that it exhausts leaves no
    # digit that a certified computation could confirm (modified moments, as the Gauss rule
    # takes them in the Chebyshev basis, can be far better conditioned)
    carried = prec.carried_digits
    if loss >= carried and (problem.basis == "monomial" or meth.power_moments):
        note = ""
        if meth.positive_only and not _ball.raise_if_not_positive(data, n, problem.basis):
            # a proved non-positive H_n was raised above; rounded data may leave it open
            note = (f"; whether H_{n} is positive definite is not decided at the data's "
                    "accuracy")
        estimate = (f"at least {math.floor(loss)} digits (cond of H_{n} >= "
                    f"{_down(loss)}, a proved lower bound)" if problem.loss_bound else
                    f"about {loss:.0f} digits (cond of H_{n} = {problem.cond:.2e})")
        return _Outcome(None, 0.0, None, None, Status.ILL_CONDITIONED,
                        f"not computed: the problem is predicted to lose {estimate}, at least "
                        f"the {carried:.0f} that {prec} carries, so no digit of a {prec} result "
                        f"could be expected to survive: use MP({int(loss + (target or 15) + 10)})"
                        f" or digits=" + note, prec)
    # methods on power moments get them whatever basis the (then exact) data are written in
    power = meth.power_moments and problem.basis != "monomial"
    m = ar.recovery_values(problem.mono if power else data)
    check_target = ar.confirm_digits
    try:
        atoms_l, weights_l = ar.run_method(meth, m, n, "monomial" if power else problem.basis)
    except (IllConditionedError, RankError, NotPositiveError, ZeroDivisionError,
            np.linalg.LinAlgError, ValueError) as exc:
        return _numerical_failure(problem, exc)
    if progress is not None:
        progress(f"checking the {prec} result against a certified computation")
    certifier = method_named(meth.certifier)
    cert = _certify(problem.square, n, certifier, problem.basis, check_target,
                    digits_to_bits(loss + check_target + 10) + 32, escalate=True)
    if cert.sol is None:
        got, atom_d, weight_d = 0.0, [0.0] * n, [0.0] * n
    else:
        got, atom_d, weight_d = _agreement(atoms_l, weights_l, cert)
    got = _floor_digits(got)
    measure = DiscreteMeasure(atoms_l, weights_l)
    missed = _unmatched_moment(problem, cert)
    if missed is not None:
        return missed
    if cert.sol is not None and not cert.proved:
        return _Outcome(measure, 0.0, atom_d, weight_d, Status.DATA_LIMITED,
                        _unseparated_message(data, n, loss), prec)
    if target is not None and got < target:
        status = Status.DATA_LIMITED if cert.data_limit < target else Status.ILL_CONDITIONED
        msg = (f"{meth.name} in {prec} gives {got:.0f} correct digits, fewer than the "
               f"{target:g} requested; the problem loses about {loss:.0f} digits (cond "
               f"{problem.cond:.2e})" + ("" if status == Status.DATA_LIMITED else
                                         f": use MP({int(loss + target + 10)}) or "
                                         f"digits={target:g}"))
        return _Outcome(measure, got, atom_d, weight_d, status, msg, prec)
    if got < 1:
        msg = (f"no digit of the {prec} result is confirmed by the certified computation "
               f"(the problem loses about {loss:.0f} digits, cond {problem.cond:.2e}): use "
               "digits= or a higher precision")
        return _Outcome(measure, got, atom_d, weight_d, Status.ILL_CONDITIONED, msg, prec)
    msg = f"{got:.0f} digits confirmed against a certified computation"
    return _Outcome(measure, got, atom_d, weight_d, Status.OK, msg, prec,
                    res_bits=digits_to_bits(check_target + loss) + 64)


def _unmatched_moment(problem: _Problem, cert: _Certified) -> _Outcome | None:
    """An ``inconsistent`` outcome when rounded overdetermined data are proved to fit no
    measure with n atoms, else ``None``.

    The proved enclosure holds the n-atom measure of every admissible sequence of the first
    2n moments (a measure with n distinct atoms and non-zero weights is the only one with its
    first 2n moments), so if the enclosure of a later moment, in the data's basis, misses that
    moment's ball, no n-atom measure has moments within the data's accuracy. Exact data are
    decided over Q before (the witness of ``_prepare``).
    """
    data, n = problem.data, problem.n
    if (data.is_exact or not problem.over or problem.witness is not None or cert.sol is None
            or not cert.proved or len(cert.sol.atoms) != n):
        return None
    with _ball._prec(cert.bits):
        moments, _ = _ball._moment_map(list(cert.sol.atoms), list(cert.sol.weights),
                                       data.count, problem.basis)
        given = data.as_ball(with_radius=True)
        for j in range(2 * n, data.count):
            if not moments[j].overlaps(given[j]):
                return _Outcome(
                    None, 0.0, None, None, Status.INCONSISTENT,
                    f"no measure with {n} atoms has moments within the data's accuracy: "
                    f"every such measure that fits m_0..m_{2 * n - 1} within their accuracy "
                    f"lies in a certified enclosure whose moment {j} ({problem.basis} basis) "
                    f"lies in {moments[j].str(20, more=True)}, which misses the given "
                    f"{given[j].str(20, more=True)}; "
                    "pass a larger rank, or data_digits=/data_error= if the moments are less "
                    "accurate than that", problem.prec or Ball(20))
    return None


def _down(log10_value: float) -> str:
    """``10**log10_value`` in three significant digits, rounded down (a lower bound stays
    one: the margin covers the rounding of the double arithmetic)."""
    low = log10_value - 1e-9
    exponent = math.floor(low)
    lead = math.floor(10.0 ** (low - exponent) * 100) / 100
    return f"{lead:.2f}e{exponent:+03d}"


def _numerical_failure(problem: _Problem, exc: Exception) -> _Outcome:
    """A fixed-precision computation that broke down: a status, unless the exact data prove
    the same verdict (then it is raised as the input error it is)."""
    data, prec, meth = problem.data, problem.prec, problem.method
    proved = False
    if isinstance(exc, SignUndecided):
        # a rounded computation proves nothing about positivity: decide it exactly, or for
        # every sequence within the data's radii
        proved = _ball.raise_if_not_positive(data, problem.n, problem.basis)
    if isinstance(exc, SignUndecided) and not data.is_exact and not proved:
        return _Outcome(None, 0.0, None, None, Status.DATA_LIMITED,
                        f"{meth.name} in {prec} met a Hankel matrix that is not positive "
                        "definite after rounding, and whether the true moments give one is not "
                        "decided at their accuracy: supply more accurate moments, use "
                        "method='prony', or a smaller rank", prec)
    return _Outcome(None, 0.0, None, None, Status.ILL_CONDITIONED,
                    f"{meth.name} in {prec} broke down ({exc}); the problem loses about "
                    f"{problem.loss:.0f} digits: use digits= or a higher precision", prec)


def _finish(problem: _Problem, out: _Outcome, throw: bool, progress) -> Recovery:
    """Apply an inconsistency proof, sort, add notes, raise or compute the residual."""
    data = problem.data
    measure, enclosure = out.measure, out.enclosure
    got, atom_d, weight_d = out.digits, out.atom_digits, out.weight_digits
    status, message = Status(out.status), out.message
    if problem.witness is not None:
        status, message, got = Status.INCONSISTENT, problem.witness.message(), 0.0
        atom_d = weight_d = None
    if measure is not None:
        order = measure.sort_order()
        measure = DiscreteMeasure([measure.atoms[i] for i in order],
                                  [measure.weights[i] for i in order])
        if enclosure is not None:
            enclosure = DiscreteMeasure([enclosure.atoms[i] for i in order],
                                        [enclosure.weights[i] for i in order])
        if atom_d is not None:
            atom_d = tuple(_floor_digits(atom_d[i]) for i in order)
            weight_d = tuple(_floor_digits(weight_d[i]) for i in order)
    if data.rounded_decimals and data.is_exact:
        message += (
            f"; {data.rounded_decimals} moment(s) are decimals with 15 or more significant "
            "digits, as printed doubles are: they were read as exact, so this is right only if "
            "the decimals are exact; if they are rounded doubles pass data_digits=15 "
            "(--data-digits 15)"
        )
    if status != Status.OK and throw:
        raise status.error(message)
    if progress is not None and measure is not None:
        progress(f"computing the residual over {data.count} moments")
    if out.exact_residual and problem.witness is None:
        residual = mpmath.mpf(0)  # the measure's moments were compared with the data over Q
    else:
        residual = _residual(data, measure, out.res_bits, problem.basis) \
            if measure is not None else mpmath.mpf("nan")
    cond = problem.cond if problem.early is None else math.inf
    loss = problem.loss if problem.early is None else math.inf
    return Recovery(measure, problem.n, got, cond, loss, residual, problem.svals,
                    problem.evidence, out.used, data.digits, problem.method.name, status,
                    message, enclosure, atom_d, weight_d)


def _ball_fit(data: MomentData, n: int, method: RecoveryMethod, basis: str, bits: int):
    """Midpoints of the least-squares fit of all the moments (``None`` if not computable)."""
    midpoints = MomentData(data.real, data.imag, (0.0,) * data.count)  # exact values as given
    try:
        sol = method.run_ball(midpoints, n, bits, basis)
    except (_ball.NeedPrecision, RankError, InputError):
        return None
    if len(sol.atoms) != n:
        return None
    return [_to_mp_value(a) for a in sol.atoms], [_to_mp_value(w) for w in sol.weights]


def _cert_component_digits(cert: _Certified) -> tuple[list[float], list[float]]:
    sol = cert.sol
    assert sol is not None
    if not cert.proved:
        return [0.0] * len(sol.atoms), [0.0] * len(sol.weights)
    return _ball.component_digits(sol.atoms), _ball.component_digits(sol.weights)


def _unseparated_message(data: MomentData, n: int, loss: float) -> str:
    # a failed enclosure test is no proof that the atoms are inseparable: say what was tried
    return (f"the certification did not separate the {n} atoms for every moment sequence "
            f"within the data's accuracy ({data.digits:.1f} digits, while the problem loses "
            f"about {loss:.0f}), so no digit is vouched for; this is a failure to verify, not "
            "a proof that the atoms cannot be told apart: try precision=Ball(dps), a stated "
            "data accuracy (data_digits= or data_error=), more accurate moments or a smaller "
            "rank (the returned measure, if any, is that of the values as given)")


def _status(data: MomentData, cert: _Certified, got: float, target: float | None, loss: float,
            used: Precision, requested: bool = True) -> tuple[str, str]:
    """The status and message of a certified computation.

    With no ``digits=`` asked for (``requested`` False) rounded data are recovered to what
    their accuracy determines: reaching that limit with at least one certified digit is
    ``ok``, as the default target is not the user's requirement.
    """
    if target is None or got >= target:
        kind = "certified" if data.is_exact else (
            f"certified for every moment sequence within the data's accuracy "
            f"({data.digits:.1f} digits)")
        return Status.OK, f"{got:.0f} digits {kind} at {used}"
    if not requested and not data.is_exact and cert.stalled and got >= 1:
        return Status.OK, (
            f"{got:.0f} digits certified for every moment sequence within the data's accuracy "
            f"({data.digits:.1f} digits) at {used}; raising the working precision added no "
            f"whole digit, as the data's accuracy limits them (the problem loses about "
            f"{loss:.0f} digits): pass digits= to require more, or more accurate moments"
        )
    if cert.data_limit < target:
        need = target + loss
        return Status.DATA_LIMITED, (
            f"the moments carry {data.digits:.0f} digits but this problem loses about "
            f"{loss:.0f} (cond of H_{len(cert.sol.atoms) if cert.sol else '?'} = 1e{loss:.0f}), "
            f"so only {_floor_digits(max(cert.data_limit, 0)):.0f} digits are determined for "
            f"every sequence within that accuracy; "
            + (f"{target:g} digits need" if requested
               else f"the default target of {target:g} digits needs")
            + f" moments with about {need:.0f} digits (pass exact values, or data_digits= if "
            "they are more accurate than their type says)"
        )
    return Status.PRECISION_EXHAUSTED, (
        f"reached {got:.0f} of {target:g} digits at {used}, the precision cap; the problem "
        f"loses about {loss:.0f} digits"
    )


def prony(moments: object, *, rank: int | None = None, precision: Precision | None = None,
          digits: float | None = None, throw: bool = True) -> Recovery:
    r"""Prony's method; see :func:`recover_measure` (``method='prony'``).

    Parameters
    ----------
    moments : sequence of numbers
        :math:`m_0, m_1, \dots`, read as in :func:`recover_measure`.
    rank : int, optional
        Number of atoms; by default the Hankel rank with its evidence.
    precision : Exact, MP, Ball or Float64, optional
        Arithmetic of the computation; ``None`` chooses it from ``digits``.
    digits : float, optional
        Target accuracy in decimal digits (default 15 when ``precision`` is ``None``).
    throw : bool
        Raise on failure (default); with ``False`` a :class:`Recovery` with a non-ok status
        is returned instead.

    Returns
    -------
    Recovery
        The measure with its vouched digits and the evidence (see :func:`recover_measure`).

    Raises
    ------
    InputError, RankError, PrecisionMismatchError
        Bad input (raised whatever ``throw`` says).
    DataAccuracyError, PrecisionExhaustedError, IllConditionedError
        The requested accuracy cannot be delivered (only with ``throw=True``).

    Examples
    --------
    >>> from fractions import Fraction
    >>> r = prony([1, Fraction(1, 3), Fraction(1, 5), Fraction(1, 7)], precision=Exact())
    >>> r.rank, r.status, r.digits
    (2, 'ok', inf)
    """
    return recover_measure(moments, rank=rank, method="prony", precision=precision,
                           digits=digits, throw=throw)


def matrix_pencil(moments: object, *, rank: int | None = None,
                  precision: Precision | None = None, digits: float | None = None,
                  throw: bool = True) -> Recovery:
    r"""The matrix-pencil method; see :func:`recover_measure` (``method='pencil'``).

    Parameters
    ----------
    moments : sequence of numbers
        :math:`m_0, m_1, \dots`, read as in :func:`recover_measure`.
    rank : int, optional
        Number of atoms; by default the Hankel rank with its evidence.
    precision : Exact, MP, Ball or Float64, optional
        Arithmetic of the computation; ``None`` chooses it from ``digits``.
    digits : float, optional
        Target accuracy in decimal digits (default 15 when ``precision`` is ``None``).
    throw : bool
        Raise on failure (default); with ``False`` a :class:`Recovery` with a non-ok status
        is returned instead.

    Returns
    -------
    Recovery
        The measure with its vouched digits and the evidence (see :func:`recover_measure`).

    Raises
    ------
    InputError, RankError, PrecisionMismatchError
        Bad input (raised whatever ``throw`` says).
    DataAccuracyError, PrecisionExhaustedError, IllConditionedError
        The requested accuracy cannot be delivered (only with ``throw=True``).

    Examples
    --------
    >>> r = matrix_pencil([2.0, 0.5, 0.5, 0.125], rank=2, digits=10)
    >>> r.status, r.digits >= 10
    ('ok', True)
    """
    return recover_measure(moments, rank=rank, method="pencil", precision=precision,
                           digits=digits, throw=throw)


def gauss_rule(moments: object, *, rank: int | None = None, basis: str = "monomial",
               precision: Precision | None = None, digits: float | None = None,
               throw: bool = True) -> Recovery:
    r"""The Gauss rule of a positive measure (Chebyshev algorithm and Golub-Welsch).

    See :func:`recover_measure` (``method='gauss'``); ``basis='chebyshev'`` takes modified
    moments :math:`\int T_k d\mu` and uses the modified Chebyshev algorithm. The rule is
    built from the first ``2 * rank`` moments; with more, exact ones must all be reproduced
    exactly (in their basis), or the status is ``'inconsistent'``.

    Parameters
    ----------
    moments : sequence of numbers
        :math:`m_0, m_1, \dots`, read as in :func:`recover_measure`.
    rank : int, optional
        Number of atoms; by default the Hankel rank with its evidence.
    basis : {'monomial', 'chebyshev'}
        Power moments, or Chebyshev-T moments :math:`\int T_k d\mu` on [-1, 1].
    precision : Exact, MP, Ball or Float64, optional
        Arithmetic of the computation; ``None`` chooses it from ``digits``.
    digits : float, optional
        Target accuracy in decimal digits (default 15 when ``precision`` is ``None``).
    throw : bool
        Raise on failure (default); with ``False`` a :class:`Recovery` with a non-ok status
        is returned instead.

    Returns
    -------
    Recovery
        The measure with its vouched digits and the evidence (see :func:`recover_measure`).

    Raises
    ------
    NotPositiveError
        When it is proved that the moments are not those of a positive measure (exactly for
        exact data, for every sequence within the data's accuracy otherwise), and for
        complex moments.
    InputError, RankError, PrecisionMismatchError
        Bad input (raised whatever ``throw`` says).
    DataAccuracyError, PrecisionExhaustedError, IllConditionedError
        The requested accuracy cannot be delivered (only with ``throw=True``).

    Examples
    --------
    >>> from fractions import Fraction
    >>> m = [Fraction(2, j + 1) if j % 2 == 0 else 0 for j in range(4)]   # Lebesgue on [-1, 1]
    >>> r = gauss_rule(m, precision=Exact())
    >>> r.measure.sorted().weights
    (Fraction(1, 1), Fraction(1, 1))
    """
    return recover_measure(moments, rank=rank, method="gauss", basis=basis,
                           precision=precision, digits=digits, throw=throw)
