r"""Coefficient tables of Runge-Kutta and Rosenbrock methods, checked against their order
conditions when they are built.

The conditions are evaluated in exact rational arithmetic on the binary values of the
coefficients: a table given by exact fractions must satisfy them exactly, a table given by
decimals (rounded to about 16 digits) to :data:`DECIMAL_TOLERANCE`. A mistyped coefficient
therefore fails at import, with the condition that it breaks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from numbers import Rational

from ...errors import InputError

__all__ = ["ButcherTableau", "RosenbrockTableau", "DECIMAL_TOLERANCE"]

# Residual allowed in an order condition when a coefficient is a float: tables printed to 16
# significant digits meet their conditions to about 1e-15 (RODAS4: 9e-16 at most).
DECIMAL_TOLERANCE = 1e-14
# Highest order whose conditions are generated (rooted trees: 1, 1, 2, 4, 9, 20, 48, 115).
MAX_RK_ORDER = 8
MAX_ROSENBROCK_ORDER = 4

Vector = list[Fraction]
Matrix = list[list[Fraction]]


def _exact(x: object, what: str) -> Fraction:
    if isinstance(x, bool) or not isinstance(x, (int, float, Rational)):
        raise InputError(f"{what}={x!r} must be a number (int, float or Fraction)")
    return Fraction(x)


def _is_rational(values: Sequence[object]) -> bool:
    """Whether every coefficient is exact (int or Fraction): then the conditions must hold
    exactly."""
    return all(isinstance(v, (int, Rational)) and not isinstance(v, bool) for v in values)


def _rows(a: Sequence[Sequence[float]], s: int, what: str) -> Matrix:
    """The strictly lower triangular s x s matrix whose row i has the i entries ``a[i]``."""
    if len(a) != s:
        raise InputError(f"{what} has {len(a)} rows for {s} stages")
    out = [[Fraction(0)] * s for _ in range(s)]
    for i, row in enumerate(a):
        if len(row) != i:
            raise InputError(f"{what} row {i} has {len(row)} entries; an explicit table has i "
                             "entries in row i (the strictly lower triangle)")
        for j, v in enumerate(row):
            out[i][j] = _exact(v, f"{what}[{i}][{j}]")
    return out


def _mat_vec(m: Matrix, v: Vector) -> Vector:
    return [sum((x * y for x, y in zip(row, v)), Fraction(0)) for row in m]


def _dot(u: Vector, v: Vector) -> Fraction:
    return sum((x * y for x, y in zip(u, v)), Fraction(0))


@cache
def _trees(order: int) -> tuple:
    """Rooted trees with ``order`` vertices, each a sorted tuple of its root's subtrees."""
    if order == 1:
        return ((),)
    out = set()
    for parts in _partitions(order - 1):
        for combo in _subtree_choices(parts):
            out.add(tuple(sorted(combo)))
    return tuple(sorted(out))


def _partitions(n: int, largest: int | None = None) -> Iterator[tuple[int, ...]]:
    largest = n if largest is None else largest
    if n == 0:
        yield ()
        return
    for first in range(min(n, largest), 0, -1):
        for rest in _partitions(n - first, first):
            yield (first, *rest)


def _subtree_choices(parts: tuple[int, ...]) -> Iterator[tuple]:
    if not parts:
        yield ()
        return
    for tree in _trees(parts[0]):
        for rest in _subtree_choices(parts[1:]):
            yield (tree, *rest)


def _size(tree: tuple) -> int:
    return 1 + sum(_size(t) for t in tree)


def _density(tree: tuple) -> int:
    """gamma(t): the tree's order times the densities of its subtrees."""
    out = _size(tree)
    for t in tree:
        out *= _density(t)
    return out


def _weights(tree: tuple, a: Matrix) -> Vector:
    """The elementary weights Phi_i(t) of every stage (the condition is b . Phi = 1/gamma)."""
    s = len(a)
    out = [Fraction(1)] * s
    for sub in tree:
        inner = _mat_vec(a, _weights(sub, a))
        out = [x * y for x, y in zip(out, inner)]
    return out


def _check(residuals: list[tuple[str, Fraction]], exact: bool, name: str) -> None:
    tolerance = 0 if exact else DECIMAL_TOLERANCE
    for what, r in residuals:
        if abs(r) > tolerance:
            raise InputError(
                f"{name}: the order condition {what} fails by {float(r):.3g} (allowed "
                f"{tolerance:g}); a coefficient is wrong, or the stated order is too high")


@dataclass(frozen=True)
class ButcherTableau:
    r"""An explicit Runge-Kutta method with an embedded solution for the error estimate.

    Parameters
    ----------
    c : sequence of float
        Nodes; ``c[i]`` must be the sum of row ``i`` of ``a``.
    a : sequence of sequences
        Row ``i`` holds the ``i`` coefficients :math:`a_{ij}`, ``j < i`` (explicit methods
        only: the first row is empty).
    b, b_hat : sequence of float
        Weights of the solution (order ``order``) and of the embedded one (order
        ``embedded_order``), which gives the local error estimate.
    order, embedded_order : int
    name : str
        Named in the message of a failed check.

    Raises
    ------
    InputError
        When a row-sum condition or an order condition :math:`b\cdot\Phi(t) = 1/\gamma(t)`
        over the rooted trees :math:`t` up to the stated order fails (exactly for int and
        Fraction coefficients, to :data:`DECIMAL_TOLERANCE` for floats), or when ``b_hat``
        equals ``b`` (an error estimate that is always zero).

    Notes
    -----
    The steps use the coefficients as doubles (``step_a``, ``step_b`` and the error weights
    ``step_error`` = ``b - b_hat``, formed exactly before rounding); the exact values given
    are kept for the order conditions. ``fsal`` says whether the table is first same as last
    (its last row of ``a`` is ``b``, whose last weight is 0): the last stage is then the
    evaluation at the new point, which the next step reuses.
    """

    c: tuple
    a: tuple
    b: tuple
    b_hat: tuple
    order: int
    embedded_order: int
    name: str = "tableau"
    stages: int = field(init=False)
    step_a: tuple = field(init=False, repr=False)
    step_b: tuple = field(init=False, repr=False)
    step_error: tuple = field(init=False, repr=False)
    fsal: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for attr in ("c", "b", "b_hat"):
            object.__setattr__(self, attr, tuple(getattr(self, attr)))
        object.__setattr__(self, "a", tuple(tuple(row) for row in self.a))
        s = len(self.b)
        object.__setattr__(self, "stages", s)
        if s < 1 or len(self.c) != s or len(self.b_hat) != s:
            raise InputError(f"{self.name}: c, b and b_hat must have one entry per stage "
                             f"(got {len(self.c)}, {s}, {len(self.b_hat)})")
        for attr in ("order", "embedded_order"):
            v = getattr(self, attr)
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_RK_ORDER:
                raise InputError(f"{self.name}: {attr}={v!r} must be an integer in "
                                 f"[1, {MAX_RK_ORDER}]")
        a = _rows(self.a, s, f"{self.name}: a")
        c = [_exact(v, f"{self.name}: c") for v in self.c]
        coefficients = [*self.c, *self.b, *self.b_hat, *(v for row in self.a for v in row)]
        exact = _is_rational(coefficients)
        residuals = [(f"c[{i}] = sum of a[{i}]", c[i] - sum(a[i], Fraction(0)))
                     for i in range(s)]
        for label, weights, order in (("b", self.b, self.order),
                                      ("b_hat", self.b_hat, self.embedded_order)):
            w = [_exact(v, f"{self.name}: {label}") for v in weights]
            for n in range(1, order + 1):
                for tree in _trees(n):
                    residuals.append((f"{label}.Phi(t) = 1/{_density(tree)} (tree {tree!r} of "
                                      f"order {n})",
                                      _dot(w, _weights(tree, a)) - Fraction(1, _density(tree))))
        _check(residuals, exact, self.name)
        b = [_exact(v, f"{self.name}: b") for v in self.b]
        error = [x - _exact(y, f"{self.name}: b_hat") for x, y in zip(b, self.b_hat)]
        if not any(error):
            raise InputError(f"{self.name}: b_hat equals b, so the error estimate "
                             "h * sum((b - b_hat) k) is zero at every step and the step size "
                             "is never controlled; give the weights of an embedded solution "
                             "of another order")
        # the coefficients the steps use, as doubles: exact Fractions would make every stage
        # an object array (several times slower); the error weights b - b_hat are formed
        # exactly first, so they keep their relative accuracy
        object.__setattr__(self, "step_a", tuple(tuple(float(x) for x in row[:i])
                                                 for i, row in enumerate(a)))
        object.__setattr__(self, "step_b", tuple(float(x) for x in b))
        object.__setattr__(self, "step_error", tuple(float(x) for x in error))
        # first same as last: the last stage is evaluated at the new point (its row of a is
        # b, exactly), so it is the first stage of the next step
        object.__setattr__(self, "fsal", s > 1 and a[s - 1][: s - 1] == b[: s - 1]
                           and b[s - 1] == 0)


@dataclass(frozen=True)
class RosenbrockTableau:
    r"""A Rosenbrock method in the transformed form of Hairer and Wanner (Solving ODEs II,
    sec. IV.7) for autonomous systems:

    .. math::

        (I/(h\gamma) - J)\, u_i = f\Big(y + \sum_{j<i} a_{ij} u_j\Big)
        + \sum_{j<i} \frac{c_{ij}}{h} u_j, \qquad y_1 = y + \sum_i m_i u_i,

    with the embedded solution :math:`\hat y_1 = y + \sum_i \hat m_i u_i`.

    Parameters
    ----------
    gamma : float
        The diagonal :math:`\gamma_{ii} = \gamma`.
    a, c : sequences of sequences
        Row ``i`` holds the ``i`` coefficients :math:`a_{ij}` (:math:`c_{ij}`), ``j < i``.
    m, m_hat : sequence of float
    order, embedded_order : int
        At most 4 (the conditions are those of Hairer and Wanner's Table IV.7.1).
    name : str

    Raises
    ------
    InputError
        When an order condition of the method or of its embedded solution fails. The
        conditions are written in the original coefficients: with :math:`\Gamma^{-1} =
        I/\gamma - C`, :math:`\alpha = A\Gamma`, :math:`b = m\Gamma` and :math:`\beta_{ij} =
        \alpha_{ij} + \gamma_{ij}` (j < i): :math:`\sum b_i = 1`, :math:`\sum b_i\beta'_i =
        1/2 - \gamma`, :math:`\sum b_i\alpha_i^2 = 1/3`, :math:`\sum b_i\beta_{ij}\beta'_j = 1/6 -
        \gamma + \gamma^2`, and the four conditions of order 4.
    """

    gamma: float
    a: tuple
    c: tuple
    m: tuple
    m_hat: tuple
    order: int
    embedded_order: int
    name: str = "tableau"
    stages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "m", tuple(self.m))
        object.__setattr__(self, "m_hat", tuple(self.m_hat))
        object.__setattr__(self, "a", tuple(tuple(row) for row in self.a))
        object.__setattr__(self, "c", tuple(tuple(row) for row in self.c))
        s = len(self.m)
        object.__setattr__(self, "stages", s)
        if s < 1 or len(self.m_hat) != s:
            raise InputError(f"{self.name}: m and m_hat must have one entry per stage (got "
                             f"{s}, {len(self.m_hat)})")
        for attr in ("order", "embedded_order"):
            v = getattr(self, attr)
            if isinstance(v, bool) or not isinstance(v, int) or \
                    not 1 <= v <= MAX_ROSENBROCK_ORDER:
                raise InputError(f"{self.name}: {attr}={v!r} must be an integer in "
                                 f"[1, {MAX_ROSENBROCK_ORDER}]")
        g = _exact(self.gamma, f"{self.name}: gamma")
        if g <= 0:
            raise InputError(f"{self.name}: gamma={self.gamma!r} must be positive")
        A = _rows(self.a, s, f"{self.name}: a")
        C = _rows(self.c, s, f"{self.name}: c")
        coefficients = [self.gamma, *self.m, *self.m_hat,
                        *(v for row in (*self.a, *self.c) for v in row)]
        exact = _is_rational(coefficients)
        # Gamma = (I/gamma - C)^{-1}, lower triangular: forward substitution, column by column
        inv = [[(1 / g if i == j else Fraction(0)) - C[i][j] for j in range(s)]
               for i in range(s)]
        G = [[Fraction(0)] * s for _ in range(s)]
        for col in range(s):
            for i in range(s):
                rhs = Fraction(int(i == col)) - sum((inv[i][k] * G[k][col] for k in range(i)),
                                                    Fraction(0))
                G[i][col] = rhs / inv[i][i]
        alpha = [[_dot(A[i], [G[k][j] for k in range(s)]) for j in range(s)] for i in range(s)]
        beta = [[alpha[i][j] + G[i][j] if j < i else Fraction(0) for j in range(s)]
                for i in range(s)]
        a_sum = [sum(row, Fraction(0)) for row in alpha]
        b_sum = [sum(row, Fraction(0)) for row in beta]
        conditions = [
            (1, "sum b_i = 1", lambda b: _dot(b, [Fraction(1)] * s) - 1),
            (2, "sum b_i beta'_i = 1/2 - gamma", lambda b: _dot(b, b_sum) - (Fraction(1, 2) - g)),
            (3, "sum b_i alpha_i^2 = 1/3",
             lambda b: _dot(b, [x * x for x in a_sum]) - Fraction(1, 3)),
            (3, "sum b_i beta_ij beta'_j = 1/6 - gamma + gamma^2",
             lambda b: _dot(b, _mat_vec(beta, b_sum)) - (Fraction(1, 6) - g + g * g)),
            (4, "sum b_i alpha_i^3 = 1/4",
             lambda b: _dot(b, [x ** 3 for x in a_sum]) - Fraction(1, 4)),
            (4, "sum b_i alpha_i alpha_ij beta'_j = 1/8 - gamma/3",
             lambda b: _dot(b, [x * y for x, y in zip(a_sum, _mat_vec(alpha, b_sum))])
             - (Fraction(1, 8) - g / 3)),
            (4, "sum b_i beta_ij alpha_j^2 = 1/12 - gamma/3",
             lambda b: _dot(b, _mat_vec(beta, [x * x for x in a_sum])) - (Fraction(1, 12) - g / 3)),
            (4, "sum b_i beta_ij beta_jk beta'_k = 1/24 - gamma/2 + 3 gamma^2/2 - gamma^3",
             lambda b: _dot(b, _mat_vec(beta, _mat_vec(beta, b_sum)))
             - (Fraction(1, 24) - g / 2 + Fraction(3, 2) * g * g - g ** 3)),
        ]
        residuals = []
        for label, weights, order in (("m", self.m, self.order),
                                      ("m_hat", self.m_hat, self.embedded_order)):
            mw = [_exact(v, f"{self.name}: {label}") for v in weights]
            b = [_dot(mw, [G[k][j] for k in range(s)]) for j in range(s)]  # b = m Gamma
            residuals += [(f"{what} (weights {label})", cond(b))
                          for n, what, cond in conditions if n <= order]
        _check(residuals, exact, self.name)
        if all(_exact(x, "m") == _exact(y, "m_hat") for x, y in zip(self.m, self.m_hat)):
            raise InputError(f"{self.name}: m_hat equals m, so the error estimate is zero at "
                             "every step and the step size is never controlled; give the "
                             "weights of an embedded solution of another order")

    @property
    def error_weights(self) -> tuple:
        """:math:`m_i - \\hat m_i`: the error estimate is :math:`\\sum_i (m_i - \\hat m_i) u_i`."""
        return tuple(x - y for x, y in zip(self.m, self.m_hat))
