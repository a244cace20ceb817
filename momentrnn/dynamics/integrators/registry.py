"""The registry of flow integrators: imported first, it imports no implementation.

An implementation module imports this one and decorates its class with
:func:`register_integrator`; the package's ``__init__`` imports the implementation modules,
so that the built-in ones are registered in a fixed order. Everything that lists the
integrators (``flow_methods``, the ``--method`` choices of ``momentrnn flow``, the tests and
the docs) reads :data:`INTEGRATORS`.
"""

from __future__ import annotations

import inspect

from ...errors import InputError
from ._base import Integrator
from .stepper import AdaptiveIntegrator

__all__ = ["INTEGRATORS", "check_integrator", "integrator_named", "register_integrator",
           "unregister_integrator"]

# name -> integrator class, in registration order (the built-in ones first)
INTEGRATORS: dict[str, type[Integrator]] = {}


def _is_method(value: object) -> bool:
    return inspect.isfunction(value) or isinstance(value, (staticmethod, classmethod))


def _check_methods(cls: type) -> None:
    """Refuse a class whose attribute replaces a method of a base class with a non-method
    (``step = 0.01`` meant as a step size would replace the driver's ``step``)."""
    for klass in cls.__mro__:
        for attr, value in vars(klass).items():
            if attr.startswith("__") or _is_method(value) or callable(value):
                continue
            for base in klass.__mro__[1:]:
                method = vars(base).get(attr)
                if method is not None and _is_method(method):
                    raise InputError(
                        f"{klass.__name__}.{attr} = {value!r} replaces the method "
                        f"{base.__name__}.{attr} that the integrator driver calls; give the "
                        f"attribute another name (e.g. {attr}_size) or define a method")
    if issubclass(cls, AdaptiveIntegrator) and cls.step is not AdaptiveIntegrator.step:
        raise InputError(f"{cls.__name__} defines step, which the driver calls to make one "
                         "attempt and judge it; a one-step method gives its formulas in "
                         "_step_impl(problem, point, theta, h) instead")


def register_integrator(cls: type[Integrator] | None = None, *,
                        replace: bool = False):
    """Make ``cls`` available as ``integrate_flow(method=cls.name)``; usable as a decorator,
    ``@register_integrator`` or ``@register_integrator(replace=True)``.

    Parameters
    ----------
    cls : type
        A subclass of :class:`Integrator` whose ``name`` is a non-empty string.
    replace : bool
        Allow replacing another class registered under the same name.

    Returns
    -------
    type
        ``cls`` itself (or, called with ``replace`` alone, a decorator).

    Raises
    ------
    InputError
        If ``cls`` is not a concrete :class:`Integrator` subclass with a name (and, for an
        :class:`AdaptiveIntegrator`, an ``error_order``), or a class attribute that is not a
        method replaces a method of the interface (such as ``step``), or the name is taken
        (unless ``replace=True``), or the name is ``'auto'``.
    """
    if cls is None:
        return lambda c: register_integrator(c, replace=replace)
    check_integrator(cls)
    name = cls.name
    if name in INTEGRATORS and INTEGRATORS[name] is not cls and not replace:
        raise InputError(f"an integrator named {name!r} is registered already "
                         f"({INTEGRATORS[name].__name__}); pick another name or pass "
                         "replace=True")
    INTEGRATORS[name] = cls
    return cls


def check_integrator(cls: object) -> None:
    """Raise :class:`~momentrnn.errors.InputError` unless ``cls`` is an integrator class
    that can run (what :func:`register_integrator` and a class given as ``method=`` are held
    to)."""
    if not (isinstance(cls, type) and issubclass(cls, Integrator)):
        raise InputError(f"{cls!r} is not a subclass of Integrator")
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name or name == "auto":
        raise InputError(f"{cls.__name__}.name={name!r} must be a non-empty string other than "
                         "'auto'")
    _check_methods(cls)
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(cls.__abstractmethods__))
        raise InputError(f"{cls.__name__} does not implement {missing}; an integrator defines "
                         "integrate (or, for a one-step method, _step_impl)")
    order = getattr(cls, "error_order", None)
    if issubclass(cls, AdaptiveIntegrator) and (isinstance(order, bool)
                                                or not isinstance(order, int)):
        raise InputError(f"{cls.__name__} has no error_order (the order of its embedded "
                         "solution); an ExplicitRungeKutta subclass gets it from its tableau")


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
    """The integrator class registered as ``name``; an integrator class is accepted where a
    name is (registered or not: it is checked as a registration would check it).

    Parameters
    ----------
    name : str or type

    Returns
    -------
    type
        A subclass of :class:`Integrator`.

    Raises
    ------
    InputError
        If no integrator has that name; the message lists the names accepted.
    """
    if isinstance(name, type):
        check_integrator(name)
        return name
    if not isinstance(name, str) or name not in INTEGRATORS:
        shown = repr(name)[:80]
        raise InputError(f"method={shown} is not known; use one of "
                         f"{', '.join(('auto', *INTEGRATORS))}")
    return INTEGRATORS[name]
