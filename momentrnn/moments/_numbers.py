"""Reading user numbers: one table, each number kind once (value, sign, accuracy).

Every kind of number the package accepts is read here into a :class:`Reading`: its exact value
(real and imaginary parts as ``Fraction``; every float, mpmath number and ball midpoint is a
dyadic rational) and the absolute radius that says how far the number the user meant can be
from it. The rules:

========================  ==============================================================
kind                      radius
========================  ==============================================================
int, Fraction, fmpq,      0 (exact)
decimal text, Decimal,
sympy Rational
float / complex           half an ulp: ``max(|x| 2**-53, 2**-1075)`` per component
numpy float32/complex64   ``max(|x| 2**-24, 2**-150)`` per component
mpmath mpf / mpc          correctly rounded to its own mantissa length ``bc``:
                          ``|x| 2**-bc`` per component; a short mantissa (``bc <= 20``,
                          such as 1 or 0.5) counts at its own context's precision; zero
                          is exact
sympy Float               ``|x| 2**-prec`` with the Float's own precision
flint arb / acb           the ball's radius (midpoint exact)
========================  ==============================================================

Each number carries its own accuracy: an mpmath number made at 50 digits never lends its
accuracy to one made from a double (53 bits). A double converted into a high-precision
context (``ctx.mpf(0.1)``) still has a 53-bit mantissa and counts as a double. Pass ints,
``Fraction`` or decimal strings for exact values, and ``data_digits=`` when the numbers carry
less than their representation (an accumulated rounding error, measured data). Nothing here
changes the global ``mpmath.mp`` precision, and text is parsed, never evaluated.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import flint
import mpmath
import numpy as np

from .._limits import MAX_BINARY_EXPONENT, MAX_DECIMAL_EXPONENT
from ..errors import InputError

__all__ = ["Reading", "read_number", "dyadic", "MPF", "MPC", "is_sympy"]

# Every mpmath context makes its own mpf/mpc classes; these are their common bases.
MPF = mpmath.ctx_mp_python._mpf
MPC = mpmath.ctx_mp_python._mpc

_ZERO = Fraction(0)
_MPF_ZERO = (0, 0, 0, 0)


@dataclass(frozen=True)
class Reading:
    """One number as read: exact dyadic/rational value and an absolute radius."""

    real: Fraction
    imag: Fraction
    radius: float
    exact: bool
    kind: str

    @property
    def is_real(self) -> bool:
        return self.imag == 0


def is_sympy(value: object) -> bool:
    return (type(value).__module__ or "").startswith("sympy")


def dyadic(sign: int, man: int, exp: int) -> Fraction:
    """The exact value ``(-1)**sign * man * 2**exp``."""
    man = -int(man) if sign else int(man)
    exp = int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def _ulp_radius(x: Fraction, rel_bits: int, tiny_exp: int | None) -> float:
    """``max(|x| 2**-rel_bits, 2**tiny_exp)`` as a float rounded up (never rounded to 0).

    Radii too small for a double become the smallest subnormal and radii too large become
    ``inf``: both are larger than the true radius, so no accuracy is ever over-stated.
    """
    mag = abs(x)
    floor = 0.0 if tiny_exp is None else math.ldexp(1.0, max(tiny_exp, -1074))
    if mag == 0:
        return floor
    e = mag.numerator.bit_length() - mag.denominator.bit_length()
    scaled = mag / Fraction(2) ** e  # in [1/2, 2]
    try:
        r = math.ldexp(float(scaled) * (1 + 2.0**-50), e - rel_bits)
    except OverflowError:
        r = math.inf
    if r == 0.0:
        r = math.ldexp(1.0, -1074)
    return max(r, floor)


def _brief(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:40] + f"... ({len(text)} characters)"


def _check_magnitude(man: int, exp: int, where: str, shown: object) -> None:
    """Refuse ``man * 2**exp`` whose magnitude ``2**(exp + bits(man))`` is beyond
    ``2**+-MAX_BINARY_EXPONENT`` before the exact value is built (it would hold that many
    bits: ``mpf('1e1000000000')`` is an integer of a billion digits)."""
    magnitude = int(exp) + int(man).bit_length()
    if abs(magnitude) > MAX_BINARY_EXPONENT:
        raise InputError(
            f"{where} is {_brief(shown)}, of magnitude about 2**{magnitude}: beyond "
            f"2**+-{MAX_BINARY_EXPONENT}, read exactly it would hold that many bits; scale "
            "the numbers (multiplying all moments by one factor leaves the atoms unchanged)"
        )


def _from_mpf_tuple(tup: tuple, where: str, shown: object) -> Fraction:
    sign, man, exp, _bc = tup
    if not man:
        if tup != _MPF_ZERO:
            raise InputError(f"{where} is {shown}; numbers must be finite (no NaN or infinity)")
        return _ZERO
    _check_magnitude(man, exp, where, shown)
    return dyadic(sign, man, exp)


SHORT_MANTISSA = 20


def _mp_bits(mpf_tuple: tuple, value) -> int:
    """Bits an mpmath number is taken to be correctly rounded to.

    Its mantissa length ``bc``: a value computed at p bits has ``bc <= p``, so this never
    over-states. A short mantissa (at most 20 bits: 1, 0.5, 3/8) says nothing about the
    precision it was computed at; such a number counts at the precision of its own context.
    """
    bc = int(mpf_tuple[3])
    if bc > SHORT_MANTISSA:
        return bc
    ctx_prec = int(getattr(getattr(value, "context", None), "prec", 53))
    return max(bc, ctx_prec)


def _mp_radius(x: Fraction, bits: int) -> float:
    return 0.0 if x == 0 else _ulp_radius(x, bits, None)


# ----------------------------------------------------------------------------- readers


def _read_text(value: str, where: str) -> Reading:
    from ._data import parse_number_text

    re, im = parse_number_text(value, where)
    return Reading(re, im, 0.0, True, "text")


def _check_bits(num: int, den: int, where: str, kind: str) -> None:
    """Refuse an exact value whose numerator or denominator passes ``MAX_BINARY_EXPONENT``
    bits, as text past the exponent cap is refused: named by its size, never printed (its
    digits may pass Python's int-string limit)."""
    big = max(abs(num).bit_length(), den.bit_length())
    if big > MAX_BINARY_EXPONENT:
        size = (f"an integer of {big} bits (about {'-' if num < 0 else ''}1e"
                f"{(big - 1) * math.log10(2):.0f})" if den == 1 else
                f"a fraction of {abs(num).bit_length()} / {den.bit_length()} bits (about 1e"
                f"{(abs(num).bit_length() - den.bit_length()) * math.log10(2):.0f})")
        raise InputError(
            f"{where} ({kind}) is {size}: beyond the {MAX_BINARY_EXPONENT} bits read exactly "
            f"(2**{MAX_BINARY_EXPONENT}, as text past the exponent 1e{MAX_DECIMAL_EXPONENT}); "
            "scale the numbers (multiplying all moments by one factor leaves the atoms "
            "unchanged)")


def _read_int(value, where: str) -> Reading:
    value = int(value)
    _check_bits(value, 1, where, "int")
    return Reading(Fraction(value), _ZERO, 0.0, True, "int")


def _read_fraction(value: Fraction, where: str) -> Reading:
    _check_bits(value.numerator, value.denominator, where, "Fraction")
    return Reading(value, _ZERO, 0.0, True, "Fraction")


def _read_fmpq(value, where: str) -> Reading:
    if isinstance(value, flint.fmpz):
        _check_bits(int(value), 1, where, "fmpz")
        return Reading(Fraction(int(value)), _ZERO, 0.0, True, "fmpz")
    num, den = int(value.p), int(value.q)
    _check_bits(num, den, where, "fmpq")
    return Reading(Fraction(num, den, _normalize=False), _ZERO, 0.0, True, "fmpq")


def _read_decimal(value: Decimal, where: str) -> Reading:
    if not value.is_finite():
        raise InputError(f"{where} is {value}; numbers must be finite (no NaN or infinity)")
    exponent = value.as_tuple().exponent
    if abs(int(exponent)) > MAX_DECIMAL_EXPONENT:  # type: ignore[arg-type]
        raise InputError(
            f"{where} is Decimal({_brief(value)!r}), whose decimal exponent {exponent} is "
            f"beyond +-{MAX_DECIMAL_EXPONENT}: read exactly it would hold that many digits; "
            "scale the numbers (multiplying all moments by one factor leaves the atoms "
            "unchanged)"
        )
    return Reading(Fraction(value), _ZERO, 0.0, True, "Decimal")


def _float_parts(value) -> tuple[int, int, str]:
    """(relative bits, exponent of the smallest half-ulp, kind) of a binary float type; a
    numpy type by its own ``finfo`` (``np.longdouble``: 64 bits and exponents to +-16 000
    on x86)."""
    if isinstance(value, (np.floating, np.complexfloating)):
        info = np.finfo(value.dtype)
        kind = {np.float64: "float", np.float32: "float32", np.float16: "float16"}.get(
            info.dtype.type, str(info.dtype))
        return int(info.nmant) + 1, int(info.minexp) - int(info.nmant) - 1, kind
    return 53, -1075, "float"


def _exact_float(value, where: str) -> Fraction:
    """A binary float's exact value, in its own format: a numpy ``longdouble`` beyond the
    double range or with more bits than a double is not rounded to a double on the way."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"{where} is {value}; numbers must be finite (no NaN or infinity)")
        return Fraction(value)
    if not np.isfinite(value):
        raise InputError(f"{where} is {value}; numbers must be finite (no NaN or infinity)")
    return Fraction(*value.as_integer_ratio())


def _read_float(value, where: str) -> Reading:
    fx = _exact_float(value, where)
    rel, tiny, kind = _float_parts(value)
    return Reading(fx, _ZERO, _ulp_radius(fx, rel, tiny), False, kind)


def _read_complex(value, where: str) -> Reading:
    if isinstance(value, np.complexfloating):
        re, im = _exact_float(value.real, where), _exact_float(value.imag, where)
    else:
        z = complex(value)
        if not (math.isfinite(z.real) and math.isfinite(z.imag)):
            raise InputError(f"{where} is {z}; numbers must be finite (no NaN or infinity)")
        re, im = Fraction(z.real), Fraction(z.imag)
    rel, tiny, kind = _float_parts(value)
    radius = _ulp_radius(re, rel, tiny) + _ulp_radius(im, rel, tiny)
    return Reading(re, im, radius, False, "complex " + kind)


def _read_mpf(value, where: str) -> Reading:
    x = _from_mpf_tuple(value._mpf_, where, value)
    return Reading(x, _ZERO, _mp_radius(x, _mp_bits(value._mpf_, value)), False, "mpf")


def _read_mpc(value, where: str) -> Reading:
    re_t, im_t = value._mpc_
    re = _from_mpf_tuple(re_t, where, value)
    im = _from_mpf_tuple(im_t, where, value)
    radius = _mp_radius(re, _mp_bits(re_t, value)) + _mp_radius(im, _mp_bits(im_t, value))
    return Reading(re, im, radius, False, "mpc")


def _arb_mid(value, where: str) -> Fraction:
    if not value.is_finite():
        raise InputError(f"{where} is {value}; numbers must be finite balls")
    man, exp = value.mid().man_exp()
    if not int(man):
        return _ZERO
    _check_magnitude(int(man), int(exp), where, value)
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def _arb_rad(value) -> float:
    """The radius as a float rounded up; never 0 for a non-zero radius (then 2**-1074)."""
    r = value.rad()
    if r == 0:
        return 0.0
    f = float(r) * (1 + 2.0**-50)
    return f if f > 0 else math.ldexp(1.0, -1074)


def _read_arb(value, where: str) -> Reading:
    rad = _arb_rad(value)
    return Reading(_arb_mid(value, where), _ZERO, rad, rad == 0, "arb")


def _read_acb(value, where: str) -> Reading:
    rad = _arb_rad(value.real) + _arb_rad(value.imag)
    return Reading(_arb_mid(value.real, where), _arb_mid(value.imag, where), rad, rad == 0,
                   "acb")


def _read_sympy(value, where: str) -> Reading:
    import sympy

    if isinstance(value, sympy.Rational):
        num, den = int(value.p), int(value.q)
        _check_bits(num, den, where, "sympy Rational")
        return Reading(Fraction(num, den, _normalize=False), _ZERO, 0.0, True,
                       "sympy Rational")
    if isinstance(value, sympy.Float):
        x = _from_mpf_tuple(value._mpf_, where, value)
        return Reading(x, _ZERO, _mp_radius(x, int(value._prec)), False, "sympy Float")
    if value.is_number and not value.free_symbols:
        re, im = value.as_real_imag()
        if isinstance(re, (sympy.Rational, sympy.Float)) and isinstance(
                im, (sympy.Rational, sympy.Float)):
            a, b = _read_sympy(re, where), _read_sympy(im, where)
            return Reading(a.real, b.real, a.radius + b.radius, a.exact and b.exact,
                           "sympy complex")
    raise InputError(
        f"{where} is the sympy expression {value}; pass a number (Rational, Float) or "
        "evaluate it first"
    )


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


_TABLE: tuple[tuple[Callable[[object], bool], Callable[..., Reading]], ...] = (
    (lambda v: isinstance(v, str), _read_text),
    (_is_int, _read_int),
    (lambda v: isinstance(v, Fraction), _read_fraction),
    (lambda v: isinstance(v, (flint.fmpq, flint.fmpz)), _read_fmpq),
    (lambda v: isinstance(v, Decimal), _read_decimal),
    (lambda v: isinstance(v, (float, np.floating)), _read_float),
    (lambda v: isinstance(v, (complex, np.complexfloating)), _read_complex),
    (lambda v: isinstance(v, MPF), _read_mpf),
    (lambda v: isinstance(v, MPC), _read_mpc),
    (lambda v: isinstance(v, flint.arb), _read_arb),
    (lambda v: isinstance(v, flint.acb), _read_acb),
    (is_sympy, _read_sympy),
)


def read_number(value: object, where: str = "value") -> Reading:
    """Read one number of any supported kind (see the module docstring)."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise InputError(f"{where} is {value!r}; expected a number")
    for test, reader in _TABLE:
        if test(value):
            return reader(value, where)
    if isinstance(value, numbers.Number):
        raise InputError(
            f"{where} has unsupported numeric type {type(value).__name__}; pass int, "
            "Fraction, float, a decimal string, or an mpmath, python-flint or sympy number"
        )
    raise InputError(
        f"{where} is {value!r} of type {type(value).__name__}; pass numbers (int, Fraction, "
        "float, decimal string, mpmath, python-flint or sympy numbers)"
    )
