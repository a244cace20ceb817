"""Setups shared by the tests of ``momentrnn prove`` (tests/test_prove*.py): the command run
in a subprocess, and the float flow of the diagonal model that the enclosures are checked
against."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from momentrnn.rnn import init_student, named_teacher
from momentrnn.rnn.losses import diagonal_loss_grad


def prove_command(*args: str) -> subprocess.CompletedProcess:
    """``python -m momentrnn prove ARGS`` (text output captured, 300 s at most)."""
    return subprocess.run([sys.executable, "-m", "momentrnn", "prove", *args],
                          capture_output=True, text=True, timeout=300)


def two_pole_float_flow(dim: int = 2, scale: float = 0.1, seed: int = 0, k: int = 5):
    """``(f, z0)``: the float right-hand side ``f(t, z)`` of the gradient flow of the two_pole
    teacher's first ``k`` lags (unit lag weights, the package's ``diagonal_loss_grad``) and
    ``init_student(dim, scale=scale, seed=seed)``'s doubles as ``z0 = (a, b, c)``."""
    target = named_teacher("two_pole").impulse_response(k)
    student = init_student(dim, scale=scale, seed=seed)
    z0 = np.concatenate([student.a, student.b, student.c])

    def f(_, z):
        _, ga, gb, gc = diagonal_loss_grad(z[:dim], z[dim:2 * dim], z[2 * dim:], target,
                                           np.ones(k))
        return -np.concatenate([ga, gb, gc])

    return f, z0
