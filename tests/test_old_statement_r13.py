"""R13 as it was stated before (k >= 2d + 1 suffices, long memory included) is false: the
check, switched back to that statement, fails on the counterexample region (an atom at 1,
k = 2d + 1, random initialisation), and its search finds the region first; as restated it
holds on both sides of the boundary."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import proofs_checks.r13 as r13
from momentrnn.errors import InputError


def _region_case():
    return r13.region_cases(True, 0)[0]


def test_old_statement_fails_on_the_region(monkeypatch):
    monkeypatch.setattr(r13, "AS_STATED_BEFORE", True)
    case = _region_case()
    assert case["k"] == 3 and case["atoms"] == [1.0] and case["init"] == "random"
    # the old statement claims this case extrapolates: the median error is far above 0.05
    assert r13.check(case) <= 0
    # the search's first case is the boundary the old statement allows: it is in the region
    drawn = r13.search(0, 1)[0]
    assert drawn["atoms"][0] == 1.0 and drawn["k"] == 2 * len(drawn["atoms"]) + 1
    assert drawn["init"] == "random"
    assert r13.check(drawn) <= 0


def test_restated_claim_holds_on_both_sides():
    case = _region_case()
    assert r13.in_region(case)
    # inside: some seed ends at a signed measure that does not extrapolate (measured)
    assert r13.check(case) > 0
    # outside: the search's boundary case (an atom at 1, k = 2d + 3) extrapolates
    drawn = r13.search(0, 1)[0]
    assert drawn["atoms"][0] == 1.0 and drawn["k"] == 2 * len(drawn["atoms"]) + 3
    assert not r13.in_region(drawn) and r13.covered(drawn)
    assert r13.check(drawn) > 0


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31 - 1), walk=st.integers(0, 2**31 - 1),
       old=st.booleans())
def test_search_and_refine_stay_inside_the_statement(seed, walk, old):
    # as restated: never the region, never a case the statement leaves open; as stated before:
    # every case is one the old statement claimed (k >= 2d + 1), the region included
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(r13, "AS_STATED_BEFORE", old)
        rng = random.Random(walk)
        for case in r13.search(seed, 6):
            for _ in range(4):
                assert r13.covered(case) and not r13.in_region(case)
                assert 1e-4 <= case["scale"] <= 1e-3
                assert len(set(case["atoms"])) == len(case["atoms"])
                assert all(abs(x) < 1 or x == 1.0 for x in case["atoms"])
                lo, hi = r13.WEIGHTS  # the stated teachers: weights 0.05 to 20, atoms 0.02 apart
                assert lo <= min(case["weights"]) and max(case["weights"]) <= hi
                assert r13._separated(case)
                gap = case["k"] - 2 * len(case["atoms"])
                assert 1 <= gap <= 5 and (old or gap >= 3 or max(case["atoms"]) < 1)
                case = r13.refine(case, rng)


def test_a_case_outside_the_statement_is_refused():
    case = dict(_region_case(), k=4)  # an atom at 1, k = 2d + 2: neither claimed nor region
    with pytest.raises(InputError, match="outside the statement"):
        r13.check(case)
