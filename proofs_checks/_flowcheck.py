"""Invariant drift of the flow (Gauss-Legendre in mpmath) or of discrete GD, in mpmath."""

from __future__ import annotations

import numpy as np

from momentrnn import MP, init_student, integrate_flow, named_teacher
from momentrnn.dynamics._problem import FlowProblem
from momentrnn.dynamics.mp_flow import mp_gradient, mp_invariants

from ._common import digits

TARGET_DIGITS = 25


def drift_digits(case: dict, dps: int) -> float:
    """Digits to which the conserved quantity survives, minus 25 (the margin)."""
    student = init_student(case["dim"], scale=0.3, seed=case["seed"],
                           diagonal=case["diagonal"])
    teacher = named_teacher(case["teacher"])
    k = case["k"]
    if case["dynamics"] == "flow":
        run = integrate_flow(student, teacher, k=k, method="gauss-mp", precision=MP(dps),
                             t_max=case["t"])
        return digits(run.invariant_drift) - TARGET_DIGITS
    # discrete gradient descent, exactly as the flow would be sampled, in mpmath
    problem = FlowProblem.for_model(student, teacher.impulse_response(k), np.ones(k))
    ctx = MP(dps).context()
    theta = [ctx.mpf(float(v)) for v in problem.pack(student)]
    inv0 = mp_invariants(problem, theta, ctx)
    lr = ctx.mpf(case["lr"])
    for _ in range(case["steps"]):
        g = mp_gradient(problem, theta, ctx)
        theta = [x - lr * gi for x, gi in zip(theta, g)]
    inv1 = mp_invariants(problem, theta, ctx)
    scale = max(abs(v) for v in theta) ** 2
    return digits(float(max(abs(x - y) for x, y in zip(inv1, inv0)) / scale)) - TARGET_DIGITS
