"""R8: a non-negative measure matching 2d+1 moments of a d-atom positive measure is it.

The claim, its proof or evidence and this check's tests: theory chapter, section R8
(docs/theory.md; theory.html#r8 and claims/r8.html in the built docs).
"""

from __future__ import annotations

from fractions import Fraction

from momentrnn import DiscreteMeasure, Exact, moment_feasible, next_moment_range

from ._common import finite_difference_measure
from ._measures import power_moments, random_measure, same_measure
from .harness import Claim

STATEMENT = (
    "R8 (Main theorem, extrapolation). Let mu_hat = sum_{i<=d} w_i delta_{a_i} with distinct real "
    "a_i and w_i > 0. If mu is any non-negative measure (any number of atoms) with m_j(mu) = "
    "m_j(mu_hat) for j = 0..2d, then mu = mu_hat. Hence a balanced student with zero loss on "
    "k >= 2d + 1 extrapolates perfectly and has effective state dimension d, whatever its size."
)


def cases(quick: bool, seed: int) -> list[dict]:
    out = []
    for i, d in enumerate([1, 2, 3, 5] + ([] if quick else [8])):
        a, w = random_measure(d, seed * 100 + i)
        for support in [("-inf", "inf"), (-1, 1)]:
            out.append({"atoms": a, "weights": w, "k": 2 * d + 1, "support": support,
                        "class": "non-negative"})
    return out


def check(case: dict) -> float:
    """Exact: +1 when the first k moments determine mu_hat (atoms and weights) among the
    admissible measures, -1 when another admissible measure shares them. Non-negative class:
    decided by moment_feasible over Q; signed class: a signed measure built with the package's
    DiscreteMeasure shares the moments exactly."""
    atoms, weights, k = case["atoms"], case["weights"], case["k"]
    m = power_moments(atoms, weights, k)
    if case["class"] == "signed":
        # mu_hat plus a k-th finite difference: signed, same first k moments, another measure
        fa, fw = finite_difference_measure(k, Fraction(-1, 2), Fraction(1, 3), Fraction(1, 10))
        mine = DiscreteMeasure(list(atoms), list(weights)).moments(k, precision=Exact())
        other = DiscreteMeasure(atoms + fa, weights + fw).moments(k, precision=Exact())
        return -1.0 if other == mine == m else 1.0
    if k % 2 == 1:
        feas = moment_feasible(m, support=case["support"])
        same = feas.feasible and feas.determinate and same_measure(feas.measure, sorted(atoms),
                                                                    [w for _, w in sorted(
                                                                        zip(atoms, weights))])
        return 1.0 if same else -1.0
    # k even: the next moment still has a non-trivial range, so m_0..m_{k-1} do not determine
    r = next_moment_range(m, support=case["support"])
    return 1.0 if r.collapsed else -1.0


def search(seed: int, count: int) -> list[dict]:
    """Random positive measures with 1 to 7 atoms, on the line and on [-1, 1]."""
    import random

    rng = random.Random(30_000 + seed)
    out = []
    for i in range(count):
        d = rng.randint(1, 7)
        a, w = random_measure(d, rng.randrange(10**9))
        out.append({"atoms": a, "weights": w, "k": 2 * d + 1,
                    "support": (("-inf", "inf"), (-1, 1))[i % 2], "class": "non-negative"})
    return out


def two_d_moments(quick: bool, seed: int) -> list[dict]:
    a, w = random_measure(2, seed)
    return [{"atoms": a, "weights": w, "k": 4, "support": (-1, 1), "class": "non-negative"}]


def signed(quick: bool, seed: int) -> list[dict]:
    a, w = random_measure(2, seed)
    return [{"atoms": a, "weights": w, "k": 5, "support": ("-inf", "inf"), "class": "signed"}]


CLAIM = Claim("R8", "2d+1 moments determine a d-atom positive measure", STATEMENT, cases, check,
              [("only 2d moments", two_d_moments), ("signed measures allowed", signed)],
              unit="exact", search=search)
