"""One JSON convention: every command's JSON validates against the published schema, every
output loads back to its typed result, and the rules for exact, infinite and digit values."""

import json
import math
import os
import sys
from fractions import Fraction as F

import jsonschema
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import momentrnn
from momentrnn import _schema
from momentrnn._output import json_text
from momentrnn.cli import main
from momentrnn.errors import InputError

SCHEMA_FILE = os.path.join(os.path.dirname(__file__), "..", "docs", "_static",
                           "momentrnn.schema.json")
VALIDATOR = jsonschema.Draft202012Validator(_schema.json_schema())


def _valid(doc: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, [(list(e.absolute_path), e.message[:200]) for e in errors[:5]]


def _json(text: str) -> dict:
    return json.loads(text)


def _round_trip(doc: dict) -> None:
    """load(doc) is the typed result of the kind; its to_dict is the document's result."""
    result = momentrnn.load(doc)
    assert type(result) is _schema.result_class(doc["kind"])
    again = json.loads(json_text(result.to_dict(), default=str))
    assert again == _schema.body_of(doc)


def _cli(args, capsys, stdin=None, monkeypatch=None):
    if stdin is not None:
        import io

        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    out = capsys.readouterr().out
    return code, out


# ---------------------------------------------------------------- the published schema


def test_published_schema_is_the_generated_one():
    with open(SCHEMA_FILE, encoding="utf-8") as handle:
        assert handle.read() == _schema.schema_text(), (
            "docs/_static/momentrnn.schema.json is stale: python -m momentrnn._schema > "
            "docs/_static/momentrnn.schema.json")
    jsonschema.Draft202012Validator.check_schema(_schema.json_schema())


def test_the_schema_refuses_the_old_shapes():
    body = {"schema_version": "1", "momentrnn_version": "0", "kind": "recovery", "options": {}}
    good = {**body, "status": "ok", "message": "", "rank": 1, "digits": None, "exact": True,
            "method": "prony", "precision": "Exact()", "cond": 0.0, "predicted_loss": 0.0,
            "residual": 0.0, "data_digits": None, "data_exact": True, "atoms": ["1/3"],
            "weights": ["1"], "atom_digits": [None], "atom_exact": [True],
            "weight_digits": [None], "weight_exact": [True], "rank_evidence": None}
    _valid(good)
    for bad in ({"atom_digits": ["exact"]}, {"digits": "exact"}, {"residual": "1e-3"},
                {"schema_version": "2"}, {"unknown_key": 1}):
        assert list(VALIDATOR.iter_errors({**good, **bad})), bad
    bounds = {**body, "kind": "bounds", "feasible": True, "interior": True,
              "determinate": False, "message": "", "data_exact": True, "matrices": {},
              "support": [{"exact": "-1", "float": -1.0}, {"exact": "inf", "float": "inf"}]}
    _valid(bounds)
    for support in (["-inf", "inf"], [-1, 1], [{"exact": "-1", "float": -1.0}]):
        assert list(VALIDATOR.iter_errors({**bounds, "support": support})), support


# ---------------------------------------------------------------- every command


def test_recover_json_validates_and_loads_back(capsys, monkeypatch):
    for args, stdin in ((["recover", "-", "--format", "json"], "1\n39/100\n1/3\n1/5\n"),
                        (["recover", "-", "--exact", "--format", "json"], "2\n0\n2/3\n0\n"),
                        (["recover", "-", "--float64", "--format", "json"],
                         "[2.0, 0.0, 0.6666666666666666, 0.0]"),
                        (["recover", "-", "--format", "json"], "1\n0\n0\n0\n")):
        code, out = _cli(args, capsys, stdin, monkeypatch)
        doc = _json(out)
        _valid(doc)
        assert doc["kind"] == "recovery" and doc["schema_version"] == "1"
        assert doc["momentrnn_version"] == momentrnn.__version__
        assert doc["options"]["format"] == "json" and doc["options"]["file"] == "-"
        assert all(isinstance(d, (int, float)) or d is None for d in doc["atom_digits"] or [])
        assert len(doc["atom_exact"] or []) == len(doc["atom_digits"] or [])
        _round_trip(doc)


def test_recover_exact_atoms_are_null_digits_with_an_exact_flag(capsys, monkeypatch):
    code, out = _cli(["recover", "-", "--exact", "--format", "json"], capsys,
                     "1\n1/3\n1/9\n1/27\n", monkeypatch)
    doc = _json(out)
    assert doc["atoms"] == ["1/3"] and doc["atom_digits"] == [None]
    assert doc["atom_exact"] == [True] and doc["digits"] is None and doc["exact"] is True
    assert doc["data_digits"] is None and doc["data_exact"] is True


def test_bounds_and_realize_json_validate_and_load_back(tmp_path, capsys):
    f = tmp_path / "m.txt"
    f.write_text("1\n0\n1/3\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("1\n2\n1\n")
    lags = tmp_path / "lags.txt"
    lags.write_text("1\n39/100\n1/3\n1/5\n")
    for args in (["bounds", str(f)], ["bounds", str(f), "--support", "0,inf"],
                 ["bounds", str(bad)], ["bounds", str(f), "--tolerance", "1/100"],
                 ["realize", str(lags)], ["realize", str(lags), "--float64"],
                 ["realize", str(lags), "--dps", "30"]):
        code, out = _cli([*args, "--format", "json"], capsys)
        doc = _json(out)
        _valid(doc)
        _round_trip(doc)
        if doc["kind"] == "bounds":
            assert len(doc["support"]) == 2
            assert all(set(end) == {"exact", "float"} for end in doc["support"])
    code, out = _cli(["bounds", str(f), "--support", "0,inf", "--format", "json"], capsys)
    doc = _json(out)
    assert doc["support"] == [{"exact": "0", "float": 0.0}, {"exact": "inf", "float": "inf"}]
    code, out = _cli(["bounds", str(f), "--format", "json"], capsys)
    doc = _json(out)
    assert doc["lower_exact"]["exact"] == "-2/9" and doc["lower"] <= -2 / 9
    assert doc["upper_exact"]["exact"] == "2/9" and doc["upper"] >= 2 / 9
    report = momentrnn.load(doc)
    assert report.feasibility.support == (F(-1), F(1)) and report.feasibility.feasible


@pytest.fixture(scope="module")
def flow_doc(tmp_path_factory):
    """A cheap flow run's report: the --json file and the --format json output."""
    path = tmp_path_factory.mktemp("flow") / "report.json"
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["flow", "--teacher-atoms", "1/2,-3/10", "--teacher-weights", "1,1/2",
                     "--dim", "3", "--k", "5", "--length", "20", "--quiet", "--format",
                     "json", "--json", str(path)])
    assert code in (0, 1)
    with open(path, encoding="utf-8") as handle:
        written = json.load(handle)
    return path, written, json.loads(out.getvalue())


def test_flow_json_validates_and_carries_the_loss_history(flow_doc):
    path, written, printed = flow_doc
    assert written == printed
    _valid(written)
    _round_trip(written)
    curve = written["loss_curve"]
    assert 2 <= len(curve) <= 20 and curve[0][0] == 0.0
    assert curve[-1] == [written["final_time"], written["training_loss"]]
    assert written["options"]["dim"] == 3 and written["options"]["teacher_atoms"] == "1/2,-3/10"
    report = momentrnn.load(str(path))
    assert report.training_loss == written["training_loss"] and report.loss_curve == curve


def test_a_gradient_descent_report_validates(capsys):
    code, out = _cli(["flow", "--teacher-atoms", "1/2", "--teacher-weights", "1", "--dim", "2",
                      "--k", "3", "--length", "10", "--gd", "--steps", "200", "--quiet",
                      "--format", "json"], capsys)
    doc = _json(out)
    _valid(doc)
    _round_trip(doc)
    assert doc["options"]["gd"] is True and len(doc["loss_curve"]) <= 20


@settings(max_examples=20, derandomize=True, deadline=None)
@example([math.inf, math.nan, -math.inf, 1e-320])
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                          st.floats(min_value=0, max_value=1e300)), min_size=2, max_size=5))
def test_a_diverged_flow_report_round_trips(values):
    """Non-finite losses, times and parameters are the strings, and read back as floats."""

    summary = {"status": "diverged", "message": "m", "method": "LSODA", "steps": 3,
               "evaluations": 4, "seconds": 0.5, "final_time": values[-1],
               "training_loss": values[0], "invariant_drift": values[1],
               "imbalance": 0.0, "negative_mass": 0.0,
               "loss_curve": [[v, w] for v, w in zip(values, reversed(values))],
               "student": {"a": values, "b": values, "c": values}, "k": 3, "dim": len(values),
               "init_scale": 1e-3, "init": "random", "seed": 0,
               "teacher_atoms": [{"exact": "1/2", "float": 0.5}],
               "teacher_weights": [{"exact": "1", "float": 1.0}],
               "teacher": {"name": None, "atoms": ["1/2"], "weights": ["1"]}}
    doc = json.loads(json_text(_schema.document("flow", summary)))
    _valid(doc)
    report = momentrnn.load(doc)
    assert json.loads(json_text(report.to_dict())) == _schema.body_of(doc)
    assert all(isinstance(v, float) for v in report.summary["student"]["a"])


def test_flow_report_and_sweep_row_share_their_keys(flow_doc, tmp_path, capsys):
    _, report, _ = flow_doc
    out = tmp_path / "rows.jsonl"
    code, text = _cli(["sweep", "--set", "teachers=['long_memory']", "--set", "scales=[0.001]",
                       "--set", "seeds=[0]", "--set", "dims=[4]", "--set", "lengths=[20]",
                       "--out", str(out), "--quiet", "--format", "json"], capsys)
    assert code == 0
    doc = _json(text)
    _valid(doc)
    _round_trip(doc)
    row = doc["rows"][0]
    assert row["schema_version"] == "1"
    for key in ("training_loss", "status", "seconds", "loss_curve", "effective_dimension",
                "effective_dimension_verdict"):
        assert key in row and key in report, key
        assert type(row[key]) is type(report[key]) or key == "seconds", key
    assert "extrapolation_sq_20" in row and "extrapolation_sq" in report
    # the results file's rows validate as rows, and load back
    with open(out, encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle]
    row_validator = jsonschema.Draft202012Validator(
        {**_schema.json_schema(), "$ref": "#/$defs/sweep_row", "allOf": [], "required": [],
         "properties": {}})
    for line in lines:
        assert not list(row_validator.iter_errors(line))
        assert momentrnn.load(line).to_json() == {k: v for k, v in line.items()
                                                  if k != "kind"}
    results = momentrnn.load(str(out))
    assert type(results).__name__ == "SweepResults" and results.rows == lines
    assert len(results.to_dataframe()) == len(lines)


def test_certify_json_validates_and_loads_back(flow_doc, tmp_path, capsys):
    path, _, _ = flow_doc
    code, out = _cli(["certify", str(path), "--length", "12", "--sdp-max-order", "0",
                      "--format", "json"], capsys)
    doc = _json(out)
    _valid(doc)
    assert doc["kind"] == "certificate"
    _round_trip(doc)
    cert = momentrnn.load(doc)
    assert cert.support == tuple(_schema.read_exact(e) for e in doc["support"])
    overflowed = tmp_path / "overflowed.json"
    with open(path, encoding="utf-8") as handle:
        report = json.load(handle)
    report["student"]["a"][0] = "inf"
    overflowed.write_text(json.dumps(report))
    code, out = _cli(["certify", str(overflowed), "--format", "json"], capsys)
    doc = _json(out)
    assert code == 1 and doc["kind"] == "certificate_refused"
    _valid(doc)
    _round_trip(doc)


def test_check_json_validates_and_loads_back(capsys):
    code, out = _cli(["check", "--only", "M1", "--quick", "--format", "json"], capsys)
    doc = _json(out)
    _valid(doc)
    _round_trip(doc)
    assert momentrnn.load(doc).exit_status() == code


def test_prove_json_validates(capsys):
    code, out = _cli(["prove", "--t-end", "0.125", "--length", "20", "--no-converge",
                      "--format", "json"], capsys)
    doc = _json(out)
    _valid(doc)
    assert doc["kind"] == "flow_proof" and doc["options"]["t_end"] == 0.125
    _round_trip(doc)
    # what set the remainder is recorded: the default budget, no fixed tolerance
    assert doc["remainder_budget"] == 1e-12 and doc["tolerance"] is None
    code, out = _cli(["prove", "--t-end", "0.125", "--length", "20", "--no-converge",
                      "--tolerance", "1e-14", "--format", "json"], capsys)
    doc = _json(out)
    _valid(doc)
    assert doc["remainder_budget"] is None and doc["tolerance"] == 1e-14
    _round_trip(doc)


def test_an_api_result_gets_the_envelope_with_its_call_keywords():
    from momentrnn import MP

    r = momentrnn.recover_measure([1, F(39, 100), F(1, 3), F(1, 5)], precision=MP(30),
                                  throw=False)
    doc = momentrnn.document(r, {"precision": MP(30), "throw": False})
    assert doc["kind"] == "recovery" and doc["options"] == {"precision": "MP(30)",
                                                            "throw": False}
    _valid(json.loads(json.dumps(doc)))
    _round_trip(doc)
    with pytest.raises(InputError, match="not a result type"):
        momentrnn.document(object())


# ---------------------------------------------------------------- load


def test_load_refuses_a_newer_schema_and_unknown_kinds(tmp_path):
    doc = _schema.document("check", {"seed": 0, "quick": True, "claims": [],
                                     "without_check": []})
    with pytest.raises(InputError, match=r"schema_version '2'.*newer than '1'"):
        momentrnn.load({**doc, "schema_version": "2"})
    with pytest.raises(InputError, match="kind 'nonsense' is not known"):
        momentrnn.load({**doc, "kind": "nonsense"})
    with pytest.raises(InputError, match="no 'kind'"):
        momentrnn.load({"status": "ok"})
    f = tmp_path / "x.json"
    f.write_text("not json")
    with pytest.raises(InputError, match="is not JSON"):
        momentrnn.load(str(f))


# ---------------------------------------------------------------- round trips


_FRACTIONS = st.fractions(min_value=-10**6, max_value=10**6, max_denominator=10**9)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.one_of(_FRACTIONS, st.sampled_from([math.inf, -math.inf])),
       st.sampled_from([-1, 0, 1]))
def test_exact_values_read_back_exactly(value, direction):
    shown = json.loads(json_text(_schema.exact_value(value, direction)))
    assert _schema.read_exact(shown) == value
    if not isinstance(value, float):
        f = shown["float"]
        assert (direction >= 0 or F(f) <= value) and (direction <= 0 or F(f) >= value)


@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fractions(min_value=-1, max_value=1, max_denominator=50), min_size=1,
                max_size=3, unique=True),
       st.lists(st.fractions(min_value=F(1, 10), max_value=3, max_denominator=50), min_size=3,
                max_size=3),
       st.booleans(), st.sampled_from([None, "mp", "float64"]))
def test_recoveries_round_trip(atoms, weights, complex_atoms, how):
    from momentrnn import MP, Float64

    atoms = [complex(a, a / 3) if complex_atoms else a for a in atoms]
    weights = weights[: len(atoms)]
    moments = [sum(w * a**j for a, w in zip(atoms, weights)) for j in range(2 * len(atoms))]
    precision = {None: None, "mp": MP(30), "float64": Float64()}[how]
    r = momentrnn.recover_measure(moments, precision=precision, throw=False)
    d = json.loads(json_text(r.to_dict()))
    again = type(r).from_dict(d)
    assert json.loads(json_text(again.to_dict())) == d
    assert again.rank == r.rank and again.status == r.status and again.digits == r.digits


@settings(max_examples=20, derandomize=True, deadline=None)
@given(st.lists(_FRACTIONS, min_size=1, max_size=4), _FRACTIONS, st.booleans(),
       st.sampled_from([(F(-1), F(1)), (F(0), math.inf), (-math.inf, F(1, 3))]))
def test_certificates_and_feasibility_round_trip(errors, bound, complete, support):
    from momentrnn.moments.extrapolation_bound import CertifiedOrder, ExtrapolationCertificate
    from momentrnn.moments.truncated import moment_feasible

    rows = [CertifiedOrder(q, float(abs(e)), abs(e) + abs(bound), "r11", abs(e), None)
            for q, e in enumerate(errors)]
    fin = tuple(F(-1) if isinstance(e, float) else e for e in support)
    cert = ExtrapolationCertificate(len(errors) + 1, len(errors), complete, "s", abs(bound),
                                    0.5, [abs(e) for e in errors], 0, ["n"], rows, fin)
    d = json.loads(json_text(cert.to_dict()))
    again = ExtrapolationCertificate.from_dict(d)
    assert again == cert
    feas = moment_feasible([1, F(1, 3), F(1, 5)], support=support)
    d = json.loads(json_text(feas.to_dict()))
    assert json.loads(json_text(type(feas).from_dict(d).to_dict())) == d
    assert type(feas).from_dict(d).support == support


@settings(max_examples=15, derandomize=True, deadline=None)
@given(st.lists(st.fractions(min_value=-1, max_value=1, max_denominator=40), min_size=1,
                max_size=3, unique=True),
       st.lists(st.fractions(min_value=F(1, 10), max_value=2, max_denominator=40), min_size=3,
                max_size=3),
       st.integers(0, 1))
def test_moment_ranges_round_trip(atoms, weights, extra):
    """Exact ends and canonical measures (rational, or irrational balls kept as text)."""
    from momentrnn import next_moment_range
    from momentrnn.moments.truncated import MomentRange

    weights = weights[: len(atoms)]
    moments = [sum(w * a**j for a, w in zip(atoms, weights)) for j in range(len(atoms) + extra)]
    r = next_moment_range(moments, support=(-1, 1))
    d = json.loads(json_text(r.to_dict()))
    again = MomentRange.from_dict(d)
    assert json.loads(json_text(again.to_dict())) == d
    assert (again.lower, again.upper) == (r.lower, r.upper)


def test_extrapolation_ranges_and_agreements_round_trip():
    from momentrnn import extrapolation_range
    from momentrnn.moments.sdp import ExtrapolationRange
    from momentrnn.rnn.analysis import Agreement

    for tolerance, order in ((0, None), (F(1, 100), 4)):
        r = extrapolation_range([1, F(1, 3), F(1, 5)], tolerance=tolerance, order=order)
        d = json.loads(json_text(r.to_dict()))
        again = ExtrapolationRange.from_dict(d)
        assert json.loads(json_text(again.to_dict())) == d
        assert (again.certified_lower, again.certified_upper) == (r.certified_lower,
                                                                  r.certified_upper)
    a = Agreement("undetermined", "the learned measure is data_limited")
    assert Agreement.from_dict(json.loads(json_text(a.to_dict()))) == a


# ---------------------------------------------------------------- the DataFrame view


def test_sweep_results_as_a_dataframe(tmp_path, monkeypatch):
    pytest.importorskip("pandas")
    from momentrnn.experiments import SweepResults

    rows = [{"run_id": "a", "spec_digest": "d", "family": "linear", "training_loss": 1e-9,
             "extrapolation_sq_20": math.inf, "status": "converged", "loss_curve": [[0, 1]]},
            {"run_id": "b", "spec_digest": "d", "family": "linear", "training_loss": 2e-9,
             "status": "diverged", "loss_curve": []}]
    frame = SweepResults(rows).to_dataframe()
    assert list(frame["run_id"]) == ["a", "b"] and frame["training_loss"].iloc[1] == 2e-9
    assert math.isinf(frame["extrapolation_sq_20"].iloc[0])
    assert math.isnan(frame["extrapolation_sq_20"].iloc[1])
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(momentrnn.errors.MissingDependencyError, match="pip install pandas"):
        SweepResults(rows).to_dataframe()
