r"""Gradient flow :math:`\dot\Theta = -\nabla L_k(\Theta)` of linear RNNs.

The flow starts with a slow escape from the origin (exponential growth at rate
:math:`2 g(a_i)`, claim R7) and ends in a stiff, ill-conditioned basin, where explicit methods
are limited by stability and need of the order of :math:`10^6` steps. The default integrator is
an L-stable linearly implicit Rosenbrock method whose linear systems
:math:`(I + \gamma h \nabla^2 L)x = y` are solved in :math:`O(d k^2)` with the block-diagonal
plus rank-k structure of the Hessian (:eq:`eq-woodbury`); scipy's methods are available too, and
an implicit Gauss-Legendre integrator in mpmath checks invariants to 30+ digits.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from ..errors import InputError
from ..precision import MP, Precision, as_precision
from ..rnn._limits import check_memory
from ..rnn.analysis import effective_dimension, moment_accuracy
from ..rnn.losses import _target, extrapolation_error, lag_weights_for
from ..rnn.models import DiagonalRNN, LinearRNN
from ._problem import FlowProblem
from ._threads import blas_threads_limited, check_blas_threads
from .trajectory import Trajectory

__all__ = ["integrate_flow", "FLOW_METHODS"]

# Up to this many parameters scipy's LSODA with the dense analytic Jacobian is the faster
# choice (measured: d = 40 diagonal, 0.17 s against 0.25-0.66 s); above it RODAS4 with the
# structured solve wins (d = 120: 0.45 s against 2.2-2.9 s).
AUTO_LSODA_LIMIT = 200
FLOW_METHODS = ("auto", "rosenbrock", "LSODA", "BDF", "Radau", "RK45", "DOP853", "gauss-mp")


# Below this flow time no integrator can take a step (LSODA stalls on such spans).
MIN_T_MAX = 1e-100
# Right-hand-side evaluations without progress in time after which scipy's integrators are
# judged stalled.
STALL_EVALUATIONS = 5_000


def _is_real(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))


def _positive_count(value: object, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or \
            value < 1:
        raise InputError(f"{name}={value!r} must be a positive integer")
    return int(value)


def check_until_loss(until_loss: object) -> None:
    """``until_loss`` is None or a finite number >= 0."""
    if until_loss is not None and not (_is_real(until_loss) and math.isfinite(until_loss)
                                       and until_loss >= 0):
        raise InputError(f"until_loss={until_loss!r} must be a finite loss >= 0, e.g. 1e-10 "
                         "(or None)")


def _check_model(model: object, name: str) -> None:
    if not isinstance(model, (DiagonalRNN, LinearRNN)):
        raise InputError(f"{name} must be a DiagonalRNN or LinearRNN, got {type(model).__name__}")
    params = (model.a, model.b, model.c) if isinstance(model, DiagonalRNN) else (
        model.A, model.B, model.C)
    if any(np.iscomplexobj(p) for p in params) and name == "student":
        raise InputError("the student must be real (the flow is defined for real parameters)")


def _overparameterization_warning(student, teacher) -> str:
    if teacher.dim > student.dim:
        import warnings

        msg = (f"the teacher has dimension {teacher.dim} > student dimension {student.dim}: the "
               "student is not overparameterized")
        warnings.warn(msg, stacklevel=3)
        return msg
    return ""


def integrate_flow(
    student: DiagonalRNN | LinearRNN,
    teacher: DiagonalRNN | LinearRNN,
    *,
    k: int,
    t_max: float | None = None,
    until_loss: float | None = None,
    method: str = "auto",
    rtol: float = 3e-7,
    atol: float = 1e-12,
    lag_weights: object = None,
    precision: Precision | None = None,
    record: int = 400,
    max_steps: int = 200_000,
    extrapolation_length: int = 1000,
    progress: Callable[[float, float], None] | None = None,
    blas_threads: int | None = 1,
) -> Trajectory:
    r"""Integrate the gradient flow of the moment loss from ``student``.

    Parameters
    ----------
    student, teacher : DiagonalRNN or LinearRNN
        Initial student (real); the teacher gives the target lags :math:`\hat h_j`.
    k : int
        Number of lags fitted.
    t_max : float, optional
        Stop at this flow time (default: no limit besides ``max_steps``).
    until_loss : float, optional
        Stop when :math:`L_k` falls below this (default ``1e-10`` when ``t_max`` is not given).
    method : str
        ``'auto'`` (LSODA with the analytic Jacobian up to 200 parameters, RODAS4 above),
        ``'rosenbrock'`` (RODAS4 with O(d k^2) structured solves), scipy's ``'LSODA'``, ``'BDF'``,
        ``'Radau'`` (given the analytic Jacobian), ``'RK45'``, ``'DOP853'``, or ``'gauss-mp'``
        (implicit Gauss-Legendre in mpmath; needs ``precision=MP(dps)`` and ``t_max``).
    rtol, atol : float
        Local error tolerances.
    precision : MP, optional
        Only for ``'gauss-mp'``.
    record : int
        Maximum number of parameter snapshots kept.
    max_steps : int
        Bound on the number of steps: the run stops with status ``'max_steps'``.
    extrapolation_length : int
        Length q at which the final extrapolation error is measured.
    progress : callable, optional
        Called as ``progress(t, loss)`` as the integration advances (after each accepted
        RODAS4 step; at each right-hand-side evaluation for scipy's methods).
    blas_threads : int or None
        BLAS threads used during the integration (default 1: the structured solves are small
        memory-bound products, and extra threads slow them down several times over when the
        cores are shared); ``None`` leaves the process's setting alone. The limit is restored
        on return.

    Returns
    -------
    Trajectory
        A flow that blows up returns status ``'diverged'`` with a message, one whose scipy
        integrator makes no progress ``'stalled'``; no exception.

    Examples
    --------
    >>> from momentrnn.rnn import init_student, named_teacher
    >>> run = integrate_flow(init_student(10, scale=1e-2, mode="balanced", seed=0),
    ...                      named_teacher("long_memory"), k=5)
    >>> run.status, run.final_loss < 1e-10, run.effective_dimension.rank
    ('converged', True, 1)
    """
    _check_model(student, "student")
    _check_model(teacher, "teacher")
    if method not in FLOW_METHODS:
        raise InputError(f"method={method!r} is not known; use one of {', '.join(FLOW_METHODS)}")
    rho = lag_weights_for(k, lag_weights)
    target = _target(teacher, k)
    for name, v in (("rtol", rtol), ("atol", atol)):
        if not (_is_real(v) and math.isfinite(v) and v > 0):
            raise InputError(f"{name}={v!r} must be a positive finite number")
    if t_max is not None:
        if not (_is_real(t_max) and math.isfinite(t_max) and t_max > 0):
            raise InputError(f"t_max={t_max!r} must be a positive finite number (omit it for "
                             "no time limit)")
        if t_max < MIN_T_MAX:
            raise InputError(f"t_max={t_max!r} is below {MIN_T_MAX:g}, shorter than any step "
                             "the integrators can take; the flow has not moved by then: use a "
                             f"t_max of at least {MIN_T_MAX:g}")
    check_until_loss(until_loss)
    blas_threads = check_blas_threads(blas_threads)
    record = _positive_count(record, "record")
    max_steps = _positive_count(max_steps, "max_steps")
    extrapolation_length = _positive_count(extrapolation_length, "extrapolation_length")
    check_memory(16.0 * extrapolation_length * max(student.dim, teacher.dim),
                 f"the extrapolation error at length {extrapolation_length}",
                 "use a shorter extrapolation length")
    if until_loss is None and t_max is None:
        until_loss = 1e-10
    warning = _overparameterization_warning(student, teacher)
    problem = FlowProblem.for_model(student, target, rho)
    theta0 = problem.pack(student)
    start = time.perf_counter()
    if method == "gauss-mp":
        prec = as_precision(precision)
        if not isinstance(prec, MP) or t_max is None:
            raise InputError("method='gauss-mp' needs precision=MP(dps) and a finite t_max")
        raw = _gauss_mp(problem, theta0, t_max, prec, record)
    elif method == "rosenbrock" or (method == "auto" and theta0.size > AUTO_LSODA_LIMIT):
        with blas_threads_limited(blas_threads):
            raw = _rosenbrock(problem, theta0, t_max, until_loss, rtol, atol, max_steps,
                              progress)
        method = "rosenbrock"
    else:
        method = "LSODA" if method == "auto" else method
        with blas_threads_limited(blas_threads):
            raw = _scipy(problem, theta0, t_max, until_loss, method, rtol, atol, max_steps,
                         progress)
    return _assemble(problem, raw, teacher, method, record, extrapolation_length,
                     time.perf_counter() - start, warning)


# ----------------------------------------------------------------------------------------


class _Raw(dict):
    """times, thetas (list), losses, gnorms, status, message, events, steps, nfev."""


# RODAS4 (Hairer and Wanner, Solving ODEs II, sec. IV.7): 6 stages, order 4 with an embedded
# order-3 solution, L-stable and stiffly accurate. Transformed form for autonomous systems:
#   (I/(h*gamma) - J) u_i = f(y + sum_j a_ij u_j) + sum_j (c_ij / h) u_j,
#   y_new = y + sum_i b_i u_i,  error estimate u_6.
_G = 0.25
_A = {
    (2, 1): 1.544,
    (3, 1): 0.9466785280815826, (3, 2): 0.2557011698983284,
    (4, 1): 3.314825187068521, (4, 2): 2.896124015972201, (4, 3): 0.9986419139977817,
    (5, 1): 1.221224509226641, (5, 2): 6.019134481288629, (5, 3): 12.53708332932087,
    (5, 4): -0.6878860361058950,
}
for _j in range(1, 5):
    _A[(6, _j)] = _A[(5, _j)]
_A[(6, 5)] = 1.0
_C = {
    (2, 1): -5.6688,
    (3, 1): -2.430093356833875, (3, 2): -0.2063599157091915,
    (4, 1): -0.1073529058151375, (4, 2): -9.594562251023355, (4, 3): -20.47028614809616,
    (5, 1): 7.496443313967647, (5, 2): -10.24680431464352, (5, 3): -33.99990352819905,
    (5, 4): 11.70890893206160,
    (6, 1): 8.083246795921522, (6, 2): -7.981132988064893, (6, 3): -31.52159432874371,
    (6, 4): 16.31930543123136, (6, 5): -6.058818238834054,
}
_B = [_A[(5, 1)], _A[(5, 2)], _A[(5, 3)], _A[(5, 4)], 1.0, 1.0]


def _rodas4_step(problem: FlowProblem, lin, theta: np.ndarray, h: float):
    """One RODAS4 step from the linearisation ``lin`` at ``theta`` (the exact Jacobian, as the
    method's order conditions assume); returns (new theta, error vector, gradient evaluations).
    """
    solve = lin.solver(_G * h)  # (I + gamma h Hess)^{-1}
    u: list[np.ndarray] = []
    for i in range(1, 7):
        if i == 1:
            f = -lin.grad
        else:
            arg = theta + sum(_A[(i, j)] * u[j - 1] for j in range(1, i))
            f = -problem.loss_grad(arg)[1]
        rhs = f + sum((_C[(i, j)] / h) * u[j - 1] for j in range(1, i)) if i > 1 else f
        u.append(solve(_G * h * rhs))
    new = theta + sum(b * ui for b, ui in zip(_B, u))
    return new, u[5], 5


def _rosenbrock(problem: FlowProblem, theta: np.ndarray, t_max, until_loss, rtol, atol,
                max_steps, progress) -> _Raw:
    t = 0.0
    # the loss, gradient and Hessian parts at the current point, shared by its first stage
    # and by every retry of a rejected step from it
    lin = problem.linearise(theta)
    loss, grad = lin.loss, lin.grad
    times, thetas, losses, gnorms = [t], [theta.copy()], [loss], [float(np.linalg.norm(grad))]
    events: dict = {}
    loss0 = loss
    gnorm = gnorms[0]
    h = min(1e-2 * max(np.linalg.norm(theta), 1e-12) / max(gnorm, 1e-300), 1.0)
    t_end = math.inf if t_max is None else float(t_max)
    status, message, nfev = "max_steps", f"stopped after {max_steps} steps", 1
    steps = rejected = 0
    while steps + rejected < max_steps:
        if t >= t_end:
            status, message = "t_max", f"reached t_max = {t_end:g}"
            break
        h = min(h, t_end - t)
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                new, err_vec, evals = _rodas4_step(problem, lin, theta, h)
            nfev += evals
            scale = atol + rtol * np.maximum(np.abs(theta), np.abs(new))
            err = float(np.sqrt(np.mean((err_vec / scale) ** 2)))
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            err = math.inf
        if not math.isfinite(err):
            rejected += 1
            h *= 0.2
            if h < 1e-14 * max(t, 1.0):
                status, message = "diverged", f"step size underflow at t = {t:.6g}"
                break
            continue
        if err <= 1.0:
            t += h
            theta = new
            steps += 1
            lin = problem.linearise(theta, recycle=lin)
            loss, grad = lin.loss, lin.grad
            nfev += 1
            gnorm = float(np.linalg.norm(grad))
            times.append(t)
            thetas.append(theta)
            losses.append(loss)
            gnorms.append(gnorm)
            if progress is not None:
                progress(t, loss)
            if "escape" not in events and loss < 0.5 * loss0:
                events["escape"] = t
            if not np.isfinite(loss) or np.max(np.abs(theta)) > 1e8:
                status, message = "diverged", f"parameters blew up at t = {t:.6g}"
                break
            if until_loss is not None and loss <= until_loss:
                events["until_loss"] = t
                status, message = "converged", f"loss {loss:.3e} <= {until_loss:g} at t = {t:.6g}"
                break
            if gnorm == 0.0:
                status, message = "stationary", f"gradient vanished at t = {t:.6g}"
                break
        else:
            rejected += 1
        h *= min(6.0, max(0.2, 0.9 * err ** -0.25)) if err > 0 else 6.0
    return _Raw(times=times, thetas=thetas, losses=losses, gnorms=gnorms, status=status,
                message=message, events=events, steps=steps, nfev=nfev)


def _scipy(problem: FlowProblem, theta0, t_max, until_loss, method, rtol, atol,
           max_steps, progress=None) -> _Raw:
    import scipy.integrate

    counter = {"n": 0, "t": -1.0, "still": 0}

    def rhs(t, y):
        counter["n"] += 1
        if counter["n"] > 20 * max_steps:
            raise _Budget
        if t > counter["t"]:
            counter["t"], counter["still"] = t, 0
        else:
            counter["still"] += 1
            if counter["still"] > STALL_EVALUATIONS:
                raise _Stall
        loss, grad = problem.loss_grad(y)
        if progress is not None:
            progress(t, loss)
        return -grad

    def jac(_t, y):
        return -problem.hessian(y)

    events = []
    if until_loss is not None:
        def reached(_t, y):
            return problem.loss_grad(y)[0] - until_loss

        reached.terminal = True
        events.append(reached)
    t_end = 1e12 if t_max is None else float(t_max)
    kwargs = {"jac": jac} if method in ("LSODA", "BDF", "Radau") else {}
    try:
        with np.errstate(over="raise", invalid="raise"):
            sol = scipy.integrate.solve_ivp(rhs, (0.0, t_end), theta0, method=method, rtol=rtol,
                                            atol=atol, events=events or None,
                                            dense_output=False, **kwargs)
    except _Stall:
        loss0, grad0 = problem.loss_grad(theta0)
        return _Raw(times=[0.0], thetas=[theta0], losses=[loss0],
                    gnorms=[float(np.linalg.norm(grad0))], status="stalled",
                    message=f"scipy {method} stalled: {STALL_EVALUATIONS} evaluations without "
                    f"progress at t = {counter['t']:.6g}; try method='rosenbrock'", events={},
                    steps=0, nfev=counter["n"])
    except _Budget:
        return _Raw(times=[0.0], thetas=[theta0], losses=[problem.loss_grad(theta0)[0]],
                    gnorms=[float(np.linalg.norm(problem.loss_grad(theta0)[1]))],
                    status="max_steps", message=f"more than {20 * max_steps} evaluations",
                    events={}, steps=0, nfev=counter["n"])
    except FloatingPointError as exc:
        return _Raw(times=[0.0], thetas=[theta0], losses=[problem.loss_grad(theta0)[0]],
                    gnorms=[float(np.linalg.norm(problem.loss_grad(theta0)[1]))],
                    status="diverged", message=f"the flow blew up ({exc})", events={}, steps=0,
                    nfev=counter["n"])
    thetas = [sol.y[:, i] for i in range(sol.y.shape[1])]
    lg = [problem.loss_grad(y) for y in thetas]
    ev = {}
    if sol.status == 1:
        status, message = "converged", f"loss reached {until_loss:g} at t = {sol.t[-1]:.6g}"
        ev["until_loss"] = float(sol.t[-1])
    elif sol.status == 0:
        status, message = "t_max", f"reached t = {sol.t[-1]:.6g}"
    else:
        status, message = "diverged", f"scipy {method} failed: {sol.message}"
    return _Raw(times=list(sol.t), thetas=thetas, losses=[v[0] for v in lg],
                gnorms=[float(np.linalg.norm(v[1])) for v in lg], status=status,
                message=message, events=ev, steps=len(sol.t) - 1, nfev=sol.nfev)


class _Budget(Exception):
    pass


class _Stall(Exception):
    pass


def _gauss_mp(problem: FlowProblem, theta0, t_max, prec: MP, record: int) -> _Raw:
    from .mp_flow import gauss_mp_flow, mp_gradient, mp_invariants, mp_loss

    out = gauss_mp_flow(problem, theta0, t_max, prec, record)
    ctx = out["ctx"]
    mp_thetas = out["thetas_mp"]
    inv = [mp_invariants(problem, th, ctx) for th in mp_thetas]
    if problem.diagonal:
        scale = max(max(th[3 * i + 1] ** 2 + th[3 * i + 2] ** 2 for i in range(problem.dim))
                    for th in mp_thetas)
    else:
        scale = max(ctx.fsum(v * v for v in th) for th in mp_thetas)
    drift = max(abs(x - y) for row in inv for x, y in zip(row, inv[0])) / scale
    grads = [mp_gradient(problem, th, ctx) for th in mp_thetas]
    return _Raw(times=out["times"], thetas=[np.array([float(v) for v in th]) for th in mp_thetas],
                losses=[float(mp_loss(problem, th, ctx)) for th in mp_thetas],
                gnorms=[float(ctx.sqrt(ctx.fsum(v * v for v in g))) for g in grads],
                status="t_max", message=f"fixed-step 3-stage Gauss-Legendre at {prec!r}",
                events={}, steps=out["steps"], nfev=out["steps"], drift=float(drift),
                mp_parameters=mp_thetas)


def _assemble(problem: FlowProblem, raw: _Raw, teacher, method: str, record: int,
              length: int, seconds: float, warning: str) -> Trajectory:
    times = np.asarray(raw["times"], dtype=float)
    thetas = raw["thetas"]
    n = len(thetas)
    keep = np.unique(np.linspace(0, n - 1, min(n, max(record, 2))).round().astype(int))
    params = np.array([np.asarray(thetas[i], dtype=float) for i in keep])
    inv = np.array([problem.invariants(p) for p in params])
    scale = max(problem.invariant_scale(p) for p in params)
    drift = float(np.max(np.abs(inv - inv[0])) / scale) if scale > 0 else 0.0
    drift = raw.get("drift", drift)  # the mpmath integrator measures it at its own precision
    final_theta = np.asarray(thetas[-1], dtype=float)
    final = problem.unpack(final_theta)
    loss = np.asarray(raw["losses"], dtype=float)
    eff, extrap = None, None
    message = raw["message"] + (f"; {warning}" if warning else "")
    if raw["status"] != "diverged" and np.all(np.isfinite(final_theta)):
        tol = moment_accuracy(loss[-1])
        try:
            eff = effective_dimension(final, tolerance=tol)
        except InputError:
            eff = None
        extrap = extrapolation_error(final, teacher, length=length)
    return Trajectory(
        times=times, loss=loss, grad_norm=np.asarray(raw["gnorms"], dtype=float),
        record_times=times[keep], parameters=params, invariants=inv, invariant_drift=drift,
        imbalance=np.array([problem.imbalance(p) for p in params]),
        negative_mass=np.array([problem.negative_mass(p) for p in params]),
        final=final, status=raw["status"], message=message, method=method,
        events=dict(raw["events"]), effective_dimension=eff, extrapolation_error=extrap,
        extrapolation_length=length, steps=int(raw["steps"]), evaluations=int(raw["nfev"]),
        seconds=seconds,
    )


