"""Text formatting of numbers with the digits that are vouched for."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import mpmath

from .moments._scalars import MPC, MPF, is_sympy, to_mp

__all__ = ["format_number", "table_lines"]


def format_number(value: object, digits: float, scale: float | None = None) -> str:
    """Decimal text of ``value`` showing only digits that are vouched for.

    ``digits`` are normwise relative to ``scale`` (the largest magnitude in the group); a value
    smaller than ``scale`` gets correspondingly fewer significant digits. Exact values (int,
    Fraction, sympy) are written exactly.
    """
    if isinstance(value, (int, Fraction)):
        return str(value)
    if is_sympy(value) and math.isinf(digits):
        return str(value)
    ctx = mpmath.MPContext()
    ctx.dps = int(min(digits, 10_000)) + 20 if math.isfinite(digits) else 60
    z = to_mp(value, ctx) if not isinstance(value, (MPF, MPC)) else ctx.mpmathify(value)
    mag = float(abs(z)) if abs(z) < ctx.mpf(10) ** 300 else 1e300
    scale = scale if scale else mag
    if math.isinf(digits):
        sig = 40
    else:
        lost = math.log10(scale / mag) if mag > 0 and scale > 0 else 0.0
        sig = max(1, int(math.floor(digits - lost)))
    if isinstance(z, MPC):
        re = ctx.nstr(z.real, sig, min_fixed=-4, max_fixed=6)
        im = ctx.nstr(abs(z.imag), sig, min_fixed=-4, max_fixed=6)
        return f"{re}{'-' if z.imag < 0 else '+'}{im}j"
    return ctx.nstr(z, sig, min_fixed=-4, max_fixed=6)


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
    import decimal

    exact = Fraction(value) if not isinstance(value, Fraction) else value
    if exact == 0:
        return f"{0:.{digits - 1}e}"
    ctx = decimal.Context(prec=digits, rounding=decimal.ROUND_CEILING)
    # exact numerator / denominator, divided once in the upward-rounding context
    q = ctx.divide(decimal.Decimal(exact.numerator), decimal.Decimal(exact.denominator))
    mantissa, exponent = f"{q:.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent):+03d}"  # as Python writes floats: 1.237e-03
