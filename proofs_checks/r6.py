"""R6: balanced stays balanced under gradient flow and gradient descent.

The claim, its proof or evidence and this check's tests: theory chapter, section R6
(docs/theory.md; theory.html#r6 and claims/r6.html in the built docs).
"""

from __future__ import annotations

import random
import warnings

import numpy as np

from momentrnn import (
    MP,
    DiscreteMeasure,
    LinearRNN,
    gradient_descent,
    init_student,
    integrate_flow,
    moment_loss_gradient,
    named_teacher,
    teacher_from_measure,
)
from momentrnn.dynamics import FlowProblem
from momentrnn.dynamics.mp_flow import mp_gradient

from ._common import digits
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "R6 (Balanced stays balanced). b(0) = c(0) implies b(t) = c(t) for all t under GF and GD; "
    "A symmetric with B = C^T is preserved likewise."
)

MP_DIGITS = 25     # the structure survives a 30-digit computation to >= 25 digits
FLOAT_DIGITS = 12  # full-model GD in double: asymmetry at the rounding level (about 1e-16)
MP_GD_STEPS = 25   # full-model GD steps in mpmath (each costs a 30-digit gradient)
SEARCH_SECONDS = 4.0
TEACHERS = ("several", "two_pole", "long_memory", "negative_weight")


def cases(quick: bool, seed: int) -> list[dict]:
    return [{"dynamics": dyn, "dim": dim, "seed": seed + i, "init": "balanced"}
            for i, (dyn, dim) in enumerate([("gd", 5), ("flow", 5), ("flow-full", 3),
                                            ("gd-full", 4)])]


def _teacher(case: dict):
    if "atoms" in case:
        return teacher_from_measure(DiscreteMeasure(case["atoms"], case["weights"]))
    return named_teacher(case.get("teacher", "several"))


def _asymmetry(A, B, C) -> float:
    """max(|A - A^T|, |B - C|) / max |B|."""
    A = np.asarray(A, dtype=float)
    sym = float(np.max(np.abs(A - A.T)))
    bc = float(np.max(np.abs(np.asarray(B, dtype=float) - np.asarray(C, dtype=float))))
    return max(sym, bc) / float(np.max(np.abs(np.asarray(B, dtype=float))))


def _full_gd(case: dict, teacher) -> float:
    """The full model (LinearRNN with a full A) under gradient descent, twice: in double
    precision with the package's ``moment_loss_gradient`` (asymmetry at the rounding level:
    digits - 12) and in 30-digit mpmath with the flow's ``mp_gradient`` (digits - 25)."""
    k, lr = case.get("k", 7), case.get("lr", 0.01)
    s = init_student(case["dim"], scale=case.get("scale", 0.2), seed=case["seed"],
                     diagonal=False, mode=case["init"])
    A, B, C = s.A.copy(), s.B.copy(), s.C.copy()
    for _ in range(case.get("steps", 200)):
        g = moment_loss_gradient(LinearRNN(A, B, C), teacher, k=k)
        A, B, C = A - lr * g.A, B - lr * g.B, C - lr * g.C
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(B))):
        return -1.0
    margin = digits(_asymmetry(A, B, C)) - FLOAT_DIGITS
    problem = FlowProblem.for_model(s, np.asarray(teacher.impulse_response(k), dtype=float),
                                    np.ones(k))
    ctx = MP(30).context()
    theta = [ctx.mpf(float(v)) for v in problem.pack(s)]
    step = ctx.mpf(lr)
    for _ in range(MP_GD_STEPS):
        theta = [x - step * gi for x, gi in zip(theta, mp_gradient(problem, theta, ctx))]
    d = case["dim"]
    # the differences in mpmath, then to float (a float conversion first would hide them)
    sym = max(abs(theta[i * d + j] - theta[j * d + i]) for i in range(d) for j in range(d))
    bc = max(abs(theta[d * d + i] - theta[d * d + d + i]) for i in range(d))
    top = max(abs(theta[d * d + i]) for i in range(d))
    return min(margin, digits(float(max(sym, bc) / top)) - MP_DIGITS)


def check(case: dict) -> float:
    """Digits of max |b - c| / max |b| (diagonal) or of max(|A - A^T|, |B - C|) / max |B|
    (full) after training, minus 25 at 30 digits; the full model under gradient descent is
    also run in double precision (minus 12). Diagonal GD in double keeps b = c exactly (inf)."""
    with warnings.catch_warnings():  # a student smaller than the teacher is still a case
        warnings.simplefilter("ignore", UserWarning)
        return _check(case)


def _check(case: dict) -> float:
    t = _teacher(case)
    if case["dynamics"] == "gd-full":
        return _full_gd(case, t)
    if case["dynamics"] == "flow-full":
        s = init_student(case["dim"], scale=case.get("scale", 0.2), seed=case["seed"],
                         diagonal=False, mode=case["init"])
        run = integrate_flow(s, t, k=case.get("k", 5), method="gauss-mp", precision=MP(30),
                             t_max=case.get("t", 0.1))
        return digits(_asymmetry(run.final.A, run.final.B, run.final.C)) - MP_DIGITS
    s = init_student(case["dim"], scale=case.get("scale", 0.2), seed=case["seed"],
                     mode=case["init"])
    if case["dynamics"] == "gd":
        res = gradient_descent(s, t, k=case.get("k", 7), lr=case.get("lr", 0.05),
                               steps=case.get("steps", 500))
        b, c = res.b[0], res.c[0]
    else:
        run = integrate_flow(s, t, k=case.get("k", 7), method="gauss-mp", precision=MP(30),
                             t_max=case.get("t", 0.3))
        b, c = run.final.b, run.final.c
    return digits(float(np.max(np.abs(b - c)) / np.max(np.abs(b)))) - MP_DIGITS


def _random_case(rng: random.Random) -> dict:
    dyn = rng.choice(["gd", "gd", "gd-full", "gd-full", "flow", "flow-full"])
    case = {"dynamics": dyn, "seed": rng.randrange(10_000), "init": "balanced",
            "scale": rng.choice([0.05, 0.1, 0.2, 0.3]), "k": rng.randint(2, 8)}
    if rng.random() < 0.5:
        case["teacher"] = rng.choice(TEACHERS)
    else:
        n = rng.randint(1, 3)
        case["atoms"] = [round(rng.uniform(-0.95, 0.95), 3) for _ in range(n)]
        case["weights"] = [round(rng.uniform(-1.0, 1.0), 3) or 0.5 for _ in range(n)]
    if dyn == "gd":
        case.update(dim=rng.randint(1, 12), lr=rng.choice([0.01, 0.03, 0.05]),
                    steps=rng.randint(10, 400))
    elif dyn == "gd-full":
        case.update(dim=rng.randint(1, 5), lr=rng.choice([0.002, 0.005, 0.01]),
                    steps=rng.randint(10, 150))
    elif dyn == "flow":
        case.update(dim=rng.randint(1, 4), t=rng.choice([0.05, 0.1]), k=rng.randint(2, 5))
    else:
        case.update(dim=rng.randint(1, 2), t=0.05, k=rng.randint(2, 4))
    return case


def search(seed: int, count: int) -> list[dict]:
    """Random balanced starts over the dynamics (diagonal and full, GD and GF), dimensions,
    teachers (named or random signed measures), lags, scales, step sizes and lengths."""
    rng = random.Random(f"R6 {seed}")
    return [_random_case(rng) for _ in range(count)]


def refine(case: dict, rng: random.Random) -> dict:
    """Another seed, scale or length for the same kind of run (still balanced)."""
    new = dict(case)
    what = rng.choice(["seed", "scale", "steps"])
    if what == "seed":
        new["seed"] = rng.randrange(10_000)
    elif what == "scale":
        new["scale"] = min(0.4, max(0.01, case.get("scale", 0.2) * rng.uniform(0.7, 1.4)))
    elif "steps" in case:
        new["steps"] = max(1, int(case["steps"] * rng.uniform(0.7, 1.4)))
    return new


def unbalanced(quick: bool, seed: int) -> list[dict]:
    return [{"dynamics": "gd", "dim": 5, "seed": seed, "init": "random"},
            {"dynamics": "gd-full", "dim": 4, "seed": seed, "init": "random"}]


CLAIM = Claim("R6", "balanced initialisations stay balanced", STATEMENT, cases, check,
              [("unbalanced initialisation", unbalanced)], unit='digits', search=search,
              refine=refine)
register_claim(CLAIM)
