"""R12: a teacher with a negative or complex weight cannot be fitted by a balanced student.

The claim, its proof or evidence and this check's tests: theory chapter, section R12
(docs/theory.md; theory.html#r12 and claims/r12.html in the built docs).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from momentrnn import (
    DiscreteMeasure,
    gradient_descent,
    init_student,
    moment_feasible,
    teacher_from_measure,
)

from ._measures import gaussian_moments, power_moments
from .harness import Claim

STATEMENT = (
    "R12 (Positive-weight teachers only). A teacher with a negative or complex weight cannot be "
    "fitted to zero loss by a balanced student once k >= 2d + 1 (its Hankel matrix is not PSD); "
    "the balanced loss has a strictly positive infimum."
)

F = Fraction


def cases(quick: bool, seed: int) -> list[dict]:
    return [
        {"kind": "exact", "atoms": [F(4, 5), F(-1, 2)], "weights": [F(1), F(-1, 2)]},
        {"kind": "exact", "atoms": [F(9, 10), F(1, 5), F(-3, 5)],
         "weights": [F(1), F(-1, 4), F(1, 2)]},
        {"kind": "exact", "atoms": [F(1, 2)], "weights": [F(-1)]},
        # a conjugate pair of atoms with complex weights: real moments, not PSD
        {"kind": "complex", "atoms": [(F(1, 2), F(1, 2)), (F(1, 2), F(-1, 2))],
         "weights": [(F(1, 2), F(1)), (F(1, 2), F(-1))]},
        # the infimum: balanced students trained by GD stay above the proof's bound
        {"kind": "infimum", "atoms": [F(4, 5), F(-1, 2)], "weights": [F(1), F(-1, 2)]},
    ]


def _moments(case: dict, count: int) -> list[Fraction]:
    if case["kind"] == "complex":
        pairs = gaussian_moments(case["atoms"], case["weights"], count)
        assert all(im == 0 for _, im in pairs)  # a conjugate pair: the moments are real
        return [re for re, _ in pairs]
    return power_moments(case["atoms"], case["weights"], count)


def loss_bound(moments: list, d: int) -> float:
    """The proof's lower bound on sum_{j<=2d} (m_j(mu) - m_j)^2 over non-negative mu: with v a
    unit eigenvector of the Hankel matrix for its eigenvalue -lambda < 0 and c_s =
    sum_{i+j=s} v_i v_j, the bound is (lambda / |c|)^2 (0 when H is PSD)."""
    H = np.array([[float(moments[i + j]) for j in range(d + 1)] for i in range(d + 1)])
    vals, vecs = np.linalg.eigh(H)
    if vals[0] >= -1e-12 * np.abs(vals).max():  # PSD up to the rounding of eigh
        return 0.0
    v = vecs[:, 0]
    c = np.convolve(v, v)
    return float((-vals[0] / np.linalg.norm(c)) ** 2)


def check(case: dict) -> float:
    """Exact cases: +1 when no non-negative measure on R has the teacher's first 2d + 1
    moments (so no balanced student fits them), -1 otherwise. Infimum: log10(least loss of
    balanced students over a gradient-descent run / the proof's positive lower bound), which
    must be > 0 (its size says how tight the bound is); -1 when the bound is not positive."""
    d = len(case["atoms"])
    m = _moments(case, 2 * d + 1)
    if case["kind"] != "infimum":
        feas = moment_feasible(m, support=("-inf", "inf"))
        return 1.0 if not feas.feasible else -1.0
    bound = loss_bound(m, d)
    if not bound > 0:
        return -1.0
    teacher = teacher_from_measure(DiscreteMeasure([float(a) for a in case["atoms"]],
                                                   [float(w) for w in case["weights"]]))
    # gradient descent keeps b = c bit for bit (the two partial gradients are the same
    # floating-point numbers), whereas the flow's balanced subspace is unstable numerically
    # for units with g(a_i) < 0 (R7) and a float integrator drifts off it
    students = [init_student(8, scale=0.3, mode="balanced", seed=s) for s in range(3)]
    res = gradient_descent(students, teacher, k=2 * d + 1, lr=0.05, steps=4000)
    if not all(np.array_equal(res.b[i], res.c[i]) for i in range(res.batch)):
        return -1.0
    best = float(np.min(res.loss))
    return float(math.log10(best / bound))


def positive(quick: bool, seed: int) -> list[dict]:
    return [{"kind": "exact", "atoms": [F(4, 5), F(-1, 2)], "weights": [F(1), F(1, 2)]},
            {"kind": "infimum", "atoms": [F(4, 5), F(-1, 2)], "weights": [F(1), F(1, 2)]}]


CLAIM = Claim("R12", "negative-weight teachers are out of reach of balanced students",
              STATEMENT, cases, check, [("a positive-weight teacher", positive)],
              unit="exact / decades")
