"""M7: the impulse response of an order-n system determines it up to similarity (Ho-Kalman)."""

from __future__ import annotations

import numpy as np

from momentrnn import Float64, minimal_realization

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
    the state dimension, eigenvalues, and 40 lags of impulse response), minus 8; -1 if the
    orders differ."""
    A, B, C = _system(case["n"], case["seed"], case["hidden"])
    h, x = [], B.copy()
    for _ in range(2 * A.shape[0] + 4):
        h.append(float(C @ x))
        x = A @ x
    r = minimal_realization(h, precision=precision or Float64())
    if r.order != A.shape[0]:
        return -1.0
    Ar, Br, Cr = r.as_arrays()
    err = float(np.max(np.abs(np.sort(np.linalg.eigvals(Ar).real) -
                              np.sort(np.linalg.eigvals(A).real))))
    x, y = B.copy(), Br.copy()
    for _ in range(40):
        err = max(err, abs(float(C @ x) - float(Cr @ y)))
        x, y = A @ x, Ar @ y
    return -np.log10(max(err, 1e-300)) - 8


def non_minimal(quick: bool, seed: int) -> list[dict]:
    return [{"n": 2, "seed": seed, "hidden": 2}]


def confirm(case: dict) -> float:
    from momentrnn import MP

    return check(case, MP(40))


CLAIM = Claim("M7", "Ho-Kalman recovers a minimal realisation", STATEMENT, cases, check,
              [("a non-minimal system (unobservable modes)", non_minimal)], confirm, unit='digits')
