"""The progress line's documented schedule, stated on a clock the test controls.

``ProgressLine`` shows a line when a report is forced or when the gap since the last line
(``tty_gap`` on a terminal, ``every`` in a log) has passed, and its clock thread when
``redraw``/``every`` has passed; ``describe`` gets the seconds since ``start``. Here
``time.perf_counter`` is a counter the test sets, so each boundary (exactly the gap, just under
it) is tried exactly; the clock thread still waits real time (a sixteenth of a second).
"""

from __future__ import annotations

import io
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from momentrnn._progress import ProgressLine

TICK = 0.0625  # a clock period that is a double exactly (so "exactly the gap" is exact)


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = _Clock(0.0)
    monkeypatch.setattr(time, "perf_counter", c)
    return c


def _line(monkeypatch, tty, seen=None, **kw):
    err = _Stream(tty)
    monkeypatch.setattr(sys, "stderr", err)

    def describe(elapsed, is_tty):
        if seen is not None:
            seen.append((elapsed, is_tty))
        return "alive"

    return ProgressLine(describe, **kw), err


@pytest.mark.parametrize("tty", [False, True])
@pytest.mark.parametrize("enabled", [False, True])
def test_the_line_is_in_place_exactly_when_enabled_on_a_terminal(monkeypatch, tty, enabled):
    line, _ = _line(monkeypatch, tty, enabled=enabled)
    assert line.tty is (tty and enabled)


def test_the_elapsed_time_counts_from_start_and_start_defaults_to_now(monkeypatch, clock):
    seen = []
    clock.now = 1000.0
    line, err = _line(monkeypatch, False, seen, start=992.5)
    assert line.start == 992.5
    line.report(force=True)
    clock.now = 1003.25
    default, _ = _line(monkeypatch, False, seen)
    assert default.start == 1003.25
    default.report(force=True)
    assert seen == [(7.5, False), (0.0, False)]


@settings(max_examples=40, derandomize=True, deadline=None)
@given(tty=st.booleans(), gap=st.integers(1, 400), before=st.integers(1, 400),
       start=st.integers(-10**6, 10**6))
def test_a_report_shows_a_line_once_its_gap_has_passed_and_not_before(tty, gap, before, start):
    """Times in sixteenths of a second (exact doubles): a report exactly ``gap`` after the last
    line shows one, a report ``before`` sixteenths earlier does not, a forced one always does."""
    clock = _Clock(start / 16)
    real_clock, real_err = time.perf_counter, sys.stderr
    err = _Stream(tty)
    time.perf_counter, sys.stderr = clock, err
    try:
        seen = []
        kw = {"tty_gap": gap / 16, "every": 10**9} if tty else {"every": gap / 16,
                                                                 "tty_gap": 10**9}
        line = ProgressLine(lambda e, t: seen.append(e) or "alive", **kw)
        clock.now = (start + gap - before) / 16
        line.report()
        assert seen == []
        line.report(force=True)  # forced: shown whatever the gap
        assert seen == [(gap - before) / 16]
        clock.now += gap / 16 - 1 / 16
        line.report()  # one sixteenth short of the gap since the forced line
        assert len(seen) == 1
        clock.now += 1 / 16
        line.report()  # exactly the gap
        assert seen[1:] == [(2 * gap - before) / 16]
    finally:
        time.perf_counter, sys.stderr = real_clock, real_err


def test_a_disabled_line_neither_reports_nor_starts_a_clock(monkeypatch, clock):
    before = threading.active_count()
    line, err = _line(monkeypatch, True, enabled=False, redraw=TICK)
    line.begin()
    assert threading.active_count() == before
    line.report(force=True)
    line.end()
    assert err.getvalue() == ""


def _run_clock(line, clock, now):
    """Start the clock thread with the counter at ``now`` and let it wake several times."""
    clock.now = now
    line.begin()
    time.sleep(8 * TICK)
    line.end()


@pytest.mark.parametrize("tty", [True, False])
def test_the_clock_is_silent_until_its_period_has_passed(monkeypatch, clock, tty):
    clock.now = 50.0
    line, err = _line(monkeypatch, tty, redraw=TICK, every=TICK)
    _run_clock(line, clock, 50.0 + TICK / 2)  # half a period since the line began: nothing
    assert err.getvalue() == ""


@pytest.mark.parametrize("tty", [True, False])
def test_the_clock_shows_the_line_once_its_period_has_passed_exactly(monkeypatch, clock, tty):
    seen = []
    clock.now = 50.0
    line, err = _line(monkeypatch, tty, seen, redraw=TICK, every=TICK)
    _run_clock(line, clock, 50.0 + TICK)
    # the counter stands still: one line, and then its period never passes again
    assert seen == [(TICK, tty)]
    assert err.getvalue() == ("\r  alive\n" if tty else "  alive\n")


def test_end_joins_the_clock_and_end_without_begin_is_harmless(monkeypatch):
    idle, _ = _line(monkeypatch, False, every=10.0)
    idle.end()  # never begun: nothing to stop
    line, _ = _line(monkeypatch, False, every=10.0)
    before = threading.active_count()
    line.begin()
    assert threading.active_count() == before + 1
    line.end()
    assert threading.active_count() == before  # joined, not left to finish on its own
    assert line.clock is None


def test_a_line_in_place_is_padded_to_the_longest_drawn_and_an_empty_one_is_empty(monkeypatch):
    texts = iter(["", "longer", "x"])
    err = _Stream(True)
    monkeypatch.setattr(sys, "stderr", err)
    line = ProgressLine(lambda e, t: next(texts))
    for _ in range(3):
        line.report(force=True)
    line.end()
    assert err.getvalue() == "\r  " + "\r  longer" + "\r  x     " + "\n"
