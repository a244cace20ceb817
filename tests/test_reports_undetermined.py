"""Reports that must not mislead (issue 22, items 1-3 and 10 left over): a run whose loss
allows no rank decision, or that diverged, reads as an undetermined effective dimension in
the flow report, its JSON and the sweep rows and summary alike; sweep rows carry the flow
report's agreement."""

import json
import math
import warnings
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import DiagonalRNN, effective_dimension
from momentrnn.cli import main
from momentrnn.experiments.families.base import SweepRow
from momentrnn.experiments.families.linear import LinearFamily
from momentrnn.experiments.linear import run_linear_group


def _flow(tmp_path, capsys, *args):
    report = tmp_path / "run.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a diverged run's overflow
        code = main(["flow", *args, "--json", str(report), "--quiet"])
    out = capsys.readouterr().out
    return code, out, json.loads(report.read_text())


def _gd_rows(lr, steps, teacher="two_pole", dim=8, scale=1.0):
    params = {"trainer": "gd", "lr": lr, "steps": steps, "backend": "numpy", "device": None,
              "until_loss": 1e-10, "lengths": [20]}
    runs = [{"teacher": teacher, "dim": dim, "mode": "random", "scale": scale, "seed": 0,
             "k": 7}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return run_linear_group(params, runs)


# -- item 1: a loss that is not small allows no rank decision ------------------------------


def test_a_run_stopped_before_it_trained_has_no_clear_dimension_zero(tmp_path, capsys):
    """--t-max 1e-6 stops the flow at loss 6: the accuracy 10 sqrt(L) = 25 is far above
    every singular value of the untrained student (h_0 about 2e-6)."""
    code, out, data = _flow(tmp_path, capsys, "--teacher", "two_pole", "--t-max", "1e-6")
    assert data["training_loss"] > 1
    assert data["effective_dimension"] is None
    assert data["effective_dimension_verdict"] == "undetermined"
    assert "the loss allows no rank decision" in data["effective_dimension_reason"]
    assert data["effective_dimension_evidence"]["verdict"] == "undetermined"
    assert "effective dimension  undetermined" in out
    assert "(clear" not in out and "effective dimension 0" not in out
    learned = data["learned_measure"]
    assert learned["agreement"]["verdict"] == "undetermined"
    assert "the loss allows no rank decision" in learned["agreement"]["reason"]


_FRACTIONS = st.fractions(Fraction(-9, 10), Fraction(9, 10), max_denominator=97)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.tuples(_FRACTIONS, st.fractions(Fraction(1, 50), 3, max_denominator=53)),
                min_size=1, max_size=4),
       st.sampled_from([1.0, 1.5, 10.0, 1e6]), st.booleans())
def test_an_accuracy_above_the_first_lags_never_decides_a_rank(units, above, negative):
    """Whatever the student (non-dyadic atoms, weights of either sign), an accuracy at or
    above the size of its first lags decides no rank: never a 'clear' (or any decided) rank,
    and the range reaches the student's dimension."""
    a = [float(x) for x, _ in units]
    b = [math.sqrt(float(w)) for _, w in units]
    c = [-v if negative and i == 0 else v for i, v in enumerate(b)]
    model = DiagonalRNN(a, b, c)
    h = np.abs(np.asarray(model.impulse_response(2)))
    if not h.max() > 0:
        return
    evidence = effective_dimension(model, tolerance=above * float(h.max()))
    assert evidence.verdict == "undetermined", evidence
    assert evidence.rank_range[1] == model.dim and not evidence.ok


def test_a_small_loss_still_decides_the_rank():
    """The control: a student read to 1e-12 of its response keeps its clear rank."""
    model = DiagonalRNN([0.39, -1 / 3], [1.0, 0.5], [1.0, 0.5])
    evidence = effective_dimension(model, tolerance=1e-12)
    assert evidence.verdict == "clear" and evidence.rank == 2


# -- item 2: a diverged gradient-descent run has one reading, everywhere ---------------------


def test_a_diverged_gd_run_is_undetermined_in_the_flow_report(tmp_path, capsys):
    code, out, data = _flow(tmp_path, capsys, "--teacher", "two_pole", "--gd", "--lr", "10",
                            "--steps", "200")
    assert code == 1 and data["status"] == "diverged"
    assert data["effective_dimension"] is None
    assert data["effective_dimension_verdict"] == "undetermined"
    assert "diverged" in data["effective_dimension_reason"]
    assert "effective dimension  undetermined" in out


def test_a_diverged_gd_run_is_undetermined_in_its_sweep_row():
    (row,) = _gd_rows(lr=10.0, steps=200)
    assert row.status == "diverged"
    # its last parameters are finite and have singular values: a rank could be computed
    # from them (1, ambiguous, before), but a diverged run is not read
    assert row.value("hankel_singular_values")
    assert row.value("effective_dimension") is None
    assert row.value("effective_dimension_verdict") == "undetermined"
    assert "diverged" in row.value("effective_dimension_reason")
    assert row.value("agreement")["verdict"] == "undetermined"


# -- item 3: sweep rows and the summary carry the agreement ----------------------------------


def test_sweep_rows_carry_the_flow_reports_agreement(tmp_path, capsys):
    """The same student, read by the flow report and by a sweep row, agrees the same way:
    one function decides both."""
    from momentrnn.dynamics import integrate_flow
    from momentrnn.experiments.linear import extrapolation_errors, linear_metrics
    from momentrnn.rnn import init_student, learned_measure, named_teacher
    from momentrnn.rnn.analysis import run_agreement

    teacher = named_teacher("decaying")
    run = integrate_flow(init_student(6, scale=0.3, mode="balanced", seed=0), teacher, k=5,
                         until_loss=1e-10, extrapolation_length=20)
    errors = extrapolation_errors(run.final, teacher, [20])
    metrics = linear_metrics(run.final, run.final_loss, status=run.status, teacher=teacher,
                             extrapolation=errors)
    learned = learned_measure(run.final, run.final_loss, effective=run.effective_dimension)
    want = run_agreement(learned, teacher.measure().sorted(), status=run.status,
                         extrapolation_max=errors[20]["extrapolation_max"], length=20)
    assert metrics["agreement"] == want.to_dict()
    assert want.verdict == "yes"


def test_the_sweep_summary_counts_agreements_and_undetermined_dimensions():
    family = LinearFamily()
    run = {"teacher": "two_pole", "dim": 8, "mode": "random", "scale": 1e-3, "seed": 0,
           "k": 7, "run_id": "x"}
    undecided = {"effective_dimension": None, "effective_dimension_verdict": "undetermined",
                 "effective_dimension_reason": "the loss allows no rank decision",
                 "agreement": {"verdict": "undetermined", "reason": "r"}}
    decided = {"effective_dimension": 2, "effective_dimension_verdict": "clear",
               "agreement": {"verdict": "yes", "reason": "r"}}
    rows = [SweepRow(dict(run, seed=s), 6.0, {20: {"extrapolation_max": 2.0}}, undecided,
                     "t_max") for s in range(2)]
    rows.append(SweepRow(dict(run, seed=2), 1e-11, {20: {"extrapolation_max": 1e-6}},
                         decided, "converged"))
    head, body = family.summary_table(rows)
    line = dict(zip(head, body[0]))
    assert line["median effective dimension (runs that trained)"] == "2 (1 of 3); " \
        "2 undetermined"
    assert line["agrees with the teacher"] == "1 yes, 2 undetermined"
    # no run decided: no median, never a dimension 0
    head, body = family.summary_table(rows[:2])
    line = dict(zip(head, body[0]))
    assert line["median effective dimension (runs that trained)"] == "-; 2 undetermined"


def test_sweep_rows_with_the_new_keys_validate():
    import jsonschema

    from momentrnn import _schema

    (row,) = _gd_rows(lr=10.0, steps=200)
    validator = jsonschema.Draft202012Validator(
        {**_schema.json_schema(), "$ref": "#/$defs/sweep_row", "allOf": [], "required": [],
         "properties": {}})
    doc = json.loads(json.dumps(dict(row.to_json(), run_id="r", spec_digest="d"),
                                default=str))
    errors = list(validator.iter_errors(doc))
    assert not errors, [e.message[:200] for e in errors[:3]]
    bad = dict(doc, agreement={"verdict": "maybe", "reason": "r"})
    assert list(validator.iter_errors(bad))
