"""momentrnn: moment problems and the dynamics of overparameterized linear RNNs."""

from . import errors
from .dynamics import GDResult, Trajectory, gradient_descent, integrate_flow
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
from .rnn import (
    DiagonalRNN,
    LinearRNN,
    SymmetricRNN,
    effective_dimension,
    extrapolation_error,
    init_student,
    moment_loss,
    moment_loss_gradient,
    moment_loss_hessian,
    named_teacher,
    random_teacher,
    teacher_from_measure,
)

__version__ = "0.1.0"

__all__ = [
    "DiagonalRNN",
    "GDResult",
    "LinearRNN",
    "SymmetricRNN",
    "Trajectory",
    "effective_dimension",
    "extrapolation_error",
    "gradient_descent",
    "init_student",
    "integrate_flow",
    "moment_loss",
    "moment_loss_gradient",
    "moment_loss_hessian",
    "named_teacher",
    "random_teacher",
    "teacher_from_measure",
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
