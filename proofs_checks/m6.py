"""M6: the ends of the next-moment range are the canonical representations through +-1.

The claim, its proof or evidence and this check's tests: theory chapter, section M6
(docs/theory.md; theory.html#m6 and claims/m6.html in the built docs).
"""

from __future__ import annotations

from fractions import Fraction

from momentrnn import moment_feasible, next_moment_range

from ._measures import power_moments, random_measure
from .harness import Claim

STATEMENT = (
    "M6 (Next-moment range). For non-negative measures on [-1,1] with given m_0..m_{2k}, the "
    "feasible values of m_{2k+1} form an interval whose ends are attained by the canonical "
    "(Gauss-Radau) representations through +-1."
)


def uniform(count):
    return [Fraction(1, j + 1) if j % 2 == 0 else Fraction(0) for j in range(count)]


def cases(quick: bool, seed: int) -> list[dict]:
    out = [{"name": f"uniform k={k}", "moments": uniform(2 * k + 1), "probe": "ends"}
           for k in (1, 2, 4, 6)]
    a, w = random_measure(6, seed)
    out.append({"name": "random 6 atoms, k=2", "moments": power_moments(a, w, 5),
                "probe": "ends"})
    return out


def _has_atom(measure, x) -> bool:
    for a in measure.atoms:
        if hasattr(a, "contains"):
            if a.contains(x):
                return True
        elif a == x:
            return True
    return False


def check(case: dict) -> float:
    """+1 when the ends are extremal (feasible, and infeasible just beyond), the measure at
    each end is non-negative on [-1, 1], has an atom at -1 (lower) or +1 (upper), reproduces
    m_0..m_{2k} and gives the end value; for the probe 'interior', whether an interior measure
    attains an end (it must not)."""
    m = case["moments"]
    q = len(m)
    r = next_moment_range(m)
    if case["probe"] == "interior":
        value = case["value"]
        return 1.0 if value in (r.lower, r.upper) else -1.0
    if not _extremal(m, r.lower, r.upper):
        return -1.0
    for end, measure, node in ((r.lower, r.lower_measure, -1), (r.upper, r.upper_measure, 1)):
        if measure is None or not _has_atom(measure, node):
            return -1.0
        if not _non_negative_on_interval(measure):
            return -1.0
        if measure.is_exact:
            from momentrnn import Exact

            got = measure.moments(q + 1, precision=Exact())
            if got[:q] != [Fraction(v) for v in m] or got[q] != Fraction(end):
                return -1.0
            continue
        import flint

        got = measure.moments(q + 1, precision=_ball())
        with flint.ctx.workprec(400):  # contains() rounds the rational at the current prec
            if not all(got[j].contains(_f(m[j])) for j in range(q)):
                return -1.0
            if not got[q].contains(_f(end)):
                return -1.0
    return 1.0


def _extremal(m: list, lower, upper) -> bool:
    """The ends are the extreme feasible values: feasible at both ends and in the middle,
    infeasible just outside (decided exactly by moment_feasible)."""
    lower, upper = Fraction(lower), Fraction(upper)
    if not lower < upper:
        return False
    step = (upper - lower) / 1000
    for value, feasible in ((lower, True), (upper, True), ((lower + upper) / 2, True),
                            (lower - step, False), (upper + step, False)):
        if moment_feasible(list(m) + [value], support=(-1, 1)).feasible != feasible:
            return False
    return True


def _non_negative_on_interval(measure) -> bool:
    """Weights >= 0 and atoms in [-1, 1] (exactly, or for balls: provably)."""
    for a, w in zip(measure.atoms, measure.weights):
        if hasattr(w, "lower"):
            import flint

            if not (flint.arb(w).lower() >= 0 and flint.arb(a).lower() >= -1
                    and flint.arb(a).upper() <= 1):
                return False
        elif not (Fraction(w) >= 0 and -1 <= Fraction(a) <= 1):
            return False
    return True


def _ball():
    from momentrnn import Ball

    return Ball(60)


def _f(v):
    import flint

    v = Fraction(v)
    return flint.fmpq(v.numerator, v.denominator)


def interior(quick: bool, seed: int) -> list[dict]:
    # the uniform measure itself has m_5 = 0, strictly inside [-4/75, 4/75]
    return [{"name": "the uniform measure's own m_5", "moments": uniform(5), "probe": "interior",
             "value": Fraction(0)}]


CLAIM = Claim("M6", "next-moment range ends are canonical representations", STATEMENT, cases,
              check, [("an interior measure", interior)], unit='exact')
