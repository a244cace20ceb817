"""Tests that catch one-line mutants of ``momentrnn.moments.methods`` that the rest of the
suite let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

import mpmath
import pytest

from momentrnn.moments.methods import RecoveryMethod


def _method(atoms, weights):
    return RecoveryMethod(name="fake", summary="returns fixed values", float_impl=None,
                          mp_impl=lambda ctx, m, n, basis: (atoms(ctx), weights(ctx)),
                          ball_impl=None, exact_impl=None, certifier="prony")


@pytest.mark.parametrize("dps", [20, 30, 41])
def test_mp_results_of_real_data_drop_imaginary_noise_at_half_the_digits(dps):
    """Real moments: imaginary parts of the atoms up to 10**-(dps // 2) times the largest atom
    are rounding noise and dropped (atoms and weights become real); one 10 times that is kept
    (the atoms stay complex)."""
    ctx = mpmath.mp.clone()
    ctx.dps = dps
    tol = ctx.mpf(10) ** (-(dps // 2))
    m = [ctx.mpf(1), ctx.mpf("0.39"), ctx.mpf(1) / 3]
    for im, real in ((tol / 2, True), (tol * 10, False)):
        meth = _method(lambda c, im=im: [c.mpc("0.39", im), c.mpc(-0.5, -im)],
                       lambda c, im=im: [c.mpc(1, im), c.mpc("0.25", 0)])
        atoms, weights = meth.run_mp(ctx, m, 2, "power")
        assert all(isinstance(v, ctx.mpf) for v in atoms + weights) is real
