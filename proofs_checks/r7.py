"""R7: near-zero initialisation drives the flow toward balancedness (both regimes).

The claim, its proof or evidence and this check's tests: theory chapter, section R7
(docs/theory.md; theory.html#r7 and claims/r7.html in the built docs).
"""

from __future__ import annotations

import numpy as np

from momentrnn import (
    DiagonalRNN,
    DiscreteMeasure,
    init_student,
    named_teacher,
    teacher_from_measure,
)

from ._common import bounded_flow
from .harness import Claim

STATEMENT = (
    "R7 (Near-zero initialisation drives the flow toward balancedness). With g(a) = "
    "sum_{j<k} h_hat_j a^j the linearised flow is b_i' = 2 g(a_i) c_i, c_i' = 2 g(a_i) b_i. "
    "Equal rates (a_i(0) = O(sigma), g(0) > 0): at escape ||b - c||/||b + c|| = O(sigma^2) and "
    "the negative part of mu_Theta has mass O(sigma^2). Spread rates (all g(a_i) > 0): the "
    "imbalance ratio at escape is O(sigma^(1 + g_min/g_max)); a unit with g(a_i) < 0 does not "
    "balance."
)

SIGMAS = (1e-2, 1e-3, 1e-4)
EQUAL_TOLERANCE = 0.4   # slope 2 within 0.4 (three scales, O(sigma) corrections)
SPREAD_TOLERANCE = 0.15  # slope 1 + g_min/g_max within 0.15 (the O(delta^2) exponent error)
MAX_STEPS = 3000        # escape takes a few hundred steps; a broken flow must not hang
NEG_FACTOR = 2.0        # negative mass <= 2 * sum_i (b_i(0) - c_i(0))^2 / 4 (the proof's bound)


def _teacher(name: str):
    if name == "negative_total":  # g(0) = h_hat_0 < 0: the hypothesis g > 0 fails
        return teacher_from_measure(DiscreteMeasure([0.5], [-1.0]))
    return named_teacher(name)


def cases(quick: bool, seed: int) -> list[dict]:
    names = ["long_memory", "two_pole"] + ([] if quick else ["several"])
    out = [{"regime": "equal", "teacher": t, "dim": 10, "k": 5, "seeds": [seed, seed + 1]}
           for t in names]
    out.append({"regime": "spread", "teacher": "two_pole", "dim": 8, "k": 5, "seeds": [seed]})
    if not quick:
        out.append({"regime": "spread", "teacher": "long_memory", "dim": 6, "k": 5,
                    "seeds": [seed + 1]})
    return out


def _student(case: dict, sigma: float, seed: int):
    if case["regime"] == "equal":
        return init_student(case["dim"], scale=sigma, seed=seed)
    rng = np.random.default_rng(seed)
    d = case["dim"]
    return DiagonalRNN(np.linspace(-0.9, 0.9, d), sigma * rng.normal(size=d),
                       sigma * rng.normal(size=d))


def _g(teacher, k: int, a: np.ndarray) -> np.ndarray:
    h = np.asarray(teacher.impulse_response(k))
    return np.polynomial.polynomial.polyval(a, h)


def predicted_slope(case: dict) -> float:
    """2 (equal rates) or 1 + g_min/g_max over the initial atoms (spread rates)."""
    if case["regime"] == "equal":
        return 2.0
    teacher = _teacher(case["teacher"])
    g = _g(teacher, case["k"], np.linspace(-0.9, 0.9, case["dim"]))
    return float(1 + g.min() / g.max())


def measure(case: dict, method: str = "LSODA", rtol: float = 1e-9):
    """The fitted slope of log(imbalance at escape) against log(sigma), and the worst ratio of
    the negative mass at escape to the proof's bound (equal rates)."""
    teacher = _teacher(case["teacher"])
    k = case["k"]
    h = np.asarray(teacher.impulse_response(k))
    logs, neg_ratio = [], 0.0
    for sigma in SIGMAS:
        vals = []
        for seed in case["seeds"]:
            s = _student(case, sigma, seed)
            run = bounded_flow(s, teacher, k=k, until_loss=0.5 * float(h @ h), method=method,
                               rtol=rtol, atol=1e-20, max_steps=MAX_STEPS)
            if run is None or run.status != "converged":
                return np.nan, np.inf
            # the trajectory's diagnostics, recomputed here from its final parameters
            b, c = run.final.b, run.final.c
            mine = float(np.linalg.norm(b - c) / np.linalg.norm(b + c))
            negative = float(np.sum(np.maximum(-(b * c), 0.0)))
            if (abs(run.imbalance[-1] - mine) > 1e-9 * mine
                    or abs(run.negative_mass[-1] - negative) > 1e-12 * max(negative, 1e-300)):
                return np.nan, np.inf
            vals.append(mine)
            bound = NEG_FACTOR * float(np.sum((s.b - s.c) ** 2)) / 4
            neg_ratio = max(neg_ratio, negative / bound)
        logs.append(np.log(np.median(vals)))
    slope = float(np.polyfit(np.log(SIGMAS), logs, 1)[0])
    return slope, neg_ratio


def check(case: dict, method: str = "LSODA", rtol: float = 1e-9) -> float:
    """tolerance - |slope - predicted slope| (0.4 for equal rates, 0.15 for spread rates), or
    -1 when a flow does not escape within its step budget or the trajectory's imbalance and
    negative mass disagree with the ones recomputed from its parameters;
    equal rates also need the negative mass at escape within the bound of the proof
    (2 sum_i (b_i(0) - c_i(0))^2 / 4), else -1."""
    slope, neg_ratio = measure(case, method, rtol)
    if not np.isfinite(slope):
        return -1.0
    if case["regime"] == "equal":
        margin = EQUAL_TOLERANCE - abs(slope - 2.0)
        return min(margin, -1.0) if neg_ratio > 1.0 else margin
    if not np.all(_g(_teacher(case["teacher"]), case["k"],
                     np.linspace(-0.9, 0.9, case["dim"])) > 0):
        return -1.0  # outside the statement: some unit has g < 0
    return SPREAD_TOLERANCE - abs(slope - predicted_slope(case))


def confirm(case: dict) -> float:
    """The same measurement with the Rosenbrock integrator (a different method and linear
    algebra) at a tighter tolerance."""
    return check(case, method="rosenbrock", rtol=1e-10)


def negative_g(quick: bool, seed: int) -> list[dict]:
    return [{"regime": "equal", "teacher": "negative_total", "dim": 10, "k": 5,
             "seeds": [seed]}]


CLAIM = Claim("R7", "small initialisation balances the network (both rate regimes)",
              STATEMENT, cases, check, [("a teacher with g(0) < 0", negative_g)], confirm,
              unit="slope")
