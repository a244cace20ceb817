"""A sweep row and the flow report read the learned measure with the same call: a student
of 9 atoms is 'ok' in both (the row capped the atoms at 8: 'too_many_atoms')."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.experiments.linear import linear_metrics
from momentrnn.rnn import (
    effective_dimension,
    learned_measure,
    moment_accuracy,
    teacher_from_measure,
)


def _report_status(model, loss):
    """The flow report's reading (momentrnn.cli.flow: the trajectory's effective dimension
    at the loss's accuracy, then learned_measure)."""
    eff = effective_dimension(model, tolerance=moment_accuracy(loss))
    return learned_measure(model, loss, effective=eff).status


@settings(max_examples=12, deadline=None, derandomize=True)
@given(n=st.integers(1, 12), loss=st.sampled_from([1e-30, 1e-24, 1e-14]))
def test_a_row_and_the_report_agree_on_the_learned_status(n, loss):
    atoms = [-0.9 + 1.8 * (i + 0.39) / n for i in range(n)]
    model = teacher_from_measure((atoms, [1 / 3] * n))
    row = linear_metrics(model, loss, status="converged")
    assert row["learned_status"] == _report_status(model, loss), (n, loss)


def test_nine_atoms_are_read_in_a_row():
    atoms = [-0.9 + 0.225 * i for i in range(9)]
    model = teacher_from_measure((atoms, [1 / 9] * 9))
    row = linear_metrics(model, 1e-30, status="converged")
    assert row["learned_status"] == "ok" == _report_status(model, 1e-30)
