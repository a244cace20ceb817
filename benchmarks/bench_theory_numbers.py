"""The numbers quoted in the theory chapter (M5, R13), recomputed.

``python benchmarks/bench_theory_numbers.py [--flows]`` prints markdown tables:

* M5: kappa_2(H_n) of exact moments (mpmath at 800 bits, a local context) against the lower
  bound ||t||_2^2 of the Chebyshev polynomial of the interval, for the uniform and arcsine
  measures on [-1, 1], the uniform measure on [0, 1] and on [1/2, 1];
* M5: two (and three) atoms at spacing s: log10 kappa_2(H_n) against the componentwise
  relative condition number of the atoms and the weights (the inverse Jacobian of
  (x, w) -> (m_0, ..., m_{2n-1})), and the digits that Prony loses in double precision;
* R7 (with ``--flows``): the slope of log(imbalance at the escape time T_delta) against
  log(sigma) when the unit of the largest rate starts with b + c = 0, against 1 + g_min/g_max
  over the units that can escape;
* R13 (with ``--flows``, about two minutes on two cores): the long-memory teacher at d = 4,
  k = 3, seed 0 for three scales, and ten seeds per (teacher, d, k) at scale 1e-3.
"""

from __future__ import annotations

import argparse
import time
import warnings
from fractions import Fraction
from math import comb

import mpmath
import numpy as np

from momentrnn import (
    DiagonalRNN,
    Float64,
    init_student,
    integrate_flow,
    named_teacher,
    recover_measure,
)

CTX = mpmath.mp.clone()
CTX.prec = 800


def chebyshev_coefficients(m: int, lo: Fraction, hi: Fraction) -> list[Fraction]:
    """Monomial coefficients of T_m((2x - lo - hi)/(hi - lo)), exactly."""
    prev, cur = [Fraction(1)], [Fraction(0), Fraction(1)]
    t = prev if m == 0 else cur
    for _ in range(m - 1):
        nxt = [Fraction(0)] + [2 * v for v in cur]
        for i, v in enumerate(prev):
            nxt[i] -= v
        prev, cur = cur, nxt
        t = cur
    scale, shift = Fraction(2) / (hi - lo), -(lo + hi) / (hi - lo)
    out = [Fraction(0)] * (m + 1)
    power = [Fraction(1)]  # (scale x + shift)^k
    for tk in t:
        for i, p in enumerate(power):
            out[i] += tk * p
        nxt = [Fraction(0)] * (len(power) + 1)
        for i, p in enumerate(power):
            nxt[i] += shift * p
            nxt[i + 1] += scale * p
        power = nxt
    return out


def mpq(v: Fraction):
    return CTX.mpf(v.numerator) / v.denominator


def kappa(moments: list, n: int):
    H = CTX.matrix([[moments[i + j] for j in range(n)] for i in range(n)])
    ev = sorted(CTX.eigsy(H, eigvals_only=True))
    return ev[-1] / ev[0]


def uniform(lo: Fraction, hi: Fraction):
    return lambda j: (hi ** (j + 1) - lo ** (j + 1)) / ((j + 1) * (hi - lo))


def arcsine(j: int) -> Fraction:
    return Fraction(0) if j % 2 else Fraction(comb(j, j // 2), 4 ** (j // 2))


MEASURES = [
    ("uniform on [-1, 1]", Fraction(-1), Fraction(1), uniform(Fraction(-1), Fraction(1))),
    ("arcsine on [-1, 1]", Fraction(-1), Fraction(1), arcsine),
    ("uniform on [0, 1]", Fraction(0), Fraction(1), uniform(Fraction(0), Fraction(1))),
    ("uniform on [1/2, 1]", Fraction(1, 2), Fraction(1), uniform(Fraction(1, 2), Fraction(1))),
]


def m5_lower_bound(nmax: int = 20) -> None:
    print("## M5: kappa_2(H_n) against the lower bound (the squared 2-norm of t)\n")
    print("| measure | n | log10 kappa_2 | log10 norm(t)^2 | kappa / norm(t)^2 | "
          "kappa(H_n) / kappa(H_{n-1}) |")
    print("|---|---|---|---|---|---|")
    for name, lo, hi, mom in MEASURES:
        prev = None
        for n in range(2, nmax + 1):
            k = kappa([mpq(mom(j)) for j in range(2 * n - 1)], n)
            t2 = sum(v * v for v in chebyshev_coefficients(n - 1, lo, hi))
            ratio = k / mpq(t2)
            step = k / prev if prev is not None else None
            prev = k
            print(f"| {name} | {n} | {float(CTX.log10(k)):.3f} | {float(CTX.log10(mpq(t2))):.3f} "
                  f"| {float(ratio):.2f} | {'' if step is None else f'{float(step):.1f}'} |")
    print()


def sensitivity(atoms: list, weights: list) -> tuple[float, float, float]:
    """log10 kappa_2(H_n), and log10 of the largest componentwise relative condition number
    of the atoms and of the weights."""
    n = len(atoms)
    X, W = [mpq(a) for a in atoms], [mpq(w) for w in weights]
    m = [sum(W[i] * X[i] ** j for i in range(n)) for j in range(2 * n)]
    J = CTX.matrix(2 * n, 2 * n)
    for j in range(2 * n):
        for i in range(n):
            J[j, i] = W[i] * j * X[i] ** (j - 1) if j else 0
            J[j, n + i] = X[i] ** j
    Ji = J**-1
    theta = X + W
    cond = [sum(abs(Ji[i, j]) * abs(m[j]) for j in range(2 * n)) / abs(theta[i])
            for i in range(2 * n)]
    return (float(CTX.log10(kappa(m, n))), float(CTX.log10(max(cond[:n]))),
            float(CTX.log10(max(cond[n:]))))


def m5_separation() -> None:
    print("## M5: digits lost against the separation s of the atoms\n")
    print("| atoms | s | log10 kappa_2(H_n) | log10 cond (atoms) | log10 cond (weights) |")
    print("|---|---|---|---|---|")
    for count in (2, 3):
        for e in range(2, 7):
            s = Fraction(1, 10**e)
            atoms = [Fraction(1, 2) + i * s for i in range(count)]
            k, ca, cw = sensitivity(atoms, [Fraction(1)] * count)
            print(f"| {count} at spacing s from 1/2, weights 1 | 1e-{e} | {k:.2f} | {ca:.2f} | "
                  f"{cw:.2f} |")
    print()
    atoms, weights = [Fraction(1, 2), Fraction(1, 2) + Fraction(1, 10**4)], [Fraction(1)] * 2
    moments = [float(sum(w * a**j for a, w in zip(atoms, weights))) for j in range(4)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = recover_measure(moments, method="prony", precision=Float64(), throw=False)
    got = sorted(zip(r.measure.atoms, r.measure.weights), key=lambda p: complex(p[0]).real)
    err_w = max(abs(complex(w).real - float(t)) / float(t) for (_, w), t in zip(got, weights))
    err_x = max(abs(complex(a).real - float(t)) / float(t) for (a, _), t in zip(got, atoms))
    u = 2.0**-53
    print(f"Prony in double precision, atoms 1/2 and 1/2 + 1e-4, weights 1 and 1: status "
          f"{r.status}; relative error of the weights {err_w:.2g} ({np.log10(err_w / u):.1f} "
          f"digits lost), of the atoms {err_x:.2g} ({np.log10(err_x / u):.1f} digits lost)\n")


def r7_slopes() -> None:
    """Teacher two_pole, k = 5, eight units at a = linspace(-0.9, 0.9, 8), b(0), c(0) drawn at
    scale sigma (seed 0); T_delta is the first record with max_i |b_i + c_i| >= 0.05."""
    teacher, k, d, delta = named_teacher("two_pole"), 5, 8, 0.05
    a0 = np.linspace(-0.9, 0.9, d)
    g = np.polynomial.polynomial.polyval(a0, np.asarray(teacher.impulse_response(k)))
    sigmas = (1e-3, 1e-4, 1e-5)
    print("## R7: slope of the imbalance at T_delta (two_pole, k = 5, eight units)\n")
    print("| start | ratio at sigma = 1e-3, 1e-4, 1e-5 | fitted slope | 1 + g_min/g_max "
          "(all units) | 1 + g_min/g_max (units with b + c != 0) |")
    print("|---|---|---|---|---|")
    for label, zero_top, lift in (("random", False, False),
                                  ("random, b + c = 0 at a = 0.9", True, False),
                                  ("as above, b = c = sigma at a = 0.643", True, True)):
        ratios = []
        for sigma in sigmas:
            rng = np.random.default_rng(0)
            b0, c0 = sigma * rng.normal(size=d), sigma * rng.normal(size=d)
            if zero_top:
                c0[-1] = -b0[-1]
            if lift:
                b0[-2] = c0[-2] = sigma
            tr = integrate_flow(DiagonalRNN(a0.copy(), b0, c0), teacher, k=k, t_max=40.0,
                                method="LSODA", rtol=1e-10, atol=1e-22, record=20000,
                                max_steps=200_000)
            P = tr.parameters.reshape(len(tr.parameters), d, 3)
            u, v = P[:, :, 1] + P[:, :, 2], P[:, :, 1] - P[:, :, 2]
            j = int(np.argmax(np.max(np.abs(u), axis=1) >= delta))
            ratios.append(float(np.linalg.norm(v[j]) / np.linalg.norm(u[j])))
        slope = float(np.polyfit(np.log(sigmas), np.log(ratios), 1)[0])
        live = g[:-1] if zero_top else g
        print(f"| {label} | {', '.join(f'{r:.3g}' for r in ratios)} | {slope:.3f} | "
              f"{1 + g.min() / g.max():.3f} | {1 + g.min() / live.max():.3f} |")
    print()


def r13_flows() -> None:
    print("## R13: long-memory teacher, d = 4, k = 3, seed 0 (LSODA, to loss 1e-12)\n")
    print("| sigma | most negative weight | top atom | max error over 1000 lags | t end |")
    print("|---|---|---|---|---|")
    teacher = named_teacher("long_memory")
    for sigma in (1e-2, 1e-3, 1e-4):
        tr = integrate_flow(init_student(4, scale=sigma, mode="random", seed=0), teacher, k=3,
                            until_loss=1e-12, method="LSODA", record=2000, max_steps=400_000)
        w = np.asarray(tr.final.b) * np.asarray(tr.final.c)
        print(f"| {sigma:g} | {w.min():.3g} | {np.max(tr.final.a):.5f} | "
              f"{tr.extrapolation_error[1]:.3g} | {tr.times[-1]:.3g} |")
        if sigma == 1e-3:
            unit = int(np.argmin(w))
            P = tr.parameters.reshape(len(tr.parameters), 4, 3)
            rows = []
            for t in (10, 1e3, 1e4, tr.record_times[-1]):
                j = min(int(np.searchsorted(tr.record_times, t)), len(tr.record_times) - 1)
                a, b, c = P[j, unit]
                rows.append(f"t={tr.record_times[j]:.3g}: abs(b-c)={abs(b - c):.2g}, "
                            f"w={b * c:.2g}, a={a:.4f}")
            print("|  | unit with the negative weight: " + "; ".join(rows) + " | | | |")
    print()
    print("## R13: ten seeds at sigma = 1e-3 (random initialisation, LSODA, to loss 1e-12)\n")
    print("| teacher | d | k | seeds with error > 0.05 | errors > 0.05 | median error |")
    print("|---|---|---|---|---|---|")
    for name in ("long_memory", "decaying"):
        teacher = named_teacher(name)
        for d in (4, 20):
            for k in (3, 5):
                errs = []
                for seed in range(10):
                    tr = integrate_flow(init_student(d, scale=1e-3, mode="random", seed=seed),
                                        teacher, k=k, until_loss=1e-12, method="LSODA",
                                        record=50, max_steps=400_000)
                    errs.append(tr.extrapolation_error[1])
                bad = [e for e in errs if e > 0.05]
                print(f"| {name} | {d} | {k} | {len(bad)} / 10 | "
                      f"{', '.join(f'{e:.2g}' for e in bad)} | {np.median(errs):.2g} |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", action="store_true", help="also the R13 flows (minutes)")
    parser.add_argument("--nmax", type=int, default=20)
    args = parser.parse_args()
    start = time.perf_counter()
    m5_lower_bound(args.nmax)
    m5_separation()
    if args.flows:
        r7_slopes()
        r13_flows()
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
