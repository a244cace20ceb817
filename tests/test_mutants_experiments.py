"""Tests that catch one-line mutants of ``momentrnn.experiments`` that the rest of the suite let
through (found by ``benchmarks/bench_mutation_procedural.py``)."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.errors import InputError
from momentrnn.experiments.linear import extrapolation_errors
from momentrnn.experiments.spec import load_spec
from momentrnn.rnn.models import DiagonalRNN

unit = st.fractions(min_value=-1, max_value=1, max_denominator=100)


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.lists(st.tuples(unit, unit, unit, unit, unit, unit), min_size=1, max_size=3),
       st.integers(min_value=1, max_value=12))
def test_extrapolation_error_is_the_difference_of_the_responses(units, q):
    """max |h_j - t_j| and sum (h_j - t_j)^2 over j < q, against the exact responses: the
    student's and the teacher's responses are subtracted, not added."""
    a, b, c = ([float(u[i]) for u in units] for i in range(3))
    ta, tb, tc = ([float(u[i]) for u in units] for i in range(3, 6))
    errs = extrapolation_errors(DiagonalRNN(a, b, c), DiagonalRNN(ta, tb, tc), [q])[q]

    def response(a, b, c):  # exact in Q: the inputs are doubles
        return [sum(Fraction(ci) * Fraction(bi) * Fraction(ai) ** j for ai, bi, ci in
                    zip(a, b, c)) for j in range(q)]

    diff = [abs(h - t) for h, t in zip(response(a, b, c), response(ta, tb, tc))]
    assert errs["extrapolation_max"] == pytest.approx(float(max(diff)), rel=1e-12, abs=1e-15)
    assert errs["extrapolation_sq"] == pytest.approx(float(sum(d * d for d in diff)),
                                                     rel=1e-12, abs=1e-15)


def test_a_student_equal_to_its_teacher_has_zero_extrapolation_error():
    m = DiagonalRNN([0.39, -0.5], [1 / 3, 2.0], [0.25, -1.5])
    errs = extrapolation_errors(m, DiagonalRNN(m.a, m.b, m.c), [1, 7, 50])
    assert all(e == {"extrapolation_max": 0.0, "extrapolation_sq": 0.0} for e in errs.values())


def test_nonlinear_sweep_takes_one_of_each_and_refuses_zero():
    """k = 1 step and one training or test sequence are positive counts; 0 is refused with the
    key and value named."""
    spec = load_spec({"family": "nonlinear", "k": 1, "train_sequences": 1, "test_sequences": 1})
    assert (spec.params["k"], spec.params["train_sequences"], spec.params["test_sequences"]) \
        == (1, 1, 1)
    for key in ("k", "train_sequences", "test_sequences"):
        with pytest.raises(InputError, match=f"{key}=0"):
            load_spec({"family": "nonlinear", key: 0})
