"""Recovery methods in fixed precision: numpy double precision and local mpmath contexts.

These return approximate atoms and weights only; :mod:`.recovery` measures their accuracy
against a certified computation before it vouches for any digit.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ..errors import IllConditionedError, RankError
from ._ball import basis_recurrence, chebyshev_algorithm, monic_modified_moments

__all__ = ["float_prony", "float_pencil", "float_gauss", "mp_prony", "mp_pencil", "mp_gauss",
           "clean_real"]


# ----------------------------------------------------------------------------------------
# double precision


def _float_weights(m: np.ndarray, atoms: np.ndarray) -> np.ndarray:
    V = np.vander(atoms, len(m), increasing=True).T
    w, *_ = np.linalg.lstsq(V, m, rcond=None)
    return w


def float_prony(m: np.ndarray, n: int):
    rows = len(m) - n
    H = np.array([[m[i + k] for k in range(n)] for i in range(rows)])
    rhs = -m[n : n + rows]
    c, *_ = np.linalg.lstsq(H, rhs, rcond=None)
    atoms = np.roots(np.concatenate([[1.0], c[::-1]]))
    return atoms, _float_weights(m, atoms)


def float_pencil(m: np.ndarray, n: int):
    """SVD-truncated matrix pencil (Hua and Sarkar): eigenvalues of pinv(V1) V2."""
    M = len(m)
    L = M // 2
    Y = np.array([[m[i + k] for k in range(L + 1)] for i in range(M - L)])
    _, _, Vh = np.linalg.svd(Y)
    V = Vh[:n].conj().T
    atoms = scipy.linalg.eigvals(np.linalg.pinv(V[:-1]) @ V[1:])
    return atoms, _float_weights(m, atoms)


def float_gauss(m: np.ndarray, n: int, basis: str):
    values = [float(v) for v in m]
    nu = monic_modified_moments(values, basis, 1.0)
    a, b = basis_recurrence(basis, 2 * n, 1.0, 0.0)
    alpha, beta = chebyshev_algorithm(nu, n, a, b, 0.0)
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


def _mp_weights(ctx, m: list, atoms: list):
    M, n = len(m), len(atoms)
    V = ctx.matrix(M, n)
    for i, x in enumerate(atoms):
        p = ctx.mpf(1)
        for j in range(M):
            V[j, i] = p
            p *= x
    b = ctx.matrix(m)
    try:
        w = ctx.lu_solve(V, b) if M == n else _mp_least_squares(ctx, V, b)
    except ZeroDivisionError:
        raise IllConditionedError(
            f"the Vandermonde system of the {n} atoms is numerically singular at {ctx.dps} "
            "digits (atoms too close to separate); raise dps or use digits="
        ) from None
    return [w[i] for i in range(n)]


def _mp_least_squares(ctx, A, b):
    """Least squares through the normal equations at twice the working precision.

    (mpmath's Householder QR divides by zero when a column starts with an exact 0, as the
    Hankel matrix of ``m_0 = 0`` does.) Doubling the precision absorbs the squared condition
    number of the normal equations.
    """
    wide = type(ctx)()
    wide.prec = 2 * ctx.prec + 20
    Aw = wide.matrix([[wide.mpmathify(A[i, j]) for j in range(A.cols)] for i in range(A.rows)])
    bw = wide.matrix([wide.mpmathify(b[i]) for i in range(b.rows)])
    At = Aw.H
    x = wide.lu_solve(At * Aw, At * bw)
    return ctx.matrix([ctx.mpmathify(x[i]) for i in range(x.rows)])


def _mp_solve(ctx, A, b):
    try:
        if A.rows == A.cols:
            return ctx.lu_solve(A, b)
        return _mp_least_squares(ctx, A, b)
    except ZeroDivisionError:
        raise RankError(
            "the Hankel system is numerically singular at this precision: the rank is too "
            "large for the data, or the precision too low"
        ) from None


def mp_prony(ctx, m: list, n: int):
    rows = len(m) - n
    H = ctx.matrix([[m[i + k] for k in range(n)] for i in range(rows)])
    rhs = ctx.matrix([-m[n + i] for i in range(rows)])
    c = _mp_solve(ctx, H, rhs)
    coeffs = [ctx.mpf(1)] + [c[k] for k in range(n - 1, -1, -1)]
    try:
        atoms = ctx.polyroots(coeffs, maxsteps=50 + 10 * n, extraprec=4 * n + 20)
    except ctx.NoConvergence:
        raise IllConditionedError(
            f"mpmath polyroots did not converge at {ctx.dps} digits for degree {n}; "
            "raise dps or use digits="
        ) from None
    return list(atoms), _mp_weights(ctx, m, list(atoms))


def mp_pencil(ctx, m: list, n: int):
    rows = len(m) - n
    H0 = ctx.matrix([[m[i + k] for k in range(n)] for i in range(rows)])
    H1 = ctx.matrix([[m[i + k + 1] for k in range(n)] for i in range(rows)])
    if rows > n:
        H0t = H0.T
        H0, H1 = H0t * H0, H0t * H1
    try:
        A = ctx.inverse(H0) * H1
    except ZeroDivisionError:
        raise RankError("H0 is numerically singular: the rank is too large for the data") from None
    eig = ctx.eig(A, left=False, right=False)
    atoms = list(eig[0] if isinstance(eig, tuple) else eig)  # 1x1 input returns a tuple
    return atoms, _mp_weights(ctx, m, atoms)


def mp_gauss(ctx, m: list, n: int, basis: str):
    nu = monic_modified_moments(list(m), basis, ctx.mpf(1))
    a, b = basis_recurrence(basis, 2 * n, ctx.mpf(1), ctx.mpf(0))
    alpha, beta = chebyshev_algorithm(nu, n, a, b, ctx.mpf(0))
    J = ctx.matrix(n, n)
    for i in range(n):
        J[i, i] = alpha[i]
        if i + 1 < n:
            J[i, i + 1] = J[i + 1, i] = ctx.sqrt(beta[i + 1])
    E, Q = ctx.eigsy(J)
    return [E[i] for i in range(n)], [beta[0] * Q[0, i] ** 2 for i in range(n)]
