r"""Worst-case extrapolation under approximate moment matching: a semidefinite program.

Over all non-negative measures on a compact :math:`[a, b]` whose moments satisfy
:math:`|m_j(\mu) - m_j| \le \varepsilon_j` for :math:`j \le N`, the range of :math:`m_q` is the
optimum of two SDPs. They are written in the Chebyshev basis of the support mapped to
:math:`[-1, 1]`: the unknowns are :math:`\tau_k = \int T_k\,d\mu`, the moment matrix is
:math:`[(\tau_{i+j} + \tau_{|i-j|})/2]` and the localising matrices use
:math:`x T_m = (T_{m+1} + T_{|m-1|})/2`; this keeps the problem well conditioned where the
monomial basis makes the solver report "optimal" for answers wrong by 100 % at degree 25.
The answer is then checked, not trusted: the optimal moment vectors are tested for positive
semidefiniteness and for the moment constraints.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..errors import InputError, MissingDependencyError
from ._data import parse_moments, to_fraction
from .truncated import INF, parse_support

__all__ = ["ExtrapolationRange", "extrapolation_range", "stability_bound"]

# tighter than the solvers' defaults (1e-8), which leave negative eigenvalues of about 1e-8 at
# the singular optimum; 1e-10 and tighter end "optimal_inaccurate" at degree 61 (measured)
SOLVER_OPTIONS = {
    "CLARABEL": {"tol_gap_abs": 1e-9, "tol_gap_rel": 1e-9, "tol_feas": 1e-9,
                 "max_iter": 400},
    "SCS": {"eps_abs": 1e-10, "eps_rel": 1e-10, "max_iters": 200_000},
}
OK_RELATIVE = 1e-6  # the check must bound the error of the ends below this fraction of the width


@dataclass(frozen=True)
class ExtrapolationRange:
    """Worst-case interval of ``m_order`` under approximate moment matching.

    Attributes
    ----------
    lower, upper : float
    order : int
    tolerance : tuple of float
        The per-moment tolerances used.
    accuracy : float
        Bound on the error of the ends from the solver's answer check (largest constraint
        violation and negative eigenvalue, scaled); the ends are not exact.
    status : str
        ``'ok'`` when the answer passed its check to 1e-6 of the width, ``'inaccurate'``
        otherwise,
        ``'unbounded'`` when an end is infinite without solving.
    solver : str
    message : str
    """

    lower: float
    upper: float
    order: int
    tolerance: tuple
    accuracy: float
    status: str
    solver: str
    message: str

    @property
    def width(self) -> float:
        """``upper - lower``."""
        return self.upper - self.lower


def _cvxpy():
    try:
        import cvxpy as cp
    except ImportError:
        raise MissingDependencyError(
            "extrapolation_range needs cvxpy with the Clarabel solver; install it with "
            "pip install 'momentrnn[sdp]'"
        ) from None
    return cp


def _monomial_in_chebyshev(count: int, a: Fraction, b: Fraction) -> list[list[Fraction]]:
    r"""Rows c_j with :math:`y^j = \sum_k c_{jk} T_k(x)`, :math:`y = ((b-a)x + a + b)/2`."""
    half, mid = (b - a) / 2, (a + b) / 2
    rows = []
    cur = [Fraction(1)]  # y^0 = T_0, in the T basis
    for _ in range(count):
        rows.append(cur + [Fraction(0)] * (count - len(cur)))
        # y * T_k = half * x T_k + mid T_k;  x T_0 = T_1, x T_k = (T_{k+1} + T_{k-1}) / 2
        nxt = [Fraction(0)] * (len(cur) + 1)
        for k, c in enumerate(cur):
            nxt[k] += mid * c
            if k == 0:
                nxt[1] += half * c
            else:
                nxt[k + 1] += half * c / 2
                nxt[k - 1] += half * c / 2
        cur = nxt
    return rows


def extrapolation_range(moments: object, *, tolerance: object, support: tuple = (-1, 1),
                        order: int | None = None, solver: str = "CLARABEL"
                        ) -> ExtrapolationRange:
    r"""Worst-case range of :math:`m_q` over non-negative measures matching within tolerance.

    Parameters
    ----------
    moments : sequence of numbers
        :math:`m_0..m_N`.
    tolerance : float or sequence of float
        :math:`\varepsilon` (same for every moment) or one per moment; 0 gives the exact range
        (compare :func:`next_moment_range`).
    support : tuple
        A compact interval ``(a, b)``. On an unbounded support the range is unbounded above
        (and below for odd ``q`` on the line); it is returned without calling the solver.
    order : int, optional
        q, default N + 1.
    solver : str
        A cvxpy solver name (Clarabel by default; SCS works too).

    Returns
    -------
    ExtrapolationRange
        With ``accuracy`` from an independent check of the solver's answer.

    Examples
    --------
    >>> r = extrapolation_range([1, 0], tolerance=0.0)         # exact: m_2 in [0, 1]
    >>> abs(r.lower) < 1e-7 and abs(r.upper - 1) < 1e-7, r.status
    (True, 'ok')
    """
    data = parse_moments(moments)
    if not data.is_real:
        raise InputError("extrapolation_range needs real moments")
    a, b = parse_support(support)
    N = data.count - 1
    q = N + 1 if order is None else order
    if isinstance(q, bool) or not isinstance(q, int) or q <= N:
        raise InputError(f"order={order!r} must be an integer > {N} (the last given index)")
    eps = _tolerances(tolerance, data.count)
    if a == -INF or b == INF:
        # unbounded support: the even moment is unbounded above; on the line an odd one too
        lower = -INF if (q % 2 == 1 and (a == -INF or b == INF)) else None
        if lower is None:
            raise InputError(
                "on an unbounded support only the infinite end is known without an SDP; use "
                "next_moment_range (exact, tolerance 0) or a compact support"
            )
        return ExtrapolationRange(-INF, INF, q, eps, 0.0, "unbounded", "none",
                                  "an odd moment is unbounded on an unbounded support")
    cp = _cvxpy()
    with warnings.catch_warnings():
        # cvxpy's hints about expression size are about its own compile speed, not the answer
        warnings.filterwarnings("ignore", message=".*subexpressions.*")
        return _solve_sdp(cp, data, a, b, N, q, eps, solver)


def _solve_sdp(cp, data, a, b, N: int, q: int, eps: tuple, solver: str) -> ExtrapolationRange:
    # exact change of basis: m = C tau with C lower triangular (rows: y^j in the T basis)
    C_exact = _monomial_in_chebyshev(q + 1, a, b)
    Cinv_exact = _invert_lower(C_exact, N + 1)
    m_exact = [to_fraction(v) for v in data.real]
    nu = [sum(Cinv_exact[k][j] * m_exact[j] for j in range(k + 1)) for k in range(N + 1)]
    # m_q = K + sum_{k<=N} c_qk (Cinv delta)_k + sum_{k>N} c_qk tau_k, K exact
    K = sum(C_exact[q][k] * nu[k] for k in range(N + 1))
    D = q
    free = cp.Variable(D - N)  # tau_{N+1..D}
    delta = cp.Variable(N + 1) if any(eps) else None
    Cinv = np.array([[float(Cinv_exact[k][j]) for j in range(N + 1)] for k in range(N + 1)])
    nu_f = np.array([float(v) for v in nu])
    low = nu_f + (Cinv @ delta if delta is not None else 0)
    tau = cp.hstack([low, free]) if N + 1 <= D else low
    constraints = [Mk >> 0 for Mk in _psd_blocks(tau, D, cp)]
    if delta is not None:
        constraints.append(cp.abs(delta) <= np.array(eps))
    cq = np.array([float(C_exact[q][k]) for k in range(D + 1)])
    variable_part = cq[: N + 1] @ (Cinv @ delta) if delta is not None else 0
    # scale so that the free Chebyshev moment enters with coefficient 1: the monomial m_q is
    # 2^(1-q) tau_q + ..., and an objective of size 2^(1-q) drowns in the solver's tolerance
    unit = abs(cq[q]) if cq[q] != 0 else 1.0
    objective = (variable_part + cq[N + 1 :] @ free) / unit
    ends, worst = [], 0.0
    for sense in (cp.Minimize, cp.Maximize):
        prob = cp.Problem(sense(objective), constraints)
        try:
            prob.solve(solver=solver, **SOLVER_OPTIONS.get(solver, {}))
        except cp.error.SolverError as exc:
            raise InputError(f"solver {solver} failed: {exc}") from None
        if prob.status not in ("optimal", "optimal_inaccurate"):
            raise InputError(f"the SDP is {prob.status}: no non-negative measure on the support "
                             "matches the moments within the tolerance")
        t = np.asarray(tau.value, dtype=float).ravel()
        ends.append(float(K + Fraction(float(np.asarray(objective.value))) * Fraction(unit)))
        worst = max(worst, _violation(t, D) * unit)  # in units of m_q
        if delta is not None:
            worst = max(worst, float(np.max(np.abs(delta.value) - np.array(eps))))
        if prob.status == "optimal_inaccurate":
            worst = max(worst, math.inf)
    lower, upper = ends
    exact_check = ""
    if not any(eps) and q == N + 1:
        from .truncated import next_moment_range

        ref = next_moment_range(data, support=(a, b))
        err = max(abs(lower - float(ref.lower)), abs(upper - float(ref.upper)))
        worst = max(worst, err)
        exact_check = f"; against the exact range: {err:.1e}"
    width = max(upper - lower, 1e-300)
    rel = worst / width
    status = "ok" if rel <= OK_RELATIVE else "inaccurate"
    msg = (f"SDP in the Chebyshev basis ({solver}); answer checked to {worst:.1e}{exact_check}"
           if status == "ok" else
           f"the solver's answer fails its check by {worst:.1e} ({rel:.1e} of the width): the "
           "ends are not reliable")
    return ExtrapolationRange(lower, upper, q, eps, worst, status, solver, msg)


def _invert_lower(C: list, n: int) -> list:
    """Exact inverse of the leading n x n block of a lower-triangular rational matrix."""
    inv = [[Fraction(0)] * n for _ in range(n)]
    for i in range(n):
        inv[i][i] = 1 / C[i][i]
        for j in range(i):
            inv[i][j] = -sum(C[i][k] * inv[k][j] for k in range(j, i)) / C[i][i]
    return inv


def _tolerances(tolerance: object, count: int) -> tuple:
    if isinstance(tolerance, (int, float)) and not isinstance(tolerance, bool):
        values = [float(tolerance)] * count
    else:
        try:
            values = [float(t) for t in tolerance]  # type: ignore[union-attr]
        except TypeError:
            raise InputError(
                f"tolerance={tolerance!r} must be a number or one per moment"
            ) from None
        if len(values) != count:
            raise InputError(f"tolerance has {len(values)} entries for {count} moments")
    if any(not (math.isfinite(v) and v >= 0) for v in values):
        raise InputError(f"tolerance={tolerance!r} must be finite and >= 0")
    return tuple(values)


def _chebyshev_product(i: int, j: int) -> list[tuple[int, float]]:
    return [(i + j, 0.5), (abs(i - j), 0.5)]


def _times_x(terms: list[tuple[int, float]]) -> list[tuple[int, float]]:
    out = []
    for k, c in terms:
        if k == 0:
            out.append((1, c))
        else:
            out += [(k + 1, c / 2), (k - 1, c / 2)]
    return out


def _block_entries(D: int, g: str) -> list[list[list[tuple[int, float]]]]:
    """Entries of the moment (g='1') or localising matrices as sums of tau_k coefficients."""
    if g == "1":
        size = D // 2 + 1
    elif g in ("1+x", "1-x"):
        size = (D - 1) // 2 + 1
    else:  # 1 - x^2
        size = (D - 2) // 2 + 1
    rows = []
    for i in range(size):
        row = []
        for j in range(size):
            base = _chebyshev_product(i, j)
            if g == "1":
                terms = base
            elif g == "1+x":
                terms = base + _times_x(base)
            elif g == "1-x":
                terms = base + [(k, -c) for k, c in _times_x(base)]
            else:
                terms = base + [(k, -c) for k, c in _times_x(_times_x(base))]
            row.append(terms)
        rows.append(row)
    return rows


def _block_matrices(D: int) -> list[list[np.ndarray]]:
    """For each PSD block, the constant matrices A_k with block = sum_k tau_k A_k."""
    out = []
    for g in (["1", "1-x^2"] if D % 2 == 0 else ["1+x", "1-x"]):
        entries = _block_entries(D, g)
        if not entries:
            continue
        size = len(entries)
        A = [np.zeros((size, size)) for _ in range(D + 1)]
        for i in range(size):
            for j in range(size):
                for k, c in entries[i][j]:
                    A[k][i, j] += c
        out.append([(Ak + Ak.T) / 2 for Ak in A])
    return out


def _psd_blocks(tau, D: int, cp) -> list:
    return [sum(tau[k] * Ak for k, Ak in enumerate(As) if np.any(Ak)) for As in
            _block_matrices(D)]


def _violation(t: np.ndarray, D: int) -> float:
    """Most negative eigenvalue of the PSD blocks at the Chebyshev moments t (0 if none)."""
    worst = 0.0
    for As in _block_matrices(D):
        M = sum(t[k] * Ak for k, Ak in enumerate(As))
        worst = max(worst, -float(np.linalg.eigvalsh(M).min()))
    return worst


def stability_bound(atoms: object, *, order: int, tolerance: float) -> float:
    r"""The analytic bound of R11 on :math:`|m_q(\mu) - m_q(\hat\mu)|`.

    With :math:`p(x) = \prod_i (x - \hat a_i)^2` and :math:`x^q = s_q(x) p(x) + r_q(x)`
    (:math:`\deg r_q < 2\hat d`), every non-negative :math:`\mu` on [-1, 1] whose moments
    :math:`0..2\hat d` are within :math:`\varepsilon` of those of
    :math:`\hat\mu = \sum_i \hat w_i \delta_{\hat a_i}` satisfies
    :math:`|m_q(\mu) - m_q(\hat\mu)| \le \varepsilon(\|r_q\|_1 + \sup_{[-1,1]}|s_q|\,\|p\|_1)`
    (``eq-stability-bound``; :math:`\|\cdot\|_1` is the sum of absolute coefficients). The
    supremum is computed at the endpoints and the certified real critical points of
    :math:`s_q`; the result is rounded up.

    Examples
    --------
    >>> stability_bound([1], order=2, tolerance=0.0)
    0.0
    """
    import flint

    from ..precision import flint_precision

    raw = parse_moments(atoms, name="atoms")
    if not raw.is_real:
        raise InputError("stability_bound needs real atoms")
    pts = list(raw.real)
    if any(abs(float(to_fraction(x))) > 1 for x in pts):
        raise InputError("the atoms must lie in [-1, 1] (the bound is for measures on [-1, 1])")
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        raise InputError(f"order={order!r} must be a non-negative integer")
    if not (isinstance(tolerance, (int, float)) and tolerance >= 0):
        raise InputError(f"tolerance={tolerance!r} must be >= 0")
    p = flint.fmpq_poly([1])
    for x in pts:
        p *= flint.fmpq_poly([-x, 1]) ** 2
    xq = flint.fmpq_poly([0] * order + [1])
    s, r = divmod(xq, p)
    norm1 = lambda poly: sum(abs(to_fraction(poly[k])) for k in range(poly.degree() + 1))  # noqa: E731
    with flint_precision(256):
        best = max(abs(flint.arb(s(flint.fmpq(1)))).upper(), abs(flint.arb(s(flint.fmpq(-1))))
                   .upper())
        if s.degree() >= 2:
            for z, _ in s.derivative().complex_roots():
                if z.imag.is_zero() and bool(abs(z.real) <= 1):
                    val = abs(flint.arb_poly(s)(z.real)).upper()
                    best = max(best, val)
        sup_s = float(best) if s.degree() >= 0 else 0.0
    bound = float(tolerance) * (float(norm1(r)) + sup_s * float(norm1(p)))
    return math.nextafter(bound, math.inf) if bound > 0 else 0.0
