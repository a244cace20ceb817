"""Conversions of one number between the arithmetics (``moments._scalars``), as properties.

Each stored kind (int, Fraction, exact complex pair, float, complex, mpf, mpc, arb, acb,
sympy) is converted by :func:`to_mp`, :func:`to_ball`, :func:`to_float` and
:func:`to_exact`; checked against the exact value with ``Fraction``: a ball contains it, an
mpmath value is within half an ulp of the context's precision, a double is the nearest double,
and the real/imaginary test and the exactness test say what the value is.
"""

from __future__ import annotations

from fractions import Fraction

import flint
import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.errors import InputError, PrecisionMismatchError
from momentrnn.moments._numbers import dyadic
from momentrnn.moments._scalars import (
    global_mp,
    is_exact_value,
    is_real_value,
    mpf_from_float,
    mpf_from_man_exp,
    normalise,
    to_ball,
    to_exact,
    to_float,
    to_mp,
)
from momentrnn.precision import flint_precision
from momentrnn.prove.validated import ball_bounds

FAST = settings(max_examples=40, derandomize=True, deadline=None)
fracs = st.builds(Fraction, st.integers(-10**9, 10**9), st.integers(1, 10**9))


def _mp_exact(v) -> tuple[Fraction, Fraction]:
    if hasattr(v, "_mpc_"):
        return tuple(dyadic(*t[:3]) for t in v._mpc_)  # type: ignore[return-value]
    return dyadic(*v._mpf_[:3]), Fraction(0)


def _in(b, x: Fraction) -> bool:
    lo, hi = ball_bounds(b)  # exact ends, whatever the working precision
    return lo <= x <= hi


def _ball_has(b, re: Fraction, im: Fraction = Fraction(0)) -> bool:
    if isinstance(b, flint.acb):
        return _in(b.real, re) and _in(b.imag, im)
    return im == 0 and _in(b, re)


@FAST
@given(fracs, fracs, st.sampled_from([40, 53, 97, 200]))
def test_exact_values_round_to_within_half_an_ulp_and_balls_contain_them(a, b, prec):
    ctx = mpmath.mp.clone()
    ctx.prec = prec
    for stored, (re, im) in ((a, (a, Fraction(0))), ((a, b), (a, b)),
                             (int(a.numerator), (Fraction(a.numerator), Fraction(0)))):
        v = to_mp(stored, ctx)
        got_re, got_im = _mp_exact(v)
        for got, want in ((got_re, re), (got_im, im)):
            assert abs(got - want) <= abs(want) / 2**prec, (stored, prec, got, want)
        with flint_precision(prec):
            assert _ball_has(to_ball(stored), re, im), stored
        f = to_float(stored)
        assert (complex(f).real, complex(f).imag) == (float(re), float(im))
        assert is_real_value(stored) == (im == 0)
        assert is_exact_value(stored)
    assert to_exact(a, "m[0]") == a
    z = to_exact((a, b), "m[0]")
    assert sympy.re(z) == sympy.Rational(a.numerator, a.denominator)
    assert sympy.im(z) == sympy.Rational(b.numerator, b.denominator)


@FAST
@given(st.floats(-1e300, 1e300), st.floats(-1e300, 1e300), st.sampled_from([30, 53, 120]))
def test_rounded_values_keep_their_value_into_every_arithmetic(x, y, prec):
    ctx = mpmath.mp.clone()
    ctx.prec = prec
    hi = mpmath.mp.clone()
    hi.prec = 150
    for stored, (re, im) in ((x, (Fraction(x), Fraction(0))),
                             (complex(x, y), (Fraction(x), Fraction(y))),
                             (hi.mpf(x) / 3, _mp_exact(hi.mpf(x) / 3)),
                             (hi.mpc(x, y) / 7, _mp_exact(hi.mpc(x, y) / 7))):
        v = to_mp(stored, ctx)
        got_re, got_im = _mp_exact(v)
        for got, want in ((got_re, re), (got_im, im)):
            assert abs(got - want) <= abs(want) / 2**prec, (stored, prec)
        with flint_precision(prec):
            assert _ball_has(to_ball(stored), re, im), stored
        assert is_real_value(stored) == (im == 0)
        assert not is_exact_value(stored)
        with pytest.raises(PrecisionMismatchError, match="m\\[1\\] = .*refuses"):
            to_exact(stored, "m[1]")
        f = complex(to_float(stored))
        assert abs(Fraction(f.real) - re) <= abs(re) / 2**52 + Fraction(1, 2**1070)
        assert abs(Fraction(f.imag) - im) <= abs(im) / 2**52 + Fraction(1, 2**1070)


def test_balls_stay_balls_and_convert_by_their_midpoint():
    b = flint.arb(flint.fmpq(39, 100)) + flint.arb(0, 2.0**-80)
    z = flint.acb(b, -b)
    with flint_precision(200):
        assert to_ball(b).overlaps(b) and to_ball(b).rad() >= b.rad()
        assert to_ball(z).real.overlaps(b) and to_ball(z).imag.overlaps(-b)
    ctx = mpmath.mp.clone()
    ctx.prec = 200
    mid = Fraction(*[int(t) for t in b.mid().man_exp()][:1]) * Fraction(2) ** int(
        b.mid().man_exp()[1])
    assert _mp_exact(to_mp(b, ctx)) == (mid, 0)
    assert _mp_exact(to_mp(z, ctx)) == (mid, -mid)
    assert is_real_value(b) and not is_real_value(z)
    assert is_real_value(flint.acb(b, 0)) and to_float(flint.acb(b, 0)) == float(mid)
    assert to_float(b) == float(mid) and to_float(z) == complex(float(mid), -float(mid))


def test_sympy_values_convert_into_every_arithmetic():
    third = sympy.sqrt(2) / 3
    cplx = sympy.sqrt(2) / 3 - sympy.I / 7
    ctx = mpmath.mp.clone()
    ctx.prec = 120
    truth = mpmath.mp.clone()
    truth.prec = 400
    want = truth.sqrt(2) / 3
    assert abs(to_mp(third, ctx) - want) <= abs(want) * truth.mpf(2) ** -119
    v = to_mp(cplx, ctx)
    assert abs(v.real - want) <= abs(want) * truth.mpf(2) ** -119
    assert abs(v.imag + truth.mpf(1) / 7) <= truth.mpf(2) ** -121
    pure = to_mp(sympy.I * sympy.Rational(2, 3), ctx)
    assert pure.real == 0 and abs(pure.imag - truth.mpf(2) / 3) <= truth.mpf(2) ** -120
    with flint_precision(120):
        b = to_ball(third)
        c = to_ball(cplx)
    with flint_precision(400):
        assert b.contains(flint.arb(2).sqrt() / 3) and b.rad() < 1e-28
        assert c.imag.contains(flint.arb(flint.fmpq(-1, 7))) and c.real.overlaps(b)
    assert is_real_value(third) and not is_real_value(cplx)
    assert is_exact_value(third) and not is_exact_value(sympy.Float(0.5) * sympy.sqrt(2))
    assert to_float(third) == float(sympy.sqrt(2) / 3)
    assert to_float(cplx) == complex(float(sympy.sqrt(2) / 3), -1 / 7)
    assert to_exact(third, "m[0]") == third


def test_normalise_keeps_values_and_names_what_it_refuses():
    assert normalise(sympy.Rational(-39, 100), "m[0]") == Fraction(-39, 100)
    assert normalise(flint.fmpz(5), "m[0]") == 5 and type(normalise(5, "m")) is int
    assert normalise("1/3", "m") == Fraction(1, 3)
    assert normalise("0.39-2.5j", "m") == (Fraction(39, 100), Fraction(-5, 2))
    assert normalise(complex(0.5, 0), "m") == 0.5 and type(normalise(0.5 + 0j, "m")) is float
    assert normalise(complex(0.5, -1), "m") == complex(0.5, -1)
    assert normalise(sympy.sqrt(3), "m") == sympy.sqrt(3)
    x = sympy.Symbol("x")
    with pytest.raises(InputError, match="m\\[2\\] = x has free symbols"):
        normalise(x, "m[2]")
    with pytest.raises(InputError, match="m\\[2\\] = .* is not finite"):
        normalise(sympy.oo, "m[2]")
    with pytest.raises(InputError, match="m\\[3\\]"):
        normalise(float("nan"), "m[3]")


def test_exact_rebuilders_are_exact():
    assert dyadic(*mpf_from_man_exp(-3, -70)._mpf_[:3]) == Fraction(-3, 2**70)
    assert dyadic(*mpf_from_float(0.1)._mpf_[:3]) == Fraction(0.1)
    ctx = mpmath.mp.clone()
    ctx.prec = 300
    v = ctx.mpf(1) / 3
    g = global_mp(v)
    assert type(g) is type(mpmath.mpf(1)) and g._mpf_ == v._mpf_
    w = ctx.mpc(1, 2) / 3
    assert global_mp(w)._mpc_ == w._mpc_
    assert global_mp(7) == 7


def test_a_sympy_ball_has_the_stated_relative_radius_and_an_accurate_midpoint():
    """dps - 5 digits relative to 1 + |Re| + |Im| (dps = prec / 3.32 + 10 digits evaluated):
    the radius is that plus the ball's rounding to prec bits, not more, and the midpoint is
    the value to that accuracy."""
    for value, re_t, im_t in ((sympy.sqrt(2) / 3, "sqrt2/3", None),
                              (sympy.sqrt(2) * 10**6 - sympy.I / 7, "big", "-1/7")):
        for prec in (64, 120, 300):
            dps = int(prec / 3.32) + 10
            with flint_precision(prec):
                b = to_ball(value)
            with flint_precision(prec + 200):
                truth_re = flint.arb(2).sqrt() / 3 if re_t == "sqrt2/3" else \
                    flint.arb(2).sqrt() * 10**6
                truth_im = flint.arb(0) if im_t is None else -flint.arb(1) / 7
                parts = (b, None) if im_t is None else (b.real, b.imag)
                size = 1 + abs(truth_re) + abs(truth_im)
                stated = size * flint.arb(10) ** (-(dps - 5))
                for part, truth in zip(parts, (truth_re, truth_im)):
                    if part is None:
                        continue
                    assert part.contains(truth)
                    # the stated radius, plus the rounding of the ball to prec bits
                    assert part.rad() <= stated * (1 + flint.arb(2) ** -20) + size * flint.arb(
                        2) ** -(prec - 1), (value, prec)
                    assert abs(part.mid() - truth) <= size * (flint.arb(10) ** (-(dps - 5))
                                                              + flint.arb(2) ** -(prec - 1))


def test_exact_pairs_are_real_only_with_a_zero_imaginary_part():
    assert is_real_value((Fraction(1, 3), Fraction(0)))
    assert not is_real_value((Fraction(1, 3), Fraction(1)))
    assert to_float((Fraction(1, 3), Fraction(0))) == complex(1 / 3, 0)
