"""Moments that no non-negative measure meets within the tolerance: said only when proved.

A solver's status "infeasible" is not a proof. The library raises InputError only with a
certificate checked over Q (a Farkas polynomial, the exact test at tolerance 0, or crossed
proved ends); otherwise a SolverError that says nothing is proved.
"""

from __future__ import annotations

import random
from fractions import Fraction as F

import numpy as np
import pytest

pytest.importorskip("cvxpy")

from momentrnn import extrapolation_range  # noqa: E402
from momentrnn.errors import InputError, SolverError  # noqa: E402
from momentrnn.moments import sdp  # noqa: E402
from momentrnn.moments._certificate import certify_infeasible  # noqa: E402


def three_atoms(count):
    atoms, weights = [F(-1), F(-11, 50), F(5, 7)], [F(1, 5), F(1, 2), F(3, 10)]
    return [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]


def _recheck(cert, moments, eps):
    """Independent re-check of a Farkas certificate: P + delta >= 0 on a fine grid (a
    necessary condition) and the margin recomputed over Q."""
    lam = cert.multipliers
    xs = [F(i, 500) - 1 for i in range(1001)]
    assert min(sum(c * x**j for j, c in enumerate(lam)) for x in xs) + cert.delta >= 0
    margin = (sum(c * m for c, m in zip(lam, moments)) + sum(abs(c) * e for c, e in
                                                            zip(lam, eps))
              + cert.delta * (moments[0] + eps[0]))
    assert margin == cert.margin and margin < 0


@pytest.mark.parametrize("moments,eps", [
    ([F(1), F(0), F(2)], 1e-3),                               # variance 2 on [-1, 1]
    ([F(1), F(0), F(1, 3), F(0), F(1, 9) - F(1, 1000)], 1e-6),  # m_4 < m_2^2 / m_0
])
def test_infeasible_data_are_refuted_with_a_checked_certificate(moments, eps):
    with pytest.raises(InputError, match="Farkas") as info:
        extrapolation_range(moments, tolerance=eps)
    _recheck(info.value.certificate, moments, [F(eps)] * len(moments))


def test_infeasible_near_the_boundary_at_degree_16():
    m = three_atoms(17)
    m[16] -= F(1, 1000)  # beyond the edge of the moment space by far more than the tolerance
    with pytest.raises(InputError, match="proved") as info:
        extrapolation_range(m, tolerance=1e-9, order=18)
    _recheck(info.value.certificate, m, [F(1e-9)] * 17)
    # the same data are feasible once the tolerance covers the change: no refutation
    r = extrapolation_range(m, tolerance=2e-3, order=18)
    assert r.certified_lower <= r.certified_upper


def test_tolerance_zero_is_decided_exactly():
    m = three_atoms(9)
    m[8] -= F(1, 10**12)
    with pytest.raises(InputError, match="decided exactly"):
        extrapolation_range(m, tolerance=0.0, order=11)


def test_a_solver_that_says_infeasible_is_not_believed(monkeypatch):
    """Negative control: feasible data, a solver reporting 'infeasible' on every range
    attempt. No certificate can verify, so the answer is a SolverError that says so."""
    def fails(*args, **kwargs):
        raise sdp._AttemptFailed("status infeasible")

    monkeypatch.setattr(sdp, "_solve_once", fails)
    m = [F(1), F(0), F(1, 3), F(0), F(1, 5)]
    with pytest.raises(SolverError, match="neither feasibility nor infeasibility is proved"):
        extrapolation_range(m, tolerance=1e-6)


def test_no_certificate_verifies_for_feasible_data():
    """Random multipliers never refute feasible data; without the proved shift delta
    (trusting P >= 0) some would: the check is what makes the refutation sound."""
    m = [F(1, j + 1) if j % 2 == 0 else F(0) for j in range(7)]  # uniform on [-1, 1]
    eps = [F(1, 10**6)] * 7
    rng = random.Random(5)
    unsound = 0
    for _ in range(200):
        lam = [F(rng.randint(-1000, 1000), 1000) for _ in range(7)]
        cert = certify_infeasible(lam, m, eps, F(-1), F(1))
        assert not cert.proved
        unsound += cert.margin - cert.delta * (m[0] + eps[0]) < 0
    assert unsound > 0


def test_crossed_proved_ends_refute_the_data(monkeypatch):
    """Dual certificates are proved bounds; if the lower one exceeds the upper one no measure
    exists. Multipliers are injected: P = 1 >= x^3 (upper) and x^3 >= 3x^2 - 4 (lower)."""
    def ends(*args, **kwargs):
        return [(0.0, np.array([4.0, 0.0, -3.0]), "optimal"),
                (0.0, np.array([1.0, 0.0, 0.0]), "optimal")]

    monkeypatch.setattr(sdp, "_solve_once", ends)
    with pytest.raises(InputError, match="dual certificates of the two ends"):
        extrapolation_range([F(1), F(0), F(2)], tolerance=1e-3)
    # the same multipliers on feasible data give ordered ends (the branch can fail)
    r = extrapolation_range([F(1), F(0), F(1, 3)], tolerance=1e-3)
    assert r.certified_lower <= r.certified_upper


def test_elementary_cases_get_elementary_answers_or_one_line_errors():
    import math
    from fractions import Fraction

    # the zero measure has these moments: m_q = 0, not "infeasible"
    r = extrapolation_range([0, 0, 0], tolerance=0)
    assert (r.lower, r.upper, r.certified_lower, r.certified_upper) == (0, 0, 0, 0)
    # on a half-line an odd moment keeps a sign: not "unbounded both ways"
    with pytest.raises(InputError, match="unbounded support"):
        extrapolation_range([1, Fraction(1, 2)], tolerance=1e-3, support=(0, "inf"), order=3)
    r = extrapolation_range([1, 0], tolerance=1e-3, support=("-inf", "inf"), order=3)
    assert r.lower == -math.inf and r.upper == math.inf
    for kwargs, pattern in (({"tolerance": "abc"}, "tolerance"),
                            ({"tolerance": 1e-3, "order": 500}, "beyond"),
                            ({"tolerance": 1e301}, "1e300")):
        with pytest.raises(InputError, match=pattern):
            extrapolation_range([1, 0, Fraction(1, 3)], **kwargs)
    with pytest.raises(InputError, match="1e300"):
        extrapolation_range([10**400, 0, 10**400], tolerance=1e-3)


def test_a_support_too_narrow_for_doubles_is_refused_in_one_line():
    # on [a, a + w] the Chebyshev data scale as (2/w)^k: at w = 1e-200 and order 5 they leave
    # the double range; refused naming the support, not an OverflowError after numpy warnings
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=12, derandomize=True, deadline=None)
    @given(st.integers(150, 340), st.sampled_from([F(0), F(39, 100), F(-1, 3)]),
           st.booleans())
    def check(e, a, symmetric):
        w = F(1, 10**e)
        lo, hi = (a - w, a + w) if symmetric else (a, a + w)
        with pytest.raises(InputError, match=r"support=\[.*too narrow") as info:
            extrapolation_range([1, 0, F(1, 3)], tolerance=F(1, 1000), support=(lo, hi),
                                order=5)
        assert "\n" not in str(info.value)

    check()
