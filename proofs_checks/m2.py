"""M2: positivity of Hankel and localising matrices; the flat case is determinate.

The claim, its proof or evidence and this check's tests: theory chapter, section M2
(docs/theory.md; theory.html#m2 and claims/m2.html in the built docs).
"""

from __future__ import annotations

from momentrnn import moment_feasible

from ._measures import hard_cases, power_moments, random_measure, same_measure
from .harness import Claim

STATEMENT = (
    "M2 (Positivity). A sequence has a non-negative representing measure on R (resp. [a, b]) "
    "only if its Hankel matrices (resp. Hankel and localising matrices) are PSD; the "
    "flat/singular case determines the measure uniquely."
)


def cases(quick: bool, seed: int) -> list[dict]:
    out = []
    for c in hard_cases(quick, seed):
        n = len(c["atoms"])
        for count in (2 * n - 1, 2 * n, 2 * n + 1, 2 * n + 3):
            if count >= 1:
                out.append(dict(c, count=count))
    return out


def check(case: dict) -> float:
    """Exact: +1 when every matrix of the moments of a non-negative measure on [-1, 1] is PSD,
    and, if one is singular (always so from 2n + 1 moments of n atoms), the unique measure found
    is the generating one, atoms and weights; -1 otherwise."""
    count, n = case["count"], len(case["atoms"])
    m = power_moments(case["atoms"], case["weights"], count)
    feas = moment_feasible(m, support=(-1, 1))
    if not feas.feasible:
        return -1.0
    if feas.determinate:
        # unique: it must be the generating measure (atoms and weights; balls must contain them)
        pairs = sorted(zip(case["atoms"], case["weights"]))
        if not same_measure(feas.measure, [a for a, _ in pairs], [w for _, w in pairs]):
            return -1.0
    elif count >= 2 * n + 1:
        return -1.0  # 2n + 1 moments of an n-atom measure make H_{n+1} singular: determinate
    return 1.0


def signed(quick: bool, seed: int) -> list[dict]:
    a, w = random_measure(3, seed)
    w[1] = -w[1] * 3
    return [{"name": "signed", "atoms": a, "weights": w, "count": 7}]


def search(seed: int, count: int) -> list[dict]:
    """Random positive measures on [-1, 1] (1 to 8 atoms) with 2n-1 to 2n+3 moments."""
    import random

    rng = random.Random(60_000 + seed)
    out = []
    for _ in range(count):
        n = rng.randint(1, 8)
        a, w = random_measure(n, rng.randrange(10**9))
        out.append({"name": f"drawn n={n}", "atoms": a, "weights": w,
                    "count": rng.choice([2 * n - 1, 2 * n, 2 * n + 1, 2 * n + 3])})
    return [c for c in out if c["count"] >= 1]

CLAIM = Claim("M2", "moment sequences of positive measures have PSD moment matrices",
              STATEMENT, cases, check, [("a signed measure", signed)], unit="exact",
              search=search)
