"""A new kind of sweep: the partial sums of geometric series in closed form. Everything that
differs between kinds of sweep is one SweepFamily object; register_family makes its name a
valid spec ``family`` for load_spec, run_sweep, ``momentrnn sweep`` and ``momentrnn plot``."""

import tempfile
from pathlib import Path

from momentrnn._schema import json_schema
from momentrnn.errors import InputError
from momentrnn.experiments import (
    FAMILIES,
    SweepFamily,
    SweepRow,
    load_spec,
    read_results,
    register_family,
    run_sweep,
)
from momentrnn.experiments.families.base import positive_list, seed_list


class Geometric(SweepFamily):
    name = "geometric"
    description = "partial sums of geometric series (a toy)"
    defaults = {"ratios": [0.5], "scales": [1.0], "seeds": 1, "lengths": [4]}
    types = {"ratios": list, "scales": list, "seeds": (int, list), "lengths": list}
    grid_keys = ("ratios", "scales", "seeds")
    run_fields = {"ratio": (int, float), "scale": (int, float), "seed": int}
    group_fields = ("ratio",)
    table_fields = ("ratio", "scale")
    length_metrics = ("partial_sum",)
    headline = "partial_sum"
    # the JSON Schema of each metric: the published schema of a row refuses other keys
    metric_schemas = {"partial_sum": {"$ref": "#/$defs/number"}}

    def validate(self, p):
        p = dict(p, seeds=seed_list(p["seeds"]))
        positive_list(p, "scales")
        positive_list(p, "lengths", integer=True)
        for r in p["ratios"]:
            if isinstance(r, bool) or not isinstance(r, (int, float)) or not abs(r) < 1:
                raise InputError(f"ratios contains {r!r}; a geometric series converges only "
                                 "for ratios with |r| < 1")
        return p

    def expand(self, p):
        return [{"ratio": r, "scale": s, "seed": seed}
                for r in p["ratios"] for s in p["scales"] for seed in p["seeds"]]

    def run_group(self, params, runs):
        return [SweepRow(dict(run), 0.0,
                         {q: {"partial_sum": run["scale"] * (1 - run["ratio"] ** q)
                              / (1 - run["ratio"])} for q in params["lengths"]})
                for run in runs]

    def summary_table(self, rows):
        return (["ratio", "scale", "partial sum (q=4)"],
                [[r.run["ratio"], r.run["scale"], r.value("partial_sum", 4)] for r in rows])


register_family(Geometric())

# The family is now a spec value like the others.
with tempfile.TemporaryDirectory() as folder:
    path = str(Path(folder) / "geometric.jsonl")
    summary = run_sweep({"family": "geometric", "ratios": [0.5, -0.5], "scales": [2.0]}, path,
                        progress=False)
    assert summary.completed == 2
    assert sorted(r["partial_sum_4"] for r in read_results(path)) == [1.25, 3.75]
    schema = {"$defs": json_schema()["$defs"], "$ref": "#/$defs/sweep_row"}
    try:  # its rows validate against the schema of the registered families
        import jsonschema
    except ImportError:
        pass
    else:
        for row in read_results(path):
            jsonschema.validate(row, schema)
    print("\n".join(FAMILIES["geometric"].table(read_results(path))))
try:  # the family's own validation speaks for it
    load_spec({"family": "geometric", "ratios": [1.0]})
except InputError as exc:
    print("refused:", exc)
else:
    raise AssertionError("a divergent series was accepted")
