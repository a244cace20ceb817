"""Tests that catch one-line mutants of ``momentrnn.moments.hankel`` that the rest of the suite
let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

from fractions import Fraction

import mpmath
import pytest

from momentrnn.moments._data import parse_moments
from momentrnn.moments.hankel import log10_cond_lower_bound


def _log10_cond(m, n):
    ctx = mpmath.mp.clone()
    ctx.dps = 60
    H = ctx.matrix([[ctx.mpf(m[i + j].numerator) / m[i + j].denominator for j in range(n)]
                    for i in range(n)])
    s = ctx.svd_r(H, compute_uv=False)
    return float(ctx.log10(max(s) / min(s)))


@pytest.mark.parametrize("n", [4, 5, 6])
@pytest.mark.parametrize("shift", [Fraction(1), Fraction(39, 100)])
def test_cond_lower_bound_is_close_for_ill_conditioned_hankel_matrices(n, shift):
    """Moments of the uniform measure on [0, shift] (Hilbert-like, condition numbers 1e4-1e8):
    the proved lower bound stays below the truth and within a digit of it, so the inverse
    iteration that bounds 1/sigma_min does refine (a bound of 0 would also be true, but says
    nothing)."""
    m = [shift ** j / (j + 1) for j in range(2 * n - 1)]
    bound = log10_cond_lower_bound(parse_moments(m), n)
    truth = _log10_cond(m, n)
    assert truth > 3.5
    assert truth - 1 <= bound <= truth
