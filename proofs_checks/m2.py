"""M2: positivity of Hankel and localising matrices; the singular case has at most one measure.

The claim, its proof or evidence and this check's tests: theory chapter, section M2
(docs/theory.md; theory.html#m2 and claims/m2.html in the built docs).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from momentrnn import moment_feasible

from ._measures import hard_cases, power_moments, random_measure, same_measure
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "M2 (Positivity). A sequence has a non-negative representing measure on R (resp. a "
    "half-line, [a, b]) only if its Hankel matrices (resp. Hankel and localising matrices) are "
    "PSD; when one of them is singular there is at most one such measure: it may have none "
    "((1, 0, 0, 0, 1) on R has a PSD singular Hankel matrix and no representing measure)."
)

INF = math.inf
F = Fraction
SUPPORTS = {"[-1, 1]": (-1, 1), "R": (-INF, INF), "[0, inf)": (0, INF), "(-inf, 0]": (-INF, 0)}


def _in_support(x: Fraction, support: str) -> bool:
    a, b = SUPPORTS[support]
    return a <= x <= b


def cases(quick: bool, seed: int) -> list[dict]:
    out = []
    for c in hard_cases(quick, seed):
        n = len(c["atoms"])
        for count in (2 * n - 1, 2 * n, 2 * n + 1, 2 * n + 3):
            if count >= 1:
                out.append(dict(c, count=count, support="[-1, 1]"))
    # the line and the half-lines: atoms far from [-1, 1], non-dyadic, near 0
    named = [("R", [F(-7, 2), F(1, 3), F(39, 10)], [F(1, 3), F(2), F(5, 7)]),
             ("R", [F(-100), F(1, 1000)], [F(1, 10**6), F(1)]),
             ("[0, inf)", [F(0), F(1, 3), F(17, 2)], [F(1), F(1, 3), F(1, 100)]),
             ("[0, inf)", [F(39, 100), F(40, 100), F(1000)], [F(1), F(1), F(1, 7)]),
             ("(-inf, 0]", [F(-5, 3), F(0)], [F(3, 7), F(2)])]
    for support, atoms, weights in named:
        n = len(atoms)
        for count in (2 * n, 2 * n + 1, 2 * n + 2):
            out.append({"name": f"{n} atoms on {support}", "atoms": atoms, "weights": weights,
                        "count": count, "support": support})
    # at most one, not exactly one: PSD singular Hankel matrices with no representing measure
    for support, m in (("R", [1, 0, 0, 0, 1]), ("R", [1, F(1, 3), F(1, 9), F(1, 27), 1]),
                       ("[0, inf)", [1, 0, 0, 0, 1]), ("R", [2, 0, 0, 0, 0, 0, 3])):
        out.append({"name": f"{m} on {support}: no measure", "moments": [F(v) for v in m],
                    "support": support, "expect": "none"})
    # PSD (even definite) Hankel matrices whose infeasibility only a localising matrix sees,
    # each with its certificate: g >= 0 on the support and L(g q^2) < 0 (exact, below)
    for support, m, g, q in (("[-1, 1]", [1, 0, 2], [1, 0, -1], [1]),
                             ("[-1, 1]", [1, F(1, 3), F(11, 10)], [1, 0, -1], [1]),
                             ("[-1, 1]", [1, 0, 2, 0, 5], [1, 0, -1], [1]),
                             ("[0, inf)", [1, -1, 2, -4, 9], [0, 1], [1]),
                             ("[0, inf)", [1, F(-1, 3), 1], [0, 1], [1]),
                             ("(-inf, 0]", [1, 1, 2, 4, 9], [0, -1], [1]),
                             ("(-inf, 0]", [1, F(1, 3), 1], [0, -1], [1])):
        out.append({"name": f"{m} on {support}: only a localising matrix rejects it",
                    "moments": [F(v) for v in m], "support": support, "expect": "infeasible",
                    "certificate": (g, q)})
    return out


def _localizer_ok(g: list, support: str) -> bool:
    """Whether g is one of the polynomials that are >= 0 on the support by construction:
    x - a, b - x or (x - a)(b - x) for the support's finite ends a, b."""
    a, b = SUPPORTS[support]
    allowed = []
    if a != -INF:
        allowed.append([F(-a), F(1)])
    if b != INF:
        allowed.append([F(b), F(-1)])
    if a != -INF and b != INF:
        allowed.append([F(-a * b), F(a + b), F(-1)])
    return [F(v) for v in g] in allowed


def _riesz(m: list, g: list, q: list) -> Fraction:
    """L(g q^2) = sum_t (g q^2)_t m_t, exact."""
    q2 = [F(0)] * (2 * len(q) - 1)
    for i, x in enumerate(q):
        for j, y in enumerate(q):
            q2[i + j] += F(x) * F(y)
    p = [F(0)] * (len(g) + len(q2) - 1)
    for i, x in enumerate(g):
        for j, y in enumerate(q2):
            p[i + j] += F(x) * y
    if len(p) > len(m):
        raise ValueError(f"certificate of degree {len(p) - 1} needs {len(p)} moments, "
                         f"the data have {len(m)}")
    return sum((c * F(m[t]) for t, c in enumerate(p)), F(0))


def _certified_infeasible(m: list, support: str, certificate) -> bool:
    """Exact truth, independent of the package: g >= 0 on the support and L(g q^2) < 0, so no
    non-negative measure on the support has these moments."""
    g, q = certificate
    return _localizer_ok(g, support) and _riesz(m, g, q) < 0


def _psd_singular(m: list, singular_required: bool = True) -> bool:
    """Exact (independent of the package): the largest Hankel matrix of m is PSD and
    singular (PSD only, when not ``singular_required``), by the signs of all principal
    minors."""
    from itertools import combinations

    import flint

    size = (len(m) + 1) // 2
    H = [[m[i + j] for j in range(size)] for i in range(size)]
    singular = False
    for r in range(1, size + 1):
        for rows in combinations(range(size), r):
            d = flint.fmpq_mat(r, r, [flint.fmpq(H[i][j].numerator, H[i][j].denominator)
                                     for i in rows for j in rows]).det()
            if d < 0:
                return False
            singular = singular or (r == size and d == 0)
    return singular or not singular_required


def check(case: dict) -> float:
    """Exact: +1 when every moment sequence of a non-negative measure on the support is found
    feasible and, if a matrix is singular (always so from 2n + 1 moments of n atoms), the
    unique measure found is the generating one, atoms and weights; for data with a PSD
    singular Hankel matrix and no measure, +1 when the package finds none; for data with a
    PSD Hankel matrix and a certificate of infeasibility (g >= 0 on the support, L(g q^2) < 0,
    checked exactly here), +1 when the package finds them infeasible; -1 otherwise. A control
    case with a certificate scores -1 when the package finds it infeasible and +1 otherwise
    (found feasible, or the certificate does not hold: it would not fail for its reason)."""
    support = SUPPORTS[case["support"]]
    if case.get("expect") == "infeasible":
        m = case["moments"]
        if not (_certified_infeasible(m, case["support"], case["certificate"])
                and _psd_singular(m, singular_required=False)):
            return -1.0  # not a case of the statement (or the Hankel matrix alone rejects it)
        return 1.0 if not moment_feasible(m, support=support).feasible else -1.0
    if "certificate" in case:  # a control: moments that no measure on the support has
        m = power_moments(case["atoms"], case["weights"], case["count"])
        if not (_certified_infeasible(m, case["support"], case["certificate"])
                and _psd_singular(m, singular_required=False)):
            return 1.0  # not infeasible for the control's reason: the control does not fail
        # it fails for its reason only when the package rejects the data
        return -1.0 if not moment_feasible(m, support=support).feasible else 1.0
    if case.get("expect") == "none":
        m = case["moments"]
        if not _psd_singular(m):
            return -1.0  # not a case of the statement
        return 1.0 if not moment_feasible(m, support=support).feasible else -1.0
    count, n = case["count"], len(case["atoms"])
    m = power_moments(case["atoms"], case["weights"], count)
    feas = moment_feasible(m, support=support)
    if not feas.feasible:
        return -1.0
    if feas.determinate:
        # unique: it must be the generating measure (atoms and weights; balls must contain them)
        pairs = sorted(zip(case["atoms"], case["weights"]))
        if not same_measure(feas.measure, [a for a, _ in pairs], [w for _, w in pairs]):
            return -1.0
    elif count >= 2 * n + 1:
        return -1.0  # 2n + 1 moments of an n-atom measure make H_{n+1} singular: determinate
    return 1.0


def signed(quick: bool, seed: int) -> list[dict]:
    """Drops 'non-negative': signed measures whose moments have an indefinite Hankel matrix
    (on [-1, 1] and on R)."""
    a, w = random_measure(3, seed)
    w[1] = -w[1] * 3
    return [{"name": "signed on [-1, 1]", "atoms": a, "weights": w, "count": 7,
             "support": "[-1, 1]"},
            {"name": "signed on R", "atoms": [F(-3), F(1, 3), F(5, 2)],
             "weights": [F(1), F(-2), F(1, 7)], "count": 7, "support": "R"}]


def outside(quick: bool, seed: int) -> list[dict]:
    """Drops 'on the support': non-negative measures with an atom outside [-1, 1] or a
    half-line. Three atoms and five moments: the Hankel matrix is definite (indeterminate
    data, no singular matrix to build a measure from), so only a localising matrix can reject
    them; each carries an exact certificate (g >= 0 on the support, L(g q^2) < 0) that no
    measure on the support has these moments, and the check counts it as the package's
    failure to reject them."""
    return [{"name": "an atom at -1/3 for [0, inf)", "atoms": [F(-1, 3), F(1, 2), F(2)],
             "weights": [F(1), F(1), F(1, 100)], "count": 5, "support": "[0, inf)",
             "certificate": ([0, 1], [1, -1])},
            {"name": "an atom at 1/3 for (-inf, 0]", "atoms": [F(1, 3), F(-1, 2), F(-2)],
             "weights": [F(1), F(1), F(1, 100)], "count": 5, "support": "(-inf, 0]",
             "certificate": ([0, -1], [1, 1])},
            {"name": "an atom at 3/2 for [-1, 1]", "atoms": [F(0), F(3, 2), F(-1, 2)],
             "weights": [F(1), F(1, 3), F(1)], "count": 5, "support": "[-1, 1]",
             "certificate": ([1, 0, -1], [2, 5])}]


def _random_atoms(rng: random.Random, n: int, support: str) -> list[Fraction]:
    scale = 1 if support == "[-1, 1]" else rng.choice([1, 10, 1000])
    atoms: set[Fraction] = set()
    while len(atoms) < n:
        x = F(rng.randint(-10**4, 10**4), 10**4) * scale
        if support == "[0, inf)":
            x = abs(x)
        elif support == "(-inf, 0]":
            x = -abs(x)
        if rng.random() < 0.3 and atoms:  # a close neighbour
            x = next(iter(atoms)) + F(rng.choice([1, -1]), 10 ** rng.randint(3, 6))
        if _in_support(x, support):
            atoms.add(x)
    return sorted(atoms)


def search(seed: int, count: int) -> list[dict]:
    """Random non-negative measures (1 to 7 atoms, spread or with close pairs, random weights)
    on [-1, 1], R and both half-lines, with 2n - 1 to 2n + 3 moments."""
    rng = random.Random(60_000 + seed)
    out = []
    for i in range(count):
        support = list(SUPPORTS)[i % len(SUPPORTS)]
        n = rng.randint(1, 7)
        atoms = _random_atoms(rng, n, support)
        weights = [F(rng.randint(1, 1000), rng.choice([1, 100, 10**6])) for _ in atoms]
        count_ = rng.choice([2 * n - 1, 2 * n, 2 * n + 1, 2 * n + 3])
        out.append({"name": f"drawn n={n} on {support}", "atoms": atoms, "weights": weights,
                    "count": max(count_, 1), "support": support})
    return out


def refine(case: dict, rng: random.Random) -> dict:
    """Move one atom (staying on the support and distinct) and rescale one weight."""
    if "atoms" not in case:
        return dict(case)
    atoms, weights = list(case["atoms"]), list(case["weights"])
    i = rng.randrange(len(atoms))
    atoms[i] = atoms[i] + (abs(atoms[i]) + F(1, 100)) * F(rng.randint(-100, 100), 1000)
    weights[i] = weights[i] * F(rng.randint(50, 200), 100)
    if len(set(atoms)) < len(atoms) or not _in_support(atoms[i], case["support"]):
        return dict(case)
    return dict(case, atoms=atoms, weights=weights)


CLAIM = Claim("M2", "moment sequences of positive measures have PSD moment matrices",
                   STATEMENT, cases, check, [("a signed measure", signed),
                                             ("an atom outside the support", outside)],
                   unit="exact", search=search, refine=refine)
register_claim(CLAIM)
