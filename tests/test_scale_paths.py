"""The fast default paths give the same verdicts as the slow ones, and long calls show life."""

import random

import numpy as np

from momentrnn import MP, Float64, hankel_rank, recover_measure

from .helpers import legendre_moments


def _double_moments(count, n=4, seed=0):
    rng = random.Random(seed)
    x = [rng.uniform(-0.9, 0.9) for _ in range(n)]
    w = [rng.uniform(0.2, 1.0) for _ in range(n)]
    return [float(sum(wi * xi**j for xi, wi in zip(x, w))) for j in range(count)]


def test_double_data_rank_uses_a_double_svd_with_the_same_verdict():
    m = _double_moments(60)
    fast = hankel_rank(m)
    slow = hankel_rank(m, precision=MP(50))
    assert fast.precision == Float64()
    assert (fast.rank, fast.verdict) == (slow.rank, slow.verdict) == (4, "clear")


def test_an_ambiguous_double_verdict_is_re_examined_at_higher_precision():
    # a fifth atom whose weight sits at the noise floor: the double pass is ambiguous
    x = np.array([-0.7, -0.2, 0.3, 0.8, 0.95])
    w = np.array([0.5, 0.4, 0.3, 0.6, 3e-14])
    m = [float(v) for v in (w[:, None] * x[:, None] ** np.arange(30)).sum(axis=0)]
    quick = hankel_rank(m, precision=Float64())
    assert quick.verdict == "ambiguous"
    r = hankel_rank(m)
    assert isinstance(r.precision, MP) and (r.rank, r.verdict) == (5, "clear")


def test_progress_reports_each_stage():
    stages = []
    r = recover_measure(legendre_moments(12), digits=20, progress=stages.append)
    assert r.status == "ok"
    assert any("rank" in s for s in stages) and any("certifying" in s for s in stages)
    assert any("residual" in s for s in stages)
    stages.clear()
    hankel_rank(_double_moments(40), progress=stages.append)
    assert stages and "double-precision" in stages[0]
