"""The radius every number kind is read with, as a property (``moments._numbers``).

The module docstring's table states each kind's radius. Here it is checked exactly with
``Fraction``: the radius read is never below the stated one (no accuracy over-stated) and not
above it by more than the rounding of one float operation (it is not vacuous), over values
from 2**-1100 to 2**1100 with non-dyadic ratios; and the size caps refuse one bit past the
cap, not at it, naming the value.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn._limits import MAX_BINARY_EXPONENT, MAX_DECIMAL_EXPONENT
from momentrnn.errors import InputError
from momentrnn.moments._numbers import (
    SHORT_MANTISSA,
    _mp_bits,
    _ulp_radius,
    dyadic,
    read_number,
)

SLACK = Fraction(1) + Fraction(1, 2**47)  # a few roundings of one float operation
FAST = settings(max_examples=60, derandomize=True, deadline=None)


def _stated(x: Fraction, rel: int, tiny: int | None) -> Fraction:
    floor = Fraction(0) if tiny is None else Fraction(2) ** max(tiny, -1074)
    return max(abs(x) * Fraction(1, 2**rel) if rel >= 0 else abs(x) * 2**-rel, floor)


fractions_wide = st.builds(
    lambda n, d, e, s: (-1) ** s * Fraction(n, d) * Fraction(2) ** e,
    st.integers(1, 10**6), st.integers(1, 10**6), st.integers(-1100, 1100), st.integers(0, 1))


@FAST
@given(fractions_wide, st.sampled_from([11, 24, 53, 64, 113, 200]),
       st.sampled_from([None, -1075, -150, -1100]))
def test_ulp_radius_is_the_stated_radius_rounded_up(x, rel, tiny):
    r = _ulp_radius(x, rel, tiny)
    want = _stated(x, rel, tiny)
    if math.isinf(r):
        assert want * SLACK >= Fraction(2) ** 1023, (x, rel, tiny)
        return
    assert r > 0
    assert Fraction(r) >= want, (x, rel, tiny, r)
    if want >= Fraction(2) ** -1022:  # a normal double: only float rounding on top
        assert Fraction(r) <= want * SLACK, (x, rel, tiny, r)
    else:  # subnormal: at most one subnormal step above
        assert Fraction(r) <= want * SLACK + Fraction(2) ** -1074, (x, rel, tiny, r)


def test_ulp_radius_of_zero_is_the_floor():
    assert _ulp_radius(Fraction(0), 53, -1075) == 2.0**-1074
    assert _ulp_radius(Fraction(0), 24, -150) == 2.0**-150
    assert _ulp_radius(Fraction(0), 53, None) == 0.0


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_double_is_read_with_half_an_ulp(x):
    got = read_number(x)
    assert got.real == Fraction(x) and got.imag == 0 and not got.exact
    assert got.kind == "float"
    want = _stated(Fraction(x), 53, -1075)
    assert want <= Fraction(got.radius) <= want * SLACK + Fraction(2) ** -1074


@FAST
@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_a_float32_is_read_with_its_own_half_ulp(x):
    got = read_number(np.float32(x))
    assert got.kind == "float32"
    want = _stated(Fraction(x), 24, -150)
    assert want <= Fraction(got.radius) <= want * SLACK


@FAST
@given(st.complex_numbers(allow_nan=False, allow_infinity=False, max_magnitude=1e300))
def test_a_complex_is_read_with_both_half_ulps(z):
    got = read_number(z)
    assert (got.real, got.imag) == (Fraction(z.real), Fraction(z.imag))
    want = _stated(Fraction(z.real), 53, -1075) + _stated(Fraction(z.imag), 53, -1075)
    assert want <= Fraction(got.radius) <= want * SLACK + Fraction(2) ** -1073
    assert got.kind == "complex float"


@FAST
@given(st.integers(1, 10**12), st.integers(1, 10**12), st.integers(-300, 300),
       st.sampled_from([30, 53, 64, 100, 333]))
def test_an_mpf_is_read_at_its_own_precision(n, d, e, prec):
    ctx = mpmath.mp.clone()
    ctx.prec = prec
    v = ctx.mpf(n) / d * ctx.mpf(2) ** e  # rounded to prec bits
    sign, man, exp, bc = v._mpf_
    exact = dyadic(sign, man, exp)
    got = read_number(v)
    assert got.real == exact and got.kind == "mpf" and not got.exact
    bits = bc if bc > SHORT_MANTISSA else max(bc, prec)
    want = abs(exact) / 2**bits
    assert want <= Fraction(got.radius) <= want * SLACK
    # the number meant (n / d * 2**e) is within that radius when v was rounded at prec bits
    assert abs(Fraction(n, d) * Fraction(2) ** e - exact) <= Fraction(got.radius)


def test_short_mantissas_count_at_their_context_precision():
    ctx = mpmath.mp.clone()
    ctx.prec = 100
    half = ctx.mpf(0.5)
    assert _mp_bits(half._mpf_, half) == 100
    v = ctx.mpf(2**SHORT_MANTISSA - 1)  # bc == 20: short
    assert v._mpf_[3] == SHORT_MANTISSA and _mp_bits(v._mpf_, v) == 100
    w = ctx.mpf(2**SHORT_MANTISSA + 1)  # bc == 21: its own
    assert w._mpf_[3] == SHORT_MANTISSA + 1 and _mp_bits(w._mpf_, w) == SHORT_MANTISSA + 1
    assert read_number(ctx.mpf(0)).radius == 0.0


def test_an_mpc_adds_the_radii_of_its_parts():
    ctx = mpmath.mp.clone()
    ctx.prec = 80
    z = ctx.mpc(1, 0) / 3 + ctx.mpc(0, 2) / 7
    got = read_number(z)
    re, im = dyadic(*z._mpc_[0][:3]), dyadic(*z._mpc_[1][:3])
    assert (got.real, got.imag) == (re, im)
    bits = [max(t[3], 80) if t[3] <= SHORT_MANTISSA else t[3] for t in z._mpc_]
    want = abs(re) / 2 ** bits[0] + abs(im) / 2 ** bits[1]
    assert want <= Fraction(got.radius) <= want * SLACK
    assert abs(re - Fraction(1, 3)) <= Fraction(got.radius)
    assert abs(im - Fraction(2, 7)) <= Fraction(got.radius)


def test_balls_keep_their_radius_rounded_up():
    b = flint.arb(flint.fmpq(1, 3)) + flint.arb(0, 1e-20)
    got = read_number(b)
    rad = Fraction(b.rad().str(30, radius=False))
    assert Fraction(got.radius) >= rad * (1 - Fraction(1, 10**25)) and not got.exact
    assert got.real - Fraction(got.radius) <= Fraction(1, 3) <= got.real + Fraction(got.radius)
    exact = read_number(flint.arb(3))
    assert exact.exact and exact.radius == 0.0 and exact.real == 3
    z = read_number(flint.acb(flint.arb(1, 1e-10), flint.arb(-2, 1e-12)))
    assert (z.real, z.imag) == (1, -2) and 1e-10 <= z.radius <= 1.0001e-10 + 1e-12


def test_exact_kinds_read_exactly_with_zero_radius():
    import sympy

    for v, kind in ((7, "int"), (Fraction(-39, 100), "Fraction"), (flint.fmpq(1, 3), "fmpq"),
                    (flint.fmpz(-5), "fmpz"), (Decimal("0.39"), "Decimal"),
                    (sympy.Rational(-1, 3), "sympy Rational"), ("39/100", "text")):
        got = read_number(v)
        assert got.exact and got.radius == 0.0 and got.kind == kind, v
    assert read_number(Decimal("0.39")).real == Fraction(39, 100)
    assert read_number(flint.fmpq(1, 3)).real == Fraction(1, 3)


def test_dyadic_signs_and_exponents():
    assert dyadic(0, 3, -2) == Fraction(3, 4)
    assert dyadic(1, 3, -2) == Fraction(-3, 4)
    assert dyadic(0, 3, 2) == 12
    assert dyadic(1, 5, 0) == -5


def test_the_size_caps_refuse_one_bit_past_the_cap_and_name_the_value():
    ok = 2 ** (MAX_BINARY_EXPONENT - 1)  # MAX_BINARY_EXPONENT bits: accepted
    assert read_number(ok).real == ok
    assert read_number(Fraction(1, ok)).real == Fraction(1, ok)
    for bad in (2**MAX_BINARY_EXPONENT, -(2**MAX_BINARY_EXPONENT),
                Fraction(1, 2**MAX_BINARY_EXPONENT), Fraction(2**MAX_BINARY_EXPONENT, 3)):
        with pytest.raises(InputError, match=f"{MAX_BINARY_EXPONENT} bits"):
            read_number(bad, "m[3]")
    with pytest.raises(InputError, match=r"m\[3\] \(fmpq\)"):
        read_number(flint.fmpq(1, 2**MAX_BINARY_EXPONENT), "m[3]")
    # mpf magnitude: 2**(exp + bits(man)) with |exponent| at the cap is read
    ctx = mpmath.mp.clone()
    edge = ctx.ldexp(1, MAX_BINARY_EXPONENT - 1)  # magnitude exactly 2**MAX
    assert read_number(edge).real == Fraction(2) ** (MAX_BINARY_EXPONENT - 1)
    with pytest.raises(InputError, match="m\\[2\\] is .*beyond"):
        read_number(ctx.ldexp(1, MAX_BINARY_EXPONENT), "m[2]")
    tiny = ctx.ldexp(1, -MAX_BINARY_EXPONENT - 1)  # magnitude exactly 2**-MAX
    assert read_number(tiny).real == Fraction(1, 2 ** (MAX_BINARY_EXPONENT + 1))
    with pytest.raises(InputError, match="beyond"):
        read_number(ctx.ldexp(1, -MAX_BINARY_EXPONENT - 2))
    # Decimal exponents: at the cap read, one past refused naming the exponent
    assert read_number(Decimal(f"1e-{MAX_DECIMAL_EXPONENT}")).exact
    with pytest.raises(InputError, match=f"exponent -{MAX_DECIMAL_EXPONENT + 1}"):
        read_number(Decimal(f"1e-{MAX_DECIMAL_EXPONENT + 1}"))


def test_non_finite_and_non_numbers_are_refused_by_name():
    for bad in (math.inf, -math.inf, math.nan, complex(1, math.inf), np.float32("nan"),
                Decimal("Infinity"), mpmath.mp.clone().mpf("inf")):
        with pytest.raises(InputError, match="m\\[0\\] is .*finite"):
            read_number(bad, "m[0]")
    for bad in (True, None, np.bool_(False)):
        with pytest.raises(InputError, match="expected a number"):
            read_number(bad)
    with pytest.raises(InputError, match="list"):
        read_number([1])
