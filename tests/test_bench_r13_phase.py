"""The R13 phase-diagram benchmark counts what it measured and nothing else: a failing run
that the second pass did not take to its loss target is "undecided", not "persistent"; a
resumed run skips the rows already written."""

import csv
import importlib.util
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_r13_phase.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_r13_phase", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(seed, error, **extra):
    row = {"teacher": "delta_1", "at_one": 1, "d_hat": 1, "gap": 1, "k": 3, "init": "random",
           "dim": 4, "sigma": 1e-3, "seed": seed, "status": "converged", "stop": "loss",
           "final_loss": "1e-12", "wall_s": "0.5", "max_error": error,
           "negative_mass": "5.6e-4", "overshoot": "9.5e-4", "rank": 3}
    row.update(extra)
    return row


def _write(path, fields, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        writer.writerows(rows)


def test_undecided_second_pass_runs_are_not_counted_as_persistent(bench, tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    # seeds 0-3 fail (error > 0.05), seed 4 does not
    _write(first, bench.FIELDS, [_row(s, e) for s, e in
                                 enumerate(["1.56", "0.39", "0.2",
                                            "0.1", "0.001"])])
    tight = [  # 0: persists at 1e-16; 1: fixed; 2: wall cap (no number); 3: stalled, still bad
        {"stop": "loss", "max_error_tight": "1.55"},
        {"stop": "loss", "max_error_tight": "0.01"},
        {"stop": "wall", "max_error_tight": ""},
        {"stop": "stalled", "max_error_tight": "0.2"},
    ]
    rows = [{"teacher": "delta_1", "gap": 1, "init": "random", "dim": 4, "sigma": 1e-3,
             "seed": s, **t} for s, t in enumerate(tight)]
    _write(second, bench.TIGHT_FIELDS, rows)
    table = bench.compact(str(first), str(second), 1e-3)
    assert "| delta_1 | 1 (3) | not run | not run | 4/5 (1 + 2 undecided) | not run |" in table
    summary = bench.summary(str(first), str(second))
    assert "| 4/5 |" in summary and "| 1 + 2 undecided |" in summary
    # without the second pass every failing run is undecided
    assert "4/5 (0 + 4 undecided)" in bench.compact(str(first), None, 1e-3)


def test_a_resumed_run_skips_the_rows_written(bench, tmp_path, monkeypatch):
    path = tmp_path / "runs.csv"
    calls = []

    def fake(name, gap, init, dim, sigma, seed):
        calls.append((name, gap, init, dim, sigma, seed))
        return {"teacher": name, "gap": gap, "init": init, "dim": dim, "sigma": sigma,
                "seed": seed, "stop": "loss", "max_error": "0.001"}

    monkeypatch.setattr(bench, "one_run", fake)
    quick = list(bench.grid(True))
    _write(path, bench.FIELDS, [{**dict(zip(("teacher", "gap", "init", "dim", "sigma",
                                              "seed"), p)), "stop": "loss"}
                                for p in quick[:5]])
    bench.run(str(path), quick=True)
    assert calls == quick[5:]
    with open(path, newline="") as f:
        assert [bench._key(r) for r in csv.DictReader(f)] == quick


def test_a_subset_runs_one_teachers_and_one_inits_cells(bench):
    """``--teacher``/``--init`` (the balanced cells rerun on the invariant set) keep exactly
    those runs of the grid, in its order, and tighten only theirs."""
    everything = list(bench.grid(False))
    only = {"teacher": "delta_1", "init": "balanced"}
    subset = list(bench.grid(False, only))
    assert subset == [p for p in everything if p[0] == "delta_1" and p[2] == "balanced"]
    assert len(subset) == len(bench.GAPS) * len(bench.DIMS) * len(bench.SIGMAS) * 10
    assert len(list(bench.grid(False, {"teacher": None, "init": "balanced"}))) == \
        len(everything) // 2
    assert bench._selected(("delta_1/2", 1, "balanced", 4, 1e-3, 0), only) is False
    assert bench._selected(("delta_1", 1, "random", 4, 1e-3, 0), only) is False
    assert bench._selected(("delta_1", 1, "balanced", 4, 1e-3, 0), None) is True
