"""The one function that reads a trained student as a measure: rank, atoms, digits."""

import math
import pathlib
import re

import numpy as np
import pytest

from momentrnn import (
    DiagonalRNN,
    DiscreteMeasure,
    LinearRNN,
    init_student,
    integrate_flow,
    learned_measure,
    moment_accuracy,
    named_teacher,
)
from momentrnn.errors import InputError

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_moment_accuracy_is_ten_root_loss_with_one_floor():
    assert moment_accuracy(1e-10) == pytest.approx(1e-4)
    assert moment_accuracy(0.0) == moment_accuracy(1e-40) == 1e-12
    assert moment_accuracy(-1e-30) == 1e-12
    with pytest.raises(InputError, match="NaN"):
        moment_accuracy(float("nan"))


def test_a_trained_student_gives_the_teacher_within_its_vouched_digits():
    teacher = named_teacher("two_pole")
    run = integrate_flow(init_student(20, scale=1e-3, seed=3), teacher, k=5)
    learned = learned_measure(run.final, run.final_loss, effective=run.effective_dimension)
    truth = teacher.measure().sorted()
    assert learned.status == "ok" and learned.rank == 2 and learned.digits >= 2
    assert learned.moment_accuracy == moment_accuracy(run.final_loss)
    for x, y in zip(learned.measure.atoms, truth.atoms):
        assert abs(float(x) - float(y)) <= 10 ** -learned.digits * 0.9
    assert learned.agrees_with(truth)
    # a teacher moved beyond the vouched digits does not agree
    moved = DiscreteMeasure([float(a) + 10 ** (1 - learned.digits) for a in truth.atoms],
                            truth.weights)
    assert not learned.agrees_with(moved)
    out = learned.to_dict()
    assert len(out["atoms"]) == 2 and out["effective_dimension"] == 2
    # only vouched digits are written: no more significant digits than vouched (+ a guard)
    for text in out["atoms"]:
        assert len(re.sub(r"[^0-9]", "", text).lstrip("0")) <= learned.digits + 1


def test_the_learned_atoms_reproduce_the_response_to_the_stated_accuracy():
    # non-dyadic atoms, a negative one and a tiny cluster below the accuracy
    a = np.array([0.7, 0.7 + 1e-15, -0.3, 0.1])
    b = np.array([0.6, 0.6, 0.9, 1e-8])
    model = DiagonalRNN(a, b, b)
    loss = 1e-14  # accuracy 1e-6: the 1e-16 atom at 0.1 does not count
    learned = learned_measure(model, loss)
    assert learned.rank == 2 and learned.status == "ok"
    h = model.impulse_response(4)
    fit = [sum(float(w) * float(x) ** j for x, w in zip(learned.measure.atoms,
                                                         learned.measure.weights))
           for j in range(4)]
    assert max(abs(u - v) for u, v in zip(h, fit)) <= 2 * learned.moment_accuracy


def test_zero_too_many_and_diverged_students_say_so():
    tiny = DiagonalRNN([0.5], [1e-8], [1e-8])
    empty = learned_measure(tiny, 1.0)  # accuracy 10, far above h = 1e-16
    # the loss allows no rank decision: not a clear dimension 0 (issue 22)
    assert empty.rank == 0 and empty.status == "undetermined" and empty.measure is None
    assert empty.effective_dimension.verdict == "undetermined"
    assert empty.effective_dimension.rank_range == (0, 1)
    assert not empty.agrees_with(named_teacher("two_pole").measure())
    many = DiagonalRNN([0.9, 0.5, -0.5, 0.1], [1.0] * 4, [1.0] * 4)
    capped = learned_measure(many, 0.0, max_rank=2)
    assert capped.status == "too_many_atoms" and capped.measure is None
    assert not capped.agrees_with(many.measure())
    huge = LinearRNN(np.diag([1e200, 0.5]), np.ones(2), np.ones(2))
    overflowed = learned_measure(huge, 0.0)  # its impulse response overflows: no rank at all
    assert overflowed.status == "diverged" and overflowed.measure is None
    assert overflowed.effective_dimension.verdict == "undetermined"


def test_the_ten_root_loss_rule_is_written_once():
    """Every reader of a trained student goes through moment_accuracy / learned_measure."""
    rule = re.compile(r"10(\.0)? \* (math|np)\.sqrt")
    hits = [str(p.relative_to(ROOT)) for folder in ("momentrnn", "proofs_checks", "examples",
                                                    "benchmarks")
            for p in (ROOT / folder).rglob("*.py") if rule.search(p.read_text())]
    assert not hits, hits
    assert math.isclose(moment_accuracy(1e-6), 1e-2)


def test_a_trajectory_writes_its_summary_and_exact_parameters():
    import json

    teacher = named_teacher("two_pole")
    run = integrate_flow(init_student(6, scale=1e-2, seed=1), teacher, k=5, t_max=50.0)
    data = json.loads(json.dumps(run.to_dict()))
    assert data["status"] == run.status and data["training_loss"] == run.final_loss
    assert data["steps"] == run.steps and data["extrapolation_length"] == 1000
    # the trained parameters round-trip exactly through JSON
    assert np.array_equal(np.array(data["student"]["a"]), run.final.a)
    assert np.array_equal(np.array(data["student"]["c"]), run.final.c)
    assert data["effective_dimension_evidence"] == run.effective_dimension.to_dict()
    assert data["effective_dimension"] == run.effective_dimension.rank
    full = integrate_flow(LinearRNN(np.diag([0.3, -0.2]), np.array([0.1, 0.2]),
                                    np.array([0.2, 0.1])), teacher, k=4, t_max=1.0)
    assert set(full.to_dict()["student"]) == {"A", "B", "C"}
