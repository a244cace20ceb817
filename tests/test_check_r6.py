"""R6's check runs the full model (a LinearRNN with a full A) under gradient descent."""

from __future__ import annotations

import random

import pytest

from proofs_checks import r6


def _full_gd_cases():
    return [c for c in r6.cases(True, 0) if c["dynamics"] == "gd-full"]


def test_r6_grid_runs_the_full_model_under_gradient_descent():
    full = _full_gd_cases()
    assert full, "the grid has no full-model gradient-descent case"
    assert all(r6.check(c) > 0 for c in full)


def test_r6_full_gd_margin_sees_a_gradient_that_breaks_the_symmetry(monkeypatch):
    """The double-precision descent goes through the package's moment_loss_gradient: a
    gradient whose B part is off by one part in a million breaks B = C, and the margin says
    so."""
    real = r6.moment_loss_gradient

    def skewed(model, teacher, *, k):
        g = real(model, teacher, k=k)
        g.B[...] = g.B * (1 + 1e-6)
        return g

    monkeypatch.setattr(r6, "moment_loss_gradient", skewed)
    assert r6.check(_full_gd_cases()[0]) < 0


def test_r6_full_gd_mp_margin_sees_a_skewed_mp_gradient(monkeypatch):
    real = r6.mp_gradient

    def skewed(problem, theta, ctx):
        g = real(problem, theta, ctx)
        d = problem.dim
        g[1] = g[1] * (1 + ctx.mpf(10) ** -20)  # A[0, 1] only: A loses its symmetry
        assert d >= 2
        return g

    monkeypatch.setattr(r6, "mp_gradient", skewed)
    assert r6.check(_full_gd_cases()[0]) < 0


def test_r6_controls_fail_in_every_case():
    for _name, make in r6.CLAIM.controls:
        margins = [r6.check(c) for c in make(True, 0)]
        assert margins and all(m <= 0 for m in margins), margins
    assert any(c["dynamics"] == "gd-full" for c in r6.unbalanced(True, 0))


def test_r6_search_draws_every_dynamics_and_refine_stays_balanced():
    cases = r6.search(3, 40)
    assert {c["dynamics"] for c in cases} == {"gd", "gd-full", "flow", "flow-full"}
    rng = random.Random(1)
    for c in cases:
        new = r6.refine(c, rng)
        assert new["init"] == "balanced" and new["dynamics"] == c["dynamics"]


@pytest.mark.parametrize("index", range(4))
def test_r6_searched_gd_cases_hold(index):
    cases = [c for c in r6.search(0, 30) if c["dynamics"] in ("gd", "gd-full")]
    assert r6.check(cases[index]) > 0
