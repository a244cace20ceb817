"""Double moments of easy measures: digits vouched, over-claims, time.

``python benchmarks/bench_easy_doubles.py [--quick]`` prints a markdown table. The moments are
the doubles nearest to the exact moments of a known measure (what a user with double data
has); ``recover_measure`` is called as a new user would call it, with no options. A case is
*over-claimed* when any vouched digit (normwise, per atom or per weight) is wrong against the
exact measure the doubles were rounded from, or an enclosure misses it.

* Gauss-Legendre n = 3, 5, 7, 10: the double moments 2/(k+1), 0 of the uniform measure on
  [-1, 1]; ``sharp`` is the first-order worst case over the data box,
  ``-log10(max_i (|Y| r)_i / max |value|)`` with ``Y`` the inverse Jacobian of the moment map
  and ``r`` the half-ulp radii: no certificate for every sequence within half an ulp can vouch
  for more (a sequence in the box moves the measure that far).
* Random positive measures: 1-6 atoms in [-1, 1] at least 0.15 apart with non-dyadic
  coordinates (k/1000), weights in [0.1, 1] (k/1000), kept when cond(H_n) <= 1e4; seeded.
  Also symmetric ones (atoms +-a, with or without 0), whose odd moments are exactly 0.0: an
  atom at 0 is then moved only by moments of radius 1e-323.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

import mpmath

from momentrnn import recover_measure

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.test_easy_doubles import _exact, _holds  # noqa: E402
from tests.test_easy_doubles import _random_case as random_case  # noqa: E402

# the exact readings of mpmath numbers and flint balls are the tests' own
exact_of, ball_holds = _exact, _holds


def moments_of(atoms, weights, count):
    return [sum((w * a**j for a, w in zip(atoms, weights)), Fraction(0)) for j in range(count)]


def over_claims(r, atoms, weights) -> list[str]:
    """Every vouched digit of ``r`` checked against the exact measure; [] when all hold."""
    bad = []
    got_a = [exact_of(a) for a in r.measure.atoms]
    got_w = [exact_of(w) for w in r.measure.weights]
    order = sorted(range(len(atoms)), key=lambda i: atoms[i])
    true_a = [atoms[i] for i in order]
    true_w = [weights[i] for i in order]
    for name, got, true, each, balls in (("atom", got_a, true_a, r.atom_digits,
                                          r.enclosure.atoms if r.enclosure else None),
                                         ("weight", got_w, true_w, r.weight_digits,
                                          r.enclosure.weights if r.enclosure else None)):
        scale = max(abs(t) for t in true)
        errs = [abs(g - t) for g, t in zip(got, true)]
        if math.isfinite(r.digits) and r.digits > 0 and \
                max(errs) > Fraction(1, 10 ** int(r.digits)) * scale:
            bad.append(f"normwise {name} digits {r.digits}")
        for i, (e, t, d) in enumerate(zip(errs, true, each)):
            if d > 0 and (e > 0 if math.isinf(d) else e > Fraction(1, 10 ** int(d)) * abs(t)):
                bad.append(f"{name} {i}: {d} digits, error {float(e):.3g} of {float(t):.3g}")
        if balls is not None:
            for i, (b, t) in enumerate(zip(balls, true)):
                if not ball_holds(b, t):
                    bad.append(f"{name} {i}: enclosure {b} misses {t}")
    return bad


def sharp_digits(atoms, weights, radii) -> float:
    """First-order worst case over the data box (normwise, min of atoms and weights)."""
    ctx = mpmath.MPContext()
    ctx.prec = 200
    n = len(atoms)
    x = [ctx.mpf(a.numerator) / a.denominator for a in atoms]
    w = [ctx.mpf(v.numerator) / v.denominator for v in weights]
    J = ctx.matrix(2 * n, 2 * n)
    for j in range(2 * n):
        for i in range(n):
            J[j, i] = w[i] * j * x[i] ** (j - 1) if j else 0
            J[j, n + i] = x[i] ** j
    Y = J**-1
    rad = [sum(abs(Y[i, k]) * radii[k] for k in range(2 * n)) for i in range(2 * n)]
    da = -ctx.log10(max(rad[:n]) / max(abs(v) for v in x))
    dw = -ctx.log10(max(rad[n:]) / max(abs(v) for v in w))
    return float(min(da, dw))


def half_ulp(v: float) -> float:
    return max(abs(v) * 2.0**-53, 2.0**-1074)


def legendre_rule(n):
    ctx = mpmath.MPContext()
    ctx.prec = 400
    X, W = ctx.gauss_quadrature(n, "legendre")
    return list(X), list(W)


def gauss_legendre_rows(ns):
    rows = []
    for n in ns:
        m = [2 / (k + 1) if k % 2 == 0 else 0.0 for k in range(2 * n)]
        X, W = legendre_rule(n)
        # the exact measure is irrational: the reference is a 400-bit rule, checked to 100 digits
        xs = [Fraction(mpmath.nstr(v, 110, strip_zeros=False)) for v in X]
        ws = [Fraction(mpmath.nstr(v, 110, strip_zeros=False)) for v in W]
        t0 = time.perf_counter()
        r = recover_measure(m, throw=False)
        dt = time.perf_counter() - t0
        bad = over_claims(r, xs, ws) if r.measure is not None else []
        sharp = sharp_digits(xs, ws, [half_ulp(v) for v in m])
        rows.append((n, str(r.status), r.digits, sharp, len(bad), dt))
    return rows


def random_rows(cases: int, seed: int = 20, symmetric: bool = False):
    rng = random.Random(seed)
    stats = {"cases": 0, "ok": 0, "ge10": 0, "over": 0, "time": 0.0, "min": math.inf,
             "hist": {}}
    worst = []
    for _ in range(cases):
        atoms, weights, m = random_case(rng, symmetric=symmetric)
        t0 = time.perf_counter()
        r = recover_measure(m, throw=False)
        stats["time"] += time.perf_counter() - t0
        stats["cases"] += 1
        stats["ok"] += r.status == "ok"
        stats["ge10"] += r.digits >= 10
        stats["min"] = min(stats["min"], r.digits)
        stats["hist"][r.digits] = stats["hist"].get(r.digits, 0) + 1
        bad = over_claims(r, atoms, weights) if r.measure is not None else []
        stats["over"] += bool(bad)
        if r.digits < 10:
            worst.append((len(atoms), r.digits, str(r.status)))
    return stats, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 random cases instead of 1000")
    args = parser.parse_args()
    print("## Gauss-Legendre rules from double moments (`recover_measure(m)`)\n")
    print("| n | status | digits vouched | sharp limit (first order) | over-claims | time (s) |")
    print("|---|---|---|---|---|---|")
    for n, status, digits, sharp, bad, dt in gauss_legendre_rows((3, 5, 7, 10)):
        print(f"| {n} | {status} | {digits:g} | {sharp:.2f} | {bad} | {dt:.3f} |")
    cases = 100 if args.quick else 1000
    for symmetric, what in ((False, "Random well-separated positive measures"),
                            (True, "Random symmetric positive measures (odd moments 0.0)")):
        stats, worst = random_rows(cases, symmetric=symmetric)
        c = stats["cases"]
        print(f"\n## {what}, cond(H_n) <= 1e4, {c} cases (seed 20)\n")
        print("| cases | status ok | >= 10 digits | min digits | over-claimed | total time (s) |"
              " mean time (ms) |")
        print("|---|---|---|---|---|---|---|")
        print(f"| {c} | {stats['ok'] / c:.1%} | {stats['ge10'] / c:.1%} | {stats['min']:g} | "
              f"{stats['over']} | {stats['time']:.1f} | {1000 * stats['time'] / c:.1f} |")
        print("\nDigits vouched (normwise): "
              + ", ".join(f"{d:g}: {k}" for d, k in sorted(stats["hist"].items())))
        if worst:
            print(f"\n{len(worst)} cases below 10 digits; the first (atoms, digits, status): "
                  + ", ".join(f"({n}, {d:g}, {s})" for n, d, s in worst[:10]))


if __name__ == "__main__":
    main()
