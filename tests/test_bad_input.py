"""Bad input, broken output and interruptions: a message naming the value, never a traceback.

Every case runs through the command line (``main`` in process, or a subprocess where the
process itself matters: signals, closed streams, file-size limits) or the API, and asserts a
non-zero exit (or the documented exception) with one message line that names the value, no
traceback, no change to a file the command was not asked to write, and a bounded time.
"""

import hashlib
import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from momentrnn.cli import main
from momentrnn.errors import InputError, IntegrationError, MomentRNNError, OutputError
from momentrnn.experiments import runner as runner_module

BOUND_S = 20.0  # no case may compute longer than this

SMALL = ["--set", "scales=[1e-2]", "--set", "seeds=1", "--set", "dims=[6]",
         "--set", 'teachers=["decaying"]', "--set", 'modes=["random"]',
         "--set", 'trainer="gd"', "--set", "steps=50", "--quiet"]
SPEC_TOML = b'family = "linear"\nscales = [1e-2]\nseeds = 1\n'
ROW = b'{"run_id": "a", "spec_digest": "b"}\n'
DEEP = "[" * 100_000
HUGE = "1" * 100_000


def _has_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return True  # nothing to test
    return torch.cuda.is_available()


# id, argv ({tmp} is the case's folder), files to create, stdin, exit code, message pattern
CLI_CASES = [
    # results files that are not results files, and output paths that cannot be written
    ("sweep-out-folder", ["sweep", "--out", "{tmp}/dir", *SMALL], {"dir/": None}, None, 3,
     "results file .*dir' is a folder"),
    ("sweep-out-missing-folder", ["sweep", "--out", "{tmp}/no/r.jsonl", *SMALL], {}, None, 3,
     "cannot open results file .*no/r.jsonl.*No such file"),
    ("sweep-out-notes", ["sweep", "--out", "{tmp}/notes.txt", *SMALL],
     {"notes.txt": b"my notes\nmore notes\n"}, None, 2, "notes.txt' is not a results file"),
    ("sweep-out-is-the-spec", ["sweep", "{tmp}/spec.toml", "--out", "{tmp}/spec.toml",
                               "--quiet"], {"spec.toml": SPEC_TOML}, None, 2,
     "spec.toml' is not a results file"),
    ("sweep-out-binary", ["sweep", "--out", "{tmp}/img.png", *SMALL],
     {"img.png": b"\x89PNG\r\n\x1a\n\x00\x00\xff"}, None, 2, "img.png' is not a results file"),
    ("sweep-out-device", ["sweep", "--out", "/dev/zero", *SMALL], {}, None, 3,
     "results file '/dev/zero' is not a regular file"),
    ("plot-device", ["plot", "/dev/zero", "--out", "{tmp}/figs"], {}, None, 2,
     "results file '/dev/zero' is not a regular file"),
    ("sweep-out-deep-json", ["sweep", "--out", "{tmp}/deep.jsonl", *SMALL],
     {"deep.jsonl": DEEP.encode() + b"\n"}, None, 2, "deep.jsonl' is not a results file"),
    # empty grids and sizes that cannot be run
    ("sweep-no-teachers", ["sweep", "--out", "{tmp}/r.jsonl", "--set", "teachers=[]"], {},
     None, 2, "teachers must not be empty"),
    ("sweep-no-modes", ["sweep", "--out", "{tmp}/r.jsonl", "--set", "modes=[]"], {}, None, 2,
     "modes must not be empty"),
    ("sweep-no-scales", ["sweep", "--out", "{tmp}/r.jsonl", "--set", "scales=[]"], {}, None, 2,
     "scales must not be empty"),
    ("sweep-no-seeds", ["sweep", "--out", "{tmp}/r.jsonl", "--set", "seeds=[]"], {}, None, 2,
     r"seeds=\[\] must be"),
    ("sweep-no-student-dims", ["sweep", "--out", "{tmp}/r.jsonl", "--family", "nonlinear",
                               "--set", "student_dims=[]"], {}, None, 2,
     "student_dims must not be empty"),
    ("sweep-runs-per-task-negative", ["sweep", "--out", "{tmp}/r.jsonl", "--runs-per-task",
                                      "-1", *SMALL], {}, None, 2,
     "--runs-per-task: -1 must be a positive integer"),
    ("sweep-runs-per-task-zero", ["sweep", "--out", "{tmp}/r.jsonl", "--runs-per-task", "0",
                                  *SMALL], {}, None, 2,
     "--runs-per-task: 0 must be a positive integer"),
    ("sweep-dask-workers-negative", ["sweep", "--out", "{tmp}/r.jsonl", "--executor", "dask",
                                     "--workers", "-1", *SMALL], {}, None, 2,
     "--workers: -1 must be a positive integer"),
    ("sweep-k-million", ["sweep", "--out", "{tmp}/r.jsonl", "--set", "k=1000000"], {}, None, 2,
     "k=1000000 lags are more than the 10000"),
    ("sweep-length-huge", ["sweep", "--out", "{tmp}/r.jsonl", "--set",
                           "lengths=[1000000000000]"], {}, None, 2,
     "length 1000000000000 .* needs .* of memory"),
    ("sweep-dims-huge", ["sweep", "--out", "{tmp}/r.jsonl", "--set", "dims=[1000000000000]"],
     {}, None, 2, "dimension 1000000000000 needs .* of memory"),
    ("sweep-device-invalid", ["sweep", "--out", "{tmp}/r.jsonl", "--set", 'backend="torch"',
                              "--set", 'device="gpu0"', *SMALL], {}, None, 2,
     "device='gpu0' is not a torch device; use 'cpu'"),
    ("sweep-device-on-numpy", ["sweep", "--out", "{tmp}/r.jsonl", "--set", 'device="cuda"',
                               *SMALL], {}, None, 2, "device='cuda' needs backend"),
    ("sweep-seed-negative", ["sweep", "--out", "{tmp}/r.jsonl", "--set", "seeds=[-1]"], {},
     None, 2, r"seeds=\[-1\] must be"),
    ("sweep-set-100k-digits", ["sweep", "--out", "{tmp}/r.jsonl", "--set", f"lr={HUGE}"], {},
     None, 2, r"--set 'lr=1111.*\(100003 characters\)"),
    ("sweep-set-deep", ["sweep", "--out", "{tmp}/r.jsonl", "--set", f"scales={DEEP}"], {},
     None, 2, "the value is nested too deeply"),
    ("sweep-set-two-keys", ["sweep", "--out", "{tmp}/r.jsonl", "--set", "seeds=1\nlr=5"], {},
     None, 2, "one KEY=VALUE per --set"),
    ("sweep-spec-utf16", ["sweep", "{tmp}/s.toml", "--out", "{tmp}/r.jsonl"],
     {"s.toml": "seeds = 1\n".encode("utf-16")}, None, 2, "s.toml' is UTF-16 text"),
    ("sweep-spec-binary", ["sweep", "{tmp}/s.toml", "--out", "{tmp}/r.jsonl"],
     {"s.toml": b"\x00\xff\xfe\x00"}, None, 2, "s.toml' is not UTF-8 text"),
    ("sweep-spec-deep", ["sweep", "{tmp}/s.toml", "--out", "{tmp}/r.jsonl"],
     {"s.toml": f"scales = {DEEP}".encode()}, None, 2, "s.toml' is nested too deeply"),
    ("sweep-spec-missing", ["sweep", "{tmp}/none.toml", "--out", "{tmp}/r.jsonl"], {}, None,
     2, "cannot read spec .*none.toml"),
    # plot: files that are not results, rows that are not complete runs
    ("plot-foreign", ["plot", "{tmp}/notes.txt", "--out", "{tmp}/figs"],
     {"notes.txt": b"notes\n"}, None, 2, "notes.txt' is not a results file"),
    ("plot-missing", ["plot", "{tmp}/none.jsonl", "--out", "{tmp}/figs"], {}, None, 2,
     "none.jsonl' does not exist"),
    ("plot-folder", ["plot", "{tmp}", "--out", "{tmp}/figs"], {}, None, 2, "is a folder"),
    ("plot-rows-not-objects", ["plot", "{tmp}/r.jsonl", "--out", "{tmp}/figs"],
     {"r.jsonl": ROW + b'[1, 2]\n"text"\n{"run_id": 5}\n' + DEEP.encode() + b"\n"}, None, 2,
     "r.jsonl holds no completed runs"),
    ("plot-bad-format", ["plot", "{tmp}/r.jsonl", "--format", "gif"], {"r.jsonl": ROW}, None,
     2, "format 'gif': use png, svg or pdf"),
    # flow: outputs, time and size bounds, bad numbers
    ("flow-json-folder", ["flow", "--teacher", "decaying", "--json", "{tmp}", "--quiet"], {},
     None, 3, "--json .* is a folder"),
    ("flow-json-missing-folder", ["flow", "--teacher", "decaying", "--json",
                                  "{tmp}/no/r.json", "--quiet"], {}, None, 3,
     "--json .*no/r.json': the folder .* does not exist"),
    ("flow-json-full-device", ["flow", "--teacher", "decaying", "--dim", "6", "--k", "3",
                               "--json", "/dev/full", "--quiet"], {}, None, 3,
     "cannot write --json '/dev/full': No space left on device"),
    ("flow-plot-extension", ["flow", "--teacher", "decaying", "--plot", "{tmp}/p.txt",
                             "--quiet"], {}, None, 2, "--plot .*p.txt': name a .png"),
    ("flow-t-max-tiny", ["flow", "--teacher", "decaying", "--t-max", "1e-300", "--quiet"], {},
     None, 2, "t_max=1e-300 is below 1e-100"),
    ("flow-t-max-inf", ["flow", "--teacher", "decaying", "--t-max", "inf", "--quiet"], {},
     None, 2, "t_max=inf must be a positive finite number"),
    ("flow-until-loss-nan", ["flow", "--teacher", "decaying", "--until-loss", "nan",
                             "--quiet"], {}, None, 2, "until_loss=nan must be a finite loss"),
    ("flow-until-loss-negative", ["flow", "--teacher", "decaying", "--until-loss", "-1",
                                  "--quiet"], {}, None, 2,
     "until_loss=-1.0 must be a finite loss"),
    ("flow-k-million", ["flow", "--teacher", "decaying", "--k", "1000000", "--quiet"], {},
     None, 2, "k=1000000 lags are more than the 10000"),
    ("flow-length-huge", ["flow", "--teacher", "decaying", "--length", "1000000000000",
                          "--quiet"], {}, None, 2,
     "extrapolation error at length 1000000000000 needs .* of memory"),
    ("flow-dim-huge", ["flow", "--teacher", "decaying", "--dim", "1000000000000", "--quiet"],
     {}, None, 2, "a student of dimension 1000000000000 needs .* of memory"),
    ("flow-dim-100k-digits", ["flow", "--teacher", "decaying", "--dim", HUGE], {}, None, 2,
     r"--dim: '1111.*\(100000 characters\)' is not an integer"),
    ("flow-seed-negative", ["flow", "--teacher", "decaying", "--seed", "-1", "--quiet"], {},
     None, 2, "seed=-1 must be a non-negative integer"),
    ("flow-init-scale-zero", ["flow", "--teacher", "decaying", "--init-scale", "0"], {}, None,
     2, "--init-scale 0.0 must be a positive finite number"),
    ("flow-lr-nan", ["flow", "--teacher", "decaying", "--gd", "--lr", "nan"], {}, None, 2,
     "--lr nan must be a positive finite number"),
    ("flow-teacher-atoms-negative", ["flow", "--teacher-atoms", "-0.5,2", "--teacher-weights",
                                     "1", "--quiet"], {}, None, 2,
     "2 teacher atoms but 1 weights"),
    # recover, check: input reading and options
    ("recover-deep-json", ["recover", "-"], {}, DEEP, 2, "nested too deeply"),
    ("recover-binary-file", ["recover", "{tmp}/m.bin"], {"m.bin": b"\x00\xff\x01\x02"}, None,
     2, "m.bin' is not text"),
    ("recover-endless-device", ["recover", "/dev/zero"], {}, None, 2,
     "moments '/dev/zero' are longer than 256 MiB"),
    ("recover-dps-zero", ["recover", "-", "--dps", "0"], {}, "1\n0\n1/3\n0\n", 2,
     "--dps: 0 must be a positive integer"),
    ("check-only-comma", ["check", "--only", ","], {}, None, 2, "--only ',' names no claim"),
    ("check-jobs-zero", ["check", "--jobs", "0"], {}, None, 2,
     "--jobs: 0 must be a positive integer"),
]
if not _has_cuda():
    CLI_CASES.append(
        ("sweep-cuda-on-cpu-build", ["sweep", "--out", "{tmp}/r.jsonl", "--set",
                                     'backend="torch"', "--set", 'device="cuda"', *SMALL], {},
         None, 2, "device='cuda': this PyTorch has no usable CUDA device"))

# inputs whose reading belongs to the moments engine, run here as well
MOMENTS_ENGINE = [
    ("recover-zero-one", ["recover", "-"], "[0, 1]\n", "m_0|zero|0"),
    ("recover-zero-zero-zero-one", ["recover", "-"], "[0, 0, 0, 1]\n", "m_0|zero|0"),
]


def _snapshot(folder) -> dict:
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            out[os.path.join(root, name)] = "dir"
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                out[path] = hashlib.sha256(handle.read()).hexdigest()
    return out


def _make(tmp_path, files: dict) -> None:
    for name, data in files.items():
        if data is None:
            (tmp_path / name).mkdir()
        else:
            (tmp_path / name).write_bytes(data)


def _assert_one_message(err: str, pattern: str) -> str:
    import re

    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1, err
    assert len(lines[0]) < 1000, lines[0][:200]
    assert "internal error" not in lines[0], lines[0]
    assert re.search(pattern, lines[0]), lines[0]
    return lines[0]


def _run_main(argv, stdin, capsys, monkeypatch):
    if stdin is not None:
        import io

        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    start = time.perf_counter()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    elapsed = time.perf_counter() - start
    out = capsys.readouterr()
    return code, out.out, out.err, elapsed


@pytest.mark.parametrize("case", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_refuses_with_one_line(case, tmp_path, capsys, monkeypatch):
    _, argv, files, stdin, code, pattern = case
    _make(tmp_path, files)
    before = _snapshot(tmp_path)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    got, _, err, elapsed = _run_main(argv, stdin, capsys, monkeypatch)
    assert got == code, (got, err)
    _assert_one_message(err, pattern)
    assert _snapshot(tmp_path) == before  # nothing created, nothing changed
    assert elapsed < BOUND_S


@pytest.mark.parametrize("case", MOMENTS_ENGINE, ids=[c[0] for c in MOMENTS_ENGINE])
def test_moments_edge_input(case, capsys, monkeypatch):
    _, argv, stdin, pattern = case
    got, out, err, elapsed = _run_main(argv, stdin, capsys, monkeypatch)
    assert got == 2, (got, err)
    _assert_one_message(err, pattern)
    assert elapsed < BOUND_S


def test_huge_exact_moments_are_recovered_exactly(capsys, monkeypatch):
    # anything a rational can hold works: atoms +-1e200 with weights 1/2
    got, out, err, _ = _run_main(["recover", "-", "--exact"], "[1, 0, 1e400, 0]\n", capsys,
                                 monkeypatch)
    assert got == 0 and "Traceback" not in err
    assert "1" + "0" * 200 in out


def test_negative_option_values_are_values(capsys, monkeypatch):
    got, out, err, _ = _run_main(["bounds", "-", "--support", "-1,1"], "1\n0\n1/3\n", capsys,
                                 monkeypatch)
    assert got == 0, err
    assert "Traceback" not in err


def test_closed_stdin_in_process(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)
    got, _, err, _ = _run_main(["recover", "-"], None, capsys, monkeypatch)
    assert got == 2
    _assert_one_message(err, "standard input is closed")


def test_unreachable_scheduler_fails_fast(tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(runner_module, "SCHEDULER_TIMEOUT", 1)
    out = tmp_path / "r.jsonl"
    got, _, err, elapsed = _run_main(["sweep", "--out", str(out), "--executor", "dask",
                                      "--scheduler", "tcp://127.0.0.1:9", *SMALL], None,
                                     capsys, monkeypatch)
    assert got == 2 and elapsed < 10
    _assert_one_message(err, "cannot reach the Dask scheduler 'tcp://127.0.0.1:9' within 1 s")
    assert not out.exists()


def test_rows_that_are_not_runs_are_reported_and_skipped_by_plot(tmp_path, capsys,
                                                                 monkeypatch):
    pytest.importorskip("matplotlib")
    results = tmp_path / "r.jsonl"
    assert main(["sweep", "--out", str(results), *SMALL]) == 0
    good = results.read_bytes()
    row = json.loads(good.splitlines()[0])
    odd = dict(row, run_id="other", teacher="no_such_teacher")
    results.write_bytes(good + b"[1]\n" + DEEP.encode() + b"\n" + json.dumps(odd).encode()
                        + b"\n" + good)
    capsys.readouterr()
    got, out, err, _ = _run_main(["plot", str(results), "--out", str(tmp_path / "f"),
                                  "--format", "png"], None, capsys, monkeypatch)
    assert got == 0 and "Traceback" not in err
    assert "line(s) 2 (a JSON list, not an object), 3 (JSON nested too deeply)" in err
    assert "1 repeated row(s)" in err
    assert (tmp_path / "f" / "learned_atoms.png").exists()


def test_interrupted_sweep_says_how_to_resume(tmp_path, capsys, monkeypatch):
    real = runner_module.run_task
    calls = {"n": 0}

    def stop_second(params, runs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(params, runs)

    monkeypatch.setattr(runner_module, "run_task", stop_second)
    out = tmp_path / "r.jsonl"
    args = ["sweep", "--out", str(out), *SMALL, "--set", "seeds=3", "--runs-per-task", "1"]
    got, _, err, _ = _run_main(args, None, capsys, monkeypatch)
    assert got == 130 and "Traceback" not in err
    assert f"interrupted: {out} holds 1 of the spec's 3 runs" in err
    assert "run the same command again to resume" in err
    monkeypatch.setattr(runner_module, "run_task", real)
    got, stdout, _, _ = _run_main(args, None, capsys, monkeypatch)
    assert got == 0 and "2 runs done, 1 already in" in stdout
    assert len({json.loads(line)["run_id"] for line in out.read_text().splitlines()}) == 3


@pytest.mark.parametrize("before", [0, 1], ids=["new file", "file with a row"])
def test_an_interrupt_before_any_row_says_what_the_file_holds(tmp_path, capsys, monkeypatch,
                                                              before):
    out = tmp_path / "r.jsonl"
    args = ["sweep", "--out", str(out), *SMALL, "--set", "seeds=3", "--runs-per-task", "1"]
    if before:  # a file that holds one row of the spec: it is kept, and says so
        monkeypatch.setattr(runner_module, "run_task", _interrupt_after(1))
        assert _run_main(args, None, capsys, monkeypatch)[0] == 130
        assert len(out.read_text().splitlines()) == 1
    monkeypatch.setattr(runner_module, "run_task", _interrupt_after(0))
    got, _, err, _ = _run_main(args, None, capsys, monkeypatch)
    assert got == 130 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    if before:
        assert f"interrupted: {out} holds 1 of the spec's 3 runs, every row complete; run " \
               "the same command again to resume" in err
        assert len(out.read_text().splitlines()) == 1
    else:
        assert f"interrupted: no run of the spec's 3 completed and {out} was not written; " \
               "run the same command again to start the sweep" in err
        assert not out.exists()


def _interrupt_after(n):
    real = runner_module.run_task
    calls = {"n": 0}

    def run(params, runs):
        calls["n"] += 1
        if calls["n"] > n:
            raise KeyboardInterrupt
        return real(params, runs)

    return run


def test_a_ctrl_c_while_the_commands_load_stops_in_one_line(monkeypatch, capsys):
    from momentrnn.cli import _main

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(_main, "build_parser", interrupted)
    assert main(["check", "--quick"]) == 130
    captured = capsys.readouterr()
    assert captured.err == "momentrnn: interrupted\n" and captured.out == ""


def test_killed_dask_workers_are_reported(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")

    class Future:
        def result(self):
            raise distributed.KilledWorker("task", "worker", 3)

        def cancel(self):
            pass

    class Client:
        def __init__(self, address, timeout):
            pass

        def submit(self, *args, **kwargs):
            return Future()

        def close(self):
            pass

    monkeypatch.setattr(distributed, "Client", Client)
    monkeypatch.setattr(distributed, "as_completed", iter)
    out = tmp_path / "r.jsonl"
    spec = {"family": "linear", "teachers": ["decaying"], "scales": [1e-2], "seeds": 2,
            "modes": ["random"], "dims": [6], "trainer": "gd", "steps": 50}
    with pytest.raises(IntegrationError, match="KilledWorker.*no run of the spec's 2 completed "
                       "and .*r.jsonl was not written; run the same command again to start"):
        runner_module.run_sweep(spec, str(out), executor="dask", scheduler="tcp://x:1",
                                progress=False)
    assert not out.exists()


def worker_dies(params, runs):  # run in a pool worker: the process ends abruptly
    os._exit(1)


def test_a_dead_pool_worker_is_reported(tmp_path):
    delivered = []
    with pytest.raises(IntegrationError, match="a worker process died.*resume"):
        runner_module._run_processes({}, [[{}]], delivered.append, 1,
                                     lambda: "r.jsonl holds 0 runs; run again to resume",
                                     fn=worker_dies)
    assert delivered == []


# --------------------------------------------------------------------------------------
# The API


def _student(**kw):
    from momentrnn.rnn import init_student

    return init_student(6, scale=1e-2, seed=0, **kw)


def _teacher():
    from momentrnn.rnn import named_teacher

    return named_teacher("decaying")


def _flow(**kw):
    from momentrnn.dynamics import integrate_flow

    return integrate_flow(_student(), _teacher(), k=3, **kw)


def _gd(**kw):
    from momentrnn.dynamics import gradient_descent

    args = {"k": 3, "lr": 0.01, "steps": 5, **kw}
    return gradient_descent(_student(), _teacher(), **args)


def _torch_gd(device):
    pytest.importorskip("torch")
    return _gd(backend="torch", device=device)


API_CASES = [
    ("flow-until-loss-nan", lambda: _flow(until_loss=math.nan), "until_loss=nan"),
    ("flow-until-loss-negative", lambda: _flow(until_loss=-1e-3), "until_loss=-0.001"),
    ("flow-record-zero", lambda: _flow(record=0), "record=0 must be a positive integer"),
    ("flow-max-steps-zero", lambda: _flow(max_steps=0), "max_steps=0 must be a positive"),
    ("flow-max-steps-bool", lambda: _flow(max_steps=True), "max_steps=True must be"),
    ("flow-t-max-tiny", lambda: _flow(t_max=1e-300), "t_max=1e-300 is below"),
    ("flow-t-max-nan", lambda: _flow(t_max=math.nan), "t_max=nan must be"),
    ("flow-rtol-bool", lambda: _flow(rtol=True), "rtol=True must be"),
    ("flow-length-zero", lambda: _flow(extrapolation_length=0), "extrapolation_length=0"),
    ("flow-length-huge", lambda: _flow(extrapolation_length=10**13), "needs .* of memory"),
    ("flow-k-million", lambda: __import__("momentrnn.dynamics").dynamics.integrate_flow(
        _student(), _teacher(), k=10**6), "k=1000000 lags"),
    ("gd-lr-true", lambda: _gd(lr=True), "lr=True must be a positive finite step size"),
    ("gd-until-loss-nan", lambda: _gd(until_loss=math.nan), "until_loss=nan"),
    ("gd-record-every-bool", lambda: _gd(record_every=True), "record_every=True"),
    ("gd-device-on-numpy", lambda: _gd(device="cuda"), "device='cuda' is for backend='torch'"),
    ("gd-device-invalid", lambda: _torch_gd("gpu"), "device='gpu' is not a torch device"),
    ("gd-device-not-string", lambda: _torch_gd(0), "device=0 must be a string"),
    ("gd-device-cuda-index", lambda: _torch_gd("cuda:99"), "device='cuda:99'"),
    ("student-diagonal-string", lambda: _student(diagonal="yes"),
     "diagonal='yes' must be True or False"),
    ("student-seed-negative", lambda: __import__("momentrnn.rnn").rnn.init_student(
        4, scale=1e-2, seed=-1), "seed=-1 must be a non-negative integer"),
    ("student-scale-nan32", lambda: __import__("momentrnn.rnn").rnn.init_student(
        4, scale=np.float32("nan")), "scale=nan must be a positive finite number"),
    ("student-dim-huge", lambda: __import__("momentrnn.rnn").rnn.init_student(
        10**12, scale=1e-2), "student of dimension 1000000000000 needs"),
    ("impulse-response-huge", lambda: _teacher().impulse_response(10**13),
     "impulse response of 10000000000000 lags .* needs"),
    ("spec-device-invalid", lambda: __import__("momentrnn.experiments").experiments.load_spec(
        {"device": "gpu"}), "device='gpu' is not a torch device"),
    ("spec-no-teachers", lambda: __import__("momentrnn.experiments").experiments.load_spec(
        {"teachers": []}), "teachers must not be empty"),
    ("spec-nonlinear-k-none", lambda: __import__("momentrnn.experiments").experiments.load_spec(
        {"family": "nonlinear", "k": None}), "k=None must be a positive number"),
]
if not _has_cuda():
    API_CASES.append(("gd-cuda-on-cpu-build", lambda: _torch_gd("cuda"),
                      "device='cuda': this PyTorch has no usable CUDA device"))


@pytest.mark.parametrize("case", API_CASES, ids=[c[0] for c in API_CASES])
def test_api_refuses_with_a_named_value(case):
    _, call, pattern = case
    start = time.perf_counter()
    with pytest.raises(MomentRNNError, match=pattern) as info:
        call()
    assert isinstance(info.value, (InputError, OutputError))
    assert "\n" not in str(info.value)
    assert time.perf_counter() - start < BOUND_S


def test_numpy_scalars_are_numbers():
    from momentrnn.experiments import load_spec
    from momentrnn.rnn import init_student

    a = init_student(4, scale=np.float32(1e-3), seed=np.int64(2))
    b = init_student(4, scale=float(np.float32(1e-3)), seed=2)
    assert np.array_equal(a.a, b.a)
    spec = load_spec({"scales": [np.float32(0.5), np.float64(1e-3)], "seeds": np.int64(2)})
    # teachers x modes x scales x seeds
    assert spec.params["scales"] == [0.5, 1e-3] and len(spec.runs) == 2 * 2 * 2 * 2


def test_flow_with_an_empty_learned_measure_still_reports(tmp_path, capsys):
    report = tmp_path / "r.json"
    code = main(["flow", "--teacher", "long_memory", "--dim", "6", "--k", "3", "--t-max",
                 "1e-10", "--json", str(report), "--quiet"])
    out = capsys.readouterr()
    assert code == 0 and "Traceback" not in out.err
    # an untrained run's loss allows no rank decision: undetermined, never a clear "none"
    assert "learned measure      not recovered (undetermined)" in out.out
    data = json.loads(report.read_text())
    assert data["effective_dimension"] is None
    assert data["effective_dimension_verdict"] == "undetermined"
    assert data["learned_measure"]["atoms"] == []
    # nothing is read below the accuracy, so nothing is decided: not "no"
    assert data["learned_measure"]["agrees_with_teacher"] is None
    assert data["learned_measure"]["agreement"]["verdict"] == "undetermined"


def test_flow_progress_lines_without_a_terminal(capsys, monkeypatch):
    from momentrnn.cli import flow as _flow_cli

    progress = _flow_cli._Progress(quiet=False, every=0.0)
    progress(0.5, 1e-3)
    progress(1.0, 1e-4)
    progress.done()
    err = capsys.readouterr().err
    # each call writes a line; the clock thread may add lines of its own (every=0)
    assert err.count("flow: t = ") >= 2 and "\r" not in err
    assert "t = 0.5" in err and "t = 1" in err


# --------------------------------------------------------------------------------------
# Whole processes: closed and full streams, file-size limits, signals


def _cli(args, **kw):
    return subprocess.run([sys.executable, "-m", "momentrnn", *args], capture_output=True,
                          text=True, timeout=120, **kw)


def test_closed_stdin():
    res = subprocess.run([sys.executable, "-m", "momentrnn", "recover", "-"],
                         capture_output=True, text=True, timeout=60,
                         preexec_fn=lambda: os.close(0))
    assert res.returncode == 2
    _assert_one_message(res.stderr, "standard input is closed")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_stdout():
    with open("/dev/full", "w") as full:
        res = subprocess.run([sys.executable, "-m", "momentrnn", "check", "--list"],
                             stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert res.returncode == 3
    _assert_one_message(res.stderr, "cannot write standard output: No space left on device")


def test_broken_pipe():
    proc = subprocess.Popen([sys.executable, "-m", "momentrnn", "check", "--list"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 3
    _assert_one_message(err, "broken pipe")


def _file_size_limit(limit):
    def apply():
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_leaves_no_partial_file(tmp_path):
    report = tmp_path / "r.json"
    res = _cli(["flow", "--teacher", "decaying", "--dim", "6", "--k", "3", "--json",
                str(report), "--quiet"], preexec_fn=_file_size_limit(200))
    assert res.returncode == 3
    _assert_one_message(res.stderr, "cannot write --json .*r.json.*nothing was written")
    assert os.listdir(tmp_path) == []
    results = tmp_path / "s.jsonl"
    res = _cli(["sweep", "--out", str(results), *SMALL], preexec_fn=_file_size_limit(200))
    assert res.returncode == 3
    _assert_one_message(res.stderr, "cannot append to results file .*s.jsonl.*rerun to resume")
    assert os.listdir(tmp_path) == []  # no empty results file is left


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_a_sweep_cleanly(tmp_path, signum):
    # 200 runs: under load the sweep must not finish before the signal arrives
    out = tmp_path / "r.jsonl"
    args = [sys.executable, "-m", "momentrnn", "sweep", "--out", str(out), *SMALL,
            "--set", "seeds=200", "--set", "steps=40000", "--runs-per-task", "1"]
    # a shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT
    # ignored: give the sweep the default disposition, as an interactive Ctrl-C would find it
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while time.time() < deadline and not (out.exists() and out.stat().st_size > 0):
        time.sleep(0.02)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted: " in err and "run the same command again to resume" in err
    lines = out.read_text().splitlines()
    assert all(json.loads(line)["run_id"] for line in lines)


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_pool_workers_exit_when_the_sweep_is_killed(tmp_path):
    out = tmp_path / "r.jsonl"
    args = [sys.executable, "-m", "momentrnn", "sweep", "--out", str(out), *SMALL,
            "--set", "seeds=4", "--set", "steps=2000000", "--runs-per-task", "1",
            "--executor", "processes", "--workers", "2"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    workers: list[int] = []
    while time.time() < deadline and len(workers) < 2:
        time.sleep(0.2)
        workers = [p for p in _children(proc.pid) if _alive(p)]
    assert len(workers) >= 2
    proc.kill()
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    left = [p for p in workers if _alive(p)]
    for p in left:  # the test cleans up what it started before failing
        os.kill(p, signal.SIGKILL)
    assert not left


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_moments_files_with_a_byte_order_mark_are_read(tmp_path, capsys, encoding):
    path = tmp_path / "m.txt"
    path.write_bytes("2\n0\n2/3\n0\n".encode(encoding))
    code = main(["recover", str(path), "--exact"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "sqrt(3)/3" in out.out


# ---------------------------------------------------------------------------------------
# every limit of the table (momentrnn._limits.LIMITS), just past it: a package error at once

def _limit_doors():
    import itertools
    from fractions import Fraction

    import mpmath
    import sympy  # noqa: F401  (imported before any clock starts: complex exact atoms use it)

    import momentrnn as m
    from momentrnn.cli.certify import check_total_work
    from momentrnn.moments._data import parse_moments, parse_number_text
    from momentrnn.moments.extrapolation_bound import certify_extrapolation
    from momentrnn.prove import prove_flow

    ctx = mpmath.mp.clone()
    student = dict(teacher_atoms=[Fraction(39, 100)], teacher_weights=[1])
    return {
        "decimal exponent": lambda v: parse_number_text(f"1e{v:_}"),
        "binary exponent": lambda v: parse_moments([1, ctx.make_mpf((0, 1, v, 1)), 1]),
        "digits of a number": lambda v: parse_number_text("1" * v),
        "moments": lambda v: parse_moments(itertools.repeat(Fraction(1, 3), v)),
        "lags": lambda v: certify_extrapolation([0.5], [1], [1], length=5, lags=v, **student),
        "certify units": lambda v: certify_extrapolation(
            itertools.repeat(Fraction(1, 3), min(v, 5010)), [1], [1], length=5, lags=3,
            **student),
        "length": lambda v: certify_extrapolation([0.5], [1], [1], length=v, lags=3, **student),
        "order": lambda v: m.stability_bound([Fraction(1, 3)], order=v, tolerance=1e-3),
        # an atom 2**-(B - 1) of B bits over 1000 orders: its powers hold B 1000 999 / 2 bits
        "certify bits": lambda v: certify_extrapolation(
            [Fraction(1, 2 ** (min(399_000, -(-2 * v // 999_000)) - 1))], [1], [1], length=1000,
            lags=3, **student),
        # a teacher weight of B bits over 1000 orders: B 1000 just past v
        "certify weight bits": lambda v: certify_extrapolation(
            [0.5], [1], [1], length=1000, lags=3, teacher_atoms=[Fraction(39, 100)],
            teacher_weights=[Fraction(1, 2 ** min(399_000, v // 1000 + 1))]),
        # an atom of B bits at order 600: q**3 (B + 160) just past v
        "stability work": lambda v: m.stability_bound(
            [Fraction(1, 2 ** (min(399_000, max(3, -(-v // 600**3) - 159)) - 2))], order=600,
            tolerance=1e-3),
        "support end bits": lambda v: m.moment_feasible(
            [1, 0, Fraction(1, 3)], support=(-1, Fraction(2) ** min(v, 399_000))),
        # k = 10 000 lags of a student just wide enough (a wider one: its memory first)
        "lags x dimension": lambda v: m.gradient_descent(
            m.init_student(min(-(-v // 10_000), 10**6), scale=0.1), m.random_teacher(2),
            k=10_000, steps=10, lr=0.01),
        "dps": lambda v: m.MP(v),
        "recovery digits": lambda v: m.recover_measure([1, 0, Fraction(1, 3), 0], digits=v),
        "moment index": lambda v: m.extrapolation_range([1, Fraction(1, 2), Fraction(1, 4)],
                                                        tolerance=0, order=v),
        # the command's check over all atoms together: one atom of B + 1 bits over 1000 orders
        "certify total bits": lambda v: check_total_work(
            "s", [Fraction(1, 2 ** (-(-2 * v // 999_000)))], [], 1000),
        "certify SDP order": lambda v: certify_extrapolation(
            [0.5], [1], [1], length=5, lags=3, sdp_max_order=v, **student),
        "SDP order": lambda v: m.extrapolation_range([1, 0, Fraction(1, 3)], tolerance=0,
                                                     order=v),
        "singular values": lambda v: m.moments.hankel_singular_values(
            [1, 0, Fraction(1, 3)], size=v),
        "exact Hankel size": lambda v: m.hankel_rank(itertools.repeat(Fraction(1, 3),
                                                                      2 * v - 1)),
        # 199 moments 1/2**B (100 rows): 100 x 199 x (B + 2) bits just past v
        "exact Hankel bits": lambda v: m.hankel_rank(itertools.repeat(
            Fraction(1, 2 ** min(399_000, v // 19_900 + 1)), 199)),
        # the roots of x**2 - c, c = 2**C - 1 of C bits: 8 (C + 2000)**2 just past v
        "exact factor work": lambda v: m.recover_measure(
            [2, 0, 2 * (2 ** min(399_000, max(3, math.isqrt(v // 8) - 1998)) - 1), 0],
            precision=m.Exact()),
        "exact determinant size": lambda v: m.moments.hankel_determinant(
            itertools.repeat(Fraction(1, 3), 2 * v - 1)),
        "count": lambda v: m.DiscreteMeasure([Fraction(-1, 3)], [1]).moments(v),
        # an atom 1/2**B over 1000 exact moments: about B 1000 999 / 2 bits just past v
        "exact moment bits": lambda v: m.DiscreteMeasure(
            [Fraction(1, 2 ** min(399_000, -(-2 * v // 999_000)))], [1]).moments(
            1000, precision=m.Exact()),
        "symbolic moment terms": lambda v: m.DiscreteMeasure(["1/3+1/2j", "-1/3"], [1, 1])
        .moments(min(-(-v // 2), 10**6), precision=m.Exact()),
        "exact response bytes": lambda v: m.DiagonalRNN([0.39, -0.5], [1.0, 1.0], [1.0, 0.1])
        .impulse_response(v, precision=m.Exact()),
        "atoms": lambda v: m.random_teacher(v),
        "extrapolation length": lambda v: m.integrate_flow(
            m.init_student(2, scale=0.1, seed=0), m.random_teacher(2), k=3,
            extrapolation_length=v),
        "steps": lambda v: m.gradient_descent(m.init_student(2, scale=0.1),
                                              m.random_teacher(2), k=3, steps=v, lr=0.01),
        "prove dimension": lambda v: prove_flow("two_pole", v, 5, 1e-3),
        "prove precision": lambda v: prove_flow("two_pole", 2, 5, 1e-3, prec=v),
        "Taylor order": lambda v: prove_flow("two_pole", 2, 5, 1e-3, order=v),
    }


# limits checked by the command line (files, seeds, workers): their own cases above and in
# tests/test_bounded_work.py; here each is checked to have one
_CLI_LIMITS = {"moments file bytes", "spec bytes", "seed", "jobs", "runs", "seed count"}


def test_every_limit_has_a_generated_case():
    from momentrnn._limits import LIMITS

    assert set(LIMITS) == set(_limit_doors()) | _CLI_LIMITS


def _past(limit):
    """Values just past the limit, and far past it (a bound must not be checked late)."""
    from hypothesis import strategies as st

    cap = limit.maximum
    if limit.name == "exact response bytes":  # a count of lags whose digits pass the bytes
        return st.integers(1500, 10**6)
    if limit.name == "digits of a number":
        return st.integers(cap + 1, cap + 10)
    return st.one_of(st.integers(cap + 1, cap + 3), st.integers(cap + 4, 10 * cap + 10),
                     st.integers(10**12, 10**15))


@pytest.mark.parametrize("name", sorted(_limit_doors()))
def test_values_past_each_limit_are_refused_before_work(name):
    from hypothesis import HealthCheck, given, settings

    from momentrnn._limits import LIMITS

    door = _limit_doors()[name]
    limit = LIMITS[name]
    # exponents: too small as well as too large (2**-(cap + 1) has magnitude 2**-cap)
    signs = (1, -1) if name in ("decimal exponent", "binary exponent") else (1,)

    @settings(max_examples=6, deadline=3000, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(_past(limit))
    def check(value):
        for sign in signs:
            start = time.perf_counter()
            with pytest.raises(InputError) as info:
                door(value if sign > 0 else -value - 1)
            assert time.perf_counter() - start < 2
            message = str(info.value)
            assert "\n" not in message
            assert str(limit.maximum) in message.replace("_", "") or "more than" in message \
                or "beyond" in message

    check()


def test_a_moments_stream_past_the_byte_limit_is_refused(capsys):
    start = time.perf_counter()
    assert main(["recover", "/dev/zero"]) == 2
    assert "longer than" in capsys.readouterr().err
    assert time.perf_counter() - start < BOUND_S


def test_prove_refuses_past_its_limits_before_work(capsys):
    # dim 3000 aborted in FLINT (exit -6); --init-scale 1e300 was an internal OverflowError
    from fractions import Fraction

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from momentrnn._limits import MAX_LENGTH
    from momentrnn.cli import main
    from momentrnn.prove import prove_flow

    for args in (["--dim", "3000"], ["--init-scale", "1e300"], ["--length", "100000"],
                 ["--prec", "65536"], ["--order", "1000"]):
        start = time.perf_counter()
        assert main(["prove", *args]) == 2, args
        err = capsys.readouterr().err
        assert time.perf_counter() - start < 5 and err.count("\n") == 1 and "error:" in err, err

    @settings(max_examples=15, derandomize=True, deadline=None)
    @given(st.integers(MAX_LENGTH + 1, 10**15), st.integers(100, 5000),
           st.sampled_from([1, Fraction(39, 100), 7]), st.integers(1, 50))
    def check(length, exponent, mantissa, k):
        with pytest.raises(InputError, match="length"):
            prove_flow("two_pole", 2, 5, 1e-3, length=length)
        scale = float(mantissa * 10 ** min(exponent, 300)) if exponent <= 300 else 10**exponent
        if (2 * k + 4) * math.log10(scale) > 301:
            with pytest.raises(InputError, match=r"init_scale=.*loss of about 1e\d+") as info:
                prove_flow("two_pole", 2, k, scale)
            assert "\n" not in str(info.value)

    check()
