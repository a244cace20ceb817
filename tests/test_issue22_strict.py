"""Every object kind of the published schema refuses a key it does not define (issue 22)."""

from __future__ import annotations

import json
from fractions import Fraction as F

import jsonschema
import pytest

from momentrnn import _schema
from momentrnn._output import json_text
from momentrnn.cli import main


def _validator(ref: str | None = None):
    schema = _schema.json_schema()
    if ref is not None:
        schema = {**schema, "$ref": ref, "allOf": [], "required": [], "properties": {}}
    return jsonschema.Draft202012Validator(schema)


def _refuses_unknown(validator, doc: dict) -> None:
    assert not list(validator.iter_errors(doc))
    errors = list(validator.iter_errors({**doc, "not_a_key": 1}))
    assert errors and any("not_a_key" in e.message for e in errors), errors


def test_every_kind_refuses_unknown_keys():
    kinds = dict(_schema.KIND_SCHEMAS)
    kinds["sweep_row"] = _schema.sweep_row_schema()
    for kind, body in kinds.items():
        assert body.get("additionalProperties") is False, kind


def test_a_flow_proof_with_an_unknown_key_is_invalid(capsys):
    assert main(["prove", "--t-end", "0.125", "--length", "20", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    _refuses_unknown(_validator(), doc)
    assert doc["convergence"] is not None and doc["convergence"]["proved"] is False


def test_a_proved_convergence_validates_and_refuses_unknown_keys():
    from momentrnn.prove.converge import Convergence
    from momentrnn.prove.flow_proof import _convergence_dict

    iv = (F(-39, 100), F(-1, 3))
    cv = Convergence(True, "", *([F(1, 3)] * 8), limit_is_teacher=True, teacher_order=(1, 0),
                     limit_a=(iv, iv), limit_w=(iv,), limit_b=(iv,), limit_c=(iv,),
                     limit_loss=(F(0), F(1, 10**30)), teacher_distance=F(1, 7),
                     limit_extrapolation=None, effective_dimension=2)
    sub = _schema.KIND_SCHEMAS["flow_proof"]["properties"]["convergence"]
    validator = jsonschema.Draft202012Validator({**sub, "$defs": _schema.DEFS})
    _refuses_unknown(validator, json.loads(json_text(_convergence_dict(cv))))


@pytest.mark.parametrize("family,run,metrics", [
    ("linear", {"teacher": "two_pole", "dim": 3, "mode": "random", "scale": 0.39, "seed": 1,
                "k": 5},
     {"extrapolation_max_100": 1e-3, "extrapolation_sq_100": "inf", "imbalance": 0.1,
      "negative_mass": 0.0, "effective_dimension": 2, "effective_dimension_verdict": "clear",
      "hankel_singular_values": [1.0, 1e-9], "learned_atoms": ["0.9", "?"],
      "learned_weights": ["1", "?"], "learned_vouched_digits": 1}),
    ("nonlinear", {"cell": "gru", "teacher_dim": 2, "dim": 4, "scale": 1e-3, "seed": 0,
                   "k": 10},
     {"extrapolation_rel_mse_10": 0.5, "state_rank_10": [2, 3], "thresholds": [0.01, 0.001]}),
])
def test_a_sweep_row_with_an_unknown_key_is_invalid(family, run, metrics):
    row = {"run_id": "r1", **run, "training_loss": 1e-9, **metrics, "status": "converged",
           "diverged_step": None, "loss_curve": [[0.0, 1.0], [2.5, 1e-9]], "seconds": 0.25,
           "spec_digest": "abc", "version": "0.1.0", "family": family, "schema_version": "1",
           "finished_at": 1.5e9}
    _refuses_unknown(_validator("#/$defs/sweep_row"), row)
    # a per-length metric of another name is refused too
    errors = list(_validator("#/$defs/sweep_row").iter_errors({**row, "extrapolation_x_10": 1}))
    assert errors


def test_a_check_outcome_with_an_unknown_key_is_invalid(capsys):
    main(["check", "--only", "M1", "--quick", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    _refuses_unknown(_validator(), doc)
    bad = {**doc, "claims": [{**doc["claims"][0], "not_a_key": 1}]}
    assert list(_validator().iter_errors(bad))
