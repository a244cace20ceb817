"""R5: one GD step multiplies each b_i^2 - c_i^2 by 1 - eta^2 G_i^2, exactly.

The claim, its proof or evidence and this check's tests: theory chapter, section R5
(docs/theory.md; theory.html#r5 and claims/r5.html in the built docs).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from momentrnn import MP, gradient_descent, init_student, named_teacher
from momentrnn.dynamics import FlowProblem
from momentrnn.dynamics.mp_flow import mp_gradient, mp_invariants

from ._common import digits
from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "R5 (Discrete GD contracts imbalance). For the diagonal model with step eta, "
    "(b_i^2 - c_i^2)_{t+1} = (1 - eta^2 G_i^2)(b_i^2 - c_i^2)_t with G_i = dL/dw_i, an exact "
    "identity; it contracts exactly when 0 < eta |G_i| < sqrt 2 (and expands beyond that). For "
    "the full model Q_{t+1} - Q_t = eta^2 (G_A G_A^T - G_A^T G_A + G_B G_B^T - G_C^T G_C) "
    "exactly."
)

K = 5
FLOAT_DIGITS = 11  # a double-precision step reproduces the exact one to ~1e-15 of its size


def cases(quick: bool, seed: int) -> list[dict]:
    out = [{"model": "diagonal", "dim": d, "seed": seed + d, "lr": lr, "decay": 0.0}
           for d in (3, 6) for lr in (0.01, 0.2)]
    # a step so large that eta |G_i| > sqrt 2 for some unit: the imbalance must expand there
    out.append({"model": "diagonal", "dim": 4, "seed": seed + 11, "lr": 0.3, "decay": 0.0,
                "scale": 0.5, "steps": 1})
    out.append({"model": "full", "dim": 3, "seed": seed, "lr": "0.05", "decay": "0"})
    if not quick:
        out += [{"model": "diagonal", "dim": 10, "seed": seed + 20, "lr": 0.25, "decay": 0.0,
                 "scale": 0.8, "steps": 1},
                {"model": "full", "dim": 4, "seed": seed + 1, "lr": "0.3", "decay": "0"}]
    return out


def _exact_gradient(a, b, c, target, rho):
    """dL/da_i, dL/db_i, dL/dc_i and G_i = dL/dw_i over Q (independent of the package)."""
    k, d = len(target), len(a)
    r = [sum(b[i] * c[i] * a[i] ** j for i in range(d)) - target[j] for j in range(k)]
    G = [2 * sum(rho[j] * r[j] * a[i] ** j for j in range(k)) for i in range(d)]
    Ga = [2 * b[i] * c[i] * sum(rho[j] * r[j] * j * a[i] ** (j - 1) for j in range(1, k))
          for i in range(d)]
    return Ga, [c[i] * G[i] for i in range(d)], [b[i] * G[i] for i in range(d)], G


def _diagonal(case: dict) -> float:
    """Steps taken by gradient_descent, judged over Q: each step is theta - eta grad L (to
    double-precision rounding), the identity holds to rounding, and a unit expands exactly when
    eta |G_i| > sqrt 2."""
    s = init_student(case["dim"], scale=case.get("scale", 0.4), seed=case["seed"],
                     **({"mode": case["mode"]} if "mode" in case else {}))
    teacher = named_teacher(case.get("teacher", "several"))
    k = case.get("k", K)
    target = [Fraction(float(v)) for v in teacher.impulse_response(k)]
    rho = [Fraction(1)] * k
    res = gradient_descent(s, teacher, k=k, lr=case["lr"], steps=case.get("steps", 2),
                           record_every=1)
    params = res.parameters[:, 0]  # (records, d, 3)
    eta = Fraction(case["lr"])
    margin = np.inf
    # a run that diverged is frozen from its divergence step on: the steps after it were not
    # taken, and only those before it are judged
    taken = params.shape[0] - 1 if res.diverged_at[0] < 0 else int(res.diverged_at[0])
    for t in range(taken):
        a, b, c = ([Fraction(float(v)) for v in params[t][:, m]] for m in range(3))
        a1, b1, c1 = ([Fraction(float(v)) for v in params[t + 1][:, m]] for m in range(3))
        if case["decay"]:
            lam = Fraction(case["decay"])  # weight decay: the step also shrinks theta
            a1, b1, c1 = ([x1 - eta * lam * x for x1, x in zip(new, old)]
                          for new, old in ((a1, a), (b1, b), (c1, c)))
        Ga, Gb, Gc, G = _exact_gradient(a, b, c, target, rho)
        # a double step rounds to a unit of the parameter, not of the step: a small step on a
        # large parameter is judged against the parameter
        size = max([abs(eta * g) for g in Ga + Gb + Gc] + [abs(x) for x in a + b + c]) \
            or Fraction(1)
        step_err = max(abs(new - (old - eta * g)) for new, old, g in
                       zip(a1 + b1 + c1, a + b + c, Ga + Gb + Gc))
        margin = min(margin, digits(float(step_err / size)) - FLOAT_DIGITS)
        # the rounding of the new parameters is relative to their size: a large step makes
        # b_i^2 + c_i^2 grow, and the identity is judged against the larger of the two sizes
        scale = max(x * x + y * y for x, y in zip(b + b1, c + c1))
        for i in range(len(a)):
            q0, q1 = b[i] ** 2 - c[i] ** 2, b1[i] ** 2 - c1[i] ** 2
            factor = 1 - eta**2 * G[i] ** 2
            margin = min(margin, digits(float(abs(q1 - factor * q0) / scale)) - FLOAT_DIGITS)
            if abs(q0) > scale / 10**6 and abs(abs(factor) - 1) > Fraction(1, 10**6):
                expands = abs(q1) > abs(q0)
                if expands != (eta * abs(G[i]) > Fraction(14142135, 10**7)):
                    margin = min(margin, -1.0)
    return float(margin)


def _full(case: dict, dps: int) -> float:
    """The full model's identity with the package's mpmath gradient, in digits (minus 50)."""
    s = init_student(case["dim"], scale=case.get("scale", 0.4), seed=case["seed"],
                     diagonal=False)
    t = named_teacher(case.get("teacher", "several"))
    k = case.get("k", K)
    problem = FlowProblem.for_model(s, t.impulse_response(k), np.ones(k))
    ctx = MP(dps).context()
    theta = [ctx.mpf(float(v)) for v in problem.pack(s)]
    g = mp_gradient(problem, theta, ctx)
    lr, decay = ctx.mpf(case["lr"]), ctx.mpf(case["decay"])
    new = [x - lr * (gi + decay * x) for x, gi in zip(theta, g)]
    q0, q1 = mp_invariants(problem, theta, ctx), mp_invariants(problem, new, ctx)
    d = case["dim"]
    GA = [[g[i * d + j] for j in range(d)] for i in range(d)]
    GB, GC = g[d * d : d * d + d], g[d * d + d :]
    errs = []
    for i in range(d):
        for j in range(d):
            rhs = lr**2 * (ctx.fsum(GA[i][m] * GA[j][m] - GA[m][i] * GA[m][j]
                                    for m in range(d)) + GB[i] * GB[j] - GC[i] * GC[j])
            errs.append(abs(q1[i * d + j] - q0[i * d + j] - rhs))
    scale = max(abs(v) for v in q0)
    return digits(float(max(errs) / scale)) - 50


def check(case: dict) -> float:
    """Digits to which the identity (and, for GD runs, the gradient step) holds, minus the
    digits the arithmetic allows (11 for double-precision steps, 50 at 60-digit mpmath)."""
    return _diagonal(case) if case["model"] == "diagonal" else _full(case, 60)


def confirm(case: dict) -> float:
    return _diagonal(case) if case["model"] == "diagonal" else _full(case, 80)


TEACHERS = ["long_memory", "decaying", "oscillating", "two_pole", "several", "negative_weight"]


def search(seed: int, count: int) -> list[dict]:
    """Diagonal students (dimension 1 to 12; random, balanced and unbalanced starts; scale 0.1
    to 0.8) one or two steps of sizes 0.005 to 0.3, and full students (dimension 2 to 5) one
    exact step of size 0.01 to 0.5 in mpmath, under every named teacher (the signed one
    included) with k = 1 to 8 (large steps may leave the region where the loss stays
    finite)."""
    import random

    rng = random.Random(50_000 + seed)
    return [_draw(rng) for _ in range(count)]


def _draw(rng) -> dict:
    common = {"seed": rng.randrange(10**6), "teacher": rng.choice(TEACHERS),
              "k": rng.randint(1, 8), "scale": round(rng.uniform(0.1, 0.8), 3)}
    if rng.random() < 0.3:
        return {"model": "full", "dim": rng.randint(2, 5), "lr": f"{rng.uniform(0.01, 0.5):.4f}",
                "decay": "0", **common}
    return {"model": "diagonal", "dim": rng.randint(1, 12), "lr": round(rng.uniform(0.005, 0.3), 4),
            "decay": 0.0, "steps": rng.randint(1, 2),
            "mode": rng.choice(["random", "balanced", "unbalanced"]), **common}


def refine(case: dict, rng) -> dict:
    """Another start of the same kind, the step size scaled by up to 1.5, k moved by one."""
    new = {**case, "seed": rng.randrange(10**6), "k": min(8, max(1, case.get("k", K)
                                                                 + rng.choice([-1, 0, 1])))}
    factor = rng.uniform(0.67, 1.5)
    if case["model"] == "full":
        new["lr"] = f"{min(float(case['lr']) * factor, 0.5):.4f}"
    else:
        new["lr"] = round(min(case["lr"] * factor, 0.3), 4)
    return new


def weight_decay(quick: bool, seed: int) -> list[dict]:
    return [{"model": "diagonal", "dim": 3, "seed": seed, "lr": 0.05, "decay": 0.1}]


CLAIM = Claim("R5", "GD multiplies the imbalance by 1 - eta^2 G^2", STATEMENT, cases, check,
              [("gradient step with weight decay", weight_decay)], confirm, unit="digits",
              search=search, refine=refine)
register_claim(CLAIM)
