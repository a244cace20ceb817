"""M1: the Hankel rank equals the number of atoms."""

from __future__ import annotations

from fractions import Fraction

from momentrnn import Exact, hankel_rank

from ._measures import hard_cases, power_moments
from .harness import Claim

STATEMENT = (
    "M1 (Hankel rank). For n distinct atoms with non-zero weights, rank H_N = min(N, n) for the "
    "N x N Hankel matrix [m_{i+j}]."
)


def cases(quick: bool, seed: int) -> list[dict]:
    return hard_cases(quick, seed)


def check(case: dict) -> float:
    """+1 when rank H_N = min(N, n) for N = 1..n+2 (exact rank over Q), -1 otherwise."""
    atoms, weights = case["atoms"], case["weights"]
    n = len(atoms)
    moments = power_moments(atoms, weights, 2 * (n + 2) - 1)
    for N in range(1, n + 3):
        r = hankel_rank(moments[: 2 * N - 1], precision=Exact(), size=N)
        if r.rank != min(N, n):
            return -1.0
    return 1.0


def coincident(quick: bool, seed: int) -> list[dict]:
    atoms = [Fraction(1, 3), Fraction(1, 3), Fraction(-1, 2)]
    return [{"name": "two coincident atoms", "atoms": atoms,
             "weights": [Fraction(1), Fraction(2), Fraction(1)]}]


def zero_weight(quick: bool, seed: int) -> list[dict]:
    return [{"name": "a zero weight", "atoms": [Fraction(0), Fraction(1, 2), Fraction(1)],
             "weights": [Fraction(1), Fraction(0), Fraction(1)]}]


CLAIM = Claim("M1", "Hankel rank = number of atoms", STATEMENT, cases, check,
              [("coincident atoms", coincident), ("zero weight", zero_weight)])
