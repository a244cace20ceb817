"""A new claim check: even moments of a non-negative measure are non-negative. A check is a
grid of cases, a margin per case (> 0: the claim holds there) and negative controls that
drop one hypothesis and must fail; the harness runs them and gives the verdict."""

from fractions import Fraction

from proofs_checks.harness import Claim, run_claim

STATEMENT = "X1 (toy). For a non-negative measure on R, m_{2j} >= 0 for every j."


def moments(atoms, weights, count):
    return [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]


def cases(quick, seed):
    grid = [([Fraction(1, 3), Fraction(-5, 7)], [Fraction(2, 9), Fraction(1, 11)]),
            ([Fraction(0), Fraction(3, 2), Fraction(-1)], [Fraction(1), Fraction(1, 5), 2])]
    return [{"atoms": a, "weights": w} for a, w in grid]


def check(case):
    """The smallest even moment, divided by m_0 (exact: the margin is a rational)."""
    m = moments(case["atoms"], case["weights"], 9)
    return float(min(m[0::2]) / m[0]) if m[0] else -1.0


def signed(quick, seed):
    # the hypothesis dropped: a negative weight
    return [{"atoms": [Fraction(1, 2), Fraction(1)], "weights": [Fraction(1), Fraction(-1)]}]


CLAIM = Claim("X1", "even moments of a non-negative measure", STATEMENT, cases, check,
              [("a signed measure", signed)], unit="ratio")

outcome = run_claim(CLAIM, quick=True, seed=0)
assert outcome.verdict == "PASS" and outcome.controls_failed == outcome.controls_total == 1
print(outcome.label, outcome.verdict, f"worst margin {outcome.worst_margin:.3g}",
      f"controls failed {outcome.controls_failed}/{outcome.controls_total}")
