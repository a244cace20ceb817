"""Minimal realisations as properties (``moments.realization``).

The order found for exact lags is their linear complexity, checked against a brute-force
search over recurrences (exact linear algebra); the realisation reproduces every lag exactly
in ``Exact()`` and within its residual in ``MP``/``Float64``; the refusals name the order, the
lags needed and the Hankel block they looked at.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import MP, Exact, Float64
from momentrnn.errors import InputError, RankError
from momentrnn.moments.realization import _linear_complexity, minimal_realization

FAST = settings(max_examples=40, derandomize=True, deadline=None)


def _brute_complexity(h: list[Fraction]) -> int:
    """The smallest L with some c: h_j = sum_{i=1..L} c_i h_{j-i} for L <= j < N."""
    n = len(h)
    for L in range(n + 1):
        rows = [[h[j - i] for i in range(1, L + 1)] for j in range(L, n)]
        rhs = [h[j] for j in range(L, n)]
        if not rows:
            return L
        if L == 0:
            if all(v == 0 for v in rhs):
                return 0
            continue
        M = sympy.Matrix(rows)
        aug = M.row_join(sympy.Matrix(rhs))
        if M.rank() == aug.rank():
            return L
    return n


@FAST
@given(st.lists(st.integers(-3, 3), min_size=1, max_size=7))
def test_linear_complexity_is_the_shortest_recurrence(ints):
    h = [Fraction(v, 3) for v in ints]
    assert _linear_complexity(h) == _brute_complexity(h), h


def _lags(atoms, weights, count):
    return [sum(w * a**j for a, w in zip(atoms, weights)) for j in range(count)]


def _apply(A, B, C, j):
    n = len(B)
    v = [B[i] for i in range(n)]
    for _ in range(j):
        v = [sum(A[r][c] * v[c] for c in range(n)) for r in range(n)]
    return sum(C[i] * v[i] for i in range(n))


distinct = st.lists(st.sampled_from([Fraction(39, 100), Fraction(-1, 3), Fraction(7, 5),
                                     Fraction(2, 7), Fraction(-9, 10), Fraction(1, 2)]),
                    min_size=1, max_size=3, unique=True)


@settings(max_examples=15, derandomize=True, deadline=None)
@given(distinct, st.integers(0, 2), st.data())
def test_exact_order_is_the_number_of_modes_and_every_lag_is_reproduced(atoms, extra, data):
    d = len(atoms)
    weights = [data.draw(st.sampled_from([Fraction(1, 3), Fraction(-2, 7), Fraction(5, 2)]))
               for _ in atoms]
    h = _lags(atoms, weights, 2 * d + extra)
    r = minimal_realization(h)
    assert r.order == d and r.ok and r.residual == 0
    for j, v in enumerate(h):
        assert _apply(r.A, r.B, r.C, j) == v, j
    # one lag fewer than 2d: the order is not identified, and the message says how many
    with pytest.raises(RankError, match=f"order-{d} system needs {2 * d} lags"):
        minimal_realization(h[:2 * d - 1])
    if d > 1:
        with pytest.raises(RankError, match=f"smallest order that does is {d}.*pass rank={d}"):
            minimal_realization(h, rank=d - 1)
    with pytest.raises((InputError, RankError)):
        minimal_realization(h, rank=d + 1 + extra)


@settings(max_examples=8, derandomize=True, deadline=None)
@given(distinct)
def test_rounded_orders_and_residuals(atoms):
    d = len(atoms)
    h = [float(v) for v in _lags(atoms, [Fraction(1, 3)] * d, 2 * d + 2)]
    for prec in (Float64(), MP(dps=40)):
        r = minimal_realization(h, precision=prec, data_digits=12)
        assert r.order == d, (prec, r.message)
        A, B, C = r.as_arrays()
        for j, v in enumerate(h):
            got = float((C @ np.linalg.matrix_power(A, j) @ B).ravel()[0])
            assert abs(got - v) <= 1e-9 * max(1.0, abs(v)), (prec, j)
        assert 0 <= r.residual <= 1e-9


def test_a_zero_block_with_a_loud_later_lag_names_the_block_it_looked_at():
    with pytest.raises(RankError, match=r"block of h_0\.\.h_2 is zero .* h_3 = 1 is not"):
        minimal_realization([0.0, 0.0, 0.0, 1.0])
    with pytest.raises(RankError, match=r"block of h_0\.\.h_2 is zero .* h_4 = 0\.5 is not"):
        minimal_realization([0.0, 0.0, 0.0, 0.0, 0.5])
    with pytest.raises(RankError, match=r"block of h_0\.\.h_4 is zero .* h_5 = -2 is not"):
        minimal_realization([0.0, 0.0, 0.0, 0.0, 0.0, -2.0])
    with pytest.raises(InputError, match="zero up to their rounding"):
        minimal_realization([0.0, 0.0, 0.0, 0.0])
    with pytest.raises(InputError, match="exactly zero"):
        minimal_realization([0, 0, 0, 0])


def test_too_few_lags_for_a_given_order_and_a_rank_above_the_hankel_rank():
    with pytest.raises(InputError, match="order 3 needs 6 lags, got 5"):
        minimal_realization([1.0, 0.5, 0.25, 0.125, 0.0625], rank=3)
    with pytest.raises(InputError, match="rank=2 exceeds the Hankel rank 1"):
        minimal_realization([1.0, 0.5, 0.25, 0.125, 0.0625], rank=2)
    with pytest.raises(InputError, match="real impulse responses"):
        minimal_realization([1, 1j, 1, 1])
    r = minimal_realization([Fraction(1, 3)] * 4, precision=Exact())
    assert r.order == 1 and r.A == [[1]] and r.C[0] * r.B[0] == Fraction(1, 3)
