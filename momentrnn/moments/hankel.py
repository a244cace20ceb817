r"""Hankel matrices of moment sequences, their determinants and their rank with evidence.

The Hankel matrix of size ``rows x cols`` and shift ``s`` is :math:`[m_{i+j+s}]` (docs label
:eq:`eq-hankel`). For a measure with ``n`` distinct atoms and non-zero weights its square Hankel
matrices have rank ``min(size, n)`` (claim M1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import flint
import mpmath
import numpy as np

from .._limits import (
    MAX_EXACT_DETERMINANT,
    MAX_EXACT_HANKEL,
    MAX_EXACT_RANK_BITS,
    MAX_SINGULAR_VALUES,
    check_memory,
)
from .._output import _standard
from .._validate import nonnegative_int, positive_int
from ..errors import InputError
from ..precision import (
    MP,
    Exact,
    Float64,
    Precision,
    as_precision,
    digits_to_bits,
    flint_precision,
)
from ._arith import FLOAT, RATIONALS, Arithmetic, hankel
from ._ball import Balls
from ._data import (
    MomentData,
    parse_moments,
    require_exact,
    require_trackable_scale,
)
from ._scalars import global_mp, mpf_from_float, mpf_from_man_exp

#: the verdicts of :class:`HankelRank` (the JSON Schema's enum is made from them)
RANK_VERDICTS = ("exact", "clear", "ambiguous", "full", "undetermined")

__all__ = ["hankel_matrix", "hankel_determinant", "hankel_rank", "HankelRank",
           "hankel_singular_values"]


def _shape(data: MomentData, rows: int | None, cols: int | None, shift: int) -> tuple[int, int]:
    shift = nonnegative_int(shift, "shift")
    rows = None if rows is None else positive_int(rows, "rows")
    cols = None if cols is None else positive_int(cols, "cols")
    available = data.count - shift
    if rows is None and cols is None:
        rows = cols = (available + 1) // 2
    elif rows is None:
        rows = available - cols + 1  # type: ignore[operator]
    elif cols is None:
        cols = available - rows + 1
    rows = positive_int(rows, "rows")
    cols = positive_int(cols, "cols")
    if rows + cols - 1 > available:  # type: ignore[operator]
        raise InputError(
            f"a {rows}x{cols} Hankel matrix with shift {shift} needs {rows + cols - 1 + shift} "
            f"moments, got {data.count}"
        )
    return rows, cols  # type: ignore[return-value]


def hankel_matrix(
    moments: object,
    rows: int | None = None,
    cols: int | None = None,
    *,
    shift: int = 0,
    precision: Precision | None = None,
):
    r"""The Hankel matrix :math:`H_{ij} = m_{i+j+\text{shift}}`.

    Parameters
    ----------
    moments : sequence of numbers
        :math:`m_0, m_1, \dots`.
    rows, cols : int, optional
        Shape; by default the largest square matrix the moments allow.
    shift : int
        Index shift (``shift=1`` gives the shifted matrix :math:`H^{(1)}` of the pencil).
    precision : Exact, MP, Ball or Float64, optional
        ``Exact()`` (default for exact input) returns a ``flint.fmpq_mat`` (a sympy ``Matrix``
        for complex moments), ``MP`` an mpmath matrix, ``Ball`` a flint ``arb_mat``/``acb_mat``,
        ``Float64`` (default otherwise) a numpy array.

    Returns
    -------
    flint.fmpq_mat, sympy.Matrix, mpmath matrix, flint.arb_mat, flint.acb_mat or numpy.ndarray
        The ``rows x cols`` matrix in the arithmetic of ``precision``.

    Raises
    ------
    InputError
        When the shape needs more moments than given, or ``rows``, ``cols`` or ``shift`` is
        not a valid integer.
    PrecisionMismatchError
        ``Exact()`` with inexact moments.

    Examples
    --------
    >>> hankel_matrix([1, 0, 1, 0, 3], precision=Float64())
    array([[1., 0., 1.],
           [0., 1., 0.],
           [1., 0., 3.]])
    """
    return _hankel(parse_moments(moments), rows, cols, shift, precision)[1]


def _hankel(data: MomentData, rows: int | None, cols: int | None, shift: int,
            precision: Precision | None) -> tuple[Arithmetic, object]:
    """The arithmetic of ``precision`` (default: exact for exact data) and the Hankel matrix
    in it."""
    prec = as_precision(precision, default=Exact() if data.is_exact else Float64())
    r, c = _shape(data, rows, cols, shift)
    if prec.exact:
        _check_exact_size(max(r, c))
    check_memory(r * c * _entry_bytes(data, prec), f"the {r}x{c} Hankel matrix in {prec}",
                 "ask for a smaller matrix (rows=, cols=) or pass fewer moments")
    ar = prec.arithmetic(real=data.is_real)
    with ar.working():
        return ar, hankel(ar, ar.values(data), r, c, shift)


def hankel_determinant(
    moments: object, size: int | None = None, *, shift: int = 0, precision: Precision | None = None
):
    r"""Determinant of the ``size x size`` Hankel matrix :math:`\det[m_{i+j+\text{shift}}]`.

    Exact (a Fraction, or a sympy number for complex data) by default for exact moments.

    Parameters
    ----------
    moments : sequence of numbers
        :math:`m_0, m_1, \dots`.
    size : int, optional
        Size of the matrix; by default the largest square one the moments allow.
    shift : int
        Index shift of the matrix.
    precision : Exact, MP, Ball or Float64, optional
        As for :func:`hankel_matrix`: ``Exact()`` by default for exact input, ``Float64()``
        otherwise.

    Returns
    -------
    Fraction, sympy number, mpmath number, flint.arb, flint.acb, float or complex
        The determinant in the arithmetic of ``precision`` (exact for ``Exact()``, an
        enclosure for ``Ball``, rounded otherwise); complex for complex moments.

    Raises
    ------
    InputError
        When the size needs more moments than given.
    PrecisionMismatchError
        ``Exact()`` with inexact moments.

    Examples
    --------
    >>> from fractions import Fraction
    >>> hankel_determinant([1, Fraction(1, 2), Fraction(1, 3)])
    Fraction(1, 12)
    """
    size = None if size is None else positive_int(size, "size")
    data = parse_moments(moments)
    prec = as_precision(precision, default=Exact() if data.is_exact else Float64())
    rows = _shape(data, size, size, shift)[0]
    if prec.exact and rows > MAX_EXACT_DETERMINANT:
        raise InputError(
            f"the exact determinant of a {rows}x{rows} Hankel matrix is more than "
            f"the {MAX_EXACT_DETERMINANT} rows computed over Q (its size and its entries' "
            "denominators grow together: 200 rows of 1, 1/2, 1/3, ... took 19 s): pass "
            f"size={MAX_EXACT_DETERMINANT} or less, or precision=MP(...)/Ball(...)")
    if prec.exact and data.is_exact:
        _check_exact_determinant_bits(data, rows, shift)
    ar, H = _hankel(data, size, size, shift, prec)
    return ar.det(H)


@dataclass(frozen=True)
class HankelRank:
    """The numerical or exact rank of a Hankel matrix, with the evidence for it.

    Attributes
    ----------
    rank : int
        The rank decided on.
    size : int
        Size of the square Hankel matrix examined.
    singular_values : tuple of mpmath.mpf
        Its singular values, descending (computed at the working precision); empty in the
        exact evidence of a recovery whose precision was refused before they were needed, and
        in exact evidence with more than ``MAX_SINGULAR_VALUES`` (100) non-zero ones (an
        eigenproblem at thousands of bits; the message says so).
    noise_floor : mpmath.mpf
        Singular values below this are indistinguishable from zero: the Weyl bound of the data
        radii plus the rounding of the working precision.
    gap : float
        ``sigma_rank / sigma_{rank+1}`` (``inf`` when nothing lies below the floor).
    verdict : str
        ``'exact'`` (rank over Q, exact data), ``'clear'`` (a gap around the floor),
        ``'ambiguous'`` (singular values within ``margin`` of the floor: the rank is anywhere in
        ``rank_range``), ``'full'`` (all singular values above the floor: the data identify at
        most ``size`` atoms and cannot show whether there are more), ``'undetermined'``
        (:func:`momentrnn.effective_dimension` only: the floor is at least the size of the
        first lags, so no rank is decided at the data's scale; ``rank`` counts the singular
        values above it, ``rank_range`` the ranks consistent with it).
    rank_range : tuple of int
        The ranks consistent with the evidence.
    precision : Precision
        The arithmetic of the singular values.
    message : str
        A sentence saying what the evidence shows.
    """

    rank: int
    size: int
    singular_values: tuple
    noise_floor: object
    gap: float
    verdict: str
    rank_range: tuple[int, int]
    precision: Precision
    message: str

    @property
    def ok(self) -> bool:
        """False when the verdict is ambiguous or undetermined."""
        return self.verdict not in ("ambiguous", "undetermined")

    def to_dict(self) -> dict:
        """JSON-ready dictionary; singular values and the floor as numbers of six
        significant digits (a non-zero one below the double range as the smallest double, never
        0), an infinite gap or floor as the string ``"inf"`` (:mod:`momentrnn._schema`'s
        convention: the dictionary is standard JSON as it is)."""
        return _standard({
            "rank": self.rank,
            "verdict": self.verdict,
            "size": self.size,
            "rank_range": list(self.rank_range),
            "singular_values": [_six(v) for v in self.singular_values],
            "noise_floor": _six(self.noise_floor),
            "gap": self.gap,
            "precision": repr(self.precision),
            "message": self.message,
        })

    @classmethod
    def from_dict(cls, data: dict) -> HankelRank:
        """The evidence of its :meth:`to_dict`: singular values and the floor as the mpmath
        numbers of the six digits written."""
        from .._schema import number_of, precision_from_text

        def mp(v):
            return mpmath.mpf(number_of(v))

        return cls(rank=data["rank"], size=data["size"],
                   singular_values=tuple(mp(v) for v in data["singular_values"]),
                   noise_floor=mp(data["noise_floor"]), gap=number_of(data["gap"]),
                   verdict=data["verdict"], rank_range=tuple(data["rank_range"]),
                   precision=precision_from_text(data.get("precision", "MP(15)")),
                   message=data["message"])


def _six(value: object) -> float:
    """A singular value as a double of six significant digits (non-zero stays non-zero)."""
    from .._schema import double

    try:
        return double(mpmath.mpf(mpmath.nstr(value, 6)))
    except Exception:  # noqa: BLE001 - a value mpmath cannot read: its double
        return double(value)


def short_text(value: object) -> str:
    """A number in six significant digits (anything else as its text)."""
    try:
        return mpmath.nstr(value, 6)
    except Exception:  # noqa: BLE001 - any non-mpmath value is shown as its text
        return str(value)


def singular_values(data: MomentData, size: int, bits: int) -> list:
    """Singular values (mpf, descending) of the square Hankel matrix, via symmetric eigenvalues.

    A real Hankel matrix is symmetric, so its singular values are the moduli of its eigenvalues;
    complex data use the eigenvalues of H^* H (square roots taken) at doubled precision.
    """
    ar = Balls(bits if data.is_real else 2 * bits)
    with ar.working():
        H = hankel(ar, ar.values(data), size, size)
        if not data.is_real:
            H = H.conjugate().transpose() * H
        eigs = H.eig(algorithm="approx")
        mags = [abs(e.real.mid()) if data.is_real else abs(e.real.mid()).sqrt() for e in eigs]
        out = []
        for v in mags:
            man, exp = v.mid().man_exp()
            out.append(mpf_from_man_exp(man, exp))
    return sorted(out, reverse=True)


def hankel_singular_values(moments: object, size: int | None = None, *,
                           precision: Precision | None = None) -> list:
    r"""Singular values (descending, mpmath numbers) of the square Hankel matrix.

    Parameters
    ----------
    moments : sequence of numbers
        :math:`m_0, m_1, \dots` (at least ``2 * size - 1``), read exactly.
    size : int, optional
        Size of the matrix; default the largest square one.
    precision : MP or Ball, optional
        Working precision; by default one that resolves the smallest value (escalated while it
        is below the rounding level).

    Returns
    -------
    list of mpmath.mpf
        The ``size`` singular values, largest first, of the matrix of the moments as given.

    Raises
    ------
    InputError
        When ``size`` needs more moments than given, or for another precision than ``MP``,
        ``Ball`` or ``None``.

    Examples
    --------
    >>> [float(v) for v in hankel_singular_values([2, 0, 1])]
    [2.0, 1.0]
    """
    if size is not None:
        positive_int(size, "size", maximum=MAX_SINGULAR_VALUES,
                     hint="an eigenproblem at thousands of bits, cubic in the size")
    data = parse_moments(moments)
    s = (data.count + 1) // 2 if size is None else positive_int(size, "size")
    if 2 * s - 1 > data.count:
        raise InputError(f"size={size!r}: a square Hankel matrix of size s needs 2s-1 moments, "
                         f"got {data.count}")
    if s > MAX_SINGULAR_VALUES:
        raise InputError(f"{data.count} moments make a {s}x{s} Hankel matrix, more than the "
                         f"{MAX_SINGULAR_VALUES} singular values computed (an eigenproblem at "
                         "thousands of bits, cubic in the size); pass size=")
    if precision is None:
        return resolved_singular_values(data, s)[0]
    prec = as_precision(precision)
    if prec.dps is None:  # Exact or Float64: no working precision of the caller's choosing
        raise InputError(f"precision={precision!r}: use MP(dps), Ball(dps) or None")
    return singular_values(data, s, prec.bits)


def resolved_singular_values(data: MomentData, size: int, start_bits: int | None = None
                             ) -> tuple[list, int]:
    """Singular values at a precision that resolves the smallest one (bounded escalation).

    Starts at ``64 + bits(15 + 0.8 size)`` (Hankel matrices of measures on [-1, 1] lose about
    0.8 digits per row) and doubles while the smallest value is below the rounding level.
    """
    import mpmath as _mp

    bits = start_bits or 64 + digits_to_bits(15 + 0.8 * size)
    first = bits
    for _ in range(6):
        sv = singular_values(data, size, bits)
        if sv[-1] > sv[0] * _mp.ldexp(1, -(bits - 40)) or bits > 8 * first:
            return sv, bits
        bits *= 2
    return sv, bits


def _check_exact_size(size: int) -> None:
    """Refuse a square Hankel matrix over Q larger than ``MAX_EXACT_HANKEL`` before it is
    built (its elimination is cubic in the size and its entries grow)."""
    if size > MAX_EXACT_HANKEL:
        raise InputError(
            f"a {size}x{size} Hankel matrix over Q (of {2 * size - 1} moments) is more than the "
            f"{MAX_EXACT_HANKEL} rows decided exactly (exact elimination is cubic in the size, "
            f"with growing entries): pass at most {2 * MAX_EXACT_HANKEL} moments, or size=")


def _exact_work(data: MomentData, size: int, shift: int = 0) -> tuple[list[int], int, int, int]:
    """The exact-elimination work of the square Hankel matrix of ``size`` rows whose first
    entry is moment ``shift``: the bits of each moment used (numerator and denominator, both
    parts of complex ones), the rows over Q, rows times the bits (``MAX_EXACT_RANK_BITS``
    measures this), and the largest size within that limit (0 if none)."""
    parts = [data.real] + ([data.imag] if data.imag is not None else [])
    used = [sum(_bits(p[shift + k]) for p in parts) for k in range(2 * size - 1)]
    rows = size * len(parts)
    work = rows * sum(used)
    fits, total = size, 0
    if work > MAX_EXACT_RANK_BITS:
        fits = 0
        for s in range(1, size + 1):
            total += used[2 * s - 2] + (used[2 * s - 3] if s > 1 else 0)
            if s * len(parts) * total > MAX_EXACT_RANK_BITS:
                break
            fits = s
    return used, rows, work, fits


def _check_exact_bits(data: MomentData, size: int) -> None:
    """Refuse a square Hankel matrix over Q whose rows times the bits of its moments (numerator
    and denominator, both parts of complex ones) pass ``MAX_EXACT_RANK_BITS``: its elimination
    costs about that to the power 1.5, whatever the rows alone."""
    used, rows, work, fits = _exact_work(data, size)
    if work <= MAX_EXACT_RANK_BITS:
        return
    most = 2 * fits - 1 if fits else 0  # the most moments whose matrix stays within the limit
    raise InputError(
        f"the {size}x{size} Hankel matrix over Q of {2 * size - 1} moments holding "
        f"{sum(used)} bits makes {rows} rows x {sum(used)} = {work} bits of exact elimination, "
        f"more than the {MAX_EXACT_RANK_BITS} decided exactly (its work grows faster than "
        f"that product): pass at most {most} of these moments, or a numerical rank with its "
        "evidence (precision=MP(dps) or Ball(dps); recover --certify or --dps)")


def _check_exact_determinant_bits(data: MomentData, size: int, shift: int) -> None:
    """Refuse an exact determinant whose rows times the bits of its moments pass
    ``MAX_EXACT_RANK_BITS``, before any work: FLINT's determinant over Q costs as its rank
    does (299 random 2000-bit integers, 150 rows, ran past 25 s)."""
    used, rows, work, most = _exact_work(data, size, shift)
    if work <= MAX_EXACT_RANK_BITS:
        return
    raise InputError(
        f"the exact determinant of the {size}x{size} Hankel matrix of {2 * size - 1} moments "
        f"holding {sum(used)} bits makes {rows} rows x {sum(used)} = {work} bits "
        f"of exact elimination, more than the {MAX_EXACT_RANK_BITS} computed over Q: pass "
        f"size={most} or less, or precision=MP(...)/Ball(...)")


def _entry_bytes(data: MomentData, prec: Precision) -> float:
    """Bytes of one Hankel entry, estimated: exact values by their bits (they grow), the
    others by their precision."""
    parts = 1 if data.is_real else 2
    if prec.doubles:
        return 8.0 * parts
    if prec.exact:
        values = list(data.real) + list(data.imag or ())
        bits = sum(_bits(v) for v in values) / max(1, len(values))
        return parts * (48 + bits / 8) + (0 if data.is_real else 400)  # complex: sympy
    return parts * (64 + prec.bits / 8)  # type: ignore[attr-defined]


def _bits(value: object) -> int:
    try:
        return int(value.p.bit_length() + value.q.bit_length())  # type: ignore[attr-defined]
    except AttributeError:
        return 64


def _exact_matrix(data: MomentData, size: int) -> flint.fmpq_mat:
    """The square Hankel matrix of the moments as given, over Q; for complex moments
    ``A + iB`` the real ``[[A, -B], [B, A]]``, whose singular values are those of ``A + iB``,
    each twice. Larger than ``MAX_EXACT_HANKEL`` rows, or than ``MAX_EXACT_RANK_BITS`` rows
    times the bits of its moments: refused before it is built."""
    _check_exact_size(size)
    _check_exact_bits(data, size)
    if data.is_real:
        return hankel(RATIONALS, data.real, size, size)
    re, im = data.real, data.imag
    assert im is not None
    return flint.fmpq_mat(2 * size, 2 * size, [
        (re[i % size + j % size] if (i < size) == (j < size) else (-1 if i < size else 1)
         * im[i % size + j % size])
        for i in range(2 * size) for j in range(2 * size)])


def _short_direction(v: flint.fmpq_mat, bits: int = 64) -> flint.fmpq_mat:
    """An integer vector of about ``bits`` bits in the direction of the rational ``v`` (any
    vector serves the bounds below; short ones keep the exact arithmetic cheap)."""
    entries = [v[i, 0] for i in range(v.nrows())]
    big = max(abs(x) for x in entries)
    shift = bits - (big.p.bit_length() - big.q.bit_length())
    up, down = flint.fmpz(2) ** max(shift, 0), flint.fmpz(2) ** max(-shift, 0)
    return flint.fmpq_mat(len(entries), 1, [(x.p * up) // (x.q * down) for x in entries])


def _squared_norm(v: flint.fmpq_mat) -> flint.fmpq:
    return sum((v[i, 0] ** 2 for i in range(v.nrows())), flint.fmpq(0))


def log10_cond_lower_bound(data: MomentData, size: int, max_bits: int = 8192,
                           steps: int = 3) -> float | None:
    """A proved lower bound of ``log10`` of the spectral condition number of the square Hankel
    matrix of the moments as given (``None`` when that matrix is singular over Q).

    No eigen-decomposition: ``sigma_max >= |H x| / |x|`` and ``1 / sigma_min >= |z| / |H z|``
    for every non-zero ``x`` and ``z``, with ``H x`` and ``H z`` computed exactly over Q. Power
    iteration gives ``x``; inverse iteration with approximate (unverified) solves at ``p`` bits
    gives ``z``: any vector would do, these make the bounds nearly equalities. The solves
    resolve a condition number up to about ``2**p``, so ``p`` is doubled from 128 (up to
    ``max_bits``) while the bound is that large. The power iterates are shortened to 64-bit
    dyadic vectors (that loses nothing there); the logarithm is enclosed in ball arithmetic
    and its lower end rounded down.
    """
    H = _exact_matrix(data, size)
    count = H.nrows()
    x = flint.fmpq_mat(count, 1, [1] * count)
    # a start with no symmetry (an even one can miss an odd eigenvector); any gives a bound
    z = flint.fmpq_mat(count, 1, [((7 * k * k + 3 * k) % 17) - 8 or 1 for k in range(count)])
    big = small = flint.fmpq(0)
    for _ in range(steps):
        hx = H * x
        if all(hx[i, 0] == 0 for i in range(count)):  # H x = 0 exactly: singular
            return None
        big = max(big, _squared_norm(hx) / _squared_norm(x))
        x = _short_direction(hx)
    bits, rounds = 128, 0
    while True:
        with flint_precision(bits):
            approx = flint.arb_mat(H)
            try:
                solved = approx.solve(flint.arb_mat(z), algorithm="approx")
                step = flint.fmpq_mat(count, 1, [_dyadic(solved[i, 0]) for i in range(count)])
            except (ZeroDivisionError, ValueError):  # no usable direction at this precision
                step = None
        if step is not None and any(step[i, 0] != 0 for i in range(count)):
            z = step  # all its bits: H z cancels down to about sigma_min |z| only so
            hz = H * z
            if all(hz[i, 0] == 0 for i in range(count)):  # H z = 0 exactly: singular
                return None
            small = max(small, _squared_norm(z) / _squared_norm(hz))
        rounds += 1
        with flint_precision(64):
            log = (flint.arb(big) * flint.arb(small)).log() / (2 * flint.arb(10).log())
            low = float(log.lower()) if small > 0 else 0.0
        limited = small == 0 or low > 0.3 * bits - 15  # by the solves' precision
        if limited and bits < max_bits:
            bits = min(max_bits, 2 * bits)
            rounds = 0
        elif rounds >= steps or limited:
            break
    if limited and H.rank() < count:
        return None  # as large as the precision shows: settle singularity over Q
    return max(0.0, math.nextafter(low, -math.inf))


def _dyadic(value: flint.arb) -> flint.fmpq:
    """The midpoint of a real ball as an exact rational (0 when not finite)."""
    mid = value.mid()
    if not mid.is_finite():
        return flint.fmpq(0)
    man, exp = mid.man_exp()
    return flint.fmpq(man) * flint.fmpq(2) ** int(exp)


def hankel_rank(
    moments: object,
    *,
    precision: Precision | None = None,
    data_digits: float | None = None,
    data_error: object = None,
    size: int | None = None,
    margin: float = 10.0,
    accuracy: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> HankelRank:
    r"""Rank of the square Hankel matrix of the moments, with its evidence.

    Parameters
    ----------
    moments : sequence of numbers
        :math:`m_0, \dots, m_{M-1}`.
    precision : Exact, MP, Ball or Float64, optional
        ``Exact()`` (the default for exact input) decides the rank over Q; the others compute
        singular values at that precision and compare them with the noise floor. By default
        inexact data are examined at 30 digits beyond what they carry.
    data_digits : float, optional
        Normwise accuracy of the moments in decimal digits (every moment within
        ``10**-data_digits * max|m|``); inferred from their type if omitted.
    data_error : float or sequence of floats, optional
        Absolute accuracy of each moment (one number, or one per moment).
    size : int, optional
        Size of the Hankel matrix; default the largest square one, ``(M + 1) // 2``.
    margin : float
        A singular value within a factor ``margin`` of the noise floor makes the verdict
        ambiguous.
    accuracy : float, optional
        The same as a single ``data_error`` (kept for existing callers), e.g. the residual
        of a fit.
    progress : callable, optional
        Called with a short description as each stage starts.

    Returns
    -------
    HankelRank

    Notes
    -----
    Noise floor :math:`\tau = s \max_j |\delta m_j| + 10\, s\, \sigma_1 2^{-p}` for an
    :math:`s\times s` matrix at :math:`p` bits: by Weyl's inequality no singular value moves by
    more than :math:`\|\delta H\|_2 \le s \max|\delta m_j|` (:eq:`eq-noise-floor`).

    Examples
    --------
    >>> r = hankel_rank([1, 1, 1, 1, 1])   # the moments of a point mass at 1
    >>> r.rank, r.verdict
    (1, 'exact')
    """
    data = parse_moments(moments, data_digits=data_digits, data_error=data_error)
    if accuracy is not None:
        if not (isinstance(accuracy, (int, float)) and accuracy > 0):
            raise InputError(f"accuracy={accuracy!r} must be a positive number")
        data = MomentData(data.real, data.imag, (float(accuracy),) * data.count)
    if not (isinstance(margin, (int, float)) and margin > 1):
        raise InputError(f"margin={margin!r} must be a number > 1")
    s = (data.count + 1) // 2 if size is None else positive_int(size, "size")
    if 2 * s - 1 > data.count:
        raise InputError(
            f"size={size!r}: a square Hankel matrix of size s needs 2s-1 moments, "
            f"got {data.count}"
        )
    require_trackable_scale(data)
    if data.all_zero and data.is_exact:
        # exact zeros: the Hankel matrix is the zero matrix, of rank 0 (the zero measure)
        return _exact_rank(data, s, Exact() if precision is None else as_precision(precision))
    if data.all_zero:
        raise InputError("all moments are zero up to their rounding: no rank is decided from "
                         "them; pass the exact values (rank 0) or more accurate data")
    if precision is None and not data.is_exact and data.digits <= 17:
        # Data no more accurate than doubles: a double SVD with the Weyl floor gives the same
        # evidence at a fraction of the cost; only an ambiguous verdict is re-examined at a
        # higher precision.
        if progress is not None:
            progress(f"double-precision singular values of the {s}x{s} Hankel matrix")
        quick = _float_rank(data, s, margin)
        if quick.verdict != "ambiguous":
            return quick
    if precision is None:
        prec: Precision = Exact() if data.is_exact else MP(int(min(data.digits, 1e4)) + 30)
    else:
        prec = as_precision(precision)
    if progress is not None:
        progress(f"rank of the {s}x{s} Hankel matrix in {prec}")
    if prec.exact:
        return _exact_rank(data, s, prec)
    if prec.doubles:
        return _float_rank(data, s, margin)
    else:
        bits = prec.bits  # type: ignore[union-attr]
        sv = singular_values(data, s, bits)
    return _numeric_verdict(data, s, sv, bits, prec, margin)


def _float_rank(data: MomentData, s: int, margin: float) -> HankelRank:
    """Rank from a double-precision SVD; the floor's ``10 s sigma_1 2**-53`` term covers the
    rounding of the moments to doubles (at most ``s u max|m| <= s u sigma_1``) and the SVD's
    backward error."""
    values = data.as_numpy()
    if not np.all(np.isfinite(values)):
        raise InputError("moments beyond the double range: pass precision=MP(dps) or exact values")
    H = hankel(FLOAT, values, s, s)
    if np.isrealobj(H):  # real Hankel matrices are symmetric: |eigenvalues| are the sv
        raw = np.sort(np.abs(np.linalg.eigvalsh(H)))[::-1]
    else:
        raw = np.linalg.svd(H, compute_uv=False)
    sv = [mpf_from_float(float(v)) for v in raw]
    return _numeric_verdict(data, s, sv, 53, Float64(), margin)


def _exact_rank(data: MomentData, s: int, prec: Precision, values: bool = True) -> HankelRank:
    """The exact rank over Q; ``values=False`` leaves the singular values out (an empty
    tuple, :func:`with_singular_values` adds them): the rank needs none of them."""
    require_exact(data)
    rank = _exact_matrix(data, s).rank()
    if not data.is_real:
        rank //= 2  # [[Re, -Im], [Im, Re]] has twice the complex rank
    msg = (
        f"exact rank {rank} over Q of the {s}x{s} Hankel matrix"
        + (": full rank, so the data identify at most that many atoms" if rank == s else "")
    )
    verdict = "full" if rank == s else "exact"
    evidence = HankelRank(rank, s, (), mpf_from_man_exp(0, 0), math.inf, verdict,
                          (rank, rank if rank < s else s), prec, msg)
    return with_singular_values(evidence, data) if values else evidence


def with_singular_values(evidence: HankelRank, data: MomentData,
                         start_bits: int | None = None) -> HankelRank:
    """Exact rank evidence with its singular values (and the gap) added; above
    ``MAX_SINGULAR_VALUES`` non-zero ones, the evidence as it is, its message saying so."""
    s, rank = evidence.size, evidence.rank
    if rank > MAX_SINGULAR_VALUES:
        return replace(evidence, message=(
            f"{evidence.message}; its {rank} non-zero singular values are not computed (more "
            f"than {MAX_SINGULAR_VALUES}: an eigenproblem at thousands of bits, cubic in their "
            "number; the rank over Q needs none of them)"))
    if rank == s:
        sv, _ = resolved_singular_values(data, s, start_bits)
    else:  # the smallest singular values are exact zeros: no precision resolves them
        sv = _range_singular_values(data, s, rank, 64 + digits_to_bits(15 + 0.8 * s))
    gap = math.inf if rank in (0, s) else _ratio(sv[rank - 1], sv[rank])
    return replace(evidence, singular_values=tuple(sv), gap=gap)


def _range_singular_values(data: MomentData, s: int, rank: int, bits: int) -> list:
    """The singular values of an exact ``s x s`` Hankel matrix of exact rank ``rank < s``:
    the ``s - rank`` exact zeros the rank over Q proves, and the non-zero ones from a
    ``rank x rank`` matrix.

    With ``M = M[:, P] R`` (``R`` the non-zero rows of the reduced row echelon form over Q,
    ``P`` its pivot columns), the non-zero eigenvalues of the symmetric real ``M`` are those of
    ``R M[:, P]``; for complex data (``M`` the real ``2s x 2s`` form) the squared singular
    values are the eigenvalues of ``(R R^T)(M[:, P]^T M[:, P])``, each twice. The work is an
    exact elimination and an eigenproblem of the rank's size, not of ``s``.
    """
    zeros = [mpf_from_man_exp(0, 0)] * (s - rank)
    if rank == 0:
        return zeros
    M = _exact_matrix(data, s)
    reduced, r = M.rref()
    n = M.ncols()
    pivots = []
    for i in range(r):
        pivots.append(next(j for j in range(pivots[-1] + 1 if pivots else 0, n)
                           if reduced[i, j] != 0))
    rows = flint.fmpq_mat(r, n, [reduced[i, j] for i in range(r) for j in range(n)])
    cols = flint.fmpq_mat(M.nrows(), r, [M[i, j] for i in range(M.nrows()) for j in pivots])
    if data.is_real:
        small, work = rows * cols, bits
    else:
        small, work = (rows * rows.transpose()) * (cols.transpose() * cols), 2 * bits
    with flint_precision(work):
        eigs = flint.arb_mat(small).eig(algorithm="approx")
        mags = [abs(e.real.mid()) if data.is_real else abs(e.real.mid()).sqrt() for e in eigs]
        out = []
        for v in mags:
            man, exp = v.mid().man_exp()
            out.append(mpf_from_man_exp(man, exp))
    out.sort(reverse=True)
    if not data.is_real:
        out = out[::2]  # each singular value of A + iB is one of [[A, -B], [B, A]] twice
    return out + zeros


def _ratio(a, b) -> float:
    if b == 0:
        return math.inf
    ctx = mpmath.MPContext()
    ctx.prec = 64
    return float(ctx.mpmathify(a) / ctx.mpmathify(b))


def _numeric_verdict(
    data: MomentData, s: int, sv: list, bits: int, prec: Precision, margin: float
) -> HankelRank:
    # in a private 64-bit context, rounded up: nothing depends on the global mpmath precision
    ctx = mpmath.MPContext()
    ctx.prec = 64
    up = 1 + ctx.ldexp(1, -58)
    floor_c = (s * ctx.mpf(max(data.radius)) + 10 * s * ctx.mpmathify(sv[0])
               * ctx.ldexp(1, -bits)) * up
    floor = global_mp(floor_c)
    low, high = global_mp(floor_c / margin / up), global_mp(floor_c * margin * up)
    rank = sum(1 for v in sv if v > floor)
    near = [i for i, v in enumerate(sv) if low <= v <= high]
    gap = math.inf if rank in (0, s) or sv[rank] == 0 else _ratio(sv[rank - 1], sv[rank])
    if near:
        lo, hi = min(near), max(near) + 1
        lo = min(lo, rank)
        verdict = "ambiguous"
        msg = (
            f"singular values {', '.join(mpmath.nstr(sv[i], 3) for i in near)} lie within a "
            f"factor {margin:g} of the noise floor {mpmath.nstr(floor, 3)}: the rank is between "
            f"{lo} and {hi}; supply more accurate moments or a higher precision, or pass rank="
        )
        return HankelRank(rank, s, tuple(sv), floor, gap, verdict, (lo, hi), prec, msg)
    if rank == s:
        msg = (
            f"all {s} singular values are above the noise floor {mpmath.nstr(floor, 3)}: the "
            f"data identify at most {s} atoms; supply more moments to see whether there are more"
        )
        return HankelRank(rank, s, tuple(sv), floor, gap, "full", (s, s), prec, msg)
    msg = (
        f"{rank} singular values above the noise floor {mpmath.nstr(floor, 3)}, gap "
        f"sigma_{rank}/sigma_{rank + 1} = {gap:.3g}"
    )
    return HankelRank(rank, s, tuple(sv), floor, gap, "clear", (rank, rank), prec, msg)
