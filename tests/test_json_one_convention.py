"""Issue 22, one JSON convention: every result's ``to_dict()`` is standard JSON already (a
non-finite number the string ``"inf"``, ``"-inf"`` or ``"nan"``), and reads back."""

from __future__ import annotations

import dataclasses
import json
import math
from fractions import Fraction as F

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import momentrnn
from momentrnn import _schema

NON_FINITE = st.sampled_from([math.inf, -math.inf, math.nan])


def _hankel(x):
    from momentrnn import MP
    from momentrnn.moments.hankel import HankelRank

    return HankelRank(rank=0, size=2, singular_values=(mpmath.mpf(x), mpmath.mpf(1) / 3),
                      noise_floor=mpmath.inf, gap=x, verdict="ambiguous", rank_range=(0, 2),
                      precision=MP(40), message="no rank is decided")


def _realization(x):
    from momentrnn import minimal_realization

    r = minimal_realization([1, F(39, 100), F(1521, 10000), F(59319, 1000000)])
    return dataclasses.replace(r, residual=x, rank_evidence=_hankel(x))


def _recovery(x):
    r = momentrnn.recover_measure([1, F(39, 100), F(1, 3), F(1, 5)], throw=False,
                                  precision=momentrnn.MP(30))
    return dataclasses.replace(r, cond=x, predicted_loss=x, rank_evidence=_hankel(x))


def _bounds(x):
    from momentrnn import extrapolation_range, moment_feasible
    from momentrnn.moments.bounds_report import BoundsReport

    moments = [1, F(1, 3), F(1, 5)]
    r = extrapolation_range(moments, tolerance=F(1, 100), order=4)
    r = dataclasses.replace(r, accuracy=x, inner_lower=None, inner_upper=None)  # gap inf
    return BoundsReport.of(moment_feasible(moments, support=(-1, 1)), r)


def _bounds_exact(x):
    from momentrnn import moment_feasible, next_moment_range
    from momentrnn.moments.bounds_report import BoundsReport

    moments = [1, F(39, 100)]
    return BoundsReport.of(moment_feasible(moments, support=(0, math.inf)),
                           next_moment_range(moments, support=(0, math.inf)))


def _flow(x):
    from momentrnn.dynamics.trajectory import FlowReport

    summary = {"status": "diverged", "message": "m", "method": "LSODA", "steps": 3,
               "evaluations": 4, "seconds": 0.5, "final_time": x, "training_loss": x,
               "invariant_drift": x, "imbalance": x, "negative_mass": 0.0,
               "loss_curve": [[0.0, 1.0], [x, x]], "student": {"a": [x], "b": [1.0],
                                                               "c": [x]},
               "k": 3, "dim": 1, "init_scale": 1e-3, "init": "random", "seed": 0,
               "extrapolation_length": 20, "extrapolation_sq": x, "extrapolation_max": x,
               "teacher_atoms": [{"exact": "1/2", "float": 0.5}],
               "teacher_weights": [{"exact": "1", "float": 1.0}],
               "teacher": {"name": None, "atoms": ["1/2"], "weights": ["1"]}}
    return FlowReport.from_dict(summary)


def _sweep(x):
    from momentrnn.experiments import SweepResults
    from momentrnn.experiments.runner import SweepSummary

    rows = [{"run_id": "a", "spec_digest": "d", "family": "linear", "training_loss": x,
             "extrapolation_sq_20": x, "status": "diverged", "loss_curve": [[0, x]]}]
    return SweepResults(rows, SweepSummary("r.jsonl", "d", 1, 0, 1, 1, x, "serial", ()))


def _certificate(x):
    from momentrnn.moments.extrapolation_bound import CertifiedOrder, ExtrapolationCertificate

    rows = [CertifiedOrder(0, x, F(1, 3), "r11", F(1, 3), None)]
    return ExtrapolationCertificate(2, 1, False, "s", F(1, 3), x, [F(1, 7)], 0, [], rows)


def _check(x):
    from proofs_checks.harness import Outcome
    from proofs_checks.runner import CheckReport

    o = Outcome("M1", "t", "SKIPPED", x, {"q": x}, 0, 0, 0, x, [{"m": x}], "m", "s", "u")
    return CheckReport([o], [], 0, True)


FACTORIES = {"hankel": _hankel, "realization": _realization, "recovery": _recovery,
             "bounds": _bounds, "bounds_exact": _bounds_exact, "flow": _flow, "sweep": _sweep,
             "certificate": _certificate, "check": _check}


def _kind(result) -> str:
    return next(k for k, where in _schema.KINDS.items()
                if where.rsplit(":", 1)[1] == type(result).__name__)


@settings(max_examples=30, derandomize=True, deadline=None)
@given(st.sampled_from(sorted(FACTORIES)), NON_FINITE)
def test_every_to_dict_is_standard_json_and_loads_back(name, x):
    result = FACTORIES[name](x)
    d = result.to_dict()
    text = json.dumps(d, allow_nan=False)  # no Infinity, no NaN
    if name == "hankel":
        again = type(result).from_dict(json.loads(text))
    else:
        again = momentrnn.load(_schema.document(_kind(result), json.loads(text)))
    assert type(again) is type(result)
    assert again.to_dict() == d


def test_a_loaded_result_has_its_non_finite_numbers_as_floats():
    report = momentrnn.load(_schema.document("flow", _flow(math.inf).to_dict()))
    assert report.training_loss == math.inf and report.summary["extrapolation_sq"] == math.inf
    hankel = type(_hankel(math.inf)).from_dict(_hankel(math.inf).to_dict())
    assert hankel.gap == math.inf and mpmath.isinf(hankel.noise_floor)
    real = momentrnn.load(_schema.document("realization", _realization(-math.inf).to_dict()))
    assert real.residual == -math.inf
    sweep = momentrnn.load(_schema.document("sweep", _sweep(math.nan).to_dict()))
    assert math.isnan(sweep.rows[0]["training_loss"]) and math.isnan(sweep.summary.seconds)


@pytest.mark.parametrize("kind", sorted(_schema.KINDS))
def test_every_kind_has_a_factory_or_a_cli_test(kind):
    covered = {_kind(FACTORIES[n](1.0)) for n in FACTORIES if n != "hankel"}
    elsewhere = {"certificate_refused", "flow_proof", "sweep_row", "error", "claim_list",
                 "sweep_spec", "gd"}  # gd: tests/test_reports_gd_and_ranges.py
    assert kind in covered | elsewhere


# ---------------------------------------------------------------- statuses and verdicts

import ast  # noqa: E402
import os  # noqa: E402

import jsonschema  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")
_WORDS = ("status", "verdict")


def _literals(node) -> list:
    """The string constants a value can be: a constant, either side of ``x if c else y``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def _name(target) -> str:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return ""


#: a constructor of a result, and the position of its status or verdict
_CONSTRUCTORS = {"Agreement": (0, "agreement_verdict"), "LearnedMeasure": (2, "learned_status"),
                 "ExtrapolationRange": (5, "range_status"), "HankelRank": (5, "rank_verdict"),
                 "Outcome": (2, "check_verdict")}


def _emitted() -> list:
    """(file, line, word, enum or None) of every status or verdict the package's source
    writes as a literal: assigned to a name ``status``/``verdict`` (also the first of a
    tuple), given as a keyword of that name, appended to a list of that name, or given to a
    result's constructor in its place."""
    found = []
    for folder in ("momentrnn", "proofs_checks"):
        for base, _, files in os.walk(os.path.join(ROOT, folder)):
            for f in files:
                if not f.endswith(".py"):
                    continue
                path = os.path.join(base, f)
                with open(path, encoding="utf-8") as handle:
                    tree = ast.parse(handle.read())
                for node in ast.walk(tree):
                    values, enum = [], None
                    if isinstance(node, ast.Assign):
                        for t in node.targets:
                            if _name(t) in _WORDS:
                                values += _literals(node.value)
                            elif (isinstance(t, ast.Tuple) and t.elts
                                  and _name(t.elts[0]) in _WORDS
                                  and isinstance(node.value, ast.Tuple)):
                                values += _literals(node.value.elts[0])
                    elif isinstance(node, ast.Call):
                        for kw in node.keywords:
                            if kw.arg in _WORDS:
                                values += _literals(kw.value)
                        fn = node.func
                        if (isinstance(fn, ast.Attribute) and fn.attr == "append"
                                and _name(fn.value) in _WORDS and node.args):
                            values += _literals(node.args[0])
                        where = _CONSTRUCTORS.get(_name(fn))
                        if where and len(node.args) > where[0]:
                            values += _literals(node.args[where[0]])
                            enum = where[1]
                    found += [(os.path.relpath(path, ROOT), node.lineno, v, enum)
                              for v in values]
    return found


def test_every_status_the_code_writes_is_in_the_schema():
    enums = _schema.status_enums()
    schema = _schema.json_schema()
    for name, (values, _) in enums.items():  # the schema's enums are the constants
        assert schema["$defs"][name]["enum"] == list(values)
    every = {v for values, _ in enums.values() for v in values}
    emitted = _emitted()
    assert len(emitted) > 40  # the scan sees the code
    missing = [(f, line, v) for f, line, v, enum in emitted
               if (v not in every if enum is None else v not in enums[enum][0])]
    assert not missing, missing


def _validator():
    return jsonschema.Draft202012Validator(_schema.json_schema())


@pytest.mark.parametrize("name", ["recovery", "realization", "bounds", "flow", "check",
                                  "flow_learned", "flow_agreement", "hankel"])
def test_a_bogus_status_or_verdict_fails_validation(name):
    validator = _validator()
    kind = {"flow_learned": "flow", "flow_agreement": "flow", "hankel": "realization"}.get(
        name, name)
    result = {"recovery": _recovery, "realization": _realization, "bounds": _bounds,
              "flow": _flow, "check": _check, "flow_learned": _flow, "flow_agreement": _flow,
              "hankel": _realization}[name](1.0)
    doc = json.loads(json.dumps(_schema.document(kind, result.to_dict())))
    if name == "flow_learned" or name == "flow_agreement":
        doc["learned_measure"] = {"atoms": [], "weights": [], "vouched_digits": 0,
                                  "status": "empty", "moment_accuracy": 1e-6,
                                  "agrees_with_teacher": None,
                                  "agreement": {"verdict": "undetermined", "reason": "r"}}
    assert not list(validator.iter_errors(doc)), name
    bogus = json.loads(json.dumps(doc))
    if name == "check":
        bogus["claims"][0]["verdict"] = "PASSED"
    elif name == "flow_learned":
        bogus["learned_measure"]["status"] = "fine"
    elif name == "flow_agreement":
        bogus["learned_measure"]["agreement"]["verdict"] = "maybe"
    elif name == "hankel":
        bogus["rank_evidence"]["verdict"] = "clearly"
    else:
        bogus["status"] = "bogus"
    assert list(validator.iter_errors(bogus)), name


def test_a_bogus_proof_status_and_row_status_fail_validation():
    validator = _validator()
    proof_status = validator.schema["$defs"]["proof_status"]
    assert not list(jsonschema.Draft202012Validator(proof_status).iter_errors("finite-time"))
    assert list(jsonschema.Draft202012Validator(proof_status).iter_errors("proved"))
    doc = json.loads(json.dumps(_schema.document("sweep", _sweep(1.0).to_dict())))
    assert not list(validator.iter_errors(doc))
    doc["rows"][0]["status"] = "done"
    assert list(validator.iter_errors(doc))


# ---------------------------------------------------------------- one name per quantity

_RUN_KEYS = ("teacher", "init_scale", "init")


def test_flow_report_and_flow_proof_write_teacher_and_init_alike(capsys):
    """The teacher as defined ({"name", "atoms", "weights"}), ``init_scale`` and ``init``:
    one name and one schema in a flow report and a flow proof; a proof written with the
    teacher's name alone still loads."""
    from momentrnn.cli import main

    flow, proof = (_schema.KIND_SCHEMAS[k]["properties"] for k in ("flow", "flow_proof"))
    for key in _RUN_KEYS:
        assert flow[key] == proof[key], key
    code = main(["prove", "--teacher", "two_pole", "--t-end", "0.0625", "--length", "12",
                 "--no-converge", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert not list(_validator().iter_errors(doc))
    assert doc["teacher"] == {"name": "two_pole", "atoms": ["-0.5", "0.9"],
                              "weights": ["1", "1"]}
    report = _flow(1.0).to_dict()
    for key in _RUN_KEYS:
        assert type(report[key]) is type(doc[key]), key
    assert set(report["teacher"]) == set(doc["teacher"])
    loaded = momentrnn.load(doc)
    assert loaded.teacher == "two_pole" and loaded.to_dict()["teacher"] == doc["teacher"]
    old = {**doc, "teacher": "two_pole"}  # the name alone, as earlier versions wrote it
    assert momentrnn.load(old).teacher == "two_pole"
    assert code in (0, 1)
