"""Moment data as properties (``moments._data``): text read exactly (real, complex, exponents
at and past the cap), stated accuracies turned into radii never below what was stated and not
above it by more than a rounding, balls widened by exactly those radii, the tracked magnitude
range at its ends, and every refusal naming the entry (and line) at fault."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import flint
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn._limits import MAX_DECIMAL_EXPONENT, TRACKING_RANGE
from momentrnn.errors import InputError
from momentrnn.moments._data import (
    _log10,
    looks_like_double,
    parse_moment_text,
    parse_moments,
    parse_number_text,
    require_trackable_scale,
    to_fraction,
)
from momentrnn.prove.validated import ball_bounds

FAST = settings(max_examples=20, derandomize=True, deadline=None)
fracs = st.builds(Fraction, st.integers(-10**6, 10**6), st.integers(1, 10**4))
decimals = st.decimals(min_value=-10**6, max_value=10**6, allow_nan=False, places=4)


@FAST
@given(fracs, fracs, decimals, decimals)
def test_text_is_read_exactly(a, b, c, d):
    assert parse_number_text(f"{a}") == (a, 0)
    assert parse_number_text(f" ({a}{'+' if b >= 0 else ''}{b}j) ") == (a, b)
    assert parse_number_text(f"{c}") == (Fraction(c), 0)
    sign = "+" if d >= 0 else "-"
    assert parse_number_text(f"{c}e-3{sign}{abs(d)}E+2J") == (Fraction(c) / 1000,
                                                              Fraction(d) * 100)
    assert parse_number_text(f"{b}j") == (0, b)


def test_text_edge_cases_and_refusals():
    assert parse_number_text("-j") == (0, -1) and parse_number_text("2+j") == (2, 1)
    assert parse_number_text("1e-3-2e-3j") == (Fraction(1, 1000), Fraction(-2, 1000))
    assert parse_number_text(f"1e-{MAX_DECIMAL_EXPONENT}")[0] == Fraction(
        1, 10**MAX_DECIMAL_EXPONENT)
    with pytest.raises(InputError, match=f"m_3: '1e-{MAX_DECIMAL_EXPONENT + 1}' has a decimal "
                                         f"exponent beyond"):
        parse_number_text(f"1e-{MAX_DECIMAL_EXPONENT + 1}", "m_3")
    for bad in ("inf", "-NaN", "Infinity"):
        with pytest.raises(InputError, match=f"m_2: '{bad}' is not a finite number"):
            parse_number_text(bad, "m_2")
    for bad in ("1/0", "abc", "1..2", "0x10"):
        with pytest.raises(InputError, match=f"m_1: cannot read '{bad}'"):
            parse_number_text(bad, "m_1")
    with pytest.raises(InputError, match="m_0: empty entry"):
        parse_number_text(" () ", "m_0")


def test_moment_files_name_their_lines():
    assert parse_moment_text("# head\n1/3\n\n 0.39 # tail\n-2+1j\n") == ["1/3", "0.39", "-2+1j"]
    assert parse_moment_text("[1, 0.5, \"1/3\"]") == ["1", "0.5", "1/3"]
    with pytest.raises(InputError, match="f.txt, line 3: cannot read 'x'"):
        parse_moment_text("1\n# c\nx\n", "f.txt")
    with pytest.raises(InputError, match="f: entry 1 is True"):
        parse_moment_text("[1, true]", "f")
    with pytest.raises(InputError, match="f: not a valid JSON list"):
        parse_moment_text("[1, 2", "f")
    with pytest.raises(InputError, match="no moments found"):
        parse_moment_text("  \n", "f")


def test_looks_like_double_counts_significant_digits():
    assert looks_like_double("0.1000000000000000055511151231257827")
    assert looks_like_double("1.23456789012345")  # 15 digits
    assert not looks_like_double("1.2345678901234")  # 14
    assert not looks_like_double("0.00012345678901234")  # leading zeros do not count
    assert looks_like_double("1+1.23456789012345e-3j")
    assert looks_like_double("1.23456789012345E-3") and looks_like_double("-1.23456789012345e+3")
    assert not looks_like_double("1.2345E-123456789012345")  # exponent digits do not count
    assert not looks_like_double("1.25-3e-2j") and not looks_like_double("123456789012345678")
    data = parse_moments(["0.1", "0.30000000000000004", "1/3", "0.12345678901234567j"])
    assert data.rounded_decimals == 2


@FAST
@given(st.lists(fracs, min_size=1, max_size=6), st.floats(0.5, 30), st.booleans())
def test_data_digits_give_the_stated_normwise_radius_rounded_up(m, digits, cplx):
    values = [(v, v / 3) for v in m] if cplx else [(v, 0) for v in m]
    data = parse_moments([f"{a}" if b == 0 else f"{float(a)}{float(b):+}j" for a, b in values],
                         data_digits=digits)
    scale = max(max(abs(to_fraction(a)) for a in data.real),
                max((abs(to_fraction(b)) for b in (data.imag or ())), default=0))
    if not data.is_real:
        scale *= Fraction(3, 2)
    assert len(set(data.radius)) == 1 and len(data.radius) == len(m)
    r = data.radius[0]
    if scale == 0:
        assert r == 0.0
        return
    want = float(scale) * 10.0 ** -digits
    assert want <= r <= want * (1 + 1e-9)
    top = data.max_abs_exact()  # the digits are normwise against max(|Re|, |Im|)
    assert abs(data.digits - (_log10(top) - math.log10(r))) < 1e-9


def test_data_digits_refusals_and_infinity():
    assert parse_moments([1, 2], data_digits=math.inf).is_exact
    for bad in (0, -1.0, True, "5", math.nan):
        with pytest.raises(InputError, match="data_digits="):
            parse_moments([1.0], data_digits=bad)
    with pytest.raises(InputError, match="not both"):
        parse_moments([1.0], data_digits=5, data_error=0.1)
    huge = parse_moments([Fraction(10) ** 320], data_digits=1)
    assert huge.radius == (math.inf,)


def test_data_error_is_rounded_up_and_named_by_index():
    third = Fraction(1, 3)
    data = parse_moments([1, 2, 3], data_error=[third, 0, Fraction(1, 10**400)])
    r0, r1, r2 = data.radius
    assert Fraction(r0) >= third and Fraction(math.nextafter(r0, 0)) < third
    assert r1 == 0.0 and r2 == 2.0**-1074
    assert parse_moments([1, 2], data_error=0.25).radius == (0.25, 0.25)
    assert parse_moments([1], data_error=[np.float32(0.1)]).radius == (float(np.float32(0.1)),)
    with pytest.raises(InputError, match="data_error has 2 entries for 3 moments"):
        parse_moments([1, 2, 3], data_error=[1, 2])
    for bad, shown in ((-1, "-1\\.0"), (math.nan, "nan"), ("0.1", "'0.1'"), (True, "True")):
        with pytest.raises(InputError, match=rf"data_error\[1\]={shown} must be a non-negative"):
            parse_moments([1, 2], data_error=[0, bad])
    with pytest.raises(InputError, match=r"data_error\[0\]=about 1e399 is beyond the double"):
        parse_moments([1], data_error=[Fraction(10**400, 3)])


@FAST
@given(st.lists(fracs, min_size=1, max_size=5), st.floats(1e-12, 1.0), st.booleans())
def test_balls_with_radius_hold_every_sequence_the_data_allow(m, err, cplx):
    values = [f"{a}" + (f"+{abs(a) / 7}j" if cplx else "") for a in m]
    data = parse_moments(values, data_error=err)
    plain = data.as_ball()
    wide = data.as_ball(with_radius=True)
    for j, a in enumerate(m):
        parts = [(plain[j].real, wide[j].real, a), (plain[j].imag, wide[j].imag, abs(a) / 7)] \
            if cplx else [(plain[j], wide[j], a)]
        for p, w, t in parts:
            lo, hi = ball_bounds(p)
            assert lo <= t <= hi
            wlo, whi = ball_bounds(w)
            assert wlo <= t - Fraction(err) and t + Fraction(err) <= whi
            assert whi - wlo <= 2 * Fraction(err) * (1 + Fraction(1, 2**28)) + (hi - lo)
    head = data.head(1)
    assert head.count == 1 and head.radius == data.radius[:1]
    assert (head.imag is None) == (not cplx)


def test_the_tracked_magnitude_range_at_its_ends():
    edge = Fraction(TRACKING_RANGE)
    require_trackable_scale(parse_moments([float(edge)]))
    require_trackable_scale(parse_moments([float(1 / edge)]))
    with pytest.raises(InputError, match="magnitude about 1e302"):
        require_trackable_scale(parse_moments([1e302, 1.0]))
    with pytest.raises(InputError, match="magnitude about 1e-305"):
        require_trackable_scale(parse_moments([1e-305]))
    require_trackable_scale(parse_moments([Fraction(10) ** 400]))  # exact: no radius
    require_trackable_scale(parse_moments([0.0, 0.0]))


def test_log10_of_rationals_beyond_the_doubles():
    for x in (Fraction(10) ** 400, Fraction(1, 10**400), Fraction(3, 7), Fraction(2) ** 1100):
        want = float(Decimal(x.numerator).log10() - Decimal(x.denominator).log10())
        assert abs(_log10(x) - want) < 1e-9 * max(1, abs(want))


def test_sequences_are_refused_by_name():
    with pytest.raises(InputError, match="h is a single string"):
        parse_moments("1 2", name="h")
    with pytest.raises(InputError, match="moments is a set"):
        parse_moments({1, 2})
    with pytest.raises(InputError, match="moments is empty"):
        parse_moments([])
    with pytest.raises(InputError, match=r"h\[1\] is"):
        parse_moments([1, None], name="h")
    with pytest.raises(InputError, match="moment 1 is"):
        parse_moments([1, None])
    assert parse_moments(iter([1, 2])).count == 2
    assert parse_moments(np.array([1.0, 0.5])).real == (flint.fmpq(1), flint.fmpq(1, 2))


def test_long_texts_past_the_int_string_limit_are_read_exactly_with_their_sign():
    digits = "7" * 5000  # past Python's 4300-digit int-string limit
    assert parse_number_text(digits)[0] == int("7" * 2500) * 10**2500 + int("7" * 2500)
    neg = parse_number_text("-" + digits + ".25")[0]
    assert neg < 0 and neg == -(Fraction(int("7" * 2500) * 10**2500 + int("7" * 2500))
                                + Fraction(1, 4))
    assert parse_number_text("+" + digits + "e-5000")[0] == Fraction(
        int("7" * 2500) * 10**2500 + int("7" * 2500), 10**5000)
    assert parse_number_text("-" + digits + "/3")[0] == -Fraction(
        int("7" * 2500) * 10**2500 + int("7" * 2500), 3)
