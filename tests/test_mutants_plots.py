"""Tests that catch one-line mutants of ``momentrnn.experiments.plots`` that the rest of the
suite let through (found by ``benchmarks/bench_mutation_procedural.py``)."""

import numpy as np
import pytest

from momentrnn.experiments.families.base import ScaleFigure, SweepRow


def test_scale_figure_draws_the_interquartile_band(tmp_path, monkeypatch):
    """The band around the median runs from the 25th to the 75th percentile over seeds."""
    pytest.importorskip("matplotlib")
    from momentrnn.experiments import plots

    values = {1e-3: [1.0, 2.0, 3.0, 4.0, 5.0], 1.0: [0.39, 1 / 3, 0.5, 0.25, 0.125]}
    rows = [SweepRow({"scale": s, "dim": 4}, metrics={"err": v})
            for s, vs in values.items() for v in vs]
    figure = ScaleFigure("band", "err", ("dim",), lambda r: r.metrics["err"], log=False)
    seen = {}

    def keep(fig, out_dir, name, formats, plt, pending=None):
        ax = fig.axes[0]
        band = ax.collections[0].get_paths()[0].vertices
        seen["band"] = band
        plt.close(fig)
        return []

    monkeypatch.setattr(plots, "_save", keep)
    plt = plots._plt()
    plots._scale_figure(rows, figure, str(tmp_path), ("svg",), plt)
    ys = seen["band"][:, 1]
    for vs in values.values():
        lo, hi = np.percentile(vs, 25), np.percentile(vs, 75)
        assert np.any(np.isclose(ys, lo)) and np.any(np.isclose(ys, hi))


def test_scale_figure_draws_finite_medians_unclipped(tmp_path, monkeypatch):
    """On a linear axis the cap for infinite values lies above the largest finite one: a
    finite median equal to that largest value is drawn where it is, not marked unbounded."""
    pytest.importorskip("matplotlib")
    from momentrnn.experiments import plots

    values = {1e-3: [1.0, 5.0, 5.0, 5.0, 5.0], 1.0: [0.39, 1 / 3, 0.5, 0.25, 0.125]}
    rows = [SweepRow({"scale": s, "dim": 4}, metrics={"err": v})
            for s, vs in values.items() for v in vs]
    figure = ScaleFigure("band", "err", ("dim",), lambda r: r.metrics["err"], log=False)
    seen = {}

    def keep(fig, out_dir, name, formats, plt, pending=None):
        seen["lines"] = [line.get_ydata() for line in fig.axes[0].lines]
        plt.close(fig)
        return []

    monkeypatch.setattr(plots, "_save", keep)
    plots._scale_figure(rows, figure, str(tmp_path), ("svg",), plots._plt())
    assert len(seen["lines"]) == 1  # the median curve; no unbounded markers, no cap line
    assert list(seen["lines"][0]) == [np.median(values[1e-3]), np.median(values[1.0])]
