"""A diagonal unit that starts exactly on b_i = c_i (or b_i = -c_i) stays there under the exact
flow; the computed run is integrated on that set (tests/test_flow_on_invariant_set.py), so it
never ends 'converged' with a learned measure the exact flow cannot reach. A full student on
A = A^T, C = +-B that leaves its set through rounding stops with status 'left_invariant'
(issue 22), the safety net the rule tests below exercise."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.dynamics import integrate_flow
from momentrnn.dynamics.flow import INVARIANT_SET_TOLERANCE, _stop_where_invariant_set_left
from momentrnn.dynamics.integrators import FlowRun
from momentrnn.dynamics.trajectory import OK_STATUSES
from momentrnn.errors import IntegrationError
from momentrnn.experiments.families.linear import TRAINED
from momentrnn.rnn import DiagonalRNN, init_student, named_teacher

ROOT = Path(__file__).resolve().parents[1]


def _flow_json(*args: str) -> tuple[int, dict]:
    proc = subprocess.run([sys.executable, "-m", "momentrnn", "flow", *args, "--quiet",
                           "--format", "json"], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    return proc.returncode, json.loads(proc.stdout)


def test_a_balanced_start_does_not_learn_a_negative_weight_teacher():
    """The exact flow from b = c keeps every weight b_i c_i >= 0 (R12 bounds the loss below
    for this teacher); the command once said 'converged ... agrees with the teacher: yes',
    then stopped 'left_invariant' where rounding took the run off b = c. Held on the set, the
    run keeps b_i == c_i, stalls above the loss target, and decides no agreement."""
    rc, report = _flow_json("--teacher", "negative_weight", "--init", "balanced", "--dim", "4",
                            "--k", "5")
    assert rc == 1
    assert report["status"] == "stalled"
    assert "4 on b_i = c_i" in report["message"] and "integrated on them" in report["message"]
    assert report["learned_measure"]["agreement"]["verdict"] != "yes"
    assert report["learned_measure"]["agrees_with_teacher"] is not True
    assert report["negative_mass"] == 0.0 and report["training_loss"] > 0.2
    b, c = np.array(report["student"]["b"]), np.array(report["student"]["c"])
    assert np.array_equal(b, c) and np.all(b * c >= 0)


@pytest.mark.parametrize("method", ["LSODA", "BDF"])
def test_every_implicit_integrator_keeps_a_balanced_start_on_its_set(method):
    """These integrators once left b = c through rounding in their linear solves (status
    'left_invariant'); the run is now integrated on the set to its end."""
    student = init_student(4, scale=1e-2, mode="balanced", seed=0)
    run = integrate_flow(student, named_teacher("negative_weight"), k=5, method=method)
    assert run.status == "stalled" and not run.ok
    assert run.status not in OK_STATUSES and run.status not in TRAINED
    assert np.array_equal(run.final.b, run.final.c) and run.final_loss > 0.2
    with pytest.raises(IntegrationError, match="stalled"):
        integrate_flow(student, named_teacher("negative_weight"), k=5, method=method,
                       throw=True)


def test_a_positive_teacher_from_a_balanced_start_still_converges_and_agrees():
    rc, report = _flow_json("--teacher", "two_pole", "--init", "balanced", "--dim", "6",
                            "--k", "6")
    assert rc == 0 and report["status"] == "converged"
    assert report["learned_measure"]["agreement"]["verdict"] == "yes"


@pytest.mark.parametrize("teacher", ["long_memory", "decaying", "two_pole", "several"])
def test_positive_teachers_from_balanced_starts_are_not_flagged(teacher):
    run = integrate_flow(init_student(6, scale=1e-2, mode="balanced", seed=1),
                         named_teacher(teacher), k=6, method="rosenbrock")
    assert run.status == "converged", run.message


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.integers(0, 10_000), st.sampled_from(["negative_weight", "decaying", "two_pole"]),
       st.integers(2, 5))
def test_a_random_start_is_never_flagged(seed, teacher, dim):
    """No unit of a random start is on b_i = +-c_i, so nothing is checked."""
    run = integrate_flow(init_student(dim, scale=1e-2, mode="random", seed=seed),
                         named_teacher(teacher), k=5, t_max=200.0)
    assert run.status != "left_invariant"


def test_a_hand_given_student_on_b_equals_minus_c_does_not_learn_a_positive_teacher():
    """Every unit given on b = -c (non-dyadic values): the exact flow keeps every weight
    b_i c_i <= 0, so it cannot fit the positive teacher; RODAS4 once reported 'converged'
    at loss 6e-11, its rounding having carried a unit across to b = c. Held on b = -c, the
    weights decay to zero (the best fit of a positive teacher by weights <= 0; they underflow
    at t near 1e16, where the gradient is zero in double precision)."""
    a = [float(Fraction(39, 100)), float(Fraction(-1, 3)), 0.7]
    b = np.array([0.01, float(Fraction(1, 30)), -0.02])
    run = integrate_flow(DiagonalRNN(a, b, -b), named_teacher("decaying"), k=5,
                         method="rosenbrock")
    assert run.status != "converged" and run.status != "left_invariant", run.message
    assert "3 on b_i = -c_i" in run.message
    assert run.final_loss > 1.0
    assert np.array_equal(run.final.b, -run.final.c) and np.all(run.final.b * run.final.c <= 0)


def _synthetic(points: list[tuple[float, float]], on: str) -> tuple[np.ndarray, FlowRun]:
    """A run of one unit from b = c = 1 (or b = -c) through the points b = size + offset,
    c = +-size given as ``(size, offset)``."""
    sign = 1.0 if on == "plus" else -1.0
    theta0 = np.array([0.39, 1.0, sign * 1.0])
    thetas = [theta0] + [np.array([0.39, size + x, sign * size]) for size, x in points]
    n = len(thetas)
    return theta0, FlowRun(times=[float(j) for j in range(n)], thetas=thetas,
                           losses=[1.0] * n, gnorms=[1.0] * n, status="converged",
                           message="done", steps=n - 1, nfev=n)


def _expected_first(points: list[tuple[float, float]]) -> int | None:
    scale = 1.0
    for j, (size, x) in enumerate(points, start=1):
        scale = max(scale, abs(size + x), abs(size))  # the largest reached so far
        if abs(x) > INVARIANT_SET_TOLERANCE * scale:
            return j
    return None


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from([1e-3, 0.39, 1.0, 1 / 3, 50.0]),
                          st.floats(-1e-3, 1e-3, allow_subnormal=False)),
                min_size=1, max_size=6),
       st.sampled_from(["plus", "minus"]))
def test_the_rule_flags_the_first_point_past_the_threshold(points, on):
    """Off by more than INVARIANT_SET_TOLERANCE times the largest |b|, |c| reached up to
    there (an earlier large size keeps the threshold up)."""
    from momentrnn.dynamics._problem import FlowProblem

    problem = FlowProblem(True, 1, np.array([1.0]), np.array([1.0]))
    theta0, raw = _synthetic(points, on)
    out = _stop_where_invariant_set_left(problem, theta0, raw)
    first = _expected_first(points)
    if first is None:
        assert out is raw and out.status == "converged"
    else:
        assert out.status == "left_invariant" and len(out.thetas) == first + 1
        assert out.times[-1] == float(first) and "unit 0" in out.message


def test_the_rule_reads_past_a_block_of_points():
    """A large size early and a small one off its set much later, past the first block
    of points read at once."""
    from momentrnn.dynamics._problem import FlowProblem

    problem = FlowProblem(True, 1, np.array([1.0]), np.array([1.0]))
    points = [(1.0, 0.0)] * 6000
    points[100] = (50.0, 0.0)
    points[4500] = (0.39, 5e-5)  # below 2e-6 * 50 = 1e-4: not flagged
    points[5500] = (0.39, 2e-4)  # above it
    theta0, raw = _synthetic(points, "plus")
    out = _stop_where_invariant_set_left(problem, theta0, raw)
    assert _expected_first(points) == 5501
    assert out.status == "left_invariant" and len(out.thetas) == 5502


def test_a_flow_sweep_row_gets_the_status_of_the_held_run():
    from momentrnn.experiments.linear import run_linear_group

    runs = [{"teacher": "negative_weight", "dim": 4, "k": 5, "scale": 1e-2, "mode": "balanced",
             "seed": 0}]
    rows = run_linear_group({"trainer": "flow", "until_loss": 1e-10, "lengths": [50]}, runs)
    assert rows[0].status == "stalled" and rows[0].status not in TRAINED


def test_a_full_balanced_start_does_not_learn_a_negative_weight_teacher():
    """A = A^T with C = B is kept by the exact flow of the full model (the loss is unchanged
    by A, B, C -> A^T, C^T, B^T), so its weights stay >= 0; RODAS4 once reported
    'converged' with negative mass 0.5."""
    student = init_student(4, scale=1e-2, mode="balanced", seed=0, diagonal=False)
    run = integrate_flow(student, named_teacher("negative_weight"), k=5, method="rosenbrock")
    assert run.status == "left_invariant", run.message
    assert "A = A^T, C = B" in run.message
    assert run.final_loss > 0.2


@pytest.mark.parametrize("teacher", ["two_pole", "long_memory"])
def test_positive_teachers_from_full_balanced_starts_are_not_flagged(teacher):
    student = init_student(4, scale=1e-2, mode="balanced", seed=0, diagonal=False)
    run = integrate_flow(student, named_teacher(teacher), k=5, method="rosenbrock")
    assert run.status == "converged", run.message


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_the_full_rule_watches_a_and_the_sign_of_c(sign):
    """A full student on A = A^T, C = sign B: an A that turns asymmetric is off the set, and
    so is a C that leaves sign B; off by 1e-7 of the size (below the threshold) is not."""
    from momentrnn.dynamics._problem import FlowProblem

    problem = FlowProblem(False, 2, np.array([1.0]), np.array([1.0]))
    A = np.array([[0.39, float(Fraction(1, 3))], [float(Fraction(1, 3)), -0.2]])
    B = np.array([0.5, -0.25])
    theta0 = np.concatenate([A.ravel(), B, sign * B])
    for index, flagged in ((1, True), (4, True), (5, True), (1, False)):
        later = theta0.copy()
        later[index] += 1e-3 if flagged else 1e-7
        raw = FlowRun(times=[0.0, 1.0, 2.0], thetas=[theta0, theta0, later], losses=[1.0] * 3,
                      gnorms=[1.0] * 3, status="converged", message="done", steps=2, nfev=3)
        out = _stop_where_invariant_set_left(problem, theta0, raw)
        assert (out.status == "left_invariant") == flagged, (index, out.message)
        if flagged:
            assert len(out.thetas) == 3 and f"C = {'' if sign > 0 else '-'}B" in out.message
