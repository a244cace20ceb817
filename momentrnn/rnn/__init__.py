"""Linear RNN models, teachers and students, the moment loss and its derivatives."""

from .analysis import LearnedMeasure, effective_dimension, learned_measure, moment_accuracy
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
    "LearnedMeasure",
    "LinearRNN",
    "SymmetricRNN",
    "effective_dimension",
    "extrapolation_error",
    "init_student",
    "lag_weights_for",
    "learned_measure",
    "moment_accuracy",
    "moment_loss",
    "moment_loss_gradient",
    "moment_loss_hessian",
    "named_teacher",
    "random_teacher",
    "teacher_from_measure",
]
