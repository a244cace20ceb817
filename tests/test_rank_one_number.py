"""A rank range with equal ends is a decided rank: the low end proved (each singular value
above the floor non-zero at the accuracy read), the high end the count the window allows;
the verdict is not 'ambiguous' (which means the ends differ)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.experiments.linear import extrapolation_errors, linear_metrics
from momentrnn.rnn import effective_dimension, moment_loss, teacher_from_measure


def test_the_review_row_reads_rank_one_as_decided():
    teacher = teacher_from_measure(([1.0], [1.0]))
    student = teacher_from_measure(([1.002], [1.0]))
    loss = moment_loss(student, teacher, k=5)
    row = linear_metrics(student, loss, status="converged", teacher=teacher,
                         extrapolation=extrapolation_errors(student, teacher, [10000]))
    assert row["effective_dimension_range"] == [1, 1]
    assert row["effective_dimension"] == 1
    assert row["effective_dimension_verdict"] == "clear"


@settings(max_examples=40, deadline=None, derandomize=True)
@given(atoms=st.lists(st.sampled_from([0.39, -0.7, 1.0, 1.002, 0.95, -1 / 3, 0.5]), min_size=1,
                      max_size=3, unique=True),
       tol=st.sampled_from([1e-1, 3e-2, 1e-3, 1e-6, 1e-9]))
def test_ambiguous_means_the_ends_differ(atoms, tol):
    weights = [0.25 + 0.5 * i for i in range(len(atoms))]
    model = teacher_from_measure((atoms, weights))
    eff = effective_dimension(model, tolerance=tol)
    low, high = eff.rank_range
    assert low <= eff.rank <= high or eff.verdict == "undetermined"
    if eff.verdict == "ambiguous":
        assert low < high, eff
    if low == high and eff.verdict != "undetermined":
        assert eff.rank == low
