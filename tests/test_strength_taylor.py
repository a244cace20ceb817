"""The Taylor coefficients of the gradient flow (``prove._taylor``) as a property: exactly (over
Q) those of the Picard iteration of the same right-hand side written independently with
truncated power series, for every order up to 5, 1 to 3 units and 1 to 4 lags, non-dyadic and
negative data; and with balls, enclosures of the exact ones."""

from __future__ import annotations

from fractions import Fraction

import flint
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.precision import flint_precision
from momentrnn.prove._taylor import taylor_coefficients
from momentrnn.prove.validated import ball_bounds

frac = st.builds(Fraction, st.integers(-9, 9), st.integers(1, 7))


def _mul(x, y, p):
    out = [Fraction(0)] * (p + 1)
    for i, xi in enumerate(x[:p + 1]):
        if xi:
            for j, yj in enumerate(y[:p + 1 - i]):
                out[i + j] += xi * yj
    return out


def _add(x, y):
    return [u + v for u, v in zip(x, y)]


def _scale(c, x):
    return [c * u for u in x]


def _picard(a0, b0, c0, target, rho, p):
    """z(t) = z0 + int_0^t f(z): p + 1 iterations fix the coefficients up to t^p."""
    d, k = len(a0), len(target)
    const = [Fraction(1)] + [Fraction(0)] * p

    def series(v):
        return [Fraction(v)] + [Fraction(0)] * p

    A, B, C = [series(v) for v in a0], [series(v) for v in b0], [series(v) for v in c0]
    for _ in range(p + 1):
        pw = [[const] for _ in range(d)]
        for i in range(d):
            for _j in range(1, k):
                pw[i].append(_mul(pw[i][-1], A[i], p))
        W = [_mul(B[i], C[i], p) for i in range(d)]
        U = []
        for j in range(k):
            r = _scale(-Fraction(target[j]), const)
            for i in range(d):
                r = _add(r, _mul(W[i], pw[i][j], p))
            U.append(_scale(2 * Fraction(rho[j]), r))
        new = []
        for i in range(d):
            S = [Fraction(0)] * (p + 1)
            D = [Fraction(0)] * (p + 1)
            for j in range(k):
                S = _add(S, _mul(pw[i][j], U[j], p))
                if j:
                    D = _add(D, _scale(j, _mul(pw[i][j - 1], U[j], p)))
            new.append((_scale(-1, _mul(W[i], D, p)), _scale(-1, _mul(C[i], S, p)),
                        _scale(-1, _mul(B[i], S, p))))

        def integrate(z0, f):
            return [Fraction(z0)] + [f[n] / (n + 1) for n in range(p)]

        A = [integrate(a0[i], new[i][0]) for i in range(d)]
        B = [integrate(b0[i], new[i][1]) for i in range(d)]
        C = [integrate(c0[i], new[i][2]) for i in range(d)]
    return A, B, C


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 5), st.data())
def test_coefficients_are_those_of_the_picard_iteration(d, k, order, data):
    a0 = data.draw(st.lists(frac, min_size=d, max_size=d))
    b0 = data.draw(st.lists(frac, min_size=d, max_size=d))
    c0 = data.draw(st.lists(frac, min_size=d, max_size=d))
    target = data.draw(st.lists(frac, min_size=k, max_size=k))
    rho = data.draw(st.lists(frac.filter(lambda v: v > 0), min_size=k, max_size=k))
    A, B, C = taylor_coefficients(a0, b0, c0, target, rho, order, Fraction(0), Fraction(1))
    want = _picard(a0, b0, c0, target, rho, order)
    assert (A, B, C) == want
    assert all(len(s) == order + 1 for s in A + B + C)


def test_ball_coefficients_enclose_the_exact_ones():
    a0, b0, c0 = [Fraction(39, 100), Fraction(-1, 3)], [Fraction(1, 2), Fraction(1, 7)], \
        [Fraction(2, 5), Fraction(-3, 10)]
    target, rho = [Fraction(2), Fraction(2, 5), Fraction(1, 3)], [Fraction(1), Fraction(3),
                                                                Fraction(1, 3)]
    exact = taylor_coefficients(a0, b0, c0, target, rho, 4, Fraction(0), Fraction(1))

    def ball(v):
        return flint.arb(flint.fmpq(v.numerator, v.denominator))

    with flint_precision(80):
        balls = taylor_coefficients([ball(v) for v in a0], [ball(v) for v in b0],
                                    [ball(v) for v in c0], [ball(v) for v in target],
                                    [ball(v) for v in rho], 4, flint.arb(0), flint.arb(1))
    for es, bs in zip(sum(exact, []), sum(balls, [])):
        for e, b in zip(es, bs):
            lo, hi = ball_bounds(b)
            assert lo <= e <= hi and hi - lo < Fraction(1, 10**15)
