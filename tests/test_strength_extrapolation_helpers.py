"""The exact helpers of the R11 certificate (``moments.extrapolation_bound``) as properties:
rounding up to 64 significant bits is never below the value and within one unit of the 64th
bit; a polynomial with short coefficients plus the stated 1-norm bound covers the original;
exact moments and distances agree with Fractions; the support chosen contains every atom and
has 6-decimal ends written exactly; the size refusals trigger one bit past their limits."""

from __future__ import annotations

from fractions import Fraction

import flint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn._limits import MAX_CERTIFY_BITS, MAX_CERTIFY_WEIGHT_BITS
from momentrnn.errors import InputError
from momentrnn.moments.extrapolation_bound import (
    BOUND_BITS,
    TINY_TAIL_BITS,
    _decimal,
    _distance,
    _exact,
    _moments,
    _round_up,
    _short_poly,
    _support,
    check_powers,
)

FAST = settings(max_examples=60, derandomize=True, deadline=None)
positive = st.builds(lambda n, d, e: Fraction(n, d) * Fraction(2) ** e,
                     st.integers(1, 10**30), st.integers(1, 10**30), st.integers(-1200, 300))


def _fq(v: Fraction):
    return flint.fmpq(v.numerator, v.denominator)


def _fr(v) -> Fraction:
    return Fraction(int(v.p), int(v.q))


@FAST
@given(positive)
def test_round_up_is_above_and_within_one_unit_of_the_64th_bit(v):
    r = _fr(_round_up(_fq(v)))
    tiny = Fraction(1, 2**TINY_TAIL_BITS)
    if v <= tiny:
        assert r == tiny
        return
    assert r >= v
    e = v.numerator.bit_length() - v.denominator.bit_length()  # 2^(e-1) < v < 2^(e+1)
    assert r - v < Fraction(2) ** (e + 1 - BOUND_BITS), (v, r)
    den = r.denominator
    assert den & (den - 1) == 0  # a dyadic
    top = abs(r.numerator)
    top //= top & -top  # its significant bits
    assert top.bit_length() <= BOUND_BITS + 2


def test_round_up_of_zero_and_exact_dyadics():
    assert _round_up(flint.fmpq(0)) == 0
    assert _fr(_round_up(flint.fmpq(3, 8))) == Fraction(3, 8)
    assert _fr(_round_up(_fq(Fraction(2**80 + 1)))) == 2**80 + 2**17  # 2^63 + 1 units of 2^17


@FAST
@given(st.lists(st.one_of(positive, positive.map(lambda v: -v), st.just(Fraction(0)),
                          st.just(Fraction(1, 2**1100))), min_size=1, max_size=6))
def test_short_polynomials_cover_the_original_on_the_unit_interval(coeffs):
    s = flint.fmpq_poly([_fq(c) for c in coeffs])
    t, d = _short_poly(s)
    got = [_fr(t[k]) for k in range(s.degree() + 1)]
    dropped = sum(abs(c - g) for c, g in zip(coeffs, got))
    assert _fr(d) >= dropped
    assert _fr(d) <= dropped * (1 + Fraction(1, 2**60)) + Fraction(1, 2**TINY_TAIL_BITS)
    for c, g in zip(coeffs, got):
        if abs(c) <= Fraction(1, 2**TINY_TAIL_BITS):
            assert g == 0
        else:
            assert abs(g) >= abs(c) and (g > 0) == (c > 0)


@FAST
@given(st.lists(st.builds(Fraction, st.integers(-9, 9), st.integers(1, 9)), min_size=1,
                max_size=4), st.integers(1, 8))
def test_moments_and_distances_are_exact(atoms, count):
    weights = [Fraction(1, 3) + i for i in range(len(atoms))]
    want = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]
    assert _moments(atoms, weights, count) == want
    assert _distance(atoms[0], -weights[0]) == abs(atoms[0] + weights[0])


def test_support_contains_the_atoms_with_short_ends():
    a = [Fraction(-3, 2) - Fraction(1, 10**9), Fraction(1, 3), Fraction(22, 7)]
    b = [Fraction(1), Fraction(1), Fraction(1)]
    c = [Fraction(1), Fraction(-1), Fraction(2)]  # a[1] has b c < 0: not in the support
    lo, hi = _support(None, a, b, c, [Fraction(1, 2)])
    assert lo == Fraction(-1500001, 10**6) and hi == Fraction(3142858, 10**6)
    assert _decimal(lo) == "-1.500001" and _decimal(hi) == "3.142858"
    lo, hi = _support(None, [Fraction(1, 2)], [1], [1], None)
    assert (lo, hi) == (-1, 1)
    lo, hi = _support(None, [Fraction(-3)], [1], [1], [Fraction(5, 2)])
    assert (lo, hi) == (-3, Fraction(5, 2))
    assert _support((-4, 4), a, b, c, None) == (-4, 4)
    with pytest.raises(InputError, match=r"student atom a\[2\] = 3\.1428571428571428\d* lies "
                                         r"outside support=\[-2, 3\]"):
        _support((-2, 3), a, b, c, None)
    with pytest.raises(InputError, match="teacher atom 0 = 5 lies outside"):
        _support((-1, 1), [Fraction(0)], [1], [1], [Fraction(5)])


def test_decimals_of_support_ends():
    assert _decimal(Fraction(7)) == "7" and _decimal(Fraction(-7)) == "-7"
    assert _decimal(Fraction(1, 4)) == "0.25" and _decimal(Fraction(-1, 4)) == "-0.25"
    assert _decimal(Fraction(1, 10**6)) == "0.000001"
    assert _decimal(Fraction(1, 3)) == "1/3"


def test_size_refusals_one_bit_past_the_limits():
    length = 10
    per_atom = 2 * MAX_CERTIFY_BITS // (length * (length - 1))  # bits allowed for one atom
    ok = Fraction(2 ** (per_atom - 2), 1)  # per_atom - 1 + 1 bits
    check_powers({"a": [ok]}, length)
    too = Fraction(2 ** (per_atom + 40), 1)
    with pytest.raises(InputError, match=r"a\[0\] .*powers x\*\*q, q < 10"):
        check_powers({"a": [too]}, length)
    with pytest.raises(InputError, match=r"atom 2 \(about"):
        check_powers({"atom {}": [Fraction(1), too]}, length)
    w_ok = Fraction(2 ** (MAX_CERTIFY_WEIGHT_BITS // length - 2))
    check_powers({}, length, weights={"b": [w_ok]})
    w_bad = Fraction(2 ** (MAX_CERTIFY_WEIGHT_BITS // length + 1))
    with pytest.raises(InputError, match=r"b\[1\] \(about 1e\d+, \d+ bits as a fraction\) is "
                                         r"carried by each of the 10 moments"):
        check_powers({}, length, weights={"b": [Fraction(1), w_bad]})


def test_exact_reading_of_student_values():
    assert _exact([0.1, "1/3", 2], "a") == [Fraction(0.1), Fraction(1, 3), 2]
    assert _exact(None, "a") is None
    with pytest.raises(InputError, match=r"a\[1\] = .* is complex"):
        _exact([1, 1j], "a")
    with pytest.raises(InputError, match=r"c\[0\] = .* is a ball of non-zero radius"):
        _exact([flint.arb(1, 0.5)], "c")
    with pytest.raises(InputError, match="b is the text '12'"):
        _exact("12", "b")
    with pytest.raises(InputError, match="b is 3; pass a sequence"):
        _exact(3, "b")
    assert _exact([flint.arb(3)], "c") == [3]
