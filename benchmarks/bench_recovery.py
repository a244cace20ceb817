"""Recovery accuracy and time: momentrnn against the usual double- and fixed-precision tools.

Run ``python benchmarks/bench_recovery.py [--quick]``; prints a markdown table. Every method runs
in this one process on the same moments, so the time ratios are fair. Errors are the largest
absolute atom and weight errors against a reference (mpmath.gauss_quadrature at 150 digits for
Gauss-Legendre, the exact rationals for the random measures).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from fractions import Fraction

import mpmath
import numpy as np
import scipy.linalg

from momentrnn import Ball, Exact, recover_measure

# ----------------------------------------------------------------------------- test problems


def gauss_legendre(n: int):
    ctx = mpmath.MPContext()
    ctx.dps = 150
    X, W = ctx.gauss_quadrature(n, "legendre")
    moments = [Fraction(2, j + 1) if j % 2 == 0 else Fraction(0) for j in range(2 * n)]
    return moments, [X[i] for i in range(n)], [W[i] for i in range(n)]


def random_measure(n: int, seed: int, signed: bool):
    rng = random.Random(seed)
    atoms = sorted({Fraction(rng.randint(-10 * n, 10 * n), 10 * n) for _ in range(4 * n)})
    atoms = sorted(rng.sample(atoms, n))
    weights = [Fraction(rng.randint(1, 100), 100) * (rng.choice([-1, 1]) if signed else 1)
               for _ in atoms]
    moments = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(2 * n)]
    ctx = mpmath.MPContext()
    ctx.dps = 150
    conv = [ctx.mpf(q.numerator) / q.denominator for q in atoms]
    convw = [ctx.mpf(q.numerator) / q.denominator for q in weights]
    return moments, conv, convw


# ----------------------------------------------------------------------------- baselines


def numpy_prony(moments, n):
    m = np.array([float(v) for v in moments])
    H = np.array([[m[i + k] for k in range(n)] for i in range(n)])
    c = np.linalg.solve(H, -m[n:2 * n])
    atoms = np.roots(np.concatenate([[1.0], c[::-1]]))
    V = np.vander(atoms, n, increasing=True).T
    return atoms, np.linalg.solve(V, m[:n].astype(atoms.dtype))


def scipy_pencil(moments, n):
    m = np.array([float(v) for v in moments])
    H0 = np.array([[m[i + k] for k in range(n)] for i in range(n)])
    H1 = np.array([[m[i + k + 1] for k in range(n)] for i in range(n)])
    atoms = scipy.linalg.eigvals(H1, H0)
    V = np.vander(atoms, n, increasing=True).T
    return atoms, np.linalg.solve(V, m[:n].astype(atoms.dtype))


def control_era(moments, n):
    import control

    m = np.array([float(v) for v in moments])
    # Markov parameters h_j = m_j as a SISO impulse response, starting at h_0 (D = 0, shift)
    markov = np.concatenate([[0.0], m]).reshape(1, 1, -1)
    sys, _ = control.eigensys_realization(markov, n, m=n, n=n, dt=True)
    A, B, C = np.asarray(sys.A), np.asarray(sys.B), np.asarray(sys.C)
    atoms, vecs = np.linalg.eig(A)
    weights = (C @ vecs).ravel() * np.linalg.solve(vecs, B).ravel()
    return atoms, weights


def mpmath_prony(dps):
    def run(moments, n):
        ctx = mpmath.MPContext()
        ctx.dps = dps
        m = [ctx.mpf(q.numerator) / q.denominator for q in moments]
        H = ctx.matrix([[m[i + k] for k in range(n)] for i in range(n)])
        c = ctx.lu_solve(H, ctx.matrix([-m[n + i] for i in range(n)]))
        atoms = ctx.polyroots([1] + [c[k] for k in range(n - 1, -1, -1)], maxsteps=400,
                              extraprec=2 * dps)
        V = ctx.matrix([[a**j for a in atoms] for j in range(n)])
        w = ctx.lu_solve(V, ctx.matrix(m[:n]))
        return list(atoms), [w[i] for i in range(n)]

    return run


def momentrnn_digits(target):
    def run(moments, n):
        r = recover_measure(moments, rank=n, digits=target, throw=False)
        return list(r.measure.atoms), list(r.measure.weights), r.digits

    return run


def momentrnn_ball(dps):
    def run(moments, n):
        r = recover_measure(moments, rank=n, precision=Ball(dps), throw=False)
        if r.measure is None:
            return None, None, 0.0
        return list(r.measure.atoms), list(r.measure.weights), r.digits

    return run


# ----------------------------------------------------------------------------- harness


def errors(atoms, weights, X, W):
    ctx = mpmath.MPContext()
    ctx.dps = 150
    if atoms is None or len(atoms) != len(X):
        return math.inf, math.inf
    got = sorted(zip([ctx.mpmathify(complex(a)) if isinstance(a, (complex, np.complexfloating))
                      else ctx.mpmathify(a) for a in atoms],
                     [ctx.mpmathify(w) for w in weights]),
                 key=lambda p: (float(ctx.re(p[0])), float(ctx.im(p[0]))))
    ref = sorted(zip(X, W), key=lambda p: float(p[0]))
    ea = max(abs(g[0] - r[0]) for g, r in zip(got, ref))
    ew = max(abs(g[1] - r[1]) for g, r in zip(got, ref))
    return float(ea), float(ew)


def timed(fn, moments, n, budget):
    times, out = [], None
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        try:
            out = fn(moments, n)
        except Exception as exc:  # noqa: BLE001 - a baseline failing is a result
            return f"error: {type(exc).__name__}", None
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - start > budget or len(times) >= 5:
            break
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--only", choices=["peers", "exact", "default"], default=None,
                        help="run one table only")
    args = parser.parse_args()
    if args.only in (None, "exact"):
        exact_table(args.quick)
    if args.only in (None, "default"):
        default_path_table(args.quick)
    if args.only == "exact" or args.only == "default":
        return
    print("\n### Peers\n")
    try:
        import control  # noqa: F401

        have_control = True
    except ImportError:
        have_control = False
    methods = [("numpy Prony", numpy_prony, 1.0), ("scipy pencil", scipy_pencil, 1.0)]
    if have_control:
        methods.append(("python-control ERA", control_era, 1.0))
    methods += [("mpmath Prony 50 dps", mpmath_prony(50), 3.0),
                ("mpmath Prony 100 dps", mpmath_prony(100), 3.0),
                ("momentrnn digits=30", momentrnn_digits(30), 3.0),
                ("momentrnn Ball(100)", momentrnn_ball(100), 3.0)]
    gl_sizes = [10, 20, 40] if args.quick else [10, 20, 40, 80]
    rnd_sizes = [5, 10, 20] if args.quick else [5, 10, 20, 40]
    problems = [(f"Gauss-Legendre n={n}", n, gauss_legendre(n)) for n in gl_sizes]
    problems += [(f"random positive n={n}", n, random_measure(n, n, False)) for n in rnd_sizes]
    problems += [(f"random signed n={n}", n, random_measure(n, 100 + n, True))
                 for n in rnd_sizes]
    print("| problem | method | atom error | weight error | vouched digits | honest | time (s) |")
    print("|---|---|---|---|---|---|---|")
    for name, n, (moments, X, W) in problems:
        for label, fn, budget in methods:
            if label.startswith("mpmath") and n > 40:
                print(f"| {name} | {label} | not run (n > 40: minutes per call) | | | | |")
                continue
            t, out = timed(fn, moments, n, budget)
            if out is None:
                print(f"| {name} | {label} | {t} | | | | |")
                continue
            vouched = out[2] if len(out) == 3 else None
            ea, ew = errors(out[0], out[1], X, W)
            if vouched is None:
                vd, honest = "-", "-"
            else:
                scale_a = max(abs(float(x)) for x in X)
                scale_w = max(abs(float(w)) for w in W)
                true = min(-math.log10(ea / scale_a) if ea else math.inf,
                           -math.log10(ew / scale_w) if ew else math.inf)
                vd, honest = f"{vouched:g}", "yes" if vouched <= true else "NO"
            print(f"| {name} | {label} | {ea:.1e} | {ew:.1e} | {vd} | {honest} | {t:.4f} |",
                  flush=True)


# ----------------------------------------------------------------------------- exact mode


def classical_moments(family: str, n: int) -> list[Fraction]:
    """Exact power moments of the classical weights (Jacobi: (1-x)(1+x)^2 on [-1, 1])."""
    count = 2 * n
    if family == "Legendre":
        return [Fraction(2, j + 1) if j % 2 == 0 else Fraction(0) for j in range(count)]
    if family == "Laguerre":
        return [Fraction(math.factorial(j)) for j in range(count)]
    if family == "Hermite":  # int x^j exp(-x^2) dx / sqrt(pi)
        return [Fraction(math.factorial(j), 4 ** (j // 2) * math.factorial(j // 2))
                if j % 2 == 0 else Fraction(0) for j in range(count)]
    if family == "Jacobi":
        # (1-x)(1+x)^2 = 1 + x - x^2 - x^3; int_{-1}^{1} x^k dx = 2/(k+1) for even k
        def mono(k: int) -> Fraction:
            return Fraction(2, k + 1) if k % 2 == 0 else Fraction(0)

        return [mono(j) + mono(j + 1) - mono(j + 2) - mono(j + 3) for j in range(count)]
    raise ValueError(family)


def exact_table(quick: bool) -> None:
    cases = [("Legendre", 30), ("Legendre", 42), ("Hermite", 30), ("Hermite", 42),
             ("Jacobi", 30), ("Jacobi", 42), ("Laguerre", 20), ("Laguerre", 42)]
    if quick:
        cases = [c for c in cases if c[1] <= 30]
    print("\n### Exact mode (algebraic atoms and weights), target <= 5 s each\n")
    print("| rule | n | time (s) | moments reproduced exactly | atom types |")
    print("|---|---|---|---|---|")
    for family, n in cases:
        m = classical_moments(family, n)
        t0 = time.perf_counter()
        r = recover_measure(m, precision=Exact())
        t = time.perf_counter() - t0
        same = r.measure.moments(len(m), precision=Exact()) == m
        kinds = ", ".join(sorted({type(a).__name__ for a in r.atoms}))
        print(f"| Gauss-{family} | {n} | {t:.2f} | {'yes' if same else 'NO'} | {kinds} |",
              flush=True)


def default_path_table(quick: bool) -> None:
    print("\n### Default path: rank=None against the rank given (digits=30), target <= 1.5x\n")
    print("| problem | rank given (s) | rank=None (s) | ratio | digits (given, None) |")
    print("|---|---|---|---|---|")
    for n in ([40] if quick else [40, 80]):
        m = classical_moments("Legendre", n)
        best = {}
        for label, kwargs in (("given", {"rank": n}), ("none", {})):
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                r = recover_measure(m, digits=30, **kwargs)
                times.append(time.perf_counter() - t0)
            best[label] = (min(times), r.digits)
        g, nn = best["given"], best["none"]
        print(f"| Gauss-Legendre n={n} | {g[0]:.3f} | {nn[0]:.3f} | {nn[0] / g[0]:.2f} | "
              f"{g[1]:g}, {nn[1]:g} |", flush=True)


if __name__ == "__main__":
    main()
