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
    """Base class of every error raised by momentrnn.

    It is never raised itself: the package raises one of its subclasses, each also derived
    from the builtin exception for its kind of failure (``InputError`` is a ``ValueError``,
    ``IllConditionedError`` an ``ArithmeticError``, ...). Catch it to handle every failure
    the package reports deliberately; the message names the offending value and the fix.
    It carries no attributes beyond the message (``str(exc)``).
    """


class InputError(MomentRNNError, ValueError):
    """Bad input: a value that is not finite, not numeric, of the wrong length or shape."""


class RankError(InputError):
    """A rank that the data cannot identify (too few moments, or larger than the Hankel rank)."""


class NotPositiveError(InputError):
    r"""A method that needs a positive measure was given data whose Hankel matrix is not PD.

    Raised by the Gauss-rule computations when a recurrence coefficient :math:`\beta_k` is
    not positive, i.e. the Hankel matrix :math:`H_{k+1}` is not positive definite:

    - :func:`momentrnn.recover_measure` with ``method='gauss'`` (and :func:`momentrnn.gauss_rule`)
      raises it for complex moments, and otherwise only when it is proved: exactly for exact
      data, and for every moment sequence within the data's accuracy for inexact data;
    - :func:`momentrnn.recurrence_coefficients` raises it on the same proof; a non-positive
      :math:`\beta_k` that only rounding in ``Float64()`` or ``MP`` produced (and that the
      proof does not confirm) raises :class:`IllConditionedError` instead.

    The message names the failing :math:`k` and suggests ``method='prony'`` or ``'pencil'``
    for signed or complex measures. It carries no attributes beyond the message.
    """


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
