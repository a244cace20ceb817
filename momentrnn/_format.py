"""Text formatting of numbers with the digits that are vouched for."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import mpmath

from .moments._scalars import MPC, MPF, is_sympy, to_mp
from .moments.algebraic import AlgebraicNumber

__all__ = ["UNVOUCHED", "exact_text", "format_number", "lower_text", "mp_text", "sympy_text",
           "table_lines", "upper_text"]


#: the text of a value none of whose digits is vouched for (atoms and weights alike)
UNVOUCHED = "?"


def exact_text(value: object) -> str:
    """``str(value)``, also for an integer or a fraction of more digits than Python's
    int-string limit (4300), whose ``str`` raises: those digits are written by python-flint."""
    if isinstance(value, (int, Fraction)) and not isinstance(value, bool):
        q = Fraction(value)
        if max(q.numerator.bit_length(), q.denominator.bit_length()) > 14_000:
            import flint

            num = str(flint.fmpz(q.numerator))
            return num if q.denominator == 1 else f"{num}/{flint.fmpz(q.denominator)}"
    return str(value)


def sympy_text(expr: object) -> str:
    """``str(expr)`` of a sympy expression, also where its integers have more digits than
    Python's int-string limit (an exact atom ``I/3**100000``): those are written by
    python-flint, in sympy's own layout (terms in sympy's order where that order can be
    computed, in the expression's own order where sorting them would print such integers)."""
    from sympy.printing.str import StrPrinter

    class _Printer(StrPrinter):
        def _print_Integer(self, e):
            return exact_text(int(e.p))

        def _print_Rational(self, e):
            return exact_text(Fraction(int(e.p), int(e.q)))

    try:
        return _Printer().doprint(expr)
    except ValueError:  # sympy's term ordering calls str() of the integers inside: unordered
        return _Printer({"order": "none"}).doprint(expr)


def mp_text(value: object) -> str:
    """``str(value)`` of an mpmath number (its own context's digits), also where those digits
    pass Python's int-string limit (a ball midpoint at 100 000 digits), whose ``str`` raises:
    such a value is converted exactly to python-flint and written to the same digits."""
    if isinstance(value, MPC):
        re_, im = mp_text(value.real), mp_text(value.imag)
        return f"({re_} - {im[1:]}j)" if im.startswith("-") else f"({re_} + {im}j)"
    digits = value.context._str_digits
    sign, man, exp, _ = value._mpf_
    if not man:  # zero, inf and nan
        return str(value)
    if digits <= 4000:  # within the limit once its mantissa is no longer than the digits need
        rounded = mpmath.libmp.mpf_pos(value._mpf_, int(digits * 3.33) + 40, "n")
        return str(value.context.make_mpf(rounded))
    import flint

    exact = flint.arb((flint.fmpz(-man if sign else man), flint.fmpz(exp)))
    return exact.str(digits, radius=False)


def magnitude(value: object, ctx: mpmath.ctx_mp.MPContext):
    """``|value|`` as an mpmath number of the local context ``ctx`` (no overflow to inf)."""
    if isinstance(value, (MPF, MPC)):
        return abs(ctx.mpmathify(value))
    return abs(to_mp(value, ctx))


def format_number(value: object, digits: float, scale: object = None) -> str:
    """Decimal text of ``value`` showing only digits that are vouched for.

    An exact value is written exactly: with ``digits`` infinite, a binary number of the
    working precision as its decimal (``0``, ``1``, ``1.5``; as the fraction ``p/2^k`` where
    its decimal would be longer than 40 digits).

    ``digits`` are normwise relative to ``scale`` (the largest magnitude in the group, any
    real number type; default ``|value|``): the error bound is the absolute amount
    ``10^-digits * scale``. Each part (the real part, and the imaginary part of a complex
    value) is written only down to the last decimal position whose unit exceeds that bound,
    rounded to nearest there; a part below that position is written ``0``, so a value smaller
    than ``scale`` gets correspondingly fewer significant digits. A value wholly below the
    error bound (a zero atom of a double-precision recovery, whose accuracy is absolute) is
    zero to that position, and is written so: its zeros down to ``10^q``
    (``0.00000000000000``; with ``+0j`` for a complex value), never ``?``. When not even the
    leading digit of ``scale`` is vouched, the text is :data:`UNVOUCHED` (``"?"``). Exact
    values (int,
    Fraction, sympy, a rational AlgebraicNumber) are written exactly; an exact algebraic
    number of degree 3 or more (or of degree 2 with a radicand past ``MAX_RADICAND_BITS``)
    as its :meth:`~momentrnn.moments.AlgebraicNumber.root_text` (minimal polynomial and an
    isolating box rounded outward).
    """
    if isinstance(value, AlgebraicNumber) and value.is_rational:
        value = value.rational_value  # a rational atom of an algebraic result: exactly
    if isinstance(value, (int, Fraction)):
        return exact_text(value)  # also past Python's int-string limit
    if is_sympy(value) and math.isinf(digits):
        return sympy_text(value)
    if (isinstance(value, AlgebraicNumber) and math.isinf(digits)
            and value.minimal_polynomial().degree() == 2):
        return str(value)  # in square roots, as sympy radicals are written (or its root text)
    if isinstance(value, AlgebraicNumber) and math.isinf(digits):
        # degree 3 or more: the minimal polynomial and an isolating box, never a truncation
        return value.root_text()
    if not math.isinf(digits) and (math.isnan(digits) or digits <= 0):
        return UNVOUCHED
    ctx = mpmath.MPContext()
    ctx.dps = int(min(digits, 10_000)) + 20 if math.isfinite(digits) else 60
    z = to_mp(value, ctx) if not isinstance(value, (MPF, MPC)) else ctx.mpmathify(value)
    if math.isinf(digits):
        return _parts_text(ctx, z, lambda x: _exact_binary_text(ctx, x))
    big = magnitude(scale, ctx) if scale is not None else abs(z)
    if big == 0:
        big = abs(z)
    if big == 0:
        return _parts_text(ctx, z, lambda x: "0")
    # the last written position 10^q is the smallest power of ten above the error bound
    q = _floor_log10(ctx, big, digits) + 1
    lead = _floor_log10(ctx, big, 0.0)
    if q > lead:
        return UNVOUCHED
    q = max(q, lead - int(min(digits, 10_000)) + 1)  # no more digits than the working precision
    if abs(z) < ctx.mpf(10) ** q / 2:
        # the whole value (a zero, or noise below the bound) is zero to the position 10^q:
        # its accuracy is absolute, and zero is what is known of it to that position
        zero = _zero_at_position(q, lead)
        return zero if not isinstance(z, MPC) else f"{zero}+0j"
    return _parts_text(ctx, z, lambda x: _at_position(ctx, x, q))


#: the most significant digits of an exact binary number written as a decimal (beyond, the
#: fraction p/2^k)
EXACT_DECIMAL_DIGITS = 60


def _dyadic_decimal(p: int, k: int) -> str:
    """The exact decimal of ``p / 2^k`` (``k >= 1``): ``p * 5^k`` with ``k`` decimals."""
    digits = str(abs(p) * 5 ** k).rjust(k + 1, "0")
    text = f"{digits[:-k]}.{digits[-k:]}".rstrip("0").rstrip(".")
    return ("-" if p < 0 else "") + text


def _zero_at_position(q: int, lead: int) -> str:
    """Zero written down to the position ``10^q``, in the notation of a value whose leading
    digit is at ``10^lead`` (the scale's): ``0.000`` (q = -3), ``0.00e-06``."""
    if q <= 0 and -5 < lead < 7:  # fixed notation, as _at_position writes
        return "0" if q == 0 else "0." + "0" * -q
    if lead <= q:
        return f"0e{q:+03d}"
    return "0." + "0" * (lead - q) + f"e{lead:+03d}"


def _exact_binary_text(ctx: mpmath.ctx_mp.MPContext, x) -> str:
    """An exact binary number of the working precision as its exact decimal (``0``, ``1``,
    ``-1.5``, all of its digits), or as the fraction ``p/2^k`` where that decimal has more
    than :data:`EXACT_DECIMAL_DIGITS` significant digits."""
    if not ctx.isfinite(x):
        return ctx.nstr(x)
    sign, man, exp, _ = ctx.mpf(x)._mpf_
    q = Fraction(int(man)) * Fraction(2) ** int(exp) * (-1 if sign else 1)
    if q.denominator == 1:
        return exact_text(q)
    k = q.denominator.bit_length() - 1  # q = p / 2^k: a decimal of exactly k places
    text = _dyadic_decimal(q.numerator, k)
    if len(text.lstrip("-0.").replace(".", "")) > EXACT_DECIMAL_DIGITS:
        return exact_text(q)
    return text


def _floor_log10(ctx: mpmath.ctx_mp.MPContext, big, shift: float) -> int:
    """``floor(log10(big) - shift)`` exactly, as ``ctx`` computes it, but at 128 bits where
    that is more than 1e-20 from an integer (its error is below 1e-28 for any exponent an
    mpmath number reaches here): a logarithm at 10 000 digits took seconds (pure-Python
    mpmath), for an integer."""
    low = mpmath.MPContext()
    low.prec = 128
    estimate = low.log10(low.mpf(big)) - low.mpf(shift)
    whole = low.floor(estimate)
    if estimate - whole > 1e-20 and whole + 1 - estimate > 1e-20:
        return int(whole)
    return int(ctx.floor(ctx.log10(big) - shift))


def _at_position(ctx: mpmath.ctx_mp.MPContext, x, q: int) -> str:
    """``x`` rounded to the nearest multiple of ``10^q``, written with exactly the digits down
    to ``10^q``: no digit below it, and no trailing zero above it that is not one of them."""
    import decimal

    n = int(ctx.nint(x * ctx.power(10, -q)))
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    digits = format(decimal.Decimal(abs(n)), "f")  # the integer's digits (no str(int) limit)
    lead = len(digits) - 1 + q  # exponent of the leading digit
    if q <= 0 and -5 < lead < 7:  # fixed notation, exactly -q decimals
        if q == 0:
            return sign + digits
        digits = digits.rjust(1 - q, "0")
        return f"{sign}{digits[:q]}.{digits[q:]}"
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{lead:+03d}"


def _parts_text(ctx: mpmath.ctx_mp.MPContext, z, part) -> str:
    if isinstance(z, MPC):
        re, im = part(z.real), part(abs(z.imag))
        if im == "0":
            return f"{re}+0j"
        return f"{re}{'-' if z.imag < 0 else '+'}{im}j"
    return part(z)


def table_lines(head: Sequence[str], rows: Sequence[Sequence[object]], *,
                markdown: bool = False, indent: str = "") -> list[str]:
    """The lines of a table: ``rows`` under ``head`` in aligned columns, or in Markdown.

    The one table writer of the package (the command line's tables and the sweep summaries).
    """
    cells = [[str(c) for c in r] for r in rows]
    if markdown:
        return ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|",
                *("| " + " | ".join(r) + " |" for r in cells)]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(head)]
    return [indent + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
            for r in [list(head), *cells]]


def upper_text(value: object, digits: int = 4) -> str:
    """``value`` (a Fraction, int or float) in scientific notation with ``digits`` significant
    digits, rounded towards +infinity: the text of a proved upper bound is never below it."""
    return _directed_text(value, digits, ceiling=True)


def _directed_text(value: object, digits: int, ceiling: bool) -> str:
    import decimal

    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # inf (a bound beyond every double) or -inf
    exact = Fraction(value) if not isinstance(value, Fraction) else value
    if exact == 0:
        return f"{0:.{digits - 1}e}"
    ctx = decimal.Context(prec=digits, rounding=decimal.ROUND_CEILING if ceiling
                          else decimal.ROUND_FLOOR, Emax=decimal.MAX_EMAX,
                          Emin=decimal.MIN_EMIN)
    # exact numerator / denominator, divided once in the directed-rounding context
    q = ctx.divide(decimal.Decimal(exact.numerator), decimal.Decimal(exact.denominator))
    mantissa, exponent = f"{q:.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent):+03d}"  # as Python writes floats: 1.237e-03


def lower_text(value: object, digits: int = 4) -> str:
    """``value`` (a Fraction, int or float) in scientific notation with ``digits`` significant
    digits, rounded towards -infinity: the text of a proved lower bound is never above it."""
    return _directed_text(value, digits, ceiling=False)
