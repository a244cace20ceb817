"""Sweep families: one :class:`SweepFamily` object per kind of sweep, found by name.

:data:`FAMILIES` maps each spec's ``family`` value to its object; :func:`load_spec`,
:func:`run_sweep`, the summary table, the figures and the command line's ``--family`` choices
all take it from there (:mod:`momentrnn.experiments.families.registry`). Adding a family is
one new module defining a :class:`SweepFamily` subclass that registers itself, and one line
importing that module (below for the families shipped here)::

    @register_family_class
    class Geometric(SweepFamily):
        name = "geometric"
        ...
"""

from __future__ import annotations

# isort: off
# the registry is imported first; each family's module registers its family when imported
from .registry import (DEFAULT_FAMILY, FAMILIES, family_named, register_family,
                       register_family_class)
from .base import ScaleFigure, SweepFamily, SweepRow

# the families shipped with the package: one line each
from . import linear  # noqa: F401
from . import nonlinear  # noqa: F401
# isort: on

__all__ = ["FAMILIES", "DEFAULT_FAMILY", "SweepFamily", "SweepRow", "ScaleFigure",
           "register_family", "register_family_class", "family_named"]
