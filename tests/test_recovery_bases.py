"""Every method x precision x basis either recovers the measure to the digits it vouches for
or refuses clearly: exact results reproduce all the data exactly, in the basis they are
written in, including overdetermined data; a result is never ``ok`` with weights that do not
reproduce the data."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from momentrnn import Exact, gauss_rule, recover_measure
from momentrnn.errors import RankError
from momentrnn.moments._data import parse_moments
from momentrnn.moments._exact import exact_prony_polynomial


def power_moments(atoms, weights, count):
    return [sum((w * x**j for x, w in zip(atoms, weights)), F(0)) for j in range(count)]


def chebyshev_moments(atoms, weights, count):
    """int T_j dmu, T_{j+1} = 2x T_j - T_{j-1}, exactly."""
    out = []
    prev = [F(0)] * len(atoms)
    cur = [F(1)] * len(atoms)
    for j in range(count):
        out.append(sum((w * t for w, t in zip(weights, cur)), F(0)))
        prev, cur = cur, [(x if j == 0 else 2 * x) * c - (0 if j == 0 else p)
                          for x, c, p in zip(atoms, cur, prev)]
    return out


def moments_in(basis, atoms, weights, count):
    return (power_moments if basis == "monomial" else chebyshev_moments)(atoms, weights, count)


# ------------------------------------------------------------------------- item 1


@pytest.mark.parametrize("method", ["gauss", "prony", "pencil"])
def test_overdetermined_exact_moments_of_two_symmetric_atoms(method):
    # m_j of (delta_-1 + delta_1) / 2: 1, 0, 1, 0, 1, 0
    r = recover_measure([1, 0, 1, 0, 1, 0], method=method, precision=Exact())
    assert r.status == "ok" and r.rank == 2
    assert r.atoms == (F(-1), F(1)) and r.weights == (F(1, 2), F(1, 2))
    assert r.residual < 1e-50


def test_overdetermined_gauss_legendre_and_chebyshev_moments():
    # 8 power moments of the 3-point Gauss-Legendre rule (nodes 0, +-sqrt(3/5), weights
    # 8/9, 5/9, 5/9): the Lebesgue measure's m_0..m_5, then m_6 = 2 (5/9) (3/5)^3, m_7 = 0
    m = [F(2, j + 1) if j % 2 == 0 else F(0) for j in range(6)]
    m += [2 * F(5, 9) * F(3, 5) ** 3, F(0)]
    r = gauss_rule(m, precision=Exact())
    assert r.status == "ok" and r.rank == 3 and r.residual < 1e-50  # irrational atoms
    assert F(0) in r.atoms and F(8, 9) in r.weights
    # Chebyshev moments of 3 rational atoms, 2 more than the rule needs
    x, w = [F(-2, 3), F(1, 7), F(9, 10)], [F(1, 3), F(5, 2), F(7, 11)]
    nu = chebyshev_moments(x, w, 8)
    r = gauss_rule(nu, basis="chebyshev", precision=Exact())
    assert r.status == "ok" and r.atoms == tuple(x) and r.weights == tuple(w)
    assert r.residual < 1e-50


def test_overdetermined_inconsistent_exact_moments_are_still_refused():
    m = [1, 0, 1, 0, 1, F(1, 3)]  # no 2-atom measure: m_5 breaks the recurrence
    r = gauss_rule(m, rank=2, precision=Exact(), throw=False)
    assert r.status == "inconsistent"
    data = parse_moments(m)
    with pytest.raises(RankError, match="does not reproduce moment 5"):
        exact_prony_polynomial(data, 2, "gauss")
    with pytest.raises(RankError, match="does not reproduce moment"):
        exact_prony_polynomial(data, 2, "prony")


# ------------------------------------------------------------------------- item 2


def test_exact_chebyshev_gauss_weights_are_the_measure_weights():
    nu = [F(7, 2), F(3, 10), F(-11, 5), F(-39, 125), F(58, 125), F(4323, 6250)]
    assert nu == chebyshev_moments([F(-1, 2), F(1, 5), F(4, 5)], [F(1), F(2), F(1, 2)], 6)
    r = gauss_rule(nu, basis="chebyshev", precision=Exact())
    assert r.status == "ok" and r.digits == float("inf")
    assert r.atoms == (F(-1, 2), F(1, 5), F(4, 5))
    assert r.weights == (F(1), F(2), F(1, 2))
    assert r.residual < 1e-50  # in the Chebyshev basis the data are written in
    assert "chebyshev" in r.message


def test_exact_chebyshev_gauss_with_irrational_nodes():
    # Chebyshev moments of the Lebesgue measure on [-1, 1]: int T_j = 2/(1-j^2), j even
    nu = [F(2, 1 - j * j) if j % 2 == 0 else F(0) for j in range(4)]
    r = gauss_rule(nu, basis="chebyshev", precision=Exact())
    assert r.status == "ok"
    assert list(r.weights) == [1, 1] and r.residual < 1e-50
