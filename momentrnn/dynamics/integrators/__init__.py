"""Integrators of the gradient flow, registered by name.

:data:`INTEGRATORS` maps each name accepted by ``integrate_flow(method=...)`` (besides
``'auto'``) to its class. Adding an integrator is one subclass of :class:`Integrator` (or of
:class:`AdaptiveIntegrator`, :class:`ExplicitRungeKutta`, :class:`ScipyIntegrator`) and one
call of :func:`register_integrator`.
"""

from __future__ import annotations

import inspect

from ...errors import InputError
from ._base import AdaptiveIntegrator, FlowOptions, FlowRun, Integrator
from .controller import StepController
from .explicit import ExplicitRungeKutta
from .gauss_mp import GaussMP
from .rosenbrock import RODAS4, Rodas4
from .scipy_ivp import BDF, DOP853, LSODA, RK45, Radau, ScipyIntegrator
from .tableau import ButcherTableau, RosenbrockTableau

__all__ = ["INTEGRATORS", "AdaptiveIntegrator", "ButcherTableau", "ExplicitRungeKutta",
           "FlowOptions", "FlowRun", "Integrator", "RODAS4", "RosenbrockTableau",
           "ScipyIntegrator", "StepController", "integrator_named", "register_integrator",
           "unregister_integrator"]

# name -> integrator class, in registration order (the built-in ones first)
INTEGRATORS: dict[str, type[Integrator]] = {}


def register_integrator(cls: type[Integrator], *, replace: bool = False) -> type[Integrator]:
    """Make ``cls`` available as ``integrate_flow(method=cls.name)``.

    Parameters
    ----------
    cls : type
        A subclass of :class:`Integrator` whose ``name`` is a non-empty string.
    replace : bool
        Allow replacing another class registered under the same name.

    Returns
    -------
    type
        ``cls`` itself, so that the function can decorate the class.

    Raises
    ------
    InputError
        If ``cls`` is not a concrete :class:`Integrator` subclass with a name (and, for an
        :class:`AdaptiveIntegrator`, an ``error_order``), or the name is taken (unless
        ``replace=True``), or the name is ``'auto'``.
    """
    if not (isinstance(cls, type) and issubclass(cls, Integrator)):
        raise InputError(f"{cls!r} is not a subclass of Integrator")
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name or name == "auto":
        raise InputError(f"{cls.__name__}.name={name!r} must be a non-empty string other than "
                         "'auto'")
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(cls.__abstractmethods__))
        raise InputError(f"{cls.__name__} does not implement {missing}; an integrator defines "
                         "integrate (or, for a one-step method, _step_impl)")
    if issubclass(cls, AdaptiveIntegrator) and not isinstance(
            getattr(cls, "error_order", None), int):
        raise InputError(f"{cls.__name__} has no error_order (the order of its embedded "
                         "solution); an ExplicitRungeKutta subclass gets it from its tableau")
    if name in INTEGRATORS and INTEGRATORS[name] is not cls and not replace:
        raise InputError(f"an integrator named {name!r} is registered already "
                         f"({INTEGRATORS[name].__name__}); pick another name or pass "
                         "replace=True")
    INTEGRATORS[name] = cls
    return cls


def unregister_integrator(name: str) -> None:
    """Remove the integrator registered as ``name``.

    Parameters
    ----------
    name : str

    Raises
    ------
    InputError
        If no integrator has that name.
    """
    integrator_named(name)
    del INTEGRATORS[name]


def integrator_named(name: object) -> type[Integrator]:
    """The integrator class registered as ``name``.

    Parameters
    ----------
    name : str

    Returns
    -------
    type
        A subclass of :class:`Integrator`.

    Raises
    ------
    InputError
        If no integrator has that name; the message lists the names accepted.
    """
    if not isinstance(name, str) or name not in INTEGRATORS:
        shown = repr(name)[:80]
        raise InputError(f"method={shown} is not known; use one of "
                         f"{', '.join(('auto', *INTEGRATORS))}")
    return INTEGRATORS[name]


for _cls in (Rodas4, LSODA, BDF, Radau, RK45, DOP853, GaussMP):
    register_integrator(_cls)
del _cls
