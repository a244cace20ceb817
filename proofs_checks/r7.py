"""R7: near-zero initialisation drives the flow toward balancedness (both regimes).

The claim, its proof or evidence and this check's tests: theory chapter, section R7
(docs/theory.md; theory.html#r7 and claims/r7.html in the built docs).

The flow is integrated in the coordinates of the proof's exact reduction (eq-r7-exact):
a_i, u_i = b_i + c_i and v_i = b_i - c_i, with u_i' = -G_i u_i, v_i' = G_i v_i and
G_i = dL/dw_i, a_i' = -dL/da_i, both read from the package's ``FlowProblem.loss_grad``
(at b = 1, c = w, where dL/dc is dL/dw). Nothing is linearised: this is the gradient flow, in
variables in which the imbalance v keeps its relative accuracy down to any scale (in b and c it
would be the difference of two numbers 10^20 times larger). The escape time is the one of the
statement: the first time max_i |u_i| reaches DELTA, located by the integrator's event.
"""

from __future__ import annotations

import math
import random
import warnings

import numpy as np
import scipy.integrate

from momentrnn import (
    DiagonalRNN,
    DiscreteMeasure,
    init_student,
    integrate_flow,
    named_teacher,
    teacher_from_measure,
)
from momentrnn.dynamics import FlowProblem

from .harness import Claim
from .registry import register_claim

STATEMENT = (
    "R7 (Near-zero initialisation drives the flow toward balancedness). With g(a) = "
    "sum_{j<k} rho_j h_hat_j a^j, a diagonal student at scale sigma (|b_i(0)|, |c_i(0)| <= "
    "C_0 sigma, |a_i(0)| <= 1), g_i = g(a_i(0)), and T_delta the first time max_i |b_i + c_i| "
    "reaches a fixed small delta: assume (H1) g_max > 0 and |b_i(0) + c_i(0)| >= c_0 sigma for a "
    "unit attaining g_max, (H2) |g_i| < g_max for the units with g_i < 0. Equal rates (a_i(0) = "
    "O(sigma), g(0) > 0): at T_delta, ||b - c||/||b + c|| = O(sigma^2), of exact order sigma^2 "
    "when ||b(0) - c(0)|| >= c_0 sigma (slope 2 in log sigma), and the negative part of mu_Theta "
    "has mass O(sigma^2). Spread rates, |b_i(0) - c_i(0)| >= c_0 sigma at a unit attaining "
    "g_min: the ratio is of exact order sigma^(1 + g_min/g_max) (slope 1 + g_min/g_max; below 1 "
    "when g_min < 0, by the proof's estimates); a unit with g_i < 0 does not balance: its "
    "|b_i - c_i| grows and |w_i(T_delta)| = O(sigma^(2 - 2|g_i|/g_max)). No sign of g on [0, 1] "
    "is assumed (rho = (1, 3), k = 2, delta_{-1/2}: g(1) = -1/2)."
)

AS_STATED_BEFORE = False
"""True restores the statement as it was: no lower bound on |u_i(0)| for a unit attaining g_max
(nor on |v_i(0)| at g_min). The search then draws such starts too, and the check refutes the
slope (c = -b on the g_max unit: slope 1 + g_min/g_2 instead of 1 + g_min/g_max);
tests/test_old_statement_r7.py shows that it does."""

DELTA = 0.1             # the escape level of max_i |u_i|
SIGMAS = (1e-10, 1e-40)  # the slope through two scales 30 decades apart (a third adds nothing
#                          to a least-squares slope on equispaced log-scales: its weight is 0)
REMAINDER_TOLERANCE = 0.01  # the O(delta^2) and O(sigma) terms: they move the slope < 1e-4
LINEAR_TOLERANCE = 1e-3     # the flow's slope against its linearisation's (measured <= 1e-5)
LOWER = 0.5             # the lower bound c: |u_i(0)|, |v_i(0)| >= sigma / 2 at g_max, g_min
UPPER = 2.0             # every |u_i(0)|, |v_i(0)| <= 2 sigma
NEG_FACTOR = 2.0        # negative mass <= 2 * sum_i v_i(0)^2 / 4 (equal rates: the proof's bound)
T_MAX = 1e4             # no escape by then: the hypothesis g_max > 0 is broken
SEARCH_SECONDS = 4.0    # flows are costly: few cases (about one a second), refined


# -- cases -----------------------------------------------------------------------------------

def _teacher(case: dict):
    if "atoms" in case:
        return teacher_from_measure(DiscreteMeasure([float(a) for a in case["atoms"]],
                                                    [float(w) for w in case["weights"]]))
    if case["teacher"] == "negative_total":  # g(0) = h_hat_0 < 0: the hypothesis g > 0 fails
        return teacher_from_measure(DiscreteMeasure([0.5], [-1.0]))
    return named_teacher(case["teacher"])


def _problem(case: dict, dim: int) -> FlowProblem:
    k = case["k"]
    target = np.asarray(_teacher(case).impulse_response(k), dtype=float)
    rho = np.ones(k) if case.get("rho") is None else np.asarray(case["rho"], dtype=float)
    return FlowProblem(True, dim, target, rho)


def rates(case: dict, a: np.ndarray) -> np.ndarray:
    """g(a_i) = sum_j rho_j h_hat_j a_i^j."""
    p = _problem(case, len(a))
    return np.polynomial.polynomial.polyval(np.asarray(a, dtype=float), p.rho * p.target)


def _spread(teacher: str, a, u0, v0, **extra) -> dict:
    return {"regime": "spread", "teacher": teacher, "k": extra.pop("k", 5), "dim": len(a),
            "a": [float(x) for x in a], "u0": [float(x) for x in u0],
            "v0": [float(x) for x in v0], **extra}


def _grid_spread(seed: int, teacher: str, dim: int) -> dict:
    """Units on a grid of [-0.9, 0.9]; u_i(0)/sigma and v_i(0)/sigma standard normal, clipped
    to [-2, 2], with the lower bound 1/2 at the g_max and g_min units."""
    rng = np.random.default_rng(seed)
    a = np.linspace(-0.9, 0.9, dim)
    u0, v0 = np.clip(rng.normal(size=(2, dim)), -UPPER, UPPER)
    case = _spread(teacher, a, u0, v0)
    return _with_lower_bounds(case)


def _with_lower_bounds(case: dict) -> dict:
    g = rates(case, np.asarray(case["a"]))
    u0, v0 = list(case["u0"]), list(case["v0"])
    for values, i in ((u0, int(np.argmax(g))), (v0, int(np.argmin(g)))):
        if abs(values[i]) < LOWER:
            values[i] = math.copysign(LOWER, values[i] or 1.0)
    return dict(case, u0=u0, v0=v0)


def cases(quick: bool, seed: int) -> list[dict]:
    names = ["long_memory", "two_pole"] + ([] if quick else ["several"])
    seeds = [seed] if quick else [seed, seed + 1]
    out = [{"regime": "equal", "teacher": t, "dim": 10, "k": 5, "seeds": seeds} for t in names]
    # rho = (1, 3), k = 2, teacher delta_{-1/2}: g(0) = 1 > 0 although g(1) = -1/2
    out.append({"regime": "equal", "teacher": "delta_-1/2", "atoms": [-0.5], "weights": [1.0],
                "rho": [1.0, 3.0], "k": 2, "dim": 6, "seeds": [seed]})
    out.append(_grid_spread(seed, "two_pole", 8))
    # a unit with g < 0 (|g| < g_max): the same rho and teacher, units on [-0.9, 0.9]
    out.append(_with_lower_bounds(_spread("delta_-1/2", [-0.9, -0.2, 0.5, 0.9],
                                          [1.0, -0.7, 1.3, 0.6], [0.8, 1.1, -0.9, -1.2],
                                          atoms=[-0.5], weights=[1.0], rho=[1.0, 3.0], k=2)))
    if not quick:
        out.append(_grid_spread(seed + 1, "long_memory", 6))
    return out


# -- the flow to escape ----------------------------------------------------------------------

def escape(case: dict, sigma: float, method: str = "LSODA", rtol: float = 1e-8):
    """Integrate the flow from the case's start at scale ``sigma`` to the escape time; returns
    (T, a, u, v) there, or None when max |u| does not reach DELTA by T_MAX. Several seeds
    (equal rates) give a list."""
    if case["regime"] == "equal":
        out = []
        for seed in case["seeds"]:
            s = init_student(case["dim"], scale=1.0, seed=seed)
            out.append(_escape(case, sigma * s.a, sigma * (s.b + s.c), sigma * (s.b - s.c),
                               method, rtol))
        return out
    return [_escape(case, np.asarray(case["a"], dtype=float),
                    sigma * np.asarray(case["u0"]), sigma * np.asarray(case["v0"]), method,
                    rtol)]


def _escape(case: dict, a0, u0, v0, method: str, rtol: float):
    d = len(a0)
    problem = _problem(case, d)
    ones = np.ones(d)

    def rhs(_t, y):
        a, u, v = y[:d], y[d:2 * d], y[2 * d:]
        # at b = 1, c = w the package's dL/dc is dL/dw = G and its dL/da is w dL/da
        theta = np.stack([a, ones, (u * u - v * v) / 4], axis=1).ravel()
        g = problem.loss_grad(theta)[1].reshape(d, 3)
        return np.concatenate([-g[:, 0], -g[:, 2] * u, g[:, 2] * v])

    def reached(_t, y):
        return float(np.max(np.abs(y[d:2 * d]))) - DELTA

    reached.terminal, reached.direction = True, 1
    # absolute tolerances per component: v_i = v_i(0) exp(int G_i) never changes sign, so it
    # keeps its relative accuracy with no floor; a and u can cross zero, and a floor of 1e-300
    # there made the integrator crawl through the crossing for hours
    u_floor = 1e-14 * max(float(np.max(np.abs(u0))), 1e-300)
    atol = np.concatenate([np.full(d, 1e-14), np.full(d, u_floor), np.full(d, 1e-300)])
    sol = scipy.integrate.solve_ivp(rhs, (0.0, T_MAX), np.concatenate([a0, u0, v0]),
                                    method=method, rtol=rtol, atol=atol, events=reached)
    if sol.status != 1 or not len(sol.t_events[0]):
        return None
    y = sol.y_events[0][0]
    return float(sol.t_events[0][0]), y[:d], y[d:2 * d], y[2 * d:]


# -- the prediction and its tolerance --------------------------------------------------------

def predicted_slope(case: dict) -> float:
    """2 (equal rates) or 1 + g_min/g_max over the initial atoms (spread rates)."""
    if case["regime"] == "equal":
        return 2.0
    g = rates(case, np.asarray(case["a"]))
    return float(1 + g.min() / g.max())


def finite_scale_bias(g: np.ndarray) -> float:
    """A bound on how far the slope through SIGMAS can lie from 1 + g_min/g_max, from the
    rates alone (the initial data enter only through the hypotheses' constants LOWER, UPPER).

    At the escape a unit j adds to ||v||^2, relative to the g_min unit's share, at most
    p_j = 4 R x^(2 D_j) with D_j = (g_j - g_min)/g_max, x = sigma/delta, R = (UPPER/LOWER)^2
    (its v_j is smaller by the factor x^(D_j), up to the ratio of initial data); its own slope
    differs from the g_min unit's by D_j. To ||u||^2 it adds at most R x^(2 D_j) with
    D_j = (g_max - g_j)/g_max; its slope differs by D_j, or by at most D_j/(1 - D_j) when it
    reaches delta first and sets T. The local slope of log(||v||/||u||) is off by at most the
    largest sum of D_j q_j with q_j <= min(1, p_j) and sum q_j <= 1 on each side, and the slope
    through two scales is the mean of the local ones between them: at most the value at the
    larger scale, x = SIGMAS[0]/DELTA."""
    x = SIGMAS[0] / DELTA
    r = (UPPER / LOWER) ** 2
    gmax, gmin = float(g.max()), float(g.min())
    total = 0.0
    for gaps, factor, shifts in (((gmax - g) / gmax, r, True), ((g - gmin) / gmax, 4 * r, False)):
        gaps = gaps[gaps > 0]
        weights = gaps.copy()
        if shifts:
            below = gaps < 1
            weights[below] = gaps[below] / (1 - gaps[below])
        shares = np.minimum(1.0, factor * x ** (2 * gaps))
        room = 1.0
        for j in np.argsort(-weights):  # the worst allocation of a total share of 1
            take = min(room, float(shares[j]))
            total += float(weights[j]) * take
            room -= take
            if room <= 0:
                break
    return total


def tolerance(case: dict) -> float:
    if case["regime"] == "equal":
        return REMAINDER_TOLERANCE  # rates equal to O(sigma): no finite-scale bias to speak of
    return REMAINDER_TOLERANCE + finite_scale_bias(rates(case, np.asarray(case["a"])))


def linearised_log_ratio(case: dict, sigma: float, seed_index: int = 0) -> float:
    """log(||v||/||u||) at the escape of the linearised flow u_i' = 2 g_i u_i,
    v_i' = -2 g_i v_i from the case's start at scale ``sigma`` (in logarithms: no underflow),
    with T the first time max_i |u_i| = DELTA."""
    if case["regime"] == "equal":
        s = init_student(case["dim"], scale=1.0, seed=case["seeds"][seed_index])
        a, U, V = sigma * s.a, s.b + s.c, s.b - s.c
    else:
        a = np.asarray(case["a"], dtype=float)
        U, V = np.asarray(case["u0"], dtype=float), np.asarray(case["v0"], dtype=float)
    g = rates(case, a)
    live = (U != 0) & (g > 0)
    T = float(np.min(np.log(DELTA / (sigma * np.abs(U[live]))) / (2 * g[live])))

    def log_norm(x):
        return float(x.max() + np.log(np.sum(np.exp(2 * (x - x.max())))) / 2)

    return (log_norm(np.log(sigma * np.abs(V[V != 0])) - 2 * g[V != 0] * T)
            - log_norm(np.log(sigma * np.abs(U[U != 0])) + 2 * g[U != 0] * T))


def linearised_slopes(case: dict) -> list[float]:
    """The slope through SIGMAS of ``linearised_log_ratio``, per start."""
    span = math.log(SIGMAS[0]) - math.log(SIGMAS[-1])
    starts = len(case["seeds"]) if case["regime"] == "equal" else 1
    return [(linearised_log_ratio(case, SIGMAS[0], i) - linearised_log_ratio(case, SIGMAS[-1], i))
            / span for i in range(starts)]


def measure(case: dict, method: str = "LSODA", rtol: float = 1e-8):
    """Per start (seed): the slope of log(||v||/||u||) at escape against log sigma, and of
    the negative mass; and the worst ratio of the negative mass at escape to the proof's
    bound 2 sum_i v_i(0)^2/4 (equal rates). The imbalance and negative mass are also read
    from the package's FlowProblem at the escape point and must agree with the ones computed
    here; NaN when they do not or a flow does not escape."""
    ratios, negs, neg_ratio = [], [], 0.0
    for sigma in SIGMAS:
        ends = escape(case, sigma, method, rtol)
        if any(e is None for e in ends):
            return [math.nan], [math.nan], math.inf
        row, nrow = [], []
        for index, (_t, a, u, v) in enumerate(ends):
            ratio = float(np.linalg.norm(v) / np.linalg.norm(u))
            negative = float(np.sum(np.maximum(-(u * u - v * v) / 4, 0.0)))
            if not _package_agrees(a, u, v, ratio, negative):
                return [math.nan], [math.nan], math.inf
            row.append(math.log(ratio))
            nrow.append(math.log(negative) if negative > 0 else -math.inf)
            if case["regime"] == "equal":
                s = init_student(case["dim"], scale=1.0, seed=case["seeds"][index])
                bound = NEG_FACTOR * float(np.sum((sigma * (s.b - s.c)) ** 2)) / 4
                neg_ratio = max(neg_ratio, negative / bound)
        ratios.append(row)
        negs.append(nrow)
    span = math.log(SIGMAS[0]) - math.log(SIGMAS[-1])
    slopes = [(ratios[0][i] - ratios[-1][i]) / span for i in range(len(ratios[0]))]
    neg_slopes = [(negs[0][i] - negs[-1][i]) / span for i in range(len(negs[0]))]
    return slopes, neg_slopes, neg_ratio


def _package_agrees(a, u, v, ratio: float, negative: float) -> bool:
    """FlowProblem.imbalance and .negative_mass at the escape point (in b, c) against the
    values computed here from u, v (to the rounding of b - c, relative to |u|)."""
    d = len(a)
    problem = FlowProblem(True, d, np.zeros(1), np.ones(1))
    theta = np.stack([a, (u + v) / 2, (u - v) / 2], axis=1).ravel()
    scale = float(np.linalg.norm(u))
    rounding = 1e-14 * scale / max(float(np.linalg.norm(v)), 1e-300)
    if abs(problem.imbalance(theta) - ratio) > max(rounding, 1e-9) * ratio:
        return False
    return abs(problem.negative_mass(theta) - negative) <= 1e-14 * scale ** 2 + 1e-9 * negative


def package_flow_agrees(case: dict) -> bool:
    """The package's own ``integrate_flow`` (LSODA, in a, b, c), run from the first start at
    scale SIGMAS[0] to the escape time found here, reaches the same point: max |b + c| = DELTA
    to 1e-5 and the same a to 1e-6; and its trajectory's imbalance and negative mass are the
    ones of its final parameters."""
    sigma = SIGMAS[0]
    (T, a, _u, _v) = escape(case, sigma)[0]
    if case["regime"] == "equal":
        s = init_student(case["dim"], scale=sigma, seed=case["seeds"][0])
    else:
        a0 = np.asarray(case["a"], dtype=float)
        u0, v0 = sigma * np.asarray(case["u0"]), sigma * np.asarray(case["v0"])
        s = DiagonalRNN(a0, (u0 + v0) / 2, (u0 - v0) / 2)
    with warnings.catch_warnings():  # fewer units than teacher atoms is a case of R7 too
        warnings.simplefilter("ignore", UserWarning)
        run = integrate_flow(s, _teacher(case), k=case["k"], lag_weights=case.get("rho"),
                             method="LSODA", t_max=T, rtol=1e-9, atol=1e-30, record=2)
    if run.status != "t_max":
        return False
    b, c = run.final.b, run.final.c
    if abs(float(np.max(np.abs(b + c))) - DELTA) > 1e-5 * DELTA:
        return False
    if float(np.max(np.abs(run.final.a - a))) > 1e-6:
        return False
    mine = float(np.linalg.norm(b - c) / np.linalg.norm(b + c))
    negative = float(np.sum(np.maximum(-(b * c), 0.0)))
    return (abs(run.imbalance[-1] - mine) <= 1e-9 * mine
            and abs(run.negative_mass[-1] - negative) <= 1e-12 * max(negative, 1e-300))


def check(case: dict, method: str = "LSODA", rtol: float = 1e-8) -> float:
    """tolerance - |slope - predicted slope| for every start, where the tolerance is
    REMAINDER_TOLERANCE (equal rates) plus, for spread rates, the finite-scale bias that the
    rates allow (``finite_scale_bias``); when g_min < 0, the slope of the negative mass must be
    2 (1 + g_min/g_max) within twice the tolerance; and the slope must be the linearised flow's
    (``linearised_slopes``) within LINEAR_TOLERANCE. -1 when a flow does not escape by T_MAX,
    the package's imbalance and negative mass disagree with the ones computed here, or the
    package's integrate_flow does not reach the same escape point (``package_flow_agrees``);
    equal rates also need the negative mass at escape within the proof's bound, else -1."""
    slopes, neg_slopes, neg_ratio = measure(case, method, rtol)
    if not all(math.isfinite(s) for s in slopes):
        return -1.0
    if method == "LSODA" and not package_flow_agrees(case):
        return -1.0
    predicted, tol = predicted_slope(case), tolerance(case)
    margin = min(tol - abs(s - predicted) for s in slopes)
    # the proof's estimate u_i(T) = u_i(0) e^(2 g_i T) (1 + O(delta^2)): the flow follows its
    # linearisation, whose slope is computed here in closed form from the same start
    margin = min([margin] + [LINEAR_TOLERANCE - abs(s - lin)
                             for s, lin in zip(slopes, linearised_slopes(case))])
    if case["regime"] == "equal":
        return min(margin, -1.0) if neg_ratio > 1.0 else margin
    if predicted < 1:  # g_min < 0: the unit with g_min does not balance; its weight is -v^2/4
        margin = min([margin] + [2 * tol - abs(s - 2 * predicted) for s in neg_slopes])
    return margin


def confirm(case: dict) -> float:
    """The same measurement with an explicit Runge-Kutta method (DOP853) at a tighter
    tolerance: a different integrator, with no Jacobian and no linear algebra."""
    return check(case, method="DOP853", rtol=1e-9)


# -- the search ------------------------------------------------------------------------------

def _random_teacher(rng: random.Random) -> dict:
    n = rng.randint(1, 3)
    atoms = [m / 100 for m in rng.sample(range(-100, 101), n)]
    weights = [round(rng.choice([-1, 1, 1]) * rng.uniform(0.3, 1.5), 2) for _ in range(n)]
    k = rng.randint(2, 6)
    rho = None if rng.random() < 0.4 else [round(rng.uniform(0.2, 3.0), 2) for _ in range(k)]
    return {"teacher": "random", "atoms": atoms, "weights": weights, "k": k, "rho": rho}


def _inside(case: dict) -> bool:
    """The statement's hypotheses (and what keeps a flow short): g_max >= 0.2 and, for
    spread rates, g_min > -0.8 g_max; equal rates need g(0) >= 0.2. Teachers' atoms distinct."""
    if len(set(case.get("atoms", []))) != len(case.get("atoms", [])):
        return False
    if case["regime"] == "equal":
        return float(rates(case, np.zeros(1))[0]) >= 0.2
    g = rates(case, np.asarray(case["a"]))
    return float(g.max()) >= 0.2 and float(g.min()) > -0.8 * float(g.max())


def _draw(rng: random.Random) -> dict:
    while True:
        teacher = _random_teacher(rng)
        if rng.random() < 0.3:
            case = {"regime": "equal", **teacher, "dim": rng.randint(1, 8),
                    "seeds": [rng.randrange(10_000)]}
        else:
            d = rng.randint(2, 6)
            a = [round(rng.uniform(-1.0, 1.0), 3) for _ in range(d)]
            u0 = [round(rng.uniform(-UPPER, UPPER), 3) for _ in range(d)]
            v0 = [round(rng.uniform(-UPPER, UPPER), 3) for _ in range(d)]
            case = _spread("random", a, u0, v0, **{k: v for k, v in teacher.items()
                                                   if k != "teacher"})
            case = _bounded(case, rng)
        if _inside(case):
            return case


def _bounded(case: dict, rng: random.Random) -> dict:
    """The lower bounds at g_max and g_min, or (the statement as it was) not always."""
    if AS_STATED_BEFORE and rng.random() < 0.5:
        g = rates(case, np.asarray(case["a"]))
        u0 = list(case["u0"])
        u0[int(np.argmax(g))] = 0.0  # c = -b on the unit with g_max
        return dict(case, u0=u0)
    return _with_lower_bounds(case)


def search(seed: int, count: int) -> list[dict]:
    """Random starts over the whole hypothesis space: teachers with 1-3 signed atoms in
    [-1, 1], k = 2..6, lag weights rho (ones or random in [0.2, 3]); equal rates from
    ``init_student`` (1-8 units) or spread rates (2-6 units anywhere in [-1, 1], initial
    u_i/sigma, v_i/sigma anywhere in [-2, 2] with the lower bound 1/2 at g_max and g_min),
    keeping g_max >= 0.2 and g_min > -0.8 g_max."""
    rng = random.Random(f"R7 {seed}")
    return [_draw(rng) for _ in range(count)]


def refine(case: dict, rng: random.Random) -> dict:
    """Move one unit's a_i, u_i(0) or v_i(0) (spread), or one atom, weight or rho_j; the
    result is kept inside the hypotheses (else the case is returned unchanged)."""
    new = {k: (list(v) if isinstance(v, list) else v) for k, v in case.items()}
    keys = ["atoms", "weights"] + (["rho"] if new.get("rho") else [])
    if new["regime"] == "spread":
        keys += ["a", "u0", "v0"] * 2
    elif "atoms" not in new:
        return dict(case, seeds=[rng.randrange(10_000)])
    key = rng.choice(keys)
    if key not in new:
        return case
    i = rng.randrange(len(new[key]))
    step = {"a": 0.1, "u0": 0.3, "v0": 0.3, "atoms": 0.1, "weights": 0.2, "rho": 0.3}[key]
    limit = {"a": 1.0, "u0": UPPER, "v0": UPPER, "atoms": 1.0, "weights": 1.5,
             "rho": 3.0}[key]
    value = float(np.clip(new[key][i] + rng.uniform(-step, step), -limit, limit))
    if key == "rho":
        value = max(value, 0.2)
    new[key][i] = round(value, 3)
    if key == "weights" and new[key][i] == 0 or not _inside(new):
        return case
    if new["regime"] == "spread" and not AS_STATED_BEFORE:
        new = _with_lower_bounds(new)
    return new if _inside(new) else case


# -- controls --------------------------------------------------------------------------------

def negative_g(quick: bool, seed: int) -> list[dict]:
    return [{"regime": "equal", "teacher": "negative_total", "dim": 10, "k": 5,
             "seeds": [seed]}]


def no_lower_bound(quick: bool, seed: int) -> list[dict]:
    """The spread regime without the lower bound: u_i(0) = 0 (c = -b) on the unit attaining
    g_max. It never escapes; the next unit sets T and the slope is 1 + g_min/g_2."""
    out = []
    for case in (_grid_spread(seed, "two_pole", 8),
                 _spread("two_pole", [0.95, 0.1, -0.6], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0])):
        g = rates(case, np.asarray(case["a"]))
        u0 = list(case["u0"])
        u0[int(np.argmax(g))] = 0.0
        out.append(dict(case, u0=u0))
    return out


CLAIM = Claim("R7", "small initialisation balances the network (both rate regimes)",
              STATEMENT, cases, check,
              [("a teacher with g(0) < 0", negative_g),
               ("no lower bound on |u_i(0)| at g_max", no_lower_bound)],
              confirm, unit="slope", search=search, refine=refine)
register_claim(CLAIM)
