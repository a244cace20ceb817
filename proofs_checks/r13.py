"""R13: small initialisation learns a d-dimensional state that extrapolates; large does not.

The claim, its proof or evidence and this check's tests: theory chapter, section R13
(docs/theory.md; theory.html#r13 and claims/r13.html in the built docs).
"""

from __future__ import annotations

import math
import statistics

from momentrnn import (
    effective_dimension,
    extrapolation_error,
    gradient_descent,
    init_student,
    moment_accuracy,
    named_teacher,
)

from ._common import bounded_flow
from .harness import Claim

STATEMENT = (
    "R13 (Implicit bias). Gradient flow / GD from near-zero initialisation on k >= 2d + 1 lags "
    "converges to a student whose effective dimension is d and whose extrapolation error is "
    "small; as the initialisation scale grows the extrapolation error grows and the learned "
    "state space stops being low-dimensional. This includes long-memory teachers."
)

DIMS = {"long_memory": 1, "two_pole": 2, "decaying": 1}
LENGTH = 1000          # extrapolation horizon q
SMALL_ERROR = 0.05     # "small": max_{j<q} |h_j - h_hat_j| at most this
GROWTH_DECADES = 1.0   # "grows": the median error at the large scale is 10x larger or more
CAP = 3.0              # margins above 3 decades say nothing more (inf errors are capped)
MAX_STEPS = 5000  # a converging flow takes 1000-2500 steps; a broken one must not hang
GD_STEPS, GD_LR = 5000, 0.1
FIT = {"flow": 1e-8, "gd": 1e-4}  # GD's endgame is slow: it is judged at a looser fit


def cases(quick: bool, seed: int) -> list[dict]:
    dim = 20 if quick else 40
    seeds = [seed + i for i in range(3 if quick else 5)]
    out = [{"teacher": t, "dim": dim, "dynamics": "flow", "scale": 1e-3, "large": 1.0,
            "seeds": seeds} for t in ("long_memory", "two_pole")]
    out.append({"teacher": "decaying", "dim": dim, "dynamics": "gd", "scale": 1e-3,
                "large": 1.0, "seeds": seeds})
    return out


def _runs(case: dict, scale: float) -> tuple[list[float], list[int]]:
    """Max extrapolation error over LENGTH lags and effective dimension (tolerance 10 sqrt(L)),
    per seed; a run that does not fit the k lags counts as error inf and dimension -1."""
    teacher = named_teacher(case["teacher"])
    k = 2 * DIMS[case["teacher"]] + 3
    students = [init_student(case["dim"], scale=scale, seed=s) for s in case["seeds"]]
    errs, dims = [], []
    if case["dynamics"] == "gd":
        res = gradient_descent(students, teacher, k=k, lr=GD_LR, steps=GD_STEPS,
                               until_loss=1e-10)
        finals = [(res.model(i), float(res.loss[-1, i]), res.status[i] != "diverged")
                  for i in range(len(students))]
    else:
        finals = []
        for s in students:
            run = bounded_flow(s, teacher, k=k, max_steps=MAX_STEPS)
            if run is None:  # out of its evaluation budget: not converged
                finals.append((s, math.inf, False))
                continue
            ok = run.status == "converged"
            if ok and run.effective_dimension is not None:
                # the trajectory's own diagnostic must be the rank at its stated tolerance
                tol = moment_accuracy(run.final_loss)
                ok = run.effective_dimension.rank == effective_dimension(
                    run.final, tolerance=tol).rank
            finals.append((run.final, run.final_loss, ok))
    for model, loss, ok in finals:
        if not ok or not math.isfinite(loss) or loss > FIT[case["dynamics"]]:
            errs.append(math.inf)
            dims.append(-1)
            continue
        errs.append(extrapolation_error(model, teacher, length=LENGTH)[1])
        dims.append(effective_dimension(model, tolerance=moment_accuracy(loss)).rank)
    return errs, dims


def _decades(x: float) -> float:
    """log10(x) clamped to [-3, 3] (x = 0 or inf: an infinite error on either side)."""
    if x == math.inf:
        return CAP
    if x <= 0 or math.isnan(x):
        return -CAP
    return max(-CAP, min(math.log10(x), CAP))


def check(case: dict) -> float:
    """Decades: min of log10(0.05 / median small-init error) (-1 if the median effective
    dimension is not d), and with a large scale, log10(median large / median small error) - 1
    and +1/-1 for a median large-init effective dimension above / not above d. Capped at 3."""
    d = DIMS[case["teacher"]]
    errs, dims = _runs(case, case["scale"])
    small = statistics.median(errs)
    margin = _decades(SMALL_ERROR / small) if small > 0 else CAP
    if statistics.median(dims) != d:
        margin = min(margin, -1.0)
    if "large" in case:
        large_errs, large_dims = _runs(case, case["large"])
        ratio = statistics.median(large_errs) / small if small > 0 else math.inf
        margin = min(margin, _decades(ratio) - GROWTH_DECADES)
        # a large-init run that does not fit the lags is not low-dimensional either
        if statistics.median([x if x != -1 else case["dim"] for x in large_dims]) <= d:
            margin = min(margin, -1.0)
    return float(margin)


def no_small_init(quick: bool, seed: int) -> list[dict]:
    """The same flow and measurements from initialisation scale 1 (no near-zero start)."""
    return [{"teacher": "two_pole", "dim": 20, "dynamics": "flow", "scale": 1.0,
             "seeds": [seed, seed + 1, seed + 2]},
            {"teacher": "decaying", "dim": 20, "dynamics": "gd", "scale": 1.0,
             "seeds": [seed, seed + 1, seed + 2]}]


CLAIM = Claim("R13", "implicit bias of small initialisation", STATEMENT, cases, check,
              [("no small initialisation", no_small_init)], unit="decades")
