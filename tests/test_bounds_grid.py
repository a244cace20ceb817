"""Worst-case extrapolation over the grid of tolerances, degrees and supports, against
independent references: the exact range (tolerance 0) and a linear program over a fine grid of
atoms (positive tolerance), whose optimum is an attained value, so it must lie inside the
certified outer ends and close to them.

The full grid (k up to 30, every tolerance, three supports) runs with MOMENTRNN_FULL_GRID=1;
the default run takes a representative subset.
"""

from __future__ import annotations

import os
from fractions import Fraction as F

import numpy as np
import pytest

pytest.importorskip("cvxpy")

from momentrnn import extrapolation_range, next_moment_range  # noqa: E402
from momentrnn.errors import MomentRNNError, SolverError  # noqa: E402

FULL = os.environ.get("MOMENTRNN_FULL_GRID") == "1"
SUPPORTS = {"[-1,1]": (F(-1), F(1)), "[0,1]": (F(0), F(1)), "[-1/3,2]": (F(-1, 3), F(2))}
TOLERANCES = (0.0, 1e-9, 1e-6, 1e-3, 1e-1)


def uniform(count, a, b):
    return [(b ** (j + 1) - a ** (j + 1)) / (j + 1) / (b - a) for j in range(count)]


def near_boundary(count, a, b):
    """Three atoms, one at an end: moments on the edge of the moment space (singular)."""
    atoms = [a, a + (b - a) * F(39, 100), b - (b - a) * F(1, 7)]
    weights = [F(1, 5), F(1, 2), F(3, 10)]
    return [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]


def grid_lp(moments, eps, q, a, b, points=4001, upper=True):
    """max (or min) m_q over measures on a uniform grid with the moments in the box (HiGHS).

    Independent of the SDP: a different formulation (a linear program over atoms) and
    solver. Every feasible grid measure is feasible for the true problem, so the optimum is
    an inner value, up to the LP's own tolerance.
    """
    from scipy.optimize import linprog

    x = np.linspace(float(a), float(b), points)
    rows = len(moments)
    V = x[None, :] ** np.arange(rows)[:, None]
    s = np.abs(V).max(axis=1)
    m = np.array([float(v) for v in moments]) / s
    e = np.full(rows, eps) / s
    c = x**q
    res = linprog(-c if upper else c, A_ub=np.vstack([V / s[:, None], -V / s[:, None]]),
                  b_ub=np.concatenate([m + e, e - m]), bounds=[(0, None)] * points,
                  method="highs", options={"primal_feasibility_tolerance": 1e-10})
    assert res.status == 0, res.message
    return float(c @ res.x)


def _grid():
    ks = (2, 4, 8, 12, 20, 30) if FULL else (2, 8)
    out = []
    for k in ks:
        for eps in TOLERANCES:
            for name in SUPPORTS:
                if not FULL and (k, name) not in ((2, "[-1,1]"), (8, "[0,1]"),
                                                  (8, "[-1/3,2]"), (2, "[-1/3,2]")):
                    continue
                out.append((k, eps, name))
    return out


@pytest.mark.parametrize("k,eps,name", _grid())
def test_certified_ends_contain_the_reference(k, eps, name):
    a, b = SUPPORTS[name]
    m = uniform(2 * k + 1, a, b)
    q = 2 * k + 1
    r = extrapolation_range(m, tolerance=eps, support=(a, b))
    assert r.certified_lower <= r.certified_upper
    assert r.lower <= r.upper
    assert float(r.certified_lower) <= r.lower and r.upper <= float(r.certified_upper) * (
        1 + 1e-15) + 1e-300
    if eps == 0:
        ex = next_moment_range(m, support=(a, b))
        assert r.certified_lower <= ex.lower and ex.upper <= r.certified_upper
        assert r.solver == "exact" and r.status == "ok"
        return
    # the reference range contains the exact (tolerance 0) one and is inside the proved ends
    ex = next_moment_range(m, support=(a, b))
    assert r.certified_lower <= ex.lower and ex.upper <= r.certified_upper
    # the grid LP in double precision meets the box only to 1e-10 of the largest |x|^j: use it
    # where that is far inside the tolerance (and to degree 17, where it is well conditioned)
    if 2 * k + 1 <= 17 and eps >= 1e-6 * float(max(abs(a), abs(b))) ** (2 * k):
        width = r.width
        hi = grid_lp(m, eps, q, a, b, upper=True)
        lo = grid_lp(m, eps, q, a, b, upper=False)
        tol = 1e-7 * max(1.0, abs(hi), abs(lo))
        assert hi <= float(r.certified_upper) + tol
        assert lo >= float(r.certified_lower) - tol
        # the grid optimum is within grid resolution of the true end
        assert abs(hi - r.upper) <= 1e-3 * width + tol
        assert abs(lo - r.lower) <= 1e-3 * width + tol
    if r.inner_upper is not None:  # the checked measure really is feasible (recomputed)
        mu = r.upper_measure
        for j, mj in enumerate(m):
            mom = sum(w * x**j for x, w in zip(mu.atoms, mu.weights))
            assert abs(mom - mj) <= F(eps)
        assert all(w >= 0 for w in mu.weights) and all(a <= x <= b for x in mu.atoms)
        assert r.inner_upper <= r.certified_upper


def test_sdp_forced_at_tolerance_zero_agrees_with_the_exact_range():
    for k in (2, 5):
        m = uniform(2 * k + 1, F(-1), F(1))
        ex = next_moment_range(m)
        r = extrapolation_range(m, tolerance=0.0, solver="CLARABEL")
        w = float(ex.upper - ex.lower)
        assert r.solver == "CLARABEL"
        assert r.certified_lower <= ex.lower and ex.upper <= r.certified_upper
        assert abs(r.lower - float(ex.lower)) <= 1e-6 * w
        assert abs(r.upper - float(ex.upper)) <= 1e-6 * w


@pytest.mark.parametrize("eps", [1e-9, 1e-3])
def test_near_boundary_and_signed_noise_data(eps):
    a, b = F(-1), F(1)
    m = near_boundary(9, a, b)
    rng = np.random.default_rng(3)
    noisy = [v + F(float(rng.uniform(-0.5, 0.5) * eps)) for v in m]
    for data in (m, noisy):
        r = extrapolation_range(data, tolerance=eps, order=9)
        if eps >= 1e-6:  # a grid measure cannot meet a box much finer than the grid spacing
            hi = grid_lp(data, eps, 9, a, b, upper=True)
            lo = grid_lp(data, eps, 9, a, b, upper=False)
            assert lo >= float(r.certified_lower) - 1e-9
            assert hi <= float(r.certified_upper) + 1e-9
        true = sum(w * x**9 for x, w in zip([a, a + 2 * F(39, 100), b - 2 * F(1, 7)],
                                            [F(1, 5), F(1, 2), F(3, 10)]))
        assert r.certified_lower <= true <= r.certified_upper


def test_a_broken_certificate_is_caught():
    """Dropping the shift delta (trusting the solver's multipliers) would cut into the range."""
    from momentrnn.moments._certificate import certify_end

    m = uniform(9, F(-1), F(1))
    r = extrapolation_range(m, tolerance=1e-3)
    cert = r.upper_certificate
    # halve the multipliers: P >= x^9 fails, and the proved delta must grow to compensate
    half = [v / 2 for v in cert.multipliers]
    broken = certify_end(half, m, [F(1e-3)] * 9, 9, F(-1), F(1), True)
    assert broken.delta > 0
    assert broken.bound >= r.inner_upper


def test_solver_failure_is_its_own_error():
    with pytest.raises(SolverError, match="tried|attempt") as info:
        extrapolation_range(uniform(5, F(-1), F(1)), tolerance=1e-3, solver="NO_SUCH_SOLVER")
    assert isinstance(info.value, MomentRNNError)
    assert not isinstance(info.value, ValueError)
