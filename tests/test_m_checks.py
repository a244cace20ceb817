"""The M checks test their statements as written: their controls drop a hypothesis, they reach
the package code the claims rest on, and each claim has a search over its hypotheses."""

import random
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import proofs_checks.m6 as m6
from momentrnn import moment_feasible, next_moment_range
from momentrnn.moments import METHODS
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


def test_m6_searches_its_hypotheses_on_every_support():
    """Ends and next moments on [-1, 1], [0, 4], both half-lines and R (next_moment_range
    and moment_feasible with each support); refined atoms stay on the support."""
    drawn = m6.CLAIM.search(0, 20)
    assert {c["probe"] for c in drawn} == {"ends", "measure"}
    assert {c["support"] for c in drawn} == set(m6.SUPPORTS)
    assert {c.get("support") for c in m6.cases(True, 0) if c["probe"] == "ends"} >= {
        "[0, 4]", "[0, inf)", "(-inf, 0]", "R"}
    rng = random.Random(0)
    for case in drawn:
        assert m6.check(case) > 0
        moved = m6.refine(case, rng)
        lo, hi = m6.SUPPORTS[case["support"]]
        assert all(lo <= a <= hi for a in moved["atoms"])
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


def test_m3_reaches_every_method_basis_and_precision():
    import proofs_checks.m3 as m3

    grid = [c for c in m3._cases(True, 0) if c.get("kind") == "matrix"]
    assert {c["method"] for c in grid} == {*METHODS, "auto"}
    assert {c["basis"] for c in grid} == set(m3.BASES)
    assert {c["precision"] for c in grid} == set(m3.PRECISIONS)
    assert any(c.get("complex") and "data_digits" in c for c in grid)


def test_m3_checks_a_method_registered_after_it_was_imported(monkeypatch):
    import dataclasses

    import proofs_checks.m3 as m3

    copy = dataclasses.replace(METHODS["pencil"], name="pencil-copy")
    monkeypatch.setitem(METHODS, "pencil-copy", copy)
    grid = [c for c in m3._cases(True, 0) if c.get("kind") == "matrix"]
    cases = [c for c in grid if c["method"] == "pencil-copy"]
    assert {c["precision"] for c in cases} == set(m3.PRECISIONS)
    assert all(m3.check(c) > 0 for c in cases[:4])


def _failing_m3_cases(**only):
    import proofs_checks.m3 as m3

    return [c["name"] for c in m3._cases(True, 0)
            if all(c.get(k) == v for k, v in only.items()) and m3.check(c) <= 0]


def test_m3_catches_per_weight_digits_in_another_order(monkeypatch):
    """Per-weight digits left in the solver's order while the measure is sorted: a tiny weight
    gets the digits of a large one."""
    import dataclasses

    import proofs_checks.m3 as m3

    real = m3.recover_measure

    def unsorted_digits(*args, **kwargs):
        r = real(*args, **kwargs)
        if r.weight_digits is None or len(set(r.weight_digits)) < 2:
            return r
        return dataclasses.replace(r, weight_digits=tuple(reversed(r.weight_digits)))

    monkeypatch.setattr(m3, "recover_measure", unsorted_digits)
    assert _failing_m3_cases(kind="matrix")


def test_m3_catches_a_witness_that_skips_the_last_hankel_block(monkeypatch):
    """Exact complex data are decided by the Hankel blocks alone: without the last block, data
    whose last moment no n-atom measure fits would be called consistent."""
    from momentrnn.moments import _ball

    assert not _failing_m3_cases(kind="inconsistent")
    real = _ball._spread_shifts
    monkeypatch.setattr(_ball, "_spread_shifts", lambda count, cap: real(count - 1, cap))
    failing = _failing_m3_cases(kind="inconsistent")
    assert failing and all("complex" in name for name in failing)


def test_m5_catches_squared_complex_singular_values(monkeypatch):
    """The predicted loss of complex moments against an independent SVD: singular values of
    complex Hankel matrices left squared (no square root of the eigenvalues of H^*H) double
    it."""
    import proofs_checks.m5 as m5
    from momentrnn.moments import hankel

    cases = [c for c in m5.cases(True, 0) if c["kind"] == "prediction"]
    assert cases and all(m5.check(c) > 0 for c in cases)
    real = hankel.singular_values

    def squared(data, size, bits):
        sv = real(data, size, bits)
        return sv if data.is_real else [v * v for v in sv]

    monkeypatch.setattr(hankel, "singular_values", squared)
    assert all(m5.check(c) <= 0 for c in cases)


def test_complex_rounded_moments_are_widened_in_both_parts():
    """With data_digits, the ball of a complex moment holds every value within its radius in
    the real and in the imaginary part (the corners m +- r +- r i)."""
    import flint

    from momentrnn.moments._data import parse_moments

    data = parse_moments(["1/3+2/7j", "-5/9+1/11j", "0.39-0.7j"], data_digits=6)
    with flint.ctx.workprec(200):
        for j, ball in enumerate(data.as_ball(with_radius=True)):
            r = data.radius[j]
            mid = flint.acb(flint.fmpq(data.real[j].p, data.real[j].q),
                            flint.fmpq(data.imag[j].p, data.imag[j].q))
            for sr in (-1, 1):
                for si in (-1, 1):
                    corner = mid + flint.acb(flint.arb(sr * r * 0.999),
                                             flint.arb(si * r * 0.999))
                    assert ball.contains(corner), (j, sr, si)


def test_m7_reaches_every_precision_and_catches_an_inexact_exact_realisation(monkeypatch):
    import dataclasses

    import proofs_checks.m7 as m7
    from proofs_checks.harness import run_claim

    grid = [c for c in m7.cases(True, 0) if c.get("kind") == "rational"]
    assert {c["precision"] for c in grid} == set(m7.PRECISIONS)
    assert all(m7.check(c) > 0 for c in grid)
    real = m7.minimal_realization

    def nudged(h, **kwargs):
        r = real(h, **kwargs)
        if r.precision.exact:
            A = [[v + (F(1, 10**30) if i == j == 0 else 0) for j, v in enumerate(row)]
                 for i, row in enumerate(r.A)]
            return dataclasses.replace(r, A=A)
        return r

    monkeypatch.setattr(m7, "minimal_realization", nudged)
    assert run_claim(m7.CLAIM, quick=True, seed=0).verdict == "FAIL"


def test_m7_asks_doubles_for_the_digits_the_conditioning_leaves():
    """A random order-6 system with eigenvalues 0.8904 and 0.8913 (log10 kappa_2(H_6) = 8.6):
    doubles cannot give 8 digits of it, and the check no longer asks them to; the search's
    systems all pass."""
    import proofs_checks.m7 as m7

    assert m7.check({"n": 6, "seed": 683704, "hidden": 0}) > 0
    rng = random.Random(0)
    for case in m7.CLAIM.search(0, 10):
        assert m7.check(case) > 0
        assert m7.check(m7.refine(case, rng)) > 0


@pytest.mark.parametrize("label", ["M1", "M2", "M3", "M4", "M5", "M6", "M7"])
def test_every_m_claim_searches_refines_and_its_controls_fail_case_by_case(label):
    """A search over the hypotheses and a refine that stays inside them (searched and refined
    cases pass), and every case of every control fails (margin <= 0, not NaN)."""
    import importlib

    module = importlib.import_module(f"proofs_checks.{label.lower()}")
    claim = module.CLAIM
    assert claim.search is not None and callable(module.refine)
    for _, make in claim.controls:
        margins = [claim.check(c) for c in make(True, 0)]
        assert margins and all(m == m and m <= 0 for m in margins), margins
    rng = random.Random(2)
    for case in claim.search(2, 4):
        assert claim.check(case) > 0, case
        assert claim.check(module.refine(case, rng)) > 0


def test_m3_catches_complex_moments_not_widened_in_their_imaginary_part(monkeypatch):
    """Balls of complex rounded moments widened in the real part only: the enclosure misses
    a true measure whose moments differ from the data in their imaginary parts."""
    import flint

    import proofs_checks.m3 as m3
    from momentrnn.moments._data import MomentData

    cases = m3._complex_radius(True)
    assert cases and all(m3.check(c) > 0 for c in cases)
    real = MomentData.as_ball

    def real_part_only(self, with_radius=False):
        wide = real(self, with_radius)
        if self.imag is None or not with_radius:
            return wide
        narrow = real(self, False)
        return [flint.acb(a.real, b.imag) for a, b in zip(wide, narrow)]

    monkeypatch.setattr(MomentData, "as_ball", real_part_only)
    assert all(m3.check(c) <= 0 for c in cases)


_q = st.fractions(min_value=-5, max_value=5, max_denominator=12)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 4), st.data())
def test_the_integer_rank_of_the_checks_is_the_rank_over_q(rows, cols, k, data):
    """The checks' fraction-free integer rank (real matrices) agrees with their Q(i)
    elimination, on low-rank products of non-dyadic rationals."""
    from proofs_checks._measures import exact_rank

    k = min(k, rows, cols)
    U = [[data.draw(_q) for _ in range(k)] for _ in range(rows)]
    V = [[data.draw(_q) for _ in range(cols)] for _ in range(k)]
    A = [[sum((U[i][t] * V[t][j] for t in range(k)), F(0)) for j in range(cols)]
         for i in range(rows)]
    as_pairs = [[(v, F(0)) for v in row] for row in A]
    assert exact_rank(A) == exact_rank(as_pairs) <= k


def test_m3_nothing_vouched_is_not_a_wrong_digit():
    # ten signed atoms in doubles: the recovery vouches 0 digits and its unvouched values are
    # off by more than their scale; the margin must not call that a wrong vouched digit
    from fractions import Fraction as F

    from proofs_checks import m3

    atoms = ['-143/200', '-3/8', '193/1000', '287/1000', '57/125', '259/500', '263/500',
             '541/1000', '63/100', '1']
    weights = ['27/50', '-4377483/19531250', '3/4', '-358749/1600000', '1001/2000', '-89/100',
               '5808429/6250000', '-119/625', '-103411/500000', '-629/1000']
    case = {'name': 'drawn n=10', 'atoms': [F(x) for x in atoms],
            'weights': [F(x) for x in weights], 'method': 'prony', 'rank': 10,
            'precision': 'float64', 'target': 12}
    assert m3._recover(case).digits == 0
    assert m3.check(case) > 0
