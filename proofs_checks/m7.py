"""M7: the impulse response of an order-n system determines it up to similarity (Ho-Kalman).

The claim, its proof or evidence and this check's tests: theory chapter, section M7
(docs/theory.md; theory.html#m7 and claims/m7.html in the built docs).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np

from momentrnn import Float64, LinearRNN, MomentRNNError, minimal_realization, recover_measure

from ._common import exact_response, inverse, matmul, matvec
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "M7 (Minimal realisation). The impulse response h of an order-n system determines (A, B, C) "
    "up to similarity through the Hankel factorisation (Ho-Kalman); for diagonalisable A this is "
    "the same computation as M3."
)


def _system(n: int, seed: int, hidden: int = 0):
    rng = np.random.default_rng(seed)
    A = np.diag(rng.uniform(-0.9, 0.9, n + hidden))
    B = rng.normal(size=n + hidden)
    C = rng.normal(size=n + hidden)
    if hidden:
        C[n:] = 0.0  # unobservable modes: the state dimension exceeds the order
    S = rng.normal(size=(n + hidden, n + hidden)) + 3 * np.eye(n + hidden)
    return S @ A @ np.linalg.inv(S), S @ B, C @ np.linalg.inv(S)


def cases(quick: bool, seed: int) -> list[dict]:
    out = [{"n": n, "seed": seed + n, "hidden": 0} for n in (1, 2, 3, 5)]
    # every precision on exact rational systems: Exact, MP, Float64 (and Ball, refused by name)
    for i, n in enumerate((1, 3) if quick else (1, 3, 4)):
        system = _rational_case(n, seed * 10 + i)
        for prec in PRECISIONS:
            out.append(dict(system, name=f"rational order {n}, {prec}", precision=prec))
    return out


PRECISIONS = ("exact", "mp", "float64", "ball")
F = Fraction


def _rational_case(n: int, seed: int, hidden: int = 0) -> dict:
    """Distinct rational eigenvalues in (-1, 1) (a close pair when n > 1), a rational
    similarity, rational B and C; ``hidden`` unobservable modes (C zero on them before the
    similarity)."""
    rng = random.Random(seed)
    found: set = set()
    while len(found) < n + hidden:
        found.add(F(rng.randint(-90, 90), rng.choice([91, 97, 100])))
    eigs = sorted(found)
    if n > 1:
        eigs[1] = eigs[0] + F(1, 997)  # a close pair
    d = n + hidden
    # diagonally dominant, hence invertible
    S = [[F(rng.randint(-3, 3), 4 * d) + (2 if i == j else 0)
          for j in range(d)] for i in range(d)]
    b = [F(rng.randint(-9, 9) or 1, rng.randint(1, 9)) for _ in range(d)]
    c = [F(rng.randint(-9, 9) or 1, rng.randint(1, 9)) if i < n else F(0) for i in range(d)]
    return {"kind": "rational", "n": n, "hidden": hidden, "eigs": eigs, "S": S, "b": b,
            "c": c}


def _rational_system(case: dict):
    d = len(case["eigs"])
    S = case["S"]
    Si = inverse(S)
    D = [[case["eigs"][i] if i == j else F(0) for j in range(d)] for i in range(d)]
    A = matmul(matmul(S, D), Si)
    B = matvec(S, case["b"])
    C = [sum(case["c"][k] * Si[k][j] for k in range(d)) for j in range(d)]
    return A, B, C


def _power_traces(A, count: int) -> list:
    out, P = [], A
    for _ in range(count):
        out.append(sum(P[i][i] for i in range(len(A))))
        P = matmul(P, A)
    return out


def _rational_check(case: dict) -> float:
    """Exact: +1 when Exact() returns the order n, the lags reproduced exactly 20 beyond those
    given, and the traces of A^k (k <= n: the characteristic polynomial) of the system; MP and
    Float64: digits of the worst mismatch of those minus 25 (MP(40)) or 7 (doubles), fewer by
    what the sensitivity S of the system's measure costs (M5); Ball
    (not supported): +1 when refused with an InputError naming the precisions that are.
    ``expect_dimension`` (the control): the order must be the state dimension."""
    import mpmath

    from momentrnn import MP, Ball, Exact
    from momentrnn.errors import InputError

    A, B, C = _rational_system(case)
    n = len(A) if case.get("expect_dimension") else case["n"]
    given = 2 * len(A) + 4
    h = exact_response(A, B, C, given + 20)
    prec = case["precision"]
    if prec == "ball":
        try:
            minimal_realization(h[:given], precision=Ball(30))
        except InputError as exc:  # refused, naming the precisions it supports
            return 1.0 if "Exact, MP and Float64" in str(exc) else -1.0
        return -1.0
    lags = [float(v) for v in h[:given]] if prec == "float64" else h[:given]
    precision = {"exact": Exact(), "mp": MP(40), "float64": Float64()}[prec]
    try:
        r = minimal_realization(lags, precision=precision)
    except MomentRNNError:
        return -1.0
    if r.order != n:
        return -1.0
    true_traces = _power_traces(A, n)
    if prec == "exact":
        got = exact_response(r.A, r.B, r.C, given + 20)
        return 1.0 if got == h and _power_traces(r.A, n) == true_traces else -1.0
    ctx = mpmath.MPContext()
    ctx.dps = 60
    Ar, Br, Cr = r.as_arrays() if prec == "float64" else (r.A, r.B, r.C)
    flat_b = [Br[i] for i in range(n)] if prec == "float64" else list(Br)
    flat_c = [Cr[i] for i in range(n)] if prec == "float64" else list(Cr)
    Am = [[ctx.mpmathify(Ar[i, j]) for j in range(n)] for i in range(n)]
    Bm = [ctx.mpmathify(v) for v in flat_b]
    Cm = [ctx.mpmathify(v) for v in flat_c]
    got = exact_response(Am, Bm, Cm, given + 20)
    scale = max(abs(v) for v in h)
    err = max(abs(g - ctx.mpf(t.numerator) / t.denominator) for g, t in zip(got, h)) / scale
    for g, t in zip(_power_traces(Am, n), true_traces):
        err = max(err, abs(g - ctx.mpf(t.numerator) / t.denominator))
    digits = float(-ctx.log10(err)) if err else math.inf
    # fewer digits where the lags determine the system less well (M5): log10 S of its measure
    from .m5 import log10_sensitivity

    weights = [ci * bi for ci, bi in zip(case["c"], case["b"])]
    loss = log10_sensitivity([e for e, w in zip(case["eigs"], weights) if w],
                             [w for w in weights if w])
    return digits - (min(25.0, 40.0 - loss - 2.0) if prec == "mp" else
                     min(7.0, 15.0 - loss - 2.0))


def check(case: dict, precision=None) -> float:
    """-log10 of the largest mismatch between the realisation and the system (order equal to
    the state dimension, eigenvalues, and 40 lags of impulse response), minus 8, and of the
    mismatch between the system's eigen-decomposition measure and Prony's, minus 6; -1 if the
    orders differ or the package refuses the system. Rational systems: ``_rational_check``."""
    if case.get("kind") == "rational":
        return _rational_check(case)
    A, B, C = _system(case["n"], case["seed"], case["hidden"])
    h, x = [], B.copy()
    for _ in range(2 * A.shape[0] + 4):
        h.append(float(C @ x))
        x = A @ x
    try:
        r = minimal_realization(h, precision=precision or Float64())
    except MomentRNNError:
        return -1.0  # the package refused a minimal system: the claim is not borne out
    if r.order != A.shape[0]:
        return -1.0
    Ar, Br, Cr = r.as_arrays()
    err = float(np.max(np.abs(np.sort(np.linalg.eigvals(Ar).real) -
                              np.sort(np.linalg.eigvals(A).real))))
    x, y = B.copy(), Br.copy()
    for _ in range(40):
        err = max(err, abs(float(C @ x) - float(Cr @ y)))
        x, y = A @ x, Ar @ y
    # "for diagonalisable A this is the computation of M3": the eigen-decomposition measure of
    # the system equals the measure Prony recovers from its impulse response
    measure = LinearRNN(A, B, C).measure()
    # the lags are exact binary numbers: recover from their exact values, at 20 digits
    exact = [Fraction(v) for v in h[: 2 * A.shape[0]]]
    rec = recover_measure(exact, rank=A.shape[0], method="prony", digits=20)
    got = sorted(zip(np.real(np.asarray(rec.measure.atoms, dtype=complex)),
                     np.real(np.asarray(rec.measure.weights, dtype=complex))))
    want = sorted(zip(np.real(np.asarray(measure.atoms, dtype=complex)),
                      np.real(np.asarray(measure.weights, dtype=complex))))
    wscale = max(abs(w) for _, w in want)
    err_measure = 0.0
    for (ga, gw), (wa, ww) in zip(got, want):
        err_measure = max(err_measure, abs(ga - wa), abs(gw - ww) / wscale)
    # digits required: 8 for the realisation and 6 for the eigen-decomposition of a non-normal
    # A, fewer where the lags determine the eigenvalues and weights less well (M5: doubles lose
    # about log10 S digits, S the sensitivity of the measure to the lags, and the
    # eigen-decomposition log10 cond(V) more)
    loss = _log10_sensitivity(want)  # of the lags' measure: a wrong answer relaxes nothing
    vcond = float(np.log10(np.linalg.cond(np.linalg.eig(A)[1])))
    need = min(8.0, 15.0 - loss - 2.0), min(6.0, 15.0 - loss - vcond - 2.0)
    return min(-np.log10(max(err, 1e-300)) - need[0],
               -np.log10(max(err_measure, 1e-300)) - need[1])


def _log10_sensitivity(pairs) -> float:
    """log10 S of the measure (atoms, weights) recovered from the lags (see M5)."""
    from .m5 import log10_sensitivity

    atoms = [Fraction(float(a)) for a, _ in pairs]
    weights = [Fraction(float(w)) for _, w in pairs]
    return log10_sensitivity(atoms, weights)


def non_minimal(quick: bool, seed: int) -> list[dict]:
    """Drops 'order n' (minimality): unobservable modes make the state dimension exceed the
    order, so no realisation of the lags has the system's dimension."""
    return [{"n": 2, "seed": seed, "hidden": 2},
            dict(_rational_case(2, seed + 1, hidden=1), precision="exact",
                 name="rational, one unobservable mode", expect_dimension=True)]


def confirm(case: dict) -> float:
    from momentrnn import MP

    if case.get("kind") == "rational":
        return check(case)  # each precision is its own case
    return check(case, MP(40))


def search(seed: int, count: int) -> list[dict]:
    """Random minimal systems of order 1 to 6 (doubles), and rational systems of order 1 to 5
    at every precision, with a close eigenvalue pair."""
    rng = random.Random(80_000 + seed)
    out = []
    for i in range(count):
        if i % 2:
            out.append({"n": rng.randint(1, 6), "seed": rng.randrange(10**6), "hidden": 0})
        else:
            n = rng.randint(1, 5)
            out.append(dict(_rational_case(n, rng.randrange(10**6)),
                            precision=PRECISIONS[(i // 2) % len(PRECISIONS)],
                            name=f"drawn rational order {n}"))
    return out


def refine(case: dict, rng: random.Random) -> dict:
    """Rational systems: move one eigenvalue (staying in (-1, 1) and distinct) and rescale one
    entry of B; double systems: the next seed."""
    if case.get("kind") != "rational":
        return dict(case, seed=case["seed"] + 1)
    eigs, b = list(case["eigs"]), list(case["b"])
    i = rng.randrange(len(eigs))
    eigs[i] = max(F(-99, 100), min(F(99, 100), eigs[i] + F(rng.randint(-50, 50), 1000)))
    j = rng.randrange(len(b))
    b[j] = b[j] * F(rng.randint(50, 200), 100)
    if len(set(eigs)) < len(eigs):
        return dict(case)
    return dict(case, eigs=eigs, b=b)


CLAIM = Claim("M7", "Ho-Kalman recovers a minimal realisation", STATEMENT, cases, check,
                   [("a non-minimal system (unobservable modes)", non_minimal)], confirm,
                   unit="digits", search=search, refine=refine)
register_claim(CLAIM)
