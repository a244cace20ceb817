"""Chebyshev moments and recurrence coefficients as properties (``moments.chebyshev``).

Truths computed independently with Fractions: the Chebyshev moments of a discrete measure by
the T_k recurrence at each atom, its power moments, and its recurrence coefficients by the
Stieltjes procedure (discrete inner products); both conversions, both bases and every
arithmetic must give them (exactly, or within the arithmetic's accuracy).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import MP, Ball, Float64
from momentrnn.errors import InputError, NotPositiveError, RankError
from momentrnn.moments.chebyshev import (
    chebyshev_to_monomial,
    monomial_to_chebyshev,
    recurrence_coefficients,
)

FAST = settings(max_examples=25, derandomize=True, deadline=None)
inside = st.sampled_from([Fraction(39, 100), Fraction(-1, 3), Fraction(7, 8), Fraction(0),
                          Fraction(-9, 10), Fraction(2, 7), Fraction(1)])
positive = st.sampled_from([Fraction(1, 3), Fraction(5, 7), Fraction(2), Fraction(1, 10)])


def _cheb(x: Fraction, k: int) -> Fraction:
    a, b = Fraction(1), x
    for _ in range(k):
        a, b = b, 2 * x * b - a
    return a


def _stieltjes(atoms, weights, n):
    """alpha_k, beta_k of the monic orthogonal polynomials of sum w_i delta_{x_i}."""
    def ip(p, q):
        return sum(w * p[i] * q[i] for i, w in enumerate(weights))

    prev = [Fraction(0)] * len(atoms)
    cur = [Fraction(1)] * len(atoms)
    alpha, beta = [], []
    norm_prev = None
    for k in range(n):
        norm = ip(cur, cur)
        a = sum(w * x * c * c for x, w, c in zip(atoms, weights, cur)) / norm
        b = sum(weights) if k == 0 else norm / norm_prev
        alpha.append(a)
        beta.append(b)
        nxt = [(x - a) * c - (b if k else 0) * p for x, c, p in zip(atoms, cur, prev)]
        prev, cur, norm_prev = cur, nxt, norm
    return alpha, beta


@FAST
@given(st.lists(inside, min_size=1, max_size=4, unique=True), st.lists(positive, min_size=4,
       max_size=4), st.integers(1, 9))
def test_both_conversions_give_the_exact_moments(atoms, ws, count):
    weights = ws[:len(atoms)]
    nu = [sum(w * _cheb(x, k) for x, w in zip(atoms, weights)) for k in range(count)]
    m = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]
    assert monomial_to_chebyshev(m) == nu
    assert chebyshev_to_monomial(nu) == m
    assert len(monomial_to_chebyshev(m)) == count


@FAST
@given(st.lists(inside, min_size=1, max_size=4, unique=True), st.lists(positive, min_size=4,
       max_size=4), st.integers(0, 2))
def test_recurrence_coefficients_are_the_stieltjes_ones_in_both_bases(atoms, ws, extra):
    weights = ws[:len(atoms)]
    n = len(atoms)
    count = 2 * n + extra
    m = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]
    nu = [sum(w * _cheb(x, k) for x, w in zip(atoms, weights)) for k in range(count)]
    alpha, beta = _stieltjes(atoms, weights, n)
    assert recurrence_coefficients(m[:2 * n]) == (alpha, beta)  # count // 2 = n pairs
    assert recurrence_coefficients(m, n) == (alpha, beta)
    assert recurrence_coefficients(nu, n, basis="chebyshev") == (alpha, beta)
    for prec, tol in ((MP(30), 1e-25), (Float64(), 1e-8)):
        a, b = recurrence_coefficients(m, n, precision=prec)
        assert len(a) == len(b) == n
        for got, want in zip(a + b, alpha + beta):
            assert abs(float(got) - float(want)) <= tol * (1 + abs(float(want))), prec
    # one pair more than the moments allow, or than the atoms give
    with pytest.raises(RankError, match=f"count={n + 1 + extra // 2} coefficient pairs .* "
                                        f"need {2 * (n + 1 + extra // 2)} moments, got {count}; "
                                        f"pass count <= {count // 2}"):
        recurrence_coefficients(m, n + 1 + extra // 2)


def test_a_measure_with_too_few_atoms_is_proved_not_positive():
    atoms, weights = [Fraction(-1, 3), Fraction(2, 7)], [Fraction(1, 3), Fraction(2)]
    m = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(6)]
    with pytest.raises(NotPositiveError):
        recurrence_coefficients(m, 3)
    m[2] = -m[2]  # m_0 m_2 < m_1**2: no positive measure
    with pytest.raises(NotPositiveError):
        recurrence_coefficients(m[:4])


def test_refusals():
    with pytest.raises(InputError, match="no moments given"):
        chebyshev_to_monomial([])
    with pytest.raises(InputError, match="no moments given"):
        monomial_to_chebyshev([])
    with pytest.raises(InputError, match="real moments"):
        recurrence_coefficients([1, 1j, 1, 1])
    with pytest.raises(InputError, match="supports Exact, MP and Float64, not Ball"):
        recurrence_coefficients([1, 0, 1, 0], precision=Ball(20))
