"""The flow at scale: the structured solve, the BLAS thread limit, signs of life."""

from __future__ import annotations

import io
import sys
import threading
import time

import numpy as np
import pytest

from momentrnn import init_student, integrate_flow, named_teacher
from momentrnn.dynamics import _problem
from momentrnn.dynamics._problem import FlowProblem
from momentrnn.errors import InputError
from momentrnn.rnn.models import DiagonalRNN, LinearRNN

threadpoolctl = pytest.importorskip("threadpoolctl")


def _blas_threads() -> int:
    return max(i["num_threads"] for i in threadpoolctl.threadpool_info()
               if i["user_api"] == "blas")


def _random_problem(d, k, seed, a_range=1.05):
    rng = np.random.default_rng(seed)
    model = DiagonalRNN(rng.uniform(-a_range, a_range, d), rng.normal(size=d),
                        rng.normal(size=d))
    # non-uniform lag weights and a target far from the model: every Hessian term matters
    problem = FlowProblem.for_model(model, rng.normal(size=k), rng.uniform(0.1, 3.0, k))
    return problem, problem.pack(model), rng


@pytest.mark.parametrize("d,k,seed", [(1, 1, 0), (2, 3, 1), (9, 4, 2), (40, 12, 3),
                                      (30, 45, 4)])
def test_structured_solve_is_the_dense_solve(d, k, seed):
    problem, theta, rng = _random_problem(d, k, seed)
    H = problem.hessian(theta)
    lin = problem.linearise(theta)
    loss, grad = problem.loss_grad(theta)
    assert lin.loss == pytest.approx(loss, rel=1e-13)
    np.testing.assert_allclose(lin.grad, grad, rtol=1e-12, atol=1e-12 * np.abs(grad).max())
    for s in (1e-6, 0.01, 0.7, 30.0, 1e5):
        M = np.eye(3 * d) + s * H
        for _ in range(2):
            y = rng.normal(size=3 * d)
            x = lin.solver(s)(y)
            # a backward-stable answer: small residual relative to the matrix and the solution
            residual = np.linalg.norm(M @ x - y)
            assert residual <= 1e-10 * (np.linalg.norm(M, 2) * np.linalg.norm(x)
                                        + np.linalg.norm(y)), (s, residual)


def test_structured_solve_against_the_previous_formulation():
    """The Woodbury core from the powers alone equals J B^-1 J^T built from the explicit J."""
    from momentrnn.rnn.losses import diagonal_hessian_parts

    problem, theta, rng = _random_problem(25, 9, 7)
    t = theta.reshape(25, 3)
    blocks, J = diagonal_hessian_parts(t[:, 0], t[:, 1], t[:, 2], problem.target, problem.rho)
    s = 0.37
    Bd = np.eye(3)[None] + s * blocks
    dense_B = np.zeros((75, 75))
    for i in range(25):
        dense_B[3 * i : 3 * i + 3, 3 * i : 3 * i + 3] = Bd[i]
    M = dense_B + 2 * s * J.T @ (problem.rho[:, None] * J)
    y = rng.normal(size=75)
    np.testing.assert_allclose(problem.shifted_solver(theta, s)(y), np.linalg.solve(M, y),
                               rtol=1e-9, atol=1e-12)


def test_full_models_use_the_dense_factorisation():
    rng = np.random.default_rng(3)
    d, k = 3, 5
    model = LinearRNN(0.3 * rng.normal(size=(d, d)), rng.normal(size=d), rng.normal(size=d))
    problem = FlowProblem.for_model(model, rng.normal(size=k), np.ones(k))
    theta = problem.pack(model)
    y = rng.normal(size=theta.size)
    M = np.eye(theta.size) + 0.5 * problem.hessian(theta)
    np.testing.assert_allclose(M @ problem.shifted_solver(theta, 0.5)(y), y, atol=1e-10)


def test_structured_and_dense_integrators_agree(monkeypatch):
    """The same RODAS4 run with the structured and the dense solves: same steps, same end."""
    student = init_student(80, scale=1e-3, seed=5)
    teacher = named_teacher("two_pole")
    fast = integrate_flow(student, teacher, k=8, method="rosenbrock")
    calls = []

    def dense_solve(problem, theta, recycle=None):  # the diagonal model solved as a full one
        calls.append(theta)
        loss, grad = problem.loss_grad(theta)
        return _problem._DenseLinearisation(loss, grad, problem, theta)

    monkeypatch.setattr(_problem, "_DiagonalLinearisation", dense_solve)
    dense = integrate_flow(student, teacher, k=8, method="rosenbrock")
    assert len(calls) >= dense.steps  # every step solved densely
    assert fast.status == dense.status == "converged"
    assert abs(fast.steps - dense.steps) <= 2
    assert fast.final_loss <= 1e-10 and dense.final_loss <= 1e-10
    assert fast.effective_dimension.rank == dense.effective_dimension.rank == 2
    assert fast.invariant_drift < 1e-9 and dense.invariant_drift < 1e-9
    np.testing.assert_allclose(fast.final.impulse_response(20), dense.final.impulse_response(20),
                               atol=1e-5)


def test_a_wrong_core_is_caught(monkeypatch):
    """Negative control: the solve test fails when the Woodbury core misses its cross term."""
    problem, theta, rng = _random_problem(12, 6, 11)
    lin = problem.linearise(theta)
    good = lin.solver(0.5)
    original = lin._work
    broken = original[0].copy()
    broken[:, 0] = 0.0  # drop the D rows: the a-derivatives vanish from the core
    lin._work = (broken,) + original[1:]
    bad = lin.solver(0.5)
    lin._work = original
    M = np.eye(36) + 0.5 * problem.hessian(theta)
    y = rng.normal(size=36)
    assert np.linalg.norm(M @ good(y) - y) < 1e-10 * np.linalg.norm(y)
    assert np.linalg.norm(M @ bad(y) - y) > 1e-3 * np.linalg.norm(y)


# -- BLAS threads ------------------------------------------------------------------------


def test_the_flow_runs_with_one_blas_thread_and_restores_the_setting():
    seen = []
    student = init_student(100, scale=1e-3, seed=0)
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        integrate_flow(student, named_teacher("decaying"), k=6, method="rosenbrock",
                       progress=lambda t, loss: seen.append(_blas_threads()))
        assert _blas_threads() == before
        left = []
        integrate_flow(student, named_teacher("decaying"), k=6, method="rosenbrock",
                       blas_threads=None,
                       progress=lambda t, loss: left.append(_blas_threads()))
    assert seen and set(seen) == {1}
    assert set(left) == {before}


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "1"])
def test_blas_threads_must_be_a_positive_count(bad):
    with pytest.raises(InputError, match="blas_threads"):
        integrate_flow(init_student(5, scale=1e-2, seed=0), named_teacher("decaying"), k=3,
                       blas_threads=bad)


def report_blas_threads(params, runs):  # run in a pool worker
    return [{"run_id": r["run_id"], "threads": _blas_threads()} for r in runs]


@pytest.mark.parametrize("threads", [1, 2])
def test_process_workers_get_the_blas_limit(threads):
    from momentrnn.experiments import runner

    rows = []
    runner._run_processes({}, [[{"run_id": "x"}]], rows.extend, 1, lambda: "",
                          fn=report_blas_threads, blas_threads=threads)
    assert rows == [{"run_id": "x", "threads": threads}]


def test_dask_workers_get_the_blas_limit():
    pytest.importorskip("distributed")
    from momentrnn.experiments import runner

    rows = []
    # Dask's nannies start workers with one thread; 2 shows the limit is the runner's doing
    runner._run_dask({}, [[{"run_id": "y"}]], rows.extend, None, 1, lambda: "",
                     fn=report_blas_threads, blas_threads=2)
    assert rows == [{"run_id": "y", "threads": 2}]


def test_run_sweep_refuses_a_bad_blas_thread_count(tmp_path):
    from momentrnn.experiments import run_sweep

    with pytest.raises(InputError, match="blas_threads"):
        run_sweep({"family": "linear"}, str(tmp_path / "r.jsonl"), blas_threads=0)


# -- signs of life -----------------------------------------------------------------------


class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_flow_progress_writes_lines_while_nothing_reports(monkeypatch):
    from momentrnn.cli.flow import _Progress

    err = _Pipe()
    monkeypatch.setattr(sys, "stderr", err)
    progress = _Progress(quiet=False, every=0.2)
    time.sleep(0.7)  # a long step: no callback at all
    progress(3.0, 0.25)
    time.sleep(0.5)
    progress.done()
    lines = err.getvalue().splitlines()
    assert any("flow: running" in line for line in lines)
    assert any("t = 3, loss = 2.500e-01" in line for line in lines)
    assert len(lines) >= 3
    assert "\r" not in err.getvalue()  # plain lines for a log, no redrawing
    count = len(lines)
    time.sleep(0.5)
    assert len(err.getvalue().splitlines()) == count  # the clock stopped with done()


def test_flow_progress_quiet_writes_nothing(monkeypatch):
    from momentrnn.cli.flow import _Progress

    err = _Pipe()
    monkeypatch.setattr(sys, "stderr", err)
    progress = _Progress(quiet=True, every=0.05)
    progress(1.0, 1.0)
    time.sleep(0.3)
    progress.done()
    assert err.getvalue() == ""


def test_sweep_progress_lines_while_a_task_runs(tmp_path, monkeypatch):
    from momentrnn.experiments import run_sweep, runner

    spec = {"family": "linear", "teachers": ["decaying"], "dims": [4], "k": 3,
            "scales": [1e-2], "modes": ["random"], "seeds": [0], "lengths": [50],
            "trainer": "gd", "lr": 0.05, "steps": 50}
    real = runner.run_task

    def slow(params, runs):
        time.sleep(1.0)
        return real(params, runs)

    err = _Pipe()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(runner, "run_task", slow)
    monkeypatch.setattr(runner, "PROGRESS_EVERY", 0.2)
    run_sweep(spec, str(tmp_path / "r.jsonl"))
    lines = [line for line in err.getvalue().splitlines() if "sweep:" in line]
    assert any("sweep: 0/1 runs" in line for line in lines)  # while the only task runs
    assert lines[-1].startswith("  sweep: 1/1 runs")
    assert threading.active_count() < 20  # no clock thread left running per sweep


def test_a_recycled_linearisation_refuses_new_solvers_and_old_ones_stay_valid():
    problem, theta, rng = _random_problem(15, 7, 13)
    first = problem.linearise(theta)
    solve = first.solver(0.2)
    y = rng.normal(size=45)
    x = solve(y)
    other = theta + 0.1 * rng.normal(size=45)
    second = problem.linearise(other, recycle=first)  # overwrites first's work arrays
    with pytest.raises(RuntimeError, match="recycled"):
        first.solver(0.2)
    np.testing.assert_array_equal(solve(y), x)
    M = np.eye(45) + 0.2 * problem.hessian(other)
    assert np.linalg.norm(M @ second.solver(0.2)(y) - y) < 1e-10 * np.linalg.norm(y)
