"""M1: the Hankel rank equals the number of atoms once the matrix is large enough.

The claim, its proof or evidence and this check's tests: theory chapter, section M1
(docs/theory.md; theory.html#m1 and claims/m1.html in the built docs).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from momentrnn import DiagonalRNN, Exact, Float64, effective_dimension, hankel_rank

from ._measures import (
    as_text,
    exact_rank,
    gaussian_moments,
    hard_cases,
    power_moments,
    random_measure,
    refine_measure,
)
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "M1 (Hankel rank). For n distinct atoms with non-zero weights, rank H_N = n for the N x N "
    "Hankel matrix [m_{i+j}] whenever N >= n. For N < n, rank H_N = N when the atoms are real "
    "and the weights positive; with signed or complex weights it can be smaller (atoms -1, 0, 1 "
    "with weights 1, -2, 1 give rank H_2 = 1)."
)

F = Fraction


def cases(quick: bool, seed: int) -> list[dict]:
    out = [dict(c, kind="positive") for c in hard_cases(quick, seed)]
    out.append({"name": "atoms -1, 0, 1, weights 1, -2, 1", "kind": "signed",
                "atoms": [F(-1), F(0), F(1)], "weights": [F(1), F(-2), F(1)]})
    # indefinite Hankel matrices with dyadic moments (exact in doubles): the double-precision
    # rank must agree with the exact one (eigenvalues of both signs)
    out.append({"name": "atoms 1/2, -1/2, weights 1, -1 (indefinite, dyadic)", "kind": "signed",
                "atoms": [F(1, 2), F(-1, 2)], "weights": [F(1), F(-1)]})
    out.append({"name": "atoms 1/4, -3/4, 1/2, weights 1, -2, 3/2 (indefinite, dyadic)",
                "kind": "signed", "atoms": [F(1, 4), F(-3, 4), F(1, 2)],
                "weights": [F(1), F(-2), F(3, 2)]})
    for i, n in enumerate([3, 5] if quick else [3, 5, 8, 12]):
        a, w = random_measure(n, seed * 100 + 50 + i, signed=True)
        out.append({"name": f"signed n={n}", "kind": "signed", "atoms": a, "weights": w})
    # complex atoms and weights (Gaussian rationals), including a conjugate pair
    out.append({"name": "complex conjugate pair", "kind": "complex",
                "atoms": [(F(1, 2), F(1, 2)), (F(1, 2), F(-1, 2)), (F(-1, 4), F(0))],
                "weights": [(F(1), F(1)), (F(1), F(-1)), (F(1), F(0))]})
    out.append({"name": "complex weights on the unit circle", "kind": "complex",
                "atoms": [(F(1), F(0)), (F(0), F(1)), (F(-1), F(0)), (F(0), F(-1))],
                "weights": [(F(1), F(0)), (F(0), F(1)), (F(-1), F(0)), (F(0), F(-1))]})
    # effective dimension of models whose state dimension equals their rank
    for i, n in enumerate([1, 3, 6]):
        rng = np.random.default_rng(seed + 7 * i)
        out.append({"name": f"effective dimension, d = n = {n}", "kind": "model", "n": n,
                    "a": list(np.linspace(-0.9, 0.8, n)), "b": list(rng.normal(size=n)),
                    "c": list(rng.normal(size=n))})
    return out


def _rank_claim(case: dict, N: int, n: int, rule: str) -> int | None:
    """The rank the statement asserts for H_N, or None when it asserts nothing."""
    if rule == "min":
        return min(N, n)
    if N >= n:
        return n
    return N if case["kind"] == "positive" else None


def check(case: dict, rule: str = "corrected") -> float:
    """Exact: +1 when, for N = 1..n+2, the package's rank of H_N (exact, over Q or Q(i))
    equals an independently computed exact rank and the rank the statement asserts, and, for
    real moments that doubles hold exactly, the double-precision rank's range contains that
    rank; -1 otherwise. Models: +1 when the effective dimension is n with a decided verdict."""
    if case["kind"] == "model":
        model = DiagonalRNN(case["a"], case["b"], case["c"])
        r = effective_dimension(model)
        n = case["n"]
        return 1.0 if r.rank == n and r.rank_range == (n, n) and r.verdict != "full" else -1.0
    atoms, weights = case["atoms"], case["weights"]
    n = len(atoms)
    count = 2 * (n + 2) - 1
    if case["kind"] == "complex":
        pairs = gaussian_moments(atoms, weights, count)
        moments: list = [as_text(z) for z in pairs]
        entries: list = pairs
    else:
        moments = entries = power_moments(atoms, weights, count)
    for N in range(1, n + 3):
        truth = exact_rank([[entries[i + j] for j in range(N)] for i in range(N)])
        if all(v in (0, (0, 0)) for v in entries[: 2 * N - 1]):
            got = 0  # hankel_rank refuses all-zero data (documented); the rank is 0
        else:
            got = hankel_rank(moments[: 2 * N - 1], precision=Exact(), size=N).rank
        claimed = _rank_claim(case, N, n, rule)
        if got != truth or (claimed is not None and truth != claimed):
            return -1.0
        head = entries[: 2 * N - 1]
        if (case["kind"] != "complex" and any(v != 0 for v in head)
                and all(F(float(v)) == v for v in head)):
            low, high = hankel_rank([float(v) for v in head], precision=Float64(),
                                    size=N).rank_range
            if not low <= truth <= high:
                return -1.0
    return 1.0


def search(seed: int, count: int) -> list[dict]:
    """Random measures over the statement's hypotheses: real positive, real signed, and complex
    Gaussian-rational atoms and weights, 1 to 8 distinct atoms."""
    import random

    rng = random.Random(10_000 + seed)
    out = []
    for i in range(count):
        kind = ("positive", "signed", "complex")[i % 3]
        n = rng.randint(1, 8)
        if kind == "complex":
            atoms: set = set()
            while len(atoms) < n:
                atoms.add((F(rng.randint(-9, 9), 10), F(rng.randint(-9, 9), 10)))
            weights = []
            for _ in range(n):
                w = (F(rng.randint(-9, 9), 10), F(rng.randint(-9, 9), 10))
                weights.append(w if w != (0, 0) else (F(1), F(0)))
            out.append({"name": f"drawn complex n={n}", "kind": kind, "atoms": sorted(atoms),
                        "weights": weights})
        else:
            a, w = random_measure(n, rng.randrange(10**9), signed=kind == "signed")
            out.append({"name": f"drawn {kind} n={n}", "kind": kind, "atoms": a, "weights": w})
    return out


def coincident(quick: bool, seed: int) -> list[dict]:
    atoms = [F(1, 3), F(1, 3), F(-1, 2)]
    return [{"name": "two coincident atoms", "kind": "positive", "atoms": atoms,
             "weights": [F(1), F(2), F(1)]}]


def zero_weight(quick: bool, seed: int) -> list[dict]:
    return [{"name": "a zero weight", "kind": "positive",
             "atoms": [F(0), F(1, 2), F(1)], "weights": [F(1), F(0), F(1)]}]


def refine(case: dict, rng) -> dict:
    """One atom moved and one weight rescaled (real, signed or complex; distinct atoms, no
    zero weight)."""
    return refine_measure(case, rng)


CLAIM = Claim("M1", "Hankel rank = number of atoms (N >= n)", STATEMENT, cases, check,
                   [("coincident atoms", coincident), ("zero weight", zero_weight)],
                   unit="exact", search=search, refine=refine)
register_claim(CLAIM)
