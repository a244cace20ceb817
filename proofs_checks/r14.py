"""R14: the moments engine recovers the teacher from a student trained by the dynamics engine.

The claim, its proof or evidence and this check's tests: theory chapter, section R14
(docs/theory.md; theory.html#r14 and claims/r14.html in the built docs).
"""

from __future__ import annotations

import numpy as np

from momentrnn import (
    DiagonalRNN,
    LinearRNN,
    init_student,
    learned_measure,
    moment_loss,
    named_teacher,
)

from ._common import bounded_flow
from .harness import Claim

STATEMENT = (
    "R14 (The cross-check). For a student trained by the dynamics module, the moments module "
    "recovers from its impulse response (at high precision) the teacher's atoms and weights, and "
    "the Hankel rank of that response is d. The converse is not a theorem: an unbalanced "
    "student that fits may still have rank d (a_i = a_hat_i, b_i = 2, c_i = w_hat_i/2). There "
    "exist unbalanced students that fit and do not extrapolate (R10's shift register), and for "
    "them the recovered measure differs from the teacher's or the rank exceeds d."
)

MAX_STEPS = 5000  # bounds the work: a broken gradient must fail, not hang

DIMS = {"long_memory": 1, "two_pole": 2, "decaying": 1}


def cases(quick: bool, seed: int) -> list[dict]:
    out = [{"teacher": t, "dim": 20 if quick else 40, "seed": seed, "student": "trained"}
           for t in DIMS]
    # the converse is not a theorem: this unbalanced student fits and has rank d as well
    out.append({"teacher": "two_pole", "dim": 2, "seed": seed, "student": "unbalanced fit"})
    return out


def check(case: dict) -> float:
    """Vouched digits of the recovered measure when it matches the teacher within them and the
    effective dimension is d (minus 1: at least two digits needed); -1 otherwise (also when
    the flow does not reach the loss 1e-16 within its step budget)."""
    teacher = named_teacher(case["teacher"])
    d = DIMS[case["teacher"]]
    k = 2 * d + 3
    if case["student"] == "trained":
        run = bounded_flow(init_student(case["dim"], scale=1e-3, seed=case["seed"]),
                           teacher, k=k, until_loss=1e-16, max_steps=MAX_STEPS)
        if run is None or run.status != "converged":
            return -1.0
        model, loss = run.final, run.final_loss
    elif case["student"] == "unbalanced fit":
        tm = teacher.measure()
        w = np.asarray(tm.weights, dtype=float)
        model = DiagonalRNN(np.asarray(tm.atoms, dtype=float), np.full(w.size, 2.0), w / 2)
        loss = moment_loss(model, teacher, k=k)
    else:  # the shift register: zero loss on k lags, unbalanced
        h = teacher.impulse_response(k)
        A = np.diag(np.ones(k - 1), -1)
        model, loss = LinearRNN(A, np.eye(k)[0], h), 0.0
    learned = learned_measure(model, loss)
    if learned.rank != d or learned.measure is None or learned.digits < 1:
        return -1.0
    rec = learned.measure
    tm = teacher.measure().sorted()
    scale_a = max(abs(float(a)) for a in tm.atoms)
    scale_w = max(abs(float(w)) for w in tm.weights)
    for x, w in zip(tm.atoms, tm.weights):
        j = int(np.argmin([abs(float(y) - float(x)) for y in rec.atoms]))
        if abs(float(rec.atoms[j]) - float(x)) > 10 ** -learned.digits * scale_a:
            return -1.0
        if abs(float(rec.weights[j]) - float(w)) > 10 ** -learned.digits * scale_w:
            return -1.0
    return learned.digits - 1.0


def unbalanced(quick: bool, seed: int) -> list[dict]:
    return [{"teacher": "two_pole", "dim": 20, "seed": seed, "student": "shift register"}]


CLAIM = Claim("R14", "moments engine recovers the teacher from the trained student", STATEMENT,
              cases, check, [("an unbalanced zero-loss student", unbalanced)], unit='digits')
