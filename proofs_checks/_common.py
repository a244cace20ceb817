"""Helpers shared by the checks: digits, margins, exact rational models."""

from __future__ import annotations

import math
from fractions import Fraction


def digits(err: float) -> float:
    """-log10 of an error (inf for zero)."""
    return math.inf if err == 0 else -math.log10(err)


def matmul(A, B):
    return [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))]
            for i in range(len(A))]


def matvec(A, x):
    return [sum(a * b for a, b in zip(row, x)) for row in A]


def exact_response(A, B, C, count: int) -> list[Fraction]:
    out, x = [], list(B)
    for _ in range(count):
        out.append(sum(c * v for c, v in zip(C, x)))
        x = matvec(A, x)
    return out


def inverse(A):
    """Exact inverse by Gauss-Jordan elimination over Q."""
    n = len(A)
    M = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(A)]
    for col in range(n):
        piv = next(r for r in range(col, n) if M[r][col] != 0)
        M[col], M[piv] = M[piv], M[col]
        p = M[col][col]
        M[col] = [v / p for v in M[col]]
        for r in range(n):
            if r != col and M[r][col] != 0:
                f = M[r][col]
                M[r] = [a - f * b for a, b in zip(M[r], M[col])]
    return [row[n:] for row in M]


def finite_difference_measure(order: int, x0: Fraction, h: Fraction, amplitude: Fraction):
    """eps * sum_l (-1)^l C(order, l) delta_{x0 + l h}: kills every moment below ``order``."""
    atoms = [x0 + l * h for l in range(order + 1)]
    weights = [amplitude * (-1) ** l * math.comb(order, l) for l in range(order + 1)]
    return atoms, weights


class _OverBudget(Exception):
    pass


def bounded_flow(student, teacher, *, budget: int = 20_000, **options):
    """integrate_flow with at most ``budget`` gradient evaluations (counted through its
    progress callback); None when the budget runs out. A correct flow in the checks needs a
    few thousand; a broken gradient must make a check fail, not hang."""
    from momentrnn import integrate_flow

    calls = [0]

    def count(_t: float, _loss: float) -> None:
        calls[0] += 1
        if calls[0] > budget:
            raise _OverBudget

    try:
        return integrate_flow(student, teacher, progress=count, **options)
    except _OverBudget:
        return None
