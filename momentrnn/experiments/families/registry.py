"""The registry of sweep families: imported first by the package, filled by each family's
module as it is imported (:func:`register_family`, a class decorator)."""

from __future__ import annotations

import copy

from ...errors import InputError
from .base import SweepFamily

FAMILIES: dict[str, SweepFamily] = {}
# the family of a spec without a ``family`` key, and of results rows without one
DEFAULT_FAMILY = "linear"


def register_family(family: SweepFamily, *, replace: bool = False) -> SweepFamily:
    """Add a family to :data:`FAMILIES` (replace one of the same name with ``replace=True``).

    The family's declarations are checked here, so that a mistake in them is named when the
    family is registered rather than in the middle of a sweep. A family's module registers
    its class with the decorator :func:`register_family_class`, which calls this.

    Parameters
    ----------
    family : SweepFamily
        An instance of a subclass that defines ``expand``, ``run_group`` and
        ``summary_table``.
    replace : bool
        Replace a registered family of the same name (default: refuse, naming it).

    Returns
    -------
    SweepFamily
        ``family``.

    Raises
    ------
    InputError
        When the family's declarations disagree (the attribute named): a ``types`` or
        ``run_fields`` value that is not a type (or tuple of types), a default not of its
        declared type, a grid key whose types do not admit a list, or defaults that
        ``validate`` refuses or leaves a grid key that is not a list; or when another family
        of that name is registered and ``replace`` is false.
    """
    if not isinstance(family, SweepFamily):
        raise InputError(f"register_family needs a SweepFamily instance, got "
                         f"{type(family).__name__}")
    name = family.name
    kind = type(family).__name__
    if not isinstance(name, str) or not name.isidentifier():
        raise InputError(f"{kind}.name={name!r} must be a name such as 'linear' (letters, "
                         "digits and underscores)")
    undefined = [m for m in ("expand", "run_group", "summary_table")
                 if getattr(type(family), m) is getattr(SweepFamily, m)]
    if undefined:
        raise InputError(f"{kind} must define {', '.join(undefined)} (a SweepFamily leaves "
                         "them to its subclasses)")
    if "family" in family.defaults:
        raise InputError(f"{kind}.defaults must not hold 'family' (it is the family's name)")
    if set(family.types) != set(family.defaults):
        raise InputError(f"{kind}.types must give the type of every key of defaults and no "
                         f"other; differing: {sorted(set(family.types) ^ set(family.defaults))}")
    for attr in ("types", "run_fields"):
        for key, kinds in getattr(family, attr).items():
            if not _is_type_spec(kinds):
                raise InputError(f"{kind}.{attr}[{key!r}]={kinds!r} must be a type or a tuple "
                                 "of types, e.g. float or (int, float)")
    for key, value in family.defaults.items():
        if isinstance(value, bool) or not isinstance(value, family.types[key]):
            raise InputError(f"{kind}.defaults[{key!r}]={value!r} is not of its declared "
                             f"type {family.types[key]!r}; make the default and types agree")
    missing = [k for k in family.grid_keys if k not in family.defaults]
    if missing:
        raise InputError(f"{kind}.grid_keys names {missing}, which are not spec keys")
    for key in family.grid_keys:
        kinds = family.types[key]
        if not any(issubclass(list, t) for t in (kinds if isinstance(kinds, tuple) else (kinds,))):
            raise InputError(f"{kind}.grid_keys names {key!r}, whose types {kinds!r} do not "
                             "admit a list; a grid key is a list of values to cross")
    try:
        validated = family.validate({"family": name, **copy.deepcopy(family.defaults)})
    except InputError as exc:
        raise InputError(f"{kind}.defaults are not a valid spec of the family: {exc}") from None
    not_lists = [k for k in family.grid_keys
                 if not isinstance((validated or {}).get(k), list)]
    if not_lists:
        raise InputError(f"{kind}: after {kind}.validate of the defaults, the grid key(s) "
                         f"{not_lists} are not lists; a grid key's default must be a list (or "
                         "validate must make it one, as seed_list does for a seed count)")
    if "run_id" in family.run_fields:
        raise InputError(f"{kind}.run_fields must not hold 'run_id' (the runner adds it)")
    for attr in ("group_fields", "table_fields"):
        unknown = [f for f in getattr(family, attr) if f not in family.run_fields]
        if unknown:
            raise InputError(f"{kind}.{attr} names {unknown}, which are not run fields")
    if family.headline and family.headline not in family.length_metrics:
        raise InputError(f"{kind}.headline={family.headline!r} is not one of its "
                         f"length_metrics {list(family.length_metrics)}")
    if name in FAMILIES and FAMILIES[name] is not family and not replace:
        raise InputError(f"a sweep family named {name!r} is registered already "
                         f"({type(FAMILIES[name]).__name__}); pick another name or pass "
                         "replace=True")
    FAMILIES[name] = family
    return family


def register_family_class(cls: type) -> type:
    """Class decorator: register an instance of the :class:`SweepFamily` subclass ``cls``
    (made with no arguments) with :func:`register_family`; returns ``cls``.

    Raises
    ------
    InputError
        When ``cls`` is not a SweepFamily subclass, or as :func:`register_family`.
    """
    if not (isinstance(cls, type) and issubclass(cls, SweepFamily)):
        raise InputError(f"register_family_class decorates a SweepFamily subclass, got "
                         f"{cls!r}")
    register_family(cls())
    return cls


def _is_type_spec(kinds: object) -> bool:
    """A type, or a non-empty tuple of types (what isinstance accepts and the checks use)."""
    if isinstance(kinds, tuple):
        return bool(kinds) and all(isinstance(t, type) for t in kinds)
    return isinstance(kinds, type)


def family_named(name: object) -> SweepFamily:
    """The registered family called ``name``.

    Parameters
    ----------
    name : str
        A spec's ``family`` value.

    Returns
    -------
    SweepFamily

    Raises
    ------
    InputError
        For a name that is not registered; the message lists the registered ones.
    """
    family = FAMILIES.get(name) if isinstance(name, str) else None
    if family is None:
        raise InputError(f"family={name!r} is not known; use one of {', '.join(FAMILIES)}")
    return family
