"""Prony, the pencil, the weight fit and the Hankel matrix are written once, over arithmetic
objects; each arithmetic must recover a non-dyadic rational measure, and a new arithmetic
needs no change anywhere else."""

from __future__ import annotations

import cmath
from fractions import Fraction as F

import flint
import mpmath
import numpy as np
import pytest

from momentrnn import MP, Ball, Exact, Float64, hankel_matrix
from momentrnn.errors import InputError, RankError
from momentrnn.moments import _arith
from momentrnn.moments._arith import (
    FLOAT,
    RATIONALS,
    Arithmetic,
    MPArith,
    NeedPrecision,
    hankel,
    pencil,
    prony,
    prony_coefficients,
    vandermonde_fit,
)
from momentrnn.moments._ball import Balls, RationalBalls
from momentrnn.moments._data import parse_moments
from momentrnn.precision import flint_precision

ATOMS = [F(1, 3), F(-2, 7), F(5, 11)]
WEIGHTS = [F(2, 9), F(-3, 13), F(4, 17)]  # one negative weight: a signed measure


def _moments(count: int) -> list[F]:
    return [sum(w * x**j for x, w in zip(ATOMS, WEIGHTS)) for j in range(count)]


def _sorted_pairs(atoms, weights, key):
    return sorted(zip(atoms, weights), key=lambda p: key(p[0]))


def _check_close(atoms, weights, tol: float, to_complex) -> None:
    pairs = _sorted_pairs([to_complex(a) for a in atoms], [to_complex(w) for w in weights],
                          key=lambda z: z.real)
    truth = sorted(zip(ATOMS, WEIGHTS))
    assert len(pairs) == len(truth)
    for (a, w), (x, v) in zip(pairs, truth):
        assert abs(a - float(x)) < tol, (a, x)
        assert abs(w - float(v)) < tol, (w, v)


def _check_enclosed(atoms, weights, max_radius: float) -> None:
    """Every true atom and weight lies in the returned balls, which are narrow."""
    truth = sorted(zip(ATOMS, WEIGHTS))
    pairs = _sorted_pairs(atoms, weights, key=lambda z: float(flint.acb(z).real.mid()))
    with flint_precision(1000):  # the exact values as (nearly) exact balls
        for (a, w), (x, v) in zip(pairs, truth):
            for ball, exact in ((a, x), (w, v)):
                b = flint.acb(ball)
                q = flint.fmpq(exact.numerator, exact.denominator)
                assert b.real.contains(q) and b.imag.contains(0), (ball, exact)
                assert float(b.real.rad()) < max_radius


@pytest.mark.parametrize("algorithm", [prony, pencil])
@pytest.mark.parametrize("count", [6, 8])
def test_float_recovers_rational_measure(algorithm, count):
    m = np.array([float(v) for v in _moments(count)])
    atoms, weights, _ = algorithm(FLOAT, m, 3)
    assert isinstance(atoms, np.ndarray) and isinstance(weights, np.ndarray)
    _check_close(atoms, weights, 1e-9, complex)


@pytest.mark.parametrize("algorithm", [prony, pencil])
@pytest.mark.parametrize("count", [6, 8])
def test_mpmath_recovers_rational_measure(algorithm, count):
    ar = MPArith(MP(40).context())
    m = ar.values(parse_moments(_moments(count)))
    atoms, weights, _ = algorithm(ar, m, 3)
    _check_close(atoms, weights, 1e-30, lambda z: complex(z))
    # every value is of the call's context, at its precision
    assert all(getattr(v, "context", ar.ctx) is ar.ctx for v in atoms)


@pytest.mark.parametrize("algorithm", [prony, pencil])
@pytest.mark.parametrize("count", [6, 8])
@pytest.mark.parametrize("kind", ["balls", "rational balls"])
def test_balls_enclose_the_rational_measure(algorithm, count, kind):
    data = parse_moments(_moments(count))
    ar = Balls(200, real_problem=True) if kind == "balls" else RationalBalls(200)
    atoms, weights, consistent = algorithm(ar, ar.values(data), 3)
    _check_enclosed(atoms, weights, 1e-40)
    # exact linear algebra proves the overdetermined Prony system consistent; balls cannot
    expected = count == 6 or (kind == "rational balls" and algorithm is prony)
    assert consistent == expected


def test_ball_precision_is_restored():
    saved = flint.ctx.prec
    ar = Balls(300, real_problem=True)
    prony(ar, ar.values(parse_moments(_moments(6))), 3)
    assert flint.ctx.prec == saved


def test_rationals_give_the_exact_prony_polynomial():
    for count in (6, 8, 10):
        coeffs, consistent = prony_coefficients(RATIONALS, RATIONALS.values(
            parse_moments(_moments(count))), 3)
        expected = flint.fmpq_poly([1])
        for x in ATOMS:
            expected *= flint.fmpq_poly([-flint.fmpq(x.numerator, x.denominator), 1])
        assert coeffs == [expected[k] for k in range(3)]
        assert consistent


def test_exact_inconsistency_is_detected():
    m = _moments(8)
    m[7] += F(1, 10**30)  # no 3-atom measure has these moments
    _, consistent = prony_coefficients(RATIONALS, RATIONALS.values(parse_moments(m)), 3)
    assert not consistent


def test_singular_systems_raise_the_arithmetic_s_error():
    point = [F(1, 3) ** j for j in range(6)]  # one atom: the 3x3 Hankel matrix is singular
    with pytest.raises(RankError, match="singular"):
        prony_coefficients(RATIONALS, RATIONALS.values(parse_moments(point)), 3)
    ar = Balls(100, real_problem=True)
    with pytest.raises(NeedPrecision):  # a failed ball solve proves nothing: more precision
        with ar.working():
            prony_coefficients(ar, ar.values(parse_moments(point)), 3)


def test_vandermonde_fit_residual_in_each_arithmetic():
    m = _moments(7)
    qa = [flint.fmpq(x.numerator, x.denominator) for x in ATOMS]
    w, res = vandermonde_fit(RATIONALS, RATIONALS.values(parse_moments(m)), qa, residual=True)
    assert [F(int(v.p), int(v.q)) for v in w] == WEIGHTS
    assert all(r == 0 for r in res)
    ar = Balls(128, real=True)
    with ar.working():
        bw, bres = vandermonde_fit(ar, ar.values(parse_moments(m)),
                                   [ar.convert(x) for x in qa], residual=True)
    assert all(ar.may_be_zero(r) for r in bres)
    with flint_precision(1000):
        assert all(b.contains(flint.fmpq(v.numerator, v.denominator))
                   for b, v in zip(bw, WEIGHTS))


@pytest.mark.parametrize("precision", [Exact(), MP(30), Ball(30), Float64()])
def test_hankel_matrix_entries_agree(precision):
    m = _moments(7)
    H = hankel_matrix(m, 3, 4, shift=1, precision=precision)
    for i in range(3):
        for j in range(4):
            exact = m[i + j + 1]
            value = H[i, j]
            if isinstance(value, flint.arb):
                with flint_precision(1000):
                    assert value.contains(flint.fmpq(exact.numerator, exact.denominator))
            elif isinstance(value, flint.fmpq):
                assert value == flint.fmpq(exact.numerator, exact.denominator)
            else:
                assert abs(float(value) - float(exact)) <= 1e-15 * abs(float(exact))


def test_each_precision_object_makes_its_own_arithmetic():
    assert not hasattr(_arith, "arithmetic")  # no type-keyed factory
    assert Float64().arithmetic() is FLOAT and Float64().arithmetic(real=False) is FLOAT
    assert Exact().arithmetic() is RATIONALS and Exact().arithmetic(real=False) is _arith.SYMBOLIC
    first, second = MP(37).arithmetic(), MP(37).arithmetic()
    assert isinstance(first, MPArith) and first.ctx.dps == 37
    assert first.ctx is not second.ctx and first.ctx is not mpmath.mp  # a context per call
    for real in (True, False):
        ball = Ball(41).arithmetic(real=real)
        assert isinstance(ball, Balls) and ball.bits == Ball(41).bits and ball.real is real


def test_arithmetic_of_unknown_precision_is_refused():
    with pytest.raises(InputError, match="is not a precision object"):
        hankel_matrix([1, 2, 3], precision="double")


# ----------------------------------------------------------------------------------------
# a new arithmetic: Python complex numbers and lists, defined here only


class ToyComplex(Arithmetic):
    """Python ``complex`` numbers; matrices are lists of rows; Gaussian elimination; roots by
    the Weierstrass (Durand-Kerner) iteration; eigenvalues as roots of the characteristic
    polynomial (Faddeev-LeVerrier)."""

    name = "toy complex arithmetic"

    def convert(self, value):
        return complex(float(F(int(value.p), int(value.q)))) if isinstance(
            value, flint.fmpq) else complex(value)

    def matrix(self, rows):
        return [list(r) for r in rows]

    def entries(self, column):
        return [row[0] for row in column]

    def solve(self, A, B):
        if len(A) > len(A[0]):  # normal equations
            At = [[A[i][j].conjugate() for i in range(len(A))] for j in range(len(A[0]))]
            A, B = _mul(At, A), _mul(At, B)
        n = len(A)
        M = [A[i][:] + B[i][:] for i in range(n)]
        for k in range(n):
            p = max(range(k, n), key=lambda i: abs(M[i][k]))
            if abs(M[p][k]) == 0:
                raise _arith.SingularSystem
            M[k], M[p] = M[p], M[k]
            for i in range(n):
                if i != k:
                    f = M[i][k] / M[k][k]
                    M[i] = [a - f * b for a, b in zip(M[i], M[k])]
        return [[v / M[i][i] for v in M[i][n:]] for i in range(n)]

    def monic_roots(self, coeffs):
        n = len(coeffs)
        def p(z):
            return sum(c * z**k for k, c in enumerate(coeffs)) + z**n
        z = [(0.4 + 0.9j) ** k for k in range(n)]
        for _ in range(500):
            z = [zi - p(zi) / _prod(zi - zj for j, zj in enumerate(z) if j != i)
                 for i, zi in enumerate(z)]
        return z

    def eigenvalues(self, A):
        n = len(A)
        Mk, c = [[0j] * n for _ in range(n)], [1 + 0j]
        for k in range(1, n + 1):
            AM = _mul(A, Mk)
            Mk = [[AM[i][j] + (c[-1] if i == j else 0) for j in range(n)] for i in range(n)]
            c.append(-sum(_mul(A, Mk)[i][i] for i in range(n)) / k)
        return self.monic_roots(c[::-1][:-1])


def _mul(A, B):
    return [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))]
            for i in range(len(A))]


def _prod(values):
    out = 1 + 0j
    for v in values:
        out *= v
    return out


@pytest.mark.parametrize("algorithm", [prony, pencil])
@pytest.mark.parametrize("count", [6, 8])
def test_a_new_arithmetic_needs_no_other_change(algorithm, count):
    ar = ToyComplex()
    m = [ar.convert(v) for v in RATIONALS.values(parse_moments(_moments(count)))]
    atoms, weights, _ = algorithm(ar, m, 3)
    _check_close(atoms, weights, 1e-8, complex)
    H = hankel(ar, m, 2, 3, shift=1)
    assert H == [[m[1], m[2], m[3]], [m[2], m[3], m[4]]]


def test_toy_arithmetic_complex_atoms():
    atoms = [cmath.exp(0.7j) / 2, cmath.exp(-0.7j) / 2, -0.3 + 0j]
    weights = [0.5 + 0.25j, 0.5 - 0.25j, 1.5 + 0j]
    m = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(6)]
    for algorithm in (prony, pencil):
        got, w, _ = algorithm(ToyComplex(), m, 3)
        for x, v in zip(atoms, weights):
            i = min(range(3), key=lambda k: abs(got[k] - x))
            assert abs(got[i] - x) < 1e-9 and abs(w[i] - v) < 1e-9


def test_no_global_mpmath_state_in_mp_arithmetic():
    saved = mpmath.mp.prec
    try:
        mpmath.mp.prec = 10
        ar = MPArith(MP(40).context())
        atoms, weights, _ = prony(ar, ar.values(parse_moments(_moments(8))), 3)
        _check_close(atoms, weights, 1e-30, lambda z: complex(z))
    finally:
        mpmath.mp.prec = saved


def test_recurrence_once_over_every_arithmetic():
    """The modified Chebyshev algorithm in rationals, doubles, mpmath and balls agrees with
    the exact recurrence of a positive rational 3-atom measure."""
    from momentrnn.moments._ball import recurrence

    weights = [abs(w) for w in WEIGHTS]
    m = [sum(w * x**j for x, w in zip(ATOMS, weights)) for j in range(6)]
    data = parse_moments(m)
    alpha, beta = recurrence(RATIONALS, RATIONALS.values(data), 3, "monomial")
    exact = [F(int(v.p), int(v.q)) for v in alpha + beta]
    assert exact[3] == sum(weights)  # beta_0 = m_0
    fa, fb = recurrence(FLOAT, [float(v) for v in m], 3, "monomial")
    assert all(abs(u - float(v)) < 1e-12 for u, v in zip(fa + fb, exact))
    ar = MPArith(MP(40).context())
    ma, mb = recurrence(ar, ar.values(data), 3, "monomial")
    assert all(abs(u - ar.ctx.mpf(v.numerator) / v.denominator) < 1e-35
               for u, v in zip(ma + mb, exact))
    balls = Balls(200, real=True)
    with balls.working():
        ba, bb = recurrence(balls, balls.values(data), 3, "monomial")
    with flint_precision(1000):
        assert all(u.contains(flint.fmpq(v.numerator, v.denominator))
                   for u, v in zip(ba + bb, exact))


@pytest.mark.parametrize("algorithm", [prony, pencil])
def test_complex_non_dyadic_atoms_in_every_arithmetic(algorithm):
    """Complex rational atoms (no conjugate pairs, so complex moments): doubles and mpmath come
    close, balls enclose the exact atoms and weights."""
    atoms = [(F(1, 3), F(2, 7)), (F(-2, 7), F(1, 9)), (F(5, 11), F(-3, 13))]
    weights = [(F(2, 9), F(1, 5)), (F(3, 13), F(0)), (F(4, 17), F(-1, 3))]

    def c(p):
        return complex(float(p[0]), float(p[1]))

    def q(p):  # exact complex as a pair of Fractions: (a + bi)(c + di)
        return p

    def mul(x, y):
        return (x[0] * y[0] - x[1] * y[1], x[0] * y[1] + x[1] * y[0])

    m, powers = [], [(F(1), F(0))] * 3
    for _ in range(8):
        terms = [mul(w, p) for w, p in zip(weights, powers)]
        m.append((sum(t[0] for t in terms), sum(t[1] for t in terms)))
        powers = [mul(p, q(x)) for p, x in zip(powers, atoms)]
    data = parse_moments([f"{re}+{im}j".replace("+-", "-") for re, im in m])
    truth = sorted(zip([c(x) for x in atoms], [c(w) for w in weights]), key=lambda t: t[0].real)

    got, w, _ = algorithm(FLOAT, data.as_numpy(), 3)
    pairs = sorted(zip(got, w), key=lambda t: t[0].real)
    assert all(abs(a - x) < 1e-9 and abs(b - v) < 1e-9 for (a, b), (x, v) in zip(pairs, truth))

    ar = MPArith(MP(40).context())
    got, w, _ = algorithm(ar, ar.values(data), 3)
    pairs = sorted(zip(got, w), key=lambda t: float(t[0].real))
    assert all(abs(a - x) < 1e-12 and abs(b - v) < 1e-12 for (a, b), (x, v) in zip(pairs, truth))

    balls = Balls(200)
    got, w, _ = algorithm(balls, balls.values(data), 3)
    pairs = sorted(zip(got, w), key=lambda t: float(t[0].real.mid()))
    exact = sorted(zip(atoms, weights), key=lambda t: t[0][0])
    with flint_precision(1000):
        for (a, b), (x, v) in zip(pairs, exact):
            for ball, val in ((a, x), (b, v)):
                z = flint.acb(flint.fmpq(val[0].numerator, val[0].denominator),
                              flint.fmpq(val[1].numerator, val[1].denominator))
                assert flint.acb(ball).contains(z), (ball, val)
                assert float(abs(ball.rad())) < 1e-40


def test_double_precision_pencil_finds_complex_atoms_not_their_conjugates():
    """The default method in doubles (the SVD pencil) on complex moments: the atoms, not their
    complex conjugates, confirmed by the certified computation."""
    from momentrnn import recover_measure

    atoms = [complex(1 / 3, 2 / 7), complex(-2 / 7, 1 / 9), complex(5 / 11, -3 / 13)]
    weights = [complex(2 / 9, 1 / 5), complex(3 / 13, 0), complex(4 / 17, -1 / 3)]
    m = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(8)]
    r = recover_measure(m, rank=3, precision=Float64())
    assert r.status == "ok" and r.digits >= 12
    got = sorted(zip(*r.measure.to_numpy()), key=lambda t: t[0].real)
    for (a, w), (x, v) in zip(got, sorted(zip(atoms, weights), key=lambda t: t[0].real)):
        assert abs(a - x) < 1e-12 and abs(w - v) < 1e-12
