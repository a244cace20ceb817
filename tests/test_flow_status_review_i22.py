"""Review findings of issue 22 on the flow's statuses and the flow/prove commands: an
integrator failure is not a blow-up, the scipy methods' internal end of time is not the
user's t_max, the collapsed run's advice fits its initial loss, the flow command writes its
files before it prints, and ``prove --help`` says the convergence argument runs by default."""

from __future__ import annotations

import io
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.integrate
from hypothesis import example, given, settings
from hypothesis import strategies as st

from momentrnn.cli import main
from momentrnn.dynamics import integrate_flow
from momentrnn.dynamics.integrators import _base, scipy_ivp
from momentrnn.rnn import init_student, named_teacher, teacher_from_measure


def _student(scale=1e-3, dim=4, seed=0):
    return init_student(dim, scale=scale, mode="random", seed=seed)


# -- 1. a failed scipy solve is 'diverged' only when the flow blew up -------------------------

def test_an_lsoda_failure_while_the_loss_falls_is_stalled_not_diverged():
    """The loss of a gradient flow never increases: LSODA giving up on the way to 1e-25 with
    the loss at about 1e-25 and finite parameters is an integrator failure."""
    run = integrate_flow(_student(), named_teacher("long_memory"), k=5, until_loss=1e-25)
    assert run.status != "diverged"
    if run.status != "converged":  # where LSODA gives up (the scipy of the review does)
        assert run.status == "stalled" and not run.ok
        assert "LSODA" in run.message and "not a blow-up" in run.message
    assert np.all(np.isfinite(run.parameters[-1]))
    assert run.loss[-1] <= run.loss[0]


def test_a_huge_start_whose_loss_falls_is_not_called_diverged():
    run = integrate_flow(_student(scale=1e6), named_teacher("decaying"), k=3)
    assert run.loss[-1] < run.loss[0]
    assert np.max(np.abs(run.parameters[-1])) < _base.PARAMETER_LIMIT
    assert run.status != "diverged" and not run.ok


def _fake_solve(y_last, status=-1, message="Unexpected istate in LSODA."):
    """A ``solve_ivp`` that evaluates the right-hand side once and reports a failure (or the
    end of the span) with ``y_last`` as its last accepted point."""

    def solve(rhs, span, y0, **kw):
        rhs(span[0], y0)
        y = np.column_stack([y0, y_last])
        return SimpleNamespace(t=np.array([span[0], 0.5]), y=y, status=status,
                               message=message, nfev=1)

    return solve


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.floats(-1e7, 1e7), st.sampled_from([0.0, 1e9, -1e30]))
def test_a_failed_solve_is_diverged_exactly_when_its_last_point_blew_up(shift, bad):
    student = _student()
    teacher = named_teacher("decaying")
    with pytest.MonkeyPatch.context() as mp:

        def solve(rhs, span, y0, **kw):
            y_last = np.array(y0, dtype=float)
            y_last[0] = shift + bad if bad else shift / 10  # finite and below 1e8 when bad == 0
            return _fake_solve(y_last)(rhs, span, y0, **kw)

        mp.setattr(scipy.integrate, "solve_ivp", solve)
        with np.errstate(all="ignore"):
            run = integrate_flow(student, teacher, k=3, method="LSODA")
    if bad:
        assert run.status == "diverged" and "blew up" in run.message
    else:
        assert run.status == "stalled" and "Unexpected istate" in run.message


@pytest.mark.parametrize("point, status", [(1.0, "stalled"), (1e12, "diverged")])
def test_a_floating_point_error_is_a_blow_up_only_at_a_blown_up_point(point, status):
    """An overflow raised inside scipy at a trial point whose parameters are finite and
    moderate is not a blow-up of the flow."""

    def solve(rhs, span, y0, **kw):
        y = np.full_like(y0, point)
        rhs(span[0] + 1.0, y)
        raise FloatingPointError("overflow encountered in multiply")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(scipy.integrate, "solve_ivp", solve)
        with np.errstate(all="ignore"):
            run = integrate_flow(_student(), named_teacher("decaying"), k=3, method="BDF")
    assert run.status == status


# -- 2. the scipy methods' internal end of time is not the user's t_max -----------------------

def test_reaching_the_internal_time_limit_is_stalled_and_an_asked_t_max_is_t_max(monkeypatch):
    monkeypatch.setattr(scipy_ivp, "NO_TIME_LIMIT", 5.0)
    student, teacher = _student(), named_teacher("decaying")
    run = integrate_flow(student, teacher, k=3, method="LSODA", until_loss=1e-30)
    assert run.times[-1] == 5.0
    assert run.status == "stalled" and not run.ok and "no t_max was given" in run.message
    asked = integrate_flow(student, teacher, k=3, method="LSODA", t_max=5.0)
    assert asked.status == "t_max" and asked.ok


def test_the_complex_teacher_without_t_max_does_not_end_as_asked(capsys):
    """The review's run: no t_max, the loss stuck near 0.76, the flow time at 1e12: it
    exits 1, not 0."""
    code = main(["flow", "--teacher-atoms", "0.5+0.5j,0.5-0.5j", "--teacher-weights", "1,1",
                 "--dim", "4", "--k", "5", "--quiet", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "stalled" and code == 1


def test_the_flow_help_states_the_time_limit(capsys):
    with pytest.raises(SystemExit):
        main(["flow", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "no time limit besides" not in text
    assert "1e+12" in text or "1e12" in text


def test_an_internally_limited_sweep_row_is_not_trained():
    from momentrnn.experiments.families.linear import TRAINED

    assert "stalled" not in TRAINED


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.floats(0.0, 1e300, allow_subnormal=False), st.floats(1e-30, 1e3))
@example(_base.HUGE_LOSS, 1.0).via("the boundary: huge")
@example(math.nextafter(_base.HUGE_LOSS, 0), 1.0).via("just below it: not huge")
@example(5.5, 0.7578).via("the complex teacher's rosenbrock run")
def test_the_collapse_advice_fits_the_initial_loss(loss0, loss):
    text = _base.CollapseWatch(5).message(10.0, loss, loss0)
    huge = loss0 >= _base.HUGE_LOSS
    assert ("smaller init scale" in text) == huge
    assert ("stationary set of non-zero loss" in text) == (not huge)


@pytest.mark.parametrize("loss0", [math.inf, math.nan])
def test_a_non_finite_initial_loss_is_huge(loss0):
    assert "smaller init scale" in _base.CollapseWatch(5).message(10.0, 1.0, loss0)


@pytest.mark.parametrize("method", ["rosenbrock", "LSODA"])
@pytest.mark.parametrize("teacher, scale, huge", [
    (teacher_from_measure(([0.5 + 0.5j, 0.5 - 0.5j], [1, 1])), 1e-3, False),
    (named_teacher("decaying"), 1e3, True)])
def test_a_collapsed_run_advises_a_smaller_start_only_after_a_huge_loss(monkeypatch, method,
                                                                       teacher, scale, huge):
    """The integrators pass the initial loss to the message (a window of 20 steps makes both
    runs collapse in a second; the complex teacher's run starts at loss 5.5)."""
    window = _base.CollapseWatch

    def short():
        return window(20)

    monkeypatch.setattr(_base, "CollapseWatch", short)
    monkeypatch.setattr(scipy_ivp, "CollapseWatch", short)
    run = integrate_flow(_student(scale=scale), teacher, k=5 if not huge else 3, method=method)
    assert run.status == "collapsed"
    assert ("smaller init scale" in run.message) == huge
    assert ("stationary set of non-zero loss" in run.message) == (not huge)


# -- 3. the flow command writes its files before it prints ------------------------------------

class _ClosedStdout(io.StringIO):
    def write(self, s):
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_closed_stdout_does_not_lose_the_json_file(tmp_path, monkeypatch, capsys, fmt):
    out = tmp_path / "f.json"
    monkeypatch.setattr("sys.stdout", _ClosedStdout())
    code = main(["flow", "--teacher-atoms", "39/100", "--teacher-weights", "1", "--dim", "3",
                 "--k", "3", "--quiet", "--t-max", "1", "--format", fmt, "--json", str(out)])
    assert code == 3
    report = json.loads(out.read_text())
    assert report["status"] == "t_max"


# -- 4. prove --help ------------------------------------------------------------------------

def test_prove_help_says_the_convergence_argument_runs_by_default(capsys):
    with pytest.raises(SystemExit):
        main(["prove", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    at = text.rindex("--no-converge")
    entry = text[at:at + 200]
    assert "(default: True)" not in entry
    assert "by default it runs" in entry
