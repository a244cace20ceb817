"""Flow integrators come from one registry; their tables are checked against their order
conditions; the step-size controller and the throw / progress options."""

import re
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from momentrnn import LinearRNN, gradient_descent, init_student, integrate_flow, named_teacher
from momentrnn.dynamics import flow_methods, register_integrator
from momentrnn.dynamics.integrators import (
    INTEGRATORS,
    RODAS4,
    ButcherTableau,
    ExplicitRungeKutta,
    Integrator,
    RosenbrockTableau,
    StepController,
    integrator_named,
    unregister_integrator,
)
from momentrnn.dynamics.integrators import controller as ctrl_module
from momentrnn.errors import InputError, IntegrationError

HALF = Fraction(1, 2)
HEUN = ButcherTableau(name="Heun-Euler", c=(0, 1), a=((), (1,)), b=(HALF, HALF), b_hat=(1, 0),
                      order=2, embedded_order=1)


class Heun(ExplicitRungeKutta):
    """Explicit Heun with the Euler step as its embedded solution (orders 2 and 1)."""

    name = "heun"
    tableau = HEUN


@pytest.fixture
def heun():
    register_integrator(Heun)
    yield Heun
    unregister_integrator("heun")


def _small():
    return init_student(4, scale=0.1, seed=0), named_teacher("decaying")


def test_a_registered_integrator_runs_by_name_and_agrees_with_the_built_in(heun):
    assert "heun" in flow_methods() and integrator_named("heun") is Heun
    student, teacher = _small()
    toy = integrate_flow(student, teacher, k=3, method="heun", t_max=3.0, rtol=1e-9,
                         atol=1e-13)
    ref = integrate_flow(student, teacher, k=3, method="rosenbrock", t_max=3.0, rtol=1e-10,
                         atol=1e-14)
    assert toy.method == "heun" and toy.status == "t_max" and toy.times[-1] == 3.0
    # one gradient at the start, one per attempted step (the second stage), one per accepted
    assert toy.steps > 10 and toy.evaluations >= 1 + 2 * toy.steps
    moved = np.max(np.abs(ref.parameters[-1] - ref.parameters[0]))
    assert moved > 1e-2  # the flow went somewhere: the comparison below is not vacuous
    assert np.max(np.abs(toy.parameters[-1] - ref.parameters[-1])) < 1e-6
    # a coarser tolerance gives a worse answer with fewer steps: the controller is in use
    coarse = integrate_flow(student, teacher, k=3, method="heun", t_max=3.0, rtol=1e-4,
                            atol=1e-8)
    assert coarse.steps < toy.steps
    assert np.max(np.abs(coarse.parameters[-1] - ref.parameters[-1])) > \
        np.max(np.abs(toy.parameters[-1] - ref.parameters[-1]))


def test_unknown_integrator_names_the_registered_ones(heun):
    student, teacher = _small()
    names = ", ".join(("auto", *INTEGRATORS))  # read from the registry, heun last
    assert names.endswith(", heun")
    with pytest.raises(InputError, match=re.escape(f"method='euler' is not known; use one of "
                                                   f"{names}")):
        integrate_flow(student, teacher, k=3, method="euler")
    with pytest.raises(InputError, match="is not known"):
        integrate_flow(student, teacher, k=3, method=["rosenbrock"])


def test_registry_refuses_clashes_and_non_integrators(heun):
    class Other(Heun):
        pass

    with pytest.raises(InputError, match="'heun' is registered already"):
        register_integrator(Other)
    with pytest.raises(InputError, match="not a subclass of Integrator"):
        register_integrator(dict)

    class Auto(Heun):
        name = "auto"

    with pytest.raises(InputError, match="other than 'auto'"):
        register_integrator(Auto)
    with pytest.raises(InputError, match="is not known"):
        unregister_integrator("no-such-integrator")

    class NoTable(ExplicitRungeKutta):
        name = "no-table"

    with pytest.raises(InputError, match="NoTable has no error_order"):
        register_integrator(NoTable)

    class NoStep(Integrator):
        name = "no-step"

    with pytest.raises(InputError, match="NoStep does not implement integrate"):
        register_integrator(NoStep)
    assert "no-table" not in INTEGRATORS and "no-step" not in INTEGRATORS
    assert set(INTEGRATORS) >= {"rosenbrock", "LSODA", "BDF", "Radau", "RK45", "DOP853",
                                "gauss-mp"}


def test_butcher_tables_are_checked_against_their_order_conditions():
    # negative controls: one wrong weight, one wrong node, a stated order the table lacks
    with pytest.raises(InputError, match=r"b\.Phi\(t\) = 1/2"):
        replace(HEUN, b=(Fraction(3, 5), Fraction(2, 5)))
    with pytest.raises(InputError, match=r"c\[1\] = sum of a\[1\]"):
        replace(HEUN, c=(0, Fraction(1, 2)))
    with pytest.raises(InputError, match="order condition"):
        replace(HEUN, order=3)
    with pytest.raises(InputError, match="b_hat"):
        replace(HEUN, embedded_order=2)
    # classical RK4 meets the 8 conditions of order 4 exactly, not the 9 more of order 5
    sixth, third = Fraction(1, 6), Fraction(1, 3)
    rk4 = dict(c=(0, HALF, HALF, 1), a=((), (HALF,), (0, HALF), (0, 0, 1)),
               b=(sixth, third, third, sixth), b_hat=(0, 0, 1, 0), embedded_order=1)
    ButcherTableau(order=4, **rk4)
    with pytest.raises(InputError, match="order 5"):
        ButcherTableau(order=5, **rk4)
    # floats are held to 1e-14: RK4 in decimals passes, a 1e-12 error in a weight does not
    floats = dict(rk4, b=(1 / 6, 1 / 3, 1 / 3, 1 / 6), a=((), (0.5,), (0, 0.5), (0, 0, 1.0)))
    ButcherTableau(order=4, **floats)
    with pytest.raises(InputError, match="fails by"):
        ButcherTableau(order=4, **dict(floats, b=(1 / 6 + 1e-12, 1 / 3, 1 / 3, 1 / 6)))
    with pytest.raises(InputError, match="row 1 has 2 entries"):
        ButcherTableau(order=2, c=(0, 1), a=((), (1, 0)), b=(HALF, HALF), b_hat=(1, 0),
                       embedded_order=1)


def test_dormand_prince_meets_order_5_exactly_and_not_6():
    F = Fraction
    dp = dict(
        c=(0, F(1, 5), F(3, 10), F(4, 5), F(8, 9), 1, 1),
        a=((), (F(1, 5),), (F(3, 40), F(9, 40)), (F(44, 45), F(-56, 15), F(32, 9)),
           (F(19372, 6561), F(-25360, 2187), F(64448, 6561), F(-212, 729)),
           (F(9017, 3168), F(-355, 33), F(46732, 5247), F(49, 176), F(-5103, 18656)),
           (F(35, 384), 0, F(500, 1113), F(125, 192), F(-2187, 6784), F(11, 84))),
        b=(F(35, 384), 0, F(500, 1113), F(125, 192), F(-2187, 6784), F(11, 84), 0),
        b_hat=(F(5179, 57600), 0, F(7571, 16695), F(393, 640), F(-92097, 339200),
               F(187, 2100), F(1, 40)))
    table = ButcherTableau(order=5, embedded_order=4, **dp)  # 17 + 8 conditions, exactly
    assert table.stages == 7
    with pytest.raises(InputError, match="order 6"):
        ButcherTableau(order=6, embedded_order=4, **dp)
    with pytest.raises(InputError, match="b_hat"):
        ButcherTableau(order=5, embedded_order=5, **dp)


def test_rodas4_table_meets_its_conditions_and_a_mistyped_entry_fails():
    assert RODAS4.order == 4 and RODAS4.embedded_order == 3 and RODAS4.stages == 6
    assert RODAS4.error_weights == (0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    # the embedded solution is of order 3, not 4: stating 4 fails (the check is not vacuous)
    with pytest.raises(InputError, match=r"weights m_hat"):
        replace(RODAS4, embedded_order=4)
    a = [list(row) for row in RODAS4.a]
    a[1][0] = 1.554  # a_21 = 1.544 mistyped
    with pytest.raises(InputError, match="RODAS4: the order condition"):
        replace(RODAS4, a=tuple(tuple(r) for r in a))
    c = [list(row) for row in RODAS4.c]
    c[5][4] = -6.0588182388  # c_65 = -6.058818238834054 rounded to 11 digits
    with pytest.raises(InputError, match="fails by"):
        replace(RODAS4, c=tuple(tuple(r) for r in c))
    with pytest.raises(InputError, match="fails by"):
        replace(RODAS4, gamma=0.26)
    # an exact order-1 method: linearly implicit Euler (gamma = 1) is not of order 2, which
    # the conditions say before anything else
    with pytest.raises(InputError, match="1/2 - gamma"):
        RosenbrockTableau(gamma=1, a=((),), c=((),), m=(1,), m_hat=(1,), order=2,
                          embedded_order=1)
    # of order 1, its only order-1 embedded weights are its own: an error estimate that is
    # always zero, refused
    with pytest.raises(InputError, match="m_hat equals m"):
        RosenbrockTableau(gamma=1, a=((),), c=((),), m=(1,), m_hat=(1,), order=1,
                          embedded_order=1)


def test_step_controller_constants():
    c = StepController(error_order=3)
    assert c.exponent == -0.25
    assert c.factor(0.0) == ctrl_module.MAX_FACTOR == 6.0
    assert c.factor(1e-12) == ctrl_module.MAX_FACTOR
    assert c.factor(1e12) == ctrl_module.MIN_FACTOR == 0.2
    assert c.factor(1.0) == ctrl_module.SAFETY == 0.9
    assert c.factor(16.0) == pytest.approx(0.45)
    assert StepController(error_order=1).factor(4.0) == pytest.approx(0.45)
    assert c.too_small(1e-15, 0.5) and not c.too_small(1e-13, 0.5)
    assert c.too_small(1e-9, 1e6) and not c.too_small(1e-7, 1e6)


def test_throw_raises_a_failed_flow_and_leaves_the_default_a_status():
    student = init_student(20, scale=1e-2, seed=3)
    kw = dict(k=5, method="rosenbrock", max_steps=7)
    run = integrate_flow(student, named_teacher("decaying"), **kw)
    assert run.status == "max_steps" and not run.ok
    with pytest.raises(IntegrationError, match="status 'max_steps': stopped after 7 steps"):
        integrate_flow(student, named_teacher("decaying"), throw=True, **kw)
    ok = integrate_flow(student, named_teacher("decaying"), k=5, throw=True)
    assert ok.status == "converged"
    with pytest.raises(InputError, match="throw='yes' must be True or False"):
        integrate_flow(student, named_teacher("decaying"), k=5, throw="yes")


def test_gradient_descent_throw_and_progress():
    students = [init_student(5, scale=0.1, seed=s) for s in range(3)]
    seen = []
    r = gradient_descent(students, named_teacher("long_memory"), k=8, lr=3.0, steps=200,
                         progress=lambda step, loss: seen.append((step, loss.shape)))
    assert set(r.status) == {"diverged"}
    assert seen == [(int(s), (3,)) for s in r.record_steps]
    with pytest.raises(IntegrationError, match=r"diverged in 3 of 3 run\(s\) \(run 0 at step"):
        gradient_descent(students, named_teacher("long_memory"), k=8, lr=3.0, steps=200,
                         throw=True)
    ok = gradient_descent(students, named_teacher("long_memory"), k=8, lr=1e-3, steps=50,
                          throw=True)
    assert set(ok.status) == {"finished"}
    losses = []
    gradient_descent(students, named_teacher("long_memory"), k=8, lr=1e-3, steps=50,
                     record_every=10, progress=lambda step, loss: losses.append(loss))
    assert ok.loss.shape[0] == 51 and np.array_equal(np.array(losses), ok.loss[::10])
    with pytest.raises(InputError, match="progress=3 must be a callable"):
        gradient_descent(students, named_teacher("long_memory"), k=8, lr=1e-3, steps=5,
                         progress=3)
    with pytest.raises(InputError, match="throw=None must be True or False"):
        gradient_descent(students, named_teacher("long_memory"), k=8, lr=1e-3, steps=5,
                         throw=None)


def test_gradient_descent_refuses_full_models_naming_integrate_flow():
    full = LinearRNN(np.eye(2) * 0.5, np.ones(2), np.ones(2))
    with pytest.raises(InputError, match="with integrate_flow") as info:
        gradient_descent(full, named_teacher("decaying"), k=3, lr=0.01, steps=5)
    assert "gradient_descent_full" not in str(info.value)


def test_the_flow_command_offers_the_registered_integrators(heun, capsys):
    from momentrnn.cli import main

    code = main(["flow", "--teacher", "decaying", "--dim", "4", "--k", "3", "--init-scale",
                 "0.1", "--method", "heun", "--t-max", "2", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0 and "method               heun" in out, err
    # gauss-mp needs a precision the command does not take: it is not offered
    with pytest.raises(SystemExit) as exit_info:
        main(["flow", "--teacher", "decaying", "--method", "gauss-mp"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "invalid choice: 'gauss-mp'" in err and "'heun'" in err


def test_gradient_descent_progress_on_torch_matches_the_records():
    pytest.importorskip("torch")
    students = [init_student(5, scale=0.1, seed=s) for s in range(2)]
    seen = []
    r = gradient_descent(students, named_teacher("decaying"), k=4, lr=0.05, steps=30,
                         record_every=10, backend="torch",
                         progress=lambda step, loss: seen.append((step, loss)))
    assert [s for s, _ in seen] == [0, 10, 20, 30] == list(r.record_steps)
    assert np.array_equal(np.array([loss for _, loss in seen]), r.loss)
