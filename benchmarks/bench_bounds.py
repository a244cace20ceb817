"""Range of m_{2k+1} given m_0..m_{2k} of the uniform measure on [-1, 1], k = 2..30.

``python benchmarks/bench_bounds.py [--quick]`` prints a markdown table: the relative error of
the width of the range and the time, for cvxpy in the monomial basis (Clarabel and SCS, the way
the problem is usually written by hand) and for momentrnn (exact, and its Chebyshev-basis SDP).
The reference is momentrnn's exact rational answer; one process, so the times compare.
"""

from __future__ import annotations

import argparse
import time
import warnings
from fractions import Fraction

import cvxpy as cp
import numpy as np

from momentrnn import extrapolation_range, next_moment_range


def uniform(count):
    return [Fraction(1, j + 1) if j % 2 == 0 else Fraction(0) for j in range(count)]


def monomial_sdp(m: list, solver: str) -> tuple[float, float, str]:
    """The textbook formulation: unknown y_{2k+1}, localising matrices (1 +- x) in monomials."""
    k = (len(m) - 1) // 2
    y = cp.Variable()
    vals = [float(v) for v in m]

    def mom(j):
        return vals[j] if j < len(vals) else y

    blocks = []
    for sign in (1, -1):
        rows = [[mom(i + j) + sign * mom(i + j + 1) for j in range(k + 1)] for i in range(k + 1)]
        blocks.append(cp.bmat([[r if isinstance(r, cp.Expression) else cp.Constant(r)
                                for r in row] for row in rows]))
    cons = [(B + B.T) / 2 >> 0 for B in blocks]
    ends, status = [], "optimal"
    for sense in (cp.Minimize, cp.Maximize):
        prob = cp.Problem(sense(y), cons)
        try:
            prob.solve(solver=solver)
        except cp.error.SolverError as exc:
            return float("nan"), float("nan"), f"error: {exc}"[:40]
        status = prob.status if prob.status != "optimal" else status
        ends.append(float(y.value) if y.value is not None else float("nan"))
    return ends[0], ends[1], status


def tolerance_table(ks) -> None:
    """Rows per (k, tolerance): status, solver, width, proved gap of the ends, time."""
    print("| k (degree 2k+1) | tolerance | status | solver | width | proved gap (max of ends) |"
          " gap / width | time (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for k in ks:
        m = uniform(2 * k + 1)
        for eps in (0.0, 1e-9, 1e-6, 1e-3, 1e-1):
            t0 = time.perf_counter()
            r = extrapolation_range(m, tolerance=eps)
            t = time.perf_counter() - t0
            gap = max(r.gap)
            print(f"| {k} ({2 * k + 1}) | {eps:g} | {r.status} | {r.solver} | {r.width:.3e} | "
                  f"{gap:.1e} | {gap / r.width:.1e} | {t:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tolerances", action="store_true",
                        help="the table over tolerances with proved gaps instead")
    args = parser.parse_args()
    if args.tolerances:
        t0 = time.perf_counter()
        import cvxpy  # noqa: F401 - the import is timed apart from the first solve

        print(f"cvxpy import: {time.perf_counter() - t0:.2f} s\n")
        tolerance_table([2, 8, 20] if args.quick else [2, 4, 8, 12, 20, 30])
        return
    ks = [2, 5, 10, 15, 20] if args.quick else [2, 5, 8, 10, 12, 15, 20, 25, 30]
    print("| k (degree 2k+1) | exact width | exact (s) | momentrnn SDP rel. error | status | "
          "time (s) | cvxpy monomial Clarabel rel. error | solver status | time (s) | cvxpy "
          "monomial SCS rel. error | solver status | time (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    warnings.filterwarnings("ignore")
    for k in ks:
        m = uniform(2 * k + 1)
        t0 = time.perf_counter()
        ex = next_moment_range(m)
        t_ex = time.perf_counter() - t0
        w = float(ex.upper - ex.lower)
        t0 = time.perf_counter()
        sd = extrapolation_range(m, tolerance=0.0)
        t_sd = time.perf_counter() - t0
        row = [f"{k} ({2 * k + 1})", f"{w:.3e}", f"{t_ex:.3f}",
               f"{abs(sd.width - w) / w:.1e}", sd.status, f"{t_sd:.2f}"]
        for solver in ("CLARABEL", "SCS"):
            t0 = time.perf_counter()
            lo, hi, status = monomial_sdp(m, solver)
            t = time.perf_counter() - t0
            err = abs((hi - lo) - w) / w if np.isfinite(hi - lo) else float("nan")
            row += [f"{err:.1e}", status, f"{t:.2f}"]
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
