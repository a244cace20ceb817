"""An extrapolation error that overflows double precision proves 'no' only where no measure
within ``tau`` of the teacher's can differ by as much: a student atom 1.5 + 1e-9 against the
teacher's 1.5 agrees to its vouched digits, and its error passes the largest double near
length 1800 only because 1.5**1800 does."""

from __future__ import annotations

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from momentrnn.errors import InputError
from momentrnn.rnn import extrapolation_error, learned_measure, moment_loss, teacher_from_measure
from momentrnn.rnn.analysis import (
    _explained_extrapolation,
    _explained_extrapolation_log,
    extrapolation_rounding,
    run_agreement,
)


def _verdict(atom, delta, length, k=5):
    teacher = teacher_from_measure(([atom], [1.0]))
    student = teacher_from_measure(([atom + delta], [1.0]))
    loss = moment_loss(student, teacher, k=k)
    learned = learned_measure(student, loss)
    err = extrapolation_error(student, teacher, length=length)[1]
    verdict = run_agreement(learned, teacher.measure().sorted(), length=length,
                            extrapolation_max=err, loss=loss,
                            extrapolation_rounding=extrapolation_rounding(student, teacher,
                                                                         length))
    return verdict, err, learned, teacher


def test_the_review_case_is_not_no_at_length_1800():
    at_1700, err_1700, learned, teacher = _verdict(1.5, 1e-9, 1700)
    at_1800, err_1800, _, _ = _verdict(1.5, 1e-9, 1800)
    assert math.isfinite(err_1700) and err_1800 == math.inf
    assert learned.agreement(teacher.measure().sorted()).verdict == "yes"
    assert at_1700.verdict == "yes"
    assert at_1800.verdict == "undetermined", at_1800
    assert "proves nothing" in at_1800.reason


@settings(max_examples=25, deadline=None, derandomize=True)
@given(atom=st.sampled_from([0.99, 1.0, -1.0, 1.01, 1.3, -1.5, 1.5, 2.0, -2.5, 39 / 25]),
       delta=st.sampled_from([1e-12, 1e-10, -1e-9, 3e-9]),
       length=st.sampled_from([500, 1000, 1800, 3000, 10000]))
def test_a_yes_is_never_also_no_at_any_length(atom, delta, length):
    """Where the learned measure agrees to its vouched digits (no error given), the error at
    any length never turns that into 'no'."""
    try:
        verdict, err, learned, teacher = _verdict(atom, delta, length)
    except InputError:  # an error not known (nearly equal responses past the doubles)
        assume(False)
    if learned.agreement(teacher.measure().sorted()).verdict == "yes":
        assert verdict.verdict != "no", (atom, delta, length, err, verdict)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(atom=st.floats(-3, 3).filter(lambda x: abs(x) > 0.05),
       tau=st.floats(1e-14, 1e-3), length=st.integers(1, 3000))
def test_the_log_bound_is_above_the_bound(atom, tau, length):
    teacher = teacher_from_measure(([atom], [0.7]))
    bound = _explained_extrapolation(teacher.measure(), tau, length)
    log_bound = _explained_extrapolation_log(teacher.measure(), tau, length)
    if math.isfinite(bound) and bound > 0:
        assert math.log(bound) <= log_bound + 1e-12
    else:
        assert bound == math.inf
