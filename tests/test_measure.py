from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest

from momentrnn import MP, Ball, DiscreteMeasure, Exact, Float64
from momentrnn.errors import InputError, PrecisionMismatchError


def test_exact_moments():
    mu = DiscreteMeasure([0, 1, "1/2"], [Fraction(1, 4), Fraction(1, 4), "1/2"])
    assert mu.moments(3, precision=Exact()) == [1, Fraction(1, 2), Fraction(3, 8)]


def test_moments_agree_across_precisions():
    mu = DiscreteMeasure(["0.3", "-0.7"], ["1.5", "-0.25"])
    exact = mu.moments(6, precision=Exact())
    f = mu.moments(6, precision=Float64())
    assert np.allclose(f, [float(v) for v in exact], rtol=1e-15, atol=1e-15)
    ctx = mpmath.MPContext()
    ctx.dps = 60
    for v, e in zip(mu.moments(6, precision=MP(50)), exact):
        assert abs(ctx.mpf(v) - ctx.mpf(e.numerator) / e.denominator) < ctx.mpf(10) ** -48
    for v, e in zip(mu.moments(6, precision=Ball(40)), exact):
        assert v.rad() < 1e-39
        with flint.ctx.workprec(300):  # contains() converts the rational at the current prec
            assert v.contains(flint.fmpq(e.numerator, e.denominator))


def test_complex_measure():
    mu = DiscreteMeasure([1j, -1j], [0.5, 0.5])
    m = mu.moments(4)
    assert np.allclose(m, [1, 0, -1, 0])
    assert not mu.is_real and not mu.is_positive


def test_validation():
    with pytest.raises(InputError, match="2 atoms but 1 weights"):
        DiscreteMeasure([0, 1], [1])
    with pytest.raises(InputError, match="distinct"):
        DiscreteMeasure([0.5, "1/2"], [1, 1])
    with pytest.raises(InputError, match="at least one"):
        DiscreteMeasure([], [])
    with pytest.raises(InputError, match="finite"):
        DiscreteMeasure([float("nan")], [1])
    with pytest.raises(PrecisionMismatchError, match="Fraction"):
        DiscreteMeasure([0.5], [1]).moments(2, precision=Exact())


def test_properties():
    mu = DiscreteMeasure([0, 1], [2, -1])
    assert mu.is_real and not mu.is_positive
    assert mu.negative_mass == 1.0
    assert DiscreteMeasure([1, 0], [1, 2]).sorted().atoms == (0, 1)


def test_double_moments_of_an_atom_beyond_the_double_range_are_refused_in_one_line():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=20, derandomize=True, deadline=None)
    @given(st.integers(309, 5000), st.sampled_from([1, -3, Fraction(39, 100)]),
           st.sampled_from(["atoms", "weights"]), st.booleans())
    def check(e, k, where, as_text):
        big = k * 10**e
        value = f"{Fraction(big)}" if as_text and e < 4000 else big
        atoms, weights = ([value, Fraction(1, 3)], [1, 2]) if where == "atoms" else \
            ([Fraction(1, 3), 2], [1, value])
        mu = DiscreteMeasure(atoms, weights)
        with pytest.raises(InputError, match=rf"{where}\[\d\] .*range of a double.*Exact") as info:
            mu.moments(3)
        assert "\n" not in str(info.value)
        assert mu.moments(3, precision=Exact())[0] == sum(Fraction(w) for w in weights)

    check()
