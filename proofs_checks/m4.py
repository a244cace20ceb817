"""M4: the Gauss rule from the Chebyshev algorithm equals the Prony result.

The claim, its proof or evidence and this check's tests: theory chapter, section M4
(docs/theory.md; theory.html#m4 and claims/m4.html in the built docs).
"""

from __future__ import annotations

import math

import mpmath

from momentrnn import MomentRNNError, NotPositiveError, recover_measure

from ._measures import hard_cases, power_moments, random_measure, refine_measure
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "M4 (Gauss quadrature). For a positive measure with at least n atoms, the n-point Gauss "
    "rule built from 2n moments by the Chebyshev (or modified Chebyshev) algorithm + "
    "Golub-Welsch equals the Prony result and reproduces the moments 0..2n-1."
)
TARGET = 30


def cases(quick: bool, seed: int) -> list[dict]:
    return [dict(c, precision=p) for c in hard_cases(quick, seed) for p in ("mp", "ball")]


def check(case: dict) -> float:
    """Digits of agreement between the Gauss rule and Prony, minus 30 (-inf if no rule)."""
    n = case.get("rank", len(case["atoms"]))
    moments = power_moments(case["atoms"], case["weights"], 2 * n)
    from momentrnn import MP

    precision = MP(60 + 2 * n) if case["precision"] == "mp" else None
    try:
        g = recover_measure(moments, rank=n, method="gauss", precision=precision,
                            digits=None if precision else TARGET + 5)
    except NotPositiveError:
        return -math.inf
    except MomentRNNError:
        if n > len(case["atoms"]):
            return -math.inf  # no n-point rule: refused, as it must be (the control)
        raise
    p = recover_measure(moments, rank=n, method="prony", digits=TARGET + 5)
    ctx = mpmath.MPContext()
    ctx.dps = 100
    ga = [ctx.mpmathify(x) for x in g.measure.atoms]
    gw = [ctx.mpmathify(x) for x in g.measure.weights]
    pa = [ctx.mpmathify(x) for x in p.measure.atoms]
    pw = [ctx.mpmathify(x) for x in p.measure.weights]
    err_a = max(abs(x - y) for x, y in zip(ga, pa)) / max(abs(x) for x in pa)
    err_w = max(abs(x - y) for x, y in zip(gw, pw)) / max(abs(x) for x in pw)
    # and the rule reproduces m_0..m_{2n-1}
    exact = [ctx.mpf(m.numerator) / m.denominator for m in moments]
    res = max(abs(ctx.fsum(w * x**j for x, w in zip(ga, gw)) - exact[j]) for j in range(2 * n))
    worst = max(err_a, err_w, res / max(abs(m) for m in exact))
    return (math.inf if worst == 0 else float(-ctx.log10(worst))) - TARGET


def signed(quick: bool, seed: int) -> list[dict]:
    a, w = random_measure(4, seed + 3, signed=True)
    if all(x > 0 for x in w):
        w[0] = -w[0]
    return [{"name": "signed measure", "atoms": a, "weights": w, "precision": "ball"}]


def search(seed: int, count: int) -> list[dict]:
    """Random positive measures (1 to 10 atoms), in mpmath and in ball arithmetic."""
    import random

    rng = random.Random(70_000 + seed)
    out = []
    for i in range(count):
        n = rng.randint(1, 10)
        a, w = random_measure(n, rng.randrange(10**9))
        out.append({"name": f"drawn n={n}", "atoms": a, "weights": w,
                    "precision": ("mp", "ball")[i % 2]})
    return out

def refine(case: dict, rng) -> dict:
    """One atom moved inside [-1, 1] and one weight rescaled (positive, distinct atoms)."""
    return refine_measure(case, rng, positive=True)


def too_few_atoms(quick: bool, seed: int) -> list[dict]:
    """Drops 'at least n atoms': n - 1 atoms, an n-point rule asked for (H_n is singular)."""
    out = []
    for i, n in enumerate((2, 4)):
        a, w = random_measure(n - 1, seed + 40 + i)
        out.append({"name": f"{n - 1} atoms, an {n}-point rule", "atoms": a, "weights": w,
                    "precision": "ball", "rank": n})
    return out


CLAIM = Claim("M4", "Gauss rule = Prony for positive measures", STATEMENT, cases, check,
                   [("signed weights", signed), ("fewer atoms than nodes", too_few_atoms)],
                   unit="digits", search=search, refine=refine)
register_claim(CLAIM)
