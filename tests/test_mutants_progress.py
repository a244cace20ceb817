"""Tests that catch one-line mutants of ``momentrnn._progress`` and the sweep spec limits that
the rest of the suite let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

import time

from momentrnn._progress import ProgressLine


def test_a_report_after_the_gap_shows_a_line_and_one_before_it_does_not(capsys):
    """In a log (not a terminal) :meth:`report` writes a line once ``every`` seconds have
    passed since the last one, and nothing sooner."""
    t0 = time.perf_counter()
    line = ProgressLine(lambda elapsed, tty: "alive", every=3600.0, start=t0)
    line.tty = False
    line.report()  # well inside the gap
    assert "alive" not in capsys.readouterr().err
    line.shown_at = t0 - 7200.0  # the gap has passed
    line.report()
    assert "alive" in capsys.readouterr().err


def test_a_sweep_of_one_run_more_than_the_limit_is_refused_before_expanding():
    """MAX_RUNS = 1_000_000 is the most a spec may expand to: 1_000_001 = 101 * 9901 runs are
    refused with the count named (counted, not expanded: the refusal is immediate)."""
    import pytest

    from momentrnn.errors import InputError
    from momentrnn.experiments.spec import MAX_RUNS, load_spec

    assert MAX_RUNS == 1_000_000
    scales = [10.0 ** (-3 + i / 50) for i in range(101)]
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="1000001 runs, more than 1000000"):
        load_spec({"family": "linear", "scales": scales, "seeds": 9901,
                   "teachers": ["long_memory"], "modes": ["random"]})
    assert time.perf_counter() - t0 < 30
