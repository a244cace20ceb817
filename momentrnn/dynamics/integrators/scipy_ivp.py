"""scipy's ``solve_ivp`` methods, the implicit ones given the analytic Hessian."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ...errors import InputError
from .._problem import FlowProblem
from ._base import PARAMETER_LIMIT, CollapseWatch, FlowOptions, FlowRun, Integrator
from .driver import Status
from .registry import register_integrator
from .stepper import AdaptiveOptions

__all__ = ["ScipyIntegrator", "LSODA", "BDF", "Radau", "RK45", "DOP853"]

# Right-hand-side evaluations without progress in time after which scipy's integrators are
# judged stalled.
STALL_EVALUATIONS = 5_000
# Right-hand-side evaluations allowed per step of max_steps.
EVALUATIONS_PER_STEP = 20
# The end of the time span when only a loss target is given: a run that reaches it without
# reaching the target has not ended as asked (status 'stalled', not 't_max').
NO_TIME_LIMIT = 1e12
# The loss event is placed this fraction below ``until_loss``: scipy locates an event only to
# the accuracy of its root finder, so an event at the target itself can stop the run with the
# loss a few units of 1e-12 (relative) above it.
EVENT_MARGIN = 1e-6
# Restarts from an event point whose loss is still above ``until_loss`` before the run is
# reported as stalled.
EVENT_RESTARTS = 3


class _Budget(Exception):
    pass


class _Stall(Exception):
    pass


class _Collapse(Exception):
    pass


def _blew_up(problem: FlowProblem, theta) -> bool:
    """True when the parameters ``theta`` show a blow-up: a non-finite entry or loss, or an
    entry past :data:`~momentrnn.dynamics.integrators._base.PARAMETER_LIMIT` (the test of the
    other integrators)."""
    theta = np.asarray(theta, dtype=float)
    if not np.all(np.isfinite(theta)) or np.max(np.abs(theta), initial=0.0) > PARAMETER_LIMIT:
        return True
    with np.errstate(all="ignore"):
        return not np.isfinite(problem.loss_grad(theta)[0])


@dataclass(frozen=True)
class ScipyOptions(AdaptiveOptions):
    """Options of scipy's methods, passed to ``solve_ivp`` when given: ``first_step`` and
    ``max_step`` (default: scipy's choice, and no bound)."""


class ScipyIntegrator(Integrator):
    """``scipy.integrate.solve_ivp`` with ``method=name``; the subclasses name the method
    and say whether it is given the Jacobian :math:`-\\nabla^2 L`."""

    jacobian: ClassVar[bool] = False
    Options = ScipyOptions

    def check(self, options: FlowOptions) -> None:
        first = getattr(options.method_options, "first_step", None)
        if first is not None and options.t_max is not None and first > options.t_max:
            raise InputError(f"first_step={first!r} is longer than t_max={options.t_max!r}: "
                             "give a first step within the span")

    def integrate(self, problem: FlowProblem, theta0: np.ndarray,
                  options: FlowOptions) -> FlowRun:
        import scipy.integrate

        method, rtol, atol = self.name, options.rtol, options.atol
        until_loss, progress = options.until_loss, options.progress
        budget = EVALUATIONS_PER_STEP * options.max_steps
        counter = {"n": 0, "t": -1.0, "still": 0, "y": theta0}
        watch = CollapseWatch() if self.jacobian else None  # the stiff methods

        def rhs(t, y):
            counter["n"] += 1
            if counter["n"] > budget:
                raise _Budget
            if t > counter["t"]:
                counter["t"], counter["still"], counter["y"] = t, 0, np.array(y)
                if watch is not None and watch.collapsed(t):  # advancing ones, as steps
                    raise _Collapse
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
            level = until_loss * (1 - EVENT_MARGIN)

            def reached(_t, y):
                return problem.loss_grad(y)[0] - level

            reached.terminal = True
            events.append(reached)
        t_end = NO_TIME_LIMIT if options.t_max is None else float(options.t_max)
        kwargs = {"jac": jac} if self.jacobian else {}
        for key in ("first_step", "max_step"):
            value = getattr(options.method_options, key, None)
            if value is not None:
                kwargs[key] = float(value)

        def start_only(status: Status, message: str) -> FlowRun:
            loss0, grad0 = _initial_loss_grad(problem, theta0)
            return FlowRun(times=[0.0], thetas=[theta0], losses=[loss0],
                           gnorms=[float(np.linalg.norm(grad0))], status=status,
                           message=message, steps=0, nfev=counter["n"])

        if until_loss is not None:
            # scipy's terminal event fires only where the loss crosses the target: a run that
            # starts at or below it has reached it at t = 0
            loss0, grad0 = _initial_loss_grad(problem, theta0)
            if loss0 <= until_loss:
                return FlowRun(times=[0.0], thetas=[theta0], losses=[loss0],
                               gnorms=[float(np.linalg.norm(grad0))], status=Status.CONVERGED,
                               message=f"loss {loss0:.3e} <= {until_loss:g} at the start "
                               "(t = 0)", events={"until_loss": 0.0}, steps=0, nfev=0)
        times, thetas, nfev = [0.0], [theta0], 0
        t0, y0 = 0.0, theta0
        try:
            for _ in range(EVENT_RESTARTS + 1):
                with np.errstate(over="raise", invalid="raise"):
                    sol = scipy.integrate.solve_ivp(rhs, (t0, t_end), y0, method=method,
                                                    rtol=rtol, atol=atol,
                                                    events=events or None,
                                                    dense_output=False, **kwargs)
                nfev += sol.nfev
                times += list(sol.t[1:])
                thetas += [sol.y[:, i] for i in range(1, sol.y.shape[1])]
                # 'converged' means the loss as reported is at or below the target: an event
                # located just above it is stepped past, from where it was found
                if sol.status != 1 or problem.loss_grad(thetas[-1])[0] <= until_loss:
                    break
                t0, y0 = times[-1], thetas[-1]
        except _Stall:
            return start_only(Status.STALLED, f"scipy {method} stalled: {STALL_EVALUATIONS} "
                              f"evaluations without progress at t = {counter['t']:.6g}; try "
                              "method='rosenbrock'")
        except _Collapse:
            # the run up to the furthest point evaluated (scipy keeps its steps to itself)
            y, t = counter["y"], counter["t"]
            lg = [problem.loss_grad(theta0), problem.loss_grad(y)]
            return FlowRun(times=[0.0, t], thetas=[theta0, y], losses=[v[0] for v in lg],
                           gnorms=[float(np.linalg.norm(v[1])) for v in lg],
                           status=Status.COLLAPSED, message=f"scipy {method}: "
                           + watch.message(t, lg[1][0], lg[0][0]), steps=watch.n,
                           nfev=counter["n"])
        except _Budget:
            return start_only(Status.MAX_STEPS, f"more than {budget} evaluations")
        except FloatingPointError as exc:
            # raised at a point scipy evaluated (a trial stage, not a point of the flow): a
            # blow-up only when the furthest point evaluated shows one
            t = counter["t"]
            loss0 = _initial_loss_grad(problem, theta0)[0]
            if not np.isfinite(loss0) or t < 0:
                # the loss (or its gradient) overflows at the initial parameters: the flow
                # never started, there is no time at which it blew up
                return start_only(Status.DIVERGED, "the flow cannot start: at the initial "
                                  "parameters (t = 0) the loss "
                                  + ("overflows double precision (loss inf)"
                                     if loss0 == np.inf else
                                     f"or its gradient is not finite in double precision "
                                     f"({exc})")
                                  + "; lower the initial scale (init_scale, --init-scale)")
            if _blew_up(problem, counter["y"]):
                return start_only(Status.DIVERGED, f"the flow blew up near t = {t:.6g} ({exc})")
            return start_only(Status.STALLED, f"scipy {method} stopped: floating-point {exc} at a "
                              f"point it tried; the furthest point evaluated (t = {t:.6g}) "
                              "has finite parameters below the blow-up limit, so this is an "
                              "integrator failure, and nothing is known of where the flow "
                              "ends; try method='rosenbrock'")
        lg = [problem.loss_grad(y) for y in thetas]
        ev = {}
        if sol.status == 1 and lg[-1][0] <= until_loss:
            status, message = (Status.CONVERGED, f"loss {lg[-1][0]:.3e} <= {until_loss:g} at "
                               f"t = {times[-1]:.6g}")
            ev["until_loss"] = float(times[-1])
        elif sol.status == 1:
            status, message = (Status.STALLED, f"scipy {method} located the loss target "
                               f"{until_loss:g} {EVENT_RESTARTS + 1} times, but the loss there "
                               f"is {lg[-1][0]:.17g}, above it, at t = {times[-1]:.6g}; try "
                               "method='rosenbrock'")
        elif sol.status == 0 and options.t_max is not None:
            status, message = Status.T_MAX, f"reached t = {times[-1]:.6g}"
        elif sol.status == 0 and lg[-1][0] <= until_loss:
            # the loss went below the target without scipy locating a crossing: reached, at a
            # time no later than the end of the span (not located more closely)
            status, message = (Status.CONVERGED, f"loss {lg[-1][0]:.3e} <= {until_loss:g} at "
                               f"t = {times[-1]:.6g} (scipy {method} located no crossing of "
                               "the target before)")
        elif sol.status == 0:
            # no time limit was asked for: the internal end of the span is not an end as asked
            status, message = (Status.STALLED, f"the flow time reached scipy {method}'s limit "
                               f"t = {t_end:g} (no t_max was given) with the loss "
                               f"{lg[-1][0]:.3e} still above the target {until_loss!r}; "
                               "nothing is known of where the flow ends")
        elif _blew_up(problem, thetas[-1]):
            status, message = (Status.DIVERGED, f"the flow blew up near t = {times[-1]:.6g} "
                               f"(scipy {method}: {sol.message})")
        else:
            # the integrator gave up; the flow itself did not blow up as far as it went
            status, message = (Status.STALLED, f"scipy {method} failed at t = {times[-1]:.6g}, "
                               f"loss {lg[-1][0]:.17g}: {sol.message} (the parameters are "
                               "finite there: an integrator failure, not a blow-up); try "
                               "method='rosenbrock'")
        return FlowRun(times=times, thetas=thetas, losses=[v[0] for v in lg],
                       gnorms=[float(np.linalg.norm(v[1])) for v in lg], status=status,
                       message=message, events=ev, steps=len(times) - 1, nfev=nfev)


def _initial_loss_grad(problem: FlowProblem, theta0: np.ndarray) -> tuple[float, np.ndarray]:
    """The loss and gradient at the initial parameters, without floating-point warnings; a
    diagonal model's loss that is not finite in doubles (its response overflows) is
    evaluated at 60 digits: ``inf`` where it passes the largest double (a sum of squares
    that large), its value otherwise."""
    with np.errstate(all="ignore"):
        loss, grad = problem.loss_grad(theta0)
    if np.isfinite(loss) or not problem.diagonal or not np.all(np.isfinite(theta0)):
        return loss, grad
    import mpmath

    ctx = mpmath.MPContext()
    ctx.dps = 60
    t = theta0.reshape(problem.dim, 3)
    w = [(ctx.mpf(float(a)), ctx.mpf(float(b)) * ctx.mpf(float(c))) for a, b, c in t]
    total = ctx.zero
    for j, (target, rho) in enumerate(zip(problem.target, problem.rho)):
        r = ctx.fsum(wi * a ** j for a, wi in w) - ctx.mpf(float(target))
        total += ctx.mpf(float(rho)) * r * r
    return (float("inf") if total > ctx.mpf(np.finfo(float).max) else float(total)), grad


@register_integrator
class LSODA(ScipyIntegrator):
    name = "LSODA"
    jacobian = True


@register_integrator
class BDF(ScipyIntegrator):
    name = "BDF"
    jacobian = True


@register_integrator
class Radau(ScipyIntegrator):
    name = "Radau"
    jacobian = True


@register_integrator
class RK45(ScipyIntegrator):
    name = "RK45"


@register_integrator
class DOP853(ScipyIntegrator):
    name = "DOP853"
