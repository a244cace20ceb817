"""Teachers (the target networks) and students (initialisations)."""

from __future__ import annotations

import numpy as np

from .._validate import positive_int
from ..errors import InputError
from ..moments import DiscreteMeasure
from ..moments._scalars import to_float
from .models import DiagonalRNN, LinearRNN

__all__ = ["teacher_from_measure", "named_teacher", "random_teacher", "init_student",
           "NAMED_TEACHERS", "INIT_MODES"]

NAMED_TEACHERS = {
    "long_memory": ([1.0], [1.0]),
    "decaying": ([0.5], [1.0]),
    "oscillating": ([-0.9], [1.0]),
    "two_pole": ([0.9, -0.5], [1.0, 1.0]),
    "several": ([0.95, 0.6, -0.4], [1.0, 0.5, 0.8]),
    "negative_weight": ([0.8, -0.5], [1.0, -0.5]),
}

INIT_MODES = ("random", "balanced", "unbalanced", "zero_output", "grid")


def teacher_from_measure(measure: DiscreteMeasure | tuple) -> DiagonalRNN:
    r"""A minimal diagonal teacher whose impulse response has the moments of ``measure``.

    Balanced (:math:`b = c = \sqrt{w}`) for positive weights; a negative weight gets
    :math:`c_i = -b_i`, a complex weight complex :math:`b = c = \sqrt{w}`.

    Examples
    --------
    >>> t = teacher_from_measure(DiscreteMeasure([1.0], [1.0]))
    >>> t.impulse_response(3)
    array([1., 1., 1.])
    """
    if isinstance(measure, tuple):
        measure = DiscreteMeasure(*measure)
    if not isinstance(measure, DiscreteMeasure):
        raise InputError("teacher_from_measure needs a DiscreteMeasure or (atoms, weights)")
    a = np.array([to_float(x) for x in measure.atoms])
    w = np.array([to_float(x) for x in measure.weights])
    if np.iscomplexobj(a) or np.iscomplexobj(w):
        root = np.sqrt(w.astype(complex))
        return DiagonalRNN(a.astype(complex), root, root)
    b = np.sqrt(np.abs(w))
    return DiagonalRNN(a, b, np.sign(w) * b)


def named_teacher(name: str) -> DiagonalRNN:
    """One of the named teachers: ``long_memory`` (atom 1), ``decaying``, ``oscillating``,
    ``two_pole`` (0.9 and -0.5), ``several`` (three atoms), ``negative_weight`` (R12 control)."""
    if name not in NAMED_TEACHERS:
        raise InputError(f"teacher {name!r} is not known; use one of {', '.join(NAMED_TEACHERS)}")
    return teacher_from_measure(DiscreteMeasure(*NAMED_TEACHERS[name]))


def random_teacher(dim: int, *, seed: int = 0, positive: bool = True,
                   atom_range: tuple[float, float] = (-0.95, 0.95)) -> DiagonalRNN:
    """A teacher with ``dim`` distinct random atoms in ``atom_range`` and weights in [0.2, 1]
    (random signs unless ``positive``)."""
    _positive_int(dim, "dim")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed={seed!r} must be a non-negative integer")
    rng = np.random.default_rng(int(seed))
    a = np.sort(rng.uniform(*atom_range, size=dim))
    w = rng.uniform(0.2, 1.0, size=dim)
    if not positive:
        w *= rng.choice([-1.0, 1.0], size=dim)
    return teacher_from_measure(DiscreteMeasure(a, w))


_positive_int = positive_int


def init_student(dim: int, *, scale: float, mode: str = "random", seed: int = 0,
                 diagonal: bool = True) -> DiagonalRNN | LinearRNN:
    """An initial student of state dimension ``dim``.

    Modes: ``random`` (every parameter independent N(0, scale^2), the near-zero random
    initialisation of the paper), ``balanced`` (a random, b = c random), ``unbalanced``
    (b and c of different sizes: b ~ N(0, scale^2), c ~ N(0, (scale/10)^2)),
    ``zero_output`` (c = 0), ``grid`` (a on a uniform grid of (-1, 1), b = c = scale).
    ``diagonal=False`` gives a full LinearRNN (A entries N(0, scale^2 / dim); ``balanced``
    then means A symmetric and B = C).
    """
    dim = _positive_int(dim, "dim")
    if isinstance(diagonal, (bool, np.bool_)):
        diagonal = bool(diagonal)
    else:
        raise InputError(f"diagonal={diagonal!r} must be True or False")
    from ._limits import check_memory

    check_memory(8.0 * (3 * dim if diagonal else dim * dim + 2 * dim),
                 f"a student of dimension {dim}", "use a smaller dim")
    if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, (int, float, np.integer,
                                                                    np.floating)):
        raise InputError(f"scale={scale!r} must be a positive finite number, e.g. 1e-3")
    scale = float(scale)
    if not (np.isfinite(scale) and scale > 0):
        raise InputError(f"scale={scale!r} must be a positive finite number, e.g. 1e-3")
    if not isinstance(mode, str) or mode not in INIT_MODES:
        raise InputError(f"mode={mode!r} is not known; use one of {', '.join(INIT_MODES)}")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed={seed!r} must be a non-negative integer")
    rng = np.random.default_rng(int(seed))
    if not diagonal:
        A = rng.normal(0, scale / np.sqrt(dim), size=(dim, dim))
        B = rng.normal(0, scale, size=dim)
        C = rng.normal(0, scale, size=dim)
        if mode == "balanced":
            A, C = (A + A.T) / 2, B.copy()
        elif mode == "zero_output":
            C = np.zeros(dim)
        elif mode == "unbalanced":
            C = C / 10
        elif mode == "grid":
            A, B = np.diag(np.linspace(-1, 1, dim + 2)[1:-1]), np.full(dim, scale)
            C = B.copy()
        return LinearRNN(A, B, C)
    a = rng.normal(0, scale, size=dim)
    b = rng.normal(0, scale, size=dim)
    c = rng.normal(0, scale, size=dim)
    if mode == "balanced":
        c = b.copy()
    elif mode == "unbalanced":
        c = c / 10
    elif mode == "zero_output":
        c = np.zeros(dim)
    elif mode == "grid":
        a = np.linspace(-1, 1, dim + 2)[1:-1]
        b = np.full(dim, float(scale))
        c = b.copy()
    return DiagonalRNN(a, b, c)
