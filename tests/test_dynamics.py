import mpmath
import numpy as np
import pytest

from momentrnn import (
    MP,
    gradient_descent,
    init_student,
    integrate_flow,
    moment_loss_gradient,
    named_teacher,
)
from momentrnn.dynamics._problem import FlowProblem
from momentrnn.dynamics.mp_flow import mp_gradient
from momentrnn.errors import InputError, MissingDependencyError


@pytest.mark.parametrize("method", ["rosenbrock", "LSODA"])
def test_flow_converges_and_loss_never_increases(method):
    run = integrate_flow(init_student(20, scale=1e-2, seed=0), named_teacher("two_pole"), k=6,
                         method=method)
    assert run.status == "converged" and run.final_loss <= 1e-10
    assert np.all(np.diff(run.loss) <= 1e-12 * run.loss[:-1] + 1e-300)
    assert run.effective_dimension.rank == 2


@pytest.mark.parametrize("rtol", [1e-6, 1e-9])
def test_diagonal_invariants_conserved_to_the_tolerance(rtol):
    run = integrate_flow(init_student(15, scale=1e-2, seed=1), named_teacher("several"), k=7,
                         rtol=rtol)
    assert run.ok
    assert run.invariant_drift < 100 * rtol * 1e-3  # b^2 - c^2 moves far less than rtol
    inv = run.invariants
    assert inv.shape == (len(run.record_times), 15)


def test_full_model_invariant_Q_conserved():
    run = integrate_flow(init_student(4, scale=0.3, seed=0, diagonal=False),
                         named_teacher("two_pole"), k=5, t_max=5.0, rtol=1e-9)
    assert run.ok and run.invariants.shape[1:] == (4, 4)
    assert run.invariant_drift < 1e-8


def test_mp_integrator_conserves_invariants_to_30_digits():
    for diagonal in (True, False):
        s = init_student(3, scale=0.3, seed=2, diagonal=diagonal)
        run = integrate_flow(s, named_teacher("two_pole"), k=4, method="gauss-mp",
                             precision=MP(35), t_max=0.3)
        assert run.invariant_drift < 1e-30
        # and it tracks the double-precision flow
        ref = integrate_flow(s, named_teacher("two_pole"), k=4, t_max=0.3, rtol=1e-11,
                             atol=1e-14)
        assert abs(run.final_loss - ref.final_loss) < 1e-8 * ref.final_loss


def test_a_wrong_gradient_breaks_the_mp_invariant(monkeypatch):
    """Negative control: the conservation seen above is a property of the true gradient."""
    import momentrnn.dynamics.mp_flow as mp_flow

    real = mp_flow.mp_gradient

    def skewed(problem, theta, ctx):
        g = real(problem, theta, ctx)
        g[1] = 1.1 * g[1]  # dL/db_1 scaled: no longer a gradient
        return g

    monkeypatch.setattr(mp_flow, "mp_gradient", skewed)
    run = integrate_flow(init_student(3, scale=0.3, seed=2), named_teacher("two_pole"), k=4,
                         method="gauss-mp", precision=MP(35), t_max=0.3)
    assert run.invariant_drift > 1e-6


def test_gd_imbalance_identity_R5_at_mp():
    """(b^2 - c^2)_{t+1} = (1 - lr^2 G^2)(b^2 - c^2)_t exactly, G = dL/dw."""
    s = init_student(4, scale=0.4, seed=3)
    t = named_teacher("several")
    k = 5
    ctx = mpmath.MPContext()
    ctx.dps = 60
    problem = FlowProblem.for_model(s, t.impulse_response(k), np.ones(k))
    theta = [ctx.mpf(float(v)) for v in problem.pack(s)]
    g = mp_gradient(problem, theta, ctx)
    lr = ctx.mpf("0.05")
    new = [x - lr * gi for x, gi in zip(theta, g)]
    for i in range(4):
        b, c = theta[3 * i + 1], theta[3 * i + 2]
        G = g[3 * i + 1] / c  # dL/db = c G
        lhs = new[3 * i + 1] ** 2 - new[3 * i + 2] ** 2
        rhs = (1 - lr**2 * G**2) * (b**2 - c**2)
        assert abs(lhs - rhs) < ctx.mpf(10) ** -55


def test_gd_full_model_Q_identity_R5_at_mp():
    s = init_student(3, scale=0.4, seed=5, diagonal=False)
    t = named_teacher("two_pole")
    k = 4
    ctx = mpmath.MPContext()
    ctx.dps = 60
    problem = FlowProblem.for_model(s, t.impulse_response(k), np.ones(k))
    theta = [ctx.mpf(float(v)) for v in problem.pack(s)]
    g = mp_gradient(problem, theta, ctx)
    lr = ctx.mpf("0.1")
    new = [x - lr * gi for x, gi in zip(theta, g)]
    from momentrnn.dynamics.mp_flow import mp_invariants

    q0, q1 = mp_invariants(problem, theta, ctx), mp_invariants(problem, new, ctx)
    d = 3
    GA = [[g[i * d + j] for j in range(d)] for i in range(d)]
    GB, GC = g[d * d : d * d + d], g[d * d + d :]
    for i in range(d):
        for j in range(d):
            rhs = lr**2 * (ctx.fsum(GA[i][m] * GA[j][m] - GA[m][i] * GA[m][j] for m in range(d))
                           + GB[i] * GB[j] - GC[i] * GC[j])
            assert abs(q1[i * d + j] - q0[i * d + j] - rhs) < ctx.mpf(10) ** -50


def test_balanced_stays_balanced():
    s = init_student(10, scale=1e-2, mode="balanced", seed=0)
    t = named_teacher("several")
    run = integrate_flow(s, t, k=7)
    assert np.all(run.imbalance == 0.0)  # integrated on b = c: exactly balanced throughout
    res = gradient_descent(s, t, k=7, lr=0.02, steps=500)
    assert np.array_equal(res.b, res.c)


def test_gd_numpy_and_torch_agree():
    pytest.importorskip("torch")
    students = [init_student(12, scale=1e-2, seed=s) for s in range(4)]
    t = named_teacher("two_pole")
    r1 = gradient_descent(students, t, k=6, lr=0.01, steps=300, backend="numpy")
    r2 = gradient_descent(students, t, k=6, lr=0.01, steps=300, backend="torch")
    assert np.allclose(r1.a, r2.a, rtol=1e-10, atol=1e-14)
    assert np.allclose(r1.loss, r2.loss, rtol=1e-10, atol=1e-14)


def test_gd_step_is_the_analytic_gradient():
    s = init_student(6, scale=0.3, seed=7)
    t = named_teacher("several")
    g = moment_loss_gradient(s, t, k=5)
    r = gradient_descent(s, t, k=5, lr=0.01, steps=1)
    assert np.allclose(r.a[0], s.a - 0.01 * g.a, rtol=0, atol=1e-16)
    assert np.allclose(r.b[0], s.b - 0.01 * g.b, rtol=0, atol=1e-16)


def test_diverging_runs_are_reported_per_run():
    students = [init_student(5, scale=0.1, seed=s) for s in range(3)]
    r = gradient_descent(students, named_teacher("long_memory"), k=8, lr=3.0, steps=200)
    assert set(r.status) == {"diverged"} and np.all(r.diverged_at >= 0)
    assert np.all(np.isfinite(r.a))
    ok = gradient_descent(students, named_teacher("long_memory"), k=8, lr=1e-3, steps=50)
    assert set(ok.status) == {"finished"} and np.all(ok.diverged_at == -1)


def test_flow_blow_up_is_a_status_not_an_exception():
    from momentrnn import DiagonalRNN

    s = DiagonalRNN([1.5, 0.2], [1.0, 1.0], [1.0, 1.0])
    run = integrate_flow(s, named_teacher("long_memory"), k=30, t_max=1e3, max_steps=2000)
    assert run.status in ("diverged", "max_steps", "t_max", "converged")
    assert isinstance(run.message, str)


def test_long_memory_teacher_trend_in_init_scale():
    """R13 on fixed seeds: small init extrapolates with dimension 1, large init does not."""
    t = named_teacher("long_memory")
    small, large = [], []
    for seed in range(3):
        r = integrate_flow(init_student(40, scale=1e-3, seed=seed), t, k=5)
        assert r.status == "converged" and r.effective_dimension.rank == 1
        small.append(r.extrapolation_error[1])
        r = integrate_flow(init_student(40, scale=1.0, seed=seed), t, k=5)
        large.append(r.extrapolation_error[1])
    assert max(small) < 0.05
    assert np.median(large) > 10 * np.median(small)


def test_bad_input():
    t = named_teacher("two_pole")
    s = init_student(5, scale=0.1)
    with pytest.raises(InputError, match="lr="):
        gradient_descent(s, t, k=3, lr=0.0, steps=10)
    with pytest.raises(InputError, match="k="):
        integrate_flow(s, t, k=0)
    with pytest.raises(InputError, match="method="):
        integrate_flow(s, t, k=3, method="euler")
    with pytest.raises(InputError, match="backend="):
        gradient_descent(s, t, k=3, lr=0.1, steps=1, backend="jax")
    with pytest.raises(InputError, match="share a dimension"):
        gradient_descent([s, init_student(6, scale=0.1)], t, k=3, lr=0.1, steps=1)
    with pytest.warns(UserWarning, match="not overparameterized"):
        integrate_flow(init_student(1, scale=0.1), t, k=3, t_max=1.0)


def test_torch_missing_is_a_clear_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch":
            raise ImportError("no torch")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(MissingDependencyError, match="momentrnn\\[torch\\]"):
        gradient_descent(init_student(3, scale=0.1), named_teacher("decaying"), k=2, lr=0.1,
                         steps=1, backend="torch")


# the README's case, and non-round targets with other seeds and teachers
_TARGETS = [(0, "two_pole", 6, 1e-10), (1, "two_pole", 6, 1e-10 / 3), (2, "decaying", 5, 3.7e-9),
            (4, "several", 7, 2.9e-11)]


@pytest.mark.parametrize("method", ["LSODA", "BDF"])
@pytest.mark.parametrize("seed, teacher, k, target", _TARGETS)
def test_converged_means_the_reported_loss_is_at_or_below_the_target(method, seed, teacher, k,
                                                                     target):
    run = integrate_flow(init_student(12, scale=1e-2, seed=seed), named_teacher(teacher), k=k,
                         method=method, until_loss=target)
    assert run.status == "converged", run.message
    assert run.final_loss <= target and float(run.loss[-1]) == run.final_loss
    assert run.events["until_loss"] == run.times[-1]


def test_a_loss_event_located_above_the_target_is_stepped_past_or_reported(monkeypatch):
    from momentrnn.dynamics.integrators import scipy_ivp

    student, teacher = init_student(20, scale=1e-2, seed=0), named_teacher("two_pole")
    # the event at the target itself: scipy's root lands on either side of it
    monkeypatch.setattr(scipy_ivp, "EVENT_MARGIN", 0.0)
    for target in (1e-10, 1e-10 / 3, 7.1e-10):
        run = integrate_flow(student, teacher, k=6, method="LSODA", until_loss=target)
        assert run.status == "converged" and run.final_loss <= target, run.message
    # an event that always lands above the target, and no restart: not 'converged'
    monkeypatch.setattr(scipy_ivp, "EVENT_MARGIN", -1e-3)
    monkeypatch.setattr(scipy_ivp, "EVENT_RESTARTS", 0)
    run = integrate_flow(student, teacher, k=6, method="LSODA", until_loss=1e-10)
    assert run.final_loss > 1e-10 and run.status == "stalled" and not run.ok
    assert "above it" in run.message


def test_an_integrator_that_claims_convergence_above_the_target_is_not_believed():
    from momentrnn.dynamics.integrators import (
        FlowRun,
        Integrator,
        register_integrator,
        unregister_integrator,
    )

    class Boastful(Integrator):
        name = "boastful"

        def integrate(self, problem, theta0, options):
            loss, grad = problem.loss_grad(theta0)
            return FlowRun(times=[0.0], thetas=[theta0], losses=[loss],
                           gnorms=[float(np.linalg.norm(grad))], status="converged",
                           message="done", steps=0, nfev=1)

    register_integrator(Boastful)
    try:
        student, teacher = init_student(6, scale=0.1, seed=0), named_teacher("decaying")
        run = integrate_flow(student, teacher, k=5, method="boastful", until_loss=1e-10)
        assert run.final_loss > 1e-10 and run.status == "stalled" and not run.ok
        assert "above until_loss=1e-10" in run.message
        from momentrnn.errors import IntegrationError

        with pytest.raises(IntegrationError, match="stalled"):
            integrate_flow(student, teacher, k=5, method="boastful", until_loss=1e-10,
                           throw=True)
    finally:
        unregister_integrator("boastful")


def test_sweep_rows_say_converged_only_at_or_below_the_target():
    from momentrnn.experiments.linear import run_linear_group

    params = {"trainer": "flow", "until_loss": 1e-10, "lengths": [100]}
    runs = [{"teacher": "two_pole", "dim": 20, "k": 6, "mode": "random", "scale": 1e-2,
             "seed": seed} for seed in (0, 1)]
    rows = run_linear_group(params, runs)
    assert [row.status for row in rows] == ["converged", "converged"]
    assert all(row.training_loss <= 1e-10 for row in rows), [row.training_loss for row in rows]


def test_gauss_mp_halves_its_step_when_the_stage_equations_do_not_converge(monkeypatch):
    """The default step count comes from the initial gradient; when the stage equations do not
    converge with it the integration is repeated with twice the steps, then refused."""
    import momentrnn.dynamics.mp_flow as mp_flow
    from momentrnn.errors import IntegrationError

    real = mp_flow._gauss_run
    tried = []

    def fails_first(problem, y, t_max, precision, record, steps, ctx):
        tried.append(steps)
        if len(tried) == 1:
            raise IntegrationError("stage equations did not converge")
        return real(problem, y, t_max, precision, record, steps, ctx)

    monkeypatch.setattr(mp_flow, "_gauss_run", fails_first)
    run = integrate_flow(init_student(3, scale=0.3, seed=2), named_teacher("two_pole"), k=4,
                         method="gauss-mp", precision=MP(30), t_max=0.1)
    assert tried[1] == 2 * tried[0] and run.invariant_drift < 1e-20

    def never(problem, y, t_max, precision, record, steps, ctx):
        tried.append(steps)
        raise IntegrationError("stage equations did not converge")

    tried.clear()
    monkeypatch.setattr(mp_flow, "_gauss_run", never)
    with pytest.raises(IntegrationError):
        integrate_flow(init_student(3, scale=0.3, seed=2), named_teacher("two_pole"), k=4,
                       method="gauss-mp", precision=MP(30), t_max=0.1)
    assert tried == [tried[0] << i for i in range(mp_flow.REFINEMENTS + 1)]
