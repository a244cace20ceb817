"""``gradient_descent`` against gradient descent done at 256 bits.

The loss of a diagonal student is :math:`L = \\sum_{j<k} \\rho_j r_j^2`,
:math:`r_j = \\sum_i b_i c_i a_i^j - h_j`, and a step is :math:`\\theta - \\eta \\nabla L`. Here
the same steps are taken at 256 bits (a local mpmath context) from the exact values of the
doubles given (the teacher's lags as the package rounds them; exact rationals grow too fast
over several steps), and the numpy run must agree to about the double
rounding of the few steps taken: every recorded loss (at the documented steps: every
``record_every``-th and the last), the final parameters, the invariants ``b^2 - c^2``, the
statuses and the step a target was reached at. Divergence, the run index and the messages are
stated from the docstring.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import Phase, assume, given, settings
from hypothesis import strategies as st

from momentrnn import DiagonalRNN, gradient_descent
from momentrnn.errors import InputError, IntegrationError

FAST = (Phase.explicit, Phase.generate)  # no shrinking: the first failing example is shown
CTX = mpmath.mp.clone()
CTX.prec = 256
F = CTX.mpf
VALUES = st.sampled_from([0.39, -0.5, 0.25, 0.7, -0.125, 0.9, 1 / 3, -0.61, 0.05])
TEACHER = DiagonalRNN([0.9, -0.5], [1.0, 0.39], [0.5, 1.0])


def _exact_loss_grad(a, b, c, h, rho):
    k, d = len(h), len(a)
    r = [sum(b[i] * c[i] * a[i] ** j for i in range(d)) - h[j] for j in range(k)]
    loss = sum(rho[j] * r[j] ** 2 for j in range(k))
    ga = [sum(2 * rho[j] * r[j] * b[i] * c[i] * j * a[i] ** (j - 1) for j in range(1, k))
          for i in range(d)]
    gb = [sum(2 * rho[j] * r[j] * c[i] * a[i] ** j for j in range(k)) for i in range(d)]
    gc = [sum(2 * rho[j] * r[j] * b[i] * a[i] ** j for j in range(k)) for i in range(d)]
    return loss, ga, gb, gc


def _exact_descent(a, b, c, h, rho, lr, steps):
    """Losses at steps 0..steps and the parameters after each step (exact)."""
    a, b, c = [F(x) for x in a], [F(x) for x in b], [F(x) for x in c]
    h, rho, lr = [F(x) for x in h], [F(x) for x in rho], F(lr)
    losses, params = [], []
    for _ in range(steps + 1):
        loss, ga, gb, gc = _exact_loss_grad(a, b, c, h, rho)
        losses.append(loss)
        params.append((a, b, c))
        a = [x - lr * g for x, g in zip(a, ga)]
        b = [x - lr * g for x, g in zip(b, gb)]
        c = [x - lr * g for x, g in zip(c, gc)]
    return losses, params


def _close(x, exact, rel=1e-9, floor=1e-15):
    return abs(F(float(x)) - exact) <= rel * abs(exact) + F(floor)


@settings(max_examples=30, derandomize=True, deadline=None, phases=FAST)
@given(d=st.integers(1, 3), k=st.integers(1, 5), steps=st.integers(1, 9),
       lr=st.sampled_from([1 / 64, 0.01, 0.05]), data=st.data(),
       weights=st.sampled_from([None, "all_outputs", "given"]),
       every=st.sampled_from([None, 1, 2, 4]))
def test_gradient_descent_takes_the_exact_steps(d, k, steps, lr, data, weights, every):
    a = data.draw(st.lists(VALUES, min_size=d, max_size=d))
    b = data.draw(st.lists(VALUES, min_size=d, max_size=d))
    c = data.draw(st.lists(VALUES, min_size=d, max_size=d))
    rho = ([1.0] * k if weights is None else [float(k - j) for j in range(k)]
           if weights == "all_outputs" else [0.5 + j / 4 for j in range(k)])
    lag_weights = rho if weights == "given" else weights
    h = np.asarray(TEACHER.impulse_response(k), dtype=float)
    res = gradient_descent(DiagonalRNN(a, b, c), TEACHER, k=k, lr=lr, steps=steps,
                           lag_weights=lag_weights, record_every=every)
    losses, params = _exact_descent(a, b, c, h, rho, lr, steps)
    step_every = max(1, steps // 100) if every is None else every
    expected_steps = sorted({s for s in range(0, steps + 1, step_every)} | {steps})
    assert list(res.record_steps) == expected_steps
    assert res.loss.shape == (len(expected_steps), 1)
    for row, s in enumerate(expected_steps):
        assert _close(res.loss[row, 0], losses[s]), (s, res.loss[row, 0], float(losses[s]))
        if res.parameters is not None:
            for col, exact in enumerate(params[s]):
                for i in range(d):
                    assert _close(res.parameters[row, 0, i, col], exact[i])
    for got, exact in zip((res.a, res.b, res.c), params[steps]):
        for i in range(d):
            assert _close(got[0, i], exact[i])
    assert list(res.invariants_initial[0]) == [x * x - y * y for x, y in zip(b, c)]
    for i in range(d):
        fb, fc = params[steps][1][i], params[steps][2][i]
        assert _close(res.invariants_final[0, i], fb * fb - fc * fc)
    assert res.status == ("finished",) and list(res.diverged_at) == [-1]
    assert (res.batch, res.steps, res.lr, res.until_loss, res.reached_at) == (
        1, steps, lr, None, None)
    assert res.message(0) == f"ran the {steps} steps of gradient descent (lr={lr:g}) asked for " \
        "(no loss target)"


@settings(max_examples=20, derandomize=True, deadline=None, phases=FAST)
@given(data=st.data(), stop=st.integers(1, 12))
def test_a_run_stops_at_the_first_step_its_loss_reaches_the_target(data, stop):
    a = data.draw(st.lists(VALUES, min_size=2, max_size=2))
    b = data.draw(st.lists(VALUES, min_size=2, max_size=2))
    c = data.draw(st.lists(VALUES, min_size=2, max_size=2))
    k, lr, steps = 3, 0.05, 14
    h = np.asarray(TEACHER.impulse_response(k), dtype=float)
    losses, params = _exact_descent(a, b, c, h, [1.0] * k, lr, steps)
    # a target between the losses at stop - 1 and stop, clear of both by a millionth
    lo, hi = losses[stop], min(losses[:stop])
    assume(lo < hi * (1 - F(1) / 10**6))
    target = float((lo + hi) / 2)
    first = next(s for s, x in enumerate(losses) if x <= F(target))
    res = gradient_descent(DiagonalRNN(a, b, c), TEACHER, k=k, lr=lr, steps=steps,
                           until_loss=target, record_every=1)
    assert int(res.reached_at[0]) == first and res.status == ("converged",)
    assert list(res.record_steps) == list(range(first + 1))  # stopped there
    assert _close(res.loss[-1, 0], losses[first]) and res.loss[-1, 0] <= target
    for got, exact in zip((res.a, res.b, res.c), params[first]):
        assert all(_close(got[0, i], exact[i]) for i in range(2))
    assert res.message(0) == (f"target reached: loss {res.loss[-1, 0]:.3e} <= until_loss="
                              f"{target:g} at step {first} of {steps} steps of gradient descent "
                              f"(lr={lr:g}); it stopped there")
    # a target below every loss of the run: the steps are exhausted
    low = float(min(losses) / 2)
    res = gradient_descent(DiagonalRNN(a, b, c), TEACHER, k=k, lr=lr, steps=steps,
                           until_loss=low)
    assert res.status == ("max_steps",) and int(res.reached_at[0]) == -1
    assert res.message(0).startswith(f"steps exhausted: loss {res.loss[-1, 0]:.3e} after "
                                     f"{steps} steps")


def test_a_diverging_run_is_frozen_at_the_step_its_loss_left_the_range():
    students = (np.array([[0.5], [0.5]]), np.array([[3.0], [0.1]]), np.array([[3.0], [0.1]]))
    res = gradient_descent(students, TEACHER, k=3, lr=0.5, steps=40, record_every=1)
    assert res.status[1] == "finished" and res.diverged_at[1] == -1
    at = int(res.diverged_at[0])
    assert res.status[0] == "diverged" and at > 0
    loss = res.loss[:, 0]
    assert np.all(loss[:at] <= 1e30) and not loss[at] <= 1e30
    assert np.all((loss[at:] == loss[at]) | np.isnan(loss[at:]))  # frozen
    assert res.message(0) == (f"diverged at step {at} of 40 steps of gradient descent "
                              "(lr=0.5): the loss left [0, 1e+30]; use a smaller lr")
    with pytest.raises(IntegrationError) as info:
        gradient_descent(students, TEACHER, k=3, lr=0.5, steps=40, throw=True)
    assert str(info.value).startswith(f"gradient descent diverged in 1 of 2 run(s) (run 0 at "
                                      f"step {at}) at lr=0.5")
    assert res.student_steps_per_second == 2 * 40 / res.seconds


def test_a_run_index_is_0_to_batch_minus_1():
    res = gradient_descent((np.full((3, 2), 0.3), np.full((3, 2), 0.2), np.full((3, 2), 0.1)),
                           TEACHER, k=2, lr=0.01, steps=2)
    assert res.batch == 3
    for i in range(3):
        assert list(res.model(i).a) == list(res.a[i])
    for bad in (-1, 3, True, 1.0):
        with pytest.raises(InputError, match=rf"run index {bad!r} must be an integer from 0 "
                                             r"to 2 \(this result holds 3 runs\)"):
            res.model(bad)


@pytest.mark.parametrize("lr", [0.0, -0.01, math.inf, math.nan])
def test_a_step_size_must_be_positive_and_finite(lr):
    with pytest.raises(InputError, match="must be a positive finite step size"):
        gradient_descent(DiagonalRNN([0.3], [0.2], [0.1]), TEACHER, k=2, lr=lr, steps=2)


def test_each_runs_trajectory_is_that_run():
    students = (np.array([[0.5], [0.39], [-0.25]]), np.array([[3.0], [0.1], [0.2]]),
                np.array([[3.0], [0.1], [0.3]]))
    res = gradient_descent(students, TEACHER, k=3, lr=0.5, steps=30, until_loss=1e-30,
                           record_every=1)
    assert res.status == ("diverged", "max_steps", "max_steps")
    assert list(res.model().a) == list(res.a[0])  # the default run is run 0
    for i in range(3):
        tr = res.trajectory(i, TEACHER, k=3, extrapolation_length=10)
        assert tr.status == res.status[i] and tr.message == res.message(i)
        assert np.array_equal(tr.loss, res.loss[:, i], equal_nan=True)
        assert np.array_equal(tr.times, res.record_steps * 0.5)
        assert np.array_equal(tr.parameters[-1],
                              np.stack([res.a[i], res.b[i], res.c[i]], axis=1).ravel())
        assert list(tr.final.a) == list(res.a[i])


def test_a_run_whose_first_loss_is_past_the_limit_diverges_at_step_0():
    students = (np.array([[0.5], [0.5]]), np.array([[1e16], [0.1]]), np.array([[1e16], [0.1]]))
    res = gradient_descent(students, TEACHER, k=2, lr=0.01, steps=5)
    assert list(res.diverged_at) == [0, -1] and res.status == ("diverged", "finished")
    assert res.a[0, 0] == 0.5 and res.b[0, 0] == 1e16  # frozen where it started
    assert res.trajectory(0, TEACHER, k=2, extrapolation_length=5).events == {"diverged_step": 0}
    assert res.trajectory(1, TEACHER, k=2, extrapolation_length=5).events == {}
    with pytest.raises(IntegrationError, match=r"diverged in 1 of 2 run\(s\) \(run 0 at step 0\)"):
        gradient_descent(students, TEACHER, k=2, lr=0.01, steps=5, throw=True)


def test_a_target_met_at_the_start_is_reached_at_step_0():
    res = gradient_descent(DiagonalRNN([0.39], [0.2], [0.1]), TEACHER, k=2, lr=0.01, steps=5,
                           until_loss=1e6)
    assert list(res.reached_at) == [0] and res.status == ("converged",)
    assert list(res.record_steps) == [0] and res.a[0, 0] == 0.39


def test_the_torch_backend_takes_the_numpy_backends_steps():
    pytest.importorskip("torch")
    students = (np.array([[0.5, -0.25], [0.39, 0.7], [0.1, 0.2]]),
                np.array([[3.0, 0.1], [0.1, -0.5], [0.2, 0.3]]),
                np.array([[3.0, 0.2], [0.1, 0.4], [0.3, -0.1]]))
    for until in (None, 0.5):
        runs = [gradient_descent(students, TEACHER, k=4, lr=0.2, steps=23, until_loss=until,
                                 record_every=5, backend=backend)
                for backend in ("numpy", "torch")]
        ref, got = runs
        assert got.status == ref.status and got.backend == "torch" and got.device == "cpu"
        assert list(got.diverged_at) == list(ref.diverged_at)
        # (the torch backend records a run that stopped on a record step twice there: the
        # records are compared at their distinct steps)
        steps, first = np.unique(got.record_steps, return_index=True)
        assert list(steps) == list(ref.record_steps)
        if until is not None:
            assert list(got.reached_at) == list(ref.reached_at)
        np.testing.assert_allclose(got.loss[first], ref.loss, rtol=1e-12, atol=1e-300)
        for x, y in ((got.a, ref.a), (got.b, ref.b), (got.c, ref.c)):
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-15)
    assert ref.status[0] == "diverged"
    for mode, words in (("graph", "needs a CUDA device"), ("fast", "use 'auto', 'eager'")):
        with pytest.raises(InputError, match=words):
            gradient_descent(students, TEACHER, k=4, lr=0.2, steps=3, backend="torch",
                             torch_mode=mode)


def test_a_result_without_snapshots_gives_each_runs_end_as_its_trajectory():
    """A result too large to keep its snapshots (``parameters`` None) gives the final state of
    each run, at the step it stopped."""
    from dataclasses import replace

    students = (np.array([[0.5], [0.39], [-0.25]]), np.array([[3.0], [0.1], [0.2]]),
                np.array([[3.0], [0.1], [0.3]]))
    res = replace(gradient_descent(students, TEACHER, k=3, lr=0.5, steps=30, record_every=7),
                  parameters=None)
    for i in range(3):
        tr = res.trajectory(i, TEACHER, k=3, extrapolation_length=10)
        stop = int(res.diverged_at[i])
        assert list(tr.loss) == [res.loss[-1, i]] or np.isnan(res.loss[-1, i])
        assert list(tr.times) == [(30 if stop < 0 else stop) * 0.5]
        assert np.array_equal(tr.parameters[-1],
                              np.stack([res.a[i], res.b[i], res.c[i]], axis=1).ravel())
