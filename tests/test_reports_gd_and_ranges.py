"""Reports a user can trust at a glance (issue 22, the review's open findings): a rank that is
a range is never one number; agreement 'no' on proved evidence only; the sweep's exit codes;
GDResult's JSON; sweep rows that share the flow report's keys; notes inside their panels; a
grid over k."""

import json
import math

import jsonschema
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import DiagonalRNN, _schema
from momentrnn.experiments.families.base import SweepRow
from momentrnn.experiments.families.linear import LinearFamily
from momentrnn.moments import HankelRank
from momentrnn.precision import Float64
from momentrnn.rnn.analysis import effective_dimension_keys

_ROW_VALIDATOR = jsonschema.Draft202012Validator(
    {**_schema.json_schema(), "$ref": "#/$defs/sweep_row", "allOf": [], "required": [],
     "properties": {}})


def _ambiguous_student():
    """Atoms 9/10 and 3/10, the second of weight 3e-4: at loss 1e-10 its singular value sits
    within the margin of the floor, so the rank is 1 or 2 (verdict ambiguous)."""
    return DiagonalRNN(np.array([0.9, 0.3]), np.sqrt([1.0, 3e-4]), np.sqrt([1.0, 3e-4]))


# -- item 1: a rank that is a range is no number ---------------------------------------------

@settings(max_examples=60, deadline=None, derandomize=True)
@given(verdict=st.sampled_from(["exact", "clear", "ambiguous", "full", "undetermined"]),
       low=st.integers(0, 6), extra=st.integers(0, 3), status=st.sampled_from(
           [None, "converged", "max_steps", "diverged"]))
def test_a_rank_is_one_number_only_where_its_range_is(verdict, low, extra, status):
    high = low + extra
    ev = HankelRank(rank=low, size=8, singular_values=(mpmath.mpf(1),),
                    noise_floor=mpmath.mpf("1e-9"), gap=2.0, verdict=verdict,
                    rank_range=(low, high), precision=Float64(), message="the evidence")
    keys = effective_dimension_keys(ev, status=status)
    if status == "diverged" or verdict == "undetermined" or low != high:
        assert keys["effective_dimension"] is None
    else:
        assert keys["effective_dimension"] == low
    if status != "diverged":
        assert keys["effective_dimension_range"] == [low, high]
        if keys["effective_dimension"] is None:
            assert keys["effective_dimension_reason"]


def test_an_ambiguous_row_holds_the_range_and_no_number():
    from momentrnn.experiments.linear import linear_metrics
    from momentrnn.rnn import named_teacher

    out = linear_metrics(_ambiguous_student(), 1e-10, status="converged",
                         teacher=named_teacher("long_memory"))
    assert out["effective_dimension_verdict"] == "ambiguous"
    assert out["effective_dimension"] is None
    assert out["effective_dimension_range"] == [1, 2]


def _row(dim, verdict, span, seed, status="converged"):
    metrics = {"effective_dimension": dim, "effective_dimension_verdict": verdict}
    if span is not None:
        metrics["effective_dimension_range"] = span
    return SweepRow({"teacher": "long_memory", "dim": 4, "mode": "random", "scale": 0.01,
                     "seed": seed, "k": 5, "run_id": str(seed)}, 1e-12,
                    {100: {"extrapolation_max": 1e-3, "extrapolation_sq": 1e-6}}, metrics,
                    status)


@pytest.mark.parametrize("old", [False, True])
def test_the_summary_median_leaves_ambiguous_ranks_out_and_says_how_many(old):
    # three decided runs of rank 1, two ambiguous between 3 and 5 (an old row: the low end
    # as a number beside the verdict, no range)
    rows = [_row(1, "clear", [1, 1], s) for s in range(3)]
    rows += [_row(3 if old else None, "ambiguous", None if old else [3, 5], 10 + s)
             for s in range(2)]
    head, body = LinearFamily().summary_table(rows)
    cell = body[0][head.index("median effective dimension (runs that trained)")]
    assert cell.startswith("1 (3 of 5)") and "2 ambiguous" in cell, cell


def test_the_dimension_figure_draws_no_number_for_an_ambiguous_rank(tmp_path, monkeypatch):
    from tests.helpers import plotted_figures

    rows = [_row(1, "clear", [1, 1], s).to_json() for s in range(2)]
    rows += [_row(None, "ambiguous", [3, 5], 10 + s).to_json() for s in range(3)]
    for r in rows:
        r["spec_digest"] = "x"
        r["family"] = "linear"
    fig = plotted_figures(rows, tmp_path, monkeypatch)["effective_dimension_vs_scale"]
    ax = fig.axes[0]
    drawn = [y for line in ax.get_lines() for y in line.get_ydata() if np.isfinite(y)]
    assert drawn and all(y == 1 for y in drawn), drawn
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "3 ambiguous" in texts


def test_the_flow_report_of_an_ambiguous_rank_shows_the_range(tmp_path, capsys):
    from momentrnn.dynamics.trajectory import FlowReport
    from momentrnn.rnn import effective_dimension, moment_accuracy

    ev = effective_dimension(_ambiguous_student(), tolerance=moment_accuracy(1e-10))
    assert ev.verdict == "ambiguous" and ev.rank_range[0] < ev.rank_range[1]
    summary = {"status": "converged", "training_loss": 1e-10, "loss_curve": []}
    data = FlowReport(summary, ev).to_dict()
    assert data["effective_dimension"] is None
    assert data["effective_dimension_range"] == list(ev.rank_range)
    back = FlowReport.from_dict(json.loads(json.dumps(data)))
    assert back.to_dict() == data


# -- item 2: agreement 'no' on proved evidence, naming it ------------------------------------

def test_a_clear_excess_of_atoms_is_no():
    """Two heavy atoms 9/10 and -1/2 (clear rank 2) against a teacher of one atom: the rank's
    low end proves no response of one atom lies within the accuracy read."""
    from momentrnn import DiscreteMeasure, learned_measure

    student = DiagonalRNN(np.array([0.9, -0.5]), np.ones(2), np.ones(2))
    learned = learned_measure(student, 1e-12)
    assert learned.effective_dimension.rank_range[0] == 2
    got = learned.agreement(DiscreteMeasure([0.9], [2.0]))
    assert got.verdict == "no" and "excess of atoms" in got.reason
    # the teacher's own count: no excess, the atoms compare as before
    got = learned.agreement(DiscreteMeasure([-0.5, 0.9], [1.0, 1.0]))
    assert got.verdict == "yes"


def test_an_extrapolation_error_beyond_the_loss_is_no(tmp_path, capsys):
    """The issue's run: init scale 10 leaves atoms far outside the unit disc; at length 200
    the error is finite (1.6e272) and proved far beyond what a measure near the teacher's
    can show, so the answer is no, with the evidence named."""
    from momentrnn.cli import main

    report = tmp_path / "run.json"
    main(["flow", "--teacher", "long_memory", "--init-scale", "10", "--length", "200",
          "--json", str(report), "--quiet"])
    out = capsys.readouterr().out
    data = json.loads(report.read_text())
    assert data["extrapolation_max"] not in ("inf", math.inf)
    agreement = data["learned_measure"]["agreement"]
    assert agreement["verdict"] == "no", agreement
    assert "beyond what the loss explains" in agreement["reason"]
    assert "agrees with the teacher: no" in out


_ATOM = st.fractions("-19/20", "19/20", max_denominator=100)


@settings(max_examples=10, deadline=None, derandomize=True)
@given(atoms=st.lists(_ATOM, min_size=1, max_size=3, unique=True).filter(
           lambda xs: all(abs(x - y) >= 0.2 for x in xs for y in xs if x != y)),
       weights=st.lists(st.fractions("1/2", 2, max_denominator=100), min_size=3, max_size=3),
       nudge=st.sampled_from([0.0, 0.1, -0.05]), loss=st.sampled_from([1e-20, 1e-12, 1e-8]))
def test_a_student_near_its_teacher_is_never_no(atoms, weights, nudge, loss):
    """A student whose atoms are the teacher's moved by a tenth of what its loss allows at
    most (``nudge`` times its sqrt) is never proved to disagree by the count of its atoms or
    by its extrapolation error (the atom-by-atom comparison may still prove that a moved
    atom is not the teacher's, which it is not)."""
    from momentrnn import DiscreteMeasure, learned_measure
    from momentrnn.rnn import extrapolation_error, teacher_from_measure
    from momentrnn.rnn.analysis import extrapolation_rounding, run_agreement

    weights = weights[:len(atoms)]
    teacher_measure = DiscreteMeasure([float(a) for a in atoms], [float(w) for w in weights])
    teacher = teacher_from_measure(teacher_measure)
    a = np.array([float(x) + nudge * math.sqrt(loss) for x in atoms])
    b = np.sqrt([float(w) for w in weights])
    student = DiagonalRNN(a, b, b)
    learned = learned_measure(student, loss)
    _, err = extrapolation_error(student, teacher, length=300)
    got = run_agreement(learned, teacher_measure.sorted(), status="converged",
                        extrapolation_max=err, length=300, loss=loss,
                        extrapolation_rounding=extrapolation_rounding(student, teacher, 300))
    assert "excess" not in got.reason and "beyond" not in got.reason, (got.reason, err)
    if nudge == 0:
        assert got.verdict != "no", got.reason


# -- item 4: the sweep's exit statuses, documented and as documented -------------------------

def _sweep(tmp_path, *sets, out="r.jsonl"):
    from momentrnn.cli import main

    args = ["sweep", "--out", str(tmp_path / out), "--quiet"]
    for s in ("teachers=['long_memory']", "dims=[4]", "modes=['random']", "seeds=1",
              "lengths=[20]", "trainer='gd'", "steps=50", *sets):
        args += ["--set", s]
    return main(args)


def test_the_sweep_help_and_guide_name_every_exit_status(capsys):
    import pathlib

    from momentrnn.cli import main
    from momentrnn.cli.sweep import SWEEP_EXIT_STATUSES

    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    help_text = capsys.readouterr().out
    guide = (pathlib.Path(__file__).parent.parent / "docs" / "guide" / "experiments.md"
             ).read_text()
    assert "exit status:" in help_text and "every run of the spec is in the results" in \
        help_text
    for code, _ in SWEEP_EXIT_STATUSES:
        assert f"  {code} " in help_text.replace("\n", " ") or f"  {code:<4} " in help_text
        assert f"| {code} |" in guide
    assert "runs all diverged exits 0" in guide


def test_a_sweep_whose_runs_all_diverged_exits_0_and_says_so(tmp_path, capsys):
    code = _sweep(tmp_path, "scales=[1.0]", "lr=1e6")
    out = capsys.readouterr().out
    assert code == 0
    assert "1 of the 1 runs in the table diverged" in out


def test_a_bad_spec_exits_2_before_any_run(tmp_path, capsys):
    assert _sweep(tmp_path, "scales=[-1.0]") == 2
    assert not (tmp_path / "r.jsonl").exists()


def test_an_unwritable_results_file_exits_3(tmp_path, capsys):
    (tmp_path / "folder").mkdir()
    assert _sweep(tmp_path, "scales=[0.01]", out="folder") == 3


@pytest.mark.parametrize("error, code", [("missing", 4), ("arith", 1), ("interrupt", 130)])
def test_the_other_sweep_exit_statuses(tmp_path, capsys, monkeypatch, error, code):
    import momentrnn.experiments as experiments
    from momentrnn.errors import IllConditionedError, MissingDependencyError

    def fail(*args, **kwargs):
        raise {"missing": MissingDependencyError("needs dask: pip install 'momentrnn[dask]'"),
               "arith": IllConditionedError("short of the accuracy"),
               "interrupt": KeyboardInterrupt()}[error]

    monkeypatch.setattr(experiments, "run_sweep", fail)
    assert _sweep(tmp_path, "scales=[0.01]") == code


# -- item 5: GDResult's JSON ------------------------------------------------------------------

_VALIDATOR = jsonschema.Draft202012Validator(_schema.json_schema())


@settings(max_examples=8, deadline=None, derandomize=True)
@given(lr=st.sampled_from([0.01, 0.3, 1e6]), scales=st.lists(
           st.sampled_from([1e-3, 0.39, 3.0]), min_size=1, max_size=3),
       until=st.sampled_from([None, 1e-6]), keep=st.booleans())
def test_a_gd_result_is_standard_json_validates_and_loads_back(lr, scales, until, keep):
    import momentrnn
    from momentrnn.dynamics import gradient_descent
    from momentrnn.dynamics.gd import GDResult
    from momentrnn.rnn import init_student, named_teacher

    students = [init_student(3, scale=s, mode="random", seed=i) for i, s in enumerate(scales)]
    res = gradient_descent(students, named_teacher("two_pole"), k=5, lr=lr, steps=40,
                           until_loss=until)
    if not keep:  # a result without its snapshots
        import dataclasses

        res = dataclasses.replace(res, parameters=None)
    data = res.to_dict()
    text = json.dumps(data, allow_nan=False)
    doc = _schema.document(res, {"lr": lr})
    assert doc["kind"] == "gd"
    assert not list(_VALIDATOR.iter_errors(json.loads(json.dumps(doc))))
    back = momentrnn.load(json.loads(json.dumps(doc)))
    assert type(back) is GDResult and back.to_dict() == json.loads(text)
    import dataclasses

    for field in dataclasses.fields(GDResult):  # every field, as it was
        got, want = getattr(back, field.name), getattr(res, field.name)
        if isinstance(want, np.ndarray):
            np.testing.assert_array_equal(got, want, err_msg=field.name)
        else:
            assert got == want, field.name
    assert [back.message(i) for i in range(res.batch)] == [
        res.message(i) for i in range(res.batch)]


# -- item 9: k is a grid axis ---------------------------------------------------------------

@settings(max_examples=15, deadline=None, derandomize=True)
@given(ks=st.lists(st.integers(1, 12), min_size=1, max_size=4))
def test_a_list_of_k_is_a_grid_axis(ks):
    from momentrnn.experiments import load_spec

    spec = load_spec({"family": "linear", "teachers": ["long_memory", "two_pole"],
                      "scales": [1e-3, 0.39], "modes": ["random"], "seeds": 1, "k": ks})
    assert sorted({r["k"] for r in spec.runs}) == sorted(set(ks))
    assert len(spec.runs) == 2 * 2 * len(set(ks))


@pytest.mark.parametrize("bad", [[], [0], ["5"], [3, 2.5], [True]])
def test_a_bad_list_of_k_is_refused_by_name(bad):
    from momentrnn.errors import InputError
    from momentrnn.experiments import load_spec

    with pytest.raises(InputError, match=r"k="):
        load_spec({"family": "linear", "k": bad})


def test_a_sweep_over_k_summarises_each_k_apart(tmp_path, capsys):
    code = _sweep(tmp_path, "scales=[0.01]", "k=[3, 7]", "until_loss=0.0")
    out = capsys.readouterr().out
    assert code == 0
    rows = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert sorted(r["k"] for r in rows) == [3, 7]
    assert "long_memory (k=3)" in out and "long_memory (k=7)" in out


# -- item 3: certify's exact work is bounded before it starts --------------------------------

def test_certify_refuses_work_beyond_its_budget_at_once_naming_length(tmp_path):
    """200 units at --length 1000: about 1e10 bits of exact powers (minutes); refused in
    seconds, naming --length and the longest length that fits."""
    import subprocess
    import sys
    import time

    rng = np.random.default_rng(3)
    d = 200
    student = tmp_path / "student.json"
    student.write_text(json.dumps({"a": list(rng.uniform(-0.99, 0.99, d)),
                                   "b": list(rng.uniform(0.1, 1, d)),
                                   "c": list(rng.uniform(0.1, 1, d))}))
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "momentrnn", "certify", str(student),
                           "--teacher", "long_memory", "--length", "1000"],
                          capture_output=True, text=True, timeout=90)
    assert time.monotonic() - start < 60
    assert done.returncode == 2, done.stderr
    assert "give --length 493 or less" in done.stderr


@settings(max_examples=30, deadline=None, derandomize=True)
@given(units=st.integers(1, 400), length=st.integers(2, 1000))
def test_the_length_certify_names_fits_the_budget(units, length):
    from fractions import Fraction

    from momentrnn.cli.certify import MAX_CERTIFY_TOTAL_BITS, check_total_work
    from momentrnn.errors import InputError

    a = [Fraction(3, 7 + i) for i in range(units)]  # non-dyadic, as a loaded model could be
    bits = sum(x.numerator.bit_length() + x.denominator.bit_length() for x in a)
    try:
        check_total_work("s.json", a, None, length)
    except InputError as exc:
        assert bits * length * (length - 1) // 2 > MAX_CERTIFY_TOTAL_BITS
        fits = int(str(exc).split("give --length ")[1].split()[0])
        check_total_work("s.json", a, None, fits)  # the length named is accepted
        if fits + 1 < length:
            with pytest.raises(InputError):
                check_total_work("s.json", a, None, fits + 1)
    else:
        assert bits * length * (length - 1) // 2 <= MAX_CERTIFY_TOTAL_BITS


# -- item 8: notes stay inside their panels ---------------------------------------------------

def _noted_rows(teachers):
    """Rows that make every note of every figure: unbounded and outlier errors, curves that
    leave the loss axis, complex and unvouched atoms, ambiguous and undetermined ranks."""
    rows, seed = [], 0
    for teacher in teachers:
        for scale in (1e-3, 0.39, 1.0, 3.0):
            for err, dim, verdict, span, curve, atoms in (
                    (1e-3, 1, "clear", [1, 1], [[0, 1.0], [10, 1e-9]], ["0.9"]),
                    (math.inf, None, "ambiguous", [1, 3], [[0, 1.0], [10, 1e250]],
                     ["-0.4+0.12j", "?"]),
                    (4e12, None, "undetermined", [0, 4], [[0, 1.0], [10, -1.0]], ["?"]),
                    (2e-3, 2, "clear", [2, 2], [[0, 1.0], [10, 1e-8]], ["0.5", "-0.5"])):
                seed += 1
                row = _row(dim, verdict, span, seed).to_json()
                row.update({"teacher": teacher, "scale": scale, "spec_digest": "x",
                            "family": "linear", "loss_curve": curve,
                            "extrapolation_max_100": err, "learned_atoms": atoms,
                            "learned_weights": ["1"] * len(atoms)})
                rows.append(row)
    return rows


@pytest.mark.parametrize("teachers", [["long_memory"], ["long_memory", "two_pole",
                                                         "several"]])
def test_every_note_stays_inside_its_panel_and_the_figure(tmp_path, monkeypatch, teachers):
    from tests.helpers import plotted_figures

    figures = plotted_figures(_noted_rows(teachers), tmp_path, monkeypatch)
    noted = 0
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    for name, fig in figures.items():
        FigureCanvasAgg(fig).draw()  # the Agg backend's layout and renderer
        renderer = fig.canvas.get_renderer()
        page = fig.bbox
        for ax in fig.axes:
            box = ax.get_window_extent(renderer)
            for text in ax.texts:
                if not text.get_text():
                    continue
                noted += 1
                ext = text.get_window_extent(renderer)
                where = f"{name}: {text.get_text()[:60]!r}"
                assert page.x0 - 1 <= ext.x0 and ext.x1 <= page.x1 + 1, where
                assert page.y0 - 1 <= ext.y0 and ext.y1 <= page.y1 + 1, where
                assert box.x0 - 1 <= ext.x0 and ext.x1 <= box.x1 + 1, where
    assert noted >= 3


# -- item 7: a sweep row and a flow report share their keys' names, types and values ---------

@settings(max_examples=4, deadline=None, derandomize=True)
@given(teacher=st.sampled_from(["long_memory", "decaying", "two_pole"]),
       scale=st.sampled_from([1e-3, 0.39]), seed=st.integers(0, 3))
def test_a_sweep_row_and_the_flow_report_of_its_run_share_every_key(tmp_path_factory,
                                                                   teacher, scale, seed):
    import contextlib
    import io

    from momentrnn.cli import main
    from momentrnn.experiments import run_sweep

    tmp = tmp_path_factory.mktemp("row")
    k, dim, q = 5, 4, 60
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(["flow", "--teacher", teacher, "--dim", str(dim), "--k", str(k), "--init-scale",
              str(scale), "--init", "random", "--seed", str(seed), "--length", str(q),
              "--json", str(tmp / "flow.json"), "--quiet"])
    report = json.loads((tmp / "flow.json").read_text())
    run_sweep({"family": "linear", "teachers": [teacher], "dims": [dim], "k": k,
               "modes": ["random"], "scales": [scale], "seeds": [seed], "lengths": [q],
               "trainer": "flow"}, str(tmp / "r.jsonl"), progress=False)
    row = json.loads((tmp / "r.jsonl").read_text().splitlines()[0])
    shared = {"training_loss": "training_loss", "status": "status",
              "imbalance": "imbalance", "negative_mass": "negative_mass",
              "momentrnn_version": "momentrnn_version",
              f"extrapolation_max_{q}": "extrapolation_max",
              f"extrapolation_sq_{q}": "extrapolation_sq",
              # the run's fields under the flow report's names ("mode", "scale" stay too: the
              # run ids are made of them)
              "init": "init", "init_scale": "init_scale", "dim": "dim", "k": "k", "seed": "seed"}
    shared.update({k: k for k in report if k.startswith("effective_dimension")
                   and k != "effective_dimension_evidence"})
    learned = report.get("learned_measure", {})
    shared.update({f"learned_{k}": ("learned_measure", k) for k in learned if k != "agreement"})
    if "agreement" in learned:
        shared["agreement"] = ("learned_measure", "agreement")
    for row_key, where in shared.items():
        want = report[where[0]][where[1]] if isinstance(where, tuple) else report[where]
        assert row_key in row, row_key
        got = row[row_key]
        assert type(got) is type(want), (row_key, got, want)
        assert got == want, (row_key, got, want)
    assert (row["init"], row["init_scale"]) == (row["mode"], row["scale"])
    # the row's teacher is the name the flow report's teacher object holds
    assert row["teacher"] == report["teacher"]["name"] == teacher


def test_a_table_of_rows_written_with_version_still_resumes(tmp_path, capsys):
    """Rows written before ``momentrnn_version`` name the package's version ``version`` (and
    have no ``init``/``init_scale``): a sweep over such a table finds its runs done, and the
    rows validate."""
    assert _sweep(tmp_path, "scales=[0.01]") == 0
    path = tmp_path / "r.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    old = []
    for r in rows:
        r = dict(r)
        r["version"] = r.pop("momentrnn_version")
        for key in ("learned_status", "learned_moment_accuracy", "learned_agrees_with_teacher",
                    "init", "init_scale"):
            r.pop(key, None)
        old.append(r)
    path.write_text("".join(json.dumps(r) + "\n" for r in old))
    capsys.readouterr()
    assert _sweep(tmp_path, "scales=[0.01]") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"0 runs done, {len(rows)} already in")
    for r in old:
        assert not list(_ROW_VALIDATOR.iter_errors(r))
