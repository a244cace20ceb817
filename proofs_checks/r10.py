"""R10: without balancedness zero loss says nothing about extrapolation.

The claim, its proof or evidence and this check's tests: theory chapter, section R10
(docs/theory.md; theory.html#r10 and claims/r10.html in the built docs).
"""

from __future__ import annotations

import math
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

STATEMENT = (
    "R10 (Balancedness is needed). The shift-register student (d = k, A = lower shift, B = e_1, "
    "C = (h_0..h_{k-1})) has L_k = 0 and h_j = 0 for j >= k; adding eps * sum_l (-1)^l C(k,l) "
    "delta_{x0 + l h} (a k-th finite difference) changes no moment below k and moment k by "
    "eps k! h^k."
)


def cases(quick: bool, seed: int) -> list[dict]:
    return [{"k": k, "teacher": t, "student": "shift register"}
            for k in (3, 5, 8) for t in ("long_memory", "dyadic_two_pole")]


def _teacher(name: str):
    if name == "dyadic_two_pole":  # atoms and weights exact in binary: h_j exact for j < 16
        return teacher_from_measure(DiscreteMeasure([0.75, -0.5], [1.0, 0.25]))
    return named_teacher(name)


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
    """Zero loss on k lags, verified exactly with the package's impulse responses (Exact()),
    and the largest extrapolation error over lags k..2k-1 (> 0 demonstrates the claim); also
    the finite-difference identity, exactly, with the package's measure moments."""
    k = case["k"]
    teacher = _teacher(case["teacher"])
    student = _student(case, teacher)
    h = teacher.impulse_response(2 * k, precision=Exact())
    hs = student.impulse_response(2 * k, precision=Exact())
    if hs[:k] != h[:k]:
        return -1.0  # not zero loss
    x0, step, eps = Fraction(1, 10), Fraction(1, 7), Fraction(1, 3)
    fa, fw = finite_difference_measure(k, x0, step, eps)
    fm = DiscreteMeasure(fa, fw).moments(k + 1, precision=Exact())
    # with weights (-1)^l C(k, l) the k-th moment is (-1)^k eps k! h^k
    if any(v != 0 for v in fm[:k]) or fm[k] != (-1) ** k * eps * math.factorial(k) * step**k:
        return -1.0
    return float(max(abs(a - b) for a, b in zip(hs[k:], h[k:])))


def balanced(quick: bool, seed: int) -> list[dict]:
    """A balanced zero-loss student (not the teacher: four units per atom)."""
    return [{"k": 5, "teacher": "dyadic_two_pole", "student": "balanced"}]


CLAIM = Claim("R10", "zero loss without balancedness does not extrapolate", STATEMENT, cases,
              check, [("a balanced zero-loss student", balanced)], unit="absolute")
