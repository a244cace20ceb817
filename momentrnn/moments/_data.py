"""Conversion of user-supplied moments into one internal form.

Every moment is stored as an exact rational (real and imaginary parts as ``flint.fmpq``) plus
an absolute radius that says how accurate the supplied value is; each number is read once, by
:func:`momentrnn.moments._numbers.read_number`, which states the rule for every kind (exact
types: 0; floats: half an ulp; mpmath numbers: their own mantissa; balls: their radius).
Computing with the exact rational value of a float is exact; the radius is what later limits
the digits that can be vouched for. ``data_digits=`` (normwise) and ``data_error=``
(absolute, per moment) replace the radii the types imply.
"""

from __future__ import annotations

import itertools
import json
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from fractions import Fraction

import flint
import mpmath
import numpy as np

from .._limits import MAX_DECIMAL_EXPONENT, MAX_DIGITS_TEXT, MAX_MOMENTS, TRACKING_RANGE
from .._validate import finite, non_ascii_number, shown
from ..errors import InputError

__all__ = ["MomentData", "parse_moments", "parse_number_text", "parse_moment_text", "to_fraction"]


@dataclass(frozen=True)
class MomentData:
    """Moments as exact rationals with per-moment absolute radii."""

    real: tuple[flint.fmpq, ...]
    imag: tuple[flint.fmpq, ...] | None
    radius: tuple[float, ...]
    rounded_decimals: int = 0  # decimal texts with 15+ significant digits (printed doubles)

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
        """Relative decimal digits the data carry, normwise (``inf`` when exact)."""
        if self.is_exact:
            return math.inf
        scale = self.max_abs_exact()
        if scale == 0:
            return math.inf
        rad = Fraction(max(self.radius)) if math.isfinite(max(self.radius)) else None
        if rad is None:
            return -math.inf
        return _log10(scale) - _log10(rad)

    def max_abs_exact(self) -> Fraction:
        """``max_j max(|Re m_j|, |Im m_j|)`` exactly (a scale within a factor sqrt 2)."""
        parts = [abs(to_fraction(a)) for a in self.real]
        parts += [abs(to_fraction(b)) for b in (self.imag or ())]
        return max(parts)

    def max_abs(self) -> float:
        """``max_j |m_j|`` as a float (``inf`` beyond the double range)."""
        return max(abs(complex(v)) for v in self.as_complex())

    @property
    def all_zero(self) -> bool:
        """True when every moment is exactly zero."""
        return all(a == 0 for a in self.real) and all(b == 0 for b in (self.imag or ()))

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

    def as_ball(self, with_radius: bool = False) -> list:
        """Balls at the current flint precision around the exact values.

        With ``with_radius`` each ball also contains every value within the moment's radius
        (real and imaginary parts each widened by it), so a computation on these balls holds
        for every sequence the data allow.
        """
        out = []
        for j, a in enumerate(self.real):
            slack = flint.arb(0, self.radius[j]) if with_radius and self.radius[j] else None
            re = flint.arb(a) if slack is None else flint.arb(a) + slack
            if self.imag is None:
                out.append(re)
            else:
                im = flint.arb(self.imag[j])
                out.append(flint.acb(re, im if slack is None else im + slack))
        return out

    def head(self, count: int) -> MomentData:
        return MomentData(
            self.real[:count],
            None if self.imag is None else self.imag[:count],
            self.radius[:count],
            self.rounded_decimals,
        )


def require_exact(data: MomentData) -> None:
    """Refuse rounded moments where exact arithmetic was asked for."""
    if not data.is_exact:
        from ..errors import PrecisionMismatchError

        raise PrecisionMismatchError(
            "Exact() needs exact moments, but some are floats or rounded numbers; pass "
            "Fraction, int or decimal strings (e.g. '0.1'), or use MP(dps), Ball(dps) or digits="
        )


_RANGE = Fraction(TRACKING_RANGE)  # the table: momentrnn._limits


def require_trackable_scale(data: MomentData) -> None:
    """Refuse rounded moments so small or large that their radii leave the double range.

    Their accuracy could then only be bounded by the smallest (or the infinite) double, which
    says nothing; scaling all moments by one power of ten leaves the atoms unchanged and scales
    the weights, and brings them back.
    """
    if data.is_exact or data.all_zero:
        return
    scale = data.max_abs_exact()
    if 1 / _RANGE <= scale <= _RANGE:
        return
    exponent = round(_log10(scale))
    raise InputError(
        f"the moments are rounded numbers of magnitude about 1e{exponent}, outside the range "
        f"(1e-301 to 1e301) where their accuracy can be tracked: multiply them all by "
        f"1e{-exponent} (the atoms stay the same, the weights scale by the same factor), or "
        "pass exact values"
    )


def _fmpq_to_float(q: flint.fmpq) -> float:
    """Nearest double; saturates to +-inf beyond the double range instead of raising."""
    p, d = int(q.p), int(q.q)
    try:
        return p / d
    except OverflowError:
        return math.inf if p > 0 else -math.inf


def _log10(x: Fraction) -> float:
    """log10 of a positive rational without overflow or underflow."""
    e = x.numerator.bit_length() - x.denominator.bit_length()
    mantissa = float(x / Fraction(2) ** e)
    return math.log10(mantissa) + e * math.log10(2.0)


def to_fraction(q: flint.fmpq) -> Fraction:
    return Fraction(int(q.p), int(q.q))


_SPECIAL = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


MAX_EXPONENT = MAX_DECIMAL_EXPONENT
# the exponent as Python's Fraction, Decimal and float read it (digits, any Unicode decimal
# digit among them, with single underscores between them)
_EXPONENT = re.compile(r"[eE]\s*([+-]?\d+(?:_\d+)*)\s*$")


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(text[:40]) + f"... ({len(text)} characters)"


def _exponent_value(digits: str) -> int:
    """The exponent written (underscores dropped, as Python drops them), without building a
    number of as many digits: only its length is needed to compare it with the cap."""
    body = digits.replace("_", "")
    if len(body) > 1000:  # leading zeros aside, far beyond the cap; int() would be slow
        sign = -1 if body.startswith("-") else 1
        body = body.lstrip("+-").lstrip("0") or "0"
        if len(body) > 1000:
            return sign * (MAX_EXPONENT + 1)
        return sign * int(body)
    return int(body)


def _parse_real_text(text: str, where: str) -> Fraction:
    why = non_ascii_number(text)
    if why is not None:
        raise InputError(f"{where}: {_shown(text)} {why}")
    token = text.strip()
    if token.lower() in _SPECIAL:
        raise InputError(f"{where}: {_shown(text)} is not a finite number; moments must be "
                         "finite")
    if len(token) > MAX_DIGITS_TEXT:
        raise InputError(f"{where}: {_shown(token)} has more than {MAX_DIGITS_TEXT} characters; "
                         "write fewer digits")
    exponent = _EXPONENT.search(token)
    if exponent and abs(_exponent_value(exponent.group(1))) > MAX_EXPONENT:
        raise InputError(
            f"{where}: {_shown(token)} has a decimal exponent beyond +-{MAX_EXPONENT}: read "
            "exactly, it would hold that many digits; scale the numbers (multiplying all "
            "moments by one factor leaves the atoms unchanged)"
        )
    try:
        return Fraction(token)
    except ZeroDivisionError:
        pass
    except ValueError as exc:
        if "integer string conversion" in str(exc):
            # valid text whose digits pass Python's int-string limit (4300 digits), which
            # guards int() against quadratic time: read them in quasi-linear time instead
            long = _long_fraction(token, where)
            if long is not None:
                return long
    raise InputError(
        f"{where}: cannot read {_shown(text)} as a number; write a decimal (0.25, 1e-3), "
        "a fraction (1/3) or a complex number (0.5+2j)"
    ) from None


_LONG_DECIMAL = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")
_LONG_RATIO = re.compile(r"([+-]?)(\d+)/(\d+)")


def _digits_int(digits: str) -> int:
    """The integer of a string of decimal digits of any length (python-flint parses it in
    quasi-linear time; Python's int() refuses more than 4300 digits)."""
    digits = digits.lstrip("0")
    return int(flint.fmpz(digits)) if digits else 0


def _long_fraction(token: str, where: str) -> Fraction | None:
    """The exact value of number text (as :class:`~fractions.Fraction` reads it) with more
    digits than Python's int-string limit; None when it is not such text. The length is capped
    by the caller; an exponent beyond ``MAX_EXPONENT`` is refused here."""
    body = token.strip().replace("_", "")  # Fraction accepted the text: '_' sits between digits
    m = _LONG_RATIO.fullmatch(body)
    if m:
        den = _digits_int(m.group(3))
        if den == 0:
            return None
        num = _digits_int(m.group(2))
        return Fraction(-num if m.group(1) == "-" else num, den)
    m = _LONG_DECIMAL.fullmatch(body)
    if m is None or not (m.group(2) or m.group(3)):
        return None
    whole, frac = m.group(2), m.group(3) or ""
    written = (m.group(4) or "0").lstrip("+-").lstrip("0")
    if len(written) > len(str(MAX_EXPONENT)) or int(written or 0) > MAX_EXPONENT:
        raise InputError(
            f"{where}: {_shown(token)} has a decimal exponent beyond +-{MAX_EXPONENT}: read "
            "exactly, it would hold that many digits; scale the numbers (multiplying all "
            "moments by one factor leaves the atoms unchanged)")
    exp = int(m.group(4) or 0) - len(frac)
    value = _digits_int(whole + frac)
    value = -value if m.group(1) == "-" else value
    return Fraction(value * 10**exp) if exp >= 0 else Fraction(value, 10**-exp)


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
        if stripped.count(",") >= MAX_MOMENTS:  # counted before the list is built
            raise _too_many(source, f"more than {MAX_MOMENTS} entries")
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
            if len(tokens) == MAX_MOMENTS:
                raise _too_many(source, f"more than {MAX_MOMENTS} moments (line {lineno})")
            parse_number_text(body, where=f"{source}, line {lineno}")
            tokens.append(body)
    return tokens


def _too_many(source: str, what: str) -> InputError:
    return InputError(f"{source}: {what}; at most {MAX_MOMENTS} moments are read (exact Hankel "
                      "work is cubic in their count): give the first ones only")


def _decimal_digits(token: str) -> int:
    """Significant digits written in a real decimal token (0 for integers and fractions)."""
    body = token.strip().lstrip("+-")
    if "/" in body or not any(c in body for c in ".eE"):
        return 0
    mantissa = body.split("e")[0].split("E")[0]
    digits = mantissa.replace(".", "").lstrip("0")
    return len(digits)


def looks_like_double(text: str) -> bool:
    """True for decimal text with 15 or more significant digits: what printing a double gives
    (``repr`` writes 15-17, ``%.18e`` and ``numpy.savetxt`` 19)."""
    token = text.strip().strip("()")
    parts = [token]
    if token and token[-1] in "jJ":
        parts = [p for p in token[:-1].replace("e-", "e~").replace("E-", "E~")
                 .replace("-", "+").split("+") if p]
        parts = [p.replace("~", "-") for p in parts]
    return any(_decimal_digits(p) >= 15 for p in parts)


def parse_moments(
    values: object,
    *,
    data_digits: float | None = None,
    data_error: object = None,
    name: str = "moments",
) -> MomentData:
    """Convert a sequence of moments to :class:`MomentData`.

    Parameters
    ----------
    values : sequence
        Numbers of any supported kind (see :mod:`momentrnn.moments._numbers`), in order, or a
        :class:`MomentData`. Sets and dicts are refused (their order is not the moments').
    data_digits : float, optional
        Normwise accuracy of the moments in decimal digits: every moment is within
        ``10**-data_digits * max_j |m_j|`` of the true value. Replaces what the number types
        imply.
    data_error : float or sequence of floats, optional
        Absolute accuracy of each moment (one number for all, or one per moment), for data
        whose errors are not normwise. Replaces what the number types imply; cannot be
        combined with ``data_digits``.
    """
    if isinstance(values, MomentData):
        data = values
    else:
        data = _read_all(values, name)
    if data_digits is not None and data_error is not None:
        raise InputError(
            "pass either data_digits= (normwise relative accuracy) or data_error= (absolute "
            "accuracy per moment), not both"
        )
    if data_digits is not None:
        data = _with_digits(data, data_digits)
    if data_error is not None:
        data = _with_error(data, data_error)
    return data


def _read_all(values: object, name: str) -> MomentData:
    from ._numbers import read_number

    if isinstance(values, (str, bytes)):
        raise InputError(
            f"{name} is a single string; pass a list of numbers (use parse_moment_text for text)"
        )
    if isinstance(values, (AbstractSet, Mapping)):
        kind = "a dict" if isinstance(values, Mapping) else "a set"
        raise InputError(f"{name} is {kind} ({type(values).__name__}); the order of moments "
                         "matters: pass a list m_0, m_1, ... in order")
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise InputError(f"{name} must be one-dimensional, got shape {values.shape}")
        seq: Sequence = list(values)
    elif isinstance(values, Sequence) or hasattr(values, "__iter__"):
        # at most one past the cap: an endless iterator is refused, not read to the end
        seq = list(itertools.islice(values, MAX_MOMENTS + 1))  # type: ignore[call-overload]
    else:
        raise InputError(f"{name} must be a sequence of numbers, got {type(values).__name__}")
    if len(seq) > MAX_MOMENTS:
        raise InputError(f"{name} has more than {MAX_MOMENTS} entries, the most that is read "
                         "(exact Hankel work is cubic in their count); pass the first ones only")
    if not seq:
        raise InputError(f"{name} is empty; supply m_0, m_1, ...")
    label = "moment {}" if name == "moments" else name + "[{}]"
    readings = [read_number(v, label.format(i)) for i, v in enumerate(seq)]
    real = tuple(flint.fmpq(r.real.numerator, r.real.denominator) for r in readings)
    imag = None
    if any(r.imag != 0 for r in readings):
        imag = tuple(flint.fmpq(r.imag.numerator, r.imag.denominator) for r in readings)
    rounded = sum(1 for v in seq if isinstance(v, str) and looks_like_double(v))
    return MomentData(real, imag, tuple(r.radius for r in readings), rounded)


def _with_digits(data: MomentData, data_digits: float) -> MomentData:
    if isinstance(data_digits, bool) or not isinstance(data_digits, numbers.Real):
        raise InputError(f"data_digits={data_digits!r} must be a positive number of digits")
    if not (data_digits > 0):
        raise InputError(f"data_digits={shown(data_digits)} must be positive (e.g. 16 for "
                         "doubles)")
    if not finite(data_digits) and not (isinstance(data_digits, float)
                                        and math.isinf(data_digits)):
        raise InputError(f"data_digits={shown(data_digits)} is beyond the double range; pass "
                         "math.inf for exact data, or the digits the data carry (e.g. 16)")
    if math.isinf(data_digits):
        return MomentData(data.real, data.imag, (0.0,) * data.count, data.rounded_decimals)
    scale = data.max_abs_exact()
    if not data.is_real:
        scale *= Fraction(3, 2)  # |m| <= sqrt(2) max(|Re m|, |Im m|)
    log_r = (_log10(scale) if scale else -math.inf) - float(data_digits)
    if log_r > 308:
        radius = math.inf
    elif scale == 0:
        radius = 0.0
    else:  # rounded up; never 0 for a non-zero scale (then the smallest double, larger)
        radius = max(10.0 ** log_r * (1 + 1e-12), math.ldexp(1.0, -1074))
    return MomentData(data.real, data.imag, (radius,) * data.count, data.rounded_decimals)


_DOUBLE_MAX = float.fromhex("0x1.fffffffffffffp+1023")


def _error_text(value: Fraction) -> str:
    """A huge error for a message, by its order of magnitude (no int-string limit)."""
    digits = (abs(value.numerator).bit_length() - value.denominator.bit_length()) * math.log10(2)
    return shown(value.numerator) if value.denominator == 1 else f"about 1e{digits:.0f}"


def _with_error(data: MomentData, data_error: object) -> MomentData:
    values = list(data_error) if isinstance(data_error, (list, tuple, np.ndarray)) else None
    if values is None:
        values = [data_error] * data.count
    if len(values) != data.count:
        raise InputError(
            f"data_error has {len(values)} entries for {data.count} moments; give one absolute "
            "error per moment, or a single number for all"
        )
    radii = []
    for j, e in enumerate(values):
        from ._numbers import MPF

        if isinstance(e, (bool, np.bool_)) or not isinstance(e, (numbers.Real, np.floating,
                                                                 MPF)):
            raise InputError(f"data_error[{j}]={e!r} must be a non-negative number")
        positive = e > 0
        exact = Fraction(e) if isinstance(e, (int, np.integer, Fraction)) else None
        if exact is not None and abs(exact) > Fraction(_DOUBLE_MAX):
            raise InputError(f"data_error[{j}]={_error_text(exact)} is beyond the double "
                             "range; no moment can be known that roughly: give an error "
                             "within it")
        e = float(e)
        if not (e >= 0) or math.isnan(e):
            raise InputError(f"data_error[{j}]={e!r} must be a non-negative number")
        if exact is not None and Fraction(e) < exact:  # an error bound is rounded up
            e = math.nextafter(e, math.inf)
        if positive and e == 0.0:  # below the double range: the smallest double is larger
            e = math.ldexp(1.0, -1074)
        radii.append(e)
    return MomentData(data.real, data.imag, tuple(radii), data.rounded_decimals)
