"""The integrators' one driver and their registry: steppers in scipy's shape, the status enum,
per-method options and controllers, a class where a name is, first-same-as-last stages reused,
and an integrator added in a package of its own without touching the package's files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
import scipy.integrate
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import MP, init_student, integrate_flow, named_teacher
from momentrnn.dynamics import flow_methods
from momentrnn.dynamics.integrators import (
    INTEGRATORS,
    ButcherTableau,
    ExplicitRungeKutta,
    FlowOptions,
    Status,
    StepController,
    drive,
    register_integrator,
)
from momentrnn.errors import InputError

ROOT = Path(__file__).resolve().parent.parent

DORMAND_PRINCE = ButcherTableau(
    name="Dormand-Prince",
    c=(0, F(1, 5), F(3, 10), F(4, 5), F(8, 9), 1, 1),
    a=((), (F(1, 5),), (F(3, 40), F(9, 40)), (F(44, 45), F(-56, 15), F(32, 9)),
       (F(19372, 6561), F(-25360, 2187), F(64448, 6561), F(-212, 729)),
       (F(9017, 3168), F(-355, 33), F(46732, 5247), F(49, 176), F(-5103, 18656)),
       (F(35, 384), 0, F(500, 1113), F(125, 192), F(-2187, 6784), F(11, 84))),
    b=(F(35, 384), 0, F(500, 1113), F(125, 192), F(-2187, 6784), F(11, 84), 0),
    b_hat=(F(5179, 57600), 0, F(7571, 16695), F(393, 640), F(-92097, 339200),
           F(187, 2100), F(1, 40)),
    order=5, embedded_order=4)
HEUN = ButcherTableau(name="Heun-Euler", c=(0, 1), a=((), (1,)), b=(F(1, 2), F(1, 2)),
                      b_hat=(1, 0), order=2, embedded_order=1)


class DormandPrince(ExplicitRungeKutta):
    name = "dopri5-test"
    tableau = DORMAND_PRINCE


class Heun(ExplicitRungeKutta):
    name = "heun-driver-test"
    tableau = HEUN


class _Quadratic:
    """The loss ``sum lam_i theta_i**2 / 2`` (flow theta0 exp(-lam t)); counts evaluations."""

    def __init__(self, lam):
        self.lam = np.asarray(lam, dtype=float)
        self.calls = 0

    def loss_grad(self, theta):
        self.calls += 1
        return float(0.5 * np.sum(self.lam * theta**2)), self.lam * theta


def _options(**kw) -> FlowOptions:
    base = dict(t_max=None, until_loss=None, rtol=1e-6, atol=1e-12, max_steps=10_000,
                record=400)
    base.update(kw)
    return FlowOptions(**base)


THETA0 = np.array([0.39, -1.0 / 3.0, 0.7])
LAM = [1.0, 0.5, 2.0]


def test_only_the_first_same_as_last_table_is_marked_so():
    assert DORMAND_PRINCE.fsal and not HEUN.fsal


@settings(max_examples=15, deadline=None, derandomize=True)
@given(st.integers(1, 60), st.sampled_from([1e-3, 1e-6, 1e-9]))
def test_dormand_prince_reuses_its_last_stage(attempts, rtol):
    """A run cut by max_steps made exactly ``attempts`` attempts: with the last stage reused
    each costs 6 evaluations (7 stages), plus one at the start; every evaluation made is
    counted (a plain table, Heun, pays one more per accepted step)."""
    problem = _Quadratic(LAM)
    run = drive(DormandPrince(), problem, THETA0.copy(), _options(max_steps=attempts,
                                                                 rtol=rtol))
    assert run.status == Status.MAX_STEPS
    assert run.nfev == problem.calls == 1 + 6 * attempts
    heun = _Quadratic(LAM)
    plain = drive(Heun(), heun, THETA0.copy(), _options(max_steps=attempts, rtol=rtol))
    assert plain.nfev == heun.calls == 1 + attempts + plain.steps


def test_dormand_prince_costs_what_scipys_rk45_costs_per_step():
    """The same pair, the same span: scipy's RK45 spends 6 evaluations an attempt plus 2 to
    start; ours 6 an attempt plus 1 (before, 7 an accepted step: 439 against 380)."""
    problem = _Quadratic(LAM)
    ours = drive(DormandPrince(), problem, THETA0.copy(), _options(t_max=20.0, rtol=1e-9))
    assert ours.status == Status.T_MAX and ours.times[-1] == 20.0
    exact = THETA0 * np.exp(-np.asarray(LAM) * 20.0)
    assert np.max(np.abs(ours.thetas[-1] - exact)) < 1e-9  # it solved the flow
    ref = scipy.integrate.solve_ivp(lambda t, y: -np.asarray(LAM) * y, (0.0, 20.0), THETA0,
                                    method="RK45", rtol=1e-9, atol=1e-12)
    assert (ours.nfev - 1) % 6 == 0 and (ref.nfev - 2) % 6 == 0
    per_attempt_ours = (ours.nfev - 1) // 6
    assert per_attempt_ours >= ours.steps  # attempts, at least one per accepted step
    assert ours.nfev <= 1 + 6 * per_attempt_ours  # no seventh evaluation per step


def test_the_status_enum_keeps_the_strings():
    assert Status.T_MAX == "t_max" and isinstance(Status.CONVERGED, str)
    assert json.dumps({"status": Status.DIVERGED}) == '{"status": "diverged"}'
    assert repr(Status.COLLAPSED) == "'collapsed'" and f"{Status.STALLED}" == "stalled"
    from momentrnn.dynamics.trajectory import RUN_STATUSES

    assert {s.value for s in Status} == set(RUN_STATUSES) - {"finished"}
    run = drive(Heun(), _Quadratic(LAM), THETA0.copy(), _options(t_max=0.5))
    assert run.status is Status.T_MAX


def test_an_attribute_named_step_is_refused_not_obeyed():
    class Fixed(ExplicitRungeKutta):
        name = "fixed-step-test"
        tableau = HEUN
        step = 0.01  # meant as a step size: it would replace the driver's step

    with pytest.raises(InputError, match=r"Fixed\.step = 0\.01 replaces the method"):
        register_integrator(Fixed)
    with pytest.raises(InputError, match=r"Fixed\.step = 0\.01 replaces the method"):
        integrate_flow(init_student(2, scale=0.1, seed=0), named_teacher("decaying"), k=2,
                       method=Fixed, t_max=0.1)

    class OwnStep(ExplicitRungeKutta):
        name = "own-step-test"
        tableau = HEUN

        def step(self, problem, point, theta, h):  # the old signature
            raise AssertionError

    with pytest.raises(InputError, match="OwnStep defines step"):
        register_integrator(OwnStep)
    assert "fixed-step-test" not in INTEGRATORS and "own-step-test" not in INTEGRATORS


def test_a_class_is_accepted_where_a_name_is():
    student, teacher = init_student(3, scale=0.1, seed=1), named_teacher("decaying")
    by_class = integrate_flow(student, teacher, k=3, method=Heun, t_max=1.0)
    assert by_class.method == "heun-driver-test" and by_class.status == "t_max"
    assert "heun-driver-test" not in INTEGRATORS  # used, not registered
    register_integrator(Heun)
    try:
        by_name = integrate_flow(student, teacher, k=3, method="heun-driver-test", t_max=1.0)
    finally:
        del INTEGRATORS["heun-driver-test"]
    assert np.array_equal(by_class.parameters, by_name.parameters)
    with pytest.raises(InputError, match="not a subclass of Integrator"):
        integrate_flow(student, teacher, k=3, method=dict, t_max=1.0)


def test_method_options_and_controller():
    student, teacher = init_student(3, scale=0.1, seed=2), named_teacher("decaying")
    kw = dict(k=3, t_max=2.0)
    base = integrate_flow(student, teacher, method="rosenbrock", **kw)
    first = integrate_flow(student, teacher, method="rosenbrock",
                           options={"first_step": 1e-3}, **kw)
    assert first.times[1] == 1e-3 != base.times[1]
    capped = integrate_flow(student, teacher, method="rosenbrock", options={"max_step": 0.01},
                            **kw)
    assert np.max(np.diff(capped.times)) <= 0.01 * (1 + 1e-12) and capped.steps >= 200 > base.steps
    careful = integrate_flow(student, teacher, method="rosenbrock",
                             controller=StepController(3, safety=0.3), **kw)
    assert careful.steps > base.steps and careful.status == "t_max"

    class Timid(StepController):
        def __init__(self, error_order):
            super().__init__(error_order, max_factor=1.5)

    timid = integrate_flow(student, teacher, method="rosenbrock", controller=Timid, **kw)
    assert timid.steps > base.steps
    assert np.max(np.abs(timid.parameters[-1] - base.parameters[-1])) < 1e-5
    # the default is the method's own: passing it changes nothing
    same = integrate_flow(student, teacher, method="rosenbrock",
                          controller=StepController(3), options={}, **kw)
    assert np.array_equal(same.parameters, base.parameters) and same.steps == base.steps
    scipy_first = integrate_flow(student, teacher, method="RK45",
                                 options={"first_step": 0.015625}, **kw)
    assert scipy_first.times[1] == 0.015625
    with pytest.raises(InputError, match="has no option 'firststep'; its options are "
                       "first_step, max_step"):
        integrate_flow(student, teacher, method="rosenbrock", options={"firststep": 1}, **kw)
    with pytest.raises(InputError, match="max_step=-1 must be a positive finite number"):
        integrate_flow(student, teacher, method="rosenbrock", options={"max_step": -1}, **kw)
    with pytest.raises(InputError, match="controls its steps itself"):
        integrate_flow(student, teacher, method="LSODA", controller=StepController(3), **kw)
    with pytest.raises(InputError, match="must be a StepController"):
        integrate_flow(student, teacher, method="rosenbrock", controller=0.9, **kw)
    with pytest.raises(InputError, match="options=3 must be a AdaptiveOptions"):
        integrate_flow(student, teacher, method="rosenbrock", options=3, **kw)


def test_gauss_mp_takes_its_step_count():
    student, teacher = init_student(2, scale=0.1, seed=0), named_teacher("decaying")
    run = integrate_flow(student, teacher, k=2, method="gauss-mp", precision=MP(20),
                         t_max=0.1, options={"steps": 3})
    assert run.steps == 3 and run.status == "t_max"
    with pytest.raises(InputError, match="steps=0 must be a positive integer"):
        integrate_flow(student, teacher, k=2, method="gauss-mp", precision=MP(20),
                       t_max=0.1, options={"steps": 0})


RK4_MODULE = '''
"""Classical RK4 (order 4) with the midpoint stage as a first-order error estimate."""
from fractions import Fraction as F

from momentrnn.dynamics.integrators import ButcherTableau, ExplicitRungeKutta
from momentrnn.dynamics.integrators.registry import register_integrator

H = F(1, 2)


@register_integrator
class RK4(ExplicitRungeKutta):
    name = "rk4"
    tableau = ButcherTableau(name="RK4", c=(0, H, H, 1), a=((), (H,), (0, H), (0, 0, 1)),
                             b=(F(1, 6), F(1, 3), F(1, 3), F(1, 6)), b_hat=(0, 0, 1, 0),
                             order=4, embedded_order=1)
'''

RK4_SCRIPT = '''
import contextlib, io
import numpy as np
import rk4_integrator  # the one line: importing the module registers it
from momentrnn import init_student, integrate_flow, named_teacher
from momentrnn.cli import main
from momentrnn.dynamics import flow_methods

student, teacher = init_student(3, scale=0.1, seed=0), named_teacher("decaying")
run = integrate_flow(student, teacher, k=3, method="rk4", t_max=2.0, rtol=1e-9, atol=1e-13)
ref = integrate_flow(student, teacher, k=3, method="rosenbrock", t_max=2.0, rtol=1e-10,
                     atol=1e-14)
print("gap", float(np.max(np.abs(run.parameters[-1] - ref.parameters[-1]))))
print("status", run.status, run.method, "rk4" in flow_methods())
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
    main(["flow", "--help"])
print("help", "rk4" in out.getvalue())
'''


def test_an_integrator_added_in_a_package_of_its_own(tmp_path):
    """RK4 in a new module (one file, which imports the registry and decorates its class)
    plus one import: it runs by name and ``momentrnn flow --help`` offers it; no file of
    the package changes."""
    (tmp_path / "rk4_integrator.py").write_text(textwrap.dedent(RK4_MODULE))
    (tmp_path / "use_rk4.py").write_text(textwrap.dedent(RK4_SCRIPT))
    before = {p: p.stat().st_mtime_ns for p in (ROOT / "momentrnn").rglob("*.py")}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    proc = subprocess.run([sys.executable, str(tmp_path / "use_rk4.py")], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    assert float(lines["gap"]) < 1e-7
    assert lines["status"] == "t_max rk4 True" and lines["help"] == "True"
    assert {p: p.stat().st_mtime_ns for p in (ROOT / "momentrnn").rglob("*.py")} == before
    assert "rk4" not in flow_methods()  # this process's registry is untouched


def test_the_guide_and_the_command_list_every_registered_integrator():
    """The lists of integrators are read from the registry; the guide's table, written by
    hand, is held to it."""
    from momentrnn.cli.flow import _methods

    guide = (ROOT / "docs" / "guide" / "dynamics.md").read_text()
    for name, cls in INTEGRATORS.items():
        assert f'`"{name}"`' in guide, name
        assert (name in _methods()) == (not cls.needs_precision), name
    assert flow_methods() == ("auto", *INTEGRATORS)
