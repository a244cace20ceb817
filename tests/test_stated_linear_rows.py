"""A linear sweep row's numbers, stated from their docstrings and checked exactly: the
extrapolation errors against the two impulse responses, the imbalance and negative mass of the
student, and the run's own loss curve (``_own_curve``: the records before the step the run
stopped at, thinned to about 20, then that step with its loss)."""

from __future__ import annotations

import math
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from momentrnn import DiagonalRNN
from momentrnn.experiments.linear import _own_curve, extrapolation_errors, linear_metrics


def _response(a, b, c, n):
    return [sum(Fraction(bi) * Fraction(ci) * Fraction(ai) ** j for ai, bi, ci in zip(a, b, c))
            for j in range(n)]


def test_extrapolation_errors_are_the_max_and_the_sum_of_squares_up_to_each_length():
    student = DiagonalRNN([0.39, -0.5], [1.0, 0.25], [0.7, -1.0 / 3.0])
    teacher = DiagonalRNN([0.4, -0.5], [1.0, 0.5], [0.7, -0.3])
    out = extrapolation_errors(student, teacher, [1, 4, 9])
    assert sorted(out) == [1, 4, 9]
    for q in (1, 4, 9):
        h = _response(student.a, student.b, student.c, q)
        t = _response(teacher.a, teacher.b, teacher.c, q)
        diff = [abs(x - y) for x, y in zip(h, t)]
        assert out[q]["extrapolation_max"] == pytest.approx(float(max(diff)), rel=1e-12)
        assert out[q]["extrapolation_sq"] == pytest.approx(float(sum(d * d for d in diff)),
                                                           rel=1e-12)


def test_an_overflowing_response_has_infinite_errors():
    student = DiagonalRNN([1e200], [1.0], [1.0])
    out = extrapolation_errors(student, DiagonalRNN([0.5], [1.0], [1.0]), [2, 5])
    assert out[2]["extrapolation_max"] < math.inf
    assert out[5] == {"extrapolation_max": math.inf, "extrapolation_sq": math.inf}


def test_imbalance_and_negative_mass_of_a_student():
    student = DiagonalRNN([0.39, -0.5, 0.1], [1.0, 0.25, -0.5], [0.5, -1.0 / 3.0, 0.5])
    b, c = np.array(student.b), np.array(student.c)
    metrics = linear_metrics(student, 1e-3)
    assert metrics["imbalance"] == pytest.approx(np.linalg.norm(b - c) / np.linalg.norm(b + c))
    # weights b_i c_i: 0.5, -1/12, -1/4: the negative mass is 1/12 + 1/4
    assert metrics["negative_mass"] == pytest.approx(1 / 12 + 1 / 4, rel=1e-14)
    assert len(metrics["hankel_singular_values"]) <= 6
    balanced_away = DiagonalRNN([0.3], [1.0], [-1.0])  # b + c = 0
    assert linear_metrics(balanced_away, 1e-3)["imbalance"] == math.inf


def test_a_learned_measure_is_reported_for_a_student_of_rank_one_or_more():
    student = DiagonalRNN([0.39, -0.5], [1.0, 1.0], [1.0, 0.5])
    metrics = linear_metrics(student, 1e-20)
    assert metrics["effective_dimension"] == 2
    assert len(metrics["learned_atoms"]) == 2 and len(metrics["learned_weights"]) == 2
    assert metrics["learned_vouched_digits"] >= 1
    assert 2 <= len(metrics["hankel_singular_values"]) <= 6


def _res(record_steps, diverged=-1, reached=None):
    """A batch of two runs; run 1 is the one asked about (loss 1 / (1 + step) at each record),
    run 0 a neighbour that stopped elsewhere with other losses."""
    steps = np.asarray(record_steps)
    loss = np.array([[5.0 / (1 + s), 1.0 / (1 + s)] for s in record_steps])
    return SimpleNamespace(record_steps=steps, loss=loss, diverged_at=np.array([3, diverged]),
                           reached_at=None if reached is None else np.array([-1, reached]))


def test_a_run_that_ran_all_its_steps_ends_at_the_last_step():
    res = _res(range(0, 101, 10))
    curve = _own_curve(res, 1, 100)
    assert curve == [[s, 1.0 / (1 + s)] for s in range(0, 100, 10)] + [[100, 1.0 / 101]]


def test_a_run_that_reached_its_target_ends_at_that_step_with_the_next_record_s_loss():
    res = _res(range(0, 101, 10), reached=35)
    assert _own_curve(res, 1, 100) == [[0, 1.0], [10, 1 / 11], [20, 1 / 21], [30, 1 / 31],
                                       [35, 1 / 41]]
    # a target reached exactly at a record: that record is the stop, not a point before it
    assert _own_curve(_res(range(0, 101, 10), reached=40), 1, 100)[-2:] == [[30, 1 / 31],
                                                                         [40, 1 / 41]]


def test_a_diverged_run_ends_at_its_divergence():
    res = _res(range(0, 101, 10), diverged=50, reached=-1)
    assert _own_curve(res, 1, 100)[-2:] == [[40, 1 / 41], [50, 1 / 51]]
    # diverged after it reached the target: the later of the two
    res = _res(range(0, 101, 10), diverged=70, reached=20)
    assert _own_curve(res, 1, 100)[-1] == [70, 1 / 71]


def test_a_run_stopped_at_step_zero_ends_there():
    assert _own_curve(_res(range(0, 101, 10), reached=0), 1, 100) == [[0, 1.0]]
    assert _own_curve(_res(range(0, 101, 10), diverged=0), 1, 100) == [[0, 1.0]]
    assert _own_curve(_res(range(0, 101, 10), diverged=1, reached=-1), 1, 100) == [
        [0, 1.0], [1, 1 / 11]]


def test_a_stop_past_the_last_record_takes_the_last_loss():
    res = _res(range(0, 101, 10))
    assert _own_curve(res, 1, 105)[-1] == [105, 1 / 101]


@pytest.mark.parametrize("before, stride", [(19, 1), (38, 1), (39, 2), (40, 2), (58, 2),
                                            (59, 3), (100, 5)])
def test_a_long_curve_is_thinned_by_a_stride_of_its_length_over_twenty(before, stride):
    res = _res(range(before + 1))  # records at steps 0 .. before; the run stops at `before`
    curve = _own_curve(res, 1, before)
    assert curve[:-1] == [[s, 1.0 / (1 + s)] for s in range(0, before, stride)]
    assert curve[-1] == [before, 1.0 / (1 + before)]
    # the stride floor((n + 1) / 20) keeps 19 to 38 of n >= 19 records
    assert 19 <= len(curve) - 1 <= 38
