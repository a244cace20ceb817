"""Exact recovery: rational atoms exactly, algebraic atoms as sympy radicals (quadratic and
biquadratic factors) or
:class:`~momentrnn.moments.algebraic.AlgebraicNumber` (root isolation in python-flint).

The Prony polynomial p is computed over Q and factored. A root alpha of an irreducible factor f
has weight N(alpha)/p'(alpha) (:eq:`eq-lagrange-weights`); that rational function of alpha is
reduced modulo f to a polynomial R of degree < deg f, so every weight is R(alpha) exactly.
"""

from __future__ import annotations

from fractions import Fraction

from flint import fmpq, fmpq_poly

from .._limits import MAX_EXACT_FACTOR_WORK
from ..errors import InputError, PrecisionMismatchError, RankError
from ._arith import RATIONALS, prony_coefficients
from ._ball import recurrence
from ._data import MomentData, require_exact, to_fraction
from .algebraic import AlgebraicField, AlgebraicNumber, radicand_written

__all__ = ["exact_recover", "exact_prony_polynomial"]

RADICAL_DEGREE = 4


def exact_prony_polynomial(
    data: MomentData, n: int, method: str = "prony", basis: str = "monomial"
):
    """The monic Prony polynomial over Q and the N polynomial of the weights.

    ``data`` are written in ``basis``. The Gauss rule takes the polynomial from the (modified)
    Chebyshev algorithm on the data as written, which decides positivity; the other methods
    solve the Prony system of the power moments. N is always built from the power moments
    (:eq:`eq-lagrange-weights`). Raises ``RankError`` unless the measure with the roots of p as
    atoms and weights N/p' reproduces every given moment exactly (a proof over Q).
    """
    require_exact(data)
    if not data.is_real:
        raise PrecisionMismatchError(
            "Exact() recovery supports real moments; for complex moments use Ball(dps), whose "
            "enclosures are certified for exact data"
        )
    from .methods import as_monomial

    m = list(as_monomial(data, basis).real)
    if method == "gauss":
        alpha, beta = recurrence(RATIONALS, data.real, n, basis)
        pi_prev, pi = fmpq_poly([0]), fmpq_poly([1])
        for k in range(n):
            pi_prev, pi = pi, fmpq_poly([-alpha[k], 1]) * pi - beta[k] * pi_prev
        coeffs = [pi[k] for k in range(n)]
    else:
        coeffs, _ = prony_coefficients(RATIONALS, m, n)
    c = list(coeffs) + [fmpq(1)]
    p = fmpq_poly(c)
    N = fmpq_poly([sum((c[j + e + 1] * m[j] for j in range(n - e)), fmpq(0)) for e in range(n)])
    bad = _first_unreproduced(p, N, m)
    how = (f"of the first {2 * n} moments" if method == "gauss" else
           "of the least-squares solution of the Prony system")
    if bad is not None:
        raise RankError(
            f"the {data.count} exact moments are not those of a measure with {n} atoms (the "
            f"{n}-atom measure {how} does not reproduce moment {bad}, so the overdetermined "
            "system has no exact solution); pass rank=None to detect the rank, or give only "
            "2*rank moments"
        )
    return p, N


def _first_unreproduced(p, N, m: list) -> int | None:
    r"""The first j with :math:`\sum_i N(x_i) x_i^j / p'(x_i) \ne m_j` over the roots x_i of the
    squarefree p (``None`` if all match), for the power moments m.

    By partial fractions :math:`\sum_i f(x_i)/p'(x_i)` is the coefficient of
    :math:`x^{n-1}` in ``f mod p``, so the moments of the measure are exact rationals whatever
    field its atoms lie in.
    """
    n = p.degree()
    x = fmpq_poly([0, 1])
    r = N % p
    for j, target in enumerate(m):
        if r[n - 1] != target:
            return j
        r = (r * x) % p
    return None


def _sympy_rational(q: fmpq):
    import sympy

    return sympy.Rational(int(q.p), int(q.q))


def _poly_expr(poly: fmpq_poly, x):
    return sum(_sympy_rational(poly[k]) * x**k for k in range(poly.degree() + 1))


def exact_recover(data: MomentData, n: int, method: str = "prony", basis: str = "monomial"):
    """Atoms and weights exactly, the atoms of one result of one type: Fractions when every
    atom is rational; sympy radicals when every atom is irrational and comes from a quadratic
    or biquadratic factor; otherwise (a rational atom beside irrational ones, or a factor
    that radicals do not write) every atom an
    :class:`~momentrnn.moments.algebraic.AlgebraicNumber` (a rational one the root of a
    degree-1 polynomial; one of degree 2 prints in square roots). Weights follow the same
    rule among themselves: Fractions when all are rational, AlgebraicNumbers (rational ones
    as constants of their atom's field) when one of them is an AlgebraicNumber."""
    import sympy

    p, N = exact_prony_polynomial(data, n, method, basis)
    dp = p.derivative()
    _, factors = p.factor()
    atoms: list = []
    weights: list = []
    x = sympy.Symbol("x")
    # one factor that sympy radicals do not write makes every atom an AlgebraicNumber, and
    # so do rational atoms beside irrational ones (a Fraction beside a radical would give the
    # atoms of one result two types)
    degrees = {f.degree() for f, _ in factors}
    flint_held = (any(f.degree() > 1 and not _has_radicals(f / f[f.degree()])
                      for f, _ in factors)
                  or (1 in degrees and max(degrees) > 1))
    _check_factor_work(factors)
    for f, mult in factors:
        if mult != 1:
            raise InputError(
                f"the Prony polynomial has the repeated factor {f}: the data are not the moments "
                f"of {n} distinct atoms; try a smaller rank"
            )
        f = f / f[f.degree()]
        # R = N * (p')^{-1} mod f, computed with the extended Euclidean algorithm.
        g, s, _ = (dp % f).xgcd(f)
        if g.degree() != 0:
            raise InputError("internal: p' shares a factor with p")  # pragma: no cover
        R = (N * s * (1 / g[0])) % f
        if f.degree() == 1 and not flint_held:
            root = -f[0] / f[1]
            atoms.append(to_fraction(root))
            weights.append(to_fraction(R(root) if R.degree() >= 0 else fmpq(0)))
            continue
        if flint_held or not _has_radicals(f):
            # cubics, quartics that are not biquadratic and everything of higher degree: held as
            # isolated roots in python-flint (sympy's CRootOf refines its roots far too slowly)
            field = AlgebraicField(f)
            for k in range(field.degree):
                atoms.append(AlgebraicNumber(field, k))
                # a weight polynomial of degree <= 0 is a rational number: keep it one
                weights.append(AlgebraicNumber(field, k, R) if R.degree() > 0 else
                               to_fraction(R[0] if R.degree() == 0 else fmpq(0)))
            continue
        fx = _poly_expr(f, x)
        roots = _algebraic_roots(fx, x, f.degree())
        R_expr = _poly_expr(R, x)
        for r in roots:
            atoms.append(r)
            w = R_expr.subs(x, r)
            if not isinstance(r, sympy.CRootOf):
                w = sympy.radsimp(sympy.expand(w))
            weights.append(w)
    if any(isinstance(w, AlgebraicNumber) for w in weights):
        weights = [w if isinstance(w, AlgebraicNumber) else
                   AlgebraicNumber(a.field, a.index, fmpq_poly([fmpq(w.numerator,
                                                                    w.denominator)]))
                   for a, w in zip(atoms, weights)]
    keys = [_sort_key(a) for a in atoms]
    order = sorted(range(len(atoms)), key=keys.__getitem__)
    return [atoms[i] for i in order], [weights[i] for i in order]


def _check_factor_work(factors) -> None:
    """Refuse, before the weights are reduced, a factorization whose irreducible factors of
    degree >= 2 pass :data:`~momentrnn._limits.MAX_EXACT_FACTOR_WORK`."""
    work, worst = 0, (0, 0)
    for f, _ in factors:
        d = f.degree()
        if d < 2:
            continue
        bits = max(max(int(f[k].p).bit_length(), int(f[k].q).bit_length())
                   for k in range(d + 1))
        work += d**3 * (bits + 2000) ** 2
        worst = max(worst, (d, bits))
    if work > MAX_EXACT_FACTOR_WORK:
        raise InputError(
            f"exact recovery would reduce irreducible factors of the Prony polynomial up to "
            f"degree {worst[0]} with {worst[1]}-bit coefficients: {work:.3g} units of work "
            f"(degree**3 (bits + 2000)**2), more than the {MAX_EXACT_FACTOR_WORK} allowed "
            "(about 12 s); use precision=Ball(dps) or digits= (momentrnn recover --digits) for "
            "certified digits of the atoms, or fewer or shorter moments")


def _has_radicals(f) -> bool:
    """Whether the atoms of the monic factor ``f`` are given as sympy radicals: degree 2 and
    biquadratic quartics (nested square roots) whose radicands sympy can reduce
    (:data:`~momentrnn.moments.algebraic.MAX_RADICAND_BITS`)."""
    d = f.degree()
    if d == 2:  # a radicand too long for sympy to take its square part out: held in flint
        return radicand_written(f[1], f[0])
    return (d == 4 and d <= RADICAL_DEGREE and f[1] == 0 and f[3] == 0
            and radicand_written(f[2], f[0]) and radicand_written(0, -f[2]))


def _sort_key(atom) -> tuple[float, float]:
    if isinstance(atom, Fraction):
        return float(atom), 0.0
    if isinstance(atom, AlgebraicNumber):
        z = complex(atom)
        return z.real, z.imag
    import sympy

    z = complex(sympy.N(atom, 30))
    return z.real, z.imag


def _algebraic_roots(fx, x, degree: int) -> list:
    import sympy

    if degree <= RADICAL_DEGREE:
        poly = sympy.Poly(fx, x)
        coeffs = poly.all_coeffs()
        biquadratic = degree == 4 and coeffs[1] == 0 and coeffs[3] == 0
        if degree == 2 or biquadratic:
            found = sympy.roots(poly, x)
            if sum(found.values()) == degree:
                return list(found)
    return [sympy.CRootOf(fx, i) for i in range(degree)]
