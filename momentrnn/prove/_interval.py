r"""The Jacobian of the Taylor map in rounded double midpoint-radius arithmetic, vectorised.

The QR-Lohner step needs :math:`\Phi'` over the hull of the set, :math:`\Phi(z) = \sum_{m \le p}
z_m(z) h^m`; it multiplies the small set parameter :math:`r`, so double precision is ample,
but forward-mode derivatives in python-flint balls cost one Python call per ball operation of
every unit (the cost grew as :math:`d^2`: 80 ms at d = 8, 355 ms at d = 20 a step). Here the
same recurrence (:mod:`._taylor`) runs on numpy arrays of all units, orders and lags at once,
each quantity a midpoint and a radius of doubles (18 ms and 50 ms).

**Why the enclosures are sound.** IEEE 754 binary64 with round-to-nearest and gradual
underflow (checked by :func:`ieee_ok` before every use; otherwise the caller uses balls):

* an inner product of length N computed in any order, with or without fused multiply-adds
  (numpy's pairwise sums, BLAS), is within :math:`\gamma_N \sum |x_i y_i|` of the exact one,
  :math:`\gamma_N = N u / (1 - N u) \le 2 N u`, :math:`u = 2^{-53}`, plus :math:`N 2^{-1075}`
  for underflow (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.1);
* for balls :math:`|x - x_c| \le x_r`, :math:`|y - y_c| \le y_r` and
  :math:`a_x \ge |x_c| + x_r`: :math:`|xy - x_c y_c| \le a_x y_r + x_r a_y`;
* a computed sum of N non-negative products is at least :math:`(1 - \gamma_N)` of the exact
  one less the underflow, so the exact one is at most :math:`(\mathrm{fl} + N 2^{-1074})(1 +
  2 N u)` for :math:`N u \le 1/4`; every radius is such a sum, bounded that way and each
  single operation on it rounded up (``nextafter``);
* one rounded operation is within :math:`2u` of its computed result (relative), plus
  underflow.

A NaN or an infinity anywhere returns None, and the caller uses balls.
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction

import numpy as np

__all__ = ["ieee_ok", "interval_matmul", "taylor_jacobian"]

_INF = np.inf
_U = 2.0**-53


def ieee_ok() -> bool:
    """Whether numpy's doubles round to nearest (ties to even) with gradual underflow: the
    assumptions of this module's enclosures."""
    one = np.float64(1.0)
    with np.errstate(all="ignore"):
        return bool(
            one + np.float64(2.0**-53) == one  # a tie goes to even
            and one + np.float64(3 * 2.0**-54) == np.float64(1 + 2.0**-52)  # not down
            and -one - np.float64(3 * 2.0**-54) == np.float64(-1 - 2.0**-52)  # not up
            and np.float64(2.0**-1022) * np.float64(0.5) == np.float64(2.0**-1023)  # no FTZ
            and np.float64(2.0**-1074) * np.float64(2) == np.float64(2.0**-1073)  # no DAZ
            and np.nextafter(np.float64(0), np.float64(1)) == np.float64(2.0**-1074))


def _down(x):
    return np.nextafter(x, -_INF)


def _up(x):
    return np.nextafter(x, _INF)


def _interval(q: Fraction) -> tuple[float, float]:
    """Doubles ``(lo, hi)`` with ``lo <= q <= hi`` (the nearest double, moved out if it is on
    the wrong side); beyond the largest double, an infinite end (whoever uses it then falls
    back to balls)."""
    try:
        x = float(q)
    except OverflowError:  # |q| rounds beyond the largest double
        big = sys.float_info.max
        return (big, math.inf) if q > 0 else (-math.inf, -big)
    lo = x if Fraction(x) <= q else math.nextafter(x, -math.inf)
    hi = x if Fraction(x) >= q else math.nextafter(x, math.inf)
    return lo, hi


class _Ctx:
    r"""The constants of one evaluation: ``gamma`` bounds :math:`\gamma_N` of every inner
    product (N at most ``terms``), ``grow`` and ``tiny`` turn a computed non-negative sum of
    at most ``4 terms`` products into an upper bound of the exact one."""

    def __init__(self, terms: int) -> None:
        if not 16 * terms * _U <= 0.25:
            raise ValueError(f"{terms} terms are too many for the error bounds")
        self.gamma = 2.0 * terms * _U  # >= gamma_N for N <= terms (N u <= 1/2); exact
        self.grow = 1.0 + 8.0 * terms * _U  # exact
        self.tiny = 8.0 * terms * 2.0**-1074  # exact

    def bound(self, x):
        """An upper bound of the exact value of a computed non-negative sum of products."""
        return _up(_up(x + self.tiny) * self.grow)

    def aux(self, c, r):
        """``a >= |c| + r`` and ``t >= r + gamma a`` (rounded up)."""
        a = _up(np.abs(c) + r)
        return a, _up(r + _up(self.gamma * a))


class _Series:
    """Midpoint-radius series of a family of quantities, order on the first axis: values
    ``(p + 1, *shape)``, gradients ``(p + 1, *shape, n)``; ``a`` and ``t`` as in
    :meth:`_Ctx.aux`."""

    __slots__ = ("c", "r", "a", "t", "gc", "gr", "ga", "gt")

    def __init__(self, orders: int, shape: tuple, n: int) -> None:
        for name in ("c", "r", "a", "t"):
            setattr(self, name, np.zeros((orders, *shape)))
        for name in ("gc", "gr", "ga", "gt"):
            setattr(self, name, np.zeros((orders, *shape, n)))

    def store(self, ctx: _Ctx, m: int, c, r, gc, gr) -> None:
        self.c[m], self.r[m], self.gc[m], self.gr[m] = c, r, gc, gr
        self.a[m], self.t[m] = ctx.aux(c, r)
        self.ga[m], self.gt[m] = ctx.aux(gc, gr)


class _View:
    __slots__ = ("c", "r", "a", "t", "gc", "gr", "ga", "gt")

    def __init__(self, s, index) -> None:
        for name in self.__slots__:
            x = getattr(s, name)
            setattr(self, name, x[index])


def _cauchy(ctx: _Ctx, x, y, m: int, sum_axes: tuple = ()):
    r"""The coefficient of order m of the product of the series x and y (broadcast against
    each other), summed over ``sum_axes`` (axes of the product without the order axis):
    ``(c, r, gc, gr)``, value and gradient, midpoint and radius.

    For :math:`|x - x_c| \le x_r`, :math:`|y - y_c| \le y_r`, :math:`a_x \ge |x_c| + x_r`:
    :math:`|xy - x_c y_c| \le a_x y_r + x_r a_y`, and the computed
    :math:`\mathrm{fl}(\sum x_c y_c)` is within :math:`\gamma_N \sum a_x a_y` of the exact
    sum; with :math:`t_y \ge y_r + \gamma a_y` the radius is
    :math:`\sum a_x t_y + x_r a_y`, and for the gradient :math:`(xy)' = x' y + x y'` the same
    for both terms."""
    xs = slice(0, m + 1)
    ys = slice(m, None, -1) if m else slice(0, 1)
    axes = (0, *(a + 1 for a in sum_axes))
    gaxes = axes
    c = np.sum(x.c[xs] * y.c[ys], axis=axes)
    r = ctx.bound(np.sum(x.a[xs] * y.t[ys] + x.r[xs] * y.a[ys], axis=axes))
    yc, ya, yt = y.c[ys][..., None], y.a[ys][..., None], y.t[ys][..., None]
    xc, xa, xt = x.c[xs][..., None], x.a[xs][..., None], x.t[xs][..., None]
    gc = np.sum(x.gc[xs] * yc, axis=gaxes) + np.sum(y.gc[ys] * xc, axis=gaxes)
    gr = ctx.bound(np.sum(x.ga[xs] * yt + x.gr[xs] * ya, axis=gaxes)
                   + np.sum(y.ga[ys] * xt + y.gr[ys] * xa, axis=gaxes))
    return c, r, gc, gr


def _scale(ctx: _Ctx, c, r, sc: float, sr: float):
    r"""``s x`` for :math:`|s - s_c| \le s_r`: midpoint fl(s_c c), radius
    :math:`|s_c| r + s_r (|c| + r) + 2 u |\mathrm{fl}(s_c c)|` (rounded up, plus underflow)."""
    out = sc * c
    rad = _up(_up(abs(sc) * r) + _up(sr * _up(np.abs(c) + r)))
    return out, _up(rad + _up(2 * _U * np.abs(out) + ctx.tiny))


def _divide(ctx: _Ctx, c, r, q: float):
    """``x / q`` for an exact double q > 0."""
    out = c / q
    return out, _up(_up(r / q) + _up(2 * _U * np.abs(out) + ctx.tiny))


def taylor_jacobian(lo: np.ndarray, hi: np.ndarray, target: list, rho: list, order: int,
                    h: Fraction) -> tuple[np.ndarray, np.ndarray] | None:
    r"""``(mid, rad)`` (``n x n``, ``n = 3d``) with :math:`|J - \mathrm{mid}| \le
    \mathrm{rad}` for the Jacobian J of the Taylor map :math:`z \mapsto \sum_{m \le p}
    z_m(z) h^m` at every point of the box ``[lo, hi]`` (doubles, the hull of the set): the
    recurrence of :mod:`._taylor` in forward mode, midpoint-radius; ``target``, ``rho`` and
    ``h`` exact (Fractions). None when a number is not finite."""
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        return None
    n = lo.shape[0]
    d = n // 3
    k = len(target)
    p = int(order)
    orders = p + 1
    ctx = _Ctx(2 * orders * k * d + 2)
    with np.errstate(all="ignore"):
        A, B, C = (_Series(orders, (d,), n) for _ in range(3))
        units = np.arange(d)
        for s, block in ((A, 0), (B, 1), (C, 2)):
            l, u = lo[block * d:(block + 1) * d], hi[block * d:(block + 1) * d]
            mid = l + (u - l) / 2
            rad = np.maximum(_up(u - mid), _up(mid - l))
            grad = np.zeros((d, n))
            grad[units, block * d + units] = 1.0
            s.store(ctx, 0, mid, rad, grad, np.zeros((d, n)))
        P = _Series(orders, (k, d), n)  # P[m, j, i]: order m of a_i^j
        one = np.zeros((k, d))
        one[0] = 1.0
        P.store(ctx, 0, one, np.zeros((k, d)), np.zeros((k, d, n)), np.zeros((k, d, n)))
        W = _Series(orders, (d,), n)
        U = _Series(orders, (k,), n)  # U_j = 2 rho_j r_j
        JU = _Series(orders, (k,), n)  # j U_j
        S = _Series(orders, (d,), n)
        D = _Series(orders, (d,), n)
        tr = [_interval(2 * Fraction(x)) for x in rho]
        tr_c = np.array([lo_ + (hi_ - lo_) / 2 for lo_, hi_ in tr])
        tr_r = np.array([max(math.nextafter(hi_ - c_, math.inf),
                             math.nextafter(c_ - lo_, math.inf))
                         for (lo_, hi_), c_ in zip(tr, tr_c)])
        tg = [_interval(Fraction(x)) for x in target]
        tg_c = np.array([lo_ + (hi_ - lo_) / 2 for lo_, hi_ in tg])
        tg_r = np.array([max(math.nextafter(hi_ - c_, math.inf),
                             math.nextafter(c_ - lo_, math.inf))
                         for (lo_, hi_), c_ in zip(tg, tg_c)])
        if not all(math.isfinite(x) for iv in (*tr, *tg) for x in iv):
            return None
        js = np.arange(k, dtype=float)  # exact small integers
        for m in range(p):
            for j in range(1, k):  # P^j = P^(j-1) A
                c, r, gc, gr = _cauchy(ctx, _View(P, (slice(None), j - 1)), A, m)
                P.c[m, j], P.r[m, j], P.gc[m, j], P.gr[m, j] = c, r, gc, gr
                P.a[m, j], P.t[m, j] = ctx.aux(c, r)
                P.ga[m, j], P.gt[m, j] = ctx.aux(gc, gr)
            W.store(ctx, m, *_cauchy(ctx, B, C, m))
            # r_j = sum_i (W P^j)_i - target_j: W broadcast over the lag axis of P
            c, r, gc, gr = _cauchy(ctx, P, _View(W, (slice(None), None)), m, (1,))
            if m == 0:
                c0 = c - tg_c
                r = _up(_up(r + tg_r) + _up(2 * _U * np.abs(c0) + ctx.tiny))
                c = c0
            c, r = _scale_vec(ctx, c, r, tr_c, tr_r)
            gc, gr = _scale_vec(ctx, gc, gr, tr_c[:, None], tr_r[:, None])
            U.store(ctx, m, c, r, gc, gr)
            JU.store(ctx, m, *_scale_vec(ctx, c, r, js, 0.0),
                     *_scale_vec(ctx, gc, gr, js[:, None], 0.0))
            # S_i = sum_j P^j U_j, D_i = sum_(j >= 1) P^(j-1) j U_j
            S.store(ctx, m, *_cauchy(ctx, P, _View(U, (slice(None), slice(None), None)),
                                     m, (0,)))
            D.store(ctx, m, *_cauchy(ctx, _View(P, (slice(None), slice(0, k - 1))),
                                     _View(JU, (slice(None), slice(1, None), None)), m, (0,)))
            scale = float(m + 1)  # exact
            for out, x, y in ((A, W, D), (B, C, S), (C, B, S)):
                c, r, gc, gr = _cauchy(ctx, x, y, m)
                out.store(ctx, m + 1, *_divide(ctx, -c, r, scale),
                          *_divide(ctx, -gc, gr, scale))
        # Horner in h over the gradients
        h_lo, h_hi = _interval(h)
        if not (math.isfinite(h_lo) and math.isfinite(h_hi)):
            return None
        hc = h_lo + (h_hi - h_lo) / 2
        hr = max(math.nextafter(h_hi - hc, math.inf), math.nextafter(hc - h_lo, math.inf))
        jc = np.concatenate([A.gc[p], B.gc[p], C.gc[p]])
        jr = np.concatenate([A.gr[p], B.gr[p], C.gr[p]])
        for m in range(p - 1, -1, -1):
            jc, jr = _scale(ctx, jc, jr, hc, hr)
            add_c = np.concatenate([A.gc[m], B.gc[m], C.gc[m]])
            add_r = np.concatenate([A.gr[m], B.gr[m], C.gr[m]])
            total = jc + add_c
            jr = _up(_up(jr + add_r) + _up(2 * _U * np.abs(total) + ctx.tiny))
            jc = total
        if not (np.all(np.isfinite(jc)) and np.all(np.isfinite(jr))):
            return None
        return jc, jr


def _scale_vec(ctx: _Ctx, c, r, sc, sr):
    """:func:`_scale` with arrays of multipliers (broadcast)."""
    out = sc * c
    rad = _up(_up(np.abs(sc) * r) + _up(sr * _up(np.abs(c) + r)))
    return out, _up(rad + _up(2 * _U * np.abs(out) + ctx.tiny))


def interval_matmul(C: np.ndarray, R: np.ndarray, A: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray] | None:
    r"""``(mid, rad)`` with :math:`|JA - \mathrm{mid}| \le \mathrm{rad}` entrywise for every
    J with :math:`|J - C| \le R`, A a matrix of exact doubles; None when not finite.

    :math:`JA \in CA \pm R|A|`, and the computed :math:`\mathrm{fl}(CA)` is within
    :math:`\gamma_n |C||A|` of CA (an inner product of length n in any order, with or without
    fused multiply-adds: Higham §3.1). The two non-negative products are computed, then bounded
    above: a non-negative inner product is at most :math:`(\mathrm{fl} + n 2^{-1074})(1 + 2 n
    u)` of its computed value (gradual underflow loses at most :math:`2^{-1075}` a product),
    and :math:`\gamma_n \le 2 n u`."""
    n = A.shape[0]
    if not n * _U <= 0.25:
        raise ValueError(f"n = {n} is too large for the error bound")
    with np.errstate(all="ignore"):
        mid = C @ A
        absA = np.abs(A)
        tiny = n * 2.0**-1074  # exact
        grow = 1.0 + 2.0 * n * _U  # exact
        spread = _up(_up(R @ absA + tiny) * grow)
        rounding = _up(_up(_up(np.abs(C) @ absA + tiny) * grow) * (2.0 * n * _U))
        rad = _up(spread + rounding)
        if not (np.all(np.isfinite(mid)) and np.all(np.isfinite(rad))):
            return None
        return mid, rad
