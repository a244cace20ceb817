"""Recovery methods in fixed precision: numpy double precision and local mpmath contexts.

These return approximate atoms and weights only; :mod:`.recovery` measures their accuracy
against a certified computation before it vouches for any digit.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ._arith import FLOAT, MPArith, pencil, prony
from ._ball import recurrence

__all__ = ["float_prony", "float_pencil", "float_gauss", "mp_prony", "mp_pencil", "mp_gauss",
           "clean_real"]


# ----------------------------------------------------------------------------------------
# double precision


def float_prony(m: np.ndarray, n: int):
    return prony(FLOAT, m, n)[:2]


def float_pencil(m: np.ndarray, n: int):
    """SVD-truncated matrix pencil (Hua and Sarkar): eigenvalues of pinv(V1) V2."""
    return pencil(FLOAT, m, n)[:2]


def float_gauss(m: np.ndarray, n: int, basis: str):
    values = [float(v) for v in m]
    alpha, beta = recurrence(FLOAT, values, n, basis)
    nodes, vectors = scipy.linalg.eigh_tridiagonal(
        np.array(alpha), np.sqrt(np.array(beta[1:]))
    )
    return nodes, beta[0] * vectors[0] ** 2


def clean_real(values: np.ndarray, tol: float) -> np.ndarray:
    if np.iscomplexobj(values) and np.all(np.abs(values.imag) <= tol * max(np.abs(values).max(),
                                                                          1e-300)):
        return values.real.copy()
    return values


# ----------------------------------------------------------------------------------------
# mpmath


def mp_prony(ctx, m: list, n: int):
    return prony(MPArith(ctx), m, n)[:2]


def mp_pencil(ctx, m: list, n: int):
    return pencil(MPArith(ctx), m, n)[:2]


def mp_gauss(ctx, m: list, n: int, basis: str):
    alpha, beta = recurrence(MPArith(ctx), m, n, basis)
    J = ctx.matrix(n, n)
    for i in range(n):
        J[i, i] = alpha[i]
        if i + 1 < n:
            J[i, i + 1] = J[i + 1, i] = ctx.sqrt(beta[i + 1])
    E, Q = ctx.eigsy(J)
    return [E[i] for i in range(n)], [beta[0] * Q[0, i] ** 2 for i in range(n)]
