r"""Gradient flow :math:`\dot\Theta = -\nabla L_k(\Theta)` of linear RNNs.

The flow starts with a slow escape from the origin (exponential growth at rate
:math:`2 g(a_i)`, claim R7) and ends in a stiff, ill-conditioned basin, where explicit methods
are limited by stability and need of the order of :math:`10^6` steps. The default (``'auto'``)
is scipy's LSODA with the dense analytic Jacobian up to 200 parameters and, above that, an
L-stable linearly implicit Rosenbrock method (RODAS4) whose linear systems
:math:`(I + \gamma h \nabla^2 L)x = y` are solved in :math:`O(d k^2)` with the block-diagonal
plus rank-k structure of the Hessian (:eq:`eq-woodbury`); scipy's other methods are available, and
an implicit Gauss-Legendre integrator in mpmath checks invariants to 30+ digits.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from .._limits import MIN_T_MAX as _MIN_T_MAX
from .._validate import _kind, finite, shown
from ..errors import InputError, IntegrationError
from ..precision import Precision
from ..rnn._limits import check_memory
from ..rnn.analysis import effective_dimension, moment_accuracy, underflow_ignored
from ..rnn.losses import _target, extrapolation_error, lag_weights_for
from ..rnn.models import DiagonalRNN, LinearRNN
from ._problem import FlowProblem, OnSetProblem
from ._threads import blas_threads_limited, check_blas_threads
from .integrators import INTEGRATORS, FlowOptions, FlowRun, integrator_named
from .trajectory import OK_STATUSES, Trajectory

__all__ = ["integrate_flow", "flow_methods"]

# Up to this many parameters scipy's LSODA with the dense analytic Jacobian is the faster
# choice (measured: d = 40 diagonal, 0.17 s against 0.25-0.66 s); above it RODAS4 with the
# structured solve wins (d = 120: 0.45 s against 2.2-2.9 s).
AUTO_LSODA_LIMIT = 200

# Below this flow time no integrator can take a step (LSODA stalls on such spans).
MIN_T_MAX = _MIN_T_MAX  # the table: momentrnn._limits

# A diagonal unit that starts exactly on b_i = c_i (or b_i = -c_i) stays there under the exact
# flow (dL/db_i = c_i g_i and dL/dc_i = b_i g_i), so its weight b_i c_i keeps its sign; a
# computed run in the model's own coordinates leaves that set through rounding (the implicit
# integrators' linear solves mix the b and c components), which the flow then amplifies
# exponentially where the residual favours the other sign (a negative-weight teacher: the run
# escaped along b = -c). Such units are therefore integrated on their set (OnSetProblem:
# b_i = r_i, c_i = +-r_i), exactly on it at every point; what follows is the safety net for
# the rest (a full student on A = A^T, C = +-B, and an integrator that opts out of the reduced
# coordinates, gauss-mp, whose arithmetic keeps the sets itself). A run is
# stopped, status 'left_invariant', at the first accepted point where such a unit has
# |b_i -+ c_i| above this times the largest |b_j|, |c_j| reached so far. Its weight differs from
# that of the nearest point of the set by exactly (b_i -+ c_i)^2 / 4, so below the threshold
# that is at most 1e-12 of the largest squared size (invisible in the response at any accuracy
# a double run vouches); unamplified rounding leaves |b_i -+ c_i| near 1e-16 of the size per
# step (measured, d = 6, k = 6, seed 1, LSODA/rosenbrock/BDF: at most 6e-10 of it over whole
# runs of the positive named teachers from balanced starts), so 2e-6 is far above what rounding
# alone explains and far below an escape, which grows it to the size itself ('decaying' from
# the grid start, run on, ends 'converged' with units at b = -c of weight -4e-6, which the
# exact flow cannot have: it is stopped). A full student on A = A^T, C = +-B is watched the
# same way (the loss is unchanged by A, B, C -> A^T, +-C^T, +-B^T, whose fixed set the flow
# keeps; the response is even in the distance from that set, so the same bound holds).
INVARIANT_SET_TOLERANCE = 2e-6


def flow_methods() -> tuple[str, ...]:
    """The names ``integrate_flow(method=...)`` accepts.

    Returns
    -------
    tuple of str
        ``'auto'`` and the name of every registered integrator
        (:data:`~momentrnn.dynamics.integrators.INTEGRATORS`), in registration order.
    """
    return ("auto", *INTEGRATORS)


def _is_real(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))


def _positive_count(value: object, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or \
            value < 1:
        raise InputError(f"{name}={value!r} must be a positive integer{_kind(value)}")
    return int(value)


def check_extrapolation_length(length: int, dim: int,
                               name: str = "extrapolation_length") -> int:
    """Refuse, before any training, an extrapolation length whose impulse responses pass
    half the memory or ``MAX_EXTRAPOLATION_LENGTH`` (``name`` as the caller spells it)."""
    from .._limits import MAX_EXTRAPOLATION_LENGTH

    check_memory(16.0 * length * dim, f"the extrapolation error at length {length}",
                 "use a shorter extrapolation length")
    if length > MAX_EXTRAPOLATION_LENGTH:
        raise InputError(f"{name}={length} is more than {MAX_EXTRAPOLATION_LENGTH}, the longest "
                         "impulse response compared after a run (several arrays of that many "
                         f"values per unit): give {name} <= {MAX_EXTRAPOLATION_LENGTH}")
    return length


def check_until_loss(until_loss: object) -> None:
    """``until_loss`` is None or a finite number >= 0."""
    if until_loss is not None and not (_is_real(until_loss) and finite(until_loss)
                                       and until_loss >= 0):
        raise InputError(f"until_loss={shown(until_loss)} must be a finite loss >= 0 within "
                         "the double range, e.g. 1e-10 "
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
        # 1 here, 2 integrate_flow, 3 its underflow_ignored wrapper, 4 the caller
        warnings.warn(msg, stacklevel=4)
        return msg
    return ""


@underflow_ignored
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
    throw: bool = False,
) -> Trajectory:
    r"""Integrate the gradient flow of the moment loss from ``student``.

    Parameters
    ----------
    student, teacher : DiagonalRNN or LinearRNN
        Initial student (real); the teacher gives the target lags :math:`\hat h_j`.
    k : int
        Number of lags fitted.
    lag_weights : None, 'all_outputs' or array_like of shape (k,), optional
        Weights :math:`\rho_j` of the lags in the loss (:func:`momentrnn.rnn.lag_weights_for`):
        default all ones; ``'all_outputs'`` gives :math:`\rho_j = k - j`.
    t_max : float, optional
        Stop at this flow time (default: none given; the scipy methods then stop at flow
        time ``1e12``, the others at ``max_steps``, and a run stopped there above
        ``until_loss`` ends ``'stalled'`` or ``'max_steps'``, not ``'t_max'``).
    until_loss : float, optional
        Stop when :math:`L_k` is at or below this (default ``1e-10`` when ``t_max`` is not
        given); status ``'converged'`` means the final loss reported is at or below it.
    method : str
        ``'auto'`` (LSODA with the analytic Jacobian up to 200 parameters, RODAS4 above),
        ``'rosenbrock'`` (RODAS4 with O(d k^2) structured solves), scipy's ``'LSODA'``, ``'BDF'``,
        ``'Radau'`` (given the analytic Jacobian), ``'RK45'``, ``'DOP853'``, ``'gauss-mp'``
        (implicit Gauss-Legendre in mpmath; needs ``precision=MP(dps)`` and ``t_max``), or the
        name of an integrator added with
        :func:`~momentrnn.dynamics.integrators.register_integrator` (:func:`flow_methods`
        lists them all).
    rtol, atol : float
        Local error tolerances.
    precision : MP, optional
        Only for ``'gauss-mp'`` (which needs it); every other method runs in double precision
        and refuses a precision.
    record : int
        Maximum number of parameter snapshots kept.
    max_steps : int
        Bound on the number of steps: the run stops with status ``'max_steps'``.
    extrapolation_length : int
        Length q at which the final extrapolation error is measured.
    progress : callable, optional
        Called as ``progress(t, loss)`` as the integration advances (after each accepted
        step of the adaptive one-step integrators such as RODAS4; at each right-hand-side
        evaluation for scipy's methods; not called by ``'gauss-mp'``).
    blas_threads : int or None
        BLAS threads used during the integration (default 1: the structured solves are small
        memory-bound products, and extra threads slow them down several times over when the
        cores are shared); ``None`` leaves the process's setting alone. The limit is restored
        on return.
    throw : bool
        With ``False`` (default) a run that fails returns its :class:`Trajectory` with the
        status that says how (``'diverged'``, ``'stalled'``, ``'collapsed'``,
        ``'left_invariant'``, ``'max_steps'``) and a message;
        with ``True`` such a run raises :class:`~momentrnn.errors.IntegrationError` with that
        message instead. Bad input raises :class:`~momentrnn.errors.InputError` whatever
        ``throw`` says, and so does a Gauss-Legendre step whose stage equations do not converge
        (``IntegrationError``: it leaves no trajectory to return).

    Returns
    -------
    Trajectory
        A flow that blows up has status ``'diverged'``, one whose scipy integrator makes no
        progress ``'stalled'``, one whose stiff integrator (LSODA, BDF, Radau, rosenbrock)
        takes 2000 steps in a row that do not double the flow time ``'collapsed'`` (its time
        scale far below t, as after a huge initial loss: stopped rather than left to run for
        hours, with nothing claimed of where it ends), one cut by ``max_steps``
        ``'max_steps'`` (see ``throw``). A diagonal student whose unit starts exactly on
        :math:`b_i = c_i` or :math:`b_i = -c_i` stays there under the exact flow (its weight
        :math:`b_i c_i` keeps its sign): such units are integrated on that set, in reduced
        coordinates (:math:`b_i = r_i`, :math:`c_i = \pm r_i`;
        ``momentrnn.dynamics._problem.OnSetProblem``), by every double-precision
        method, so every recorded point has them exactly on it, and the message says how
        many were. A full student that starts on :math:`A = A^\top`, :math:`C = \pm B` stays
        there too; a computed run that leaves such a set by more than
        :data:`INVARIANT_SET_TOLERANCE` times the largest :math:`|b_j|, |c_j|` (full: entry
        of :math:`A, B, C`) reached (only rounding, amplified, can do it) is cut at the first
        point where it did, with status
        ``'left_invariant'``: where it would have gone says nothing of the exact flow.

    Raises
    ------
    InputError
        Bad input, including an unknown ``method`` (the message lists the known ones).
    IntegrationError
        With ``throw=True``, a run that did not end as asked; with ``'gauss-mp'``, stage
        equations that do not converge.

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
    if method != "auto":
        integrator_named(method)
    if precision is not None and (method == "auto"
                                  or not integrator_named(method).needs_precision):
        takes = ", ".join(repr(m) for m in flow_methods()
                          if m != "auto" and integrator_named(m).needs_precision)
        raise InputError(f"precision={precision!r} was given with method={method!r}, which "
                         f"runs in double precision; only {takes} takes a precision: omit "
                         "precision=, or use method='gauss-mp' with precision=MP(dps) and "
                         "t_max")
    if not isinstance(throw, (bool, np.bool_)):
        raise InputError(f"throw={throw!r} must be True or False")
    rho = lag_weights_for(k, lag_weights)
    from .._limits import check_lag_work

    check_lag_work(len(rho), student.dim)  # before the teacher's lags are computed
    target = _target(teacher, k)
    for name, v in (("rtol", rtol), ("atol", atol)):
        if not (_is_real(v) and finite(v) and v > 0):
            raise InputError(f"{name}={shown(v)} must be a positive finite number within the "
                             "double range")
    if t_max is not None:
        if not (_is_real(t_max) and finite(t_max) and t_max > 0):
            raise InputError(f"t_max={shown(t_max)} must be a positive finite number within "
                             "the double range (omit it for "
                             "no time limit)")
        if t_max < MIN_T_MAX:
            raise InputError(f"t_max={t_max!r} is below {MIN_T_MAX:g}, shorter than any step "
                             "the integrators can take; the flow has not moved by then: use a "
                             f"t_max of at least {MIN_T_MAX:g}")
    check_until_loss(until_loss)
    blas_threads = check_blas_threads(blas_threads)
    record = _positive_count(record, "record")
    max_steps = _positive_count(max_steps, "max_steps")
    extrapolation_length = check_extrapolation_length(
        _positive_count(extrapolation_length, "extrapolation_length"),
        max(student.dim, teacher.dim))
    if until_loss is None and t_max is None:
        until_loss = 1e-10
    warning = _overparameterization_warning(student, teacher)
    problem = FlowProblem.for_model(student, target, rho)
    theta0 = problem.pack(student)
    if method == "auto":
        method = "rosenbrock" if theta0.size > AUTO_LSODA_LIMIT else "LSODA"
    integrator = integrator_named(method)()
    options = FlowOptions(t_max=t_max, until_loss=until_loss, rtol=rtol, atol=atol,
                          max_steps=max_steps, record=record, precision=precision,
                          progress=progress)
    integrator.check(options)
    held = _held_units(problem, theta0) if integrator.on_invariant_sets else None
    solved, start0 = (problem, theta0) if held is None else (held, held.reduce(theta0))
    start = time.perf_counter()
    if integrator.limits_blas_threads:
        with blas_threads_limited(blas_threads):
            raw = integrator.integrate(solved, start0, options)
    else:
        raw = integrator.integrate(solved, start0, options)
    if held is not None:
        raw = _expanded(problem, held, raw)
    # the safety net (a full student on A = A^T, C = +-B; held units are exactly on their sets)
    raw = _stop_where_invariant_set_left(problem, theta0, raw)
    if raw.status == "converged" and not (until_loss is not None
                                          and float(raw.losses[-1]) <= until_loss):
        # 'converged' is a claim about the loss that is reported: it is at or below the target
        raw.status = "stalled"
        raw.message = (f"{method} reported the loss target reached, but the final loss "
                       f"{float(raw.losses[-1]):.17g} is above until_loss={until_loss}")
    if held is not None:
        raw.message += f"; {_held_note(held)}"
    if throw and raw.status not in OK_STATUSES:
        raise IntegrationError(f"the flow ({method}) ended with status {raw.status!r}: "
                               f"{raw.message}")
    return _assemble(problem, raw, teacher, method, record, extrapolation_length,
                     time.perf_counter() - start, warning)


def _held_units(problem: FlowProblem, theta0: np.ndarray) -> OnSetProblem | None:
    """The flow of a diagonal student with its units that start exactly on b_i = c_i (or
    b_i = -c_i) held on those sets; None when there is none (or the student is full)."""
    if not problem.diagonal:
        return None
    t = np.asarray(theta0, dtype=float).reshape(problem.dim, 3)
    signs = np.where(t[:, 1] == t[:, 2], 1.0, np.where(t[:, 1] == -t[:, 2], -1.0, 0.0))
    return OnSetProblem(problem, signs) if np.any(signs != 0) else None


def _expanded(problem: FlowProblem, held: OnSetProblem, raw: FlowRun) -> FlowRun:
    """A run in reduced coordinates with its points in the model's own (exactly on the sets)
    and the gradient norms of the model's own gradient there (the reduced right-hand side
    counts each held unit's b_i, c_i pair once)."""
    thetas = [held.expand(np.asarray(x, dtype=float)) for x in raw.thetas]
    gnorms = []
    with np.errstate(all="ignore"):
        for theta, g in zip(thetas, raw.gnorms):
            gnorms.append(float(np.linalg.norm(problem.loss_grad(theta)[1]))
                          if np.all(np.isfinite(theta)) else g)
    return FlowRun(times=raw.times, thetas=thetas, losses=raw.losses, gnorms=gnorms,
                   status=raw.status, message=raw.message, steps=raw.steps, nfev=raw.nfev,
                   events=raw.events, drift=raw.drift)


def _held_note(held: OnSetProblem) -> str:
    plus, minus = int(np.sum(held.signs > 0)), int(np.sum(held.signs < 0))
    sets = " and ".join(f"{n} on b_i = {sign}c_i" for n, sign in ((plus, ""), (minus, "-"))
                        if n)
    return (f"units started on their invariant sets ({sets}) were integrated on them, in "
            "reduced coordinates (b_i = r_i, c_i = +-r_i: each weight b_i c_i keeps its sign "
            "exactly, as under the exact flow)")


def _stop_where_invariant_set_left(problem: FlowProblem, theta0: np.ndarray,
                                   raw: FlowRun) -> FlowRun:
    """The run cut at the first accepted point where a diagonal unit that started exactly on
    b_i = c_i or b_i = -c_i (a full student: that started on A = A^T with C = B or C = -B) is
    off that set by more than :data:`INVARIANT_SET_TOLERANCE` times the largest parameter
    of the set's terms (|b_j|, |c_j|; the full model's A, B, C) reached so far, with status
    ``'left_invariant'``; ``raw`` itself when nothing leaves its set (or nothing starts on
    one)."""
    d = problem.dim
    start = np.asarray(theta0, dtype=float)
    if problem.diagonal:
        start = start.reshape(d, 3)
        on_plus, on_minus = start[:, 1] == start[:, 2], start[:, 1] == -start[:, 2]
    else:
        A, B, C = start[: d * d].reshape(d, d), start[d * d : d * d + d], start[d * d + d :]
        symmetric = bool(np.array_equal(A, A.T))
        on_plus = np.array([symmetric and bool(np.array_equal(B, C))])
        on_minus = np.array([symmetric and bool(np.array_equal(B, -C))])
    if not (on_plus.any() or on_minus.any()):
        return raw
    found = _first_point_off_the_sets(raw.thetas, problem, on_plus, on_minus)
    if found is None:
        return raw
    j, i, off, scale = found
    t = float(raw.times[j])
    sign, op = ("", "-") if on_plus[i] else ("-", "+")
    if problem.diagonal:
        what = (f"unit {i} (counting from 0) started on b_i = {sign}c_i, which the exact flow "
                "keeps for all time (dL/db_i = c_i g_i, dL/dc_i = b_i g_i, so its weight "
                "b_i c_i keeps its sign)")
        size = f"|b_i {op} c_i| = {off:.3e}"
        terms = "|b|, |c|"
    else:
        what = (f"the student started on A = A^T, C = {sign}B, which the exact flow keeps for "
                f"all time (the loss is unchanged by A, B, C -> A^T, {sign}C^T, {sign}B^T)")
        size = f"max(|A - A^T|, |B {op} C|) = {off:.3e}"
        terms = "entry of A, B, C"
    message = (f"stopped at t = {t:.6g}: {what}, but the computed run left that set through "
               f"rounding: {size} there, above {INVARIANT_SET_TOLERANCE:g} times the largest "
               f"{terms} reached ({scale:.3e}); where the computed run goes from here says "
               f"nothing of the exact flow (the loss there was {float(raw.losses[j]):.3e})")
    return FlowRun(times=list(raw.times[: j + 1]), thetas=list(raw.thetas[: j + 1]),
                   losses=list(raw.losses[: j + 1]), gnorms=list(raw.gnorms[: j + 1]),
                   status="left_invariant", message=message, steps=min(raw.steps, j),
                   nfev=raw.nfev, events={k: v for k, v in raw.events.items() if v <= t},
                   drift=raw.drift)


def _off_the_sets(problem: FlowProblem, block: np.ndarray, on_plus: np.ndarray,
                  on_minus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For points ``block`` (n, P): how far each unit (the full model: the student, one
    unit) is off its set, shape (n, units), and the largest term of the sets at each point."""
    d, n = problem.dim, len(block)
    if problem.diagonal:
        bc = block.reshape(n, d, 3)[:, :, 1:]
        b, c = bc[:, :, 0], bc[:, :, 1]
        plus, minus = np.abs(b - c), np.abs(b + c)
        size = np.max(np.abs(bc), axis=(1, 2))
    else:
        A = block[:, : d * d].reshape(n, d, d)
        b, c = block[:, d * d : d * d + d], block[:, d * d + d :]
        asym = np.max(np.abs(A - A.transpose(0, 2, 1)), axis=(1, 2))
        plus = np.maximum(asym, np.max(np.abs(b - c), axis=1))[:, None]
        minus = np.maximum(asym, np.max(np.abs(b + c), axis=1))[:, None]
        size = np.max(np.abs(block), axis=1)
    return np.maximum(np.where(on_plus, plus, 0.0), np.where(on_minus, minus, 0.0)), size


def _first_point_off_the_sets(thetas: list, problem: FlowProblem, on_plus: np.ndarray,
                              on_minus: np.ndarray) -> tuple[int, int, float, float] | None:
    """The first point ``j`` where a unit ``i`` started on its set (``on_plus``: b = c,
    ``on_minus``: b = -c) is off it by ``off`` > INVARIANT_SET_TOLERANCE * ``scale`` (the
    largest term reached up to there), as ``(j, i, off, scale)``; None if there is none before
    the end or before a non-finite point (a diverged run, which its own status reports)."""
    scale, chunk = 0.0, 4096  # the points are checked a block at a time (arrays, not loops)
    for first in range(0, len(thetas), chunk):
        part = thetas[first:first + chunk]
        block = np.array([np.asarray(t, dtype=float) for t in part])
        finite = np.all(np.isfinite(block), axis=1)
        n = len(part) if finite.all() else int(np.argmin(finite))
        off, size = _off_the_sets(problem, block[:n], on_plus, on_minus)
        scales = np.maximum(scale, np.maximum.accumulate(size))
        hits = np.nonzero(np.max(off, axis=1) > INVARIANT_SET_TOLERANCE * scales)[0]
        if hits.size:
            j = int(hits[0])
            i = int(np.argmax(off[j]))
            return first + j, i, float(off[j, i]), float(scales[j])
        if n < len(part):
            return None
        scale = float(scales[-1])
    return None


def _assemble(problem: FlowProblem, raw: FlowRun, teacher, method: str, record: int,
              length: int, seconds: float, warning: str) -> Trajectory:
    times = np.asarray(raw.times, dtype=float)
    thetas = raw.thetas
    n = len(thetas)
    keep = np.unique(np.linspace(0, n - 1, min(n, max(record, 2))).round().astype(int))
    params = np.array([np.asarray(thetas[i], dtype=float) for i in keep])
    # diagnostics of parameters that may have overflowed (a diverged run): their inf or nan
    # is what is shown, without floating-point warnings
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        inv = np.array([problem.invariants(p) for p in params])
        scale = max(problem.invariant_scale(p) for p in params)
        drift = float(np.max(np.abs(inv - inv[0])) / scale) if scale > 0 else 0.0
        imbalance = np.array([problem.imbalance(p) for p in params])
        negative_mass = np.array([problem.negative_mass(p) for p in params])
    if raw.drift is not None:  # the mpmath integrator measures it at its own precision
        drift = raw.drift
    final_theta = np.asarray(thetas[-1], dtype=float)
    final = problem.unpack(final_theta)
    loss = np.asarray(raw.losses, dtype=float)
    eff, extrap = None, None
    message = raw.message + (f"; {warning}" if warning else "")
    if raw.status != "diverged" and np.all(np.isfinite(final_theta)):
        tol = moment_accuracy(loss[-1])
        try:
            eff = effective_dimension(final, tolerance=tol)
        except InputError:
            eff = None
        extrap = extrapolation_error(final, teacher, length=length)
    return Trajectory(
        times=times, loss=loss, grad_norm=np.asarray(raw.gnorms, dtype=float),
        record_times=times[keep], parameters=params, invariants=inv, invariant_drift=drift,
        imbalance=imbalance, negative_mass=negative_mass,
        final=final, status=raw.status, message=message, method=method,
        events=dict(raw.events), effective_dimension=eff, extrapolation_error=extrap,
        extrapolation_length=length, steps=int(raw.steps), evaluations=int(raw.nfev),
        seconds=seconds,
    )


