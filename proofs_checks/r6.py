"""R6: balanced stays balanced under gradient flow and gradient descent.

The claim, its proof or evidence and this check's tests: theory chapter, section R6
(docs/theory.md; theory.html#r6 and claims/r6.html in the built docs).
"""

from __future__ import annotations

import numpy as np

from momentrnn import MP, gradient_descent, init_student, integrate_flow, named_teacher

from ._common import digits
from .harness import Claim

STATEMENT = (
    "R6 (Balanced stays balanced). b(0) = c(0) implies b(t) = c(t) for all t under GF and GD; "
    "A symmetric with B = C^T is preserved likewise."
)


def cases(quick: bool, seed: int) -> list[dict]:
    return [{"dynamics": dyn, "dim": 5, "seed": seed + i, "init": "balanced"}
            for i, dyn in enumerate(["gd", "flow", "flow-full"])]


def check(case: dict) -> float:
    """Digits of max |b - c| / max |b| after training (GD: exact equality gives inf) minus 25."""
    t = named_teacher("several")
    if case["dynamics"] == "flow-full":
        s = init_student(case["dim"], scale=0.2, seed=case["seed"], diagonal=False,
                         mode=case["init"])
        run = integrate_flow(s, t, k=5, method="gauss-mp", precision=MP(30), t_max=0.2)
        A = run.final.A
        sym = float(np.max(np.abs(A - A.T)))
        bc = float(np.max(np.abs(run.final.B - run.final.C)))
        return digits(max(sym, bc) / float(np.max(np.abs(run.final.B)))) - 25
    s = init_student(case["dim"], scale=0.2, seed=case["seed"], mode=case["init"])
    if case["dynamics"] == "gd":
        res = gradient_descent(s, t, k=7, lr=0.05, steps=500)
        b, c = res.b[0], res.c[0]
    else:
        run = integrate_flow(s, t, k=7, method="gauss-mp", precision=MP(30), t_max=0.3)
        b, c = run.final.b, run.final.c
    return digits(float(np.max(np.abs(b - c)) / np.max(np.abs(b)))) - 25


def unbalanced(quick: bool, seed: int) -> list[dict]:
    return [{"dynamics": "gd", "dim": 5, "seed": seed, "init": "random"}]


CLAIM = Claim("R6", "balanced initialisations stay balanced", STATEMENT, cases, check,
              [("unbalanced initialisation", unbalanced)], unit='digits')
