"""R3: Q = AA^T - A^T A + BB^T - C^T C is conserved by the gradient flow (full A).

The claim, its proof or evidence and this check's tests: theory chapter, section R3
(docs/theory.md; theory.html#r3 and claims/r3.html in the built docs).
"""

from __future__ import annotations

from ._flowcheck import drift_digits
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "R3 (Conservation law, full A). Under gradient flow Theta' = -grad L_k(Theta) the matrix "
    "Q = A A^T - A^T A + B B^T - C^T C is constant."
)


def cases(quick: bool, seed: int) -> list[dict]:
    grid = [(2, "two_pole", 3), (3, "several", 4)] + ([] if quick else [(4, "two_pole", 5)])
    return [{"dim": d, "teacher": t, "k": k, "seed": seed + i, "diagonal": False,
             "dynamics": "flow", "t": 0.2} for i, (d, t, k) in enumerate(grid)]


def check(case: dict) -> float:
    """Digits to which Q is conserved (mpmath Gauss-Legendre, 30 digits) minus 25."""
    return drift_digits(case, 30)


def confirm(case: dict) -> float:
    return drift_digits(case, 40)


def discrete(quick: bool, seed: int) -> list[dict]:
    return [{"dim": 3, "teacher": "two_pole", "k": 4, "seed": seed, "diagonal": False,
             "dynamics": "gd", "lr": "0.05", "steps": 4}]


FLOW_TEACHERS = ["long_memory", "decaying", "oscillating", "two_pole", "several",
                 "negative_weight"]
SEARCH_SECONDS = 8.0  # a 30- and 40-digit Gauss-Legendre flow costs seconds: few cases


def search(seed: int, count: int) -> list[dict]:
    """Full students of dimension 2 at scales 0.1 to 0.4 under every named teacher (the signed
    one included), k = 1 to 4, flows of length 0.03 to 0.1 (the 30- and 40-digit flows of a
    full model cost seconds per case: the grid has the larger ones; from larger starts the
    fixed-step flow in mpmath may refuse, its step count being set by the initial gradient)."""
    import random

    rng = random.Random(60000 + seed)
    return [_draw(rng) for _ in range(count)]


def _draw(rng) -> dict:
    return {"dim": 2, "teacher": rng.choice(FLOW_TEACHERS),
            "k": rng.randint(1, 4), "seed": rng.randrange(10**6), "diagonal": False,
            "dynamics": "flow", "t": round(rng.uniform(0.03, 0.1), 3),
            "scale": round(10 ** rng.uniform(-1, -0.4), 3)}


def refine(case: dict, rng) -> dict:
    """Another start of the same size, k moved by one, the time by up to a factor 1.5."""
    return {**case, "seed": rng.randrange(10**6),
            "k": min(4, max(1, case["k"] + rng.choice([-1, 0, 1]))),
            "t": round(min(0.1, case["t"] * rng.uniform(0.67, 1.5)), 3)}


CLAIM = Claim("R3", "Q conserved by the flow (full model)", STATEMENT, cases, check,
              [("discrete gradient descent", discrete)], confirm, unit='digits',
              search=search, refine=refine)
register_claim(CLAIM)
