"""Hypothesis round trips measure -> moments -> measure, and honesty of the vouched digits."""

import math
import random
from fractions import Fraction

import mpmath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentrnn import MP, DiscreteMeasure, Exact, Float64, recover_measure

rationals = st.fractions(min_value=-1, max_value=1, max_denominator=64)
weights_pos = st.fractions(min_value=Fraction(1, 64), max_value=4, max_denominator=64)
weights_any = weights_pos.flatmap(lambda w: st.sampled_from([w, -w]))


def _measure(atoms, weights):
    return DiscreteMeasure(atoms, weights[: len(atoms)])


@st.composite
def measures(draw, signed=False, max_atoms=6):
    atoms = draw(st.lists(rationals, min_size=1, max_size=max_atoms, unique=True))
    atoms = sorted(atoms)
    w = draw(st.lists(weights_any if signed else weights_pos, min_size=len(atoms),
                      max_size=len(atoms)))
    return DiscreteMeasure(atoms, w)


def _errors(measure, recovered):
    ctx = mpmath.MPContext()
    ctx.dps = 100
    ta = [ctx.mpf(a.numerator) / a.denominator for a in measure.atoms]
    tw = [ctx.mpf(w.numerator) / w.denominator for w in measure.weights]
    ga = [ctx.mpmathify(a) for a in recovered.sorted().atoms]
    gw = [ctx.mpmathify(w) for w in recovered.sorted().weights]
    ea = max(abs(g - t) for g, t in zip(ga, ta)) / max(abs(t) for t in ta) if any(ta) else max(
        abs(g) for g in ga)
    ew = max(abs(g - t) for g, t in zip(gw, tw)) / max(abs(t) for t in tw)
    return ea, ew


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(measures(signed=True))
def test_exact_round_trip(mu):
    m = mu.moments(2 * mu.size, precision=Exact())
    r = recover_measure(m, precision=Exact())
    assert r.measure.sorted().atoms == mu.atoms
    assert r.measure.sorted().weights == mu.weights


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(measures(signed=True))
def test_certified_round_trip_vouches_honestly(mu):
    m = mu.moments(2 * mu.size, precision=Exact())
    r = recover_measure(m, digits=25)
    assert r.ok and r.rank == mu.size and r.digits >= 25
    ea, ew = _errors(mu, r.measure)
    true = min(math.inf if ea == 0 else -float(mpmath.log10(ea)),
               math.inf if ew == 0 else -float(mpmath.log10(ew)))
    assert r.digits <= true


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(measures(signed=False, max_atoms=4), st.sampled_from(["prony", "pencil", "gauss"]))
def test_float_and_mp_round_trips(mu, method):
    m = mu.moments(2 * mu.size, precision=Exact())
    for precision in (Float64(), MP(30)):
        r = recover_measure(m, method=method, precision=precision, throw=False)
        ea, ew = _errors(mu, r.measure)
        worst = max(ea, ew)
        if worst > 0:
            assert r.digits <= -float(mpmath.log10(worst))


@pytest.mark.parametrize("case", ["one atom", "atom at 0", "atoms at +-1", "close atoms"])
def test_pinned_edge_cases(case):
    measures = {
        "one atom": DiscreteMeasure([Fraction(1, 3)], [2]),
        "atom at 0": DiscreteMeasure([0, Fraction(1, 2)], [1, 1]),
        "atoms at +-1": DiscreteMeasure([-1, 1], [Fraction(1, 2), Fraction(1, 2)]),
        "close atoms": DiscreteMeasure([Fraction(1, 2), Fraction(1, 2) + Fraction(1, 10**6)],
                                       [1, 1]),
    }
    mu = measures[case]
    m = mu.moments(2 * mu.size, precision=Exact())
    assert recover_measure(m, precision=Exact()).measure.sorted() == mu
    r = recover_measure(m, digits=20)
    ea, ew = _errors(mu, r.measure)
    assert r.ok and max(ea, ew) < 1e-20


def test_honesty_over_random_recoveries():
    """A few hundred random recoveries in every arithmetic: vouched digits never exceed true."""
    rng = random.Random(1)
    checked = 0
    for trial in range(240):
        n = rng.randint(1, 7)
        atoms = sorted({Fraction(rng.randint(-500, 500), 500) for _ in range(n)})
        weights = [Fraction(rng.randint(1, 50), 10) * rng.choice([1, -1]) for _ in atoms]
        mu = DiscreteMeasure(atoms, weights)
        exact = mu.moments(2 * mu.size, precision=Exact())
        floats = [float(v) for v in exact]
        choice = trial % 4
        if choice == 0:
            r = recover_measure(floats, precision=Float64(), throw=False)
        elif choice == 1:
            r = recover_measure(exact, precision=MP(25), throw=False)
        elif choice == 2:
            r = recover_measure(floats, rank=mu.size, digits=8, throw=False)
        else:
            r = recover_measure(exact, digits=30, throw=False)
        if r.measure is None or r.rank != mu.size:
            continue
        ea, ew = _errors(mu, r.measure)
        worst = max(ea, ew)
        true = math.inf if worst == 0 else -float(mpmath.log10(worst))
        assert r.digits == 0 or r.digits <= true, (trial, atoms, weights, r.digits, true)
        checked += 1
    assert checked >= 200


def test_residual_is_an_independent_recomputation():
    mu = DiscreteMeasure([Fraction(-1, 3), Fraction(1, 5), Fraction(4, 5)], [1, 2, 3])
    m = [float(v) for v in mu.moments(8, precision=Exact())]
    r = recover_measure(m, precision=Float64())
    ctx = mpmath.MPContext()
    ctx.dps = 60
    a = [ctx.mpf(x) for x in r.measure.atoms]
    w = [ctx.mpf(x) for x in r.measure.weights]
    res = max(abs(ctx.fsum(wi * ai**j for ai, wi in zip(a, w)) - ctx.mpf(m[j])) for j in range(8))
    assert abs(res - ctx.mpf(r.residual)) <= ctx.mpf(10) ** -40 * (1 + res)
