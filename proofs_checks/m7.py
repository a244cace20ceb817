"""M7: the impulse response of an order-n system determines it up to similarity (Ho-Kalman).

The claim, its proof or evidence and this check's tests: theory chapter, section M7
(docs/theory.md; theory.html#m7 and claims/m7.html in the built docs).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from momentrnn import Float64, LinearRNN, MomentRNNError, minimal_realization, recover_measure

from .harness import Claim

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
    return [{"n": n, "seed": seed + n, "hidden": 0} for n in (1, 2, 3, 5)]


def check(case: dict, precision=None) -> float:
    """-log10 of the largest mismatch between the realisation and the system (order equal to
    the state dimension, eigenvalues, and 40 lags of impulse response), minus 8, and of the
    mismatch between the system's eigen-decomposition measure and Prony's, minus 6; -1 if the
    orders differ or the package refuses the system."""
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
    # the eigen-decomposition of a non-normal A in double precision: 6 digits required
    return min(-np.log10(max(err, 1e-300)) - 8, -np.log10(max(err_measure, 1e-300)) - 6)


def non_minimal(quick: bool, seed: int) -> list[dict]:
    return [{"n": 2, "seed": seed, "hidden": 2}]


def confirm(case: dict) -> float:
    from momentrnn import MP

    return check(case, MP(40))


def search(seed: int, count: int) -> list[dict]:
    """Random minimal systems of order 1 to 6."""
    import random

    rng = random.Random(80_000 + seed)
    return [{"n": rng.randint(1, 6), "seed": rng.randrange(10**6), "hidden": 0}
            for _ in range(count)]

CLAIM = Claim("M7", "Ho-Kalman recovers a minimal realisation", STATEMENT, cases, check,
              [("a non-minimal system (unobservable modes)", non_minimal)], confirm,
              unit="digits", search=search)
