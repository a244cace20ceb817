r"""A validated integrator for the gradient flow of the diagonal model, in python-flint balls.

Each step from an enclosure :math:`Z` of the state at time :math:`t` to one at :math:`t + h`:

1. **A-priori enclosure.** A box :math:`B` with :math:`Z + [0, h]\,f(B)` inside the interior of
   :math:`B` is searched for and the inclusion is *checked* in ball arithmetic; by the
   Picard–Lindelöf argument every solution from :math:`Z` then exists on :math:`[t, t + h]` and
   stays in :math:`Z + [0, h] f(B)`. No box found: the step is retried with a smaller
   :math:`h`, and below ``h_min`` the run stops, not proved.
2. **Taylor series** of order :math:`p` by the product recurrence (:mod:`._taylor`) and the
   **Lagrange remainder** :math:`h^{p+1} f^{[p+1]}(B)`, the coefficient of order :math:`p + 1`
   evaluated over the whole a-priori box: for each component,
   :math:`z(t + h) = \sum_{n \le p} z_n h^n + f^{[p+1]}(z(\xi)) h^{p+1}` with
   :math:`z(\xi) \in B`.
3. **Wrapping control** by the mean-value form with a QR-factored frame (Lohner): the set is
   kept as :math:`x + A r` (a point :math:`x`, a point matrix :math:`A`, a ball vector
   :math:`r`), the Taylor map :math:`\Phi` from the point :math:`x` and its Jacobian
   :math:`\Phi'` over the hull of the set (forward-mode derivatives of the same recurrence, in
   outward-rounded double midpoint-radius arithmetic on numpy arrays, :mod:`._interval`) give
   :math:`\Phi(x + A r) \subset \Phi(x) + R + (\Phi' A) r`, and the new frame is the orthogonal
   factor of the midpoint of :math:`\Phi' A`, its inverse enclosed in balls. ``method='ball'``
   skips this and evaluates the Taylor map on the box itself (cheaper, and tight enough through
   a short escape; the stiff phase after it wraps).

Every other operation is ball arithmetic at ``prec`` bits (outward rounding is arb's); the working
precision is set for the duration of a call and restored afterwards (:func:`flint_precision`).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..precision import flint_precision
from ._interval import _interval, ieee_ok, interval_matmul, taylor_jacobian
from ._taylor import taylor_coefficients

__all__ = ["ValidatedFlow", "ValidatedRun", "ball_bounds", "decimal_bounds"]

STEP_QUANTUM = Fraction(1, 2**24)  # every step but the last is a multiple of this


def _flint():
    import flint

    return flint


def ball_bounds(x) -> tuple[Fraction, Fraction]:
    """The exact ends ``(mid - rad, mid + rad)`` of the ball ``x`` as Fractions (exact whatever
    the working precision: no rounding at all)."""
    if not x.is_finite():
        raise ValueError(f"the ball {x} is not finite")
    mid, rad = _exact(x.mid()), _exact(x.rad())
    return mid - rad, mid + rad


def _float_bound(q: Fraction, up: bool) -> float:
    """The double next to the exact ``q`` on the side asked for (above it when ``up``): a
    bound that stays one when ``q`` is beyond the doubles (inf above, the largest double
    below), where ``float(q)`` would raise."""
    try:
        f = float(q)
    except OverflowError:
        f = math.inf if q > 0 else -math.inf
    if math.isinf(f):
        if (f > 0) == up:
            return f
        return math.copysign(sys.float_info.max, f)
    if up and Fraction(f) < q:
        f = math.nextafter(f, math.inf)
    elif not up and Fraction(f) > q:
        f = math.nextafter(f, -math.inf)
    return f


def _exact(x) -> Fraction:
    m, e = x.man_exp()
    m, e = int(m), int(e)
    return Fraction(m * 2**e) if e >= 0 else Fraction(m, 2**-e)


def _decimal(value: Fraction, digits: int, up: bool) -> str:
    """``value`` written with ``digits`` significant decimal digits, rounded up (``up``) or
    down: the text is never on the inner side of the value (scientific notation outside
    [1e-4, 1e16))."""
    if value == 0:
        return "0"
    # the decimal exponent: 10^e <= |value| < 10^(e+1), found exactly
    e = len(str(abs(value.numerator))) - len(str(value.denominator))
    while Fraction(10) ** e > abs(value):
        e -= 1
    while Fraction(10) ** (e + 1) <= abs(value):
        e += 1
    shift = digits - 1 - e
    scaled = value * Fraction(10) ** shift
    n = math.ceil(scaled) if up else math.floor(scaled)
    sign = "-" if n < 0 else ""
    text = str(abs(n))
    if len(text) > digits:  # rounding carried into a new digit (9.99.. -> 10.0..)
        text, e = text[:digits], e + 1
    mantissa = f"{text[0]}.{text[1:]}".rstrip("0").rstrip(".")
    if -4 <= e < 16:
        point = e + 1  # digits before the decimal point
        if point <= 0:
            body = "0." + "0" * -point + text
        elif point >= len(text):
            body = text + "0" * (point - len(text))
        else:
            body = text[:point] + "." + text[point:]
        if "." in body:
            body = body.rstrip("0").rstrip(".")
        return sign + body
    return f"{sign}{mantissa}e{e:+d}"


def decimal_bounds(x, digits: int = 17) -> list[str]:
    """``[lower, upper]`` of the ball ``x`` as decimal strings of ``digits`` significant digits,
    the lower end rounded down and the upper end rounded up."""
    lo, hi = ball_bounds(x)
    return [_decimal(lo, digits, up=False), _decimal(hi, digits, up=True)]


@dataclass(frozen=True)
class ValidatedRun:
    """What :meth:`ValidatedFlow.integrate` returns.

    ``final`` encloses the exact solution at ``t_final`` from every initial point in the initial
    balls (when ``proved``); ``times`` and ``widths`` sample the largest radius of the
    enclosure along the run; ``reason`` says why a run stopped short."""

    proved: bool
    t_final: Fraction
    final: list
    reason: str
    steps: int
    rejected: int
    seconds: float
    times: list = field(default_factory=list)
    widths: list = field(default_factory=list)
    losses: list = field(default_factory=list)


class ValidatedFlow:
    r"""The validated gradient flow of the diagonal model's moment loss.

    Parameters
    ----------
    target, rho : sequences of numbers
        :math:`\hat h_0, \dots, \hat h_{k-1}` and the lag weights, read exactly (a double at its
        binary value, a Fraction as it is) and enclosed in balls.
    order : int
        Taylor order :math:`p` (default 10).
    prec : int
        Ball working precision in bits (default 128).
    method : ``'lohner'`` or ``'ball'``
        The mean-value form with a QR frame (default), or plain ball evaluation.
    jacobian : ``'interval'`` or ``'ball'``
        How the Lohner step encloses the Taylor map's Jacobian over the hull: outward-rounded
        double intervals on numpy arrays of all units at once (:mod:`._interval`, default;
        balls whenever numpy's arithmetic is not the IEEE round-to-nearest it assumes or an
        interval is not finite), or forward-mode derivatives in ``prec``-bit balls.
    """

    def __init__(self, target: Sequence, rho: Sequence, *, order: int = 10, prec: int = 128,
                 method: str = "lohner", jacobian: str = "interval") -> None:
        if method not in ("lohner", "ball"):
            raise ValueError(f"method={method!r}: use 'lohner' or 'ball'")
        if jacobian not in ("interval", "ball"):
            raise ValueError(f"jacobian={jacobian!r}: use 'interval' or 'ball'")
        self.jacobian = jacobian
        self.order = int(order)
        self.prec = int(prec)
        self.method = method
        self._target = [Fraction(x) for x in target]
        self._rho = [Fraction(x) for x in rho]

    # -- ball helpers (called inside flint_precision) ----------------------------------------
    def _balls(self, values: Sequence) -> list:
        flint = _flint()
        out = []
        for v in values:
            if isinstance(v, flint.arb):
                out.append(v)
            else:
                q = Fraction(v)
                out.append(flint.arb(flint.fmpq(q.numerator, q.denominator)))
        return out

    def _coefficients(self, z: list, order: int) -> list[list]:
        """Taylor coefficients 0..order of each of the 3d components from the balls z."""
        flint = _flint()
        d = len(z) // 3
        A, B, C = taylor_coefficients(z[:d], z[d:2 * d], z[2 * d:], self._balls(self._target),
                                      self._balls(self._rho), order, flint.arb(0),
                                      flint.arb(1))
        return A + B + C

    def rhs(self, z: list) -> list:
        """The right-hand side :math:`-\\nabla L(z)` over the balls z."""
        return [series[1] for series in self._coefficients(z, 1)]

    def loss(self, z: list):
        """The loss :math:`L_k` over the balls z (a ball)."""
        flint = _flint()
        d = len(z) // 3
        a, b, c = z[:d], z[d:2 * d], z[2 * d:]
        total = flint.arb(0)
        for j, (hat, rho) in enumerate(zip(self._balls(self._target), self._balls(self._rho))):
            r = -hat
            for i in range(d):
                r += b[i] * c[i] * a[i] ** j
            total += rho * r * r
        return total

    def a_priori(self, z: list, h) -> list | None:
        r"""A box containing every solution from the balls z on :math:`[0, h]`, checked, or None.

        Tries a few boxes :math:`B`; returns :math:`z + [0, h] f(B)` for the first one that it
        proves lies in the interior of :math:`B`.
        """
        flint = _flint()
        span = flint.arb(h / 2, h / 2)  # the interval [0, h]
        f0 = self.rhs(z)
        guess = [zi + span * fi for zi, fi in zip(z, f0)]
        box = [_inflate(g, 0.5) for g in guess]
        for _ in range(6):
            image = [zi + span * fi for zi, fi in zip(z, self.rhs(box))]
            if not all(x.is_finite() for x in image):
                return None
            if all(b.contains_interior(x) for b, x in zip(box, image)):
                return image
            box = [_inflate(b.union(x), 0.5) for b, x in zip(box, image)]
        return None

    def _remainder(self, box: list, h) -> list:
        """The Lagrange remainder :math:`h^{p+1} f^{[p+1]}(B)` of each component."""
        p = self.order
        hp = _flint().arb(h) ** (p + 1)
        return [series[p + 1] * hp for series in self._coefficients(box, p + 1)]

    def _horner(self, series: list, h):
        acc = series[-1]
        for coef in reversed(series[:-1]):
            acc = acc * h + coef
        return acc

    # -- the run ----------------------------------------------------------------------------
    def integrate(self, z0: Sequence, t_end: float | Fraction, *, h0: float = 1e-2,
                  h_min: float = 1e-6, h_max: float = 0.25, max_width: float = 1e-3,
                  max_seconds: float = math.inf, max_steps: int = 10**7,
                  samples: int = 200, tolerance: float = 1e-20,
                  remainder_budget: float | None = None) -> ValidatedRun:
        r"""Enclose the solution from the balls or exact numbers ``z0`` up to ``t_end``.

        Steps are multiples of :math:`2^{-24}` but the last, which lands on ``t_end`` exactly
        (a short binary number: a ValueError otherwise); ``tolerance`` is the largest
        Lagrange remainder accepted per step (absolute; the step is shrunk to reach it).
        ``remainder_budget`` (when given, instead of ``tolerance``) sets the tolerance from
        the width the run may spend: a step of size :math:`h` accepts a remainder up to
        ``remainder_budget`` :math:`\cdot h / T`, so the remainders of the whole run add up to
        at most ``remainder_budget`` (before the flow's own growth of earlier errors). Neither
        choice touches soundness (every remainder is added to the enclosure); they trade steps
        for width. The run stops, not proved, when no a-priori enclosure is found for a step
        of ``h_min``, when a radius exceeds ``max_width``, after ``max_seconds`` or
        ``max_steps``.
        """
        t_end = Fraction(t_end)
        start = time.perf_counter()
        per_time = None  # the remainder accepted per unit of flow time, with a budget
        if remainder_budget is not None and t_end > 0:
            per_time = float(remainder_budget) / float(t_end)
        with flint_precision(self.prec):
            state = self._start(self._balls(z0))
            t = Fraction(0)
            h = _quantise(h0)
            steps = rejected = 0
            times, widths, losses = [0.0], [self._width(state)], [self._loss_bounds(state)]
            every = max(float(t_end) / max(samples, 1), 0.0)
            next_sample = every
            reason = ""
            while t < t_end:
                if steps >= max_steps:
                    reason = f"step budget: {max_steps} steps reached at t = {float(t):.6g}"
                    break
                elapsed = time.perf_counter() - start
                if elapsed > max_seconds:
                    reason = (f"time budget ran out at t = {float(t):.6g}: {elapsed:.3g} s spent "
                              f"of the {max_seconds:.3g} s given to the integration (the budget "
                              "is checked between steps)")
                    break
                h = min(h, t_end - t, _quantise(h_max))
                tol = tolerance if per_time is None else per_time * float(h)
                out = self._step(state, h, tol)
                if isinstance(out[0], float):  # rejected: shrink the step and retry
                    factor, cause = out
                    rejected += 1
                    h = _quantise(h * Fraction(factor)) \
                        if h * Fraction(factor) >= STEP_QUANTUM else Fraction(0)
                    if h < Fraction(h_min):
                        reason = (f"step rejected at t = {float(t):.6g} down to the smallest "
                                  f"step h_min = {h_min:g}: {cause}")
                        break
                    continue
                state, err = out
                t += h
                steps += 1
                width = self._width(state)
                if not width <= max_width:
                    reason = (f"enclosure too wide at t = {float(t):.6g}: radius {width:.17g} "
                              f"exceeds the limit {max_width:.17g}")
                    break
                if float(t) >= next_sample or t == t_end:
                    times.append(float(t))
                    widths.append(width)
                    losses.append(self._loss_bounds(state))
                    next_sample += every
                # the next step: the remainder near the tolerance, growing by at most 1.5
                # (a remainder ~ h^(p+1) against a fixed tolerance, or one ~ h with a budget)
                if not err > 0:
                    grow = 1.5
                elif per_time is None:
                    grow = 0.8 * (tol / err) ** (1.0 / (self.order + 1))
                else:
                    grow = 0.8 * (tol / err) ** (1.0 / self.order)
                h = max(STEP_QUANTUM, _quantise(h * Fraction(min(1.5, grow))))
            final = self._enclosure(state)
        proved = t == t_end and not reason
        return ValidatedRun(proved=proved, t_final=t, final=final, reason=reason, steps=steps,
                            rejected=rejected, seconds=time.perf_counter() - start,
                            times=times, widths=widths, losses=losses)

    # -- state representations --------------------------------------------------------------
    def _start(self, z: list):
        if self.method == "ball":
            return z
        return _LohnerSet.from_balls(z)

    def _enclosure(self, state) -> list:
        return state if self.method == "ball" else state.hull()

    def _width(self, state) -> float:
        return max(float(x.rad()) for x in self._enclosure(state))

    def _loss_bounds(self, state) -> tuple[float, float]:
        lo, hi = ball_bounds(self.loss(self._enclosure(state)))
        return _float_bound(lo, up=False), _float_bound(hi, up=True)

    def _step(self, state, h: Fraction, tolerance: float):
        """One step of size h (exact): ``(new state, largest remainder radius)``, or ``(the
        factor by which to shrink h, the cause)`` (no a-priori box, a remainder over
        ``tolerance``, a Taylor map that is not finite)."""
        flint = _flint()
        hb = flint.arb(flint.fmpq(h.numerator, h.denominator))
        if not hb.is_exact():
            raise ValueError(f"the step {h} is not exact in {self.prec}-bit balls (t_end is not "
                             "a short binary number)")
        hull = self._enclosure(state)
        box = self.a_priori(hull, hb)
        if box is None:
            return 0.5, ("the a-priori enclosure failed (no box was proved to contain the "
                         "flow over the step)")
        rem = self._remainder(box, hb)
        err = max(float(x.abs_upper()) for x in rem)
        if not err <= tolerance:
            cause = f"the Lagrange remainder {err:.3g} exceeds the tolerance {tolerance:g}"
            if not err < math.inf:
                return 0.25, cause
            return max(0.1, min(0.7, 0.8 * (tolerance / err) ** (1.0 / (self.order + 1)))), \
                cause
        if self.method == "ball":
            coefs = self._coefficients(state, self.order)
            new = [self._horner(s, hb) + r for s, r in zip(coefs, rem)]
            return new, err
        coefs = self._coefficients(state.x, self.order)
        v = [self._horner(s, hb) + r for s, r in zip(coefs, rem)]
        if not all(x.is_finite() for x in v):
            return 0.5, "the Taylor map is not finite"
        M, mid = self._jacobian_times(hull, h, hb, state)
        return state.advanced(v, M, mid), err

    def _jacobian_times(self, hull: list, h: Fraction, hb, state):
        r""":math:`M \ni \Phi'(\text{hull})\, A` as an ``arb_mat``, and its midpoints as a
        numpy array when known (else None)."""
        if self.jacobian == "interval" and ieee_ok():
            bounds = [ball_bounds(x) for x in hull]
            lo = np.array([_interval(x)[0] for x, _ in bounds])
            hi = np.array([_interval(x)[1] for _, x in bounds])
            J = taylor_jacobian(lo, hi, self._target, self._rho, self.order, h)
            if J is not None:
                product = interval_matmul(*J, state.A_np)
                if product is not None:
                    mid, rad = product
                    flint = _flint()
                    n = len(hull)
                    M = flint.arb_mat([[flint.arb(mid[i, j], rad[i, j]) for j in range(n)]
                                       for i in range(n)])
                    return M, mid
        return self._jacobian(hull, hb) * state.A, None

    def _jacobian(self, z: list, hb):
        """The Jacobian of the Taylor map :math:`z \\mapsto \\sum_{n \\le p} z_n h^n` over the
        balls z (forward-mode derivatives of the recurrence), an ``arb_mat``."""
        flint = _flint()
        n = len(z)
        seeds = []
        for i, x in enumerate(z):
            g = flint.arb_mat(1, n)
            g[0, i] = 1
            seeds.append(_Dual(x, g))
        d = n // 3
        A, B, C = taylor_coefficients(seeds[:d], seeds[d:2 * d], seeds[2 * d:],
                                      self._balls(self._target), self._balls(self._rho),
                                      self.order, flint.arb(0), flint.arb(1))
        J = flint.arb_mat(n, n)
        for i, series in enumerate(A + B + C):
            acc = series[-1].g
            for coef in reversed(series[:-1]):
                acc = acc * hb + (coef.g if isinstance(coef, _Dual) else flint.arb_mat(1, n))
            for j in range(n):
                J[i, j] = acc[0, j]
        return J


class _Dual:
    """A number with its gradient (a 1 x n ``arb_mat``): forward-mode derivatives through the
    Taylor recurrence. Constants are plain ``arb``."""

    __slots__ = ("v", "g")

    def __init__(self, v, g) -> None:
        self.v, self.g = v, g

    def __add__(self, o):
        if isinstance(o, _Dual):
            return _Dual(self.v + o.v, self.g + o.g)
        return _Dual(self.v + o, self.g)

    __radd__ = __add__

    def __sub__(self, o):
        if isinstance(o, _Dual):
            return _Dual(self.v - o.v, self.g - o.g)
        return _Dual(self.v - o, self.g)

    def __rsub__(self, o):
        return _Dual(o - self.v, -self.g)

    def __neg__(self):
        return _Dual(-self.v, -self.g)

    def __mul__(self, o):
        if isinstance(o, _Dual):
            return _Dual(self.v * o.v, self.g * o.v + o.g * self.v)
        return _Dual(self.v * o, self.g * o)

    __rmul__ = __mul__

    def __truediv__(self, o):
        return _Dual(self.v / o, self.g * (1 / _flint().arb(o)))


def _inflate(x, factor: float):
    """The ball x with its radius enlarged by ``factor`` of itself plus a little."""
    flint = _flint()
    rad = x.rad()
    extra = rad * factor + abs(x.mid()) * flint.arb(2) ** -60 + flint.arb(2) ** -200
    return flint.arb(x.mid(), (rad + extra).upper())


def _quantise(h) -> Fraction:
    """h rounded down to a multiple of :data:`STEP_QUANTUM`."""
    q = Fraction(h)
    return (q // STEP_QUANTUM) * STEP_QUANTUM


class _LohnerSet:
    """The set :math:`\\{x + A r\\}`: x exact points, A an exact matrix (an ``arb_mat`` of
    doubles), r balls; ``Ainv`` encloses the inverse of A."""

    __slots__ = ("x", "A", "r", "A_np")

    def __init__(self, x: list, A, r: list, A_np: np.ndarray) -> None:
        self.x, self.A, self.r = x, A, r
        self.A_np = A_np  # the same exact doubles as A

    @classmethod
    def from_balls(cls, z: list) -> _LohnerSet:
        flint = _flint()
        n = len(z)
        x = [flint.arb(b.mid()) for b in z]
        r = [b - m for b, m in zip(z, x)]
        A = flint.arb_mat(n, n)
        for i in range(n):
            A[i, i] = 1
        return cls(x, A, r, np.eye(n))

    def hull(self) -> list:
        flint = _flint()
        Ar = self.A * flint.arb_mat([[ri] for ri in self.r])
        return [xi + Ar[i, 0] for i, xi in enumerate(self.x)]

    def advanced(self, v: list, M, mid: np.ndarray | None = None) -> _LohnerSet:
        """The set after a step: :math:`\\{v + M r\\}` re-framed as x' + A' r' (``mid``:
        the midpoints of M when known; they only choose the frame)."""
        flint = _flint()
        n = len(v)
        x = [flint.arb(b.mid()) for b in v]
        if mid is None:
            mid = np.array([[float(M[i, j].mid()) for j in range(n)] for i in range(n)])
        # Lohner's QR frame: columns ordered by the size of their contribution
        rad = np.array([float(ri.rad()) + float(abs(ri.mid())) for ri in self.r])
        order = np.argsort(-np.linalg.norm(mid, axis=0) * rad, kind="stable")
        Q, _ = np.linalg.qr(mid[:, order])
        if not np.all(np.isfinite(Q)):
            Q = np.eye(n)
        Q = np.array(Q, dtype=float)
        A = flint.arb_mat([[float(Q[i, j]) for j in range(n)] for i in range(n)])
        try:
            Ainv = A.inv()
        except ZeroDivisionError:  # the frame's inverse is not enclosed: keep the axes
            A = flint.arb_mat(n, n)
            for i in range(n):
                A[i, i] = 1
            Ainv = A
            Q = np.eye(n)
        rv = flint.arb_mat([[ri] for ri in self.r])
        rest = flint.arb_mat([[vi - xi] for vi, xi in zip(v, x)])
        r_new = (Ainv * M) * rv + Ainv * rest
        return _LohnerSet(x, A, [r_new[i, 0] for i in range(n)], Q)
