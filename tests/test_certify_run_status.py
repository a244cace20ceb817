"""``momentrnn certify`` of a flow run that did not end as asked says so first (issue 22,
item 5 left over): the bound is proved for the computed student of a run that ended with
that status, not for a trained network."""

import json
import warnings

import jsonschema
import pytest

from momentrnn import _schema
from momentrnn.cli import main

VALIDATOR = jsonschema.Draft202012Validator(_schema.json_schema())


def _report(tmp_path, status: str) -> str:
    """A flow report of a small student (non-dyadic, one negative weight) and its teacher."""
    doc = {"status": status, "message": "m", "training_loss": 3.9e-3,
           "student": {"a": [0.39, -1 / 3, 0.7], "b": [0.9, 0.2, 0.1],
                       "c": [0.9, -0.2, 0.1]},
           "teacher_atoms": [{"exact": "39/100", "float": 0.39}],
           "teacher_weights": [{"exact": "4/5", "float": 0.8}],
           "k": 3, "extrapolation_length": 8}
    path = tmp_path / f"{status}.json"
    path.write_text(json.dumps(doc))
    return str(path)


def _certify(path, capsys, *more):
    code = main(["certify", path, "--sdp-max-order", "0", *more])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("status", ["diverged", "stalled", "collapsed", "left_invariant",
                                    "max_steps", "some_future_status"])
def test_a_run_that_did_not_end_as_asked_is_said_first(tmp_path, capsys, status):
    path = _report(tmp_path, status)
    code, out = _certify(path, capsys)
    first = out.splitlines()[0]
    assert first.startswith("NOTE:") and repr(status) in first
    assert "not for a trained network" in first
    code, out = _certify(path, capsys, "--format", "json")
    doc = json.loads(out)
    assert doc["run_status"] == status
    assert doc["statement"].startswith(f"the flow run ended with status {status!r}")
    assert "proved" in doc["statement"]  # still the bound of the computed student
    assert not list(VALIDATOR.iter_errors(doc))


@pytest.mark.parametrize("status", ["converged", "t_max", "stationary", "finished"])
def test_a_run_that_ended_as_asked_has_no_caveat(tmp_path, capsys, status):
    code, out = _certify(_report(tmp_path, status), capsys, "--format", "json")
    doc = json.loads(out)
    assert "run_status" not in doc and not doc["statement"].startswith("the flow run")


def test_certify_of_a_diverged_gradient_descent_report(tmp_path, capsys):
    """The reviewer's case: a diverged GD run with a finite (huge) loss and finite
    parameters: certify proves a bound for the computed student, and says first what the
    student is."""
    report = tmp_path / "gd.json"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        code = main(["flow", "--teacher", "two_pole", "--dim", "4", "--gd", "--lr", "1.5",
                     "--steps", "400", "--length", "50", "--quiet", "--json", str(report)])
    capsys.readouterr()
    data = json.loads(report.read_text())
    assert code == 1 and data["status"] == "diverged"
    if not isinstance(data["training_loss"], float):
        pytest.skip("this run's loss is not finite: certify refuses it (tested elsewhere)")
    code, out = _certify(str(report), capsys, "--length", "20")
    assert out.startswith("NOTE: the flow run ended with status 'diverged'")
    code, out = _certify(str(report), capsys, "--length", "20", "--format", "json")
    doc = json.loads(out)
    assert doc["run_status"] == "diverged"
    from momentrnn import load

    assert load(doc).run_status == "diverged"
