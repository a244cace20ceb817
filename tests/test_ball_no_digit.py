"""A fixed ``Ball(dps)`` recovery whose enclosures vouch for no digit is not ``ok``: the status
says whether the precision (``ill_conditioned``, raise dps) or the data's accuracy
(``data_limited``) limits them, as at the other precisions, and the enclosures are kept."""

from __future__ import annotations

from fractions import Fraction as F

import flint
import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import Ball, recover_measure
from momentrnn.errors import DataAccuracyError, IllConditionedError
from momentrnn.precision import flint_precision


def uniform(n, scale=1):
    atoms = [F(k, n + 1) * scale for k in range(1, n + 1)]
    return [sum(F(1, n) * a**j for a in atoms) for j in range(2 * n)]


def test_exact_moments_at_too_low_a_ball_precision():
    m = uniform(24)  # H_24 of {1/25, ..., 24/25} loses about 41 digits
    r = recover_measure(m, precision=Ball(15), throw=False)
    assert r.status == "ill_conditioned" and r.digits == 0  # was 'ok' with 0 digits
    assert "raise dps to at least 65" in r.message and "vouch for no digit" in r.message
    assert r.enclosure is not None and r.measure is not None and len(r.enclosure.atoms) == 24
    # the enclosures are kept, and they are true
    found = sorted(r.enclosure.atoms, key=lambda b: float(b.mid()))
    with flint_precision(400):  # the rationals converted with no radius to speak of
        assert all(b.contains(flint.fmpq(k, 25)) for k, b in zip(range(1, 25), found))
        assert all(w.contains(flint.fmpq(1, 24)) for w in r.enclosure.weights)
    with pytest.raises(IllConditionedError, match="vouch for no digit"):
        recover_measure(m, precision=Ball(15))
    assert recover_measure(m, precision=Ball(65)).digits >= 15


def test_rounded_moments_whose_accuracy_leaves_no_digit():
    # m_0 = 1 +- 0.0999: the weight lies in [0.9001, 1.0999], no whole digit
    for precision in (Ball(10), Ball(30)):
        r = recover_measure([1, F(1, 2)], data_error=[0.0999, 0], precision=precision,
                            throw=False)
        assert r.status == "data_limited" and r.digits == 0  # was 'ok' with 0 digits
        assert "supply more accurate moments" in r.message
        assert r.enclosure.weights[0].contains(1) and r.enclosure.weights[0].rad() > 0.09
    with pytest.raises(DataAccuracyError):
        recover_measure([1, F(1, 2)], data_error=[0.0999, 0], precision=Ball(30))


def test_unproved_enclosure_of_accurate_data_asks_for_more_precision():
    # 120-digit moments of 24 atoms that lose about 41 digits: Ball(60) fails to separate the
    # atoms for every sequence within the data's accuracy; the data are not what limits it
    ctx = mpmath.mp.clone()
    ctx.dps = 120
    m = [ctx.mpf(v.numerator) / v.denominator for v in uniform(24)]
    r = recover_measure(m, rank=24, precision=Ball(60), throw=False)
    assert r.status == "ill_conditioned" and "raise dps" in r.message  # was 'data_limited'
    assert recover_measure(m, rank=24, precision=Ball(100), throw=False).digits >= 40


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(14, 28), st.sampled_from([5, 15, 20, 25]),
       st.sampled_from([F(1), F(-2, 3), F(7, 5)]))
def test_a_fixed_ball_is_ok_only_with_a_vouched_digit(n, dps, scale):
    r = recover_measure(uniform(n, scale), precision=Ball(dps), throw=False)
    assert (r.status == "ok") == (r.digits >= 1), (r.status, r.digits, r.message)
    if r.status != "ok":
        assert r.status == "ill_conditioned" and "raise dps" in r.message
