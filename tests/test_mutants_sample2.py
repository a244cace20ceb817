"""Behaviour that a procedurally placed mutant changed without any test noticing.

Each test names the mutant of ``benchmarks/recorded/mutation.md`` that it catches (``seed 2``
for the sample drawn with ``--seed 2``, ``seed 1`` for the earlier sample's open survivors);
each states a property of the package, not the mutated line.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("lr", [60.0, 100.0])
def test_a_nonlinear_batch_reports_each_run_as_it_would_run_alone(lr):  # seed 1, S037
    pytest.importorskip("torch")
    from momentrnn.experiments import load_spec
    from momentrnn.experiments.nonlinear import run_nonlinear_group

    # plain gradient descent with a step of 60 diverges for the large initialisation only; with
    # a step of 100 both runs diverge, at different steps
    spec = load_spec({"family": "nonlinear", "cell": "tanh", "scales": [1e-3, 30.0],
                      "seeds": [0], "student_dims": [4], "teacher_dims": [2], "steps": 60,
                      "lengths": [10], "train_sequences": 8, "test_sequences": 4,
                      "optimizer": "gd", "lr": lr, "k": 3})
    batch = run_nonlinear_group(spec.params, spec.runs)
    alone = [run_nonlinear_group(spec.params, [r])[0] for r in spec.runs]
    assert [r.status for r in batch] == [r.status for r in alone]
    assert [r.diverged_step for r in batch] == [r.diverged_step for r in alone]
    steps = [r.diverged_step for r in alone]
    if lr == 60.0:
        assert steps[0] is None and steps[1] is not None
    else:
        assert None not in steps and len(set(steps)) == 2


@pytest.mark.parametrize("exact", [True, False])
def test_precision_escalation_stops_after_its_round_budget(exact):  # seed 1, S047
    from fractions import Fraction

    from momentrnn.moments import _ball, recovery
    from momentrnn.moments._data import parse_moments

    calls = []

    class Stubborn:  # a method whose enclosures never come out finite
        name = "stubborn"

        def run_ball(self, data, n, bits, basis):
            calls.append(bits)
            raise _ball.NeedPrecision("never enough")

    # atom 39/100, weight 1/3: m_j = (39/100)^j / 3, exact or rounded to doubles
    m = [Fraction(39, 100) ** j / 3 for j in range(4)]
    data = parse_moments(m if exact else [float(v) for v in m])
    # 10^4 digits wanted: the precision cap (about 1.3 * 10^5 bits) is more doublings away from
    # 64 bits than the round budget allows, so the budget is what stops the escalation
    out = recovery._certify(data, 2, Stubborn(), "monomial", 1e4, 64, True)
    assert out.sol is None
    assert calls == [64 * 2**i for i in range(recovery.MAX_ROUNDS)]
    calls.clear()
    recovery._certify(data, 2, Stubborn(), "monomial", 1e4, 64, False)
    assert calls == [64]  # without escalation: one round at the precision asked for


def test_learned_atoms_figure_sizes_markers_by_weight_and_dashes_the_teachers_atoms():
    # seed 1, S045 (marker size); seed 2, S052 (the teacher's atoms, not its weights)
    import matplotlib

    matplotlib.use("Agg")
    from types import SimpleNamespace

    import matplotlib.pyplot as plt
    from matplotlib.collections import PathCollection

    from momentrnn.experiments.families.linear import LinearFamily

    def row(teacher, scale, atoms, weights):
        values = {"learned_atoms": atoms, "learned_weights": weights}
        return SimpleNamespace(run={"teacher": teacher, "scale": scale},
                               value=lambda key, *rest: values.get(key))

    rows = [row("decaying", 1e-3, [0.49, -0.2, 0.1], [0.9, 0.05, 1.7]),
            row("negative_weight", 0.39, [0.8, -0.5], [1.0, -0.5])]
    figs = []
    try:
        LinearFamily().extra_figures(rows, None, ["png"], plt,
                                     lambda fig, name: figs.append(fig) or [name])
        panels = {ax.get_title(): ax for ax in figs[0].axes}  # one panel per teacher
        assert sorted(panels) == ["teacher decaying", "teacher negative_weight"]

        def sizes(ax):
            return [list(c.get_sizes()) for c in ax.collections if isinstance(c, PathCollection)]

        def dashed(ax):
            return sorted(line.get_ydata()[0] for line in ax.lines if len(line.get_ydata()))

        # a marker's area grows with its weight's magnitude (capped at 1), from 8 points^2
        assert sizes(panels["teacher decaying"]) == [[8 + 40 * 0.9, 8 + 40 * 0.05, 8 + 40]]
        assert sizes(panels["teacher negative_weight"]) == [[8 + 40, 8 + 40 * 0.5]]
        # the teachers' atoms, each in its own panel; their weights are not drawn
        assert dashed(panels["teacher decaying"]) == [0.5]
        assert dashed(panels["teacher negative_weight"]) == [-0.5, 0.8]
    finally:
        for fig in figs:
            plt.close(fig)


def test_training_curves_draw_the_well_formed_points_only(monkeypatch):  # seed 1, S043
    import matplotlib

    matplotlib.use("Agg")
    from types import SimpleNamespace

    import matplotlib.pyplot as plt

    from momentrnn.experiments import plots

    figs = []
    monkeypatch.setattr(plots, "_save", lambda fig, *args, **kw: figs.append(fig) or [])
    curve = [[0, 1.0], [1, "x"], [2], [3, 0.5, 7], "junk", (5, 0.3), [4, 0.25]]
    rows = [SimpleNamespace(run={"scale": 0.39}, loss_curve=curve)]
    try:
        plots._training_curves(rows, None, ["png"], plt)
        (ax,) = figs[0].axes
        drawn = [line for line in ax.lines if len(line.get_xdata())]
        assert len(drawn) == 1
        # only [step, loss] pairs of numbers; step 0 stays 0 on the symmetric-log axis
        assert list(drawn[0].get_xdata()) == [0, 4]
        assert list(drawn[0].get_ydata()) == [1.0, 0.25]
    finally:
        for fig in figs:
            plt.close(fig)


@pytest.mark.parametrize("cell", ["tanh", "gru"])
def test_nonlinear_memory_estimate_counts_the_weights_torch_holds(cell, monkeypatch):
    # seed 1, S029 (the GRU's gate count); seed 2, S038 (which cell has three gates)
    torch = pytest.importorskip("torch")
    import momentrnn.experiments.families.nonlinear as limits
    from momentrnn.experiments.families.nonlinear import NonlinearFamily
    from momentrnn.experiments.nonlinear import init_cells

    asked = []
    monkeypatch.setattr(limits, "check_memory", lambda nbytes, what, fix: asked.append(nbytes))
    dim, scales, seeds = 200, [1e-3, 0.39], [0, 1, 2]
    family = NonlinearFamily()
    params = family.validate(dict(family.defaults, cell=cell, student_dims=[dim],
                                  teacher_dims=[2], scales=scales, seeds=seeds, lengths=[1],
                                  k=1, train_sequences=1, test_sequences=1))
    family.check_size(params)
    students = init_cells(torch, cell, 1, dim, [1.0], [0], dtype=torch.float64, device="cpu")
    held = sum(t.numel() for t in students.values()) * 8 * 4  # weights, gradients, 2 moments
    # with one short sequence the weights dominate: the estimate is theirs, within 5 %
    assert 0.95 < asked[0] / (len(scales) * len(seeds) * held) < 1.05


@pytest.mark.parametrize("w", [(3, 10), (-39, 100), (1, 3)])
def test_the_flow_metric_ball_is_tight_around_its_value(w):  # seed 2, S069
    from fractions import Fraction

    from momentrnn.prove.converge import _ball, _metric
    from momentrnn.prove.validated import ball_bounds

    delta, w = Fraction(1, 7), Fraction(*w)
    lo, hi = ball_bounds(_metric(_ball(delta), _ball(w)))
    # g = sqrt(delta^2 + 4 w^2) for an exact w: the ball holds it, and hardly more
    g2 = delta**2 + 4 * w**2
    assert lo**2 <= g2 <= hi**2
    assert hi - lo < Fraction(1, 10**12)


@pytest.mark.parametrize("atom", [(10000003, 10**7), (-12000007, 10**7), (39, 100)])
def test_the_bounds_interval_is_widened_outward_to_six_decimals(atom):  # seed 2, S045
    from fractions import Fraction

    from momentrnn.moments.extrapolation_bound import _support

    x = Fraction(*atom)
    lo, hi = _support(None, [x], [Fraction(1)], [Fraction(1, 3)], [Fraction(1, 2)])
    # [-1, 1] widened to hold the student's atom: outward, to ends with six decimals at most
    assert lo <= min(x, -1) and hi >= max(x, 1)
    for end in (lo, hi):
        assert 10**6 % end.denominator == 0
    assert hi - max(x, 1) < Fraction(1, 10**6) and min(x, -1) - lo < Fraction(1, 10**6)


@pytest.mark.parametrize("kind", ["float16", "float32", "float64"])
def test_a_rounded_moment_s_radius_holds_the_decimal_it_was_rounded_from(kind):
    # seed 2, S063 (float16's precision)
    from fractions import Fraction

    import numpy as np

    from momentrnn.moments._data import parse_moments

    make = getattr(np, kind)
    xs = [Fraction(k, 1000) for k in range(1, 1000)] + [Fraction(-1, 3), Fraction(39, 7)]
    data = parse_moments([make(float(x)) for x in xs])
    for x, v, r in zip(xs, data.real, data.radius):
        # the number typed was rounded to the nearest float of its kind: it lies in the ball
        assert abs(Fraction(int(v.p), int(v.q)) - x) <= Fraction(r), (kind, x)


def test_a_stage_printer_stays_quiet_for_a_call_that_ends_early(capsys):  # seed 2, S009
    import time

    from momentrnn.cli._common import stage_printer

    show = stage_printer("recover", after=2.0)
    show("parsing")
    assert capsys.readouterr().err == ""  # well under 2 s since it was made
    late = stage_printer("recover", after=0.0)
    time.sleep(0.01)
    late("certifying")
    err = capsys.readouterr().err
    assert err == "recover: certifying (0 s)\n"  # the seconds since it was made


def test_check_runs_the_claims_in_this_process_unless_jobs_are_asked_for(monkeypatch, capsys):
    # seed 2, S005 (the default of --jobs)
    import concurrent.futures

    from momentrnn.cli import main

    def refuse(*args, **kwargs):
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refuse)
    assert main(["check", "--quick", "--only", "M1,R1", "--quiet"]) == 0
    capsys.readouterr()


def test_the_mp_flow_s_relative_drift_does_not_care_which_of_b_and_c_is_which():
    # seed 2, S017 (the scale the drift is relative to: the largest b^2 + c^2)
    from momentrnn import MP
    from momentrnn.dynamics import integrate_flow
    from momentrnn.rnn import DiagonalRNN, named_teacher

    a, b, c = [0.39, -0.2], [0.9, 0.05], [0.01, 0.7]
    runs = [integrate_flow(DiagonalRNN(a, x, y), named_teacher("two_pole"), k=4,
                           method="gauss-mp", precision=MP(35), t_max=0.2)
            for x, y in ((b, c), (c, b))]
    # the flow is symmetric in b <-> c (only b_i c_i enters the loss), and b^2 - c^2 only
    # changes sign: the drift relative to the largest b^2 + c^2 is the same number
    assert 0 < runs[0].invariant_drift < 1e-30
    assert abs(runs[0].invariant_drift - runs[1].invariant_drift) <= \
        1e-6 * runs[0].invariant_drift


def test_bounds_takes_a_tolerance_of_zero_and_refuses_a_negative_one():  # seed 2, S023
    from fractions import Fraction

    from momentrnn.cli.bounds import _tolerance
    from momentrnn.errors import InputError

    assert _tolerance("0") == 0 and _tolerance("0.0") == 0
    assert _tolerance("1/3") == Fraction(1, 3)
    with pytest.raises(InputError, match="must be a real number >= 0"):
        _tolerance("-1e-300")


@pytest.mark.parametrize("method", ["RK45", "LSODA"])
def test_a_flow_stopped_by_its_evaluation_budget_used_all_of_it(method, monkeypatch):
    # seed 2, S018 (the count of gradient evaluations starts at zero)
    import scipy.integrate

    from momentrnn.dynamics import integrate_flow
    from momentrnn.dynamics.integrators import scipy_ivp
    from momentrnn.rnn import init_student, named_teacher

    real, returned = scipy.integrate.solve_ivp, []

    def counting(fun, *args, **kwargs):
        def counted(t, y):
            out = fun(t, y)
            returned.append(t)
            return out

        return real(counted, *args, **kwargs)

    monkeypatch.setattr(scipy.integrate, "solve_ivp", counting)
    run = integrate_flow(init_student(3, scale=0.39, seed=2), named_teacher("two_pole"), k=4,
                         method=method, t_max=1e6, max_steps=3)
    budget = scipy_ivp.EVALUATIONS_PER_STEP * 3
    assert run.status == "max_steps" and f"more than {budget} evaluations" in run.message
    assert len(returned) == budget  # every evaluation of the budget was made


def test_a_moments_stream_is_read_up_to_256_mib_and_one_byte(monkeypatch):
    # seed 2, S029 (the size of the input bound)
    import sys
    from types import SimpleNamespace

    from momentrnn.cli._common import read_moments

    asked = []

    def read(n=-1):  # a stream without end, as /dev/zero: the bound is what stops the read
        asked.append(n)
        return b"1\n39/100\n"

    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=SimpleNamespace(read=read),
                                                      isatty=lambda: False))
    assert read_moments("-") == ["1", "39/100"]
    assert asked == [256 * 2**20 + 1]  # one byte past the bound tells a longer input apart


def test_the_recover_table_shows_each_atom_s_vouched_digits(tmp_path, capsys):
    # seed 2, S032 (the digits column of the table)
    import json

    from momentrnn.cli import main

    path = tmp_path / "m.txt"
    path.write_text("1\n0.25\n0.1721\n0.066\n")
    assert main(["recover", str(path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert main(["recover", str(path)]) == 0
    rows = capsys.readouterr().out.split("digits (atom, weight)\n")[1].splitlines()
    assert len(rows) == len(out["atoms"]) == 2
    for row, da, dw in zip(rows, out["atom_digits"], out["weight_digits"]):
        assert isinstance(da, int) and isinstance(dw, int)
        assert row.split()[-2:] == [f"{da},", f"{dw}"]


def test_a_log_s_progress_clock_writes_no_line_before_its_period(capsys):
    # seed 2, S030 (the clock's condition)
    import time

    from momentrnn._progress import ProgressLine

    line = ProgressLine(lambda elapsed, tty: f"alive at {elapsed:.0f} s", every=3.0)
    assert not line.tty  # captured stderr is a log, not a terminal
    line.begin()
    time.sleep(1.4)  # the clock has woken once (after 1 s): too early for a line
    line.end()
    assert capsys.readouterr().err == ""
    line = ProgressLine(lambda elapsed, tty: "alive", every=0.2)
    line.begin()
    time.sleep(1.4)
    line.end()
    assert capsys.readouterr().err.startswith("  alive\n")  # a due line is written


def test_only_an_exact_sympy_value_is_written_as_sympy_text():  # seed 2, S033
    import math

    import mpmath
    import sympy

    from momentrnn._format import format_number

    # a sympy value vouched to 5 digits: 5 digits, not its exact form
    assert format_number(sympy.sqrt(2), 5.0) == "1.4142"
    assert format_number(sympy.sqrt(2), math.inf) == "sqrt(2)"
    # an exactly known double-rounded mpmath number: its exact value (every digit), not str()
    third = mpmath.mpf(1) / 3
    assert format_number(third, math.inf) == \
        "0.333333333333333314829616256247390992939472198486328125"


def test_a_refused_count_names_the_type_only_of_a_non_integer_number():  # seed 2, S035
    from momentrnn._validate import positive_int
    from momentrnn.errors import InputError

    for value, message in [(0, "n=0 must be a positive integer"),
                           (-3, "n=-3 must be a positive integer"),
                           ("3", "n='3' must be a positive integer (got a str: pass an int)"),
                           (2.5, "n=2.5 must be a positive integer (got a float: pass an int)"),
                           (True, "n=True must be a positive integer (got a bool: pass an int)")]:
        with pytest.raises(InputError) as info:
            positive_int(value, "n")
        assert str(info.value) == message


def test_a_linear_row_reports_the_learned_measure_s_real_weights():  # seed 2, S048
    from momentrnn.experiments.linear import linear_metrics
    from momentrnn.rnn import DiagonalRNN

    # two units: the measure 0.75 delta_0.39 + 0.5 delta_-0.5 (w_i = b_i c_i); a row writes
    # the learned measure as the flow report does, as text to the digits it vouches
    out = linear_metrics(DiagonalRNN([0.39, -0.5], [1.0, 0.5], [0.75, 1.0]), 1e-20)
    assert all(type(v) is str for v in out["learned_atoms"] + out["learned_weights"])
    assert [float(v) for v in out["learned_atoms"]] == pytest.approx([-0.5, 0.39], abs=1e-7)
    assert [float(v) for v in out["learned_weights"]] == pytest.approx([0.5, 0.75], abs=1e-7)
    assert type(out["learned_vouched_digits"]) is int and out["learned_vouched_digits"] >= 7


def test_flow_s_default_student_is_the_guide_s():  # seed 2, S056
    from momentrnn.cli._main import build_parser

    # docs/guide/dynamics.md runs `momentrnn flow --teacher decaying --dim 40 --k 5`: the
    # defaults, so that the guide's command and a bare one agree
    args = build_parser().parse_args(["flow", "--teacher", "decaying"])
    assert (args.dim, args.k, args.init_scale, args.init) == (40, 5, 1e-3, "random")


def test_the_escape_event_is_the_first_time_the_loss_halves():  # seed 2, S051
    from momentrnn.dynamics import integrate_flow
    from momentrnn.rnn import init_student, named_teacher

    run = integrate_flow(init_student(3, scale=1e-2, seed=0), named_teacher("two_pole"), k=4,
                         method="rosenbrock", t_max=400.0)
    loss, times = list(run.loss), list(run.times)
    first = next(i for i, v in enumerate(loss) if v < 0.5 * loss[0])
    assert first > 1  # a small start: the plateau lasts several steps
    assert run.events["escape"] == times[first]


def test_a_proof_up_to_time_zero_is_refused():  # seed 2, S067
    from fractions import Fraction

    from momentrnn.errors import InputError
    from momentrnn.prove.flow_proof import _check_t_end

    for t in (0, 0.0, Fraction(0), -0.5):
        with pytest.raises(InputError, match="must be positive"):
            _check_t_end(t, 256)
    assert _check_t_end(0.5, 256) == Fraction(1, 2)


@pytest.mark.parametrize("re, im", [((39, 100), (-1, 5)), ((-1, 3), (5, 2)), ((0, 1), (1, 1))])
def test_an_exact_complex_number_converts_to_its_complex_double(re, im):  # seed 2, S066
    from fractions import Fraction

    from momentrnn.moments._scalars import to_float

    # an exact complex value is held as a pair of Fractions (real, imaginary)
    re, im = Fraction(*re), Fraction(*im)
    assert to_float((re, im)) == complex(float(re), float(im))
