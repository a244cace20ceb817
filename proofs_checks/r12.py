"""R12: a teacher with a negative or complex weight cannot be fitted by a balanced student."""

from __future__ import annotations

from fractions import Fraction

from momentrnn import moment_feasible

from ._measures import power_moments
from .harness import Claim

STATEMENT = (
    "R12 (Positive-weight teachers only). A teacher with a negative or complex weight cannot be "
    "fitted to zero loss by a balanced student once k >= 2d + 1 (its Hankel matrix is not PSD); "
    "the balanced loss has a strictly positive infimum."
)


def cases(quick: bool, seed: int) -> list[dict]:
    F = Fraction
    return [
        {"atoms": [F(4, 5), F(-1, 2)], "weights": [F(1), F(-1, 2)]},
        {"atoms": [F(9, 10), F(1, 5), F(-3, 5)], "weights": [F(1), F(-1, 4), F(1, 2)]},
        {"atoms": [F(1, 2)], "weights": [F(-1)]},
    ]


def check(case: dict) -> float:
    """+1 when no non-negative measure on R has the teacher's first 2d + 1 moments (so no
    balanced student, whose measure is non-negative, fits them), -1 otherwise."""
    d = len(case["atoms"])
    m = power_moments(case["atoms"], case["weights"], 2 * d + 1)
    feas = moment_feasible(m, support=("-inf", "inf"))
    return 1.0 if not feas.feasible else -1.0


def positive(quick: bool, seed: int) -> list[dict]:
    return [{"atoms": [Fraction(4, 5), Fraction(-1, 2)], "weights": [Fraction(1), Fraction(1, 2)]}]


CLAIM = Claim("R12", "negative-weight teachers are out of reach of balanced students",
              STATEMENT, cases, check, [("a positive-weight teacher", positive)], unit='exact')
