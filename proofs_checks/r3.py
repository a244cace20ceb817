"""R3: Q = AA^T - A^T A + BB^T - C^T C is conserved by the gradient flow (full A).

The claim, its proof or evidence and this check's tests: theory chapter, section R3
(docs/theory.md; theory.html#r3 and claims/r3.html in the built docs).
"""

from __future__ import annotations

from ._flowcheck import drift_digits
from .harness import Claim

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


CLAIM = Claim("R3", "Q conserved by the flow (full model)", STATEMENT, cases, check,
              [("discrete gradient descent", discrete)], confirm, unit='digits')
