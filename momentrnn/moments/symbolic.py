r"""Symbolic moment algebra with sympy: Hankel determinants and Prony polynomials.

Used by the docs to derive, for instance, :math:`\det H_n = \prod_i w_i \prod_{i<j}
(x_i - x_j)^2` for an n-atom measure (:eq:`eq-hankel-det`).
"""

from __future__ import annotations

from .._validate import positive_int
from ..errors import InputError
from ._arith import SYMBOLIC, hankel
from ._data import parse_moments
from ._exact import exact_prony_polynomial

__all__ = ["symbolic_moments", "symbolic_hankel_determinant", "prony_polynomial"]


def _symbols(count: int):
    import sympy

    count = positive_int(count, "atoms")
    return sympy.symbols(f"x1:{count + 1}"), sympy.symbols(f"w1:{count + 1}")


def symbolic_moments(atoms: int, count: int) -> list:
    r"""The moments :math:`m_j = \sum_i w_i x_i^j`, j < count, in symbols x1.., w1...

    Examples
    --------
    >>> symbolic_moments(2, 3)
    [w1 + w2, w1*x1 + w2*x2, w1*x1**2 + w2*x2**2]
    """
    x, w = _symbols(atoms)
    return [sum(wi * xi**j for xi, wi in zip(x, w)) for j in range(count)]


def symbolic_hankel_determinant(atoms: int, size: int | None = None, *, factor: bool = True):
    r"""Determinant of the ``size x size`` Hankel matrix of a symbolic ``atoms``-atom measure.

    With ``size == atoms`` it factors as :math:`\prod_i w_i \prod_{i<j}(x_i - x_j)^2`; with
    ``size > atoms`` it is zero (claim M1).

    Examples
    --------
    >>> symbolic_hankel_determinant(2)
    w1*w2*(x1 - x2)**2
    """
    import sympy

    size = atoms if size is None else size
    m = symbolic_moments(atoms, 2 * size - 1)
    det = hankel(SYMBOLIC, m, size, size).det(method="berkowitz")
    return sympy.factor(det) if factor else sympy.expand(det)


def prony_polynomial(moments: object, rank: int | None = None, *, variable: str = "x"):
    r"""The monic Prony polynomial :math:`\prod_i (x - x_i)` of exact moments, as a sympy Poly.

    Its coefficients solve :math:`\sum_k c_k m_{i+k} = -m_{i+n}` over Q (:eq:`eq-prony`).

    Examples
    --------
    >>> from fractions import Fraction
    >>> prony_polynomial([2, 0, Fraction(2, 3), 0])      # 2-point Gauss-Legendre
    Poly(x**2 - 1/3, x, domain='QQ')
    """
    import sympy

    data = parse_moments(moments)
    n = data.count // 2 if rank is None else rank
    if 2 * n > data.count:
        raise InputError(f"rank={rank} needs {2 * n} moments, got {data.count}")
    p, _ = exact_prony_polynomial(data.head(2 * n), n)
    x = sympy.Symbol(variable)
    coeffs = [sympy.Rational(int(p[k].p), int(p[k].q)) for k in range(p.degree(), -1, -1)]
    return sympy.Poly(coeffs, x, domain="QQ")
