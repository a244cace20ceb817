"""R7 as it was stated (no lower bound on |b_i(0) + c_i(0)| for a unit attaining g_max) is
false, and the check's search finds it: c = -b on that unit gives the slope 1 + g_min/g_2."""

from __future__ import annotations

import random

import numpy as np

from proofs_checks import r7


def _search(seed: int, drawn: int, steps: int) -> list[tuple[dict, float]]:
    """The claim's search and its hill-climbing with ``refine`` (as the harness runs them)."""
    rng = random.Random(seed)
    found = [(c, r7.check(c)) for c in r7.search(seed, drawn)]
    case, margin = min(found, key=lambda cm: cm[1])
    for _ in range(steps):
        new = r7.refine(case, rng)
        m = r7.check(new)
        found.append((new, m))
        if m < margin:
            case, margin = new, m
    return found


def _no_lower_bound(case: dict) -> bool:
    if case["regime"] != "spread":
        return False
    g = r7.rates(case, np.asarray(case["a"]))
    return case["u0"][int(np.argmax(g))] == 0.0


def test_old_statement_of_r7_fails_on_the_search(monkeypatch):
    monkeypatch.setattr(r7, "AS_STATED_BEFORE", True)
    found = _search(0, 6, 2)
    worst, margin = min(found, key=lambda cm: cm[1])
    assert margin <= 0
    # the counterexample region: u(0) = 0 (c = -b) on the unit attaining g_max
    assert _no_lower_bound(worst)
    assert all(_no_lower_bound(c) for c, m in found if m <= 0)
    # the corrected statement: with the lower bound the same start holds
    monkeypatch.setattr(r7, "AS_STATED_BEFORE", False)
    assert r7.check(r7._with_lower_bounds(worst)) > 0


def test_corrected_statement_of_r7_holds_on_the_search():
    found = _search(0, 6, 0)
    assert min(m for _c, m in found) > 0


def test_the_harness_search_refutes_the_old_r7_and_not_the_new(monkeypatch):
    """The full mode's own search (replayed without a clock: 6 drawn, 4 refined)."""
    from proofs_checks.harness import run_search

    monkeypatch.setattr(r7, "AS_STATED_BEFORE", True)
    block, _ = run_search(r7.CLAIM, 0, counts=(6, 4))
    assert block["worst_margin"] <= 0 and block["failing"] >= 1
    assert _no_lower_bound(block["worst_case"])
    monkeypatch.setattr(r7, "AS_STATED_BEFORE", False)
    block, _ = run_search(r7.CLAIM, 0, counts=(6, 4))
    assert block["worst_margin"] > 0 and block["failing"] == 0
