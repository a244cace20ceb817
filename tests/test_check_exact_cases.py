"""``check --format json`` writes the rationals of a check's cases in the schema's exact
convention, never as Python text (issue 22)."""

from __future__ import annotations

import json
import re
from fractions import Fraction

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn import _schema
from momentrnn.cli import main
from proofs_checks.harness import _jsonable
from proofs_checks.runner import _shown

_fractions = st.fractions(max_denominator=10**30).filter(lambda q: q.denominator > 1) | \
    st.sampled_from([Fraction(39, 100), Fraction(-1, 3), Fraction(1, 10**40)])


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict) and set(value) != {"exact", "float"}:
        for v in value.values():
            yield from _strings(v)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(_fractions, st.lists(_fractions, max_size=3))
def test_a_case_s_rationals_are_exact_values_alone_in_lists_and_in_matrices(q, row):
    case = {"x": q, "v": row, "M": [row, [q]], "name": "a", "n": 3, "t": 0.5, "flag": True}
    out = json.loads(json.dumps(_jsonable(case)))
    assert _schema.read_exact(out["x"]) == q
    assert [_schema.read_exact(v) for v in out["v"]] == row
    assert [[_schema.read_exact(v) for v in r] for r in out["M"]] == [row, [q]]
    assert {k: out[k] for k in ("name", "n", "t", "flag")} == {"name": "a", "n": 3, "t": 0.5,
                                                               "flag": True}
    assert _shown(out)["x"] == str(q) and _shown(out)["M"][1] == [str(q)]
    assert out["x"] == _schema.exact_value(q)  # the schema's own convention


def test_check_json_writes_exact_values_and_validates(capsys):
    assert main(["check", "--only", "M7", "--quick", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, _schema.json_schema())
    claim = doc["claims"][0]
    cases = [claim["worst_case"]] + [d["case"] for d in claim["details"] if "case" in d]
    exact_seen = 0
    for case in cases:
        text = json.dumps(case)
        assert "Fraction(" not in text, text
        for s in _strings(case):
            assert not re.fullmatch(r"-?\d+/\d+", s), (s, case)
        exact_seen += text.count('"exact"')
    assert exact_seen > 0


@pytest.mark.parametrize("given, written", [
    ((-1, 1), [("-1", -1.0), ("1", 1.0)]),
    ((0, 2), [("0", 0.0), ("2", 2.0)]),
    (("-inf", "inf"), [("-inf", "-inf"), ("inf", "inf")]),
    ((0.0, float("inf")), [("0", 0.0), ("inf", "inf")]),
    ((Fraction(-39, 100), Fraction(1, 3)), [("-39/100", -0.39), ("1/3", 1 / 3)]),
    ([0.1, 1], [(str(Fraction(0.1)), 0.1), ("1", 1.0)]),
])
def test_a_case_s_support_of_two_ends_is_written_as_two_exact_values(given, written):
    out = json.loads(json.dumps(_jsonable({"support": given}), allow_nan=False))["support"]
    assert out == [{"exact": e, "float": f} for e, f in written]


def test_a_support_named_by_a_label_stays_its_label():
    assert _jsonable({"support": "R"})["support"] == "R"
    assert _jsonable({"support": "[0, inf)"})["support"] == "[0, inf)"
