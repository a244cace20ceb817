"""R7's check: one escape time (max |b + c| reaches delta), the lower-bound hypothesis and its
control, a tolerance derived from the scales, the g < 0 branch, no sign of g assumed on [0, 1]."""

from __future__ import annotations

import math
import random

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from proofs_checks import r7


def _linear_log_ratio(g, U, V, sigma):
    """log(||v||/||u||) at the escape of the linearised flow u' = 2 g u, v' = -2 g v from
    (sigma U, sigma V), in logarithms (no underflow at sigma = 1e-40)."""
    live = U != 0
    T = min((math.log(r7.DELTA / (sigma * abs(u))) / (2 * gi)
             for u, gi in zip(U[live], g[live]) if gi > 0))
    log_u = np.log(sigma * np.abs(U[live])) + 2 * g[live] * T
    log_v = np.log(sigma * np.abs(V[V != 0])) - 2 * g[V != 0] * T
    lse = lambda x: float(x.max() + np.log(np.sum(np.exp(2 * (x - x.max())))) / 2)  # noqa: E731
    return lse(log_v) - lse(log_u)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.integers(2, 8), st.randoms(use_true_random=False))
def test_finite_scale_bias_bounds_the_linearised_slope(d, rnd):
    """The tolerance's finite-scale part is a bound: the slope through SIGMAS of the
    linearised flow, from any data within the hypotheses' constants, lies within it of
    1 + g_min/g_max (rates drawn with near ties, negative rates above -g_max)."""
    g = np.array([round(rnd.uniform(0.2, 3.0), 4) for _ in range(d)])
    if rnd.random() < 0.5:
        g[0] = -round(rnd.uniform(0.01, 0.95), 4) * g.max()
    if rnd.random() < 0.5:  # a near tie at the top or the bottom
        j = int(np.argmax(g)) if rnd.random() < 0.5 else int(np.argmin(g))
        g[(j + 1) % d] = g[j] * (1 - rnd.uniform(0, 0.05) * np.sign(g[j]))
    assume(g.max() > 0.1 and g.min() > -0.99 * g.max())  # (H1), (H2)
    U = np.array([round(rnd.uniform(-r7.UPPER, r7.UPPER), 4) for _ in range(d)])
    V = np.array([round(rnd.uniform(-r7.UPPER, r7.UPPER), 4) for _ in range(d)])
    worst = rnd.random() < 0.5  # the extreme data the constants allow
    if worst:
        U, V = np.full(d, r7.UPPER), np.full(d, r7.UPPER)
    for values, i in ((U, int(np.argmax(g))), (V, int(np.argmin(g)))):
        if abs(values[i]) < r7.LOWER or worst:
            values[i] = math.copysign(r7.LOWER, values[i] or 1.0)
    s0, s1 = r7.SIGMAS
    slope = (_linear_log_ratio(g, U, V, s0) - _linear_log_ratio(g, U, V, s1)) / math.log(s0 / s1)
    assert abs(slope - (1 + g.min() / g.max())) <= r7.finite_scale_bias(g) + 1e-9


def test_r7_escape_is_the_first_time_max_u_reaches_delta():
    case = r7.cases(True, 0)[-1]
    (T, _a, u, _v), = r7.escape(case, 1e-10)
    assert T > 0 and abs(np.max(np.abs(u)) - r7.DELTA) <= 1e-9 * r7.DELTA


def test_r7_equal_rates_slope_window_is_tight():
    """Slope 2 within 0.01 (the old check accepted 1.6 .. 2.4)."""
    equal = [c for c in r7.cases(True, 0) if c["regime"] == "equal"]
    assert equal and all(r7.tolerance(c) <= 0.011 for c in equal)
    slopes, _neg, ratio = r7.measure(equal[0])
    assert all(abs(s - 2) < 1e-3 for s in slopes) and ratio <= 1


def test_r7_control_without_the_lower_bound_fails_in_every_case():
    cases = r7.no_lower_bound(True, 0)
    assert len(cases) >= 2
    for case in cases:
        g = r7.rates(case, np.asarray(case["a"]))
        assert case["u0"][int(np.argmax(g))] == 0.0
        assert r7.check(case) <= 0
    # with the lower bound restored the same starts hold
    assert r7.check(r7._with_lower_bounds(cases[-1])) > 0


def test_r7_every_control_fails_in_every_case():
    for _name, make in r7.CLAIM.controls:
        margins = [r7.check(c) for c in make(True, 0)]
        assert margins and all(m <= 0 for m in margins), (_name, margins)


def test_r7_negative_rate_branch_is_reached_and_measured():
    """A unit with g < 0 (|g| < g_max) is in the grid; the slope is 1 + g_min/g_max < 1 and
    the negative mass has slope 2 (1 + g_min/g_max)."""
    case = next(c for c in r7.cases(True, 0)
                if c["regime"] == "spread" and r7.predicted_slope(c) < 1)
    g = r7.rates(case, np.asarray(case["a"]))
    assert g.min() < 0 < g.max() and abs(g.min()) < g.max()
    slopes, neg_slopes, _ = r7.measure(case)
    predicted = r7.predicted_slope(case)
    assert abs(slopes[0] - predicted) < 0.01
    assert abs(neg_slopes[0] - 2 * predicted) < 0.02
    assert r7.check(case) > 0


def test_r7_does_not_assume_g_positive_on_the_unit_interval():
    """rho = (1, 3), k = 2, teacher delta_{-1/2}: g(1) = -1/2 < 0 < g(0) = 1."""
    case = next(c for c in r7.cases(True, 0) if c.get("rho") == [1.0, 3.0]
                and c["regime"] == "equal")
    assert r7.rates(case, np.array([0.0, 1.0])).tolist() == [1.0, -0.5]
    assert r7.check(case) > 0


def test_r7_margin_reads_the_package_gradient(monkeypatch):
    """The flow's vector field is the package's FlowProblem.loss_grad: a gradient off by a
    factor on dL/dw moves the slope out of its window (the spread case's rates double)."""
    from momentrnn.dynamics import FlowProblem

    real = FlowProblem.loss_grad

    def doubled_g(self, theta):
        loss, grad = real(self, theta)
        grad = grad.copy()
        grad[2::3] *= np.where(theta[2::3] < 0, 1.5, 1.0)  # not a uniform time change
        return loss, grad

    case = next(c for c in r7.cases(True, 0) if c["regime"] == "spread"
                and r7.predicted_slope(c) < 1)
    assert r7.check(case) > 0
    monkeypatch.setattr(FlowProblem, "loss_grad", doubled_g)
    assert r7.check(case) <= 0


@settings(max_examples=3, derandomize=True, deadline=None)
@given(st.integers(0, 10_000))
def test_r7_searched_cases_hold_and_refine_stays_inside(seed):
    rng = random.Random(seed)
    case = r7.search(seed, 1)[0]
    assert r7.check(case) > 0, case
    new = r7.refine(case, rng)
    assert r7._inside(new)
    if new["regime"] == "spread":
        g = r7.rates(new, np.asarray(new["a"]))
        assert abs(new["u0"][int(np.argmax(g))]) >= r7.LOWER
        assert abs(new["v0"][int(np.argmin(g))]) >= r7.LOWER


def test_r7_search_spans_the_hypothesis_space():
    cases = r7.search(0, 60)
    assert {c["regime"] for c in cases} == {"equal", "spread"}
    assert any(c.get("rho") for c in cases) and any(c.get("rho") is None for c in cases)
    assert any(min(c["weights"]) < 0 for c in cases)
    assert any(r7.predicted_slope(c) < 1 for c in cases if c["regime"] == "spread")


def test_r7_negative_mass_slope_is_part_of_the_margin(monkeypatch):
    case = next(c for c in r7.cases(True, 0)
                if c["regime"] == "spread" and r7.predicted_slope(c) < 1)
    real = r7.measure

    def off(case, method="LSODA", rtol=1e-8):
        slopes, neg, ratio = real(case, method, rtol)
        return slopes, [s + 0.1 for s in neg], ratio

    monkeypatch.setattr(r7, "measure", off)
    assert r7.check(case) <= 0


def test_r7_margin_reads_the_package_integrator(monkeypatch):
    """The package's integrate_flow must reach the same escape point: a trajectory whose
    imbalance diagnostic is off, or whose flow stops early, makes the margin -1."""
    import dataclasses

    case = r7.cases(True, 0)[-1]
    assert r7.package_flow_agrees(case)
    real = r7.integrate_flow

    def early(*args, **kwargs):
        return real(*args, **{**kwargs, "t_max": kwargs["t_max"] * 0.999})

    monkeypatch.setattr(r7, "integrate_flow", early)
    assert not r7.package_flow_agrees(case) and r7.check(case) == -1.0

    def skewed(*args, **kwargs):
        run = real(*args, **kwargs)
        return dataclasses.replace(run, imbalance=np.asarray(run.imbalance) * 1.001)

    monkeypatch.setattr(r7, "integrate_flow", skewed)
    assert not r7.package_flow_agrees(case)


def test_r7_flow_follows_its_linearisation_and_the_margin_says_so(monkeypatch):
    """The proof's estimate: the flow's slope is its linearisation's (here to 1e-5; the
    margin allows 1e-3), and the closed form agrees with this file's own computation."""
    case = next(c for c in r7.cases(True, 0) if c["regime"] == "spread")
    g = r7.rates(case, np.asarray(case["a"]))
    U, V = np.asarray(case["u0"]), np.asarray(case["v0"])
    for sigma in r7.SIGMAS:
        assert abs(r7.linearised_log_ratio(case, sigma)
                   - _linear_log_ratio(g, U, V, sigma)) < 1e-9
    (flow,), _neg, _ = r7.measure(case)
    (lin,) = r7.linearised_slopes(case)
    assert abs(flow - lin) < 1e-5
    monkeypatch.setattr(r7, "linearised_slopes", lambda c: [s + 2e-3 for s in [lin]])
    assert r7.check(case) < 0
