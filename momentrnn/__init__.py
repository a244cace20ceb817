"""momentrnn: moment problems and the dynamics of overparameterized linear RNNs."""

from . import errors
from .errors import MomentRNNError, NotPositiveError
from .moments import (
    DiscreteMeasure,
    HankelRank,
    Recovery,
    gauss_rule,
    hankel_determinant,
    hankel_matrix,
    hankel_rank,
    matrix_pencil,
    prony,
    recover_measure,
    recurrence_coefficients,
)
from .precision import MP, Ball, Exact, Float64

__version__ = "0.1.0"

__all__ = [
    "MP",
    "Ball",
    "DiscreteMeasure",
    "Exact",
    "Float64",
    "HankelRank",
    "MomentRNNError",
    "NotPositiveError",
    "Recovery",
    "errors",
    "gauss_rule",
    "hankel_determinant",
    "hankel_matrix",
    "hankel_rank",
    "matrix_pencil",
    "prony",
    "recover_measure",
    "recurrence_coefficients",
]
