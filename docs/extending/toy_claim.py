"""A new claim check: even moments of a non-negative measure are non-negative. A check is a
grid of cases, a margin per case (> 0: the claim holds there), negative controls that
drop one hypothesis and must fail on every case, and a falsification search (random cases over
the whole hypothesis space, and a small perturbation of a case to hill-climb from the worst);
the harness runs them and gives the verdict."""

import random
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
    """Exact: +1 when every even moment m_0, ..., m_8 is >= 0 (over Q), -1 otherwise (a
    margin min m_2j / m_0 would be 0 for an atom at 0, where the claim holds with equality,
    and a margin of 0 fails)."""
    m = moments(case["atoms"], case["weights"], 9)
    return 1.0 if min(m[0::2]) >= 0 else -1.0


def signed(quick, seed):
    # the hypothesis dropped: a negative weight
    return [{"atoms": [Fraction(1, 2), Fraction(1)], "weights": [Fraction(1), Fraction(-1)]}]


def search(seed, count):
    """Random non-negative measures: 1 to 5 atoms in [-2, 2], weights in (0, 1]."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        n = rng.randint(1, 5)
        out.append({"atoms": [Fraction(rng.randint(-200, 200), 100) for _ in range(n)],
                    "weights": [Fraction(rng.randint(1, 100), 100) for _ in range(n)]})
    return out


def refine(case, rng):
    """Move one atom by up to 0.05 and one weight by up to 0.05, keeping it positive."""
    atoms, weights = list(case["atoms"]), list(case["weights"])
    i, j = rng.randrange(len(atoms)), rng.randrange(len(weights))
    atoms[i] += Fraction(rng.randint(-5, 5), 100)
    weights[j] = max(Fraction(1, 100), weights[j] + Fraction(rng.randint(-5, 5), 100))
    return {"atoms": atoms, "weights": weights}


SEARCH_SECONDS = 0.5  # this module's search budget (the harness's default is 4 s)

CLAIM = Claim("X1", "even moments of a non-negative measure", STATEMENT, cases, check,
              [("a signed measure", signed)], unit="exact", search=search, refine=refine)

outcome = run_claim(CLAIM, quick=True, seed=0)
assert outcome.verdict == "PASS" and outcome.controls_failed == outcome.controls_total == 1
print(outcome.label, outcome.verdict, f"worst margin {outcome.worst_margin:.3g}",
      f"controls failed {outcome.controls_failed}/{outcome.controls_total}")
# the full mode adds the search: a time budget, the cases it tried and the worst it found
full = run_claim(CLAIM, quick=False, seed=0)
assert full.verdict == "PASS" and full.search["cases"] >= 1, (full.verdict, full.message)
print(f"searched {full.search['cases']} cases in {full.search['seconds']:.1f} s, worst margin "
      f"{full.search['worst_margin']:+.0f}")
