"""Sweeps: the trend, resume, executors agree, batched = unbatched, bad specs."""

import json
import statistics

import pytest

from momentrnn.errors import InputError
from momentrnn.experiments import load_spec, read_results, run_sweep
from momentrnn.experiments import runner as runner_module

VOLATILE = {"seconds", "finished_at"}

LINEAR = {"family": "linear", "teachers": ["long_memory"], "scales": [1e-3, 1.0],
          "modes": ["random"], "seeds": [0, 1, 2], "dims": [20], "lengths": [100, 1000]}
GD = dict(LINEAR, trainer="gd", lr=0.01, steps=600, scales=[1e-2, 0.5], seeds=[0, 1],
          lengths=[50])


def _stable(rows):
    return sorted(json.dumps({k: v for k, v in r.items() if k not in VOLATILE},
                              sort_keys=True, default=str) for r in rows)


def test_linear_sweep_reproduces_the_trend(tmp_path):
    path = str(tmp_path / "r.jsonl")
    summary = run_sweep(LINEAR, path, progress=False)
    assert summary.completed == 6 and summary.skipped == 0
    rows = read_results(path)
    small = [r for r in rows if r["scale"] == 1e-3]
    large = [r for r in rows if r["scale"] == 1.0]
    assert statistics.median(r["effective_dimension"] for r in small) == 1
    assert statistics.median(r["extrapolation_max_1000"] for r in small) < 0.1
    assert statistics.median(r["extrapolation_max_1000"] for r in large) > \
        10 * statistics.median(r["extrapolation_max_1000"] for r in small)
    for r in rows:
        assert r["spec_digest"] == summary.spec_digest and r["momentrnn_version"]


def test_resume_after_an_interruption_gives_the_same_rows(tmp_path, monkeypatch):
    full = str(tmp_path / "full.jsonl")
    run_sweep(GD, full, runs_per_task=1, progress=False)
    part = str(tmp_path / "part.jsonl")
    real = runner_module.run_task
    calls = {"n": 0}

    def dies_after_two(params, runs):
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt
        return real(params, runs)

    monkeypatch.setattr(runner_module, "run_task", dies_after_two)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(GD, part, runs_per_task=1, progress=False)
    assert len(read_results(part)) == 2
    with open(part, "a") as handle:  # a write cut off mid-line by the kill
        handle.write('{"run_id": "trunc')
    monkeypatch.setattr(runner_module, "run_task", real)
    summary = run_sweep(GD, part, runs_per_task=1, progress=False)
    assert summary.skipped == 2 and summary.completed == 2
    assert _stable(read_results(part)) == _stable(read_results(full))


def test_batched_and_unbatched_runs_agree(tmp_path):
    one = str(tmp_path / "batched.jsonl")
    many = str(tmp_path / "single.jsonl")
    run_sweep(GD, one, progress=False)
    run_sweep(GD, many, runs_per_task=1, progress=False)
    a = {r["run_id"]: r for r in read_results(one)}
    b = {r["run_id"]: r for r in read_results(many)}
    assert a.keys() == b.keys()
    for key in a:
        assert a[key]["training_loss"] == pytest.approx(b[key]["training_loss"], rel=1e-9,
                                                        abs=1e-15)


def test_dask_executor_matches_in_process(tmp_path):
    pytest.importorskip("distributed")
    local = str(tmp_path / "local.jsonl")
    dask = str(tmp_path / "dask.jsonl")
    run_sweep(GD, local, runs_per_task=1, progress=False)
    summary = run_sweep(GD, dask, executor="dask", workers=2, runs_per_task=1, progress=False)
    assert summary.completed == 4
    assert _stable(read_results(dask)) == _stable(read_results(local))


def test_process_executor(tmp_path):
    path = str(tmp_path / "p.jsonl")
    s = run_sweep(GD, path, executor="processes", workers=2, runs_per_task=2, progress=False)
    assert s.completed == 4 and len(read_results(path)) == 4


def test_results_of_another_spec_are_not_mixed(tmp_path):
    path = str(tmp_path / "r.jsonl")
    run_sweep(GD, path, progress=False)
    other = dict(GD, lr=0.02)
    with pytest.raises(InputError, match="another spec"):
        run_sweep(other, path, progress=False)
    assert run_sweep(other, path, allow_mixed=True, progress=False).completed == 4


def test_diverging_runs_are_recorded_and_the_sweep_goes_on(tmp_path):
    path = str(tmp_path / "d.jsonl")
    spec = dict(GD, lr=5.0, steps=50, scales=[0.5])
    s = run_sweep(spec, path, progress=False)
    rows = read_results(path)
    assert s.completed == 2 and all(r["status"] == "diverged" for r in rows)
    assert all(isinstance(r["diverged_step"], int) for r in rows)


@pytest.mark.parametrize("bad, message", [
    ({"colour": "red"}, "unknown key"),
    ({"scales": [0, 1]}, "scales contains 0"),
    ({"teachers": ["nope"]}, "teachers contains 'nope'"),
    ({"seeds": 0}, "seeds=0"),
    ({"family": "quadratic"}, "family="),
    ({"trainer": "sgd"}, "trainer="),
    ({"lr": "fast"}, "lr="),
])
def test_bad_specs_name_the_key(bad, message):
    with pytest.raises(InputError, match=message):
        load_spec({**LINEAR, **bad})


def test_toml_spec(tmp_path):
    f = tmp_path / "spec.toml"
    f.write_text('family = "linear"\nscales = [1e-3]\nseeds = 2\nteachers = ["two_pole"]\n'
                 'modes = ["balanced"]\n')
    spec = load_spec(str(f))
    assert len(spec.runs) == 2 and spec.runs[0]["k"] == 7


@pytest.mark.parametrize("cell", ["tanh", "gru"])
def test_nonlinear_sweep_trend(tmp_path, cell):
    pytest.importorskip("torch")
    spec = {"family": "nonlinear", "cell": cell, "scales": [1e-3, 1.0], "seeds": [0, 1],
            "student_dims": [12], "teacher_dims": [2], "steps": 150, "lengths": [10, 50],
            "train_sequences": 64, "test_sequences": 32}
    path = str(tmp_path / "n.jsonl")
    run_sweep(spec, path, progress=False)
    rows = read_results(path)
    small = [r for r in rows if r["scale"] == 1e-3]
    large = [r for r in rows if r["scale"] == 1.0]
    assert statistics.median(r["state_rank_50"][0] for r in small) < \
        statistics.median(r["state_rank_50"][0] for r in large)
    assert statistics.median(r["extrapolation_rel_mse_50"] for r in small) < \
        statistics.median(r["extrapolation_rel_mse_50"] for r in large)


def test_cli_sweep_and_plot(tmp_path, capsys):
    from momentrnn.cli import main

    out = str(tmp_path / "cli.jsonl")
    code = main(["sweep", "--out", out, "--set", "scales=[1e-3, 1.0]", "--set", "seeds=2",
                 "--set", "dims=[12]", "--set", 'teachers=["two_pole"]', "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "median extrapolation error" in printed and "two_pole" in printed
    code = main(["plot", out, "--out", str(tmp_path / "figs"), "--format", "png"])
    assert code == 0
    assert (tmp_path / "figs" / "extrapolation_vs_scale.png").stat().st_size > 1000
    code = main(["sweep", "--out", out, "--set", "colour=1"])
    assert code == 2


def _bytes(path):
    with open(path, "rb") as handle:
        return handle.read()


@pytest.mark.parametrize("content", [
    b"my notes\nsecond line\n",
    b'family = "linear"\nscales = [1e-3]\n',
    b"\x00\x01\xff binary",
    b'{"run_id": 3}\n',
    b"[1, 2]\n",
    b"not a row, no newline",
])
def test_a_foreign_results_file_is_refused_untouched(tmp_path, content):
    path = tmp_path / "foreign.txt"
    path.write_bytes(content)
    before = path.stat().st_mtime_ns
    with pytest.raises(InputError, match="not a results file"):
        run_sweep(GD, str(path), progress=False)
    assert _bytes(path) == content and path.stat().st_mtime_ns == before


def test_a_torn_line_mid_file_is_reported_and_resume_is_exact(tmp_path):
    full = str(tmp_path / "full.jsonl")
    run_sweep(GD, full, runs_per_task=1, progress=False)
    lines = _bytes(full).splitlines(keepends=True)
    assert len(lines) == 4
    # a torn row in the middle: the second row loses its end, another garbage line follows
    torn = str(tmp_path / "torn.jsonl")
    with open(torn, "wb") as handle:
        handle.write(lines[0] + lines[1][:40] + b"\n" + b"[1, 2]\n" + lines[2])
    with pytest.warns(UserWarning, match=r"line\(s\) 2 \(not JSON\), 3 \(a JSON list"):
        assert len(read_results(torn)) == 2
    summary = run_sweep(GD, torn, runs_per_task=1, progress=False)
    assert summary.skipped == 2 and summary.completed == 2
    assert any("line(s) 2" in n for n in summary.notes)
    import warnings as _w

    with _w.catch_warnings(record=True):
        rows = read_results(torn)
    assert _stable(rows) == _stable(read_results(full))
    # a second resume does nothing and appends nothing
    size = len(_bytes(torn))
    again = run_sweep(GD, torn, runs_per_task=1, progress=False)
    assert again.completed == 0 and len(_bytes(torn)) == size
    # the garbage lines are still there, untouched, and every appended row starts a line
    assert _bytes(torn).startswith(lines[0] + lines[1][:40] + b"\n[1, 2]\n" + lines[2])


def test_unfinished_text_at_the_end_is_kept_on_its_own_line(tmp_path):
    path = str(tmp_path / "r.jsonl")
    whole = str(tmp_path / "whole.jsonl")
    run_sweep(GD, whole, runs_per_task=1, progress=False)
    with open(path, "wb") as handle:
        handle.write(b"".join(_bytes(whole).splitlines(keepends=True)[:2]))
        handle.write(b"a note without newline")
    with pytest.warns(UserWarning, match="line 3 is incomplete"):
        assert run_sweep(GD, path, runs_per_task=1, progress=False).completed == 2
    text = _bytes(path).decode()
    assert "\na note without newline\n{" in text
    import warnings as _w

    with _w.catch_warnings(record=True):
        assert _stable(read_results(path)) == _stable(read_results(whole))


def test_two_sweeps_on_one_file_never_write_a_run_twice(tmp_path, monkeypatch):
    import threading
    import time

    path = str(tmp_path / "r.jsonl")
    real = runner_module.run_task
    started = threading.Event()

    def slow(params, runs):
        started.set()
        time.sleep(0.3)
        return real(params, runs)

    monkeypatch.setattr(runner_module, "run_task", slow)
    first = threading.Thread(target=run_sweep, args=(GD, path),
                             kwargs={"runs_per_task": 1, "progress": False})
    first.start()
    started.wait(10)
    with pytest.raises(InputError, match="being written by another sweep"):
        run_sweep(GD, path, runs_per_task=1, progress=False)
    first.join(60)
    rows = read_results(path)
    assert len(rows) == 4 and len({r["run_id"] for r in rows}) == 4


def test_repeated_rows_count_once(tmp_path, capsys):
    from momentrnn.cli import main

    path = tmp_path / "r.jsonl"
    args = ["sweep", "--out", str(path), "--set", "scales=[1e-3]", "--set", "seeds=2",
            "--set", "dims=[8]", "--set", 'teachers=["decaying"]', "--set", 'modes=["random"]',
            "--quiet"]
    assert main(args) == 0
    path.write_bytes(_bytes(path) * 3)  # as two unlocked writers would have left it
    capsys.readouterr()
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "0 runs done, 2 already in" in out
    assert "4 repeated row(s)" in out and "| decaying | random | 0.001 | 2 |" in out


@pytest.mark.parametrize("kwargs, message", [
    ({"runs_per_task": -1}, "runs_per_task=-1"),
    ({"runs_per_task": 0}, "runs_per_task=0"),
    ({"workers": -1, "executor": "dask"}, "workers=-1"),
    ({"workers": 0, "executor": "processes"}, "workers=0"),
])
def test_bad_task_sizes_are_refused(tmp_path, kwargs, message):
    path = tmp_path / "r.jsonl"
    with pytest.raises(InputError, match=message):
        run_sweep(GD, str(path), progress=False, **kwargs)
    assert not path.exists()


def test_a_whole_last_row_without_its_newline_is_kept(tmp_path):
    path = str(tmp_path / "r.jsonl")
    run_sweep(GD, path, progress=False)
    with open(path, "rb") as handle:
        data = handle.read()
    with open(path, "wb") as handle:  # e.g. saved by an editor that drops the final newline
        handle.write(data.rstrip(b"\n"))
    before = _stable(read_results(path))
    other = dict(GD, lr=0.02)
    assert run_sweep(other, path, allow_mixed=True, progress=False).completed == 4
    rows = read_results(path)
    assert len(rows) == 8 and _stable(rows[:4]) == before
    # the same spec again: every run is already there, nothing is redone
    assert run_sweep(GD, path, allow_mixed=True, progress=False).completed == 0


def test_figures_of_diverged_runs_with_huge_finite_errors(tmp_path):
    # a diverged GD run leaves finite errors near 1e268: log axes that reach them overflow
    # in matplotlib's tick code, so they are drawn at the cap, marked, like infinite ones
    pytest.importorskip("matplotlib")
    from momentrnn.experiments.plots import plot_results

    path = tmp_path / "r.jsonl"
    run_sweep(GD, str(path), progress=False)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row, value in zip(rows, [4e268, 1e-300, 1e308, 0.0]):
        row["extrapolation_max_50"] = value
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    written = plot_results(str(path), str(tmp_path / "figs"), formats=("svg",))
    assert len(written) == 4
    svg = (tmp_path / "figs" / "extrapolation_vs_scale.svg").read_text()
    assert "or above 1e+200" in svg


def test_figures_leave_the_matplotlib_backend_and_pyplot_alone(tmp_path):
    import matplotlib
    import matplotlib.pyplot as plt

    from momentrnn.experiments import run_sweep
    from momentrnn.experiments.plots import plot_results

    out = str(tmp_path / "r.jsonl")
    run_sweep({"family": "linear", "teachers": ["decaying"], "dims": [4], "k": 3,
               "scales": [1e-2, 1.0], "modes": ["random"], "seeds": [0], "lengths": [50],
               "trainer": "gd", "lr": 0.05, "steps": 50}, out, progress=False)
    before = matplotlib.get_backend()
    matplotlib.use("svg")  # a backend the package would have replaced by Agg
    try:
        paths = plot_results(out, str(tmp_path / "figs"), formats=("png",))
        assert paths and matplotlib.get_backend() == "svg"
        assert plt.get_fignums() == []  # no figure left registered with pyplot
    finally:
        matplotlib.use(before)
