"""M6: the ends of the next-moment range are the canonical representations through +-1.

The claim, its proof or evidence and this check's tests: theory chapter, section M6
(docs/theory.md; theory.html#m6 and claims/m6.html in the built docs).
"""

from __future__ import annotations

import math
from fractions import Fraction

from momentrnn import moment_feasible, next_moment_range

from ._common import finite_difference_measure
from ._measures import power_moments, random_measure
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "M6 (Next-moment range). For non-negative measures on [-1,1] with given m_0..m_{2k} "
    "strictly inside the moment space (H_{k+1} and the localising matrix of 1 - x^2 positive "
    "definite), the feasible values of m_{2k+1} form an interval whose ends are attained by the "
    "canonical (Gauss-Radau) representations through +-1; on [a, b] through a and b. On a "
    "half-line [a, inf) (resp. (-inf, b]) the range is [lower, inf) (resp. (-inf, upper]), the "
    "finite end attained by the canonical representation through a (resp. b); on R it is R. On "
    "the boundary (determinate data, e.g. at most k atoms) the range is one point and no "
    "representation need charge an end."
)


def uniform(count):
    return [Fraction(1, j + 1) if j % 2 == 0 else Fraction(0) for j in range(count)]


F = Fraction


def cases(quick: bool, seed: int) -> list[dict]:
    out = [{"name": f"uniform k={k}", "moments": uniform(2 * k + 1), "probe": "ends"}
           for k in (1, 2, 4, 6)]
    a, w = random_measure(6, seed)
    out.append({"name": "random 6 atoms, k=2", "moments": power_moments(a, w, 5),
                "probe": "ends"})
    # the range holds every measure of the class: a measure's own m_{2k+1} lies between the ends
    for i, (n, k) in enumerate([(1, 1), (3, 1), (4, 2), (7, 3)]):
        a, w = random_measure(n, seed * 10 + i)
        out.append({"name": f"{n} random atoms, their m_{2 * k + 1}", "atoms": a, "weights": w,
                    "k": k, "probe": "measure"})
    out.append({"name": "atoms 1/3, 39/100, weights 1, 1e-6, their m_3",
                "atoms": [F(1, 3), F(39, 100)], "weights": [F(1), F(1, 10**6)], "k": 1,
                "probe": "measure"})
    # other supports: an interval, both half-lines, the line (atoms far outside [-1, 1])
    named = [("[0, 4]", [F(1, 3), F(2), F(39, 10)], [F(1), F(1, 2), F(1, 7)]),
             ("[0, inf)", [F(0), F(1, 3), F(2), F(17)], [F(1, 3), F(1), F(1, 2), F(1, 100)]),
             ("(-inf, 0]", [F(-25, 2), F(-1, 7), F(-1, 3)], [F(2), F(1), F(1, 9)]),
             ("R", [F(-7, 2), F(1, 3), F(39, 10)], [F(1, 3), F(2), F(5, 7)])]
    for support, a, w in named:
        for k in (1, len(a) - 2) if len(a) > 3 else (1,):
            out.append({"name": f"{len(a)} atoms on {support}, ends for k={k}", "probe": "ends",
                        "moments": power_moments(a, w, 2 * k + 1), "support": support,
                        "atoms": a, "weights": w, "k": k})
            out.append({"name": f"{len(a)} atoms on {support}, their m_{2 * k + 1}",
                        "probe": "measure", "atoms": a, "weights": w, "k": k,
                        "support": support})
    return out


INF = math.inf
SUPPORTS = {"[-1, 1]": (-1, 1), "[0, 4]": (0, 4), "[0, inf)": (0, INF),
            "(-inf, 0]": (-INF, 0), "R": (-INF, INF)}


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
    each end is non-negative on the support (default [-1, 1]), has an atom at its left
    (lower) or right (upper) end, reproduces m_0..m_{2k} and gives the end value (an infinite
    side of the support: no end there, feasible far out); for the probe 'measure', +1 when
    the measure's own m_{2k+1} lies in the range of its m_0..m_{2k}."""
    support = SUPPORTS[case.get("support", "[-1, 1]")]
    if case["probe"] == "measure":
        q = 2 * case["k"] + 1
        m = power_moments(case["atoms"], case["weights"], q + 1)
        r = next_moment_range(m[:q], support=support)
        return 1.0 if r.lower <= m[q] <= r.upper else -1.0
    m = case["moments"]
    q = len(m)
    r = next_moment_range(m, support=support)
    if not _extremal(m, r.lower, r.upper, support):
        return -1.0
    for end, measure, node in ((r.lower, r.lower_measure, support[0]),
                               (r.upper, r.upper_measure, support[1])):
        if math.isinf(node):
            # no end on an infinite side: the range is unbounded there, with no measure
            if end != node or measure is not None:
                return -1.0
            continue
        if measure is None or not _has_atom(measure, node):
            return -1.0
        if not _non_negative_on_interval(measure, support):
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


def _extremal(m: list, lower, upper, support=(-1, 1)) -> bool:
    """The ends are the extreme feasible values: feasible at both ends and in the middle,
    infeasible just outside (decided exactly by moment_feasible); an infinite end: feasible
    far out on that side (10^6 beyond the other end or 0)."""
    if not lower < upper:
        return False
    far = 10**6 * (1 + max(abs(Fraction(v)) for v in m))
    probes = []
    if math.isinf(lower) and math.isinf(upper):
        probes = [(-far, True), (Fraction(0), True), (far, True)]
    elif math.isinf(lower) or math.isinf(upper):
        end = Fraction(upper if math.isinf(lower) else lower)
        sign = -1 if math.isinf(lower) else 1
        step = (1 + abs(end)) / 1000
        probes = [(end, True), (end + sign * step, True), (end + sign * far, True),
                  (end - sign * step, False)]
    else:
        lower, upper = Fraction(lower), Fraction(upper)
        step = (upper - lower) / 1000
        probes = [(lower, True), (upper, True), ((lower + upper) / 2, True),
                  (lower - step, False), (upper + step, False)]
    for value, feasible in probes:
        if moment_feasible(list(m) + [value], support=support).feasible != feasible:
            return False
    return True


def _non_negative_on_interval(measure, support=(-1, 1)) -> bool:
    """Weights >= 0 and atoms in the support (exactly, or for balls: provably)."""
    lo, hi = support
    for a, w in zip(measure.atoms, measure.weights):
        if hasattr(w, "lower"):
            import flint

            if not (flint.arb(w).lower() >= 0 and (math.isinf(lo) or flint.arb(a).lower() >= lo)
                    and (math.isinf(hi) or flint.arb(a).upper() <= hi)):
                return False
        elif not (Fraction(w) >= 0 and lo <= Fraction(a) <= hi):
            return False
    return True


def _ball():
    from momentrnn import Ball

    return Ball(60)


def _f(v):
    import flint

    v = Fraction(v)
    return flint.fmpq(v.numerator, v.denominator)


def signed(quick: bool, seed: int) -> list[dict]:
    """Drops 'non-negative': a positive measure on [-1, 1] plus eps times the finite difference
    of order 2k + 1 (atoms in [-1, 1], moments below 2k + 1 unchanged), eps chosen so that
    m_{2k+1} = m_0 + 1, beyond every non-negative measure's (|m_{2k+1}| <= m_0): a signed
    measure on [-1, 1] with the same m_0..m_{2k} outside the range."""
    out = []
    for i, (n, k) in enumerate([(2, 1), (4, 2), (5, 3)]):
        a, w = random_measure(n, seed * 10 + 100 + i)
        q = 2 * k + 1
        m = power_moments(a, w, q + 1)
        shift = m[0] + 1 - m[q]  # |m_q| <= m_0 for every non-negative measure on [-1, 1]
        h = Fraction(1, 2 * q)
        # sum_l (-1)^l C(q, l) (x0 + l h)^q = (-1)^q q! h^q
        eps = shift / ((-1) ** q * math.factorial(q) * h**q)
        fa, fw = finite_difference_measure(q, Fraction(-1, 2), h, eps)
        out.append({"name": f"{n} atoms plus a signed order-{q} difference", "k": k,
                    "atoms": list(a) + fa, "weights": list(w) + fw, "probe": "measure"})
    return out


def boundary(quick: bool, seed: int) -> list[dict]:
    """Drops 'strictly inside the moment space': k atoms inside (-1, 1) (determinate data): the
    range is one point, whose measure charges neither -1 nor +1."""
    out = []
    for i, k in enumerate((1, 2, 3)):
        a, w = random_measure(k, seed * 10 + 200 + i, spread=999)
        out.append({"name": f"{k} atoms inside (-1, 1), k={k}", "probe": "ends",
                    "moments": power_moments(a, w, 2 * k + 1)})
    return out


def search(seed: int, count: int) -> list[dict]:
    """Random non-negative measures (1 to 9 atoms, spread or clustered, random weights) on
    [-1, 1], [0, 4], both half-lines and R, with k = 1..4: their ends (every other case, when
    the data are inside the moment space) and their own next moment."""
    import random

    rng = random.Random(110_000 + seed)
    out = []
    for i in range(count):
        support = list(SUPPORTS)[i % len(SUPPORTS)]
        lo, hi = SUPPORTS[support]
        n = rng.randint(1, 9)
        a, w = random_measure(n, rng.randrange(10**9), spread=rng.choice([10, 1000, 10**5]))
        if rng.random() < 0.3:  # a cluster
            c, width = Fraction(rng.randint(-9, 9), 10), Fraction(1, 10 ** rng.randint(2, 4))
            a = sorted({c + width * x for x in a})
        scale = rng.choice([1, 10, 1000]) if math.isinf(lo) or math.isinf(hi) else 1
        # map [-1, 1] onto the support: an affine map for [0, 4], |x| scaled for half-lines
        if support == "[0, 4]":
            a = [2 * (x + 1) for x in a]
        elif support == "[0, inf)":
            a = [abs(x) * scale for x in a]
        elif support == "(-inf, 0]":
            a = [-abs(x) * scale for x in a]
        elif support == "R":
            a = [x * scale for x in a]
        a = sorted(set(a))
        w = w[: len(a)]
        k = rng.randint(1, 4)
        if i % 2 and len(a) >= k + 2:  # inside the moment space: k + 2 distinct atoms
            out.append({"name": f"drawn {n} atoms on {support}, ends for k={k}",
                        "probe": "ends", "moments": power_moments(a, w, 2 * k + 1),
                        "atoms": a, "weights": w, "k": k, "support": support})
        else:
            out.append({"name": f"drawn {n} atoms on {support}, m_{2 * k + 1}",
                        "probe": "measure", "atoms": a, "weights": w, "k": k,
                        "support": support})
    return out


def refine(case: dict, rng) -> dict:
    """Move one atom inside the support (atoms stay distinct) and rescale one weight."""
    if "atoms" not in case:
        return dict(case)
    atoms, weights = list(case["atoms"]), list(case["weights"])
    i = rng.randrange(len(atoms))
    lo, hi = SUPPORTS[case.get("support", "[-1, 1]")]
    moved = atoms[i] + (1 + abs(atoms[i])) * Fraction(rng.randint(-50, 50), 1000)
    atoms[i] = min(max(moved, Fraction(lo) if not math.isinf(lo) else moved),
                   Fraction(hi) if not math.isinf(hi) else moved)
    weights[i] = weights[i] * Fraction(rng.randint(50, 200), 100)
    if len(set(atoms)) < len(atoms):
        return dict(case)
    out = dict(case, atoms=atoms, weights=weights)
    if case["probe"] == "ends":
        out["moments"] = power_moments(atoms, weights, 2 * case["k"] + 1)
    return out


CLAIM = Claim("M6", "next-moment range ends are canonical representations", STATEMENT,
                   cases, check, [("a signed measure on [-1, 1]", signed),
                                  ("data on the boundary of the moment space", boundary)],
                   unit="exact", search=search, refine=refine)
register_claim(CLAIM)
