"""R12: a teacher with a negative or complex weight cannot be fitted by a balanced student.

The claim, its proof or evidence and this check's tests: theory chapter, section R12
(docs/theory.md; theory.html#r12 and claims/r12.html in the built docs).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np

from momentrnn import (
    gradient_descent,
    init_student,
    moment_feasible,
)

from ._measures import gaussian_moments, power_moments, random_measure
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "R12 (Positive-weight teachers only). A teacher with a negative weight (or a non-real pair "
    "of atoms) cannot be fitted to zero loss by a balanced student once k >= 2d + 1: for a real "
    "v with v^T H v = -lambda < 0, H = [h_hat_{i+j}]_{i,j<=d}, every balanced student has L_k >= "
    "lambda^2 / sum_{s<=2d} c_s^2 / rho_s >= min_{s<=2d} rho_s (lambda / ||c||_2)^2, with c_s = "
    "sum_{i+j=s} v_i v_j."
)

F = Fraction


def cases(quick: bool, seed: int) -> list[dict]:
    grid = [
        {"kind": "exact", "atoms": [F(4, 5), F(-1, 2)], "weights": [F(1), F(-1, 2)]},
        {"kind": "exact", "atoms": [F(9, 10), F(1, 5), F(-3, 5)],
         "weights": [F(1), F(-1, 4), F(1, 2)]},
        {"kind": "exact", "atoms": [F(1, 2)], "weights": [F(-1)]},
        # a conjugate pair of atoms with complex weights: real moments, not PSD
        {"kind": "complex", "atoms": [(F(1, 2), F(1, 2)), (F(1, 2), F(-1, 2))],
         "weights": [(F(1, 2), F(1)), (F(1, 2), F(-1))]},
        # the infimum: balanced students trained by GD stay above the proof's bound, with
        # all lag weights one, with rho_j = k - j on k = 2d + 2 lags (all outputs read), and
        # with one small weight (min rho_j enters the bound)
        {"kind": "infimum", "atoms": [F(4, 5), F(-1, 2)], "weights": [F(1), F(-1, 2)]},
        {"kind": "infimum", "atoms": [F(9, 10), F(1, 5), F(-3, 5)],
         "weights": [F(1), F(-1, 4), F(1, 2)], "k": 8, "rho": [8, 7, 6, 5, 4, 3, 2, 1],
         "lr": 0.01},
        {"kind": "infimum", "atoms": [F(39, 100), F(-1, 3)], "weights": [F(1, 3), F(-1)],
         "rho": [1, 1, F(1, 20), 1, 1]},
    ]
    return grid[:5] if quick else grid


def _moments(case: dict, count: int) -> list[Fraction]:
    if case["kind"] == "complex":
        pairs = gaussian_moments(case["atoms"], case["weights"], count)
        assert all(im == 0 for _, im in pairs)  # a conjugate pair: the moments are real
        return [re for re, _ in pairs]
    return power_moments(case["atoms"], case["weights"], count)


def loss_bound(moments: list, d: int, rho: list | None = None, form: str = "sharp"
               ) -> Fraction:
    """The proof's lower bound on L_k = sum_j rho_j (m_j(mu) - m_j)^2 over non-negative mu,
    exactly over Q: v is an eigenvector of the Hankel matrix H for its least eigenvalue, in
    doubles then read as the rational it is (any v with v^T H v = -lambda < 0 gives a bound:
    v^T H' v >= 0 for the student's PSD H', so sum_s c_s (h_s - h_hat_s) >= lambda, and
    Cauchy-Schwarz with the weights rho_s); with c_s = sum_{i+j=s} v_i v_j the bound is
    lambda^2 / sum_{s<=2d} c_s^2 / rho_s (``form="sharp"``) or the weaker min_{s<=2d} rho_s
    lambda^2 / ||c||_2^2 (``form="min rho"``), computed exactly (0 when v^T H v >= 0).
    ``rho=None``: all ones (the two forms agree)."""
    H = [[Fraction(moments[i + j]) for j in range(d + 1)] for i in range(d + 1)]
    _, vecs = np.linalg.eigh(np.array([[float(x) for x in row] for row in H]))
    v = [Fraction(float(x)) for x in vecs[:, 0]]
    lam = -sum(v[i] * H[i][j] * v[j] for i in range(d + 1) for j in range(d + 1))
    if lam <= 0:
        return Fraction(0)
    c = [sum(v[i] * v[s - i] for i in range(max(0, s - d), min(s, d) + 1))
         for s in range(2 * d + 1)]
    weights = [Fraction(r) for r in rho[: 2 * d + 1]] if rho is not None else [Fraction(1)] * (
        2 * d + 1)
    if form == "sharp":
        return lam**2 / sum(x * x / r for x, r in zip(c, weights))
    return min(weights) * lam**2 / sum(x * x for x in c)


def _exact_loss(a, b, c, target: list, rho: list) -> Fraction:
    """L_k of the double student (a, b, c) over Q, with the exact target and weights."""
    a, w = [Fraction(float(x)) for x in a], [Fraction(float(x)) * Fraction(float(y))
                                             for x, y in zip(b, c)]
    h = power_moments(a, w, len(target))
    return sum(Fraction(r) * (x - y) ** 2 for r, x, y in zip(rho, h, target))


def check(case: dict) -> float:
    """Exact cases: +1 when no non-negative measure on R has the teacher's first 2d + 1
    moments (so no balanced student fits them) because its Hankel matrix H is not PSD (the
    package names H as the failing matrix exactly when a rational v with v^T H v < 0 is found
    here), -1 otherwise. Infimum: log10(least exact loss
    L_k of the balanced students of a gradient-descent run, with the case's lag weights rho /
    the proof's positive lower bound), which must be > 0 (its size says how tight the bound
    is); -1 when the bound is not positive or descent left the balanced set. With
    ``"drop": "min rho"`` the bound is taken without its factor min rho_j (the statement before
    it was corrected): the control shows that bound failing."""
    d = len(case["atoms"])
    m = _moments(case, 2 * d + 1)
    if case["kind"] != "infimum":
        feas = moment_feasible(m, support=("-inf", "inf"))
        # infeasible for the statement's reason: the Hankel matrix H is not PSD (a rational v
        # with v^T H v < 0 proves it here, independently), and the package names H
        proved = loss_bound(m, d) > 0
        named = getattr(feas, "failing", None) == "H"
        return 1.0 if not feas.feasible and named == proved else -1.0
    k = case.get("k", 2 * d + 1)
    rho = [Fraction(r) for r in case.get("rho", [1] * k)]
    bound = (loss_bound(m, d, None) if case.get("drop") == "min rho" else
             loss_bound(m, d, rho, form=case.get("form", "sharp")))
    if not bound > 0:
        return -1.0
    target = _moments(case, k)
    teacher = [float(v) for v in target]
    # gradient descent keeps b = c bit for bit (the two partial gradients are the same
    # floating-point numbers), whereas the flow's balanced subspace is unstable numerically
    # for units with g(a_i) < 0 (R7) and a float integrator drifts off it
    students = [init_student(case.get("dim", 8), scale=0.3, mode="balanced", seed=s)
                for s in range(case.get("seed", 0), case.get("seed", 0) + 3)]
    res = gradient_descent(students, teacher, k=k, lr=case.get("lr", 0.05),
                           steps=case.get("steps", 4000), lag_weights=[float(r) for r in rho])
    if not all(np.array_equal(res.b[i], res.c[i]) for i in range(res.batch)):
        return -1.0
    losses = [_exact_loss(res.a[i], res.b[i], res.c[i], target, rho) for i in range(res.batch)
              if res.status[i] != "diverged"]
    if not losses:
        return -1.0
    best = min(losses)
    return math.log10(best / bound) if best > 0 else -math.inf


def positive(quick: bool, seed: int) -> list[dict]:
    return [{"kind": "exact", "atoms": [F(4, 5), F(-1, 2)], "weights": [F(1), F(1, 2)]},
            {"kind": "infimum", "atoms": [F(4, 5), F(-1, 2)], "weights": [F(1), F(1, 2)]}]


def without_min_rho(quick: bool, seed: int) -> list[dict]:
    """Lag weights below one, and the bound without its factor min rho_j."""
    return [{"kind": "infimum", "atoms": [F(4, 5), F(-1, 2)], "weights": [F(1), F(-1, 2)],
             "rho": [F(1, 100)] * 5, "drop": "min rho", "lr": 2.0}]


def search(seed: int, count: int) -> list[dict]:
    """Teachers with 1 to 4 atoms in [-1, 1] and at least one negative weight (or a conjugate
    pair of complex atoms and weights): exact infeasibility on the line, and the infimum bound
    with random positive lag weights (two decades) on k = 2d + 1 to 2d + 3 lags, against short
    descents (any balanced student must stay above the bound, trained or not)."""
    rng = random.Random(120_000 + seed)
    return [_draw(rng) for _ in range(count)]


def _draw(rng: random.Random) -> dict:
    if rng.random() < 0.2:  # a conjugate pair, possibly with a real atom
        re, im = F(rng.randint(-9, 9), 10), F(rng.randint(1, 9), 10)
        wr, wi = F(rng.randint(1, 9), 10), F(rng.choice([-1, 1]) * rng.randint(1, 9), 10)
        return {"kind": "complex", "atoms": [(re, im), (re, -im)], "weights": [(wr, wi),
                                                                              (wr, -wi)]}
    d = rng.randint(1, 4)
    atoms, weights = random_measure(d, rng.randrange(10**9), spread=rng.choice([10, 100, 1000]))
    weights[rng.randrange(d)] *= -1
    if rng.random() < 0.5:
        return {"kind": "exact", "atoms": atoms, "weights": weights}
    k = 2 * d + 1 + rng.randint(0, 2)
    rho = [F(rng.randint(1, 100), 10 ** rng.randint(0, 2)) for _ in range(k)]
    return {"kind": "infimum", "atoms": atoms, "weights": weights, "k": k, "rho": rho,
            "steps": 1000, "lr": round(0.05 / max(float(r) for r in rho), 6),
            "seed": rng.randrange(1000)}


def refine(case: dict, rng: random.Random) -> dict:
    """One real atom moved (kept distinct), one weight scaled (its sign kept), one lag weight
    scaled."""
    if case["kind"] == "complex":
        return _draw(rng)
    new = dict(case)
    atoms, weights = [F(x) for x in case["atoms"]], [F(w) for w in case["weights"]]
    i = rng.randrange(len(atoms))
    moved = min(max(atoms[i] + F(rng.randint(-50, 50), 1000), F(-1)), F(1))
    if moved not in atoms:
        atoms[i] = moved
    weights[i] *= F(rng.randint(1, 300), 100)
    new["atoms"], new["weights"] = atoms, weights
    if "rho" in case:
        rho = [F(r) for r in case["rho"]]
        rho[rng.randrange(len(rho))] *= F(rng.randint(1, 300), 100)
        new["rho"] = rho
        new["lr"] = round(0.05 / max(float(r) for r in rho), 6)
    return new


CLAIM = Claim("R12", "negative-weight teachers are out of reach of balanced students",
              STATEMENT, cases, check, [("a positive-weight teacher", positive),
                                        ("the bound without min rho_j", without_min_rho)],
              unit="exact / decades", search=search, refine=refine)
register_claim(CLAIM)
