r"""Discrete gradient descent :math:`\Theta_{t+1} = \Theta_t - \eta \nabla L_k(\Theta_t)`.

Many diagonal students (initialisation scales times seeds) run as one batched array program,
in numpy or torch (CPU or GPU, float64 by default: the imbalance starts near the square of the
initialisation scale, far below float32 resolution). A run that diverges is marked with the
step at which it did and frozen there; the others go on.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .._output import _standard, restore_non_finite
from .._schema import body_of
from .._validate import positive_int
from ..errors import InputError, IntegrationError, MissingDependencyError
from ..rnn.analysis import underflow_ignored
from ..rnn.losses import lag_weights_for, teacher_lags
from ..rnn.models import DiagonalRNN, LinearRNN
from ._problem import FlowProblem
from .integrators import FlowRun
from .trajectory import Trajectory

__all__ = ["gradient_descent", "GDResult", "load_torch", "torch_device"]

# a bound on the work one call can ask for: the table, momentrnn._limits
from .._limits import (
    MAX_STEPS,  # noqa: E402
    check_lag_work,
)
from .flow import _assemble, _is_real, check_extrapolation_length, check_until_loss

COMPILE_UNROLL = 8  # steps fused per torch.compile call (longer unrolls compile slowly)
LOSS_LIMIT = 1e30  # far above any loss of a converging run, far below overflow


def load_torch():
    """Import torch or raise a MissingDependencyError that names the extra."""
    try:
        import torch
    except ImportError:
        raise MissingDependencyError(
            "backend='torch' needs PyTorch, which is not installed; install it with "
            "pip install 'momentrnn[torch]' (any torch >= 2.1; name the CPU build on a machine "
            "without a GPU, e.g. torch==2.13.0 here), or use backend='numpy'"
        ) from None
    return torch


def torch_device(torch, device: object):
    """A checked torch device: ``None`` (CPU), ``'cpu'``, ``'cuda'``, ``'cuda:N'`` or ``'mps'``
    that this machine has."""
    if device is None:
        return torch.device("cpu")
    if not isinstance(device, str):
        raise InputError(f"device={device!r} must be a string such as 'cpu' or 'cuda:0'")
    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError, TypeError):
        raise InputError(f"device={device[:80]!r} is not a torch device; use 'cpu', 'cuda', "
                         "'cuda:N' or 'mps'") from None
    if dev.type == "cpu":
        return dev
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise InputError(f"device={device!r}: this PyTorch has no usable CUDA device "
                             "(a CPU build, or no GPU); use device='cpu'")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise InputError(f"device={device!r}: there are {torch.cuda.device_count()} CUDA "
                             "device(s); use an index below that")
        return dev
    if dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise InputError(f"device={device!r}: MPS is not available here; use device='cpu'")
        return dev
    raise InputError(f"device={device!r}: use 'cpu', 'cuda', 'cuda:N' or 'mps'")


@dataclass(frozen=True)
class GDResult:
    """Batched gradient-descent runs.

    Attributes
    ----------
    a, b, c : ndarray, shape (batch, d)
        Final parameters (frozen at the divergence step for diverged runs).
    loss : ndarray, shape (records, batch)
        Loss at ``record_steps``.
    record_steps : ndarray
        Step indices of the records.
    invariants_initial, invariants_final : ndarray, shape (batch, d)
        :math:`b_i^2 - c_i^2` at the start and end.
    diverged_at : ndarray of int, shape (batch,)
        Step at which a run diverged, -1 if it did not.
    status : tuple of str
        Per run, what happened: ``'converged'`` (target reached: the final loss is at or below
        ``until_loss``), ``'max_steps'`` (steps exhausted with the loss above ``until_loss``),
        ``'finished'`` (the steps asked for were run, with no ``until_loss`` to reach) or
        ``'diverged'`` (the loss left :math:`[0, 10^{30}]`; ``diverged_at`` says when).
    lr : float
    steps : int
    backend, device : str
    seconds : float
        Wall time of the descent loop.
    parameters : ndarray or None
        (records, batch, d, 3) snapshots when they fit in memory.
    until_loss : float or None
        The loss target the statuses refer to.
    reached_at : ndarray of int, shape (batch,), or None
        Step at which a run first had a loss at or below ``until_loss`` (it stopped there),
        -1 if it did not; ``None`` without ``until_loss``.
    """

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    loss: np.ndarray
    record_steps: np.ndarray
    invariants_initial: np.ndarray
    invariants_final: np.ndarray
    diverged_at: np.ndarray
    status: tuple
    lr: float
    steps: int
    backend: str
    device: str
    seconds: float
    parameters: np.ndarray | None = None
    until_loss: float | None = None
    reached_at: np.ndarray | None = None

    @property
    def batch(self) -> int:
        """Number of runs."""
        return int(self.a.shape[0])

    @property
    def student_steps_per_second(self) -> float:
        """Throughput: runs times steps per wall-clock second."""
        return self.batch * self.steps / self.seconds if self.seconds > 0 else math.inf

    def _run(self, index: object) -> int:
        """``index`` checked: a run number 0..batch-1 (never a negative one from the end)."""
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)) \
                or not 0 <= index < self.batch:
            raise InputError(f"run index {index!r} must be an integer from 0 to "
                             f"{self.batch - 1} (this result holds {self.batch} runs)")
        return int(index)

    def model(self, index: int = 0) -> DiagonalRNN:
        """The final model of run ``index``."""
        index = self._run(index)
        return DiagonalRNN(self.a[index], self.b[index], self.c[index])

    def to_dict(self) -> dict:
        """JSON-ready dictionary (kind ``"gd"``): every field, arrays as nested lists
        (``parameters`` and ``reached_at`` ``None`` when absent; ``invariants_final`` as
        ``invariants``, a flow proof's name), each run's ``messages``;
        standard JSON as it is (a number that is not finite, a diverged run's, as ``"inf"``,
        ``"-inf"`` or ``"nan"``), read back by :meth:`from_dict`."""

        def ints(values):
            return None if values is None else [int(v) for v in np.asarray(values).ravel()]

        def floats(values):
            return None if values is None else np.asarray(values, dtype=float).tolist()

        return _standard({
            "batch": self.batch, "a": floats(self.a), "b": floats(self.b), "c": floats(self.c),
            "loss": floats(self.loss), "record_steps": ints(self.record_steps),
            "invariants_initial": floats(self.invariants_initial),
            "invariants": floats(self.invariants_final),  # a flow proof's name
            "diverged_at": ints(self.diverged_at), "status": list(self.status),
            "messages": [self.message(i) for i in range(self.batch)],
            "lr": float(self.lr), "steps": int(self.steps), "backend": self.backend,
            "device": str(self.device), "seconds": float(self.seconds),
            "parameters": floats(self.parameters),
            "until_loss": None if self.until_loss is None else float(self.until_loss),
            "reached_at": ints(self.reached_at)})

    @classmethod
    def from_dict(cls, data: dict) -> GDResult:
        """The result of its :meth:`to_dict` (or of a ``"gd"`` output); the strings of
        non-finite numbers as the floats."""

        data = restore_non_finite(body_of(data))
        d = len(data["a"][0]) if data["a"] else 0

        def arr(key, shape=None):
            values = data.get(key)
            if values is None:
                return None
            out = np.asarray(values, dtype=float)
            return out.reshape(shape) if shape is not None and out.size == 0 else out

        def ints(key):
            values = data.get(key)
            return None if values is None else np.asarray(values, dtype=np.int64)

        batch = int(data["batch"])
        return cls(a=arr("a", (batch, d)), b=arr("b", (batch, d)), c=arr("c", (batch, d)),
                   loss=arr("loss", (0, batch)), record_steps=ints("record_steps"),
                   invariants_initial=arr("invariants_initial", (batch, d)),
                   invariants_final=arr("invariants", (batch, d)),
                   diverged_at=ints("diverged_at"), status=tuple(data["status"]),
                   lr=float(data["lr"]), steps=int(data["steps"]), backend=data["backend"],
                   device=data["device"], seconds=float(data["seconds"]),
                   parameters=arr("parameters"),
                   until_loss=None if data.get("until_loss") is None else float(
                       data["until_loss"]),
                   reached_at=ints("reached_at"))

    def message(self, index: int) -> str:
        """What happened to run ``index``, in words (its status's sentence); ``index`` an
        integer from 0 to ``batch - 1``, as for :meth:`model` (``InputError`` otherwise)."""
        index = self._run(index)
        status, loss = self.status[index], float(self.loss[-1, index])
        run = f"{self.steps} steps of gradient descent (lr={self.lr:g})"
        if status == "diverged":
            return (f"diverged at step {int(self.diverged_at[index])} of {run}: the loss left "
                    f"[0, {LOSS_LIMIT:g}]; use a smaller lr")
        if status == "converged":
            at = self.steps if self.reached_at is None else int(self.reached_at[index])
            return (f"target reached: loss {loss:.3e} <= until_loss={self.until_loss:g} at step "
                    f"{at} of {run}; it stopped there")
        if status == "max_steps":
            return (f"steps exhausted: loss {loss:.3e} after {run} is above "
                    f"until_loss={self.until_loss:g}; run more steps or use a larger lr")
        return f"ran the {run} asked for (no loss target)"

    def trajectory(self, index: int, teacher: DiagonalRNN | LinearRNN, *, k: int,
                   extrapolation_length: int = 1000) -> Trajectory:
        """Run ``index`` as a :class:`Trajectory` (time = step x learning rate), with the
        run's status (``'converged'``, ``'max_steps'``, ``'finished'``, ``'diverged'``) and
        :meth:`message`."""

        index = self._run(index)
        extrapolation_length = check_extrapolation_length(
            positive_int(extrapolation_length, "extrapolation_length"),
            max(self.a.shape[1], teacher.dim))
        weights = lag_weights_for(k, None)  # k checked and named as gradient_descent does
        target = teacher_lags(teacher, len(weights))
        problem = FlowProblem(True, self.a.shape[1], target, weights)
        # the step it stopped at (diverged, or target reached), else all the steps asked for
        stop = max(int(self.diverged_at[index]), -1 if self.reached_at is None else
                   int(self.reached_at[index]))
        ran = self.steps if stop < 0 else stop
        if self.parameters is not None:
            thetas = [p[index].ravel() for p in self.parameters]
            times = self.record_steps * self.lr
        else:
            final = np.stack([self.a[index], self.b[index], self.c[index]], axis=1).ravel()
            thetas, times = [final], np.array([ran * self.lr])
        losses = list(self.loss[:, index]) if self.parameters is not None else [
            float(self.loss[-1, index])]
        gn = [float(np.linalg.norm(problem.loss_grad(t)[1])) for t in thetas]
        raw = FlowRun(times=list(times), thetas=thetas, losses=losses, gnorms=gn,
                      status=self.status[index], message=self.message(index),
                      events={} if self.diverged_at[index] < 0 else
                      {"diverged_step": int(self.diverged_at[index])},
                      steps=ran, nfev=ran)
        return _assemble(problem, raw, teacher, "gd", len(thetas), extrapolation_length,
                         self.seconds, "")


@dataclass(frozen=True)
class _Descent:
    """What a backend returns: final parameters, recorded losses, divergence steps, time."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    loss: np.ndarray
    record_steps: np.ndarray
    diverged_at: np.ndarray
    seconds: float
    device: str = "cpu"
    params: np.ndarray | None = None
    reached_at: np.ndarray | None = None


def _real_students(a, b, c) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The parameters as float arrays; complex ones are refused (descent runs real students,
    and dropping an imaginary part would train another student)."""
    out = []
    for name, x in zip("abc", (a, b, c)):
        try:
            arr = np.asarray(x)
            complex_entries = np.iscomplexobj(arr) and bool(np.any(arr.imag != 0))
            if not complex_entries:
                arr = np.asarray(arr.real if np.iscomplexobj(arr) else arr, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise InputError(f"students: {name} is not an array of real numbers") from None
        if complex_entries:
            first = complex(arr[arr.imag != 0].flat[0])
            raise InputError(
                f"students: {name} has complex entries (e.g. {first}); "
                "gradient descent trains real students: pass real parameters (a complex pair "
                "of atoms is a real 2x2 block: use a LinearRNN with integrate_flow)")
        out.append(arr)
    return out[0], out[1], out[2]


def _stack_students(students) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if isinstance(students, DiagonalRNN):
        return _real_students(students.a[None].copy(), students.b[None].copy(),
                              students.c[None].copy())
    if isinstance(students, LinearRNN):
        raise InputError("gradient_descent runs diagonal students (DiagonalRNN); integrate "
                         "full models (LinearRNN) with integrate_flow")
    if isinstance(students, tuple) and len(students) == 3:
        a, b, c = _real_students(*students)
        if a.ndim != 2 or a.shape != b.shape or a.shape != c.shape:
            raise InputError(f"students as arrays must be three (batch, d) arrays of one shape, "
                             f"got {a.shape}, {b.shape}, {c.shape}")
        return a.copy(), b.copy(), c.copy()
    if isinstance(students, Sequence) and students and all(
            isinstance(s, DiagonalRNN) for s in students):
        dims = {s.dim for s in students}
        if len(dims) != 1:
            raise InputError(f"students in one batch must share a dimension, got {sorted(dims)}")
        return _real_students(np.stack([s.a for s in students]),
                              np.stack([s.b for s in students]),
                              np.stack([s.c for s in students]))
    raise InputError("students must be a DiagonalRNN, a list of DiagonalRNN of one dimension, "
                     "or (a, b, c) arrays of shape (batch, d)")


@underflow_ignored
def gradient_descent(
    students,
    teacher: DiagonalRNN | LinearRNN,
    *,
    k: int,
    lr: float,
    steps: int,
    backend: str = "numpy",
    device: str | None = None,
    lag_weights: object = None,
    until_loss: float | None = None,
    record_every: int | None = None,
    dtype: str = "float64",
    torch_mode: str = "auto",
    progress: Callable[[int, np.ndarray], None] | None = None,
    throw: bool = False,
) -> GDResult:
    r"""Run gradient descent on one or many diagonal students at once.

    Parameters
    ----------
    students : DiagonalRNN, list of DiagonalRNN, or (a, b, c) arrays of shape (batch, d)
        Real parameters (complex ones are refused, never truncated).
    teacher : DiagonalRNN or LinearRNN
    k : int
        Lags fitted.
    lag_weights : None, 'all_outputs' or array_like of shape (k,), optional
        Weights :math:`\rho_j` of the lags in the loss (:func:`momentrnn.rnn.lag_weights_for`):
        default all ones; ``'all_outputs'`` gives :math:`\rho_j = k - j`.
    lr : float
        Step size :math:`\eta > 0`.
    steps : int
        Number of steps.
    backend : {'numpy', 'torch'}
    device : str, optional
        torch device (``'cpu'``, ``'cuda'``); default CPU.
    until_loss : float, optional
        The loss target: a run stops at the first step whose loss is at or below it and is
        ``'converged'`` (target reached; ``reached_at`` says when, and the descent ends when
        every run has stopped); one above it at the end is ``'max_steps'`` (steps exhausted).
        Without it a run that does not diverge is ``'finished'``.
    record_every : int, optional
        Record the loss every this many steps (default: about 100 records).
    dtype : {'float64', 'float32'}
    torch_mode : {'auto', 'eager', 'graph', 'compile'}
        How the torch backend runs the steps between records: eagerly, as a replayed CUDA
        graph (CUDA only; the default there), or fused by ``torch.compile``.
    progress : callable, optional
        Called as ``progress(step, loss)`` at every record (every ``record_every`` steps), with
        the losses of the batch (an array of shape (batch,)).
    throw : bool
        With ``False`` (default) runs that diverge are reported in the result's ``status``
        (``'diverged'``) and ``diverged_at``; with ``True`` a batch in which any run diverged
        raises :class:`~momentrnn.errors.IntegrationError` naming those runs and the step.
        Bad input raises :class:`~momentrnn.errors.InputError` whatever ``throw`` says.

    Returns
    -------
    GDResult

    Raises
    ------
    InputError
        Bad input.
    IntegrationError
        With ``throw=True``, when a run diverged.

    Examples
    --------
    >>> from momentrnn.rnn import init_student, named_teacher
    >>> res = gradient_descent(init_student(20, scale=1e-2, seed=0), named_teacher("decaying"),
    ...                        k=4, lr=0.05, steps=3000)
    >>> res.status[0], bool(res.loss[-1, 0] < 1e-8)
    ('finished', True)
    """

    a, b, c = _stack_students(students)
    if not (_is_real(lr) and math.isfinite(lr) and lr > 0):
        raise InputError(f"lr={lr!r} must be a positive finite step size")
    check_until_loss(until_loss)
    if record_every is not None:
        record_every = positive_int(record_every, "record_every")
    if backend == "numpy" and device not in (None, "cpu"):
        raise InputError(f"device={device!r} is for backend='torch'; the numpy backend runs "
                         "on the CPU")
    steps = positive_int(steps, "steps", maximum=MAX_STEPS,
                         hint="split longer runs into several calls from the last state")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b)) and np.all(np.isfinite(c))):
        raise InputError("students have non-finite parameters")
    if dtype not in ("float64", "float32"):
        raise InputError(f"dtype={dtype!r}: use 'float64' or 'float32'")
    if progress is not None and not callable(progress):
        raise InputError(f"progress={progress!r} must be a callable progress(step, loss) or None")
    if not isinstance(throw, (bool, np.bool_)):
        raise InputError(f"throw={throw!r} must be True or False")
    rho = lag_weights_for(k, lag_weights)

    check_lag_work(len(rho), a.shape[-1])  # before the teacher's lags are computed
    target = teacher_lags(teacher, k)
    every = max(1, steps // 100) if record_every is None else record_every
    batch, d = a.shape
    keep_params = batch * d * 3 * (steps // every + 2) * 8 <= 200e6
    inv0 = b**2 - c**2
    if backend == "numpy":
        out = _numpy_gd(a, b, c, target, rho, float(lr), int(steps), every, keep_params,
                        np.dtype(dtype), progress, until_loss)
    elif backend == "torch":
        out = _torch_gd(a, b, c, target, rho, float(lr), int(steps), every, keep_params,
                        device, dtype, torch_mode, progress, until_loss)
    else:
        raise InputError(f"backend={backend!r}: use 'numpy' or 'torch'")
    losses = out.loss
    diverged = out.diverged_at
    status = []
    for i in range(batch):
        if diverged[i] >= 0:
            status.append("diverged")
        elif until_loss is not None and (out.reached_at[i] >= 0 or losses[-1, i] <= until_loss):
            status.append("converged")
        elif until_loss is not None:
            status.append("max_steps")  # the steps are exhausted, the target is not reached
        else:
            status.append("finished")
    if throw and np.any(diverged >= 0):
        runs = np.flatnonzero(diverged >= 0)
        shown = ", ".join(f"{i} at step {int(diverged[i])}" for i in runs[:5])
        raise IntegrationError(
            f"gradient descent diverged in {runs.size} of {batch} run(s) (run {shown}"
            f"{', ...' if runs.size > 5 else ''}) at lr={float(lr):g}; use a smaller lr, or "
            "throw=False to keep the other runs")
    with np.errstate(over="ignore", invalid="ignore"):
        inv_final = out.b ** 2 - out.c ** 2
    return GDResult(out.a, out.b, out.c, losses, out.record_steps, inv0,
                    inv_final, diverged, tuple(status), float(lr),
                    int(steps), backend, out.device, out.seconds, out.params,
                    None if until_loss is None else float(until_loss),
                    None if until_loss is None else out.reached_at)


def _loss_and_step(a, b, c, target, rho, stack):
    r"""Residuals and the gradient of the diagonal loss by Horner's rule, for a batch.

    :math:`r_j = \sum_i w_i a_i^j - \hat h_j`, :math:`V^\top u = \sum_j u_j a^j` and
    :math:`D^\top u = \sum_{j\ge1} j u_j a^{j-1}` are evaluated with k elementwise passes
    each, never materialising the (batch, d, k) power array. Works for numpy and torch arrays
    (``stack`` is ``np.stack`` or ``torch.stack``).
    """
    k = target.shape[0]
    w = b * c
    power = w
    sums = []
    for _ in range(k):
        sums.append(power.sum(1))
        power = power * a
    r = stack(sums, 1) - target
    u = 2.0 * rho * r
    vu = u[:, k - 1 : k] + 0.0 * a
    du = (k - 1) * u[:, k - 1 : k] + 0.0 * a
    for j in range(k - 2, -1, -1):
        vu = vu * a + u[:, j : j + 1]
        if j >= 1:
            du = du * a + j * u[:, j : j + 1]
    if k == 1:
        du = 0.0 * a
    # each run's loss summed lag by lag in a fixed order: a matrix product would take another
    # BLAS path for another batch size, and a run's bits would depend on its batch
    rr = r * r * rho
    loss = rr[:, 0]
    for j in range(1, k):
        loss = loss + rr[:, j]
    return loss, w * du, c * vu, b * vu


def _numpy_gd(a, b, c, target, rho, lr, steps, every, keep_params, dtype, progress=None,
              until=None):
    a, b, c = a.astype(dtype), b.astype(dtype), c.astype(dtype)
    target, rho = target.astype(dtype), rho.astype(dtype)
    batch, d = a.shape
    diverged = np.full(batch, -1, dtype=np.int64)
    reached = np.full(batch, -1, dtype=np.int64)
    alive = np.ones(batch, dtype=bool)
    records, rec_steps, params = [], [], []
    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            loss, ga, gb, gc = _loss_and_step(a, b, c, target, rho, np.stack)
            # a run diverges when its loss leaves [0, LOSS_LIMIT]; it is frozen there
            bad = alive & ~(loss <= LOSS_LIMIT)
            if bad.any():
                diverged[bad] = step
                alive &= ~bad
            if until is not None:
                # a run that reaches the target stops there (frozen, as a diverged one is)
                hit = alive & (loss <= until)
                if hit.any():
                    reached[hit] = step
                    alive &= ~hit
            last = step == steps or not alive.any()  # every run stopped: the descent ends
            if step % every == 0 or last:
                records.append(loss.copy())
                rec_steps.append(step)
                if keep_params:
                    params.append(np.stack([a, b, c], axis=-1).copy())
                if progress is not None:
                    progress(step, records[-1].astype(float))
            if last:
                break
            if alive.all():
                a, b, c = a - lr * ga, b - lr * gb, c - lr * gc  # the common case: no masking
            else:
                m = alive[:, None]
                a, b, c = (np.where(m, a - lr * ga, a), np.where(m, b - lr * gb, b),
                           np.where(m, c - lr * gc, c))
    seconds = time.perf_counter() - start
    return _Descent(a.astype(float), b.astype(float), c.astype(float),
                    np.array(records, dtype=float), np.array(rec_steps), diverged, seconds,
                    params=np.array(params, dtype=float) if keep_params else None,
                    reached_at=reached)


def _torch_gd(a, b, c, target, rho, lr, steps, every, keep_params, device, dtype, mode="auto",
              progress=None, until=None):
    """Torch descent in chunks of ``every`` steps between records.

    ``mode``: ``'eager'``; ``'graph'`` (CUDA only: one chunk is captured as a CUDA graph and
    replayed, removing the per-kernel launch cost); ``'compile'`` (``torch.compile`` fuses the
    unrolled steps of a chunk); ``'auto'`` is ``'graph'`` on CUDA and ``'eager'`` elsewhere.
    """
    torch = load_torch()
    dev = torch_device(torch, device)
    if mode == "auto":
        mode = "graph" if dev.type == "cuda" else "eager"
    if mode not in ("eager", "graph", "compile"):
        raise InputError(f"torch_mode={mode!r}: use 'auto', 'eager', 'graph' or 'compile'")
    if mode == "graph" and dev.type != "cuda":
        raise InputError("torch_mode='graph' needs a CUDA device")
    tdtype = torch.float64 if dtype == "float64" else torch.float32

    def T(x):
        return torch.as_tensor(x, dtype=tdtype, device=dev)

    a, b, c, target, rho = T(a), T(b), T(c), T(target), T(rho)
    batch = a.shape[0]
    diverged = torch.full((batch,), -1, dtype=torch.int64, device=dev)
    alive = torch.ones(batch, dtype=torch.bool, device=dev)
    step_t = torch.zeros((), dtype=torch.int64, device=dev)
    reached = torch.full((batch,), -1, dtype=torch.int64, device=dev)
    goal = -math.inf if until is None else float(until)

    def advance(a, b, c, alive, diverged, step_t, reached, n):
        """n descent steps, functional: returns the new state."""
        for _ in range(n):
            loss, ga, gb, gc = _loss_and_step(a, b, c, target, rho, torch.stack)
            bad = alive & ~(loss <= LOSS_LIMIT)  # diverged runs are frozen where they are
            diverged = torch.where(bad, step_t, diverged)
            alive = alive & ~bad
            hit = alive & (loss <= goal)  # so are runs that reached the target
            reached = torch.where(hit, step_t, reached)
            alive = alive & ~hit
            m = alive.unsqueeze(1)
            a, b, c = (torch.where(m, a - lr * ga, a), torch.where(m, b - lr * gb, b),
                       torch.where(m, c - lr * gc, c))
            step_t = step_t + 1
        return a, b, c, alive, diverged, step_t, reached

    state = [a, b, c, alive, diverged, step_t, reached]
    records, rec_steps, params = [], [], []

    def record(step):
        loss = _loss_and_step(state[0], state[1], state[2], target, rho, torch.stack)[0]
        records.append(loss.clone())
        rec_steps.append(step)
        if keep_params:
            params.append(torch.stack(state[:3], dim=-1).clone())
        if progress is not None:
            progress(step, loss.cpu().double().numpy())

    chunk = None
    with torch.no_grad():
        if mode == "compile":
            unroll = COMPILE_UNROLL

            def block(a, b, c, alive, diverged, step_t, reached):
                return advance(a, b, c, alive, diverged, step_t, reached, unroll)

            compiled = torch.compile(block, dynamic=False, fullgraph=True)

            def chunk(n):
                for _ in range(n // unroll):
                    state[:] = compiled(*state)
                if n % unroll:
                    state[:] = advance(*state, n % unroll)
        elif mode == "graph":
            static = [x.clone() for x in state]
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):  # warm-up on copies: the real state is untouched
                advance(*[x.clone() for x in static], 1)
            torch.cuda.current_stream().wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                out = advance(*static, every)
                for dst, src in zip(static, out):
                    dst.copy_(src)

            def chunk(n):
                if n == every:
                    for dst, src in zip(static, state):
                        dst.copy_(src)
                    graph.replay()
                    state[:] = [x.clone() for x in static]
                else:
                    state[:] = advance(*state, n)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        record(0)
        done = 0
        while done < steps:
            n = min(every, steps - done)
            if chunk is None:
                state[:] = advance(*state, n)
            else:
                chunk(n)
            done += n
            if not bool(state[3].any()):
                # every run stopped (target reached or diverged): at the step the last did
                done = int(torch.maximum(state[4], state[6]).max())
                if done != rec_steps[-1]:  # the last stopped on the record just made
                    record(done)
                break
            record(done)
        # the last state is checked too
        loss = records[-1]
        bad = state[3] & ~(loss <= LOSS_LIMIT)
        state[4] = torch.where(bad, state[5], state[4])
        hit = state[3] & ~bad & (loss <= goal)
        state[6] = torch.where(hit, state[5], state[6])
        if dev.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
    a, b, c, _, diverged, _, reached = state
    return _Descent(a.cpu().double().numpy(), b.cpu().double().numpy(),
                    c.cpu().double().numpy(), torch.stack(records).cpu().double().numpy(),
                    np.array(rec_steps), diverged.cpu().numpy(), seconds,
                    device=str(dev) + ("" if mode == "eager" else f" ({mode})"),
                    params=torch.stack(params).cpu().double().numpy() if keep_params else None,
                    reached_at=reached.cpu().numpy())
