"""Regression tests: the accuracy of a double-precision response, overflowing students,
integrator precision and numpy error state, registry declarations and missing checks."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from momentrnn import DiagonalRNN, DiscreteMeasure
from momentrnn.errors import InputError
from momentrnn.rnn.analysis import _response_rounding, effective_dimension, learned_measure


def _matches_within_digits(learned, atoms, weights):
    """Every true atom and weight is within the vouched normwise digits of a learned one,
    checked in 50-digit arithmetic against the exact true values."""
    ctx = mpmath.MPContext()
    ctx.dps = 50
    got_a = [ctx.mpmathify(x) for x in learned.measure.atoms]
    got_w = [ctx.mpmathify(w) for w in learned.measure.weights]
    tol = ctx.mpf(10) ** (-learned.digits)
    tol_a = tol * max(abs(x) for x in got_a)
    tol_w = tol * max(abs(w) for w in got_w)
    for x, w in zip(atoms, weights):
        x, w = ctx.mpmathify(x), ctx.mpmathify(w)
        j = min(range(len(got_a)), key=lambda k: abs(got_a[k] - x))
        if abs(got_a[j] - x) > tol_a or abs(got_w[j] - w) > tol_w:
            return False
    return True


def test_learned_measure_does_not_claim_more_than_the_double_response_carries():
    a, b = [0.9, 0.9, 0.3], [1e4, 1e4, 1.0]
    learned = learned_measure(DiagonalRNN(a, b, b), 0.0)
    assert learned.rank == 2
    assert learned.measure is not None and learned.measure.size == 2
    # the data accuracy is the response's rounding, far above the 1e-12 floor
    assert learned.moment_accuracy > 1e-9
    assert 0 < learned.digits < 16
    # true measure: 0.9 with weight 2e8 (exactly 1e8 + 1e8), 0.3 with weight 1
    assert _matches_within_digits(learned, [Fraction(0.9), Fraction(0.3)],
                                  [Fraction(2 * 10**8), Fraction(1)])
    assert learned.agrees_with(DiscreteMeasure([0.3, 0.9], [1.0, 2e8]))


def test_effective_dimension_tolerance_is_at_least_the_response_rounding():
    model = DiagonalRNN([1e5] * 3, [1.0] * 3, [1.0] * 3)
    rank = effective_dimension(model, tolerance=1e-12)
    assert rank.rank == 1
    # the same model at a tolerance above its rounding decides the same way
    assert effective_dimension(model, tolerance=1e-12).rank == \
        effective_dimension(model, tolerance=_response_rounding(model, 7) * 2).rank


def test_response_rounding_bounds_the_actual_error():
    """The bound is at least the error of the double response against the exact one, for a
    diagonal and a full model with non-dyadic, negative and large parameters."""
    rng = np.random.default_rng(3)
    for _ in range(5):
        a = rng.uniform(-1.2, 1.2, 6)
        b = rng.normal(size=6) * 10.0 ** rng.integers(-3, 4, 6)
        c = rng.normal(size=6)
        model = DiagonalRNN(a, b, c)
        for m in (model, model.to_full()):
            h = m.impulse_response(20)
            exact = [sum(Fraction(float(bi)) * Fraction(float(ci)) * Fraction(float(ai)) ** j
                         for ai, bi, ci in zip(a, b, c)) for j in range(20)]
            err = max(abs(Fraction(float(x)) - e) for x, e in zip(h, exact))
            bound = _response_rounding(m, 20)
            assert err <= Fraction(bound)
            assert bound > 0
    for seed in range(4):  # full, non-normal A with non-dyadic entries of mixed signs
        from momentrnn import LinearRNN

        rng = np.random.default_rng(seed)
        A = rng.normal(size=(5, 5)) / 2.5
        B, C = rng.normal(size=5) * 1e3, rng.normal(size=5)
        model = LinearRNN(A, B, C)
        h = model.impulse_response(25)
        Aq = [[Fraction(float(x)) for x in row] for row in A]
        x = [Fraction(float(v)) for v in B]
        for j in range(25):
            exact = sum(Fraction(float(ci)) * xi for ci, xi in zip(C, x))
            assert abs(Fraction(float(h[j])) - exact) <= Fraction(_response_rounding(model, 25))
            x = [sum(a * xi for a, xi in zip(row, x)) for row in Aq]


def test_a_trained_like_student_keeps_its_full_accuracy():
    """An order-one response reads to the loss's accuracy: the rounding bound is below it."""
    model = DiagonalRNN([0.5, -0.25], [1.0, 0.5], [1.0, 0.5])
    learned = learned_measure(model, 1e-16)
    assert learned.moment_accuracy == pytest.approx(1e-7)
    assert learned.rank == 2 and learned.status == "ok"


def test_learned_measure_of_an_overflowing_response_is_diverged():
    model = DiagonalRNN([1e200, 0.5], [1e100, 1.0], [1e100, 1.0])
    learned = learned_measure(model, 0.0)
    assert learned.status == "diverged"
    assert learned.measure is None and learned.digits == 0.0
    assert learned.effective_dimension.verdict == "undetermined"
    assert learned.to_dict()["status"] == "diverged"
    with pytest.raises(InputError, match="not finite"):
        effective_dimension(model)


# --- integrate_flow: precision only for gauss-mp; the caller's numpy error state ------------

def _flow_args(dim=3, scale=1e-2):
    from momentrnn import init_student, named_teacher

    return init_student(dim, scale=scale, seed=0), named_teacher("decaying")


@pytest.mark.parametrize("method", ["RK45", "rosenbrock", "auto", "LSODA"])
def test_a_precision_for_a_double_method_is_refused(method):
    from momentrnn import MP, integrate_flow

    student, teacher = _flow_args()
    with pytest.raises(InputError, match="only 'gauss-mp' takes a precision"):
        integrate_flow(student, teacher, k=3, t_max=1.0, method=method, precision=MP(30))


def test_gauss_mp_without_precision_says_what_it_needs():
    from momentrnn import integrate_flow

    student, teacher = _flow_args()
    with pytest.raises(InputError, match=r"needs precision=MP\(dps\)") as info:
        integrate_flow(student, teacher, k=3, t_max=1.0, method="gauss-mp")
    assert "NoneType" not in str(info.value)


@pytest.mark.parametrize("method", ["rosenbrock", "LSODA", "RK45", "gauss-mp"])
def test_integrate_flow_does_not_depend_on_the_callers_numpy_error_state(method):
    from momentrnn import MP, integrate_flow

    student, teacher = _flow_args()
    extra = {"precision": MP(20)} if method == "gauss-mp" else {}
    quiet = integrate_flow(student, teacher, k=3, t_max=1.0, method=method, **extra)
    with np.errstate(all="raise"):
        strict = integrate_flow(student, teacher, k=3, t_max=1.0, method=method, **extra)
    assert strict.status == quiet.status
    assert strict.final_loss == quiet.final_loss


def test_a_diverging_flow_under_raise_reports_its_status():
    from momentrnn import integrate_flow

    student, teacher = _flow_args(6, scale=3.0)
    quiet = integrate_flow(student, teacher, k=3, t_max=50.0, method="RK45", throw=False)
    with np.errstate(all="raise"):
        strict = integrate_flow(student, teacher, k=3, t_max=50.0, method="RK45", throw=False)
    assert strict.status == quiet.status


def test_gradient_descent_and_learned_measure_under_raise():
    from momentrnn import gradient_descent, init_student, named_teacher

    students = [init_student(4, scale=1e-170, seed=s) for s in range(2)]
    quiet = gradient_descent(students, named_teacher("decaying"), k=3, lr=0.01, steps=50)
    with np.errstate(all="raise"):
        strict = gradient_descent(students, named_teacher("decaying"), k=3, lr=0.01, steps=50)
        learned = learned_measure(DiagonalRNN([0.9, 0.3], [1.0, 1e-170], [1.0, 1e-170]), 0.0)
    assert strict.status == quiet.status
    assert learned.status == "ok" and learned.rank == 1


# --- registries refuse broken registrations -------------------------------------------------

def _prony_under(name, certifier="prony"):
    from momentrnn.moments import METHODS, RecoveryMethod

    p = METHODS["prony"]
    return RecoveryMethod(name=name, summary="", float_impl=p.float_impl, mp_impl=p.mp_impl,
                          ball_impl=p.ball_impl, exact_impl=p.exact_impl, certifier=certifier)


@pytest.mark.parametrize("name", [5, "", "has space", "-x", "Auto", "AUTO", "auto", None])
def test_register_method_refuses_names_that_are_not_method_names(name):
    from momentrnn.moments import METHODS, register_method

    before = dict(METHODS)
    with pytest.raises(InputError, match=repr(name) if name is not None else "None"):
        register_method(_prony_under(name))
    assert METHODS == before


def test_register_method_refuses_replacing_unless_asked():
    from momentrnn.moments import METHODS, register_method

    original = METHODS["prony"]
    with pytest.raises(InputError, match="already registered.*replace=True.*pencil"):
        register_method(_prony_under("prony"))
    assert METHODS["prony"] is original
    try:
        again = _prony_under("prony")
        assert register_method(again, replace=True) is again
        assert METHODS["prony"] is again
    finally:
        METHODS["prony"] = original
    with pytest.raises(InputError, match="replace="):
        register_method(_prony_under("new-one"), replace="yes")
    assert "new-one" not in METHODS


def test_register_method_refuses_an_unregistered_certifier_and_accepts_a_good_name():
    from momentrnn.moments import METHODS, register_method

    with pytest.raises(InputError, match="certifier 'nonexistent'.*not registered"):
        register_method(_prony_under("uncertified", certifier="nonexistent"))
    assert "uncertified" not in METHODS
    try:
        register_method(_prony_under("my_prony-2"))
        assert "my_prony-2" in METHODS
    finally:
        METHODS.pop("my_prony-2", None)


def test_a_tableau_whose_error_estimate_is_always_zero_is_refused():
    from momentrnn.dynamics.integrators import ButcherTableau
    from momentrnn.dynamics.integrators.rosenbrock import RODAS4

    half = Fraction(1, 2)
    with pytest.raises(InputError, match="b_hat equals b"):
        ButcherTableau(name="no-error", c=(0, 1), a=((), (1,)), b=(half, half),
                       b_hat=(half, half), order=2, embedded_order=2)
    with pytest.raises(InputError, match="b_hat equals b"):
        ButcherTableau(name="no-error", c=(0.0, 1.0), a=((), (1.0,)), b=(0.5, 0.5),
                       b_hat=(0.5, 0.5), order=2, embedded_order=2)
    with pytest.raises(InputError, match="m_hat equals m"):
        type(RODAS4)(gamma=RODAS4.gamma, a=RODAS4.a, c=RODAS4.c, m=RODAS4.m, m_hat=RODAS4.m,
                     order=RODAS4.order, embedded_order=RODAS4.order, name="no-error")


def test_a_fraction_tableau_steps_in_doubles_like_its_float_twin():
    from momentrnn import integrate_flow
    from momentrnn.dynamics import register_integrator
    from momentrnn.dynamics.integrators import INTEGRATORS, ButcherTableau, ExplicitRungeKutta

    half = Fraction(1, 2)
    exact = ButcherTableau(name="heun-q", c=(0, 1), a=((), (1,)), b=(half, half),
                           b_hat=(1, 0), order=2, embedded_order=1)
    floats = ButcherTableau(name="heun-f", c=(0.0, 1.0), a=((), (1.0,)), b=(0.5, 0.5),
                            b_hat=(1.0, 0.0), order=2, embedded_order=1)
    assert exact.b == (half, half)  # the exact coefficients are kept for the order checks
    assert all(type(x) is float for x in (*exact.step_b, *exact.step_error,
                                          *exact.step_a[1]))
    classes = [type(f"HeunTest{i}", (ExplicitRungeKutta,), {"name": f"heun-test-{i}",
                                                            "tableau": tab})
               for i, tab in enumerate((exact, floats))]
    try:
        for cls in classes:
            register_integrator(cls)
        student, teacher = _flow_args(4, scale=0.1)
        runs = [integrate_flow(student, teacher, k=3, method=cls.name, t_max=1.0)
                for cls in classes]
    finally:
        for cls in classes:
            INTEGRATORS.pop(cls.name, None)
    assert runs[0].parameters[-1].dtype == np.float64
    assert runs[0].steps == runs[1].steps
    np.testing.assert_array_equal(runs[0].parameters[-1], runs[1].parameters[-1])


def _family(**over):
    from momentrnn.experiments import SweepFamily, SweepRow
    from momentrnn.experiments.families.base import seed_list

    attrs = dict(name="review_g", description="",
                 defaults={"ratios": [0.5], "scales": [1.0], "seeds": 1, "lengths": [4]},
                 types={"ratios": list, "scales": list, "seeds": (int, list), "lengths": list},
                 grid_keys=("ratios", "scales", "seeds"),
                 run_fields={"ratio": float, "scale": float, "seed": int},
                 group_fields=("ratio",), table_fields=("ratio", "scale"),
                 length_metrics=("ps",), headline="ps")
    attrs.update(over)

    def validate(self, p):
        return dict(p, seeds=seed_list(p["seeds"]))

    def expand(self, p):
        return [{"ratio": r, "scale": s, "seed": sd}
                for r in p["ratios"] for s in p["scales"] for sd in p["seeds"]]

    def run_group(self, p, runs):
        return [SweepRow(dict(r), 0.0, {q: {"ps": 1.0} for q in p["lengths"]}) for r in runs]

    def summary_table(self, rows):
        return (["ratio"], [[r.run["ratio"]] for r in rows])

    attrs.setdefault("validate", validate)
    attrs.update(expand=expand, run_group=run_group, summary_table=summary_table)
    return type("ReviewG", (SweepFamily,), attrs)()


@pytest.mark.parametrize("over, message", [
    ({"defaults": {"ratios": 0.5, "scales": [1.0], "seeds": 1, "lengths": [4]}},
     r"defaults\['ratios'\]=0.5 is not of its declared type"),
    ({"types": {"ratios": "list", "scales": list, "seeds": (int, list), "lengths": list}},
     r"types\['ratios'\]='list' must be a type"),
    ({"run_fields": {"ratio": float, "scale": "float", "seed": int}},
     r"run_fields\['scale'\]='float' must be a type"),
    ({"grid_keys": ("ratios", "scales", "seeds", "lengths"),
      "defaults": {"ratios": [0.5], "scales": [1.0], "seeds": 1, "lengths": 4},
      "types": {"ratios": list, "scales": list, "seeds": (int, list), "lengths": int}},
     "grid_keys names 'lengths', whose types .* do not admit a list"),
    ({"validate": lambda self, p: p}, r"grid key\(s\) \['seeds'\] are not lists"),
])
def test_register_family_checks_defaults_against_declarations(over, message):
    from momentrnn.experiments import FAMILIES, register_family

    with pytest.raises(InputError, match=message):
        register_family(_family(**over))
    assert "review_g" not in FAMILIES


def test_a_run_field_of_another_type_than_declared_is_refused_when_expanded(tmp_path):
    from momentrnn.experiments import FAMILIES, load_spec, register_family, run_sweep

    register_family(_family(run_fields={"ratio": int, "scale": float, "seed": int}))
    try:
        with pytest.raises(InputError, match=r"ratio=0.5 \(a float\).*run_fields declares"):
            load_spec({"family": "review_g"})
        with pytest.raises(InputError, match="run_fields declares"):
            run_sweep({"family": "review_g"}, str(tmp_path / "r.jsonl"), progress=False)
        assert not (tmp_path / "r.jsonl").exists() or \
            (tmp_path / "r.jsonl").read_text().strip() == ""
    finally:
        FAMILIES.pop("review_g", None)
    register_family(_family())  # the consistent declarations are accepted and run
    try:
        assert len(load_spec({"family": "review_g", "ratios": [0.5, 0.25]}).runs) == 2
    finally:
        FAMILIES.pop("review_g", None)


# --- momentrnn check: a claim without its module is an installation error -------------------

def test_check_fails_when_a_claim_has_no_check_module(monkeypatch, capsys):
    from momentrnn.cli import main
    from proofs_checks import harness, runner

    labels = [*harness.ALL_LABELS, "X9"]
    monkeypatch.setattr(harness, "ALL_LABELS", labels)
    monkeypatch.setattr(runner, "ALL_LABELS", labels)
    try:
        status = main(["check", "--quick", "--only", "M1,X9"])
    except SystemExit as exc:
        status = exc.code
    out = capsys.readouterr().out
    assert status == 3
    assert "proofs_checks/x9.py" in out and "X9" in out
    # the claim that has its module still ran and passed
    assert any(line.split()[:1] == ["M1"] and "PASS" in line for line in out.splitlines())
    report = runner.CheckReport([], ["X9"], 0, True)
    assert report.exit_status() == runner.EXIT_ERROR
    assert runner.CheckReport([], [], 0, True).exit_status() == runner.EXIT_PASS
