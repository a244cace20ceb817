"""Recovery methods as objects: each owns its implementation in every arithmetic.

A :class:`RecoveryMethod` carries the method's double-precision, mpmath, ball and exact
implementations and names the method whose ball implementation certifies its fixed-precision
results. :data:`METHODS` maps names to methods; :func:`recover_measure`, the command line and
the docs take their choices from it, so adding a method is one new object and one
:func:`register_method` call::

    register_method(RecoveryMethod(name="mine", summary="...", float_impl=..., mp_impl=...,
                                   ball_impl=..., exact_impl=..., certifier="prony"))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import IllConditionedError, InputError
from ..precision import Precision, as_precision
from . import _ball, _numeric
from ._data import MomentData
from ._exact import exact_recover
from .chebyshev import chebyshev_to_monomial

__all__ = ["RecoveryMethod", "METHODS", "register_method", "method_named"]


@dataclass(frozen=True)
class RecoveryMethod:
    """One recovery method and its implementations.

    Attributes
    ----------
    name, summary : str
        The name users pass as ``method=`` and a one-line description.
    float_impl : callable
        ``(moments: ndarray, n, basis) -> (atoms, weights)`` in double precision.
    mp_impl : callable
        ``(ctx, moments: list, n, basis) -> (atoms, weights)`` in the mpmath context ``ctx``.
    ball_impl : callable
        ``(data: MomentData, n, bits, basis) -> BallSolution``: enclosures of the measure of
        the given (exact rational) values.
    exact_impl : callable
        ``(data, n, basis) -> (atoms, weights)`` over Q and its algebraic extensions.
    certifier : str
        The registered method whose ``ball_impl`` confirms this method's float and mpmath
        results before any digit is vouched for.
    positive_only : bool
        Needs the moments of a positive measure (real data).
    power_moments : bool
        Works on power moments: exact Chebyshev-basis moments are converted first, rounded ones
        are refused (the conversion is ill-conditioned).
    """

    name: str
    summary: str
    float_impl: Callable
    mp_impl: Callable
    ball_impl: Callable
    exact_impl: Callable
    certifier: str
    positive_only: bool = False
    power_moments: bool = True

    def run_float(self, m: np.ndarray, n: int, basis: str):
        with np.errstate(all="ignore"):
            atoms, weights = self.float_impl(m, n, basis)
        if not (np.all(np.isfinite(atoms)) and np.all(np.isfinite(weights))):
            raise IllConditionedError(
                f"double precision {self.name} produced non-finite values for rank {n}; "
                "use precision=MP(dps) or digits="
            )
        return _numeric.clean_real(atoms, 1e-9), _numeric.clean_real(weights, 1e-9)

    def run_mp(self, ctx, m: list, n: int, basis: str):
        atoms, weights = self.mp_impl(ctx, m, n, basis)
        if all(not isinstance(v, ctx.mpc) for v in m):
            tol = ctx.mpf(10) ** (-(ctx.dps // 2))
            scale = max(abs(a) for a in atoms) or 1
            if all(abs(ctx.im(a)) <= tol * scale for a in atoms):
                atoms = [ctx.re(a) for a in atoms]
                weights = [ctx.re(w) for w in weights]
        return atoms, weights

    def run_ball(self, data: MomentData, n: int, bits: int, basis: str):
        if self.power_moments and basis != "monomial":
            data = as_monomial(data, basis)
            basis = "monomial"
        return self.ball_impl(data, n, bits, basis)

    def run_exact(self, data: MomentData, n: int, basis: str):
        if self.power_moments and basis != "monomial":
            data = as_monomial(data, basis)
            basis = "monomial"
        return self.exact_impl(data, n, basis)


def as_monomial(data: MomentData, basis: str) -> MomentData:
    """Power moments of exact moments written in ``basis``."""
    if basis == "monomial":
        return data

    return MomentData(tuple(chebyshev_to_monomial(list(data.real))), None, data.radius)


METHODS: dict[str, RecoveryMethod] = {}


def register_method(method: RecoveryMethod, *, replace: bool = False) -> RecoveryMethod:
    """Add a method to :data:`METHODS` (or, with ``replace=True``, replace one); returns it.

    From then on ``recover_measure(method=method.name)`` and the command line's ``--method``
    offer it.

    Parameters
    ----------
    method : RecoveryMethod
        The method; its ``name`` is a non-empty string of letters, digits, ``'-'`` and
        ``'_'`` that starts with a letter or digit, and its ``certifier`` is its own name or
        a method already registered.
    replace : bool
        Allow replacing the method registered under the same name (which also changes the
        certificates of the methods it certifies).

    Returns
    -------
    RecoveryMethod
        ``method`` itself.

    Raises
    ------
    InputError
        When ``method`` is not a :class:`RecoveryMethod`, its name is not such a string or is
        ``'auto'`` in any case (reserved: it chooses a registered method), the name is taken
        (unless ``replace=True``), or it names a certifier that is not registered.
    """
    if not isinstance(method, RecoveryMethod):
        raise InputError(f"register_method needs a RecoveryMethod, got {type(method).__name__}")
    if not isinstance(replace, (bool, np.bool_)):
        raise InputError(f"replace={replace!r} must be True or False")
    name = method.name
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InputError(f"method name {name!r} must be a non-empty string of letters, digits, "
                         "'-' and '_' (a name for --method), e.g. 'my-prony'")
    if name.lower() == "auto":
        raise InputError(f"{name!r}: 'auto' is reserved: it chooses a registered method")
    if name in METHODS and not replace:
        users = [m.name for m in METHODS.values() if m.certifier == name and m.name != name]
        also = f" (and the certificates of {', '.join(users)})" if users else ""
        raise InputError(f"a method named {name!r} is already registered; pass replace=True "
                         f"to replace it{also}, or choose another name")
    if not isinstance(method.certifier, str) or (
            method.certifier != name and method.certifier not in METHODS):
        raise InputError(
            f"method {name!r} names the certifier {method.certifier!r}, which is not "
            f"registered; use one of {', '.join([name, *METHODS])}"
        )
    METHODS[name] = method
    return method


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")  # not starting with "-": an option


def method_named(name: str, precision: Precision | None = None) -> RecoveryMethod:
    """The registered method called ``name``; ``'auto'`` is the SVD pencil in double precision
    and Prony otherwise."""
    if name == "auto":
        name = "prony" if precision is None else as_precision(precision).arithmetic().auto_method
    method = METHODS.get(name) if isinstance(name, str) else None
    if method is None:
        raise InputError(
            f"method={name!r} is not known; use one of {', '.join(['auto', *METHODS])}"
        )
    return method


def _exact(name: str):
    def run(data: MomentData, n: int, basis: str):
        return exact_recover(data, n, name, basis)

    return run


register_method(RecoveryMethod(
    name="prony",
    summary="kernel of the Hankel matrix, roots of the Prony polynomial, Lagrange weights",
    float_impl=lambda m, n, basis: _numeric.float_prony(m, n),
    mp_impl=lambda ctx, m, n, basis: _numeric.mp_prony(ctx, m, n),
    ball_impl=lambda data, n, bits, basis: _ball.ball_prony(data, n, bits),
    exact_impl=_exact("prony"),
    certifier="prony",
))
register_method(RecoveryMethod(
    name="pencil",
    summary="generalised eigenvalues of the shifted Hankel pair (SVD-truncated in doubles)",
    float_impl=lambda m, n, basis: _numeric.float_pencil(m, n),
    mp_impl=lambda ctx, m, n, basis: _numeric.mp_pencil(ctx, m, n),
    ball_impl=lambda data, n, bits, basis: _ball.ball_pencil(data, n, bits),
    exact_impl=_exact("pencil"),
    certifier="prony",
))
register_method(RecoveryMethod(
    name="gauss",
    summary="Gauss rule of a positive measure: (modified) Chebyshev algorithm, Golub-Welsch",
    float_impl=_numeric.float_gauss,
    mp_impl=_numeric.mp_gauss,
    ball_impl=_ball.ball_gauss,
    exact_impl=_exact("gauss"),
    certifier="gauss",
    positive_only=True,
    power_moments=False,
))
