"""The extrapolation certificates (``moments._certificate``) as properties, against exact and
high-precision truths: the proved minimum of a polynomial on an interval is below the true
minimum and within 1e-40 of it; an end bound holds for every measure in the box (weak duality,
checked on measures whose moments are perturbed inside it) and is the stated formula; a
checked measure is feasible over Q with the value it states; a Farkas certificate is never
"proved" for a feasible box, and is for an infeasible one."""

from __future__ import annotations

from fractions import Fraction

import flint
import mpmath
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.moments._certificate import (
    _candidates,
    certify_end,
    certify_infeasible,
    checked_measure,
    min_on_interval,
)

FAST = settings(max_examples=20, derandomize=True, deadline=None)
coef = st.builds(Fraction, st.integers(-20, 20), st.integers(1, 9))
ends = st.tuples(st.sampled_from([Fraction(-1), Fraction(-1, 3), Fraction(0), Fraction(1, 7)]),
                 st.sampled_from([Fraction(2, 5), Fraction(1), Fraction(39, 10)]))


def _true_min(c: list[Fraction], a: Fraction, b: Fraction):
    ctx = mpmath.mp.clone()
    ctx.prec = 400
    poly = [ctx.mpf(v.numerator) / v.denominator for v in c]  # ascending

    def f(x):
        return ctx.fsum(p * x**k for k, p in enumerate(poly))

    xs = [ctx.mpf(a.numerator) / a.denominator, ctx.mpf(b.numerator) / b.denominator]
    d = [k * p for k, p in enumerate(poly)][1:]
    while d and d[-1] == 0:
        d.pop()
    if len(d) > 1:
        for z in ctx.polyroots(list(reversed(d)), maxsteps=200, extraprec=400):
            z = ctx.mpc(z)
            if abs(z.imag) < ctx.mpf(10) ** -60 and xs[0] <= z.real <= xs[1]:
                xs.append(z.real)
    return min(f(x) for x in xs), ctx


@FAST
@given(st.lists(coef, min_size=1, max_size=6), ends)
def test_the_proved_minimum_is_below_the_true_one_and_close(c, ab):
    a, b = ab
    f = flint.fmpq_poly([flint.fmpq(v.numerator, v.denominator) for v in c])
    bound, points = min_on_interval(f, a, b)
    truth, ctx = _true_min(c, a, b)
    assert bound <= Fraction(ctx.nstr(truth, 120, strip_zeros=False)) + Fraction(1, 10**100)
    assert ctx.mpf(bound.numerator) / bound.denominator >= truth - ctx.mpf(10) ** -40
    assert (a, f(flint.fmpq(a.numerator, a.denominator))) and points[0][0] == a
    assert points[1][0] == b
    for p, v in points:
        assert a <= p <= b
        fv = f(flint.fmpq(p.numerator, p.denominator))
        assert v == Fraction(int(fv.p), int(fv.q))


measures = st.lists(st.tuples(st.sampled_from([Fraction(0), Fraction(1, 3), Fraction(2, 5),
                                               Fraction(9, 10), Fraction(1)]),
                              st.sampled_from([Fraction(1, 3), Fraction(1, 2), Fraction(2)])),
                    min_size=1, max_size=3, unique_by=lambda t: t[0])


@FAST
@given(measures, st.lists(coef, min_size=3, max_size=3), st.integers(3, 4),
       st.sampled_from([Fraction(0), Fraction(1, 1000), Fraction(1, 7)]), st.booleans())
def test_an_end_bound_holds_for_every_measure_in_the_box(mu, lam, q, e, upper):
    a, b = Fraction(0), Fraction(1)
    moments = [sum(w * x**j for x, w in mu) for j in range(3)]
    eps = [e] * 3
    cert = certify_end(lam, moments, eps, q, a, b, upper)
    # the stated formula, delta from the true minimum of +-(P - x^q)
    sign = 1 if upper else -1
    c = [sign * v for v in lam] + [Fraction(0)] * (q + 1 - len(lam))
    c[q] -= sign
    low, _ = min_on_interval(flint.fmpq_poly([flint.fmpq(v.numerator, v.denominator)
                                              for v in c]), a, b)
    assert cert.delta == max(-low, 0) and cert.multipliers == tuple(lam)
    value = sum(v * m for v, m in zip(lam, moments))
    spread = sum(abs(v) * x for v, x in zip(lam, eps)) + cert.delta * (moments[0] + eps[0])
    assert cert.bound == value + sign * spread
    # weak duality: the measure itself and measures moved inside the box
    for scale in (Fraction(1), Fraction(1) + e / 4, Fraction(1) - e / 4):
        mq = sum(scale * w * x**q for x, w in mu)
        inside = all(abs(sum(scale * w * x**j for x, w in mu) - moments[j]) <= eps[j]
                     for j in range(3))
        if inside:
            assert (mq <= cert.bound) if upper else (mq >= cert.bound)


@settings(max_examples=10, derandomize=True, deadline=None)
@given(measures, st.integers(3, 4), st.sampled_from([Fraction(1, 100), Fraction(1, 7)]),
       st.booleans())
def test_a_checked_measure_is_feasible_over_q(mu, q, e, upper):
    a, b = Fraction(0), Fraction(1)
    moments = [sum(w * x**j for x, w in mu) for j in range(3)]
    eps = [e] * 3
    got, why = checked_measure([x for x, _ in mu], moments, eps, q, a, b, upper)
    assert got is not None, why
    m = got.measure
    assert all(a <= x <= b for x in m.atoms) and all(w >= 0 for w in m.weights)
    for j in range(3):
        mj = sum(Fraction(w) * Fraction(x) ** j for x, w in zip(m.atoms, m.weights))
        assert abs(mj - moments[j]) <= eps[j]
    assert got.value == sum(Fraction(w) * Fraction(x) ** q for x, w in zip(m.atoms, m.weights))


@FAST
@given(measures, st.lists(coef, min_size=1, max_size=4),
       st.sampled_from([Fraction(0), Fraction(1, 1000)]))
def test_a_farkas_certificate_is_never_proved_for_a_feasible_box(mu, lam, e):
    a, b = Fraction(0), Fraction(1)
    moments = [sum(w * x**j for x, w in mu) for j in range(4)]
    cert = certify_infeasible(lam, moments, [e] * 4, a, b)
    assert not cert.proved and cert.margin >= 0
    assert cert.multipliers == tuple(lam)


def test_an_infeasible_box_is_proved_with_the_stated_margin():
    # m_0 = -1 +- 1/10: no non-negative measure; P = 1 gives margin -1 + 1/10
    cert = certify_infeasible([1], [Fraction(-1), Fraction(0)], [Fraction(1, 10), 0],
                              Fraction(0), Fraction(1))
    assert cert.proved and cert.margin == Fraction(-9, 10) and cert.delta == 0
    # m_0 = 1, m_1 = 2 on [0, 1]: m_1 <= m_0; P = 1 - x >= 0 on [0, 1]
    cert = certify_infeasible([1, -1], [Fraction(1), Fraction(2)], [0, Fraction(1, 3)],
                              Fraction(0), Fraction(1))
    assert cert.proved and cert.margin == Fraction(1) - 2 + Fraction(1, 3)
    # P = x - 1/2 is negative on [0, 1/2): delta = 1/2 is added
    cert = certify_infeasible([Fraction(-1, 2), 1], [Fraction(1), Fraction(1, 4)], [0, 0],
                              Fraction(0), Fraction(1))
    assert cert.delta == Fraction(1, 2) and cert.margin == Fraction(-1, 2) + Fraction(1, 4) + \
        Fraction(1, 2) and not cert.proved


def test_candidates_are_sorted_inside_and_keep_the_touching_points():
    a, b = Fraction(-1, 3), Fraction(2)
    pts = _candidates([Fraction(1, 7), Fraction(2), 0.25], a, b, 3)
    assert pts == sorted(set(pts)) and pts[0] == a and pts[-1] == b
    assert Fraction(1, 7) in pts and Fraction(1, 4) in pts
    width = b - a
    for h in (Fraction(1, 10**3), Fraction(1, 10**5), Fraction(1, 10**7)):
        assert Fraction(1, 7) - h * width in pts and Fraction(1, 7) + h * width in pts
        assert 2 + h * width not in pts  # outside [a, b]
    assert len([p for p in pts if p not in (a, b)]) >= 2 * 3 + 4 - 1  # the Chebyshev grid
