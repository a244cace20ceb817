"""Arithmetic value objects.

Precision is always an argument, never global state. Four kinds exist:

``Exact()``
    Rational arithmetic (python-flint ``fmpq``), sympy for algebraic output.
``MP(dps)``
    mpmath floating point with ``dps`` decimal digits, in a context private to the call.
``Ball(dps)``
    python-flint ball arithmetic (``arb``/``acb``) at ``dps`` digits: every number is a midpoint
    with a rigorous radius.
``Float64()``
    numpy double precision.

Each precision object makes its own arithmetic (:meth:`Exact.arithmetic` and the others), the
object the moment algorithms compute with, and says of itself what the rest of the package
needs to know, so that no module outside this one and the arithmetics asks for its class:

==================  =========  ==========  ==========  =============
attribute           Exact      MP          Ball        Float64
==================  =========  ==========  ==========  =============
``exact``           True       False       False       False
``encloses``        False      False       True        False
``rounded``         False      True        False       True
``mpmath``          False      True        False       False
``doubles``         False      False       False       True
``dps``             None       dps         dps         None
``carried_digits``  inf        dps         dps         53 bits
==================  =========  ==========  ==========  =============

The package never reads or writes ``mpmath.mp``. python-flint keeps its working precision in a
process-wide ``flint.ctx``; :func:`flint_precision` sets it for the duration of a block and
restores it afterwards, and no public function returns with it changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import flint
import mpmath

from ._limits import MAX_DPS
from ._validate import _integer, _kind, shown
from .errors import InputError

__all__ = [
    "Exact",
    "MP",
    "Ball",
    "Float64",
    "Precision",
    "as_precision",
    "digits_to_bits",
    "bits_to_digits",
    "flint_precision",
]

_LOG2_10 = math.log2(10.0)


def digits_to_bits(digits: float) -> int:
    r"""Number of binary digits that carry ``digits`` decimal digits (rounded up).

    Parameters
    ----------
    digits : float
        Decimal digits.

    Returns
    -------
    int
        :math:`\lceil \text{digits} \cdot \log_2 10 \rceil`.

    Examples
    --------
    >>> digits_to_bits(15), digits_to_bits(30.5)
    (50, 102)
    """
    return int(math.ceil(digits * _LOG2_10))


def bits_to_digits(bits: float) -> float:
    r"""Decimal digits carried by ``bits`` binary digits.

    Parameters
    ----------
    bits : float
        Binary digits.

    Returns
    -------
    float
        :math:`\text{bits} / \log_2 10` (not rounded).

    Examples
    --------
    >>> round(bits_to_digits(53), 2)
    15.95
    """
    return bits / _LOG2_10


def _check_dps(dps: object, name: str) -> int:
    # a Python or numpy integer, judged by the package's one check (a bool, Python's or
    # numpy's, is no count of digits)
    if not _integer(dps):
        raise InputError(f"{name}(dps={shown(dps, 80)}) must be an integer number of decimal "
                         f"digits{_kind(dps)}, e.g. {name}(50)")

    dps = int(dps)
    if dps < 5 or dps > MAX_DPS:
        raise InputError(f"{name}(dps={shown(dps, 80)}) is out of range; use 5 <= dps <= "
                         f"{MAX_DPS}")
    return dps


def _arithmetics():
    """The modules of the arithmetics, ``(_arith, _ball)``, imported when an arithmetic is
    first made: they live in the moment engine, which imports this module."""
    from .moments import _arith, _ball

    return _arith, _ball


@dataclass(frozen=True)
class Exact:
    """Exact rational arithmetic; algebraic numbers are returned as sympy expressions.

    Inexact input (floats, mpmath numbers, values with an accuracy) is refused wherever
    ``Exact()`` is asked for.

    Attributes
    ----------
    exact : bool
        ``True`` (a class attribute): nothing is rounded.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from momentrnn import hankel_determinant
    >>> hankel_determinant([1, Fraction(1, 2), Fraction(1, 3)], precision=Exact())
    Fraction(1, 12)
    """

    exact: ClassVar[bool] = True  # no rounding anywhere: inexact input is refused
    encloses: ClassVar[bool] = False
    rounded: ClassVar[bool] = False
    mpmath: ClassVar[bool] = False
    doubles: ClassVar[bool] = False
    dps: ClassVar[None] = None  # no working precision: numbers are exact
    carried_digits: ClassVar[float] = math.inf

    def arithmetic(self, *, real: bool = True):
        """Rational arithmetic (python-flint ``fmpq``) for real values, sympy numbers for
        complex ones."""
        arith, _ = _arithmetics()
        return arith.RATIONALS if real else arith.SYMBOLIC

    def __repr__(self) -> str:
        return "Exact()"


@dataclass(frozen=True)
class _Digits:
    """Shared part of the precisions that are a number of decimal digits."""

    dps: int
    exact: ClassVar[bool] = False
    doubles: ClassVar[bool] = False

    def __post_init__(self) -> None:
        # held as a Python int (a numpy integer is read as the int it holds)
        object.__setattr__(self, "dps", _check_dps(self.dps, type(self).__name__))

    @property
    def bits(self) -> int:
        """Binary precision equivalent to ``dps``."""
        return digits_to_bits(self.dps)

    @property
    def carried_digits(self) -> float:
        """Decimal digits a number of this precision carries (``dps``)."""
        return float(self.dps)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.dps})"


@dataclass(frozen=True, repr=False)
class MP(_Digits):
    """mpmath arithmetic with ``dps`` decimal digits, in a context local to each call.

    Parameters
    ----------
    dps : int
        Decimal digits of the working precision (5 to 100000).
    """

    encloses: ClassVar[bool] = False
    rounded: ClassVar[bool] = True
    mpmath: ClassVar[bool] = True

    def arithmetic(self, *, real: bool = True):
        """mpmath arithmetic in a fresh context at ``dps`` digits (real or complex values)."""
        return _arithmetics()[0].MPArith(self.context())

    def context(self, extra_dps: int = 0) -> mpmath.ctx_mp.MPContext:
        """A fresh mpmath context at ``dps + extra_dps`` digits; ``mpmath.mp`` is untouched."""
        ctx = mpmath.MPContext()
        ctx.dps = self.dps + extra_dps
        return ctx


@dataclass(frozen=True, repr=False)
class Ball(_Digits):
    """Ball (midpoint-radius) arithmetic with python-flint at ``dps`` decimal digits.

    Parameters
    ----------
    dps : int
        Decimal digits of the working precision (5 to 100000).
    """

    encloses: ClassVar[bool] = True
    rounded: ClassVar[bool] = False
    mpmath: ClassVar[bool] = False

    def arithmetic(self, *, real: bool = True):
        """Ball arithmetic at ``bits``: real (``arb``) or complex (``acb``) balls."""
        return _arithmetics()[1].Balls(self.bits, real=real)


@dataclass(frozen=True)
class Float64:
    """IEEE double precision through numpy.

    Attributes
    ----------
    exact : bool
        ``False`` (a class attribute): results are rounded.

    Examples
    --------
    >>> from momentrnn import hankel_determinant
    >>> hankel_determinant([1, 0.5, 0.25, 0.125], precision=Float64())
    0.0
    """

    exact: ClassVar[bool] = False
    encloses: ClassVar[bool] = False
    rounded: ClassVar[bool] = True
    mpmath: ClassVar[bool] = False
    doubles: ClassVar[bool] = True
    dps: ClassVar[None] = None  # the fixed 53 bits of a double, not a chosen precision
    carried_digits: ClassVar[float] = bits_to_digits(53)

    def arithmetic(self, *, real: bool = True):
        """numpy doubles (complex where needed)."""
        return _arithmetics()[0].FLOAT

    def __repr__(self) -> str:
        return "Float64()"


Precision = Exact | MP | Ball | Float64


def as_precision(value: object, *, default: Precision | None = None) -> Precision:
    """Validate a precision argument.

    Parameters
    ----------
    value : Exact, MP, Ball, Float64 or None
        The argument as the caller passed it; the classes ``Exact`` and ``Float64`` themselves
        (not instances) are accepted too.
    default : Exact, MP, Ball or Float64, optional
        What ``None`` stands for.

    Returns
    -------
    Exact, MP, Ball or Float64
        ``value`` (an instance for a class), or ``default`` when ``value`` is ``None``.

    Raises
    ------
    InputError
        For anything else, including ``None`` without a default; the message lists the four
        precision objects.

    Examples
    --------
    >>> as_precision(None, default=MP(30))
    MP(30)
    >>> as_precision(Exact)
    Exact()
    """
    if value is None and default is not None:
        return default
    if isinstance(value, (Exact, MP, Ball, Float64)):
        return value
    if value in (Exact, Float64):  # the class instead of an instance
        return value()  # type: ignore[operator]
    raise InputError(
        f"precision={value!r} of type {type(value).__name__} is not a precision object; "
        "pass Exact(), MP(dps), Ball(dps) or Float64() from momentrnn"
    )


class _FlintPrecision:
    """The context manager of :func:`flint_precision` (a plain class: it is entered on every
    ball computation, and a generator-based one costs several times more)."""

    __slots__ = ("bits", "saved")

    def __init__(self, bits: int) -> None:
        self.bits = max(int(bits), 16)
        self.saved = 0

    def __enter__(self) -> None:
        self.saved = flint.ctx.prec
        flint.ctx.prec = self.bits

    def __exit__(self, *exc: object) -> None:
        flint.ctx.prec = self.saved


def flint_precision(bits: int) -> _FlintPrecision:
    """Run a block with python-flint's working precision at ``bits``, restoring it afterwards.

    Parameters
    ----------
    bits : int
        Working precision in bits (at least 16 is used).

    Returns
    -------
    context manager
        Sets ``flint.ctx.prec`` on entry and restores the previous value on exit, also when
        the block raises.

    Examples
    --------
    >>> import flint
    >>> before = flint.ctx.prec
    >>> with flint_precision(200):
    ...     flint.ctx.prec
    200
    >>> flint.ctx.prec == before
    True
    """
    return _FlintPrecision(bits)
