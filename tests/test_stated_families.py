"""The linear sweep family's spec rules, stated from ``docs/guide/experiments.md`` ("`k`
(default 2·atoms + 3)") and its validation messages: each range's largest accepted and
smallest refused value."""

from __future__ import annotations

import pytest

from momentrnn.errors import InputError
from momentrnn.experiments.spec import load_spec
from momentrnn.rnn.teachers import NAMED_TEACHERS

BASE = {"modes": ["random"], "scales": [1e-3], "seeds": 1}


@pytest.mark.parametrize("teacher", sorted(NAMED_TEACHERS))
def test_k_defaults_to_twice_the_teacher_s_atoms_plus_three(teacher):
    spec = load_spec({**BASE, "teachers": [teacher]})
    atoms = len(NAMED_TEACHERS[teacher][0])
    assert {r["k"] for r in spec.runs} == {2 * atoms + 3}
    assert {r["k"] for r in load_spec({**BASE, "teachers": [teacher], "k": 4}).runs} == {4}


def test_each_run_keeps_its_own_teacher_s_k():
    spec = load_spec({**BASE, "teachers": ["long_memory", "several"], "dims": [3, 5]})
    for r in spec.runs:
        assert r["k"] == 2 * len(NAMED_TEACHERS[r["teacher"]][0]) + 3
    assert sorted((r["teacher"], r["dim"]) for r in spec.runs) == [
        ("long_memory", 3), ("long_memory", 5), ("several", 3), ("several", 5)]


@pytest.mark.parametrize("key, good, bad, message", [
    ("until_loss", 0, -1e-300, "must be a finite loss >= 0"),
    ("until_loss", 1e300, float("inf"), "must be a finite loss >= 0"),
    ("k", 1, 0, "must be positive"),
    ("trainer", "gd", "adam", "use 'flow' or 'gd'"),
    ("backend", "torch", "jax", "use 'numpy' or 'torch'"),
    ("device", "cpu", "cuda", "needs backend"),
    ("teachers", ["two_pole"], ["nobody"], "teachers contains 'nobody'"),
    ("modes", ["balanced"], ["sideways"], "modes contains 'sideways'"),
    ("teachers", ["two_pole"], [], "must not be empty"),
])
def test_a_value_at_the_edge_of_its_range_is_taken_and_one_past_it_refused(key, good, bad,
                                                                            message):
    spec = {**BASE, "teachers": ["two_pole"]}
    load_spec({**spec, key: good})
    with pytest.raises(InputError, match=message):
        load_spec({**spec, key: bad})


def test_lags_times_dimension_may_reach_ten_million_and_not_pass_it():
    spec = {**BASE, "teachers": ["two_pole"], "k": 1000, "lengths": [10]}
    assert len(load_spec({**spec, "dims": [10_000]}).runs) == 1
    with pytest.raises(InputError, match="make 10001000 values per loss array, more than the "
                                         "10000000"):
        load_spec({**spec, "dims": [10_001]})
    # without k, the largest default k of the teachers counts
    several = 2 * len(NAMED_TEACHERS["several"][0]) + 3
    dim = 10_000_000 // several + 1
    with pytest.raises(InputError, match=f"k={several} lags with dims up to {dim}"):
        load_spec({**BASE, "teachers": ["two_pole", "several"], "dims": [dim],
                   "lengths": [10]})
