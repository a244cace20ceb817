"""R2: the impulse response is similarity invariant.

The claim, its proof or evidence and this check's tests: theory chapter, section R2
(docs/theory.md; theory.html#r2 and claims/r2.html in the built docs).
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np

from momentrnn import MP, Exact, LinearRNN

from ._common import inverse, matmul, matvec
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "R2 (Similarity invariance). h_j(S A S^-1, S B, C S^-1) = h_j(A, B, C) for invertible S."
)

LAGS = 20


def cases(quick: bool, seed: int) -> list[dict]:
    return [{"n": n, "seed": seed + n, "transform": "similarity"} for n in (2, 3, 5, 8)]


def _dyadic(n: int, rng: random.Random, rows: int) -> list[list[Fraction]]:
    return [[Fraction(rng.randint(-6, 6), 8) for _ in range(n)] for _ in range(rows)]


def _systems(case: dict):
    """(A, B, C) with entries k/8 and S unit lower triangular with integer entries, so that
    S^-1 is integral and every entry of the transformed system is exact in binary."""
    n, rng = case["n"], random.Random(case["seed"])
    A = _dyadic(n, rng, n)
    B, C = _dyadic(n, rng, 1)[0], _dyadic(n, rng, 1)[0]
    S = [[Fraction(int(i == j)) if j >= i else Fraction(rng.randint(-1, 1)) for j in range(n)]
         for i in range(n)]
    if case.get("general"):
        # S = P D L U: a permutation, signed powers of two and two unit triangular factors,
        # so that S and S^-1 are dyadic (a dense S, not only a triangular one)
        U = [[Fraction(int(i == j)) if j <= i else Fraction(rng.randint(-1, 1))
              for j in range(n)] for i in range(n)]
        S = matmul(S, U)
        powers = [Fraction(rng.choice([-1, 1]) * 2 ** rng.randint(-2, 2)) for _ in range(n)]
        order = list(range(n))
        rng.shuffle(order)
        S = [[powers[i] * S[order[i]][j] for j in range(n)] for i in range(n)]
    Si = inverse(S)
    A2, B2 = matmul(matmul(S, A), Si), matvec(S, B)
    C2 = [sum(C[k] * Si[k][j] for k in range(n)) for j in range(n)]
    if case["transform"] != "similarity":
        C2 = C  # C not transformed: not a similarity
    return (A, B, C), (A2, B2, C2)


def _model(system) -> LinearRNN | None:
    A, B, C = system
    values = [v for row in A for v in row] + list(B) + list(C)
    if any(Fraction(float(v)) != v for v in values):
        return None  # not exact in binary: the case cannot be posed exactly
    return LinearRNN([[float(v) for v in row] for row in A], [float(v) for v in B],
                     [float(v) for v in C])


def check(case: dict) -> float:
    """Exact: +1 when the package's impulse responses of (A, B, C) and (SAS^-1, SB, CS^-1)
    agree exactly (Exact(), 20 lags), and its double-precision and MP(30) responses agree with
    the exact one to their precision; -1 otherwise."""
    first, second = (_model(s) for s in _systems(case))
    if first is None or second is None:
        return -1.0
    h1 = first.impulse_response(LAGS, precision=Exact())
    h2 = second.impulse_response(LAGS, precision=Exact())
    if h1 != h2:
        return -1.0
    scale = float(max(abs(v) for v in h1)) or 1.0
    for model in (first, second):
        f = np.asarray(model.impulse_response(LAGS), dtype=float)
        m = model.impulse_response(LAGS, precision=MP(30))
        # rounding in C A^j B is relative to |C| |A|^j |B| (entrywise), not to |h_j|: a
        # similarity with large entries makes the terms cancel; (j + 1) n unit roundoffs each
        size = _absolute_response(model)
        allowed = [10 * (j + 1) * len(model.B) * 2.0**-53 * size[j] + 1e-300 * scale
                   for j in range(LAGS)]
        if any(abs(x - float(e)) > t for x, e, t in zip(f, h1, allowed)):
            return -1.0
        if max(abs(Fraction(str(v)) - e) for v, e in zip(m, h1)) > Fraction(1, 10**25) * \
                Fraction(max(scale, max(size))):
            return -1.0
    return 1.0


def _absolute_response(model) -> list[float]:
    """|C| |A|^j |B| (entrywise absolute values), j < LAGS, in doubles rounded up a little."""
    A, B, C = (np.abs(np.asarray(v, dtype=float)) for v in (model.A, model.B, model.C))
    out, x = [], B
    for _ in range(LAGS):
        out.append(float(C @ x) * (1 + 1e-12))
        x = A @ x
    return out


def search(seed: int, count: int) -> list[dict]:
    """Random systems of dimension 1 to 8, with triangular or dense dyadic S."""
    rng = random.Random(40_000 + seed)
    return [{"n": rng.randint(1, 8), "seed": rng.randrange(10**9), "transform": "similarity",
             "general": rng.random() < 0.6} for _ in range(count)]


def refine(case: dict, rng: random.Random) -> dict:
    """Another system and S of about the same dimension."""
    return {**case, "n": min(8, max(1, case["n"] + rng.choice([-1, 0, 1]))),
            "seed": rng.randrange(10**9), "general": rng.random() < 0.6}


def not_similarity(quick: bool, seed: int) -> list[dict]:
    return [{"n": 3, "seed": seed, "transform": "C unchanged"}]


CLAIM = Claim("R2", "similarity invariance of the impulse response", STATEMENT, cases, check,
              [("C not transformed", not_similarity)], unit="exact",
              search=search, refine=refine)
register_claim(CLAIM)
