"""Tests that catch one-line mutants of ``momentrnn.dynamics.integrators.controller`` that the
rest of the suite let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.dynamics.integrators.controller import StepController

tol = st.fractions(min_value=Fraction(1, 10**6), max_value=1, max_denominator=10**6)
vec = st.lists(st.fractions(min_value=-3, max_value=3, max_denominator=100), min_size=3,
               max_size=3)


@settings(max_examples=40, derandomize=True, deadline=None)
@given(vec, vec, vec, tol, tol)
def test_error_norm_is_the_rms_over_atol_plus_rtol_times_the_larger_value(err, theta, new,
                                                                        rtol, atol):
    """The scaled error is ``err_i / (atol + rtol * max(|theta_i|, |new_i|))``, rms over i
    (Hairer-Norsett-Wanner): computed over Q here, the double result agrees to rounding."""
    want2 = sum((e / (atol + rtol * max(abs(t), abs(n)))) ** 2
                for e, t, n in zip(err, theta, new)) / len(err)
    f = lambda v: np.array([float(x) for x in v])
    got = StepController.error_norm(f(err), f(theta), f(new), float(rtol), float(atol))
    assert got == pytest.approx(float(want2) ** 0.5, rel=1e-12, abs=1e-300)


def test_error_norm_of_an_error_equal_to_the_tolerance_is_one():
    theta = np.array([0.39, -1 / 3, 2.0])
    err = 1e-8 + 1e-6 * np.abs(theta)
    assert StepController.error_norm(err, theta, theta, 1e-6, 1e-8) == pytest.approx(1.0)
