"""Discrete measures as properties (``moments.measure``).

Moments in every arithmetic against the exact power sums (Fractions): MP within its precision,
balls containing the truth, doubles within a few ulps of the sum of magnitudes; the a-priori
bit estimate of exact moments is an upper bound of their real size, and the count it offers
when it refuses is the largest within the limit; the refusals name the values and indices.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import MP, Ball, DiscreteMeasure, Exact, Float64
from momentrnn._limits import MAX_EXACT_MOMENT_BITS
from momentrnn.errors import InputError
from momentrnn.moments._numbers import dyadic
from momentrnn.moments.measure import _exact_moment_bits, power_sums
from momentrnn.prove.validated import ball_bounds

FAST = settings(max_examples=25, derandomize=True, deadline=None)
fracs = st.builds(Fraction, st.integers(-50, 50), st.integers(1, 40))


def _truth(atoms, weights, count):
    return [sum(w * a**j for a, w in zip(atoms, weights)) for j in range(count)]


@FAST
@given(st.lists(fracs, min_size=1, max_size=4, unique=True),
       st.lists(fracs, min_size=4, max_size=4), st.integers(1, 9))
def test_moments_in_every_arithmetic_hold_the_exact_power_sums(atoms, ws, count):
    weights = ws[:len(atoms)]
    mu = DiscreteMeasure(atoms, weights)
    truth = _truth(atoms, weights, count)
    scale = [sum(abs(w) * abs(a) ** j for a, w in zip(atoms, weights)) for j in range(count)]
    assert mu.moments(count, precision=Exact()) == truth
    assert power_sums(atoms, weights, count, sum) == truth
    mp = mu.moments(count, precision=MP(30))
    assert len(mp) == count
    for got, t, s in zip(mp, truth, scale):
        assert abs(dyadic(*got._mpf_[:3]) - t) <= s * Fraction(1, 10**28) + abs(t) / 10**28
    for got, t in zip(mu.moments(count, precision=Ball(30)), truth):
        lo, hi = ball_bounds(got)
        assert lo <= t <= hi and hi - lo <= Fraction(1, 10**20) * (1 + abs(t))
    f = mu.moments(count, precision=Float64())
    assert isinstance(f, np.ndarray) and f.shape == (count,)
    for got, t, s in zip(f, truth, scale):
        assert abs(Fraction(float(got)) - t) <= s * Fraction(4 * (len(atoms) + 1), 2**53) + \
            abs(t) / 2**52


def test_complex_and_decimal_measures():
    mu = DiscreteMeasure(["0.39+0.5j", "-1/3"], ["2", "0.1-0.2j"])
    a = [complex(0.39, 0.5), -1 / 3]
    w = [2, complex(0.1, -0.2)]
    f = mu.moments(5)
    for j in range(5):
        want = sum(wi * ai**j for ai, wi in zip(a, w))
        assert abs(f[j] - want) <= 1e-14 * (1 + abs(want))
    assert not mu.is_real and not mu.is_positive and mu.is_exact


def test_properties_of_signs_order_and_size():
    mu = DiscreteMeasure([Fraction(7, 5), Fraction(-1, 3), Fraction(39, 100)],
                         [Fraction(1, 3), Fraction(-1, 4), Fraction(2)])
    assert mu.size == len(mu) == 3 and mu.is_real and mu.is_exact
    assert not mu.is_positive and mu.negative_mass == 0.25
    assert mu.sort_order() == [1, 2, 0]
    s = mu.sorted()
    assert s.atoms == (Fraction(-1, 3), Fraction(39, 100), Fraction(7, 5))
    assert s.weights == (Fraction(-1, 4), Fraction(2), Fraction(1, 3))
    pos = DiscreteMeasure([0.5, -2.0], [1e-300, 3.0])
    assert pos.is_positive and pos.negative_mass == 0.0 and not pos.is_exact
    cz = DiscreteMeasure([1j, -1j, 0.5], [1, 1, 1])
    assert cz.sort_order() == [1, 0, 2]
    a, w = cz.to_numpy()
    assert a.dtype == complex and list(a) == [1j, -1j, 0.5]
    assert "DiscreteMeasure({7/5: 1/3" in repr(mu)


def test_refusals_name_the_values():
    with pytest.raises(InputError, match="got 2 atoms but 3 weights"):
        DiscreteMeasure([1, 2], [1, 2, 3])
    with pytest.raises(InputError, match="at least one atom"):
        DiscreteMeasure([], [])
    with pytest.raises(InputError, match=r"atoms\[0\] and atoms\[2\] are both 1/2"):
        DiscreteMeasure([0.5, 1, Fraction(1, 2)], [1, 1, 1])
    with pytest.raises(InputError, match="one-dimensional, got shape \\(1, 2\\)"):
        DiscreteMeasure(np.array([[1.0, 2.0]]), [1, 2])
    with pytest.raises(InputError, match="weights must be a sequence of numbers, got a string"):
        DiscreteMeasure([1], "1")
    with pytest.raises(InputError, match=r"m_3 leaves the range .*atoms\[1\] = 1e\+120, "
                                         r"x\*\*3 is about 1e360"):
        DiscreteMeasure([2.0, 1e120], [1.0, 1.0]).moments(5)
    with pytest.raises(InputError, match=r"m_1 .*atoms\[0\] = 1e\+200, x\*\*1 times its "
                                         r"weight is about 1e400"):
        DiscreteMeasure([1e200, 3.0], [1e200, 1.0]).moments(3)
    with pytest.raises(InputError, match=r"atoms\[0\] \(about 1\.00e\+400 in magnitude\)"):
        DiscreteMeasure([10**400], [1]).moments(2)


@FAST
@given(st.lists(fracs.filter(lambda v: v != 0), min_size=1, max_size=3, unique=True),
       st.lists(fracs.filter(lambda v: v != 0), min_size=3, max_size=3), st.integers(1, 12))
def test_the_bit_estimate_bounds_the_exact_moments(atoms, ws, count):
    weights = ws[:len(atoms)]
    bits, per_power = _exact_moment_bits(atoms, weights, count)
    real = sum(abs(m.numerator).bit_length() + m.denominator.bit_length()
               for m in _truth(atoms, weights, count))
    assert real <= bits, (atoms, weights, count)
    assert _exact_moment_bits(atoms, weights, count + 1)[0] >= bits


def test_the_bit_estimate_of_integer_atoms_is_the_stated_formula():
    import math

    bits, per_power = _exact_moment_bits([Fraction(3)], [Fraction(1)], 10)
    assert per_power == math.log2(3)
    assert bits == math.ceil(math.log2(3) * 45 + 10 * 2)


def test_refused_exact_moments_offer_the_largest_count_within_the_limit():
    atoms = [Fraction(10**40 + 1, 3**80), Fraction(-1, 7**50)]
    weights = [Fraction(1, 3), Fraction(2)]
    mu = DiscreteMeasure(atoms, weights)
    with pytest.raises(InputError, match=r"ask for at most (\d+) moments") as info:
        mu.moments(100_000, precision=Exact())
    import re

    most = int(re.search(r"at most (\d+) moments", str(info.value)).group(1))
    assert 2 * _exact_moment_bits(atoms, weights, most)[0] <= MAX_EXACT_MOMENT_BITS
    assert 2 * _exact_moment_bits(atoms, weights, most + 1)[0] > MAX_EXACT_MOMENT_BITS
    assert "of these 2 atom(s)" in str(info.value)


@settings(max_examples=40, derandomize=True, deadline=None)
@given(st.integers(200, 20000), st.integers(1, 3), st.integers(50, 5000), st.integers(0, 40))
def test_the_count_offered_is_the_largest_within_the_limit(k, n, count, extra):
    atoms = [Fraction(i + 1, 3**k + i) for i in range(n)]
    weights = [Fraction(1, 7**extra + 1)] * n
    if n * _exact_moment_bits(atoms, weights, count)[0] <= MAX_EXACT_MOMENT_BITS:
        return  # within the limit: nothing refused
    import re

    with pytest.raises(InputError, match=r"ask for at most (\d+) moments") as info:
        DiscreteMeasure(atoms, weights).moments(count, precision=Exact())
    most = int(re.search(r"at most (\d+) moments", str(info.value)).group(1))
    fits = n * _exact_moment_bits(atoms, weights, most)[0] <= MAX_EXACT_MOMENT_BITS
    assert fits or most == 1
    assert n * _exact_moment_bits(atoms, weights, most + 1)[0] > MAX_EXACT_MOMENT_BITS
    assert f"count={count} exact moments of these {n} atom(s)" in str(info.value)
