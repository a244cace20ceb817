"""Directed bounds of the validated integrator as properties (``prove.validated``,
``prove._interval``), on non-dyadic rationals from 1e-330 to 1e330, negative ones and exact
doubles: each bound is on its side of the exact value and is the nearest double (or decimal of
the stated digits) on that side, so it is neither wrong nor needlessly loose."""

from __future__ import annotations

import math
import sys
from fractions import Fraction

import flint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.precision import flint_precision
from momentrnn.prove._interval import _interval
from momentrnn.prove.validated import _decimal, _float_bound, ball_bounds, decimal_bounds

FAST = settings(max_examples=80, derandomize=True, deadline=None)
values = st.one_of(
    st.builds(lambda n, d, e: Fraction(n, d) * Fraction(10) ** e, st.integers(-10**9, 10**9),
              st.integers(1, 10**9), st.integers(-330, 330)),
    st.floats(allow_nan=False, allow_infinity=False).map(Fraction),
)
BIG = Fraction(sys.float_info.max)


@FAST
@given(values, st.booleans())
def test_float_bound_is_the_nearest_double_on_its_side(q, up):
    f = _float_bound(q, up)
    if up:
        assert f == math.inf or Fraction(f) >= q
        if q > BIG:
            assert f == math.inf
        else:
            below = math.nextafter(f, -math.inf)
            assert below == -math.inf or Fraction(below) < q
    else:
        assert f == -math.inf or Fraction(f) <= q
        if q < -BIG:
            assert f == -math.inf
        else:
            above = math.nextafter(f, math.inf)
            assert above == math.inf or Fraction(above) > q
    if abs(q) <= BIG and q == Fraction(float(q)):
        assert f == float(q)  # an exact double is its own bound


def test_float_bound_beyond_the_doubles():
    huge = Fraction(10) ** 400
    assert _float_bound(huge, True) == math.inf
    assert _float_bound(huge, False) == sys.float_info.max
    assert _float_bound(-huge, False) == -math.inf
    assert _float_bound(-huge, True) == -sys.float_info.max


@FAST
@given(values)
def test_interval_is_the_tightest_double_interval(q):
    lo, hi = _interval(q)
    if abs(q) > BIG:
        assert (lo, hi) in ((sys.float_info.max, math.inf), (-math.inf, -sys.float_info.max))
        assert (q > 0) == (hi == math.inf)
        return
    assert Fraction(lo) <= q <= Fraction(hi)
    assert lo == hi or (math.nextafter(lo, math.inf) == hi and Fraction(lo) < q < Fraction(hi))
    if lo == hi:
        assert Fraction(lo) == q


def _decimal_exponent(v: Fraction) -> int:
    e = 0
    while Fraction(10) ** e > abs(v):
        e -= 1
    while Fraction(10) ** (e + 1) <= abs(v):
        e += 1
    return e


@FAST
@given(values.filter(lambda v: v != 0), st.integers(1, 20), st.booleans())
def test_decimals_are_directed_and_within_one_unit_of_the_last_digit(v, digits, up):
    text = _decimal(v, digits, up)
    got = Fraction(text)
    assert (got >= v) if up else (got <= v), (v, digits, up, text)
    unit = Fraction(10) ** (_decimal_exponent(v) - digits + 1)
    assert abs(got - v) < unit, (v, digits, up, text)
    mantissa = text.lstrip("-").split("e")[0].replace(".", "").strip("0")
    assert len(mantissa) <= digits
    e = _decimal_exponent(got) if got else 0
    if got and "e" in text:
        assert not -4 <= e < 16 or not -4 <= _decimal_exponent(v) < 16


def test_decimal_layout():
    assert _decimal(Fraction(0), 5, True) == "0"
    assert _decimal(Fraction(1, 3), 3, False) == "0.333"
    assert _decimal(Fraction(1, 3), 3, True) == "0.334"
    assert _decimal(Fraction(-1, 3), 3, True) == "-0.333"
    assert _decimal(Fraction(-1, 3), 3, False) == "-0.334"
    assert _decimal(Fraction(999, 1000), 2, True) == "1"  # the carry into a new digit
    assert _decimal(Fraction(12345), 3, True) == "12400"
    assert _decimal(Fraction(1, 10**5), 2, False) == "1e-5"
    assert _decimal(Fraction(1, 10**4), 2, False) == "0.0001"
    assert _decimal(Fraction(10) ** 16, 2, False) == "1e+16"
    assert _decimal(Fraction(10) ** 15 + 1, 17, True) == "1000000000000001"


@FAST
@given(values, st.integers(0, 2**20))
def test_ball_bounds_and_decimal_bounds_enclose_the_ball(v, r):
    with flint_precision(200):
        x = flint.arb(flint.fmpq(v.numerator, v.denominator)) + flint.arb(0, r * 2.0**-30)
    lo, hi = ball_bounds(x)
    man, exp = x.mid().man_exp()
    mid = int(man) * Fraction(2) ** int(exp)
    assert lo <= mid <= hi and hi - lo == 2 * (hi - mid)
    assert lo <= v <= hi
    low, high = decimal_bounds(x, 12)
    assert Fraction(low) <= lo and hi <= Fraction(high)
    with pytest.raises(ValueError, match="not finite"):
        ball_bounds(flint.arb("inf"))
