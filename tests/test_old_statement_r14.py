"""R14 as it was stated ("the Hankel rank of that response is d_hat"; the shift register's
rank "is k by M1") is false, and the check finds it; as corrected it holds on the same cases."""

from __future__ import annotations

import random
from fractions import Fraction

from proofs_checks import r14
from proofs_checks.harness import run_claim


def _search(seed: int, drawn: int, steps: int) -> list[tuple[dict, float]]:
    """The claim's search over shift registers and its hill-climbing with ``refine``."""
    rng = random.Random(seed)
    found = [(c, r14.check(c)) for c in r14.search(seed, drawn)
             if c["student"] == "shift register"]
    for case, margin in sorted(found, key=lambda cm: cm[1])[:3]:
        for _ in range(steps):
            new = r14.refine(case, rng)
            m = r14.check(new)
            found.append((new, m))
            if m < margin:
                case, margin = new, m
    return found


def _last_lag_below_k_minus_one(case: dict) -> bool:
    exact = [Fraction(v) for v in r14._measure(case).moments(case["k"], precision=r14.Exact())]
    return exact[-1] == 0


def test_old_statement_of_r14_fails_on_the_search(monkeypatch):
    monkeypatch.setattr(r14, "AS_STATED_BEFORE", True)
    found = _search(0, 40, 5)
    failing = [c for c, m in found if m <= 0]
    assert failing
    # the counterexamples: registers whose last lag h_hat_{k-1} vanishes (rank < k)
    assert all(_last_lag_below_k_minus_one(c) for c in failing)
    worst = min(found, key=lambda cm: cm[1])[0]
    assert _last_lag_below_k_minus_one(worst)


def test_corrected_statement_of_r14_holds_on_the_same_search():
    found = _search(0, 40, 5)
    assert min(m for _c, m in found) > 0
    # the bound k - d_hat + 1 is attained (margin exactly 1) by the extremal teachers
    assert any(m == 1.0 and c["teacher"] == "extremal" and len(c["atoms"]) > 1
               for c, m in found)


def test_old_statement_of_r14_fails_on_the_quick_grid(monkeypatch):
    monkeypatch.setattr(r14, "AS_STATED_BEFORE", True)
    out = run_claim(r14.CLAIM, quick=True, seed=0)
    assert out.verdict == "FAIL"
    margins = {(d["case"]["teacher"], d["case"]["student"]): d["margin"]
               for d in out.details if "case" in d}
    # delta_1/2 + delta_-1/2, k = 6: exact rank 5, not k
    assert margins[("symmetric", "shift register")] < 0
    # a trained 20-unit student: exact rank 20, not d_hat
    assert margins[("two_pole", "trained")] < 0


def test_the_harness_search_refutes_the_old_r14_and_not_the_new(monkeypatch):
    """The full mode's own search (replayed without a clock: 12 drawn, 20 refined)."""
    from proofs_checks.harness import run_search

    monkeypatch.setattr(r14, "AS_STATED_BEFORE", True)
    block, _ = run_search(r14.CLAIM, 0, counts=(12, 20))
    assert block["worst_margin"] <= 0
    worst = block["worst_case"]
    assert worst["student"] == "shift register" and _last_lag_below_k_minus_one(worst)
    monkeypatch.setattr(r14, "AS_STATED_BEFORE", False)
    block, _ = run_search(r14.CLAIM, 0, counts=(12, 20))
    assert block["worst_margin"] > 0 and block["failing"] == 0
