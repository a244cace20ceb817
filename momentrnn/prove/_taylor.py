r"""Taylor coefficients of the gradient flow of the diagonal model, by the product recurrence.

The right-hand side of :math:`\dot z = -\nabla L_k(z)`, :math:`z = (a, b, c)`, is a polynomial:
with :math:`w_i = b_i c_i`, :math:`r_j = \sum_i w_i a_i^j - \hat h_j`,
:math:`u_j = 2\rho_j r_j`, :math:`S_i = \sum_j a_i^j u_j` and
:math:`D_i = \sum_{j \ge 1} j a_i^{j-1} u_j`,

.. math::

    \dot a_i = -w_i D_i, \qquad \dot b_i = -c_i S_i, \qquad \dot c_i = -b_i S_i .

The Taylor coefficients :math:`z_n` of the solution (:math:`z(t) = \sum_n z_n t^n`) follow
order by order: knowing :math:`z_0, \dots, z_n`, the coefficient of order :math:`n` of every
product is a Cauchy sum, and :math:`z_{n+1} = f_n / (n + 1)`. Nothing here rounds by itself:
with balls (python-flint ``arb``) every coefficient is an enclosure of the exact one for every
initial point in the input balls, with exact rationals it is exact.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["taylor_coefficients"]


def _cauchy(x: list, y: list, n: int, zero):
    """The coefficient of order n of the product of the series x and y."""
    s = zero
    for m in range(n + 1):
        s += x[m] * y[n - m]
    return s


def taylor_coefficients(a0: Sequence, b0: Sequence, c0: Sequence, target: Sequence,
                        rho: Sequence, order: int, zero, one) -> tuple[list, list, list]:
    r"""The Taylor coefficients of orders 0..``order`` of :math:`a_i, b_i, c_i` from the
    initial values ``a0, b0, c0``.

    ``target`` holds :math:`\hat h_j` and ``rho`` the lag weights (``k`` of each), all in the
    same number type as the initial values (``arb`` balls, Fractions, mpmath numbers);
    ``zero`` and ``one`` are that type's 0 and 1. Returns three lists (one per unit) of
    ``order + 1`` coefficients each.
    """
    d = len(a0)
    k = len(target)
    A = [[a0[i]] for i in range(d)]
    B = [[b0[i]] for i in range(d)]
    C = [[c0[i]] for i in range(d)]
    # P[i][j] = a_i^j, W[i] = b_i c_i, U[j] = 2 rho_j r_j, S and Dv as above
    P = [[[one] for _ in range(k)] for _ in range(d)]
    W = [[] for _ in range(d)]
    U = [[] for _ in range(k)]
    two_rho = [2 * r for r in rho]
    for n in range(order):
        for i in range(d):
            Pi, Ai = P[i], A[i]
            if n:
                Pi[0].append(zero)
            for j in range(1, k):
                if n:
                    Pi[j].append(_cauchy(Pi[j - 1], Ai, n, zero))
                else:
                    Pi[j][0] = Pi[j - 1][0] * Ai[0]
            W[i].append(_cauchy(B[i], C[i], n, zero))
        for j in range(k):
            r = zero
            for i in range(d):
                r += _cauchy(W[i], P[i][j], n, zero)
            if n == 0:
                r -= target[j]
            U[j].append(two_rho[j] * r)
        for i in range(d):
            Pi = P[i]
            s = zero
            dv = zero
            for j in range(k):
                s += _cauchy(Pi[j], U[j], n, zero)
                if j:
                    dv += j * _cauchy(Pi[j - 1], U[j], n, zero)
            # S and D are needed only through their products with W, B, C; keep their series
            if n == 0:
                P[i].append([s])  # P[i][k] holds the series of S_i
                P[i].append([dv])  # P[i][k + 1] holds the series of D_i
            else:
                P[i][k].append(s)
                P[i][k + 1].append(dv)
            fa = -_cauchy(W[i], P[i][k + 1], n, zero)
            fb = -_cauchy(C[i], P[i][k], n, zero)
            fc = -_cauchy(B[i], P[i][k], n, zero)
            A[i].append(fa / (n + 1))
            B[i].append(fb / (n + 1))
            C[i].append(fc / (n + 1))
    return A, B, C
