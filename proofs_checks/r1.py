"""R1: the loss is the moment mismatch.

The claim, its proof or evidence and this check's tests: theory chapter, section R1
(docs/theory.md; theory.html#r1 and claims/r1.html in the built docs).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from momentrnn import init_student, moment_loss, named_teacher

from .harness import Claim

STATEMENT = (
    "R1 (Loss = moment mismatch). Under white inputs E[(y - y_hat)^2] = sum_{j<k} "
    "(h_j - h_hat_j)^2."
)


def cases(quick: bool, seed: int) -> list[dict]:
    out = []
    for i, (teacher, k) in enumerate([("two_pole", 4), ("several", 6), ("long_memory", 5)]):
        out.append({"teacher": teacher, "k": k, "seed": seed + i, "inputs": "white",
                    "samples": 200_000 if quick else 1_000_000, "diagonal": i != 1})
    out.append({"teacher": "two_pole", "k": 3, "seed": seed, "inputs": "exact",
                "diagonal": True})
    out.append({"teacher": "several", "k": 5, "seed": seed + 3, "inputs": "exact",
                "diagonal": False})
    return out


def _outputs(model, x):
    """Run the recursion s_t = A s_{t-1} + B x_t directly (not through the impulse response)."""
    s = np.zeros((x.shape[0], model.dim))
    if hasattr(model, "a"):  # diagonal
        for t in range(x.shape[1]):
            s = s * model.a + np.outer(x[:, t], model.b)
        return s @ model.c
    for t in range(x.shape[1]):
        s = s @ model.A.T + np.outer(x[:, t], model.B)
    return s @ model.C


def check(case: dict) -> float:
    """Exact: 1 if the covariance algebra gives the loss exactly. Monte Carlo: (4 standard
    errors - |estimate - L_k|) / L_k."""
    teacher = named_teacher(case["teacher"])
    student = init_student(4, scale=0.6, seed=case["seed"], diagonal=case["diagonal"])
    k = case["k"]
    loss = moment_loss(student, teacher, k=k)
    if case["inputs"] == "exact":
        # E[(y - y_hat)^2] = d^T Cov(x) d with d_t the response of the difference to e_t
        d = _outputs(student, np.eye(k)) - _outputs(teacher, np.eye(k))
        exact = sum(Fraction(v) ** 2 for v in d)
        return 1.0 if abs(float(exact) - loss) <= 1e-14 * loss else -1.0
    rng = np.random.default_rng(case["seed"])
    n = case["samples"]
    if case["inputs"] == "white":
        x = rng.normal(size=(n, k))
    else:  # correlated inputs: an AR(1) process with coefficient 0.8
        x = np.empty((n, k))
        x[:, 0] = rng.normal(size=n)
        for t in range(1, k):
            x[:, t] = 0.8 * x[:, t - 1] + 0.6 * rng.normal(size=n)
    err = (_outputs(student, x) - _outputs(teacher, x)) ** 2
    se = err.std() / np.sqrt(n)
    return float((4 * se - abs(err.mean() - loss)) / loss)


def correlated(quick: bool, seed: int) -> list[dict]:
    return [{"teacher": "two_pole", "k": 4, "seed": seed, "inputs": "correlated",
             "samples": 200_000, "diagonal": True}]


CLAIM = Claim("R1", "loss = moment mismatch under white inputs", STATEMENT, cases, check,
              [("correlated (AR(1)) inputs", correlated)], unit='relative')
