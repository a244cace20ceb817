"""One name per quantity in every JSON output, and the schema that says so (issue 22)."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentrnn import _schema

_SETTINGS = settings(max_examples=6, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow])

# names that one quantity had, or might be given, in two outputs; at most one of each group
# may appear anywhere in the schema
SYNONYMS = [
    {"imbalance", "imbalance_final", "final_imbalance"},
    {"negative_mass", "negative_mass_final", "final_negative_mass"},
    {"learned_measure.vouched_digits", "learned_measure.digits", "learned_digits"},
    {"training_loss", "final_loss", "loss_final"},
    {"extrapolation_sq", "extrapolation_sum", "extrapolation_error_sum"},
]


def _keys(schema: dict, defs: dict, prefix: str = "", seen: tuple = ()) -> set[str]:
    """Every property name of ``schema``, nested ones as ``outer.inner``."""
    out: set[str] = set()
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return set() if name in seen else _keys(defs[name], defs, prefix, (*seen, name))
    for key, sub in schema.get("properties", {}).items():
        out.add(prefix + key)
        if isinstance(sub, dict):
            out |= _keys(sub, defs, f"{prefix}{key}.", seen)
    for sub in [*schema.get("anyOf", []), schema.get("items"),
                schema.get("additionalProperties")]:
        if isinstance(sub, dict):
            out |= _keys(sub, defs, prefix, seen)
    return out


def _all_keys() -> dict[str, set[str]]:
    full = _schema.json_schema()
    defs = full["$defs"]
    kinds = {**_schema.KIND_SCHEMAS, "sweep_row": defs["sweep_row"]}
    return {kind: _keys(body, defs) for kind, body in kinds.items()}


def test_no_quantity_has_two_names_across_kinds():
    by_kind = _all_keys()
    every = set().union(*by_kind.values())
    for group in SYNONYMS:
        used = sorted(group & every)
        assert len(used) <= 1, f"one quantity, several names: {used}"
    bare = {key.rsplit(".", 1)[-1] for key in every}
    finals = sorted(k for k in bare if k.endswith("_final") and k[:-6] in bare)
    assert not finals, f"a quantity both with and without _final: {finals}"
    # a sweep row's learned_X is the flow report's learned_measure.X
    row_learned = {k for k in by_kind["sweep_row"] if k.startswith("learned_")}
    assert row_learned
    for key in row_learned:
        assert "learned_measure." + key[len("learned_"):] in by_kind["flow"], key


def test_the_teacher_s_atoms_are_exact_values_in_the_schema():
    flow = _schema.KIND_SCHEMAS["flow"]["properties"]
    for key in ("teacher_atoms", "teacher_weights"):
        assert flow[key]["items"] == {"$ref": "#/$defs/exact_number"}


@_SETTINGS
@given(st.lists(st.sampled_from([0.39, -0.3, 0.7, 1 / 3, 0.05]), min_size=1, max_size=2,
                unique=True), st.sampled_from([1e-12, 1e-6]))
def test_a_sweep_row_and_a_flow_report_name_what_they_share_alike(atoms, loss):
    """The row's metrics and a trajectory's report use the same names for the final
    imbalance and negative mass."""
    from momentrnn import DiagonalRNN
    from momentrnn.experiments.linear import linear_metrics

    w = np.sqrt(np.arange(1, len(atoms) + 1) / 3)
    row = linear_metrics(DiagonalRNN(np.array(atoms), w, w), loss)
    flow = _schema.KIND_SCHEMAS["flow"]["properties"]
    for key in ("imbalance", "negative_mass"):
        assert key in row and key in flow
    assert "learned_vouched_digits" in row


def test_the_flow_report_writes_the_teacher_one_way(tmp_path, capsys):
    """The doubles trained against are exact values; the definition is its text, a named
    teacher's integer written ``1`` (as ``--teacher-atoms 1`` writes it), not ``1.0``."""
    import jsonschema

    from momentrnn.cli import main

    schema = _schema.json_schema()
    for args, atoms, defined in (
            (["--teacher", "long_memory"], [Fraction(1)], ["1"]),
            (["--teacher-atoms", "1", "--teacher-weights", "1"], [Fraction(1)], ["1"]),
            (["--teacher-atoms", "39/100", "--teacher-weights", "1"], [Fraction(0.39)],
             ["39/100"])):
        code = main(["flow", *args, "--dim", "3", "--k", "3", "--t-max", "1", "--quiet",
                     "--format", "json"])
        data = json.loads(capsys.readouterr().out)
        assert code in (0, 1)
        jsonschema.validate(data, schema)
        assert data["teacher"]["atoms"] == defined
        assert [Fraction(a["exact"]) for a in data["teacher_atoms"]] == atoms
        assert [a["float"] for a in data["teacher_atoms"]] == [float(a) for a in atoms]
        assert "imbalance" in data and "negative_mass" in data
        assert "imbalance_final" not in data
        assert math.isfinite(data["imbalance"])
