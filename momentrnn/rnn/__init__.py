"""Linear RNN models, teachers and students, the moment loss and its derivatives."""

from .analysis import effective_dimension
from .losses import (
    extrapolation_error,
    lag_weights_for,
    moment_loss,
    moment_loss_gradient,
    moment_loss_hessian,
)
from .models import DiagonalRNN, LinearRNN, SymmetricRNN
from .teachers import init_student, named_teacher, random_teacher, teacher_from_measure

__all__ = [
    "DiagonalRNN",
    "LinearRNN",
    "SymmetricRNN",
    "effective_dimension",
    "extrapolation_error",
    "init_student",
    "lag_weights_for",
    "moment_loss",
    "moment_loss_gradient",
    "moment_loss_hessian",
    "named_teacher",
    "random_teacher",
    "teacher_from_measure",
]
