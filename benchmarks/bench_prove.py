"""The validated integrator of ``momentrnn prove`` against the issue's targets.

``python benchmarks/bench_prove.py [--quick] [--run-targets]`` prints markdown (one process):

1. **Cost per step** (CPU seconds of this process, and wall) of the validated Lohner step for
   the two_pole teacher, k = 5, init scale 1e-3, seed 0, at d = 2, 4, 8, 12, 20, over the
   first steps of the run (a short horizon), with the Jacobian of the Taylor map in rounded
   double midpoint-radius arithmetic (the default, ``jacobian="interval"``) and in python-flint
   balls (``jacobian="ball"``, the previous code).
2. **Convergence** of two_pole, d = d_hat = 2, k = 5, T = 25: ``prove_flow`` end to end (the
   finite-time enclosure and the local argument), measured; then the run continued from its
   end box for 2 time units, for the number of steps per time unit after convergence.
3. The **extrapolated** cost of the finite-time theorem at d = 8, T = 100 and d = 20, T = 40:
   the d = 2 step count (to 25, measured, plus the rate after it times the rest) times the
   cost per step at that d. The step count at larger d is assumed equal to d = 2's (the step
   is set by the remainder tolerance 1e-20 and the stiffness of the loss); that is an
   assumption, stated as such.
4. **Profile** of 5 steps at d = 8: where the time goes.

``--run-targets`` also runs the finite-time theorems d = 8, T = 100 and d = 20, T = 40 once, end
to end, with ``prove_flow``'s defaults (remainder budget 1e-12 over the run), and prints what
they prove; ``--targets-only`` runs just those two (niced by the caller).
The machine is shared: the load average is printed beside every timing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time
from fractions import Fraction

from momentrnn.prove import ValidatedFlow, prove_flow
from momentrnn.rnn import init_student, named_teacher
from momentrnn.rnn.losses import lag_weights_for

K = 5


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def _problem(d: int):
    model = named_teacher("two_pole")
    # the teacher's first K lags in doubles, as the flow fits them (two_pole is real)
    target = [Fraction(float(x)) for x in model.impulse_response(K)]
    rho = [Fraction(float(r)) for r in lag_weights_for(K, None)]
    student = init_student(d, scale=1e-3, seed=0)
    z0 = [Fraction(float(x)) for x in (*student.a, *student.b, *student.c)]
    return target, rho, z0


def cost_per_step(d: int, steps: int, jacobian: str) -> tuple[float, float, float]:
    """(CPU s per step, wall s per step, flow time reached) over the first ``steps`` steps."""
    target, rho, z0 = _problem(d)
    flow = ValidatedFlow(target, rho, jacobian=jacobian)
    cpu, wall = time.process_time(), time.perf_counter()
    run = flow.integrate(z0, 100, max_steps=steps)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / run.steps, wall / run.steps, float(run.t_final)


def _ball(lo: Fraction, hi: Fraction):
    import flint

    return flint.arb(flint.fmpq(lo.numerator, lo.denominator)).union(
        flint.arb(flint.fmpq(hi.numerator, hi.denominator)))


def window_steps(box: list, width: float) -> tuple[int, float]:
    """(steps, CPU s) of the d = 2 run continued from the end box at T = 25 over ``width``
    more time units (the step size after convergence, for the extrapolation)."""
    target, rho, _ = _problem(2)
    flow = ValidatedFlow(target, rho)
    cpu = time.process_time()
    run = flow.integrate(box, width)
    assert run.proved, run.reason
    return run.steps, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="cost per step and profile only")
    parser.add_argument("--run-targets", action="store_true",
                        help="also run the d = 8, T = 100 and d = 20, T = 40 theorems once")
    parser.add_argument("--targets-only", action="store_true",
                        help="run only the d = 8, T = 100 and d = 20, T = 40 theorems")
    parser.add_argument("--dim", type=int, choices=(8, 20), default=None,
                        help="with --targets-only: only the target of this dimension")
    parser.add_argument("--progress", type=int, default=0, metavar="N",
                        help="with --targets-only: print the time reached every N steps")
    args = parser.parse_args()
    if args.targets_only:
        if args.progress:
            _report_progress(args.progress)
        run_targets(args.dim)
        return

    print("## Cost per validated step (two_pole, k = 5, init scale 1e-3, order 10, "
          "128-bit balls)\n")
    print("| d | Jacobian | steps timed | flow time | CPU ms / step | wall ms / step | "
          "load average |")
    print("|---|---|---|---|---|---|---|")
    per_step = {}
    for d in (2, 4, 8, 12, 20):
        n = 20 if d <= 8 else 8
        for jac in ("interval", "ball"):
            cpu, wall, t = cost_per_step(d, n, jac)
            per_step[d, jac] = cpu
            print(f"| {d} | {jac} | {n} | {t:.3f} | {cpu * 1e3:.1f} | {wall * 1e3:.1f} | "
                  f"{_load()} |", flush=True)

    print("\n## Profile of 5 steps at d = 8 (default Jacobian), by own time\n")
    target, rho, z0 = _problem(8)
    flow = ValidatedFlow(target, rho)
    prof = cProfile.Profile()
    prof.enable()
    flow.integrate(z0, 100, max_steps=5)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(12)
    print("```")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])
    print("```", flush=True)
    if args.quick:
        return

    print("\n## Convergence at d = d_hat = 2 and the steps after it\n")
    print("| run | steps | CPU s | wall s | result | load average |")
    print("|---|---|---|---|---|---|")
    cpu, wall = time.process_time(), time.perf_counter()
    proof = prove_flow("two_pole", 2, 5, 1e-3, 0, 25.0, length=1000)
    print(f"| d = d_hat = 2, T = 25, prove_flow (enclosure and local argument) | "
          f"{proof.steps} | {time.process_time() - cpu:.1f} | "
          f"{time.perf_counter() - wall:.1f} | status {proof.status}, largest radius "
          f"{proof.max_radius:.2e} | {_load()} |", flush=True)
    from momentrnn.precision import flint_precision

    with flint_precision(128):
        box = [_ball(lo, hi) for lo, hi in (*proof.a, *proof.b, *proof.c)]
    width = 2.0
    more, cpu = window_steps(box, width)
    rate = more / width
    print(f"| d = 2 from the T = 25 box, {width:g} more time units | {more} | {cpu:.1f} | - | "
          f"{rate:.0f} steps per time unit after convergence | {_load()} |", flush=True)
    counts = {T: proof.steps + round((T - 25) * rate) for T in (40.0, 100.0)}

    print("\n## Targets: extrapolated (the d = 2 step count to 25 plus the rate after it, "
          "times the cost per step at d)\n")
    print("| target | budget | steps (d = 2, extrapolated) | CPU ms / step at d | "
          "estimated CPU | verdict |")
    print("|---|---|---|---|---|---|")
    for d, T, budget in ((8, 100.0, 600), (20, 40.0, 1800)):
        for jac in ("interval", "ball"):
            est = counts[T] * per_step[d, jac]
            verdict = "fits" if est <= budget else f"{est / budget:.1f}x over"
            print(f"| d = {d}, T = {T:g} ({jac} Jacobian) | {budget} s | {counts[T]} | "
                  f"{per_step[d, jac] * 1e3:.1f} | {est:.0f} s (extrapolation) | {verdict} |")
    if args.run_targets:
        run_targets()


def _report_progress(every: int) -> None:
    """Print (stderr) the flow time, accepted steps and CPU seconds every ``every`` steps of
    the validated runs that follow (a wrapper of the step; the proof is unchanged)."""
    import sys

    step = ValidatedFlow._step
    count = {"calls": 0, "t": 0.0}
    cpu0 = time.process_time()

    def wrapped(self, state, h, tolerance):
        out = step(self, state, h, tolerance)
        count["calls"] += 1
        if not isinstance(out[0], float):
            count["t"] += float(h)
        if count["calls"] % every == 0:
            print(f"  {count['calls']} steps tried, t about {count['t']:.4g}, last h "
                  f"{float(h):.3g}, CPU {time.process_time() - cpu0:.0f} s, load {_load()}",
                  file=sys.stderr, flush=True)
        return out

    ValidatedFlow._step = wrapped


def run_targets(dim: int | None = None) -> None:
    """The two finite-time targets end to end (or the one of dimension ``dim``), with what
    they prove."""
    for d, T, budget in ((8, 100.0, 600), (20, 40.0, 1800)):
        if dim is not None and d != dim:
            continue
        cpu, wall = time.process_time(), time.perf_counter()
        proof = prove_flow("two_pole", d, K, 1e-3, 0, T, length=1000, converge=False)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        loads = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\nd = {d}, T = {T:g} (budget {budget} s CPU): status {proof.status}, final time "
              f"{float(proof.final_time):g}, {proof.steps} steps ({proof.rejected} rejected), "
              f"CPU {cpu:.0f} s ({cpu / max(proof.steps, 1) * 1e3:.1f} ms a step), wall "
              f"{wall:.0f} s, largest radius {proof.max_radius:.2e}, load average {loads} "
              "(1, 5, 15 min)")
        if proof.reason:
            print(f"reason: {proof.reason}")
        for line in proof.statements():
            print(line)
        print("largest radius along the run: "
              + " ".join(f"t={t:g}:{w:.1e}" for t, w in proof.widths[::20]), flush=True)


if __name__ == "__main__":
    main()
