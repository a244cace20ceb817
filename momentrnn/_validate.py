"""Argument checks shared by every module, so that the same argument is judged the same way."""

from __future__ import annotations

import math
import unicodedata

import numpy as np

from .errors import InputError

__all__ = ["positive_int", "blas_thread_count", "nonnegative_int", "finite", "shown",
           "non_ascii_number"]


def non_ascii_number(text: str) -> str | None:
    """Why number text with a character outside ASCII is refused (``None`` for ASCII text).

    Python's ``int``, ``float``, ``Fraction`` and ``Decimal`` read every Unicode decimal digit
    and space (``int('５０')`` and ``float('٥٠')`` are 50): a value written so is a value
    nobody typed on purpose, so numbers are read from ASCII text only."""
    if text.isascii():
        return None
    char = next(c for c in text if not c.isascii())
    digit = unicodedata.decimal(char, None)
    kind = (f"the non-ASCII digit {char!r} (U+{ord(char):04X}, read as {digit} by Python)"
            if digit is not None else f"the non-ASCII character {char!r} (U+{ord(char):04X})")
    return f"holds {kind}; write numbers with the ASCII digits 0-9"


def _integer(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _kind(value: object) -> str:
    """For a value that is not an ``int``: its type and the fix, the same for every kind
    (``Decimal('20')``, ``Fraction(20)``, ``20.0``, ``True``, ``'20'``): an integer parameter
    takes a Python or numpy integer only, as ``range`` and numpy's sizes do."""
    if _integer(value):
        return ""
    return f" (got a {type(value).__name__}: pass an int)"


def positive_int(value: object, name: str, *, hint: str = "",
                 maximum: int | None = None, or_none: str = ""):
    """``value`` as an ``int`` if it is an integer >= 1 (Python or numpy, never a bool).

    Raises InputError naming ``name`` and the value, with ``hint`` appended; ``maximum`` caps
    the work a single argument can ask for. With ``or_none`` (what None means, e.g. "for the
    default"), None is accepted and returned, and the message offers it. The one check of a
    positive count in the package: every argument that is one is judged here.
    """
    if or_none and value is None:
        return None
    tail = f" ({hint})" if hint else ""
    if not _integer(value) or value < 1:
        alternative = f" or None {or_none}" if or_none else ""
        raise InputError(f"{name}={shown(value, 80)} must be a positive integer"
                         f"{_kind(value)}{alternative}{tail}")
    if maximum is not None and value > maximum:
        raise InputError(f"{name}={shown(value, 80)} is more than {maximum}, the most this "
                         f"accepts{tail}")
    return int(value)


def blas_thread_count(value: object, name: str = "blas_threads") -> int | None:
    """``value`` is None (leave BLAS alone) or a positive integer: the most BLAS threads of
    the flow's integrators and of sweep workers."""
    return positive_int(value, name, hint="1 is fastest on shared cores",
                        or_none="to leave the BLAS thread count as it is")


def nonnegative_int(value: object, name: str, *, hint: str = "") -> int:
    """``value`` as an ``int`` if it is an integer >= 0 (Python or numpy, never a bool)."""
    if not _integer(value) or value < 0:
        tail = f" ({hint})" if hint else ""
        raise InputError(f"{name}={shown(value, 80)} must be a non-negative integer"
                         f"{_kind(value)}{tail}")
    return int(value)


def finite(value: object) -> bool:
    """``math.isfinite`` that answers False for an integer beyond the double range (where
    ``math.isfinite(10**400)`` raises OverflowError): such a value is no usable float."""
    try:
        return math.isfinite(value)  # type: ignore[arg-type]
    except OverflowError:
        return False
    except TypeError:
        return False


def shown(value: object, limit: int = 40) -> str:
    """``repr(value)``, shortened: an integer of 400 digits is named by its length (one
    beyond Python's int-string limit by its bits, never converted to text)."""
    if isinstance(value, (int, np.integer)) and int(value).bit_length() > 4 * limit + 64:
        digits = int(int(value).bit_length() * math.log10(2)) + 1
        return f"an integer of about {digits} digits" if digits > 4000 else \
            f"an integer of {len(str(abs(int(value))))} digits"
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, (int, np.integer)):
        return f"an integer of {len(str(abs(int(value))))} digits"
    return text[: limit - 10] + f"... ({len(text)} characters)"
