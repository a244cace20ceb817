"""The exception tree of momentrnn.

Every error derives from :class:`MomentRNNError` and from the builtin exception a caller would
catch for that kind of failure, so ``except ValueError`` keeps working for bad input.
"""

from __future__ import annotations

__all__ = [
    "MomentRNNError",
    "InputError",
    "RankError",
    "NotPositiveError",
    "PrecisionMismatchError",
    "IllConditionedError",
    "DataAccuracyError",
    "PrecisionExhaustedError",
    "IntegrationError",
    "SolverError",
    "MissingDependencyError",
    "OutputError",
]


class MomentRNNError(Exception):
    """Base class of every error raised by momentrnn."""


class InputError(MomentRNNError, ValueError):
    """Bad input: a value that is not finite, not numeric, of the wrong length or shape."""


class RankError(InputError):
    """A rank that the data cannot identify (too few moments, or larger than the Hankel rank)."""


class NotPositiveError(InputError):
    """A method that needs a positive measure was given data whose Hankel matrix is not PD."""


class PrecisionMismatchError(MomentRNNError, TypeError):
    """A value of the wrong arithmetic kind, e.g. a float passed where exact input is needed."""


class IllConditionedError(MomentRNNError, ArithmeticError):
    """The problem is too ill-conditioned for the precision or the data at hand."""


class DataAccuracyError(IllConditionedError):
    """The moments do not carry enough digits for the requested accuracy."""


class PrecisionExhaustedError(IllConditionedError):
    """Escalating the working precision up to its cap did not deliver the requested digits."""


class IntegrationError(MomentRNNError, RuntimeError):
    """An ODE integration or a gradient-descent run failed."""


class SolverError(MomentRNNError, RuntimeError):
    """A numerical optimisation solver failed on every formulation and solver tried."""


class MissingDependencyError(MomentRNNError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


class OutputError(MomentRNNError, OSError):
    """A file or stream could not be written (missing folder, read-only, disk full, closed pipe);
    the message names the file and says what was left behind."""
