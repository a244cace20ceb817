"""Written files: the umask, read-only targets, a kill's leftovers; standard JSON; the error
doors (debug switch, an ASCII-only stderr)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from momentrnn import _output
from momentrnn._output import write_output
from momentrnn.cli import main
from momentrnn.errors import OutputError


def _text(content):
    def produce(path):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)
    return produce


@pytest.fixture
def umask():
    old = os.umask(0o022)
    os.umask(old)

    def set_to(mask):
        os.umask(mask)

    yield set_to
    os.umask(old)


@pytest.mark.parametrize("mask", [0o077, 0o022, 0o002, 0o027])
def test_written_files_honour_the_umask(tmp_path, umask, mask):
    umask(mask)
    path = tmp_path / "out.json"
    write_output(str(path), _text("{}"), option="--json")
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
    assert os.umask(mask) == mask  # left as it was
    # a replaced file keeps its own mode
    path.chmod(0o640)
    write_output(str(path), _text("[]"), option="--json")
    assert path.stat().st_mode & 0o777 == 0o640 and path.read_text() == "[]"


def test_a_results_file_honours_the_umask(tmp_path, umask):
    from momentrnn.experiments import run_sweep

    umask(0o002)
    path = tmp_path / "r.jsonl"
    run_sweep({"family": "linear", "teachers": ["long_memory"], "modes": ["random"],
               "scales": [0.39], "seeds": [0], "dims": [3], "lengths": [10]}, str(path),
              progress=False)
    assert path.stat().st_mode & 0o777 == 0o664


def test_a_read_only_target_is_refused_and_left_unchanged(tmp_path, capsys):
    path = tmp_path / "out.json"
    path.write_text("keep me")
    path.chmod(0o444)
    with pytest.raises(OutputError, match="read-only"):
        write_output(str(path), _text("{}"), option="--json")
    assert path.read_text() == "keep me" and path.stat().st_mode & 0o777 == 0o444
    code = main(["flow", "--teacher", "decaying", "--dim", "4", "--k", "3", "--gd", "--lr",
                 "0.05", "--steps", "10", "--quiet", "--json", str(path)])
    err = capsys.readouterr().err
    assert code == 3 and "read-only" in err and str(path) in err
    assert path.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


KILLED_WRITER = """
import os, signal, sys
from momentrnn._output import write_output

def produce(path):
    with open(path, "w") as handle:
        handle.write("<svg>half")
    os.kill(os.getpid(), signal.SIGKILL)

write_output(sys.argv[1], produce, option="--plot")
"""


def test_a_kill_while_writing_leaves_a_temporary_that_the_next_write_removes(tmp_path):
    target = tmp_path / "p.svg"
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(target)],
                          capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    left = [p for p in tmp_path.iterdir() if p.name != "p.svg"]
    assert len(left) == 1 and not target.exists()
    # not yet stale: kept (a writer on another machine might still be at work)
    write_output(str(target), _text("<svg/>"), option="--plot")
    assert left[0].exists()
    old = time.time() - 2 * _output.STALE_SECONDS
    os.utime(left[0], (old, old))
    # files of other names, and a temporary of a live process, are never touched
    other = tmp_path / ".p.abcdefgh.svg"
    other.write_text("not ours")
    live = tmp_path / f".p.~{os.getppid()}.abcdefgh.svg"
    live.write_text("a live writer's")
    for p in (other, live):
        os.utime(p, (old, old))
    write_output(str(target), _text("<svg/>"), option="--plot")
    assert not left[0].exists()
    assert other.exists() and live.exists() and target.read_text() == "<svg/>"


def _strict(text):
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def test_flow_json_of_unbounded_errors_is_standard_json(tmp_path, capsys):
    path = tmp_path / "run.json"
    main(["flow", "--teacher-atoms", "1.5", "--teacher-weights", "1", "--dim", "4", "--k", "3",
          "--init-scale", "3", "--quiet", "--length", "3000", "--json", str(path)])
    capsys.readouterr()
    report = _strict(path.read_text())
    assert report["extrapolation_max"] == "inf"
    assert report["extrapolation_sq"] == "inf"


def test_flow_json_of_a_diverged_descent_is_standard_json(tmp_path, capsys):
    path = tmp_path / "run.json"
    code = main(["flow", "--teacher-atoms", "1.5", "--teacher-weights", "1", "--dim", "4",
                 "--k", "3", "--gd", "--lr", "1e6", "--steps", "30", "--quiet", "--length",
                 "3000", "--json", str(path)])
    capsys.readouterr()
    report = _strict(path.read_text())
    assert code == 1 and report["status"] == "diverged"


def test_bounds_json_with_infinite_ends_is_standard_json(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("1\n0.5\n0.3\n"))
    main(["bounds", "-", "--support=-inf,inf", "--tolerance", "1e-3", "--order", "3",
          "--format", "json"])
    out = _strict(capsys.readouterr().out)
    assert (out["lower"], out["upper"]) == ("-inf", "inf")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_leaves = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(),
                    st.text(max_size=5), st.none(), st.booleans())
_trees = st.recursive(_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=3), inner, max_size=4)),
    max_leaves=20)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(_trees)
def test_json_text_is_always_standard_json(value):
    import math

    import numpy as np

    from momentrnn._output import NON_FINITE, json_text

    back = _strict(json_text({"v": value, "np": np.array([np.inf, -np.inf, np.nan, 0.39]),
                              "f32": np.float32("inf")}))
    assert back["np"] == ["inf", "-inf", "nan", 0.39] and back["f32"] == "inf"

    def same(a, b):
        if isinstance(a, float) and not math.isfinite(a):
            return isinstance(b, str) and (math.isnan(NON_FINITE[b]) if math.isnan(a)
                                           else NON_FINITE[b] == a)
        if isinstance(a, (list, tuple)):
            return len(a) == len(b) and all(map(same, a, b))
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        return a == b

    assert same(value, back["v"])


def test_a_sweep_of_diverged_runs_writes_standard_json_and_reads_it_back(tmp_path):
    import math

    from momentrnn.experiments import read_results, run_sweep

    path = tmp_path / "d.jsonl"
    spec = {"family": "linear", "teachers": ["long_memory"], "modes": ["random"], "dims": [5],
            "trainer": "gd", "lr": 5.0, "steps": 30, "scales": [0.5], "seeds": [0, 1],
            "lengths": [50]}
    run_sweep(spec, str(path), progress=False)
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    raw = [_strict(line) for line in lines]
    assert all(r["extrapolation_max_50"] == "inf" for r in raw)
    rows = read_results(str(path))
    assert all(r["status"] == "diverged" and r["extrapolation_max_50"] == math.inf
               for r in rows)
    # a file written before, with the non-standard constants, still reads and resumes
    old = tmp_path / "old.jsonl"
    old.write_text(lines[0].replace('"inf"', "Infinity") + "\n")
    assert read_results(str(old))[0]["extrapolation_max_50"] == math.inf
    summary = run_sweep(spec, str(old), progress=False)
    assert summary.skipped == 1 and summary.completed == 1


@pytest.mark.parametrize("value, traceback", [
    ("1", True), ("true", True), ("YES", True), (" 1 ", True),
    ("0", False), ("false", False), ("no", False), ("", False), ("off", False),
])
def test_only_a_yes_of_momentrnn_debug_shows_tracebacks(value, traceback, monkeypatch,
                                                        capsys):
    from momentrnn.cli import recover

    def boom(source):
        raise RuntimeError("boom")

    monkeypatch.setattr(recover, "read_moments", boom)
    monkeypatch.setenv("MOMENTRNN_DEBUG", value)
    if traceback:
        with pytest.raises(RuntimeError, match="boom"):
            main(["recover", "-"])
    else:
        assert main(["recover", "-"]) == 3
        assert "internal error: RuntimeError: boom" in capsys.readouterr().err


def test_an_ascii_only_output_escapes_a_non_ascii_path(tmp_path):
    folder = tmp_path / "m\u00fcnchen"
    folder.mkdir()
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    env.pop("MOMENTRNN_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "momentrnn", "sweep", "--out", str(folder / "r\u00e9.jsonl"),
         "--set", 'teachers=["long_memory"]', "--set", 'modes=["random"]', "--set",
         "scales=[0.39]", "--set", "seeds=[0]", "--set", "dims=[3]", "--set", "lengths=[10]",
         "--set", 'trainer="gd"', "--set", "steps=20", "--quiet"],
        capture_output=True, timeout=120, env=env, cwd=os.getcwd())
    assert proc.returncode == 0, proc.stderr.decode("ascii", "replace")
    assert b"m\\xfcnchen" in proc.stdout and b"Error" not in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "momentrnn", "recover",
                           str(folder / "missing \u00e9.txt")],
                          capture_output=True, timeout=120, env=env)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
