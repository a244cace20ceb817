"""A fixed precision that the problem exhausts is refused from a proved lower bound of the
Hankel condition number, before any eigen-decomposition."""

from __future__ import annotations

import time
from fractions import Fraction as F

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import MP, Float64, recover_measure
from momentrnn.errors import IllConditionedError, RankError
from momentrnn.moments import hankel as hankel_module
from momentrnn.moments._data import parse_moments
from momentrnn.moments.hankel import log10_cond_lower_bound


def power_moments(atoms, weights, count):
    return [sum(w * x**j for x, w in zip(atoms, weights)) for j in range(count)]


def _mp(ctx, x):
    if isinstance(x, complex):
        return ctx.mpc(_mp(ctx, x.real), _mp(ctx, x.imag))
    x = F(x)
    return ctx.mpf(x.numerator) / x.denominator


def true_log10_cond(moments, size):
    """log10 of the spectral condition number of the Hankel matrix of the moments as given
    (read exactly), by an SVD at 400 digits."""
    ctx = mpmath.mp.clone()
    ctx.dps = 400
    value = [_mp(ctx, z) for z in moments]
    H = ctx.matrix(size, size)
    for i in range(size):
        for j in range(size):
            H[i, j] = value[i + j]
    values = sorted(abs(v) for v in ctx.svd(H, compute_uv=False))
    return float(ctx.log10(values[-1] / values[0]))


def test_hundred_point_uniform_is_refused_with_no_eigen_decomposition(monkeypatch):
    # the 100-point discrete uniform measure on {1/100, ..., 1}: cond H_100 = 1.33e177
    atoms = [F(k, 100) for k in range(1, 101)]
    m = power_moments(atoms, [F(1, 100)] * 100, 200)
    eigen = []
    original = hankel_module.singular_values

    def counting(*args, **kwargs):
        eigen.append(args[1:])
        return original(*args, **kwargs)

    monkeypatch.setattr(hankel_module, "singular_values", counting)
    for rank in (None, 100):
        for precision in (MP(40), Float64()):
            start = time.perf_counter()
            r = recover_measure(m, rank=rank, precision=precision, throw=False)
            elapsed = time.perf_counter() - start
            assert r.status == "ill_conditioned" and r.measure is None
            assert not eigen, eigen  # no singular values at 380-760 bits (2.5 s each)
            assert elapsed < 10  # 0.2-0.3 s; was 4.3-4.8 s
            # a proved lower bound, within a hundredth of a digit of log10 cond = 177.1224
            assert 177.11 < r.predicted_loss <= 177.1225
            assert r.singular_values == () and r.cond >= 1.3e177
            assert "at least 177 digits" in r.message and "proved lower bound" in r.message
            if rank is None:
                assert r.rank_evidence.rank == 100 and r.rank_evidence.verdict == "full"
    with pytest.raises(IllConditionedError, match=r"cond of H_100 >= 1\.31e\+177"):
        recover_measure(m, precision=MP(40))


def test_a_precision_that_suffices_still_gets_the_singular_values():
    atoms = [F(k, 13) - F(1, 2) for k in range(1, 13)]
    m = power_moments(atoms, [F(1, 3)] * 12, 28)  # 14 moments more than 12 atoms need
    for precision, status in ((MP(40), "ok"), (Float64(), "ill_conditioned")):
        r = recover_measure(m, precision=precision, throw=False)
        assert r.status == status and r.rank == 12
        if status == "ok":
            assert len(r.singular_values) == 14 and r.rank_evidence.gap > 1e30
            assert abs(r.predicted_loss - true_log10_cond(m, 12)) < 1e-6
        else:
            assert r.singular_values == () and r.predicted_loss <= true_log10_cond(m, 12)


def test_complex_moments_are_bounded_through_the_real_embedding():
    atoms = [complex(F(1, 3), F(k, 15)) for k in range(1, 15)]
    m = power_moments(atoms, [1 / 7] * 14, 28)  # complex doubles, read as they are
    r = recover_measure(m, rank=14, precision=Float64(), throw=False)
    assert r.status == "ill_conditioned" and r.singular_values == ()
    assert 16 <= r.predicted_loss <= true_log10_cond(m, 14)


def test_singular_hankel_matrix_is_still_a_rank_error():
    # rank=3 for a two-atom measure: H_3 is singular over Q
    m = power_moments([F(1, 3), F(-2, 7)], [F(1, 2), F(5, 3)], 6)
    with pytest.raises(RankError, match="singular"):
        recover_measure(m, rank=3, precision=MP(15))
    with pytest.raises(RankError, match="singular"):  # a point mass at 1 is not two atoms
        recover_measure([1, 1, 1, 1], rank=2, precision=Float64())
    for moments, size in (([1, 1, 1], 2), ([F(1, 3)] * 9, 5), (m, 3), ([0, 0, 0], 2)):
        assert log10_cond_lower_bound(parse_moments(moments), size) is None


values = st.fractions(min_value=-3, max_value=3, max_denominator=50)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(1, 6).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(values, min_size=2 * n - 1, max_size=2 * n - 1),
                        st.lists(values, min_size=2 * n - 1, max_size=2 * n - 1))))
def test_bound_is_below_the_condition_number(case):
    n, re, im = case
    data = parse_moments(re)
    bound = log10_cond_lower_bound(data, n)
    if bound is None:  # singular over Q
        assert hankel_module._exact_matrix(data, n).rank() < n
    else:
        truth = true_log10_cond(re, n)
        assert truth - 3 <= bound <= truth  # a lower bound, and three rounds get it close
    z = [complex(a, b) for a, b in zip(re, im)]  # complex doubles, read exactly
    bound = log10_cond_lower_bound(parse_moments(z), n)
    if bound is not None:
        assert bound <= true_log10_cond(z, n)
