"""A flow whose step size collapses far below its time stops with status 'collapsed', and the
command stops on SIGTERM/SIGINT within seconds (issue 22)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn.dynamics.integrators._base import COLLAPSE_STEPS, CollapseWatch

ROOT = Path(__file__).resolve().parents[1]
COLLAPSING = ["flow", "--teacher", "decaying", "--dim", "10", "--k", "5", "--init-scale",
              "1000", "--quiet"]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.floats(1e-300, 1e6), st.floats(1.0001, 3.0), st.integers(3, 40))
def test_the_watch_fires_only_when_a_window_of_steps_does_not_double_the_time(t0, growth,
                                                                               window):
    """Steps that multiply t by ``growth`` over a window: a collapse exactly when the window
    leaves t below twice its start (the first window, from t = 0, never counts)."""
    watch = CollapseWatch(window)
    per_step = growth ** (1 / window)
    fired_at = None
    t = t0
    for n in range(1, 4 * window + 1):
        t *= per_step
        if watch.collapsed(t):
            fired_at = n
            break
    if growth * (1 + 1e-9) < 2:
        assert fired_at == 2 * window
        assert "collapsed" in watch.message(t, 1.0) and "nothing is known" in watch.message(
            t, 1.0)
    elif growth > 2 * (1 + 1e-9):
        assert fired_at is None


def test_a_flow_at_a_doubled_time_every_window_is_not_collapsed():
    watch = CollapseWatch(5)
    assert not any(watch.collapsed(2.0 ** (n / 4)) for n in range(1, 200))


def _command(args, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(["timeout", "-s", "KILL", "300", sys.executable, "-m", "momentrnn",
                             *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, **kw)


@pytest.mark.slow
def test_a_collapsing_flow_stops_with_its_status_in_bounded_time():
    start = time.monotonic()
    proc = _command([*COLLAPSING, "--format", "json"])
    out, err = proc.communicate()
    elapsed = time.monotonic() - start
    assert proc.returncode == 1, err[-2000:]
    data = json.loads(out)
    assert data["status"] == "collapsed" and data["status"] != "converged"
    assert f"{COLLAPSE_STEPS} steps" in data["message"] and "not doubling" in data["message"]
    assert data["final_time"] < 1e-9 and data["learned_measure"]["agreement"]["verdict"] != "yes"
    assert elapsed < 240, elapsed


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_flow_command_within_five_seconds(signum):
    proc = _command(COLLAPSING, start_new_session=True)
    time.sleep(3)
    assert proc.poll() is None  # still training
    python = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                            text=True).stdout.split()
    target = int(python[0]) if python else proc.pid
    sent = time.monotonic()
    os.kill(target, signum)
    try:
        proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"still running 5 s after signal {signum!r}")
    assert time.monotonic() - sent < 5
    assert proc.returncode != 0
