r"""The k-lag moment loss of linear RNNs, its gradient and the Jacobian of its gradient.

:math:`L_k(\Theta) = \sum_{j<k} \rho_j (h_j - \hat h_j)^2` (:eq:`eq-loss`), the mean
squared error of the final output under white inputs (claim R1). For the diagonal model with
:math:`r_j = h_j - \hat h_j`, :math:`u_j = 2\rho_j r_j`, :math:`V_{ji} = a_i^j`,
:math:`D_{ji} = j a_i^{j-1}`, :math:`E_{ji} = j(j-1) a_i^{j-2}` and :math:`w = b \circ c`:

.. math::

    \partial_a L = w \circ D^\top u, \quad \partial_b L = c \circ V^\top u, \quad
    \partial_c L = b \circ V^\top u,

and the Jacobian of the gradient is a block-diagonal part (one 3x3 block per unit, from
:math:`\sum_j u_j \nabla^2 r_j`) plus the rank-k Gauss-Newton part :math:`2 J^\top P J`
(:eq:`eq-loss-hessian`). All functions here accept a leading batch dimension.
"""

from __future__ import annotations

import math

import numpy as np

from .._validate import positive_int
from ..errors import InputError
from .models import DiagonalRNN, LinearRNN

__all__ = [
    "moment_loss",
    "moment_loss_gradient",
    "moment_loss_hessian",
    "extrapolation_error",
    "lag_weights_for",
    "diagonal_terms",
    "diagonal_loss_grad",
    "diagonal_hessian_parts",
    "full_loss_grad",
]


def lag_weights_for(k: int, lag_weights: object = None) -> np.ndarray:
    r"""Validated lag weights :math:`\rho_0..\rho_{k-1}` (default all ones).

    ``lag_weights='all_outputs'`` gives :math:`\rho_j = k - j`, the weights of a loss that reads
    the output at every step.

    Parameters
    ----------
    k : int
        Number of lags fitted, :math:`1 \le k \le 10\,000` (a Python or numpy integer, not a
        bool).
    lag_weights : None, 'all_outputs' or array_like of shape (k,), optional
        ``None`` (default) for :math:`\rho_j = 1`, ``'all_outputs'`` for
        :math:`\rho_j = k - j`, or ``k`` positive finite numbers.

    Returns
    -------
    numpy.ndarray
        The float weights :math:`\rho_0, \dots, \rho_{k-1}`, shape (k,).

    Raises
    ------
    InputError
        When ``k`` is not a positive integer or is more than 10 000, or ``lag_weights`` is
        another string, or an array of the wrong shape or with an entry that is not positive
        and finite.

    Examples
    --------
    >>> lag_weights_for(3, "all_outputs")
    array([3., 2., 1.])
    """
    k = positive_int(k, "k", hint="the number of lags fitted")
    from ._limits import MAX_LAGS

    if k > MAX_LAGS:
        raise InputError(f"k={k} lags are more than the {MAX_LAGS} this package fits (each "
                         "loss evaluation costs k times the state dimension, and a run needs "
                         f"thousands); use k <= {MAX_LAGS}")
    if lag_weights is None:
        return np.ones(int(k))
    if isinstance(lag_weights, str):
        if lag_weights == "all_outputs":
            return np.arange(k, 0, -1, dtype=float)
        raise InputError(f"lag_weights={lag_weights!r}: use None, 'all_outputs' or an array")
    rho = np.asarray(lag_weights, dtype=float)
    if rho.shape != (k,) or not np.all(np.isfinite(rho)) or np.any(rho <= 0):
        raise InputError(f"lag_weights must be {k} positive finite numbers, got {lag_weights!r}")
    return rho


def powers(a: np.ndarray, k: int) -> np.ndarray:
    """The array of powers a^j, j < k, shape (k, *a.shape), one vectorised product per row."""
    if a.size <= 1024:  # small: one call of numpy's cumulative product has less overhead
        return np.vander(a.ravel(), k, increasing=True).T.reshape((k,) + a.shape)
    out = np.empty((k,) + a.shape, dtype=np.result_type(a, float))
    out[0] = 1.0
    for j in range(1, k):
        np.multiply(out[j - 1], a, out=out[j])
    return out


def diagonal_terms(a: np.ndarray, k: int, order: int = 1):
    """V, D (and E when order == 2) of shape (..., k, d): powers and their a-derivatives."""
    j = np.arange(k, dtype=float)
    V = np.moveaxis(powers(a, k), 0, -2)  # (..., k, d)
    Vm1 = np.concatenate([np.zeros_like(V[..., :1, :]), V[..., :-1, :]], axis=-2)
    D = j[:, None] * Vm1
    if order == 1:
        return V, D
    Vm2 = np.concatenate([np.zeros_like(V[..., :1, :]), Vm1[..., :-1, :]], axis=-2)
    E = (j * (j - 1))[:, None] * Vm2
    return V, D, E


def diagonal_loss_grad(a, b, c, target, rho):
    """Loss and gradient of the diagonal model; arrays of shape (..., d), target (k,)."""
    k = target.shape[-1]
    V, D = diagonal_terms(a, k)
    w = b * c
    r = np.einsum("...kd,...d->...k", V, w) - target
    u = 2 * rho * r
    loss = np.einsum("...k,...k->...", rho * r, r)
    Vu = np.einsum("...kd,...k->...d", V, u)
    Du = np.einsum("...kd,...k->...d", D, u)
    return loss, w * Du, c * Vu, b * Vu


def diagonal_hessian_parts(a, b, c, target, rho):
    """Block-diagonal part (d, 3, 3) and the Gauss-Newton factor J (k, 3d) with weights rho.

    The Jacobian of the gradient is ``blockdiag(blocks) + 2 J^T diag(rho) J`` with the
    parameters ordered (a_1, b_1, c_1, a_2, ...).
    """
    k = target.shape[-1]
    V, D, E = diagonal_terms(a, k, order=2)
    w = b * c
    r = V @ w - target
    u = 2 * rho * r
    sE, sD, sV = E.T @ u, D.T @ u, V.T @ u
    d = a.shape[0]
    blocks = np.zeros((d, 3, 3))
    blocks[:, 0, 0] = w * sE
    blocks[:, 0, 1] = blocks[:, 1, 0] = c * sD
    blocks[:, 0, 2] = blocks[:, 2, 0] = b * sD
    blocks[:, 1, 2] = blocks[:, 2, 1] = sV
    J = np.empty((k, d, 3))
    J[:, :, 0] = D * w
    J[:, :, 1] = V * c
    J[:, :, 2] = V * b
    return blocks, J.reshape(k, 3 * d)


def full_loss_grad(A, B, C, target, rho):
    r"""Loss and gradient of the full model.

    With :math:`x_q = A^q B`, :math:`y_p = (A^\top)^p C^\top` and the Hankel matrix
    :math:`T_{pq} = u_{p+q+1}`: :math:`\nabla_A L = Y T X^\top`, :math:`\nabla_B L = Y u`,
    :math:`\nabla_C L = X u` (:eq:`eq-full-gradient`).
    """
    k = target.shape[-1]
    d = A.shape[0]
    X = np.empty((d, k))
    Y = np.empty((d, k))
    x, y = B.copy(), C.copy()
    for q in range(k):
        X[:, q], Y[:, q] = x, y
        x, y = A @ x, A.T @ y
    h = C @ X
    r = h - target
    u = 2 * rho * r
    T = np.zeros((k, k))
    for p in range(k):
        T[p, : k - p - 1] = u[p + 1 :]
    return float(rho @ (r * r)), Y @ T @ X.T, Y @ u, X @ u


def _target(teacher: object, k: int) -> np.ndarray:
    if isinstance(teacher, (DiagonalRNN, LinearRNN)):
        h = np.asarray(teacher.impulse_response(k))
    else:
        h = np.asarray(teacher, dtype=float)
        if h.shape != (k,):
            raise InputError(f"teacher impulse response must have length k={k}, got {h.shape}")
    if np.iscomplexobj(h):
        if np.any(np.abs(h.imag) > 1e-12 * max(np.abs(h).max(), 1)):
            raise InputError("the teacher's impulse response is not real")
        h = h.real
    return h


def moment_loss(model: object, teacher: object, *, k: int, lag_weights: object = None) -> float:
    r"""The k-lag moment loss :math:`L_k = \sum_{j<k} \rho_j (h_j - \hat h_j)^2`.

    :math:`h_j` is the student's impulse response and :math:`\hat h_j` the teacher's
    (:eq:`eq-loss`).

    Parameters
    ----------
    model : DiagonalRNN or LinearRNN
        The student. Its parameters should be real: only the real part of its impulse
        response enters the loss.
    teacher : DiagonalRNN, LinearRNN or array_like of shape (k,)
        The target: a model, or its impulse response :math:`\hat h_0, \dots, \hat h_{k-1}`
        as real numbers (not checked for finiteness: a NaN gives a NaN loss). A teacher
        model's response must be real: imaginary parts up to
        :math:`10^{-12} \max(1, \max_j |\hat h_j|)` are dropped, larger ones refused.
    k : int
        Number of lags fitted, :math:`1 \le k \le 10\,000`.
    lag_weights : None, 'all_outputs' or array_like of shape (k,), optional
        The weights :math:`\rho_j`, as in :func:`lag_weights_for`; default all ones.

    Returns
    -------
    float
        :math:`L_k`; not finite when a response overflows (an atom far outside the unit
        disc).

    Raises
    ------
    InputError
        For a bad ``k`` or ``lag_weights``, a teacher array that is not of length ``k``, or a
        teacher model whose response is not real.

    Examples
    --------
    >>> student = DiagonalRNN([0.5], [1.0], [1.0])
    >>> teacher = DiagonalRNN([1.0], [1.0], [1.0])
    >>> moment_loss(student, teacher, k=2)
    0.25
    """
    rho = lag_weights_for(k, lag_weights)
    target = _target(teacher, k)
    h = np.asarray(model.impulse_response(k)).real  # type: ignore[attr-defined]
    return float(rho @ (h - target) ** 2)


def moment_loss_gradient(model: object, teacher: object, *, k: int,
                         lag_weights: object = None):
    r"""The analytic gradient of :func:`moment_loss` with respect to the student's parameters.

    With :math:`u_j = 2\rho_j (h_j - \hat h_j)`: for the diagonal model,
    :math:`\partial_a L = w \circ D^\top u`, :math:`\partial_b L = c \circ V^\top u`,
    :math:`\partial_c L = b \circ V^\top u` with :math:`w = b \circ c`,
    :math:`V_{ji} = a_i^j` and :math:`D_{ji} = j a_i^{j-1}`; for the full model,
    :math:`\nabla_A L = Y T X^\top`, :math:`\nabla_B L = Y u`, :math:`\nabla_C L = X u`
    with :math:`x_q = A^q B`, :math:`y_p = (A^\top)^p C^\top` and
    :math:`T_{pq} = u_{p+q+1}` (:eq:`eq-full-gradient`).

    Parameters
    ----------
    model : DiagonalRNN or LinearRNN
        The student, with real parameters (for complex parameters the result is not the
        gradient of the loss). A :class:`SymmetricRNN` is treated as a full model.
    teacher : DiagonalRNN, LinearRNN or array_like of shape (k,)
        The target model or its first ``k`` lags, as in :func:`moment_loss`.
    k : int
        Number of lags fitted, :math:`1 \le k \le 10\,000`.
    lag_weights : None, 'all_outputs' or array_like of shape (k,), optional
        The weights :math:`\rho_j`, as in :func:`lag_weights_for`; default all ones.

    Returns
    -------
    DiagonalRNN or LinearRNN
        A model of the same kind and dimension whose parameters are the partial derivatives:
        ``.a, .b, .c`` hold :math:`\partial L/\partial a`, ... for a diagonal model, ``.A,
        .B, .C`` hold :math:`\partial L/\partial A`, ... for a full one (a plain
        :class:`LinearRNN`, also for a symmetric student: the derivative with respect to every
        entry of :math:`A`).

    Raises
    ------
    InputError
        When ``model`` is not a DiagonalRNN or LinearRNN, for the bad inputs
        :func:`moment_loss` refuses, and when the gradient overflows (the message then
        speaks of non-finite parameters of the returned model).

    Examples
    --------
    >>> g = moment_loss_gradient(DiagonalRNN([0.5], [1.0], [1.0]), [1.0, 1.0], k=2)
    >>> g.a, g.b, g.c
    (array([-1.]), array([-0.5]), array([-0.5]))
    """
    rho = lag_weights_for(k, lag_weights)
    target = _target(teacher, k)
    if isinstance(model, DiagonalRNN):
        _, ga, gb, gc = diagonal_loss_grad(model.a, model.b, model.c, target, rho)
        return DiagonalRNN(ga, gb, gc)
    if isinstance(model, LinearRNN):
        _, gA, gB, gC = full_loss_grad(model.A, model.B, model.C, target, rho)
        return LinearRNN(gA, gB, gC)
    raise InputError(f"model must be a DiagonalRNN or LinearRNN, got {type(model).__name__}")


def moment_loss_hessian(model: object, teacher: object, *, k: int,
                        lag_weights: object = None) -> np.ndarray:
    r"""Dense Jacobian of the gradient (the Hessian of :math:`L_k`), parameters flattened.

    Diagonal: order :math:`(a_1, b_1, c_1, a_2, \dots)`, the block-diagonal part plus the
    Gauss-Newton part :math:`2 J^\top P J` (:eq:`eq-loss-hessian`). Full: order
    (vec(A) row-major, B, C), assembled column by column from analytic Hessian-vector
    products and symmetrised.

    Parameters
    ----------
    model : DiagonalRNN or LinearRNN
        The student, with real parameters (a complex model's imaginary parts are dropped, so
        the result is not its Hessian). A :class:`SymmetricRNN` is treated as a full model.
    teacher : DiagonalRNN, LinearRNN or array_like of shape (k,)
        The target model or its first ``k`` lags, as in :func:`moment_loss`.
    k : int
        Number of lags fitted, :math:`1 \le k \le 10\,000`.
    lag_weights : None, 'all_outputs' or array_like of shape (k,), optional
        The weights :math:`\rho_j`, as in :func:`lag_weights_for`; default all ones.

    Returns
    -------
    numpy.ndarray
        The symmetric Hessian, shape (3d, 3d) for a diagonal model and
        :math:`(d^2 + 2d, d^2 + 2d)` for a full one.

    Raises
    ------
    InputError
        When ``model`` is not a DiagonalRNN or LinearRNN, and for the bad inputs
        :func:`moment_loss` refuses.

    Examples
    --------
    >>> moment_loss_hessian(DiagonalRNN([0.5], [1.0], [1.0]), [1.0, 1.0], k=2)
    array([[2. , 0. , 0. ],
           [0. , 2.5, 2. ],
           [0. , 2. , 2.5]])
    """
    rho = lag_weights_for(k, lag_weights)
    target = _target(teacher, k)
    if isinstance(model, DiagonalRNN):
        blocks, J = diagonal_hessian_parts(model.a, model.b, model.c, target, rho)
        d = model.dim
        H = 2 * J.T @ (rho[:, None] * J)
        for i in range(d):
            H[3 * i : 3 * i + 3, 3 * i : 3 * i + 3] += blocks[i]
        return H
    if isinstance(model, LinearRNN):
        d = model.dim
        n = d * d + 2 * d
        H = np.empty((n, n))
        for col in range(n):
            e = np.zeros(n)
            e[col] = 1.0
            H[:, col] = full_hessian_vector(model.A, model.B, model.C, target, rho, e)
        return 0.5 * (H + H.T)
    raise InputError(f"model must be a DiagonalRNN or LinearRNN, got {type(model).__name__}")


def full_hessian_vector(A, B, C, target, rho, v):
    """Directional derivative of the full-model gradient along v = (vec dA, dB, dC)."""
    d = A.shape[0]
    k = target.shape[-1]
    dA = v[: d * d].reshape(d, d)
    dB = v[d * d : d * d + d]
    dC = v[d * d + d :]
    X, Y = np.empty((d, k)), np.empty((d, k))
    dX, dY = np.empty((d, k)), np.empty((d, k))
    x, y, dx, dy = B.copy(), C.copy(), dB.copy(), dC.copy()
    for q in range(k):
        X[:, q], Y[:, q], dX[:, q], dY[:, q] = x, y, dx, dy
        x, y, dx, dy = A @ x, A.T @ y, A @ dx + dA @ x, A.T @ dy + dA.T @ y
    r = C @ X - target
    dr = dC @ X + C @ dX
    u, du = 2 * rho * r, 2 * rho * dr
    T, dT = np.zeros((k, k)), np.zeros((k, k))
    for p in range(k):
        T[p, : k - p - 1] = u[p + 1 :]
        dT[p, : k - p - 1] = du[p + 1 :]
    gA = dY @ T @ X.T + Y @ dT @ X.T + Y @ T @ dX.T
    gB = dY @ u + Y @ du
    gC = dX @ u + X @ du
    return np.concatenate([gA.ravel(), gB, gC])


def extrapolation_error(student: object, teacher: object, *, length: int) -> tuple[float, float]:
    r""":math:`E_q = \sum_{j<q} |h_j - \hat h_j|^2` and :math:`\max_{j<q} |h_j - \hat h_j|`.

    The mismatch of the impulse responses over the first :math:`q` = ``length`` lags, fitted
    or not: how well the student extrapolates the teacher. Both numbers are ``inf`` when
    either response overflows within ``length`` lags (an atom outside the unit disc), even
    when the two models are equal.

    Parameters
    ----------
    student, teacher : DiagonalRNN or LinearRNN
        The two models (both must be models here; real or complex, the differences are taken
        in absolute value).
    length : int
        Number of lags :math:`q \ge 1` compared, :math:`j = 0, \dots, q - 1`.

    Returns
    -------
    sum_of_squares : float
        :math:`E_q`.
    max_error : float
        :math:`\max_{j<q} |h_j - \hat h_j|`.

    Raises
    ------
    InputError
        When ``length`` is not a positive integer, or the responses would need more than half
        of this machine's memory.

    Examples
    --------
    >>> extrapolation_error(DiagonalRNN([1.0], [1.0], [1.0]),
    ...                     DiagonalRNN([1.0], [1.0], [1.0]), length=1000)
    (0.0, 0.0)
    """
    length = positive_int(length, "length")
    with np.errstate(over="ignore", invalid="ignore"):
        h = np.asarray(student.impulse_response(length))  # type: ignore[attr-defined]
        t = np.asarray(teacher.impulse_response(length))  # type: ignore[attr-defined]
        diff = np.abs(h - t)
        if not np.all(np.isfinite(diff)):
            # an atom outside the unit disc: the response overflows, the error is unbounded
            return math.inf, math.inf
        return float(np.sum(diff**2)), float(diff.max())
