"""R2: the impulse response is similarity invariant."""

from __future__ import annotations

from ._common import exact_response, inverse, matmul, matvec, random_rational_matrix
from .harness import Claim

STATEMENT = (
    "R2 (Similarity invariance). h_j(S A S^-1, S B, C S^-1) = h_j(A, B, C) for invertible S."
)


def cases(quick: bool, seed: int) -> list[dict]:
    return [{"n": n, "seed": seed + n, "transform": "similarity"} for n in (2, 3, 5, 8)]


def check(case: dict) -> float:
    """+1 when the two impulse responses agree exactly over Q (20 lags), -1 otherwise."""
    n, s = case["n"], case["seed"]
    A = random_rational_matrix(n, s)
    B = random_rational_matrix(n, s + 1)[0]
    C = random_rational_matrix(n, s + 2)[0]
    S = random_rational_matrix(n, s + 3)
    for i in range(n):
        S[i][i] += 3  # diagonally dominant: invertible
    Si = inverse(S)
    A2 = matmul(matmul(S, A), Si)
    B2 = matvec(S, B)
    if case["transform"] == "similarity":
        C2 = [sum(C[k] * Si[k][j] for k in range(n)) for j in range(n)]
    else:  # C not transformed: not a similarity
        C2 = C
    return 1.0 if exact_response(A, B, C, 20) == exact_response(A2, B2, C2, 20) else -1.0


def not_similarity(quick: bool, seed: int) -> list[dict]:
    return [{"n": 3, "seed": seed, "transform": "C unchanged"}]


CLAIM = Claim("R2", "similarity invariance of the impulse response", STATEMENT, cases, check,
              [("C not transformed", not_similarity)], unit='exact')
