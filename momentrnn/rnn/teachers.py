"""Teachers (the target networks) and students (initialisations)."""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._limits import MAX_ATOMS
from .._validate import _kind, finite, positive_int, shown
from ..errors import InputError
from ..moments import DiscreteMeasure, to_float
from ._limits import check_memory
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

    Parameters
    ----------
    measure : DiscreteMeasure or tuple (atoms, weights)
        The measure :math:`\sum_i w_i \delta_{a_i}`; a tuple is passed to
        :class:`DiscreteMeasure`. Exact or multiprecision atoms and weights are rounded to
        double precision. One unit per atom: an atom of weight zero is kept (as a unit with
        :math:`b_i = c_i = 0`), so the teacher is minimal only when every weight is non-zero.

    Returns
    -------
    DiagonalRNN
        The teacher :math:`(a, b, c)` with :math:`b_i c_i = w_i`; real unless an atom or a
        weight is complex, then complex with :math:`b = c`.

    Raises
    ------
    InputError
        When ``measure`` is neither a DiscreteMeasure nor a pair, or
        :class:`DiscreteMeasure` refuses the pair's atoms and weights.

    Examples
    --------
    >>> t = teacher_from_measure(DiscreteMeasure([1.0], [1.0]))
    >>> t.impulse_response(3)
    array([1., 1., 1.])
    """
    if isinstance(measure, tuple):
        if len(measure) != 2:
            raise InputError(
                f"measure is a tuple of {len(measure)} items; teacher_from_measure needs a "
                "DiscreteMeasure or a pair (atoms, weights), e.g. ([0.5, -0.5], [1.0, 2.0])")
        measure = DiscreteMeasure(*measure)
    if not isinstance(measure, DiscreteMeasure):
        raise InputError(f"measure={measure!r:.80} (a {type(measure).__name__}) is not a "
                         "measure; teacher_from_measure needs a DiscreteMeasure or a pair "
                         "(atoms, weights)")
    a = np.array([to_float(x) for x in measure.atoms])
    w = np.array([to_float(x) for x in measure.weights])
    if np.iscomplexobj(a) or np.iscomplexobj(w):
        root = np.sqrt(w.astype(complex))
        return DiagonalRNN(a.astype(complex), root, root)
    b = np.sqrt(np.abs(w))
    return DiagonalRNN(a, b, np.sign(w) * b)


def named_teacher(name: str) -> DiagonalRNN:
    r"""One of the named teachers, built by :func:`teacher_from_measure`.

    Parameters
    ----------
    name : str
        One of

        - ``'long_memory'``: :math:`\delta_1` (no decay);
        - ``'decaying'``: :math:`\delta_{0.5}`;
        - ``'oscillating'``: :math:`\delta_{-0.9}`;
        - ``'two_pole'``: :math:`\delta_{0.9} + \delta_{-0.5}`;
        - ``'several'``: :math:`\delta_{0.95} + 0.5\,\delta_{0.6} + 0.8\,\delta_{-0.4}`;
        - ``'negative_weight'``: :math:`\delta_{0.8} - 0.5\,\delta_{-0.5}`, a signed
          measure (the negative control of claim R12).

    Returns
    -------
    DiagonalRNN
        A teacher with one unit per atom, balanced (:math:`b = c`) except for the negative
        weight of ``'negative_weight'``.

    Raises
    ------
    InputError
        When ``name`` is not one of these strings.

    Examples
    --------
    >>> named_teacher("two_pole").impulse_response(3)
    array([2.  , 0.4 , 1.06])
    """
    if not isinstance(name, str) or name not in NAMED_TEACHERS:
        raise InputError(f"teacher {name!r} is not known; use one of the names "
                         f"{', '.join(NAMED_TEACHERS)}")
    return teacher_from_measure(DiscreteMeasure(*NAMED_TEACHERS[name]))


def random_teacher(dim: int, *, seed: int = 0, positive: bool = True,
                   atom_range: tuple[float, float] = (-0.95, 0.95)) -> DiagonalRNN:
    r"""A teacher with ``dim`` random atoms in ``atom_range`` and weights in [0.2, 1].

    Atoms are drawn uniformly from ``atom_range`` and sorted, weight magnitudes uniformly from
    [0.2, 1); the same ``seed`` gives the same teacher.

    Parameters
    ----------
    dim : int
        Number of atoms (units), at least 1.
    seed : int, optional
        Non-negative seed of the random generator; default 0.
    positive : bool, optional
        True (default): positive weights and a balanced teacher. False: each weight gets a
        random sign (a negative weight is realised with :math:`c_i = -b_i`). Only ``True``
        or ``False`` (Python or numpy bools).
    atom_range : tuple of two real numbers, optional
        ``(low, high)``, finite, with ``low <= high``; default (-0.95, 0.95). Atoms outside
        [-1, 1] are allowed (a growing response); keep it inside (-1, 1) for a decaying
        response.

    Returns
    -------
    DiagonalRNN
        The teacher, built by :func:`teacher_from_measure`.

    Raises
    ------
    InputError
        When ``dim`` is not a positive integer, ``seed`` not a non-negative integer,
        ``positive`` not a bool, ``atom_range`` not a pair of finite real numbers with
        ``low <= high``, or two atoms coincide (e.g. ``low == high`` with ``dim >= 2``).

    Examples
    --------
    >>> t = random_teacher(3, seed=1)
    >>> t.dim, t.is_balanced, bool(abs(t.a).max() < 0.95)
    (3, True, True)
    """
    _positive_int(dim, "dim", maximum=MAX_ATOMS,
                  hint="a teacher has no more atoms than lags can be fitted")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed={seed!r} must be a non-negative integer{_kind(seed)}")
    if not isinstance(positive, (bool, np.bool_)):
        raise InputError(f"positive={positive!r} must be True or False")
    low, high = _atom_range(atom_range)
    rng = np.random.default_rng(int(seed))
    a = np.sort(rng.uniform(low, high, size=dim))
    w = rng.uniform(0.2, 1.0, size=dim)
    if not positive:
        w *= rng.choice([-1.0, 1.0], size=dim)
    return teacher_from_measure(DiscreteMeasure(a, w))


_positive_int = positive_int


def _atom_range(atom_range: object) -> tuple[float, float]:
    fix = "pass (low, high) with finite low <= high, e.g. atom_range=(-0.95, 0.95)"
    if isinstance(atom_range, (str, bytes)) or not hasattr(atom_range, "__len__") or \
            len(atom_range) != 2:  # type: ignore[arg-type]
        raise InputError(f"atom_range={atom_range!r} is not a pair of numbers; {fix}")
    ends = []
    for end in atom_range:  # type: ignore[union-attr]
        if isinstance(end, (bool, np.bool_)) or not isinstance(end, numbers.Real):
            raise InputError(f"atom_range={atom_range!r}: {end!r} is not a real number; {fix}")
        ends.append(float(end))
    low, high = ends
    if not (math.isfinite(low) and math.isfinite(high) and math.isfinite(high - low)):
        raise InputError(f"atom_range={atom_range!r} is not finite; {fix}")
    if low > high:
        raise InputError(f"atom_range={atom_range!r} has low > high; {fix}")
    return low, high


def init_student(dim: int, *, scale: float, mode: str = "random", seed: int = 0,
                 diagonal: bool = True) -> DiagonalRNN | LinearRNN:
    r"""An initial student of state dimension ``dim``.

    Parameters
    ----------
    dim : int
        State dimension, at least 1.
    scale : float
        Positive finite size of the initialisation, e.g. ``1e-3``; required (keyword only).
    mode : str, optional
        How the parameters are drawn (default ``'random'``):

        - ``'random'``: every parameter independent :math:`N(0, \mathrm{scale}^2)`, the
          near-zero random initialisation of the paper;
        - ``'balanced'``: :math:`a` random, :math:`b = c` random;
        - ``'unbalanced'``: :math:`b \sim N(0, \mathrm{scale}^2)`,
          :math:`c \sim N(0, (\mathrm{scale}/10)^2)`;
        - ``'zero_output'``: :math:`c = 0`;
        - ``'grid'``: :math:`a` on the ``dim`` interior points of a uniform grid of
          :math:`(-1, 1)`, :math:`b = c = \mathrm{scale}` (nothing random).
    seed : int, optional
        Non-negative seed of the random generator; default 0.
    diagonal : bool, optional
        True (default) for a :class:`DiagonalRNN`; False for a full :class:`LinearRNN` with
        :math:`A` entries :math:`N(0, \mathrm{scale}^2/\mathrm{dim})` and :math:`B, C`
        entries :math:`N(0, \mathrm{scale}^2)`, where ``'balanced'`` means :math:`A`
        replaced by its symmetric part and :math:`C = B` (still returned as a
        :class:`LinearRNN`), and ``'grid'`` a diagonal :math:`A` with
        :math:`B = C = \mathrm{scale}`.

    Returns
    -------
    DiagonalRNN or LinearRNN
        The student.

    Raises
    ------
    InputError
        When ``dim`` is not a positive integer, ``scale`` not a positive finite number,
        ``mode`` not one of the five names, ``seed`` not a non-negative integer or
        ``diagonal`` not a bool, or the parameters would need more than half of this
        machine's memory.

    Examples
    --------
    >>> init_student(3, scale=0.1, mode="grid")
    DiagonalRNN(a=array([-0.5,  0. ,  0.5]), b=array([0.1, 0.1, 0.1]), c=array([0.1, 0.1, 0.1]))
    """
    dim = _positive_int(dim, "dim")
    if isinstance(diagonal, (bool, np.bool_)):
        diagonal = bool(diagonal)
    else:
        raise InputError(f"diagonal={diagonal!r} must be True or False")

    check_memory(8.0 * (3 * dim if diagonal else dim * dim + 2 * dim),
                 f"a student of dimension {dim}", "use a smaller dim")
    if isinstance(scale, (bool, np.bool_)) or not isinstance(scale, (int, float, np.integer,
                                                                    np.floating)):
        raise InputError(f"scale={scale!r} must be a positive finite number, e.g. 1e-3")
    if not (finite(scale) and scale > 0):
        value = shown(scale) if isinstance(scale, (int, np.integer)) else repr(float(scale))
        raise InputError(f"scale={value} must be a positive finite number within the "
                         "double range, e.g. 1e-3")
    scale = float(scale)
    if not isinstance(mode, str) or mode not in INIT_MODES:
        raise InputError(f"mode={mode!r} is not known; use one of {', '.join(INIT_MODES)}")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed={seed!r} must be a non-negative integer{_kind(seed)}")
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
