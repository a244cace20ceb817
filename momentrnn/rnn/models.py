r"""Linear RNN models: full, symmetric and diagonal.

A linear RNN :math:`\Theta = (A, B, C)` maps an input sequence :math:`x_1, \dots, x_T` to
:math:`s_t = A s_{t-1} + B x_t` (:math:`s_0 = 0`) and the output :math:`y = C s_T
= \sum_t h_{T-t} x_t`, where :math:`h_j = C A^j B` is the impulse response (docs label
:eq:`eq-impulse-response`). For a diagonal model :math:`h_j = \sum_i b_i c_i a_i^j` is the
:math:`j`-th moment of :math:`\mu_\Theta = \sum_i b_i c_i \delta_{a_i}`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._limits import MAX_EXACT_RESPONSE_BYTES, format_bytes
from .._validate import positive_int, shown
from ..errors import InputError
from ..moments import DiscreteMeasure
from ..precision import Float64, Precision, as_precision, flint_precision
from ._limits import check_memory

__all__ = ["LinearRNN", "SymmetricRNN", "DiagonalRNN"]


def brief(value: object) -> str:
    return shown(value, 60)


def _array(value: object, name: str) -> np.ndarray:
    """``value`` as a numpy array; a ragged nesting (``[[1, 2], [3]]``) is an InputError."""
    try:
        return np.asarray(value)
    except (ValueError, TypeError):
        raise InputError(f"{name} must be a rectangular array of numbers; {brief(value)} has "
                         "rows of different lengths or entries that are not numbers") from None


def _vector(value: object, name: str, dim: int | None = None) -> np.ndarray:
    arr = _array(value, name)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or arr.dtype == bool:
        raise InputError(f"{name} must be numeric, got dtype {arr.dtype}")
    arr = arr.reshape(-1) if arr.ndim == 2 and 1 in arr.shape else arr
    if arr.ndim != 1:
        raise InputError(f"{name} must be a vector, got shape {np.shape(value)}")
    if dim is None and arr.shape[0] == 0:
        raise InputError(f"{name} is empty; a model has at least one unit (state dimension "
                         ">= 1)")
    if dim is not None and arr.shape[0] != dim:
        raise InputError(f"{name} has length {arr.shape[0]}, expected {dim} (the state dimension)")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} has non-finite entries; parameters must be finite")
    return arr.astype(np.complex128 if np.iscomplexobj(arr) else np.float64)


class _Model:
    """Shared behaviour: impulse response, outputs, measure."""

    dim: int

    def output(self, inputs: object) -> np.ndarray:
        r"""Outputs :math:`y = C s_T` for a batch of input sequences of shape (batch, T)."""
        raw = _array(inputs, "inputs")
        if raw.dtype == object or not (np.issubdtype(raw.dtype, np.number)
                                       and raw.dtype != bool):
            raise InputError(f"inputs={brief(inputs)} must be real numbers of shape (batch, T)")
        if np.iscomplexobj(raw):
            raise InputError("inputs must be real: outputs of complex input sequences are not "
                             "computed (pass the real and imaginary parts separately)")
        x = raw.astype(float)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2:
            raise InputError(f"inputs must have shape (batch, T), got {np.shape(inputs)}")
        h = np.asarray(self.impulse_response(x.shape[1]))
        return x @ h[::-1]


_IMPULSE_RESPONSE_DOC = r"""The first ``count`` lags :math:`h_j = C A^j B`.

``Float64()`` (default) gives a numpy array; ``MP``, ``Ball`` and ``Exact`` give lists of
mpmath numbers, balls or Fractions, computed from the exact binary values of the parameters.
"""


def _count(count: object, dim: int = 1, itemsize: int = 8) -> int:
    count = positive_int(count, "count")

    check_memory(2.0 * int(count) * max(dim, 1) * itemsize,
                 f"an impulse response of {int(count)} lags of a state of dimension {dim}",
                 "ask for fewer lags")
    return int(count)


def _exact_size(values: np.ndarray, count: int, dim: int) -> None:
    """Refuse exact lags whose digits alone would pass the limit, before computing them.

    Lag ``j`` of parameters with denominators up to ``2**e`` has a denominator up to
    ``2**(e j)`` and a numerator about as long (plus ``j log2(dim max|x|)`` bits): the lags
    hold about ``(2 e + log2(dim max|x|)) count**2 / 2`` bits.
    """
    from fractions import Fraction

    flat = [float(v) for v in np.asarray(values).ravel() if np.isfinite(v) and v != 0]
    if not flat:
        return
    den = max(Fraction(v).denominator.bit_length() - 1 for v in flat)
    grow = 2 * den + max(0.0, math.log2(dim * max(abs(v) for v in flat))) + 1
    nbytes = grow * count * count / 16
    if nbytes > MAX_EXACT_RESPONSE_BYTES:
        most = int(math.sqrt(16 * MAX_EXACT_RESPONSE_BYTES / grow))
        raise InputError(
            f"an exact impulse response of {count} lags would hold about "
            f"{format_bytes(nbytes)} of digits (each lag of these parameters about {grow:.0f} "
            f"bits longer than the last), more than the {format_bytes(MAX_EXACT_RESPONSE_BYTES)}"
            f" computed exactly (the work grows as the cube of the lags); ask for at most "
            f"{most} lags, or use MP(dps) or Float64()")


@dataclass(frozen=True, eq=False)
class DiagonalRNN(_Model):
    r"""A diagonal linear RNN :math:`A = \mathrm{diag}(a)`, :math:`B = b`, :math:`C = c^\top`.

    Parameters
    ----------
    a, b, c : array_like, shape (d,)
        Real or complex.

    Examples
    --------
    >>> m = DiagonalRNN([0.5, -0.5], [1.0, 1.0], [1.0, 2.0])
    >>> m.impulse_response(3)
    array([ 3.  , -0.5 ,  0.75])
    """

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray

    def __init__(self, a: object, b: object, c: object) -> None:
        a_ = _vector(a, "a")
        object.__setattr__(self, "a", a_)
        object.__setattr__(self, "b", _vector(b, "b", a_.shape[0]))
        object.__setattr__(self, "c", _vector(c, "c", a_.shape[0]))

    @property
    def dim(self) -> int:
        """State dimension d."""
        return int(self.a.shape[0])

    @property
    def weights(self) -> np.ndarray:
        """:math:`w_i = b_i c_i`."""
        return self.b * self.c

    @property
    def is_balanced(self) -> bool:
        """True when b = c exactly."""
        return bool(np.array_equal(self.b, self.c))

    def measure(self) -> DiscreteMeasure:
        r""":math:`\mu_\Theta = \sum_i b_i c_i \delta_{a_i}`, equal atoms merged."""
        merged: dict = {}
        for x, w in zip(self.a.tolist(), self.weights.tolist()):
            merged[x] = merged.get(x, 0.0) + w
        return DiscreteMeasure(list(merged), list(merged.values()))

    def impulse_response(self, count: int, *, precision: Precision | None = None):
        count = _count(count, self.dim, self.a.itemsize)
        prec = as_precision(precision, default=Float64())
        if prec.doubles:
            w = self.weights
            with np.errstate(over="ignore", invalid="ignore"):  # |a| > 1 may overflow: inf
                powers = np.vander(self.a, count, increasing=True)
                h = w @ powers
            live = w != 0
            if not np.all(live) and not np.all(np.isfinite(h)):
                # a unit of weight 0 adds exactly 0, also where its a^j overflows (0 * inf)
                if not np.any(live):
                    return np.zeros(count, dtype=h.dtype)
                return DiagonalRNN(self.a[live], self.b[live], self.c[live]) \
                    .impulse_response(count)
            return h
        if prec.exact:
            _exact_size(np.concatenate([self.a, self.weights]), count, 1)
        measure = self.measure()
        if prec.exact:
            # floats are exact binary rationals: Exact() uses the parameters' exact values
            from fractions import Fraction

            measure = DiscreteMeasure([Fraction(x) for x in measure.atoms],
                                      [Fraction(w) for w in measure.weights])
        return measure.moments(count, precision=prec)

    def to_full(self) -> LinearRNN:
        """The same model as a full LinearRNN."""
        return LinearRNN(np.diag(self.a), self.b, self.c)


@dataclass(frozen=True, eq=False)
class LinearRNN(_Model):
    r"""A full linear RNN :math:`(A, B, C)`, :math:`A \in R^{d\times d}`, B and C vectors.

    Its impulse response is :math:`h_j = C A^j B`; when :math:`A` is diagonalisable,
    :meth:`measure` gives the discrete measure whose moments these are.

    Parameters
    ----------
    A : array_like, shape (d, d)
        The state matrix: a square array of finite real or complex numbers (integers are
        converted to float; booleans are refused). Stored as a float64 or complex128 array.
    B, C : array_like, shape (d,)
        The input and output vectors, real or complex and finite; a (d, 1) or (1, d) array is
        read as a vector of length d.

    Raises
    ------
    InputError
        When ``A`` is not square, or ``A``, ``B`` or ``C`` has a non-numeric or non-finite
        entry, or ``B`` or ``C`` is not a vector of length d.

    Examples
    --------
    >>> m = LinearRNN([[0.0, 1.0], [0.0, 0.0]], [0.0, 1.0], [1.0, 0.0])   # a shift register
    >>> m.impulse_response(3)
    array([0., 1., 0.])
    """

    A: np.ndarray
    B: np.ndarray
    C: np.ndarray

    def __init__(self, A: object, B: object, C: object) -> None:
        A_ = _array(A, "A")
        if A_.ndim != 2 or A_.shape[0] != A_.shape[1]:
            raise InputError(f"A must be a square matrix, got shape {A_.shape}")
        if not np.issubdtype(A_.dtype, np.number) or not np.all(np.isfinite(A_)):
            raise InputError("A must have finite numeric entries")
        d = A_.shape[0]
        object.__setattr__(self, "A", A_.astype(np.complex128 if np.iscomplexobj(A_)
                                                 else np.float64))
        object.__setattr__(self, "B", _vector(B, "B", d))
        object.__setattr__(self, "C", _vector(C, "C", d))

    @property
    def dim(self) -> int:
        """State dimension d."""
        return int(self.A.shape[0])

    def impulse_response(self, count: int, *, precision: Precision | None = None):
        count = _count(count, 1, self.A.itemsize)
        prec = as_precision(precision, default=Float64())
        if prec.doubles:
            out = np.empty(count, dtype=np.result_type(self.A, self.B, self.C))
            x = self.B.copy()
            for j in range(count):
                out[j] = self.C @ x
                x = self.A @ x
            return out
        if prec.exact and not np.iscomplexobj(self.A):
            _exact_size(np.concatenate([self.A.ravel(), self.B, self.C]), count, self.dim)
        return _exact_or_mp_response(self, count, prec)

    def measure(self, *, precision: Precision | None = None) -> DiscreteMeasure:
        r"""The discrete measure with moments :math:`h_j`, from :math:`A = V \Lambda V^{-1}`.

        Atoms are the eigenvalues, weights :math:`(CV)_i (V^{-1}B)_i`; complex where needed.
        ``MP(dps)`` computes the eigendecomposition with mpmath.
        """
        prec = as_precision(precision, default=Float64())
        if prec.mpmath:
            ctx = prec.context()
            A = ctx.matrix(self.A.tolist())
            E, V = ctx.eig(A)
            Vi = ctx.inverse(V)
            n = self.dim
            left = [ctx.fsum(self.C[r] * V[r, i] for r in range(n)) for i in range(n)]
            right = [ctx.fsum(Vi[i, r] * self.B[r] for r in range(n)) for i in range(n)]
            return DiscreteMeasure(list(E), [left[i] * right[i] for i in range(n)])
        vals, V = np.linalg.eig(self.A)
        if np.linalg.cond(V) > 1e12:
            raise InputError(
                "A is not (numerically) diagonalisable; its impulse response is not the moment "
                "sequence of a discrete measure with simple atoms"
            )
        w = (self.C @ V) * np.linalg.solve(V, self.B)
        if np.all(np.abs(vals.imag) == 0) and np.all(np.abs(w.imag) <= 1e-14 * np.abs(w).max()):
            vals, w = vals.real, w.real
        merged: dict = {}
        for x, wi in zip(vals.tolist(), w.tolist()):
            merged[x] = merged.get(x, 0.0) + wi
        return DiscreteMeasure(list(merged), list(merged.values()))


def _exact_or_mp_response(model: LinearRNN, count: int, prec: Precision) -> list:
    from fractions import Fraction

    if prec.mpmath:
        ctx = prec.context(extra_dps=10)
        A = ctx.matrix(model.A.tolist())
        x = ctx.matrix(model.B.tolist())
        C = ctx.matrix([model.C.tolist()])
        out = []
        for _ in range(count):
            out.append((C * x)[0, 0])
            x = A * x
        ctx.dps = prec.dps
        return [+v for v in out]
    if np.iscomplexobj(model.A):
        raise InputError("Exact and Ball impulse responses need a real model")
    import flint

    def q(v: float):
        f = Fraction(float(v))
        return flint.fmpq(f.numerator, f.denominator)

    d = model.dim
    A = flint.fmpq_mat(d, d, [q(v) for v in model.A.ravel()])
    x = flint.fmpq_mat(d, 1, [q(v) for v in model.B])
    C = flint.fmpq_mat(1, d, [q(v) for v in model.C])
    exact = []
    for _ in range(count):
        exact.append((C * x)[0, 0])
        x = A * x
    if prec.exact:
        return [Fraction(int(v.p), int(v.q)) for v in exact]
    with flint_precision(prec.bits):  # type: ignore[union-attr]
        return [flint.arb(v) for v in exact]


@dataclass(frozen=True, eq=False)
class SymmetricRNN(LinearRNN):
    r"""A linear RNN with symmetric :math:`A`; balanced when :math:`B = C^\top`.

    An orthogonal change of basis :math:`A = U \mathrm{diag}(a) U^\top` turns it into the
    diagonal model :math:`(a, U^\top B, U^\top C)` with the same impulse response (claim R2).

    Parameters
    ----------
    A : array_like, shape (d, d)
        A real matrix equal to its transpose exactly (entry by entry, no tolerance). A complex
        array is refused, even when Hermitian.
    B, C : array_like, shape (d,)
        The input and output vectors, finite; as for :class:`LinearRNN`.

    Raises
    ------
    InputError
        For anything :class:`LinearRNN` refuses, and when ``A`` is complex or not exactly
        symmetric.

    Examples
    --------
    >>> m = SymmetricRNN([[0.5, 0.25], [0.25, 0.5]], [1.0, 0.0], [1.0, 0.0])
    >>> m.is_balanced
    True
    >>> m.impulse_response(3)
    array([1.    , 0.5   , 0.3125])
    >>> bool(np.allclose(m.to_diagonal().impulse_response(8), m.impulse_response(8)))
    True
    """

    def __init__(self, A: object, B: object, C: object) -> None:
        super().__init__(A, B, C)
        if np.iscomplexobj(self.A) or not np.allclose(self.A, self.A.T, rtol=0, atol=0):
            raise InputError("SymmetricRNN needs a real symmetric A (A == A.T exactly)")

    @property
    def is_balanced(self) -> bool:
        """True when B = C exactly."""
        return bool(np.array_equal(self.B, self.C))

    def to_diagonal(self) -> DiagonalRNN:
        """The equivalent diagonal model, by the orthogonal eigendecomposition of A."""
        a, U = np.linalg.eigh(self.A)
        return DiagonalRNN(a, U.T @ self.B, U.T @ self.C)


DiagonalRNN.impulse_response.__doc__ = _IMPULSE_RESPONSE_DOC
LinearRNN.impulse_response.__doc__ = _IMPULSE_RESPONSE_DOC
