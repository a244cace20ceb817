"""``certify_extrapolation`` reads every input exactly and proves bounds over Q.

A double student parameter is the binary rational it is; the student's measure weights
``b_i c_i`` and its moments are exact products of those rationals, never double products.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.errors import InputError
from momentrnn.moments.extrapolation_bound import certify_extrapolation


def _exact_errors(a, b, c, atoms, weights, length):
    """|h_q - h_hat_q| for q < length, every input at its exact value."""
    a, b, c = [F(x) for x in a], [F(x) for x in b], [F(x) for x in c]
    atoms, weights = [F(x) for x in atoms], [F(x) for x in weights]
    out = []
    for q in range(length):
        h = sum(bi * ci * ai**q for ai, bi, ci in zip(a, b, c))
        hat = sum(w * x**q for x, w in zip(atoms, weights))
        out.append(abs(h - hat))
    return out


def test_double_product_rounding_is_not_a_zero_bound():
    # b c = 1 + 2**-53 - 2**-105 exactly; its double product rounds to 1
    cert = certify_extrapolation([0.5], [1 + 2**-52], [1 - 2**-53], teacher_atoms=[F(1, 2)],
                                 teacher_weights=[1], length=20, lags=3)
    truth = _exact_errors([0.5], [1 + 2**-52], [1 - 2**-53], [F(1, 2)], [1], 20)
    assert truth[0] == F(1, 2**53) - F(1, 2**105)
    assert cert.max_bound >= max(truth) > 0
    for row, err in zip(cert.rows, truth):
        assert row.bound is None or row.bound >= err
    assert cert.moment_errors == truth[:3]


def test_numpy_arrays_and_float_teacher_atoms():
    a, b, c = np.array([0.5]), np.array([1 + 2**-52]), np.array([1 - 2**-53])
    cert = certify_extrapolation(a, b, c, teacher_atoms=[0.5], teacher_weights=["1"],
                                 length=12, lags=3, sdp_max_order=0)
    truth = _exact_errors([0.5], [1 + 2**-52], [1 - 2**-53], [0.5], [1], 12)
    assert all(r.bound is not None and r.bound >= e for r, e in zip(cert.rows, truth))
    assert cert.max_bound > 0


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1j, True, None, "x", object()])
def test_bad_values_are_refused_by_name(bad):
    with pytest.raises(InputError, match=r"b\[1\]"):
        certify_extrapolation([0.5, F(-1, 3)], [1, bad], [1, 1], teacher_atoms=[0.5],
                              teacher_weights=[1], length=10, lags=3, sdp_max_order=0)


def test_unequal_lengths_refused():
    with pytest.raises(InputError, match="one of each"):
        certify_extrapolation([0.5, 0.25], [1], [1, 1], teacher_atoms=[0.5],
                              teacher_weights=[1], length=10, lags=3, sdp_max_order=0)


_noise = st.floats(min_value=-1e-6, max_value=1e-6, allow_nan=False, allow_infinity=False)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.tuples(_noise, _noise, _noise), min_size=2, max_size=2),
       st.sampled_from([0.39, 0.7, 1.1]))
def test_float_student_bounds_cover_the_exact_error(noise, scale):
    # teacher: atoms -1/3 and 39/100, weights 1/3 and 7/10 (non-dyadic); the float student sits
    # near it, with b c split unevenly so every double product rounds
    atoms, weights = [F(-1, 3), F(39, 100)], [F(1, 3), F(7, 10)]
    a = [float(x) + n[0] for x, n in zip(atoms, noise)]
    b = [scale + n[1] for n in noise]
    c = [float(w) / scale + n[2] for w, n in zip(weights, noise)]
    length, lags = 16, 5
    cert = certify_extrapolation(a, b, c, teacher_atoms=atoms, teacher_weights=weights,
                                 length=length, lags=lags, sdp_max_order=0)
    truth = _exact_errors(a, b, c, atoms, weights, length)
    assert cert.complete
    for row, err in zip(cert.rows, truth):
        assert row.bound >= err, (row.q, row.bound, err)
    assert cert.moment_errors == truth[:lags]


def test_ball_tolerance_is_read_with_its_radius():
    import flint

    from momentrnn.moments import extrapolation_range

    # 1/3 lies in the ball, and (4/3) delta_1 is then within tolerance of m_0 = 1
    r = extrapolation_range([1], tolerance=flint.arb(1) / 3, order=1)
    assert r.certified_upper >= F(4, 3)
    # every tolerance of the ball [0.25, 0.75] is allowed: 1.75 delta_1 is within 0.75
    r = extrapolation_range([1], tolerance=flint.arb(0.5, 0.25), order=1)
    assert r.certified_upper >= F(7, 4)


def test_ball_moments_widen_the_range_by_their_radius():
    import flint

    from momentrnn.moments import extrapolation_range

    # m_0 anywhere in [0.5, 1.5]: 1.5 delta_1 and 1.5 delta_{-1} have moments in the ball
    r = extrapolation_range([flint.arb(1, 0.5)], tolerance=0, order=1)
    assert r.certified_upper >= F(3, 2) and r.certified_lower <= -F(3, 2)
    assert "exact" not in r.solver


def test_double_ends_lie_inside_the_proved_ends_when_an_end_is_attained():
    # delta_1 with weight 7/100: the upper end is attained (inner = proved), and its nearest
    # double was above the proved end
    from momentrnn.moments import extrapolation_range

    r = extrapolation_range([F(7, 100)] * 3, tolerance=0.0009766627390090528, order=3)
    assert r.certified_lower <= F(r.lower) <= F(r.upper) <= r.certified_upper


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.fractions(min_value=F(1, 100), max_value=3, max_denominator=997),
       st.sampled_from([F(1), F(-1), F(39, 100)]),
       st.floats(min_value=1e-8, max_value=1e-2))
def test_double_ends_inside_the_proved_ends(weight, atom, eps):
    from momentrnn.moments import extrapolation_range

    m = [weight * atom**j for j in range(3)]
    r = extrapolation_range(m, tolerance=eps, order=3)
    assert r.certified_lower <= F(r.lower) <= F(r.upper) <= r.certified_upper
