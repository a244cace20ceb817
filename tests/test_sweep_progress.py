"""A sweep's progress line shows the training steps of the runs in flight and the time left,
from this process and from pool workers, before the runs end."""

import io
import re
import sys

import pytest

from momentrnn.experiments import run_sweep, runner

TINY_GRU = {"family": "nonlinear", "cell": "gru", "teacher_dims": [2], "student_dims": [3],
            "scales": [0.1, 1.0], "seeds": 3, "k": 4, "lengths": [6], "train_sequences": 8,
            "test_sequences": 4, "steps": 300, "lr": 0.01}
IN_FLIGHT = re.compile(r"sweep: (\d)/6 runs, (\d) in flight at step (\d+)/300, \d+ s, "
                       r"about \d+ (s|min) left")


class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def _sweep_lines(monkeypatch, tmp_path, **kwargs) -> list[str]:
    pytest.importorskip("torch")
    err = _Pipe()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(runner, "PROGRESS_EVERY", 0.1)
    monkeypatch.setattr(runner, "STEPS_EVERY", 0.05)
    summary = run_sweep(TINY_GRU, str(tmp_path / "r.jsonl"), **kwargs)
    assert summary.completed == 6
    return [line for line in err.getvalue().splitlines() if "sweep:" in line]


def _check(lines: list[str], runs_in_flight: int) -> None:
    steps = [IN_FLIGHT.search(line) for line in lines]
    during = [m for m in steps if m and int(m.group(3)) < 300]
    assert during, lines  # a line with steps and a time left before training ended
    assert all(int(m.group(2)) == runs_in_flight for m in during)
    first = next(i for i, m in enumerate(steps) if m)
    assert first < lines.index(next(x for x in lines if "sweep: 6/6 runs" in x))
    assert lines[-1].startswith("  sweep: 6/6 runs") and "left" not in lines[-1]


def test_in_process_gru_sweep_reports_steps_and_time_left(monkeypatch, tmp_path):
    _check(_sweep_lines(monkeypatch, tmp_path), runs_in_flight=6)


def test_pool_workers_report_their_steps(monkeypatch, tmp_path):
    lines = _sweep_lines(monkeypatch, tmp_path, executor="processes", workers=1,
                         runs_per_task=3)
    _check(lines, runs_in_flight=3)
    assert any(line.startswith("  sweep: 3/6 runs, 3 in flight") for line in lines)


def test_the_pace_starts_at_the_first_step_not_at_the_setup():
    pace = runner._Pace(from_first_step=True)
    # 100 s of setup (importing torch, say), then a tenth of the work in 1 s
    assert runner._progress_text(0, 4, [(0, 100, 4)], 100.0, pace) == \
        "sweep: 0/4 runs, 4 in flight at step 0/100, 100 s"
    assert pace.left(100.0, 0.0) is None
    assert pace.left(100.5, 0.05) is None  # the first step seen: the pace starts here
    assert pace.left(101.5, 0.15) == pytest.approx(8.5)
    text = runner._progress_text(1, 4, [(50, 100, 3)], 101.5, pace)
    assert text == "sweep: 1/4 runs, 3 in flight at step 50/100, 102 s, about 1 s left"
    # no step reports: the pace is the runs done against the time since the start
    plain = runner._Pace(from_first_step=False)
    assert runner._progress_text(1, 4, [], 20.0, plain) == \
        "sweep: 1/4 runs, 20 s, about 60 s left"
    assert runner._progress_text(1, 4, [], 600.0, plain).endswith("about 30 min left")
    assert runner._progress_text(4, 4, [], 40.0, plain) == "sweep: 4/4 runs, 40 s"


def test_two_tasks_in_flight_show_their_summed_steps():
    text = runner._progress_text(0, 6, [(10, 100, 3), (30, 100, 3)], 5.0)
    assert text == "sweep: 0/6 runs, 6 in flight in 2 tasks at steps 40/200, 5 s"


def test_a_step_file_is_written_at_most_every_so_often_and_at_the_end(tmp_path):
    steps = runner._TaskSteps(str(tmp_path))
    report = steps.reporter(0, 2)
    report.every = 3600.0
    report(1, 10)
    report(5, 10)  # within the gap: not written
    assert steps.in_flight() == [(1, 10, 2)]
    report(10, 10)  # the last step is always written
    assert steps.in_flight() == [(10, 10, 2)]
    steps.finished(0)
    assert steps.in_flight() == [] and list(tmp_path.iterdir()) == []


def test_a_shorter_line_drawn_in_place_overwrites_the_longer_one(monkeypatch):
    from momentrnn._progress import ProgressLine

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    texts = iter(["sweep: 0/6 runs, 6 in flight at step 5/9, 1 s, about 2 min left",
                  "sweep: 6/6 runs, 2 s"])
    line = ProgressLine(lambda elapsed, tty: next(texts), redraw=3600.0)
    line.report(force=True)
    line.report(force=True)
    line.end()
    first, second = err.getvalue().rstrip("\n").split("\r")[1:]
    assert len(second) == len(first) and second.strip() == "sweep: 6/6 runs, 2 s"
