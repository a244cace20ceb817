"""Conversions of single numbers between the four arithmetics."""

from __future__ import annotations

from fractions import Fraction

import flint
import mpmath
import numpy as np

from ..errors import InputError, PrecisionMismatchError
from ._numbers import MPC, MPF, is_sympy, read_number
from .algebraic import AlgebraicNumber

__all__ = [
    "MPF",
    "MPC",
    "mpf_from_man_exp",
    "mpf_from_float",
    "global_mp",
    "normalise",
    "is_exact_value",
    "is_real_value",
    "to_float",
    "to_mp",
    "to_ball",
    "to_exact",
    "is_sympy",
]


def mpf_from_man_exp(man: int, exp: int):
    """The exact value man * 2**exp as an mpmath number (no rounding, global mpf type)."""
    return mpmath.mp.make_mpf(mpmath.libmp.from_man_exp(int(man), int(exp)))


def mpf_from_float(x: float):
    """The exact value of a double as an mpmath number (no rounding, global mpf type)."""
    return mpmath.mp.make_mpf(mpmath.libmp.from_float(float(x), 53, "n"))


def global_mp(value):
    """Re-type an mpf/mpc from a local context as a plain ``mpmath.mpf``/``mpc``, exactly."""
    if isinstance(value, MPF):
        return mpmath.mp.make_mpf(value._mpf_)
    if isinstance(value, MPC):
        return mpmath.mp.make_mpc(value._mpc_)
    return value


def normalise(value: object, what: str) -> object:
    """Bring a user value into one of the stored kinds, refusing non-finite and non-numbers.

    Stored kinds: int, Fraction, float, complex, mpmath mpf/mpc, flint arb/acb, sympy Expr, and
    ``(re, im)`` Fraction pairs for exact complex text. Validation (finiteness, sign, the kinds
    accepted) is :func:`~momentrnn.moments._numbers.read_number`'s, so every kind is read in one
    place.
    """
    if isinstance(value, AlgebraicNumber):
        return value
    if is_sympy(value):
        import sympy

        expr = value
        if getattr(expr, "free_symbols", None):
            raise InputError(f"{what} = {expr} has free symbols {expr.free_symbols}")
        if expr.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise InputError(f"{what} = {expr} is not finite")
        if isinstance(expr, sympy.Rational):
            return Fraction(int(expr.p), int(expr.q))
        if not getattr(expr, "is_number", False):
            raise InputError(f"{what} = {expr} is not a number")
        return expr
    reading = read_number(value, what)
    if reading.kind in ("text", "int", "Fraction", "fmpq", "fmpz", "Decimal"):
        if reading.kind in ("int", "fmpz") and reading.imag == 0:
            return int(reading.real)
        return reading.real if reading.imag == 0 else (reading.real, reading.imag)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (complex, np.complexfloating)):
        z = complex(value)
        return z if z.imag != 0 else z.real
    return value


def _pair(value: object) -> tuple[Fraction, Fraction] | None:
    if isinstance(value, tuple):
        return value  # type: ignore[return-value]
    return None


def is_exact_value(value: object) -> bool:
    if isinstance(value, (int, Fraction, AlgebraicNumber)) or _pair(value) is not None:
        return True
    if is_sympy(value):
        import sympy

        return not value.atoms(sympy.Float)  # type: ignore[union-attr]
    return False


def is_real_value(value: object) -> bool:
    if isinstance(value, (int, Fraction, float, MPF, flint.arb)):
        return True
    if isinstance(value, AlgebraicNumber):
        return value.is_real
    if _pair(value) is not None:
        return value[1] == 0  # type: ignore[index]
    if isinstance(value, (complex, MPC)):
        return value.imag == 0
    if isinstance(value, flint.acb):
        return value.imag.is_zero()
    if is_sympy(value):
        return bool(value.is_real)  # type: ignore[union-attr]
    return False


def to_float(value: object) -> complex | float:
    if isinstance(value, AlgebraicNumber):
        return float(value) if value.is_real else complex(value)
    p = _pair(value)
    if p is not None:
        return complex(float(p[0]), float(p[1]))
    if isinstance(value, (int, Fraction, float)):
        return float(value)
    if isinstance(value, complex):
        return value
    if isinstance(value, MPF):
        return float(value)
    if isinstance(value, MPC):
        return complex(value)
    if isinstance(value, flint.arb):
        return float(value.mid())
    if isinstance(value, flint.acb):
        z = complex(value.mid())
        return z if z.imag != 0 else z.real
    if is_sympy(value):
        z = complex(value.evalf(20))  # type: ignore[union-attr]
        return z if z.imag != 0 else z.real
    raise TypeError(f"cannot convert {type(value).__name__}")


def to_mp(value: object, ctx: mpmath.ctx_mp.MPContext):
    """Round a stored value into the local mpmath context ``ctx``."""
    if isinstance(value, AlgebraicNumber):
        return value.to_mp(ctx)
    p = _pair(value)
    if p is not None:
        return ctx.mpc(to_mp(p[0], ctx), to_mp(p[1], ctx))
    if isinstance(value, int):
        return ctx.mpf(value)
    if isinstance(value, Fraction):
        return ctx.mpf(value.numerator) / value.denominator
    if isinstance(value, (float, MPF)):
        return ctx.mpf(value)
    if isinstance(value, (complex, MPC)):
        return ctx.mpc(value)
    if isinstance(value, flint.arb):
        man, exp = value.mid().man_exp()
        return ctx.mpf(mpf_from_man_exp(man, exp))
    if isinstance(value, flint.acb):
        return ctx.mpc(to_mp(value.real, ctx), to_mp(value.imag, ctx))
    if is_sympy(value):
        z = value.evalf(ctx.dps + 10)  # type: ignore[union-attr]
        re, im = z.as_real_imag()
        if im == 0:
            return _sympy_real_to_mp(re, ctx)
        return ctx.mpc(_sympy_real_to_mp(re, ctx), _sympy_real_to_mp(im, ctx))
    raise TypeError(f"cannot convert {type(value).__name__}")


def _sympy_real_to_mp(part, ctx):
    """A real part of an evaluated sympy number: a Float, or an exact rational (a purely
    imaginary value's real part is sympy's exact ``Zero``, which has no ``_mpf_``)."""
    if hasattr(part, "_mpf_"):
        return ctx.mpf(mpmath.mp.make_mpf(part._mpf_))
    if getattr(part, "is_Rational", False):
        return ctx.mpf(int(part.p)) / int(part.q)
    raise TypeError(f"cannot convert the sympy value {part!r}")


def to_ball(value: object):
    """A flint ball at the current flint precision enclosing the stored value."""
    if isinstance(value, AlgebraicNumber):
        return value.enclosure(flint.ctx.prec)
    p = _pair(value)
    if p is not None:
        return flint.acb(to_ball(p[0]), to_ball(p[1]))
    if isinstance(value, int):
        return flint.arb(value)
    if isinstance(value, Fraction):
        return flint.arb(flint.fmpq(value.numerator, value.denominator))
    if isinstance(value, float):
        return flint.arb(value)
    if isinstance(value, complex):
        return flint.acb(value.real, value.imag)
    if isinstance(value, (MPF, MPC)):
        r = read_number(value)
        re = flint.arb(flint.fmpq(r.real.numerator, r.real.denominator))
        if isinstance(value, MPF):
            return re
        return flint.acb(re, flint.arb(flint.fmpq(r.imag.numerator, r.imag.denominator)))
    if isinstance(value, (flint.arb, flint.acb)):
        return +value
    if is_sympy(value):
        import sympy

        dps = int(flint.ctx.prec / 3.32) + 10
        z = sympy.N(value, dps)
        re, im = z.as_real_imag()
        rb = flint.arb(str(re)) if re != 0 else flint.arb(0)
        ib = flint.arb(str(im)) if im != 0 else flint.arb(0)
        # dps - 5 digits relative to |z| (not absolute: the decimal of a large value can be
        # an exact double, e.g. 2**80 + sqrt(2)/10 read as 2**80)
        err = flint.arb(0, 1) * ((1 + abs(rb) + abs(ib)) * flint.arb(10) ** (-(dps - 5)))
        if im == 0:
            return rb + err
        return flint.acb(rb + err, ib + err)
    raise TypeError(f"cannot convert {type(value).__name__}")


def to_exact(value: object, what: str):
    """An exact value (Fraction or sympy expression); floats are refused."""
    p = _pair(value)
    if p is not None:
        import sympy

        return sympy.Rational(p[0].numerator, p[0].denominator) + sympy.I * sympy.Rational(
            p[1].numerator, p[1].denominator
        )
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, AlgebraicNumber):
        return value.to_sympy()
    if is_exact_value(value):
        return value
    raise PrecisionMismatchError(
        f"{what} = {value!r} is a {type(value).__name__}, which Exact() refuses because it is "
        "already rounded; pass Fraction, int or a decimal string such as '0.1'"
    )
