r"""Moments in the Chebyshev basis and three-term recurrences of positive measures.

Modified moments :math:`\nu_k = \int T_k \, d\mu` on :math:`[-1, 1]` are far better
conditioned than power moments; the modified Chebyshev algorithm turns them into the
recurrence coefficients of the orthogonal polynomials of :math:`\mu` (docs label
:eq:`eq-modified-chebyshev`).
"""

from __future__ import annotations

from .._validate import positive_int
from ..errors import IllConditionedError, InputError, RankError
from ..precision import Exact, Float64, Precision, as_precision
from ._arith import SignUndecided
from ._ball import raise_if_not_positive, recurrence
from ._data import parse_moments

__all__ = ["chebyshev_to_monomial", "monomial_to_chebyshev", "recurrence_coefficients"]


def chebyshev_to_monomial(values: list) -> list:
    r"""Power moments from Chebyshev-T moments: :math:`x^j = \sum_k d_{jk} T_k(x)`.

    Parameters
    ----------
    values : sequence of numbers
        :math:`\nu_k = \int T_k \, d\mu`, ``k < len(values)``, of one kind of number: the
        computation uses only ``+``, ``*`` and ``/ 2`` of that kind, so ``Fraction`` or
        ``fmpq`` give exact results (``int`` values give floats from the halving).

    Returns
    -------
    list
        :math:`m_j = \int x^j \, d\mu`, ``j < len(values)``, in the same arithmetic.

    Raises
    ------
    InputError
        For an empty sequence.

    Examples
    --------
    >>> from fractions import Fraction
    >>> chebyshev_to_monomial([Fraction(2), 0, Fraction(-2, 3), 0])   # Lebesgue on [-1, 1]
    [Fraction(2, 1), Fraction(0, 1), Fraction(2, 3), Fraction(0, 1)]
    """
    _require_values(values)
    count = len(values)
    zero = values[0] * 0
    coeffs = [values[0] * 0 + 1]  # x^0 = T_0
    out = []
    for _ in range(count):
        out.append(sum((c * values[k] for k, c in enumerate(coeffs)), zero))
        nxt = [zero] * (len(coeffs) + 1)
        for k, c in enumerate(coeffs):
            if k == 0:
                nxt[1] += c  # x T_0 = T_1
            else:
                nxt[k + 1] += c / 2  # x T_k = (T_{k+1} + T_{k-1}) / 2
                nxt[k - 1] += c / 2
        coeffs = nxt
    return out


def monomial_to_chebyshev(values: list) -> list:
    r"""Chebyshev-T moments from power moments, :math:`\nu_k = \sum_i t_{ki} m_i`.

    :math:`t_{ki}` are the coefficients of :math:`T_k(x) = \sum_i t_{ki} x^i`.

    Parameters
    ----------
    values : sequence of numbers
        :math:`m_i = \int x^i \, d\mu`, ``i < len(values)``; only ``+``, ``-`` and ``*`` by
        integers are used, so the result is exact for ``int``, ``Fraction`` and ``fmpq``.

    Returns
    -------
    list
        :math:`\nu_k = \int T_k \, d\mu`, ``k < len(values)``, in the same arithmetic.

    Raises
    ------
    InputError
        For an empty sequence.

    Examples
    --------
    >>> from fractions import Fraction
    >>> m = [Fraction(2), Fraction(0), Fraction(2, 3), Fraction(0)]   # Lebesgue on [-1, 1]
    >>> monomial_to_chebyshev(m)
    [Fraction(2, 1), Fraction(0, 1), Fraction(-2, 3), Fraction(0, 1)]
    """
    _require_values(values)
    count = len(values)
    zero = values[0] * 0
    prev, cur = None, [zero + 1]
    out = []
    for k in range(count):
        out.append(sum((c * values[i] for i, c in enumerate(cur)), zero))
        if k == 0:
            nxt = [zero, zero + 1]
        else:
            nxt = [zero] + [2 * c for c in cur]
            for i, c in enumerate(prev):  # type: ignore[arg-type]
                nxt[i] -= c
        prev, cur = cur, nxt
    return out


def _require_values(values) -> None:
    if not len(values):
        raise InputError("no moments given: pass at least one value")


def recurrence_coefficients(
    moments: object,
    count: int | None = None,
    *,
    basis: str = "monomial",
    precision: Precision | None = None,
) -> tuple[list, list]:
    r"""Recurrence coefficients :math:`\alpha_k, \beta_k` of the orthogonal polynomials.

    The monic orthogonal polynomials of a positive measure satisfy
    :math:`\pi_{k+1} = (x - \alpha_k)\pi_k - \beta_k \pi_{k-1}`, with
    :math:`\beta_0 = m_0`. Computed by the (modified) Chebyshev algorithm.

    Parameters
    ----------
    moments : sequence of numbers
        Power moments (``basis='monomial'``) or Chebyshev-T moments (``basis='chebyshev'``).
    count : int, optional
        Number of coefficient pairs; default ``len(moments) // 2``.
    basis : {'monomial', 'chebyshev'}
        The basis the moments are written in.
    precision : Exact, MP or Float64, optional
        Default ``Exact()`` for exact input, ``Float64()`` otherwise. ``MP`` works with 10
        guard digits.

    Returns
    -------
    alpha, beta : list, list
        :math:`\alpha_0, \dots, \alpha_{count-1}` and :math:`\beta_0, \dots,
        \beta_{count-1}`: Fractions for ``Exact()``, mpmath numbers for ``MP``, floats for
        ``Float64()``. Rounded results are returned as computed, with no accuracy claim.

    Raises
    ------
    NotPositiveError
        When it is proved that the moments are not those of a positive measure with at least
        ``count`` atoms: a :math:`\beta_k \le 0` exactly for exact data, or for every moment
        sequence within the data's accuracy.
    IllConditionedError
        When a :math:`\beta_k` computed in ``Float64()`` or ``MP`` is not positive but that
        is not proved: rounding alone can cause it. The message says whether the moments do
        give a positive definite Hankel matrix; raise the precision or use ``Exact()``.
    RankError
        With fewer than ``2 * count`` moments.
    InputError
        For complex moments, an unknown basis or a ``Ball`` precision.

    Examples
    --------
    >>> from fractions import Fraction
    >>> m = [2, 0, Fraction(2, 3), 0]              # Lebesgue measure on [-1, 1]
    >>> recurrence_coefficients(m)
    ([Fraction(0, 1), Fraction(0, 1)], [Fraction(2, 1), Fraction(1, 3)])
    """
    data = parse_moments(moments)
    if not data.is_real:
        raise InputError("recurrence coefficients need real moments of a positive measure")
    n = data.count // 2 if count is None else count
    n = positive_int(n, "count")
    if 2 * n > data.count:  # before any work: count=10**12 is refused, not allocated
        raise RankError(f"count={n} coefficient pairs (a {n}-point Gauss rule) need {2 * n} "
                        f"moments, got {data.count}; pass count <= {data.count // 2}")
    prec = as_precision(precision, default=Exact() if data.is_exact else Float64())
    if prec.encloses:
        raise InputError(f"recurrence_coefficients supports Exact, MP and Float64, not {prec}")
    ar = prec.arithmetic().guarded()  # mpmath: 10 guard digits
    # Python numbers (not numpy scalars): a zero division must raise, not give inf
    values = [ar.convert(v) for v in ar.values(data)]
    try:
        alpha, beta = recurrence(ar, values, n, basis)
    except SignUndecided as exc:
        # rounding proves nothing: decide exactly, or for every sequence within the radii
        proved = raise_if_not_positive(data, n, basis)
        raise IllConditionedError(_undecided_message(exc, data, n, proved)) from None
    return [ar.export(v) for v in alpha], [ar.export(v) for v in beta]


def _undecided_message(exc: Exception, data, n: int, proved: bool) -> str:
    if proved:
        which = ("the exact moments give" if data.is_exact else
                 "every moment sequence within the data's accuracy gives")
        fix = "precision=Exact()" if data.is_exact else "exact moments"
        return (f"{exc} by this computation; {which} a positive definite H_{n}, so the "
                f"precision is too low for them: raise it (precision=MP(dps)) or use {fix}")
    return (f"{exc}, neither at this precision nor for every moment sequence within the "
            "data's accuracy: raise the precision (precision=MP(dps)) for the coefficients "
            "of the values as given, or supply more accurate (or exact) moments")


