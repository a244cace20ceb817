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

from .._limits import check_memory
from .._validate import positive_int
from ..errors import InputError
from ._limits import MAX_LAGS
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
    fix = f"pass {k} positive finite numbers, None or 'all_outputs'"
    try:
        raw = np.asarray(lag_weights)
        if np.iscomplexobj(raw):
            if np.any(raw.imag != 0):  # never drop an imaginary part
                raise TypeError
            raw = raw.real
        rho = np.asarray(raw, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"lag_weights={lag_weights!r} are not real numbers; {fix}") from None
    if raw.dtype == bool:
        raise InputError(f"lag_weights={lag_weights!r} are booleans, not weights; {fix}")
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


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + "..."


def _student(model: object, name: str = "model") -> DiagonalRNN | LinearRNN:
    """``model`` if it is a model, else an InputError naming it."""
    if not isinstance(model, (DiagonalRNN, LinearRNN)):
        raise InputError(
            f"{name}={_shown(model)} (a {type(model).__name__}) is not a model; pass a "
            "DiagonalRNN, LinearRNN or SymmetricRNN, e.g. DiagonalRNN(a, b, c) or "
            "init_student(dim, scale=1e-3)")
    return model


def _real_student(model: object, function: str) -> DiagonalRNN | LinearRNN:
    """A real model: a complex one is refused (its parameters as real when they are)."""
    model = _student(model)
    names = ("a", "b", "c") if isinstance(model, DiagonalRNN) else ("A", "B", "C")
    arrays = [getattr(model, n) for n in names]
    if not any(np.iscomplexobj(x) for x in arrays):
        return model
    for n, x in zip(names, arrays):
        if np.any(x.imag != 0):
            i = int(np.flatnonzero(x.imag.ravel() != 0)[0])
            raise InputError(
                f"the student has complex parameters ({n}.flat[{i}]={x.ravel()[i].item()!r}); "
                f"{function} is for real models (the loss of a real network, its gradient "
                "and Hessian in real parameters): pass a model with real a, b, c (or A, B, C)")
    real = [x.real for x in arrays]
    return DiagonalRNN(*real) if isinstance(model, DiagonalRNN) else LinearRNN(*real)


def _teacher_values(teacher: object, count: int, name: str, *, real: bool) -> np.ndarray:
    """A teacher given as numbers: ``count`` finite values (real ones when ``real``)."""
    what = f"model or its first {count} impulse-response values"
    fix = f"pass a DiagonalRNN or LinearRNN, or {count} finite numbers"
    try:
        arr = np.asarray(teacher)
        if arr.dtype == object:
            try:
                arr = arr.astype(float)
            except (TypeError, ValueError):
                arr = arr.astype(complex)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name}={_shown(teacher)} is not a {what}; {fix}") from None
    if arr.ndim == 0:
        raise InputError(f"{name}={_shown(teacher)} is not a {what}; {fix}")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise InputError(f"{name}={_shown(teacher)} is not a {what} (its values are "
                         f"{arr.dtype} rather than numbers); {fix}")
    if arr.shape != (count,):
        raise InputError(f"{name} impulse response must have length {count}, got shape "
                         f"{arr.shape}; {fix}")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        i = int(bad[0])
        raise InputError(f"{name}[{i}]={arr[i].item()!r} is not finite; the {name}'s impulse "
                         f"response must be finite numbers: {fix}")
    if np.iscomplexobj(arr):
        if not real:
            return arr.astype(complex)
        arr = _real_part(arr, name)
    return arr.astype(float)


def _real_part(h: np.ndarray, name: str) -> np.ndarray:
    scale = max(float(np.abs(h).max()), 1.0)
    worst = int(np.argmax(np.abs(h.imag)))
    if abs(h.imag[worst]) > 1e-12 * scale:
        raise InputError(
            f"the {name}'s impulse response is not real ({name}[{worst}] = "
            f"{h[worst].item()!r}); the "
            "moment loss fits real targets: use a teacher with real weights or with conjugate "
            "pairs of atoms and weights")
    return h.real


def teacher_lags(teacher: object, k: int) -> np.ndarray:
    """The teacher's first ``k`` lags as finite real floats, or an InputError naming it (the
    target of the loss, of the flow and of gradient descent)."""
    if isinstance(teacher, (DiagonalRNN, LinearRNN)):
        with np.errstate(over="ignore", invalid="ignore"):
            h = np.asarray(teacher.impulse_response(k))
        bad = np.flatnonzero(~np.isfinite(h))
        if bad.size:
            raise InputError(
                f"the teacher's impulse response is not finite in double precision from lag "
                f"{int(bad[0])} on (an atom outside the unit disc): fit fewer lags, "
                f"k <= {int(bad[0])}, or use a teacher with atoms in [-1, 1]")
        if np.iscomplexobj(h):
            h = _real_part(h, "teacher")
        return h.astype(float)
    return _teacher_values(teacher, k, "teacher", real=True)


_target = teacher_lags  # the name it had


def _overflow(model: DiagonalRNN | LinearRNN, k: int, what: str) -> InputError:
    """The error for a gradient or Hessian that is not finite at finite parameters."""
    if isinstance(model, DiagonalRNN):
        radius, which = float(np.abs(model.a).max()), "largest |a_i|"
    else:
        radius, which = float(np.abs(np.linalg.eigvals(model.A)).max()), "spectral radius of A"
    return InputError(
        f"the {what} of the moment loss overflows double precision for this student at k={k}: "
        f"its parameters are finite ({which} = {radius:.6g}), but its impulse response over "
        f"k lags or the {what} is not representable; fit fewer lags or start from a student "
        "whose atoms lie nearer the unit disc")


def moment_loss(model: object, teacher: object, *, k: int, lag_weights: object = None) -> float:
    r"""The k-lag moment loss :math:`L_k = \sum_{j<k} \rho_j (h_j - \hat h_j)^2`.

    :math:`h_j` is the student's impulse response and :math:`\hat h_j` the teacher's
    (:eq:`eq-loss`).

    Parameters
    ----------
    model : DiagonalRNN or LinearRNN
        The student, with real parameters: the loss is that of a real network, and a
        student with a non-zero imaginary part is refused (complex parameters whose
        imaginary parts are all zero are read as real).
    teacher : DiagonalRNN, LinearRNN or array_like of shape (k,)
        The target: a model, or its impulse response :math:`\hat h_0, \dots, \hat h_{k-1}`
        as finite numbers. The response must be real and finite: imaginary parts up to
        :math:`10^{-12} \max(1, \max_j |\hat h_j|)` are dropped, larger ones refused (a
        teacher with conjugate pairs of atoms and weights has a real response).
    k : int
        Number of lags fitted, :math:`1 \le k \le 10\,000`.
    lag_weights : None, 'all_outputs' or array_like of shape (k,), optional
        The weights :math:`\rho_j`, as in :func:`lag_weights_for`; default all ones.

    Returns
    -------
    float
        :math:`L_k`; not finite when the student's response overflows (an atom far outside
        the unit disc).

    Raises
    ------
    InputError
        When ``model`` is not a model or has a non-zero imaginary part, for a bad ``k`` or
        ``lag_weights``, and for a teacher that is neither a model nor ``k`` numbers, or
        whose response is not real or not finite (a NaN value, or a teacher model whose
        response overflows within ``k`` lags).

    Examples
    --------
    >>> student = DiagonalRNN([0.5], [1.0], [1.0])
    >>> teacher = DiagonalRNN([1.0], [1.0], [1.0])
    >>> moment_loss(student, teacher, k=2)
    0.25
    """
    model = _real_student(model, "moment_loss")
    rho = lag_weights_for(k, lag_weights)
    target = teacher_lags(teacher, k)
    with np.errstate(over="ignore", invalid="ignore"):
        h = np.asarray(model.impulse_response(k))
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
        The student, with real parameters (a non-zero imaginary part is refused, as in
        :func:`moment_loss`). A :class:`SymmetricRNN` is treated as a full model.
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
        For the inputs :func:`moment_loss` refuses, and when the gradient is not finite in
        double precision although the parameters are (the student's response or the
        gradient overflows over ``k`` lags, an atom outside the unit disc): the message says
        so and gives the largest atom modulus.

    Examples
    --------
    >>> g = moment_loss_gradient(DiagonalRNN([0.5], [1.0], [1.0]), [1.0, 1.0], k=2)
    >>> g.a, g.b, g.c
    (array([-1.]), array([-0.5]), array([-0.5]))
    """
    model = _real_student(model, "moment_loss_gradient")
    rho = lag_weights_for(k, lag_weights)
    target = teacher_lags(teacher, k)
    with np.errstate(over="ignore", invalid="ignore"):
        if isinstance(model, DiagonalRNN):
            _, *grad = diagonal_loss_grad(model.a, model.b, model.c, target, rho)
        else:
            _, *grad = full_loss_grad(model.A, model.B, model.C, target, rho)
    if not all(np.all(np.isfinite(g)) for g in grad):
        raise _overflow(model, k, "gradient")
    return DiagonalRNN(*grad) if isinstance(model, DiagonalRNN) else LinearRNN(*grad)


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
        The student, with real parameters (a non-zero imaginary part is refused, as in
        :func:`moment_loss`). A :class:`SymmetricRNN` is treated as a full model.
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
        For the inputs :func:`moment_loss` refuses, and when the Hessian overflows double
        precision, as for :func:`moment_loss_gradient`.

    Examples
    --------
    >>> moment_loss_hessian(DiagonalRNN([0.5], [1.0], [1.0]), [1.0, 1.0], k=2)
    array([[2. , 0. , 0. ],
           [0. , 2.5, 2. ],
           [0. , 2. , 2.5]])
    """
    model = _real_student(model, "moment_loss_hessian")

    n = 3 * model.dim if isinstance(model, DiagonalRNN) else model.dim ** 2 + 2 * model.dim
    check_memory(3 * 8.0 * n * n, f"the {n} x {n} Hessian of a model of dimension "
                 f"{model.dim}", "use a smaller model, or Hessian-vector products "
                 "(full_hessian_vector)")
    rho = lag_weights_for(k, lag_weights)
    target = teacher_lags(teacher, k)
    with np.errstate(over="ignore", invalid="ignore"):
        if isinstance(model, DiagonalRNN):
            blocks, J = diagonal_hessian_parts(model.a, model.b, model.c, target, rho)
            d = model.dim
            H = 2 * J.T @ (rho[:, None] * J)
            for i in range(d):
                H[3 * i : 3 * i + 3, 3 * i : 3 * i + 3] += blocks[i]
        else:
            d = model.dim
            n = d * d + 2 * d
            H = np.empty((n, n))
            for col in range(n):
                e = np.zeros(n)
                e[col] = 1.0
                H[:, col] = full_hessian_vector(model.A, model.B, model.C, target, rho, e)
            H = 0.5 * (H + H.T)
    if not np.all(np.isfinite(H)):
        raise _overflow(model, k, "Hessian")
    return H


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


def _scaled_lag(model: DiagonalRNN | LinearRNN, j: int) -> tuple[complex, float, float]:
    r"""``(v, e, E)``: :math:`h_j = v\,2^E` up to an error of at most ``e``:math:`\,2^E`.

    Computed without overflow, in double precision with a running power-of-two scale; ``e``
    bounds the rounding error by :math:`\gamma\,|C|\,|A|^j\,|B|` with a generous
    :math:`\gamma`.
    """
    if isinstance(model, DiagonalRNN):
        w = model.b * model.c
        live = w != 0
        if not np.any(live):
            return 0j, 0.0, 0.0
        a, w = model.a[live], w[live]
        logs = np.log2(np.abs(w)) + j * np.log2(np.where(a == 0, 1.0, np.abs(a)))
        logs = np.where((a == 0) & (j > 0), -np.inf, logs)
        top = float(logs.max())
        if top == -math.inf:  # every live atom is 0 and j > 0
            return 0j, 0.0, 0.0
        phase = np.exp(1j * j * np.angle(a)) if np.iscomplexobj(a) else np.sign(a) ** j
        terms = np.sign(w) * phase * np.exp2(logs - top) if not np.iscomplexobj(w) else \
            (w / np.abs(w)) * phase * np.exp2(logs - top)
        size = float(np.sum(np.exp2(logs - top)))
        # rounding of the logarithms (at most j * 1100 in size) and of the sum
        gamma = 1e-12 * (j + 2) * (a.size + 2) * max(1.0, float(np.abs(logs - top).max(
            initial=0.0, where=np.isfinite(logs))) / max(j, 1))
        return complex(np.sum(terms)), gamma * size, top
    x = model.B.astype(complex)
    y = np.abs(model.B)
    absA = np.abs(model.A)
    top = 0.0
    for _ in range(j):
        x, y = model.A @ x, absA @ y
        s = float(y.max())
        if s == 0:
            return 0j, 0.0, 0.0
        x, y, top = x / s, y / s, top + math.log2(s)
    gamma = 1e-12 * (j + 2) * (model.dim + 2)
    return complex(model.C @ x), gamma * float(np.abs(model.C) @ y), top


def _mismatch_beyond_doubles(student, teacher, j: int) -> bool:
    r"""Whether :math:`|h_j - \hat h_j|` is proved larger than the largest double; ``teacher``
    is a model or the (finite) value :math:`\hat h_j`."""
    vs, es, ts = _scaled_lag(student, j)
    vt, et, tt = _scaled_lag(teacher, j) if isinstance(teacher, (DiagonalRNN, LinearRNN)) \
        else (teacher, 0.0, 0.0)
    top = max(ts, tt)
    fs, ft = 2.0 ** max(ts - top, -1100), 2.0 ** max(tt - top, -1100)
    low = abs(vs * fs - vt * ft) - (es * fs + et * ft) - 1e-12 * (abs(vs) * fs + abs(vt) * ft)
    return low > 0 and math.log2(low) + top > 1024 + 1e-9  # the largest double is < 2^1024


def extrapolation_error(student: object, teacher: object, *, length: int) -> tuple[float, float]:
    r""":math:`E_q = \sum_{j<q} |h_j - \hat h_j|^2` and :math:`\max_{j<q} |h_j - \hat h_j|`.

    The mismatch of the impulse responses over the first :math:`q` = ``length`` lags, fitted
    or not: how well the student extrapolates the teacher. Real or complex, the differences
    are taken in absolute value.

    When a response overflows double precision within ``length`` lags (an atom outside the
    unit disc), the error is known only where the other response is finite there: both
    numbers are then ``inf`` (the mismatch is beyond the largest double). Where both
    responses overflow at the same lag (equal models, for instance), or one is NaN, the
    difference is not known and an InputError says so.

    Parameters
    ----------
    student : DiagonalRNN or LinearRNN
        The student model (a :class:`SymmetricRNN` is a LinearRNN).
    teacher : DiagonalRNN, LinearRNN or array_like of shape (length,)
        The teacher model, or its impulse response :math:`\hat h_0, \dots,
        \hat h_{q-1}` as finite real or complex numbers, as :func:`moment_loss` takes it.
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
        When ``length`` is not a positive integer, ``student`` is not a model, ``teacher`` is
        neither a model nor ``length`` finite numbers, the responses would need more than
        half of this machine's memory, or the difference is not computable in double
        precision at some lag (both responses overflow there, or one is NaN).

    Examples
    --------
    >>> extrapolation_error(DiagonalRNN([1.0], [1.0], [1.0]),
    ...                     DiagonalRNN([1.0], [1.0], [1.0]), length=1000)
    (0.0, 0.0)
    """
    length = positive_int(length, "length")
    student = _student(student, "student")
    with np.errstate(over="ignore", invalid="ignore"):
        h = np.asarray(student.impulse_response(length))
        if isinstance(teacher, (DiagonalRNN, LinearRNN)):
            t = np.asarray(teacher.impulse_response(length))
        else:
            t = _teacher_values(teacher, length, "teacher", real=False)
        diff = np.abs(h - t)
        bad = np.flatnonzero(~np.isfinite(diff))
        if bad.size:
            j = int(bad[0])
            model_teacher = isinstance(teacher, (DiagonalRNN, LinearRNN))
            # a few lags where the computed difference is not finite: the first and the last
            # (the largest, for a growing response), with neighbours for alternating signs
            for lag in sorted({int(i) for i in (*bad[:2], *bad[-2:])}, reverse=True):
                if _mismatch_beyond_doubles(student, teacher if model_teacher
                                            else complex(t[lag]), lag):
                    return math.inf, math.inf
            raise InputError(
                f"the impulse responses overflow double precision at lag {j} (an atom outside "
                "the unit disc) and their difference there is not proved to be beyond the "
                "largest double (equal or nearly equal models), so the error is not known; "
                f"compare fewer lags, length <= {j}")
        return float(np.sum(diff**2)), float(diff.max())
