"""R4: b_i^2 - c_i^2 is conserved by the gradient flow (diagonal A).

The claim, its proof or evidence and this check's tests: theory chapter, section R4
(docs/theory.md; theory.html#r4 and claims/r4.html in the built docs).
"""

from __future__ import annotations

from ._flowcheck import drift_digits
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "R4 (Conservation law, diagonal A). Under gradient flow each b_i^2 - c_i^2 is constant."
)


def cases(quick: bool, seed: int) -> list[dict]:
    grid = [(3, "two_pole", 4), (4, "several", 7)] + ([] if quick else [(6, "long_memory", 5)])
    return [{"dim": d, "teacher": t, "k": k, "seed": seed + i, "diagonal": True,
             "dynamics": "flow", "t": 0.3} for i, (d, t, k) in enumerate(grid)]


def check(case: dict) -> float:
    """Digits to which every b_i^2 - c_i^2 is conserved (30-digit mpmath flow) minus 25."""
    return drift_digits(case, 30)


def confirm(case: dict) -> float:
    return drift_digits(case, 40)


def discrete(quick: bool, seed: int) -> list[dict]:
    return [{"dim": 4, "teacher": "two_pole", "k": 4, "seed": seed, "diagonal": True,
             "dynamics": "gd", "lr": "0.05", "steps": 4}]


FLOW_TEACHERS = ["long_memory", "decaying", "oscillating", "two_pole", "several",
                 "negative_weight"]
SEARCH_SECONDS = 8.0  # a 30- and 40-digit Gauss-Legendre flow costs seconds: few cases


def search(seed: int, count: int) -> list[dict]:
    """Diagonal students of dimension 2 to 8 (random, balanced and unbalanced starts) at
    scales 0.1 to 0.4 under every named teacher (the signed one included), k = 1 to 8, flows
    of length 0.03 to 0.12 (beyond, the fixed-step Gauss-Legendre flow in mpmath may refuse at
    40 digits: its step count is set by the initial gradient, which grows)."""
    import random

    rng = random.Random(70000 + seed)
    return [_draw(rng) for _ in range(count)]


def _draw(rng) -> dict:
    return {"dim": rng.randint(2, 8), "teacher": rng.choice(FLOW_TEACHERS),
            "k": rng.randint(1, 8), "seed": rng.randrange(10**6), "diagonal": True,
            "dynamics": "flow", "t": round(rng.uniform(0.03, 0.12), 3),
            "scale": round(10 ** rng.uniform(-1, -0.4), 3),
            "mode": rng.choice(["random", "balanced", "unbalanced"])}


def refine(case: dict, rng) -> dict:
    """Another start of the same size, k moved by one, the time by up to a factor 1.5."""
    return {**case, "seed": rng.randrange(10**6),
            "k": min(8, max(1, case["k"] + rng.choice([-1, 0, 1]))),
            "t": round(min(0.12, case["t"] * rng.uniform(0.67, 1.5)), 3)}


CLAIM = Claim("R4", "b_i^2 - c_i^2 conserved by the flow (diagonal)", STATEMENT, cases, check,
              [("discrete gradient descent", discrete)], confirm, unit='digits',
              search=search, refine=refine)
register_claim(CLAIM)
