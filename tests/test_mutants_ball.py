"""Tests that catch one-line mutants of ``momentrnn.moments._ball`` that the rest of the suite
let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

import math
from fractions import Fraction

from flint import acb, arb
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.moments._ball import component_digits, relative_digits

mid = st.floats(min_value=-8, max_value=8, allow_nan=False).filter(lambda v: abs(v) > 1e-3)
frac = st.floats(min_value=1e-6, max_value=0.999)


@settings(max_examples=40, derandomize=True, deadline=None)
@given(mid, frac, st.booleans())
def test_component_digits_hold_for_the_smallest_value_in_the_ball(m, f, cplx):
    """A ball of midpoint m and radius r < |m| holds values as small as |m| - r: its digits are
    at most -log10(r / (|m| - r)), so they hold for every value in it (never relative to
    |m| + r, which over-states them)."""
    r = abs(m) * f
    ball = acb(arb(m, r), 0) if cplx else arb(m, r)
    rad = Fraction(float(arb(m, r).rad()))  # the radius as stored (rounded up: exact in a double)
    worst = Fraction(abs(m)) - rad
    most = max(0.0, -math.log10(rad / worst)) if worst > 0 else 0.0
    (got,) = component_digits([ball])
    assert got <= most + 1e-12
    assert relative_digits([ball]) <= most + 1e-12


def test_a_ball_that_holds_zero_has_no_digits():
    for ball in (arb(1, 2), arb(Fraction(39, 100).__float__(), 0.5), acb(arb(-1, 1.5), 0)):
        assert component_digits([ball]) == [0.0]
        assert relative_digits([ball]) == 0.0
