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
