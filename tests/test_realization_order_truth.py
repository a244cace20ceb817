"""``minimal_realization`` says the truth when the lags do not identify their order.

The minimal order of a system ``C A^j B`` reproducing exact lags ``h_0..h_{M-1}`` is their
linear complexity ``L`` (the shortest recurrence holding for every ``L <= j < M``); it is
identified by the lags only when ``2 L <= M``. The Hankel block alone (``h_0..h_{2N-2}``)
may miss the later lags.
"""

from __future__ import annotations

import re
from fractions import Fraction as F

import flint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.errors import InputError, RankError
from momentrnn.moments import minimal_realization
from momentrnn.moments.realization import _linear_complexity


def _complexity_by_linear_algebra(h):
    """Smallest L with a recurrence of length L holding for L <= j < M (rank test over Q)."""
    h = [flint.fmpq(F(v).numerator, F(v).denominator) for v in h]
    M = len(h)
    for L in range(M + 1):
        rows = [[h[j - i] for i in range(1, L + 1)] for j in range(L, M)]
        if not rows or L == 0:
            if all(v == 0 for v in h[L:]):
                return L
            continue
        A = flint.fmpq_mat(len(rows), L, [x for r in rows for x in r])
        Ab = flint.fmpq_mat(len(rows), L + 1, [x for r, j in zip(rows, range(L, M))
                                               for x in r + [h[j]]])
        if A.rank() == Ab.rank():
            return L
    raise AssertionError


@pytest.mark.parametrize("h, low", [([0, 0, 0, 1], 4), ([0, 0, 0, 0, 1], 5),
                                    ([1, 2, 4, 8, 16, 33], 5), ([1, 0, 0, 0, 0, 1], 5),
                                    ([1, 1, 1, 2], 3)])
def test_unidentified_order_is_said(h, low):
    with pytest.raises(RankError) as info:
        minimal_realization(h)
    msg = str(info.value)
    assert "indistinguishable from zero" not in msg
    assert f"smallest order that does is {low}" in msg
    assert f"no realisation of order <= {len(h) // 2}" in msg
    assert "pass rank=" not in msg
    for r in range(1, len(h) // 2 + 1):  # no order the lags allow reproduces them
        with pytest.raises(RankError, match=f"smallest order that does is {low}"):
            minimal_realization(h, rank=r)


def test_double_lags_not_called_zero():
    with pytest.raises(RankError) as info:
        minimal_realization([0.0, 0.0, 0.0, 1.0])
    assert "indistinguishable from zero" not in str(info.value)
    assert "supply more lags" in str(info.value)


def test_double_lags_advice_not_circular():
    with pytest.raises(RankError) as info:
        minimal_realization([1.0, 2.0, 4.0, 8.0, 16.0, 33.0])
    assert "pass rank=" not in str(info.value)


_lag = st.sampled_from([F(0), F(1), F(-1), F(1, 3), F(39, 100), F(2), F(-7, 5)])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(_lag, min_size=1, max_size=9))
def test_linear_complexity_matches_linear_algebra(h):
    assert _linear_complexity(h) == _complexity_by_linear_algebra(h)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(_lag, min_size=2, max_size=8))
def test_exact_lags_order_or_truthful_refusal(h):
    low = _complexity_by_linear_algebra(h)
    try:
        r = minimal_realization(h)
    except RankError as exc:
        msg = str(exc)
        assert 2 * low > len(h), msg
        assert f"smallest order that does is {low}" in msg
        return
    except InputError as exc:
        msg = str(exc)
        assert all(v == 0 for v in h), msg  # only the zero sequence is refused as such
        return
    assert r.order == low and 2 * low <= len(h)
    assert r.residual == 0.0
    # never advice that the next call refuses
    m = re.search(r"pass rank=(\d+)", r.message)
    if m:
        minimal_realization(h, rank=int(m.group(1)))
