"""Minimal realisation over the arithmetic objects: the shift form in exact and mpmath
arithmetic, the balanced SVD form in doubles; a non-dyadic signed impulse response must be
reproduced in each, and a singular leading block is a clear error in each."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from momentrnn import MP, Exact, Float64
from momentrnn.errors import IllConditionedError, InputError, RankError
from momentrnn.moments.realization import minimal_realization
from momentrnn.moments.symbolic import symbolic_hankel_determinant

ATOMS = [F(1, 3), F(-2, 7), F(5, 11)]
WEIGHTS = [F(2, 9), F(-3, 13), F(4, 17)]  # a signed system


def _lags(count: int) -> list[F]:
    return [sum(w * x**j for x, w in zip(ATOMS, WEIGHTS)) for j in range(count)]


def _response(A, B, C, count):
    x, out = B, []
    for _ in range(count):
        out.append(sum(c * v for c, v in zip(C, x)))
        x = [sum(a * v for a, v in zip(row, x)) for row in A]
    return out


@pytest.mark.parametrize("count", [6, 9])
def test_exact_shift_realization_is_exact(count):
    r = minimal_realization(_lags(count), precision=Exact())
    assert r.order == 3 and r.residual == 0.0
    assert all(isinstance(v, F) for row in r.A for v in row)
    assert r.B == [1, 0, 0] and r.C == _lags(3)
    # the shift realisation reproduces every lag exactly, beyond those it was built from
    assert _response(r.A, r.B, r.C, 12) == _lags(12)
    # A is the companion matrix of the Prony polynomial: its last column gives the
    # characteristic polynomial, whose roots are the atoms
    import sympy

    M = sympy.Matrix([[sympy.Rational(v.numerator, v.denominator) for v in row] for row in r.A])
    lam = sympy.Symbol("lam")
    roots = sorted(sympy.roots(M.charpoly(lam).as_expr(), lam))
    assert roots == sorted(sympy.Rational(x.numerator, x.denominator) for x in ATOMS)


@pytest.mark.parametrize("dps", [20, 50])
def test_mp_shift_realization_matches_exact(dps):
    exact = minimal_realization(_lags(8))
    r = minimal_realization(_lags(8), precision=MP(dps))
    assert (r.A.rows, r.A.cols) == (3, 3) and (r.B.rows, r.B.cols) == (3, 1)
    assert r.B[0, 0] == 1 and r.B[1, 0] == r.B[2, 0] == 0
    assert (r.C.rows, r.C.cols) == (1, 3)
    for i in range(3):
        for j in range(3):
            assert float(abs(r.A[i, j] - exact.A[i][j])) < 10.0 ** (8 - dps)
        assert float(abs(r.C[0, i] - exact.C[i])) < 10.0 ** (2 - dps)
    assert r.residual < 1e-15


def test_float_balanced_realization_has_the_atoms_as_eigenvalues():
    r = minimal_realization([float(v) for v in _lags(10)])
    assert r.precision == Float64() and isinstance(r.A, np.ndarray)
    eig = np.sort(np.linalg.eigvals(r.A).real)
    assert np.allclose(eig, sorted(float(x) for x in ATOMS), atol=1e-8)
    assert r.residual < 1e-14


def test_singular_leading_block_is_an_error_in_every_arithmetic():
    h = [0, 0, 1, 0, 0, 0]  # order 3; its leading 2x2 block [[0, 0], [0, 1]] is singular
    with pytest.raises(InputError, match="leading 2x2 Hankel block is singular"):
        minimal_realization(h, rank=2)
    # in mpmath the singularity is numerical: not a verdict, an arithmetic error
    with pytest.raises(IllConditionedError, match="numerically singular in 20 digits"):
        minimal_realization(h, rank=2, precision=MP(20))
    with pytest.raises(RankError, match="no system of order 2"):
        minimal_realization(h, rank=2, precision=Float64())


def test_symbolic_hankel_determinant_is_the_shared_hankel_matrix():
    import sympy

    det = symbolic_hankel_determinant(3)
    x1, x2, x3, w1, w2, w3 = sympy.symbols("x1 x2 x3 w1 w2 w3")
    values = {x1: sympy.Rational(1, 3), x2: sympy.Rational(-2, 7), x3: sympy.Rational(5, 11),
              w1: sympy.Rational(2, 9), w2: sympy.Rational(-3, 13), w3: sympy.Rational(4, 17)}
    m = _lags(5)
    H = sympy.Matrix(3, 3, lambda i, j: sympy.Rational(m[i + j].numerator,
                                                        m[i + j].denominator))
    assert det.subs(values) == H.det()
    assert symbolic_hankel_determinant(2, 3) == 0
