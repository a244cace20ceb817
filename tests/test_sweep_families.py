"""Sweep families come from one registry: a new family is one class and one register call."""

import json
import math
import re

import pytest

from momentrnn.errors import InputError
from momentrnn.experiments import load_spec, read_results, run_sweep
from momentrnn.experiments.families import (
    FAMILIES,
    ScaleFigure,
    SweepFamily,
    SweepRow,
    family_named,
    register_family,
)
from momentrnn.experiments.families.base import positive_list, seed_list

# the families registered by the package itself (read from the registry, never listed here)
SHIPPED = ", ".join(FAMILIES)


class Geometric(SweepFamily):
    """A toy family: the partial sums sum_{j<q} scale * r^j of geometric series, in closed form
    (scale * (1 - r^q) / (1 - r)); the 'loss' is the distance of the closed form to the
    infinite sum."""

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
        return [{"ratio": r, "scale": s, "seed": seed} for r in p["ratios"]
                for s in p["scales"] for seed in p["seeds"]]

    def run_group(self, params, runs):
        rows = []
        for run in runs:
            r, s = run["ratio"], run["scale"]
            sums = {q: {"partial_sum": s * (1 - r**q) / (1 - r)} for q in params["lengths"]}
            rows.append(SweepRow(dict(run), abs(s / (1 - r) - sums[max(sums)]["partial_sum"]),
                                 sums, {"limit": s / (1 - r)},
                                 loss_curve=[[q, abs(s * r**q / (1 - r))]
                                             for q in sorted(params["lengths"])]))
        return rows

    def summary_table(self, rows):
        return (["ratio", "scale", "limit"],
                [[r.run["ratio"], r.run["scale"], r.value("limit")] for r in rows])

    def scale_figures(self, rows):
        return [ScaleFigure("limit_vs_scale", "limit", ("ratio",),
                            lambda row: row.value("limit"), log=True)]


@pytest.fixture
def geometric():
    family = register_family(Geometric())
    yield family
    del FAMILIES["geometric"]


SPEC = {"family": "geometric", "ratios": [0.5, -0.25], "scales": [1.0, 3.0], "seeds": 2,
        "lengths": [1, 6]}


def test_a_registered_family_runs_through_run_sweep(geometric, tmp_path):
    path = str(tmp_path / "g.jsonl")
    summary = run_sweep(SPEC, path, progress=False)
    assert summary.total == 8 and summary.completed == 8 and summary.diverged == 0
    rows = read_results(path)
    assert len(rows) == 8 and len({r["run_id"] for r in rows}) == 8
    for row in rows:
        assert row["family"] == "geometric" and row["spec_digest"] == summary.spec_digest
        r, s = row["ratio"], row["scale"]
        for q in (1, 6):  # the closed form against the sum term by term
            assert row[f"partial_sum_{q}"] == pytest.approx(sum(s * r**j for j in range(q)),
                                                            rel=1e-14)
        assert list(row)[:5] == ["run_id", "ratio", "scale", "seed", "training_loss"]
        typed = geometric.read_row(row)
        assert typed.lengths("partial_sum") == {1, 6}
        assert typed.value("partial_sum", 6) == row["partial_sum_6"]
        assert typed.value("limit") == pytest.approx(s / (1 - r))
    # resume: nothing left to do, nothing appended
    again = run_sweep(SPEC, path, progress=False)
    assert again.completed == 0 and again.skipped == 8 and len(read_results(path)) == 8
    lines = geometric.table(rows)
    assert lines[0] == "| ratio | scale | limit |" and len(lines) == 2 + 8
    assert lines[1] == "|---|---|---|" and all(line.startswith("| ") for line in lines[2:])


def test_a_registered_family_runs_in_worker_processes(geometric, tmp_path):
    local = str(tmp_path / "local.jsonl")
    procs = str(tmp_path / "procs.jsonl")
    run_sweep(SPEC, local, progress=False)
    run_sweep(SPEC, procs, executor="processes", workers=1, runs_per_task=4, progress=False)

    def stable(path):
        return sorted(json.dumps({k: v for k, v in r.items() if k != "finished_at"},
                                 sort_keys=True) for r in read_results(path))

    assert stable(local) == stable(procs)


def test_a_registered_family_is_plotted(geometric, tmp_path):
    pytest.importorskip("matplotlib")
    from momentrnn.experiments.plots import plot_results

    path = str(tmp_path / "g.jsonl")
    run_sweep(SPEC, path, progress=False)
    written = plot_results(path, str(tmp_path / "figs"), formats=("png",))
    assert sorted(p.rsplit("/", 1)[1] for p in written) == ["limit_vs_scale.png",
                                                           "training_curves.png"]


def test_an_unknown_family_is_refused_with_the_registered_names(geometric, tmp_path):
    with pytest.raises(InputError, match=r"family='quadratic' is not known; use one of "
                                         + re.escape(f"{SHIPPED}, geometric")):
        load_spec({"family": "quadratic"})
    with pytest.raises(InputError, match="is not known"):
        family_named(None)
    path = tmp_path / "r.jsonl"
    with pytest.raises(InputError, match="family='quadratic'"):
        run_sweep({"family": "quadratic"}, str(path), progress=False)
    assert not path.exists()


def test_an_unregistered_family_is_unknown(tmp_path):
    assert "geometric" not in FAMILIES
    with pytest.raises(InputError, match="family='geometric' is not known; use one of "
                                         + re.escape(SHIPPED) + "$"):
        load_spec(SPEC)


@pytest.mark.parametrize("bad, message", [
    ({"ratios": [0.5, 1.5]}, "ratios contains 1.5; a geometric series converges only"),
    ({"ratios": [-1]}, "ratios contains -1;"),
    ({"scales": [0.0]}, "scales contains 0.0"),
    ({"seeds": 0}, "seeds=0"),
    ({"ratios": "0.5"}, "ratios='0.5' has the wrong type: a list expected"),
    ({"teachers": ["two_pole"]}, "unknown key.* teachers for a geometric sweep; known: family, "
                                 "lengths, ratios, scales, seeds"),
])
def test_the_family_validation_names_the_bad_parameter(geometric, tmp_path, bad, message):
    with pytest.raises(InputError, match=message):
        load_spec({**SPEC, **bad})
    path = tmp_path / "r.jsonl"
    with pytest.raises(InputError, match=message):
        run_sweep({**SPEC, **bad}, str(path), progress=False)
    assert not path.exists()


class _Broken(Geometric):
    name = "broken"


@pytest.mark.parametrize("change, message", [
    ({"name": "two words"}, "name='two words' must be a name"),
    ({"defaults": {"family": "x", **Geometric.defaults}}, "must not hold 'family'"),
    ({"types": {"ratios": list}}, "types must give the type of every key"),
    ({"group_fields": ("teacher",)}, r"group_fields names \['teacher'\]"),
    ({"table_fields": ("ratio", "colour")}, r"table_fields names \['colour'\]"),
    ({"grid_keys": ("ratio",)}, r"grid_keys names \['ratio'\]"),
    ({"headline": "error"}, "headline='error' is not one of its length_metrics"),
    ({"run_fields": {"run_id": str, "ratio": float}}, "must not hold 'run_id'"),
])
def test_a_family_with_inconsistent_declarations_is_refused(change, message):
    broken = _Broken()
    for key, value in change.items():
        setattr(broken, key, value)
    with pytest.raises(InputError, match=message):
        register_family(broken)
    assert "broken" not in FAMILIES and "two words" not in FAMILIES
    with pytest.raises(InputError, match="needs a SweepFamily instance, got type"):
        register_family(Geometric)


def test_a_family_must_define_its_runner():
    class Bare(SweepFamily):
        name = "bare"

    with pytest.raises(InputError, match="Bare must define expand, run_group, summary_table"):
        register_family(Bare())
    assert "bare" not in FAMILIES


def test_a_metric_named_like_a_run_field_is_refused():
    row = SweepRow({"ratio": 0.5, "run_id": "x"}, 0.0, {}, {"ratio": 1.0})
    with pytest.raises(InputError, match="'ratio' twice"):
        row.to_json()
    row = SweepRow({"ratio": 0.5, "run_id": "x"}, 0.0, {3: {"m": 1.0}}, {"m_3": 2.0})
    with pytest.raises(InputError, match="'m_3' twice"):
        row.to_json()


def test_rows_read_back_typed_from_the_flat_names():
    linear = family_named("linear")
    data = {"run_id": "a", "teacher": "two_pole", "dim": 4, "mode": "random", "scale": 0.1,
            "seed": 0, "k": 7, "training_loss": 1e-9, "extrapolation_max_100": 0.5,
            "extrapolation_sq_100": 0.25, "extrapolation_max_20": math.inf,
            "extrapolation_max_x": 3.0, "effective_dimension": 2, "status": "finished",
            "diverged_step": None, "loss_curve": [[0, 1.0]], "seconds": 0.1}
    row = linear.read_row(data)
    assert row.at_length == {100: {"extrapolation_max": 0.5, "extrapolation_sq": 0.25},
                             20: {"extrapolation_max": math.inf}}
    assert row.metrics == {"extrapolation_max_x": 3.0, "effective_dimension": 2}
    assert row.to_json() == data
    assert linear.usable(row)
    assert linear.read_row(dict(data, dim="4")) is None  # a run field of the wrong kind
    assert linear.read_row(dict(data, scale=True)) is None
    assert not linear.usable(linear.read_row(dict(data, scale=-1.0)))


def test_old_specs_keep_their_digests_and_run_ids():
    # results files written before the families were objects must still resume
    spec = load_spec({"family": "linear"})
    assert (spec.digest, len(spec.runs), spec.runs[0]["run_id"], spec.runs[-1]["run_id"]) == \
        ("25ec99421e8f1adb", 80, "ee2872883e4a6f3c", "4b9090644b83d5d8")
    spec = load_spec({"family": "nonlinear", "seeds": [3, 1], "cell": "gru"})
    assert (spec.digest, len(spec.runs), spec.runs[0]["run_id"], spec.runs[-1]["run_id"]) == \
        ("84610834d80cc1c9", 8, "82d803231d5fd74a", "f6a0b353722b0a66")


def test_the_command_line_runs_a_registered_family(geometric, tmp_path, capsys):
    from momentrnn.cli import main

    out = str(tmp_path / "cli.jsonl")
    code = main(["sweep", "--family", "geometric", "--out", out, "--set", "ratios=[0.5, 0.9]",
                 "--set", "lengths=[3]", "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "2 runs done, 0 already in" in printed
    assert "| 0.5 | 1.0 | 2.0 |" in printed and "| 0.9 | 1.0 | 10.0" in printed
    rows = read_results(out)
    assert sorted(r["partial_sum_3"] for r in rows) == pytest.approx([1.75, 2.71])
    # the family's validation, through the command line: exit 2, the key named
    code = main(["sweep", "--family", "geometric", "--out", str(tmp_path / "bad.jsonl"),
                 "--set", "ratios=[2.0]", "--quiet"])
    assert code == 2
    assert "ratios contains 2.0; a geometric series converges only" in capsys.readouterr().err
    assert not (tmp_path / "bad.jsonl").exists()


def test_the_command_line_refuses_an_unknown_family(tmp_path, capsys):
    from momentrnn.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["sweep", "--family", "geometric", "--out", str(tmp_path / "r.jsonl")])
    assert exc.value.code == 2
    assert f"invalid choice: 'geometric' (choose from {SHIPPED})" in \
        re.sub(r"'(\w+)'(?=[,)])", r"\1", capsys.readouterr().err)
    spec = tmp_path / "spec.toml"
    spec.write_text('family = "quadratic"\n')
    assert main(["sweep", str(spec), "--out", str(tmp_path / "r.jsonl")]) == 2
    assert f"family='quadratic' is not known; use one of {SHIPPED}" in \
        capsys.readouterr().err
    assert not (tmp_path / "r.jsonl").exists()


class _Miscounting(Geometric):
    name = "miscounting"
    grid_keys = ("ratios", "scales")  # forgets the seeds: the run limit would be checked wrong


class _ExtraField(Geometric):
    name = "extra_field"

    def expand(self, p):
        return [dict(run, colour="red") for run in super().expand(p)]


class _DropsRows(Geometric):
    name = "drops_rows"

    def run_group(self, params, runs):
        return super().run_group(params, runs)[1:]


class _Dicts(Geometric):
    name = "dicts"

    def run_group(self, params, runs):
        return [row.to_json() for row in super().run_group(params, runs)]


@pytest.mark.parametrize("cls, message", [
    (_Miscounting, "_Miscounting.check_size counts 4 runs but _Miscounting.expand makes 8"),
    (_ExtraField, r"expand made a run with the fields \['colour', 'ratio', 'scale', 'seed'\]"),
])
def test_a_family_whose_expansion_disagrees_is_refused(cls, message):
    register_family(cls())
    try:
        with pytest.raises(InputError, match=message):
            load_spec(dict(SPEC, family=cls.name))
    finally:
        del FAMILIES[cls.name]


@pytest.mark.parametrize("cls", [_DropsRows, _Dicts])
def test_a_runner_that_does_not_return_one_row_per_run_is_refused(cls, tmp_path):
    register_family(cls())
    path = tmp_path / "r.jsonl"
    try:
        with pytest.raises(InputError, match=f"{cls.__name__}.run_group returned .* it must "
                                             "return one SweepRow per run"):
            run_sweep(dict(SPEC, family=cls.name), str(path), progress=False)
    finally:
        del FAMILIES[cls.name]
    assert not path.exists()  # nothing was written


def test_plotting_rows_of_an_unregistered_family_names_it(tmp_path):
    pytest.importorskip("matplotlib")
    from momentrnn.experiments.plots import plot_results

    path = str(tmp_path / "g.jsonl")
    register_family(Geometric())
    try:
        run_sweep(SPEC, path, progress=False)
    finally:
        del FAMILIES["geometric"]
    with pytest.raises(InputError, match="family='geometric' is not known; use one of "
                                         + re.escape(SHIPPED)):
        plot_results(path, str(tmp_path / "figs"), formats=("png",))
    # a row whose family is not even a string is another family's row, not a crash
    rows = read_results(path)
    (tmp_path / "odd.jsonl").write_text(json.dumps(dict(rows[0], family=[1])) + "\n")
    with pytest.raises(InputError, match=r"family='\[1\]' is not known"):
        plot_results(str(tmp_path / "odd.jsonl"), str(tmp_path / "figs"), formats=("png",))
    assert not (tmp_path / "figs").exists()


class _NoScale(Geometric):
    name = "no_scale"
    run_fields = {"ratio": (int, float), "seed": int}
    table_fields = ("ratio",)
    grid_keys = ("ratios", "seeds")

    def expand(self, p):
        return [{"ratio": r, "seed": seed} for r in p["ratios"] for seed in p["seeds"]]

    def run_group(self, params, runs):
        return [SweepRow(dict(run), 0.0, {4: {"partial_sum": 1.0}}) for run in runs]


def test_plotting_a_family_without_scales_says_why(tmp_path):
    from momentrnn.experiments.plots import plot_results

    register_family(_NoScale())
    path = str(tmp_path / "r.jsonl")
    try:
        assert run_sweep({"family": "no_scale"}, path, progress=False).completed == 1
        with pytest.raises(InputError, match="no_scale runs, which have no 'scale' field"):
            plot_results(path, str(tmp_path / "figs"), formats=("png",))
    finally:
        del FAMILIES["no_scale"]


def test_a_registered_family_is_not_replaced_by_accident(geometric):
    with pytest.raises(InputError, match="'geometric' is registered already"):
        register_family(Geometric())
    again = Geometric()
    assert register_family(again, replace=True) is again and FAMILIES["geometric"] is again
    assert register_family(again) is again  # the same object again is not a replacement
