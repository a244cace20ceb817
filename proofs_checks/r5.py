"""R5: one GD step multiplies each b_i^2 - c_i^2 by 1 - eta^2 G_i^2, exactly."""

from __future__ import annotations

import numpy as np

from momentrnn import MP, init_student, named_teacher
from momentrnn.dynamics._problem import FlowProblem
from momentrnn.dynamics.mp_flow import mp_gradient, mp_invariants

from ._common import digits
from .harness import Claim

STATEMENT = (
    "R5 (Discrete GD contracts imbalance). For the diagonal model with step eta, "
    "(b_i^2 - c_i^2)_{t+1} = (1 - eta^2 G_i^2)(b_i^2 - c_i^2)_t with G_i = dL/dw_i, an exact "
    "identity. For the full model Q_{t+1} - Q_t = eta^2 (G_A G_A^T - G_A^T G_A + G_B G_B^T - "
    "G_C^T G_C) exactly."
)


def cases(quick: bool, seed: int) -> list[dict]:
    out = [{"diagonal": True, "dim": d, "seed": seed + d, "lr": lr, "decay": "0"}
           for d in (3, 6) for lr in ("0.01", "0.2")]
    out += [{"diagonal": False, "dim": 3, "seed": seed, "lr": "0.05", "decay": "0"}]
    return out


def _residual(case: dict, dps: int) -> float:
    s = init_student(case["dim"], scale=0.4, seed=case["seed"], diagonal=case["diagonal"])
    t = named_teacher("several")
    k = 5
    problem = FlowProblem.for_model(s, t.impulse_response(k), np.ones(k))
    ctx = MP(dps).context()
    theta = [ctx.mpf(float(v)) for v in problem.pack(s)]
    g = mp_gradient(problem, theta, ctx)
    lr, decay = ctx.mpf(case["lr"]), ctx.mpf(case["decay"])
    new = [x - lr * (gi + decay * x) for x, gi in zip(theta, g)]
    q0, q1 = mp_invariants(problem, theta, ctx), mp_invariants(problem, new, ctx)
    d = case["dim"]
    if case["diagonal"]:
        errs = []
        for i in range(d):
            G = g[3 * i + 1] / theta[3 * i + 2]  # dL/db_i = c_i G_i
            errs.append(abs(q1[i] - (1 - lr**2 * G**2) * q0[i]))
    else:
        GA = [[g[i * d + j] for j in range(d)] for i in range(d)]
        GB, GC = g[d * d : d * d + d], g[d * d + d :]
        errs = []
        for i in range(d):
            for j in range(d):
                rhs = lr**2 * (ctx.fsum(GA[i][m] * GA[j][m] - GA[m][i] * GA[m][j]
                                        for m in range(d)) + GB[i] * GB[j] - GC[i] * GC[j])
                errs.append(abs(q1[i * d + j] - q0[i * d + j] - rhs))
    scale = max(abs(v) for v in q0)
    return float(max(errs) / scale)


def check(case: dict) -> float:
    """Digits to which the identity holds at 60 digits, minus 50."""
    return digits(_residual(case, 60)) - 50


def confirm(case: dict) -> float:
    return digits(_residual(case, 80)) - 50


def weight_decay(quick: bool, seed: int) -> list[dict]:
    return [{"diagonal": True, "dim": 3, "seed": seed, "lr": "0.05", "decay": "0.1"}]


CLAIM = Claim("R5", "GD multiplies the imbalance by 1 - eta^2 G^2", STATEMENT, cases, check,
              [("gradient step with weight decay", weight_decay)], confirm)
