"""Bounded work and one-line refusals (issue 23), the items left after the first rounds.

Each test drives inputs through the public API or the command line and asserts the refusal
(one line, naming the value and the limit) or the exact result, and its time.
"""

import time
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import momentrnn as m
from momentrnn._limits import LIMITS, MAX_EXACT_MOMENT_BITS, MAX_SYMBOLIC_MOMENT_TERMS
from momentrnn.errors import InputError

BOUND_S = 20.0


def _elapsed(start: float) -> float:
    return time.perf_counter() - start


def _one_line_refusal(call, *patterns: str) -> str:
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        call()
    assert _elapsed(start) < 5  # before any work (a first call may import sympy)
    message = str(info.value)
    assert "\n" not in message
    for pattern in patterns:
        assert pattern in message, message
    return message


# ------------------------------------------------- item 1: exact moments, bounded by their bits

@pytest.mark.parametrize("atom,count", [("1/3", 10**6), ("1/3", 100_000), ("1e1000", 3000),
                                        (Fraction(-39, 100), 300_000)])
def test_exact_moments_past_their_bits_are_refused_before_work(atom, count):
    # main: 1/3 over 10**6 moments aborted inside GMP at 4 GB; over 10**5 it ran 9 s
    message = _one_line_refusal(
        lambda: m.DiscreteMeasure([atom], [1]).moments(count, precision=m.Exact()),
        f"count={count}", str(MAX_EXACT_MOMENT_BITS), "ask for at most")
    most = int(message.split("ask for at most ")[1].split()[0])
    assert 1 <= most < count


def _bits(values) -> int:
    return sum(abs(v.numerator).bit_length() + v.denominator.bit_length() for v in values)


_fractions = st.fractions(min_value=-5, max_value=5, max_denominator=10**6)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(_fractions, min_size=1, max_size=4, unique=True),
       st.lists(_fractions.filter(bool), min_size=4, max_size=4), st.integers(1, 40))
def test_the_bit_estimate_bounds_the_exact_moments(atoms, weights, count):
    from momentrnn.moments.measure import _exact_moment_bits

    weights = weights[:len(atoms)]
    got = m.DiscreteMeasure(atoms, weights).moments(count, precision=m.Exact())
    truth = [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]
    assert got == truth  # exact below the limit
    assert _bits(got) <= _exact_moment_bits(atoms, weights, count)[0]


def test_the_largest_count_offered_is_accepted_and_exact():
    atoms, weights = [Fraction(39, 100), Fraction(-1, 3)], [Fraction(1, 7), 2]
    with pytest.raises(InputError, match="ask for at most") as info:
        m.DiscreteMeasure(atoms, weights).moments(200_000, precision=m.Exact())
    most = int(str(info.value).split("ask for at most ")[1].split()[0])
    assert most > 5000
    start = time.perf_counter()
    got = m.DiscreteMeasure(atoms, weights).moments(most, precision=m.Exact())
    assert _elapsed(start) < BOUND_S
    j = most - 1
    assert got[j] == Fraction(1, 7) * Fraction(39, 100) ** j + 2 * Fraction(-1, 3) ** j
    with pytest.raises(InputError, match="ask for at most"):
        m.DiscreteMeasure(atoms, weights).moments(most + 1, precision=m.Exact())


def test_symbolic_exact_moments_are_bounded():
    atoms = ["1/3+1/2j", "1/3-1/2j"]
    count = MAX_SYMBOLIC_MOMENT_TERMS // 2 + 1
    _one_line_refusal(lambda: m.DiscreteMeasure(atoms, [1, 1]).moments(
        count, precision=m.Exact()), f"count={count}", str(MAX_SYMBOLIC_MOMENT_TERMS))
    got = m.DiscreteMeasure(atoms, [1, 1]).moments(4, precision=m.Exact())
    assert [Fraction(int(v.p), int(v.q)) for v in got] == [
        2, Fraction(2, 3), 2 * (Fraction(1, 9) - Fraction(1, 4)),
        2 * (Fraction(1, 27) - 3 * Fraction(1, 3) * Fraction(1, 4))]


def test_the_moment_limits_are_in_the_table():
    assert LIMITS["exact moment bits"].maximum == MAX_EXACT_MOMENT_BITS
    assert LIMITS["symbolic moment terms"].maximum == MAX_SYMBOLIC_MOMENT_TERMS
