"""Reports that say what is so: the flow report's agreement verdict, its names and its teacher,
GD statuses, the recover exit status, the sweep summary, exact zeros (issue 22, items 1-6)."""

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentrnn import DiagonalRNN, DiscreteMeasure, learned_measure
from momentrnn.cli import main


def _flow(tmp_path, capsys, *args):
    report = tmp_path / "run.json"
    code = main(["flow", *args, "--json", str(report), "--quiet"])
    out = capsys.readouterr().out
    return code, out, json.loads(report.read_text())


# -- item 1: agreement is yes / no / undetermined, with the reason -------------------------


def test_an_infinite_extrapolation_error_is_never_yes(tmp_path, capsys):
    """A large initialisation leaves atoms far outside the unit disc: the first lags read as
    the teacher's one atom, but the response differs beyond the largest double."""
    code, out, data = _flow(tmp_path, capsys, "--teacher", "long_memory", "--init-scale", "10")
    assert data["extrapolation_max"] in (math.inf, "inf")  # json.dumps, or standard JSON
    learned = data["learned_measure"]
    assert learned["agreement"]["verdict"] == "no"
    assert learned["agrees_with_teacher"] is False
    assert "largest double" in learned["agreement"]["reason"]
    assert "agrees with the teacher: yes" not in out
    assert "agrees with the teacher: no" in out


def test_a_data_limited_learned_measure_is_undetermined_not_no(tmp_path, capsys):
    """Loss 1e-10 reads the response to 1e-4, which does not separate the three atoms of
    'several': no digit is vouched, so nothing is decided (the issue's d = 4000, k = 101 run,
    at a size that runs in a second)."""
    code, out, data = _flow(tmp_path, capsys, "--teacher", "several", "--dim", "40", "--k",
                            "21")
    learned = data["learned_measure"]
    assert learned["status"] == "data_limited" and learned["vouched_digits"] == 0
    assert learned["agreement"]["verdict"] == "undetermined"
    assert learned["agrees_with_teacher"] is None
    assert "data_limited" in learned["agreement"]["reason"]
    assert "agrees with the teacher: undetermined" in out
    assert "agrees with the teacher: no" not in out


def test_an_undecided_rank_is_undetermined():
    """The R13 counterexample region: rank anywhere from 1 to 3 at the accuracy read."""
    a = np.array([1.0000163, 0.2, -0.39])
    b = np.array([1.0, 0.02, 0.01])
    learned = learned_measure(DiagonalRNN(a, b, b), 1e-10)
    if learned.effective_dimension.verdict != "ambiguous":
        pytest.skip("this student's rank is decided")
    got = learned.agreement(DiscreteMeasure([1.0], [1.0]))
    assert got.verdict == "undetermined" and "not decided" in got.reason


_ATOMS = st.lists(st.fractions(Fraction(-19, 20), Fraction(19, 20), max_denominator=100),
                  min_size=1, max_size=3, unique=True).filter(
    lambda xs: all(abs(x - y) >= Fraction(1, 5) for x in xs for y in xs if x != y))


@settings(max_examples=12, deadline=None, derandomize=True)
@given(atoms=_ATOMS, data=st.data(),
       loss=st.sampled_from([1e-14, 1e-10, 1e-8]))
def test_a_student_equal_to_its_teacher_is_never_no(atoms, data, loss):
    """The teacher given exactly (non-dyadic fractions), the student its doubles: whatever
    the accuracy, the verdict is never 'no'; a 'yes' holds within the vouched digits, checked
    over Q."""
    weights = data.draw(st.lists(st.fractions(Fraction(1, 5), 1, max_denominator=50),
                                 min_size=len(atoms), max_size=len(atoms)))
    teacher = DiscreteMeasure(atoms, weights)
    b = np.sqrt([float(w) for w in weights])
    learned = learned_measure(DiagonalRNN([float(x) for x in atoms], b, b), loss)
    got = learned.agreement(teacher, extrapolation_max=0.0)
    assert got.verdict in ("yes", "undetermined"), got
    if got.verdict == "yes":
        tol = Fraction(10) ** -math.floor(learned.digits)  # digits >= floor(digits)
        scale = max(abs(Fraction(float(x))) for x in learned.measure.atoms)
        for x in atoms:
            assert min(abs(x - Fraction(float(y))) for y in learned.measure.atoms) <= \
                tol * scale * 2


@settings(max_examples=12, deadline=None, derandomize=True)
@given(atoms=_ATOMS, shift=st.sampled_from([Fraction(1, 20), Fraction(-3, 100)]),
       loss=st.sampled_from([1e-14, 1e-10]))
def test_a_student_far_from_its_teacher_is_never_yes(atoms, shift, loss):
    """One atom moved by 0.03-0.05, far beyond the accuracy read: never 'yes'."""
    teacher = DiscreteMeasure(atoms, [Fraction(1, 3)] * len(atoms))
    moved = [float(x) for x in atoms]
    moved[0] += float(shift)
    b = np.full(len(atoms), math.sqrt(1 / 3))
    learned = learned_measure(DiagonalRNN(moved, b, b), loss)
    assert learned.agreement(teacher, extrapolation_max=0.0).verdict != "yes"
    assert not learned.agrees_with(teacher)


def test_agreement_no_is_a_proof_and_yes_needs_a_finite_error():
    student = DiagonalRNN([0.39, -0.7], [1.0, 0.5], [1.0, 0.5])
    learned = learned_measure(student, 1e-12)
    truth = DiscreteMeasure([Fraction(39, 100), Fraction(-7, 10)], [1, Fraction(1, 4)])
    assert learned.agreement(truth).verdict == "yes"
    moved = DiscreteMeasure([Fraction(39, 100) + Fraction(1, 10**3), Fraction(-7, 10)],
                            [1, Fraction(1, 4)])
    no = learned.agreement(moved)
    assert no.verdict == "no" and "391/1000" in no.reason
    assert learned.agreement(truth, extrapolation_max=math.inf).verdict == "no"
    assert learned.agreement(truth, extrapolation_max=math.nan).verdict == "undetermined"
    assert learned.agreement(truth, extrapolation_max=2.5e-3).verdict == "yes"
    # digits vouched, but a recovery that fell short of what it was asked: not a "yes"
    import dataclasses

    short = dataclasses.replace(learned, status="precision_exhausted")
    assert short.agreement(truth).verdict == "undetermined"


# -- item 2: a sum of squares is named so ---------------------------------------------------


def test_the_flow_report_names_the_sum_of_squares(tmp_path, capsys):
    code, out, data = _flow(tmp_path, capsys, "--teacher", "decaying", "--dim", "8", "--k",
                            "3", "--length", "50")
    assert "extrapolation_error_sum" not in data and "extrapolation_error_max" not in data
    assert data["extrapolation_sq"] >= 0 and data["extrapolation_max"] >= 0
    assert data["extrapolation_sq"] >= data["extrapolation_max"] ** 2
    assert "sum of squares" in out


# -- item 6: the teacher as it was defined ----------------------------------------------------


def test_named_and_given_teachers_print_as_defined(tmp_path, capsys):
    code, out, data = _flow(tmp_path, capsys, "--teacher", "several", "--dim", "8", "--k", "7",
                            "--t-max", "1")
    line = next(x for x in out.splitlines() if x.startswith("teacher measure"))
    assert "0.7999999999999999" not in line and "0.5000000000000001" not in line
    assert "atoms -0.4, 0.6, 0.95; weights 0.8, 0.5, 1" in line
    assert data["teacher"] == {"name": "several", "atoms": ["-0.4", "0.6", "0.95"],
                               "weights": ["0.8", "0.5", "1"]}
    # the doubles trained against stay in the report, as exact values, for 'certify'
    assert data["teacher_weights"][0]["float"] == math.sqrt(0.8) ** 2
    assert Fraction(data["teacher_weights"][0]["exact"]) == Fraction(math.sqrt(0.8) ** 2)
    code, out, data = _flow(tmp_path, capsys, "--teacher-atoms", "1/3, -0.39",
                            "--teacher-weights", "2/3,1", "--dim", "6", "--k", "5",
                            "--t-max", "1")
    line = next(x for x in out.splitlines() if x.startswith("teacher measure"))
    assert "atoms -0.39, 1/3; weights 1, 2/3" in line


# -- item 6: an exact zero, and the exit status of an accuracy nobody asked for ----------------


def test_an_exact_zero_is_written_0_and_a_zero_to_digits_with_its_zeros():
    import mpmath

    from momentrnn._format import UNVOUCHED, format_number

    # zero to the written position (absolute accuracy), noise below the bound alike
    assert format_number(0.0, 15, 0.77) == "0." + "0" * 15
    assert format_number(mpmath.mpf(0), 34, mpmath.mpf("0.77")) == "0." + "0" * 34
    assert format_number(0j, 12, 1.0) == "0." + "0" * 11 + "+0j"
    assert format_number(1e-20, 15, 0.77) == "0." + "0" * 15
    assert format_number(0.0, 0, 1.0) == UNVOUCHED  # nothing vouched at all
    assert format_number(0.0, 3, 1e5) == "0.00e+05"  # zero to the thousands
    assert format_number(mpmath.mpf(0), math.inf) == "0"  # an exact zero


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(x=st.fractions(Fraction(1, 10), Fraction(9, 10), max_denominator=100),
       w=st.fractions(Fraction(1, 10), Fraction(3), max_denominator=30))
def test_an_atom_at_zero_prints_zero(x, w, capsys, monkeypatch):
    """Symmetric three-atom measures with an atom at 0, moments as rounded doubles: the middle
    atom is zero to the digits vouched, and printed so (its zeros, or 0 where it is vouched
    exact), in the table and the JSON."""
    import io
    import sys

    atoms, weights = [-x, Fraction(0), x], [w, Fraction(7, 10), w]
    text = "\n".join(repr(float(sum(c * a ** j for a, c in zip(atoms, weights))))
                     for j in range(6))
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code = main(["recover", "-", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["rank"] == 3
    zero = data["atoms"][1]
    assert set(zero) <= set("0.") and "?" not in data["atoms"]
    # zero to its digits, or "0" where the atom itself is vouched exact (the odd moments are
    # exact zeros, so the measure is symmetric and its middle atom exactly 0)
    assert (data["exact"] or data["atom_exact"][1] and zero == "0"
            or len(zero.partition(".")[2]) >= 10), (zero, data["atom_exact"])
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    main(["recover", "-"])
    rows = capsys.readouterr().out.split("digits (atom, weight)")[1].splitlines()
    assert rows[2].split()[0] == zero


def test_recover_fails_on_accuracy_only_when_accuracy_was_asked_for(tmp_path, capsys):
    """Six atoms, three of them light, as rounded doubles read to 14 digits: the certification
    does not separate them (status data_limited, no digit vouched). Without --digits that is
    the answer, exit 0; with --digits 3 it is a failure, exit 1."""
    atoms = [Fraction(19, 20), Fraction(3, 5), Fraction(-2, 5), Fraction(31, 50),
             Fraction(-4, 5), Fraction(1, 10)]
    weights = [1, Fraction(1, 2), Fraction(4, 5), Fraction(1, 10**4), Fraction(1, 10**5),
               Fraction(1, 10**5)]
    h = tmp_path / "h.json"
    h.write_text(json.dumps([repr(float(sum(w * x ** j for x, w in zip(atoms, weights))))
                             for j in range(12)]))
    code = main(["recover", str(h), "--data-digits", "14", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "data_limited" and code == 0
    code = main(["recover", str(h), "--data-digits", "14", "--digits", "3", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["status"] != "ok" and code == 1
    # a rank that is not decided stays a failure without --digits
    near = tmp_path / "near.txt"
    near.write_text("\n".join(repr(float(sum(x ** j for x in (
        Fraction(1, 3), Fraction(1, 3) + Fraction(1, 10**6), Fraction(-1, 2))))) for j in range(6)))
    code = main(["recover", str(near), "--data-digits", "14", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "rank_ambiguous" and code == 1


# -- item 3: gradient descent says what happened; the README's example learns ----------------


def test_gradient_descent_statuses_say_what_happened():
    from momentrnn import gradient_descent, init_student, named_teacher

    teacher = named_teacher("decaying")
    students = [init_student(8, scale=1e-2, seed=s) for s in range(2)]
    short = gradient_descent(students, teacher, k=3, lr=0.05, steps=50, until_loss=1e-10)
    assert set(short.status) == {"max_steps"}
    assert short.message(0).startswith("steps exhausted") and "1e-10" in short.message(0)
    run = short.trajectory(0, teacher, k=3, extrapolation_length=20)
    assert run.status == "max_steps" and not run.ok and "steps exhausted" in run.message
    reached = gradient_descent(students, teacher, k=3, lr=0.05, steps=3000, until_loss=1e-4)
    assert set(reached.status) == {"converged"}
    assert reached.message(1).startswith("target reached")
    assert reached.trajectory(1, teacher, k=3, extrapolation_length=20).ok
    free = gradient_descent(students, teacher, k=3, lr=0.05, steps=50)
    assert set(free.status) == {"finished"} and "no loss target" in free.message(0)
    assert free.trajectory(0, teacher, k=3, extrapolation_length=20).ok
    wild = gradient_descent(students, named_teacher("long_memory"), k=8, lr=3.0, steps=200,
                            until_loss=1e-10)
    assert set(wild.status) == {"diverged"} and wild.message(0).startswith("diverged at step")
    assert not wild.trajectory(0, teacher, k=3, extrapolation_length=20).ok


def _readme_command(marker: str) -> list[str]:
    import pathlib
    import shlex

    text = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
    start = text.index(marker)
    line = text[start:text.index("\n", start)]
    while line.endswith("\\"):
        start = text.index("\n", start) + 1
        line = line[:-1] + text[start:text.index("\n", start)]
    words = shlex.split(line)
    return words[words.index("flow") + 1:]


def test_the_readme_gradient_descent_example_learns(tmp_path, capsys):
    args = _readme_command("python -m momentrnn flow --teacher decaying")
    assert "--gd" in args
    code, out, data = _flow(tmp_path, capsys, *args)
    assert code == 0 and data["status"] == "converged" and "target reached" in out
    assert data["training_loss"] <= 1e-6
    assert data["effective_dimension"] == 1
    assert data["effective_dimension_verdict"] == "clear"
    assert data["learned_measure"]["agreement"]["verdict"] == "yes"


def test_gradient_descent_out_of_steps_exits_one(tmp_path, capsys):
    code, out, data = _flow(tmp_path, capsys, "--teacher", "two_pole", "--dim", "10", "--k",
                            "5", "--gd", "--lr", "0.02", "--steps", "2000")
    assert code == 1 and data["status"] == "max_steps"
    assert "steps exhausted" in out.splitlines()[0]
    assert "t_max" not in out.splitlines()[0]


# -- item 4: the default integrator as the documentation states it ----------------------------


def test_the_documented_default_integrator_is_the_one_used():
    import pathlib
    import re

    from momentrnn import DiagonalRNN, integrate_flow, named_teacher
    from momentrnn.dynamics.flow import AUTO_LSODA_LIMIT

    root = pathlib.Path(__file__).resolve().parent.parent
    for doc in (root / "README.md", root / "docs" / "guide" / "dynamics.md"):
        text = " ".join(doc.read_text().split())
        assert "default integrator is RODAS4" not in text, doc
        assert re.search(rf"LSODA[^.]* up to {AUTO_LSODA_LIMIT} parameters", text), doc
        assert "d ≤ 66" in text or r"d \le 66" in text, doc
    teacher = named_teacher("decaying")
    for d, method in ((66, "LSODA"), (67, "rosenbrock")):
        assert 3 * 66 <= AUTO_LSODA_LIMIT < 3 * 67
        student = DiagonalRNN(np.linspace(-0.5, 0.5, d), np.full(d, 1e-3), np.full(d, 1e-3))
        run = integrate_flow(student, teacher, k=3, t_max=1e-3, extrapolation_length=10)
        assert run.method == method


# -- item 6: the sweep summary says how the runs ended ----------------------------------------


def _sweep_row(seed, status, loss, dim, scale=0.1):
    return {"run_id": f"r{seed}-{scale}", "teacher": "two_pole", "dim": 20, "mode": "random",
            "scale": scale, "seed": seed, "k": 7, "training_loss": loss,
            "extrapolation_max_100": 1e-3, "extrapolation_sq_100": 1e-6,
            "effective_dimension": dim, "status": status, "diverged_step": None,
            "loss_curve": [], "seconds": 0.1}


def test_the_sweep_summary_has_loss_and_status_and_counts_only_trained_runs():
    from momentrnn.experiments import family_named

    linear = family_named("linear")
    rows = [_sweep_row(0, "converged", 1e-10, 2), _sweep_row(1, "converged", 3e-11, 2),
            _sweep_row(2, "max_steps", 2.1e-5, 1),
            # a run that did not train at all: not summarised as dimension 1
            _sweep_row(0, "max_steps", 0.8, 1, scale=1e-4),
            _sweep_row(1, "finished", 0.7, 1, scale=1e-4)]
    lines = linear.table(rows)
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    assert "status" in head and "median training loss" in head
    cells = [dict(zip(head, (c.strip() for c in line.strip("|").split("|"))))
             for line in lines[2:]]
    by_scale = {c["scale"]: c for c in cells}
    dim = next(h for h in head if h.startswith("median effective dimension"))
    assert by_scale["0.1"]["status"] == "2 converged, 1 max_steps"
    assert by_scale["0.1"][dim] == "2 (2 of 3)"
    assert by_scale["0.1"]["median training loss"] == "1e-10"
    assert by_scale["0.0001"]["status"] == "1 finished, 1 max_steps"
    assert by_scale["0.0001"][dim] == "-"
    assert by_scale["0.0001"]["median training loss"] == "0.75"


# -- item 5: certify proves what it can of the package's own flow reports ---------------------


def test_certify_proves_the_readme_long_memory_report_on_the_students_support(tmp_path,
                                                                            capsys):
    """The README's long-memory flow leaves a student atom just above 1: the bounds are proved
    on an interval that contains it (R11 holds on any interval containing both measures)."""
    pytest.importorskip("cvxpy")
    report = tmp_path / "run.json"
    assert main(["flow", "--teacher-atoms", "1", "--teacher-weights", "1", "--dim", "40",
                 "--k", "5", "--init-scale", "1e-3", "--init", "random", "--seed", "0",
                 "--json", str(report), "--quiet"]) == 0
    top = max(json.loads(report.read_text())["student"]["a"])
    assert top > 1  # the situation of the issue
    capsys.readouterr()
    cert = tmp_path / "cert.json"
    code = main(["certify", str(report), "--length", "60", "--sdp-max-order", "8", "--json",
                 str(cert)])
    out = capsys.readouterr().out
    assert code == 0, out
    data = json.loads(cert.read_text())
    assert data["complete"] and "proved" in data["statement"]
    lo, hi = (Fraction(v["exact"]) for v in data["support"])
    assert lo == -1 and Fraction(top) <= hi <= Fraction(top) + Fraction(1, 10**6)
    assert any("interval that contains the student's atoms" in n for n in data["notes"])


@settings(max_examples=6, deadline=None, derandomize=True)
@given(out=st.fractions(Fraction(1, 10**3), Fraction(1, 20), max_denominator=10**5),
       w=st.fractions(Fraction(1, 10**6), Fraction(1, 10**3), max_denominator=10**7),
       x=st.fractions(Fraction(-9, 10), Fraction(9, 10), max_denominator=50))
def test_bounds_on_a_widened_support_hold_exactly(out, w, x):
    """A teacher inside [-1, 1], a student that is the teacher plus a light atom beyond 1
    (non-dyadic, exact): every proved bound is at least the exact error, checked over Q, and
    the support contains the atom. Bounds on [-1, 1] alone would not hold here."""
    from momentrnn.moments.extrapolation_bound import certify_extrapolation

    atoms, weights = [x], [Fraction(1, 3)]
    a, bc = [x, 1 + out], [Fraction(1, 3), w]
    cert = certify_extrapolation(a, bc, [1, 1], teacher_atoms=atoms, teacher_weights=weights,
                                 length=60, lags=3, sdp_max_order=0)
    assert cert.complete and cert.support[0] == -1 and cert.support[1] >= 1 + out
    for row in cert.rows:
        exact = abs(sum(c * y ** row.q for y, c in zip(a, bc)) - weights[0] * x ** row.q)
        assert row.bound >= exact


def test_certify_says_not_certified_for_a_report_with_non_finite_parameters(tmp_path, capsys):
    """A run that overflowed: the report is the package's own, so not 'bad input' (2) but
    'not certified' (1), with the reason."""
    report = tmp_path / "run.json"
    main(["flow", "--teacher", "decaying", "--dim", "4", "--k", "3", "--t-max", "1",
          "--json", str(report), "--quiet"])
    data = json.loads(report.read_text())
    data["status"] = "diverged"
    capsys.readouterr()
    # a non-finite double as json.dumps writes it (Infinity) and as standard JSON does ("inf")
    for written in (math.inf, "-inf", "nan"):
        data["student"]["a"][1] = written
        report.write_text(json.dumps(data))
        code = main(["certify", str(report), "--format", "json"])
        out = json.loads(capsys.readouterr().out)
        assert code == 1 and out["complete"] is False
        assert "not certified" in out["statement"] and "a[1] = " in out["statement"]


def test_a_far_student_atom_certifies_quickly_with_the_one_norm(tmp_path, capsys):
    """A large initialisation (atoms up to about 23; those of positive weight span about
    [-10, 12]): proved, with R11's weighted 1-norm only, in a few seconds."""
    pytest.importorskip("cvxpy")
    report = tmp_path / "run.json"
    main(["flow", "--teacher", "long_memory", "--init-scale", "10", "--json", str(report),
          "--quiet"])
    capsys.readouterr()
    code = main(["certify", str(report), "--length", "100", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["complete"]
    assert Fraction(out["support"][1]["exact"]) > 5 and Fraction(out["support"][0]["exact"]) < -5
    assert any("SDP not used" in n for n in out["notes"])
