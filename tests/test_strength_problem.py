"""``FlowProblem`` (what every integrator steps) against the loss computed at 256 bits.

Stated: ``loss_grad`` is :math:`L = \\sum_j \\rho_j (C A^j B - h_j)^2` (diagonal:
:math:`\\sum_i b_i c_i a_i^j`) and its gradient; ``hessian`` is its Hessian; the solvers of
``shifted_solver``/``linearise`` apply :math:`(I + s \\nabla^2 L)^{-1}`; ``invariants`` are
:math:`b_i^2 - c_i^2` (diagonal) and :math:`AA^T - A^TA + BB^T - C^TC` (full); ``pack`` and
``unpack`` are inverse. The references are evaluated in a local 256-bit mpmath context from the
exact doubles (derivatives by central differences there, whose error is far below a double's).
"""

from __future__ import annotations

from fractions import Fraction as Q

import mpmath
import numpy as np
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from momentrnn import DiagonalRNN, LinearRNN
from momentrnn.dynamics import FlowProblem

FAST = (Phase.explicit, Phase.generate)  # no shrinking: the first failing example is shown
CTX = mpmath.mp.clone()
CTX.prec = 256
STEP = CTX.mpf(2) ** -70
VALUES = st.sampled_from([0.39, -0.5, 0.25, 0.7, -0.125, 0.9, 1 / 3, -0.61, 0.05, 0.0])


def _loss(problem: FlowProblem, theta) -> mpmath.mpf:
    d, k = problem.dim, problem.target.shape[0]
    h = [CTX.mpf(float(x)) for x in problem.target]
    rho = [CTX.mpf(float(x)) for x in problem.rho]
    if problem.diagonal:
        a, b, c = theta[0::3], theta[1::3], theta[2::3]
        resp = [CTX.fsum(b[i] * c[i] * a[i] ** j for i in range(d)) for j in range(k)]
    else:
        A = CTX.matrix([[theta[r * d + s] for s in range(d)] for r in range(d)])
        B = CTX.matrix(theta[d * d:d * d + d])
        C = CTX.matrix([theta[d * d + d:]])
        resp, x = [], B
        for _ in range(k):
            resp.append((C * x)[0])
            x = A * x
    return CTX.fsum(rho[j] * (resp[j] - h[j]) ** 2 for j in range(k))


def _grad(problem, theta):
    out = []
    for i in range(len(theta)):
        up, down = list(theta), list(theta)
        up[i] += STEP
        down[i] -= STEP
        out.append((_loss(problem, up) - _loss(problem, down)) / (2 * STEP))
    return out


def _hessian(problem, theta):
    n = len(theta)
    H = []
    for i in range(n):
        up, down = list(theta), list(theta)
        up[i] += STEP
        down[i] -= STEP
        gu, gd = _grad(problem, up), _grad(problem, down)
        H.append([(gu[j] - gd[j]) / (2 * STEP) for j in range(n)])
    return H


def _close(got, exact, scale) -> bool:
    return abs(CTX.mpf(float(got)) - exact) <= 1e-10 * scale


def _problem(draw, diagonal, d, k):
    if diagonal:
        model = DiagonalRNN(*(draw(st.lists(VALUES, min_size=d, max_size=d)) for _ in range(3)))
    else:
        A = [draw(st.lists(VALUES, min_size=d, max_size=d)) for _ in range(d)]
        model = LinearRNN(np.array(A) / 2, draw(st.lists(VALUES, min_size=d, max_size=d)),
                          draw(st.lists(VALUES, min_size=d, max_size=d)))
    teacher = DiagonalRNN([0.9, -0.5], [1.0, 0.39], [0.5, 1.0])
    target = np.asarray(teacher.impulse_response(k), dtype=float)
    rho = np.array([1.0 + j / 3 for j in range(k)])
    problem = FlowProblem.for_model(model, target, rho)
    return problem, model


@settings(max_examples=20, derandomize=True, deadline=None, phases=FAST)
@given(diagonal=st.booleans(), d=st.integers(1, 2), k=st.integers(1, 5), data=st.data(),
       s=st.sampled_from([0.01, 0.25, 1.0]))
def test_loss_gradient_hessian_and_solver_are_the_losss(diagonal, d, k, data, s):
    problem, model = _problem(data.draw, diagonal, d, k)
    assert problem.diagonal is diagonal and problem.dim == d
    theta = problem.pack(model)
    assert theta.size == (3 * d if diagonal else d * d + 2 * d)
    back = problem.unpack(theta)
    assert np.array_equal(problem.pack(back), theta)
    exact = [CTX.mpf(float(x)) for x in theta]
    loss, grad = problem.loss_grad(theta)
    ref_loss, ref_grad = _loss(problem, exact), _grad(problem, exact)
    scale = 1 + abs(ref_loss) + max(abs(g) for g in ref_grad)
    assert _close(loss, ref_loss, scale)
    assert grad.shape == theta.shape
    assert all(_close(g, r, scale) for g, r in zip(grad, ref_grad))
    H = problem.hessian(theta)
    ref_H = _hessian(problem, exact)
    hscale = scale + max(abs(x) for row in ref_H for x in row)
    n = theta.size
    assert all(_close(H[i, j], ref_H[i][j], hscale) for i in range(n) for j in range(n))
    # (I + s H)^{-1} y, by both ways of asking
    y = np.array([0.5 - (i % 3) / 4 for i in range(n)])
    M = CTX.eye(n) + s * CTX.matrix(ref_H)
    want = CTX.lu_solve(M, CTX.matrix([CTX.mpf(float(v)) for v in y]))
    wscale = 1 + max(abs(w) for w in want)
    for x in (problem.shifted_solver(theta, s)(y), problem.linearise(theta).solver(s)(y)):
        assert all(abs(CTX.mpf(float(x[i])) - want[i]) <= 1e-8 * wscale for i in range(n))
    lin = problem.linearise(theta)
    again = problem.linearise(theta, recycle=lin).solver(s)(y)
    assert all(abs(CTX.mpf(float(again[i])) - want[i]) <= 1e-8 * wscale for i in range(n))


@settings(max_examples=20, derandomize=True, deadline=None, phases=FAST)
@given(diagonal=st.booleans(), d=st.integers(1, 3), data=st.data())
def test_the_invariants_and_diagnostics_are_their_formulas(diagonal, d, data):
    problem, model = _problem(data.draw, diagonal, d, 3)
    theta = problem.pack(model)
    q = [Q(float(x)) for x in theta]
    inv = problem.invariants(theta)
    if diagonal:
        b, c = q[1::3], q[2::3]
        for got, x, y in zip(inv, b, c):  # each rounded once or twice from the exact value
            assert abs(Q(float(got)) - (x * x - y * y)) <= (x * x + y * y) / 2**51
        assert abs(Q(problem.invariant_scale(theta))
                   - max(x * x + y * y for x, y in zip(b, c))) <= Q(1, 2**50)
        w = [x * y for x, y in zip(b, c)]
        assert abs(Q(problem.negative_mass(theta)) - sum(max(-x, 0) for x in w)) <= Q(1, 10**15)
    else:
        A = [[q[r * d + s] for s in range(d)] for r in range(d)]
        b, c = q[d * d:d * d + d], q[d * d + d:]
        for r in range(d):
            for s in range(d):
                want = (sum(A[r][m] * A[s][m] - A[m][r] * A[m][s] for m in range(d))
                        + b[r] * b[s] - c[r] * c[s])
                assert abs(Q(float(inv[r, s])) - want) <= Q(1, 10**14)
        assert abs(Q(problem.invariant_scale(theta)) - sum(x * x for x in q)) <= Q(1, 10**14)
    plus = sum((x + y) ** 2 for x, y in zip(b, c))
    minus = sum((x - y) ** 2 for x, y in zip(b, c))
    got = problem.imbalance(theta)
    if plus == 0:
        assert got == float("inf")
    else:
        assert abs(got - (float(minus) / float(plus)) ** 0.5) <= 1e-12 * (1 + got)
