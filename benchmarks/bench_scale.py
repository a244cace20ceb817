"""Large problems: the rank of 2000 double moments, recovery at n = 200 and its growth, and
the gradient flow at d = 4000.

``python benchmarks/bench_scale.py [--quick]`` prints markdown tables (one process):

- ``hankel_rank`` of 2000 double moments (a 1000 x 1000 Hankel matrix) with the default
  precision, against the same call at the precision the data carry plus 30 digits (the old
  default), for 200-2000 moments; the verdicts must agree;
- ``recover_measure`` of the n-point Gauss-Legendre rule from its 2n exact moments at
  ``digits=30``, n = 25 ... 200, with the time spent in each stage (from the ``progress``
  callback) and the growth exponent of the total time between successive sizes;
- ``integrate_flow`` at d = 4000, k = 101 (teacher (0.9, -0.5), init scale 1e-3, to
  L <= 1e-10), quiet and loaded: beside a second busy process (numpy matrix products with its
  default BLAS threads), with the loss, the invariant drift and the effective dimension.
  The CPU seconds of the benchmark's process show what a slowdown is made of: the same CPU
  time in more wall time is the share of the cores the system gave it.

Targets (2 cores): hankel_rank of 2000 doubles <= 5 s; recovery at n = 200 <= 20 s; the flow
<= 40 s quiet and <= 2x that loaded.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from fractions import Fraction

from momentrnn import MP, hankel_rank, recover_measure


def double_moments(count: int, n: int = 6, seed: int = 0) -> list[float]:
    rng = random.Random(seed)
    x = [Fraction(rng.randint(-900, 900), 997) for _ in range(n)]
    w = [Fraction(rng.randint(100, 900), 991) for _ in range(n)]
    return [float(sum(wi * xi**j for xi, wi in zip(x, w))) for j in range(count)]


def rank_table(quick: bool) -> None:
    print("### hankel_rank of double moments (6 atoms), default precision\n")
    print("| moments | matrix | default (s) | verdict | MP(46) (s) | verdict |")
    print("|---|---|---|---|---|---|")
    for count in ([200, 400, 2000] if quick else [200, 400, 800, 2000]):
        m = double_moments(count)
        t0 = time.perf_counter()
        fast = hankel_rank(m)
        t_fast = time.perf_counter() - t0
        if count <= 400:
            t0 = time.perf_counter()
            slow = hankel_rank(m, precision=MP(46))
            t_slow = f"{time.perf_counter() - t0:.2f}"
            v_slow = f"{slow.rank} {slow.verdict}"
        else:
            t_slow, v_slow = "not run (minutes)", "-"
        s = (count + 1) // 2
        print(f"| {count} | {s}x{s} | {t_fast:.2f} | {fast.rank} {fast.verdict} "
              f"({fast.precision}) | {t_slow} | {v_slow} |", flush=True)


def legendre(n: int) -> list[Fraction]:
    return [Fraction(2, j + 1) if j % 2 == 0 else Fraction(0) for j in range(2 * n)]


def recovery_table(quick: bool) -> None:
    print("\n### recover_measure, Gauss-Legendre from 2n exact moments, digits=30\n")
    print("| n | total (s) | rank (s) | certification (s) | residual (s) | digits | "
          "growth exponent |")
    print("|---|---|---|---|---|---|---|")
    previous = None
    for n in ([25, 50, 100] if quick else [25, 50, 100, 200]):
        marks: list[tuple[str, float]] = []
        t0 = time.perf_counter()
        r = recover_measure(legendre(n), digits=30,
                            progress=lambda s, log=marks: log.append((s, time.perf_counter())))
        total = time.perf_counter() - t0
        stamps = [t for _, t in marks] + [t0 + total]
        spent: dict[str, float] = {"rank": 0.0, "certif": 0.0, "residual": 0.0}
        for (stage, start), end in zip(marks, stamps[1:]):
            key = ("rank" if "rank" in stage or "singular" in stage else
                   "residual" if "residual" in stage else "certif")
            spent[key] += end - start
        growth = "-" if previous is None else \
            f"{math.log(total / previous[1]) / math.log(n / previous[0]):.2f}"
        print(f"| {n} | {total:.2f} | {spent['rank']:.2f} | {spent['certif']:.2f} | "
              f"{spent['residual']:.2f} | {r.digits:g} | {growth} |", flush=True)
        previous = (n, total)


def flow_table(quick: bool) -> None:
    from bench_flow import VARIANTS, flow_row

    d, k = (1000, 51) if quick else (4000, 101)
    print("\n### integrate_flow, teacher (0.9, -0.5), init scale 1e-3, to L <= 1e-10 "
          "(one BLAS thread, the default)\n")
    print("| (d, k) | load | time (s) | ratio to quiet | CPU (s) | steps | final loss | drift of "
          "b^2-c^2 | effective dimension | load average |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    quiet = None
    _, previous, threads = VARIANTS[2]
    for busy in (False, True):
        run, eff, load, cpu = flow_row(d, k, previous, threads, busy)
        quiet = run.seconds if quiet is None else quiet
        print(f"| ({d}, {k}) | {'loaded' if busy else 'quiet'} | {run.seconds:.1f} | "
              f"{run.seconds / quiet:.2f} | {cpu:.1f} | {run.steps} | {run.final_loss:.3e} | "
              f"{run.invariant_drift:.1e} | {eff} | {load} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--only", choices=["rank", "recovery", "flow"],
                        help="one section only")
    args = parser.parse_args()
    if args.only in (None, "rank"):
        rank_table(args.quick)
    if args.only in (None, "recovery"):
        recovery_table(args.quick)
    if args.only in (None, "flow"):
        flow_table(args.quick)


if __name__ == "__main__":
    main()
