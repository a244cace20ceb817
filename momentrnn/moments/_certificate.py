r"""Proved bounds for the worst-case extrapolation problem (:eq:`eq-extrapolation-dual`).

Weak duality of the moment problem: if :math:`P(x) = \sum_{j \le N} \lambda_j x^j` satisfies
:math:`P(x) + \delta \ge x^q` on :math:`[a, b]`, then every non-negative measure on
:math:`[a, b]` with :math:`|m_j(\mu) - m_j| \le \varepsilon_j` has

.. math:: m_q(\mu) \le \sum_j \lambda_j m_j + \sum_j |\lambda_j| \varepsilon_j
          + \delta (m_0 + \varepsilon_0).

Here :math:`\lambda` comes from the solver's dual, rounded to rationals; :math:`\delta` is a
proved upper bound of :math:`\max_{[a,b]} (x^q - P)`, found from the certified real roots of the
derivative (python-flint) and ball evaluation. The other side of the gap is a measure checked
exactly: rational atoms in :math:`[a, b]`, non-negative rational weights, every moment inside the
box, over Q.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import flint
import numpy as np

from ..precision import flint_precision
from .measure import DiscreteMeasure

BALL_BITS = 256
VERTEX_BITS = 1024


def _fq(v: Fraction) -> flint.fmpq:
    v = Fraction(v)
    return flint.fmpq(v.numerator, v.denominator)


def _exact(x: flint.arb) -> Fraction:
    """The exact value of an exact arb (its midpoint when the radius is zero)."""
    man, exp = x.mid().man_exp()
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def _value(f: flint.fmpq_poly, x: Fraction) -> Fraction:
    v = f(_fq(x))
    return Fraction(int(v.p), int(v.q))


def min_on_interval(f: flint.fmpq_poly, a: Fraction, b: Fraction
                    ) -> tuple[Fraction, list[tuple[Fraction, Fraction]]]:
    """A proved lower bound of ``min f`` on ``[a, b]`` and the candidate minimisers.

    The minimum is attained at an end or at a real root of ``f'``; every root of ``f'`` whose
    certified enclosure may be real and may meet ``[a, b]`` is evaluated in ball arithmetic and
    the lower end of the ball is used, so a root missed by rounding cannot make the bound
    wrong. Returns ``(bound, [(point, value estimate), ...])`` with exact rational points.
    """
    points = [(a, _value(f, a)), (b, _value(f, b))]
    best = min(v for _, v in points)
    fp = f.derivative()
    if fp.degree() < 1:
        return best, points
    with flint_precision(BALL_BITS):
        fa = flint.arb_poly(f)
        lo, hi = _fq(a), _fq(b)
        for z, _mult in fp.complex_roots():
            if not z.imag.contains(0):
                continue
            x = z.real
            if x.upper() < lo or x.lower() > hi:
                continue
            best = min(best, _exact(fa(x).lower()))
            mid = min(max(_exact(x.mid()), a), b)
            points.append((mid, _value(f, mid)))
    return best, points


@dataclass(frozen=True)
class EndCertificate:
    """A proved outer bound of one end of the range, with its evidence.

    Attributes
    ----------
    bound : Fraction
        Proved: no feasible measure has :math:`m_q` beyond it.
    multipliers : tuple of Fraction
        :math:`\\lambda_0..\\lambda_N`, the coefficients of ``P`` (before the shift ``delta``).
    delta : Fraction
        Proved bound of the violation of ``P >= x^q`` (upper end) on the support, added to the
        constant term.
    touching : tuple of Fraction
        Points where ``P - x^q`` (or ``x^q - P``) nearly vanishes: where an extremal measure
        can put its atoms.
    """

    bound: Fraction
    multipliers: tuple
    delta: Fraction
    touching: tuple


def certify_end(lam: list, moments: list, eps: list, q: int, a: Fraction, b: Fraction,
                upper: bool) -> EndCertificate:
    r"""Outer bound of the upper (``upper=True``) or lower end from multipliers ``lam``.

    Upper: :math:`m_q \le \sum \lambda_j m_j + \sum|\lambda_j|\varepsilon_j + \delta(m_0 +
    \varepsilon_0)` with :math:`\delta \ge \max(x^q - P)^+`. Lower: the same for
    :math:`-m_q \le \dots` with :math:`P \le x^q`.
    """
    lam = [Fraction(v) for v in lam]
    P = flint.fmpq_poly([_fq(v) for v in lam]) if lam else flint.fmpq_poly([0])
    xq = flint.fmpq_poly([0] * q + [1])
    f = P - xq if upper else xq - P
    low, points = min_on_interval(f, a, b)
    delta = max(-low, Fraction(0))
    sign = 1 if upper else -1
    value = sum(v * mj for v, mj in zip(lam, moments))
    spread = sum(abs(v) * e for v, e in zip(lam, eps)) + delta * (moments[0] + eps[0])
    bound = value + sign * spread
    scale = max([abs(v) for _, v in points] + [Fraction(1, 10**30)])
    near = sorted({p for p, v in points if v <= delta + scale * Fraction(1, 10**6)})
    return EndCertificate(bound, tuple(lam), delta, tuple(near))


@dataclass(frozen=True)
class CheckedMeasure:
    """A measure proved feasible (exactly, over Q), and its :math:`m_q`."""

    measure: DiscreteMeasure
    value: Fraction


def checked_measure(atoms: list, moments: list, eps: list, q: int, a: Fraction, b: Fraction,
                    upper: bool) -> tuple[CheckedMeasure | None, str]:
    """The best measure on the given rational atoms found by an LP, then checked over Q.

    The LP (HiGHS, double precision, rows scaled to unit size) picks the active constraints;
    the vertex is recomputed exactly from them and every condition is checked over Q: weights
    >= 0, atoms in ``[a, b]``, ``|m_j(mu) - m_j| <= eps_j``. On failure the box is shrunk
    towards its centre and the LP is solved again; ``None`` with the reason when nothing
    passes.
    """
    from scipy.optimize import linprog

    atoms = _candidates(atoms, a, b, len(moments))
    n, rows = len(atoms), len(moments)
    xf = np.array([float(x) for x in atoms])
    Vraw = xf[None, :] ** np.arange(rows)[:, None]
    scale = np.maximum(np.abs(Vraw).max(axis=1), 1e-300)
    Vf = Vraw / scale[:, None]
    cf = xf**q
    cf = cf / max(np.abs(cf).max(), 1e-300)
    mf = np.array([float(v) for v in moments]) / scale
    why = "the LP found no feasible weights on the candidate atoms"
    for shrink in (0.0, 1e-8, 1e-5, 1e-2):
        ef = np.array([float(e) for e in eps]) * (1 - shrink) / scale
        A = np.vstack([Vf, -Vf])
        rhs = np.concatenate([mf + ef, ef - mf])
        res = linprog(-cf if upper else cf, A_ub=A, b_ub=rhs, bounds=[(0, None)] * n,
                      method="highs", options={"primal_feasibility_tolerance": 1e-10,
                                               "dual_feasibility_tolerance": 1e-10})
        if res.status != 0:
            continue
        w = res.x
        free = [i for i in range(n) if w[i] > 1e-14 * max(float(np.abs(w).max()), 1e-300)]
        if not free:
            continue
        support = [atoms[i] for i in free]
        V = [[flint.fmpq(1)] * len(free)]
        xs = [_fq(x) for x in support]
        for _ in range(1, max(rows, q + 1)):
            V.append([v * x for v, x in zip(V[-1], xs)])
        slack = A[:, free] @ w[free] - rhs
        for weights in (_vertex(V, moments, eps, slack, rows, len(free)),
                        [Fraction(float(w[i])) for i in free]):
            if weights is None:
                continue
            ok, why = _feasible(V, moments, eps, weights)
            if ok:
                keep = [k for k in range(len(free)) if weights[k] != 0]
                mu = DiscreteMeasure([support[k] for k in keep], [weights[k] for k in keep])
                value = sum((_fq(weights[k]) * V[q][k] for k in keep), flint.fmpq(0))
                return CheckedMeasure(mu, Fraction(int(value.p), int(value.q))), ""
    return None, why


def _candidates(touching: list, a: Fraction, b: Fraction, count: int) -> list:
    """Rational candidate atoms: the touching points, neighbours of them at several distances
    (an extremal measure whose moments sit on a corner of the box needs atoms placed to the
    box's accuracy, which rounded touching points miss), and Chebyshev points of the support."""
    width = b - a
    pts = {a, b}
    for t in touching:
        t = Fraction(t).limit_denominator(2**64)
        pts.add(t)
        for h in (Fraction(1, 10**3), Fraction(1, 10**5), Fraction(1, 10**7)):
            pts.update((t - h * width, t + h * width))
    grid = 2 * count + 4
    for i in range(grid + 1):
        c = Fraction(math.cos(math.pi * i / grid)).limit_denominator(2**30)
        pts.add(a + (c + 1) / 2 * width)
    return sorted(p for p in pts if a <= p <= b)


def _vertex(V, moments, eps, slack, rows, size) -> list | None:
    """Exact weights on the support from the (numerically) most active box rows."""
    cands = sorted(range(2 * rows), key=lambda r: abs(slack[r]))
    chosen, used = [], set()
    for r in cands:
        if r % rows in used:
            continue
        chosen.append(r)
        used.add(r % rows)
        if len(chosen) == size:
            break
    if len(chosen) < size:
        return None
    exact = any(eps[r % rows] == 0 for r in chosen)
    # the target sits a relative 1e-20 inside each active face, so that the ball solution
    # rounded to rationals stays in the box; with an equality row the solve is exact over Q
    inside = Fraction(0) if exact else Fraction(1, 10**20)
    target = [moments[r % rows] + (1 - inside) * (eps[r % rows] if r < rows else -eps[r % rows])
              for r in chosen]
    if exact:
        M = flint.fmpq_mat(size, size, [V[r % rows][i] for r in chosen for i in range(size)])
        try:
            sol = M.solve(flint.fmpq_mat(size, 1, [_fq(t) for t in target]))
        except ZeroDivisionError:
            return None
        return [Fraction(int(sol[k, 0].p), int(sol[k, 0].q)) for k in range(size)]
    with flint_precision(VERTEX_BITS):  # the Vandermonde rows may lose hundreds of bits
        M = flint.arb_mat(size, size, [flint.arb(V[r % rows][i]) for r in chosen
                                       for i in range(size)])
        try:
            sol = M.solve(flint.arb_mat(size, 1, [flint.arb(_fq(t)) for t in target]))
        except ZeroDivisionError:
            return None
        return [_exact(sol[k, 0].mid()) for k in range(size)]


def _feasible(V, moments, eps, weights) -> tuple[bool, str]:
    if any(v < 0 for v in weights):
        return False, "a negative weight in the exact vertex"
    wq = [_fq(v) for v in weights]
    for j in range(len(moments)):
        mj = sum((V[j][i] * wq[i] for i in range(len(wq))), flint.fmpq(0))
        if abs(Fraction(int(mj.p), int(mj.q)) - moments[j]) > eps[j]:
            return False, f"moment {j} leaves the box in exact arithmetic"
    return True, ""


@dataclass(frozen=True)
class InfeasibilityCertificate:
    r"""A proof that no non-negative measure on :math:`[a, b]` meets the moment box.

    With :math:`P = \sum_j \lambda_j x^j` and a proved :math:`\delta \ge \max_{[a,b]}(-P)^+`,
    every non-negative :math:`\mu` on the support with :math:`|m_j(\mu) - m_j| \le
    \varepsilon_j` has :math:`0 \le \int (P + \delta)\,d\mu \le` ``margin``; a negative
    ``margin`` is a contradiction (a Farkas certificate).

    Attributes
    ----------
    proved : bool
        ``margin < 0``, checked over Q.
    margin : Fraction
        :math:`\sum_j \lambda_j m_j + \sum_j |\lambda_j| \varepsilon_j + \delta (m_0 +
        \varepsilon_0)`.
    multipliers : tuple of Fraction
    delta : Fraction
    """

    proved: bool
    margin: Fraction
    multipliers: tuple
    delta: Fraction


def certify_infeasible(lam: list, moments: list, eps: list, a: Fraction, b: Fraction
                       ) -> InfeasibilityCertificate:
    """Check the Farkas certificate ``lam`` (coefficients of ``P``) exactly; see the class."""
    lam = [Fraction(v) for v in lam]
    P = flint.fmpq_poly([_fq(v) for v in lam]) if lam else flint.fmpq_poly([0])
    low, _points = min_on_interval(P, a, b)
    delta = max(-low, Fraction(0))
    margin = (sum(v * mj for v, mj in zip(lam, moments))
              + sum(abs(v) * e for v, e in zip(lam, eps)) + delta * (moments[0] + eps[0]))
    return InfeasibilityCertificate(margin < 0, margin, tuple(lam), delta)
