"""The progress line shared by long commands: lines while nothing reports, in place on a
terminal, nothing when disabled, and no thread left behind."""

import io
import sys
import threading
import time

from momentrnn._progress import ProgressLine


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_a_log_gets_lines_from_the_clock_while_nothing_reports(monkeypatch):
    err = _Stream(tty=False)
    monkeypatch.setattr(sys, "stderr", err)
    state = {"n": 0}
    line = ProgressLine(lambda elapsed, tty: f"work: {state['n']} done, tty={tty}", every=0.2)
    line.begin()
    time.sleep(0.7)  # a long step: nobody reports
    state["n"] = 1
    line.report()  # less than `every` after the clock's last line: nothing new
    line.report(force=True)
    line.end()
    lines = err.getvalue().splitlines()
    assert sum("work: 0 done, tty=False" in x for x in lines) >= 2
    assert lines[-1] == "  work: 1 done, tty=False"
    assert "\r" not in err.getvalue()
    count = len(lines)
    time.sleep(0.5)
    assert len(err.getvalue().splitlines()) == count  # the clock stopped with end()
    assert line.clock is None


def test_a_terminal_gets_one_line_redrawn_and_ended():
    err = _Stream(tty=True)
    real = sys.stderr
    sys.stderr = err
    try:
        line = ProgressLine(lambda elapsed, tty: f"step, tty={tty}", redraw=0.1)
        line.begin()
        line.report()
        time.sleep(0.35)
        line.end()
    finally:
        sys.stderr = real
    text = err.getvalue()
    assert text.count("\r  step, tty=True") >= 2 and text.endswith("\n")
    assert text.count("\n") == 1


def test_disabled_writes_nothing_and_starts_no_thread(monkeypatch):
    err = _Stream(tty=False)
    monkeypatch.setattr(sys, "stderr", err)
    before = threading.active_count()
    line = ProgressLine(lambda elapsed, tty: "x", enabled=False, every=0.01)
    line.begin()
    line.report(force=True)
    time.sleep(0.1)
    line.end()
    assert err.getvalue() == "" and threading.active_count() == before


def test_a_closed_stderr_stops_the_line_without_an_error(monkeypatch):
    err = _Stream(tty=False)
    err.close()
    monkeypatch.setattr(sys, "stderr", err)
    line = ProgressLine(lambda elapsed, tty: "x", every=0.05)
    line.begin()
    line.report(force=True)  # ValueError from the closed stream: swallowed, line disabled
    assert not line.enabled
    line.end()


def test_a_zero_period_does_not_spin(monkeypatch):
    err = _Stream(tty=False)
    monkeypatch.setattr(sys, "stderr", err)
    line = ProgressLine(lambda elapsed, tty: "x", every=0.0)
    line.begin()
    time.sleep(0.3)
    line.end()
    assert 2 <= len(err.getvalue().splitlines()) <= 10  # one line per clock tick of 0.05 s
