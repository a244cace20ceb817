"""The M checks test their statements as written: their controls drop a hypothesis, they reach
the package code the claims rest on, and each claim has a search over its hypotheses."""

import random
from fractions import Fraction as F

import pytest

import proofs_checks.m6 as m6
from momentrnn import moment_feasible, next_moment_range
from proofs_checks._measures import power_moments


def test_m6_controls_drop_a_hypothesis_and_every_case_fails():
    """The signed control: a measure on [-1, 1] with a negative weight and the moments
    m_0..m_{2k} of a non-negative one, whose m_{2k+1} lies beyond the range. The boundary
    control: determinate data, a one-point range."""
    controls = dict(m6.CLAIM.controls)
    signed = controls["a signed measure on [-1, 1]"](True, 0)
    assert signed
    for case in signed:
        k, atoms, weights = case["k"], case["atoms"], case["weights"]
        assert any(w < 0 for w in weights) and all(-1 <= a <= 1 for a in atoms)
        m = power_moments(atoms, weights, 2 * k + 2)
        assert moment_feasible(m[: 2 * k + 1], support=(-1, 1)).feasible
        r = next_moment_range(m[: 2 * k + 1])
        assert m[2 * k + 1] > r.upper
        assert m6.check(case) <= 0
    boundary = controls["data on the boundary of the moment space"](True, 0)
    assert boundary
    for case in boundary:
        assert moment_feasible(case["moments"]).determinate
        assert m6.check(case) <= 0


def test_m6_searches_its_hypotheses():
    drawn = m6.CLAIM.search(0, 16)
    assert {c["probe"] for c in drawn} == {"ends", "measure"}
    rng = random.Random(0)
    for case in drawn:
        assert m6.check(case) > 0
        moved = m6.refine(case, rng)
        assert all(-1 <= a <= 1 for a in moved["atoms"])
        assert m6.check(moved) > 0


@pytest.mark.parametrize("k", [1, 2, 3])
def test_m6_a_measure_s_next_moment_lies_in_the_range(k):
    atoms = [F(-39, 100), F(1, 3), F(7, 9), F(-1), F(1, 7)][: k + 2]
    weights = [F(1, 3), F(2), F(1, 10**6), F(5, 7), F(1)][: k + 2]
    assert m6.check({"probe": "measure", "atoms": atoms, "weights": weights, "k": k}) == 1.0


def test_m2_reaches_the_line_and_the_half_lines():
    """M2 is checked through moment_feasible on R, [0, inf), (-inf, 0] and [-1, 1]; its grid
    has PSD singular Hankel matrices with no measure ("at most one", not "unique")."""
    import proofs_checks.m2 as m2

    grid = m2.cases(True, 0)
    assert {c["support"] for c in grid} == {"[-1, 1]", "R", "[0, inf)", "(-inf, 0]"}
    none = [c for c in grid if c.get("expect") == "none"]
    assert any(c["moments"] == [1, 0, 0, 0, 1] and c["support"] == "R" for c in none)
    for case in none:
        assert m2._psd_singular(case["moments"])
        assert m2.check(case) == 1.0
    drawn = m2.CLAIM.search(0, 12)
    assert {c["support"] for c in drawn} == set(m2.SUPPORTS)
    assert all(m2.check(c) > 0 for c in drawn)
    for _, make in m2.CLAIM.controls:
        assert all(m2.check(c) <= 0 for c in make(True, 0))


def test_m2_fails_when_the_package_finds_a_measure_for_1_0_0_0_1(monkeypatch):
    """A feasibility test that trusts a PSD singular Hankel matrix (no recurrence check) makes
    the check fail."""
    import dataclasses

    import proofs_checks.m2 as m2
    from proofs_checks.harness import run_claim

    real = m2.moment_feasible

    def trusting(m, **kwargs):
        r = real(m, **kwargs)
        if not r.feasible and r.failing and "recurrence" in r.message:
            return dataclasses.replace(r, feasible=True)
        return r

    monkeypatch.setattr(m2, "moment_feasible", trusting)
    assert run_claim(m2.CLAIM, quick=True, seed=0).verdict == "FAIL"
