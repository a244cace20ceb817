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
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import scipy.integrate

from momentrnn import init_student, integrate_flow, named_teacher
from momentrnn.dynamics._problem import FlowProblem

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rk45-budget", type=float, default=20.0, help="seconds per RK45 run")
    args = parser.parse_args()
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
