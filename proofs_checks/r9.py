"""R9: with k = 2d the conclusion of R8 fails.

The claim, its proof or evidence and this check's tests: theory chapter, section R9
(docs/theory.md; theory.html#r9 and claims/r9.html in the built docs).
"""

from __future__ import annotations

from fractions import Fraction

from momentrnn import Ball, DiscreteMeasure, Exact, next_moment_range

from ._measures import power_moments, random_measure
from .harness import Claim

STATEMENT = (
    "R9 (Tightness). With k = 2d the conclusion fails: there are balanced zero-loss students "
    "that do not extrapolate (d = 1: delta_1 and 1/2 delta_0 + 1/2 delta_2 share m_0, m_1; m_j "
    "differs for every j >= 2). In general, for distinct atoms inside (a, b), mu_hat + eps tau "
    "with tau the divided difference on 2d + 1 points interleaving the atoms is a non-negative "
    "measure sharing m_0..m_{2d-1} with m_{2d} larger by eps, and the range of m_{2d} has "
    "positive length."
)


def cases(quick: bool, seed: int) -> list[dict]:
    out = [{"name": "delta_1 vs (delta_0 + delta_2)/2", "atoms": [Fraction(1)],
            "weights": [Fraction(1)], "support": (0, 2), "k": 2}]
    for i, d in enumerate([1, 2, 3, 4]):
        a, w = random_measure(d, seed * 10 + i)
        out.append({"name": f"random d={d}", "atoms": a, "weights": w, "support": (-1, 1),
                    "k": 2 * d})
    return out


def check(case: dict) -> float:
    """Relative gap |m_k(nu) - m_k(mu_hat)| / |m_k(mu_hat)| + tiny, of the canonical measure nu
    at the far end of the range of m_k: a positive, non-negative measure sharing m_0..m_{k-1}
    that extrapolates differently (0 when the moments determine the measure)."""
    atoms, weights, k = case["atoms"], case["weights"], case["k"]
    m = power_moments(atoms, weights, k + 1)
    r = next_moment_range(m[:k], support=case["support"])
    if r.collapsed:
        return 0.0
    far = r.upper if abs(r.upper - m[k]) >= abs(r.lower - m[k]) else r.lower
    nu = r.upper_measure if far == r.upper else r.lower_measure
    if case["k"] == 2 and case["atoms"] == [Fraction(1)]:
        # the explicit example: 1/2 delta_0 + 1/2 delta_2 differs at every j >= 2
        ex = power_moments([Fraction(0), Fraction(2)], [Fraction(1, 2)] * 2, 8)
        mu = power_moments(atoms, weights, 8)
        if ex[:2] != mu[:2] or any(ex[j] == mu[j] for j in range(2, 8)):
            return -1.0
    if nu is None or any(float(w) <= 0 for w in nu.weights):
        return -1.0
    if not _represents(nu, m[:k], far, case["support"]):
        return -1.0
    lo, hi = (Fraction(v) for v in case["support"])
    if all(lo < x < hi for x in atoms):
        # the proof's construction, checked exactly with the package's moments; the range's
        # upper end must be at least the value it reaches
        built = construction(atoms, weights, lo, hi)
        if built is None:
            return -1.0
        value = built.moments(k + 1, precision=Exact())
        if value[:k] != m[:k] or not value[k] > m[k] or Fraction(r.upper) < value[k]:
            return -1.0
    return float(abs(Fraction(far) - m[k]) / max(abs(m[k]), Fraction(1, 10**12)))


def construction(atoms, weights, lo: Fraction, hi: Fraction) -> DiscreteMeasure | None:
    """mu_hat + eps tau, tau the divided difference on lo < a_1 < x_2 < a_2 < ... < hi, with
    the largest eps that keeps the weights non-negative, halved (None if one is negative)."""
    pairs = sorted(zip(atoms, weights))
    xs = [lo]
    for i, (a, _) in enumerate(pairs):
        xs.append(a)
        xs.append((a + pairs[i + 1][0]) / 2 if i + 1 < len(pairs) else hi)
    coef = []
    for l, x in enumerate(xs):
        prod = Fraction(1)
        for j, y in enumerate(xs):
            if j != l:
                prod *= x - y
        coef.append(1 / prod)
    eps = min(w / -coef[2 * i + 1] for i, (_, w) in enumerate(pairs)) / 2
    new_w = [eps * c for c in coef]
    for i, (_, w) in enumerate(pairs):
        new_w[2 * i + 1] += w
    if any(w < 0 for w in new_w):
        return None
    return DiscreteMeasure(xs, new_w)


def _represents(nu, m: list, end, support) -> bool:
    """nu has its atoms in the support and the moments m (and the end value next), exactly or
    within its balls."""
    lo, hi = (Fraction(v) for v in support)
    q = len(m)
    if nu.is_exact:
        got = nu.moments(q + 1, precision=Exact())
        return (all(lo <= Fraction(a) <= hi for a in nu.atoms) and got[:q] == list(m)
                and got[q] == Fraction(end))
    import flint

    got = nu.moments(q + 1, precision=Ball(60))
    with flint.ctx.workprec(400):
        vals = list(m) + [Fraction(end)]
        return all(got[j].contains(flint.fmpq(Fraction(v).numerator, Fraction(v).denominator))
                   for j, v in enumerate(vals))


def one_more_moment(quick: bool, seed: int) -> list[dict]:
    a, w = random_measure(2, seed)
    return [{"name": "k = 2d + 1", "atoms": a, "weights": w, "support": (-1, 1), "k": 5}]


def search(seed: int, count: int) -> list[dict]:
    """Random positive measures with 1 to 5 atoms inside [-1, 1], k = 2d."""
    import random

    rng = random.Random(90_000 + seed)
    out = []
    for _ in range(count):
        d = rng.randint(1, 5)
        a, w = random_measure(d, rng.randrange(10**9), spread=999)
        out.append({"name": f"drawn d={d}", "atoms": [x * Fraction(999, 1000) for x in a],
                    "weights": w, "support": (-1, 1), "k": 2 * d})
    return out

CLAIM = Claim("R9", "k = 2d moments do not determine the measure", STATEMENT, cases, check,
              [("k = 2d + 1 instead", one_more_moment)], unit="relative",
              search=search)
