"""R9: with k = 2d the conclusion of R8 fails."""

from __future__ import annotations

from fractions import Fraction

from momentrnn import next_moment_range

from ._measures import power_moments, random_measure
from .harness import Claim

STATEMENT = (
    "R9 (Tightness). With k = 2d the conclusion fails: there are balanced zero-loss students "
    "that do not extrapolate (d = 1: delta_1 and 1/2 delta_0 + 1/2 delta_2 share m_0, m_1; m_j "
    "differs for every j >= 2)."
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
    return float(abs(Fraction(far) - m[k]) / max(abs(m[k]), Fraction(1, 10**12)))


def one_more_moment(quick: bool, seed: int) -> list[dict]:
    a, w = random_measure(2, seed)
    return [{"name": "k = 2d + 1", "atoms": a, "weights": w, "support": (-1, 1), "k": 5}]


CLAIM = Claim("R9", "k = 2d moments do not determine the measure", STATEMENT, cases, check,
              [("k = 2d + 1 instead", one_more_moment)], unit='relative')
