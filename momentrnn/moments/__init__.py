"""The moment-problem engine: measures, Hankel matrices, rank, recovery."""

from . import algorithms  # noqa: F401  (its modules register their methods)

# Reading numbers, for the layers above (the command line, the RNN code): public here so that
# no module outside this package imports a private one of it; not part of ``__all__``.
from ._data import looks_like_double as looks_like_double
from ._data import parse_moment_text as parse_moment_text
from ._data import parse_number_text as parse_number_text
from ._scalars import to_float as to_float
from ._scalars import to_mp as to_mp
from .algebraic import AlgebraicNumber
from .chebyshev import chebyshev_to_monomial, monomial_to_chebyshev, recurrence_coefficients
from .extrapolation_bound import ExtrapolationCertificate, certify_extrapolation
from .hankel import (
    HankelRank,
    hankel_determinant,
    hankel_matrix,
    hankel_rank,
    hankel_singular_values,
)
from .measure import DiscreteMeasure
from .methods import METHODS, RecoveryMethod, register_method
from .realization import Realization, minimal_realization
from .recovery import Recovery, Status, gauss_rule, matrix_pencil, prony, recover_measure
from .sdp import ExtrapolationRange, extrapolation_range, stability_bound
from .truncated import Feasibility, MomentRange, moment_feasible, next_moment_range

__all__ = [
    "AlgebraicNumber",
    "METHODS",
    "RecoveryMethod",
    "Status",
    "register_method",
    "ExtrapolationCertificate",
    "ExtrapolationRange",
    "Feasibility",
    "MomentRange",
    "Realization",
    "extrapolation_range",
    "minimal_realization",
    "moment_feasible",
    "next_moment_range",
    "stability_bound",
    "DiscreteMeasure",
    "HankelRank",
    "Recovery",
    "certify_extrapolation",
    "chebyshev_to_monomial",
    "gauss_rule",
    "hankel_determinant",
    "hankel_matrix",
    "hankel_rank",
    "hankel_singular_values",
    "matrix_pencil",
    "monomial_to_chebyshev",
    "prony",
    "recover_measure",
    "recurrence_coefficients",
]
