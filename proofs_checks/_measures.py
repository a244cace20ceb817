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


def gaussian_moments(atoms, weights, count: int) -> list[tuple[Fraction, Fraction]]:
    """Exact moments of a measure with Gaussian-rational atoms and weights, given as
    (real, imaginary) pairs of Fractions; returns (real, imaginary) pairs."""
    out = []
    cur = [(Fraction(w[0]), Fraction(w[1])) for w in weights]
    for _ in range(count):
        out.append((sum(c[0] for c in cur), sum(c[1] for c in cur)))
        cur = [(c[0] * x[0] - c[1] * x[1], c[0] * x[1] + c[1] * x[0])
               for c, x in zip(cur, atoms)]
    return out


def as_text(z: tuple[Fraction, Fraction]) -> str:
    """A Gaussian rational written so that the package reads it exactly."""
    re, im = z
    return f"{re}{'+' if im >= 0 else '-'}{abs(im)}j"


def exact_rank(rows) -> int:
    """Rank over Q(i) by Gaussian elimination; entries are Fractions or (re, im) pairs.

    Independent of the package: the checks compare the package's rank with this one."""
    if rows and all(not isinstance(v, tuple) for row in rows for v in row):
        return _integer_rank(rows)

    def pair(v):
        return (Fraction(v[0]), Fraction(v[1])) if isinstance(v, tuple) else (Fraction(v), 0)

    M = [[pair(v) for v in row] for row in rows]
    rank, cols = 0, len(M[0]) if M else 0
    for col in range(cols):
        piv = next((r for r in range(rank, len(M)) if M[r][col] != (0, 0)), None)
        if piv is None:
            continue
        M[rank], M[piv] = M[piv], M[rank]
        pr, pi = M[rank][col]
        norm = pr * pr + pi * pi
        inv = (pr / norm, -pi / norm)
        for r in range(len(M)):
            if r != rank and M[r][col] != (0, 0):
                fr, fi = M[r][col]
                f = (fr * inv[0] - fi * inv[1], fr * inv[1] + fi * inv[0])
                M[r] = [(a[0] - (f[0] * b[0] - f[1] * b[1]), a[1] - (f[0] * b[1] + f[1] * b[0]))
                        for a, b in zip(M[r], M[rank])]
        rank += 1
    return rank


def _integer_rank(rows) -> int:
    """Rank over Q of a rational matrix: rows scaled to integers, then fraction-free (Bareiss)
    elimination with row pivoting; every step is exact integer arithmetic."""
    import math

    M = []
    for row in rows:
        fr = [Fraction(v) for v in row]
        scale = math.lcm(*(v.denominator for v in fr)) if fr else 1
        M.append([int(v * scale) for v in fr])
    rank, prev = 0, 1
    cols = len(M[0]) if M else 0
    for col in range(cols):
        piv = next((r for r in range(rank, len(M)) if M[r][col] != 0), None)
        if piv is None:
            continue
        M[rank], M[piv] = M[piv], M[rank]
        p = M[rank][col]
        for r in range(rank + 1, len(M)):
            a = M[r][col]
            M[r] = [(p * x - a * y) // prev for x, y in zip(M[r], M[rank])]
        prev = p
        rank += 1
    return rank


def same_measure(measure, atoms, weights) -> bool:
    """Exact comparison of a recovered measure with (atoms, weights): atoms and weights, each
    equal as rationals or contained in the returned balls."""
    if measure is None or len(measure.atoms) != len(atoms):
        return False
    got = sorted(zip(measure.atoms, measure.weights), key=lambda p: float(p[0].mid())
                 if hasattr(p[0], "mid") else float(p[0]))
    for (ga, gw), a, w in zip(got, atoms, weights):
        for g, t in ((ga, a), (gw, w)):
            if hasattr(g, "contains"):
                import flint

                with flint.ctx.workprec(400):
                    if not g.contains(flint.fmpq(t.numerator, t.denominator)):
                        return False
            elif Fraction(g) != t:
                return False
    return True


def refine_measure(case: dict, rng, *, low=-1, high=1, positive: bool = False) -> dict:
    """A small move of a case's measure inside the usual hypotheses: one atom moved (real
    atoms stay in [low, high]; (re, im) pairs move both parts), one weight rescaled (its
    sign kept, never 0); atoms stay distinct. Cases without atoms come back unchanged."""
    if not case.get("atoms"):
        return dict(case)
    atoms, weights = list(case["atoms"]), list(case["weights"])
    i = rng.randrange(len(atoms))
    step = Fraction(rng.randint(-100, 100), 1000)
    if isinstance(atoms[i], tuple):
        atoms[i] = (atoms[i][0] + step, atoms[i][1] + Fraction(rng.randint(-100, 100), 1000))
    elif isinstance(atoms[i], Fraction):
        atoms[i] = min(Fraction(high), max(Fraction(low), atoms[i] + step))
    else:
        return dict(case)
    k = rng.randrange(len(weights))
    factor = Fraction(rng.randint(50, 200), 100)
    weights[k] = ((weights[k][0] * factor, weights[k][1] * factor)
                  if isinstance(weights[k], tuple) else weights[k] * factor)
    if len(set(atoms)) < len(atoms):
        return dict(case)
    if positive or all(not isinstance(a, tuple) for a in atoms):
        pairs = sorted(zip(atoms, weights))
        atoms, weights = [a for a, _ in pairs], [w for _, w in pairs]
    return dict(case, atoms=atoms, weights=weights)
