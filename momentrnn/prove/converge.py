r"""Convergence after the finite-time enclosure: a local argument on the invariant leaf.

After :math:`T` the flow stays on the leaf :math:`b_i^2 - c_i^2 = \delta_i` (conserved, exact
from the initialisation). In leaf coordinates :math:`y = (a, w)`, :math:`w_i = b_i c_i`, the
gradient flow of :math:`L(y) = \sum_j \rho_j (\sum_i w_i a_i^j - \hat h_j)^2` reads

.. math::

    \dot a_i = -\partial_{a_i} L, \qquad
    \dot w_i = b_i \dot c_i + c_i \dot b_i = -(b_i^2 + c_i^2)\, \partial_{w_i} L
    = -g_i\, \partial_{w_i} L, \qquad g_i = \sqrt{\delta_i^2 + 4 w_i^2},

i.e. :math:`\dot y = -G \nabla L` with :math:`G = \mathrm{diag}(1, \dots, 1, g_1, \dots, g_d)`,
and the speed in the original coordinates is
:math:`\|\dot z\|^2 = \sum_i (\partial_{a_i} L)^2 + (b_i^2 + c_i^2)(\partial_{w_i} L)^2
= \nabla L^\top G \nabla L = -\dot L`.

On a box :math:`R` (in :math:`y`) around the end enclosure, checked in ball arithmetic over the
whole box:

* the Hessian :math:`\nabla^2 L \succeq m I`: the Hessian over :math:`R` in balls is
  :math:`H_0 + E` with :math:`|E_{pq}| \le \mathrm{rad}_{pq}`, so
  :math:`\lambda_{\min} \ge \lambda_{\min}(H_0) - \|\mathrm{rad}\|_F`, and a ball
  :math:`LDL^\top` of the point matrix :math:`H_0 - (m + \|\mathrm{rad}\|_F) I` has every
  pivot proved positive; so :math:`L` is :math:`m`-strongly convex on :math:`R`, and for
  :math:`L_R = \min_R L`, :math:`\|\nabla L(y)\|^2 \ge 2 m (L(y) - L_R)` on :math:`R`;
* :math:`w_i \ne 0` on :math:`R`, :math:`G \succeq D = \mathrm{diag}(1, \dots, 1,
  \underline g_1, \dots, \underline g_d)` and :math:`G \preceq \Gamma I` on :math:`R`, and
  the same eigenvalue bound for :math:`D^{1/2} \nabla^2 L\, D^{1/2} \succeq \tilde m I` (the
  Hessian in the coordinates :math:`D^{-1/2} y`, where :math:`R` is still a box).

With :math:`E = L - L_R \ge 0`, while :math:`y(t) \in R`: strong convexity in
:math:`D^{-1/2} y` gives :math:`\nabla L^\top D \nabla L \ge 2 \tilde m E`, so
:math:`\dot E = -\nabla L^\top G \nabla L \le -\nabla L^\top D \nabla L \le -\mu E`,
:math:`\mu = 2 \tilde m`, and :math:`\|\dot z\|^2 = -\dot E \ge \mu E`, so
:math:`\frac{d}{dt}\sqrt E = -\|\dot z\|^2 / (2\sqrt E) \le -\tfrac12 \sqrt{\mu}\, \|\dot z\|`:
the path length after :math:`T` is at most :math:`\ell_z = 2\sqrt{E(T)/\mu} \le
2\sqrt{L_+(T)/\mu}` in :math:`z = (a, b, c)`, and at most :math:`\ell_y = \sqrt{\Gamma}\,\ell_z`
in :math:`y` (:math:`\|\dot y\| = \|G \nabla L\| \le \sqrt{\Gamma}\, \|\dot z\|`). When
:math:`\ell_y` is below the distance from the end box to the complement of :math:`R`, the
trajectory never leaves :math:`R` (at a first exit its length would exceed that distance), so
the bounds hold for all :math:`t \ge T`: :math:`y(t)` has finite length and converges to a
point :math:`y^*` of the interior of :math:`R` with :math:`L(y^*) = L_R`, the unique critical
point of :math:`L` in :math:`R` (strict convexity), at the rate
:math:`L(t) - L_R \le (L(T) - L_R) e^{-\mu (t - T)}`.

The limit: when the targets are exactly the teacher's moments (checked over
:math:`\mathbb Q`) and the teacher's :math:`(\hat a, \hat w)` lies in :math:`R`, it is a zero of
:math:`L` in :math:`R`, hence :math:`y^*` is the teacher exactly. Otherwise :math:`y^*` is
enclosed by :math:`\|y - y^*\| \le \|\nabla L(y)\| / m` at a point :math:`y` of :math:`R`
(refined by Newton steps), and its distance to the teacher is bounded the same way.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .validated import ball_bounds

__all__ = ["Convergence", "prove_convergence"]

# margins tried for the region R around the end box (absolute, in y = (a, w))
MARGINS = tuple(Fraction(1, 2**e) for e in range(40, 4, -1))


@dataclass(frozen=True)
class Convergence:
    r"""What the local argument proved after :math:`T` (``proved``), or why it failed.

    Attributes
    ----------
    proved : bool
    reason : str
        Why it is not proved ("" when it is).
    rate : Fraction or None
        :math:`\mu`: :math:`L(t) - L^* \le (L(T) - L^*) e^{-\mu (t - T)}` for all :math:`t \ge T`.
    strong_convexity, scaled_convexity, metric_lower, metric_upper : Fraction or None
        :math:`m`, :math:`\tilde m`, :math:`\gamma`, :math:`\Gamma` proved over :math:`R`
        (:math:`\mu = 2 \tilde m`).
    margin : Fraction or None
        The distance (each coordinate) from the end box to the complement of :math:`R`.
    path_length, path_length_leaf : Fraction or None
        :math:`\ell_z \ge \int_T^\infty \|\dot z\|` (so :math:`\ge \|z(T) - z^*\|`) and
        :math:`\ell_y \ge \int_T^\infty \|\dot y\|`.
    limit_is_teacher : bool
        The limit is the teacher's atoms and weights exactly (up to the order of the units).
    teacher_order : tuple of int or None
        Unit i of the student tends to teacher atom ``teacher_order[i]``.
    limit_a, limit_w, limit_b, limit_c : tuple of intervals or None
        Enclosures of the limit :math:`z^*` (exact points when ``limit_is_teacher`` for a, w).
    limit_loss : interval or None
        :math:`L^* = L(y^*)`.
    teacher_distance : Fraction or None
        :math:`\|y^* - (\hat a, \hat w)\|` bound (0 when the limit is the teacher).
    limit_extrapolation : Fraction or None
        :math:`\max_{q < \text{length}} |h_q(z^*) - \hat h_q|` bound (0 for the teacher: then
        :math:`h_q = \hat h_q` for every q).
    effective_dimension : int or None
        The number of atoms of the limit measure (weights proved nonzero, atoms proved
        distinct).
    """

    proved: bool
    reason: str
    rate: Fraction | None = None
    strong_convexity: Fraction | None = None
    scaled_convexity: Fraction | None = None
    metric_lower: Fraction | None = None
    metric_upper: Fraction | None = None
    margin: Fraction | None = None
    path_length: Fraction | None = None
    path_length_leaf: Fraction | None = None
    limit_is_teacher: bool = False
    teacher_order: tuple | None = None
    limit_a: tuple | None = None
    limit_w: tuple | None = None
    limit_b: tuple | None = None
    limit_c: tuple | None = None
    limit_loss: tuple | None = None
    teacher_distance: Fraction | None = None
    limit_extrapolation: Fraction | None = None
    effective_dimension: int | None = None


def _ball(q: Fraction):
    import flint

    return flint.arb(flint.fmpq(q.numerator, q.denominator))


def _interval_ball(lo: Fraction, hi: Fraction):
    """A ball containing the interval [lo, hi] (the hull of its two ends)."""
    return _ball(lo).union(_ball(hi))


def _hi(x) -> Fraction:
    return ball_bounds(x)[1]


def _lo(x) -> Fraction:
    return ball_bounds(x)[0]


def _moments(a: list, w: list, k: int):
    """:math:`M_j`, :math:`\\partial M_j/\\partial a_i`, :math:`\\partial M_j/\\partial w_i`,
    :math:`\\partial^2 M_j/\\partial a_i^2`, :math:`\\partial^2 M_j/\\partial a_i \\partial w_i`
    over the balls (a, w)."""
    import flint

    d = len(a)
    pw = [[flint.arb(1)] for _ in range(d)]
    for i in range(d):
        for _ in range(1, k):
            pw[i].append(pw[i][-1] * a[i])
    zero = flint.arb(0)
    M = [sum((w[i] * pw[i][j] for i in range(d)), zero) for j in range(k)]
    Ja = [[(j * w[i] * pw[i][j - 1]) if j else zero for i in range(d)] for j in range(k)]
    Jw = [[pw[i][j] for i in range(d)] for j in range(k)]
    Kaa = [[(j * (j - 1) * w[i] * pw[i][j - 2]) if j > 1 else zero for i in range(d)]
           for j in range(k)]
    Kaw = [[(j * pw[i][j - 1]) if j else zero for i in range(d)] for j in range(k)]
    return M, Ja, Jw, Kaa, Kaw


def _gradient_hessian(a: list, w: list, target: list, rho: list):
    r"""The loss, its gradient and Hessian in y = (a, w) (a first, then w), over balls."""
    import flint

    d, k = len(a), len(target)
    M, Ja, Jw, Kaa, Kaw = _moments(a, w, k)
    r = [M[j] - target[j] for j in range(k)]
    J = [Ja[j] + Jw[j] for j in range(k)]  # k rows of 2d
    n = 2 * d
    zero = flint.arb(0)
    loss = sum((rho[j] * r[j] * r[j] for j in range(k)), zero)
    grad = [sum((2 * rho[j] * r[j] * J[j][p] for j in range(k)), zero) for p in range(n)]
    H = [[zero] * n for _ in range(n)]
    for p in range(n):
        for q in range(p, n):
            s = sum((rho[j] * J[j][p] * J[j][q] for j in range(k)), zero)
            if p == q and p < d:  # d^2 / da_i^2
                s += sum((rho[j] * r[j] * Kaa[j][p] for j in range(k)), zero)
            elif p < d and q == p + d:  # d^2 / da_i dw_i
                s += sum((rho[j] * r[j] * Kaw[j][p] for j in range(k)), zero)
            H[p][q] = H[q][p] = 2 * s
    return loss, grad, H


def _smallest_eigenvalue(H: list) -> tuple[Fraction | None, str]:
    """A proved lower bound m > 0 of the smallest eigenvalue of every symmetric matrix with
    entries in the balls H, or (None, why). H = H0 + E with |E_pq| <= rad_pq, so
    lambda_min >= lambda_min(H0) - ||rad||_F; H0 - (m + ||rad||_F) I is proved positive
    definite by a ball LDL^T of that point matrix (no wrapping)."""
    import flint

    n = len(H)
    mid = np.array([[float(x.mid()) for x in row] for row in H])
    lam = float(np.linalg.eigvalsh(mid)[0]) if np.all(np.isfinite(mid)) else -1.0
    spread = _hi(sum((flint.arb(x.rad()) ** 2 for row in H for x in row), flint.arb(0)).sqrt())
    if not lam - float(spread) > 0:
        return None, (f"not positive definite over R (smallest eigenvalue at its midpoint "
                      f"{lam:.3g}, its entries spread by {float(spread):.3g} in Frobenius norm)")
    m = Fraction(0.9 * (lam - float(spread)))
    S = [[flint.arb(H[p][q].mid()) - (_ball(m + spread) if p == q else 0) for q in range(n)]
         for p in range(n)]
    ok, why = _positive_definite(S)
    if not ok:
        return None, (f"not proved >= {float(m):.3g} I over R (its entries spread by "
                      f"{float(spread):.3g} in Frobenius norm): {why}")
    return m, ""


def _positive_definite(S: list) -> tuple[bool, str]:
    """Whether every symmetric matrix with entries in the balls S is positive definite: a
    ball LDL^T whose pivots are all proved positive (the ball pivots enclose those of every
    member)."""
    n = len(S)
    L = [[None] * n for _ in range(n)]
    D = []
    for j in range(n):
        dj = S[j][j] - sum((L[j][m] * L[j][m] * D[m] for m in range(j)), S[j][j] * 0)
        if not dj > 0:
            return False, f"pivot {j} of the LDL^T is {dj.str(5)}, not proved positive"
        D.append(dj)
        for i in range(j + 1, n):
            L[i][j] = (S[i][j] - sum((L[i][m] * L[j][m] * D[m] for m in range(j)),
                                     S[i][j] * 0)) / dj
    return True, ""


def _metric(delta, w):
    """A ball holding g = sqrt(delta^2 + 4 w^2) for every w in the ball w (which excludes 0),
    from the exact ends of |w| (a product w * w of balls could dip below 0)."""
    lo, hi = ball_bounds(w)
    small, large = (lo, hi) if lo > 0 else (-hi, -lo)
    return _interval_ball(_lo((delta * delta + 4 * _ball(small) ** 2).sqrt()),
                          _hi((delta * delta + 4 * _ball(large) ** 2).sqrt()))


def _norm_upper(v: list) -> Fraction:
    """An upper bound of the Euclidean norm of every vector in the balls v."""
    import flint

    return _hi(sum((flint.arb(x.abs_upper()) ** 2 for x in v), flint.arb(0)).sqrt())


def prove_convergence(a: tuple, b: tuple, c: tuple, delta: list, loss_upper: Fraction,
                      target: list, rho: list, teacher_atoms: list, teacher_weights: list,
                      length: int, deadline: float = math.inf) -> Convergence:
    r"""The local argument after :math:`T` from the end box (intervals of exact Fractions).

    ``delta`` holds the exact invariants :math:`b_i^2 - c_i^2`, or intervals ``(lower,
    upper)`` holding them (a box of initial conditions): the argument then holds on every
    leaf of those values at once, since the Hessian in :math:`y = (a, w)` does not depend on
    :math:`\delta` and the metric and the limit's :math:`b^*, c^*` are bounded over the balls
    of :math:`\delta`. ``loss_upper`` is an upper bound of :math:`L(z(T))`, ``target`` and
    ``rho`` the exact targets and lag weights of the flow, ``teacher_atoms`` and
    ``teacher_weights`` the teacher's exact :math:`\hat a, \hat w`. When
    ``time.perf_counter()`` passes ``deadline`` before a region is proved, nothing is proved
    (the reason says that the time budget ran out).
    Call inside :func:`~momentrnn.precision.flint_precision`.
    """
    import flint

    d = len(a)
    dhat = len(teacher_atoms)
    degenerate = ""
    if d > dhat:
        degenerate = (f"; d = {d} > d_hat = {dhat}: the Hessian test on the leaf fails at a "
                      "degenerate limit (a dead unit w_i -> 0 or merged atoms make the Hessian "
                      "singular there, and L need not decay exponentially), but a failed test "
                      "does not prove that the limit is degenerate")
    tgt = [_ball(x) for x in target]
    rh = [_ball(x) for x in rho]
    dl = [_interval_ball(*x) if isinstance(x, tuple) else _ball(x) for x in delta]
    a_end = [_interval_ball(*x) for x in a]
    w_end = [_interval_ball(*x) * _interval_ball(*y) for x, y in zip(b, c)]
    ends = [ball_bounds(x) for x in a_end + w_end]
    if not all(_lo(_interval_ball(*x)) > 0 or _hi(_interval_ball(*x)) < 0 for x in b + c):
        return Convergence(False, "the signs of b_i and c_i at T are not all proved"
                           + degenerate)
    last = "no region tried"
    tried = {}  # the last failure of each kind, smallest margin first
    for margin in MARGINS:
        if time.perf_counter() > deadline:
            before = "" if last == "no region tried" else f" (the last one failed: {last})"
            return Convergence(False, f"the time budget ran out before the region of margin "
                               f"{float(margin):.3g} was tried{before}" + degenerate)
        if last != "no region tried":
            tried[" ".join(last.split()[:4])] = last
        R = [_interval_ball(lo - margin, hi + margin) for lo, hi in ends]
        Ra, Rw = R[:d], R[d:]
        if not all(x > 0 or x < 0 for x in Rw):
            last = f"a weight w_i may vanish in R (margin {float(margin):.3g})"
            continue
        g = [_metric(x, y) for x, y in zip(dl, Rw)]
        gamma = min([Fraction(1)] + [_lo(x) for x in g])
        Gamma = max([Fraction(1)] + [_hi(x) for x in g])
        if not gamma > 0:
            last = "the metric of the leaf is not proved positive on R"
            continue
        _, _, H = _gradient_hessian(Ra, Rw, tgt, rh)
        m, why = _smallest_eigenvalue(H)
        if m is None:
            last = f"the Hessian of L on the leaf is {why} (margin {float(margin):.3g})"
            continue
        # the metric G >= D = diag(1, .., 1, g_1-, .., g_d-): the Hessian of L in the
        # coordinates D^(-1/2) y is D^(1/2) H D^(1/2)
        root = [flint.arb(1)] * d + [_ball(_lo(x)).sqrt() for x in g]
        scaled, why = _smallest_eigenvalue([[root[p] * H[p][q] * root[q]
                                             for q in range(2 * d)] for p in range(2 * d)])
        if scaled is None:
            last = (f"the Hessian of L on the leaf, scaled by the metric, is {why} (margin "
                    f"{float(margin):.3g})")
            continue
        mu = 2 * scaled
        lz = _hi(2 * (_ball(loss_upper) / _ball(mu)).sqrt())
        ly = _hi(_ball(Gamma).sqrt() * _ball(lz))
        if not ly < margin:
            last = (f"the path length bound {float(ly):.3g} after T is not below the margin "
                    f"{float(margin):.3g} of R (the flow is not proved to stay in R)")
            continue
        # every inequality holds on R: convergence at rate mu to the unique critical point in R
        limit = _limit(R, d, m, dl, b, c, tgt, rh, target, teacher_atoms, teacher_weights,
                       length, deadline)
        if isinstance(limit, str):
            last = limit
            continue
        return Convergence(True, "", rate=mu, strong_convexity=m, scaled_convexity=scaled,
                           metric_lower=gamma,
                           metric_upper=Gamma, margin=margin, path_length=lz,
                           path_length_leaf=ly, **limit)
    tried[" ".join(last.split()[:4])] = last
    return Convergence(False, "the local argument failed for every region R tried: "
                       + "; ".join(tried.values()) + degenerate)


def _limit(R, d, m, dl, b, c, tgt, rh, target, t_atoms, t_weights, length,
           deadline=math.inf):
    """The limit y* (the unique critical point of L in R): the teacher exactly, or enclosed."""
    import flint

    Ra, Rw = R[:d], R[d:]
    # distinct atoms (pairwise disjoint intervals) and nonzero weights in R
    for i in range(d):
        for j in range(i + 1, d):
            if Ra[i].overlaps(Ra[j]):
                return f"atoms {i} and {j} are not proved distinct on R"
    realizable = len(t_atoms) == d and all(
        sum((wt * x**j for x, wt in zip(t_atoms, t_weights)), Fraction(0)) == target[j]
        for j in range(len(target)))
    order = None
    if len(t_atoms) == d:
        order = []
        for i in range(d):
            hit = [j for j in range(d) if Ra[i].contains(_ball(t_atoms[j]))
                   and Rw[i].contains(_ball(t_weights[j]))]
            order.append(hit[0] if len(hit) == 1 else None)
        order = tuple(order) if None not in order and len(set(order)) == d else None
    sign_b = [1 if lo > 0 else -1 for lo, _ in b]
    sign_c = [1 if lo > 0 else -1 for lo, _ in c]
    if realizable and order is not None:
        ya = [_ball(t_atoms[order[i]]) for i in range(d)]
        yw = [_ball(t_weights[order[i]]) for i in range(d)]
        rad = flint.arb(0)
        is_teacher = True
    else:
        # Newton steps from the midpoint of R, then ||y - y*|| <= ||grad L(y)|| / m
        y = [flint.arb(x.mid()) for x in R]
        for _ in range(8):
            _, grad, H = _gradient_hessian(y[:d], y[d:], tgt, rh)
            step = flint.arb_mat([[x.mid() for x in row] for row in H]).solve(
                flint.arb_mat([[x.mid()] for x in grad]))
            y = [flint.arb((y[p] - step[p, 0]).mid()) for p in range(2 * d)]
        if not all(Rp.contains(yp) for Rp, yp in zip(R, y)):
            return "the Newton point for the limit left R"
        _, grad, _ = _gradient_hessian(y[:d], y[d:], tgt, rh)
        rad = _ball(_norm_upper(grad)) / _ball(m)
        ya = [x.union(x + rad).union(x - rad) for x in y[:d]]
        yw = [x.union(x + rad).union(x - rad) for x in y[d:]]
        is_teacher = False
    if not all(Rp.contains(yp) for Rp, yp in zip(R, ya + yw)):
        return "the enclosure of the limit is not inside R"
    loss, _, _ = _gradient_hessian(ya, yw, tgt, rh)
    if is_teacher:
        distance = Fraction(0)
        extrap = Fraction(0)
    else:
        distance = extrap = None
        if order is not None:
            tv = [_ball(t_atoms[order[i]]) for i in range(d)] + \
                 [_ball(t_weights[order[i]]) for i in range(d)]
            _, gt, _ = _gradient_hessian(tv[:d], tv[d:], tgt, rh)
            distance = _hi(_ball(_norm_upper(gt)) / _ball(m))
            worst = flint.arb(0)
            for q in range(length):
                if time.perf_counter() > deadline:
                    return (f"the time budget ran out at order q = {q} of the bound on the "
                            f"limit's extrapolation")
                diff = sum((yw[i] * ya[i] ** q - tv[d + i] * tv[i] ** q for i in range(d)),
                           flint.arb(0))
                worst = worst.union(abs(diff)) if q else abs(diff)
            extrap = _hi(worst)
    if not all(x > 0 or x < 0 for x in yw):
        return "a weight of the limit's enclosure may vanish"
    g = [_metric(x, y) for x, y in zip(dl, yw)]
    lb = [sign_b[i] * ((g[i] + dl[i]) / 2).sqrt() for i in range(d)]
    lc = [sign_c[i] * ((g[i] - dl[i]) / 2).sqrt() for i in range(d)]
    if not all(x.is_finite() for x in lb + lc):
        return "b* and c* of the limit are not enclosed (a square root of a ball holding 0)"
    return dict(limit_is_teacher=is_teacher, teacher_order=order,
                limit_a=tuple(ball_bounds(x) for x in ya),
                limit_w=tuple(ball_bounds(x) for x in yw),
                limit_b=tuple(ball_bounds(x) for x in lb),
                limit_c=tuple(ball_bounds(x) for x in lc),
                limit_loss=(max(Fraction(0), _lo(loss)), _hi(loss)),
                teacher_distance=distance, limit_extrapolation=extrap,
                effective_dimension=d)

