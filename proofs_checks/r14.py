"""R14: the moments engine recovers the teacher from a student trained by the dynamics engine.

The claim, its proof or evidence and this check's tests: theory chapter, section R14
(docs/theory.md; theory.html#r14 and claims/r14.html in the built docs).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import mpmath
import numpy as np

from momentrnn import (
    DiagonalRNN,
    DiscreteMeasure,
    Exact,
    LinearRNN,
    effective_dimension,
    hankel_rank,
    init_student,
    learned_measure,
    moment_loss,
    named_teacher,
    teacher_from_measure,
)

from ._common import bounded_flow
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "R14 (The cross-check). For a student trained by the dynamics module from a small "
    "initialisation to zero loss, the moments module recovers from its impulse response (at "
    "high precision) the teacher's atoms and weights, and the numerical Hankel rank of that "
    "response at the accuracy its loss allows (its effective dimension) is d_hat; its exact "
    "Hankel rank may be as large as d (the rounding of every unit counts). The converse is not "
    "a theorem: an unbalanced student that fits may still have rank d_hat (a_i = a_hat_i, "
    "b_i = 2, c_i = w_hat_i/2). There exist unbalanced students that fit and do not "
    "extrapolate: the shift register of R10, whose response h_hat_0, ..., h_hat_{k-1}, 0, 0, ... "
    "has exact Hankel rank 1 + (the index of its last non-zero h_hat_j) >= k - d_hat + 1 (the "
    "teacher not a multiple of delta_0), which exceeds d_hat when k > 2 d_hat - 1."
)

AS_STATED_BEFORE = False
"""True restores the statement as it was: the exact Hankel rank of the trained student's response
is d_hat, and the shift register's rank is k (by M1). Both are false (a 20-unit student has exact
rank 20; delta_1/2 + delta_-1/2 with k = 6 gives rank 5); tests/test_old_statement_r14.py shows
that the check finds it."""

MAX_STEPS = 5000  # bounds the work: a broken gradient must fail, not hang
SEARCH_SECONDS = 4.0

DIMS = {"long_memory": 1, "two_pole": 2, "decaying": 1}


def cases(quick: bool, seed: int) -> list[dict]:
    out = [{"teacher": t, "dim": 20 if quick else 40, "seed": seed, "student": "trained"}
           for t in DIMS]
    # the converse is not a theorem: this unbalanced student fits and has rank d as well
    out.append({"teacher": "two_pole", "dim": 2, "seed": seed, "student": "unbalanced fit"})
    # the shift register's exact rank: delta_1/2 + delta_-1/2, k = 6 gives 5 (not k = 6)
    out.append({"teacher": "symmetric", "atoms": ["1/2", "-1/2"], "weights": ["1", "1"],
                "k": 6, "dim": 6, "seed": seed, "student": "shift register"})
    # (2) of the statement at a given accuracy: a student whose response is within eps of the
    # teacher's at every lag has effective dimension d_hat at accuracy eps (the noise floor
    # s eps of a Hankel matrix of size s); its extra unit puts sigma_{d_hat+1} near s eps / 2
    out.append({"teacher": "non-dyadic", "atoms": ["-1/3", "39/100"], "weights": ["1/7", "2"],
                "extra_atom": "1", "eps": 1e-6, "size": 8, "dim": 3, "seed": seed,
                "student": "within eps"})
    if not quick:
        out.append({"teacher": "one atom", "atoms": ["39/100"], "weights": ["1"],
                    "extra_atom": "-1", "eps": 1e-7, "size": 12, "dim": 2, "seed": seed,
                    "student": "within eps"})
        out.append({"teacher": "dyadic_two_pole", "atoms": ["3/4", "-1/2"],
                    "weights": ["1", "1/4"], "k": 7, "dim": 7, "seed": seed,
                    "student": "shift register"})
    return out


def _measure(case: dict) -> DiscreteMeasure:
    if "atoms" in case:
        return DiscreteMeasure([Fraction(a) for a in case["atoms"]],
                               [Fraction(w) for w in case["weights"]])
    return named_teacher(case["teacher"]).measure()


def _teacher(case: dict):
    if "atoms" in case:
        return teacher_from_measure(_measure(case))
    return named_teacher(case["teacher"])


def _d_hat(case: dict) -> int:
    return DIMS[case["teacher"]] if case["teacher"] in DIMS else len(_measure(case).atoms)


def shift_register_rank(case: dict) -> tuple[int, int]:
    """The exact Hankel rank (over Q, by ``hankel_rank`` with ``Exact()``) of the response of
    the shift register that fits the case's k lags, and 1 + the index of its last non-zero
    lag. The register's C holds the teacher's lags exactly (the search draws teachers whose
    lags are doubles); -1, -1 when they are not."""
    k = case["k"]
    exact = [Fraction(v) for v in _measure(case).moments(k, precision=Exact())]
    if any(Fraction(float(v)) != v for v in exact):
        return -1, -1
    student = LinearRNN(np.diag(np.ones(k - 1), -1), np.eye(k)[0],
                        np.array([float(v) for v in exact]))
    h = student.impulse_response(2 * k + 1, precision=Exact())
    if h[:k] != exact or any(v != 0 for v in h[k:]):
        return -1, -1
    last = max((j for j, v in enumerate(exact) if v != 0), default=-1)
    return hankel_rank(h, precision=Exact(), size=k + 1).rank, last + 1


def within_eps(case: dict) -> float:
    """(2) at accuracy eps: the teacher's units (its atoms and weights as doubles) and one more
    unit at ``extra_atom`` (in [-1, 1]) of weight 0.9 eps, whose response is within eps of the
    teacher's at every lag (checked exactly over Q for the lags the Hankel matrix of size s
    uses), and sigma_{d_hat}(H_s(h_hat)) above 2 s eps times 10, the margin of the rank decision
    (50 digits): +1 when ``effective_dimension`` at accuracy eps with size s is d_hat, else -1.
    (A floor below s eps, which Weyl's inequality needs, counts the extra unit.)"""
    tm = _measure(case)
    eps, s, d = case["eps"], case["size"], len(tm.atoms)
    a = [float(x) for x in tm.atoms] + [float(Fraction(case["extra_atom"]))]
    b = [float(w) for w in tm.weights] + [0.9 * eps]
    count = 2 * s - 1
    hat = [Fraction(v) for v in tm.moments(count, precision=Exact())]
    h = [sum(Fraction(bi) * Fraction(ai) ** j for ai, bi in zip(a, b)) for j in range(count)]
    if max(abs(x - y) for x, y in zip(h, hat)) > Fraction(eps) or abs(a[-1]) > 1:
        raise ValueError(f"the case {case} is outside the hypotheses: its response is not "
                         "within eps of the teacher's")
    ctx = mpmath.MPContext()
    ctx.dps = 50
    H = ctx.matrix([[ctx.mpf(hat[i + j].numerator) / hat[i + j].denominator for j in range(s)]
                    for i in range(s)])
    sv = sorted(ctx.svd_r(H, compute_uv=False), reverse=True)
    if sv[d - 1] < 20 * s * eps:
        raise ValueError(f"the case {case} is outside the hypotheses: sigma_{d} of the "
                         "teacher's Hankel matrix does not clear 2 s eps by the margin")
    model = DiagonalRNN(np.array(a), np.array(b), np.ones(len(a)))
    return 1.0 if effective_dimension(model, tolerance=eps, size=s).rank == d else -1.0


def check(case: dict) -> float:
    """Trained and unbalanced-fit students: vouched digits of the recovered measure when it
    matches the teacher within them and the effective (numerical) rank is d_hat (minus 1: at
    least two digits needed); -1 otherwise (also when the flow does not reach the loss 1e-16
    within its step budget, or the exact rank is below the numerical one). Shift registers
    (decided exactly): 1 + (rank - (k - d_hat + 1)) when the exact rank is 1 + the index of the
    last non-zero lag and at least k - d_hat + 1, else -1. Students within eps of the teacher:
    ``within_eps``."""
    if case["student"] == "within eps":
        return within_eps(case)
    d = _d_hat(case)
    if case["student"] == "shift register":
        rank, expected = shift_register_rank(case)
        if rank < 0:
            return -1.0
        if AS_STATED_BEFORE:  # "by M1 its rank is k"
            return 1.0 if rank == case["k"] else -1.0
        bound = case["k"] - d + 1
        return 1.0 + (rank - bound) if rank == expected and rank >= bound else -1.0
    teacher = _teacher(case)
    k = case.get("k", 2 * d + 3)
    if case["student"] == "trained":
        run = bounded_flow(init_student(case["dim"], scale=case.get("scale", 1e-3),
                                        seed=case["seed"]),
                           teacher, k=k, until_loss=1e-16, max_steps=MAX_STEPS)
        if run is None or run.status != "converged":
            return -1.0
        model, loss = run.final, run.final_loss
    elif case["student"] == "shift register, recovered":  # the control: fits, but not the teacher
        h = teacher.impulse_response(k)
        model, loss = LinearRNN(np.diag(np.ones(k - 1), -1), np.eye(k)[0], h), 0.0
    else:  # the unbalanced fit (a_hat, 2, w_hat / 2)
        tm = teacher.measure()
        w = np.asarray(tm.weights, dtype=float)
        model = DiagonalRNN(np.asarray(tm.atoms, dtype=float), np.full(w.size, 2.0), w / 2)
        loss = moment_loss(model, teacher, k=k)
    learned = learned_measure(model, loss)
    size = min(model.dim, 30) + 1
    exact_rank = hankel_rank(model.impulse_response(2 * size - 1, precision=Exact()),
                             precision=Exact(), size=size).rank
    if AS_STATED_BEFORE:  # "the Hankel rank of that response is d_hat"
        if exact_rank != d:
            return -1.0
    elif exact_rank < learned.rank:
        return -1.0  # a numerical rank cannot exceed the exact one
    if learned.rank != d or learned.measure is None or learned.digits < 1:
        return -1.0
    rec = learned.measure
    tm = teacher.measure().sorted()
    scale_a = max(abs(float(a)) for a in tm.atoms)
    scale_w = max(abs(float(w)) for w in tm.weights)
    for x, w in zip(tm.atoms, tm.weights):
        j = int(np.argmin([abs(float(y) - float(x)) for y in rec.atoms]))
        if abs(float(rec.atoms[j]) - float(x)) > 10 ** -learned.digits * scale_a:
            return -1.0
        if abs(float(rec.weights[j]) - float(w)) > 10 ** -learned.digits * scale_w:
            return -1.0
    return learned.digits - 1.0


# -- the search ------------------------------------------------------------------------------

def _extremal_weights(atoms: list[Fraction], k: int) -> list[Fraction] | None:
    """Integer weights whose lags k - d + 1 .. k - 1 vanish (the last non-zero lag is k - d:
    the bound k - d + 1 is attained): w_i = 1 / (a_i^(k-d+1) prod_{j != i} (a_i - a_j)),
    scaled to integers."""
    m = k - len(atoms) + 1
    if m < 0 or 0 in atoms:  # (an atom at 0 joins after the weights are drawn)
        return None
    w = [1 / (a**m * math.prod(a - b for b in atoms if b != a)) for a in atoms]
    scale = math.lcm(*(v.denominator for v in w))
    w = [v * scale for v in w]
    common = math.gcd(*(int(v) for v in w))
    return [v / common for v in w]


def _shift_case(rng: random.Random) -> dict:
    d = rng.randint(1, 4)
    k = rng.randint(max(1, d), 10)
    atoms = [Fraction(m, 8) for m in rng.sample([m for m in range(-8, 9) if m != 0], d)]
    kind = rng.choice(["random", "symmetric", "extremal"])
    if kind == "extremal":
        weights = _extremal_weights(atoms, k)
    elif kind == "symmetric" and d >= 2:  # pairs +-a with equal weights: odd lags vanish
        atoms = [abs(a) for a in atoms[: d // 2]]
        atoms = atoms + [-a for a in atoms]
        if len(set(atoms)) != len(atoms):
            atoms = [Fraction(1, 2), Fraction(-1, 2)]
        weights = [Fraction(rng.randint(1, 4), 4) for _ in atoms[: len(atoms) // 2]] * 2
    else:
        kind = "random"
        weights = [Fraction(rng.choice([-1, 1]) * rng.randint(1, 8), 4) for _ in atoms]
    if rng.random() < 0.2 and len(atoms) < 4:  # an atom at 0 among non-zero ones
        atoms, weights = atoms + [Fraction(0)], list(weights) + [Fraction(1)]
    return {"teacher": kind, "atoms": [str(a) for a in atoms],
            "weights": [str(w) for w in weights], "k": k, "dim": k, "seed": 0,
            "student": "shift register"}


def _trained_case(rng: random.Random) -> dict:
    d = rng.randint(1, 2)
    while True:
        atoms = sorted(round(rng.uniform(-0.9, 0.9), 2) for _ in range(d))
        if d == 1 or atoms[1] - atoms[0] >= 0.4:
            break
    return {"teacher": "random", "atoms": [str(Fraction(a).limit_denominator(100))
                                           for a in atoms],
            "weights": [str(Fraction(round(rng.uniform(0.3, 1.5), 2)).limit_denominator(100))
                        for _ in range(d)],
            "k": 2 * d + rng.randint(3, 4), "dim": rng.randint(d + 1, 12),
            "seed": rng.randrange(10_000), "student": rng.choice(["trained"] * 3
                                                                  + ["unbalanced fit"])}


def search(seed: int, count: int) -> list[dict]:
    """Shift registers (k = 1..10; 1-4 distinct non-zero dyadic atoms, sometimes with an atom
    at 0; random signed weights, symmetric teachers whose odd lags vanish, and extremal teachers
    whose lags k - d_hat + 1 .. k - 1 vanish so the rank bound is attained) and, one case in
    four, students trained from scale 1e-3 (or the unbalanced fit) for random teachers with
    one or two atoms in [-0.9, 0.9] at least 0.4 apart, weights in [0.3, 1.5],
    k = 2 d_hat + 3 or + 4 and d = d_hat + 1 .. 12 units."""
    rng = random.Random(f"R14 {seed}")
    out = []
    for i in range(count):
        if i % 4 == 3:
            out.append(_trained_case(rng))
            continue
        case = _shift_case(rng)
        while not _representable(case):
            case = _shift_case(rng)
        out.append(case)
    return out


def refine(case: dict, rng: random.Random) -> dict:
    """Shift registers: k one up or down (kept >= d_hat), or one atom moved by 1/8 (kept
    distinct and non-zero; extremal weights recomputed). Trained students: another seed or
    one unit more or fewer."""
    new = dict(case)
    if case["student"] != "shift register":
        if rng.random() < 0.5:
            new["seed"] = rng.randrange(10_000)
        else:
            new["dim"] = min(12, max(_d_hat(case) + 1, case["dim"] + rng.choice([-1, 1])))
        return new
    atoms = [Fraction(a) for a in case["atoms"]]
    if rng.random() < 0.5:
        new["k"] = new["dim"] = min(10, max(len(atoms), case["k"] + rng.choice([-1, 1])))
    else:
        i = rng.randrange(len(atoms))
        moved = atoms[i] + rng.choice([-1, 1]) * Fraction(1, 8)
        if atoms[i] != 0 and moved != 0 and abs(moved) <= 1 and moved not in atoms:
            atoms[i] = moved
            new["atoms"] = [str(a) for a in atoms]
    if case["teacher"] == "extremal":
        weights = _extremal_weights(atoms, new["k"])
        if weights is None:
            return dict(case)
        new["weights"] = [str(w) for w in weights]
    return new if _representable(new) else dict(case)


def _representable(case: dict) -> bool:
    """The register's C holds the teacher's lags exactly: each is a double (the check's
    domain; the statement is about the exact lags)."""
    lags = _measure(case).moments(case["k"], precision=Exact())
    return all(Fraction(float(v)) == v for v in lags)


def unbalanced(quick: bool, seed: int) -> list[dict]:
    return [{"teacher": "two_pole", "dim": 20, "seed": seed,
             "student": "shift register, recovered"}]


CLAIM = Claim("R14", "moments engine recovers the teacher from the trained student", STATEMENT,
              cases, check, [("an unbalanced zero-loss student", unbalanced)], unit='digits',
              search=search, refine=refine)
register_claim(CLAIM)
