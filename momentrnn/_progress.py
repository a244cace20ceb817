"""A progress line on stderr that shows a long computation is alive, kept by a clock thread."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

__all__ = ["ProgressLine"]

MIN_PERIOD = 0.05  # the clock's shortest wait, so that a period of 0 does not spin


class ProgressLine:
    """A sign of life on stderr.

    On a terminal, one line redrawn in place: at each :meth:`report` (at most every ``tty_gap``
    seconds) and every ``redraw`` seconds by the clock. Elsewhere (a log file, a pipe), a plain
    line at a :meth:`report` at most every ``every`` seconds, and at least that often while
    nothing reports (the clock writes it), so that a log shows a long step is still running.

    Parameters
    ----------
    describe : callable
        ``describe(elapsed_seconds, tty) -> str``: the text of the line now.
    enabled : bool
        False: nothing is written and no thread is started.
    every, redraw, tty_gap : float
        Seconds between lines in a log, between redraws on a terminal, and the least gap
        between two redraws asked for by :meth:`report`.
    start : float, optional
        The ``time.perf_counter()`` the elapsed time counts from (default: now).
    """

    def __init__(self, describe: Callable[[float, bool], str], *, enabled: bool = True,
                 every: float = 10.0, redraw: float = 1.0, tty_gap: float = 0.0,
                 start: float | None = None) -> None:
        self.describe = describe
        self.enabled = enabled
        try:
            self.tty = bool(enabled and sys.stderr is not None and sys.stderr.isatty())
        except (AttributeError, ValueError):
            self.tty = False
        self.every, self.redraw, self.tty_gap = every, redraw, tty_gap
        self.start = time.perf_counter() if start is None else start
        self.shown_at = self.start
        self.drawn = False
        self.width = 0  # of the line drawn in place: a shorter one overwrites all of it
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.clock: threading.Thread | None = None

    def begin(self) -> None:
        """Start the clock thread."""
        if self.enabled and self.clock is None:
            self.clock = threading.Thread(target=self._tick, daemon=True)
            self.clock.start()

    def report(self, *, force: bool = False) -> None:
        """Show the line now if ``force``, or if the least gap since the last line passed."""
        if not self.enabled:
            return
        with self.lock:
            now = time.perf_counter()
            if force or now - self.shown_at >= (self.tty_gap if self.tty else self.every):
                self._show(now)

    def _tick(self) -> None:
        period = self.redraw if self.tty else self.every
        while not self.stopped.wait(min(max(period, MIN_PERIOD), 1.0)):
            with self.lock:
                now = time.perf_counter()
                if not self.stopped.is_set() and self.enabled and now - self.shown_at >= period:
                    self._show(now)

    def _show(self, now: float) -> None:
        self.shown_at = now
        text = self.describe(now - self.start, self.tty)
        try:
            if self.tty:
                print(f"\r  {text.ljust(self.width)}", end="", file=sys.stderr, flush=True)
                self.width = max(self.width, len(text))
                self.drawn = True
            else:
                print(f"  {text}", file=sys.stderr, flush=True)
        except (OSError, ValueError, AttributeError):  # stderr gone: not worth failing for
            self.enabled = False
            self.stopped.set()

    def end(self) -> None:
        """Stop the clock and end a line drawn in place."""
        self.stopped.set()
        if self.clock is not None and self.clock is not threading.current_thread():
            self.clock.join()
        self.clock = None
        with self.lock:
            if self.drawn:
                try:
                    print(file=sys.stderr, flush=True)
                except (OSError, ValueError, AttributeError):
                    pass
                self.drawn = False
