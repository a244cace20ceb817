"""``format_number`` writes the digits its docstring vouches for, checked against exact
arithmetic.

The docstring: the error bound is ``B = 10^-digits * scale`` (``scale`` defaults to the
value's magnitude); each part is written down to the last decimal position ``10^q`` whose unit
exceeds ``B``, rounded to nearest there (trailing zeros kept, as they are digits); when not
even the leading digit of ``scale`` is vouched, or the whole value is below the bound, the text
is ``"?"``. Here ``q`` and the rounding are worked out with ``fractions.Fraction`` from that
rule alone, and the text is read back and compared.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import mpmath
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn._format import UNVOUCHED, format_number, lower_text, upper_text


def _exceeds(q: int, digits: Fraction, scale: Fraction) -> bool:
    """``10^q > scale * 10^-digits``, exactly, for ``digits`` a multiple of 1/2."""
    twice = 2 * (q + digits)
    assert twice.denominator == 1
    left = Fraction(10) ** int(twice)
    return left > scale * scale


def _position(digits: Fraction, scale: Fraction) -> int:
    """The smallest ``q`` with ``10^q > scale * 10^-digits``."""
    q = math.floor(math.log10(scale) - digits) - 2
    while not _exceeds(q, digits, scale):
        q += 1
    return q


def _lead(x: Fraction) -> int:
    """The exponent of the leading decimal digit of ``x > 0``."""
    e = math.floor(math.log10(x)) - 1
    while Fraction(10) ** (e + 1) <= x:
        e += 1
    return e


def _last_position(text: str) -> int:
    """The exponent of the last written digit of a decimal text."""
    mantissa, _, exp = text.partition("e")
    decimals = len(mantissa.partition(".")[2])
    return (int(exp) if exp else 0) - decimals


def _written_position(digits: Fraction, scale: Fraction) -> int:
    """The last written position: above the bound, and no more significant digits (from the
    scale's leading one) than the whole digits vouched (the working precision's cap)."""
    return max(_position(digits, scale), _lead(scale) - math.floor(digits) + 1)


def _expected_unvouched(value: Fraction, digits: Fraction, scale: Fraction) -> bool:
    if _position(digits, scale) > _lead(scale):
        return True  # not even the scale's leading digit is above the bound
    return False  # a value wholly below the bound is zero to the written position


values = st.builds(lambda p, r, e: float(Fraction(p, r) * Fraction(10) ** e),
                   st.integers(-10**6, 10**6).filter(bool), st.sampled_from([1, 3, 7, 100, 999]),
                   st.integers(-12, 12))
halves = st.integers(1, 40).map(lambda k: Fraction(k, 2))


@settings(max_examples=150, derandomize=True, deadline=None)
@given(values, halves, st.sampled_from([None, 1, 10, Fraction(1, 3)]))
def test_each_written_digit_is_above_the_error_bound_and_rounded_to_nearest(value, digits,
                                                                            scale_factor):
    exact = Fraction(value)
    scale = abs(exact) if scale_factor is None else abs(exact) * scale_factor
    given_scale = None if scale_factor is None else float(scale)
    if given_scale is not None:
        scale = Fraction(given_scale)  # the double passed is the scale
    text = format_number(value, float(digits), given_scale)
    if _expected_unvouched(exact, digits, scale):
        assert text == UNVOUCHED, (value, digits, scale, text)
        return
    assert text != UNVOUCHED, (value, digits, scale)
    q = _written_position(digits, scale)
    assert _last_position(text) == q, (value, digits, text)
    assert abs(Fraction(Decimal(text)) - exact) <= Fraction(10) ** q / 2
    assert text.startswith("-") == (exact < 0 and Fraction(Decimal(text)) != 0)


def test_notation_is_fixed_from_1e_minus_4_to_below_1e7():
    assert format_number(0.39, 3) == "0.390"
    assert format_number(-1.0 / 3, 4) == "-0.3333"
    assert format_number(3.3333e-4, 3) == "0.000333"
    assert format_number(3.3333e-5, 3) == "3.33e-05"
    assert format_number(1234567.8, 7) == "1234568"
    assert format_number(1234567.8, 8) == "1234567.8"
    assert format_number(12345678.9, 8) == "1.2345679e+07"
    assert format_number(0.96, 1) == "1.0" and format_number(9.96, 2) == "10.0"
    # the last digit at the tens or above: scientific, whatever the size
    assert format_number(1234.0, 3) == "1.23e+03" and format_number(1234.0, 4) == "1234"
    assert format_number(-98765.4, 4) == "-9.877e+04"
    assert format_number(2e10, 1) == "2e+10" and format_number(-3e-7, 1) == "-3e-07"


def test_a_part_below_the_bound_is_zero_and_so_is_the_whole_value_below_it():
    assert format_number(complex(0.39, 1e-6), 3) == "0.390+0j"
    assert format_number(complex(0.39, -0.25), 3) == "0.390-0.250j"
    assert format_number(1e-4, 3, scale=1.0) == "0.00"  # zero to 10^-2: its accuracy
    assert format_number(6e-3, 3, scale=1.0) == "0.01"  # rounded to nearest at 10^-2
    assert format_number(4e-3, 3, scale=1.0) == "0.00"
    assert format_number(0.0, 3, scale=1.0) == "0.00"
    assert format_number(0.5, 0) == UNVOUCHED and format_number(0.5, math.nan) == UNVOUCHED


def test_every_digit_of_an_exact_value_is_written():
    assert format_number(Fraction(39, 100), 2) == "39/100"
    assert format_number(10**5000, 3).startswith("1000") and \
        len(format_number(10**5000, 3)) == 5001
    assert format_number(mpmath.mpf(1) / 3, math.inf).startswith("0.33333333333333")


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.fractions(min_value=-10**6, max_value=10**6).filter(bool), st.integers(1, 12))
def test_directed_texts_bound_the_value_from_their_side(value, digits):
    lo, hi = Fraction(Decimal(lower_text(value, digits))), Fraction(Decimal(upper_text(value,
                                                                                      digits)))
    assert lo <= value <= hi
    # no more significant digits than asked: the two ends differ by one unit at most
    unit = Fraction(10) ** (_lead(abs(value)) - digits + 1)
    assert hi - lo <= unit
