"""M3: Prony and the matrix pencil recover the atoms and weights exactly.

The claim, its proof or evidence and this check's tests: theory chapter, section M3
(docs/theory.md; theory.html#m3 and claims/m3.html in the built docs).
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath

from momentrnn import MP, Float64, recover_measure

from ._measures import hard_cases, power_moments, random_measure
from .harness import Claim

STATEMENT = (
    "M3 (Prony / matrix pencil). From m_0..m_{2n-1} of an n-atom measure the atoms are the "
    "roots of the Prony polynomial (kernel of the n x (n+1) Hankel matrix [m_{i+j}], i < n, "
    "j <= n, which uses only m_0..m_{2n-1}) = the eigenvalues of the pencil (H1, H0); the "
    "weights solve a Vandermonde system. Exact in exact arithmetic, for real, complex, positive "
    "or signed weights."
)
TARGET = 30


def _cases(quick: bool, seed: int) -> list[dict]:
    out = []
    for method in ("prony", "pencil"):
        for case in hard_cases(quick, seed):
            out.append(dict(case, method=method, rank=len(case["atoms"])))
        a, w = random_measure(4, seed + 7, signed=True)
        out.append({"name": "signed weights", "atoms": a, "weights": w, "method": method,
                    "rank": 4})
        out.append({"name": "complex atoms", "atoms": [complex(0.5, 0.5), complex(0.5, -0.5),
                                                        complex(-0.25, 0)],
                    "weights": [complex(1, 1), complex(1, -1), 1.0], "method": method,
                    "rank": 3})
    # honesty: fixed precisions and rounded data, where the target may be out of reach; the
    # vouched digits must not exceed the true ones and 'ok' must mean the target was met
    for i, n in enumerate((3, 5, 8)):
        a, w = random_measure(n, seed + 5 + i)
        for prec, target in (("float64", 12), ("mp20", 18), ("rounded12", 30)):
            out.append({"name": f"honesty n={n} {prec}", "atoms": a, "weights": w,
                        "method": "prony", "rank": n, "precision": prec, "target": target})
    return out


def _moments(case: dict) -> list:
    atoms, weights = case["atoms"], case["weights"]
    if any(isinstance(x, complex) for x in atoms):
        # exact Gaussian-rational moments, written as text so they are read exactly
        qa = [(Fraction(x.real), Fraction(x.imag)) for x in atoms]
        qw = [(Fraction(complex(v).real), Fraction(complex(v).imag)) for v in weights]
        out = []
        cur = list(qw)
        for _ in range(2 * case["rank"]):
            re = sum(c[0] for c in cur)
            im = sum(c[1] for c in cur)
            out.append(f"{re}{'+' if im >= 0 else '-'}{abs(im)}j")
            cur = [(c[0] * x[0] - c[1] * x[1], c[0] * x[1] + c[1] * x[0]) for c, x in zip(cur, qa)]
        return out
    return power_moments(atoms, weights, 2 * case["rank"])


def _recover(case: dict):
    moments = _moments(case)
    prec = case.get("precision")
    if prec is None:
        return recover_measure(moments, rank=case["rank"], method=case["method"],
                               digits=TARGET + 5, throw=False)
    if prec == "rounded12":  # the exact moments rounded to 12 significant digits, said so
        text = [mpmath.nstr(mpmath.mpf(m.numerator) / m.denominator, 12) for m in moments]
        return recover_measure(text, rank=case["rank"], method=case["method"], data_digits=12,
                               digits=case["target"], throw=False)
    precision = Float64() if prec == "float64" else MP(20)
    return recover_measure(moments, rank=case["rank"], method=case["method"],
                           precision=precision, digits=case["target"], throw=False)


def check(case: dict) -> float:
    """Correct digits of the recovered atoms and weights against the exact ones, minus 30;
    at most the true digits minus the vouched ones (a vouched digit must be right). Honesty
    cases: true minus vouched digits, and true minus requested digits when the status is
    'ok'."""
    r = _recover(case)
    if r.measure is None:
        return -float(TARGET) if "precision" not in case else (
            1.0 if r.status != "ok" else -1.0)
    ctx = mpmath.MPContext()
    ctx.dps = 80
    true_a = [_mp(ctx, x) for x in case["atoms"]]
    true_w = [_mp(ctx, v) for v in case["weights"]]
    got_a = [ctx.mpmathify(x) for x in r.measure.atoms]
    got_w = [ctx.mpmathify(x) for x in r.measure.weights]
    # every true atom must have a recovered atom nearby, and the other way round
    err_a, err_w = ctx.mpf(0), ctx.mpf(0)
    for a, w in zip(true_a, true_w):
        j = min(range(len(got_a)), key=lambda k: abs(got_a[k] - a))
        err_a = max(err_a, abs(got_a[j] - a))
        err_w = max(err_w, abs(got_w[j] - w))
    for g in got_a:
        err_a = max(err_a, min(abs(g - a) for a in true_a))
    scale_a = max(abs(a) for a in true_a) or 1
    scale_w = max(abs(w) for w in true_w)
    digits = min(_digits(err_a / scale_a), _digits(err_w / scale_w))
    honest = digits - float(r.digits)
    if "precision" in case:
        met = digits - case["target"] if r.status == "ok" else math.inf
        return min(honest, met)
    return min(digits - TARGET, honest)


def _mp(ctx, x):
    if isinstance(x, Fraction):
        return ctx.mpf(x.numerator) / x.denominator
    return ctx.mpmathify(x)


def _digits(rel) -> float:
    return math.inf if rel == 0 else float(-mpmath.log10(rel))


def search(seed: int, count: int) -> list[dict]:
    """Random signed measures (2 to 10 atoms) for both methods, and honesty cases at fixed
    precisions."""
    import random

    rng = random.Random(20_000 + seed)
    out = []
    for i in range(count):
        n = rng.randint(2, 10)
        a, w = random_measure(n, rng.randrange(10**9), signed=rng.random() < 0.5)
        case = {"name": f"drawn n={n}", "atoms": a, "weights": w,
                "method": ("prony", "pencil")[i % 2], "rank": n}
        if i % 3 == 2:
            case.update(precision=("float64", "mp20")[i % 2], target=(12, 18)[i % 2],
                        method="prony")
        out.append(case)
    return out


def too_few_atoms(quick: bool, seed: int) -> list[dict]:
    a, w = random_measure(4, seed + 11)
    return [{"name": "rank n-1 for an n-atom measure", "atoms": a, "weights": w,
             "method": m, "rank": 3} for m in ("prony", "pencil")]


CLAIM = Claim("M3", "Prony and pencil recover atoms and weights", STATEMENT, _cases, check,
              [("rank below the number of atoms", too_few_atoms)],
              search=search, unit='digits')
