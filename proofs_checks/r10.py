"""R10: without balancedness zero loss says nothing about extrapolation."""

from __future__ import annotations

import math
from fractions import Fraction

from ._common import exact_response, finite_difference_measure
from ._measures import power_moments
from .harness import Claim

STATEMENT = (
    "R10 (Balancedness is needed). The shift-register student (d = k, A = lower shift, B = e_1, "
    "C = (h_0..h_{k-1})) has L_k = 0 and h_j = 0 for j >= k; adding eps * sum_l (-1)^l C(k,l) "
    "delta_{x0 + l h} (a k-th finite difference) changes no moment below k and moment k by "
    "eps k! h^k."
)


def cases(quick: bool, seed: int) -> list[dict]:
    return [{"k": k, "teacher": t, "student": "shift register"}
            for k in (3, 5, 8) for t in ("long_memory", "two_pole")]


def _teacher_response(name: str, count: int) -> list[Fraction]:
    atoms = {"long_memory": [Fraction(1)], "two_pole": [Fraction(9, 10), Fraction(-1, 2)]}[name]
    return power_moments(atoms, [Fraction(1)] * len(atoms), count)


def check(case: dict) -> float:
    """Zero loss on k lags (exactly) and a positive extrapolation error at lag k: returns that
    error (> 0 demonstrates the claim); also verifies the finite-difference identity exactly."""
    k = case["k"]
    h = _teacher_response(case["teacher"], 2 * k)
    if case["student"] == "shift register":
        A = [[Fraction(int(i == j + 1)) for j in range(k)] for i in range(k)]
        B = [Fraction(int(i == 0)) for i in range(k)]
        C = list(h[:k])
        hs = exact_response(A, B, C, 2 * k)
    else:  # the balanced teacher itself
        hs = list(h)
    if hs[:k] != h[:k]:
        return -1.0  # not zero loss
    fa, fw = finite_difference_measure(k, Fraction(1, 10), Fraction(1, 7), Fraction(1, 3))
    fm = power_moments(fa, fw, k + 1)
    # with weights (-1)^l C(k, l) the k-th moment is (-1)^k eps k! h^k
    if any(v != 0 for v in fm[:k]) or abs(fm[k]) != Fraction(1, 3) * math.factorial(k) * \
            Fraction(1, 7) ** k:
        return -1.0
    return float(max(abs(a - b) for a, b in zip(hs[k:], h[k:])))


def balanced(quick: bool, seed: int) -> list[dict]:
    return [{"k": 5, "teacher": "two_pole", "student": "balanced teacher copy"}]


CLAIM = Claim("R10", "zero loss without balancedness does not extrapolate", STATEMENT, cases,
              check, [("a balanced zero-loss student", balanced)], unit='absolute')
