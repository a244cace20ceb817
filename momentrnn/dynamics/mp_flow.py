r"""A high-precision integrator for checking the flow's invariants: Gauss-Legendre in mpmath.

The s-stage Gauss-Legendre Runge-Kutta method (order 2s) conserves every quadratic invariant
of an ODE exactly, up to the tolerance of its stage equations: :math:`b_i^2 - c_i^2` (R4) and
:math:`Q` (R3) are quadratic, so at ``MP(dps)`` they are conserved to about ``dps`` digits if
and only if they are invariants of the vector field (a wrong gradient breaks them). The stage
equations are solved by fixed-point iteration, bounded and checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import IntegrationError
from ..precision import MP
from ._problem import FlowProblem

__all__ = ["GaussRun", "gauss_mp_flow", "mp_gradient"]

STAGES = 3
MAX_ITERATIONS = 200


def _gauss_tableau(ctx, s: int):
    """Nodes c, matrix A and weights b of the s-stage Gauss-Legendre method."""
    x = ctx.mpf(0)
    nodes = []
    # roots of the shifted Legendre polynomial P_s(2c - 1)
    for i in range(s):
        guess = -ctx.cos(ctx.pi * (i + ctx.mpf(3) / 4) / (s + ctx.mpf(1) / 2))
        x = ctx.findroot(lambda z: ctx.legendre(s, z), guess)
        nodes.append((x + 1) / 2)
    nodes.sort()
    # A_ij = int_0^{c_i} l_j, b_j = int_0^1 l_j with Lagrange polynomials l_j on the nodes
    def lagrange_integral(j, upper):
        others = [nodes[m] for m in range(s) if m != j]
        coeffs = [ctx.mpf(1)]
        for o in others:
            coeffs = [ctx.mpf(0)] + coeffs
            for n in range(len(coeffs) - 1):
                coeffs[n] -= o * coeffs[n + 1]
        denom = ctx.fprod(nodes[j] - o for o in others)
        return ctx.fsum(cf * upper ** (n + 1) / (n + 1) for n, cf in enumerate(coeffs)) / denom

    A = [[lagrange_integral(j, nodes[i]) for j in range(s)] for i in range(s)]
    b = [lagrange_integral(j, ctx.mpf(1)) for j in range(s)]
    return nodes, A, b


def mp_gradient(problem: FlowProblem, theta: list, ctx) -> list:
    """Gradient of L_k at mpmath precision (diagonal and full models)."""
    d, k = problem.dim, problem.target.shape[0]
    target = [ctx.mpf(float(v)) for v in problem.target]
    rho = [ctx.mpf(float(v)) for v in problem.rho]
    if problem.diagonal:
        a, b, c = theta[0::3], theta[1::3], theta[2::3]
        powers = [[ctx.mpf(1)] * d]
        for _ in range(1, k):
            powers.append([p * x for p, x in zip(powers[-1], a)])
        w = [bi * ci for bi, ci in zip(b, c)]
        r = [ctx.fsum(wi * p for wi, p in zip(w, powers[j])) - target[j] for j in range(k)]
        u = [2 * rho[j] * r[j] for j in range(k)]
        out = []
        for i in range(d):
            vu = ctx.fsum(u[j] * powers[j][i] for j in range(k))
            du = ctx.fsum(j * u[j] * powers[j - 1][i] for j in range(1, k))
            out += [w[i] * du, c[i] * vu, b[i] * vu]
        return out
    A = ctx.matrix(d, d)
    for i in range(d):
        for j in range(d):
            A[i, j] = theta[i * d + j]
    B = ctx.matrix(theta[d * d : d * d + d])
    C = ctx.matrix(theta[d * d + d :])
    X, Y = [B], [C]
    for _ in range(1, k):
        X.append(A * X[-1])
        Y.append(A.T * Y[-1])
    r = [ctx.fsum(C[m] * X[j][m] for m in range(d)) - target[j] for j in range(k)]
    u = [2 * rho[j] * r[j] for j in range(k)]
    gA = ctx.matrix(d, d)
    for p in range(k):
        for q in range(k - p - 1):
            coef = u[p + q + 1]
            gA += coef * (Y[p] * X[q].T)
    gB = sum((u[j] * Y[j] for j in range(k)), ctx.matrix(d, 1))
    gC = sum((u[j] * X[j] for j in range(k)), ctx.matrix(d, 1))
    return [gA[i, j] for i in range(d) for j in range(d)] + list(gB) + list(gC)


@dataclass(frozen=True)
class GaussRun:
    """The recorded points of a Gauss-Legendre run: flow times, parameters as lists of
    mpmath numbers in ``ctx``, and the number of steps taken."""

    times: list
    thetas: list
    ctx: object
    steps: int


def gauss_mp_flow(problem: FlowProblem, theta0: np.ndarray, t_max: float, precision: MP,
                  record: int, steps: int | None = None) -> GaussRun:
    """Integrate the flow to ``t_max`` with fixed steps of the 3-stage Gauss method in mpmath.

    Without ``steps`` the step count is chosen from the initial gradient; when the stage
    equations do not converge with it (the gradient grows along the way), the integration is
    repeated with twice as many steps, up to ``REFINEMENTS`` times, before it is refused."""
    ctx = precision.context(extra_dps=5)
    y0 = [ctx.mpf(float(v)) for v in theta0]
    if steps is not None:
        return _gauss_run(problem, y0, t_max, precision, record, steps, ctx)
    g0 = mp_gradient(problem, y0, ctx)
    gnorm0 = float(ctx.sqrt(ctx.fsum(v * v for v in g0)))
    # step so that h * |grad|-scale stays well inside the fixed-point iteration's contraction
    first = max(10, int(np.ceil(float(t_max) * max(1.0, 4.0 * gnorm0))))
    for refinement in range(REFINEMENTS + 1):
        try:
            return _gauss_run(problem, y0, t_max, precision, record, first << refinement, ctx)
        except IntegrationError:
            if refinement == REFINEMENTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


REFINEMENTS = 3  # step doublings tried when the default step count does not converge


def _gauss_run(problem: FlowProblem, y: list, t_max: float, precision: MP, record: int,
               steps: int, ctx) -> GaussRun:
    nodes, A, bw = _gauss_tableau(ctx, STAGES)
    h = ctx.mpf(t_max) / steps
    tol = ctx.mpf(10) ** (-(precision.dps + 2))
    times, thetas = [0.0], [list(y)]
    every = max(1, steps // max(record - 1, 1))
    n = len(y)
    for step in range(1, steps + 1):
        f = mp_gradient(problem, y, ctx)
        K = [[-v for v in f] for _ in range(STAGES)]
        for _it in range(MAX_ITERATIONS):
            new = []
            for i in range(STAGES):
                arg = [y[m] + h * ctx.fsum(A[i][j] * K[j][m] for j in range(STAGES))
                       for m in range(n)]
                new.append([-v for v in mp_gradient(problem, arg, ctx)])
            change = max(abs(new[i][m] - K[i][m]) for i in range(STAGES) for m in range(n))
            K = new
            if change <= tol * (1 + max(abs(v) for v in K[0])):
                break
        else:
            raise IntegrationError(
                f"Gauss stage equations did not converge at step {step} of {steps}: raise the "
                "number of steps (smaller h) or lower t_max"
            )
        y = [y[m] + h * ctx.fsum(bw[i] * K[i][m] for i in range(STAGES)) for m in range(n)]
        if step % every == 0 or step == steps:
            times.append(float(h * step))
            thetas.append(list(y))
    return GaussRun(times=times, thetas=thetas, ctx=ctx, steps=steps)


def mp_invariants(problem: FlowProblem, theta: list, ctx) -> list:
    """b_i^2 - c_i^2, or the entries of Q = AA^T - A^T A + BB^T - CC^T, in mpmath."""
    d = problem.dim
    if problem.diagonal:
        return [theta[3 * i + 1] ** 2 - theta[3 * i + 2] ** 2 for i in range(d)]
    A = [[theta[i * d + j] for j in range(d)] for i in range(d)]
    B = theta[d * d : d * d + d]
    C = theta[d * d + d :]
    return [ctx.fsum(A[i][m] * A[j][m] - A[m][i] * A[m][j] for m in range(d))
            + B[i] * B[j] - C[i] * C[j] for i in range(d) for j in range(d)]


def mp_loss(problem: FlowProblem, theta: list, ctx):
    """L_k at mpmath precision."""
    d, k = problem.dim, problem.target.shape[0]
    if problem.diagonal:
        a, w = theta[0::3], [theta[3 * i + 1] * theta[3 * i + 2] for i in range(d)]
        h = [ctx.fsum(wi * ai**j for wi, ai in zip(w, a)) for j in range(k)]
    else:
        A = ctx.matrix(d, d)
        for i in range(d):
            for j in range(d):
                A[i, j] = theta[i * d + j]
        x = ctx.matrix(theta[d * d : d * d + d])
        C = theta[d * d + d :]
        h = []
        for _ in range(k):
            h.append(ctx.fsum(C[m] * x[m] for m in range(d)))
            x = A * x
    return ctx.fsum(ctx.mpf(float(problem.rho[j])) * (h[j] - ctx.mpf(float(problem.target[j])))
                    ** 2 for j in range(k))
