"""R8: a non-negative measure matching 2d+1 moments of a d-atom positive measure is it.

The claim, its proof or evidence and this check's tests: theory chapter, section R8
(docs/theory.md; theory.html#r8 and claims/r8.html in the built docs).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from momentrnn import (
    DiagonalRNN,
    DiscreteMeasure,
    Exact,
    LinearRNN,
    effective_dimension,
    hankel_rank,
    moment_feasible,
    next_moment_range,
)

from ._common import finite_difference_measure
from ._measures import power_moments, random_measure, same_measure
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "R8 (Main theorem, extrapolation). Let mu_hat = sum_{i<=d} w_i delta_{a_i} with distinct real "
    "a_i and w_i > 0. If mu is any non-negative measure (any number of atoms) with m_j(mu) = "
    "m_j(mu_hat) for j = 0..2d, then mu = mu_hat. Hence a balanced student with zero loss on "
    "k >= 2d + 1 lags extrapolates perfectly: its response is the teacher's, of Hankel rank d, "
    "whatever its dimension."
)


def cases(quick: bool, seed: int) -> list[dict]:
    out = []
    for i, d in enumerate([1, 2, 3, 5] + ([] if quick else [8])):
        a, w = random_measure(d, seed * 100 + i)
        for support in [("-inf", "inf"), (-1, 1)]:
            out.append({"atoms": a, "weights": w, "k": 2 * d + 1, "support": support,
                        "class": "non-negative"})
        # k = 2d + 2: the range of the next moment is mu_hat's m_k, a point
        out.append({"atoms": a, "weights": w, "k": 2 * d + 2, "support": (-1, 1),
                    "class": "non-negative"})
    # the second sentence: balanced students of the package with zero loss on k >= 2d + 1
    for i, (d, model, extra) in enumerate([(1, "diagonal", 0), (2, "full", 1), (3, "diagonal", 2)]
                                          + ([] if quick else [(4, "full", 0),
                                                               (5, "diagonal", 1)])):
        out.append(_student_case(random.Random(seed * 1000 + i), d, model, 2 * d + 1 + extra))
    return out


def _dyadic(rng: random.Random, lo: int, hi: int, bits: int = 6) -> Fraction:
    return Fraction(rng.randint(lo, hi), 2**bits)


def _student_case(rng: random.Random, d: int, model: str, k: int) -> dict:
    """A teacher with d distinct dyadic atoms in (-1, 1) (a double student can only match
    binary atoms exactly) and dyadic weights, and how to build a balanced student of it."""
    atoms: set[Fraction] = set()
    while len(atoms) < d:
        atoms.add(_dyadic(rng, -63, 63))
    weights = [_dyadic(rng, 1, 64, rng.choice([4, 6, 8])) for _ in range(d)]
    return {"class": "student", "atoms": sorted(atoms), "weights": weights, "k": k,
            "model": model, "zero_units": rng.randint(0, 3), "seed": rng.randrange(10**6)}


def _four_squares(n: int) -> list[int]:
    """Four integers whose squares sum to n >= 0 (Lagrange), found by search."""
    for a in range(math.isqrt(n), -1, -1):
        for b in range(math.isqrt(n - a * a), -1, -1):
            rest = n - a * a - b * b
            for c in range(math.isqrt(rest), -1, -1):
                e = rest - c * c
                r = math.isqrt(e)
                if r * r == e:
                    return [a, b, c, r]
    raise AssertionError(n)  # pragma: no cover - every n >= 0 is a sum of four squares


def square_parts(w: Fraction) -> list[Fraction]:
    """Dyadic b_u with sum b_u^2 = w, for a dyadic w > 0: the units that carry weight w."""
    m = 0
    while (w * 4**m).denominator != 1:
        m += 1
    return [Fraction(v, 2**m) for v in _four_squares(int(w * 4**m)) if v]


def student(case: dict):
    """The package's balanced student of the case: every teacher atom carried by up to four
    units (b_u = c_u dyadic, sum b_u^2 = the weight), ``zero_units`` units of weight 0 at
    other atoms, the units shuffled; for ``model="full"`` rotated by an orthogonal matrix with
    dyadic entries (blocks H_4 / 2 of a Hadamard matrix), A = Q diag(a) Q^T, B = C^T = Q b.
    Every parameter is a dyadic rational, so the double model is exactly this student."""
    rng = random.Random(case["seed"])
    a, b = [], []
    # the student's measure: the teacher's, unless a control gives another one
    for x, w in zip(case.get("student_atoms", case["atoms"]),
                    case.get("student_weights", case["weights"])):
        if case.get("balanced", True):
            for part in square_parts(Fraction(w)):
                a.append(Fraction(x))
                b.append(part * rng.choice([-1, 1]))
        else:
            a.append(Fraction(x))
            b.append(Fraction(w))  # b = w, c = 1: any sign
    for _ in range(case.get("zero_units", 0)):
        a.append(_dyadic(rng, -80, 80))
        b.append(Fraction(0))
    order = list(range(len(a)))
    rng.shuffle(order)
    a, b = [a[i] for i in order], [b[i] for i in order]
    if not case.get("balanced", True):
        return DiagonalRNN([float(x) for x in a], [float(v) for v in b], [1.0] * len(a))
    if case.get("model") != "full":
        return DiagonalRNN([float(x) for x in a], [float(v) for v in b], [float(v) for v in b])
    while len(a) % 4:
        a.append(_dyadic(rng, -80, 80))
        b.append(Fraction(0))
    n = len(a)
    h4 = [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]
    Q = [[Fraction(0)] * n for _ in range(n)]
    for blk in range(0, n, 4):
        for i in range(4):
            for j in range(4):
                Q[blk + i][blk + j] = Fraction(h4[i][j], 2)
    A = [[sum(Q[i][t] * a[t] * Q[j][t] for t in range(n)) for j in range(n)] for i in range(n)]
    B = [sum(Q[i][t] * b[t] for t in range(n)) for i in range(n)]
    if any(Fraction(float(v)) != v for v in [x for row in A for x in row] + B):
        return None  # pragma: no cover - dyadic entries of moderate size are doubles
    return LinearRNN([[float(v) for v in row] for row in A], [float(v) for v in B],
                     [float(v) for v in B])


def _student_check(case: dict) -> float:
    """The second sentence, exactly: the student has zero loss on the case's k lags (its
    exact impulse response equals the teacher's moments there; a case without it is no
    case: NaN), and then it must extrapolate perfectly (equal on 3k + 10 lags, exactly) and
    have effective state dimension d: the exact Hankel rank of its response (hankel_rank over
    Q) is d, and the package's effective_dimension of the double model, a numerical rank at
    the accuracy of the double response, is at most d."""
    model = student(case)
    if model is None:
        return math.nan
    k, d = case["k"], len(case["atoms"])
    lags = 3 * k + 10
    hat = power_moments([Fraction(x) for x in case["atoms"]],
                        [Fraction(w) for w in case["weights"]], lags)
    h = [Fraction(v) for v in model.impulse_response(lags, precision=Exact())]
    if h[:k] != hat[:k]:
        return math.nan
    if h != hat:
        return -1.0
    if hankel_rank(h, precision=Exact()).rank != d:
        return -1.0
    # the numerical rank of the double model (at the accuracy of its double response) can
    # only miss small singular values, never add one beyond the exact rank
    return 1.0 if effective_dimension(model).rank <= d else -1.0


def check(case: dict) -> float:
    """Exact: +1 when the first k moments determine mu_hat (atoms and weights) among the
    admissible measures, -1 when another admissible measure shares them. Non-negative class:
    decided by moment_feasible over Q; signed class: a signed measure built with the package's
    DiscreteMeasure shares the moments exactly. Student class: the second sentence
    (``_student_check``)."""
    if case["class"] == "student":
        return _student_check(case)
    atoms, weights, k = case["atoms"], case["weights"], case["k"]
    m = power_moments(atoms, weights, k)
    if case["class"] == "signed":
        # mu_hat plus a k-th finite difference: signed, same first k moments, another measure
        fa, fw = finite_difference_measure(k, Fraction(-1, 2), Fraction(1, 3), Fraction(1, 10))
        mine = DiscreteMeasure(list(atoms), list(weights)).moments(k, precision=Exact())
        other = DiscreteMeasure(atoms + fa, weights + fw).moments(k, precision=Exact())
        return -1.0 if other == mine == m else 1.0
    if k % 2 == 1:
        feas = moment_feasible(m, support=case["support"])
        same = feas.feasible and feas.determinate and same_measure(feas.measure, sorted(atoms),
                                                                    [w for _, w in sorted(
                                                                        zip(atoms, weights))])
        return 1.0 if same else -1.0
    # k even: the range of m_k is a point exactly when m_0..m_{k-1} determine the measure, and
    # that point is mu_hat's m_k (with its measure mu_hat)
    r = next_moment_range(m, support=case["support"])
    if not r.collapsed:
        return -1.0
    target = power_moments(atoms, weights, k + 1)[k]
    same = same_measure(r.lower_measure, sorted(atoms),
                        [w for _, w in sorted(zip(atoms, weights))])
    return 1.0 if Fraction(r.lower) == Fraction(r.upper) == target and same else -1.0


SUPPORTS = [("-inf", "inf"), (-1, 1), (0, "inf"), ("-inf", 0), (Fraction(-1, 3), 2)]


def search(seed: int, count: int) -> list[dict]:
    """Positive measures with 1 to 7 atoms (close pairs and atoms at an end of the support
    included) on the line, half-lines and intervals, k = 2d + 1 to 2d + 3; and balanced
    students of the package (diagonal and rotated, 0 to 3 units of weight 0) with zero loss on
    k = 2d + 1 to 2d + 3 lags."""
    rng = random.Random(30_000 + seed)
    return [_draw(rng) for _ in range(count)]


def _draw(rng: random.Random) -> dict:
    if rng.random() < 0.3:
        d = rng.randint(1, 5)
        return _student_case(rng, d, rng.choice(["diagonal", "full"]),
                             2 * d + 1 + rng.randint(0, 2))
    d = rng.randint(1, 7)
    support = rng.choice(SUPPORTS)
    a, w = random_measure(d, rng.randrange(10**9), spread=rng.choice([10, 100, 1000, 10**6]))
    if rng.random() < 0.3 and d > 1:
        a[0] = a[1] + Fraction(1, 10 ** rng.randint(3, 8))  # a close pair
    a = _into(a, support)
    if rng.random() < 0.3:  # an atom at a finite end of the support
        ends = [Fraction(e) for e in support if not isinstance(e, str)]
        if ends and rng.choice(ends) not in a:
            a[rng.randrange(d)] = rng.choice(ends)
    if len(set(a)) < d:
        a, w = random_measure(d, rng.randrange(10**9))
        a = _into(a, support)
    return {"atoms": a, "weights": w, "k": 2 * d + 1 + rng.randint(0, 2), "support": support,
            "class": "non-negative"}


def _into(atoms: list, support) -> list:
    """Atoms of [-1, 1] moved into the support (a half-line: |x|; an interval: affinely)."""
    lo, hi = support
    if lo == "-inf" and hi == "inf":
        return list(atoms)
    if hi == "inf":
        return [abs(x) + Fraction(lo) for x in atoms]
    if lo == "-inf":
        return [Fraction(hi) - abs(x) for x in atoms]
    lo, hi = Fraction(lo), Fraction(hi)
    return [lo + (x + 1) / 2 * (hi - lo) for x in atoms]


def refine(case: dict, rng: random.Random) -> dict:
    """One atom moved a little (kept in the support and distinct), one weight scaled, k moved
    within 2d + 1 .. 2d + 3."""
    new = dict(case)
    atoms = [Fraction(x) for x in case["atoms"]]
    weights = [Fraction(w) for w in case["weights"]]
    d = len(atoms)
    i = rng.randrange(d)
    if case["class"] == "student":
        moved = atoms[i] + Fraction(rng.choice([-1, 1]), 64)
        if abs(moved) < 1 and moved not in atoms:
            atoms[i] = moved
        weights[i] = weights[i] * rng.choice([Fraction(1, 2), 2])
        new["seed"] = rng.randrange(10**6)
        new["zero_units"] = rng.randint(0, 3)
    else:
        moved = atoms[i] + Fraction(rng.randint(-100, 100), 10 ** rng.randint(2, 8))
        lo, hi = case["support"]
        inside = ((lo == "-inf" or moved >= Fraction(lo)) and (hi == "inf" or moved <=
                                                                Fraction(hi)))
        if inside and moved not in atoms:
            atoms[i] = moved
        weights[i] = weights[i] * Fraction(rng.randint(1, 400), 100)
    new["atoms"], new["weights"] = atoms, weights
    new["k"] = 2 * d + 1 + rng.randint(0, 2)
    return new


def two_d_moments(quick: bool, seed: int) -> list[dict]:
    a, w = random_measure(2, seed)
    return [{"atoms": a, "weights": w, "k": 4, "support": (-1, 1), "class": "non-negative"},
            *(_two_d_student(random.Random(seed * 10 + d), d) for d in (1, 2, 3))]


def _two_d_student(rng: random.Random, d: int) -> dict:
    """A balanced student with zero loss on 2d lags that is not the teacher: nu = mu_hat +
    eps tau, tau = sum_l (-1)^l C(2d, l) delta_{x_0 + l h} (2d-th difference on dyadic points,
    teacher atoms at the odd l), eps = 4^-m; the teacher weights are eps C(2d, l) plus a dyadic
    s_i > 0, so every weight of nu is dyadic and positive."""
    h = Fraction(rng.randint(1, 8), 64)
    x0 = Fraction(rng.randint(-32, 0), 64)
    eps = Fraction(1, 4 ** rng.randint(2, 4))
    xs = [x0 + l * h for l in range(2 * d + 1)]
    s_i = [_dyadic(rng, 1, 64) for _ in range(d)]
    atoms = xs[1::2]
    weights = [eps * math.comb(2 * d, 2 * i + 1) + s for i, s in enumerate(s_i)]
    nu_w = [eps * math.comb(2 * d, l) if l % 2 == 0 else s_i[l // 2] for l in range(2 * d + 1)]
    return {"class": "student", "atoms": atoms, "weights": weights, "k": 2 * d,
            "model": "diagonal", "zero_units": 1, "seed": rng.randrange(10**6),
            "student_atoms": xs, "student_weights": nu_w}


def signed(quick: bool, seed: int) -> list[dict]:
    a, w = random_measure(2, seed)
    return [{"atoms": a, "weights": w, "k": 5, "support": ("-inf", "inf"), "class": "signed"},
            *(_unbalanced_student(random.Random(seed * 10 + d), d) for d in (1, 2, 3))]


def _unbalanced_student(rng: random.Random, d: int) -> dict:
    """A student with zero loss on 2d + 1 lags whose measure is signed (b = w, c = 1): the
    teacher plus a (2d + 1)-th finite difference on dyadic points, with dyadic amplitude."""
    case = _student_case(rng, d, "diagonal", 2 * d + 1)
    fa, fw = finite_difference_measure(2 * d + 1, Fraction(-1, 2), Fraction(1, 8),
                                       Fraction(1, 16))
    case.update({"balanced": False, "student_atoms": case["atoms"] + fa,
                 "student_weights": case["weights"] + fw})
    return case


CLAIM = Claim("R8", "2d+1 moments determine a d-atom positive measure", STATEMENT, cases, check,
              [("only 2d moments", two_d_moments), ("signed measures allowed", signed)],
              unit="exact", search=search, refine=refine)
register_claim(CLAIM)
