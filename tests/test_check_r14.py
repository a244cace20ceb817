"""R14's check tests the statement as corrected: the shift register's exact Hankel rank, the
trained student's numerical rank."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import init_student
from proofs_checks import r14


def test_r14_shift_register_rank_is_exact_and_one_past_the_last_nonzero_lag():
    case = {"teacher": "symmetric", "atoms": ["1/2", "-1/2"], "weights": ["1", "1"], "k": 6,
            "dim": 6, "seed": 0, "student": "shift register"}
    assert r14.shift_register_rank(case) == (5, 5)  # h_hat = 2, 0, 1/2, 0, 1/8, 0
    assert r14.check(case) == 1.0 + (5 - (6 - 2 + 1))
    assert any(c.get("atoms") == ["1/2", "-1/2"] for c in r14.cases(True, 0))


def test_r14_shift_register_margin_sees_a_wrong_rank(monkeypatch):
    case = {"teacher": "symmetric", "atoms": ["1/2", "-1/2"], "weights": ["1", "1"], "k": 6,
            "dim": 6, "seed": 0, "student": "shift register"}
    real = r14.hankel_rank

    class Off:
        def __init__(self, r):
            self.rank = r.rank + 1

    monkeypatch.setattr(r14, "hankel_rank", lambda *a, **kw: Off(real(*a, **kw)))
    assert r14.check(case) < 0


@settings(max_examples=30, derandomize=True, deadline=None)
@given(st.integers(0, 10_000))
def test_r14_searched_shift_registers_obey_the_bound(seed):
    rng = random.Random(seed)
    for case in r14.search(seed, 4):
        if case["student"] != "shift register":
            continue
        rank, expected = r14.shift_register_rank(case)
        assert rank == expected >= case["k"] - len(case["atoms"]) + 1
        assert r14.check(r14.refine(case, rng)) > 0


def test_r14_trained_student_numerical_rank_is_d_hat_while_exact_rank_is_larger():
    case = {"teacher": "long_memory", "dim": 8, "seed": 0, "student": "trained"}
    assert r14.check(case) > 0
    # the exact rank of a student of 8 distinct units is 8: the check must not demand d_hat
    from momentrnn import Exact, hankel_rank

    s = init_student(8, scale=1e-3, seed=0)
    assert hankel_rank(s.impulse_response(17, precision=Exact()), precision=Exact(),
                       size=9).rank == 8


def test_r14_control_fails_and_unbalanced_fit_passes():
    for _name, make in r14.CLAIM.controls:
        margins = [r14.check(c) for c in make(True, 0)]
        assert margins and all(m <= 0 for m in margins)
    assert r14.check({"teacher": "two_pole", "dim": 2, "seed": 0,
                      "student": "unbalanced fit"}) > 0


def test_r14_search_draws_trained_students_and_boundary_registers():
    cases = r14.search(0, 40)
    kinds = {c["student"] for c in cases}
    assert {"trained", "shift register"} <= kinds
    assert any(c["teacher"] == "extremal" and len(c["atoms"]) > 1 for c in cases)
    assert any("0" in c.get("atoms", []) for c in cases)


def test_r14_full_grid_shift_registers_hold():
    regs = [c for c in r14.cases(False, 0) if c["student"] == "shift register"]
    assert len(regs) >= 2 and all(r14.check(c) > 0 for c in regs)


def test_r14_refine_keeps_an_extremal_teacher_with_an_atom_at_zero():
    case = {"teacher": "extremal", "atoms": ["1/2", "-3/8", "0"],
            "weights": ["-373248", "2097152", "1"], "k": 7, "dim": 7, "seed": 0,
            "student": "shift register"}
    rng = random.Random(0)
    for _ in range(20):
        assert r14.check(r14.refine(case, rng)) > 0


def test_r14_refine_never_leaves_the_doubles():
    """A refined extremal register whose lags are not doubles (the check could not build it)
    is not proposed: the refine keeps the case it was given."""
    def extremal(k):
        atoms = ["-7/8", "3/4", "-5/8"]
        weights = r14._extremal_weights([r14.Fraction(a) for a in atoms], k)
        return {"teacher": "extremal", "atoms": atoms, "weights": [str(w) for w in weights],
                "k": k, "dim": k, "seed": 0, "student": "shift register"}

    assert not r14._representable(extremal(10))  # k = 10 is out of reach from k = 9
    case = extremal(9)
    rng = random.Random(3)
    for _ in range(60):
        new = r14.refine(case, rng)
        assert r14._representable(new) and r14.check(new) > 0
