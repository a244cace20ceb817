r"""Arithmetics as objects, and the moment algorithms written once over them.

An *arithmetic* says what its numbers are: how to read a stored value into one (``convert``),
its zero and one, how to add a list of terms, how to build a matrix, solve a square or
overdetermined system, find the roots of a monic polynomial and the eigenvalues of a matrix.
One object per arithmetic and precision, as mpmath's contexts are; nothing global is read or
written. Prony (:eq:`eq-prony`), the matrix pencil, the Vandermonde weight fit and the Hankel
matrix (:eq:`eq-hankel`) are written once below, over any of them:

=========================  ===========================================================
:data:`FLOAT`              numpy doubles (vectorised; no Python loops over entries)
:class:`MPArith`           an mpmath context at its precision
:data:`RATIONALS`          python-flint ``fmpq``: exact
:data:`SYMBOLIC`           sympy numbers: exact complex Hankel matrices
``_ball.Balls``            python-flint ``arb``/``acb``: exact midpoints, radii rounded out
``_ball.RationalBalls``    exact linear algebra over Q, roots and eigenvalues as balls
=========================  ===========================================================

The modified Chebyshev algorithm of the Gauss rules is written once too
(``_ball.recurrence``). Steps that differ for a reason stay with their arithmetic, each
saying why: the SVD-truncated pencil in doubles, Lagrange weights from exact rationals in
balls.

Each precision object makes its own arithmetic (``precision.arithmetic(real=...)`` in
:mod:`momentrnn.precision`): a new arithmetic is a subclass of :class:`Arithmetic` made by
the ``arithmetic`` method of a precision object, which also says of itself what the recovery
and bounds modules ask (``exact``, ``encloses``, ``rounded``, ``dps``, ...).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence

import flint
import numpy as np
import scipy.linalg

from ..errors import IllConditionedError, InputError, RankError
from ._data import require_exact, to_fraction
from ._scalars import global_mp, to_float, to_mp
from .measure import power_sums

__all__ = [
    "Arithmetic",
    "SingularSystem",
    "NeedPrecision",
    "SignUndecided",
    "FloatArith",
    "FLOAT",
    "MPArith",
    "Rationals",
    "RATIONALS",
    "SYMBOLIC",
    "hankel",
    "vandermonde_fit",
    "prony_coefficients",
    "prony",
    "pencil",
]


class SingularSystem(Exception):
    """Internal: an arithmetic's ``solve`` met a (numerically or provably) singular system."""


class NeedPrecision(Exception):
    """Internal: the ball computation could not separate what it needs at this precision."""


class SignUndecided(IllConditionedError):
    """A rounded computation met a value that is not positive where a positive one was needed:
    rounding alone can cause that, so nothing is proved (see :meth:`Arithmetic.positive`)."""


class Arithmetic:
    """The operations the moment algorithms need, for one kind of number.

    Subclasses implement at least ``convert``, ``matrix``, ``solve`` and, for Prony and the
    pencil, ``monic_roots`` and ``eigenvalues``; the rest have generic defaults.

    Attributes
    ----------
    name : str
        Shown in messages.
    exact : bool
        Computations are exact: a zero residual proves an overdetermined system consistent.
    """

    name = "arithmetic"
    exact = False

    # -- numbers
    def convert(self, value):
        """A stored value (int, Fraction, fmpq, ...) as a number of this arithmetic."""
        raise NotImplementedError

    @property
    def zero(self):
        return self.convert(0)

    @property
    def one(self):
        return self.convert(1)

    def sum(self, terms: Sequence):
        """The sum of a list of numbers of this arithmetic."""
        total = self.zero
        for t in terms:
            total = total + t
        return total

    def may_be_zero(self, value) -> bool:
        """Zero, or (for balls) not proved non-zero."""
        return value == 0

    def positive(self, value) -> bool | None:
        """Whether a real number is positive: ``True`` or ``False``, or ``None`` when this
        arithmetic cannot tell.

        ``False`` is a proof (exact arithmetic, or a ball below zero). A rounded result that is
        not positive gives ``None``: rounding alone can change the sign. A positive rounded
        result gives ``True``, which lets a computation go on but proves nothing. Raises
        ``TypeError`` for complex numbers.
        """
        if value > 0:
            return True
        return False if self.exact else None

    def undecided(self, message: str) -> Exception:
        """The exception for a sign :meth:`positive` cannot decide: :class:`SignUndecided`,
        or for balls :class:`NeedPrecision` (the precision is raised)."""
        return SignUndecided(message)

    def working(self):
        """A context manager for the arithmetic's working state (ball precision); by default
        none."""
        return contextlib.nullcontext()

    # -- matrices
    def matrix(self, rows: list[list]):
        """A matrix from a list of rows of numbers of this arithmetic."""
        raise NotImplementedError

    def gather(self, values: Sequence, index: Sequence[Sequence[int]]):
        """The matrix ``[values[index[i][j]]]`` (Hankel and Vandermonde construction)."""
        return self.matrix([[values[k] for k in row] for row in index])

    def column(self, values: Sequence):
        """A column vector."""
        return self.matrix([[v] for v in values])

    def entries(self, column) -> list:
        """The entries of a column vector, as a list."""
        return [column[i, 0] for i in range(len(self._rows(column)))]

    def _rows(self, column) -> range:
        return range(column.nrows())

    def multiply(self, A, B):
        return A * B

    def powers(self, atoms: Sequence, count: int):
        """The ``count x n`` Vandermonde matrix ``[x_i^j]`` (row j, column i)."""
        one = self.one
        rows = [[one] * len(atoms)]
        for _ in range(1, count):
            rows.append([p * x for p, x in zip(rows[-1], atoms)])
        return self.matrix(rows)

    def values(self, data) -> list:
        """The moments of a ``MomentData`` in this arithmetic."""
        if data.imag is not None:
            raise InputError(f"{self.name} holds real numbers only")
        return [self.convert(v) for v in data.real]

    def export(self, value):
        """A result as the package returns it (Fraction for rationals, else unchanged)."""
        return value

    def export_matrix(self, A):
        """A matrix as the package returns it (rows of Fractions for rationals, else
        unchanged)."""
        return A

    def export_vector(self, v):
        """A row or column vector as the package returns it (a list of Fractions for
        rationals, else unchanged)."""
        return v

    def guarded(self) -> Arithmetic:
        """The same arithmetic with guard digits, for sums whose result is then rounded back
        with :meth:`rounded` (itself where rounding is not an issue)."""
        return self

    def rounded(self, values):
        """Values of :meth:`guarded` rounded to this arithmetic's precision."""
        return values

    def power_sums(self, atoms: Sequence, weights: Sequence, count: int):
        r"""The moments :math:`m_j = \sum_i w_i x_i^j`, ``j < count``."""
        return power_sums(atoms, weights, count, self.sum)

    def det(self, A):
        """The determinant of a square matrix."""
        return A.det()

    def atom_arithmetic(self) -> Arithmetic:
        """The arithmetic the atoms are found in (itself, except where linear algebra is
        exact and roots are balls)."""
        return self

    def residual(self, A, X, B) -> list:
        """The entries of ``A X - B`` for column vectors X, B."""
        return self.entries(self.multiply(A, X) - B)

    def solve(self, A, B):
        """``A X = B``, in the least-squares sense when A has more rows than columns.

        Raises :class:`SingularSystem` when the system cannot be solved in this arithmetic.
        """
        raise NotImplementedError

    # -- spectra
    def monic_roots(self, coeffs: list) -> list:
        """The roots of :math:`x^n + c_{n-1} x^{n-1} + \\dots + c_0` (``coeffs = c_0..c_{n-1}``)."""
        raise NotImplementedError

    def eigenvalues(self, A) -> list:
        raise NotImplementedError

    def left_singular_vectors(self, A, n: int) -> list[list]:
        """The left singular vectors of the ``n`` largest singular values of ``A``, as rows
        (row ``i`` holds their ``i``-th entries): an orthonormal basis of the dominant column
        space. Optional: only the rounded arithmetics have an SVD."""
        raise NotImplementedError(f"{self.name} has no singular value decomposition")

    # -- algorithm steps an arithmetic may specialise
    def pencil_pair(self, m: Sequence, n: int):
        """Matrices ``P0, P1`` whose shift operator ``P0 \\ P1`` has the atoms as eigenvalues:
        the ``(M - n) x n`` Hankel matrix and its shift."""
        rows = len(m) - n
        return hankel(self, m, rows, n), hankel(self, m, rows, n, shift=1)

    def interpolation_weights(self, m: Sequence, atoms: list, coeffs: list | None):
        """Weights from the Prony polynomial and ``m_0..m_{n-1}`` (Lagrange), or ``None`` to
        fit them to every moment with :func:`vandermonde_fit` (the default)."""
        return None

    def singular(self, error: type[Exception], message: str) -> Exception:
        """The exception for a singular system: ``error(message)`` by default."""
        return error(message)

    #: the method ``method='auto'`` runs in this arithmetic
    auto_method = "prony"
    #: the form of a minimal realisation (``realization.py``) built in this arithmetic, or
    #: ``None`` where none is offered
    realization_form: str | None = "shift"

    # -- fixed-precision recovery (doubles and mpmath)
    #: digits a certified computation is asked for when it checks a result of this arithmetic
    confirm_digits: float = 0.0

    def recovery_values(self, data) -> Sequence:
        """The moments for :meth:`run_method` (refusing data the arithmetic cannot hold)."""
        return self.values(data)

    def run_method(self, method, m, n: int, basis: str) -> tuple[list, list]:
        """Atoms and weights of a registered recovery method run in this arithmetic."""
        raise NotImplementedError(f"{self.name} has no fixed-precision recovery")


# ----------------------------------------------------------------------------------------
# the algorithms, once


def hankel(ar: Arithmetic, values: Sequence, rows: int, cols: int, shift: int = 0):
    r"""The ``rows x cols`` Hankel matrix :math:`[m_{i+j+\text{shift}}]` in ``ar``."""
    return ar.gather(values, _hankel_index(rows, cols, shift))


@functools.lru_cache(maxsize=512)
def _hankel_index(rows: int, cols: int, shift: int) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(range(i + shift, i + shift + cols)) for i in range(rows))


@functools.lru_cache(maxsize=512)
def _index_array(index: tuple) -> np.ndarray:
    out = np.array(index, dtype=np.intp)
    out.flags.writeable = False
    return out


def _solve(ar: Arithmetic, A, B, error: type[Exception], message: str):
    try:
        return ar.solve(A, B)
    except SingularSystem:
        raise ar.singular(error, message) from None


def vandermonde_fit(ar: Arithmetic, m: Sequence, atoms: Sequence, *, residual: bool = False):
    """Weights solving ``sum_i w_i x_i^j = m_j`` for every given moment (least squares when
    overdetermined); with ``residual``, also the residual of every moment."""
    V = ar.powers(atoms, len(m))
    b = ar.column(m)
    w = _solve(ar, V, b, IllConditionedError,
               f"the Vandermonde system of the {len(atoms)} atoms is singular in {ar.name} "
               "(atoms too close to separate); raise the precision or use digits=")
    return (ar.entries(w), ar.residual(V, w, b)) if residual else ar.entries(w)


def prony_coefficients(ar: Arithmetic, m: Sequence, n: int) -> tuple[list, bool]:
    """Coefficients ``c_0..c_{n-1}`` of the monic Prony polynomial, and whether the system is
    consistent (square, or exact with a zero residual).

    Solves :math:`\\sum_k c_k m_{i+k} = -m_{i+n}` for ``i < M - n`` (:eq:`eq-prony`).
    """
    rows = len(m) - n
    H = hankel(ar, m, rows, n)
    rhs = ar.column([-m[n + i] for i in range(rows)])
    why = (f"singular: the moments have Hankel rank below {n}" if ar.exact else
           f"numerically singular in {ar.name}: the rank is too large for the data, or the "
           "precision too low")
    c = _solve(ar, H, rhs, RankError, f"the {n}x{n} Hankel system is {why}; pass a smaller "
               "rank (or rank=None to detect it)")
    consistent = rows == n or (ar.exact and all(r == 0 for r in ar.residual(H, c, rhs)))
    return ar.entries(c), consistent


def _weights(ar: Arithmetic, m: Sequence, atoms: list, coeffs: list | None, square: bool):
    w = ar.interpolation_weights(m, atoms, coeffs) if square else None
    if w is not None:
        return w
    fit = ar.atom_arithmetic()
    return vandermonde_fit(fit, m if fit is ar else [fit.convert(v) for v in m], atoms)


def prony(ar: Arithmetic, m: Sequence, n: int) -> tuple[list, list, bool]:
    """Prony's method: kernel of the Hankel matrix, roots of the Prony polynomial, weights.

    Returns ``(atoms, weights, consistent)``.
    """
    with ar.working():
        coeffs, consistent = prony_coefficients(ar, m, n)
        atoms = ar.monic_roots(coeffs)
        return atoms, _weights(ar, m, atoms, coeffs, consistent), consistent


def pencil(ar: Arithmetic, m: Sequence, n: int) -> tuple[list, list, bool]:
    """The matrix pencil: eigenvalues of the shift operator of the Hankel pair, then weights.

    Returns ``(atoms, weights, square)``.
    """
    if len(m) < 2 * n:
        raise RankError(f"the pencil needs 2*rank = {2 * n} moments, got {len(m)}")
    with ar.working():
        P0, P1 = ar.pencil_pair(m, n)
        why = ("singular: the moments have Hankel rank below" if ar.exact else
               f"numerically singular in {ar.name}: the data do not carry")
        A = _solve(ar, P0, P1, RankError, f"H0 is {why} {n} atoms; pass a smaller rank")
        atoms = ar.eigenvalues(A)
        square = len(m) == 2 * n
        return atoms, _weights(ar, m, atoms, None, square), square


# ----------------------------------------------------------------------------------------
# double precision


class FloatArith(Arithmetic):
    """numpy double precision (complex where needed); vectors are 1-D arrays."""

    name = "double precision"

    def convert(self, value):
        return to_float(value)

    def sum(self, terms):
        return np.sum(terms)

    def matrix(self, rows):
        return np.array(rows)

    def gather(self, values, index):
        return np.asarray(values)[_index_array(index) if isinstance(index, tuple)
                                  else np.array(index)]

    def column(self, values):
        return np.asarray(values)

    def entries(self, column):
        return column

    def multiply(self, A, B):
        return A @ B

    def residual(self, A, X, B):
        return A @ X - B

    def solve(self, A, B):
        # the minimum-norm least-squares solution (SVD); never raises
        return np.linalg.lstsq(A, B, rcond=None)[0] if B.ndim == 1 else np.linalg.pinv(A) @ B

    def powers(self, atoms, count):
        return np.vander(atoms, count, increasing=True).T

    def power_sums(self, atoms, weights, count):
        return np.asarray(weights) @ np.vander(np.asarray(atoms), count, increasing=True)

    def det(self, A):
        d = np.real_if_close(np.linalg.det(A))
        return float(d) if np.isrealobj(d) else complex(d)

    def values(self, data):
        return data.as_numpy()

    def monic_roots(self, coeffs):
        return np.roots(np.concatenate([[1.0], np.asarray(coeffs)[::-1]]))

    def eigenvalues(self, A):
        return scipy.linalg.eigvals(A)

    def left_singular_vectors(self, A, n):
        U = np.linalg.svd(A, full_matrices=False)[0]  # singular values in decreasing order
        return [list(row) for row in U[:, :n]]

    confirm_digits = 17.0
    auto_method = "pencil"  # the SVD-truncated pencil is the robust choice in doubles
    realization_form = "balanced"  # the SVD of H, not H_n^{-1}, for the same reason

    def recovery_values(self, data):
        m = data.as_numpy()
        if not np.all(np.isfinite(m)) or (data.max_abs_exact() and not np.any(m)):
            raise InputError("the moments lie beyond the double range, so Float64() cannot "
                             "hold them: use precision=MP(dps) or digits=")
        return m

    def run_method(self, method, m, n, basis):
        atoms, weights = method.run_float(m, n, basis)
        return list(atoms), list(weights)

    def pencil_pair(self, m, n):
        # doubles: SVD-truncated pencil (Hua and Sarkar) on M//2 columns, robust to rounding
        L = len(m) // 2
        _, _, Vh = np.linalg.svd(hankel(self, m, len(m) - L, L + 1))
        # Y = U S Vh, so the rows of Y (powers of the atoms in the column index) span the
        # first n rows of Vh themselves, not their conjugates
        V = Vh[:n].T
        return V[:-1], V[1:]


FLOAT = FloatArith()


# ----------------------------------------------------------------------------------------
# mpmath


class MPArith(Arithmetic):
    """An mpmath context (its precision is the working precision)."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self.ctx.dps} digits"

    def convert(self, value):
        return to_mp(value, self.ctx)

    @property
    def zero(self):
        return self.ctx.mpf(0)

    @property
    def one(self):
        return self.ctx.mpf(1)

    def sum(self, terms):
        return self.ctx.fsum(terms)

    def values(self, data):
        return data.as_mp(self.ctx)

    @property
    def confirm_digits(self) -> float:  # type: ignore[override]
        return float(self.ctx.dps) + 2

    def run_method(self, method, m, n, basis):
        atoms, weights = method.run_mp(self.ctx, m, n, basis)
        return [global_mp(v) for v in atoms], [global_mp(v) for v in weights]

    def guarded(self):
        wide = type(self.ctx)()
        wide.dps = self.ctx.dps + 10
        return MPArith(wide)

    def rounded(self, values):
        return [+self.ctx.mpmathify(v) for v in values]

    def det(self, A):
        return self.ctx.det(A)

    def matrix(self, rows):
        return self.ctx.matrix(rows)

    def column(self, values):
        return self.ctx.matrix(list(values))

    def _rows(self, column):
        return range(column.rows)

    def solve(self, A, B):
        ctx = self.ctx
        try:
            if A.rows > A.cols:
                return self._least_squares(A, B)
            return ctx.lu_solve(A, B) if B.cols == 1 else ctx.inverse(A) * B
        except ZeroDivisionError:
            raise SingularSystem from None

    def _least_squares(self, A, B):
        """Normal equations at twice the working precision.

        (mpmath's Householder QR divides by zero when a column starts with an exact 0, as the
        Hankel matrix of ``m_0 = 0`` does.) Doubling the precision absorbs the squared
        condition number of the normal equations.
        """
        ctx = self.ctx
        wide = type(ctx)()
        wide.prec = 2 * ctx.prec + 20
        Aw = wide.matrix([[wide.mpmathify(A[i, j]) for j in range(A.cols)] for i in range(A.rows)])
        Bw = wide.matrix([[wide.mpmathify(B[i, j]) for j in range(B.cols)] for i in range(B.rows)])
        At = Aw.H
        N, R = At * Aw, At * Bw
        X = wide.lu_solve(N, R) if B.cols == 1 else wide.inverse(N) * R
        return ctx.matrix([[ctx.mpmathify(X[i, j]) for j in range(X.cols)]
                           for i in range(X.rows)])

    def monic_roots(self, coeffs):
        ctx, n = self.ctx, len(coeffs)
        if ctx.prec > _POLISH_BITS:
            polished = _polished_roots(ctx, [ctx.mpf(1)] + list(coeffs)[::-1], 4 * n + 20)
            if polished is not None:
                return polished
        try:
            roots = ctx.polyroots([ctx.mpf(1)] + list(coeffs)[::-1], maxsteps=50 + 10 * n,
                                  extraprec=4 * n + 20)
        except ctx.NoConvergence:
            raise IllConditionedError(
                f"mpmath polyroots did not converge at {ctx.dps} digits for degree {n}; "
                "raise dps or use digits="
            ) from None
        return list(roots)

    def eigenvalues(self, A):
        eig = self.ctx.eig(A, left=False, right=False)
        return list(eig[0] if isinstance(eig, tuple) else eig)  # 1x1 input returns a tuple

    def left_singular_vectors(self, A, n):
        U, S, _ = self.ctx.svd(A, full_matrices=False, compute_uv=True)
        order = sorted(range(len(S)), key=lambda k: -S[k])[:n]  # the n largest
        return [[U[i, k] for k in order] for i in range(U.rows)]


# Above this working precision (bits) mpmath's polyroots (Durand-Kerner at the full precision,
# dozens of pure-Python divisions of numbers that long) gives way to roots found at this many
# bits and polished by Newton's method, doubling the precision each step: recover --dps 40000
# of four moments spent 6 of its 7.4 s of CPU in polyroots.
_POLISH_BITS = 3000


def _polished_roots(ctx, poly: list, extra: int) -> list | None:
    """The roots of ``poly`` (highest coefficient first) at ``ctx``'s precision from roots at
    ``_POLISH_BITS`` bits, each polished by Newton steps at doubling precision; ``None`` (let
    polyroots find them) unless every root is simple, apart from the others, and its last
    Newton step moved it by less than half the working precision's digits (quadratic
    convergence then leaves it good to the full precision)."""
    target = ctx.prec + extra
    low = type(ctx)()
    low.prec = _POLISH_BITS
    try:
        start = low.polyroots([low.mpmathify(c) for c in poly], maxsteps=50 + 10 * len(poly),
                              extraprec=extra)
    except low.NoConvergence:
        return None
    work = type(ctx)()
    roots = []
    for x in start:
        precs = [target]
        while precs[-1] > 2 * _POLISH_BITS:
            precs.append(precs[-1] // 2 + 8)
        step = None
        for prec in [*precs[::-1], target]:  # the last step at the full precision checks
            work.prec = prec
            x = work.mpmathify(x)
            value, slope = work.polyval([work.mpmathify(c) for c in poly], x, derivative=True)
            if not slope:
                return None
            step = value / slope
            x = x - step
        if step and abs(step) > work.ldexp(max(1, abs(x)), -(ctx.prec // 2 - 16)):
            return None
        roots.append(x)
    work.prec = _POLISH_BITS // 2
    scale = max([work.mpf(1)] + [abs(work.mpmathify(x)) for x in roots])
    for i, x in enumerate(roots):
        for y in roots[:i]:
            if abs(work.mpmathify(x) - work.mpmathify(y)) < work.ldexp(scale, -64):
                return None  # two starts went to one root: a cluster, for polyroots
    return [ctx.mpmathify(x) for x in roots]


# ----------------------------------------------------------------------------------------
# exact rationals


class Rationals(Arithmetic):
    """Exact rational arithmetic (python-flint ``fmpq``); roots are left to the exact and ball
    recoveries, which factor the polynomial or isolate its roots."""

    name = "exact arithmetic"
    exact = True

    def convert(self, value):
        from fractions import Fraction

        if isinstance(value, Fraction):
            return flint.fmpq(value.numerator, value.denominator)
        return flint.fmpq(value)

    @property
    def zero(self):
        return flint.fmpq(0)

    @property
    def one(self):
        return flint.fmpq(1)

    def matrix(self, rows):
        return flint.fmpq_mat(len(rows), len(rows[0]), [v for row in rows for v in row])

    def gather(self, values, index):
        return flint.fmpq_mat(len(index), len(index[0]), [values[k] for row in index for k in row])

    def values(self, data):
        require_exact(data)
        if data.imag is not None:
            raise InputError("exact rational arithmetic holds real numbers only")
        return list(data.real)

    def export(self, value):
        return to_fraction(value)

    def export_matrix(self, A):
        return [[to_fraction(A[i, j]) for j in range(A.ncols())] for i in range(A.nrows())]

    def export_vector(self, v):
        return [to_fraction(x) for x in v.entries()]

    def det(self, A):
        return self.export(A.det())

    def solve(self, A, B):
        if A.nrows() > A.ncols():
            A, B = A.transpose() * A, A.transpose() * B
        try:
            return A.solve(B)
        except ZeroDivisionError:
            raise SingularSystem from None


RATIONALS = Rationals()


class Symbolic(Arithmetic):
    """sympy numbers, exact; used for exact complex moments (a sympy ``Matrix``)."""

    name = "exact complex arithmetic"
    exact = True

    def convert(self, value):
        import sympy

        return sympy.nsimplify(value)

    def values(self, data):
        import sympy

        require_exact(data)
        imag = data.imag if data.imag is not None else [flint.fmpq(0)] * data.count
        return [sympy.Rational(int(a.p), int(a.q)) + sympy.I * sympy.Rational(int(b.p), int(b.q))
                for a, b in zip(data.real, imag)]

    def matrix(self, rows):
        import sympy

        return sympy.Matrix(rows)

    def solve(self, A, B):
        raise NotImplementedError("sympy linear algebra is not used by the moment algorithms")


SYMBOLIC = Symbolic()
