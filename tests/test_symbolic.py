from fractions import Fraction

import sympy

from momentrnn.moments.symbolic import (
    prony_polynomial,
    symbolic_hankel_determinant,
    symbolic_moments,
)

from .helpers import legendre_moments


def test_hankel_determinant_factorises():
    x1, x2, x3 = sympy.symbols("x1:4")
    w1, w2, w3 = sympy.symbols("w1:4")
    det = symbolic_hankel_determinant(3)
    want = w1 * w2 * w3 * (x1 - x2) ** 2 * (x1 - x3) ** 2 * (x2 - x3) ** 2
    assert sympy.expand(det - want) == 0
    assert symbolic_hankel_determinant(2, 3) == 0


def test_prony_polynomial_is_the_legendre_polynomial():
    p = prony_polynomial(legendre_moments(5))
    x = sympy.Symbol("x")
    legendre = sympy.Poly(sympy.legendre(5, x), x)
    assert p == sympy.Poly(legendre.as_expr() / legendre.LC(), x, domain="QQ")


def test_symbolic_moments():
    m = symbolic_moments(1, 3)
    x1, w1 = sympy.symbols("x1 w1")
    assert m == [w1, w1 * x1, w1 * x1**2]
    assert prony_polynomial([3, Fraction(3, 2)]).all_coeffs() == [1, Fraction(-1, 2)]
