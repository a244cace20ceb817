"""Diagonal units that start exactly on b_i = c_i (or b_i = -c_i) are integrated on that set
(issues 21, 22): the exact flow keeps them there, so the computed run must too, bit for bit,
whatever the integrator; the run still follows the exact flow (an independent reference on
the reduced system)."""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.dynamics import flow_methods, integrate_flow
from momentrnn.dynamics._problem import FlowProblem
from momentrnn.precision import MP
from momentrnn.rnn import DiagonalRNN, init_student, named_teacher

NON_DYADIC = [float(Fraction(39, 100)), float(Fraction(-1, 3)), float(Fraction(7, 10)),
              float(Fraction(-3, 7)), float(Fraction(1, 9))]


def _student(pattern: list[int], seed: int, scale: float = 0.1) -> DiagonalRNN:
    """Units with b = c (pattern 1), b = -c (-1) or b, c apart (0); non-dyadic a."""
    rng = np.random.default_rng(seed)
    d = len(pattern)
    a = np.array([NON_DYADIC[(i + seed) % len(NON_DYADIC)] for i in range(d)])
    b = scale * rng.standard_normal(d) / 3.0
    c = np.where(np.array(pattern) == 0, scale * rng.standard_normal(d) / 7.0,
                 np.array(pattern, dtype=float) * b)
    return DiagonalRNN(a, b, c)


def _held_exactly(run, pattern: list[int]) -> None:
    p = np.asarray(pattern)
    P = run.parameters.reshape(len(run.parameters), len(pattern), 3)
    b, c = P[:, :, 1], P[:, :, 2]
    assert np.array_equal(b[:, p == 1], c[:, p == 1])
    assert np.array_equal(b[:, p == -1], -c[:, p == -1])
    w = b * c
    assert np.all(w[:, p == 1] >= 0) and np.all(w[:, p == -1] <= 0)


METHODS = [m for m in flow_methods() if m != "gauss-mp"]


@pytest.mark.filterwarnings("ignore:the teacher has dimension")
@settings(max_examples=14, deadline=None, derandomize=True)
@given(st.sampled_from(METHODS + ["gauss-mp"]), st.integers(0, 10_000),
       st.sampled_from(["negative_weight", "decaying", "two_pole", "several"]),
       st.lists(st.sampled_from([1, -1, 0]), min_size=1, max_size=5))
def test_every_integrator_keeps_units_on_their_sets_bit_for_bit(method, seed, teacher,
                                                                 pattern):
    """At every accepted point (record covers them all), b_i == c_i or b_i == -c_i exactly for
    every unit that started there, and so every such weight keeps its sign."""
    if method == "gauss-mp":
        pattern = pattern[:3]
        run = integrate_flow(_student(pattern, seed), named_teacher(teacher), k=4,
                             method="gauss-mp", precision=MP(20), t_max=0.5, record=10**6)
    else:
        run = integrate_flow(_student(pattern, seed), named_teacher(teacher), k=5,
                             method=method, t_max=30.0, record=10**6, max_steps=20_000)
        assert len(run.parameters) == len(run.times)
    assert run.status != "left_invariant", run.message
    _held_exactly(run, pattern)
    held = sum(1 for s in pattern if s)
    assert ("integrated on them" in run.message) == (held > 0 and method != "gauss-mp")


@pytest.mark.parametrize("method", ["LSODA", "rosenbrock", "BDF"])
def test_a_balanced_start_keeps_nonnegative_weights_against_a_negative_weight_teacher(method):
    """The implicit integrators' solves once took such a run off b = c through rounding (it
    then ended 'left_invariant', or before that 'converged' with negative weights); held on
    the set, it keeps every weight >= 0, as the exact flow does, and so cannot fit the
    teacher's negative atom."""
    student = init_student(4, scale=1e-2, mode="balanced", seed=0)
    run = integrate_flow(student, named_teacher("negative_weight"), k=5, method=method,
                         t_max=1e5, record=10**6)
    assert run.status == "t_max", run.message
    _held_exactly(run, [1, 1, 1, 1])
    assert run.negative_mass.max() == 0.0
    assert run.final_loss > 0.2
    assert "4 on b_i = c_i" in run.message and "integrated on them" in run.message


def _reduced_rhs(x, signs, target):
    """The exact flow on the sets, written out for this test: units (a_i, r_i) with
    w_i = s_i r_i^2 held, (a_i, b_i, c_i) free; rho = 1."""
    k = len(target)
    j = np.arange(k)
    units, pos = [], 0
    for s in signs:
        n = 2 if s else 3
        units.append(x[pos:pos + n])
        pos += n
    w = np.array([s * u[1] ** 2 if s else u[1] * u[2] for s, u in zip(signs, units)])
    a = np.array([u[0] for u in units])
    V = a[None, :] ** j[:, None]
    res = V @ w - target
    out = []
    for i, (s, u) in enumerate(zip(signs, units)):
        sv = 2 * res @ V[:, i]
        sd = 2 * (res[1:] * j[1:]) @ (a[i] ** (j[1:] - 1))
        out.append(-w[i] * sd)
        if s:  # dr/dt = -dL/db = -c g = -s r g
            out.append(-s * u[1] * sv)
        else:
            out += [-u[2] * sv, -u[1] * sv]
    return np.array(out)


PATTERN, TIMES = (1, -1, 0, 1), (2.0, 40.0)


def _reduced(x: np.ndarray, pattern) -> np.ndarray:
    return np.concatenate([x[3 * i: 3 * i + (2 if s else 3)] for i, s in enumerate(pattern)])


@lru_cache(maxsize=1)
def _reference() -> np.ndarray:
    """scipy's Radau at rtol 1e-11 on the reduced system written out independently, at
    TIMES (columns)."""
    from scipy.integrate import solve_ivp

    student, teacher = _student(list(PATTERN), 3, scale=0.3), named_teacher("negative_weight")
    target = teacher.impulse_response(5)
    x0 = _reduced(np.stack([student.a, student.b, student.c], axis=1).ravel(), PATTERN)
    ref = solve_ivp(lambda _t, x: _reduced_rhs(x, PATTERN, target), (0.0, TIMES[-1]), x0,
                    method="Radau", rtol=1e-11, atol=1e-15, t_eval=TIMES)
    assert ref.success
    return ref.y


@pytest.mark.parametrize("method", ["LSODA", "rosenbrock"])
def test_a_held_run_follows_an_independent_reference_of_the_reduced_flow(method):
    """The package's run to the same times (tolerance 1e-10) agrees with the reference to
    1e-6 of the sizes (the units on b = -c fit the teacher's negative atom: loss 1e-11 at
    t = 40), and its held units are exactly on their sets."""
    student, teacher = _student(list(PATTERN), 3, scale=0.3), named_teacher("negative_weight")
    ref = _reference()
    for n, t in enumerate(TIMES):
        run = integrate_flow(student, teacher, k=5, method=method, t_max=t, rtol=1e-10,
                             atol=1e-14)
        got = _reduced(run.parameters[-1], PATTERN)
        assert run.times[-1] == t
        assert np.max(np.abs(got - ref[:, n])) < 1e-6 * np.max(np.abs(ref[:, n]))
        _held_exactly(run, list(PATTERN))
    assert run.final_loss < 1e-9


def test_the_reduced_problem_is_the_restricted_flow():
    """loss_grad, hessian and the structured solve of OnSetProblem against P, M built as
    dense matrices: the gradient M P^T grad L(P x), the Jacobian M P^T H P, and
    (I + s M P^T H P)^{-1}."""
    from momentrnn.dynamics._problem import OnSetProblem

    pattern = [1, -1, 0, 1, 0]
    student = _student(pattern, 11, scale=0.4)
    k = 7
    target = named_teacher("several").impulse_response(k)
    rho = np.array([float(Fraction(k - j, 3)) for j in range(k)])
    full = FlowProblem.for_model(student, target, rho)
    held = OnSetProblem(full, np.array(pattern, dtype=float))
    theta = full.pack(student)
    x = held.reduce(theta)
    assert np.array_equal(held.expand(x), theta) and x.size == 3 * 5 - 3
    cols = []
    for i, s in enumerate(pattern):
        cols.append(3 * i)
        cols.append(3 * i + 1)
        if not s:
            cols.append(3 * i + 2)
    P = np.zeros((15, x.size))
    for col, row in enumerate(cols):
        P[row, col] = 1.0
        unit, part = divmod(row, 3)
        if part == 1 and pattern[unit]:
            P[row + 1, col] = pattern[unit]
    M = np.linalg.inv(P.T @ P)
    loss, grad = held.loss_grad(x)
    full_loss, full_grad = full.loss_grad(theta)
    assert loss == full_loss
    np.testing.assert_allclose(grad, M @ P.T @ full_grad, rtol=1e-14, atol=1e-300)
    J = M @ P.T @ full.hessian(theta) @ P
    np.testing.assert_allclose(held.hessian(x), J, rtol=1e-12, atol=1e-14 * np.abs(J).max())
    y = np.array([float(Fraction(i + 1, 7)) * (-1) ** i for i in range(x.size)])
    for s in (1e-3, 0.37, 50.0):
        want = np.linalg.solve(np.eye(x.size) + s * J, y)
        lin = held.linearise(x)
        assert lin.loss == full_loss
        np.testing.assert_allclose(lin.grad, grad, rtol=1e-14)
        np.testing.assert_allclose(lin.solver(s)(y), want, rtol=1e-9,
                                   atol=1e-11 * np.abs(want).max())


def test_the_reported_gradient_norm_is_the_models_own():
    """The reduced right-hand side counts a held pair once; the trajectory's grad_norm is
    |grad L| of the model at each point all the same."""
    pattern = [1, -1, 0]
    student, teacher = _student(pattern, 5, scale=0.3), named_teacher("two_pole")
    run = integrate_flow(student, teacher, k=5, method="rosenbrock", t_max=5.0,
                         record=10**6)
    problem = FlowProblem.for_model(student, teacher.impulse_response(5), np.ones(5))
    for j in (0, len(run.times) // 2, len(run.times) - 1):
        want = np.linalg.norm(problem.loss_grad(run.parameters[j])[1])
        assert run.grad_norm[j] == pytest.approx(want, rel=1e-14)


def test_a_start_off_the_sets_is_integrated_as_it_is():
    student = _student([0, 0, 0], 2)
    run = integrate_flow(student, named_teacher("decaying"), k=5, t_max=5.0)
    assert "integrated on them" not in run.message
    assert np.any(run.final.b != run.final.c)


def test_a_unit_at_zero_stays_at_zero():
    """b_i = c_i = 0 is on both sets; the exact flow leaves such a unit where it is."""
    student = DiagonalRNN([0.39, -0.5], [0.0, 0.2], [0.0, 0.2])
    run = integrate_flow(student, named_teacher("decaying"), k=4, t_max=20.0, record=10**6)
    P = run.parameters.reshape(len(run.parameters), 2, 3)
    assert np.all(P[:, 0, 1:] == 0.0) and np.array_equal(P[:, 1, 1], P[:, 1, 2])
    assert "2 on b_i = c_i" in run.message
