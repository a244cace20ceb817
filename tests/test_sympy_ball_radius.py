"""A sympy value read into a ball holds the value, at every magnitude."""

from __future__ import annotations

import flint
import pytest
import sympy

from momentrnn.moments._scalars import to_ball


def _truth(make):
    old = flint.ctx.prec
    try:
        flint.ctx.prec = 600
        return make(flint.arb)
    finally:
        flint.ctx.prec = old


@pytest.mark.parametrize("value, make", [
    # the 25-digit decimal of 2**80 + sqrt(2)/10 is 2**80, a double: the ball's radius must
    # still reach sqrt(2)/10
    (2**80 + sympy.sqrt(2) / 10, lambda arb: 2**80 + arb(2).sqrt() / 10),
    (-(2**80) - sympy.sqrt(3) / 7, lambda arb: -(2**80) - arb(3).sqrt() / 7),
    (1 + sympy.sqrt(2) / 10**30, lambda arb: 1 + arb(2).sqrt() / arb(10) ** 30),
    (sympy.Rational(39, 100) * sympy.sqrt(5) * 10**40, lambda arb: arb(39) / 100 * arb(5).sqrt()
     * arb(10) ** 40),
])
def test_a_real_sympy_value_is_held_by_its_ball(value, make):
    assert to_ball(value).contains(_truth(make))


def test_a_complex_sympy_value_is_held_by_its_ball():
    value = 2**80 + sympy.sqrt(2) / 10 + sympy.I * (sympy.Rational(-1, 3) + sympy.sqrt(7))
    ball = to_ball(value)
    assert ball.real.contains(_truth(lambda arb: 2**80 + arb(2).sqrt() / 10))
    assert ball.imag.contains(_truth(lambda arb: arb(-1) / 3 + arb(7).sqrt()))


def test_a_sympy_ball_stays_narrow():
    ball = to_ball(sympy.sqrt(2))
    assert float(ball.rad()) < 1e-14
