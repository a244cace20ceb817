"""R4: b_i^2 - c_i^2 is conserved by the gradient flow (diagonal A).

The claim, its proof or evidence and this check's tests: theory chapter, section R4
(docs/theory.md; theory.html#r4 and claims/r4.html in the built docs).
"""

from __future__ import annotations

from ._flowcheck import drift_digits
from .harness import Claim

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


CLAIM = Claim("R4", "b_i^2 - c_i^2 conserved by the flow (diagonal)", STATEMENT, cases, check,
              [("discrete gradient descent", discrete)], confirm, unit='digits')
