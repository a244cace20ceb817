"""Sweeps: one run id per distinct computation, values that do not depend on batching, and the
Dask executor's leftovers, interrupts and settings."""

import json

import pytest

from momentrnn.experiments import load_spec, read_results, run_sweep

VOLATILE = {"seconds", "finished_at"}

GD = {"family": "linear", "teachers": ["long_memory"], "modes": ["random"], "dims": [20],
      "trainer": "gd", "lr": 0.01, "steps": 400, "scales": [1e-2, 0.05, 0.39, 0.7, 1.0],
      "seeds": [0], "lengths": [50]}


def _by_id(path):
    return {r["run_id"]: {k: v for k, v in r.items() if k not in VOLATILE}
            for r in read_results(path)}


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_runs_values_do_not_depend_on_its_batch(tmp_path, backend):
    if backend == "torch":
        pytest.importorskip("torch")
    spec = dict(GD, backend=backend)
    rows = {}
    for n in (1, 2, 3):
        path = str(tmp_path / f"r{n}.jsonl")
        run_sweep(spec, path, runs_per_task=n, progress=False)
        rows[n] = _by_id(path)
    assert len(rows[1]) == 5
    for n in (2, 3):
        for key, row in rows[1].items():
            # bit for bit: the training loss and the whole loss curve
            assert json.dumps(rows[n][key], sort_keys=True) == json.dumps(row, sort_keys=True)
    # resuming a file of an odd number of rows runs the rest in another batch: same bits
    full = str(tmp_path / "r2.jsonl")
    with open(full) as handle:
        lines = handle.readlines()
    for kept in (1, 2, 3):
        part = str(tmp_path / f"part{kept}.jsonl")
        with open(part, "w") as handle:
            handle.writelines(lines[:kept])
        summary = run_sweep(spec, part, progress=False)
        assert summary.skipped == kept and summary.completed == 5 - kept
        assert _by_id(part) == rows[1]


def test_a_nonlinear_runs_values_do_not_depend_on_its_batch(tmp_path):
    pytest.importorskip("torch")
    spec = {"family": "nonlinear", "student_dims": [6], "scales": [0.1, 0.39, 1.0],
            "seeds": 1, "steps": 15, "lengths": [10], "train_sequences": 16,
            "test_sequences": 8, "k": 5}
    rows = {}
    for n in (1, 3):
        path = str(tmp_path / f"n{n}.jsonl")
        run_sweep(spec, path, runs_per_task=n, progress=False)
        rows[n] = _by_id(path)
    assert len(rows[1]) == 3 and rows[1] == rows[3]


LINEAR = {"family": "linear", "teachers": ["long_memory"], "modes": ["random"],
          "scales": [0.39], "seeds": [0], "dims": [3], "lengths": [10]}


@pytest.mark.parametrize("changes, runs", [
    ({"seeds": [0, 0]}, 1),
    ({"seeds": [3, 1, 3, 1]}, 2),
    ({"scales": [1e-3, 0.001]}, 1),
    ({"scales": [1, 1.0]}, 1),
    ({"scales": [1 / 3, 0.39, 1 / 3, 0.39]}, 2),
    ({"teachers": ["long_memory", "two_pole", "long_memory"]}, 2),
    ({"modes": ["random", "random"]}, 1),
    ({"dims": [3, 3, 5]}, 2),
])
def test_the_grid_is_deduplicated_by_value(changes, runs):
    spec = load_spec(dict(LINEAR, **changes))
    ids = [r["run_id"] for r in spec.runs]
    assert len(ids) == len(set(ids)) == runs
    # one computation, one run: no two runs equal as values
    values = [tuple(sorted((k, v) for k, v in r.items() if k != "run_id")) for r in spec.runs]
    assert len(set(values)) == runs
    assert any("repeat" in note for note in spec.notes)
    # the same spec without the repeats: the same runs, ids and digest
    plain = {k: list(dict.fromkeys(v)) if isinstance(v, list) else v
             for k, v in dict(LINEAR, **changes).items()}
    again = load_spec(plain)
    assert [r["run_id"] for r in again.runs] == ids and again.digest == spec.digest
    assert not again.notes


def test_a_nonlinear_grid_is_deduplicated_by_value():
    spec = load_spec({"family": "nonlinear", "student_dims": [4, 4], "teacher_dims": [2, 2],
                      "scales": [0.5, 0.5], "seeds": [7, 7]})
    assert len(spec.runs) == len({r["run_id"] for r in spec.runs}) == 1


def test_repeated_grid_values_are_noted_and_run_once(tmp_path, capsys):
    path = str(tmp_path / "r.jsonl")
    summary = run_sweep(dict(LINEAR, seeds=[0, 0], scales=[1, 1.0]), path, progress=True)
    assert summary.total == summary.completed == 1
    rows = read_results(path)
    assert len(rows) == 1
    err = capsys.readouterr().err
    assert "seeds repeats 0" in err and "scales repeats 1.0" in err
    assert any("repeat" in note for note in summary.notes)


TINY = ["--set", 'teachers=["long_memory"]', "--set", 'modes=["random"]', "--set",
        "scales=[0.39]", "--set", "dims=[3]", "--set", "lengths=[10]", "--set",
        'trainer="gd"']


def _env(tmp, **extra):
    import os

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DASK_") and k != "MOMENTRNN_DEBUG"}
    env.update(TMPDIR=str(tmp), **extra)
    return env


def test_a_finished_dask_sweep_leaves_nothing_in_the_temporary_folder(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    import tempfile

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    path = str(tmp_path / "r.jsonl")
    summary = run_sweep(dict(LINEAR, trainer="gd", steps=20, seeds=[0, 1]), path,
                        executor="dask", workers=1, progress=False)
    assert summary.completed == 2
    assert list(tmp.iterdir()) == []


def test_a_bad_dask_setting_is_named_in_one_line(tmp_path):
    pytest.importorskip("distributed")
    import os
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "momentrnn", "sweep", "--out", str(tmp_path / "r.jsonl"),
         "--executor", "dask", "--workers", "1", "--quiet", *TINY, "--set", "steps=5"],
        capture_output=True, text=True, timeout=120, cwd=os.getcwd(),
        env=_env(tmp_path, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="abc"))
    assert proc.returncode == 2, proc.stderr
    assert "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT='abc'" in proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert not (tmp_path / "r.jsonl").exists()


def _default_sigint():
    """A child's SIGINT as an interactive Ctrl-C finds it: a shell starts background jobs
    with SIGINT ignored and Python keeps an ignored SIGINT ignored, so a suite run in the
    background would otherwise start sweeps that rightly ignore Ctrl-C."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_of_a_dask_sweep_stops_it_in_one_line(tmp_path):
    pytest.importorskip("distributed")
    import os
    import signal
    import subprocess
    import sys
    import time

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "r.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "momentrnn", "sweep", "--out", str(out), "--executor", "dask",
         "--workers", "2", "--runs-per-task", "1", "--quiet", *TINY, "--set",
         "seeds=[0, 1, 2, 3]", "--set", "steps=5000000", "--set", "until_loss=0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=os.getcwd(),
        env=_env(tmp), start_new_session=True, preexec_fn=_default_sigint)
    try:
        # the workers are spawned when both have their folders (they may still be coming
        # up: a Ctrl-C then stops the sweep once they are); Ctrl-C, as a terminal sends it,
        # to the whole process group, once
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            workers = [p for p in tmp.rglob("worker-*") if p.is_dir()]
            if len(workers) >= 2:
                break
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()[1]
        time.sleep(1.0)
        os.killpg(proc.pid, signal.SIGINT)
        sent = time.monotonic()
        _, err = proc.communicate(timeout=90)
        stopped = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, err
    # promptly: the workers are stopped at once (under a second on an idle machine, where
    # Dask's own close waits 4 s for the running task)
    assert stopped < 30, stopped
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "distributed." not in err, err  # no log lines of the cluster
    # no run finished: the results file was never written, and the message says so
    assert len(err.strip().splitlines()) == 1, err
    assert "interrupted: no run of the spec's 4 completed" in err, err
    assert f"{out} was not written; run the same command again to start the sweep" in err
    assert not out.exists()
    time.sleep(1.0)
    assert list(tmp.iterdir()) == []


def _sigint_bits(pid):
    """Whether SIGINT is ignored, and blocked, in process ``pid`` (Linux /proc)."""
    fields = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            fields[key] = int(value.strip(), 16) if key in ("SigIgn", "SigBlk") else None
    return bool(fields["SigIgn"] & 2), bool(fields["SigBlk"] & 2)


def test_ctrl_c_while_the_dask_workers_come_up_stops_the_sweep(tmp_path, monkeypatch):
    # a Ctrl-C after the workers are spawned but before the cluster is up (seconds on a busy
    # machine) stops the sweep once it is up; it is never lost. The workers ignore it.
    distributed = pytest.importorskip("distributed")
    psutil = pytest.importorskip("psutil")
    import os
    import signal
    import sys
    import threading
    import time

    from momentrnn.experiments.runner import SweepInterrupted

    if not sys.platform.startswith("linux"):
        pytest.skip("reads signal dispositions from /proc")
    real = distributed.LocalCluster
    seen = {}

    def cluster_then_ctrl_c(**kwargs):
        cluster = real(**kwargs)
        seen["cluster"] = cluster
        workers = [p for p in psutil.Process().children()
                   if "--multiprocessing-fork" in p.cmdline()]
        seen["workers"] = {p.pid: _sigint_bits(p.pid) for p in workers}
        # as a terminal's Ctrl-C: to this process, while the cluster's start is not done
        deadline = time.monotonic() + 10
        while (signal.getsignal(signal.SIGINT) is signal.SIG_IGN
               and time.monotonic() < deadline):
            time.sleep(0.01)
        seen["handler"] = signal.getsignal(signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.5)  # the start goes on a while after it
        return cluster

    monkeypatch.setattr(distributed, "LocalCluster", cluster_then_ctrl_c)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    path = tmp_path / "r.jsonl"
    try:
        with pytest.raises(SweepInterrupted, match="no run of the spec's 2 completed"):
            run_sweep(dict(LINEAR, trainer="gd", steps=20, seeds=[0, 1]), str(path),
                      executor="dask", workers=2, progress=False)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert threading.current_thread() is threading.main_thread()
    assert seen["handler"] is signal.default_int_handler  # Ctrl-C was ours again
    assert len(seen["workers"]) == 2
    assert all(ignored for ignored, _ in seen["workers"].values()), seen["workers"]
    assert seen["cluster"].status.name == "closed"
    assert not path.exists()
