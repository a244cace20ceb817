"""Gradient flow to L <= 1e-10 from init scale 1e-3: integrate_flow against the baselines.

``python benchmarks/bench_flow.py [--quick]`` prints markdown tables (one process). For each
(dim, k) and teacher (1, 2 and 3 atoms) and seed it times

- ``integrate_flow`` with ``method="rosenbrock"`` (RODAS4 with O(d k^2) Woodbury solves,
  default tolerances; ``method="auto"`` hands small problems to LSODA);
- scipy LSODA given the dense analytic Jacobian (not run where the dense 3d x 3d Jacobian
  would not fit: it is reported with the reason);
- scipy RK45, run with a time budget: when it does not finish, the time is extrapolated from
  the flow time it reached (its step is limited by stability in the stiff basin, so the cost
  grows linearly with the flow time) and labelled as an estimate;
- fixed-step gradient descent at the largest stable step 1.9 / lambda_max(Hessian at the
  solution): the steps needed are the flow time over the step (GD follows the flow there),
  times the measured cost of one step; an estimate.

It also reports the drift of b_i^2 - c_i^2 at the default tolerances.

``--scale`` prints instead the scale tables: one structured solve and whole runs of
``integrate_flow`` (teacher (0.9, -0.5), init scale 1e-3, to L <= 1e-10) at (d, k) = (1000, 51)
and (4000, 101), quiet and loaded (a second process multiplying 1500 x 1500 matrices in a loop
with its default BLAS threads), for

- the previous formulation (explicit J and Z = B^-1 J^T, the Woodbury core J Z^T, J rebuilt at
  every step; kept below as ``PreviousProblem``) with the default BLAS threads, as before;
- the current formulation with the default BLAS threads (``blas_threads=None``);
- the current formulation with one BLAS thread (the default of ``integrate_flow``).

"quiet" means no process started by the benchmark; other work on a shared machine is not
controlled (the load average is printed).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import scipy.integrate

from momentrnn import init_student, integrate_flow, named_teacher
from momentrnn.dynamics import FlowProblem, Linearisation, blas_threads_limited
from momentrnn.dynamics import flow as flow_module
from momentrnn.rnn.losses import diagonal_hessian_parts

TEACHERS = {"1 atom (decaying 0.5)": "decaying", "2 atoms (0.9, -0.5)": "two_pole",
            "3 atoms": "several"}
TARGET = 1e-10


def lsoda(problem: FlowProblem, theta0, t_end):
    def rhs(_t, y):
        return -problem.loss_grad(y)[1]

    def jac(_t, y):
        return -problem.hessian(y)

    def reached(_t, y):
        return problem.loss_grad(y)[0] - TARGET

    reached.terminal = True
    start = time.perf_counter()
    sol = scipy.integrate.solve_ivp(rhs, (0, 10 * t_end), theta0, method="LSODA", jac=jac,
                                    rtol=1e-6, atol=1e-12, events=reached)
    return time.perf_counter() - start, problem.loss_grad(sol.y[:, -1])[0]


def rk45(problem: FlowProblem, theta0, t_end, budget):
    start = time.perf_counter()

    def rhs(_t, y):
        if time.perf_counter() - start > budget:
            raise TimeoutError
        return -problem.loss_grad(y)[1]

    solver = scipy.integrate.RK45(rhs, 0.0, theta0, 10 * t_end, rtol=1e-6, atol=1e-12)
    try:
        while solver.status == "running":
            solver.step()
            if problem.loss_grad(solver.y)[0] <= TARGET:
                return time.perf_counter() - start, False
    except TimeoutError:
        pass
    elapsed = time.perf_counter() - start
    # stability-limited steps: cost proportional to the flow time still to cover
    return elapsed * t_end / max(solver.t, 1e-300), True


def gd_estimate(problem: FlowProblem, run):
    lam = largest_hessian_eigenvalue(problem, problem.pack(run.final))
    lr = 1.9 / lam
    steps = run.times[-1] / lr
    theta = problem.pack(run.final)  # time steps where this step size is stable
    start = time.perf_counter()
    n = 2000
    for _ in range(n):
        theta = theta - lr * problem.loss_grad(theta)[1]
    per_step = (time.perf_counter() - start) / n
    return steps * per_step, lr, steps


def largest_hessian_eigenvalue(problem: FlowProblem, theta) -> float:
    """lambda_max of the Hessian by Lanczos on the block-diagonal plus rank-k structure."""
    import scipy.sparse.linalg

    from momentrnn.rnn.losses import diagonal_hessian_parts

    d = problem.dim
    t = theta.reshape(d, 3)
    blocks, J = diagonal_hessian_parts(t[:, 0], t[:, 1], t[:, 2], problem.target, problem.rho)

    def matvec(v):
        v = np.asarray(v).ravel()
        out = np.einsum("dij,dj->di", blocks, v.reshape(d, 3)).ravel()
        return out + 2 * J.T @ (problem.rho * (J @ v))

    op = scipy.sparse.linalg.LinearOperator((3 * d, 3 * d), matvec=matvec, dtype=float)
    return float(scipy.sparse.linalg.eigsh(op, k=1, which="LA", return_eigenvectors=False)[0])


# -- scale: previous against current, quiet against loaded ---------------------------------


class _PreviousLinearisation(Linearisation):
    """The solve as it was before the powers-only core: explicit J (k, 3d), Z = B^-1 J^T and
    the core J Z^T (3 k^2 d products), the loss and gradient computed separately."""

    def __init__(self, problem: FlowProblem, theta) -> None:
        self.loss, self.grad = problem.loss_grad(theta)
        self.problem, self.theta = problem, theta

    def solver(self, s: float):
        problem, theta = self.problem, self.theta
        d = problem.dim
        t = theta.reshape(d, 3)
        blocks, J = diagonal_hessian_parts(t[:, 0], t[:, 1], t[:, 2], problem.target,
                                           problem.rho)
        Bd_inv = np.linalg.inv(np.eye(3)[None] + s * blocks)
        k = J.shape[0]
        Jd = np.ascontiguousarray(J.reshape(k, d, 3).transpose(1, 2, 0))
        Zd = np.empty_like(Jd)
        for i in range(3):
            Zd[:, i] = (Bd_inv[:, i, 0, None] * Jd[:, 0] + Bd_inv[:, i, 1, None] * Jd[:, 1]
                        + Bd_inv[:, i, 2, None] * Jd[:, 2])
        Z = Zd.transpose(2, 0, 1).reshape(k, 3 * d)
        Kinv = np.linalg.inv(np.diag(1.0 / (2.0 * s * problem.rho)) + J @ Z.T)

        def solve(y):
            x0 = (Bd_inv * y.reshape(d, 3)[:, None, :]).sum(-1).ravel()
            return x0 - (Kinv @ (J @ x0)) @ Z

        return solve


class PreviousProblem(FlowProblem):
    def linearise(self, theta, recycle=None):  # the previous code reused nothing
        return _PreviousLinearisation(self, theta)


@contextlib.contextmanager
def formulation(previous: bool):
    """integrate_flow with the previous solve (for the comparison only)."""
    if not previous:
        yield
        return
    saved = flow_module.FlowProblem
    flow_module.FlowProblem = PreviousProblem
    try:
        yield
    finally:
        flow_module.FlowProblem = saved


BUSY = ("import numpy as np\n"
        "a = np.random.default_rng(0).random((1500, 1500))\n"
        "while True:\n"
        "    a = a @ a\n"
        "    a /= np.abs(a).max()\n")


@contextlib.contextmanager
def loaded(on: bool):
    """A second busy process (numpy matrix products, default BLAS threads) while on."""
    if not on:
        yield
        return
    proc = subprocess.Popen([sys.executable, "-c", BUSY], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # let it start multiplying
    try:
        yield
    finally:
        proc.terminate()
        proc.wait()


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


VARIANTS = (("previous, default BLAS threads", True, None),
            ("current, default BLAS threads", False, None),
            ("current, one BLAS thread (default)", False, 1))


def solver_table(sizes, repeats: int = 7) -> None:
    print("### One structured solve factorisation (shifted_solver), median of "
          f"{repeats} (ms)\n")
    print("| (d, k) | formulation | quiet | loaded | load average (quiet, loaded) |")
    print("|---|---|---|---|---|")
    teacher = named_teacher("two_pole")
    for d, k in sizes:
        student = init_student(d, scale=1e-1, seed=0)
        for label, previous, threads in VARIANTS:
            cls = PreviousProblem if previous else FlowProblem
            problem = cls.for_model(student, teacher.impulse_response(k), np.ones(k))
            theta = problem.pack(student)
            cells, loads = [], []
            for busy in (False, True):
                with loaded(busy), blas_threads_limited(threads):
                    times = []
                    for _ in range(repeats):
                        t0 = time.perf_counter()
                        problem.linearise(theta).solver(0.1)
                        times.append(time.perf_counter() - t0)
                    loads.append(_load())
                cells.append(f"{1e3 * statistics.median(times):.1f}")
            print(f"| ({d}, {k}) | {label} | {cells[0]} | {cells[1]} | {', '.join(loads)} |",
                  flush=True)


def flow_row(d: int, k: int, previous: bool, threads, busy: bool):
    student = init_student(d, scale=1e-3, seed=0)
    with loaded(busy), formulation(previous):
        cpu = time.process_time()
        run = integrate_flow(student, named_teacher("two_pole"), k=k, method="rosenbrock",
                             blas_threads=threads)
        cpu = time.process_time() - cpu  # this process's CPU seconds, all its threads
        load = _load()
    eff = run.effective_dimension.rank if run.effective_dimension is not None else "-"
    return run, eff, load, cpu


def flow_scale_table(cases) -> None:
    print("\n### integrate_flow, teacher (0.9, -0.5), init scale 1e-3, to L <= 1e-10\n")
    print("| (d, k) | formulation | load | time (s) | CPU (s) | steps | final loss | drift of "
          "b^2-c^2 | effective dimension | load average |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for d, k, variant, busy in cases:
        label, previous, threads = VARIANTS[variant]
        run, eff, load, cpu = flow_row(d, k, previous, threads, busy)
        print(f"| ({d}, {k}) | {label} | {'loaded' if busy else 'quiet'} | {run.seconds:.1f} | "
              f"{cpu:.1f} | {run.steps} | {run.final_loss:.3e} | {run.invariant_drift:.1e} | "
              f"{eff} | {load} |", flush=True)


def scale_main(quick: bool, with_previous_4000: bool) -> None:
    print(f"{os.cpu_count()} cores; load average at start {_load()}\n")
    solver_table([(1000, 51)] if quick else [(1000, 51), (4000, 101)])
    cases = [(1000, 51, v, busy) for v in range(3) for busy in (False, True)]
    if not quick:
        cases += [(4000, 101, 2, False), (4000, 101, 2, True), (4000, 101, 1, False)]
        if with_previous_4000:
            cases += [(4000, 101, 0, False)]
    flow_scale_table(cases)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rk45-budget", type=float, default=20.0, help="seconds per RK45 run")
    parser.add_argument("--scale", action="store_true",
                        help="the scale tables (previous against current, quiet and loaded)")
    parser.add_argument("--with-previous-4000", action="store_true",
                        help="with --scale: also the previous formulation at (4000, 101) "
                        "(minutes)")
    args = parser.parse_args()
    if args.scale:
        scale_main(args.quick, args.with_previous_4000)
        return
    sizes = [(40, 10), (400, 21)] if args.quick else [(40, 10), (400, 21), (4000, 101)]
    seeds = range(2) if args.quick else range(5)
    print("| (d, k) | teacher | integrate_flow median (s) | max (s) | LSODA dense jac median (s)"
          " | RK45 (s) | GD at largest stable step (s, estimate) | speed-up over GD | "
          "drift of b^2-c^2 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for d, k in sizes:
        for label, name in TEACHERS.items():
            teacher = named_teacher(name)
            if d == 4000 and name != "two_pole" and not args.quick:
                continue  # the largest size: one teacher keeps the run within minutes
            ours, lso, rk, gd, drifts = [], [], [], [], []
            rk_estimated = False
            for seed in (seeds if d < 4000 else range(2)):
                student = init_student(d, scale=1e-3, seed=seed)
                run = integrate_flow(student, teacher, k=k, method="rosenbrock")
                assert run.final_loss <= TARGET, run.message
                ours.append(run.seconds)
                drifts.append(run.invariant_drift)
                problem = FlowProblem.for_model(student, teacher.impulse_response(k), np.ones(k))
                theta0 = problem.pack(student)
                if 3 * d <= 1500:
                    lso.append(lsoda(problem, theta0, run.times[-1])[0])
                if seed == 0:
                    t_rk, est = rk45(problem, theta0, run.times[-1], args.rk45_budget)
                    rk.append(t_rk)
                    rk_estimated |= est
                    gd.append(gd_estimate(problem, run)[0])
            med = statistics.median(ours)
            lso_s = f"{statistics.median(lso):.2f}" if lso else "not run (dense 3d x 3d Jacobian)"
            rk_s = f"{'~' if rk_estimated else ''}{rk[0]:.3g}" + (" (estimate)" if rk_estimated
                                                                   else "")
            print(f"| ({d}, {k}) | {label} | {med:.3f} | {max(ours):.3f} | {lso_s} | {rk_s} | "
                  f"~{gd[0]:.3g} | ~{gd[0] / med:.0f}x | {max(drifts):.1e} |", flush=True)


if __name__ == "__main__":
    main()
