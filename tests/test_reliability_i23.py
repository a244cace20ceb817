"""Bounded work for every input (issue 23): the breaks a review found after the first round.

Each test drives a family of inputs (hypothesis, derandomized, small budgets) through the
public API or the command line and asserts the refusal or result and its time.
"""

import itertools
import time
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import momentrnn as m
from momentrnn._limits import (
    LIMITS,
    MAX_EXACT_HANKEL,
    MAX_SINGULAR_VALUES,
)
from momentrnn.errors import InputError
from momentrnn.moments import hankel_singular_values
from momentrnn.precision import MP

BOUND_S = 20.0


def _elapsed(start: float) -> float:
    return time.perf_counter() - start


# ---------------------------------------------------------------- item 1: exact full rank

@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2 * MAX_SINGULAR_VALUES + 2, 2000),
       st.fractions(min_value=Fraction(1, 7), max_value=3, max_denominator=9))
def test_full_rank_exact_data_get_their_rank_without_an_eigenproblem(count, c):
    # m_k = 1/(k + c): the moments of x**(c - 1) on [0, 1] (Hilbert-like), of full rank
    moments = [1 / (k + c) for k in range(count)]
    start = time.perf_counter()
    r = m.hankel_rank(moments)
    took = _elapsed(start)
    s = (count + 1) // 2
    assert (r.rank, r.verdict, r.size) == (s, "full", s)
    assert r.singular_values == ()  # more than the limit: left out, and said so
    assert f"more than {MAX_SINGULAR_VALUES}" in r.message
    assert took < BOUND_S, took  # main: 50 s at 400 moments, hours at 2000
    start = time.perf_counter()
    with pytest.raises(InputError, match=rf"recovering {s} atoms is more than the "
                                         rf"{MAX_SINGULAR_VALUES}.*exact rank {s}"):
        m.recover_measure(moments)
    assert _elapsed(start) < BOUND_S


def test_singular_values_within_the_limit_are_still_computed():
    moments = [Fraction(1, k + 3) for k in range(2 * 12)]
    r = m.hankel_rank(moments)
    assert (r.rank, r.verdict, len(r.singular_values)) == (12, "full", 12)
    assert all(v > 0 for v in r.singular_values)


@pytest.mark.parametrize("call", [
    lambda: hankel_singular_values([1, 0, Fraction(1, 3)], size=MAX_SINGULAR_VALUES + 1),
    lambda: hankel_singular_values([Fraction(1, k) for k in range(1, 2 * MAX_SINGULAR_VALUES
                                                                   + 2)]),
    lambda: hankel_singular_values([1, 0, Fraction(1, 3)], size=10**5000),
])
def test_singular_values_asked_for_beyond_the_limit_are_refused_at_once(call):
    start = time.perf_counter()
    with pytest.raises(InputError, match=f"more than (the )?{MAX_SINGULAR_VALUES}"):
        call()
    assert _elapsed(start) < 2


# ---------------------------------------------------- item 5: exact Hankel size and memory

@settings(max_examples=5, deadline=None, derandomize=True)
@given(st.integers(2 * MAX_EXACT_HANKEL + 1, 20_000),
       st.sampled_from(["rank", "matrix", "determinant"]))
def test_exact_hankel_matrices_beyond_the_limit_are_refused_before_they_are_built(count, door):
    moments = list(itertools.repeat(Fraction(-39, 100), count))
    call = {"rank": m.hankel_rank, "matrix": m.hankel_matrix,
            "determinant": m.hankel_determinant}[door]
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        call(moments)
    assert _elapsed(start) < 5  # main: MemoryError or hours
    message = str(info.value)
    s = (count + 1) // 2
    assert f"a {s}x{s} Hankel matrix over Q" in message and str(MAX_EXACT_HANKEL) in message
    assert "\n" not in message


def test_hankel_matrices_beyond_the_memory_are_refused_with_the_estimate():
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"the 10000x10000 Hankel matrix in MP\(100000\) needs "
                                         r".* of memory, more than the .* allowed"):
        m.hankel_matrix([0.39] * 20_000, precision=MP(100_000))
    assert _elapsed(start) < 5


def test_the_new_limits_are_in_the_table():
    assert LIMITS["singular values"].maximum == MAX_SINGULAR_VALUES
    assert LIMITS["exact Hankel size"].maximum == MAX_EXACT_HANKEL
