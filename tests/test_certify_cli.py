"""``momentrnn certify``: proved extrapolation bounds for a trained student."""

from __future__ import annotations

import json
from fractions import Fraction as F

import numpy as np
import pytest

pytest.importorskip("cvxpy")

from momentrnn import (  # noqa: E402
    DiscreteMeasure,
    init_student,
    integrate_flow,
    stability_bound,
    teacher_from_measure,
)
from momentrnn.cli import main  # noqa: E402
from momentrnn.moments.extrapolation_bound import (  # noqa: E402
    ROOTS_MAX,
    R11Bounds,
    certify_extrapolation,
)

ATOMS, WEIGHTS = [F(-1, 2), F(3, 5)], [F(1, 2), F(1)]


def run(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A balanced student trained by gradient flow on 5 lags, written as a model file."""
    teacher = teacher_from_measure(DiscreteMeasure(ATOMS, WEIGHTS))
    run_ = integrate_flow(init_student(10, scale=1e-2, mode="balanced", seed=1), teacher, k=5,
                          until_loss=1e-8)
    m = run_.final
    path = tmp_path_factory.mktemp("certify") / "model.json"
    path.write_text(json.dumps({"a": [float(v) for v in m.a], "b": [float(v) for v in m.b],
                                "c": [float(v) for v in m.c]}))
    return path, m


def _args(path, *extra):
    return ["certify", str(path), "--teacher-atoms", "-1/2,3/5", "--teacher-weights", "1/2,1",
            "--length", "40", "--sdp-max-order", "9", *extra]


def test_certify_bounds_every_order_and_writes_json(trained, tmp_path, capsys):
    path, model = trained
    out_json = tmp_path / "cert.json"
    code, out, err = run(_args(path, "--json", str(out_json)), capsys)
    assert code == 0, err
    assert "proved" in out and "R11" in out and "SDP" in out
    data = json.loads(out_json.read_text())
    assert data["complete"] and len(data["rows"]) == 40
    # every bound is at least the error the student really shows (recomputed here in floats
    # at high precision from the parameters) and the largest bound is the maximum of the rows
    h = [F(0)] * 40
    for a, b, c in zip(model.a, model.b, model.c):
        w, x = F(float(b)) * F(float(c)), F(float(a))
        for j in range(40):
            h[j] += w * x**j
    hat = [sum(w * x**j for x, w in zip(ATOMS, WEIGHTS)) for j in range(40)]
    for row in data["rows"]:
        assert F(row["bound"]["exact"]) >= abs(h[row["q"]] - hat[row["q"]])
    assert data["max_bound"]["float"] == max(r["bound"]["float"] for r in data["rows"])
    assert data["max_bound"]["float"] >= data["max_observed"]
    # the per-moment R11 bound is at most the uniform one of stability_bound
    eps = max(F(e["exact"]) for e in data["moment_errors"])
    for row in data["rows"][5:]:
        assert row["r11"]["float"] <= stability_bound(ATOMS, order=row["q"],
                                                      tolerance=float(eps)) * (1 + 1e-12)
    # where the SDP was run and is tighter it is the one used
    for row in data["rows"][5:10]:
        assert row["sdp"] is not None
        assert row["bound"]["float"] == min(row["sdp"]["float"], row["r11"]["float"])


def test_exact_student_is_certified_exactly(tmp_path, capsys):
    """A student equal to the teacher (balanced, b = c = sqrt(w) exact) has bound 0 (R8)."""
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"a": ["1/2"], "b": ["1"], "c": ["1"]}))
    code, out, err = run(["certify", str(path), "--teacher-atoms", "1/2", "--teacher-weights",
                          "1", "--length", "30", "--sdp-max-order", "0", "--format", "json"],
                         capsys)
    data = json.loads(out)
    assert code == 0, err
    assert data["max_bound"]["exact"] == "0" and data["max_observed"] == 0.0


def test_perturbed_student_gets_a_larger_bound(trained, tmp_path, capsys):
    """Negative control: moving one atom of the trained student raises its moment errors,
    and the certified bound must grow with them."""
    path, model = trained
    code, out, _ = run(_args(path, "--format", "json"), capsys)
    base = json.loads(out)["max_bound"]["float"]
    moved = tmp_path / "moved.json"
    a = [float(v) for v in model.a]
    i = int(np.argmax(np.abs(model.b * model.c)))
    a[i] += 1e-3
    moved.write_text(json.dumps({"a": a, "b": [float(v) for v in model.b],
                                 "c": [float(v) for v in model.c]}))
    code, out, _ = run(_args(moved, "--format", "json"), capsys)
    data = json.loads(out)
    assert code == 0
    assert data["max_bound"]["float"] > 10 * base
    assert data["max_bound"]["float"] >= data["max_observed"]


def test_a_bound_below_the_observed_error_is_refused(trained, monkeypatch):
    """The consistency guard: a (deliberately broken) R11 that returns too small a bound is
    caught by comparing with the student's exact error, not printed."""
    from momentrnn.errors import MomentRNNError

    path, model = trained
    monkeypatch.setattr(R11Bounds, "bounds", lambda self, count: [(F(0), "broken")] * count)
    a = [F(float(v)) + (F(1, 1000) if k == 0 else 0) for k, v in enumerate(model.a)]
    with pytest.raises(MomentRNNError, match="exceeds the proved"):
        certify_extrapolation(a, [F(float(v)) for v in model.b],
                              [F(float(v)) for v in model.c], teacher_atoms=ATOMS,
                              teacher_weights=WEIGHTS, length=20, lags=5, sdp_max_order=0)


def test_r11_bounds_match_the_uniform_form():
    eps = [F(1, 10**6)] * 5
    bounds = R11Bounds(ATOMS, eps).bounds(ROOTS_MAX + 40)
    for q in (5, 9, 30, ROOTS_MAX):
        ref = stability_bound(ATOMS, order=q, tolerance=1e-6)
        assert abs(float(bounds[q][0]) - ref) <= 1e-12 * ref
    # beyond ROOTS_MAX the 1-norm of s_q is used: still a bound, never below the sharp one
    q = ROOTS_MAX + 30
    assert bounds[q][1] == "1-norm"
    assert float(bounds[q][0]) >= stability_bound(ATOMS, order=q, tolerance=1e-6) * (1 - 1e-12)


def test_flow_report_round_trip(tmp_path, capsys):
    report = tmp_path / "flow.json"
    code, _, err = run(["flow", "--teacher-atoms", "0.5", "--teacher-weights", "1", "--dim",
                        "6", "--k", "3", "--init", "balanced", "--length", "30", "--json",
                        str(report), "--quiet"], capsys)
    assert code == 0, err
    code, out, err = run(["certify", str(report), "--sdp-max-order", "5"], capsys)
    assert code == 0, err
    assert "max_(q < 30)" in out and "teacher of the flow report" in out


def test_teacher_as_moments_without_atoms(trained, tmp_path, capsys):
    """Only the SDP applies: orders beyond --sdp-max-order are reported as not certified."""
    path, _ = trained
    hat = [sum(w * x**j for x, w in zip(ATOMS, WEIGHTS)) for j in range(20)]
    mfile = tmp_path / "h.txt"
    mfile.write_text("\n".join(str(v) for v in hat))
    code, out, _ = run(["certify", str(path), "--teacher-moments", str(mfile), "--lags", "5",
                        "--length", "12", "--sdp-max-order", "8"], capsys)
    assert code == 1 and "not certified" in out and "orders 9..11" in out


@pytest.mark.parametrize("content,extra,needle", [
    (None, [], "is not a file"),
    ("not json", [], "is not a JSON file"),
    ('{"status": "converged", "k": 5}', [], "without the trained parameters"),
    ('{"a": [0.5, 0.1], "b": [1], "c": [1]}', [], "lengths 2, 1, 1"),
    # (an atom outside [-1, 1] is not bad input: the bounds are proved on an interval that
    # contains it, tests/test_reports.py)
    ('{"a": ["0.5+1j"], "b": [1], "c": [1]}', [], "'0.5+1j' is complex"),
    ('{"a": ["nan"], "b": [1], "c": [1]}', [], "nan"),
    ('{"a": [0.5], "b": [true], "c": [1]}', [], "b[0] = True"),
    ('{"a": [0.5], "b": [1], "c": [1]}', ["--lags", "50"], "--length 40 must exceed"),
    ('{"a": [0.5], "b": [1], "c": [1]}', ["--teacher", "two_pole"], "give one teacher"),
    ('{"a": [0.5], "b": [1], "c": [1]}', ["--sdp-max-order", "-1"], "--sdp-max-order -1"),
])
def test_bad_inputs_give_one_line(tmp_path, capsys, content, extra, needle):
    path = tmp_path / "student.json"
    if content is not None:
        path.write_text(content)
    code, out, err = run(_args(path, *extra), capsys)
    assert code == 2, (out, err)
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_teacher_and_output(tmp_path, capsys):
    path = tmp_path / "student.json"
    path.write_text('{"a": [0.5], "b": [1], "c": [1]}')
    short = tmp_path / "h.txt"
    short.write_text("1\n0.5\n")
    code, _, err = run(["certify", str(path), "--teacher-moments", str(short), "--lags", "1",
                        "--length", "10"], capsys)
    assert code == 2 and "has 2 values" in err
    code, _, err = run(["certify", str(path), "--teacher-atoms", "0.5", "--length", "10"],
                       capsys)
    assert code == 2 and "--teacher-weights" in err
    code, _, err = run(["certify", str(path), "--teacher-atoms", "0.5", "--teacher-weights",
                        "1", "--json", str(tmp_path / "no" / "x.json")], capsys)
    assert code == 3 and "does not exist" in err


def test_the_library_function_names_its_arguments():
    from momentrnn.errors import InputError
    from momentrnn.moments import certify_extrapolation

    with pytest.raises(InputError, match=r"a\[0\] = 2 lies outside support=\[-1, 1\]"):
        certify_extrapolation([F(2)], [F(1)], [F(1)], teacher_atoms=ATOMS,
                              teacher_weights=WEIGHTS, length=10, lags=5, support=(-1, 1))
    with pytest.raises(InputError, match="no teacher: give teacher_atoms"):
        certify_extrapolation([F(1, 3)], [F(1)], [F(1)], length=10, lags=5)
    cert = certify_extrapolation([F(-1, 2), F(3, 5)], [F(1), F(1)], [F(1, 2), F(1)],
                                 teacher_atoms=ATOMS, teacher_weights=WEIGHTS, length=12,
                                 lags=5, sdp_max_order=0)
    # the student is the teacher: every error is zero, every bound is proved and is zero
    assert cert.complete and cert.max_bound == 0 and cert.max_observed == 0
    assert cert.to_dict()["rows"][7] == {"q": 7, "observed": 0.0,
                                         "bound": {"exact": "0", "float": 0.0},
                                         "method": "R11", "r11": {"exact": "0", "float": 0.0},
                                         "sdp": None}
