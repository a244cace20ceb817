"""R10: without balancedness zero loss says nothing about extrapolation.

The claim, its proof or evidence and this check's tests: theory chapter, section R10
(docs/theory.md; theory.html#r10 and claims/r10.html in the built docs).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np

from momentrnn import (
    DiagonalRNN,
    DiscreteMeasure,
    Exact,
    LinearRNN,
    named_teacher,
    teacher_from_measure,
)

from ._common import finite_difference_measure
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "R10 (Balancedness is needed). The shift-register student (d = k, A = lower shift, B = e_1, "
    "C = (h_0..h_{k-1})) has L_k = 0 and h_j = 0 for j >= k; adding eps * sum_l (-1)^l C(k,l) "
    "delta_{x0 + l h} (a k-th finite difference) changes no moment below k and moment k by "
    "eps k! h^k."
)

SEARCH_SECONDS = 2.0
ZERO_LAGS = 3  # h_j = 0 is checked exactly on lags k .. 3k - 1


def cases(quick: bool, seed: int) -> list[dict]:
    return [{"k": k, "teacher": t, "student": "shift register"}
            for k in (3, 5, 8) for t in ("long_memory", "dyadic_two_pole")]


def _teacher(case: dict):
    if "atoms" in case:  # dyadic atoms, weights squares of dyadics: b = c exact in binary
        return teacher_from_measure(DiscreteMeasure([Fraction(a) for a in case["atoms"]],
                                                    [Fraction(w) for w in case["weights"]]))
    if case["teacher"] == "dyadic_two_pole":  # atoms and weights exact in binary
        return teacher_from_measure(DiscreteMeasure([0.75, -0.5], [1.0, 0.25]))
    return named_teacher(case["teacher"])


def _student(case: dict, teacher):
    k = case["k"]
    if case["student"] == "shift register":
        h = np.asarray(teacher.impulse_response(k), dtype=float)
        return LinearRNN(np.diag(np.ones(k - 1), -1), np.eye(k)[0], h)
    # balanced: every teacher atom split over four units with b = c = 1/2 (weights 1/4 each,
    # exact in binary): a balanced student of dimension 4 d_hat with zero loss on every lag
    a = np.repeat(teacher.a, 4)
    half = np.repeat(np.sqrt(teacher.b * teacher.c) / 2, 4)
    return DiagonalRNN(a, half, half)


def check(case: dict) -> float:
    """Zero loss on k lags, verified exactly with the package's impulse responses (Exact());
    for the shift register h_j = 0 exactly on lags k .. 3k - 1, and A^k = 0 (so for every
    j >= k); the finite-difference identity, exactly, with the package's measure moments (x0,
    h, eps from the case, default 1/10, 1/7, 1/3); then the largest extrapolation error over
    lags k .. k + max(k, d_hat) - 1 (> 0 demonstrates the claim). -1 when any exact identity
    fails."""
    k = case["k"]
    teacher = _teacher(case)
    student = _student(case, teacher)
    # lags k .. k + max(k, d_hat) - 1: any d_hat consecutive lags of a teacher with distinct
    # non-zero atoms hold a non-zero one (Vandermonde), so the error shows in this window
    end = k + max(k, teacher.dim)
    h = teacher.impulse_response(end, precision=Exact())
    hs = student.impulse_response(max(ZERO_LAGS * k, end), precision=Exact())
    if hs[:k] != h[:k]:
        return -1.0  # not zero loss
    if case["student"] == "shift register":
        if any(v != 0 for v in hs[k:]):
            return -1.0  # the statement: h_j = 0 for j >= k
        if np.any(np.linalg.matrix_power(student.A, k) != 0):
            return -1.0  # A^k = 0 (exact for a 0/1 matrix): h_j = C A^(j-k) A^k B = 0, all j
    x0 = Fraction(case.get("x0", "1/10"))
    step = Fraction(case.get("step", "1/7"))
    eps = Fraction(case.get("eps", "1/3"))
    fa, fw = finite_difference_measure(k, x0, step, eps)
    fm = DiscreteMeasure(fa, fw).moments(k + 1, precision=Exact())
    # with weights (-1)^l C(k, l) the k-th moment is (-1)^k eps k! h^k
    if any(v != 0 for v in fm[:k]) or fm[k] != (-1) ** k * eps * math.factorial(k) * step**k:
        return -1.0
    return float(max(abs(a - b) for a, b in zip(hs[k:end], h[k:end])))


def _fraction(rng: random.Random, top: int = 99) -> str:
    p = 0
    while p == 0:
        p = rng.randint(-top, top)
    return str(Fraction(p, rng.randint(1, top)))


def _random_case(rng: random.Random) -> dict:
    k = rng.randint(1, 10)
    n = rng.randint(1, 4)
    atoms = rng.sample([m for m in range(-8, 9) if m != 0], n)  # distinct, non-zero
    case = {"k": k, "teacher": "random dyadic", "student": "shift register",
            "atoms": [str(Fraction(m, 8)) for m in atoms],
            "weights": [str(rng.choice([-1, 1]) * Fraction(rng.randint(1, 4), 4) ** 2)
                        for _ in range(n)],
            "x0": _fraction(rng), "step": _fraction(rng), "eps": _fraction(rng)}
    return case


def search(seed: int, count: int) -> list[dict]:
    """Shift registers for random signed teachers (1-4 distinct non-zero dyadic atoms in
    [-1, 1], weights +-(n/4)^2, so the register's C is exact) and k = 1..10, with random
    rational finite-difference points, steps and amplitudes (any sign)."""
    rng = random.Random(f"R10 {seed}")
    return [_random_case(rng) for _ in range(count)]


def refine(case: dict, rng: random.Random) -> dict:
    """Move k by one, redraw one atom's weight or one finite-difference parameter."""
    new = dict(case)
    what = rng.choice(["k", "weight", "x0", "step", "eps"])
    if what == "k":
        new["k"] = min(10, max(1, case["k"] + rng.choice([-1, 1])))
    elif what == "weight" and "weights" in case:
        w = list(case["weights"])
        w[rng.randrange(len(w))] = str(rng.choice([-1, 1]) * Fraction(rng.randint(1, 4), 4) ** 2)
        new["weights"] = w
    elif what in ("x0", "step", "eps"):
        new[what] = _fraction(rng)
    return new


def balanced(quick: bool, seed: int) -> list[dict]:
    """A balanced zero-loss student (not the teacher: four units per atom)."""
    return [{"k": 5, "teacher": "dyadic_two_pole", "student": "balanced"}]


CLAIM = Claim("R10", "zero loss without balancedness does not extrapolate", STATEMENT, cases,
              check, [("a balanced zero-loss student", balanced)], unit="absolute",
              search=search, refine=refine)
register_claim(CLAIM)
