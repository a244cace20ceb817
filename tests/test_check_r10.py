"""R10's check tests h_j = 0 for j >= k, and searches teachers, k and finite differences."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import LinearRNN
from proofs_checks import r10


def _cyclic(case, teacher):
    """The shift register with its corner closed (A^k = I): zero loss on k lags, but the
    response repeats instead of vanishing from lag k on."""
    k = case["k"]
    h = np.asarray(teacher.impulse_response(k), dtype=float)
    A = np.diag(np.ones(k - 1), -1)
    A[0, k - 1] = 1.0
    return LinearRNN(A, np.eye(k)[0], h)


def test_r10_margin_requires_the_response_to_vanish_from_lag_k(monkeypatch):
    case = {"k": 3, "teacher": "dyadic_two_pole", "student": "shift register"}
    assert r10.check(case) > 0
    monkeypatch.setattr(r10, "_student", _cyclic)
    assert r10.check(case) < 0


def test_r10_controls_fail_in_every_case():
    for _name, make in r10.CLAIM.controls:
        margins = [r10.check(c) for c in make(True, 0)]
        assert margins and all(m <= 0 for m in margins), margins


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.integers(0, 10_000))
def test_r10_searched_and_refined_cases_hold(seed):
    rng = random.Random(seed)
    for case in r10.search(seed, 3):
        assert r10.check(case) > 0, case
        assert r10.check(r10.refine(case, rng)) > 0


def test_r10_search_spans_k_signs_and_non_dyadic_differences():
    cases = r10.search(0, 60)
    assert {c["k"] for c in cases} == set(range(1, 11))
    assert any(w.startswith("-") for c in cases for w in c["weights"])
    assert any(c["step"].startswith("-") for c in cases)
    assert any("/" in c["x0"] and int(c["x0"].split("/")[1]) % 2 for c in cases)


def test_r10_wrong_finite_difference_parameters_are_caught(monkeypatch):
    """The identity is checked with the case's own x0, h and eps: a finite difference of the
    wrong order leaves a moment below k."""
    case = r10.search(1, 1)[0]

    def one_short(order, x0, h, amplitude):
        return r10_common(order - 1, x0, h, amplitude)

    from proofs_checks import _common

    r10_common = _common.finite_difference_measure
    monkeypatch.setattr(r10, "finite_difference_measure", one_short)
    assert r10.check(dict(case, k=max(case["k"], 2))) < 0


def test_r10_error_window_covers_a_symmetric_teacher_at_k_1():
    """delta_5/8 + delta_-5/8 with k = 1: h_hat_1 = 0, so the register matches lag 1; the
    window reaches lag 2, where it does not."""
    case = {"k": 1, "teacher": "random dyadic", "student": "shift register",
            "atoms": ["5/8", "-5/8"], "weights": ["-1/4", "-1/4"], "x0": "-10/17",
            "step": "-37/29", "eps": "-19/84"}
    assert r10.check(case) > 0
