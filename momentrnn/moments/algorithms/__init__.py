"""The moment algorithms that register themselves: importing this package registers each of
its modules' methods (a new method is a module here and its import below)."""

from . import esprit  # noqa: F401
