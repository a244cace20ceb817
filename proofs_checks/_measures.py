"""Random and named test measures with exact rational atoms and weights."""

from __future__ import annotations

import random
from fractions import Fraction


def random_measure(n: int, seed: int, *, signed: bool = False, spread: int = 1000):
    """n distinct rational atoms in [-1, 1] and rational weights (positive unless signed)."""
    rng = random.Random(seed)
    atoms: set[Fraction] = set()
    while len(atoms) < n:
        atoms.add(Fraction(rng.randint(-spread, spread), spread))
    weights = []
    for _ in range(n):
        w = Fraction(rng.randint(1, 100), 100)
        weights.append(-w if signed and rng.random() < 0.5 else w)
    return sorted(atoms), weights


def power_moments(atoms, weights, count: int):
    """Exact moments sum_i w_i x_i^j, j < count (atoms may repeat: no validation here)."""
    return [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]


def hard_cases(quick: bool, seed: int) -> list[dict]:
    """Grid including close atoms, atoms at 0 and +-1, and many atoms."""
    out = []
    sizes = [1, 2, 3, 5, 8] if quick else [1, 2, 3, 5, 8, 12, 20]
    for i, n in enumerate(sizes):
        a, w = random_measure(n, seed * 1000 + i)
        out.append({"name": f"random n={n}", "atoms": a, "weights": w})
    out.append({"name": "atoms at -1, 0, 1", "atoms": [Fraction(-1), Fraction(0), Fraction(1)],
                "weights": [Fraction(1, 3)] * 3})
    close = [Fraction(1, 2), Fraction(1, 2) + Fraction(1, 10**4)]
    out.append({"name": "close atoms", "atoms": close, "weights": [Fraction(1), Fraction(1)]})
    return out
