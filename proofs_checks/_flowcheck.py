"""Checks shared by R3 and R4: invariant drift, the gradient against finite differences, the
energy identity dL/dt = -|grad L|^2 along the computed trajectory, and the float flow."""

from __future__ import annotations

import numpy as np

from momentrnn import (
    MP,
    init_student,
    integrate_flow,
    moment_loss,
    moment_loss_gradient,
    named_teacher,
)
from momentrnn.dynamics import FlowProblem
from momentrnn.dynamics.mp_flow import mp_gradient, mp_invariants, mp_loss
from momentrnn.errors import IntegrationError

from ._common import digits

TARGET_DIGITS = 25  # the invariant survives a Gauss-Legendre flow at 30 digits to >= 25
FD_DIGITS = 10      # central differences at step 10^(-dps/3): error ~ 10^(-2 dps/3)
FLOAT_DIGITS = 11   # double-precision gradients against the mpmath one
ENERGY_DIGITS = 2   # Simpson on the fixed steps (O(h^4)); a wrong gradient is off by O(1)
LSODA_DIGITS = 6    # a float flow at rtol 1e-10 keeps its invariant to about 1e-8


def _setup(case: dict):
    student = init_student(case["dim"], scale=case.get("scale", 0.3), seed=case["seed"],
                           diagonal=case["diagonal"],
                           **({"mode": case["mode"]} if "mode" in case else {}))
    teacher = named_teacher(case["teacher"])
    return student, teacher


def gradient_digits(problem: FlowProblem, theta_float: np.ndarray, model, teacher, k: int,
                    dps: int) -> float:
    """Worst margin (digits) of three gradient comparisons at ``theta``.

    The mpmath gradient against central differences of the mpmath loss; the double-precision
    gradients (the flow's and ``moment_loss_gradient``) against the mpmath gradient; the
    mpmath loss against ``moment_loss``."""
    ctx = MP(dps).context()
    theta = [ctx.mpf(float(v)) for v in theta_float]
    g = mp_gradient(problem, theta, ctx)
    scale = max(abs(v) for v in g) or ctx.mpf(1)
    h = ctx.mpf(10) ** (-(dps // 3))
    worst = ctx.mpf(0)
    for i in range(len(theta)):
        up, down = list(theta), list(theta)
        up[i] += h
        down[i] -= h
        fd = (mp_loss(problem, up, ctx) - mp_loss(problem, down, ctx)) / (2 * h)
        worst = max(worst, abs(fd - g[i]) / scale)
    margin = digits(float(worst)) - FD_DIGITS
    g_float = np.array([float(v) for v in g])
    gscale = float(np.max(np.abs(g_float))) or 1.0
    flow_grad = problem.loss_grad(theta_float)[1]
    public = problem.pack(moment_loss_gradient(model, teacher, k=k))
    for other in (flow_grad, public):
        margin = min(margin, digits(float(np.max(np.abs(other - g_float))) / gscale)
                     - FLOAT_DIGITS)
    loss_mp = float(mp_loss(problem, theta, ctx))
    loss_f = moment_loss(model, teacher, k=k)
    margin = min(margin, digits(abs(loss_mp - loss_f) / max(abs(loss_mp), 1e-300))
                 - FLOAT_DIGITS)
    return margin


def energy_digits(run) -> float:
    """Digits to which L(T) - L(0) = -int_0^T |grad L|^2 dt holds along the trajectory,
    against the larger of 10^-ENERGY_DIGITS of the integral and ten times the quadrature's
    own error estimate (Simpson against the trapezoid rule on the same points: a fast flow on
    the few fixed steps of a short run is not resolved to 1 %, and that is no drift)."""
    t, loss, g2 = run.times, run.loss, run.grad_norm ** 2
    steps = np.diff(t)
    trapezoid = float(np.sum(0.5 * (g2[1:] + g2[:-1]) * steps))
    if len(t) % 2 == 1 and np.allclose(steps, steps[0], rtol=1e-9):
        # Simpson's rule on the fixed steps of the Gauss-Legendre integrator: error O(h^4)
        integral = float(steps[0] / 3 * (g2[0] + g2[-1] + 4 * g2[1:-1:2].sum()
                                         + 2 * g2[2:-1:2].sum()))
        allowed = max(10.0**-ENERGY_DIGITS * integral, 10 * abs(integral - trapezoid))
    else:
        integral = trapezoid
        allowed = 10.0**-ENERGY_DIGITS * integral
    drop = float(loss[-1] - loss[0])
    return digits(abs(drop + integral) / max(allowed, 1e-300))


def float_flow_digits(student, teacher, k: int, t_max: float) -> float:
    """The invariant along double-precision flows (LSODA and the Rosenbrock integrator; the
    trajectory's own invariants are checked against ones recomputed here from its
    parameters), in digits."""
    return min(_float_flow(student, teacher, k, t_max, method)
               for method in ("LSODA", "rosenbrock"))


def _float_flow(student, teacher, k: int, t_max: float, method: str) -> float:
    run = integrate_flow(student, teacher, k=k, method=method, t_max=t_max, rtol=1e-10,
                         atol=1e-14, max_steps=5000)
    problem = FlowProblem.for_model(student, teacher.impulse_response(k), np.ones(k))
    mine, sizes = [], []
    for p in run.parameters:
        m = problem.unpack(p)
        if problem.diagonal:
            mine.append(m.b ** 2 - m.c ** 2)
            sizes.append(float(np.max(m.b ** 2 + m.c ** 2)))
        else:
            mine.append(m.A @ m.A.T - m.A.T @ m.A + np.outer(m.B, m.B) - np.outer(m.C, m.C))
            sizes.append(float(np.sum(np.asarray(p, dtype=float) ** 2)))
    mine = np.array(mine)
    # relative to the size of the invariant's terms (b_i^2 + c_i^2, or |Theta|^2), not to the
    # invariant itself: a balanced start has b_i^2 - c_i^2 = 0, and its rounding is no drift
    scale = max(max(sizes), 1e-300)
    agree = float(np.max(np.abs(mine - np.asarray(run.invariants).reshape(mine.shape)))) / scale
    drift = float(np.max(np.abs(mine - mine[0]))) / scale
    if not run.ok:
        return -1.0
    return min(digits(agree) - 12, digits(max(drift, run.invariant_drift)) - LSODA_DIGITS)


def drift_digits(case: dict, dps: int) -> float:
    """The worst of: invariant drift of the mpmath flow (digits - 25), the gradient checks,
    the energy identity along the trajectory, and the double-precision flows' invariant; -1
    when an integrator reports that it failed on this (smooth, short) flow."""
    try:
        return _drift_digits(case, dps)
    except IntegrationError:
        return -1.0


def _drift_digits(case: dict, dps: int) -> float:
    student, teacher = _setup(case)
    k = case["k"]
    problem = FlowProblem.for_model(student, teacher.impulse_response(k), np.ones(k))
    if case["dynamics"] == "flow":
        run = integrate_flow(student, teacher, k=k, method="gauss-mp", precision=MP(dps),
                             t_max=case["t"])
        margin = digits(run.invariant_drift) - TARGET_DIGITS
        margin = min(margin, energy_digits(run))
        if run.loss[-1] >= run.loss[0]:
            margin = min(margin, -1.0)  # the flow must descend
        for theta in (run.parameters[0], run.parameters[-1]):
            margin = min(margin, gradient_digits(problem, theta, problem.unpack(theta),
                                                 teacher, k, dps))
        margin = min(margin, float_flow_digits(student, teacher, k, case["t"]))
        return margin
    # discrete gradient descent, exactly as the flow would be sampled, in mpmath
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
