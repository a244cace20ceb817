"""Fixed-step 3-stage Gauss-Legendre in mpmath, to check the invariants to 30+ digits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import InputError
from ...precision import as_precision
from .._problem import FlowProblem
from ._base import FlowOptions, FlowRun, Integrator, MethodOptions
from .driver import Status
from .registry import register_integrator

__all__ = ["GaussMP", "GaussOptions"]


@dataclass(frozen=True)
class GaussOptions(MethodOptions):
    """Options of ``'gauss-mp'``.

    steps : int, optional
        The number of fixed steps to ``t_max`` (default: chosen from the initial gradient and
        doubled, up to three times, while the stage equations do not converge).
    """

    steps: int | None = None

    def __post_init__(self) -> None:
        if self.steps is not None and (isinstance(self.steps, (bool, np.bool_)) or not
                                       isinstance(self.steps, (int, np.integer))
                                       or self.steps < 1):
            raise InputError(f"steps={self.steps!r} must be a positive integer (or None)")


@register_integrator
class GaussMP(Integrator):
    """Implicit Gauss-Legendre (order 6) at ``precision=MP(dps)`` up to a finite ``t_max``;
    measures the invariants' drift at its own precision. Stage equations that do not
    converge raise :class:`~momentrnn.errors.IntegrationError`."""

    name = "gauss-mp"
    limits_blas_threads = False
    needs_precision = True
    # its stage equations apply the same mpmath operations to b_i and c_i (negated ones for
    # b_i = -c_i), so units that start on those sets stay on them exactly
    on_invariant_sets = False
    Options = GaussOptions

    def check(self, options: FlowOptions) -> None:
        if options.precision is None:
            raise InputError("method='gauss-mp' needs precision=MP(dps), e.g. precision=MP(30), "
                             "and a finite t_max; no precision was given")
        prec = as_precision(options.precision)
        if not prec.mpmath or options.t_max is None:
            raise InputError("method='gauss-mp' needs precision=MP(dps) and a finite t_max")

    def integrate(self, problem: FlowProblem, theta0: np.ndarray,
                  options: FlowOptions) -> FlowRun:
        from ..mp_flow import gauss_mp_flow, mp_gradient, mp_invariants, mp_loss

        prec = as_precision(options.precision)
        steps = getattr(options.method_options, "steps", None)
        out = gauss_mp_flow(problem, theta0, options.t_max, prec, options.record,
                            steps=None if steps is None else int(steps))
        ctx = out.ctx
        mp_thetas = out.thetas
        inv = [mp_invariants(problem, th, ctx) for th in mp_thetas]
        if problem.diagonal:
            scale = max(max(th[3 * i + 1] ** 2 + th[3 * i + 2] ** 2 for i in range(problem.dim))
                        for th in mp_thetas)
        else:
            scale = max(ctx.fsum(v * v for v in th) for th in mp_thetas)
        drift = max(abs(x - y) for row in inv for x, y in zip(row, inv[0])) / scale
        grads = [mp_gradient(problem, th, ctx) for th in mp_thetas]
        return FlowRun(times=out.times,
                       thetas=[np.array([float(v) for v in th]) for th in mp_thetas],
                       losses=[float(mp_loss(problem, th, ctx)) for th in mp_thetas],
                       gnorms=[float(ctx.sqrt(ctx.fsum(v * v for v in g))) for g in grads],
                       status=Status.T_MAX,
                       message=f"fixed-step 3-stage Gauss-Legendre at {prec!r}",
                       steps=out.steps, nfev=out.steps, drift=float(drift))
