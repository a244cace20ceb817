"""Certified recovery in ball arithmetic (python-flint).

The moments are exact rationals (see ``_data``). For real data the Hankel systems are solved
exactly over Q, so the Prony polynomial, the pencil matrix and the three-term recurrence are
exact, and only root finding and weight evaluation happen in ball arithmetic: every returned
ball provably contains the atom or weight of the measure whose moments are the given rationals.
Complex data go through ``acb_mat`` solves, which are certified too.

For rounded data, :func:`krawczyk_enclosure` then proves boxes that contain the atoms and
weights of every measure whose moments lie within the data's radii: "accurate for the measure
the data were rounded from", proved, with no linearisation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flint import acb, acb_mat, acb_poly, arb, arb_mat, arb_poly, fmpq, fmpq_poly

from ..errors import InputError, NotPositiveError, RankError
from ..precision import flint_precision
from ._arith import (
    RATIONALS,
    Arithmetic,
    NeedPrecision,
    Rationals,
    SingularSystem,
    hankel,
    pencil,
    prony,
)
from ._arith import prony_coefficients as _prony_coefficients
from ._data import MomentData
from ._scalars import to_ball

__all__ = [
    "BallSolution",
    "NeedPrecision",
    "ball_prony",
    "ball_pencil",
    "ball_gauss",
    "Balls",
    "RationalBalls",
    "recurrence",
    "chebyshev_algorithm",
    "raise_if_not_positive",
    "relative_digits",
    "component_digits",
    "inconsistency_witness",
    "InconsistencyWitness",
    "krawczyk_enclosure",
]


@dataclass
class BallSolution:
    atoms: list
    weights: list
    real: bool
    bits: int
    consistent: bool


def _ball_is_real(z: acb) -> bool:
    return z.imag.is_zero()


# ----------------------------------------------------------------------------------------
# Prony polynomial


def _refine_roots(poly: acb_poly, roots: list[acb], iterations: int = 80) -> list[acb]:
    """Interval Newton steps N(X) = m - p(m)/p'(X), intersected with X (each X isolates a root)."""
    dpoly = poly.derivative()
    out = []
    for X in roots:
        for _ in range(iterations):
            mid = acb(X.mid())
            d = dpoly(X)
            if d.contains(0):
                break
            Y = mid - poly(mid) / d
            if not (X.real.overlaps(Y.real) and X.imag.overlaps(Y.imag)):
                break
            Z = acb(X.real.intersection(Y.real), X.imag.intersection(Y.imag))
            if Z.rad() > 0.5 * X.rad():
                X = Z
                break
            X = Z
        out.append(X)
    return out


def _roots_of_ball_poly(poly: acb_poly) -> list[acb]:
    try:
        roots = poly.roots()
    except ValueError:
        raise NeedPrecision("roots of the Prony polynomial not isolated") from None
    return _refine_roots(poly, roots)


def _check_simple(roots_with_mult: list) -> list[acb]:
    roots = []
    for r, mult in roots_with_mult:
        if mult != 1:
            raise InputError(
                f"the Prony polynomial has a root of multiplicity {mult} near {r.mid()}: the data "
                "are not the moments of a measure with distinct atoms at this rank (coincident "
                "atoms); try a smaller rank"
            )
        roots.append(r)
    return roots


def _lagrange_weights(coeffs: list, m: list, atoms: list, exact: bool) -> list:
    r"""w_i = N(x_i) / p'(x_i) with N(x) = sum_e x^e sum_j c_{j+e+1} m_j.

    (:eq:`eq-lagrange-weights`)

    This is w_i = \int \ell_i d\mu for the Lagrange basis polynomial of node x_i; it uses the
    moments m_0..m_{n-1} only and needs no Vandermonde solve. With ``exact`` the coefficients
    and moments are rationals and N, p' are exact.
    """
    n = len(coeffs)
    c = list(coeffs) + [1]
    if exact:
        N = [sum((c[j + e + 1] * m[j] for j in range(n - e)), fmpq(0)) for e in range(n)]
        P = fmpq_poly(c)
        if all(_ball_is_real(x) for x in atoms):
            Nb, dPb = arb_poly(fmpq_poly(N)), arb_poly(P.derivative())
            return [Nb(x.real) / dPb(x.real) if _ball_is_real(x) else None for x in atoms]
        Nb, dPb = acb_poly(fmpq_poly(N)), acb_poly(P.derivative())
        return [Nb(x) / dPb(x) for x in atoms]
    N = [sum((c[j + e + 1] * m[j] for j in range(n - e)), acb(0)) for e in range(n)]
    Nb, dPb = acb_poly(N), acb_poly(c).derivative()
    return [Nb(x) / dPb(x) for x in atoms]


def _finish(data: MomentData, atoms: list, weights: list, bits: int, consistent: bool):
    real = data.is_real and all(_ball_is_real(a) for a in atoms)
    if real:
        atoms = [a.real for a in atoms]
        weights = [w.real if isinstance(w, acb) else w for w in weights]
    else:
        weights = [acb(w) for w in weights]
    return BallSolution(atoms, weights, real, bits, consistent)


class Balls(Arithmetic):
    """python-flint balls at ``bits``: ``acb`` (``arb`` where ``real``), exact midpoints and
    radii rounded outwards by flint, so every result encloses the exact one.

    ``real_problem``: the data are real, so roots and eigenvalues come in conjugate pairs and
    an isolated enclosure that meets the real line holds a real one.
    """

    exact = False
    realization_form = None  # a realisation in balls is not offered

    def __init__(self, bits: int, *, real: bool = False, real_problem: bool = False) -> None:
        self.bits = bits
        self.real = real
        self.real_problem = real_problem or real
        self._box = arb if real else acb
        self._mat = arb_mat if real else acb_mat

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"ball arithmetic at {self.bits} bits"

    def working(self):
        return _prec(self.bits)

    def convert(self, value):
        """A ball enclosing the value (real values stay ``arb``; ``acb`` mixes with them)."""
        if isinstance(value, (fmpq, int)):
            x = arb(value)
        else:
            x = value if isinstance(value, (arb, acb)) else to_ball(value)
        return arb(x) if self.real else x

    @property
    def zero(self):
        return self._box(0)

    @property
    def one(self):
        return self._box(1)

    def sum(self, terms):
        return sum(terms[1:], terms[0]) if len(terms) else self.zero

    def may_be_zero(self, value) -> bool:
        return bool(value.contains(0))

    def values(self, data: MomentData, with_radius: bool = False) -> list:
        with self.working():
            return [self._box(v) for v in data.as_ball(with_radius)]

    def guarded(self):
        return Balls(self.bits + 20, real=self.real, real_problem=self.real_problem)

    def rounded(self, values):
        with self.working():
            return [+v for v in values]

    def det(self, A):
        with self.working():
            return A.det()

    def matrix(self, rows):
        return self._mat(len(rows), len(rows[0]), [v for row in rows for v in row])

    def gather(self, values, index):
        return self._mat(len(index), len(index[0]), [values[k] for row in index for k in row])

    def solve(self, A, B):
        if A.nrows() > A.ncols():
            Ah = A.transpose() if self.real else A.conjugate().transpose()
            A, B = Ah * A, Ah * B
        try:
            return A.solve(B)
        except ZeroDivisionError:
            raise SingularSystem from None

    def singular(self, error, message):
        # a ball solve that fails proves nothing: the precision is raised
        return NeedPrecision(message)

    def positive(self, value):
        if value > 0:
            return True
        return False if value <= 0 else None  # a ball holding 0 decides nothing

    def undecided(self, message):
        return NeedPrecision(message)

    def _conjugate_pairs(self, roots: list) -> list:
        return _real_where_isolated(roots) if self.real_problem else roots

    def monic_roots(self, coeffs):
        return self._conjugate_pairs(_roots_of_ball_poly(acb_poly(list(coeffs) + [acb(1)])))

    def eigenvalues(self, A):
        try:
            eigs = A.eig()
        except ValueError:
            raise NeedPrecision("eigenvalues not isolated") from None
        return self._conjugate_pairs(eigs)

    def interpolation_weights(self, m, atoms, coeffs):
        if coeffs is None:
            poly = acb_poly.from_roots(atoms)
            coeffs = [poly[k] for k in range(len(atoms))]
        return _lagrange_weights(coeffs, m, atoms, exact=False)


class RationalBalls(Rationals):
    """Exact real data: the Hankel systems are solved exactly over Q, and only root finding,
    eigenvalues and weights are ball arithmetic at ``bits`` (in :class:`Balls`)."""

    def __init__(self, bits: int) -> None:
        self.bits = bits
        self.balls = Balls(bits, real_problem=True)

    def working(self):
        return _prec(self.bits)

    def atom_arithmetic(self) -> Arithmetic:
        return self.balls

    def monic_roots(self, coeffs):
        return _check_simple(fmpq_poly(list(coeffs) + [1]).complex_roots())

    def eigenvalues(self, A):
        return self.balls.eigenvalues(acb_mat(arb_mat(A)))

    def interpolation_weights(self, m, atoms, coeffs):
        if coeffs is None:  # the pencil: the polynomial of the enclosed eigenvalues
            return self.balls.interpolation_weights([self.balls.convert(v) for v in m],
                                                   atoms, None)
        weights = _lagrange_weights(coeffs, m, atoms, exact=True)
        if all(w is not None for w in weights):
            return weights
        balls = [self.balls.convert(v) for v in m]
        return [w if w is not None else _lagrange_weights(coeffs, balls, [a], False)[0]
                for w, a in zip(weights, atoms)]


def _ball_arithmetic(data: MomentData, bits: int) -> Arithmetic:
    """Exact real data: linear algebra over Q; otherwise complex balls."""
    if data.is_real and data.is_exact:
        return RationalBalls(bits)
    return Balls(bits, real_problem=data.is_real)


def ball_prony(data: MomentData, n: int, bits: int) -> BallSolution:
    """Prony: kernel of the Hankel matrix, certified polynomial roots, Lagrange weights."""
    ar = _ball_arithmetic(data, bits)
    atoms, weights, consistent = prony(ar, ar.values(data), n)
    with _prec(bits):
        return _finish(data, atoms, weights, bits, consistent)


def ball_pencil(data: MomentData, n: int, bits: int) -> BallSolution:
    """Matrix pencil: certified eigenvalues of H0^{-1} H1, then Lagrange weights."""
    ar = _ball_arithmetic(data, bits)
    atoms, weights, square = pencil(ar, ar.values(data), n)
    with _prec(bits):
        return _finish(data, atoms, weights, bits, square)


def _real_where_isolated(roots: list[acb]) -> list:
    """Make real the enclosures that provably hold a real root of a real polynomial/matrix.

    The roots of a real problem come in conjugate pairs. If an enclosure holds exactly one root
    (the enclosures are disjoint and there are as many as roots) and its mirror image meets no
    other enclosure, the conjugate of that root lies in it too, so the root is real.
    """
    out = []
    for i, e in enumerate(roots):
        if e.imag.contains(0) and not any(
                f.overlaps(e.conjugate()) for k, f in enumerate(roots) if k != i):
            out.append(acb(e.real))
        else:
            out.append(e)
    return out


# ----------------------------------------------------------------------------------------
# Gauss rules


def chebyshev_algorithm(ar: Arithmetic, values: list, n: int, a: list, b: list):
    r"""Modified Chebyshev algorithm (Gautschi): recurrence coefficients from modified moments.

    ``values`` are the modified moments :math:`\nu_l = \int p_l \, d\mu` of monic polynomials
    with recurrence :math:`p_{l+1} = (x - a_l) p_l - b_l p_{l-1}`; ``a = b = 0`` gives the
    classical Chebyshev algorithm on power moments. Returns alpha_0..alpha_{n-1},
    beta_0..beta_{n-1} (beta_0 = nu_0), in the arithmetic ``ar``.

    A beta that is proved not positive (exact arithmetic, or a ball below zero) raises
    ``NotPositiveError``; one whose sign ``ar`` cannot decide raises ``ar.undecided(...)``
    (:class:`SignUndecided` in rounded arithmetic, :class:`NeedPrecision` in balls).
    Complex arithmetic checks no sign.
    """
    if len(values) < 2 * n:
        raise RankError(f"a {n}-point Gauss rule needs {2 * n} moments, got {len(values)}")
    zero = ar.zero
    sig_prev = [zero] * (2 * n + 1)
    sig = list(values[: 2 * n])
    beta = [sig[0]]
    _check_beta(ar, beta[0], 0)  # before dividing by it
    alpha = [a[0] + _divide(sig[1], sig[0], 0)]
    for k in range(1, n):
        new = [zero] * (2 * n)
        for l in range(k, 2 * n - k):
            new[l] = (
                sig[l + 1]
                - (alpha[k - 1] - a[l]) * sig[l]
                - beta[k - 1] * sig_prev[l]
                + b[l] * sig[l - 1]
            )
        beta.append(_divide(new[k], sig[k - 1], k))
        _check_beta(ar, beta[k], k)
        alpha.append(a[k] + _divide(new[k + 1], new[k], k) - _divide(sig[k], sig[k - 1], k))
        sig_prev, sig = sig, new
    return alpha, beta


def _divide(x, y, k: int):
    try:
        return x / y
    except ZeroDivisionError:
        raise RankError(
            f"the Hankel matrix H_{k + 1} is singular: the moments have fewer than {k + 1} atoms; "
            "pass a smaller rank (or rank=None)"
        ) from None


def _check_beta(ar: Arithmetic, value, k: int) -> None:
    try:
        positive = ar.positive(value)
    except TypeError:  # complex arithmetic: positivity is not defined
        return
    if positive is None:
        raise ar.undecided(
            f"beta_{k} = {value} computed in {ar.name} is not positive, but rounding alone can "
            f"make it so: whether the Hankel matrix H_{k + 1} is positive definite is not "
            "decided"
        )
    if not positive:
        raise NotPositiveError(
            f"the Hankel matrix H_{k + 1} is not positive definite (beta_{k} = {value} <= 0): "
            "a Gauss rule needs the moments of a positive measure; use method='prony' or "
            "'pencil' for signed or complex measures (from power moments, or exact Chebyshev "
            "moments: rounded Chebyshev moments of a signed measure are used by no method, as "
            "their change to power moments is ill-conditioned)"
        )


def basis_recurrence(basis: str, count: int, one, zero):
    """Recurrence coefficients (a_l, b_l) of the monic basis of the modified moments."""
    if basis == "monomial":
        return [zero] * (count + 1), [zero] * (count + 1)
    if basis == "chebyshev":
        # Monic Chebyshev T: p_0 = 1, p_1 = x, p_2 = x^2 - 1/2, then b_l = 1/4.
        b = [zero, one / 2] + [one / 4] * (count - 1)
        return [zero] * (count + 1), b
    raise InputError(f"basis={basis!r} is not known; use 'monomial' or 'chebyshev'")


def monic_modified_moments(values: list, basis: str, one):
    """Modified moments of the monic basis from moments of the basis the user wrote them in.

    For ``basis='chebyshev'`` the input is nu_l = int T_l dmu and p_l = T_l / 2^{l-1} (l >= 1).
    """
    if basis == "monomial":
        return list(values)
    return [values[0]] + [v / (one * 2 ** (l - 1)) for l, v in enumerate(values) if l > 0]


def recurrence(ar: Arithmetic, values: list, n: int, basis: str) -> tuple[list, list]:
    """alpha_0..alpha_{n-1}, beta_0..beta_{n-1} of the monic orthogonal polynomials, from
    moments written in ``basis``, in the arithmetic ``ar`` (the modified Chebyshev
    algorithm)."""
    one, zero = ar.one, ar.zero
    nu = monic_modified_moments(list(values), basis, one)
    a, b = basis_recurrence(basis, 2 * n, one, zero)
    return chebyshev_algorithm(ar, nu, n, a, b)


def raise_if_not_positive(data: MomentData, n: int, basis: str, bits: int = 128) -> bool:
    """Raise ``NotPositiveError`` when it is proved that no moment sequence within the data's
    radii (exactly the data, if exact) has a positive definite ``H_n``.

    Returns ``True`` when ``H_n`` is proved positive definite for all of them, ``False`` when
    neither is proved (balls of ``bits`` cannot decide a sign at the data's accuracy). Exact
    data are decided by the recurrence over Q; rounded data by the recurrence in balls that
    hold every value within each moment's radius.
    """
    if data.is_exact:
        recurrence(RATIONALS, RATIONALS.values(data), n, basis)
        return True
    ar = Balls(bits, real=True)
    with ar.working():
        try:
            recurrence(ar, ar.values(data, with_radius=True), n, basis)
        except (NeedPrecision, RankError):
            return False
    return True


def ball_gauss(data: MomentData, n: int, bits: int, basis: str = "monomial") -> BallSolution:
    r"""Gauss rule: exact recurrence over Q, certified nodes, Christoffel weights.

    Nodes are the roots of the n-th monic orthogonal polynomial; weights are
    :math:`w_i = 1 / \sum_{k<n} \pi_k(x_i)^2 / (\beta_0 \cdots \beta_k)` (:eq:`eq-christoffel`).
    """
    if not data.is_real:
        raise NotPositiveError("a Gauss rule needs real moments of a positive measure")
    alpha, beta = recurrence(RATIONALS, RATIONALS.values(data), n, basis)
    with _prec(bits):
        pi_prev, pi = fmpq_poly([0]), fmpq_poly([1])
        for k in range(n):
            pi_prev, pi = pi, fmpq_poly([-alpha[k], 1]) * pi - beta[k] * pi_prev
        nodes = [r.real for r in _check_simple(pi.complex_roots())]
        if not all(isinstance(x, arb) for x in nodes):
            raise NeedPrecision("nodes not separated")
        alpha_b = [arb(x) for x in alpha]
        beta_b = [arb(x) for x in beta]
        weights = []
        for x in nodes:
            p_prev, p, norm, total = arb(0), arb(1), arb(1), arb(0)
            for k in range(n):
                norm = norm * beta_b[k]
                total += p * p / norm
                p_prev, p = p, (x - alpha_b[k]) * p - beta_b[k] * p_prev
            weights.append(1 / total)
        return BallSolution(nodes, weights, True, bits, data.count == 2 * n)


# ----------------------------------------------------------------------------------------
# Rounded data: one enclosure for every sequence within the radii (Krawczyk)


def _basis_values(x, count: int, basis: str):
    """[p_0(x), ..., p_{count-1}(x)] and their derivatives, p_j = x^j or T_j(x)."""
    one, zero = x * 0 + 1, x * 0
    vals, ders = [one], [zero]
    if basis == "monomial":
        for j in range(1, count):
            vals.append(vals[-1] * x)
            ders.append(j * vals[-2])
        return vals, ders
    vals.append(x)
    ders.append(one)
    for _ in range(2, count):
        vals.append(2 * x * vals[-1] - vals[-2])
        ders.append(2 * vals[-2] + 2 * x * ders[-1] - ders[-2])
    return vals[:count], ders[:count]


def _chebyshev_box_values(x, count: int):
    """T_j and T_j' over a real ball x inside [-1, 1], in mean-value form.

    The three-term recurrence evaluated on an interval doubles its width at every step (the
    dependency problem); instead, with |T_j'| <= j^2 and |T_j''| <= j^2 (j^2 - 1) / 3 on
    [-1, 1] (Markov), T_j(x) lies within j^2 r of T_j(mid x) and T_j'(x) within
    j^2 (j^2 - 1) r / 3 of T_j'(mid x).
    """
    r = arb(x.rad())
    vals, ders = _basis_values(arb(x.mid()), count, "chebyshev")
    out_v, out_d = [], []
    for j in range(count):
        out_v.append(vals[j] + arb(0) if j == 0 else vals[j] + (j * j * r) * arb(0, 1))
        out_d.append(ders[j] + (j * j * (j * j - 1) * r / 3) * arb(0, 1))
    return out_v, out_d


def _moment_map(atoms, weights, count, basis):
    """F(x, w)_j = sum_i w_i p_j(x_i) and its Jacobian (rows j, columns x_1..x_n, w_1..w_n)."""
    n = len(atoms)
    F = [atoms[0] * 0] * count
    J = [[None] * (2 * n) for _ in range(count)]
    for i, (x, w) in enumerate(zip(atoms, weights)):
        if (basis == "chebyshev" and isinstance(x, arb) and x.rad() > 0
                and bool(x.lower() >= -1) and bool(x.upper() <= 1)):
            vals, ders = _chebyshev_box_values(x, count)
        else:
            vals, ders = _basis_values(x, count, basis)
        for j in range(count):
            F[j] = F[j] + w * vals[j]
            J[j][i] = w * ders[j]
            J[j][n + i] = vals[j]
    return F, J


def krawczyk_enclosure(data: MomentData, sol: BallSolution, basis: str, bits: int,
                       tries: int = 8) -> BallSolution | None:
    r"""Enclose the n-atom measure of *every* moment sequence within the data's radii.

    With :math:`F(z)_j = \sum_i w_i p_j(x_i)` (``p_j`` the basis of the moments),
    :math:`\tilde z` the solution for the midpoints, :math:`Y \approx J(\tilde z)^{-1}`, a box
    :math:`Z \ni \tilde z` and the data box :math:`M`, the Krawczyk operator
    :math:`K = \tilde z - Y (F(\tilde z) - M) + (I - Y J(Z))(Z - \tilde z)` lying inside
    :math:`Z` proves that for every :math:`m \in M` the equations :math:`F(z) = m` have exactly
    one solution in :math:`Z`, and that it lies in :math:`K`. Returns ``None`` when no box is
    verified (the data's radius is too large for the atoms to be told apart).

    :math:`Z` starts at twice the first-order size of each component, :math:`|Y (F(\tilde z)
    - M)|`, and only the components whose :math:`K` does not fit are inflated (to 1.5 times
    the hull), so a component that the data barely move keeps a box of its own size.
    """
    n = len(sol.atoms)
    count = 2 * n
    real = sol.real and data.is_real
    with _prec(bits):
        box = arb if real else acb
        mat = arb_mat if real else acb_mat

        def mid(v):
            return box(v.mid())

        zt = [mid(a) for a in sol.atoms] + [mid(w) for w in sol.weights]
        M = data.as_ball(with_radius=True)[:count]
        M = [box(v) if real else acb(v) for v in M]
        Fz, Jz = _moment_map(zt[:n], zt[n:], count, basis)
        Jmid = mat(count, count, [Jz[j][k] for j in range(count) for k in range(count)])
        try:
            Y = Jmid.inv()
        except ZeroDivisionError:
            return None
        Y = mat(count, count, [mid(Y[i, k]) for i in range(count) for k in range(count)])
        residual = mat(count, 1, [Fz[j] - M[j] for j in range(count)])
        step = Y * residual
        # first guess: twice the first-order size, plus the midpoint residual
        radius = [2 * _mag_upper(step[i, 0]) + 2.0 ** (-bits) * (1 + _mag_upper(zt[i]))
                  for i in range(count)]
        for _ in range(tries):
            Z = [_widen_by(zt[i], radius[i], real) for i in range(count)]
            _, JZ = _moment_map(Z[:n], Z[n:], count, basis)
            JZm = mat(count, count, [JZ[j][k] for j in range(count) for k in range(count)])
            E = mat(count, count, [(1 if i == k else 0) for i in range(count)
                                   for k in range(count)]) - Y * JZm
            dZ = mat(count, 1, [Z[i] - zt[i] for i in range(count)])
            Kv = E * dZ
            K = [zt[i] - step[i, 0] + Kv[i, 0] for i in range(count)]
            inside = [_strictly_inside(K[i], Z[i], real) for i in range(count)]
            if all(inside):
                atoms, weights = K[:n], K[n:]
                return BallSolution(atoms, weights, real, bits, sol.consistent)
            # epsilon-inflation, per component: a component whose K fits keeps its box; one
            # that does not grows to the hull of K and Z, and a little more. Growing every
            # component alike would let a component that the data's radii barely move (an
            # atom fixed by symmetry, first-order radius 1e-323) never catch up with the
            # second-order terms that the others feed into it.
            radius = [radius[i] if inside[i] else
                      1.5 * max(radius[i], _distance_upper(K[i], zt[i]))
                      for i in range(count)]
            if not all(math.isfinite(r) for r in radius):
                return None
    return None


def _mag_upper(v) -> float:
    if isinstance(v, arb):
        return float(abs(v).upper())
    return float(abs(v).upper())


def _distance_upper(a, b) -> float:
    return _mag_upper(a - b)


def _widen_by(center, r: float, real: bool):
    pad = arb(0, r)
    if real:
        return center + pad
    return acb(center.real + pad, center.imag + pad)


def _strictly_inside(k, z, real: bool) -> bool:
    if real:
        return bool(k.lower() > z.lower()) and bool(k.upper() < z.upper())
    return (_strictly_inside(k.real, z.real, True)
            and _strictly_inside(k.imag, z.imag, True))


# ----------------------------------------------------------------------------------------
# Error accounting


def _error_ball(v):
    """The radius of a ball as an exact ``arb`` (no exponent limits)."""
    if isinstance(v, arb):
        return arb(v.rad())
    return arb(v.real.rad()) + arb(v.imag.rad())


def _magnitude_ball(v):
    if isinstance(v, arb):
        return abs(arb(v.mid()))
    return abs(acb(v.mid()))


def _magnitude_lower(v, err):
    """A lower bound (an exact ``arb``, possibly <= 0) on the magnitude of every value in the
    ball ``v``: ``|mid| - err`` with ``err`` its radius from :func:`_error_ball`.

    Digits relative to the returned value would over-state the accuracy of a true value
    smaller than it; relative to this bound they hold for every value in the ball.
    """
    return arb((_magnitude_ball(v) - err).lower())


def _digits(err, scale) -> float:
    """A lower bound on ``-log10(err / scale)`` for arb ``err`` and ``scale`` (64 bits).

    The float returned is rounded down from the ball's lower end, so flooring it can never
    round a digit up.
    """
    if err == 0:
        return math.inf
    if not err.is_finite():
        return 0.0
    if scale == 0:
        scale = arb(1)
    d = -(err / scale).log() / arb(10).log()
    low = d.lower()
    if not low.is_finite():
        return 0.0
    return max(math.nextafter(float(low), -math.inf), 0.0)


def component_digits(values: list) -> list[float]:
    """Correct decimal digits of each ball relative to the smallest magnitude a value in it
    can have (``inf`` if exact, 0 when the ball holds 0 or a value of either sign)."""
    out = []
    with _prec(64):
        for v in values:
            err = _error_ball(v)
            if err == 0:
                out.append(math.inf)
                continue
            low = _magnitude_lower(v, err)
            if not bool(low > 0):
                out.append(0.0)
            else:
                out.append(_digits(err, low))
    return out


def relative_digits(values: list) -> float:
    """Correct decimal digits of a list of balls, relative to the largest magnitude.

    ``digits = -log10(max_i rad_i / max_i (|mid_i| - rad_i))``: relative to a lower bound of
    the largest magnitude of the values in the balls, so the digits hold whichever values the
    balls hold; 0 when that bound is not positive; ``inf`` for exact balls; the error is
    absolute when every midpoint is zero. Computed in ball arithmetic, so neither tiny nor
    huge values lose the bound to the double range.
    """
    if not values:
        return math.inf
    with _prec(64):
        errs = [_error_ball(v) for v in values]
        err = errs[0]
        for e in errs[1:]:
            err = e if bool(e.upper() > err.upper()) else err
        if all(_magnitude_ball(v) == 0 for v in values):
            return _digits(arb(err.upper()), arb(0))
        lows = [_magnitude_lower(v, e) for v, e in zip(values, errs)]
        scale = lows[0]
        for m in lows[1:]:
            scale = m if bool(m > scale) else scale
        if err == 0:
            return math.inf
        if not bool(scale > 0):
            return 0.0
        return _digits(arb(err.upper()), scale)


@dataclass(frozen=True)
class InconsistencyWitness:
    r"""A proof that no measure with at most ``rank`` atoms has moments within the data radii.

    For such a measure every ``(rank+1) x (rank+1)`` Hankel block :math:`[m_{s+i+k}]` is
    singular (it factors through ``rank`` atoms), and its moments satisfy the order-``rank``
    recurrence of :math:`\prod_i (x - x_i)`. Either the block at ``shift`` has a determinant
    enclosure ``det`` that excludes 0 for *every* sequence within the radii, or (exact data,
    ``shift`` None) the overdetermined Prony system has no exact rational solution.
    """

    rank: int
    shift: int | None
    det: object
    exact: bool

    def message(self) -> str:
        n = self.rank
        if self.shift is None:
            return (
                f"no measure with at most {n} atoms has these exact moments: the moments of "
                f"every such measure satisfy a recurrence of order {n}, and the overdetermined "
                f"Prony system of these moments has no exact solution; pass a larger rank"
            )
        s, last = self.shift, self.shift + 2 * n
        accuracy = ("the moments are exact" if self.exact else
                    "each moment within its radius: half an ulp for a float, the stated "
                    "data_digits=/data_error= otherwise")
        return (
            f"no measure with at most {n} atoms has moments within the data's accuracy "
            f"({accuracy}): the {n + 1}x{n + 1} Hankel block of m_{s}..m_{last} is non-singular "
            f"for every such sequence (its determinant lies in {_interval_text(self.det)}), "
            f"while every measure with {n} atoms makes it singular; pass a larger rank, or "
            "data_digits=/data_error= if the moments are less accurate than that"
        )


def _interval_text(det) -> str:
    if isinstance(det, fmpq):
        return f"{{{det}}}"
    if isinstance(det, arb):
        return f"[{det.lower().str(5, radius=False)}, {det.upper().str(5, radius=False)}]"
    mag = abs(det)
    return f"a disc with |det| >= {mag.lower().str(5, radius=False)}"


def _spread_shifts(count: int, cap: int) -> list[int]:
    if count <= cap:
        return list(range(count))
    picks = {round(i * (count - 1) / (cap - 1)) for i in range(cap)}
    return sorted(picks)


def inconsistency_witness(data: MomentData, n: int, bits: int,
                          max_blocks: int = 64) -> InconsistencyWitness | None:
    """Look for a proof that the data cannot be the moments of a measure with at most n atoms.

    Tries the blocks that the data fill completely (all shifts ``0..count-2n-1``, or
    ``max_blocks`` of them spread over that range including both ends); for exact real data
    the exact consistency of the Prony system decides. ``None`` means no proof was found,
    not that the data fit.
    """
    size = n + 1
    shifts = _spread_shifts(data.count - 2 * n, max_blocks)
    if not shifts:
        return None
    with _prec(bits):
        if data.is_exact and data.is_real:
            for s in shifts:
                det = hankel(RATIONALS, data.real, size, size, shift=s).det()
                if det != 0:
                    return InconsistencyWitness(n, s, det, True)
            try:
                _, consistent = _prony_coefficients(RATIONALS, list(data.real), n)
            except RankError:
                return None
            return None if consistent else InconsistencyWitness(n, None, None, True)
        ar = Balls(bits, real=data.imag is None)
        vals = ar.values(data, with_radius=True)
        for s in shifts:
            det = hankel(ar, vals, size, size, shift=s).det()
            if not det.contains(0):
                return InconsistencyWitness(n, s, det, data.is_exact)
    return None


def _prec(bits: int):
    return flint_precision(bits)
