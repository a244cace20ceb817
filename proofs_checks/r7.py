"""R7: near-zero initialisation drives the flow toward balancedness (imbalance ~ sigma^2)."""

from __future__ import annotations

import numpy as np

from momentrnn import (
    DiscreteMeasure,
    init_student,
    integrate_flow,
    named_teacher,
    teacher_from_measure,
)

from .harness import Claim

STATEMENT = (
    "R7 (Near-zero initialisation drives the flow toward balancedness). Near the origin "
    "r_j ~ -h_hat_j, and with g(a) = sum_{j<k} h_hat_j a^j the linearised flow is "
    "b_i' = 2 g(a_i) c_i, c_i' = 2 g(a_i) b_i: b_i + c_i grows like exp(2 g(a_i) t) while "
    "b_i - c_i decays like exp(-2 g(a_i) t) wherever g(a_i) > 0. The escape from an "
    "initialisation of scale sigma takes t ~ log(1/sigma)/(2g), so at escape ||b - c||/||b + c|| "
    "= O(sigma^2) and the negative part of mu_Theta has mass O(sigma^2)."
)


def _teacher(name: str):
    if name == "negative_total":  # g(0) = h_hat_0 < 0: the hypothesis g > 0 fails
        return teacher_from_measure(DiscreteMeasure([0.5], [-1.0]))
    return named_teacher(name)


def cases(quick: bool, seed: int) -> list[dict]:
    names = ["long_memory", "two_pole"] + ([] if quick else ["several"])
    return [{"teacher": t, "dim": 10, "k": 5, "seeds": [seed, seed + 1]} for t in names]


def check(case: dict, rtol: float = 1e-9) -> float:
    """0.4 - |slope - 2| for the slope of log(imbalance at escape) against log(sigma)."""
    teacher = _teacher(case["teacher"])
    sigmas = [1e-2, 1e-3, 1e-4]
    logs = []
    for sigma in sigmas:
        vals = []
        for seed in case["seeds"]:
            s = init_student(case["dim"], scale=sigma, seed=seed)
            run = integrate_flow(s, teacher, k=case["k"], until_loss=0.5 * _loss0(teacher,
                                                                                   case["k"]),
                                 rtol=rtol, atol=1e-20)
            vals.append(run.imbalance[-1])
        logs.append(np.log(np.median(vals)))
    slope = np.polyfit(np.log(sigmas), logs, 1)[0]
    return 0.4 - abs(slope - 2.0)


def _loss0(teacher, k):
    h = np.asarray(teacher.impulse_response(k))
    return float(h @ h)


def negative_g(quick: bool, seed: int) -> list[dict]:
    return [{"teacher": "negative_total", "dim": 10, "k": 5, "seeds": [seed]}]


def confirm(case: dict) -> float:
    return check(case, rtol=1e-11)


CLAIM = Claim("R7", "small initialisation balances the network (imbalance ~ sigma^2)",
              STATEMENT, cases, check, [("a teacher with g(0) < 0", negative_g)], confirm)
