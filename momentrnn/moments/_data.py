"""Conversion of user-supplied moments into one internal form.

Every moment is stored as an exact rational (real and imaginary parts as ``flint.fmpq``) plus
an absolute radius that says how accurate the supplied value is: 0 for exact input (int,
Fraction, decimal strings, ``fmpq``, sympy rationals), half an ulp for floats, the mantissa
length for mpmath numbers, the ball radius for flint balls. Computing with the exact rational
value of a float is exact; the radius is what later limits the digits that can be vouched for.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import flint
import mpmath
import numpy as np

from ..errors import InputError

MPF = mpmath.ctx_mp_python._mpf
MPC = mpmath.ctx_mp_python._mpc

__all__ = ["MomentData", "parse_moments", "parse_number_text", "parse_moment_text", "to_fraction"]


@dataclass(frozen=True)
class MomentData:
    """Moments as exact rationals with per-moment absolute radii."""

    real: tuple[flint.fmpq, ...]
    imag: tuple[flint.fmpq, ...] | None
    radius: tuple[float, ...]

    @property
    def count(self) -> int:
        return len(self.real)

    @property
    def is_real(self) -> bool:
        return self.imag is None

    @property
    def is_exact(self) -> bool:
        return all(r == 0.0 for r in self.radius)

    @property
    def digits(self) -> float:
        """Relative decimal digits the data carry (``inf`` when exact)."""
        if self.is_exact:
            return math.inf
        scale = self.max_abs()
        if scale == 0:
            return math.inf
        return -math.log10(max(self.radius) / scale)

    def max_abs(self) -> float:
        return max(abs(complex(v)) for v in self.as_complex())

    def as_complex(self) -> list[complex]:
        im = self.imag or (flint.fmpq(0),) * self.count
        return [complex(_fmpq_to_float(a), _fmpq_to_float(b)) for a, b in zip(self.real, im)]

    def as_numpy(self) -> np.ndarray:
        re = np.array([_fmpq_to_float(a) for a in self.real])
        if self.imag is None:
            return re
        return re + 1j * np.array([_fmpq_to_float(b) for b in self.imag])

    def as_mp(self, ctx: mpmath.ctx_mp.MPContext) -> list:
        re = [ctx.mpf(int(a.p)) / int(a.q) for a in self.real]
        if self.imag is None:
            return re
        return [ctx.mpc(r, ctx.mpf(int(b.p)) / int(b.q)) for r, b in zip(re, self.imag)]

    def as_ball(self) -> list:
        """Balls at the current flint precision; the radius is *not* included (exact data)."""
        if self.imag is None:
            return [flint.arb(a) for a in self.real]
        return [flint.acb(flint.arb(a), flint.arb(b)) for a, b in zip(self.real, self.imag)]

    def head(self, count: int) -> MomentData:
        return MomentData(
            self.real[:count],
            None if self.imag is None else self.imag[:count],
            self.radius[:count],
        )


def require_exact(data: MomentData) -> None:
    """Refuse rounded moments where exact arithmetic was asked for."""
    if not data.is_exact:
        from ..errors import PrecisionMismatchError

        raise PrecisionMismatchError(
            "Exact() needs exact moments, but some are floats or rounded numbers; pass "
            "Fraction, int or decimal strings (e.g. '0.1'), or use MP(dps), Ball(dps) or digits="
        )


def _fmpq_to_float(q: flint.fmpq) -> float:
    return int(q.p) / int(q.q) if abs(int(q.p)) < 2**1000 else float(Fraction(int(q.p), int(q.q)))


def to_fraction(q: flint.fmpq) -> Fraction:
    return Fraction(int(q.p), int(q.q))


_SPECIAL = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def _parse_real_text(text: str, where: str) -> Fraction:
    token = text.strip()
    if token.lower() in _SPECIAL:
        raise InputError(f"{where}: {text!r} is not a finite number; moments must be finite")
    try:
        return Fraction(token)
    except (ValueError, ZeroDivisionError):
        raise InputError(
            f"{where}: cannot read {text!r} as a number; write a decimal (0.25, 1e-3), "
            "a fraction (1/3) or a complex number (0.5+2j)"
        ) from None


def parse_number_text(text: str, where: str = "value") -> tuple[Fraction, Fraction]:
    """Read a number written as text exactly: ``'0.25'``, ``'1e-3'``, ``'1/3'``, ``'0.5-2j'``.

    Returns the real and imaginary parts as fractions. Never evaluates the text.
    """
    token = text.strip()
    if token.startswith("(") and token.endswith(")"):
        token = token[1:-1].strip()
    if not token:
        raise InputError(f"{where}: empty entry; write one number per line")
    if token[-1] not in "jJ":
        return _parse_real_text(token, where), Fraction(0)
    body = token[:-1]
    split = None
    for pos in range(len(body) - 1, 0, -1):
        if body[pos] in "+-" and body[pos - 1] not in "eE":
            split = pos
            break
    if split is None:
        real_text, imag_text = "0", body
    else:
        real_text, imag_text = body[:split], body[split:]
    if imag_text in ("", "+", "-"):
        imag_text += "1"
    return _parse_real_text(real_text, where), _parse_real_text(imag_text, where)


def parse_moment_text(text: str, source: str = "input") -> list[str]:
    """Split a file's text into number tokens: a JSON list, or one number per line.

    Blank lines and lines starting with ``#`` are skipped. Tokens are returned as strings (the
    exact decimal text) and are parsed by :func:`parse_moments` with the line in the message.
    """
    stripped = text.strip()
    if not stripped:
        raise InputError(f"{source}: no moments found (the input is empty)")
    if stripped.startswith("["):
        try:
            values = json.loads(stripped, parse_float=str, parse_int=str)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{source}: not a valid JSON list ({exc.msg} at line {exc.lineno})"
            ) from None
        if not isinstance(values, list):
            raise InputError(f"{source}: expected a JSON list of numbers")
        out = []
        for i, v in enumerate(values):
            if not isinstance(v, str):
                raise InputError(
                    f"{source}: entry {i} is {v!r}; entries must be numbers or number strings"
                )
            out.append(v)
        return out
    tokens = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        body = line.split("#", 1)[0].strip()
        if body:
            parse_number_text(body, where=f"{source}, line {lineno}")
            tokens.append(body)
    return tokens


def _float_radius(x: float, eps: float) -> float:
    return abs(x) * eps


def _convert_one(value: object, index: int) -> tuple[Fraction | flint.fmpq, Fraction, float, int]:
    """Return (real, imag, absolute radius, mantissa bits or 0 for 'not an mpf')."""
    where = f"moment {index}"
    if isinstance(value, bool) or value is None:
        raise InputError(f"{where} is {value!r}; moments must be numbers")
    if isinstance(value, str):
        re, im = parse_number_text(value, where)
        return re, im, 0.0, 0
    if isinstance(value, (int, np.integer)):
        return Fraction(int(value)), Fraction(0), 0.0, 0
    if isinstance(value, Fraction):
        return value, Fraction(0), 0.0, 0
    if isinstance(value, (flint.fmpq, flint.fmpz)):
        return Fraction(int(value.p), int(value.q)) if isinstance(value, flint.fmpq) else Fraction(
            int(value)
        ), Fraction(0), 0.0, 0
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InputError(f"{where} is {value}; moments must be finite")
        return Fraction(value), Fraction(0), 0.0, 0
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if not math.isfinite(x):
            raise InputError(f"{where} is {x}; moments must be finite (no NaN or infinity)")
        eps = 2.0**-24 if isinstance(value, np.float32) else 2.0**-53
        return Fraction(x), Fraction(0), _float_radius(x, eps), 0
    if isinstance(value, (complex, np.complexfloating)):
        z = complex(value)
        if not (math.isfinite(z.real) and math.isfinite(z.imag)):
            raise InputError(f"{where} is {z}; moments must be finite (no NaN or infinity)")
        eps = 2.0**-24 if isinstance(value, np.complex64) else 2.0**-53
        return Fraction(z.real), Fraction(z.imag), abs(z) * eps, 0
    if isinstance(value, MPF):
        if not mpmath.isfinite(value):
            raise InputError(f"{where} is {value}; moments must be finite")
        man, exp = int(value.man), int(value.exp)
        frac = Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)
        return frac, Fraction(0), 0.0, max(int(value.bc), 1)
    if isinstance(value, MPC):
        re, _, _, bre = _convert_one(value.real, index)
        im, _, _, bim = _convert_one(value.imag, index)
        return re, im, 0.0, max(bre, bim)
    if isinstance(value, flint.arb):
        if not value.is_finite():
            raise InputError(f"{where} is {value}; moments must be finite")
        mid = value.mid()
        man, exp = mid.man_exp()
        man, exp = int(man), int(exp)
        frac = Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)
        return frac, Fraction(0), float(value.rad()), 0
    if isinstance(value, flint.acb):
        re, _, r1, _ = _convert_one(value.real, index)
        im, _, r2, _ = _convert_one(value.imag, index)
        return re, im, math.hypot(r1, r2), 0
    # sympy numbers, without importing sympy eagerly
    module = type(value).__module__ or ""
    if module.startswith("sympy"):
        import sympy

        if isinstance(value, sympy.Rational):
            return Fraction(int(value.p), int(value.q)), Fraction(0), 0.0, 0
        if isinstance(value, sympy.Float):
            if not value.is_finite:
                raise InputError(f"{where} is {value}; moments must be finite")
            x = mpmath.mp.make_mpf(value._mpf_)
            re, _, _, _ = _convert_one(x, index)
            return re, Fraction(0), abs(float(x)) * 2.0 ** (-int(value._prec)), 0
        raise InputError(
            f"{where} is the sympy expression {value}; pass a number (Rational, Float) "
            "or evaluate it first"
        )
    if isinstance(value, numbers.Number):
        raise InputError(f"{where} has unsupported numeric type {type(value).__name__}")
    raise InputError(
        f"{where} is {value!r} of type {type(value).__name__}; pass numbers (int, Fraction, "
        "float, decimal string, mpmath, python-flint or sympy numbers)"
    )


def parse_moments(
    values: object, *, data_digits: float | None = None, name: str = "moments"
) -> MomentData:
    """Convert a sequence of moments to :class:`MomentData`.

    Parameters
    ----------
    values : sequence
        Numbers of any supported kind (see module docstring), or a :class:`MomentData`.
    data_digits : float, optional
        Relative accuracy of the supplied moments in decimal digits; overrides what is inferred
        from their types (floats: about 16, exact types: infinite).
    """
    if isinstance(values, MomentData):
        data = values
        if data_digits is None:
            return data
        return _with_digits(data, data_digits)
    if isinstance(values, (str, bytes)):
        raise InputError(
            f"{name} is a single string; pass a list of numbers (use parse_moment_text for text)"
        )
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise InputError(f"{name} must be one-dimensional, got shape {values.shape}")
        seq: Sequence = list(values)
    elif isinstance(values, Sequence) or hasattr(values, "__iter__"):
        seq = list(values)  # type: ignore[arg-type]
    else:
        raise InputError(f"{name} must be a sequence of numbers, got {type(values).__name__}")
    if not seq:
        raise InputError(f"{name} is empty; supply m_0, m_1, ...")
    reals, imags, radii, bits = [], [], [], []
    for i, v in enumerate(seq):
        re, im, rad, bc = _convert_one(v, i)
        reals.append(re)
        imags.append(im)
        radii.append(rad)
        bits.append(bc)
    max_bits = max(bits)
    if max_bits:
        # mpmath numbers carry no radius; treat them as rounded at the longest mantissa seen.
        for i, bc in enumerate(bits):
            if bc:
                radii[i] = abs(complex(float(reals[i]), float(imags[i]))) * 2.0 ** (-max_bits)
    real = tuple(flint.fmpq(f.numerator, f.denominator) for f in reals)
    imag = None
    if any(f != 0 for f in imags):
        imag = tuple(flint.fmpq(f.numerator, f.denominator) for f in imags)
    data = MomentData(real, imag, tuple(radii))
    if data_digits is not None:
        data = _with_digits(data, data_digits)
    return data


def _with_digits(data: MomentData, data_digits: float) -> MomentData:
    if isinstance(data_digits, bool) or not isinstance(data_digits, numbers.Real):
        raise InputError(f"data_digits={data_digits!r} must be a positive number of digits")
    if not (data_digits > 0):
        raise InputError(f"data_digits={data_digits!r} must be positive (e.g. 16 for doubles)")
    if math.isinf(data_digits):
        return MomentData(data.real, data.imag, (0.0,) * data.count)
    rel = 10.0 ** (-float(data_digits))
    radii = tuple(abs(z) * rel for z in data.as_complex())
    return MomentData(data.real, data.imag, radii)
